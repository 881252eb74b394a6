// CompanionDevice: the package's drive operations (burn, media, blank,
// eject, tray, readDisc) through the companion program, `rawburn serve`,
// over its WebSocket; the wire format is the one the top-level README
// describes under "Burning from a page". Each operation exported here takes
// a WebUSB device (or a VirtualUsbDevice) too, and hands it on to the
// WebAssembly module's own.
//
// This is JavaScript rather than Rust glue: it is sockets, messages,
// uploads and downloads, nothing the Rust side computes but the uploads'
// SHA-256 (the module's `Sha256`). Its typings are in src/companion.rs.
// Here: CompanionDevice and the operations; in companion/: the connection,
// uploads and downloads, errors and options.
//
// A burn renders the plan as a CloneCD image (every byte of the program
// area with its P-W subchannel, so CD-TEXT, R-W subcode, ISRCs and index
// points travel as they are), uploads the .img and .sub side by side in
// acknowledged chunks with their SHA-256, makes a plan of the .ccd and
// burns it as a job whose events are `rawburn burn --json` lines:
//
//   burn(device, plan) ─▶ createResultImage(ccd) ─▶ upload .img, .sub ─▶ plan ─▶ burn job
//                                                 (chunks, acks, sha256)          │ event, end
//   onEvent(BurnEvent) ◀─────────────────────────────────────────────────────────────┘
//
// When the connection drops while something runs it is made again: a
// request without an answer is sent again (or fails, for one that starts a
// job, which may have started), an upload goes on from where the companion
// stands, and each job is watched again from the last event seen, so no
// event is lost or repeated.

import {
  blank as usbBlank,
  burn as usbBurn,
  eject as usbEject,
  media as usbMedia,
  readDisc as usbReadDisc,
  tray as usbTray,
} from "./rawburn.js";
import { Connection, Watch } from "./companion/connection.js";
import {
  Callback,
  abortSignal,
  argument,
  error,
  jobError,
  notBegun,
  only,
  optBool,
  optString,
  optWhole,
} from "./companion/errors.js";
import { Batch, Upload, bytesOf, download } from "./companion/upload.js";

/** Runs `burn` on a WebUSB device, or through the companion. */
export function burn(device, plan, options, onEvent) {
  return device instanceof CompanionDevice
    ? burnThrough(device, plan, options, onEvent)
    : usbBurn(device, plan, options, onEvent);
}

/** Runs `media` on a WebUSB device, or through the companion. */
export function media(device) {
  return device instanceof CompanionDevice ? mediaThrough(device) : usbMedia(device);
}

/** Runs `blank` on a WebUSB device, or through the companion. */
export function blank(device, options, onEvent) {
  return device instanceof CompanionDevice
    ? blankThrough(device, options, onEvent)
    : usbBlank(device, options, onEvent);
}

/** Runs `eject` on a WebUSB device, or through the companion. */
export function eject(device) {
  return device instanceof CompanionDevice ? ejectThrough(device) : usbEject(device);
}

/** Runs `tray` on a WebUSB device, or through the companion. */
export function tray(device, action) {
  return device instanceof CompanionDevice ? trayThrough(device, action) : usbTray(device, action);
}

/** Runs `readDisc` on a WebUSB device, or through the companion. */
export function readDisc(device, options, onEvent) {
  return device instanceof CompanionDevice
    ? readThrough(device, options, onEvent)
    : usbReadDisc(device, options, onEvent);
}

/** Each device's connection and drive. */
const devices = new WeakMap();
/** Only `connect` makes devices. */
const MAKE = Symbol("CompanionDevice");

/** A drive reached through `rawburn serve`. */
export class CompanionDevice {
  constructor(key, connection, drive) {
    if (key !== MAKE) throw new TypeError("CompanionDevice.connect(url) makes a CompanionDevice");
    devices.set(this, { connection, drive });
  }

  /** Connects to the companion at `url` and picks the drive. */
  static async connect(url, options) {
    only(options, ["token", "session", "drive", "WebSocket"], "CompanionDevice.connect options");
    const o = options ?? {};
    let address;
    try {
      address = new URL(String(url));
    } catch {
      address = null;
    }
    if (!address || (address.protocol !== "http:" && address.protocol !== "https:")) {
      throw argument(`url \`${url}\`: the companion's address, such as http://127.0.0.1:7867`);
    }
    const token = optString(o, "token") ?? new URLSearchParams(address.hash.slice(1)).get("token");
    const session = optString(o, "session");
    const drive = optString(o, "drive");
    const WebSocketClass = o.WebSocket ?? globalThis.WebSocket;
    if (typeof WebSocketClass !== "function") {
      throw argument("no WebSocket here: pass { WebSocket } (in Node before 22, the ws package's)");
    }
    const connection = new Connection(address.origin, { token, session, WebSocketClass });
    if (connection.token && !connection.session && ownPage(address.origin)) {
      // A page the companion serves keeps its session in a cookie, which
      // downloads need too: trade the token for it, as the companion's
      // own page does.
      await connection.trade();
    }
    await connection.open();
    const drives = connection.driveList;
    const chosen = drive ? drives.find((d) => d.id === drive) : drives.find((d) => d.usable);
    if (!chosen) {
      connection.close();
      const listed = drives.map((d) => (d.usable ? d.id : `${d.id} (${d.problem})`)).join(", ") || "none";
      throw drive
        ? error("companion", `the companion has no drive ${drive} (its drives: ${listed})`, { drive })
        : error("companion", `the companion has no usable drive (its drives: ${listed})`);
    }
    return new CompanionDevice(MAKE, connection, chosen.id);
  }

  /** The companion's address. */
  get url() {
    return state(this).connection.origin;
  }

  /** The drive this device uses. */
  get drive() {
    return state(this).drive;
  }

  /** The session the companion gave for the token, or null. */
  get session() {
    return state(this).connection.session ?? null;
  }

  /** The companion's version of rawburn. */
  get version() {
    return state(this).connection.hello?.rawburn ?? "";
  }

  /** The companion's drives. */
  async drives() {
    const reply = await state(this).connection.request({ type: "drives" });
    return reply.drives;
  }

  /** A blank disc in a virtual recorder. */
  async insert(options) {
    only(options, ["media", "minutes"], "insert options");
    const { connection, drive } = state(this);
    const o = options ?? {};
    const request = { type: "insert", drive };
    if (o.media !== undefined && o.media !== null) {
      if (o.media !== "cd-r" && o.media !== "cd-rw") throw argument('`media` must be "cd-r" or "cd-rw"');
      request.media = o.media;
    }
    if (o.minutes !== undefined && o.minutes !== null) {
      if (![74, 80, 90, 99].includes(o.minutes)) throw argument("`minutes` must be 74, 80, 90 or 99");
      request.minutes = o.minutes;
    }
    await connection.request(request);
  }

  /** Closes the connection. */
  close() {
    state(this).connection.close();
  }
}

function state(device) {
  const s = devices.get(device);
  if (!s) throw argument("not a CompanionDevice");
  return s;
}

/** Whether this runs in a page of `origin` (which can hold its cookie). */
function ownPage(origin) {
  return typeof document !== "undefined" && globalThis.location?.origin === origin;
}

// ---------------------------------------------------------------------------
// The operations

/** The keys of `BurnOptions`. */
const BURN_OPTIONS = [
  "mode", "speed", "simulate", "bufe", "verify", "finalize", "eject", "maxTransfer", "systemBuffer", "signal",
];

async function burnThrough(device, plan, options, onEvent) {
  const { connection, drive } = state(device);
  const callback = new Callback(onEvent, "burn");
  const { wire, signal } = burnOptions(options);
  if (!plan || typeof plan.createResultImage !== "function") {
    throw argument("plan must be an ImageCreator");
  }
  // Every byte of the disc with its subchannel; the plan is frozen, as by
  // the WebUSB burn.
  const image = plan.createResultImage({ format: "ccd", name: "disc" });
  const batch = new Batch();
  const stop = () => batch.fail(notBegun(signal));
  signal?.addEventListener("abort", stop);
  try {
    if (signal?.aborted) throw notBegun(signal);
    // The drive as it is before the burn: the result's `drive`. Without
    // a disc, nothing is uploaded.
    const before = await mediaThrough(device);
    if (!before.disc) throw error("noMedium", "no disc in the drive: insert a blank CD-R or CD-RW");
    const [sheet, ...frames] = image.files;
    const text = new TextDecoder().decode(await bytesOf(sheet.stream));
    const files = {};
    // Side by side, kept together: one pass of the renderer feeds both
    // (a file left behind would be rendered again, which a stream source
    // cannot be).
    const started = await Promise.allSettled(
      frames.map((f) => connection.request({ type: "upload", name: f.name, size: f.size })),
    );
    for (const [i, f] of frames.entries()) {
      if (started[i].status === "fulfilled") batch.add(new Upload(connection, started[i].value.upload, f, batch));
    }
    const refused = started.find((s) => s.status === "rejected");
    if (refused) throw refused.reason;
    await Promise.all(
      batch.uploads.map(async (u) => {
        try {
          files[u.file.name] = await u.run();
        } catch (e) {
          batch.fail(e);
          throw e;
        }
      }),
    );
    if (signal?.aborted) throw notBegun(signal);
    const planned = await connection.request({ type: "plan", sheet: { name: sheet.name, text }, files });
    let first = null;
    let last = null;
    const end = await runJob(connection, { type: "burn", plan: planned.plan, drive, ...wire }, signal, (e) => {
      if (first === null && e?.mode) first = e;
      last = e;
      callback.emit(e);
    });
    if (end.ok && last) return callback.result(burnResult(first, last, wire, before));
    return callback.error(jobError("burn", end, signal));
  } catch (e) {
    return callback.error(e);
  } finally {
    signal?.removeEventListener("abort", stop);
    // The plan holds its own links to the files.
    for (const id of batch.ids) {
      connection.request({ type: "discard", upload: id }).catch(() => {});
    }
  }
}

async function mediaThrough(device) {
  const { connection, drive } = state(device);
  const reply = await connection.request({ type: "media", drive });
  return reply.media;
}

async function blankThrough(device, options, onEvent) {
  only(options, ["kind", "signal"], "blank options");
  const o = options ?? {};
  const kind = o.kind ?? "minimal";
  if (!["minimal", "full", "session"].includes(kind)) {
    throw argument('`kind` must be "minimal", "full" or "session"');
  }
  const signal = abortSignal(o);
  const callback = new Callback(onEvent, "erase");
  const { connection, drive } = state(device);
  try {
    if (signal?.aborted) throw notBegun(signal);
    const before = await mediaThrough(device);
    const end = await runJob(connection, { type: "blank", drive, kind }, signal, (e) => callback.emit(e));
    if (end.ok) return callback.result(before);
    return callback.error(jobError("blank", end, signal));
  } catch (e) {
    return callback.error(e);
  }
}

async function ejectThrough(device) {
  const { connection, drive } = state(device);
  const end = await runJob(connection, { type: "eject", drive }, undefined, () => {});
  if (!end.ok) throw jobError("eject", end);
}

async function trayThrough(device, action) {
  if (!["eject", "load", "lock", "unlock"].includes(action)) {
    throw argument(`tray action \`${action}\`: expected eject, load, lock or unlock`);
  }
  const { connection, drive } = state(device);
  const end = await runJob(connection, { type: "tray", drive, action }, undefined, () => {});
  if (!end.ok) throw jobError("tray", end);
}

async function readThrough(device, options, onEvent) {
  only(options, ["format", "name", "signal", "maxBuffer"], "readDisc options");
  const o = options ?? {};
  const format = optString(o, "format") ?? "ccd";
  if (!["ccd", "cue", "toc", "raw", "json"].includes(format)) {
    throw argument(`format \`${format}\`: expected ccd, cue, toc, raw or json`);
  }
  const name = optString(o, "name") ?? "disc";
  if (name === "" || /[/\\]/.test(name)) {
    throw argument(`name \`${name}\`: a file name without extension, such as "album"`);
  }
  optWhole(o, "maxBuffer");
  const signal = abortSignal(o);
  const callback = new Callback(onEvent, "read");
  const { connection, drive } = state(device);
  try {
    if (signal?.aborted) throw notBegun(signal);
    let last = null;
    const end = await runJob(connection, { type: "read", drive, format, name }, signal, (e) => {
      last = e;
      callback.emit(e);
    });
    if (!end.ok) return callback.error(jobError("read", end, signal));
    // The control file first, as the WebUSB read gives them.
    const listed = [...(end.files ?? [])].sort((a, b) => Number(extension(b.name) === format) - Number(extension(a.name) === format));
    const files = listed.map((f) => ({
      name: f.name,
      type: extension(f.name),
      stream: download(connection, f.url),
    }));
    const summary = { sectors: last?.sectorsRead ?? 0, retried: last?.retries ?? 0 };
    return callback.result({ files, done: Promise.resolve(summary) });
  } catch (e) {
    return callback.error(e);
  }
}

/**
 * Starts a job with `request` and follows it to its end, each event to
 * `onEvent`; the signal cancels it. Resolves with the job's `end` message.
 */
async function runJob(connection, request, signal, onEvent) {
  if (signal?.aborted) throw notBegun(signal);
  let job = null;
  let asked = false;
  const cancel = () => {
    if (job && !asked) {
      asked = true;
      connection.request({ type: "cancel", job }).catch(() => {});
    }
  };
  signal?.addEventListener("abort", cancel);
  try {
    // Not sent again after a dropped connection: the job may have started.
    const started = await connection.request(request, { again: false });
    job = started.jobs?.[0]?.job;
    if (typeof job !== "string") throw error("companion", `the companion started no job for \`${request.type}\``);
    const watch = new Watch(connection, job, onEvent);
    if (signal?.aborted) cancel();
    return await watch.ended;
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
}

/** The result of a finished burn, as the WebUSB burn gives it. */
function burnResult(first, last, wire, before) {
  // "writing in {reason}, {speed}" when a speed was asked for.
  const said = first?.message ?? "";
  const prefix = `writing in ${last.reason}, `;
  return {
    mode: last.mode,
    reason: last.reason,
    speed: said.startsWith(prefix) ? said.slice(prefix.length) : null,
    sectors: last.sectorsWritten,
    lastWrittenLba: last.lastWrittenLba < 0 ? null : last.lastWrittenLba,
    simulated: wire.simulate,
    verified: last.sectorsToVerify > 0 && last.sectorsVerified === last.sectorsToVerify,
    elapsedMs: last.elapsedMs,
    drive: driveInfo(before),
  };
}

/**
 * `BurnResult.drive` from `rawburn media --json`: its write speeds back
 * in kB/s (from × 1 to a tenth, so within 9 kB/s), `rw` as whether a
 * raw mode with R-W is offered (the report does not say more).
 */
function driveInfo(m) {
  const modes = m.writeModes ?? [];
  return {
    vendor: m.vendor,
    product: m.product,
    revision: m.revision,
    profile: m.profile,
    tao: modes.includes("tao"),
    sao: modes.includes("sao"),
    raw: modes.some((x) => x.startsWith("raw")),
    rw: modes.includes("raw96r") || modes.includes("raw96p"),
    testWrite: m.testWrite,
    bufe: m.bufe,
    taoDataTypes: (m.taoDataBlockTypes ?? []).reduce((bits, t) => bits | (1 << t), 0),
    discStatus: { blank: 0, appendable: 1, finalized: 2 }[m.status] ?? 3,
    erasable: m.erasable,
    leadIn: msfLba(m.leadIn),
    lastLeadOut: msfLba(m.lastLeadOut),
    writeSpeeds: (m.writeSpeeds ?? []).map((x) => Math.round(x * 176.4)),
  };
}

/** The LBA of an ATIP time "MM:SS:FF" (from 90:00:00 on, before LBA 0). */
function msfLba(text) {
  const m = /^(\d+):(\d+):(\d+)$/.exec(text ?? "");
  if (!m) return null;
  const frames = (Number(m[1]) * 60 + Number(m[2])) * 75 + Number(m[3]);
  return Number(m[1]) >= 90 ? frames - 450150 : frames - 150;
}

/** `BurnOptions` checked as the WebUSB burn checks them, and their form on the wire. */
function burnOptions(options) {
  only(options, BURN_OPTIONS, "burn options");
  const o = options ?? {};
  const mode = optString(o, "mode") ?? "auto";
  if (!["auto", "raw96r", "raw96p", "raw16", "sao", "tao"].includes(mode)) {
    throw argument(`mode \`${mode}\`: expected auto, raw96r, raw96p, raw16, sao or tao`);
  }
  const wire = { mode };
  if (o.speed !== undefined && o.speed !== null && o.speed !== "max") {
    if (!Number.isSafeInteger(o.speed) || o.speed < 1) {
      throw argument('`speed` must be a whole number of 1x from 1, or "max"');
    }
    // Past any drive's speed is its fastest, as "max" is.
    if (o.speed <= 1000) wire.speed = o.speed;
  }
  for (const key of ["simulate", "bufe", "finalize", "eject"]) optBool(o, key);
  wire.simulate = o.simulate === true;
  wire.noBufe = o.bufe === false;
  wire.multisession = o.finalize === false;
  wire.eject = o.eject === true;
  const verify = o.verify;
  if (verify === true || verify === "exact") wire.verify = "exact";
  else if (verify === "content") wire.verify = "content";
  else if (verify !== undefined && verify !== null && verify !== false) {
    throw argument('verify: expected true, false, "exact" or "content"');
  }
  // They tune the page's own engine; the companion's command has its own.
  const maxTransfer = optWhole(o, "maxTransfer");
  if (maxTransfer !== null && (maxTransfer < 2448 || maxTransfer > 1 << 20)) {
    throw argument(`maxTransfer ${maxTransfer}: expected 2448 to 1048576 bytes`);
  }
  const systemBuffer = optWhole(o, "systemBuffer");
  if (systemBuffer !== null && (systemBuffer < 1 << 16 || systemBuffer > 1 << 28)) {
    throw argument(`systemBuffer ${systemBuffer}: expected 64 KiB to 256 MiB`);
  }
  return { wire, signal: abortSignal(o) };
}

function extension(name) {
  return String(name).split(".").pop().toLowerCase();
}
