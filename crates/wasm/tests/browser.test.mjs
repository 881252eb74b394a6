// The package in headless Chromium (Debian's `chromium`, driven by
// playwright-core): a page imports it through an import map, as a page
// served from a project's node_modules would, picks Files from an <input>,
// builds a BIN/CUE image from a 64 MiB data track and streams it chunk by
// chunk into a SHA-256. The image equals `rawburn build`'s, and neither
// WebAssembly memory nor the JS heap comes near the image's size. A WAV
// decoded by WebAudio and given as an AudioBuffer builds the same image as
// the WAV itself.

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { checkReadmeBurn, crate, esbuildBundle, fastNoise, fileSha256, installPackage, native, noise, readmeBurn, tempDir, wav } from "./support.mjs";

const CHROMIUM = "/usr/bin/chromium";
const MIB = 1 << 20;
const DATA_BYTES = 64 * MIB;

/**
 * Noise with samples below 32736: Chromium decodes positive 16-bit samples
 * as s / 32767, and the 31 highest cannot be told apart exactly from the
 * float it gives (see layout::pcm::to_i16).
 */
function quieter(pcm) {
  const s = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  for (let i = 0; i < s.length; i++) s[i] = Math.round(s[i] * 0.9);
  return pcm;
}

let server;
let bundle;
let browser;
let page;
let cdp;
let dir;
let url;

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  const project = installPackage();
  dir = tempDir("rawburn-browser-");
  writeFileSync(join(dir, "data.iso"), fastNoise(DATA_BYTES, 31));
  writeFileSync(join(dir, "song.wav"), wav(quieter(noise(400 * 2352 + 100, 32))));
  writeFileSync(
    join(dir, "disc.cue"),
    'TITLE "Browser"\nFILE "data.iso" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n' +
      'FILE "song.wav" WAVE\n  TRACK 02 AUDIO\n    TITLE "Song"\n    INDEX 01 00:00:00\n',
  );
  writeFileSync(join(dir, "song.cue"), 'FILE "song.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');

  // A page script bundled by esbuild, as the README shows, with the
  // module next to it.
  bundle = esbuildBundle(
    [
      'import { ImageCreator, version } from "rawburn";',
      "const disc = new ImageCreator();",
      'disc.addTrack("mode1", new Uint8Array(300 * 2048));',
      "window.bundled = { version: version(), leadout: disc.tableOfContents().leadout };",
      "",
    ].join("\n"),
    "browser",
  );
  writeFileSync(join(bundle, "index.html"), '<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="app.js"></script>\n');

  // The page and its scripts from tests/browser, the package from the
  // user's project, the bundle under /bundle/.
  const pages = join(crate, "tests", "browser");
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = path.startsWith("/node_modules/")
      ? join(project, path)
      : path.startsWith("/bundle/")
        ? join(bundle, path.slice("/bundle/".length))
        : join(pages, path === "/" ? "index.html" : path);
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}/`;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox"] });
  page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(url);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 }).catch((e) => {
    throw new Error(`the page did not load the package: ${errors.join("; ") || e.message}`);
  });
  await page.setInputFiles("#files", ["disc.cue", "song.cue", "data.iso", "song.wav"].map((f) => join(dir, f)));
  cdp = await page.context().newCDPSession(page);
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * Runs `f` in the page while sampling what the JS heap holds: every 100 ms
 * a garbage collection, then the heap's use with ArrayBuffer backing
 * stores. Returns `f`'s result and the largest sample.
 */
async function measured(f) {
  let peak = 0;
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await cdp.send("HeapProfiler.collectGarbage").catch(() => null);
      const h = await cdp.send("Runtime.getHeapUsage").catch(() => null);
      if (h) {
        peak = Math.max(peak, h.usedSize + (h.backingStorageSize ?? 0));
        samples += 1;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return { result: await f(), heapPeak: peak, samples };
  } finally {
    sampling = false;
    await sampler;
  }
}

function nativeImage(cue) {
  native(dir, ["build", cue, "-o", "image.cue", "-q"]);
  return {
    "image.cue": fileSha256(join(dir, "image.cue")),
    "image.bin": fileSha256(join(dir, "image.bin")),
  };
}

test("a File becomes a streamed image equal to rawburn build's, in bounded memory", async (t) => {
  const want = nativeImage("disc.cue");
  const { result, heapPeak, samples } = await measured(() => page.evaluate(() => window.buildFromCue("disc.cue")));
  const bin = result.files["image.bin"];
  t.diagnostic(
    `image.bin ${(bin.length / MIB).toFixed(1)} MiB in ${bin.chunks} chunks; wasm memory peak ` +
      `${(result.wasmPeak / MIB).toFixed(1)} MiB; JS heap peak ${(heapPeak / MIB).toFixed(1)} MiB (${samples} samples)`,
  );
  assert.equal(bin.sha256, want["image.bin"]);
  assert.equal(result.files["image.cue"].sha256, want["image.cue"]);
  assert.equal(bin.length, bin.size);
  assert.ok(bin.length > DATA_BYTES, "the image is larger than its data track");
  assert.ok(bin.chunks >= 50, `streamed in ${bin.chunks} chunks`);
  assert.ok(bin.largest <= 2 * MIB, `largest chunk ${bin.largest} bytes`);
  assert.ok(result.wasmPeak < 16 * MIB, `wasm memory peaked at ${(result.wasmPeak / MIB).toFixed(1)} MiB`);
  assert.ok(samples >= 3 && heapPeak > 0, `the JS heap was sampled ${samples} times`);
  assert.ok(heapPeak < 24 * MIB, `JS heap peaked at ${(heapPeak / MIB).toFixed(1)} MiB for a ${(bin.length / MIB).toFixed(0)} MiB image`);
});

test("audio decoded by WebAudio builds the same image as its WAV", async () => {
  const want = nativeImage("song.cue");
  const result = await page.evaluate(() => window.buildFromDecodedAudio("song.wav"));
  assert.equal(result.files["image.bin"].sha256, want["image.bin"]);
});

test("errors are Errors with a code", async () => {
  assert.equal(await page.evaluate(() => window.errorCode()), "true sourceLength");
});

test("a page script bundled with esbuild loads the module from next to the bundle", async () => {
  const bundled = await browser.newPage();
  const errors = [];
  bundled.on("pageerror", (e) => errors.push(e));
  try {
    await bundled.goto(`${url}bundle/index.html`);
    await bundled.waitForFunction(() => window.bundled !== undefined, null, { timeout: 30_000 }).catch((e) => {
      throw new Error(`the bundle did not run: ${errors.join("; ") || e.message}`);
    });
    const result = await bundled.evaluate(() => window.bundled);
    assert.deepEqual(result, { version: JSON.parse(readFileSync(join(crate, "pkg", "package.json"))).version, leadout: 300 });
  } finally {
    await bundled.close();
  }
});

test("the README's burn example runs as pasted in the page", async () => {
  const finish = "window.readmeBurn = { seen, result: { mode: result.mode, verified: result.verified } };";
  await page.addScriptTag({ type: "module", content: readmeBurn(finish) });
  await page.waitForFunction(() => window.readmeBurn !== undefined, null, { timeout: 60_000 });
  const { seen, result } = await page.evaluate(() => window.readmeBurn);
  checkReadmeBurn(seen, result);
});
