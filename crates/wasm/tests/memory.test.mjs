// WebAssembly memory while burning to `VirtualUsbDevice`. The memory
// grows and never shrinks, so what one burn takes stays taken for the
// page's life. Burns of a 5-second and of a 3-minute audio disc, verified,
// three in a row: the peak stays under a bound that does not depend on the
// disc, and the second and third burns take no more memory than the first.
// The disc is still there to read: its frames live in JavaScript buffers,
// the drive's lead-in and lead-out as their subchannel alone.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { fastNoise, importPackage } from "./support.mjs";

const MIB = 1 << 20;
const SECTOR = 2352;
const FRAMES_PER_SECOND = 75;

/**
 * The bound on WebAssembly memory during and after a burn. What a burn
 * holds there: the engine's system buffer ahead of the drive (`systemBuffer`,
 * 8 MiB unless given, at most the burned range; written, then read back
 * through the same reservation), the encoder's batch, the drive's own
 * buffer of a few MB, one USB transfer, and the virtual disc's bookkeeping
 * (about 100 bytes per 64 frames). The package starts at about 1.5 MiB.
 * Before the disc moved out of WebAssembly memory one burn of the 5-second
 * disc took 49 MiB and of the 3-minute disc 114 MiB, growing per burn as
 * long as the devices lived.
 */
const BOUND = 16 * MIB;

let rb;
before(async () => {
  rb = await importPackage();
});

/** An audio disc of `seconds` of noise (one track), and its PCM. */
async function audioDisc(seconds, seed) {
  const sectors = seconds * FRAMES_PER_SECOND;
  const pcm = fastNoise(sectors * SECTOR, seed);
  const project = JSON.stringify({
    sources: [{ path: "a.pcm" }],
    tracks: [{ sectorType: "audio", data: { source: 0, sectors } }],
  });
  const creator = await rb.ImageCreator.fromJSON(project, () => pcm);
  return { creator, pcm, sectors };
}

/**
 * Burns the disc of `seconds` (SAO, verified) to a new 80-minute CD-R;
 * checks sectors read back from the disc; returns WebAssembly memory before,
 * at its highest seen during, and after the burn, and the device.
 */
async function burnOnce(seconds, seed) {
  const { creator, pcm, sectors } = await audioDisc(seconds, seed);
  const device = new rb.VirtualUsbDevice({ media: "cd-r", minutes: 80 });
  const before = rb.memoryBytes();
  let peak = before;
  const result = await rb.burn(device, creator, { mode: "sao", verify: true }, () => {
    peak = Math.max(peak, rb.memoryBytes());
  });
  const after = rb.memoryBytes();
  assert.equal(result.verified, true);
  // The first, a middle and the last sector as recorded; the lead-out
  // (digital silence the drive wrote) reads back as zeros.
  for (const lba of [0, sectors >> 1, sectors - 1]) {
    const got = device.readSectors(lba, 1);
    assert.ok(Buffer.from(got).equals(Buffer.from(pcm.subarray(lba * SECTOR, (lba + 1) * SECTOR))), `lba ${lba}`);
  }
  assert.ok(device.readSectors(sectors, 75).every((b) => b === 0));
  assert.equal(device.discState().leadout, sectors);
  creator.free();
  return { before, peak: Math.max(peak, after), after, device };
}

const mib = (n) => `${(n / MIB).toFixed(2)} MiB`;

describe("burning to VirtualUsbDevice keeps WebAssembly memory bounded", () => {
  for (const seconds of [5, 180]) {
    test(`three burns of a ${seconds}-second audio disc`, async (t) => {
      const burns = [];
      for (let i = 0; i < 3; i++) {
        const b = await burnOnce(seconds, 40 + i);
        // A page that is done with a device drops it; its disc goes with it.
        b.device.free();
        burns.push(b);
      }
      t.diagnostic(
        burns.map((b, i) => `burn ${i + 1}: before ${mib(b.before)}, peak ${mib(b.peak)}, after ${mib(b.after)}`).join("; "),
      );
      for (const b of burns) assert.ok(b.peak < BOUND, `memory peaked at ${mib(b.peak)}`);
      // WebAssembly memory never shrinks, so it is the heap's high-water
      // mark. It may settle a few pages higher on the second burn (how many
      // batches wait at once depends on when the source's reads complete),
      // but it must not grow burn after burn.
      assert.ok(burns[1].after - burns[0].after <= 4 * 65536, `the second burn took ${mib(burns[1].after - burns[0].after)} more`);
      assert.equal(burns[2].after, burns[1].after, "the third burn took more memory");
    });
  }

  test("devices kept alive hold their discs outside WebAssembly memory", async (t) => {
    const kept = [];
    for (let i = 0; i < 3; i++) kept.push(await burnOnce(180, 50 + i));
    t.diagnostic(kept.map((b, i) => `burn ${i + 1}: after ${mib(b.after)}`).join("; "));
    // Each disc's bookkeeping in WebAssembly memory is some 50 KB; its
    // 77 MB of frames are elsewhere.
    assert.ok(kept[2].after - kept[0].after <= 1 * MIB, `${mib(kept[0].after)} then ${mib(kept[2].after)}`);
    assert.ok(kept[2].after < BOUND, mib(kept[2].after));
    for (const b of kept) {
      assert.equal(b.device.discState().status, "finalized");
      b.device.free();
    }
  });
});
