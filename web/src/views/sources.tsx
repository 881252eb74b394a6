// The files the page holds: what each is, whether the project uses it, and
// what can be done with it. Nothing here leaves the browser unless a disc
// is burned.

import { memo } from "./memo";
import type { Project } from "rawburn";
import { addFileTrack, openSheet, worker } from "../model/actions";
import * as persist from "../model/persist";
import { get, set } from "../model/store";
import { msf } from "../model/time";
import type { FileFacts } from "../worker/protocol";

const KIND: Record<FileFacts["kind"], string> = {
  audio: "audio",
  data: "data image",
  cue: "cue sheet",
  toc: "cdrdao toc",
  ccd: "CloneCD",
  project: "project",
  cdtext: "CD-TEXT",
  other: "other",
};

function size(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/** Drawn again only when the files or the project's sources change. */
export const Sources = memo(function Sources({ files, sources }: { files: Map<string, FileFacts>; sources: Project["sources"] }) {
  const used = new Set((sources ?? []).map((s) => s.path));
  const list = [...files.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const missing = (sources ?? []).filter((s) => !files.has(s.path)).map((s) => s.path);
  const forget = async (name: string) => {
    await worker.ask({ type: "forget", names: [name] });
    await persist.forgetFiles([name]);
    const next = new Map(get().files);
    next.delete(name);
    set({ files: next });
  };
  return (
    <section class="panel sources" aria-labelledby="src-h">
      <h2 id="src-h">
        Files <span class="count">{files.size}</span>
      </h2>
      {missing.length > 0 && (
        <p class="error" role="alert">
          The project uses files this page does not have: {missing.join(", ")}. Add them (drop them or use Add files…).
        </p>
      )}
      {list.length === 0 ? (
        <p class="hint">
          Drop files or a folder here, or anywhere on the page. They stay in this browser; nothing is uploaded unless you burn.
        </p>
      ) : (
        <ul class="filelist">
          {list.map((f) => (
            <li class={used.has(f.name) ? "used" : ""}>
              <span class="name" title={f.name}>
                {f.name}
              </span>
              <span class="kind">{KIND[f.kind]}</span>
              <span class="meta">
                {f.audio ? `${msf(Math.ceil(f.audio.cdBytes / 2352))} · ${f.audio.codec} ${f.audio.sampleRate / 1000} kHz` : size(f.size)}
              </span>
              {f.problem && <span class="bad">{f.problem}</span>}
              <span class="actions">
                {(f.kind === "audio" || f.kind === "data") && !f.problem && (
                  <button class="small" onClick={() => void addFileTrack(f.name, f.kind === "audio" ? "audio" : "mode1")} aria-label={`Add as track: ${f.name}`}>
                    Add as track
                  </button>
                )}
                {(f.kind === "cue" || f.kind === "toc" || f.kind === "ccd" || f.kind === "project") && (
                  <button class="small" onClick={() => void openSheet(f.name)} aria-label={`Open ${f.name}`}>
                    Open
                  </button>
                )}
                {!used.has(f.name) && (
                  <button class="small icon" onClick={() => void forget(f.name)} aria-label={`Remove ${f.name} from the page`} title="Remove">
                    ✕
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
