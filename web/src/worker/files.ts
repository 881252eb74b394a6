// The files a project may use, as the worker keeps them: by their names in
// the project, opened once, and told apart by name and content.

import { audioInfo, decodeAudio, openAudio, type SourceFormat, type SourceInput } from "rawburn";
import type { FileFacts, FileKind } from "./protocol";

const AUDIO = /\.(wav|wave|flac|mp3|m4a|mp4|aac|ogg|oga|aif|aiff|aifc|alac)$/i;
const BY_EXTENSION: [RegExp, FileKind][] = [
  [/\.cue$/i, "cue"],
  [/\.toc$/i, "toc"],
  [/\.ccd$/i, "ccd"],
  [/\.json$/i, "project"],
  [/\.cdt$/i, "cdtext"],
  [/\.(iso|bin|img|raw|udf)$/i, "data"],
  [/\.sub$/i, "other"],
];

/** A missing file, named. */
export class MissingFile extends Error {
  code = "missingFile";
  source: string;
  constructor(name: string) {
    super(`${name} is not among the files: add it (drop it on the page or pick it)`);
    this.source = name;
  }
}

export class Files {
  private files = new Map<string, File>();
  private audio = new Map<string, Promise<SourceInput>>();
  private pcm: { name: string; bytes: Uint8Array }[] = [];

  /** Adds files (replacing ones of the same name) and says what each is. */
  async add(list: { name: string; file: File }[]): Promise<FileFacts[]> {
    const out: FileFacts[] = [];
    for (const { name, file } of list) {
      this.files.set(name, file);
      this.audio.delete(name);
      this.pcm = this.pcm.filter((p) => p.name !== name);
      out.push(await this.facts(name, file));
    }
    return out;
  }

  forget(names: string[]): void {
    for (const n of names) {
      this.files.delete(n);
      this.audio.delete(n);
    }
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  file(name: string): File {
    const f = this.files.get(name);
    if (!f) throw new MissingFile(name);
    return f;
  }

  /** The name a sheet's reference finds: exact, then without folders, then
   * ignoring case, then another audio extension (a FLAC for the sheet's WAV). */
  find(wanted: string, beside = ""): string | null {
    const slash = wanted.replace(/\\/g, "/");
    const dir = beside.includes("/") ? beside.slice(0, beside.lastIndexOf("/") + 1) : "";
    const tries = [dir + slash, slash, dir + basename(slash), basename(slash)];
    for (const t of tries) if (this.files.has(t)) return t;
    const lower = tries.map((t) => t.toLowerCase());
    const stem = (n: string) => n.replace(/\.[^./]*$/, "");
    for (const name of this.files.keys()) {
      const l = name.toLowerCase();
      if (lower.includes(l)) return name;
    }
    if (AUDIO.test(slash)) {
      const stems = lower.map(stem);
      for (const name of this.files.keys()) {
        if (AUDIO.test(name) && stems.includes(stem(name.toLowerCase()))) return name;
      }
    }
    return null;
  }

  /** A project source's data for the package. */
  source(path: string, format: SourceFormat): SourceInput | Promise<SourceInput> {
    const file = this.file(path);
    if (format !== "audio") return { data: file, name: path, format };
    let opened = this.audio.get(path);
    if (!opened) {
      opened = openAudio(file, path);
      this.audio.set(path, opened);
      opened.catch(() => this.audio.delete(path));
    }
    return opened;
  }

  /** The CD PCM of an audio file (the last few are kept). */
  async pcmOf(name: string): Promise<Uint8Array> {
    const kept = this.pcm.find((p) => p.name === name);
    if (kept) return kept.bytes;
    const bytes = await decodeAudio(this.file(name), name);
    this.pcm = [{ name, bytes }, ...this.pcm].slice(0, 3);
    return bytes;
  }

  private async facts(name: string, file: File): Promise<FileFacts> {
    const base: FileFacts = { name, size: file.size, kind: "other" };
    for (const [re, kind] of BY_EXTENSION) if (re.test(name)) return { ...base, kind };
    try {
      const info = await audioInfo(file, name);
      return { ...base, kind: "audio", audio: info };
    } catch (e) {
      if (AUDIO.test(name)) return { ...base, kind: "audio", problem: messageOf(e) };
      if (file.size % 2048 === 0 || file.size % 2352 === 0) return { ...base, kind: "data" };
      return { ...base, problem: "not an audio file, image or sheet rawburn reads" };
    }
  }
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
