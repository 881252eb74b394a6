// The track table: one row a track, reordered by drag or from the keyboard,
// selected one or several at a time.

import { memo } from "./memo";
import { useRef, useState } from "preact/hooks";
import type { Project, SectorType, TableOfContents, TrackSpec } from "rawburn";
import { blocks, moveTrack, pieces, removeTracks, sectorsOf, setTrackText } from "../model/edit";
import { edit, get, set } from "../model/store";
import { msf } from "../model/time";

export const SECTOR_TYPES: [SectorType, string][] = [
  ["audio", "Audio"],
  ["mode1", "Mode 1 (2048)"],
  ["mode2Form1", "Mode 2 Form 1 (2048)"],
  ["mode2Form2", "Mode 2 Form 2 (2324)"],
  ["mode2Formless", "Mode 2 (2336)"],
  ["mode2Xa", "Mode 2 XA (2336)"],
  ["mode1Raw", "Mode 1 raw (2352)"],
  ["mode2Raw", "Mode 2 raw (2352)"],
  ["mode0", "Mode 0"],
];

export function typeName(t: SectorType): string {
  return SECTOR_TYPES.find(([v]) => v === t)?.[1] ?? t;
}

function sourceName(project: Project, i: number): string {
  const t = project.tracks[i];
  const names = pieces(t.data).flatMap((p) => ("source" in p ? [project.sources?.[p.source]?.path ?? "?"] : ["silence"]));
  const unique = [...new Set(names)];
  return unique.map((n) => n.slice(n.lastIndexOf("/") + 1)).join(" + ");
}

/** What a row does, read through a ref so that the rows' props stay equal between renders. */
interface RowActions {
  select: (i: number, e?: MouseEvent | KeyboardEvent) => void;
  move: (from: number, to: number) => void;
  remove: (list: number[]) => void;
  key: (i: number, e: KeyboardEvent) => void;
  dragging: () => number | null;
  setDragging: (i: number | null) => void;
  setOver: (i: number | null) => void;
}

export function TrackTable({ project, toc, selected }: { project: Project; toc: TableOfContents | null; selected: number[] }) {
  const [dragging, setDragging] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const titles = blocks(project)[0]?.tracks;
  const select = (i: number, e?: MouseEvent | KeyboardEvent) => {
    const cur = get().selected;
    if (e && (e.ctrlKey || e.metaKey)) set({ selected: cur.includes(i) ? cur.filter((x) => x !== i) : [...cur, i].sort((a, b) => a - b) });
    else if (e && e.shiftKey && cur.length) {
      const a = Math.min(cur[0], i);
      const b = Math.max(cur.at(-1) ?? i, i);
      set({ selected: Array.from({ length: b - a + 1 }, (_, k) => a + k) });
    } else set({ selected: [i] });
  };
  const move = (from: number, to: number) => {
    if (to < 0 || to >= project.tracks.length) return;
    edit(`move track ${from + 1}`, (p) => moveTrack(p, from, to));
    set({ selected: [to] });
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-row="${to}"] .grip`)?.focus());
  };
  const remove = (list: number[]) => {
    edit(list.length > 1 ? `remove ${list.length} tracks` : `remove track ${list[0] + 1}`, (p) => removeTracks(p, list));
    set({ selected: [] });
  };
  const key = (i: number, e: KeyboardEvent) => {
    if (e.altKey && e.key === "ArrowUp") (e.preventDefault(), move(i, i - 1));
    else if (e.altKey && e.key === "ArrowDown") (e.preventDefault(), move(i, i + 1));
    else if (e.key === "Delete" && (e.target as HTMLElement).tagName !== "INPUT") (e.preventDefault(), remove(selected.includes(i) ? selected : [i]));
  };
  const actions = useRef<RowActions>(null as unknown as RowActions);
  actions.current = { select, move, remove, key, dragging: () => dragging, setDragging, setOver };
  if (project.tracks.length === 0)
    return (
      <section class="panel tracks empty" aria-labelledby="tracks-h">
        <h2 id="tracks-h">Tracks</h2>
        <p class="hint">
          No tracks yet. Drop audio files (WAV, FLAC, MP3, AAC, Ogg, AIFF…), an ISO image, or a cue, toc or ccd sheet with its files
          anywhere on the page, or use <strong>Add files</strong>.
        </p>
      </section>
    );
  const all = selected.length === project.tracks.length;
  return (
    <section class="panel tracks" aria-labelledby="tracks-h">
      <h2 id="tracks-h">
        Tracks <span class="count">{project.tracks.length}</span>
      </h2>
      <p class="hint sr" id="tracks-keys">
        Alt+Up and Alt+Down move the focused track; Delete removes the selected tracks.
      </p>
      <table class="tracktable" aria-describedby="tracks-keys">
        <thead>
          <tr>
            <th scope="col" class="narrow">
              <input
                type="checkbox"
                aria-label="Select all tracks"
                checked={all}
                onChange={() => set({ selected: all ? [] : project.tracks.map((_, i) => i) })}
              />
            </th>
            <th scope="col" class="narrow">Move</th>
            <th scope="col" class="num">#</th>
            <th scope="col">Title</th>
            <th scope="col">Type</th>
            <th scope="col">File</th>
            <th scope="col" class="time">Pregap</th>
            <th scope="col" class="time">Start</th>
            <th scope="col" class="time">Length</th>
            <th scope="col">ISRC</th>
            <th scope="col">Flags</th>
            <th scope="col" class="narrow"><span class="sr">Remove</span></th>
          </tr>
        </thead>
        <tbody>
          {project.tracks.map((t, i) => {
            const tt = toc?.tracks[i];
            return (
              <TrackRow
                key={i}
                i={i}
                track={t}
                number={tt?.number ?? i + (project.firstTrack ?? 1)}
                title={titles?.[i]?.title ?? ""}
                file={sourceName(project, i)}
                pregap={tt ? tt.indexes[0] - tt.pregapStart : null}
                start={tt ? tt.indexes[0] : null}
                length={tt ? tt.end - tt.indexes[0] : sectorsOf(t.data)}
                sourced={i === 0 && project.specialPregap ? project.specialPregap.sectors : sectorsOf(t.pregap?.source)}
                selected={selected.includes(i)}
                dropover={over === i && dragging !== null}
                actions={actions}
              />
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** One track's row: drawn again only when what it shows changes. */
const TrackRow = memo(function TrackRow(props: {
  i: number;
  track: TrackSpec;
  number: number;
  title: string;
  file: string;
  pregap: number | null;
  start: number | null;
  length: number;
  sourced: number;
  selected: boolean;
  dropover: boolean;
  actions: { current: RowActions };
}) {
  const { i, track: t, number, selected: isSel } = props;
  const a = () => props.actions.current;
  const flags = [
    t.copy === "permitted" ? "copy" : t.copy === "scms" ? "SCMS" : "",
    t.preEmphasis ? "pre-emph" : "",
    t.fourChannel ? "4ch" : "",
    t.indexes?.length ? `${t.indexes.length + 1} idx` : "",
  ].filter(Boolean);
  return (
    <tr
      data-row={i}
      class={`${isSel ? "selected" : ""}${props.dropover ? " dropover" : ""}`}
      aria-selected={isSel}
      onClick={(e) => {
        const tag = (e.target as HTMLElement).tagName;
        if (tag !== "INPUT" && tag !== "BUTTON" && tag !== "SELECT") a().select(i, e);
      }}
      onKeyDown={(e) => a().key(i, e)}
      onDragOver={(e) => {
        if (a().dragging() === null) return;
        e.preventDefault();
        a().setOver(i);
      }}
      onDrop={(e) => {
        const from = a().dragging();
        if (from === null) return;
        e.preventDefault();
        e.stopPropagation();
        a().move(from, i);
        a().setDragging(null);
        a().setOver(null);
      }}
    >
      <td>
        <input type="checkbox" aria-label={`Select track ${number}`} checked={isSel} onChange={(e) => a().select(i, { ...e, ctrlKey: true } as unknown as MouseEvent)} />
      </td>
      <td class="movecell">
        <button
          class="grip"
          draggable
          aria-label={`Move track ${number} (Alt+Up, Alt+Down)`}
          title="Drag, or Alt+Up / Alt+Down"
          onDragStart={(e) => {
            a().setDragging(i);
            e.dataTransfer?.setData("text/x-rawburn-track", String(i));
            if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
          }}
          onDragEnd={() => {
            a().setDragging(null);
            a().setOver(null);
          }}
          onClick={() => a().select(i)}
        >
          ⠿
        </button>
      </td>
      <td class="num">{number}</td>
      <td>
        <input
          class="title"
          aria-label={`Title of track ${number}`}
          value={props.title}
          placeholder="(no title)"
          onClick={() => !props.selected && a().select(i)}
          onInput={(e) => {
            const v = e.currentTarget.value;
            edit(`title of track ${i + 1}`, (p) => setTrackText(p, 0, i, { title: v }));
          }}
        />
      </td>
      <td>{typeName(t.sectorType)}</td>
      <td class="file" title={props.file}>{props.file}</td>
      <td class="time">
        {props.pregap === null ? "" : msf(props.pregap)}
        {props.sourced > 0 && <span class="tag audio" title="of it, audio from a file">♪ {msf(props.sourced)}</span>}
      </td>
      <td class="time">{props.start === null ? "" : msf(props.start + 150)}</td>
      <td class="time">{msf(props.length)}</td>
      <td class="isrc">{t.isrc ?? ""}</td>
      <td class="flags">{flags.map((f) => <span class="tag">{f}</span>)}</td>
      <td>
        <button class="icon" aria-label={`Remove track ${number}`} title="Remove" onClick={() => a().remove([i])}>
          ✕
        </button>
      </td>
    </tr>
  );
});
