// parseToc and parseCcd: a disc the package writes as a cdrdao .toc/.bin or
// a CloneCD .ccd/.img/.sub reads back as the same disc (table of contents,
// CD-TEXT, and every byte of its .cue/.bin), and as `rawburn build` reads
// those files; errors name the line and column, or the file.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { discs } from "./discs.mjs";
import {
  fileBlob,
  fileSha256,
  importPackage,
  loadDisc,
  native,
  nativeBinary,
  streamBytes,
  streamSha256,
  tempDir,
  wav,
} from "./support.mjs";

const SECTOR = 2352;

let rb;
before(async () => {
  nativeBinary();
  rb = await importPackage();
});

/** Writes `creator`'s image as `format` into `dir` (files `image.*`); returns its warnings. */
async function write(creator, dir, format) {
  const image = creator.createResultImage({ format, name: "image" });
  for (const f of image.files) writeFileSync(join(dir, f.name), await streamBytes(f.stream));
  return image.warnings;
}

/** The sha256 of each file of `creator`'s image as `.cue` (`again.cue`, `again.bin`, `again.cdt`). */
async function cueImage(creator) {
  const out = {};
  for (const f of creator.createResultImage({ format: "cue", name: "again" }).files) {
    out[f.name] = (await streamSha256(f.stream)).sha256;
  }
  return out;
}

/** Reads `image.toc` or `image.ccd` of `dir` back with Blobs of its files; records what was asked for. */
async function readBack(dir, format, asked = []) {
  const text = readFileSync(join(dir, `image.${format}`), "utf8");
  const resolve = (name, kind) => {
    asked.push([name, kind]);
    return fileBlob(join(dir, name));
  };
  return format === "toc" ? rb.parseToc(text, resolve) : rb.parseCcd(text, resolve, { name: "image.ccd" });
}

// A toc file cannot hold the project disc: it numbers tracks from 1 and has
// no SCMS. Its hidden track-one audio is before LBA 0, where neither image
// (nor a .bin) starts; the image's warnings say so.
const HIDDEN = "the first 150 sectors of the hidden track-one audio (lba -150..-1) are not stored";
const ROUND_TRIPS = [
  ["mixed", ["toc", "ccd"], []],
  ["assorted", ["toc", "ccd"], []],
  ["project", ["ccd"], [`a clonecd image starts at lba 0: ${HIDDEN}`]],
];

for (const [name, formats, lost] of ROUND_TRIPS) {
  describe(`${name} disc read back from its image`, () => {
    const dir = tempDir(`rawburn-import-${name}-`);
    const input = discs[name](dir);
    for (const format of formats) {
      test(format, async () => {
        const original = await loadDisc(rb, dir, input);
        assert.deepEqual(await write(original, dir, format), lost);
        const asked = [];
        const again = await readBack(dir, format, asked);
        if (format === "ccd") {
          assert.deepEqual(asked, [
            ["image.img", "img"],
            ["image.sub", "sub"],
          ]);
        } else {
          assert.ok(asked.every(([n]) => n === "image.bin"), JSON.stringify(asked));
        }
        assert.deepEqual(again.tableOfContents(), original.tableOfContents());
        assert.deepEqual(again.cdText, original.cdText);
        const files = await cueImage(original);
        assert.ok(files["again.bin"]);
        assert.deepEqual(await cueImage(again), files);
      });
    }
  });
}

describe("rawburn build reads the same images", () => {
  const dir = tempDir("rawburn-import-native-");
  const input = discs.mixed(dir);
  for (const format of ["toc", "ccd"]) {
    test(format, async () => {
      await write(await loadDisc(rb, dir, input), dir, format);
      native(dir, ["build", `image.${format}`, "-o", `native-${format}.cue`, "-q"]);
      const again = await cueImage(await readBack(dir, format));
      assert.equal(again["again.bin"], fileSha256(join(dir, `native-${format}.bin`)));
    });
  }
});

describe("what the files are asked for", () => {
  test("toc files: as written, by how their bytes are read", async () => {
    const asked = [];
    const c = await rb.parseToc(
      'CD_DA\nTRACK AUDIO\nFILE "a.wav" 0\nTRACK AUDIO\nFILE "be.pcm" 0\nTRACK AUDIO\nFILE "le.pcm" SWAP 0\nTRACK MODE1\nDATAFILE "d.iso"\n',
      (name, kind) => {
        asked.push([name, kind]);
        if (name === "d.iso") return new Uint8Array(300 * 2048);
        return name === "a.wav" ? wav(new Uint8Array(300 * SECTOR)) : new Uint8Array(300 * SECTOR);
      },
    );
    assert.deepEqual(asked, [
      ["a.wav", "audio"],
      ["be.pcm", "motorola"],
      ["le.pcm", "binary"],
      ["d.iso", "binary"],
    ]);
    assert.equal(c.numberOfExistingTracks, 4);
  });

  test("a control file's .img and .sub: after options.name, the .sub optional", async () => {
    const dir = tempDir("rawburn-import-names-");
    await write(await loadDisc(rb, dir, discs.mixed(dir)), dir, "ccd");
    const text = readFileSync(join(dir, "image.ccd"));
    const asked = [];
    const c = await rb.parseCcd(text, (name, kind) => {
      asked.push([name, kind]);
      return name === "Album.img" ? fileBlob(join(dir, "image.img")) : null;
    }, { name: "Album.CCD" });
    assert.deepEqual(asked, [
      ["Album.img", "img"],
      ["Album.sub", "sub"],
    ]);
    assert.deepEqual(c.warnings, ["Album.sub: resolveFile gave nothing for it; R-W subcode and SCMS are not read"]);
    assert.deepEqual(c.toJSON().sources.map((s) => s.path), ["Album.img"]);
    const d = await rb.parseCcd(text, (name) => (name === "image.img" ? fileBlob(join(dir, "image.img")) : undefined));
    assert.equal(d.numberOfExistingTracks, 3);
  });
});

describe("errors", () => {
  const bytes = () => new Uint8Array(300 * SECTOR);

  test("syntax errors name the line and column", async () => {
    await assert.rejects(rb.parseToc('CD_DA\n\nTRACK AUDI\n', bytes), {
      code: "tocSyntax",
      line: 3,
      column: 7,
      message: /^toc file, line 3, column 7: expected a track mode/,
    });
    await assert.rejects(rb.parseCcd("[CloneCD]\nVersion=3\nnot ini\n", bytes), {
      code: "ccdSyntax",
      line: 3,
      column: 1,
      message: 'control file, line 3, column 1: expected a [section] or key=value, found "not ini"',
    });
    await assert.rejects(rb.parseCcd("[Disc]\nSessions=1\n", bytes), { code: "ccdSyntax", line: 1, column: 1 });
  });

  test("a disc that cannot be laid out names the line, the column and the file", async () => {
    await assert.rejects(rb.parseToc('CD_DA\nTRACK AUDIO\nFILE "a.bin" 00:10:00\n', bytes), {
      code: "tocLayout",
      line: 3,
      column: 1,
      source: "a.bin",
      message: "toc file cannot be laid out: line 3, column 1: a.bin: starts at byte 1764000, after its end (705600 bytes)",
    });
  });

  test("a missing file is named", async () => {
    await assert.rejects(rb.parseToc('CD_DA\nTRACK AUDIO\nFILE "gone.bin" 0\n', () => undefined), {
      code: "invalidArgument",
      source: "gone.bin",
      message: "resolveFile gave nothing for gone.bin",
    });
    const dir = tempDir("rawburn-import-missing-");
    await write(await loadDisc(rb, dir, discs.mixed(dir)), dir, "ccd");
    await assert.rejects(rb.parseCcd(readFileSync(join(dir, "image.ccd"), "utf8"), () => null, { name: "lost.ccd" }), {
      code: "invalidArgument",
      source: "lost.img",
      message: "resolveFile gave nothing for lost.img",
    });
  });

  test("a CloneCD image of several sessions is refused", async () => {
    const dir = tempDir("rawburn-import-sessions-");
    await write(await loadDisc(rb, dir, discs.mixed(dir)), dir, "ccd");
    const text = `${readFileSync(join(dir, "image.ccd"), "utf8")}\n[Entry 99]\nSession=2\nPoint=0xa0\nADR=0x01\nControl=0x04\nPMin=5\nPSec=0\nPFrame=0\n`;
    await assert.rejects(rb.parseCcd(text, (name) => fileBlob(join(dir, name))), {
      code: "ccdLayout",
      message: /the image has 2 sessions; an ImageCreator holds one/,
    });
  });

  test("data read to lay the disc out must not be a stream", async () => {
    const dir = tempDir("rawburn-import-stream-");
    await write(await loadDisc(rb, dir, discs.mixed(dir)), dir, "ccd");
    const img = readFileSync(join(dir, "image.img"));
    await assert.rejects(
      rb.parseCcd(readFileSync(join(dir, "image.ccd"), "utf8"), (name, kind) =>
        kind === "img" ? { data: new Blob([img]).stream(), length: img.length } : fileBlob(join(dir, name)),
      ),
      { code: "sourceNotSeekable", source: "image.img" },
    );
  });

  test("strict refuses what departs from a rule", async () => {
    const toc = 'CATALOG "0000000000000"\nCD_DA\nTRACK AUDIO\nFILE "a.bin" 0\n';
    const c = await rb.parseToc(toc, bytes);
    assert.match(c.warnings.join("\n"), /no catalog number/);
    await assert.rejects(rb.parseToc(toc, bytes, { strict: true }), { code: "strict" });
  });
});
