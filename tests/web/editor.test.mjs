// The disc editor (web/) in headless Chromium: files picked and dropped
// become tracks of the lengths their samples make; undo and redo give back
// each state exactly; a reload brings the project and its files back from
// IndexedDB; the TOC panel and the disc IDs are those `rawburn toc` gives
// for the saved project.

import assert from "node:assert/strict";
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

test("picked and dropped files become tracks as long as their samples", { timeout: 60_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  assert.equal(await page.title(), h.TITLE);
  await h.addFiles(page, [inputs.wav.path, inputs.iso.path], 2);
  // A drop, as from a file manager: sorted by name among themselves, after the others.
  await h.dropFiles(page, [inputs.flac.path, inputs.mp3.path]);
  await page.locator("table.tracktable tbody tr").nth(3).waitFor();
  const rows = await h.trackRows(page);
  const iso = inputs.iso.sectors;
  const wav = h.framesOf(inputs.wav.samples);
  const mp3 = h.framesOf(inputs.mp3.samples);
  const flac = h.framesOf(inputs.flac.samples);
  assert.deepEqual(
    rows.map((r) => [r.number, r.type, r.file, r.pregap, r.length]),
    [
      // The data track ends with its 2-second postgap, since audio follows it.
      ["1", "Mode 1 (2048)", "data.iso", "00:02:00", h.msf(iso + 150)],
      ["2", "Audio", "song.wav", "00:02:00", h.msf(wav)],
      ["3", "Audio", "tone.mp3", "00:02:00", h.msf(mp3)],
      ["4", "Audio", "tune.flac", "00:02:00", h.msf(flac)],
    ],
  );
  // Sanity of the inputs: lengths the tests depend on.
  assert.deepEqual([wav, mp3, flac], [377, 413, 451]);
  // Each audio track after a 2-second pregap; disc time is LBA + 150.
  const lbas = [0, iso + 300, iso + 300 + wav + 150, iso + 300 + wav + 150 + mp3 + 150];
  assert.deepEqual(
    rows.map((r) => r.start),
    lbas.map((lba) => h.msf(lba + 150)),
  );
  // The Files panel says what each file is.
  const files = await page.locator(".filelist li").evaluateAll((lis) => lis.map((li) => [li.querySelector(".name").textContent, li.querySelector(".kind").textContent]));
  assert.deepEqual(files, [
    ["data.iso", "data image"],
    ["song.wav", "audio"],
    ["tone.mp3", "audio"],
    ["tune.flac", "audio"],
  ]);
  assert.match(await page.getByRole("status").first().innerText(), /Added 2 tracks\./);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("undo and redo give back each state exactly; a reload brings the project and its files back", { timeout: 60_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await h.addFiles(page, [inputs.wav.path, inputs.flac.path], 2);
  const states = [await h.project(page)];
  const edits = [
    async () => page.getByLabel("Title of track 1").fill("First light"),
    async () => {
      await page.getByRole("button", { name: /^Move track 2/ }).focus();
      await page.keyboard.press("Alt+ArrowUp");
    },
    async () => {
      await page.getByRole("button", { name: /^Move track 1/ }).click();
      await page.getByLabel("ISRC", { exact: true }).fill("GBAYE6700001");
    },
    async () => page.getByLabel("Catalog number (MCN, UPC/EAN)").fill("4006381333931"),
  ];
  for (const e of edits) {
    await e();
    await h.settled(page);
    // Edits of one label within a second make one step: keep them apart.
    await page.waitForTimeout(1100);
    states.push(await h.project(page));
  }
  assert.equal(new Set(states.map((s) => JSON.stringify(s))).size, states.length, "every edit changed the project");
  assert.equal(states.at(-1).tracks[0].isrc, "GBAYE6700001");
  assert.equal(states.at(-1).cdtext.blocks[0].tracks[1].title, "First light");
  const tocs = [];
  const last = states.length - 1;

  // Back to the start with the keyboard, forward again with the buttons.
  await h.blur(page);
  for (let i = last; i > 0; i--) {
    tocs[i] = await h.tocRows(page);
    await page.keyboard.press("Control+z");
    await h.settled(page);
    assert.deepEqual(await h.project(page), states[i - 1], `undo to state ${i - 1}`);
  }
  tocs[0] = await h.tocRows(page);
  // Before the edits: the two tracks added.
  assert.equal(await page.getByRole("button", { name: "Undo" }).getAttribute("title"), "Undo add tune.flac (Ctrl+Z)");
  for (let i = 1; i <= last; i++) {
    await page.getByRole("button", { name: "Redo" }).click();
    await h.settled(page);
    assert.deepEqual(await h.project(page), states[i], `redo to state ${i}`);
    assert.deepEqual(await h.tocRows(page), tocs[i], `the TOC of state ${i}`);
  }
  assert.equal(await page.getByRole("button", { name: "Redo" }).isDisabled(), true);
  // And Ctrl+Y after the Undo button.
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Undo" }).click();
  await h.settled(page);
  assert.deepEqual(await h.project(page), states[last - 2]);
  await h.blur(page);
  await page.keyboard.press("Control+y");
  await h.settled(page);
  assert.deepEqual(await h.project(page), states[last - 1]);
  await page.keyboard.press("Control+Shift+z");
  await h.settled(page);
  assert.deepEqual(await h.project(page), states[last]);

  // A reload: the same project, its files, the same TOC and IDs.
  const ids = await page.locator("code[data-id]").allInnerTexts();
  const toc = await page.evaluate(() => globalThis.rawburnEditor.state().layout.toc);
  await page.waitForTimeout(400); // the document is kept 250 ms after the last change
  await page.reload();
  await page.locator("table.tracktable tbody tr").nth(1).waitFor({ timeout: 20_000 });
  await h.settled(page);
  assert.deepEqual(await h.project(page), states[last]);
  assert.deepEqual(await page.evaluate(() => globalThis.rawburnEditor.state().layout.toc), toc);
  assert.deepEqual(await h.tocRows(page), tocs[last]);
  assert.deepEqual(await page.locator("code[data-id]").allInnerTexts(), ids);
  assert.deepEqual(await page.locator(".filelist .name").allInnerTexts(), ["song.wav", "tune.flac"]);
  assert.equal(await page.locator(".sources [role=alert]").count(), 0, "no file is missing");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("the TOC panel and the disc IDs are those rawburn toc gives for the saved project", { timeout: 60_000 }, async (t) => {
  const page = await h.openEditor(browser, server.url);
  await h.addFiles(page, [inputs.iso.path, inputs.wav.path, inputs.flac.path, inputs.mp3.path], 4);
  // Something for each column: an ISRC, an MCN, a shorter gap.
  await page.getByRole("button", { name: /^Move track 3/ }).click();
  await page.getByLabel("ISRC", { exact: true }).fill("USRC17607839");
  await page.getByLabel("Pregap: generated silence").fill("00:01:30");
  await page.getByLabel("Pregap: generated silence").press("Enter");
  await page.getByLabel("Catalog number (MCN, UPC/EAN)").fill("0724384960650");
  await h.settled(page);
  const saved = await h.saveProject(page, join(dir, "toc"));
  assert.equal(saved.name, "disc.json");
  assert.deepEqual(JSON.parse(saved.text), await h.project(page));
  const work = join(dir, "toc");
  h.projectDir(work, "disc", saved.text, Object.values(inputs).map((i) => i.path));
  const cli = JSON.parse(h.rawburn(work, ["toc", "disc.json", "--json"]));

  assert.equal(await page.locator("code[data-id=musicbrainz]").innerText(), cli.discIds.musicbrainz);
  assert.equal(await page.locator("code[data-id=freedb]").innerText(), cli.discIds.freedb);
  const lookup = await page.getByRole("link", { name: "look up" }).getAttribute("href");
  assert.equal(new URL(lookup).searchParams.get("toc"), cli.discIds.musicbrainzToc);

  const hex = (s) => s.match(/../g).map((b) => b.toUpperCase()).join(" ");
  const want = [
    ...cli.tracks.map((t) => [String(t.number), (0x10 | t.control).toString(16).toUpperCase(), String(t.start.lba), t.start.msf, t.isrc ?? ""]),
    ["AA", (0x10 | cli.tracks.at(-1).control).toString(16).toUpperCase(), String(cli.leadout.lba), cli.leadout.msf, `MCN ${cli.mcn}`],
  ];
  assert.deepEqual(await h.tocRows(page), want);
  assert.equal(await page.getByLabel("Format 0 reply bytes").innerText(), hex(cli.toc));
  // The full TOC, where the package gives it (ImageCreator.expectedFullToc).
  if (await page.getByLabel("Format 2 reply bytes").count()) assert.equal(await page.getByLabel("Format 2 reply bytes").textContent(), hex(cli.fullToc));
  else t.diagnostic("no READ TOC format 2 on the page: the package has no expectedFullToc()");
  // The track table agrees: starts, pregaps and lengths.
  const rows = await h.trackRows(page);
  assert.deepEqual(
    rows.map((r) => [r.start, r.pregap.replace(/♪.*/, ""), r.length, r.isrc]),
    cli.tracks.map((t) => [t.start.msf, h.msf(t.pregap), h.msf(t.length), t.isrc ?? ""]),
  );
  assert.equal(rows[2].pregap, "00:01:30");
  // And its warnings are the page's.
  const warnings = await page.locator(".warnings li").allInnerTexts();
  for (const w of cli.warnings) assert.ok(warnings.some((x) => x.includes(w.message ?? w)), `warning ${JSON.stringify(w)} on the page: ${warnings}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
