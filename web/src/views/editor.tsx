// The selected tracks' properties; with one audio track selected, its
// waveform with the index marks.

import { useEffect, useRef, useState } from "preact/hooks";
import type { CopySetting, Project, SectorType, SourceSpan, TableOfContents } from "rawburn";
import { pieces, pregapAudioRoom, sectorsOf, setPregapAudio, updateTracks } from "../model/edit";
import { isrcProblem, normalIsrc } from "../model/rules";
import { edit, resolvedTheme, useStore } from "../model/store";
import { SAMPLES_PER_SECTOR, SECTORS_PER_SECOND, msf } from "../model/time";
import { worker } from "../model/actions";
import { Check, Select, TextField, TimeField } from "./fields";
import { SECTOR_TYPES } from "./tracks";

/** Sets the generated part of the tracks' pregaps (null: the default, unless audio from a file is in it). */
function setPregapSilence(p: Project, list: number[], n: number | null): Project {
  return {
    ...p,
    tracks: p.tracks.map((t, i) => {
      if (!list.includes(i)) return t;
      const next = { ...t };
      if (n === null && !t.pregap?.source) delete next.pregap;
      else next.pregap = { ...(t.pregap ?? {}), generated: n ?? 0 };
      return next;
    }),
  };
}

/** The one value all selected tracks share, or null. */
function common<T>(values: T[]): T | null {
  return values.every((v) => v === values[0]) ? values[0] : null;
}

export function TrackEditor({ project, toc, selected }: { project: Project; toc: TableOfContents | null; selected: number[] }) {
  const list = selected.filter((i) => i < project.tracks.length);
  if (list.length === 0) return null;
  const tracks = list.map((i) => project.tracks[i]);
  const one = list.length === 1 ? list[0] : null;
  const names = list.map((i) => toc?.tracks[i]?.number ?? i + 1);
  const label = one !== null ? `track ${names[0]}` : `${list.length} tracks`;
  const change = (what: string, c: Parameters<typeof updateTracks>[2]) => edit(`${what} of ${label}`, (p) => updateTracks(p, list, c));
  const [isrc, setIsrc] = useState(common(tracks.map((t) => t.isrc ?? "")) ?? "");
  useEffect(() => setIsrc(common(tracks.map((t) => t.isrc ?? "")) ?? ""), [list.join(","), tracks.map((t) => t.isrc).join(",")]);
  const isrcBad = isrcProblem(isrc);
  const audio = tracks.every((t) => t.sectorType === "audio");
  const generated = common(tracks.map((t) => t.pregap?.generated ?? null));
  const defaultPregap = one !== null && toc?.tracks[one] ? toc.tracks[one].indexes[0] - toc.tracks[one].pregapStart - sectorsOf(project.tracks[one].pregap?.source) : null;
  const room = one !== null && one > 0 ? pregapAudioRoom(project, one) : 0;
  const fromPrevious = one !== null ? sectorsOf(project.tracks[one].pregap?.source) : 0;
  return (
    <section class="panel editor" aria-labelledby="ed-h">
      <h2 id="ed-h">{one !== null ? `Track ${names[0]}` : `${list.length} tracks selected (${names.join(", ")})`}</h2>
      <div class="fields">
        <Select<SectorType>
          label="Type"
          value={common(tracks.map((t) => t.sectorType))}
          options={SECTOR_TYPES}
          onChange={(v) => change("type", { sectorType: v })}
        />
        <TimeField
          label="Pregap: generated silence"
          value={generated ?? (list.length === 1 && defaultPregap !== null && project.tracks[list[0]].pregap === undefined ? null : generated)}
          placeholder={one !== null && project.tracks[one].pregap === undefined ? "default" : "(mixed)"}
          allowEmpty
          hint={one !== null && project.tracks[one].pregap === undefined ? `Empty: the default here, ${msf(defaultPregap ?? 0)}` : "Empty: the default for the track's position"}
          onChange={(n) => edit(`pregap of ${label}`, (p) => setPregapSilence(p, list, n))}
        />
        {one !== null && one > 0 && audio && (
          <TimeField
            label="Pregap: audio from the track before"
            value={fromPrevious}
            max={room}
            hint={room > 0 ? `INDEX 00 audio taken from the end of track ${names[0] - 1}'s file; up to ${msf(room)}` : "the track before must end with audio from a file"}
            onChange={(n) => edit(`pregap audio of ${label}`, (p) => setPregapAudio(p, one, n ?? 0))}
          />
        )}
        <TimeField
          label="Postgap"
          value={common(tracks.map((t) => t.postgap ?? 0))}
          placeholder="(mixed)"
          onChange={(n) => change("postgap", { postgap: n ? n : undefined })}
        />
        {audio && (
          <TextField
            label="ISRC"
            value={isrc}
            placeholder={one === null && common(tracks.map((t) => t.isrc ?? "")) === null ? "(mixed)" : "CC-XXX-YY-NNNNN"}
            problem={isrcBad}
            maxLength={15}
            onInput={(v) => {
              setIsrc(v);
              if (!isrcProblem(v)) change("ISRC", { isrc: v.trim() ? normalIsrc(v) : undefined });
            }}
          />
        )}
        <Select<CopySetting>
          label="Digital copy"
          value={common(tracks.map((t) => t.copy ?? "prohibited"))}
          options={[
            ["prohibited", "Prohibited"],
            ["permitted", "Permitted"],
            ["scms", "SCMS (one generation)"],
          ]}
          onChange={(v) => change("copy setting", { copy: v === "prohibited" ? undefined : v })}
        />
        {audio && (
          <>
            <Check label="Pre-emphasis (50/15 µs)" checked={common(tracks.map((t) => !!t.preEmphasis))} onChange={(v) => change("pre-emphasis", { preEmphasis: v || undefined })} />
            <Check label="Four-channel audio" checked={common(tracks.map((t) => !!t.fourChannel))} onChange={(v) => change("four-channel flag", { fourChannel: v || undefined })} />
          </>
        )}
      </div>
      {one !== null && audio && <Indexes project={project} position={one} number={names[0]} />}
    </section>
  );
}

/** Index marks of one audio track: on its waveform, and as a list. */
function Indexes({ project, position, number }: { project: Project; position: number; number: number }) {
  const t = project.tracks[position];
  const length = sectorsOf(t.data);
  const marks = t.indexes ?? [];
  const [cursor, setCursor] = useState(0);
  const setMarks = (next: number[], what: string) =>
    edit(`${what} on track ${number}`, (p) => updateTracks(p, [position], { indexes: next.length ? [...new Set(next)].sort((a, b) => a - b) : undefined }));
  const span = pieces(t.data).length === 1 && "source" in pieces(t.data)[0] ? (pieces(t.data)[0] as SourceSpan) : null;
  const file = span ? project.sources?.[span.source] : undefined;
  return (
    <div class="indexes">
      <h3>Index marks</h3>
      {span && file?.format === "audio" ? (
        <Waveform
          name={file.path}
          offset={span.offset ?? 0}
          sectors={span.sectors}
          marks={marks}
          cursor={cursor}
          setCursor={setCursor}
          add={(s) => s > 0 && s < length && setMarks([...marks, s], "index mark")}
        />
      ) : (
        <p class="hint">The waveform is drawn for a track of one audio file.</p>
      )}
      <ol class="marklist">
        <li>
          Index 1 at 00:00:00 <span class="hint">(the track's start)</span>
        </li>
        {marks.map((m, k) => (
          <li>
            Index {k + 2} at <code>{msf(m)}</code>{" "}
            <button class="small" aria-label={`Remove index ${k + 2}`} onClick={() => setMarks(marks.filter((x) => x !== m), "remove index")}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div class="row">
        <TimeField label="Add an index at" value={null} allowEmpty max={Math.max(0, length - 1)} placeholder="mm:ss:ff" onChange={(n) => n && setMarks([...marks, n], "index mark")} />
      </div>
    </div>
  );
}

/**
 * The theme's waveform colours, read once per theme: reading computed
 * styles makes the browser bring every element's style up to date first,
 * which costs tens of milliseconds on a page of a hundred tracks.
 */
const colourCache = new Map<string, { wave: string; mark: string; cursor: string }>();
function waveColours(theme: "light" | "dark") {
  let c = colourCache.get(theme);
  if (!c) {
    const css = getComputedStyle(document.documentElement);
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    c = { wave: v("--wave", "#3a7"), mark: v("--mark", "#d33"), cursor: v("--cursor", "#06c") };
    colourCache.set(theme, c);
  }
  return c;
}

function Waveform(props: {
  name: string;
  offset: number;
  sectors: number;
  marks: number[];
  cursor: number;
  setCursor: (s: number) => void;
  add: (sector: number) => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = resolvedTheme(useStore().theme);
  const [peaks, setPeaks] = useState<{ min: Float32Array; max: Float32Array } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const width = 1200;
  useEffect(() => {
    let live = true;
    setPeaks(null);
    worker
      .ask({ type: "peaks", name: props.name, offset: props.offset, bytes: props.sectors * 2352, buckets: width })
      .then((p) => live && setPeaks(p))
      .catch((e) => live && setProblem(String(e.message ?? e)));
    return () => {
      live = false;
    };
  }, [props.name, props.offset, props.sectors]);
  useEffect(() => {
    const c = canvas.current;
    const g = c?.getContext("2d");
    if (!c || !g) return;
    const colours = waveColours(theme);
    g.clearRect(0, 0, c.width, c.height);
    const mid = c.height / 2;
    if (peaks) {
      g.fillStyle = colours.wave;
      for (let x = 0; x < width; x++) {
        const top = mid - peaks.max[x] * mid;
        const bottom = mid - peaks.min[x] * mid;
        g.fillRect(x, top, 1, Math.max(1, bottom - top));
      }
    }
    g.fillStyle = colours.mark;
    for (const m of props.marks) g.fillRect(Math.round((m / props.sectors) * width), 0, 2, c.height);
    g.fillStyle = colours.cursor;
    g.fillRect(Math.round((props.cursor / props.sectors) * width), 0, 1, c.height);
  }, [peaks, props.marks, props.cursor, props.sectors, theme]);
  const at = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    return Math.max(0, Math.min(props.sectors - 1, Math.round(((e.clientX - r.left) / r.width) * props.sectors)));
  };
  return (
    <div class="wave">
      <canvas
        ref={canvas}
        width={width}
        height={120}
        tabIndex={0}
        role="slider"
        aria-label="Position on the waveform: arrows move by a frame (Shift: a second), Enter sets an index mark"
        aria-valuemin={0}
        aria-valuemax={props.sectors}
        aria-valuenow={props.cursor}
        aria-valuetext={msf(props.cursor)}
        onMouseMove={(e) => props.setCursor(at(e))}
        onClick={(e) => props.add(at(e))}
        onKeyDown={(e) => {
          const step = e.shiftKey ? SECTORS_PER_SECOND : 1;
          if (e.key === "ArrowRight") props.setCursor(Math.min(props.sectors - 1, props.cursor + step));
          else if (e.key === "ArrowLeft") props.setCursor(Math.max(0, props.cursor - step));
          else if (e.key === "Home") props.setCursor(0);
          else if (e.key === "End") props.setCursor(props.sectors - 1);
          else if (e.key === "Enter" || e.key === " ") props.add(props.cursor);
          else return;
          e.preventDefault();
        }}
      />
      <p class="hint">
        {problem ?? (peaks ? `${msf(props.cursor)} (sample ${props.cursor * SAMPLES_PER_SECTOR}): click or press Enter to set an index there; marks snap to CD frames (588 samples).` : "Drawing the waveform…")}
      </p>
    </div>
  );
}
