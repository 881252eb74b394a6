// A mixed-mode disc made in the editor: the data track dragged and moved
// with the keyboard to the front, ISRCs, an MCN, two CD-TEXT languages, an
// index mark set on the waveform, a gapless join. The saved project, given
// to `rawburn build` beside its files, builds the very bytes the editor's
// exports (BIN/CUE, CloneCD, raw) download. Hidden track-one audio, which
// needs an audio first track, gets a disc of its own.

import assert from "node:assert/strict";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as h from "./harness.mjs";

let fixture;
let dir;
let inputs;
let server;
let browser;

before(async () => {
  fixture = await h.staticFixture();
  ({ dir, inputs, server, browser } = fixture);
});

after(() => fixture?.close());

const order = async (page) => (await h.trackRows(page)).map((r) => r.file);

/** Builds `saved` with the CLI for each export in `exported` (format → its files) and compares every file. */
function compareWithCli(work, saved, exported) {
  h.projectDir(work, "disc", saved.text, Object.values(inputs).map((i) => i.path));
  for (const [ext, names] of Object.entries(exported)) {
    const out = join(work, `cli-${ext}`);
    mkdirSync(out);
    h.rawburn(work, ["build", "disc.json", "--quiet", "--output", join(out, `disc.${ext}`)]);
    assert.deepEqual(readdirSync(out).sort(), names, `rawburn build makes the files the editor exported (${ext})`);
    for (const name of names) assert.equal(h.sha256(join(work, `page-${ext}`, name)), h.sha256(join(out, name)), `${name}: the editor's bytes are rawburn build's`);
  }
}

/** Exports each of cue, ccd and raw; returns format → the files downloaded into work/page-FORMAT. */
async function exportAll(page, work) {
  const exported = {};
  for (const [ext, label] of [
    ["cue", /^BIN\/CUE/],
    ["ccd", /^CloneCD/],
    ["raw", /^Raw/],
  ])
    exported[ext] = await h.exportImage(page, label, join(work, `page-${ext}`));
  return exported;
}

test("a mixed-mode disc made in the editor exports the bytes rawburn build makes of its saved project", { timeout: 120_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await h.addFiles(page, [inputs.wav.path, inputs.flac.path, inputs.mp3.path], 3);
  await h.addFiles(page, [inputs.iso.path], 4);
  assert.deepEqual(await order(page), ["song.wav", "tone.mp3", "tune.flac", "data.iso"]);

  // The data track to the front: dragged by its grip onto row 3, then Alt+Up twice.
  const rows = page.locator("table.tracktable tbody tr");
  await page.getByRole("button", { name: /^Move track 4/ }).dragTo(rows.nth(2));
  await h.settled(page);
  assert.deepEqual(await order(page), ["song.wav", "tone.mp3", "data.iso", "tune.flac"]);
  assert.match((await page.locator(".warnings li").allInnerTexts()).join("\n"), /a data track between audio tracks/);
  const grip = page.getByRole("button", { name: /^Move track 3/ });
  await grip.focus();
  await page.keyboard.press("Alt+ArrowUp");
  await h.settled(page);
  // The moved track's grip keeps the focus.
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "Move track 2 (Alt+Up, Alt+Down)");
  await page.keyboard.press("Alt+ArrowUp");
  await h.settled(page);
  assert.deepEqual(await order(page), ["data.iso", "song.wav", "tone.mp3", "tune.flac"]);
  // Alt+Down and back.
  await page.getByRole("button", { name: /^Move track 3/ }).focus();
  await page.keyboard.press("Alt+ArrowDown");
  await h.settled(page);
  assert.deepEqual(await order(page), ["data.iso", "song.wav", "tune.flac", "tone.mp3"]);
  await page.keyboard.press("Alt+ArrowUp");
  await h.settled(page);
  assert.deepEqual(await order(page), ["data.iso", "song.wav", "tone.mp3", "tune.flac"]);
  assert.equal(await page.locator(".warnings li").count(), 0);

  // ISRCs, checked as typed.
  const isrc = page.getByLabel("ISRC", { exact: true });
  await page.getByRole("button", { name: /^Move track 2/ }).click();
  await isrc.pressSequentially("US-S1Z");
  assert.equal(await isrc.getAttribute("aria-invalid"), "true");
  const why = page.locator(`#${await isrc.getAttribute("aria-describedby")}`);
  assert.equal(await why.innerText(), "an ISRC has 12 characters (5 given)");
  await isrc.fill("1USS1Z9900001");
  assert.equal(await why.innerText(), "an ISRC has 12 characters (13 given)");
  await isrc.fill("USS1Z99000A1");
  assert.equal(await why.innerText(), "the last 7 characters (year and number) are digits");
  assert.equal((await h.project(page)).tracks[1].isrc, undefined, "an invalid ISRC is not taken");
  await isrc.fill("US-S1Z-99-00001");
  assert.equal(await isrc.getAttribute("aria-invalid"), null);
  await page.getByRole("button", { name: /^Move track 4/ }).click();
  await isrc.fill("GBAYE0000351");
  await h.settled(page);
  assert.deepEqual(
    (await h.trackRows(page)).map((r) => r.isrc),
    ["", "USS1Z9900001", "", "GBAYE0000351"],
  );
  // Track 1 is data: no ISRC field.
  await page.getByRole("button", { name: /^Move track 1/ }).click();
  assert.equal(await isrc.count(), 0);

  // The catalog number.
  await page.getByLabel("Catalog number (MCN, UPC/EAN)").fill("4006381333931");

  // CD-TEXT in two languages.
  await page.getByRole("button", { name: "Add CD-TEXT (English)" }).click();
  await page.getByLabel("Disc title, block 1").fill("Mixed Signals");
  await page.getByLabel("Disc performer, block 1").fill("The Testers");
  for (const [n, title] of [
    [1, "Data"],
    [2, "Opening"],
    [3, "Middle"],
    [4, "Closing"],
  ])
    await page.getByLabel(`Track ${n} title, block 1`).fill(title);
  await page.getByRole("button", { name: "+ Language" }).click();
  await page.getByLabel("Disc title, block 2").fill("Signaux mixtes");
  await page.getByLabel("Track 2 title, block 2").fill("Ouverture");
  await page.getByLabel("Track 4 title, block 2").fill("Fermeture");
  await page.getByRole("tab", { name: /^1:/ }).click();
  assert.equal(await page.getByLabel("Disc title, block 1").inputValue(), "Mixed Signals");
  assert.equal(await page.getByRole("tab").count(), 2);

  // An index mark, clicked on track 3's waveform.
  await page.getByRole("button", { name: /^Move track 3/ }).click();
  const wave = page.getByRole("slider", { name: /Position on the waveform/ });
  await page.getByText(/click or press Enter to set an index/).waitFor();
  const box = await wave.boundingBox();
  const sectors = Number(await wave.getAttribute("aria-valuemax"));
  const x = Math.round(box.width * 0.4);
  await wave.click({ position: { x, y: box.height / 2 } });
  await h.settled(page);
  const mark = (await h.project(page)).tracks[2].indexes;
  assert.equal(mark.length, 1);
  // Where the click fell, to a frame (the canvas may be scaled by a fraction of a pixel).
  assert.ok(Math.abs(mark[0] - Math.round((x / box.width) * sectors)) <= 1, `index at ${mark[0]} of ${sectors}`);
  assert.equal(await page.locator(".marklist li").nth(1).innerText(), `Index 2 at ${h.msf(mark[0])} Remove`);
  assert.equal((await h.trackRows(page))[2].flags, "2 idx");

  // A gapless join: track 4's pregap is the last second of track 3's file.
  await page.getByRole("button", { name: /^Move track 4/ }).click();
  const join4 = page.getByLabel("Pregap: audio from the track before");
  await join4.fill("00:01:00");
  await join4.press("Enter");
  await h.settled(page);
  const p = await h.project(page);
  assert.deepEqual(p.tracks[3].pregap, { generated: 0, source: { source: p.tracks[2].data.source, offset: (h.framesOf(inputs.mp3.samples) - 75) * 2352, sectors: 75 } });
  assert.equal((await h.trackRows(page))[3].pregap, "00:01:00♪ 00:01:00");
  // And track 3 without silence before it.
  await page.getByRole("button", { name: /^Move track 3/ }).click();
  await page.getByLabel("Pregap: generated silence").fill("00:00:00");
  await page.getByLabel("Pregap: generated silence").press("Enter");
  await h.settled(page);
  assert.equal((await h.trackRows(page))[2].pregap, "00:00:00");
  assert.deepEqual(page.problems, []);

  // Saved, exported, built by the CLI: the same bytes.
  const work = join(dir, "mixed");
  const saved = await h.saveProject(page, work);
  assert.equal(saved.name, "disc.json");
  const json = JSON.parse(saved.text);
  assert.deepEqual(json, await h.project(page));
  assert.equal(json.mcn, "4006381333931");
  assert.deepEqual(
    json.cdtext.blocks.map((b) => [b.language, b.disc.title, b.tracks.map((t) => t.title ?? "")]),
    [
      [9, "Mixed Signals", ["Data", "Opening", "Middle", "Closing"]],
      [json.cdtext.blocks[1].language, "Signaux mixtes", ["", "Ouverture", "", "Fermeture"]],
    ],
  );
  assert.notEqual(json.cdtext.blocks[1].language, 9);
  const exported = await exportAll(page, work);
  assert.deepEqual(exported.cue, ["disc.bin", "disc.cdt", "disc.cue"]);
  assert.deepEqual(exported.ccd, ["disc.ccd", "disc.img", "disc.sub"]);
  compareWithCli(work, saved, exported);
  await page.context().close();
});

test("hidden track-one audio exports the bytes rawburn build makes", { timeout: 90_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await h.addFiles(page, [inputs.wav.path, inputs.flac.path, inputs.mp3.path], 3);
  await page.getByRole("button", { name: "Remove track 2" }).click();
  await h.settled(page);
  assert.deepEqual(await order(page), ["song.wav", "tune.flac"]);
  await page.getByLabel("Hidden track-one audio").selectOption("tone.mp3");
  await h.settled(page);
  const mp3 = h.framesOf(inputs.mp3.samples);
  assert.match(await page.locator(".disc .hint").last().innerText(), new RegExp(`^${h.msf(mp3)} of audio before track 1's index 1`));
  const work = join(dir, "htoa");
  const saved = await h.saveProject(page, work);
  // The hidden audio is track 1's whole pregap, as rawburn toc lays it out.
  h.projectDir(work, "disc", saved.text, Object.values(inputs).map((i) => i.path));
  const cli = JSON.parse(h.rawburn(work, ["toc", "disc.json", "--json"]));
  assert.equal(cli.tracks[0].pregap, mp3);
  const rows = await h.trackRows(page);
  assert.deepEqual(
    rows.map((r) => [r.pregap, r.start, r.length]),
    cli.tracks.map((t, i) => [`${h.msf(t.pregap)}${i === 0 ? `♪ ${h.msf(mp3)}` : ""}`, t.start.msf, h.msf(t.length)]),
  );
  const exported = await exportAll(page, work);
  compareWithCli(work, saved, exported);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
