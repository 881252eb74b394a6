// Shared by the editor's end-to-end tests: the built editor (web/dist)
// served over HTTP, or `rawburn serve` serving it; Debian's Chromium driven
// by playwright-core; generated input files; helpers that read the page.
//
// RAWBURN names the rawburn binary (default target/debug/rawburn).
// The editor must be built first: `npm ci --prefix web && npx --prefix web vite build web`
// (or `cd web && npx vite build`), which writes web/dist.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { wav } from "../../crates/wasm/tests/support.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = join(ROOT, "web", "dist");
export const CHROMIUM = "/usr/bin/chromium";
export const RAWBURN = process.env.RAWBURN ?? join(ROOT, "target", "debug", "rawburn");
export const TITLE = "rawburn: disc editor";

/** Where screenshots go: $RAWBURN_SCREENSHOTS, or target/screenshots/ (not in the repository). */
export const SHOTS = process.env.RAWBURN_SCREENSHOTS ?? join(ROOT, "target", "screenshots");

/** CD time: 588 stereo samples a frame (sector), 75 frames a second. */
export const SAMPLES_PER_FRAME = 588;
export function msf(frames) {
  const p = (n) => String(n).padStart(2, "0");
  return `${p(Math.floor(frames / 4500))}:${p(Math.floor((frames % 4500) / 75))}:${p(frames % 75)}`;
}
export const framesOf = (samples) => Math.ceil(samples / SAMPLES_PER_FRAME);

export function checkTools() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  assert.ok(existsSync(RAWBURN), `${RAWBURN} is missing: build it (cargo build -p rawburn) or set RAWBURN`);
  assert.ok(existsSync(join(DIST, "index.html")), `${DIST} is missing: build the editor (cd web && npm ci && npx vite build)`);
}

// Serving the editor

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** web/dist over HTTP on 127.0.0.1 (as `vite preview` would); resolves with `{ url, close }`. */
export async function staticEditor() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(DIST, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * `rawburn serve` on a virtual recorder (disc file `disc`, state in
 * `stateDir`); resolves with `{ url, origin, close }`, `url` being the
 * printed address with its one-time #token.
 */
export async function companion(disc, stateDir) {
  const server = spawn(RAWBURN, ["serve", "--port", "0", "--virtual", disc, "--state-dir", stateDir, "--idle-timeout", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  server.stderr.on("data", (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: server.stdout });
  let timer;
  const first = await Promise.race([
    new Promise((resolve) => lines.once("line", resolve)),
    new Promise((_, reject) => server.once("exit", (code) => reject(new Error(`rawburn serve ended (${code}): ${stderr}`)))),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rawburn serve printed no address: ${stderr}`)), 15_000);
    }),
  ]).finally(() => clearTimeout(timer));
  lines.close();
  assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/);
  const close = async () => {
    if (server.exitCode != null) return;
    const ended = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGINT");
    const t = setTimeout(() => server.kill("SIGKILL"), 5000);
    await ended;
    clearTimeout(t);
  };
  return { url: first, origin: new URL(first).origin + "/", close };
}

/**
 * What a file of tests against the static editor sets up: the tools
 * checked, the inputs made in a temporary directory, the editor served,
 * Chromium launched. `close()` takes it all down.
 */
export async function staticFixture() {
  checkTools();
  const dir = tempDir();
  const f = { dir, inputs: makeInputs(dir), server: await staticEditor(), browser: await launch() };
  f.close = async () => {
    await f.browser.close();
    await f.server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return f;
}

/** Whether the page a server gives at `/` is the editor (the companion embeds it once built with it). */
export async function servesEditor(origin) {
  try {
    const r = await fetch(origin);
    return r.ok && (await r.text()).includes(`<title>${TITLE}</title>`);
  } catch {
    return false;
  }
}

// The browser

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * A new context (its own IndexedDB and service worker) with the editor
 * open at `url` and its first layout made. Console errors and page errors
 * are kept in `page.problems`.
 */
export async function openEditor(browser, url, { theme = "light", viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: theme, acceptDownloads: true, reducedMotion: "reduce" });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => {
    // The Burn dialog asks for the companion's session; a static server has none.
    if (m.type() === "error" && !/\/v1\/session$/.test(m.location().url)) page.problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => globalThis.rawburnEditor?.state().layout !== undefined);
  await settled(page);
  return page;
}

/** Waits until the page's layout follows its project (the worker has answered). */
export async function settled(page) {
  await page.waitForFunction(
    () => {
      const s = globalThis.rawburnEditor?.state();
      return s && s.layoutFresh && !document.querySelector(".status .busy");
    },
    null,
    { timeout: 20_000 },
  );
}

/** The page's project (the JSON the CLI reads). */
export const project = (page) => page.evaluate(() => globalThis.rawburnEditor.state().doc.project);

/** The track table as text: one array of cells a row. */
export async function trackRows(page) {
  await settled(page);
  return page.locator("table.tracktable tbody tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const c = [...tr.cells];
      const text = (i) => c[i].textContent.trim();
      return {
        number: text(2),
        title: c[3].querySelector("input").value,
        type: text(4),
        file: text(5),
        pregap: text(6),
        start: text(7),
        length: text(8),
        isrc: text(9),
        flags: text(10),
      };
    }),
  );
}

/** Adds files through the hidden file input and waits for them to be taken. */
export async function addFiles(page, paths, tracks) {
  await page.locator("input[type=file][multiple]").setInputFiles(paths);
  if (tracks !== undefined) await page.locator("table.tracktable tbody tr").nth(tracks - 1).waitFor({ timeout: 20_000 });
  await settled(page);
}

// Inputs and outputs

export function tempDir(prefix = "rawburn-editor-") {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Stereo 16-bit PCM of `samples` sample frames: two tones, different per `seed`. */
export function tones(samples, seed = 1) {
  const pcm = Buffer.alloc(samples * 4);
  const f1 = 220 * seed;
  const f2 = 330 + 55 * seed;
  for (let i = 0; i < samples; i++) {
    const t = i / 44100;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.7 * t);
    pcm.writeInt16LE(Math.round(9000 * env * Math.sin(2 * Math.PI * f1 * t)), 4 * i);
    pcm.writeInt16LE(Math.round(9000 * env * Math.sin(2 * Math.PI * f2 * t)), 4 * i + 2);
  }
  return pcm;
}

/**
 * The test discs' files in `dir`, with the sample counts they decode to:
 * a data ISO (xorriso), a WAV, a FLAC (flac) and an MP3 (lame, its
 * decoded length read back with `lame --decode`).
 */
export function makeInputs(dir) {
  const out = {};
  // Data: an ISO 9660 image of a folder with one file.
  const tree = join(dir, "iso-tree");
  mkdirSync(tree);
  writeFileSync(join(tree, "README.TXT"), "rawburn editor test disc\n".repeat(40));
  writeFileSync(join(tree, "DATA.BIN"), Buffer.alloc(700 * 1024, 0x5a));
  execFileSync("xorriso", ["-as", "mkisofs", "-quiet", "-V", "EDITOR_TEST", "-o", join(dir, "data.iso"), tree], { stdio: "ignore" });
  rmSync(tree, { recursive: true });
  out.iso = { name: "data.iso", path: join(dir, "data.iso"), sectors: statSync(join(dir, "data.iso")).size / 2048 };

  // WAV: 5 s and a part frame.
  const wavSamples = 44100 * 5 + 1000;
  writeFileSync(join(dir, "song.wav"), wav(tones(wavSamples, 1)));
  out.wav = { name: "song.wav", path: join(dir, "song.wav"), samples: wavSamples };

  // FLAC: 6 s and 123 samples.
  const flacSamples = 44100 * 6 + 123;
  writeFileSync(join(dir, "flac-src.wav"), wav(tones(flacSamples, 2)));
  execFileSync("flac", ["--silent", "--force", "-o", join(dir, "tune.flac"), join(dir, "flac-src.wav")]);
  rmSync(join(dir, "flac-src.wav"));
  out.flac = { name: "tune.flac", path: join(dir, "tune.flac"), samples: flacSamples };

  // MP3: about 5.5 s; its length is what a decoder gives.
  writeFileSync(join(dir, "mp3-src.wav"), wav(tones(44100 * 5 + 22050, 3)));
  execFileSync("lame", ["--quiet", "-b", "192", join(dir, "mp3-src.wav"), join(dir, "tone.mp3")]);
  execFileSync("lame", ["--quiet", "--decode", join(dir, "tone.mp3"), join(dir, "mp3-decoded.wav")]);
  const decoded = readFileSync(join(dir, "mp3-decoded.wav"));
  rmSync(join(dir, "mp3-src.wav"));
  rmSync(join(dir, "mp3-decoded.wav"));
  out.mp3 = { name: "tone.mp3", path: join(dir, "tone.mp3"), samples: dataChunkBytes(decoded) / 4, source: 44100 * 5 + 22050 };
  return out;
}

/** The size of a WAV's data chunk. */
function dataChunkBytes(buf) {
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString("ascii", at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === "data") return Math.min(size, buf.length - at - 8);
    at += 8 + size + (size & 1);
  }
  throw new Error("no data chunk");
}

/** Copies `files` (paths) into `dir`, writes `project` there as NAME.json; returns its path. */
export function projectDir(dir, name, projectJson, files) {
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, join(dir, f.slice(f.lastIndexOf(sep) + 1)));
  const path = join(dir, `${name}.json`);
  writeFileSync(path, typeof projectJson === "string" ? projectJson : JSON.stringify(projectJson, null, 2));
  return path;
}

/** Runs `rawburn args...` in `cwd`; returns stdout. */
export function rawburn(cwd, args) {
  return execFileSync(RAWBURN, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Saves a screenshot under SHOTS and prints its path. */
export async function shoot(target, name, options = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  // From the top: the sticky toolbar and status line would otherwise land mid-page.
  if (options.fullPage) await target.evaluate(() => scrollTo(0, 0));
  await target.screenshot({ path, ...options });
  console.log(`screenshot: ${path}`);
  return path;
}

/**
 * Drops files on the page as a file manager would: dragenter and dragover
 * (the page shows its drop veil), then drop, with a DataTransfer holding them.
 */
export async function dropFiles(page, paths) {
  const files = paths.map((p) => ({ name: p.slice(p.lastIndexOf(sep) + 1), data: readFileSync(p).toString("base64") }));
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name));
    globalThis.dropping = dt;
    const at = document.querySelector("#tracks-h");
    for (const type of ["dragenter", "dragover"]) at.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, files);
  await page.locator(".dropveil").waitFor();
  await page.evaluate(() => {
    const at = document.querySelector("#tracks-h");
    at.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: globalThis.dropping }));
  });
  await page.locator(".dropveil").waitFor({ state: "detached" });
}

/** Blurs the focused element (keyboard shortcuts are not taken while typing in a field). */
export const blur = (page) => page.evaluate(() => document.activeElement?.blur());

/** The TOC panel's format 0 rows. */
export async function tocRows(page) {
  await settled(page);
  return page.locator("section.toc details").first().locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
}

/**
 * Exports the page's project in the format whose radio is named by
 * `label` (Download), saving every file into `dir`; returns the names.
 */
export async function exportImage(page, label, dir) {
  await page.getByRole("button", { name: "Export…" }).click();
  const dialog = page.getByRole("dialog", { name: "Export the image" });
  await dialog.getByRole("radio", { name: label }).check();
  const got = [];
  const on = (d) => got.push(d);
  page.on("download", on);
  try {
    await dialog.getByRole("button", { name: "Download" }).click();
    const ok = dialog.locator("p.ok, p.error");
    await ok.waitFor({ timeout: 60_000 });
    const text = await ok.innerText();
    const m = /^Downloading (.+) \([\d.]+ MB\)\.$/.exec(text);
    assert.ok(m, `export: ${text}`);
    const names = m[1].split(", ").sort();
    const deadline = Date.now() + 60_000;
    while (got.length < names.length && Date.now() < deadline) await page.waitForTimeout(50);
    assert.deepEqual(got.map((d) => d.suggestedFilename()).sort(), names, "the downloads are the files the dialog names");
    mkdirSync(dir, { recursive: true });
    for (const d of got) {
      assert.equal(await d.failure(), null, `download ${d.suggestedFilename()}`);
      await d.saveAs(join(dir, d.suggestedFilename()));
    }
    await dialog.getByRole("button", { name: "Close", exact: true }).last().click();
    await dialog.waitFor({ state: "detached" });
    return names;
  } finally {
    page.off("download", on);
  }
}

/** Saves the project with "Save project"; returns its JSON text, saved as `dir/NAME.json`. */
export async function saveProject(page, dir) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Save project" }).click()]);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, d.suggestedFilename());
  await d.saveAs(path);
  return { path, name: d.suggestedFilename(), text: readFileSync(path, "utf8") };
}
