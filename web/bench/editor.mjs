// Benchmark of the disc editor in Chromium: how soon an edit of a large
// audio project shows in the track table and the TOC, and what exporting
// it as cue/bin costs the page (long tasks, memory) and takes beside
// `rawburn build --threads 1`.
//
//   npm run bench -- [--tracks 99] [--minutes 80] [--edits 50] [--kinds title,pregap,move]
//                    [--no-export] [--profile KIND]
//
// Needs web/dist (npx vite build), /usr/bin/chromium (or CHROMIUM), and for
// the comparison target/release/rawburn (or RAWBURN). The WAV files go to
// target/bench-editor/ and are kept for the next run.

import { spawn, spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, mkdtempSync, readdirSync, statSync, writeFileSync, openSync, writeSync, closeSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg, tmpdir } from "node:os";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const dist = resolve(here, "../dist");

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const TRACKS = Number(opt("tracks", 99));
const MINUTES = Number(opt("minutes", 80));
const EDITS = Number(opt("edits", 50));
const EXPORT = !args.includes("--no-export");
const KINDS = opt("kinds", "title,pregap,move").split(",");
const CSS = opt("css", "");
const PROFILE = opt("profile", null); // title | pregap | move: writes a CPU profile of that kind's edits
const RAWBURN = process.env.RAWBURN ?? join(root, "target/release/rawburn");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const log = (...a) => console.error(`[${(performance.now() / 1000).toFixed(1)}s]`, ...a);

// ---------------------------------------------------------------- WAV files

const RATE = 44100;
/** Frames of each track: the total split unevenly (±3 s), so moves shift the TOC. */
function trackFrames() {
  const total = Math.round(MINUTES * 60 * RATE);
  const base = Math.floor(total / TRACKS);
  const out = Array.from({ length: TRACKS }, (_, i) => base + (((i * 5) % 7) - 3) * RATE);
  out[TRACKS - 1] += total - out.reduce((a, b) => a + b, 0);
  return out;
}

function wavHeader(frames) {
  const h = Buffer.alloc(44);
  const bytes = frames * 4;
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + bytes, 4);
  h.write("WAVEfmt ", 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(2, 22); // stereo
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36);
  h.writeUInt32LE(bytes, 40);
  return h;
}

/** One second of a tone (whole periods: integer frequencies), left and right apart. */
function second(freq, amp) {
  const b = Buffer.alloc(RATE * 4);
  for (let f = 0; f < RATE; f++) {
    const t = f / RATE;
    b.writeInt16LE(Math.round(amp * Math.sin(2 * Math.PI * freq * t)), f * 4);
    b.writeInt16LE(Math.round(amp * 0.6 * Math.sin(2 * Math.PI * freq * 1.5 * t)), f * 4 + 2);
  }
  return b;
}

function makeWavs() {
  const dir = join(root, `target/bench-editor/wav-${TRACKS}x${MINUTES}`);
  mkdirSync(dir, { recursive: true });
  const tones = [220, 330, 440, 550, 660].map((f, i) => second(f, 6000 + i * 3000));
  const frames = trackFrames();
  const paths = [];
  frames.forEach((n, i) => {
    const path = join(dir, `t${String(i + 1).padStart(2, "0")}.wav`);
    paths.push(path);
    if (existsSync(path) && statSync(path).size === 44 + n * 4) return;
    const fd = openSync(path, "w");
    writeSync(fd, wavHeader(n));
    const tone = tones[i % tones.length];
    let left = n * 4;
    while (left > 0) {
      const k = Math.min(left, tone.length);
      writeSync(fd, tone, 0, k);
      left -= k;
    }
    closeSync(fd);
  });
  return { dir, paths, bytes: frames.reduce((a, n) => a + n * 4, 0) };
}

// ---------------------------------------------------------------- server

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json" };

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let path = join(dist, decodeURIComponent(url.pathname));
    if (!path.startsWith(dist)) return res.writeHead(403).end();
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      // Cross-origin isolation, for performance.measureUserAgentSpecificMemory.
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cache-control": "no-store",
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

// ---------------------------------------------------------------- process memory

/** Resident memory (kB) of a process and its descendants: RSS, and PSS where readable. */
function treeMemory(pid) {
  const children = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {}
  }
  let rss = 0;
  let pss = 0;
  const walk = (p) => {
    try {
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
      pss += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {}
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return { rss, pss };
}

/** The browser process this script started (a child of it running Chromium). */
function chromiumPid() {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0")[0];
      if (ppid === process.pid && /chrom/.test(cmd)) return Number(d);
    } catch {}
  }
  throw new Error("no Chromium process among this script's children");
}

/** The main thread's time by trace event (self time) and the CPU profile's hottest functions. */
function summarize(profile, trace) {
  const main = trace.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const events = trace.filter((e) => e.ph === "X" && main && e.pid === main.pid && e.tid === main.tid && e.dur).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of events) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    if (stack.length) self.set(stack.at(-1).name, (self.get(stack.at(-1).name) ?? 0) - e.dur);
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
    stack.push(e);
  }
  console.error("main thread, self ms by trace event:");
  for (const [n, d] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.error(`  ${(d / 1000).toFixed(1).padStart(9)}  ${n}`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  const dt = new Map();
  profile.samples.forEach((id, k) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0)));
  for (const [id, us] of dt) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}:${f.columnNumber}`;
    hits.set(key, (hits.get(key) ?? 0) + us);
  }
  console.error("CPU profile, self ms:");
  for (const [n, d] of [...hits].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.error(`  ${(d / 1000).toFixed(1).padStart(9)}  ${n}`);
}

// ---------------------------------------------------------------- numbers

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : "-");
const mb = (x) => (x / 1e6).toFixed(0);

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? String(x).padEnd(widths[c]) : String(x).padStart(widths[c]))).join("  ")).join("\n");
}

// ---------------------------------------------------------------- in the page

/**
 * Installed in the page: long tasks, and a probe that times one edit from
 * its input event (keydown or input, whichever comes first) to the first
 * DOM change (the edit shown), to the DOM showing the new layout (the
 * "updating…" mark gone with the new layout in the store) and to the end
 * of the frame that paints it.
 */
function instrument() {
  const b = (globalThis.__bench = { longtasks: [] });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  b.arm = () => {
    const { state } = globalThis.rawburnEditor;
    const before = state();
    const r = { t0: null, shown: null, dom: null, raf: null, frame: null, layoutMs: null };
    let resolve;
    const done = new Promise((ok) => (resolve = ok));
    const first = (e) => {
      if (r.t0 === null) r.t0 = Math.min(e.timeStamp, performance.now());
    };
    addEventListener("keydown", first, true);
    addEventListener("input", first, true);
    const mo = new MutationObserver(() => {
      if (r.t0 === null) return;
      const now = performance.now();
      r.shown ??= now;
      const s = state();
      if (s.doc.project === before.doc.project || !s.layoutFresh) return;
      if (s.layoutError) r.error = s.layoutError.message;
      else if (s.layout === before.layout) return;
      if (document.querySelector(".status .busy")) return;
      r.dom = now;
      r.layoutMs = s.layout?.ms ?? null;
      mo.disconnect();
      removeEventListener("keydown", first, true);
      removeEventListener("input", first, true);
      requestAnimationFrame(() => {
        r.raf = performance.now();
        const c = new MessageChannel();
        c.port1.onmessage = () => {
          r.frame = performance.now();
          resolve(r);
        };
        c.port2.postMessage(0);
      });
    });
    mo.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    b.pending = done;
    b.partial = r;
  };
  b.wait = () =>
    Promise.race([
      b.pending,
      new Promise((_, no) => setTimeout(() => no(new Error(`no layout shown within 20 s: ${JSON.stringify(b.partial)} fresh ${globalThis.rawburnEditor.state().layoutFresh}`)), 20_000)),
    ]);
}

async function main() {
  if (!existsSync(join(dist, "index.html"))) throw new Error(`no ${dist}: run npx vite build first`);
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  log(`load ${load}; making ${TRACKS} WAV files of ${MINUTES} minutes in all`);
  const wavs = makeWavs();
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  // A profile on disk: an off-the-record context keeps storage (the files
  // the page keeps in IndexedDB, the export in OPFS) in memory, with a small quota.
  const profile = mkdtempSync(join(tmpdir(), "rawburn-bench-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--enable-precise-memory-info",
      "--enable-blink-features=ForceEagerMeasureMemory",
    ],
  });
  const browserPid = chromiumPid();
  const results = { load, tracks: TRACKS, minutes: MINUTES, edits: {}, export: null };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => log("page error:", e.message));
    await page.addInitScript(instrument);
    // --css RULES: a style added to the page, to find what its frames cost.
    if (CSS) await page.addInitScript((css) => addEventListener("DOMContentLoaded", () => document.head.append(Object.assign(document.createElement("style"), { textContent: css }))), CSS);
    await page.goto(origin);
    await page.waitForFunction(() => globalThis.rawburnEditor);
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);

    log(`adding ${TRACKS} files`);
    const t = performance.now();
    await page.setInputFiles("input[type=file][multiple]", wavs.paths);
    await page.waitForFunction(
      (n) => {
        const s = globalThis.rawburnEditor.state();
        return s.doc.project.tracks.length === n && s.layoutFresh && s.layout?.toc.tracks.length === n;
      },
      TRACKS,
      { timeout: 600_000, polling: 200 },
    );
    results.addMs = performance.now() - t;
    log(`laid out in ${(results.addMs / 1000).toFixed(1)} s`);

    // Give every track a title (CD-TEXT), as a mastered disc has.
    await page.evaluate(async () => {
      for (const [i, el] of [...document.querySelectorAll(".tracktable input.title")].entries()) {
        el.value = `Track ${i + 1}`;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    await page.waitForFunction(() => globalThis.rawburnEditor.state().layoutFresh && document.querySelectorAll(".cdt-table tbody tr").length > 1);
    const settle = () => page.waitForTimeout(40);
    await settle();

    const kinds = {
      /** One character typed into a track's title. */
      async title(n) {
        const i = (n * 7) % TRACKS;
        await page.focus(`[data-row="${i}"] input.title`);
        await page.keyboard.press("End");
        await arm();
        await page.keyboard.type(String.fromCharCode(97 + (n % 26)));
        const r = await finish();
        const want = `Track ${i + 1}`;
        const got = await page.inputValue(`[data-row="${i}"] input.title`);
        if (!got.startsWith(want)) throw new Error(`title of row ${i}: ${got}`);
        return r;
      },
      /** A track's generated pregap set in the properties (Enter commits it). */
      async pregap(n) {
        const i = 1 + ((n * 7) % (TRACKS - 1));
        await page.click(`[data-row="${i}"] td.num`);
        const field = page.getByLabel("Pregap: generated silence");
        const frames = 1 + (n % 70);
        const text = `00:01:${String(frames).padStart(2, "0")}`;
        await field.fill(text);
        await settle();
        await arm();
        // The focus is in the field: a key press, not a locator (whose
        // look-up would run in the page inside the measured time).
        await page.keyboard.press("Enter");
        const r = await finish();
        const cell = await page.textContent(`[data-row="${i}"] td.time`);
        if (!cell.startsWith(text)) throw new Error(`pregap of row ${i}: ${cell}, not ${text}`);
        return r;
      },
      /** A track moved down one place from the keyboard (not the first: its pregap is longer). */
      async move(n) {
        const i = 1 + ((n * 13) % (TRACKS - 2));
        const file = await page.textContent(`[data-row="${i}"] td.file`);
        await page.focus(`[data-row="${i}"] .grip`);
        await arm();
        await page.keyboard.press("Alt+ArrowDown");
        const r = await finish();
        const moved = await page.textContent(`[data-row="${i + 1}"] td.file`);
        if (moved !== file) throw new Error(`move of row ${i}: ${moved}, not ${file}`);
        return r;
      },
    };
    const arm = () => page.evaluate(() => globalThis.__bench.arm());
    const finish = async () => {
      const r = await page.evaluate(() => globalThis.__bench.wait());
      if (r.error) throw new Error(`the edit made a project that cannot be laid out: ${r.error}`);
      return r;
    };

    const cdp = await context.newCDPSession(page);
    for (const [kind, run] of Object.entries(kinds).filter(([k]) => KINDS.includes(k))) {
      log(`${EDITS} edits: ${kind}`);
      const before = await page.evaluate(() => globalThis.__bench.longtasks.length);
      const trace = [];
      if (PROFILE === kind) {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
        await cdp.send("Profiler.start");
        cdp.on("Tracing.dataCollected", (e) => trace.push(...e.value));
        await cdp.send("Tracing.start", { categories: "devtools.timeline,v8.execute,blink.user_timing", transferMode: "ReportEvents" });
      }
      const list = [];
      for (let n = 0; n < EDITS; n++) {
        list.push(await run(n));
        await settle();
      }
      if (PROFILE === kind) {
        const { profile } = await cdp.send("Profiler.stop");
        const out = join(root, `target/bench-editor/${kind}.cpuprofile`);
        writeFileSync(out, JSON.stringify(profile));
        const ended = new Promise((ok) => cdp.once("Tracing.tracingComplete", ok));
        await cdp.send("Tracing.end");
        await ended;
        writeFileSync(join(root, `target/bench-editor/${kind}.trace.json`), JSON.stringify({ traceEvents: trace }));
        log(`profile: ${out}, trace: ${kind}.trace.json`);
        summarize(profile, trace);
      }
      const tasks = await page.evaluate((k) => globalThis.__bench.longtasks.slice(k), before);
      results.edits[kind] = {
        shown: list.map((r) => r.shown - r.t0),
        dom: list.map((r) => r.dom - r.t0),
        frame: list.map((r) => r.frame - r.t0),
        layout: list.map((r) => r.layoutMs),
        longtasks: tasks.length,
        longest: Math.max(0, ...tasks.map((x) => x.duration)),
      };
    }

    if (EXPORT) results.export = await exportRun(page, browserPid, wavs);
    results.isolated = isolated;
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  report(results);
}

async function exportRun(page, browserPid, wavs) {
  log("export to OPFS");
  const project = await page.evaluate(() => globalThis.rawburnEditor.state().doc.project);
  const samples = [];
  const rss0 = treeMemory(browserPid);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push({ at: performance.now(), ...treeMemory(browserPid) });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const r = await page.evaluate(async () => {
    const { state, worker } = globalThis.rawburnEditor;
    const b = globalThis.__bench;
    const heap = [];
    let stop = false;
    const measure = typeof performance.measureUserAgentSpecificMemory === "function" && globalThis.crossOriginIsolated;
    const sample = async () => {
      while (!stop) {
        const s = { at: performance.now(), heap: performance.memory?.usedJSHeapSize ?? null, wasm: (await worker.ask({ type: "memory" })).wasm };
        if (measure) s.ua = (await performance.measureUserAgentSpecificMemory()).bytes;
        heap.push(s);
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    const first = b.longtasks.length;
    const dir = await navigator.storage.getDirectory();
    const sampled = sample();
    const t0 = performance.now();
    const files = await worker.ask({ type: "export", project: state().doc.project, format: "cue", base: "bench", dir });
    const t1 = performance.now();
    stop = true;
    await sampled;
    return { ms: t1 - t0, t0, names: files.map((f) => f.name), heap, longtasks: b.longtasks.slice(first).filter((x) => x.start >= t0 && x.start <= t1) };
  });
  sampling = false;
  await sampler;
  // The files written, read back for a checksum and deleted (after the sampling: reading takes memory).
  r.files = await page.evaluate(async (names) => {
    const dir = await navigator.storage.getDirectory();
    const written = [];
    for (const name of names) {
      const h = await dir.getFileHandle(name);
      const file = await h.getFile();
      let sum = 0;
      if (name.endsWith(".bin")) {
        const rd = file.stream().getReader();
        for (;;) {
          const { done, value } = await rd.read();
          if (done) break;
          for (let i = 0; i < value.length; i++) sum = (Math.imul(sum, 31) + value[i]) | 0;
        }
      }
      written.push({ name, size: file.size, sum });
      await dir.removeEntry(name);
    }
    return written;
  }, r.names);
  const bin = r.files.find((f) => f.name.endsWith(".bin"));
  if (!bin || bin.size === 0) throw new Error(`export wrote ${JSON.stringify(r.files)}`);

  // The same project, natively on one thread.
  let native = null;
  if (existsSync(RAWBURN)) {
    log("rawburn build --threads 1");
    const json = join(wavs.dir, "bench.json");
    const out = join(wavs.dir, "out");
    mkdirSync(out, { recursive: true });
    writeFileSync(json, JSON.stringify(project));
    const t = performance.now();
    const p = spawnSync(RAWBURN, ["build", json, "-o", join(out, "native.cue"), "--threads", "1", "-q"], { cwd: wavs.dir, stdio: ["ignore", "ignore", "pipe"] });
    const took = performance.now() - t;
    if (p.status !== 0) throw new Error(`rawburn build: ${p.stderr}`);
    const size = statSync(join(out, "native.bin")).size;
    let sum = 0;
    for await (const chunk of createReadStream(join(out, "native.bin"))) for (let i = 0; i < chunk.length; i++) sum = (Math.imul(sum, 31) + chunk[i]) | 0;
    native = { ms: took, size, same: size === bin.size && sum === bin.sum };
    rmSync(out, { recursive: true });
  } else log(`no ${RAWBURN}: no native comparison`);
  return { ...r, bin: bin.size, rss0, rss: samples, native };
}

function report(r) {
  const out = [];
  out.push(`rawburn editor bench: ${r.tracks} tracks, ${r.minutes} min; load average at start ${r.load}, at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  out.push(`adding the files: ${(r.addMs / 1000).toFixed(1)} s`);
  const rows = [["edit (ms, median / p95)", "shown", "layout in DOM", "frame painted", "worker layout", "long tasks", "longest"]];
  for (const [k, e] of Object.entries(r.edits)) {
    const mp = (xs) => `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.95))}`;
    rows.push([`${k} (${e.dom.length})`, mp(e.shown), mp(e.dom), mp(e.frame), mp(e.layout), e.longtasks, ms(e.longest)]);
  }
  out.push(table(rows));
  const x = r.export;
  if (x) {
    const mbs = x.bin / 1e6 / (x.ms / 1000);
    out.push("");
    out.push(`export cue/bin to OPFS: ${mb(x.bin)} MB in ${(x.ms / 1000).toFixed(1)} s = ${mbs.toFixed(0)} MB/s`);
    if (x.native) {
      const nmbs = x.native.size / 1e6 / (x.native.ms / 1000);
      out.push(`rawburn build --threads 1: ${mb(x.native.size)} MB in ${(x.native.ms / 1000).toFixed(1)} s = ${nmbs.toFixed(0)} MB/s (same bytes: ${x.native.same}); browser/native ${(nmbs / mbs).toFixed(2)}x slower`);
    }
    const lt = x.longtasks;
    out.push(`main-thread long tasks during export: ${lt.length}${lt.length ? ` (longest ${ms(Math.max(...lt.map((t) => t.duration)))} ms)` : ""}`);
    const heap = x.heap.map((s) => s.heap).filter((v) => v !== null);
    const wasm = x.heap.map((s) => s.wasm);
    const ua = x.heap.map((s) => s.ua).filter((v) => v !== undefined);
    const range = (xs) => (xs.length ? `${mb(Math.min(...xs))}–${mb(Math.max(...xs))} MB (first ${mb(xs[0])}, last ${mb(xs.at(-1))}; ${xs.length} samples)` : "n/a");
    out.push(`page JS heap: ${range(heap)}`);
    out.push(`worker wasm memory: ${range(wasm)}`);
    out.push(`measureUserAgentSpecificMemory: ${r.isolated ? range(ua) : "n/a (not cross-origin isolated)"}`);
    const rss = x.rss.map((s) => s.rss * 1024);
    const pss = x.rss.map((s) => s.pss * 1024);
    out.push(`Chromium RSS (all processes): before ${mb(x.rss0.rss * 1024)} MB, during ${range(rss)}`);
    out.push(`Chromium PSS (all processes): before ${mb(x.rss0.pss * 1024)} MB, during ${range(pss)}`);
  }
  // One machine-readable line, as the other benchmarks end.
  const med = (k) => (r.edits[k] ? ms(quantile(r.edits[k].dom, 0.5)) : "na");
  const xmbs = x ? (x.bin / 1e6 / (x.ms / 1000)).toFixed(0) : "na";
  const nmbs = x?.native ? (x.native.size / 1e6 / (x.native.ms / 1000)).toFixed(0) : "na";
  out.push(
    `editor title_ms=${med("title")} pregap_ms=${med("pregap")} move_ms=${med("move")} export_mb_s=${xmbs} native_mb_s=${nmbs} export_longtasks=${x ? x.longtasks.length : "na"}`,
  );
  console.log(out.join("\n"));
  const file = join(root, "target/bench-editor/last.json");
  writeFileSync(file, JSON.stringify(r, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
