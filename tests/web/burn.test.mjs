// Burning from the editor through the companion (`rawburn serve` with a
// virtual recorder, which serves the editor at `/`): a verified burn whose
// read-back TOC and CD-TEXT equal the project's, and a cancelled burn. And
// without the companion: the page's own virtual recorder, through the
// package's WebUSB path.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as h from "./harness.mjs";

let dir;
let inputs;
let companion;
let browser;
let editor = false;
let server;

before(async () => {
  h.checkTools();
  dir = h.tempDir();
  inputs = h.makeInputs(dir);
  companion = await h.companion(join(dir, "burner.vdisc"), join(dir, "state"));
  editor = await h.servesEditor(companion.origin);
  browser = await h.launch();
  server = await h.staticEditor();
});

after(async () => {
  await browser?.close();
  await companion?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const NOT_EMBEDDED = "rawburn serve does not serve the editor at /: build web/dist (npm run build --prefix web) before the binary";

/** The editor opened from the companion's printed address (one page: the token works once), with a two-track project. */
let page;
async function signedIn() {
  if (page) return page;
  page = await h.openEditor(browser, companion.url);
  await h.addFiles(page, [inputs.iso.path, inputs.wav.path], 2);
  // (A file's tags may have made a CD-TEXT block already.)
  const add = page.getByRole("button", { name: "Add CD-TEXT (English)" });
  if (await add.count()) await add.click();
  await page.getByLabel("Disc title, block 1").fill("Burned Here");
  await page.getByLabel("Track 2 title, block 1").fill("The Song");
  await h.settled(page);
  return page;
}

async function burnDialog(page) {
  await page.getByRole("button", { name: "Burn…" }).click();
  const dialog = page.getByRole("dialog", { name: "Burn the disc" });
  await dialog.getByRole("button", { name: "Insert a blank CD-R", exact: true }).click();
  await dialog.getByTestId("media").filter({ hasText: /blank/ }).waitFor({ timeout: 15_000 });
  return dialog;
}

test("a verified burn reads back the project's TOC and CD-TEXT", { timeout: 90_000 }, async () => {
  assert.ok(editor, NOT_EMBEDDED);
  const page = await signedIn();
  const dialog = await burnDialog(page);
  assert.equal(await dialog.getByLabel(/^Verify/).isChecked(), true);
  await dialog.getByRole("button", { name: "Burn", exact: true }).click();
  await dialog.locator("table.compare").waitFor({ timeout: 75_000 });
  await h.shoot(page, "burn-done-light");
  assert.match(await dialog.locator(".outcome p.ok").innerText(), /^Burned in .*verified sector for sector\.$/);
  const rows = await dialog.locator("table.compare tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const toc = await page.evaluate(() => globalThis.rawburnEditor.state().layout.toc);
  assert.deepEqual(rows[0].slice(0, 5), ["Disc", `lead-out ${h.msf(toc.leadout + 150)}`, `lead-out ${h.msf(toc.leadout + 150)}`, "Burned Here", "Burned Here"]);
  assert.deepEqual(
    rows.slice(1).map((r) => r.slice(0, 5)),
    toc.tracks.map((tr, i) => [String(tr.number), h.msf(tr.indexes[0] + 150), h.msf(tr.indexes[0] + 150), ["", "The Song"][i], ["", "The Song"][i]]),
  );
  assert.equal(await dialog.locator("table.compare tr.differs").count(), 0);
  await dialog.getByRole("button", { name: "Close", exact: true }).last().click();
});

test("a cancelled burn says it was cancelled", { timeout: 90_000 }, async () => {
  assert.ok(editor, NOT_EMBEDDED);
  const page = await signedIn();
  const dialog = await burnDialog(page);
  await dialog.getByRole("button", { name: "Burn", exact: true }).click();
  const cancel = dialog.getByRole("button", { name: "Cancel the burn" });
  await cancel.waitFor({ timeout: 15_000 });
  await dialog.getByRole("group", { name: "Burn progress" }).waitFor({ timeout: 15_000 });
  await cancel.click();
  const outcome = dialog.locator('[role=alert], .burnprogress [role=status]').filter({ hasText: /cancel/i });
  await outcome.first().waitFor({ timeout: 30_000 });
  await h.shoot(page, "burn-cancelled-light");
  assert.equal(await dialog.locator("table.compare").count(), 0);
  assert.equal(await dialog.getByRole("button", { name: "Burn", exact: true }).isVisible(), true);
});

test("without the companion, the page's own virtual recorder burns and reads back", { timeout: 90_000 }, async () => {
  const page = await h.openEditor(browser, server.url);
  await h.addFiles(page, [inputs.iso.path, inputs.wav.path], 2);
  await page.getByRole("button", { name: "Add CD-TEXT (English)" }).click();
  await page.getByLabel("Track 2 title, block 1").fill("In The Page");
  await h.settled(page);
  await page.getByRole("button", { name: "Burn…" }).click();
  const dialog = page.getByRole("dialog", { name: "Burn the disc" });
  // It says how to reach a real drive, and offers the recorder in the page.
  await dialog.getByText("This page was not opened from rawburn's companion.").waitFor();
  assert.match(await dialog.getByLabel("Drive").locator("option:checked").innerText(), /^Virtual recorder in this page/);
  await dialog.getByTestId("media").filter({ hasText: /CD-R, blank/ }).waitFor({ timeout: 15_000 });
  await dialog.getByRole("button", { name: "Burn", exact: true }).click();
  await dialog.locator("table.compare").waitFor({ timeout: 75_000 });
  assert.match(await dialog.locator(".outcome p.ok").innerText(), /^Burned in .*verified sector for sector\.$/);
  const rows = await dialog.locator("table.compare tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const toc = await page.evaluate(() => globalThis.rawburnEditor.state().layout.toc);
  assert.deepEqual(
    rows.slice(1).map((r) => r.slice(0, 5)),
    toc.tracks.map((tr, i) => [String(tr.number), h.msf(tr.indexes[0] + 150), h.msf(tr.indexes[0] + 150), ["", "In The Page"][i], ["", "In The Page"][i]]),
  );
  assert.equal(await dialog.locator("table.compare tr.differs").count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
