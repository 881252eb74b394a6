// A CompanionDevice: the package's drive calls through `rawburn serve` (a
// virtual recorder), as a Node program reaches it with the ws package.
// A burn reads back as the image the package builds and ends as the
// WebUSB burn of the same disc does; a connection dropped mid-upload and
// mid-burn is made again with every event delivered once; an abort is an
// AbortError and the disc is what the error says.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, openAsBlob } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { mixed } from "./discs.mjs";
import { importPackage, installPackage, nativeBinary, streamBytes, tempDir } from "./support.mjs";

let rb;
let dir;
let companion;
let exited;
/** The address the companion printed, with its one-time token. */
let address;
/** The first connection, which traded the token for a session. */
let device;

before(async () => {
  rb = await importPackage();
  dir = tempDir("rawburn-companion-");
  mixed(dir);
  companion = spawn(
    nativeBinary(),
    ["serve", "--port", "0", "--virtual", join(dir, "a.vdisc"), "--state-dir", join(dir, "state")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  exited = new Promise((resolve) => companion.once("exit", (code, signal) => resolve({ code, signal })));
  address = await firstLine(companion);
});

after(async () => {
  device?.close();
  // Ctrl-C: it stops (exit 130, as a command stopped by Ctrl-C does).
  companion.kill("SIGINT");
  const { code, signal } = await exited;
  assert.deepEqual({ code, signal }, { code: 130, signal: null });
  // The spool goes with the companion.
  assert.ok(!existsSync(join(dir, "state", "spool", String(companion.pid))));
});

/** The first line the companion prints on stdout: its address. */
function firstLine(child) {
  return new Promise((resolve, reject) => {
    let text = "";
    let errors = "";
    child.stderr.on("data", (d) => {
      errors += d;
    });
    child.stdout.on("data", (d) => {
      text += d;
      const end = text.indexOf("\n");
      if (end >= 0) resolve(text.slice(0, end).trim());
    });
    child.once("exit", (code) => reject(new Error(`rawburn serve exited with ${code}: ${errors}`)));
  });
}

/** The mixed-mode disc of discs.mjs (a data track, two audio tracks, CD-TEXT, an ISRC, a catalog number). */
async function mixedDisc() {
  return rb.parseCue(await readFile(join(dir, "disc.cue"), "utf8"), (name) => openAsBlob(join(dir, name)));
}

/** A WebSocket of the ws package that keeps every socket made and every text message received. */
function recording() {
  const sockets = [];
  const messages = [];
  class Recording extends WebSocket {
    constructor(...args) {
      super(...args);
      const socket = sockets.length;
      sockets.push(this);
      this.addEventListener("message", (e) => {
        if (typeof e.data === "string") messages.push({ socket, message: JSON.parse(e.data) });
      });
    }
  }
  return { Recording, sockets, messages };
}

test("connect with the printed address; the token buys one session, kept for later connections", async () => {
  device = await rb.CompanionDevice.connect(address, { WebSocket });
  assert.equal(device.url, new URL(address).origin);
  assert.match(device.session, /^[0-9a-f]{32,}$/);
  assert.equal(device.drive, "virtual-1");
  assert.equal(device.version, JSON.parse(await readFile(join(installPackage(), "node_modules", "rawburn", "package.json"))).version);
  const [drive] = await device.drives();
  assert.equal(drive.id, "virtual-1");
  assert.equal(drive.kind, "virtual");
  assert.equal(drive.usable, true);

  // The token works once; the session again and again.
  await assert.rejects(rb.CompanionDevice.connect(address, { WebSocket }), { code: "companionConnection", message: /403/ });
  const again = await rb.CompanionDevice.connect(device.url, { WebSocket, session: device.session, drive: "virtual-1" });
  assert.equal((await rb.media(again)).status, "blank");
  again.close();
  await assert.rejects(rb.media(again), { code: "companionConnection" });
  await assert.rejects(rb.CompanionDevice.connect(device.url, { WebSocket, session: device.session, drive: "usb-9" }), {
    code: "companion",
    message: /no drive usb-9/,
  });
  await assert.rejects(rb.CompanionDevice.connect(device.url, { WebSock: WebSocket }), {
    code: "invalidArgument",
    option: "WebSock",
  });

  const m = await rb.media(device);
  assert.equal(m.media, "CD-R");
  assert.equal(m.status, "blank");
  assert.equal(m.disc, true);
});

test("burn a mixed-mode disc with CD-TEXT and verify it: it reads back as the package's CloneCD image", async () => {
  const disc = await mixedDisc();
  const events = [];
  const result = await rb.burn(device, disc, { verify: true }, (e) => events.push(e));

  // As the WebUSB burn of the same disc on the virtual recorder ends.
  const usb = await rb.burn(new rb.VirtualUsbDevice({ media: "cd-r" }), await mixedDisc(), { verify: true });
  const { elapsedMs, drive, ...rest } = result;
  const { elapsedMs: usbElapsed, drive: usbDrive, ...usbRest } = usb;
  assert.deepEqual(rest, usbRest);
  assert.ok(Math.abs(elapsedMs - usbElapsed) < 1, `${elapsedMs} ms, ${usbElapsed} ms`);
  assert.deepEqual({ ...drive, writeSpeeds: [] }, { ...usbDrive, writeSpeeds: [] });
  assert.deepEqual(drive.writeSpeeds, [8467, 7056, 5645, 4234, 2822, 1411, 706]);
  assert.equal(result.verified, true);

  // `rawburn burn --json` events: schema 2, forward only, done at 1.
  assert.ok(events.every((e) => e.schema === 2));
  const fractions = events.map((e) => e.fraction);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), JSON.stringify(fractions));
  assert.equal(events.at(-1).action, "done");
  assert.equal(events.at(-1).fraction, 1);
  assert.ok(events.some((e) => e.action === "verifying"));

  const m = await rb.media(device);
  assert.equal(m.status, "finalized");
  assert.deepEqual(
    m.sessionList[0].tracks.map((t) => [t.number, t.control]),
    [[1, 4], [2, 3], [3, 0]],
  );
  assert.deepEqual(m.cdText.blocks[0].disc, { title: "Sample Disc", performer: "rawburn" });
  assert.deepEqual(m.cdText.blocks[0].tracks, [{}, { title: "A 440", performer: "Someone Else" }, { title: "E 660" }]);

  // Read back as CloneCD: the .img and .sub the package builds for the disc.
  const reading = [];
  const read = await rb.readDisc(device, { name: "back" }, (e) => reading.push(e));
  assert.deepEqual(
    read.files.map((f) => [f.name, f.type]),
    [["back.ccd", "ccd"], ["back.img", "img"], ["back.sub", "sub"]],
  );
  const got = Object.fromEntries(await Promise.all(read.files.map(async (f) => [f.type, await streamBytes(f.stream)])));
  const image = disc.createResultImage({ format: "ccd", name: "x" });
  const want = Object.fromEntries(await Promise.all(image.files.map(async (f) => [f.type, await streamBytes(f.stream)])));
  assert.equal(got.img.length, want.img.length);
  assert.ok(Buffer.from(got.img).equals(Buffer.from(want.img)), ".img differs");
  assert.ok(Buffer.from(got.sub).equals(Buffer.from(want.sub)), ".sub differs");
  assert.match(new TextDecoder().decode(got.ccd), /\[CloneCD\]/);
  const done = await read.done;
  assert.deepEqual(done, { sectors: got.img.length / 2352, retried: 0 });
  assert.ok(reading.every((e) => e.schema === 2 && e.operation === "read"));
  assert.equal(reading.at(-1).sectorsRead, done.sectors);

  // A finalized CD-R: nothing to erase.
  await assert.rejects(rb.blank(device), { code: "unsuitable", exit: 6, message: /only a CD-RW can be blanked/ });
});

test("a connection dropped during the upload and during the burn: every event arrives once, in order", async () => {
  const { Recording, sockets, messages } = recording();
  const dropped = await rb.CompanionDevice.connect(device.url, { WebSocket: Recording, session: device.session });
  await dropped.insert({ media: "cd-rw" });
  // Dropped once two chunks are on the companion's disk...
  let acks = 0;
  sockets[0].addEventListener("message", (e) => {
    if (String(e.data).includes('"type":"uploaded"') && ++acks === 2) sockets[0].close();
  });
  // ...and again after three events of the burn.
  const events = [];
  let droppedAt = null;
  const result = await rb.burn(dropped, await mixedDisc(), { verify: "content" }, (e) => {
    events.push(e);
    if (events.length === 3) {
      droppedAt = sockets.length - 1;
      sockets[droppedAt].close();
    }
  });
  assert.equal(result.verified, true);
  assert.ok(sockets.length >= 3, `${sockets.length} sockets`);

  // The job's messages over every socket: numbered 1..n, each once.
  const job = messages.find((m) => m.message.type === "jobs")?.message.jobs[0].job;
  const numbered = messages.filter((m) => m.message.job === job && ["event", "end"].includes(m.message.type));
  assert.deepEqual(
    numbered.map((m) => m.message.seq),
    numbered.map((_, i) => i + 1),
  );
  assert.equal(numbered.at(-1).message.type, "end");
  assert.deepEqual(events, numbered.slice(0, -1).map((m) => m.message.event));
  // The next socket asked for what came after the last one the dropped
  // socket delivered, and got the rest.
  const before = numbered.filter((m) => m.socket === droppedAt).length;
  assert.ok(before >= 3);
  assert.ok(numbered.slice(0, before).every((m) => m.socket === droppedAt));
  assert.ok(numbered.slice(before).every((m) => m.socket > droppedAt));
  const watch = messages.find((m) => m.message.type === "watch");
  assert.ok(watch.socket > droppedAt);
  assert.equal(watch.message.after, before);
  assert.ok(numbered.length > before);
  dropped.close();

  // The disc is the disc.
  const m = await rb.media(device);
  assert.equal(m.status, "finalized");
  assert.equal(m.media, "CD-RW");
});

test("blank a CD-RW through the companion, with the command's progress", async () => {
  const events = [];
  const before = await rb.blank(device, { kind: "minimal" }, (e) => events.push(e));
  assert.equal(before.status, "finalized");
  assert.ok(events.length > 0 && events.every((e) => e.schema === 2 && e.operation === "blank"));
  assert.equal(events.at(-1).action, "done");
  assert.equal((await rb.media(device)).status, "blank");
  await assert.rejects(rb.blank(device, { knd: "full" }), { code: "invalidArgument", option: "knd" });
  await rb.tray(device, "lock");
  assert.equal((await rb.media(device)).trayOpen, false);
  await rb.tray(device, "unlock");
  await assert.rejects(rb.tray(device, "open"), { code: "invalidArgument" });
  await rb.eject(device);
});

test("an abort: an AbortError, and the disc as the error says", async () => {
  // Before the burn began: nothing reaches the drive.
  await device.insert();
  const reason = new Error("changed my mind");
  const early = new AbortController();
  const stopped = rb.burn(device, await mixedDisc(), { signal: early.signal });
  early.abort(reason);
  await assert.rejects(stopped, (e) => {
    assert.equal(e.name, "AbortError");
    assert.equal(e.code, "cancelled");
    assert.equal(e.cause, reason);
    assert.match(e.message, /the disc is as it was/);
    return true;
  });
  assert.equal((await rb.media(device)).status, "blank");
  assert.equal((await device.drives())[0].job, null);

  // While writing: the command stops at its next safe point and says what the disc holds.
  const late = new AbortController();
  const events = [];
  await assert.rejects(
    rb.burn(device, await mixedDisc(), { signal: late.signal }, (e) => {
      events.push(e);
      if (e.action === "writingTrack") late.abort(reason);
    }),
    (e) => {
      assert.equal(e.name, "AbortError");
      assert.equal(e.code, "cancelled");
      assert.equal(e.cause, reason);
      assert.equal(e.exit, 130);
      assert.match(e.message, /the session is incomplete/);
      return true;
    },
  );
  assert.equal(events.at(-1).action, "cancelled");
  const m = await rb.media(device);
  assert.equal(m.status, "appendable");
  assert.deepEqual(m.sessionList, []);
});

test("a disc over a stream source: its .img and .sub go up side by side, from one pass over it; a throwing onEvent spoils nothing", async () => {
  await device.insert();
  const sectors = 40000;
  let left = sectors * 2352;
  const data = new ReadableStream({
    pull(controller) {
      const n = Math.min(left, 1 << 20);
      if (n === 0) {
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(n).fill(left & 0xff));
      left -= n;
    },
  });
  const disc = new rb.ImageCreator();
  disc.addTrack("audio", { data, length: sectors * 2352 });
  // A progress callback that throws does not stop the burn; it is reported after it.
  const thrown = new Error("a broken progress bar");
  const e = await rb.burn(device, disc, {}, () => {
    throw thrown;
  }).catch((e) => e);
  assert.equal(e.code, "onEvent");
  assert.equal(e.cause, thrown);
  assert.match(e.message, /^onEvent threw: a broken progress bar; the burn went on and succeeded/);
  assert.ok(e.result.sectors > sectors);
  const m = await rb.media(device);
  assert.equal(m.status, "finalized");
  assert.equal(m.sessionList[0].leadOut, sectors);
  assert.ok(rb.memoryBytes() < 32 << 20, `${rb.memoryBytes()} bytes of WebAssembly memory`);
});

test("the uploads' SHA-256 is FIPS 180-4's, however the bytes are sliced", async () => {
  const glue = await import(pathToFileURL(join(installPackage(), "node_modules", "rawburn", "rawburn.js")).href);
  const digest = (...parts) => {
    const h = new glue.Sha256();
    for (const p of parts) h.update(typeof p === "string" ? new TextEncoder().encode(p) : p);
    const hex = h.hex();
    h.free();
    return hex;
  };
  assert.equal(digest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(digest("a", "bc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    digest("abcdbcdecdefdefgefghfghighijhijkijkljklm", "klmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  );
  const million = new Uint8Array(1_000_000).fill(0x61);
  assert.equal(
    digest(million.subarray(0, 63), million.subarray(63, 500_001), million.subarray(500_001)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
  const bytes = createHash("sha256").update("seed").digest();
  const big = new Uint8Array(3 << 20).map((_, i) => bytes[i % 32] ^ (i >> 8));
  assert.equal(
    digest(big.subarray(0, 1), big.subarray(1, 65), big.subarray(65, 1 << 20), big.subarray(1 << 20)),
    createHash("sha256").update(big).digest("hex"),
  );
});
