// The messages between the page and its worker. The worker holds the
// files and runs everything that decodes, lays out or renders, so the page
// never waits on the package.

import type {
  AudioFileInfo,
  BurnEvent,
  BurnResult,
  CompanionDrive,
  DiscIds,
  ImageFormat,
  MediaReport,
  Project,
  ProjectSource,
  SectorType,
  TableOfContents,
  TrackSpec,
} from "rawburn";

/** What a dropped file is, told apart by its name and its first bytes. */
export type FileKind = "audio" | "data" | "cue" | "toc" | "ccd" | "project" | "cdtext" | "other";

/** What the worker learnt of a file. */
export interface FileFacts {
  /** Its name in the project: the path within a dropped folder, else the file name. */
  name: string;
  size: number;
  kind: FileKind;
  /** Audio files: format, length and tags. */
  audio?: AudioFileInfo;
  /** Why it cannot be used, when it cannot. */
  problem?: string;
}

/** The pack count of the disc's CD-TEXT, per block. */
export interface PackCount {
  blocks: number[];
  total: number;
  limit: number;
}

/** Characters of one CD-TEXT field its block cannot hold. */
export interface Unencodable {
  block: number;
  /** Track position, or null for the disc's field. */
  track: number | null;
  field: string;
  chars: string[];
}

/** Everything the views show of a laid-out project. */
export interface Layout {
  toc: TableOfContents;
  /** READ TOC format 0 (LBA addresses), as the drive will report it. */
  format0: number[];
  /** READ TOC format 2 (full TOC), when the package gives it. */
  format2: number[] | null;
  ids: DiscIds | null;
  warnings: string[];
  packs: PackCount | null;
  /** Why the CD-TEXT cannot be written, when it cannot (the rest of the disc is laid out without it). */
  cdtextError: Failure | null;
  /** CD-TEXT characters the block's character code cannot hold. */
  unencodable: Unencodable[];
  /** Milliseconds the worker took. */
  ms: number;
}

/** An error as the package reports it. */
export interface Failure {
  code: string;
  message: string;
  track?: number;
  line?: number;
  column?: number;
  source?: string;
  /** Burn failures: the last sector the drive confirmed, the LBA concerned, what the disc holds, the sense. */
  lastWrittenLba?: number;
  lba?: number;
  disc?: string;
  sense?: string;
}

/** A sheet or project opened with its files. */
export interface Opened {
  project: Project;
  warnings: string[];
}

export interface ExportedFile {
  name: string;
  size: number;
  /** Present when the page writes it itself (a download). */
  stream?: ReadableStream<Uint8Array>;
}

export interface BurnRequest {
  project: Project;
  drive: string;
  mode: "auto" | "raw96r" | "raw96p" | "raw16" | "sao" | "tao";
  speed: number | "max";
  simulate: boolean;
  verify: boolean;
  eject: boolean;
}

/** What the disc read back after a burn holds, beside what was planned. */
export interface ReadBack {
  project: Project;
  toc: TableOfContents | null;
}

export type Request =
  | { type: "files"; files: { name: string; file: File }[] }
  | { type: "forget"; names: string[] }
  | { type: "track"; name: string; sectorType: SectorType }
  | { type: "peaks"; name: string; offset: number; bytes: number; buckets: number }
  | { type: "open"; name: string }
  | { type: "needs"; name: string }
  | {
      type: "export";
      project: Project;
      format: ImageFormat;
      base: string;
      dir: FileSystemDirectoryHandle | null;
    }
  | { type: "cancel"; job: number }
  | { type: "drives"; origin: string | null }
  | { type: "memory" }
  | { type: "insert"; drive: string; media: "cd-r" | "cd-rw"; minutes: 74 | 80 | 90 | 99 }
  | { type: "media"; drive: string }
  | { type: "burn"; burn: BurnRequest };

export interface Replies {
  files: FileFacts[];
  forget: null;
  track: { source: ProjectSource; track: TrackSpec };
  peaks: { min: Float32Array; max: Float32Array };
  open: Opened;
  needs: { needs: string[]; missing: string[] };
  export: ExportedFile[];
  cancel: null;
  drives: { drives: CompanionDrive[] };
  /** Bytes of the package's WebAssembly memory in the worker. */
  memory: { wasm: number };
  insert: null;
  media: MediaReport;
  burn: { result: BurnResult; readBack: ReadBack | null; readBackError: Failure | null };
}

/** Page to worker. */
export interface Call {
  id: number;
  request: Request;
}

/** Worker to page. */
export type Answer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: Failure }
  | { id: number; progress: Progress };

export type Progress =
  | { kind: "export"; file: string; done: number; total: number }
  | { kind: "burn"; event: BurnEvent }
  | { kind: "read"; fraction: number; message: string };
