// Disc-wide settings: media, first track number, catalog number, hidden
// track-one audio, gapless joins.

import { memo } from "./memo";
import { useEffect, useState } from "preact/hooks";
import type { Project } from "rawburn";
import { pruneSources, withSource } from "../model/edit";
import { mcnProblem } from "../model/rules";
import { edit, get } from "../model/store";
import { type Minutes, msf } from "../model/time";
import { Check, Select, TextField } from "./fields";
import { mediaOf } from "./side";
import type { FileFacts } from "../worker/protocol";

/** Drawn again only when a disc-wide setting or the files change, not on every track edit. */
export const DiscSettings = memo(DiscSettingsPanel, (a, b) => a.files === b.files && DISC_KEYS.every((k) => a.project[k] === b.project[k]));

const DISC_KEYS = ["leadoutLimit", "firstTrack", "mcn", "gaplessAudio", "specialPregap", "sources"] as const;

function DiscSettingsPanel({ project, files }: { project: Project; files: Map<string, FileFacts> }) {
  const [mcn, setMcn] = useState(project.mcn ?? "");
  useEffect(() => setMcn(project.mcn ?? ""), [project.mcn]);
  const audioFiles = [...files.values()].filter((f) => f.kind === "audio" && !f.problem);
  const hidden = project.specialPregap ? project.sources?.[project.specialPregap.source]?.path ?? "" : "";
  const mcnBad = mcnProblem(mcn);
  return (
    <section class="panel disc" aria-labelledby="disc-h">
      <h2 id="disc-h">Disc</h2>
      <div class="fields">
        <Select<string>
          label="Media"
          value={String(mediaOf(project))}
          options={[
            ["74", "CD 74 min (650 MB)"],
            ["80", "CD 80 min (700 MB)"],
            ["90", "CD 90 min (790 MB)"],
            ["99", "CD 99 min (870 MB)"],
          ]}
          onChange={(v) => edit("media", (p) => ({ ...p, leadoutLimit: `minutes${Number(v) as Minutes}` as Project["leadoutLimit"] }))}
        />
        <Select<string>
          label="First track number"
          value={String(project.firstTrack ?? 1)}
          options={Array.from({ length: 99 }, (_, i) => [String(i + 1), String(i + 1)])}
          onChange={(v) => edit("first track number", (p) => ({ ...p, firstTrack: Number(v) === 1 ? undefined : Number(v) }))}
        />
        <TextField
          label="Catalog number (MCN, UPC/EAN)"
          value={mcn}
          placeholder="13 digits"
          maxLength={13}
          problem={mcnBad && !/check digit/.test(mcnBad) ? mcnBad : mcnBad ? `warning: ${mcnBad}` : null}
          onInput={(v) => {
            setMcn(v);
            const p = mcnProblem(v);
            if (!p || /check digit/.test(p)) edit("catalog number", (x) => ({ ...x, mcn: v.trim() ? v.trim().padStart(13, "0") : undefined }));
          }}
        />
        <Check
          label="Gapless audio"
          checked={!!project.gaplessAudio}
          hint="audio tracks without a pregap of their own follow on without a gap"
          onChange={(v) => edit("gapless audio", (p) => ({ ...p, gaplessAudio: v || undefined }))}
        />
        <Select<string>
          label="Hidden track-one audio"
          value={hidden}
          options={[["", "None"], ...audioFiles.map((f) => [f.name, f.name] as [string, string])]}
          onChange={(name) =>
            edit("hidden track-one audio", (p) => {
              if (!name) return pruneSources({ ...p, specialPregap: undefined });
              const f = get().files.get(name);
              const sectors = Math.ceil((f?.audio?.cdBytes ?? 0) / 2352);
              const [q, source] = withSource(p, { path: name, format: "audio" });
              return pruneSources({ ...q, specialPregap: { source, sectors } });
            })
          }
        />
        {project.specialPregap && (
          <p class="hint">
            {msf(project.specialPregap.sectors)} of audio before track 1's index 1: players reach it by rewinding from the start of track 1.
            {project.specialPregap.sectors < 150 && <span class="bad"> It must last at least 00:02:00.</span>}
          </p>
        )}
      </div>
    </section>
  );
}
