// The burn page `rawburn serve` embeds: it speaks the companion's wire
// format (README, "Burning from a page") over the WebSocket at /v1.
//
//   files picked ──upload──▶ spool ──plan──▶ track table ──burn──▶ job events
//
// Everything the page knows arrives as messages; each handler updates
// `state` and re-renders the part it touched. The helpers at the top
// (SHA-256, cue sheet names, MSF) are exported and touch no DOM, so tests
// import this module in Node too; the page starts only where a document
// exists.

// ---------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), fed chunk by chunk: WebCrypto digests only whole
// buffers, and an upload's digest must cover a file read a chunk at a time.

/** The round constants (FIPS 180-4, 4.2.2). */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The initial hash value (FIPS 180-4, 5.3.3). */
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** An incremental SHA-256: `update` with bytes as often as needed, then `hex` once. */
export class Sha256 {
  constructor() {
    this.h = new Uint32Array(H0);
    this.w = new Uint32Array(64);
    this.block = new Uint8Array(64);
    this.used = 0;
    this.length = 0;
    this.finished = false;
  }

  /** Adds `bytes` (a Uint8Array) to the message. */
  update(bytes) {
    if (this.finished) throw new Error("sha256: the digest was taken already");
    let i = 0;
    const n = bytes.length;
    this.length += n;
    if (this.used > 0) {
      const take = Math.min(64 - this.used, n);
      this.block.set(bytes.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < 64) return this;
      this.compress(this.block, 0);
      this.used = 0;
    }
    for (; i + 64 <= n; i += 64) this.compress(bytes, i);
    if (i < n) {
      this.block.set(bytes.subarray(i), 0);
      this.used = n - i;
    }
    return this;
  }

  /** The digest (32 bytes); the message ends here. */
  digest() {
    const bits = this.length * 8;
    const pad = new Uint8Array((this.used < 56 ? 64 : 128) - this.used);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(pad.length - 4, bits % 0x100000000);
    this.update(pad);
    this.finished = true;
    const out = new Uint8Array(32);
    const o = new DataView(out.buffer);
    for (let k = 0; k < 8; k++) o.setUint32(4 * k, this.h[k]);
    return out;
  }

  /** The digest as 64 lowercase hex digits. */
  hex() {
    return Array.from(this.digest(), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** One 64-byte block at `at` of `m` (FIPS 180-4, 6.2.2). */
  compress(m, at) {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const j = at + 4 * t;
      w[t] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    const h = this.h;
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
}

/** SHA-256 of `bytes` as hex. */
export function sha256Hex(bytes) {
  return new Sha256().update(bytes).hex();
}

// ---------------------------------------------------------------------------
// Sheets and geometry.

/** Extensions of a sheet or project: it describes the whole disc. */
const SHEET = /\.(cue|toc|ccd|json)$/i;
/** Sectors in a second. */
const FRAMES_PER_SECOND = 75;

/** Whether `name` is a sheet (.cue, .toc, .ccd) or a project (.json). */
export function isSheet(name) {
  return SHEET.test(name);
}

/**
 * The files a cue sheet's FILE lines name, in order, each once: quoted
 * (`FILE "a b.wav" WAVE`) or a single word (`FILE a.wav WAVE`).
 */
export function cueFiles(text) {
  const names = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = /^\s*FILE\s+(?:"([^"]*)"|(\S+))/i.exec(line);
    const name = m && (m[1] ?? m[2]);
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The last component of a name a sheet gives (`CD1\a.wav` → `a.wav`). */
export function baseName(name) {
  return name.split(/[\\/]/).pop();
}

/** `sectors` as minutes:seconds:frames (75 frames a second). */
export function msf(sectors) {
  const s = Math.max(0, Math.round(sectors));
  const two = (n) => String(n).padStart(2, "0");
  return `${two(Math.floor(s / (60 * FRAMES_PER_SECOND)))}:${two(Math.floor(s / FRAMES_PER_SECOND) % 60)}:${two(s % FRAMES_PER_SECOND)}`;
}

/** Bytes for people (decimal units, as drives and discs are sold). */
export function bytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB"];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** Milliseconds as m:ss. */
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------
// The page.

/** Upload chunk size (the companion takes up to `limits.chunk`). */
const CHUNK = 1 << 20;
/** Chunks sent and not yet acknowledged, at most. */
const IN_FLIGHT = 4;
/** Reconnect delays, in ms, growing to the last. */
const BACKOFF = [500, 1000, 2000, 4000, 8000];

const TRACK_TYPES = {
  audio: "Audio",
  mode0: "Data · Mode 0",
  mode1: "Data · Mode 1",
  mode1Raw: "Data · Mode 1",
  mode2Formless: "Data · Mode 2",
  mode2FormlessRaw: "Data · Mode 2",
  mode2Form1: "Data · XA Form 1",
  mode2Form1Raw: "Data · XA Form 1",
  mode2Form2: "Data · XA Form 2",
  mode2Form2Raw: "Data · XA Form 2",
};

const ACTIONS = {
  preparing: "Preparing",
  waiting: "Waiting for the drive",
  writingLeadIn: "Writing the lead-in",
  writingLeadOut: "Writing the lead-out",
  finishing: "Closing the disc",
  verifying: "Verifying",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

const JOB_TITLES = { burn: "Burning", blank: "Blanking", read: "Reading", eject: "Ejecting" };
const JOB_DONE = {
  burn: "The disc is burned",
  blank: "The disc is blank",
  read: "The disc is read",
  eject: "The disc is ejected",
};

/** What the README says each exit code means, shortly. */
const EXITS = {
  2: "the request was not understood",
  3: "a file could not be read",
  4: "the disc breaks a layout rule",
  5: "the output could not be written",
  6: "the drive or disc cannot do this; nothing was written",
  7: "the burn failed and the disc is no longer blank",
  8: "reading the disc back found a difference",
  9: "reading the disc failed",
  130: "cancelled",
};

const STATUS_WORDS = {
  blank: "Blank",
  appendable: "Appendable",
  finalized: "Complete",
  complete: "Complete",
};

/** Everything the page knows. */
const state = {
  ws: null,
  connected: false,
  attempt: 0,
  signedOut: false,
  hello: null,
  nextId: 1,
  pending: new Map(),
  drives: [],
  selected: null,
  /** drive id → {loading, media, error} */
  media: new Map(),
  /** {key, file, name, kind, text?, upload, acked, inFlight, status, error, tries} */
  files: [],
  nextKey: 1,
  pumping: false,
  plan: null,
  planKey: null,
  planning: null,
  planError: null,
  planTimer: 0,
  /** job id → {id, drive, kind, seq, event, end, simulate} */
  jobs: new Map(),
  shown: null,
};

const $ = (id) => document.getElementById(id);

/** An element: `h("p", {class: "x"}, "text", child)`. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (typeof v !== "string" && typeof v !== "number" && k in el) el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

/** Replaces `el`'s children, keeping the focus on the control with the same `data-focus`. */
function fill(el, ...children) {
  const focus = document.activeElement?.dataset?.focus;
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  if (focus) el.querySelector(`[data-focus="${CSS.escape(focus)}"]`)?.focus();
}

function capital(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

// --- Session and connection -------------------------------------------------

async function start() {
  bindControls();
  renderAll();
  if (!(await signIn())) {
    showSignedOut();
    return;
  }
  connect();
}

/** Trades `#token=` for the session cookie, or finds the cookie held already. */
async function signIn() {
  const token = /(?:^#|&)token=([^&]*)/.exec(location.hash)?.[1];
  if (token) {
    try {
      const r = await fetch("/v1/session", { method: "POST", body: decodeURIComponent(token), credentials: "same-origin" });
      if (r.ok) return true;
    } catch {
      // Asked again below.
    } finally {
      history.replaceState(null, "", location.pathname + location.search);
    }
  }
  try {
    const r = await fetch("/v1/session", { credentials: "same-origin" });
    return r.status === 204;
  } catch {
    return false;
  }
}

function showSignedOut() {
  state.signedOut = true;
  $("signin").hidden = false;
  // Nothing below works without a session.
  document.querySelector("main").inert = true;
  setConnection("signed-out", "Not connected");
}

function setConnection(kind, text) {
  const el = $("conn");
  el.dataset.state = kind;
  $("conn-text").textContent = text;
  document.body.dataset.connection = kind;
  renderBurn();
  renderDriveTools();
}

function connect() {
  setConnection("connecting", state.attempt ? "Reconnecting…" : "Connecting…");
  const ws = new WebSocket(`ws://${location.host}/v1`, ["rawburn.v1"]);
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") return;
    let m;
    try {
      m = JSON.parse(e.data);
    } catch {
      return;
    }
    handle(m);
  });
  ws.addEventListener("close", (e) => {
    if (state.ws !== ws) return;
    const wasConnected = state.connected;
    state.connected = false;
    state.ws = null;
    const lost = new Error(e.reason || "the connection to rawburn serve was lost");
    lost.code = "connection";
    for (const p of state.pending.values()) p.reject(lost);
    state.pending.clear();
    for (const f of state.files) wake(f, lost);
    if (wasConnected) state.attempt = 0;
    reconnect();
  });
}

async function reconnect() {
  const delay = BACKOFF[Math.min(state.attempt, BACKOFF.length - 1)];
  state.attempt++;
  // A companion that restarted gave this browser no session: say so.
  try {
    const r = await fetch("/v1/session", { credentials: "same-origin" });
    if (r.status === 401) {
      showSignedOut();
      return;
    }
  } catch {
    // Not running: try again later.
  }
  let left = Math.ceil(delay / 1000);
  setConnection("offline", `Not connected · retrying in ${left} s`);
  const tick = setInterval(() => {
    left--;
    if (left > 0) setConnection("offline", `Not connected · retrying in ${left} s`);
  }, 1000);
  setTimeout(() => {
    clearInterval(tick);
    connect();
  }, delay);
}

/** Sends a request; resolves with its reply, rejects with its error. */
function request(type, body = {}) {
  return new Promise((resolve, reject) => {
    if (!state.connected || !state.ws) {
      const e = new Error("not connected to rawburn serve");
      e.code = "connection";
      reject(e);
      return;
    }
    const id = state.nextId++;
    state.pending.set(id, { resolve, reject });
    state.ws.send(JSON.stringify({ type, id, ...body }));
  });
}

function replyError(m) {
  const e = new Error(m.message || m.error?.headline || "the request failed");
  Object.assign(e, { code: m.code, detail: m.error, job: m.job, offset: m.offset });
  return e;
}

function handle(m) {
  if (m.reply != null && state.pending.has(m.reply)) {
    const p = state.pending.get(m.reply);
    state.pending.delete(m.reply);
    if (m.type === "error") p.reject(replyError(m));
    else p.resolve(m);
    return;
  }
  switch (m.type) {
    case "hello":
      return onHello(m);
    case "drives":
      state.drives = m.drives ?? [];
      return onDrives();
    case "uploaded":
      return onUploaded(m);
    case "event":
      return onEvent(m);
    case "end":
      return onEnd(m);
    case "error":
      if (m.upload) return onUploadError(m);
      return;
    default:
      return;
  }
}

function onHello(m) {
  state.hello = m;
  state.connected = true;
  state.drives = m.drives ?? [];
  $("version").textContent = `rawburn ${m.rawburn} · protocol ${m.version}`;
  setConnection("connected", "Connected");
  $("usb-problem").hidden = !m.usbProblem;
  $("usb-problem").textContent = m.usbProblem ? `USB burners cannot be listed: ${m.usbProblem}` : "";
  // Pick the events up where they stopped: known jobs after their last
  // message, a job started elsewhere (another tab, before a reload) from
  // its first.
  for (const listed of m.jobs ?? []) {
    const known = state.jobs.get(listed.job);
    if (known && !known.end) {
      request("watch", { job: listed.job, after: known.seq }).catch(() => {});
    } else if (!known && listed.state === "running") {
      state.jobs.set(listed.job, newJob(listed.job, listed.drive, listed.kind));
      if (!state.shown || state.jobs.get(state.shown)?.end) state.shown = listed.job;
      request("watch", { job: listed.job, after: 0 }).catch(() => {});
    }
  }
  for (const job of state.jobs.values()) {
    if (!job.end && !(m.jobs ?? []).some((l) => l.job === job.id)) {
      job.end = { ok: false, state: "failed", error: { headline: "the companion no longer knows this job", causes: [] } };
    }
  }
  onDrives();
  renderJob();
  pump();
  schedulePlan();
}

function newJob(id, drive, kind) {
  return { id, drive, kind, seq: 0, event: null, end: null };
}

// --- Drives and media --------------------------------------------------------

function onDrives() {
  const usable = state.drives.filter((d) => d.usable);
  if (!state.drives.some((d) => d.id === state.selected && d.usable)) {
    state.selected = usable[0]?.id ?? null;
  }
  renderDrives();
  const d = selectedDrive();
  if (d && !d.job && !state.media.has(d.id)) queryMedia(d.id);
  renderDriveTools();
  renderBurn();
}

function selectedDrive() {
  return state.drives.find((d) => d.id === state.selected) ?? null;
}

async function queryMedia(drive) {
  const prev = state.media.get(drive) ?? {};
  state.media.set(drive, { ...prev, loading: true, error: null });
  renderMedia();
  try {
    const r = await request("media", { drive });
    state.media.set(drive, { loading: false, media: r.media, error: null });
  } catch (e) {
    state.media.set(drive, { loading: false, media: prev.media, error: e.code === "busy" ? "The drive is busy with a job." : e.message });
  }
  renderMedia();
  renderDriveTools();
  renderDisc();
  renderBurn();
}

function renderDrives() {
  const list = $("drive-list");
  if (!state.drives.length) {
    fill(list, h("p", { class: "muted" }, state.connected ? "No drives." : "Waiting for rawburn serve…"));
    return;
  }
  fill(
    list,
    state.drives.map((d) => {
      const busy = d.job ? `Busy · job ${d.job}` : d.usable ? "Ready" : "Cannot be used";
      return h(
        "label",
        { class: `drive${d.usable ? "" : " unusable"}` },
        h("input", {
          type: "radio",
          name: "drive",
          value: d.id,
          checked: d.id === state.selected,
          disabled: !d.usable,
          "data-focus": `drive-${d.id}`,
          onchange: () => {
            state.selected = d.id;
            renderDrives();
            if (!state.media.has(d.id) && !d.job) queryMedia(d.id);
            renderMedia();
            renderDriveTools();
            renderDisc();
            renderBurn();
          },
        }),
        h(
          "span",
          { class: "drive-text" },
          h("span", { class: "drive-name" }, d.label || d.id),
          h(
            "span",
            { class: "drive-meta" },
            h("span", { class: "badge" }, d.kind === "virtual" ? "Virtual" : "USB"),
            h("span", { class: d.job ? "busy" : "" }, busy),
          ),
          d.problem ? h("span", { class: "drive-problem" }, d.problem, d.fix ? ` — ${d.fix}` : "") : null,
        ),
      );
    }),
  );
  renderMedia();
}

function renderMedia() {
  const el = $("media");
  const d = selectedDrive();
  if (!d) {
    fill(el);
    return;
  }
  const s = state.media.get(d.id);
  const rows = [];
  const m = s?.media;
  if (m) {
    if (!m.disc) {
      rows.push(["Disc", m.trayOpen ? "None (the tray is open)" : "None"]);
    } else {
      rows.push(["Disc", `${m.media ?? "Unknown"}${m.erasable ? " · rewritable" : ""}`]);
      rows.push(["Status", h("span", { class: `status status-${m.status}` }, STATUS_WORDS[m.status] ?? capital(m.status ?? "unknown"))]);
      // As the ATIP gives it: where the lead-out may start, 2 s of
      // pregap included, as a disc's length is told.
      if (m.status === "blank" && m.capacity) {
        rows.push(["Capacity", `${msf(m.capacity + 150)} · ${bytes(m.capacity * 2048)} of data`]);
      } else if (m.capacity) {
        rows.push(["Capacity", msf(m.capacity + 150)]);
      }
      const sessions = m.sessionList ?? [];
      if (sessions.length) {
        const tracks = sessions.reduce((n, x) => n + (x.tracks?.length ?? 0), 0);
        const used = sessions.at(-1).leadOut;
        rows.push(["Holds", `${tracks} track${tracks === 1 ? "" : "s"} in ${sessions.length} session${sessions.length === 1 ? "" : "s"} · ${msf(used + 150)}`]);
      }
      const title = m.cdText?.blocks?.[0]?.disc;
      if (title?.title || title?.performer) {
        rows.push(["CD-TEXT", [title.performer, title.title].filter(Boolean).join(" — ")]);
      }
    }
  }
  fill(
    el,
    h(
      "div",
      { class: "media-head" },
      h("h3", {}, "Disc in the drive"),
      s?.loading ? h("span", { class: "spinner", role: "img", "aria-label": "Checking" }) : null,
    ),
    rows.length ? h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : null,
    !m && !s?.error ? h("p", { class: "muted" }, s?.loading ? "Checking the disc…" : "Not checked yet.") : null,
    s?.error ? h("p", { class: "error-text" }, s.error) : null,
  );
}

function renderDriveTools() {
  const d = selectedDrive();
  const tools = $("drive-tools");
  tools.hidden = !d;
  if (!d) return;
  const m = state.media.get(d.id)?.media;
  const free = state.connected && !d.job;
  $("media-check").disabled = !free;
  $("eject").disabled = !free;
  $("insert-row").hidden = d.kind !== "virtual";
  $("insert").disabled = !free;
  const [kind] = $("insert-kind").value.split("-");
  $("insert").textContent = `Insert blank ${kind === "cdrw" ? "CD-RW" : "CD-R"}`;
  $("blank-row").hidden = !(m?.erasable && m.status !== "blank");
  $("blank").disabled = !free;
  $("read-row").hidden = !(m?.disc && m.status && m.status !== "blank");
  $("read").disabled = !free;
}

async function driveRequest(type, body) {
  const d = selectedDrive();
  if (!d) return;
  try {
    const r = await request(type, { drive: d.id, ...body });
    if (r.type === "jobs") onJobsStarted(r, body);
    return r;
  } catch (e) {
    showJobError(d.id, type, e);
  }
}

// --- Files ---------------------------------------------------------------------

function kindOf(name) {
  if (isSheet(name)) return "sheet";
  if (/\.iso$/i.test(name)) return "image";
  return "audio";
}

async function addFiles(list) {
  const added = [];
  for (const file of list) {
    if (!file.name) continue;
    // A file of the same name replaces the one picked before.
    const old = state.files.find((f) => f.name === file.name);
    if (old) removeFile(old, false);
    const entry = {
      key: state.nextKey++,
      file,
      name: file.name,
      kind: kindOf(file.name),
      upload: null,
      acked: 0,
      inFlight: 0,
      status: "waiting",
      error: null,
      tries: 0,
      wake: null,
    };
    state.files.push(entry);
    added.push(entry);
  }
  // A sheet first, then an ISO: a data track leads a mixed-mode disc.
  const rank = { sheet: 0, image: 1, audio: 2 };
  state.files.sort((a, b) => rank[a.kind] - rank[b.kind]);
  for (const e of added.filter((e) => e.kind === "sheet")) {
    e.status = "reading";
    try {
      e.text = decodeSheet(new Uint8Array(await e.file.arrayBuffer()));
      e.status = "sheet";
    } catch (err) {
      e.status = "error";
      e.error = `cannot read it: ${err.message}`;
    }
  }
  renderFiles();
  pump();
  schedulePlan();
}

/** A sheet's text: UTF-8 when it is, else Latin-1 (as rawburn reads a sheet). */
function decodeSheet(b) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    let s = "";
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
    return s;
  }
}

function removeFile(entry, render = true) {
  state.files = state.files.filter((f) => f !== entry);
  entry.removed = true;
  const gone = new Error("removed");
  gone.code = "removed";
  wake(entry, gone);
  if (entry.upload && state.connected) request("discard", { upload: entry.upload }).catch(() => {});
  if (render) {
    renderFiles();
    pump();
    schedulePlan();
  }
}

function moveFile(entry, by) {
  const i = state.files.indexOf(entry);
  const j = i + by;
  if (j < 0 || j >= state.files.length) return;
  [state.files[i], state.files[j]] = [state.files[j], state.files[i]];
  renderFiles();
  schedulePlan();
}

/** The disc the picked files describe: a sheet with its files, or files in order. */
function layout() {
  const sheets = state.files.filter((f) => f.kind === "sheet");
  const others = state.files.filter((f) => f.kind !== "sheet");
  if (sheets.length > 1) {
    return { mode: "sheet", problem: `Pick one sheet: ${sheets.map((s) => s.name).join(", ")} each describe a whole disc. Remove all but one.` };
  }
  if (sheets.length === 1) {
    const sheet = sheets[0];
    if (sheet.text == null) return { mode: "sheet", sheet, problem: sheet.error ? `${sheet.name}: ${sheet.error}` : "Reading the sheet…" };
    if (/\.cue$/i.test(sheet.name)) {
      const names = cueFiles(sheet.text);
      const uses = new Map();
      const missing = [];
      for (const name of names) {
        const base = baseName(name);
        const f =
          others.find((o) => o.name === name) ??
          others.find((o) => o.name === base) ??
          others.find((o) => o.name.toLowerCase() === base.toLowerCase());
        if (f) uses.set(name, f);
        else missing.push(name);
      }
      return { mode: "sheet", sheet, uses, missing, used: new Set(uses.values()) };
    }
    return { mode: "sheet", sheet, uses: new Map(others.map((o) => [o.name, o])), missing: [], used: new Set(others) };
  }
  return { mode: "inputs", inputs: others, used: new Set(others) };
}

function needed(entry) {
  if (entry.kind === "sheet") return false;
  return layout().used?.has(entry) ?? false;
}

function renderFiles() {
  const l = layout();
  const list = $("file-list");
  $("files-empty").hidden = state.files.length > 0;
  $("clear").hidden = state.files.length === 0;
  const ordered = l.mode === "inputs";
  fill(
    list,
    state.files.map((f, i) => {
      const used = f.kind === "sheet" || l.used?.has(f);
      const label = { sheet: "Sheet", image: "Data", audio: "Audio" }[f.kind];
      return h(
        "li",
        { class: `file file-${f.kind}${used ? "" : " unused"}`, "data-name": f.name },
        h("span", { class: `file-kind kind-${f.kind}`, "aria-hidden": "true" }, label),
        h(
          "div",
          { class: "file-main" },
          h("span", { class: "file-name" }, f.name),
          h("span", { class: `file-status${f.status === "done" && used ? " ok-text" : ""}${f.status === "error" ? " error-text" : ""}` }, fileStatus(f, used)),
          f.kind !== "sheet" && used && f.status !== "done"
            ? h("progress", { class: "file-progress", max: f.file.size || 1, value: f.status === "done" ? f.file.size || 1 : f.acked, "aria-label": `Upload of ${f.name}` })
            : null,
        ),
        h(
          "div",
          { class: "file-actions" },
          ordered
            ? [
                h("button", { type: "button", class: "icon", "aria-label": `Move ${f.name} up`, title: "Move up", disabled: i === 0, "data-focus": `up-${f.key}`, onclick: () => moveFile(f, -1) }, "↑"),
                h("button", { type: "button", class: "icon", "aria-label": `Move ${f.name} down`, title: "Move down", disabled: i === state.files.length - 1, "data-focus": `down-${f.key}`, onclick: () => moveFile(f, 1) }, "↓"),
              ]
            : null,
          h("button", { type: "button", class: "icon", "aria-label": `Remove ${f.name}`, title: "Remove", "data-focus": `rm-${f.key}`, onclick: () => removeFile(f) }, "✕"),
        ),
      );
    }),
  );
  const notes = [];
  if (l.problem) notes.push(h("p", { class: "note warn" }, l.problem));
  if (l.missing?.length) {
    notes.push(
      h(
        "div",
        { class: "note warn", role: "alert" },
        h("p", {}, `${l.sheet.name} names ${l.missing.length === 1 ? "a file" : "files"} not added yet:`),
        h("ul", {}, l.missing.map((n) => h("li", {}, h("code", {}, n)))),
        h("p", {}, "Add them too (pick or drop them with the others)."),
      ),
    );
  }
  if (l.mode === "sheet" && l.sheet && !l.problem) {
    notes.push(h("p", { class: "note" }, `The disc is laid out as ${l.sheet.name} describes it.`));
  }
  fill($("file-notes"), notes);
  $("disc-options").hidden = !(l.mode === "inputs" && l.inputs.length);
  $("order-hint").hidden = !(l.mode === "inputs" && l.inputs.length > 1);
}

function fileStatus(f, used) {
  if (f.kind === "sheet") return f.status === "reading" ? "Reading…" : f.error ? f.error : `${bytes(f.file.size)} · describes the disc`;
  if (!used) return `${bytes(f.file.size)} · not named by the sheet`;
  switch (f.status) {
    case "waiting":
      return f.acked ? `${bytes(f.acked)} of ${bytes(f.file.size)} · waiting` : `${bytes(f.file.size)} · waiting to upload`;
    case "uploading":
      return `${bytes(f.acked)} of ${bytes(f.file.size)}`;
    case "done":
      return `✓ ${bytes(f.file.size)} · uploaded and checked`;
    case "error":
      return f.error;
    default:
      return "";
  }
}

/** Updates one file's row without rebuilding the list. */
function renderFileProgress(f) {
  const row = $("file-list").querySelector(`[data-name="${CSS.escape(f.name)}"]`);
  if (!row) return;
  const p = row.querySelector("progress");
  if (p) p.value = f.acked;
  row.querySelector(".file-status").textContent = fileStatus(f, true);
}

// --- Uploads ---------------------------------------------------------------------

function wake(entry, error) {
  const w = entry.wake;
  entry.wake = null;
  if (w) error ? w.reject(error) : w.resolve();
}

function sleepUntilWoken(entry) {
  return new Promise((resolve, reject) => {
    entry.wake = { resolve, reject };
  });
}

function onUploaded(m) {
  const f = state.files.find((x) => x.upload === m.upload);
  if (!f) return;
  f.acked = m.offset;
  f.inFlight = Math.max(0, f.inFlight - 1);
  renderFileProgress(f);
  wake(f);
}

function onUploadError(m) {
  const f = state.files.find((x) => x.upload === m.upload);
  if (f) wake(f, replyError(m));
}

/** Uploads the files the disc needs, one after another. */
async function pump() {
  if (state.pumping) return;
  state.pumping = true;
  try {
    for (;;) {
      if (!state.connected) break;
      const f = state.files.find((x) => x.status === "waiting" && needed(x));
      if (!f) break;
      try {
        await upload(f);
      } catch (e) {
        if (f.removed) continue;
        if (e.code === "connection") {
          f.status = "waiting";
          break;
        }
        f.tries++;
        // What arrived differed, or a chunk went astray: once more from
        // where the companion stands.
        if ((e.code === "sha256" || e.code === "offset") && f.tries < 3) {
          f.status = "waiting";
        } else {
          f.status = "error";
          f.error = e.message;
        }
      }
      renderFiles();
    }
  } finally {
    state.pumping = false;
  }
  renderFiles();
  schedulePlan();
}

/** One file into the spool: started (or resumed), sent in chunks, its sha256 checked. */
async function upload(f) {
  f.status = "uploading";
  renderFiles();
  const size = f.file.size;
  let offset = 0;
  if (f.upload) {
    try {
      const s = await request("upload", { upload: f.upload });
      if (s.complete) {
        f.status = "done";
        f.acked = size;
        return;
      }
      offset = s.offset;
    } catch (e) {
      if (e.code !== "not-found") throw e;
      f.upload = null;
    }
  }
  if (!f.upload) {
    const s = await request("upload", { name: f.name, size });
    f.upload = s.upload;
    offset = 0;
  }
  const chunk = Math.min(CHUNK, state.hello?.limits?.chunk ?? CHUNK);
  const hash = new Sha256();
  // The digest covers the whole file: hash again what was sent before.
  for (let at = 0; at < offset; ) {
    const b = new Uint8Array(await f.file.slice(at, Math.min(offset, at + chunk)).arrayBuffer());
    hash.update(b);
    at += b.length;
  }
  f.acked = offset;
  f.inFlight = 0;
  const number = BigInt(f.upload.slice(1));
  let sent = offset;
  while (sent < size) {
    while (f.inFlight >= IN_FLIGHT) await sleepUntilWoken(f);
    const b = new Uint8Array(await f.file.slice(sent, Math.min(size, sent + chunk)).arrayBuffer());
    if (!b.length) throw Object.assign(new Error(`${f.name} changed while it was read`), { code: "io" });
    hash.update(b);
    const frame = new Uint8Array(16 + b.length);
    const head = new DataView(frame.buffer);
    head.setBigUint64(0, number);
    head.setBigUint64(8, BigInt(sent));
    frame.set(b, 16);
    if (!state.connected || !state.ws) throw Object.assign(new Error("not connected"), { code: "connection" });
    state.ws.send(frame);
    f.inFlight++;
    sent += b.length;
  }
  while (f.acked < size) await sleepUntilWoken(f);
  await request("upload-end", { upload: f.upload, sha256: hash.hex() });
  f.status = "done";
  f.acked = size;
}

// --- Plan ---------------------------------------------------------------------------

/** The `plan` request for the files picked, or why there is none yet. */
function planRequest() {
  const l = layout();
  if (!state.files.length) return { wait: "Add the files to burn: one sheet (.cue, .toc, .ccd, .json) with its files, or an ISO image and audio files." };
  if (l.problem) return { wait: l.problem };
  if (l.missing?.length) return { wait: "Add the files the sheet names." };
  const files = {};
  const pick = l.mode === "sheet" ? [...l.uses] : l.inputs.map((f) => [f.name, f]);
  if (!pick.length) return { wait: "Add the files to burn." };
  for (const [name, f] of pick) {
    if (f.status === "error") return { wait: `${f.name} could not be uploaded.` };
    if (f.status !== "done") return { wait: "Uploading…", uploading: true };
    files[name] = f.upload;
  }
  if (l.mode === "sheet") return { body: { sheet: { name: l.sheet.name, text: l.sheet.text }, files } };
  const options = {
    xa: $("opt-xa").checked,
    gapless: $("opt-gapless").checked,
    noCdtext: !$("opt-cdtext").checked,
  };
  const gap = Number($("opt-gap").value);
  if (!options.gapless && $("opt-gap").value !== "" && Number.isFinite(gap)) options.gap = gap;
  return { body: { inputs: l.inputs.map((f) => f.name), files, options } };
}

function schedulePlan() {
  clearTimeout(state.planTimer);
  state.planTimer = setTimeout(makePlan, 120);
}

async function makePlan() {
  const r = planRequest();
  const key = r.body ? JSON.stringify(r.body) : null;
  if (key === state.planKey && (state.plan || state.planning || state.planError)) return;
  state.planKey = key;
  state.plan = null;
  state.planError = null;
  state.planWait = r.wait ?? null;
  state.planning = null;
  if (r.body && state.connected) {
    state.planning = key;
    renderDisc();
    renderBurn();
    try {
      const reply = await request("plan", r.body);
      if (state.planKey !== key) return;
      state.plan = { id: reply.plan, toc: reply.toc };
    } catch (e) {
      if (state.planKey !== key) return;
      if (e.code === "connection") state.planKey = null;
      state.planError = e;
    }
    state.planning = null;
  } else if (r.body) {
    state.planKey = null;
    state.planWait = "Waiting for rawburn serve…";
  }
  renderDisc();
  renderBurn();
}

function renderDisc() {
  const el = $("disc");
  if (state.planning) {
    fill(el, h("p", { class: "muted" }, h("span", { class: "spinner", "aria-hidden": "true" }), " Laying the disc out…"));
    return;
  }
  if (state.planError) {
    const e = state.planError;
    fill(
      el,
      h(
        "div",
        { class: "note error", role: "alert" },
        h("p", { class: "headline" }, capital(e.message)),
        e.detail?.causes?.length ? h("ul", {}, e.detail.causes.map((c) => h("li", {}, c))) : null,
      ),
    );
    return;
  }
  if (!state.plan) {
    fill(el, h("p", { class: "muted" }, state.planWait ?? "Add files to see the disc."));
    return;
  }
  const toc = state.plan.toc;
  const text = toc.cdtext?.blocks?.[0];
  const discText = text?.disc ?? {};
  const trackText = (n) => text?.tracks?.[n - 1] ?? {};
  const hasText = (toc.tracks ?? []).some((t) => trackText(t.number).title || trackText(t.number).performer);
  const total = (toc.leadout?.lba ?? 0) + 150;
  const m = state.media.get(state.selected)?.media;
  const fits = m?.status === "blank" && m.capacity ? total - 150 <= m.capacity : null;
  fill(
    el,
    discText.title || discText.performer
      ? h("p", { class: "disc-title" }, h("strong", {}, discText.title ?? ""), discText.performer ? h("span", { class: "muted" }, ` — ${discText.performer}`) : null)
      : null,
    h(
      "div",
      { class: "table-wrap", role: "region", "aria-label": "Tracks", tabindex: "0" },
      h(
        "table",
        { class: "tracks" },
        h("caption", { class: "visually-hidden" }, "Tracks of the disc"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col", class: "num" }, "#"),
            h("th", { scope: "col" }, "Type"),
            h("th", { scope: "col", class: "time" }, "Pregap"),
            h("th", { scope: "col", class: "time" }, "Start"),
            h("th", { scope: "col", class: "time" }, "Length"),
            hasText ? [h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "Performer")] : null,
          ),
        ),
        h(
          "tbody",
          {},
          (toc.tracks ?? []).map((t) =>
            h(
              "tr",
              {},
              h("td", { class: "num" }, String(t.number)),
              h("td", {}, h("span", { class: `type ${t.sectorType === "audio" ? "type-audio" : "type-data"}` }, TRACK_TYPES[t.sectorType] ?? t.sectorType)),
              h("td", { class: "time" }, t.pregap ? msf(t.pregap) : "—"),
              h("td", { class: "time" }, t.start?.msf ?? ""),
              h("td", { class: "time" }, msf(t.length)),
              hasText ? [h("td", {}, trackText(t.number).title ?? ""), h("td", {}, trackText(t.number).performer ?? "")] : null,
            ),
          ),
        ),
      ),
    ),
    h(
      "p",
      { class: "disc-sum" },
      h("span", {}, `${toc.tracks?.length ?? 0} track${toc.tracks?.length === 1 ? "" : "s"}`),
      h("span", {}, `${msf(total)} in all`),
      h("span", {}, `${(toc.leadout?.lba ?? 0).toLocaleString("en")} sectors`),
      fits === true ? h("span", { class: "ok-text" }, `fits the ${msf(m.capacity + 150)} disc`) : null,
      fits === false ? h("span", { class: "error-text" }, `does not fit the ${msf(m.capacity + 150)} disc`) : null,
    ),
    toc.warnings?.length
      ? h("div", { class: "note warn" }, h("p", { class: "headline" }, toc.warnings.length === 1 ? "Warning" : "Warnings"), h("ul", {}, toc.warnings.map((w) => h("li", {}, w))))
      : null,
  );
}

// --- Burn and jobs --------------------------------------------------------------

function renderBurn() {
  const btn = $("burn");
  if (!btn) return;
  const d = selectedDrive();
  const m = d && state.media.get(d.id)?.media;
  let why = null;
  if (!state.connected) why = "Not connected to rawburn serve.";
  else if (!d) why = "Choose a drive.";
  else if (d.job) why = `The drive is busy (job ${d.job}).`;
  else if (!state.plan) why = state.planning ? "Laying the disc out…" : state.planError ? "The disc cannot be laid out." : "Add files to burn.";
  else if (m && !m.disc) why = "Put a blank disc in the drive.";
  else if (m?.status && m.status !== "blank") {
    const now = STATUS_WORDS[m.status]?.toLowerCase() ?? m.status;
    why = m.erasable
      ? `The disc is ${now}: blank it first (Drive, Blank).`
      : d.kind === "virtual"
        ? `The disc is ${now}: insert a blank one (Drive, Insert blank).`
        : `The disc is ${now}: put a blank one in the drive.`;
  }
  btn.disabled = Boolean(why);
  const simulate = $("opt-simulate").checked;
  btn.textContent = simulate ? "Simulate burn" : "Burn disc";
  $("burn-hint").textContent = why ?? "";
  $("burn-hint").hidden = !why;
  const speeds = m?.writeSpeeds ?? [];
  const sel = $("opt-speed");
  const want = sel.value;
  const options = [h("option", { value: "max" }, "Fastest")].concat(
    speeds.map((s) => h("option", { value: String(Math.round(s)) }, `${Math.round(s)}×`)),
  );
  if (sel.options.length !== options.length || [...sel.options].some((o, i) => o.value !== options[i].value)) {
    sel.replaceChildren(...options);
    sel.value = [...sel.options].some((o) => o.value === want) ? want : "max";
  }
}

async function burn() {
  const d = selectedDrive();
  if (!d || !state.plan) return;
  const speed = $("opt-speed").value;
  const body = {
    plan: state.plan.id,
    drive: d.id,
    mode: $("opt-mode").value,
    speed: speed === "max" ? "max" : Number(speed),
    simulate: $("opt-simulate").checked,
    verify: $("opt-verify").value,
    eject: $("opt-eject").checked,
  };
  $("burn").disabled = true;
  try {
    const r = await request("burn", body);
    onJobsStarted(r, body);
  } catch (e) {
    showJobError(d.id, "burn", e);
    renderBurn();
  }
}

function onJobsStarted(r, body = {}) {
  for (const j of r.jobs ?? []) {
    const job = state.jobs.get(j.job) ?? newJob(j.job, j.drive, r.kind);
    job.drive = j.drive;
    job.kind = r.kind;
    job.simulate = Boolean(body.simulate);
    state.jobs.set(j.job, job);
    state.shown = j.job;
  }
  renderJob();
  $("activity").scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function onEvent(m) {
  let job = state.jobs.get(m.job);
  if (!job) {
    job = newJob(m.job, null, null);
    state.jobs.set(m.job, job);
  }
  if (m.seq <= job.seq) return;
  job.seq = m.seq;
  job.event = m.event;
  if (!state.shown) state.shown = m.job;
  if (state.shown === m.job) renderJob();
}

function onEnd(m) {
  let job = state.jobs.get(m.job);
  if (!job) {
    job = newJob(m.job, null, null);
    state.jobs.set(m.job, job);
  }
  if (m.seq <= job.seq) return;
  job.seq = m.seq;
  job.end = m;
  if (state.shown === m.job) renderJob();
  // What the disc holds now.
  const drive = job.drive ?? state.selected;
  if (drive) {
    state.media.delete(drive);
    renderMedia();
    // The drive list says the drive is free, which asks; in case it
    // does not come, ask anyway.
    setTimeout(() => {
      const d = state.drives.find((x) => x.id === drive);
      if (state.connected && drive === state.selected && !state.media.has(drive) && !d?.job) queryMedia(drive);
    }, 500);
  }
}

/** A request refused before any job started, shown where a job's end would be. */
function showJobError(drive, kind, e) {
  const id = `refused-${state.nextId++}`;
  const job = newJob(id, drive, kind);
  job.end = { ok: false, state: "failed", exit: e.detail?.exit, error: e.detail ?? { headline: e.message, causes: [] }, refused: true };
  if (e.code === "busy") job.end.error = { headline: e.message, causes: ["wait for that job to end, or cancel it"] };
  state.jobs.set(id, job);
  state.shown = id;
  renderJob();
}

function renderJob() {
  const card = $("activity");
  const job = state.jobs.get(state.shown);
  card.hidden = !job;
  if (!job) return;
  const ev = job.event ?? {};
  const end = job.end;
  const drive = state.drives.find((d) => d.id === job.drive);
  const kind = job.kind ?? ev.operation ?? "burn";
  const title = job.simulate && kind === "burn" ? "Simulating a burn" : JOB_TITLES[kind] ?? capital(kind);
  $("job-title").textContent = end ? jobEndTitle(kind, job) : `${title}…`;
  $("job-drive").textContent = drive ? `${drive.label} · job ${job.id}` : job.refused ? "" : `job ${job.id}`;
  const fraction = end?.ok ? 1 : typeof ev.fraction === "number" ? ev.fraction : null;
  const bar = $("job-progress");
  if (fraction == null && !end) bar.removeAttribute("value");
  else bar.value = fraction ?? 0;
  bar.hidden = Boolean(end && !end.ok && !job.event);
  $("job-percent").textContent = fraction == null ? "" : `${Math.floor(fraction * 100)} %`;
  $("job-line").textContent = end ? endLine(ev) : jobLine(kind, ev);
  $("job-line").hidden = !$("job-line").textContent;
  $("job-cancel").hidden = Boolean(end) || job.cancelAsked === true;
  $("job-cancelling").hidden = !(job.cancelAsked && !end);
  const out = $("job-end");
  if (!end) {
    out.hidden = true;
    out.removeAttribute("data-state");
    fill(out);
    return;
  }
  out.hidden = false;
  out.dataset.state = end.ok ? "done" : end.state ?? "failed";
  if (end.ok) {
    const files = end.files ?? [];
    fill(
      out,
      h("p", { class: "headline" }, capital(ev.message ?? JOB_DONE[kind] ?? "Done")),
      files.length
        ? h(
            "ul",
            { class: "downloads" },
            files.map((f) => h("li", {}, h("a", { href: f.url, download: f.name, class: "button" }, `Download ${f.name}`), h("span", { class: "muted" }, ` ${bytes(f.size)}`))),
          )
        : null,
    );
  } else {
    const err = end.error ?? {};
    const causes = err.causes ?? [];
    fill(
      out,
      h("p", { class: "headline" }, capital(err.headline ?? (end.state === "cancelled" ? "Cancelled" : "Failed"))),
      causes.length ? h("ul", { class: "causes" }, causes.map((c) => h("li", {}, capital(c)))) : null,
      ev.message && ev.message !== err.headline && !causes.includes(ev.message) ? h("p", {}, capital(ev.message)) : null,
      end.exit != null && EXITS[end.exit] ? h("p", { class: "muted small" }, `Exit ${end.exit}: ${EXITS[end.exit]}.`) : null,
    );
  }
}

function jobEndTitle(kind, job) {
  const end = job.end;
  if (end.state === "cancelled") return "Cancelled";
  if (!end.ok) return end.refused ? "Not started" : "Failed";
  if (kind === "burn") return job.simulate ? "Simulation finished" : "Burned";
  return { blank: "Blanked", read: "Read", eject: "Ejected" }[kind] ?? "Done";
}

function jobLine(kind, ev) {
  if (!ev.action) return "Starting…";
  const parts = [];
  if (ev.action === "writingTrack") parts.push(`Writing track ${ev.track} of ${ev.tracks}`);
  else if (ev.action === "working") parts.push(kind === "read" ? "Reading" : kind === "blank" ? "Blanking" : "Working");
  else parts.push(ACTIONS[ev.action] ?? capital(ev.action));
  if (ev.action === "verifying" && ev.sectorsToVerify) {
    parts.push(`${ev.sectorsVerified.toLocaleString("en")} of ${ev.sectorsToVerify.toLocaleString("en")} sectors`);
  } else if (ev.phase === "writing" && ev.lastWrittenLba != null && ev.lastWrittenLba >= 0) {
    parts.push(`LBA ${ev.lastWrittenLba.toLocaleString("en")}`);
  } else if (kind === "read" && ev.sectorsTotal) {
    parts.push(`${(ev.sectorsRead ?? 0).toLocaleString("en")} of ${ev.sectorsTotal.toLocaleString("en")} sectors`);
  }
  if (ev.speedX) parts.push(`${ev.speedX.toFixed(1)}×`);
  else if (typeof ev.speed === "number") parts.push(`${ev.speed.toFixed(1)}×`);
  if (ev.retries) parts.push(`${ev.retries} read again`);
  if (ev.remainingMs != null && ev.remainingMs > 0) parts.push(`${duration(ev.remainingMs)} left`);
  if (ev.message && ev.action === "preparing") parts.push(capital(ev.message));
  return parts.join(" · ");
}

/** What a finished job's last event tells: how it wrote, how long it took. */
function endLine(ev) {
  const parts = [];
  if (ev.mode) parts.push(ev.mode.toUpperCase());
  if (ev.sectorsVerified) parts.push(`${ev.sectorsVerified.toLocaleString("en")} sectors verified`);
  else if (ev.sectorsRead) parts.push(`${ev.sectorsRead.toLocaleString("en")} sectors read`);
  if (ev.elapsedMs != null) parts.push(`took ${duration(ev.elapsedMs)}`);
  return parts.join(" · ");
}

async function cancelShown() {
  const job = state.jobs.get(state.shown);
  if (!job || job.end) return;
  const recording = job.kind === "burn" && !job.simulate && ["writing", "finishing"].includes(job.event?.phase);
  if (recording && !confirm("Stop the burn? The drive has started recording: a CD-R left incomplete cannot be used again (a CD-RW can be blanked).")) return;
  job.cancelAsked = true;
  renderJob();
  try {
    await request("cancel", { job: job.id });
  } catch {
    job.cancelAsked = false;
    renderJob();
  }
}

// --- Controls --------------------------------------------------------------------

function bindControls() {
  const input = $("files");
  input.addEventListener("change", () => {
    addFiles([...input.files]);
    input.value = "";
  });
  const drop = $("drop");
  let depth = 0;
  document.addEventListener("dragenter", (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
    depth++;
    drop.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) drop.classList.remove("dragging");
  });
  document.addEventListener("dragover", (e) => {
    if ([...(e.dataTransfer?.types ?? [])].includes("Files")) e.preventDefault();
  });
  document.addEventListener("drop", (e) => {
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    depth = 0;
    drop.classList.remove("dragging");
    addFiles([...e.dataTransfer.files]);
  });
  $("clear").addEventListener("click", () => {
    for (const f of [...state.files]) removeFile(f, false);
    renderFiles();
    schedulePlan();
  });
  for (const id of ["opt-xa", "opt-gapless", "opt-cdtext", "opt-gap"]) {
    $(id).addEventListener("change", () => {
      $("opt-gap").disabled = $("opt-gapless").checked;
      schedulePlan();
    });
  }
  $("opt-simulate").addEventListener("change", renderBurn);
  $("burn").addEventListener("click", burn);
  $("job-cancel").addEventListener("click", cancelShown);
  $("media-check").addEventListener("click", () => state.selected && queryMedia(state.selected));
  $("eject").addEventListener("click", () => driveRequest("eject", {}));
  $("insert-kind").addEventListener("change", renderDriveTools);
  $("insert").addEventListener("click", async () => {
    const [kind, minutes] = $("insert-kind").value.split("-");
    const d = selectedDrive();
    if (!d) return;
    $("insert").disabled = true;
    try {
      await request("insert", { drive: d.id, media: kind === "cdrw" ? "cd-rw" : "cd-r", minutes: Number(minutes) });
    } catch (e) {
      showJobError(d.id, "insert", e);
    }
    queryMedia(d.id);
  });
  $("blank").addEventListener("click", () => {
    const kind = $("blank-kind").value;
    const words = { minimal: "Blank the disc quickly", full: "Erase the whole disc", session: "Erase the last session" }[kind];
    if (!confirm(`${words}? What it holds will be lost.`)) return;
    driveRequest("blank", { kind });
  });
  $("read").addEventListener("click", () => driveRequest("read", { format: $("read-format").value }));
}

function renderAll() {
  renderDrives();
  renderDriveTools();
  renderFiles();
  renderDisc();
  renderBurn();
  renderJob();
}

if (typeof document !== "undefined") {
  start();
}
