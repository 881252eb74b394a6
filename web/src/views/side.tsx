// The views always in sight: capacity, disc map, TOC, disc IDs, warnings.

import { memo } from "./memo";
import type { Project, TableOfContents } from "rawburn";
import { pieces, sectorsOf } from "../model/edit";
import { mcnProblem } from "../model/rules";
import type { State } from "../model/store";
import { MEDIA, type Minutes, leadoutLimit, msf } from "../model/time";
import { describe } from "../model/actions";

export function mediaOf(project: Project): Minutes {
  const l = project.leadoutLimit;
  if (l === "minutes74") return 74;
  if (l === "minutes90") return 90;
  if (l === "minutes99") return 99;
  return 80;
}

export function Capacity({ project, toc }: { project: Project; toc: TableOfContents | null }) {
  const minutes = mediaOf(project);
  const used = toc ? toc.leadout + 150 : 150;
  const capacity = leadoutLimit(minutes) + 150;
  const scale = leadoutLimit(99) + 150;
  const over = used > capacity;
  const pct = (n: number) => `${Math.min(100, (n / scale) * 100).toFixed(3)}%`;
  return (
    <section class="panel capacity" aria-labelledby="cap-h">
      <h2 id="cap-h">Capacity</h2>
      <div
        class={`meter${over ? " over" : ""}`}
        role="meter"
        aria-label={`Disc time used on ${minutes}-minute media`}
        aria-valuemin={0}
        aria-valuemax={capacity}
        aria-valuenow={Math.min(used, capacity)}
        aria-valuetext={`${msf(used)} of ${msf(capacity)}`}
      >
        <div class="fill" style={{ width: pct(used) }} />
        {MEDIA.map((m) => (
          <div class={`mark${m === minutes ? " chosen" : ""}`} style={{ left: pct(leadoutLimit(m) + 150) }} title={`${m} min`}>
            <span>{m}</span>
          </div>
        ))}
      </div>
      <p class="numbers">
        <strong>{msf(used)}</strong> of {msf(capacity)} ({minutes}-minute media):{" "}
        {over ? <span class="bad">{msf(used - capacity)} over</span> : <span>{msf(capacity - used)} free</span>}
      </p>
      {over && (
        <p class="warn" role="alert">
          Overburn: the disc runs {msf(used - capacity)} past the end of {minutes}-minute media. Most drives refuse it, and players
          may not read the last track. Choose larger media{minutes < 99 ? "" : ", or shorten the disc"}.
        </p>
      )}
    </section>
  );
}

interface Segment {
  kind: "leadin" | "silence" | "pregapAudio" | "track" | "postgap" | "leadout" | "hidden" | "data";
  from: number;
  to: number;
  label: string;
  track?: number;
}

/** The disc's regions in LBA order, from the TOC and the project. */
export function segments(project: Project, toc: TableOfContents): Segment[] {
  const out: Segment[] = [];
  toc.tracks.forEach((t, i) => {
    const spec = project.tracks[i];
    const index1 = t.indexes[0];
    const audio = spec?.sectorType === "audio";
    if (t.pregapStart < index1) {
      const sourced =
        i === 0 && project.specialPregap ? project.specialPregap.sectors : sectorsOf(spec?.pregap?.source);
      const silenceEnd = index1 - Math.min(sourced, index1 - t.pregapStart);
      if (silenceEnd > t.pregapStart)
        out.push({ kind: "silence", from: t.pregapStart, to: silenceEnd, label: `track ${t.number} pregap: ${audio || i === 0 ? "generated silence" : "generated zeros"}`, track: t.number });
      if (silenceEnd < index1)
        out.push({
          kind: i === 0 && project.specialPregap ? "hidden" : "pregapAudio",
          from: silenceEnd,
          to: index1,
          label: i === 0 && project.specialPregap ? "hidden track-one audio" : `track ${t.number} pregap: audio from the file`,
          track: t.number,
        });
    }
    const post = spec?.postgap ?? 0;
    out.push({ kind: audio ? "track" : "data", from: index1, to: t.end - post, label: `track ${t.number}`, track: t.number });
    if (post > 0) out.push({ kind: "postgap", from: t.end - post, to: t.end, label: `track ${t.number} postgap`, track: t.number });
  });
  out.push({ kind: "leadout", from: toc.leadout, to: toc.leadout + 6750, label: "lead-out" });
  return out;
}

export function DiscMap({ project, toc, select }: { project: Project; toc: TableOfContents | null; select: (track: number) => void }) {
  if (!toc || toc.tracks.length === 0)
    return (
      <section class="panel" aria-labelledby="map-h">
        <h2 id="map-h">Disc map</h2>
        <p class="hint">Add tracks to see the disc.</p>
      </section>
    );
  const segs = segments(project, toc);
  // The program area and lead-out to scale; the lead-in (whose length the
  // media sets) drawn as a twentieth of the width. The media's end is
  // drawn when the disc reaches a tenth of it.
  const end = toc.leadout + 6750;
  const limit = leadoutLimit(mediaOf(project));
  const showLimit = toc.leadout > limit / 10;
  const last = showLimit ? Math.max(end, limit + 150) : end;
  const lead = (last + 150) / 19;
  const total = last + 150 + lead;
  const x = (lba: number) => ((lba + 150 + lead) / total) * 1000;
  return (
    <section class="panel" aria-labelledby="map-h">
      <h2 id="map-h">Disc map</h2>
      <svg class="discmap" viewBox="0 0 1000 60" preserveAspectRatio="none" role="img" aria-label="The disc's regions to scale, lead-in to lead-out">
        <rect class="seg leadin" x={0} y={8} width={x(-150)} height={36}>
          <title>lead-in: TOC{project.cdtext ? " and CD-TEXT" : ""} (length set by the media)</title>
        </rect>
        {segs.map((s) => (
          <rect
            class={`seg ${s.kind}`}
            x={x(s.from)}
            y={8}
            width={Math.max(0.6, x(s.to) - x(s.from))}
            height={36}
            onClick={() => s.track && select(s.track)}
          >
            <title>{`${s.label}: ${msf(s.from + 150)}–${msf(s.to + 150)} (${s.to - s.from} sectors)`}</title>
          </rect>
        ))}
        {toc.tracks.flatMap((t) => t.indexes.slice(1).map((lba) => <line class="index" x1={x(lba)} x2={x(lba)} y1={4} y2={48} />))}
        {showLimit && (
          <line class="capline" x1={x(limit)} x2={x(limit)} y1={0} y2={60}>
            <title>{`end of ${mediaOf(project)}-minute media (${msf(limit + 150)})`}</title>
          </line>
        )}
      </svg>
      <ul class="legend">
        <li><i class="seg leadin" />lead-in</li>
        <li><i class="seg silence" />pregap silence</li>
        <li><i class="seg pregapAudio" />pregap audio</li>
        <li><i class="seg track" />audio</li>
        <li><i class="seg data" />data</li>
        <li><i class="seg postgap" />postgap</li>
        <li><i class="seg leadout" />lead-out</li>
        <li><i class="idx" />index</li>
      </ul>
    </section>
  );
}

const hex = (n: number) => n.toString(16).padStart(2, "0").toUpperCase();

export function Toc({ layout }: { layout: State["layout"] }) {
  if (!layout || layout.toc.tracks.length === 0) return null;
  const { toc, format0, format2 } = layout;
  const f2 = format2 ?? [];
  const entries: number[][] = [];
  for (let i = 4; i + 11 <= f2.length; i += 11) entries.push(f2.slice(i, i + 11));
  return (
    <section class="panel toc" aria-labelledby="toc-h">
      <h2 id="toc-h">Table of contents</h2>
      <details open>
        <summary>READ TOC format 0 (as the drive reports it)</summary>
        <table>
          <caption class="sr">Formatted TOC: first track {format0[2]}, last track {format0[3]}</caption>
          <thead>
            <tr><th scope="col">Track</th><th scope="col">ADR/CTL</th><th scope="col">LBA</th><th scope="col">MSF</th><th scope="col">ISRC</th></tr>
          </thead>
          <tbody>
            {toc.tracks.map((t) => (
              <TocRow number={t.number} control={t.control} lba={t.indexes[0]} isrc={t.isrc ?? ""} />
            ))}
            <tr>
              <td>AA</td>
              <td>{hex(0x10 | (toc.tracks.at(-1)?.control ?? 0))}</td>
              <td>{toc.leadout}</td>
              <td>{msf(toc.leadout + 150)}</td>
              <td>{toc.mcn ? `MCN ${toc.mcn}` : ""}</td>
            </tr>
          </tbody>
        </table>
        <pre class="hex" aria-label="Format 0 reply bytes">{format0.map(hex).join(" ")}</pre>
      </details>
      {entries.length > 0 && (
        <details>
          <summary>READ TOC format 2 (full TOC)</summary>
          <table>
            <thead>
              <tr><th scope="col">Sess</th><th scope="col">ADR/CTL</th><th scope="col">POINT</th><th scope="col">PMIN</th><th scope="col">PSEC</th><th scope="col">PFRAME</th></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr>
                  <td>{e[0]}</td>
                  <td>{hex(e[1])}</td>
                  <td>{hex(e[3])}</td>
                  <td>{e[8]}</td>
                  <td>{e[9]}</td>
                  <td>{e[10]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <pre class="hex" aria-label="Format 2 reply bytes">{f2.map(hex).join(" ")}</pre>
        </details>
      )}
    </section>
  );
}

/** One track's entry: drawn again only when it changes. */
const TocRow = memo(function TocRow({ number, control, lba, isrc }: { number: number; control: number; lba: number; isrc: string }) {
  return (
    <tr>
      <td>{number}</td>
      <td>{hex(0x10 | control)}</td>
      <td>{lba}</td>
      <td>{msf(lba + 150)}</td>
      <td>{isrc}</td>
    </tr>
  );
});

export function Ids({ layout }: { layout: State["layout"] }) {
  const ids = layout?.ids;
  if (!ids || !layout || layout.toc.tracks.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="ids-h">
      <h2 id="ids-h">Disc IDs</h2>
      <dl class="ids">
        <dt>MusicBrainz</dt>
        <dd>
          <code data-id="musicbrainz">{ids.musicbrainz}</code>{" "}
          <a href={`https://musicbrainz.org/cdtoc/attach?toc=${encodeURIComponent(ids.musicbrainzToc)}`} target="_blank" rel="noreferrer noopener">
            look up
          </a>
        </dd>
        <dt>freedb / CDDB</dt>
        <dd><code data-id="freedb">{ids.freedb}</code></dd>
      </dl>
    </section>
  );
}

export function Warnings({ state }: { state: State }) {
  const { layout, doc } = state;
  // An empty project is not an error: there is nothing to lay out yet.
  const layoutError = doc.project.tracks.length === 0 ? null : state.layoutError;
  const list: string[] = [...(layout?.warnings ?? [])];
  const mcn = doc.project.mcn ? mcnProblem(doc.project.mcn) : null;
  if (mcn) list.push(`MCN: ${mcn}`);
  if (layout?.cdtextError) list.push(`CD-TEXT cannot be written: ${layout.cdtextError.message} [${layout.cdtextError.code}]`);
  const packs = layout?.packs;
  if (packs) packs.blocks.forEach((n, i) => n > packs.limit && list.push(`CD-TEXT block ${i + 1} takes ${n} packs; a block holds ${packs.limit} (Red Book CD-TEXT): shorten its texts`));
  const data = doc.project.tracks.findIndex((t) => t.sectorType !== "audio");
  if (data > 0 && doc.project.tracks.slice(data).some((t) => t.sectorType === "audio"))
    list.push("a data track between audio tracks: players skip it, but some drives read such discs poorly; mixed-mode discs put the data track first");
  void pieces;
  return (
    <section class="panel warnings" aria-labelledby="warn-h">
      <h2 id="warn-h">Warnings {list.length + (layoutError ? 1 : 0) > 0 && <span class="count">{list.length + (layoutError ? 1 : 0)}</span>}</h2>
      {layoutError && (
        <p class="error" role="alert">
          <strong>Cannot be laid out:</strong> {describe(layoutError)}
          {layoutError.code !== "error" && <span class="rule"> [{layoutError.code}]</span>}
        </p>
      )}
      {list.length === 0 && !layoutError ? (
        <p class="hint">None: the disc follows every rule.</p>
      ) : (
        <ul>{list.map((w) => <li>{w}</li>)}</ul>
      )}
    </section>
  );
}
