// The editor without a mouse, under axe-core in both themes and with each
// dialog open, and screenshots of its main views (in $RAWBURN_SCREENSHOTS
// or target/screenshots/, listed in the test output).

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import * as h from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let fixture;
let inputs;
let server;
let browser;

before(async () => {
  fixture = await h.staticFixture();
  ({ inputs, server, browser } = fixture);
});

after(() => fixture?.close());

/** What has the focus: its role-ish tag and accessible name. */
const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    const name = e.getAttribute("aria-label") ?? (e.labels?.[0]?.textContent || e.textContent).trim();
    return `${e.tagName.toLowerCase()}${e.getAttribute("role") ? `[${e.getAttribute("role")}]` : ""}: ${name}`;
  });

/** Presses Tab until `want` (a regexp on `focused`) has the focus; returns what was passed. */
async function tabTo(page, want, { back = false, limit = 80 } = {}) {
  const seen = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const f = await focused(page);
    seen.push(f);
    if (want.test(f)) return seen;
  }
  assert.fail(`no ${want} within ${limit} presses of Tab: ${seen.join(" | ")}`);
}

/** A project with some of everything, for axe and the screenshots. */
async function realistic(page) {
  await h.addFiles(page, [inputs.iso.path, inputs.wav.path, inputs.flac.path, inputs.mp3.path], 4);
  await page.getByLabel("Disc name").fill("Mixed Signals");
  await page.getByLabel("Disc name").press("Enter");
  await page.getByLabel("Catalog number (MCN, UPC/EAN)").fill("4006381333931");
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
  await page.getByRole("tab", { name: /^1:/ }).click();
  await page.getByRole("button", { name: /^Move track 3/ }).click();
  await page.getByLabel("ISRC", { exact: true }).fill("USS1Z9900001");
  const wave = page.getByRole("slider", { name: /Position on the waveform/ });
  await page.getByText(/click or press Enter to set an index/).waitFor();
  const box = await wave.boundingBox();
  await wave.click({ position: { x: box.width * 0.55, y: box.height / 2 } });
  await h.settled(page);
}

/** Runs axe on the page; fails listing each violation readably. */
async function axe(page, what) {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const text = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary.replace(/\n/g, " ")}`).join("\n")}`,
  );
  assert.equal(text.length, 0, `axe on ${what}:\n  ${text.join("\n  ")}`);
}

const theme = async (page, value) => {
  await page.getByLabel("Theme").selectOption(value);
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, value);
};

test("the editor works from the keyboard alone", { timeout: 60_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await h.addFiles(page, [inputs.wav.path, inputs.flac.path, inputs.mp3.path], 3);
  await h.blur(page);
  // The toolbar in order, after the skip link and the disc name.
  const passed = await tabTo(page, /^select: Theme$/);
  assert.deepEqual(passed, [
    "a: Skip to the tracks",
    "input: Disc name",
    "button: New",
    "button: Add files…",
    "button: Add folder…",
    "button: Open project…",
    "button: Save project",
    "button: Undo",
    "button: Export…",
    "button: Burn…",
    "select: Theme",
  ]);
  // Into the track table: track 3's grip, moved up with Alt+Up.
  await tabTo(page, /^button: Move track 3/);
  await page.keyboard.press("Alt+ArrowUp");
  await h.settled(page);
  assert.deepEqual(
    (await h.trackRows(page)).map((r) => r.file),
    ["song.wav", "tune.flac", "tone.mp3"],
  );
  assert.match(await focused(page), /^button: Move track 2/);
  // Its title, typed.
  await tabTo(page, /^input: Title of track 2$/);
  await page.keyboard.type("Typed title");
  await h.settled(page);
  assert.equal((await h.project(page)).cdtext.blocks[0].tracks[1].title, "Typed title");
  // The properties of the selected track: its ISRC.
  await tabTo(page, /^input: ISRC$/);
  await page.keyboard.type("GBAYE0000351");
  await h.settled(page);
  assert.equal((await h.project(page)).tracks[1].isrc, "GBAYE0000351");
  // An index mark from the waveform: three seconds in (Shift+Right: one
  // second a press), set with Enter, on a CD frame.
  await tabTo(page, /^canvas\[slider\]: Position on the waveform/);
  for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await h.settled(page);
  assert.deepEqual((await h.project(page)).tracks[1].indexes, [3 * 75 + 1]);
  // CD-TEXT in two languages: the first block made with the title typed
  // above; the second added with its button.
  await tabTo(page, /^button: \+ Language$/);
  await page.keyboard.press("Enter");
  await h.settled(page);
  assert.equal((await h.project(page)).cdtext.blocks.length, 2);
  // Back to the toolbar; the Export dialog opens with Enter and takes the focus.
  await tabTo(page, /^button: Export…$/, { back: true, limit: 200 });
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Export the image" });
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => !!document.activeElement.closest("dialog")), true, "the focus is in the dialog");
  // Arrow keys choose the format.
  await tabTo(page, /^input: BIN\/CUE/);
  await page.keyboard.press("ArrowDown");
  assert.equal(await dialog.getByRole("radio", { name: /^CloneCD/ }).isChecked(), true);
  // Downloaded from the keyboard: the three files of a CloneCD image.
  const got = [];
  const on = (d) => got.push(d.suggestedFilename());
  page.on("download", on);
  await tabTo(page, /^button: Download$/);
  await page.keyboard.press("Enter");
  await dialog.locator("p.ok").waitFor({ timeout: 60_000 });
  const deadline = Date.now() + 30_000;
  while (got.length < 3 && Date.now() < deadline) await page.waitForTimeout(50);
  page.off("download", on);
  assert.deepEqual(got.sort(), ["disc.ccd", "disc.img", "disc.sub"]);
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  // Undo with the keyboard.
  await h.blur(page);
  await page.keyboard.press("Control+z");
  await h.settled(page);
  assert.equal((await h.project(page)).cdtext.blocks.length, 1);
  await page.keyboard.press("Control+z");
  await h.settled(page);
  assert.equal((await h.project(page)).tracks[1].indexes, undefined);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("axe finds nothing in either theme, nor with a dialog open", { timeout: 90_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await axe(page, "the empty editor");
  await realistic(page);
  for (const t of ["light", "dark"]) {
    await theme(page, t);
    await axe(page, `the editor (${t})`);
    for (const [button, name] of [
      ["Export…", "Export the image"],
      ["Burn…", "Burn the disc"],
    ]) {
      await page.getByRole("button", { name: button }).click();
      const dialog = page.getByRole("dialog", { name });
      await dialog.waitFor();
      await page.waitForTimeout(100);
      await axe(page, `the ${name} dialog (${t})`);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    }
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("screenshots of the main views in both themes", { timeout: 90_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await realistic(page);
  const shots = [];
  for (const t of ["light", "dark"]) {
    await theme(page, t);
    await h.blur(page);
    shots.push(await h.shoot(page, `editor-${t}`, { fullPage: true }));
    for (const [button, name, file] of [
      ["Export…", "Export the image", "export"],
      ["Burn…", "Burn the disc", "burn"],
    ]) {
      await page.getByRole("button", { name: button }).click();
      const dialog = page.getByRole("dialog", { name });
      await dialog.waitFor();
      await page.waitForTimeout(150);
      shots.push(await h.shoot(page, `${file}-dialog-${t}`));
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    }
  }
  // The empty editor, as first opened.
  const empty = await h.openEditor(browser, server.url, { theme: "dark" });
  shots.push(await h.shoot(empty, "editor-empty-dark", { fullPage: true }));
  assert.equal(shots.length, 7);
  assert.deepEqual(page.problems, []);
  await empty.context().close();
  await page.context().close();
});
