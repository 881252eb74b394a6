// Runs in the page: builds images from the Files of the input element and
// reads their streams chunk by chunk, hashing as they come, as a page that
// writes them to disk (File System Access) or uploads them would.

import * as rawburn from "rawburn";
import { Sha256 } from "/sha256.js";

const files = () => new Map([...document.querySelector("#files").files].map((f) => [f.name, f]));

/** Reads every file of `image`: sha256, length, chunks, largest chunk; wasm memory at its peak. */
async function consume(image) {
  const out = {};
  let wasmPeak = rawburn.memoryBytes();
  for (const file of image.files) {
    const hash = new Sha256();
    const reader = file.stream.getReader();
    let length = 0;
    let chunks = 0;
    let largest = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      length += value.length;
      chunks += 1;
      largest = Math.max(largest, value.length);
      wasmPeak = Math.max(wasmPeak, rawburn.memoryBytes());
    }
    out[file.name] = { sha256: hash.hex(), length, size: file.size, chunks, largest };
  }
  return { files: out, wasmPeak };
}

window.buildFromCue = async (cueName) => {
  const byName = files();
  const creator = await rawburn.parseCue(await byName.get(cueName).text(), (name) => byName.get(name));
  return consume(creator.createResultImage({ format: "cue", name: "image" }));
};

/** The WAV decoded by WebAudio (at 44.1 kHz), given to the package as an AudioBuffer. */
window.buildFromDecodedAudio = async (wavName) => {
  const bytes = await files().get(wavName).arrayBuffer();
  const audio = await new OfflineAudioContext(2, 1, 44100).decodeAudioData(bytes);
  const creator = new rawburn.ImageCreator();
  creator.addTrack("audio", audio);
  return consume(creator.createResultImage({ format: "cue", name: "image" }));
};

window.errorCode = async () => {
  try {
    new rawburn.ImageCreator().addTrack("audio", files().values().next().value, { sectors: 1e9 });
    return "none";
  } catch (e) {
    return `${e instanceof Error} ${e.code}`;
  }
};

window.ready = true;
