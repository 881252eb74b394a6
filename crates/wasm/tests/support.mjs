// Shared by the package tests: the packed package installed into a fresh
// project, the native `rawburn` binary, sample data and hashing.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const crate = dirname(dirname(fileURLToPath(import.meta.url)));
export const root = join(crate, "..", "..");

let installed;

/**
 * Packs pkg/ with `npm pack`, installs the tarball into a new project with
 * `npm install ./rawburn-*.tgz`, and returns that project's directory.
 * Once per test process.
 */
export function installPackage() {
  if (installed) return installed;
  const pkg = join(crate, "pkg");
  if (!readdirSync(crate).includes("pkg")) {
    throw new Error("crates/wasm/pkg is missing: run `npm run build --prefix crates/wasm` first");
  }
  const project = mkdtempSync(join(tmpdir(), "rawburn-user-"));
  execFileSync("npm", ["pack", pkg, "--pack-destination", project, "--silent"], {
    cwd: project,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tarball = readdirSync(project).find((f) => /^rawburn-.*\.tgz$/.test(f));
  if (!tarball) throw new Error("npm pack made no rawburn-*.tgz");
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "rawburn-user", private: true, type: "module" }),
  );
  execFileSync("npm", ["install", `./${tarball}`, "--no-audit", "--no-fund", "--silent"], {
    cwd: project,
    stdio: ["ignore", "ignore", "inherit"],
  });
  // A module of the user's project that imports the package by its name.
  writeFileSync(join(project, "load.mjs"), 'export * from "rawburn";\n');
  installed = project;
  return project;
}

/**
 * Bundles `source` (a module that imports "rawburn") with esbuild, as the
 * README shows: for `platform` ("node" or "browser"), as an ES module, into
 * a new directory of its own with the package's rawburn_bg.wasm copied
 * next to the bundle. Returns that directory (the bundle is `app.js`).
 */
export function esbuildBundle(source, platform) {
  const project = installPackage();
  const entry = join(project, `entry-${platform}.mjs`);
  writeFileSync(entry, source);
  const out = tempDir(`rawburn-esbuild-${platform}-`);
  execFileSync(
    join(crate, "node_modules", ".bin", "esbuild"),
    [entry, "--bundle", `--platform=${platform}`, "--format=esm", `--outfile=${join(out, "app.js")}`, "--log-level=warning"],
    { cwd: project, stdio: ["ignore", "inherit", "inherit"] },
  );
  copyFileSync(join(project, "node_modules", "rawburn", "rawburn_bg.wasm"), join(out, "rawburn_bg.wasm"));
  return out;
}

/** The package as a user's `import ... from "rawburn"` sees it (Node entry). */
export async function importPackage() {
  return import(pathToFileURL(join(installPackage(), "load.mjs")).href);
}

/** The native `rawburn` binary: $RAWBURN, or a release build. */
export function nativeBinary() {
  if (process.env.RAWBURN) return process.env.RAWBURN;
  execFileSync("cargo", ["build", "-j2", "--release", "--quiet", "-p", "rawburn"], {
    cwd: root,
    stdio: "inherit",
  });
  return join(root, "target", "release", "rawburn");
}

/** Runs `rawburn args...` in `dir`; returns stdout. */
export function native(dir, args) {
  return execFileSync(nativeBinary(), args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh temporary directory. */
export function tempDir(prefix = "rawburn-test-") {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `len` pseudo-random bytes from `seed` (xorshift, as the Rust tests). */
export function noise(len, seed) {
  const out = new Uint8Array(len);
  let x = BigInt(seed) | 1n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < len; i++) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    out[i] = Number((x >> 32n) & 0xffn);
  }
  return out;
}

/** Fast deterministic bytes for large files. */
export function fastNoise(len, seed) {
  const out = new Uint8Array(len);
  const words = new Uint32Array(out.buffer, 0, len >> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return out;
}

/** A 16-bit 44.1 kHz stereo WAV holding `pcm`. */
export function wav(pcm) {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(44100, 24);
  header.writeUInt32LE(44100 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.length)]);
}

/** Writes files (name → bytes or text) into `dir`. */
export function writeFiles(dir, files) {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

export function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

export function fileSha256(path) {
  return sha256(readFileSync(path));
}

/** Reads a stream chunk by chunk; returns its sha256 and length. */
export async function streamSha256(stream) {
  const hash = createHash("sha256");
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    length += value.length;
  }
  return { sha256: hash.digest("hex"), length };
}

/** Reads a whole (small) stream. */
export async function streamBytes(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The disc of `input` (a cue sheet or a project JSON) in `dir`, through the package `rb`, its files as Blobs. */
export async function loadDisc(rb, dir, input) {
  const blob = (name) => fileBlob(join(dir, name));
  const text = readFileSync(join(dir, input), "utf8");
  if (input.endsWith(".cue")) return rb.parseCue(text, (name) => blob(name));
  return rb.ImageCreator.fromJSON(text, (source) => blob(source.path));
}

/** A file as a Blob read from disk in slices (Node 20's fs.openAsBlob; in memory before). */
export async function fileBlob(path) {
  return fs.openAsBlob ? fs.openAsBlob(path) : new Blob([readFileSync(path)]);
}

/**
 * The npm README's burn example as a module, as pasted, with what the page
 * around it has: a disc (Mode 1 data and audio), a bar whose values go to
 * `seen`, a place for the time left. `finish` is appended (it sees `seen`
 * and `result`).
 */
export function readmeBurn(finish) {
  const readme = readFileSync(join(crate, "README.md"), "utf8");
  const example = /## Burning[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!example) throw new Error("no example under Burning in crates/wasm/README.md");
  const [imports, ...rest] = example.split("\n");
  if (!/^import .* from "rawburn";$/.test(imports)) throw new Error(`the example starts with ${imports}`);
  const project = JSON.stringify({
    sources: [{ path: "d.iso" }, { path: "a.pcm" }],
    tracks: [
      { sectorType: "mode1", data: { source: 0, sectors: 600 } },
      { sectorType: "audio", data: { source: 1, sectors: 1700 } },
    ],
  });
  const page = [
    'import { ImageCreator as RawburnImageCreator } from "rawburn";',
    `const disc = await RawburnImageCreator.fromJSON(${JSON.stringify(project)},`,
    '  (s) => new Uint8Array(s.path === "d.iso" ? 600 * 2048 : 1700 * 2352));',
    "const seen = [];",
    "const bar = { set value(v) { seen.push({ bar: v }); } };",
    "const eta = { set textContent(t) { seen.at(-1).eta = t; } };",
  ];
  return [imports, ...page, ...rest, finish].join("\n");
}

/** Checks what the README's burn example showed: a SAO burn, verified, its
 * bar within 0..1, moving forward through every phase to 1, a time left. */
export function checkReadmeBurn(seen, result) {
  assert.equal(result.mode, "sao");
  assert.equal(result.verified, true);
  const values = seen.map((s) => s.bar);
  assert.ok(values.every((v) => typeof v === "number" && v >= 0 && v <= 1), JSON.stringify(values));
  assert.ok(values.every((v, i) => i === 0 || v >= values[i - 1]), JSON.stringify(values));
  assert.equal(values[0], 0);
  assert.equal(values.at(-1), 1);
  assert.ok(new Set(values).size > 5, JSON.stringify(values));
  assert.ok(seen.some((s) => /^\d+ s left$/.test(s.eta)), JSON.stringify(seen));
}
