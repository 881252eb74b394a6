// What the page does with the worker: files in, tracks made, layouts kept
// current, the document kept across reloads.

import type { Project, SectorType } from "rawburn";
import { Client } from "../worker/client";
import type { Failure, FileFacts } from "../worker/protocol";
import { addTrack } from "./edit";
import { failureOf } from "./failure";
import { layOut } from "./layout";

export { failureOf };
import * as persist from "./persist";
import { edit, get, replace, say, set, subscribe } from "./store";

export const worker = new Client();

export function describe(f: Failure): string {
  const where = [f.track ? `track ${f.track}` : "", f.line ? `line ${f.line}${f.column ? `:${f.column}` : ""}` : "", f.source ?? ""]
    .filter(Boolean)
    .join(", ");
  return where ? `${f.message} (${where})` : f.message;
}

const SHEETS: FileFacts["kind"][] = ["project", "cue", "toc", "ccd"];

/**
 * Takes dropped or picked files. A sheet or project among them is opened
 * with the others as its files; otherwise audio files and images become
 * tracks, in name order.
 */
export async function addFiles(list: { name: string; file: File }[]): Promise<void> {
  if (list.length === 0) return;
  say(`Reading ${list.length} file${list.length > 1 ? "s" : ""}…`);
  let facts: FileFacts[];
  try {
    facts = await worker.ask({ type: "files", files: list });
  } catch (e) {
    say(describe(failureOf(e)), "error");
    return;
  }
  const files = new Map(get().files);
  for (const f of facts) files.set(f.name, f);
  set({ files });
  void persist.saveFiles(list).catch(() => say("the files could not be kept for a reload (storage full?)", "error"));
  const sheet = SHEETS.map((k) => facts.find((f) => f.kind === k)).find(Boolean) ?? pendingSheet();
  if (sheet) {
    await openSheet(sheet.name);
    return;
  }
  const usable = facts
    .filter((f) => (f.kind === "audio" || f.kind === "data") && !f.problem)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const problems = facts.filter((f) => f.problem);
  for (const f of usable) await addFileTrack(f.name, f.kind === "audio" ? "audio" : "mode1");
  const added = usable.length ? `Added ${usable.length} track${usable.length > 1 ? "s" : ""}.` : "";
  const bad = problems.map((f) => `${f.name}: ${f.problem}`).join("; ");
  if (bad) say(`${added} ${bad}`.trim(), "error");
  else if (added) say(added);
  else say(`Added ${facts.length} file${facts.length > 1 ? "s" : ""} for use in tracks.`);
}

/** The sheet the user opened last whose files were missing, if any. */
let waitingSheet: string | null = null;
function pendingSheet(): FileFacts | undefined {
  return waitingSheet ? get().files.get(waitingSheet) : undefined;
}

/** Opens a sheet or project when all its files are there; names the missing ones otherwise. */
export async function openSheet(name: string): Promise<void> {
  try {
    const { missing, needs } = await worker.ask({ type: "needs", name });
    if (missing.length) {
      waitingSheet = name;
      say(`${name} needs ${needs.length} file${needs.length > 1 ? "s" : ""}; missing: ${missing.join(", ")}. Add them (drop them or pick them).`, "error");
      return;
    }
    waitingSheet = null;
    const opened = await worker.ask({ type: "open", name });
    const base = name.slice(name.lastIndexOf("/") + 1).replace(/\.[^.]*$/, "");
    replace({ name: base, project: opened.project }, `open ${name}`);
    say(opened.warnings.length ? `Opened ${name}. ${opened.warnings.join(" ")}` : `Opened ${name}.`);
  } catch (e) {
    say(`${name}: ${describe(failureOf(e))}`, "error");
  }
}

/** Appends a track of one whole file. */
export async function addFileTrack(name: string, sectorType: SectorType): Promise<void> {
  try {
    const made = await worker.ask({ type: "track", name, sectorType });
    const facts = get().files.get(name);
    edit(`add ${name}`, (p) => addTrack(p, made, facts));
  } catch (e) {
    say(`${name}: ${describe(failureOf(e))}`, "error");
  }
}

// The layout follows the document: one request at a time, the latest
// project next.
let running = false;
let queued: Project | null = null;

async function relayout(project: Project): Promise<void> {
  if (running) {
    queued = project;
    return;
  }
  running = true;
  try {
    const layout = await layOut(project, get().files);
    if (get().doc.project === project) set({ layout, layoutError: null, layoutFresh: true });
  } catch (e) {
    if (get().doc.project === project) set({ layoutError: failureOf(e), layoutFresh: true });
  } finally {
    running = false;
    const next = queued;
    queued = null;
    if (next && next !== project) void relayout(next);
    else if (next === null && get().doc.project !== project) void relayout(get().doc.project);
  }
}

let shown: Project | null = null;
let saving: ReturnType<typeof setTimeout> | null = null;

/** Starts following the store: layouts and saving. Restores the kept project first. */
export async function start(): Promise<void> {
  try {
    const kept = await persist.load();
    if (kept) {
      if (kept.files.length) {
        const facts = await worker.ask({ type: "files", files: kept.files });
        set({ files: new Map(facts.map((f) => [f.name, f])) });
      }
      set({ doc: kept.doc });
    }
  } catch {
    say("the project kept from the last visit could not be read", "error");
  }
  const follow = () => {
    const { doc } = get();
    if (doc.project !== shown) {
      shown = doc.project;
      void relayout(doc.project);
      if (saving) clearTimeout(saving);
      saving = setTimeout(() => void persist.saveDoc(get().doc).catch(() => {}), 250);
    }
  };
  subscribe(follow);
  follow();
}

/** Starts over: an empty project, no files. */
export async function newProject(): Promise<void> {
  const names = [...get().files.keys()];
  await worker.ask({ type: "forget", names });
  await persist.clearAll();
  set({ files: new Map() });
  replace({ name: "disc", project: { format: 1, tracks: [] } }, "new project");
}
