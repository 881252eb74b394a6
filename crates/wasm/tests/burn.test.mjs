// Burning through the package: `burn()` drives the write engine over the
// WebUSB shape of `VirtualUsbDevice` (the virtual recorder in wasm). Each
// burn reads back identical to the image the package builds; the event
// stream is the one `rawburn burn --json` prints for the same disc on the
// native virtual drive, object for object; failures reject with their
// stable codes.

import assert from "node:assert/strict";
import { openAsBlob, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { before, describe, test } from "node:test";
import { mixed } from "./discs.mjs";
import { checkReadmeBurn, crate, importPackage, installPackage, readmeBurn, native, nativeBinary, noise, sha256, streamBytes, tempDir, writeFiles } from "./support.mjs";

let rb;
before(async () => {
  nativeBinary();
  rb = await importPackage();
});

const SECTOR = 2352;

/** A disc without CD-TEXT or index points, which every mode can write. */
function plain(dir) {
  writeFiles(dir, {
    "d.iso": noise(600 * 2048, 31),
    "a.pcm": noise(700 * SECTOR, 32),
    "plain.json": JSON.stringify({
      sources: [{ path: "d.iso" }, { path: "a.pcm" }],
      tracks: [
        { sectorType: "mode1", data: { source: 0, sectors: 600 } },
        { sectorType: "audio", data: { source: 1, sectors: 700 } },
      ],
    }),
  });
  return "plain.json";
}

/** The project of `input` in `dir`, its sources Blobs read from disk. */
async function load(dir, input) {
  const blob = (name) => openAsBlob(join(dir, name));
  if (input.endsWith(".cue")) {
    return rb.parseCue(await readFile(join(dir, input), "utf8"), (name) => blob(name));
  }
  return rb.ImageCreator.fromJSON(await readFile(join(dir, input), "utf8"), (source) => blob(source.path));
}

/** The CloneCD .img the package builds: every sector from LBA 0 to the lead-out. */
async function image(dir, input) {
  const creator = await load(dir, input);
  const img = creator.createResultImage({ format: "ccd", name: "x" }).files.find((f) => f.name === "x.img");
  return streamBytes(img.stream);
}

async function burnVirtual(dir, input, options, media = { media: "cd-rw", minutes: 74 }) {
  const device = new rb.VirtualUsbDevice(media);
  const creator = await load(dir, input);
  const events = [];
  const result = await rb.burn(device, creator, options, (e) => events.push(e));
  return { device, creator, events, result };
}

describe("burns on VirtualUsbDevice read back as the image", () => {
  const dir = tempDir();
  const inputs = { mixed: mixed(dir), plain: plain(dir) };
  for (const [mode, disc] of [
    ["raw96r", "mixed"],
    ["sao", "mixed"],
    ["auto", "mixed"],
    ["raw16", "plain"],
    ["raw96p", "plain"],
  ]) {
    test(`${mode}, ${disc} disc, verified`, async () => {
      const want = await image(dir, inputs[disc]);
      const { device, result, events } = await burnVirtual(dir, inputs[disc], { mode, verify: true });
      assert.equal(result.verified, true);
      assert.equal(result.simulated, false);
      assert.equal(result.mode, mode === "auto" ? "raw96r" : mode);
      assert.equal(result.sectors > 0, true);
      const state = device.discState();
      assert.equal(state.status, "finalized");
      assert.equal(state.sessions, 1);
      const sectors = want.length / SECTOR;
      assert.equal(state.leadout, sectors);
      assert.equal(result.lastWrittenLba >= sectors - 1, true);
      const got = device.readSectors(0, sectors);
      assert.equal(sha256(got), sha256(want), "the disc holds the image's sectors");
      assert.equal(events.at(-1).action, "done");
      assert.ok(events.some((e) => e.action === "verifying"));
    });
  }

  test("tao writes the tracks with their run-out", async () => {
    const { device, result } = await burnVirtual(dir, inputs.plain, { mode: "tao", verify: "content" });
    assert.equal(result.verified, true);
    // 600 data sectors, their 150-sector postgap and 2 run-out blocks;
    // the pregap, 700 audio sectors and 2 run-out blocks.
    assert.equal(device.discState().leadout, 600 + 150 + 2 + 150 + 700 + 2);
    const iso = await readFile(join(dir, "d.iso"));
    const data = device.readSectors(0, 600);
    for (let k = 0; k < 600; k += 97) {
      const user = Buffer.from(data.subarray(k * SECTOR + 16, k * SECTOR + 2064));
      assert.ok(user.equals(iso.subarray(k * 2048, (k + 1) * 2048)), `sector ${k}`);
    }
  });
});

test("the event stream equals rawburn burn --json on the native virtual drive", async () => {
  const dir = tempDir();
  const input = mixed(dir);
  native(dir, ["vdisc", "create", "n.vdisc", "--media", "cd-rw", "--minutes", "74"]);
  const lines = native(dir, ["burn", input, "--virtual", "n.vdisc", "--mode", "sao", "--verify", "--json"])
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const { events } = await burnVirtual(dir, input, { mode: "sao", verify: true });
  assert.ok(lines.length > 10, `${lines.length} native events`);
  assert.deepEqual(
    events.map((e) => Object.keys(e).sort()),
    lines.map((e) => Object.keys(e).sort()),
    "the same fields",
  );
  assert.deepEqual(events, lines, "the same events, value for value");
  // And the native disc, read back, is the package's image.
  native(dir, ["read", "--virtual", "n.vdisc", "-o", "n.ccd", "-q"]);
  assert.equal(sha256(await readFile(join(dir, "n.img"))), sha256(await image(dir, input)));
});

describe("failures reject with stable codes", () => {
  const dir = tempDir();
  const input = plain(dir);

  test("simulate leaves the disc blank", async () => {
    const { device, result } = await burnVirtual(dir, input, { simulate: true });
    assert.equal(result.simulated, true);
    assert.equal(device.discState().status, "blank");
  });

  test("a disc that does not fit: capacity, nothing written", async () => {
    writeFiles(dir, { "big.iso": noise(2048, 3) });
    const tracks = Array.from({ length: 20 }, () => ({ sectorType: "mode1", data: { source: 0, sectors: 17000 } }));
    writeFiles(dir, {
      "big.json": JSON.stringify({ sources: [{ path: "big.iso" }], leadoutLimit: "minutes99", tracks }),
    });
    const device = new rb.VirtualUsbDevice({ minutes: 74 });
    const creator = await load(dir, "big.json");
    await assert.rejects(rb.burn(device, creator), {
      code: "capacity",
      needs: 342850,
      holds: 332849,
      message:
        "the disc needs 342850 sectors (76:13:25) up to its lead-out; the media holds 332849 (73:59:74)",
    });
    assert.equal(device.discState().status, "blank");
  });

  test("a speed is one the drive offers, and the result says which", async () => {
    // The virtual drive offers 4x, 8x, 16x, 24x, 32x, 40x and 48x.
    for (const [speed, said] of [
      [45, "at 40x, the fastest the drive offers below the 45x asked for"],
      [400, "at 48x, the drive's fastest (400x asked for)"],
      ["max", null],
      [undefined, null],
    ]) {
      const { result } = await burnVirtual(dir, input, { speed });
      assert.equal(result.speed, said, String(speed));
    }
    const device = new rb.VirtualUsbDevice();
    const creator = await load(dir, input);
    for (const speed of [0, -1, 2.5, "fast", "48x"]) {
      await assert.rejects(rb.burn(device, creator, { speed }), {
        code: "invalidArgument",
        message: '`speed` must be a whole number of 1x from 1, or "max"',
      });
    }
    assert.equal(device.discState().status, "blank");
  });

  test("a burned disc is not blank", async () => {
    const { device } = await burnVirtual(dir, input, {});
    await assert.rejects(rb.burn(device, await load(dir, input)), { code: "notBlank" });
  });

  test("a medium error while writing names the command and what the drive confirmed", async () => {
    const device = new rb.VirtualUsbDevice({ faults: { faults: [{ lba: 500, fault: "mediumError" }] } });
    const err = await rb.burn(device, await load(dir, input), { mode: "sao" }).then(
      () => assert.fail("the burn succeeded"),
      (e) => e,
    );
    assert.equal(err.code, "drive");
    assert.equal(err.phase, "writing");
    assert.match(err.command, /^WRITE/);
    assert.equal(err.sense, "3/0C/00");
    assert.ok(err.lastWrittenLba < 500, `${err.lastWrittenLba}`);
    assert.equal(err.disc, "incomplete");
    assert.equal(device.discState().status, "damaged");
  });

  test("a device that vanishes: transport", async () => {
    const device = new rb.VirtualUsbDevice({ faults: { faults: [{ command: "WRITE(10)", nth: 5, fault: "disconnect" }] } });
    await assert.rejects(rb.burn(device, await load(dir, input), { mode: "sao" }), (e) => {
      assert.equal(e.code, "transport");
      assert.equal(e.disc, "unknown");
      assert.match(e.message, /disconnected/);
      return true;
    });
  });

  test("calibration refused: nothing written, the drive says blank", async () => {
    const device = new rb.VirtualUsbDevice({
      faults: { faults: [{ command: "SEND OPC INFORMATION", fault: { unitAttention: [3, 115, 3] } }] },
    });
    await assert.rejects(rb.burn(device, await load(dir, input), { mode: "sao" }), (e) => {
      assert.equal(e.code, "drive");
      assert.equal(e.sense, "3/73/03");
      assert.equal(e.disc, "blank");
      return true;
    });
    assert.equal(device.discState().status, "blank");
  });

  test("a read-back that fails: verifyIncomplete", async () => {
    const device = new rb.VirtualUsbDevice({
      faults: { faults: [{ command: "READ CD", nth: 2, fault: { unitAttention: [3, 17, 0] } }] },
    });
    await assert.rejects(rb.burn(device, await load(dir, input), { mode: "sao", verify: true }), {
      code: "verifyIncomplete",
      lba: 26,
    });
  });

  test("a stall on data and a device that stops answering are recovered", async () => {
    const device = new rb.VirtualUsbDevice({
      faults: {
        faults: [
          { command: "INQUIRY", fault: "stallData" },
          { command: "READ DISC INFORMATION", fault: "noAnswer" },
          { command: "MODE SENSE(10)", fault: "stallCsw" },
        ],
      },
    });
    const result = await rb.burn(device, await load(dir, input), { mode: "sao", verify: true });
    assert.equal(result.verified, true);
  });

  test("aborting the signal cancels at a safe point: an AbortError with the signal's reason", async () => {
    const device = new rb.VirtualUsbDevice();
    const abort = new AbortController();
    const reason = new Error("the window was closed");
    const events = [];
    const err = await rb
      .burn(device, await load(dir, input), { mode: "sao", signal: abort.signal }, (e) => {
        events.push(e);
        if (e.action === "writingTrack") abort.abort(reason);
      })
      .then(
        () => assert.fail("the burn succeeded"),
        (e) => e,
      );
    assert.ok(err instanceof Error);
    assert.equal(err.name, "AbortError");
    assert.equal(err.code, "cancelled");
    assert.equal(err.cause, reason);
    assert.match(err.message, /^cancelled: after lba -?\d+: the session is incomplete; a CD-R is unusable, a CD-RW can be blanked/);
    assert.equal(events.at(-1).action, "cancelled");

    // Aborted without a reason: the signal's own (an AbortError DOMException).
    const bare = new AbortController();
    bare.abort();
    await assert.rejects(rb.burn(new rb.VirtualUsbDevice(), await load(dir, input), { signal: bare.signal }), (e) => {
      assert.equal(e.name, "AbortError");
      assert.equal(e.code, "cancelled");
      assert.equal(e.cause, bare.signal.reason);
      assert.match(e.message, /^cancelled: before writing: the disc is unchanged$/);
      return true;
    });
  });

  test("an onEvent that throws does not stop the burn; the promise says so and keeps the result", async () => {
    const device = new rb.VirtualUsbDevice();
    const first = new TypeError("bar is undefined");
    let calls = 0;
    const err = await rb
      .burn(device, await load(dir, input), { mode: "sao", verify: true }, () => {
        calls += 1;
        throw calls === 1 ? first : new Error("later");
      })
      .then(
        () => assert.fail("the burn resolved though onEvent threw"),
        (e) => e,
      );
    assert.ok(err instanceof Error);
    assert.equal(err.code, "onEvent");
    assert.equal(err.cause, first);
    assert.equal(
      err.message,
      "onEvent threw: bar is undefined; the burn went on and succeeded (its result is the error's `result`)",
    );
    assert.ok(calls > 3, `${calls} events`);
    // The disc is whole and read back: the callback's bug spoilt nothing.
    assert.equal(err.result.verified, true);
    assert.equal(err.result.mode, "sao");
    assert.equal(device.discState().status, "finalized");
    assert.equal(err.burnError, undefined);
  });

  test("an onEvent that throws during a failed burn: the burn's own error is kept", async () => {
    const device = new rb.VirtualUsbDevice({ faults: { faults: [{ lba: 500, fault: "mediumError" }] } });
    const err = await rb
      .burn(device, await load(dir, input), { mode: "sao" }, () => {
        throw "a string";
      })
      .then(
        () => assert.fail("the burn succeeded"),
        (e) => e,
      );
    assert.equal(err.code, "onEvent");
    assert.equal(err.cause, "a string");
    assert.equal(err.result, undefined);
    assert.equal(err.burnError.code, "drive");
    assert.equal(err.burnError.sense, "3/0C/00");
    assert.equal(err.burnError.disc, "incomplete");
    assert.match(err.message, /^onEvent threw: a string; the burn went on and failed: .* \(the error's `burnError`\)$/);
  });

  test("onEvent must be a function and signal an AbortSignal, checked before the plan is frozen", async () => {
    const device = new rb.VirtualUsbDevice();
    const creator = await load(dir, input);
    await assert.rejects(rb.burn(device, creator, {}, { onEvent() {} }), {
      code: "invalidArgument",
      message: "onEvent must be a function",
    });
    await assert.rejects(rb.burn(device, creator, { signal: true }), {
      code: "invalidArgument",
      message: "`signal` must be an AbortSignal",
    });
    creator.gaplessAudio = true;
    assert.equal(device.discState().status, "blank");
  });

  test("bad options and a device without mass storage", async () => {
    const device = new rb.VirtualUsbDevice();
    const creator = await load(dir, input);
    await assert.rejects(rb.burn(device, creator, { mode: "dao" }), { code: "invalidArgument" });
    await assert.rejects(rb.burn(device, creator, { verify: "yes" }), { code: "invalidArgument" });
    const hid = {
      opened: true,
      configuration: { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternate: { interfaceClass: 3, interfaceSubclass: 0, interfaceProtocol: 0, endpoints: [] } }] },
    };
    await assert.rejects(rb.burn(hid, creator), { code: "usbInterface" });
    assert.throws(() => new rb.VirtualUsbDevice({ minutes: 60 }), { code: "invalidArgument" });
  });

  test("the plan is frozen by a burn", async () => {
    const { creator } = await burnVirtual(dir, input, { simulate: true });
    const info = creator.trackInfo(1);
    assert.throws(() => {
      info.isrc = "USRC17607839";
    }, { code: "readOnly" });
  });
});

test("the README's fault plan is one VirtualUsbDevice takes, and bad plans are refused", async () => {
  const readme = readFileSync(join(crate, "README.md"), "utf8");
  const example = /## Fault plans[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "no example under Fault plans");
  const device = new Function("VirtualUsbDevice", `${example}\nreturn device;`)(rb.VirtualUsbDevice);
  assert.equal(device.discState().status, "blank");
  for (const [fault, message] of [
    [{ command: "INQUIRY", fault: "mediumError" }, "fault 0: mediumError, powerCalibration and underrun need an lba"],
    [{ lba: 10, fault: "cswTag" }, "fault 0: only mediumError, powerCalibration and underrun fire at an lba"],
    [{ lba: 10, nth: 2, fault: "underrun" }, "fault 0: a fault fires at an lba or on a command, not both"],
    [{ command: "INQUIRY", nth: 0, fault: "cswTag" }, "fault 0: nth counts from 1"],
    [{ command: "FORMAT UNIT", fault: "cswTag" }, "unknown command"],
    [{ fault: "meltdown" }, "unknown variant"],
  ]) {
    assert.throws(() => new rb.VirtualUsbDevice({ faults: { faults: [fault] } }), (e) => {
      assert.equal(e.code, "faultPlan");
      assert.ok(e.message.includes(message), e.message);
      return true;
    });
  }
});

test("VirtualUsbDevice keeps WebUSB's rules", async () => {
  const d = new rb.VirtualUsbDevice();
  await assert.rejects(d.transferIn(1, 13), { name: "InvalidStateError" });
  await d.open();
  await d.claimInterface(0);
  await assert.rejects(d.transferIn(3, 13), { name: "NotFoundError" });
  // Get Max LUN: one LUN.
  const lun = await d.controlTransferIn({ requestType: "class", recipient: "interface", request: 0xfe, value: 0, index: 0 }, 1);
  assert.equal(lun.status, "ok");
  assert.deepEqual([...new Uint8Array(lun.data.buffer, lun.data.byteOffset, lun.data.byteLength)], [0]);
  // TEST UNIT READY: CBW out, CSW in (unit attention after power-on: status 1).
  const cbw = new Uint8Array(31);
  new DataView(cbw.buffer).setUint32(0, 0x43425355, true);
  new DataView(cbw.buffer).setUint32(4, 7, true);
  cbw[14] = 6;
  const out = await d.transferOut(2, cbw);
  assert.deepEqual({ ...out }, { bytesWritten: 31, status: "ok" });
  const csw = await d.transferIn(1, 13);
  const v = csw.data;
  assert.equal(v.byteLength, 13);
  assert.equal(v.getUint32(0, true), 0x53425355);
  assert.equal(v.getUint32(4, true), 7);
  assert.equal(v.getUint8(12), 1);
});

test("the README's burn example runs as pasted: a bar within 0..1 that moves forward through every phase", async () => {
  const project = installPackage();
  const file = join(project, "readme-burn.mjs");
  writeFileSync(file, readmeBurn("export { seen, result };"));
  const { seen, result } = await import(pathToFileURL(file).href);
  checkReadmeBurn(seen, result);
});
