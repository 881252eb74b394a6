// The companion client's uploads and downloads. An upload goes in
// acknowledged chunks, a few in flight (what it holds in memory), with the
// SHA-256 of every byte sent; after a dropped connection it goes on from
// the byte the companion stands at, sending again the chunks not yet
// acknowledged. The files of one image are read side by side and kept
// together, so one pass of the renderer feeds them all. A read's files are
// downloaded when their streams are first read.

import { Sha256 } from "../rawburn.js";
import { error, refusal } from "./errors.js";

/** Bytes of an upload chunk at most (the companion takes up to `limits.chunk`). */
const CHUNK = 1 << 20;
/** Chunks of one upload sent and not yet acknowledged, at most: what an upload holds in memory. */
const IN_FLIGHT = 4;
/** Bytes (of the largest file) one upload of an image may read ahead of another. */
const LEAD = 2 << 20;

/**
 * The uploads of one image: read side by side, none more than `LEAD`
 * bytes (of the largest file) ahead of the slowest; one failing stops the
 * others.
 */
export class Batch {
  constructor() {
    this.failure = null;
    this.uploads = [];
    this.waiting = [];
  }

  add(u) {
    this.uploads.push(u);
    if (this.failure) u.fail(this.failure);
  }

  /** Every upload started, to discard once the plan has them. */
  get ids() {
    return this.uploads.map((u) => u.id);
  }

  /** Waits while `u` has read too far ahead of the others. */
  async pace(u) {
    while (!this.failure && this.lead(u) > LEAD) {
      await new Promise((resolve) => this.waiting.push(resolve));
    }
  }

  lead(u) {
    const others = this.uploads.filter((x) => x !== u);
    if (others.length === 0) return 0;
    const slowest = Math.min(...others.map((x) => x.progress()));
    const largest = Math.max(...this.uploads.map((x) => x.file.size));
    return (u.progress() - slowest) * largest;
  }

  /** An upload read further, or failed: the others may go on. */
  moved() {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  fail(e) {
    this.failure ??= e;
    for (const u of this.uploads) u.fail(e);
    this.moved();
  }
}

/** One upload: its chunks in flight until acknowledged, and the hash of every byte sent. */
export class Upload {
  constructor(connection, id, file, batch) {
    this.connection = connection;
    this.id = id;
    this.number = BigInt(String(id).slice(1));
    this.file = file;
    this.batch = batch;
    /** Bytes read from the file's stream. */
    this.read = 0;
    this.hash = new Sha256();
    /** Chunks sent and not acknowledged: `{ offset, end, frame, generation }`. */
    this.window = [];
    this.failure = null;
    this.resuming = false;
    this.wake = null;
    connection.uploads.set(id, this);
  }

  /** Sends the file and ends the upload with its SHA-256; returns its id. */
  async run() {
    try {
      await this.send();
      await this.connection.request({ type: "upload-end", upload: this.id, sha256: this.hash.hex() });
      return this.id;
    } finally {
      this.close();
    }
  }

  /** How far its stream has been read, from 0 to 1 (1 when it is empty). */
  progress() {
    return this.file.size > 0 ? this.read / this.file.size : 1;
  }

  /** Reads the file's stream to its end, sending it in chunks, a few in flight. */
  async send() {
    const piece = Math.min(CHUNK, this.connection.hello?.limits?.chunk ?? CHUNK);
    const reader = this.file.stream.getReader();
    let offset = 0;
    try {
      for (;;) {
        await this.batch.pace(this);
        if (this.failure) throw this.failure;
        const { done, value } = await reader.read();
        if (done) break;
        this.read += value.length;
        this.batch.moved();
        for (let at = 0; at < value.length; at += piece) {
          while (this.window.length >= IN_FLIGHT && !this.failure) await this.changed();
          if (this.failure) throw this.failure;
          const bytes = value.subarray(at, Math.min(value.length, at + piece));
          this.hash.update(bytes);
          const frame = new Uint8Array(16 + bytes.length);
          const header = new DataView(frame.buffer);
          header.setBigUint64(0, this.number);
          header.setBigUint64(8, BigInt(offset));
          frame.set(bytes, 16);
          this.window.push({ offset, end: offset + bytes.length, frame, generation: -1 });
          offset += bytes.length;
          this.flush();
        }
      }
      this.read = this.file.size;
      this.batch.moved();
      while (this.window.length > 0 && !this.failure) await this.changed();
      if (this.failure) throw this.failure;
    } catch (e) {
      reader.cancel(e).catch(() => {});
      throw e;
    }
    if (offset !== this.file.size) {
      throw error("render", `${this.file.name}: the image gave ${offset} bytes, not the ${this.file.size} it said`);
    }
  }

  /** Sends, in order, the chunks not yet sent on this connection. */
  flush() {
    if (this.resuming) return;
    const c = this.connection;
    for (const chunk of this.window) {
      if (chunk.generation === c.generation) continue;
      if (!c.sendBinary(chunk.frame)) return;
      chunk.generation = c.generation;
    }
  }

  /** `uploaded`: the bytes before `offset` are on the companion's disk. */
  acked(offset) {
    this.window = this.window.filter((chunk) => chunk.end > offset);
    this.poke();
  }

  /** An `error` about this upload. */
  refused(message) {
    if (message.code === "offset" && typeof message.offset === "number") {
      // The companion stands elsewhere than the chunk began (it took
      // chunks of a dropped connection late): go on from there.
      this.restartAt(message.offset);
      return;
    }
    this.fail(refusal(message, "upload"));
  }

  /** After a new connection: asks where the upload stands, and sends the rest from there. */
  resume() {
    this.resuming = true;
    this.connection.request({ type: "upload", upload: this.id }).then(
      (state) => {
        this.resuming = false;
        this.restartAt(state.offset);
      },
      (e) => {
        this.resuming = false;
        this.fail(e);
      },
    );
  }

  restartAt(offset) {
    this.window = this.window.filter((chunk) => chunk.end > offset);
    if (this.window.length > 0 && this.window[0].offset !== offset) {
      this.fail(error("companion", `${this.file.name}: the companion stands at byte ${offset}, which was not kept to send again`));
      return;
    }
    for (const chunk of this.window) chunk.generation = -1;
    this.flush();
    this.poke();
  }

  fail(e) {
    this.failure ??= e;
    this.poke();
  }

  changed() {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  poke() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  close() {
    this.connection.uploads.delete(this.id);
    this.hash.free();
  }
}

/** A file of a read job, downloaded when its stream is first read. */
export function download(connection, url) {
  let reader = null;
  return new ReadableStream(
    {
      async pull(controller) {
        if (!reader) {
          const response = await fetch(new URL(url, connection.origin), {
            credentials: "same-origin",
            // Node keeps no cookies; a browser sends its own (and drops this).
            headers: connection.session ? { Cookie: `${connection.cookie}=${connection.session}` } : {},
          });
          if (!response.ok || !response.body) {
            throw error("companion", `${url}: the companion answered ${response.status}: ${(await response.text()).trim()}`, {
              companionCode: String(response.status),
            });
          }
          reader = response.body.getReader();
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The bytes of a (small) stream. */
export async function bytesOf(stream) {
  const chunks = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
