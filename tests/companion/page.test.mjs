// The burn page `rawburn serve` embeds, in headless Chromium (Debian's
// `chromium`, driven by playwright-core from crates/wasm's node_modules:
// `npm ci --prefix crates/wasm`). The companion runs with a virtual
// recorder; the page signs in with the printed address, uploads an ISO and
// a WAV through its file input, lays the disc out, burns it with an exact
// verify and shows the result. `rawburn media` then finds the disc
// complete with both tracks. The page's SHA-256 is checked against the
// FIPS 180-4 examples, in Node and in the page.
//
// RAWBURN names the rawburn binary built from this tree (default
// target/debug/rawburn). Screenshots go to /tmp/page-*.png.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Sha256, baseName, cueFiles, msf, sha256Hex } from "../../native-writer/page/app.js";
import { wav } from "../../crates/wasm/tests/support.mjs";

const require = createRequire(new URL("../../crates/wasm/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const CHROMIUM = "/usr/bin/chromium";
const RAWBURN = process.env.RAWBURN ?? fileURLToPath(new URL("../../target/debug/rawburn", import.meta.url));
const SHOTS = "/tmp";

/** FIPS 180-4 examples (the NIST "SHA256.pdf" and "SHA2_Additional.pdf" messages). */
const FIPS = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  [
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  ],
];
const MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

const text = (s) => new TextEncoder().encode(s);

/** A deterministic byte stream (xorshift32). */
function bytesOf(n, seed) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A WAV: 44.1 kHz, 16-bit stereo, a two-tone chord of `seconds`. */
function toneWav(seconds) {
  const frames = Math.round(44100 * seconds);
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const t = i / 44100;
    data.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * 440 * t)), 4 * i);
    data.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * 660 * t)), 4 * i + 2);
  }
  return wav(data);
}

test("the page's SHA-256 gives the FIPS 180-4 digests, fed in any pieces", () => {
  for (const [message, digest] of FIPS) assert.equal(sha256Hex(text(message)), digest, JSON.stringify(message));
  // A million 'a', in pieces that straddle the 64-byte blocks every way.
  const a = new Uint8Array(1_000_000).fill(0x61);
  const h = new Sha256();
  for (let at = 0, k = 1; at < a.length; k = (k * 7 + 3) % 1000) {
    const n = Math.min(a.length - at, k);
    h.update(a.subarray(at, at + n));
    at += n;
  }
  assert.equal(h.hex(), MILLION_A);
  // Every length around the padding's edges, split at every point.
  const data = bytesOf(200, 7);
  for (let n = 0; n <= 200; n++) {
    const want = createHash("sha256").update(data.subarray(0, n)).digest("hex");
    assert.equal(sha256Hex(data.subarray(0, n)), want, `${n} bytes`);
    for (const cut of [1, 55, 56, 63, 64, 65].filter((c) => c < n)) {
      const s = new Sha256().update(data.subarray(0, cut)).update(data.subarray(cut, n));
      assert.equal(s.hex(), want, `${n} bytes cut at ${cut}`);
    }
  }
  const big = bytesOf(3 << 20, 11);
  assert.equal(sha256Hex(big), createHash("sha256").update(big).digest("hex"));
  assert.throws(() => h.update(text("x")), /digest/);
});

test("the page reads the files a cue sheet names", () => {
  const cue = 'REM x\r\nFILE "CD1\\a b.wav" WAVE\n  TRACK 01 AUDIO\nfile plain.bin BINARY\nFILE "CD1\\a b.wav" WAVE\n';
  assert.deepEqual(cueFiles(cue), ["CD1\\a b.wav", "plain.bin"]);
  assert.equal(baseName("CD1\\a b.wav"), "a b.wav");
  assert.equal(msf(359849), "79:57:74");
  assert.equal(msf(375), "00:05:00");
});

let server;
let browser;
let dir;

after(async () => {
  await browser?.close().catch(() => {});
  if (server && server.exitCode == null) server.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts `rawburn serve` on a virtual recorder; resolves with its address. */
async function startCompanion(disc, stateDir) {
  server = spawn(RAWBURN, ["serve", "--port", "0", "--virtual", disc, "--state-dir", stateDir, "--idle-timeout", "0"], {
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
  return first;
}

/** Stops the companion as Ctrl-C does and waits for it to end. */
async function stopCompanion() {
  if (server.exitCode != null) return server.exitCode;
  const ended = new Promise((resolve) => server.once("exit", (code, signal) => resolve(code ?? signal)));
  server.kill("SIGINT");
  return ended;
}

async function shoot(page, name) {
  for (const scheme of ["light", "dark"]) {
    // Without transitions, so the colours are the scheme's, not halfway.
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await page.screenshot({ path: join(SHOTS, `page-${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "no-preference" });
}

test("the page burns an ISO and a WAV on a virtual recorder, verified", { timeout: 90_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  assert.ok(existsSync(RAWBURN), `${RAWBURN} is missing: build it (cargo build -p rawburn) or set RAWBURN`);
  dir = mkdtempSync(join(tmpdir(), "rawburn-page-"));
  const disc = join(dir, "a.vdisc");
  writeFileSync(join(dir, "data.iso"), bytesOf(2048 * 300, 3));
  writeFileSync(join(dir, "song.wav"), toneWav(5));
  writeFileSync(join(dir, "other.cue"), 'FILE "data.iso" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\nFILE "missing.wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n');
  // The burn page is at /burn/ (the editor, when built in, is at /); the
  // printed address's token works there too.
  const url = (await startCompanion(disc, join(dir, "state"))).replace("/#token=", "/burn/#token=");

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  // The page's sockets, so that the test can break the connection.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.sockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  const sent = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => typeof f.payload === "string" && sent.push(JSON.parse(f.payload))));
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));

  // Signed in with the printed address, which then leaves the address bar.
  await page.goto(url);
  await page.locator('#conn[data-state="connected"]').waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => location.hash), "");
  await page.locator("#media .status-blank").waitFor({ timeout: 15_000 });
  assert.match(await page.locator("#drive-list").innerText(), /virtual recorder \(a\.vdisc\)/);
  assert.match(await page.locator("#media").innerText(), /CD-R[\s\S]*Blank[\s\S]*79:59:74/);

  // The same SHA-256 in the browser as in Node.
  const inPage = await page.evaluate(async (fips) => {
    const m = await import("/burn/app.js");
    return fips.map(([message]) => m.sha256Hex(new TextEncoder().encode(message)));
  }, FIPS);
  assert.deepEqual(
    inPage,
    FIPS.map(([, d]) => d),
  );

  // The files: uploaded, checked and laid out as two tracks.
  await page.setInputFiles("#files", [join(dir, "data.iso"), join(dir, "song.wav")]);
  const rows = page.locator("table.tracks tbody tr");
  await page.waitForFunction(() => document.querySelectorAll("table.tracks tbody tr").length === 2, null, { timeout: 20_000 });
  assert.deepEqual(await page.locator("#file-list .file-status").allInnerTexts(), ["✓ 614 kB · uploaded and checked", "✓ 882 kB · uploaded and checked"]);
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(
    cells.map((c) => c.slice(0, 5)),
    [
      ["1", "Data · Mode 1", "00:02:00", "00:02:00", "00:06:00"],
      ["2", "Audio", "00:02:00", "00:10:00", "00:05:00"],
    ],
  );
  await page.selectOption("#opt-verify", "exact");
  assert.equal(await page.locator("#burn").isEnabled(), true);
  await shoot(page, "before");

  // The burn: progress, then the end.
  await page.click("#burn");
  await page.locator("#activity").waitFor({ state: "visible" });
  await page.locator("#job-line", { hasText: /Writing (the|track)/ }).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(SHOTS, "page-burning-light.png"), fullPage: true });

  // The connection breaks mid-burn: the page connects again and asks for
  // the events after the last it saw.
  await page.evaluate(() => window.sockets.at(-1).close());
  await page.locator('#conn[data-state="connected"]').waitFor({ state: "detached", timeout: 5_000 }).catch(() => {});
  await page.waitForFunction(() => window.sockets.length === 2 && window.sockets[1].readyState === 1, null, { timeout: 10_000 });
  await page.locator('#conn[data-state="connected"]').waitFor({ timeout: 10_000 });
  const end = page.locator("#job-end");
  await page.locator('#job-end[data-state="done"]').waitFor({ timeout: 45_000 });
  assert.match(await end.innerText(), /Burned and verified/i);
  assert.equal(await page.locator("#job-progress").evaluate((p) => p.value), 1);
  await page.locator("#media .status-finalized").waitFor({ timeout: 15_000 });
  assert.match(await page.locator("#media").innerText(), /2 tracks in 1 session/);
  await shoot(page, "after");
  const watch = sent.find((m) => m.type === "watch");
  assert.ok(watch && watch.job === "j1" && watch.after > 0, `after reconnecting, a watch from the last event seen: ${JSON.stringify(watch)}`);

  // Read to image: its files offered for download.
  await page.click("#read");
  await page.locator('#job-end[data-state="done"]', { hasText: "read" }).waitFor({ timeout: 20_000 });
  const links = await page.locator("#job-end a").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
  assert.deepEqual(
    links.map(([t]) => t),
    ["Download disc.ccd", "Download disc.img", "Download disc.sub"],
  );
  const img = await page.evaluate(async (url) => (await (await fetch(url)).arrayBuffer()).byteLength, links[1][1]);
  assert.equal(img, 975 * 2352);

  // A cue sheet naming a file not picked says which.
  await page.setInputFiles("#files", [join(dir, "other.cue")]);
  await page.locator("#file-notes .warn").waitFor();
  assert.match(await page.locator("#file-notes").innerText(), /names a file not added yet:\s*missing\.wav/);
  assert.match(await page.locator("#file-list").innerText(), /song\.wav\s*882 kB · not named by the sheet/);

  // The printed address works once: another browser profile gets the
  // explanation, not a session.
  const other = await browser.newContext({ colorScheme: "light" });
  const stranger = await other.newPage();
  await stranger.goto(url);
  await stranger.locator("#signin").waitFor({ state: "visible", timeout: 10_000 });
  assert.match(
    await stranger.locator("#signin").innerText(),
    /Open the address that rawburn serve printed in its terminal \(it works once\)/,
  );
  await stranger.screenshot({ path: join(SHOTS, "page-signed-out-light.png") });
  await other.close();

  const csp = logs.filter((l) => /Content.Security.Policy|Refused to/i.test(l));
  assert.deepEqual(csp, [], "CSP violations");
  assert.deepEqual(
    logs.filter((l) => l.startsWith("error") || l.startsWith("pageerror")),
    [],
    "console errors",
  );
  await browser.close();
  browser = null;

  // The disc, as the drive reports it once the companion stopped.
  await stopCompanion();
  const media = JSON.parse(execFileSync(RAWBURN, ["media", "--virtual", disc, "--json"], { encoding: "utf8" }));
  assert.equal(media.status, "finalized");
  assert.equal(media.sessionList.length, 1);
  assert.deepEqual(
    media.sessionList[0].tracks.map((t) => t.number),
    [1, 2],
  );
});
