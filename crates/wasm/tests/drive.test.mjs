// The drive operations through the package: `media`, `blank`, `eject` and
// `tray` run the same `mmc` operations as `rawburn media`, `blank`,
// `eject` and `tray`, over the WebUSB shape of `VirtualUsbDevice`. A disc
// burned the same way on both sides is reported identically.

import assert from "node:assert/strict";
import { openAsBlob } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { importPackage, native, nativeBinary, noise, streamBytes, tempDir, writeFiles } from "./support.mjs";

let rb;
before(async () => {
  nativeBinary();
  rb = await importPackage();
});

/** Mode 1 data and an audio track, for a TAO burn left open. */
function disc(dir) {
  writeFiles(dir, {
    "d.iso": noise(600 * 2048, 41),
    "a.pcm": noise(700 * 2352, 42),
    "disc.json": JSON.stringify({
      sources: [{ path: "d.iso" }, { path: "a.pcm" }],
      tracks: [
        { sectorType: "mode1", data: { source: 0, sectors: 600 } },
        { sectorType: "audio", data: { source: 1, sectors: 700 } },
      ],
    }),
  });
  return "disc.json";
}

async function creator(dir, input) {
  return rb.ImageCreator.fromJSON(await readFile(join(dir, input), "utf8"), (s) => openAsBlob(join(dir, s.path)));
}

test("media reports what rawburn media --json reports for the same disc", async () => {
  const dir = tempDir();
  const input = disc(dir);
  const device = new rb.VirtualUsbDevice({ media: "cd-rw", minutes: 80 });
  const blank = await rb.media(device);
  native(dir, ["vdisc", "create", "n.vdisc", "--media", "cd-rw", "--minutes", "80"]);
  assert.deepEqual(blank, JSON.parse(native(dir, ["media", "--virtual", "n.vdisc", "--json"])));
  assert.equal(blank.status, "blank");
  assert.equal(blank.capacity, 359849);
  assert.deepEqual(blank.writeModes, ["raw96r", "raw96p", "raw16", "sao", "tao"]);

  await rb.burn(device, await creator(dir, input), { mode: "tao", finalize: false });
  native(dir, ["burn", input, "--virtual", "n.vdisc", "--mode", "tao", "--multisession", "-q"]);
  const open = await rb.media(device);
  assert.deepEqual(open, JSON.parse(native(dir, ["media", "--virtual", "n.vdisc", "--json"])));
  assert.equal(open.status, "appendable");
  assert.deepEqual(
    open.sessionList[0].tracks.map((t) => [t.number, t.control]),
    [[1, 4], [2, 0]],
  );
  const [last, next] = open.multisession;
  assert.equal(last, 0);
  assert.equal(next, open.sessionList[0].leadOut + 6750 + 4500 + 150);
});

test("blank erases a CD-RW with the drive's progress, and refuses a CD-R", async () => {
  const dir = tempDir();
  const input = disc(dir);
  const device = new rb.VirtualUsbDevice({ media: "cd-rw" });
  await rb.burn(device, await creator(dir, input), { mode: "tao" });
  const events = [];
  const before = await rb.blank(device, { kind: "minimal" }, (e) => events.push(e));
  assert.equal(before.status, "finalized");
  const fractions = events.filter((e) => e.fraction !== null).map((e) => e.fraction);
  assert.ok(fractions.length > 2, JSON.stringify(events));
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), JSON.stringify(fractions));
  assert.equal(fractions.at(-1), 1);
  assert.equal(events.at(-1).action, "done");
  assert.ok(events.every((e) => e.schema === 2 && e.operation === "blank"));
  assert.equal((await rb.media(device)).status, "blank");

  const cdr = new rb.VirtualUsbDevice({ media: "cd-r" });
  await assert.rejects(rb.blank(cdr), {
    code: "unsuitable",
    message: "the disc is a CD-R: only a CD-RW can be blanked",
  });
  await assert.rejects(rb.blank(device, { kind: "most" }), { code: "invalidArgument" });
  await assert.rejects(rb.blank(device, { knd: "full" }), {
    code: "invalidArgument",
    message: /unknown option `knd`/,
  });
  // Aborted before it began: nothing erased.
  await rb.burn(device, await creator(dir, input), { mode: "tao" });
  const stop = new AbortController();
  stop.abort();
  await assert.rejects(rb.blank(device, { kind: "full", signal: stop.signal }), { code: "cancelled" });
  assert.equal((await rb.media(device)).status, "finalized");
});

test("eject, load, lock and unlock the tray", async () => {
  const device = new rb.VirtualUsbDevice({ media: "cd-r" });
  await rb.eject(device);
  const out = await rb.media(device);
  assert.equal(out.disc, false);
  assert.equal(out.trayOpen, true);
  await assert.rejects(rb.blank(device), { code: "noMedium", message: "no disc in the drive (its tray is open)" });
  await rb.tray(device, "load");
  assert.equal((await rb.media(device)).disc, true);
  await rb.tray(device, "lock");
  await rb.tray(device, "unlock");
  await rb.tray(device, "lock");
  await rb.eject(device);
  assert.equal((await rb.media(device)).trayOpen, true);
  await assert.rejects(rb.tray(device, "open"), { code: "invalidArgument" });
});

/** Every file of a `readDisc` result, its streams read side by side. */
async function readAll(read) {
  const bytes = await Promise.all(read.files.map((f) => streamBytes(f.stream)));
  return Object.fromEntries(read.files.map((f, i) => [f.type, bytes[i]]));
}

test("readDisc streams the files rawburn read writes, with the read's progress", async () => {
  const dir = tempDir();
  const input = disc(dir);
  const device = new rb.VirtualUsbDevice({ media: "cd-r" });
  await rb.burn(device, await creator(dir, input), { mode: "sao" });
  native(dir, ["vdisc", "create", "n.vdisc"]);
  native(dir, ["burn", input, "--virtual", "n.vdisc", "--mode", "sao", "-q"]);
  native(dir, ["read", "--virtual", "n.vdisc", "-o", "r.ccd", "-q"]);

  const events = [];
  const read = await rb.readDisc(device, { name: "album" }, (e) => events.push(e));
  assert.deepEqual(
    read.files.map((f) => [f.name, f.type]),
    [["album.ccd", "ccd"], ["album.img", "img"], ["album.sub", "sub"]],
  );
  const files = await readAll(read);
  const dump = await read.done;
  for (const ext of ["ccd", "img", "sub"]) {
    assert.ok(Buffer.from(files[ext]).equals(await readFile(join(dir, `r.${ext}`))), ext);
  }
  const sectors = files.img.length / 2352;
  assert.equal(dump.sectors, sectors);
  assert.equal(files.sub.length, sectors * 96);
  assert.deepEqual(
    dump.tracks.map((t) => [t.number, t.session, t.control, t.mode]),
    [[1, 1, 4, 1], [2, 1, 0, 0]],
  );
  assert.equal(dump.sessions.length, 1);
  assert.equal(dump.sessions[0].leadOut, sectors);
  assert.equal(dump.subchannel, "raw");
  assert.deepEqual(dump.warnings, []);
  // The read's own progress: every field of the schema, forward only,
  // ending with every sector read.
  const reading = events.filter((e) => e.sectorsTotal !== null);
  assert.ok(reading.length > 0, JSON.stringify(events));
  assert.ok(events.every((e) => e.schema === 2 && e.operation === "read"));
  for (const key of ["lba", "sectorsRead", "sectorsTotal", "speed", "retries", "remainingMs", "message"]) {
    assert.ok(events.every((e) => key in e), key);
  }
  const done = reading.map((e) => e.sectorsRead);
  assert.ok(done.every((n, i) => i === 0 || n >= done[i - 1]), JSON.stringify(done));
  const last = events.at(-1);
  assert.equal(last.action, "done");
  assert.equal(last.sectorsRead, sectors);
  assert.equal(last.sectorsTotal, sectors);
  assert.equal(last.fraction, 1);

  // Every other format rawburn read writes, the same files.
  for (const format of ["cue", "toc", "json", "raw"]) {
    native(dir, ["read", "--virtual", "n.vdisc", "-o", `f.${format}`, "-q"]);
    const read = await rb.readDisc(device, { format, name: "f" });
    const files = await Promise.all(read.files.map(async (f) => [f.name, await streamBytes(f.stream)]));
    const dump = await read.done;
    assert.equal(dump.sectors, sectors);
    const want = { cue: ["f.cue", "f.bin"], toc: ["f.toc", "f.bin"], json: ["f.json", "f.img", "f.sub"], raw: ["f.raw"] }[format];
    assert.deepEqual(files.map(([n]) => n), want, format);
    for (const [name, bytes] of files) {
      assert.ok(Buffer.from(bytes).equals(await readFile(join(dir, name))), `${format}: ${name}`);
    }
  }

  // The .img read to its end first, then the .sub and the .ccd: the same
  // bytes.
  const again = await rb.readDisc(device);
  assert.deepEqual(again.files.map((f) => f.name), ["disc.ccd", "disc.img", "disc.sub"]);
  const img = await streamBytes(again.files[1].stream);
  const sub = await streamBytes(again.files[2].stream);
  const ccd = await streamBytes(again.files[0].stream);
  await again.done;
  assert.ok(Buffer.from(img).equals(Buffer.from(files.img)));
  assert.ok(Buffer.from(sub).equals(Buffer.from(files.sub)));
  assert.ok(Buffer.from(ccd).equals(Buffer.from(files.ccd)));
});

test("readDisc refuses what it cannot read, and an abort stops it", async () => {
  const dir = tempDir();
  const input = disc(dir);
  const device = new rb.VirtualUsbDevice({ media: "cd-r" });
  // Blank: nothing to read.
  const blank = await rb.readDisc(device);
  const [failed] = await Promise.allSettled([blank.done, ...blank.files.map((f) => streamBytes(f.stream))]);
  assert.equal(failed.status, "rejected");
  assert.equal(failed.reason.code, "unsuitable");
  assert.equal(failed.reason.message, "the disc is blank: there is nothing to read");
  await assert.rejects(rb.readDisc(device, { format: "iso" }), {
    code: "invalidArgument",
    message: /format `iso`: expected ccd, cue, toc, raw or json/,
  });
  await assert.rejects(rb.readDisc(device, { fromat: "ccd" }), {
    code: "invalidArgument",
    message: /unknown option `fromat`/,
  });

  await rb.burn(device, await creator(dir, input), { mode: "sao" });
  const stop = new AbortController();
  const read = await rb.readDisc(device, { signal: stop.signal }, (e) => {
    if (e.sectorsRead >= 200) stop.abort(new Error("enough"));
  });
  const settled = await Promise.allSettled([read.done, ...read.files.map((f) => streamBytes(f.stream))]);
  for (const s of settled) {
    assert.equal(s.status, "rejected");
    assert.equal(s.reason.name, "AbortError");
    assert.equal(s.reason.code, "cancelled");
    assert.equal(s.reason.cause.message, "enough");
  }
  // A second read of the same disc is whole.
  const whole = await rb.readDisc(device);
  const files = await readAll(whole);
  assert.equal((await whole.done).sectors, files.img.length / 2352);
});

test("readDisc reads every session of a disc as rawburn read does", async () => {
  const dir = tempDir();
  const input = disc(dir);
  writeFiles(dir, {
    "b.pcm": noise(400 * 2352, 43),
    "second.json": JSON.stringify({
      sources: [{ path: "b.pcm" }],
      tracks: [{ sectorType: "audio", data: { source: 0, sectors: 400 } }],
    }),
  });
  const device = new rb.VirtualUsbDevice({ media: "cd-r" });
  await rb.burn(device, await creator(dir, input), { mode: "tao", finalize: false });
  await rb.burn(device, await creator(dir, "second.json"), { mode: "tao" });
  native(dir, ["vdisc", "create", "n.vdisc"]);
  native(dir, ["burn", input, "--virtual", "n.vdisc", "--mode", "tao", "--multisession", "-q"]);
  native(dir, ["burn", "second.json", "--virtual", "n.vdisc", "--mode", "tao", "-q"]);
  native(dir, ["read", "--virtual", "n.vdisc", "-o", "r.ccd", "-q"]);

  const read = await rb.readDisc(device);
  const files = await readAll(read);
  const dump = await read.done;
  for (const ext of ["ccd", "img", "sub"]) {
    assert.ok(Buffer.from(files[ext]).equals(await readFile(join(dir, `r.${ext}`))), ext);
  }
  assert.deepEqual(dump.sessions.map((s) => s.number), [1, 2]);
  const [one, two] = dump.sessions;
  const t3 = dump.tracks.find((t) => t.number === 3);
  assert.equal(t3.session, 2);
  assert.equal(t3.start, one.leadOut + 6750 + 4500 + 150);
  assert.equal(two.firstSector, t3.start);
  assert.equal(dump.sectors, one.leadOut + (two.leadOut - two.firstSector));
  assert.match(new TextDecoder().decode(files.ccd), /Sessions=2/);
  // The package lays out one session: other formats are refused before
  // reading.
  await assert.rejects(rb.readDisc(device, { format: "toc" }), {
    code: "unsuitable",
    message: /the disc has 2 sessions/,
  });

  // Its sheet of two sessions is for rawburn build and burn: an
  // ImageCreator is one session.
  native(dir, ["read", "--virtual", "n.vdisc", "-o", "r.cue", "-q"]);
  await assert.rejects(
    rb.parseCue(await readFile(join(dir, "r.cue"), "utf8"), (name) => openAsBlob(join(dir, name))),
    { code: "cueLayout", message: /the sheet has 2 sessions \(REM SESSION\)/ },
  );
});

test("an exception thrown by onEvent does not stop an operation and is reported after it", async () => {
  const dir = tempDir();
  const input = disc(dir);
  const device = new rb.VirtualUsbDevice({ media: "cd-rw" });
  await rb.burn(device, await creator(dir, input), { mode: "tao" });
  await assert.rejects(
    rb.blank(device, {}, () => {
      throw new Error("the bar broke");
    }),
    (e) => {
      assert.equal(e.code, "onEvent");
      assert.equal(e.cause.message, "the bar broke");
      assert.match(e.message, /the erase went on and succeeded/);
      assert.equal(e.result.status, "finalized");
      return true;
    },
  );
  assert.equal((await rb.media(device)).status, "blank");
  // A read: the files are whole all the same.
  await rb.burn(device, await creator(dir, input), { mode: "tao" });
  const read = await rb.readDisc(device, {}, () => {
    throw new Error("again");
  });
  const [done, ...files] = await Promise.allSettled([read.done, ...read.files.map((f) => streamBytes(f.stream))]);
  assert.equal(done.status, "rejected");
  assert.equal(done.reason.code, "onEvent");
  assert.equal(done.reason.result.sectors, files[1].value.length / 2352);
});
