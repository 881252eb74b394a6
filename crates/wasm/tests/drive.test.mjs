// The drive operations through the package: `media`, `blank`, `eject` and
// `tray` run the same `mmc` operations as `rawburn media`, `blank`,
// `eject` and `tray`, over the WebUSB shape of `VirtualUsbDevice`. A disc
// burned the same way on both sides is reported identically.

import assert from "node:assert/strict";
import { openAsBlob } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { importPackage, native, nativeBinary, noise, tempDir, writeFiles } from "./support.mjs";

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
