// The editor page: toolbar, sources, disc settings, tracks, the selected
// tracks' properties, CD-TEXT; beside them capacity, map, TOC, IDs, warnings.

import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { memo } from "./views/memo";
import { addFiles, newProject, openSheet } from "./model/actions";
import { edit, get, redo, rename, resolvedTheme, say, set, undo, useStore } from "./model/store";
import { BurnDialog } from "./views/burn";
import { CdTextPanel as CdTextView } from "./views/cdtext";
import { DiscSettings } from "./views/disc";
import { TrackEditor } from "./views/editor";
import { ExportDialog } from "./views/export";
import { Capacity, DiscMap, Ids as IdsView, Toc as TocView, Warnings } from "./views/side";
import { TrackTable as TrackTableView } from "./views/tracks";
import { Sources } from "./views/sources";

type Dialog = "export" | "burn" | null;

// The large panels are drawn again only when their props change: every
// change of the store (the selection, a status message, a layout) renders
// the page.
const TrackTable = memo(TrackTableView);
const CdTextPanel = memo(CdTextView);
const Toc = memo(TocView);
const Ids = memo(IdsView);

export function App() {
  const state = useStore();
  const { doc, layout } = state;
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = resolvedTheme(state.theme);
  }, [state.theme]);

  useEffect(() => {
    const keys = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const typing = (e.target as HTMLElement).tagName === "INPUT" && (e.target as HTMLInputElement).type !== "checkbox";
      if (mod && e.key.toLowerCase() === "z" && !e.shiftKey && !typing) (e.preventDefault(), undo());
      else if (mod && (e.key.toLowerCase() === "y" || (e.key.toLowerCase() === "z" && e.shiftKey)) && !typing) (e.preventDefault(), redo());
      else if (mod && e.key.toLowerCase() === "s") (e.preventDefault(), saveProject());
      else if (mod && e.key.toLowerCase() === "o") (e.preventDefault(), picker.current?.click());
    };
    addEventListener("keydown", keys);
    return () => removeEventListener("keydown", keys);
  }, []);

  const onDrop = async (e: DragEvent) => {
    if (e.dataTransfer?.types.includes("text/x-rawburn-track")) return;
    e.preventDefault();
    setDragging(false);
    const list = await droppedFiles(e.dataTransfer);
    await addFiles(list);
  };

  return (
    <div
      class={`app${dragging ? " dragging" : ""}`}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes("Files")) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (!(e.relatedTarget instanceof Node) || !(e.currentTarget as HTMLElement).contains(e.relatedTarget)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <a class="skip" href="#tracks-h">
        Skip to the tracks
      </a>
      <header class="topbar">
        <h1>
          <img src="./favicon.svg" alt="" width={22} height={22} /> rawburn
        </h1>
        <label class="docname">
          <span class="sr">Disc name (file names of exports)</span>
          <input value={doc.name} aria-label="Disc name" onChange={(e) => rename(e.currentTarget.value)} />
        </label>
        <nav class="toolbar" aria-label="Project">
          <button onClick={() => void newProject()} title="An empty project">New</button>
          <button onClick={() => picker.current?.click()} title="Ctrl+O">Add files…</button>
          <button onClick={() => folder.current?.click()}>Add folder…</button>
          <button onClick={() => opener.current?.click()}>Open project…</button>
          <button onClick={saveProject} title="Ctrl+S">Save project</button>
          <span class="sep" />
          <button onClick={undo} disabled={state.past.length === 0} title={state.past.at(-1) ? `Undo ${state.past.at(-1)?.label} (Ctrl+Z)` : "Nothing to undo"}>
            Undo
          </button>
          <button onClick={redo} disabled={state.future.length === 0} title={state.future[0] ? `Redo ${state.future[0].label} (Ctrl+Y)` : "Nothing to redo"}>
            Redo
          </button>
          <span class="sep" />
          <button class="primary" onClick={() => setDialog("export")} disabled={doc.project.tracks.length === 0}>
            Export…
          </button>
          <button class="primary burn" onClick={() => setDialog("burn")} disabled={doc.project.tracks.length === 0}>
            Burn…
          </button>
          <span class="sep" />
          <label class="theme">
            <span class="sr">Theme</span>
            <select
              aria-label="Theme"
              value={state.theme}
              onChange={(e) => {
                const theme = e.currentTarget.value as typeof state.theme;
                localStorage.setItem("rawburn-theme", theme);
                // Before the views render, so what they read of the theme is current.
                document.documentElement.dataset.theme = resolvedTheme(theme);
                set({ theme });
              }}
            >
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </nav>
        <input ref={picker} type="file" multiple hidden aria-hidden="true" tabIndex={-1} onChange={(e) => void pickFiles(e.currentTarget)} />
        <input
          ref={folder}
          type="file"
          hidden
          aria-hidden="true"
          tabIndex={-1}
          {...({ webkitdirectory: "" } as object)}
          onChange={(e) => void pickFiles(e.currentTarget)}
        />
        <input ref={opener} type="file" accept=".json,.cue,.toc,.ccd" hidden aria-hidden="true" tabIndex={-1} onChange={(e) => void pickFiles(e.currentTarget)} />
      </header>
      <main class="layout">
        <div class="work">
          <Sources files={state.files} sources={doc.project.sources} />
          <DiscSettings project={doc.project} files={state.files} />
          <TrackTable project={doc.project} toc={layout?.toc ?? null} selected={state.selected} />
          <TrackEditor project={doc.project} toc={layout?.toc ?? null} selected={state.selected} />
          <CdTextPanel project={doc.project} layout={layout} />
        </div>
        <aside class="side" aria-label="The disc as laid out">
          <Capacity project={doc.project} toc={layout?.toc ?? null} />
          <DiscMap project={doc.project} toc={layout?.toc ?? null} select={(n) => set({ selected: [n - (doc.project.firstTrack ?? 1)] })} />
          <Warnings state={state} />
          <Ids layout={layout} />
          <Toc layout={layout} />
        </aside>
      </main>
      <div class={`status ${state.status?.kind ?? ""}`} role="status" aria-live="polite">
        {state.status?.text ?? "Drop audio files, ISO images or cue/toc/ccd sheets with their files anywhere on the page."}
        {!state.layoutFresh && <span class="busy"> updating…</span>}
        {layout && <span class="timing" title="time the worker took to lay the disc out"> · layout {layout.ms.toFixed(1)} ms</span>}
      </div>
      {dialog && (
        <Modal title={dialog === "export" ? "Export the image" : "Burn the disc"} close={() => setDialog(null)}>
          {dialog === "export" ? <ExportDialog close={() => setDialog(null)} /> : <BurnDialog close={() => setDialog(null)} />}
        </Modal>
      )}
      {dragging && (
        <div class="dropveil" aria-hidden="true">
          Drop files or a folder to add them
        </div>
      )}
    </div>
  );
}

function Modal({ title, close, children }: { title: string; close: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="dialog-h" onClose={close} onCancel={close}>
      <header>
        <h2 id="dialog-h">{title}</h2>
        <button class="icon" aria-label="Close" onClick={close}>
          ✕
        </button>
      </header>
      {children}
    </dialog>
  );
}

async function pickFiles(input: HTMLInputElement) {
  const files = [...(input.files ?? [])].map((file) => ({ name: file.webkitRelativePath || file.name, file }));
  input.value = "";
  await addFiles(files);
}

/** The files of a drop, folders walked (their paths kept, below the dropped folder). */
async function droppedFiles(dt: DataTransfer | null): Promise<{ name: string; file: File }[]> {
  if (!dt) return [];
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...dt.files].map((file) => ({ name: file.name, file }));
  const out: { name: string; file: File }[] = [];
  const walk = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ name: path + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e, `${path}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, "");
  return out;
}

/** Downloads the project JSON (the file `rawburn build` reads; its files go beside it). */
function saveProject() {
  const { doc } = get();
  const blob = new Blob([JSON.stringify(doc.project, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `${doc.name}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  say(`Saved ${doc.name}.json: keep it beside the files it names (rawburn build ${doc.name}.json builds it).`);
}

export { edit, openSheet };
