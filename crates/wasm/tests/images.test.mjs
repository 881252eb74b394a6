// The package, installed from its tarball, builds the same bytes as the
// native `rawburn build` for every format: .cue/.bin (with .cdt), CloneCD
// .ccd/.img/.sub, cdrdao .toc/.bin, raw images in all four subchannel
// forms, and the project JSON; for mixed mode, CD-TEXT, every track type,
// hidden track-one audio and a CDTEXTFILE. Sources are Blobs read from
// disk , the way a page reads Files.

import assert from "node:assert/strict";
import { readdirSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { discs } from "./discs.mjs";
import { fileSha256, importPackage, loadDisc, native, nativeBinary, streamSha256, tempDir } from "./support.mjs";

let rb;
before(async () => {
  nativeBinary();
  rb = await importPackage();
});

/** Native files `image.*` in `dir`: name → sha256; then removes them. */
function takeNative(dir) {
  const out = {};
  for (const f of readdirSync(dir).filter((f) => f.startsWith("image."))) {
    out[f] = { sha256: fileSha256(join(dir, f)), length: statSync(join(dir, f)).size };
    rmSync(join(dir, f));
  }
  return out;
}

const SUBCHANNELS = [
  ["raw", "raw"],
  ["cooked", "cooked"],
  ["pqOnly", "pq"],
  ["plain", "none"],
];

/**
 * Builds `input` as `format` natively and through the package and
 * compares every file.
 */
async function same(dir, input, format, { imageType, read = "inOrder" } = {}) {
  const args = ["build", input, "-o", `image.${format}`, "-q"];
  const sub = SUBCHANNELS.find(([t]) => t === imageType)?.[1];
  if (sub) args.push("--subchannel", sub);
  native(dir, args);
  const want = takeNative(dir);

  const creator = await loadDisc(rb, dir, input);
  if (imageType) creator.resultingImageType = imageType;
  const image = creator.createResultImage({ format, name: "image", maxBuffer: read === "apart" ? 0 : undefined });
  const files = image.files;
  let got;
  if (read === "together") {
    const sums = await Promise.all(files.map((f) => streamSha256(f.stream)));
    got = Object.fromEntries(files.map((f, i) => [f.name, sums[i]]));
  } else {
    got = {};
    for (const f of files) got[f.name] = await streamSha256(f.stream);
  }
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${input} as ${format}: files`);
  for (const f of files) {
    assert.equal(got[f.name].length, f.size, `${f.name}: size announced`);
    assert.deepEqual(got[f.name], want[f.name], `${input} as ${format}: ${f.name} differs from rawburn build`);
  }
  return image;
}

for (const [name, make] of Object.entries(discs)) {
  describe(`${name} disc: package and rawburn build write the same bytes`, () => {
    const dir = tempDir(`rawburn-${name}-`);
    const input = make(dir);
    for (const format of ["cue", "ccd", "toc", "json"]) {
      test(format, () => same(dir, input, format));
    }
    for (const [imageType] of SUBCHANNELS) {
      test(`raw, ${imageType}`, () => same(dir, input, "raw", { imageType }));
    }
  });
}

describe("CloneCD .img and .sub", () => {
  const dir = tempDir("rawburn-ccd-");
  const input = discs.assorted(dir);
  test("read side by side share one pass", () => same(dir, input, "ccd", { read: "together" }));
  test("read one after the other, each rendered on its own", () => same(dir, input, "ccd", { read: "apart" }));
});

test("a cue sheet with CDTEXTFILE", async () => {
  const dir = tempDir("rawburn-cdt-");
  discs.mixed(dir);
  native(dir, ["cdtext", "disc.cue", "--cdt", "text.cdt"]);
  const sheet = (await readFile(join(dir, "disc.cue"), "utf8"))
    .replace(/^(TITLE|PERFORMER|REM GENRE).*\n/gm, "")
    .replace(/^ {4}(TITLE|PERFORMER) .*\n/gm, "");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(dir, "withcdt.cue"), `CDTEXTFILE "text.cdt"\n${sheet}`);
  const image = await same(dir, "withcdt.cue", "cue");
  assert.ok(image.files.some((f) => f.type === "cdt"), "the cue image carries its .cdt");
  await same(dir, "withcdt.cue", "raw");
});
