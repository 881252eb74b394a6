// Edits of a project: pure functions from one project to the next, so the
// history keeps each and the views compare them.

import type { CdText, CdTextBlock, CdTextFields, Piece, Pieces, Project, ProjectSource, SourceSpan, TrackSpec } from "rawburn";
import type { FileFacts } from "../worker/protocol";

export const EMPTY: Project = { format: 1, tracks: [] };

/** The sources of pieces as a list. */
export function pieces(p: Pieces | undefined): Piece[] {
  if (p === undefined) return [];
  return Array.isArray(p) ? p : [p];
}

export function sectorsOf(p: Pieces | undefined): number {
  return pieces(p).reduce((n, x) => n + ("generated" in x ? x.generated : x.sectors), 0);
}

/** The index of `source` in the project's sources, appended when new. */
export function withSource(project: Project, source: ProjectSource): [Project, number] {
  const sources = project.sources ?? [];
  const i = sources.findIndex((s) => s.path === source.path && (s.format ?? "binary") === (source.format ?? "binary"));
  if (i >= 0) return [project, i];
  return [{ ...project, sources: [...sources, source] }, sources.length];
}

/** Drops sources no track uses and renumbers the rest. */
export function pruneSources(project: Project): Project {
  const used = new Set<number>();
  const mark = (p: Pieces | undefined) => pieces(p).forEach((x) => "source" in x && used.add(x.source));
  for (const t of project.tracks) {
    mark(t.data);
    mark(t.pregap?.source);
    if (t.rwSub) used.add(t.rwSub.source);
  }
  if (project.specialPregap) used.add(project.specialPregap.source);
  if (project.rwGenerator) used.add(project.rwGenerator.source);
  const sources = project.sources ?? [];
  if (used.size === sources.length) return project;
  const map = new Map<number, number>();
  const kept: ProjectSource[] = [];
  sources.forEach((s, i) => {
    if (used.has(i)) {
      map.set(i, kept.length);
      kept.push(s);
    }
  });
  const re = <T extends { source: number }>(x: T): T => ({ ...x, source: map.get(x.source) ?? x.source });
  const rePieces = (p: Pieces | undefined): Pieces | undefined =>
    p === undefined ? undefined : Array.isArray(p) ? p.map((x) => ("source" in x ? re(x) : x)) : re(p);
  return {
    ...project,
    sources: kept,
    specialPregap: project.specialPregap && re(project.specialPregap),
    rwGenerator: project.rwGenerator && re(project.rwGenerator),
    tracks: project.tracks.map((t) => ({
      ...t,
      data: rePieces(t.data) as Pieces,
      pregap: t.pregap && { ...t.pregap, source: rePieces(t.pregap.source) },
      rwSub: t.rwSub && re(t.rwSub),
    })),
  };
}

/** Appends a track whose source and spec the package made (`addTrack` then `toJSON`). */
export function addTrack(project: Project, made: { source: ProjectSource; track: TrackSpec }, facts?: FileFacts): Project {
  const [p, index] = withSource(project, made.source);
  const remap = (x: Pieces): Pieces =>
    Array.isArray(x) ? x.map((y) => ("source" in y ? { ...y, source: index } : y)) : { ...x, source: index };
  const track: TrackSpec = { ...made.track, data: remap(made.track.data) };
  let next: Project = { ...p, tracks: [...p.tracks, track] };
  const tags = facts?.audio?.tags;
  if (tags) {
    const position = next.tracks.length - 1;
    if (tags.title || tags.artist)
      next = setTrackText(next, 0, position, { title: tags.title ?? undefined, performer: tags.artist ?? undefined });
    const disc = next.cdtext?.blocks[0]?.disc ?? {};
    const album: CdTextFields = {};
    if (!disc.title && tags.album) album.title = tags.album;
    if (!disc.performer && (tags.albumArtist || tags.artist)) album.performer = (tags.albumArtist || tags.artist) ?? undefined;
    if (album.title || album.performer) next = setDiscText(next, 0, album);
    if (tags.isrc && /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/.test(tags.isrc.replace(/-/g, "").toUpperCase()))
      next = updateTracks(next, [position], { isrc: tags.isrc.replace(/-/g, "").toUpperCase() });
    if (tags.mcn && !next.mcn && /^\d{13}$/.test(tags.mcn)) next = { ...next, mcn: tags.mcn };
  }
  return next;
}

export function removeTracks(project: Project, positions: number[]): Project {
  const drop = new Set(positions);
  const cdtext = project.cdtext && {
    ...project.cdtext,
    blocks: project.cdtext.blocks.map((b) => ({ ...b, tracks: b.tracks?.filter((_, i) => !drop.has(i)) })),
  };
  return pruneSources({ ...project, tracks: project.tracks.filter((_, i) => !drop.has(i)), cdtext });
}

/** Sets fields of several tracks at once; `undefined` removes a field (its default). */
export function updateTracks(project: Project, positions: number[], change: Partial<TrackSpec>): Project {
  const at = new Set(positions);
  return {
    ...project,
    tracks: project.tracks.map((t, i) => {
      if (!at.has(i)) return t;
      const n: Record<string, unknown> = { ...t, ...change };
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete n[k];
      return n as unknown as TrackSpec;
    }),
  };
}

/**
 * Moves the track at `from` to `to`. Audio a track's pregap takes from the
 * track before it goes back to that track first, since the neighbours change.
 */
export function moveTrack(project: Project, from: number, to: number): Project {
  if (from === to || to < 0 || to >= project.tracks.length) return project;
  let p = project;
  for (const i of new Set([from, from + 1, to, to + 1])) if (i > 0 && i < p.tracks.length) p = setPregapAudio(p, i, 0);
  const order = p.tracks.map((_, i) => i);
  order.splice(to, 0, ...order.splice(from, 1));
  const cdtext = p.cdtext && {
    ...p.cdtext,
    blocks: p.cdtext.blocks.map((b) => (b.tracks ? { ...b, tracks: order.map((i) => b.tracks?.[i] ?? {}) } : b)),
  };
  return { ...p, tracks: order.map((i) => p.tracks[i]), cdtext };
}

/** How many sectors of audio track `i`'s pregap can take from the track before it (its last span). */
export function pregapAudioRoom(project: Project, i: number): number {
  const prev = project.tracks[i - 1];
  const t = project.tracks[i];
  if (!prev || !t || prev.sectorType !== "audio" || t.sectorType !== "audio") return 0;
  const last = pieces(prev.data).at(-1);
  if (!last || "generated" in last) return 0;
  const mine = pieces(t.pregap?.source);
  const taken = mine.length === 1 && "source" in mine[0] && mine[0].source === last.source ? mine[0].sectors : 0;
  if (mine.length > 0 && taken === 0) return 0;
  // The track before keeps at least 4 seconds (300 sectors), a track's shortest.
  return Math.max(0, last.sectors + taken - 300);
}

/** Track `i`'s pregap ends with `sectors` of the audio that ends the track before it (0: none). */
export function setPregapAudio(project: Project, i: number, sectors: number): Project {
  const prev = project.tracks[i - 1];
  const t = project.tracks[i];
  if (!prev || !t) return project;
  const prevPieces = pieces(prev.data);
  const last = prevPieces.at(-1);
  const mine = pieces(t.pregap?.source);
  const taken = mine.length === 1 && "source" in mine[0] ? (mine[0] as SourceSpan) : null;
  if (!last || "generated" in last) return project;
  if (taken && taken.source !== last.source) return project;
  const total = last.sectors + (taken?.sectors ?? 0);
  const k = Math.max(0, Math.min(sectors, total));
  const keep: SourceSpan = { ...last, sectors: total - k };
  const give: SourceSpan = { source: last.source, offset: (last.offset ?? 0) + keep.sectors * 2352, sectors: k };
  const prevData = [...prevPieces.slice(0, -1), keep];
  const generated = t.pregap?.generated ?? (k > 0 ? 0 : undefined);
  const pregap = k > 0 ? { generated: generated ?? 0, source: give as Pieces } : generated === undefined ? undefined : { generated };
  return updateTracks(
    updateTracks(project, [i - 1], { data: (prevData.length === 1 ? prevData[0] : prevData) as Pieces }),
    [i],
    { pregap },
  );
}

// CD-TEXT

export function blocks(project: Project): CdTextBlock[] {
  return project.cdtext?.blocks ?? [];
}

function withBlocks(project: Project, b: CdTextBlock[]): Project {
  if (b.length === 0) {
    const { cdtext: _, ...rest } = project;
    return rest;
  }
  const cdtext: CdText = { ...(project.cdtext ?? {}), blocks: b };
  return { ...project, cdtext };
}

function clean(f: CdTextFields): CdTextFields {
  const out: CdTextFields = {};
  for (const [k, v] of Object.entries(f)) if (typeof v === "string" && v !== "") (out as Record<string, string>)[k] = v;
  return out;
}

function block(project: Project, n: number): CdTextBlock {
  return blocks(project)[n] ?? { language: 9, charset: "iso8859_1" };
}

function putBlock(project: Project, n: number, b: CdTextBlock): Project {
  const list = [...blocks(project)];
  while (list.length < n) list.push({ language: 9, charset: "iso8859_1" });
  list[n] = b;
  return withBlocks(project, list);
}

export function setDiscText(project: Project, n: number, fields: CdTextFields): Project {
  const b = block(project, n);
  return putBlock(project, n, { ...b, disc: clean({ ...(b.disc ?? {}), ...fields }) });
}

export function setTrackText(project: Project, n: number, position: number, fields: CdTextFields): Project {
  const b = block(project, n);
  const tracks = project.tracks.map((_, i) => b.tracks?.[i] ?? {});
  tracks[position] = clean({ ...(tracks[position] ?? {}), ...fields });
  return putBlock(project, n, { ...b, tracks });
}

export function setBlock(project: Project, n: number, change: Partial<CdTextBlock>): Project {
  return putBlock(project, n, { ...block(project, n), ...change });
}

export function addBlock(project: Project, language: number): Project {
  const list = blocks(project);
  if (list.length >= 8) return project;
  return putBlock(project, list.length, { language, charset: "iso8859_1", tracks: project.tracks.map(() => ({})) });
}

export function removeBlock(project: Project, n: number): Project {
  return withBlocks(project, blocks(project).filter((_, i) => i !== n));
}
