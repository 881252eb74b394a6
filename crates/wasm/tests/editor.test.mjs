// What a disc editor asks of the package besides the editing API: the full
// TOC the disc will report, the CD-TEXT packs each block takes against the
// 256 a block holds, and the characters a block's code cannot hold.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { fastNoise, importPackage, noise, streamBytes } from "./support.mjs";

let rb;
before(async () => {
  rb = await importPackage();
});

const SECTOR = 2352;

/** Runs `f`, which must throw a package error with `code`. */
function fails(f, code) {
  assert.throws(f, (e) => e instanceof Error && e.code === code, `expected an Error with code ${code}`);
}

describe("expectedFullToc", () => {
  /** Mode 1 data (500 sectors) then audio (400 sectors). */
  function dataThenAudio() {
    const c = new rb.ImageCreator();
    c.addTrack("mode1", fastNoise(500 * 2048, 1));
    c.addTrack("audio", noise(400 * SECTOR, 2));
    return c;
  }

  // READ TOC format 0010b (MMC, READ TOC/PMA/ATIP): length of what follows
  // the length field, first and last session, then 11-byte descriptors:
  // session, ADR/CONTROL, TNO, POINT, MIN, SEC, FRAME, ZERO, PMIN, PSEC,
  // PFRAME, in binary. The data track starts at LBA 0 (00:02:00); its
  // 150-sector postgap and the audio track's 150-sector pregap put the
  // audio at LBA 800 (950 frames, 00:12:50) and the lead-out at LBA 1200
  // (1350 frames, 00:18:00). ADR 1; CONTROL 4 for data, 0 for audio
  // without copy permission. A0: first track, disc type 00h (CD-DA or
  // CD-ROM); A1: last track; A2: lead-out. MIN/SEC/FRAME are zero.
  const expected = [
    [0x00, 0x39, 0x01, 0x01], // 2 + 5 × 11 = 57 bytes follow; session 1 of 1
    [0x01, 0x14, 0x00, 0xa0, 0, 0, 0, 0, 1, 0x00, 0], // first track 1, CD-DA or CD-ROM
    [0x01, 0x10, 0x00, 0xa1, 0, 0, 0, 0, 2, 0, 0], // last track 2 (audio's CONTROL)
    [0x01, 0x10, 0x00, 0xa2, 0, 0, 0, 0, 0, 18, 0], // lead-out 00:18:00
    [0x01, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 2, 0], // track 1 at 00:02:00
    [0x01, 0x10, 0x00, 0x02, 0, 0, 0, 0, 0, 12, 50], // track 2 at 00:12:50
  ].flat();

  test("a data track then an audio track: the bytes MMC lays out", () => {
    const c = dataThenAudio();
    assert.deepEqual([...c.expectedFullToc()], expected);
    assert.ok(c.expectedFullToc() instanceof Uint8Array);
    fails(() => new rb.ImageCreator().expectedFullToc(), "noTracks");
  });

  test("what the recorder reports after a burn", async () => {
    const device = new rb.VirtualUsbDevice({ media: "cd-r" });
    await rb.burn(device, dataThenAudio(), { mode: "sao" });
    // The .ccd of a read lists the full TOC the drive returned, one
    // [Entry] per descriptor.
    const read = await rb.readDisc(device, { format: "ccd" });
    const files = await Promise.all(read.files.map((f) => streamBytes(f.stream)));
    const dump = await read.done;
    const ccd = files[read.files.findIndex((f) => f.type === "ccd")].toString("latin1");
    const entries = [...ccd.matchAll(/\[Entry \d+\]\r?\n((?:\w+=[^\r\n]*\r?\n)+)/g)].map((m) =>
      Object.fromEntries(m[1].trim().split(/\r?\n/).map((l) => l.split("=")).map(([k, v]) => [k, Number(v)])),
    );
    const fromDrive = entries.flatMap((e) => [
      e.Session, (e.ADR << 4) | e.Control, e.TrackNo, e.Point,
      e.AMin, e.ASec, e.AFrame, e.Zero, e.PMin, e.PSec, e.PFrame,
    ]);
    assert.deepEqual(fromDrive, expected.slice(4));
    assert.equal(dump.sessions[0].discType, 0x00);
    assert.equal(dump.sessions[0].leadOut, 1200);
    assert.deepEqual(dump.tracks.map((t) => [t.number, t.control, t.start]), [[1, 4, 0], [2, 0, 800]]);
  });
});

describe("cdTextPacks", () => {
  /** Two audio tracks, with disc and track titles in block 0 and, with `second`, in block 1. */
  function titled(second) {
    const c = new rb.ImageCreator();
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    c.setDiscText("title", "Album");
    c.setTrackText(1, "title", "One");
    c.setTrackText(2, "title", "Two");
    if (second) {
      c.setDiscText("title", "Das Album", 1);
      c.setTrackText(1, "title", "Erstes Lied", 1);
      c.setTrackText(2, "title", "Zweites Lied", 1);
    }
    return c;
  }

  /** The packs in the .cdt of the disc's cue image, by block (bits 4-6 of a pack's byte 3). */
  async function cdtPacks(c) {
    const file = c.createResultImage({ format: "cue" }).files.find((f) => f.name.endsWith(".cdt"));
    const bytes = await streamBytes(file.stream);
    // The READ TOC format 0101b form: the length of what follows it, two
    // zero bytes, then the 18-byte packs.
    assert.equal(bytes.readUInt16BE(0), bytes.length - 2);
    assert.equal(bytes.readUInt16BE(2), 0);
    assert.equal((bytes.length - 4) % 18, 0);
    const blocks = [];
    for (let at = 4; at < bytes.length; at += 18) {
      const block = (bytes[at + 3] >> 4) & 7;
      blocks[block] = (blocks[block] ?? 0) + 1;
    }
    return { total: (bytes.length - 4) / 18, blocks };
  }

  test("one block: the packs of its .cdt", async () => {
    const c = titled(false);
    // "Album\0One\0Two\0", 14 bytes: 2 title packs; TOC information (0x88)
    // for 2 tracks: 2; size information: 3.
    const count = c.cdTextPacks();
    assert.deepEqual(count, { blocks: [7], total: 7, limit: 256 });
    assert.deepEqual(await cdtPacks(c), { total: 7, blocks: [7] });
  });

  test("two blocks: each block's packs in the .cdt", async () => {
    const c = titled(true);
    // Block 1: "Das Album\0Erstes Lied\0Zweites Lied\0", 35 bytes: 3 title
    // packs, then 2 + 3 as in block 0.
    const count = c.cdTextPacks();
    assert.deepEqual(count, { blocks: [7, 8], total: 15, limit: 256 });
    assert.deepEqual(c.cdTextPacks(c.cdText), count);
    assert.deepEqual(await cdtPacks(c), { total: 15, blocks: [7, 8] });
  });

  test("a text too long for a block is counted past the limit, not refused", () => {
    const c = titled(false);
    const before = c.cdTextPacks();
    fails(() => c.setDiscText("title", "x".repeat(3525)), "cdText");
    assert.deepEqual(c.cdTextPacks(), before, "the refused text was not set");
    // 3525 + 1 + 4 + 4 title bytes: 295 packs, + 2 + 3.
    const long = { blocks: [{ disc: { title: "x".repeat(3525) }, tracks: [{ title: "One" }, { title: "Two" }] }] };
    assert.deepEqual(c.cdTextPacks(long), { blocks: [300], total: 300, limit: 256 });
    assert.deepEqual(c.cdText.blocks[0].disc, { title: "Album" }, "counting sets nothing");
    // Without the TOC information packs, one block each.
    const two = { blocks: [long.blocks[0], { disc: { title: "Kurz" } }], tocInfo: false };
    assert.deepEqual(c.cdTextPacks(two), { blocks: [298, 4], total: 302, limit: 256 });
  });

  test("no CD-TEXT, and what cannot be counted", () => {
    const none = { blocks: [], total: 0, limit: 256 };
    assert.deepEqual(new rb.ImageCreator().cdTextPacks(), none);
    const c = new rb.ImageCreator();
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    assert.deepEqual(c.cdTextPacks(), none);
    assert.deepEqual(c.cdTextPacks({ blocks: [] }), none);
    fails(() => new rb.ImageCreator().cdTextPacks({ blocks: [{ disc: { title: "x" } }] }), "noTracks");
    fails(() => c.cdTextPacks({ blocks: [{ charset: "ascii", disc: { title: "Caf\u00e9" } }] }), "cdText");
    fails(() => c.cdTextPacks({ blocks: [{ tracks: [{}, {}] }] }), "cdText");
    fails(() => c.cdTextPacks({ blocks: [{ charset: "utf8" }] }), "invalidArgument");
  });
});

describe("cdTextUnencodable", () => {
  const text = "\u00dcn\u00efc\u00f8d\u00e9 \u2713"; // "Ünïcødé ✓"
  const at = (...pairs) => pairs.map(([index, char]) => ({ index, char }));

  test("what each character code cannot hold, by UTF-16 index", () => {
    const accents = at([0, "\u00dc"], [2, "\u00ef"], [4, "\u00f8"], [6, "\u00e9"], [8, "\u2713"]);
    assert.deepEqual(rb.cdTextUnencodable(text, "ascii"), accents);
    assert.deepEqual(rb.cdTextUnencodable(text, "iso8859_1"), at([8, "\u2713"]));
    // Shift_JIS has no accented Latin letters and no check mark.
    assert.deepEqual(rb.cdTextUnencodable(text, "msJis"), accents);
    // 日本, half-width katakana and the yen sign are Shift_JIS; U+1D11E
    // takes two code units, so the check mark after it is at 8.
    const japanese = "\u65e5\u672c\uff71\u00a5 \u00e9\u{1d11e}\u2713";
    assert.deepEqual(rb.cdTextUnencodable(japanese, "msJis"), at([5, "\u00e9"], [6, "\u{1d11e}"], [8, "\u2713"]));
    assert.deepEqual(
      rb.cdTextUnencodable(japanese, "iso8859_1"),
      at([0, "\u65e5"], [1, "\u672c"], [2, "\uff71"], [6, "\u{1d11e}"], [8, "\u2713"]),
    );
    // ASCII is all of 7 bits, control characters included, but no code
    // holds NUL (it ends a text) or TAB (it stands for the previous track's).
    for (const charset of ["ascii", "iso8859_1", "msJis"]) {
      assert.deepEqual(rb.cdTextUnencodable("a\tb\0\u0001\u007f~", charset), at([1, "\t"], [3, "\0"]), charset);
      assert.deepEqual(rb.cdTextUnencodable("", charset), []);
    }
    assert.deepEqual(rb.cdTextUnencodable("\u007f\u0080\u00ff\u0100", "ascii"), at([1, "\u0080"], [2, "\u00ff"], [3, "\u0100"]));
    assert.deepEqual(rb.cdTextUnencodable("\u007f\u0080\u00ff\u0100", "iso8859_1"), at([3, "\u0100"]));
    fails(() => rb.cdTextUnencodable("x", "utf8"), "invalidArgument");
  });

  test("the setters refuse exactly those characters", () => {
    const c = new rb.ImageCreator();
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    for (const charset of ["ascii", "iso8859_1", "msJis"]) {
      c.cdText = { blocks: [{ charset }] };
      for (const ch of [..."\u00dc\u00e9\u2713\u65e5\uff71\u00a5a", "\u{1d11e}"]) {
        const refused = rb.cdTextUnencodable(ch, charset).length > 0;
        if (refused) fails(() => c.setDiscText("title", ch), "cdText");
        else c.setDiscText("title", ch);
        assert.equal(c.discText("title"), refused ? undefined : ch, `${charset} ${ch}`);
        c.setDiscText("title", null);
      }
    }
  });
});

describe("cdTextCodes", () => {
  test("the languages and genres CD-TEXT codes name", () => {
    const { languages, genres } = rb.cdTextCodes();
    const named = new Map(languages.map((l) => [l.code, l.name]));
    // EBU Tech 3264 codes, and the CD-TEXT genre table (a genre's code is its index).
    assert.equal(named.get(0x09), "English");
    assert.equal(named.get(0x08), "German");
    assert.equal(named.get(0x0f), "French");
    assert.equal(named.get(0x69), "Japanese");
    assert.equal(named.get(0x75), "Chinese");
    assert.equal(new Set(languages.map((l) => l.code)).size, languages.length, "one name a code");
    assert.equal(genres.length, 28);
    assert.equal(genres[0], "Not Used");
    assert.equal(genres[5], "Classical");
    assert.equal(genres[27], "World Music");
  });
});
