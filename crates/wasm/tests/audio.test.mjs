// Audio files decoded by the package: the same CD PCM as the CLI's decoder
// (the hashes in crates/layout/tests/fixtures/audio/SHA256SUMS, which the
// Rust tests check against sox, flac, lame, oggdec and ffmpeg), from bytes
// and from Blobs, plus tags and errors.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { importPackage, root, sha256 } from "./support.mjs";

const fixtures = join(root, "crates", "layout", "tests", "fixtures", "audio");
const sums = readFileSync(join(fixtures, "SHA256SUMS"), "utf8")
  .trim()
  .split("\n")
  .map((line) => line.split("  "));

let rb;
before(async () => {
  rb = await importPackage();
});

describe("audio files", () => {
  // Lossy formats included: the music-like MP3s (128k, 320k, V0, mono,
  // 22.05 and 48 kHz), AACs and Vorbis files (44.1 and 48 kHz) give the
  // package exactly the CLI's bytes, as the lossless formats do.
  test("every format decodes to the CLI's bytes", async () => {
    assert.equal(sums.length, 25);
    for (const [hash, name] of sums) {
      const bytes = readFileSync(join(fixtures, name));
      const pcm = await rb.decodeAudio(new Uint8Array(bytes), name);
      assert.equal(sha256(pcm), hash, name);
      const fromBlob = await rb.decodeAudio(new Blob([bytes]), name);
      assert.equal(sha256(fromBlob), hash, `${name} as a Blob`);
      const descriptor = await rb.openWav(new Uint8Array(bytes), name);
      assert.equal(descriptor.format, "audio");
      assert.equal(descriptor.length, pcm.length, name);
    }
  });

  test("tracks made from decoded files hold the decoded PCM", async () => {
    const bytes = new Uint8Array(readFileSync(join(fixtures, "s16.mp3")));
    const source = await rb.openAudio(bytes, "s16.mp3");
    assert.equal(source.length, 4086 * 4);
    const pcm = await rb.decodeAudio(bytes, "s16.mp3");
    assert.equal(pcm.length, source.length);
  });

  test("a decoded file's descriptor, given again, is the decoded audio", async () => {
    for (const name of ["s16.flac", "s16.mp3"]) {
      const bytes = readFileSync(join(fixtures, name));
      const pcm = await rb.decodeAudio(new Uint8Array(bytes), name);
      const source = await rb.openAudio(new Blob([bytes]), name);
      const sectors = Math.ceil(pcm.length / 2352);
      const project = {
        sources: [{ path: name, format: "audio" }],
        tracks: [{ sectorType: "audio", data: { source: 0, sectors }, postgap: 300 - sectors }],
      };
      // Twice, as an editor's layout and then its export do.
      for (let round = 0; round < 2; round++) {
        const again = await rb.ImageCreator.fromJSON(project, () => source);
        const bin = again.createResultImage({ format: "cue" }).files.find((f) => f.type === "bin");
        const image = new Uint8Array(await new Response(bin.stream).arrayBuffer());
        const track = image.subarray(0, 300 * 2352);
        const expected = new Uint8Array(300 * 2352);
        expected.set(pcm);
        assert.equal(sha256(track), sha256(expected), `${name}, round ${round + 1}`);
      }
    }
  });

  test("tags and format", async () => {
    const info = await rb.audioInfo(new Uint8Array(readFileSync(join(fixtures, "s16.flac"))), "s16.flac");
    assert.deepEqual(info, {
      codec: "flac",
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 16,
      frames: 4086,
      cdBytes: 4086 * 4,
      tags: {
        title: "Sine One",
        artist: "Test Artist",
        album: "Test Album",
        albumArtist: "Album Artist",
        isrc: "USRC17607839",
        mcn: "4006381333931",
        track: 3,
      },
    });
  });

  test("damaged and unknown files are errors naming the file", async () => {
    const flac = readFileSync(join(fixtures, "s16.flac"));
    await assert.rejects(
      () => rb.decodeAudio(new Uint8Array(flac.subarray(0, flac.length >> 1)), "cut.flac"),
      (e) => e.code === "audioDecode" && /^cut\.flac: .* at 0:00\.\d\d$/.test(e.message),
    );
    await assert.rejects(
      () => rb.openAudio(new Uint8Array(readFileSync(join(fixtures, "three.wav"))), "three.wav"),
      (e) => e.code === "unsupportedAudio" && e.message.startsWith("three.wav: 3 channels"),
    );
  });
});
