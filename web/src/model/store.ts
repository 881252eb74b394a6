// The editor's state: the project with its undo history, the files it
// uses, and what the worker made of them. One store; views subscribe.

import { useEffect, useState } from "preact/hooks";
import type { Project } from "rawburn";
import { EMPTY } from "./edit";
import type { Failure, FileFacts, Layout } from "../worker/protocol";

export interface Doc {
  /** File name of exports and of the saved project, without extension. */
  name: string;
  project: Project;
}

export interface State {
  doc: Doc;
  past: { doc: Doc; label: string }[];
  future: { doc: Doc; label: string }[];
  /** The files, by their names in the project. */
  files: Map<string, FileFacts>;
  /** The selected tracks (positions). */
  selected: number[];
  /** The last good layout, and the error of the current project if it has one. */
  layout: Layout | null;
  layoutError: Failure | null;
  /** Where the layout stands relative to the doc. */
  layoutFresh: boolean;
  /** A message for the status line. */
  status: { text: string; kind: "info" | "error" } | null;
  theme: "light" | "dark" | "system";
}

type Listener = () => void;

let state: State = {
  doc: { name: "disc", project: EMPTY },
  past: [],
  future: [],
  files: new Map(),
  selected: [],
  layout: null,
  layoutError: null,
  layoutFresh: true,
  status: null,
  theme: (localStorage.getItem("rawburn-theme") as State["theme"]) ?? "system",
};
const listeners = new Set<Listener>();

export function get(): State {
  return state;
}

export function set(change: Partial<State>): void {
  state = { ...state, ...change };
  for (const l of listeners) l();
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The store's state, re-rendering the component when it changes. */
export function useStore(): State {
  const [, bump] = useState(0);
  useEffect(() => subscribe(() => bump((n) => n + 1)), []);
  return state;
}

let lastLabel = "";
let lastAt = 0;

/**
 * Replaces the project, keeping the one before for undo. Edits with the
 * same label within a second (typing in one field) make one step.
 */
export function edit(label: string, change: (p: Project) => Project): void {
  const before = state.doc;
  const project = change(before.project);
  if (project === before.project) return;
  const now = performance.now();
  const merge = label === lastLabel && now - lastAt < 1000 && state.past.length > 0;
  lastLabel = label;
  lastAt = now;
  const past = merge ? state.past : [...state.past, { doc: before, label }].slice(-200);
  set({ doc: { ...before, project }, past, future: [], layoutFresh: false });
}

export function rename(name: string): void {
  const clean = name.replace(/[\\/:*?"<>|]/g, "").trim() || "disc";
  set({ doc: { ...state.doc, name: clean } });
}

/** Replaces the whole document (opening a project): one undo step. */
export function replace(doc: Doc, label: string): void {
  lastLabel = "";
  set({ doc, past: [...state.past, { doc: state.doc, label }], future: [], selected: [], layoutFresh: false });
}

export function undo(): void {
  const last = state.past.at(-1);
  if (!last) return;
  lastLabel = "";
  set({
    doc: last.doc,
    past: state.past.slice(0, -1),
    future: [{ doc: state.doc, label: last.label }, ...state.future],
    layoutFresh: false,
    status: { text: `Undid: ${last.label}`, kind: "info" },
  });
}

export function redo(): void {
  const next = state.future[0];
  if (!next) return;
  lastLabel = "";
  set({
    doc: next.doc,
    past: [...state.past, { doc: state.doc, label: next.label }],
    future: state.future.slice(1),
    layoutFresh: false,
    status: { text: `Redid: ${next.label}`, kind: "info" },
  });
}

export function say(text: string, kind: "info" | "error" = "info"): void {
  set({ status: { text, kind } });
}

/** The theme in effect: the chosen one, or the system's. */
export function resolvedTheme(theme: State["theme"] = state.theme): "light" | "dark" {
  if (theme !== "system") return theme;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}
