// What the editor's worker does: files, layout, waveforms, export and
// burning, all through the package, off the page's thread.

import * as rawburn from "rawburn";
import { ImageCreator, type Project, type SectorType, type SourceInput } from "rawburn";
import { Files, MissingFile, basename, messageOf } from "./files";
import { burnProject, drives, insertDisc, mediaOf } from "./burning";
import type { Answer, Call, ExportedFile, Failure, Opened, Progress, Request } from "./protocol";

const files = new Files();
const jobs = new Map<number, AbortController>();

/** Answers one call of the page. */
export async function answer(call: Call): Promise<void> {
  const { id, request } = call;
  const stop = new AbortController();
  jobs.set(id, stop);
  const progress = (p: Progress) => post({ id, progress: p });
  try {
    const value = await handle(request, stop.signal, progress);
    const transfer = request.type === "export" ? (value as ExportedFile[]).flatMap((f) => (f.stream ? [f.stream] : [])) : [];
    post({ id, ok: true, value }, transfer as Transferable[]);
  } catch (error) {
    post({ id, ok: false, error: failure(error) });
  } finally {
    jobs.delete(id);
  }
}

function post(answer: Answer, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(answer, transfer);
}

async function handle(r: Request, signal: AbortSignal, progress: (p: Progress) => void): Promise<unknown> {
  switch (r.type) {
    case "files":
      return files.add(r.files);
    case "forget":
      files.forget(r.names);
      return null;
    case "track":
      return track(r.name, r.sectorType);
    case "peaks":
      return peaks(r.name, r.offset, r.bytes, r.buckets);
    case "needs":
      return needs(r.name);
    case "open":
      return open(r.name);
    case "export":
      return exportImage(r.project, r.format, r.base, r.dir, signal, progress);
    case "cancel":
      jobs.get(r.job)?.abort(new DOMException("cancelled", "AbortError"));
      return null;
    case "drives":
      return drives(r.origin);
    case "memory":
      return { wasm: rawburn.memoryBytes() };
    case "insert":
      return insertDisc(r.drive, r.media, r.minutes);
    case "media":
      return mediaOf(r.drive);
    case "burn":
      return burnProject(r.burn, creatorOf, signal, progress);
  }
}

/** A creator for the project with its files. */
export function creatorOf(project: Project): Promise<ImageCreator> {
  return ImageCreator.fromJSON(project, ({ path, format }) => files.source(path, format));
}

/** A track of one whole file, as the package lays it out. */
async function track(name: string, sectorType: SectorType) {
  const disc = new ImageCreator();
  try {
    disc.addTrack(sectorType, await files.source(name, sectorType === "audio" ? "audio" : "binary"));
    const p = disc.toJSON() as Project;
    const source = p.sources?.[0];
    if (!source) throw new Error(`${name}: no source`);
    return { source: { ...source, path: name }, track: p.tracks[0] };
  } finally {
    disc.free();
  }
}

/** Minimum and maximum of each of `buckets` runs of a file's CD PCM (mid channel, -1 to 1). */
async function peaks(name: string, offset: number, bytes: number, buckets: number) {
  const pcm = await files.pcmOf(name);
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const min = new Float32Array(buckets);
  const max = new Float32Array(buckets);
  const frames = Math.max(0, Math.min(bytes, pcm.byteLength - offset) >> 2);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * frames) / buckets);
    const to = Math.max(from + 1, Math.floor(((b + 1) * frames) / buckets));
    let lo = 1;
    let hi = -1;
    for (let f = from; f < to && f < frames; f++) {
      const at = offset + f * 4;
      const v = (view.getInt16(at, true) + view.getInt16(at + 2, true)) / 65536;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[b] = lo > hi ? 0 : lo;
    max[b] = lo > hi ? 0 : hi;
  }
  return { min, max };
}

const FILE_LINE: Record<string, RegExp> = {
  cue: /^\s*(?:FILE|CDTEXTFILE)\s+(?:"([^"]*)"|(\S+))/gim,
  toc: /^\s*(?:FILE|AUDIOFILE|DATAFILE)\s+"([^"]*)"()/gim,
};

/** The files a sheet or project names, and which of them are missing. */
async function needs(name: string): Promise<{ needs: string[]; missing: string[] }> {
  const text = await files.file(name).text();
  const kind = kindOf(name);
  let wanted: string[] = [];
  if (kind === "ccd") {
    const stem = name.replace(/\.ccd$/i, "");
    wanted = [`${basename(stem)}.img`, `${basename(stem)}.sub`];
  } else if (kind === "project") {
    try {
      const p = JSON.parse(text) as Project;
      wanted = (p.sources ?? []).map((s) => s.path);
    } catch {
      wanted = [];
    }
  } else {
    for (const m of text.matchAll(FILE_LINE[kind])) wanted.push(m[1] || m[2]);
  }
  wanted = [...new Set(wanted)];
  // A CloneCD image without its .sub opens (without R-W, with a warning).
  const optional = (w: string) => kind === "ccd" && /\.sub$/i.test(w);
  return { needs: wanted, missing: wanted.filter((w) => !optional(w) && files.find(w, name) === null) };
}

function kindOf(name: string): "cue" | "toc" | "ccd" | "project" {
  if (/\.toc$/i.test(name)) return "toc";
  if (/\.ccd$/i.test(name)) return "ccd";
  if (/\.json$/i.test(name)) return "project";
  return "cue";
}

/** A sheet or project with its files, as a project. */
async function open(name: string): Promise<Opened> {
  const sheet = files.file(name);
  const kind = kindOf(name);
  const found = (wanted: string) => {
    const f = files.find(wanted, name);
    if (f === null) throw new MissingFile(wanted);
    return f;
  };
  const data = async (wanted: string, kind: string): Promise<SourceInput> => {
    const f = found(wanted);
    if (kind === "cdtext") return new Uint8Array(await files.file(f).arrayBuffer());
    if (kind === "binary" || kind === "motorola") return { data: files.file(f), name: f, format: kind };
    return files.source(f, "audio");
  };
  let disc: ImageCreator;
  if (kind === "project") {
    const project = JSON.parse(await sheet.text()) as Project;
    project.sources = (project.sources ?? []).map((s) => ({ ...s, path: found(s.path) }));
    disc = await creatorOf(project);
  } else {
    const bytes = new Uint8Array(await sheet.arrayBuffer());
    if (kind === "cue") disc = await rawburn.parseCue(bytes, data);
    else if (kind === "toc") disc = await rawburn.parseToc(bytes, data);
    else
      disc = await rawburn.parseCcd(
        bytes,
        (wanted, k) => {
          // The .sub may be missing (the disc then has no R-W, and a warning says so).
          const f = files.find(wanted, name);
          if (f === null) {
            if (k === "sub") return null;
            throw new MissingFile(wanted);
          }
          return { data: files.file(f), name: f };
        },
        { name: basename(name) },
      );
  }
  try {
    return { project: disc.toJSON() as Project, warnings: disc.warnings };
  } finally {
    disc.free();
  }
}

/** Renders the image: into a folder the user picked, or as streams the page downloads. */
async function exportImage(
  project: Project,
  format: rawburn.ImageFormat,
  base: string,
  dir: FileSystemDirectoryHandle | null,
  signal: AbortSignal,
  progress: (p: Progress) => void,
): Promise<ExportedFile[]> {
  const disc = await creatorOf(project);
  const image = disc.createResultImage({ format, name: base });
  let last = 0;
  const counted = (f: rawburn.ImageFile) => {
    let done = 0;
    return f.stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          if (signal.aborted) throw signal.reason;
          done += chunk.byteLength;
          const now = performance.now();
          if (now - last > 100 || done === f.size) {
            last = now;
            progress({ kind: "export", file: f.name, done, total: f.size });
          }
          out.enqueue(chunk);
        },
      }),
    );
  };
  if (!dir) return image.files.map((f) => ({ name: f.name, size: f.size, stream: counted(f) }));
  // Side by side: CloneCD's .img and .sub come from one pass.
  await Promise.all(
    image.files.map(async (f) => {
      const handle = await dir.getFileHandle(f.name, { create: true });
      await counted(f).pipeTo(await writableOf(handle), { signal });
    }),
  );
  disc.free();
  return image.files.map((f) => ({ name: f.name, size: f.size }));
}

/**
 * A file's writable stream. In the origin's private file system a worker
 * can write synchronously in place, about twice as fast as a writable
 * stream, which writes a copy through the browser and swaps it in; in a
 * folder the user picked only the writable stream is there.
 */
async function writableOf(handle: FileSystemFileHandle): Promise<WritableStream<Uint8Array>> {
  const sync = (handle as { createSyncAccessHandle?: () => Promise<SyncAccess> }).createSyncAccessHandle;
  let access: SyncAccess | null = null;
  if (sync) access = await sync.call(handle).catch(() => null);
  if (!access) return handle.createWritable();
  const a = access;
  let at = 0;
  a.truncate(0);
  return new WritableStream<Uint8Array>({
    write(chunk) {
      let done = 0;
      while (done < chunk.byteLength) {
        const n = a.write(chunk.subarray(done), { at: at + done });
        if (n <= 0) throw new Error("the file could not be written (storage full?)");
        done += n;
      }
      at += done;
    },
    close() {
      a.flush();
      a.close();
    },
    abort() {
      a.close();
    },
  });
}

interface SyncAccess {
  write(data: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

export function failure(e: unknown): Failure {
  const o = (e ?? {}) as Record<string, unknown>;
  const f: Failure = {
    code: typeof o.code === "string" ? o.code : e instanceof DOMException ? e.name : "error",
    message: messageOf(e),
  };
  for (const k of ["track", "line", "column", "lastWrittenLba", "lba"] as const) if (typeof o[k] === "number") f[k] = o[k] as number;
  for (const k of ["source", "disc", "sense"] as const) if (typeof o[k] === "string") f[k] = o[k] as string;
  if (e instanceof MissingFile) f.source = e.source;
  return f;
}
