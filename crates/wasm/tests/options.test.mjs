// Options objects: every function and constructor that takes one refuses
// a key it does not know (a misspelt `verify` must not silently skip the
// read-back), naming the key and the keys it takes; every key the typings
// declare is taken.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { importPackage, installPackage } from "./support.mjs";

let rb;
before(async () => {
  rb = await importPackage();
});

const DATA = new Uint8Array(300 * 2048);
const AUDIO = new Uint8Array(300 * 2352);
const CUE = 'FILE "a.bin" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n';
const TOC = 'CD_ROM\nTRACK MODE1\nDATAFILE "a.bin"\n';
const CCD = "[CloneCD]\nVersion=3\n";
const PROJECT = { sources: [{ path: "a.bin" }], tracks: [{ sectorType: "mode1", data: { source: 0, sectors: 300 } }] };

function disc() {
  const c = new rb.ImageCreator();
  c.addTrack("mode1", DATA);
  return c;
}

/** Each entry point with options: a call taking `options` (sync or async). */
const entryPoints = {
  ImageCreatorOptions: (o) => new rb.ImageCreator(o),
  SpanOptions: (o) => new rb.ImageCreator().addTrack("mode1", DATA, o),
  "SpanOptions (addSpecialPregap)": (o) => new rb.ImageCreator().addSpecialPregap(AUDIO, o),
  OffsetOptions: (o) => new rb.ImageCreator({ imageType: "raw" }).addSubcodeRwGenerator(new Uint8Array(96), o),
  ResultImageOptions: (o) => disc().createResultImage({ ...o, format: "cue" }),
  "ReadOptions (fromJSON)": (o) => rb.ImageCreator.fromJSON(PROJECT, () => DATA, o),
  "ReadOptions (parseCue)": (o) => rb.parseCue(CUE, () => DATA, o),
  "ReadOptions (parseToc)": (o) => rb.parseToc(TOC, () => DATA, o),
  "CcdReadOptions (parseCcd)": (o) => rb.parseCcd(CCD, () => DATA, o),
  SourceDescriptor: (o) => new rb.ImageCreator().addTrack("mode1", { ...o, data: DATA }),
  BurnOptions: (o) => rb.burn(new rb.VirtualUsbDevice(), disc(), { ...o, simulate: true }),
  VirtualUsbDeviceOptions: (o) => new rb.VirtualUsbDevice(o),
  FaultPlanJson: (o) => new rb.VirtualUsbDevice({ faults: { ...o, faults: [] } }),
  FaultJson: (o) => new rb.VirtualUsbDevice({ faults: { faults: [{ ...o, command: "INQUIRY", fault: "cswTag" }] } }),
};

/** The result of `f()`, or what it threw or rejected with. */
async function outcome(f) {
  try {
    return { value: await f() };
  } catch (error) {
    return { error };
  }
}

/** The keys an interface (or a union of object types) of the package's typings declares. */
function declaredKeys(name) {
  const dts = readFileSync(join(installPackage(), "node_modules", "rawburn", "rawburn.d.ts"), "utf8");
  const body =
    new RegExp(`^export interface ${name} \\{\\n([\\s\\S]*?)^\\}`, "m").exec(dts)?.[1] ??
    new RegExp(`^export type ${name} =\\n([\\s\\S]*?)^\\};`, "m").exec(dts)?.[1];
  assert.ok(body, `rawburn.d.ts has no interface or object union ${name}`);
  // Top-level members only (the .d.ts is indented by 4).
  return [...body.matchAll(/^ {4}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]);
}

describe("unknown options are refused", () => {
  for (const [name, call] of Object.entries(entryPoints)) {
    test(name, async () => {
      const { error } = await outcome(() => call({ verfy: true }));
      assert.ok(error, "a misspelt option was taken");
      assert.equal(error.code, "invalidArgument");
      assert.equal(error.option, "verfy");
      assert.match(error.message, /: unknown option `verfy` \(expected one of: \w+(, \w+)*\)$/);
    });
  }

  test("the message names what the options are for and what they take", async () => {
    const device = new rb.VirtualUsbDevice();
    await assert.rejects(rb.burn(device, disc(), { verfy: true }), {
      code: "invalidArgument",
      message:
        "burn options: unknown option `verfy` (expected one of: mode, speed, simulate, bufe, verify, finalize, eject, maxTransfer, systemBuffer, signal)",
    });
    assert.equal(device.discState().status, "blank");
    assert.throws(() => new rb.VirtualUsbDevice({ faults: { faults: [{ command: "INQUIRY", fault: "cswTag" }, { comand: "INQUIRY", fault: "cswTag" }] } }), {
      code: "invalidArgument",
      message: "fault plan, fault 1: unknown option `comand` (expected one of: command, nth, lba, fault)",
    });
    assert.throws(() => new rb.ImageCreator().addSubcodeRwGenerator(new Uint8Array(96), { sectors: 1 }), {
      message: "addSubcodeRwGenerator options: unknown option `sectors` (expected one of: offset)",
    });
    await assert.rejects(rb.burn(device, disc(), "sao"), { code: "invalidArgument", message: "burn options must be an object" });
  });

  test("before anything is read or resolved", async () => {
    let asked = 0;
    const resolve = () => {
      asked += 1;
      return DATA;
    };
    await assert.rejects(rb.ImageCreator.fromJSON(PROJECT, resolve, { strict: true, stict: true }), { option: "stict" });
    await assert.rejects(rb.parseCue(CUE, resolve, { Strict: true }), { option: "Strict" });
    await assert.rejects(rb.parseToc(TOC, resolve, { Strict: true }), { option: "Strict" });
    await assert.rejects(rb.parseCcd(CCD, resolve, { Name: "a.ccd" }), { option: "Name" });
    assert.equal(asked, 0);
  });
});

describe("every key the typings declare is taken", () => {
  for (const [name, call] of Object.entries(entryPoints)) {
    test(name, async () => {
      const keys = declaredKeys(name.split(" ")[0]);
      assert.ok(keys.length > 0);
      const { error } = await outcome(() => call(Object.fromEntries(keys.map((k) => [k, undefined]))));
      assert.ok(!error || error.option === undefined, `${keys.join(", ")}: ${error?.message}`);
    });
  }
});
