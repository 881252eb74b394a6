// The views' data, made on the page's own thread: laying a disc out needs
// only the lengths of its files, which the page knows, so an edit and the
// table, map and TOC it changes are drawn in the same frame. (Decoding,
// waveforms, export and burning stay in the worker.)

import { type CdTextCharset, ImageCreator, type Project, type SourceFormat, type SourceInput, cdTextUnencodable } from "rawburn";
import type { Failure, FileFacts, Layout, Unencodable } from "../worker/protocol";
import { failureOf } from "./failure";

/**
 * Lays the project out against the largest media, so a disc that
 * overflows the chosen one is still drawn (and warned about). CD-TEXT is
 * laid out apart: a block too long for the lead-in, or a character its code
 * cannot hold, is counted and flagged while the rest of the disc is drawn.
 */
export async function layOut(project: Project, files: Map<string, FileFacts>): Promise<Layout> {
  const t0 = performance.now();
  const { cdtext, ...rest } = project;
  const disc = await ImageCreator.fromJSON({ ...rest, leadoutLimit: "minutes99" }, ({ path, format }) => standIn(files, path, format));
  try {
    let packs: Layout["packs"] = null;
    let cdtextError: Failure | null = null;
    if (cdtext) {
      try {
        packs = disc.cdTextPacks(cdtext);
        if (packs.blocks.every((n) => n <= (packs?.limit ?? 0))) disc.cdText = cdtext;
      } catch (e) {
        cdtextError = failureOf(e);
      }
    }
    return {
      toc: disc.tableOfContents(),
      format0: [...disc.expectedTableOfContents()],
      format2: [...disc.expectedFullToc()],
      ids: disc.discIds(),
      warnings: disc.warnings,
      packs,
      cdtextError,
      unencodable: unencodable(project),
      ms: performance.now() - t0,
    };
  } finally {
    disc.free();
  }
}

/** A source of the right length that is never read: an audio file's PCM length, a file's size. */
function standIn(files: Map<string, FileFacts>, path: string, format: SourceFormat): SourceInput {
  const f = files.get(path);
  if (!f) throw Object.assign(new Error(`${path} is not among the files: add it (drop it on the page or pick it)`), { code: "missingFile", source: path });
  if (format === "audio" && !f.audio) throw Object.assign(new Error(`${path}: ${f.problem ?? "not an audio file"}`), { code: "unsupportedAudio", source: path });
  const length = format === "audio" ? (f.audio?.cdBytes ?? 0) : f.size;
  return { data: new ReadableStream<Uint8Array>(), name: path, format, length };
}

/** The CD-TEXT characters each block's character code cannot hold. */
function unencodable(project: Project): Unencodable[] {
  const out: Unencodable[] = [];
  (project.cdtext?.blocks ?? []).forEach((b, block) => {
    const charset: CdTextCharset = b.charset ?? "iso8859_1";
    const look = (fields: Record<string, unknown> | undefined, track: number | null) => {
      for (const [field, v] of Object.entries(fields ?? {})) {
        if (typeof v !== "string") continue;
        const bad = cdTextUnencodable(v, charset);
        if (bad.length) out.push({ block, track, field, chars: [...new Set(bad.map((x) => x.char))] });
      }
    };
    look(b.disc as Record<string, unknown>, null);
    (b.tracks ?? []).forEach((t, i) => look(t as Record<string, unknown>, i));
  });
  return out;
}
