// Sample discs shared by the tests: each writes its files into a directory
// and names its input (a cue sheet or a project JSON), which both the
// native `rawburn build` and the package read.

import { fastNoise, noise, wav, writeFiles } from "./support.mjs";

const SECTOR = 2352;

/**
 * Mixed mode, as the README's sample: a Mode 1 data track with a postgap,
 * then two audio tracks from WAV files (ISRC, copy and pre-emphasis flags,
 * an index point, a stored pregap, a WAV that ends inside a sector), a
 * catalog number and CD-TEXT from the sheet.
 */
export function mixed(dir) {
  writeFiles(dir, {
    "data.iso": fastNoise(1000 * 2048, 7),
    "a.wav": wav(noise(700 * SECTOR, 1)),
    "b.wav": wav(noise(520 * SECTOR + 1000, 2)),
    "disc.cue": `CATALOG 0036000291452
PERFORMER "rawburn"
TITLE "Sample Disc"
REM GENRE Rock
FILE "data.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "a.wav" WAVE
  TRACK 02 AUDIO
    TITLE "A 440"
    PERFORMER "Someone Else"
    ISRC USRC17607839
    FLAGS DCP PRE
    PREGAP 00:02:00
    INDEX 01 00:00:00
    INDEX 02 00:05:00
FILE "b.wav" WAVE
  TRACK 03 AUDIO
    TITLE "E 660"
    INDEX 00 00:00:00
    INDEX 01 00:02:00
`,
  });
  return "disc.cue";
}

/**
 * Every other kind of file and track: raw Mode 2 and audio sharing one
 * BIN (the audio's pregap stored in it), big-endian audio (MOTOROLA), Mode 2
 * XA sectors of 2336 bytes, and a CD+G track whose 2448-byte sectors carry
 * R-W subcode.
 */
export function assorted(dir) {
  writeFiles(dir, {
    "mixed.bin": fastNoise((450 + 520) * SECTOR, 11),
    "be.pcm": noise(400 * SECTOR, 12),
    "xa.bin": fastNoise(350 * 2336, 13),
    "karaoke.cdg": cdg(330, 14),
    "disc.cue": `FILE "mixed.bin" BINARY
  TRACK 01 MODE2/2352
    INDEX 01 00:00:00
  TRACK 02 AUDIO
    INDEX 00 00:06:00
    INDEX 01 00:07:45
FILE "be.pcm" MOTOROLA
  TRACK 03 AUDIO
    INDEX 01 00:00:00
FILE "xa.bin" BINARY
  TRACK 04 MODE2/2336
    PREGAP 00:03:00
    INDEX 01 00:00:00
FILE "karaoke.cdg" BINARY
  TRACK 05 CDG
    PREGAP 00:02:00
    INDEX 01 00:00:00
`,
  });
  return "disc.cue";
}

/** CD+G sectors: audio, then 96 bytes of P-W whose R-W bits carry graphics. */
function cdg(sectors, seed) {
  const out = fastNoise(sectors * 2448, seed);
  for (let s = 0; s < sectors; s++) {
    const sub = s * 2448 + SECTOR;
    for (let i = 0; i < 96; i++) out[sub + i] &= 0x3f;
  }
  return out;
}

/**
 * A project JSON with what cue sheets cannot say: hidden track-one audio,
 * a first track number of 5, gapless audio, SCMS, index points, a Mode 2
 * Form 1 track with its subheader, and CD-TEXT in two languages.
 */
export function project(dir) {
  const json = {
    format: 1,
    firstTrack: 5,
    gaplessAudio: true,
    mcn: "4006381333931",
    sources: [
      { path: "hidden.wav", format: "audio" },
      { path: "one.bin" },
      { path: "two.bin" },
      { path: "form1.bin" },
    ],
    specialPregap: { source: 0, offset: 0, sectors: 300 },
    tracks: [
      { sectorType: "audio", data: { source: 1, sectors: 600 }, copy: "scms" },
      { sectorType: "audio", data: { source: 2, sectors: 500 }, copy: "permitted", indexes: [100, 250] },
      {
        sectorType: "mode2Form1",
        subheader: { file: 1, channel: 2, submode: 8, coding: 0 },
        data: { source: 3, sectors: 400 },
      },
    ],
    cdtext: {
      blocks: [
        {
          language: 9,
          disc: { title: "Project Disc", performer: "rawburn" },
          tracks: [{ title: "One" }, { title: "Two", performer: "Guest" }, { title: "Data" }],
        },
        { language: 8, charset: "ascii", disc: { title: "Scheibe" }, tracks: [{ title: "Eins" }] },
      ],
    },
  };
  writeFiles(dir, {
    "hidden.wav": wav(noise(300 * SECTOR, 21)),
    "one.bin": noise(600 * SECTOR, 22),
    "two.bin": noise(500 * SECTOR, 23),
    "form1.bin": fastNoise(400 * 2048, 24),
    "disc.json": JSON.stringify(json, null, 2),
  });
  return "disc.json";
}

export const discs = { mixed, assorted, project };
