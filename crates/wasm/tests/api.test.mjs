// The package's API as a user imports it: IMAPI2's creator and track
// rules, CD-TEXT setters, project JSON, every kind of source (byte arrays,
// Blobs, streams, async iterables, WAV, PCM at any rate), and errors with
// stable codes.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { discs } from "./discs.mjs";
import {
  fastNoise,
  fileBlob,
  fileSha256,
  importPackage,
  installPackage,
  native,
  nativeBinary,
  noise,
  streamBytes,
  streamSha256,
  tempDir,
  wav,
} from "./support.mjs";

let rb;
before(async () => {
  nativeBinary();
  rb = await importPackage();
});

const SECTOR = 2352;

/** Runs `f`, which must throw a package error with `code` (and `fields`). */
async function fails(f, code, fields = {}) {
  let error;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, `expected an Error with code ${code}, got ${error}`);
  assert.equal(error.code, code, error.message);
  for (const [k, v] of Object.entries(fields)) assert.equal(error[k], v, `${k} of: ${error.message}`);
  return error;
}

/** sha256 of every file of an image, by name. */
async function image(creator, format) {
  const out = {};
  for (const f of creator.createResultImage({ format }).files) out[f.name] = (await streamSha256(f.stream)).sha256;
  return out;
}

/** A data track and an audio track from `data` and `audio` sources. */
function twoTracks(data, audio, dataOptions, audioOptions) {
  const c = new rb.ImageCreator();
  c.addTrack("mode1", data, dataOptions);
  c.addTrack("audio", audio, audioOptions);
  return c;
}

describe("sources", () => {
  const dataBytes = fastNoise(400 * 2048, 3);
  const audioBytes = noise(350 * SECTOR, 4);
  let reference;
  before(async () => {
    reference = await image(twoTracks(dataBytes, audioBytes), "cue");
  });

  function chunks(bytes, size) {
    const out = [];
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
    return out;
  }

  test("Blob, ArrayBuffer and other views give the same image as Uint8Array", async () => {
    const copy = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
    const cases = [
      [new Blob([dataBytes]), new Blob([audioBytes])],
      [copy(dataBytes), copy(audioBytes)],
      [new DataView(copy(dataBytes)), new Int16Array(copy(audioBytes))],
    ];
    for (const [d, a] of cases) assert.deepEqual(await image(twoTracks(d, a), "cue"), reference);
  });

  test("ReadableStreams and async iterables, with their length", async () => {
    const stream = (bytes) =>
      new ReadableStream({
        start(controller) {
          for (const c of chunks(bytes, 100_003)) controller.enqueue(c);
          controller.close();
        },
      });
    async function* iterate(bytes) {
      for (const c of chunks(bytes, 65_536)) yield c;
    }
    const c1 = twoTracks(
      { data: stream(dataBytes), length: dataBytes.length },
      { data: iterate(audioBytes), length: audioBytes.length },
    );
    assert.deepEqual(await image(c1, "cue"), reference);
    const c2 = twoTracks(stream(dataBytes), iterate(audioBytes), { sectors: 400 }, { sectors: 350 });
    assert.deepEqual(await image(c2, "cue"), reference);
  });

  test("one source, several tracks", async () => {
    const both = new Uint8Array(400 * SECTOR + 350 * SECTOR);
    both.set(noise(400 * SECTOR, 5));
    both.set(audioBytes, 400 * SECTOR);
    const c = new rb.ImageCreator();
    c.addTrack("audio", both, { sectors: 400 });
    c.addTrack("audio", both, { offset: 400 * SECTOR });
    assert.equal(c.toJSON().sources.length, 1);
    assert.equal(c.trackInfo(2).sectorCount, 350);
  });

  test("a stream is read once", async () => {
    const c = new rb.ImageCreator();
    async function* once() {
      yield audioBytes;
    }
    c.addTrack("audio", { data: once(), length: audioBytes.length, format: "binary" });
    const first = c.createResultImage({ format: "cue" }).files.find((f) => f.type === "bin");
    await streamSha256(first.stream);
    const again = c.createResultImage({ format: "cue" }).files.find((f) => f.type === "bin");
    await fails(() => streamSha256(again.stream), "sourceNotSeekable");
  });

  test("a stream shorter than it said fails the image with the place", async () => {
    const c = new rb.ImageCreator();
    c.addTrack("audio", { data: new Blob([audioBytes]).stream(), length: audioBytes.length + 2 * SECTOR });
    const bin = c.createResultImage({ format: "cue" }).files.find((f) => f.type === "bin");
    const e = await fails(() => streamSha256(bin.stream), "sourceLength");
    assert.equal(typeof e.lba, "number");
  });

  test("WAV files: openWav, and the same audio as PCM at 44.1 kHz", async () => {
    const dir = tempDir();
    const pcm = noise(330 * SECTOR + 400, 6);
    writeFileSync(join(dir, "song.wav"), wav(pcm));
    writeFileSync(join(dir, "disc.cue"), 'FILE "song.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    native(dir, ["build", "disc.cue", "-o", "image.cue", "-q"]);
    const want = fileSha256(join(dir, "image.bin"));

    const bin = async (c) => (await image(c, "cue"))["image.bin"];
    const fromBlob = new rb.ImageCreator();
    fromBlob.addTrack("audio", await rb.openWav(await fileBlob(join(dir, "song.wav"))));
    assert.equal(await bin(fromBlob), want);
    const fromBytes = new rb.ImageCreator();
    const desc = await rb.openWav(readFileSync(join(dir, "song.wav")), "song.wav");
    assert.equal(desc.format, "audio");
    assert.equal(desc.length, pcm.length);
    fromBytes.addTrack("audio", desc);
    assert.equal(await bin(fromBytes), want);

    // Decoded to floats as browsers do (s / 32768 in Firefox and Safari), the samples survive.
    const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.length);
    const frames = pcm.length >> 2;
    const left = new Float32Array(frames);
    const right = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = view.getInt16(4 * i, true) / 32768;
      right[i] = view.getInt16(4 * i + 2, true) / 32768;
    }
    const fromPcm = new rb.ImageCreator();
    fromPcm.addTrack("audio", { sampleRate: 44100, channels: [left, right] });
    assert.equal(await bin(fromPcm), want);
    const audioBuffer = { sampleRate: 44100, numberOfChannels: 2, getChannelData: (c) => (c ? right : left) };
    const fromAudioBuffer = new rb.ImageCreator();
    fromAudioBuffer.addTrack("audio", audioBuffer);
    assert.equal(await bin(fromAudioBuffer), want);

    // A FLAC header with nothing behind it is damaged audio.
    await fails(() => rb.openWav(new Uint8Array([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 0])), "audioDecode");
    const surround = wav(noise(1000, 7));
    surround.writeUInt16LE(3, 22);
    await fails(() => rb.openWav(surround), "unsupportedAudio");
  });
});

describe("PCM", () => {
  /** The 16-bit samples of track 1 (the bin from LBA 0). */
  async function samples(audio, sectors) {
    const c = new rb.ImageCreator();
    c.addTrack("audio", audio);
    assert.equal(c.trackInfo(1).sectorCount, sectors);
    const bin = c.createResultImage({ format: "cue" }).files.find((f) => f.type === "bin");
    const bytes = await streamBytes(bin.stream);
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  }

  test("44.1 kHz passes through, rounded and clipped to 16 bits", async () => {
    const given = [0, 0.5, -0.5, 1, -1, 1.5, -1.5, 0.4 / 32767.5, 0.6 / 32767.5, -0.6 / 32767.5, 2.4 / 32767.5, NaN];
    const want = [0, 16384, -16384, 32767, -32768, 32767, -32768, 0, 1, -1, 2, 0];
    const wantRight = [0, -16384, 16384, -32768, 32767, -32768, 32767, 0, -1, 1, -2, 0];
    const left = new Float32Array(300 * 588);
    left.set(given);
    const right = left.map((x) => -x);
    const s = await samples({ sampleRate: 44100, channels: [left, right] }, 300);
    assert.deepEqual(
      Array.from(s.subarray(0, 2 * given.length)),
      want.flatMap((w, i) => [w, wantRight[i]]),
    );
    // The rest is the silence given, and one channel may be given for both.
    assert.ok(s.subarray(2 * given.length).every((x) => x === 0));
    const mono = await samples({ sampleRate: 44100, channels: [left] }, 300);
    for (let i = 0; i < given.length; i++) assert.equal(mono[2 * i], mono[2 * i + 1]);
  });

  test("48 kHz is resampled: a 1 kHz sine stays a 1 kHz sine", async () => {
    const n = 48_000 * 8;
    const sine = new Float32Array(n);
    for (let i = 0; i < n; i++) sine[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48_000);
    // 8 seconds at 44.1 kHz: exactly 600 sectors.
    const s = await samples({ sampleRate: 48_000, channels: [sine, sine] }, 600);
    let worst = 0;
    for (let k = 2000; k < 352_800 - 2000; k++) {
      const want = 0.5 * 32768 * Math.sin((2 * Math.PI * 1000 * k) / 44_100);
      worst = Math.max(worst, Math.abs(s[2 * k] - want), Math.abs(s[2 * k + 1] - want));
    }
    assert.ok(worst <= 1.5, `largest error ${worst} steps`);
  });

  test("bad PCM is refused", async () => {
    const c = new rb.ImageCreator();
    const ch = new Float32Array(1000);
    await fails(() => c.addTrack("audio", { sampleRate: 0, channels: [ch] }), "pcm");
    await fails(() => c.addTrack("audio", { sampleRate: 48000, channels: [ch, ch, ch] }), "pcm");
    await fails(() => c.addTrack("audio", { sampleRate: 48000, channels: [ch, new Float32Array(5)] }), "pcm");
    assert.equal(c.toJSON().sources.length, 0, "a refused source is not kept");
  });
});

describe("IMAPI2's creator and track rules", () => {
  test("properties, track info and the table of contents", () => {
    const c = new rb.ImageCreator({ startingTrackNumber: 3, leadoutLimit: "minutes80" });
    assert.equal(c.numberOfExistingTracks, 0);
    assert.equal(c.startOfLeadoutLimit, 359_849);
    assert.equal(c.resultingImageType, "raw");
    assert.equal(c.addTrack("mode1", fastNoise(500 * 2048, 1)), 1);
    assert.equal(c.addTrack("audio", noise(400 * SECTOR, 2)), 2);
    assert.equal(c.startingTrackNumber, 3);
    const data = c.trackInfo(1);
    const audio = c.trackInfo(2);
    assert.deepEqual([data.trackNumber, data.sectorType, data.startingLba, data.sectorCount], [3, "mode1", 0, 500]);
    assert.equal(data.postgap, 150, "a data track before audio gets a 2-second postgap");
    assert.equal(audio.pregap, 150);
    assert.equal(audio.startingLba, 800);
    assert.equal(c.startOfLeadout, 1200);
    assert.equal(c.lastUsedUserSectorInImage, 1199);

    audio.isrc = "US-RC1-76-07839";
    assert.equal(audio.isrc, "USRC17607839");
    audio.digitalAudioCopySetting = "scms";
    audio.audioHasPreemphasis = true;
    assert.equal(audio.addTrackIndex(100), true);
    assert.equal(audio.addTrackIndex(100), false, "already there");
    assert.deepEqual(audio.trackIndexes, [0, 100]);
    audio.clearTrackIndex(100);
    assert.deepEqual(audio.trackIndexes, [0]);
    audio.pregap = 225;
    assert.equal(c.startOfLeadout, 1275);
    audio.pregap = null;
    assert.equal(c.startOfLeadout, 1200);
    c.mediaCatalogNumber = "0036000291452";
    c.startOfLeadoutLimit = 100_000;
    assert.equal(c.startOfLeadoutLimit, 100_000);

    const toc = c.tableOfContents();
    assert.deepEqual(
      toc.tracks.map((t) => [t.number, t.indexes[0], t.copy, t.isrc]),
      [
        [3, 0, "prohibited", null],
        [4, 800, "scms", "USRC17607839"],
      ],
    );
    assert.equal(toc.leadout, 1200);
    assert.equal(toc.mcn, "0036000291452");
    // The database IDs of that TOC (tracks 3 and 4 at frames 150 and 950,
    // the lead-out at 1350), as MusicBrainz and freedb compute them.
    assert.deepEqual(c.discIds(), {
      musicbrainz: "XoAdb7mPyD_PhXpJz0tbVubzax8-",
      freedb: "05001002",
      musicbrainzToc: "3 4 1350 150 950",
    });
    // READ TOC format 0: length, first and last track, then 8-byte descriptors.
    const bytes = c.expectedTableOfContents();
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    assert.equal(dv.getUint16(0), bytes.length - 2);
    assert.deepEqual([bytes[2], bytes[3]], [3, 4]);
    assert.deepEqual([bytes[4 + 2], dv.getInt32(4 + 4)], [3, 0]);
    assert.deepEqual([bytes[12 + 2], dv.getInt32(12 + 4)], [4, 800]);
    assert.deepEqual([bytes[20 + 2], dv.getInt32(20 + 4)], [0xaa, 1200]);
  });

  test("broken rules are errors with codes, tracks and HRESULTs", async () => {
    const c = new rb.ImageCreator();
    await fails(() => c.startOfLeadout, "noTracks", { hresult: 0x80aa0a03 });
    await fails(() => c.addTrack("mode3", new Uint8Array(2048)), "invalidArgument");
    await fails(() => c.addTrack("mode1", new Uint8Array(1000)), "sourceLength");
    await fails(() => c.addTrack("audio", new Uint8Array(10 * SECTOR)), "trackTooShort", { track: 1 });
    await fails(() => c.addTrack("audio", 42), "invalidArgument");
    await fails(() => c.addTrack("audio", new ReadableStream()), "sourceLength");
    await fails(() => (c.mediaCatalogNumber = "0036000291453"), "invalidIdentifier");
    await fails(() => (c.resultingImageType = "fancy"), "invalidArgument");
    assert.equal(c.toJSON().sources.length, 0, "refused tracks leave no sources behind");
    c.addTrack("mode1", new Uint8Array(300 * 2048));
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    await fails(() => (c.trackInfo(1).isrc = "USRC17607839"), "isrcOnData", { track: 1 });
    await fails(() => c.trackInfo(3), "noSuchTrack");
    await fails(() => c.trackInfo(2).addTrackIndex(5), "indexTooClose", { hresult: 0x80aa0a0a });
    await fails(() => c.trackInfo(2).clearTrackIndex(0), "indexZeroOffset", { hresult: 0x80aa0a09 });
    await fails(() => (c.startingTrackNumber = 2), "tracksAlreadyAdded", { hresult: 0x80aa0a04 });
    await fails(() => (c.startOfLeadoutLimit = 500), "doesNotFit", { hresult: 0x80aa0a05 });
    await fails(() => c.createResultImage({ format: "iso" }), "invalidArgument");
    c.createResultImage({ format: "cue" });
    await fails(() => c.addTrack("audio", new Uint8Array(300 * SECTOR)), "readOnly", { hresult: 0x80aa0a00 });
    await fails(() => (c.trackInfo(2).audioHasPreemphasis = true), "readOnly");
    await fails(() => c.setDiscText("title", "late"), "readOnly");
    assert.equal(c.numberOfExistingTracks, 2);
  });

  test("hidden track-one audio and R-W generator", async () => {
    const c = new rb.ImageCreator();
    await fails(() => c.addSpecialPregap(new Uint8Array(100 * SECTOR)), "specialPregapTooShort");
    c.addSpecialPregap(new Uint8Array(200 * SECTOR));
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    assert.equal(c.trackInfo(1).pregap, 200);
    await fails(() => c.addSpecialPregap(new Uint8Array(200 * SECTOR)), "tracksAlreadyAdded");
    c.resultingImageType = "pqOnly";
    await fails(() => c.addSubcodeRwGenerator(new Uint8Array(96)), "rwNeedsPw");
  });
});

describe("CD-TEXT", () => {
  test("setters and getters", async () => {
    const c = new rb.ImageCreator();
    c.addTrack("audio", new Uint8Array(300 * SECTOR));
    c.setDiscText("title", "Disc");
    c.setTrackText(1, "performer", "Someone");
    c.setDiscText("title", "Scheibe", 1);
    assert.equal(c.discText("title"), "Disc");
    assert.equal(c.discText("title", 1), "Scheibe");
    assert.equal(c.trackText(1, "performer"), "Someone");
    assert.equal(c.trackText(1, "title"), undefined);
    assert.equal(c.cdText.blocks.length, 2);
    await fails(() => c.setDiscText("title", "x", 5), "invalidArgument");
    await fails(() => c.setDiscText("colour", "x"), "invalidArgument");
    await fails(() => c.setTrackText(2, "title", "x"), "noSuchTrack");
    await fails(() => c.setDiscText("title", "日本"), "cdText");
    assert.equal(c.discText("title"), "Disc", "a refused text changes nothing");
    c.setDiscText("title", null);
    assert.equal(c.discText("title"), undefined);
    c.cdText = null;
    assert.equal(c.cdText, null);
  });

  test("set through the API, the disc equals rawburn build of a sheet with the same texts", async () => {
    const dir = tempDir();
    discs.mixed(dir);
    native(dir, ["build", "disc.cue", "-o", "image.raw", "-q"]);
    const want = fileSha256(join(dir, "image.raw"));
    const bare = (await readFile(join(dir, "disc.cue"), "utf8"))
      .split("\n")
      .filter((l) => !/^\s*(TITLE|PERFORMER|REM GENRE)/.test(l))
      .join("\n");
    const c = await rb.parseCue(bare, (name) => fileBlob(join(dir, name)));
    assert.equal(c.cdText, null);
    c.setDiscText("performer", "rawburn");
    c.setDiscText("title", "Sample Disc");
    c.setTrackText(2, "title", "A 440");
    c.setTrackText(2, "performer", "Someone Else");
    c.setTrackText(3, "title", "E 660");
    const text = c.cdText;
    text.blocks[0].genre = { code: 23, text: "" }; // REM GENRE Rock
    c.cdText = text;
    assert.equal((await image(c, "raw"))["image.raw"], want);
  });
});

describe("project JSON and cue sheets", () => {
  test("toJSON and fromJSON round-trip to the same image", async () => {
    const dir = tempDir();
    discs.project(dir);
    const resolve = (s) => fileBlob(join(dir, s.path));
    const a = await rb.ImageCreator.fromJSON(await readFile(join(dir, "disc.json"), "utf8"), resolve);
    const json = JSON.parse(JSON.stringify(a));
    assert.equal(json.firstTrack, 5);
    const b = await rb.ImageCreator.fromJSON(json, resolve);
    assert.deepEqual(await image(b, "ccd"), await image(a, "ccd"));
    await fails(() => rb.ImageCreator.fromJSON("{", resolve), "projectJson");
    await fails(() => rb.ImageCreator.fromJSON({ tracks: [], extra: 1 }, resolve), "projectJson");
    await fails(
      () =>
        rb.ImageCreator.fromJSON(json, () => {
          throw new Error("gone");
        }),
      "sourceRead",
    );
  });

  test("tracks of pieces build the bytes rawburn builds", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.bin"), noise(600 * SECTOR, 3));
    const project = {
      sources: [{ path: "a.bin" }],
      tracks: [
        {
          sectorType: "audio",
          data: [{ source: 0, sectors: 300 }, { generated: 75 }, { source: 0, offset: 400 * SECTOR, sectors: 200 }],
        },
        { sectorType: "mode1", data: [{ generated: 300 }] },
      ],
    };
    writeFileSync(join(dir, "p.json"), JSON.stringify(project));
    native(dir, ["build", "p.json", "-o", "p.ccd", "-q"]);
    const c = await rb.ImageCreator.fromJSON(project, (s) => fileBlob(join(dir, s.path)));
    const got = await image(c, "ccd");
    for (const ext of ["img", "sub"]) assert.equal(got[`image.${ext}`], fileSha256(join(dir, `p.${ext}`)), ext);
    // The pieces stay pieces in the project the creator gives back.
    assert.deepEqual(JSON.parse(JSON.stringify(c)).tracks[0].data, [
      { source: 0, offset: 0, sectors: 300 },
      { generated: 75 },
      { source: 0, offset: 400 * SECTOR, sectors: 200 },
    ]);
  });

  test("sheets as rippers write them, and strict", async () => {
    const none = () => new Uint8Array(1000 * SECTOR);
    const sheet =
      'CATALOG 0000000000000\nFILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    PREGAP 00:00:32\n    ISRC 000000000000\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:02:00\n    FLAGS DCP\n';
    const c = await rb.parseCue(sheet, none);
    // Track 1 after the 150 sectors before LBA 0 and its 32 more, as
    // cdrdao reads it; track 2 is short, which is a warning.
    const toc = c.tableOfContents();
    assert.deepEqual(
      toc.tracks.map((t) => t.indexes[0]),
      [32, 182],
    );
    assert.equal(toc.tracks[0].isrc, null);
    assert.equal(c.mediaCatalogNumber, "");
    assert.match(c.warnings.join("\n"), /ISRC 000000000000 is how drives and rippers write "no ISRC"/);
    assert.match(c.warnings.join("\n"), /track 1: 150 sectors long; the Red Book asks for at least 300/);
    const e = await fails(() => rb.parseCue(sheet, none, { strict: true }), "strict");
    assert.match(e.warnings, /no catalog number/);
    await fails(() => rb.ImageCreator.fromJSON(JSON.parse(JSON.stringify(c)), () => new Uint8Array(1000 * SECTOR), { strict: true }), "strict");
  });

  test("cue sheet errors name the line and column", async () => {
    const none = () => new Uint8Array(300 * SECTOR);
    await fails(
      () => rb.parseCue('FILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  BOGUS 1\n', none),
      "cueSyntax",
      { line: 4, column: 3 },
    );
    await fails(
      () => rb.parseCue('FILE "a.bin" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n', () => new Uint8Array(1000)),
      "cueLayout",
      { line: 3, column: 5 },
    );
    const flac = new Uint8Array([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 0]);
    await fails(
      () => rb.parseCue('FILE "a.flac" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', () => flac),
      "audioDecode",
      { line: 1, column: 6 },
    );
    const c = await rb.parseCue(
      new TextEncoder().encode('TITLE "Caf\u00e9"\nFILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n'),
      none,
    );
    assert.equal(c.discText("title"), "Café");
    const latin1 = new Uint8Array([...new TextEncoder().encode('TITLE "Caf'), 0xe9, ...new TextEncoder().encode('"\nFILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n')]);
    const d = await rb.parseCue(latin1, none);
    assert.equal(d.discText("title"), "Café");
    assert.match(d.warnings.join("\n"), /read as Windows-1252/);
    // A name with Windows-1252's own characters (an en dash, 96h), as a
    // Windows ripper saves it, is asked for as written.
    const asked = [];
    const cp1252 = new Uint8Array([...new TextEncoder().encode('FILE "A '), 0x96, ...new TextEncoder().encode(' B.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n')]);
    await rb.parseCue(cp1252, (name) => {
      asked.push(name);
      return new Uint8Array(300 * SECTOR);
    });
    assert.deepEqual(asked, ["A \u2013 B.bin"]);
  });
});

describe("names in cue sheets", () => {
  test("a name with Windows separators is asked for again with slashes", async () => {
    const asked = [];
    const files = new Map([["Album/track 01.bin", new Uint8Array(300 * SECTOR)]]);
    const c = await rb.parseCue('FILE "Album\\track 01.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', (name, kind) => {
      asked.push([name, kind]);
      return files.get(name);
    });
    assert.deepEqual(asked, [
      ["Album\\track 01.bin", "binary"],
      ["Album/track 01.bin", "binary"],
    ]);
    assert.deepEqual(c.warnings, ['no file is named "Album\\track 01.bin"; using "Album/track 01.bin" (Windows separators)']);
    await fails(() => rb.parseCue('FILE "Album\\gone.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', () => null), "invalidArgument");
  });
});

describe("the package", () => {
  test("its TypeScript declarations have no `any` in the public API", () => {
    const dir = join(installPackage(), "node_modules", "rawburn");
    const index = readFileSync(join(dir, "index.d.ts"), "utf8");
    const api = readFileSync(join(dir, "rawburn.d.ts"), "utf8").split(/^export type InitInput/m)[0];
    for (const [name, text] of [["index.d.ts", index], ["rawburn.d.ts", api]]) {
      // The one `any`: the empty global ReadableStream, which must repeat
      // the DOM's and @types/node's `R = any` to merge with them.
      const lines = text
        .split("\n")
        .filter((l) => /\bany\b/.test(l) && !/^\s*(\*|\/\*\*|\/\/)/.test(l))
        .filter((l) => l.trim() !== "interface ReadableStream<R = any> {}");
      assert.deepEqual(lines, [], `${name} uses any`);
    }
    assert.match(index, /ImageCreator/);
    assert.match(index, /export type \{[^}]*RawburnError/);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.equal(manifest.exports["."].node, "./node.js");
    assert.equal(manifest.exports["."].default, "./index.js");
    assert.equal(manifest.exports["."].types, "./index.d.ts");
  });

  test("exports", () => {
    assert.deepEqual(Object.keys(rb).sort(), [
      "CompanionDevice",
      "ImageCreator",
      "TrackInfo",
      "VirtualUsbDevice",
      "audioInfo",
      "blank",
      "burn",
      "cdTextCodes",
      "cdTextUnencodable",
      "decodeAudio",
      "eject",
      "media",
      "memoryBytes",
      "openAudio",
      "openWav",
      "parseCcd",
      "parseCue",
      "parseToc",
      "readDisc",
      "tray",
      "version",
    ]);
    assert.match(rb.version(), /^\d+\.\d+\.\d+$/);
    assert.ok(rb.memoryBytes() > 0);
  });
});
