//! The TypeScript types of the package: plain data and the unions that
//! arguments accept, written out in the `.d.ts`, and the Rust handles for
//! them (JS values typed for the `.d.ts` only; the glue checks them).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A sector type: what a track's sectors hold and how its source lays them out. */
export type SectorType =
  | "audio" | "mode0" | "mode1" | "mode2Formless" | "mode2Form1" | "mode2Form2"
  | "mode1Raw" | "mode2FormlessRaw" | "mode2Form1Raw" | "mode2Form2Raw" | "mode2Xa" | "mode2Raw";

/** Subchannel of raw images: 2448 bytes raw P-W, 2448 packed R-W, 2368 P/Q, 2352 none. */
export type ImageType = "raw" | "cooked" | "pqOnly" | "plain";

/** IMAPI2's digital copy setting. */
export type CopySetting = "permitted" | "prohibited" | "scms";

/** How a source's bytes are read: raw (little-endian audio), raw big-endian audio, or CD audio PCM. */
export type SourceFormat = "binary" | "motorola" | "audio";

/** Latest lead-out start: media sizes or an exact LBA. */
export type LeadoutLimit =
  | "imapi" | "minutes74" | "minutes80" | "minutes90" | "minutes99" | { lba: number };

/** Bytes: a Blob or File (read in slices), or bytes in memory. */
export type ByteInput = Blob | ArrayBuffer | ArrayBufferView;

/** Bytes read once, front to back; their length must be given. */
export type StreamInput = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Decoded audio at any rate: 1 or 2 channels of samples in -1..1. */
export interface PcmAudio {
  sampleRate: number;
  channels: readonly Float32Array[];
}

/** Tags an audio file carries that a CD can use (absent ones are null). */
export interface AudioTags {
  title: string | null;
  artist: string | null;
  album: string | null;
  albumArtist: string | null;
  /** 12 characters, without hyphens. */
  isrc: string | null;
  /** Media Catalogue Number: 13 digits (EAN-13, or a UPC-A with a leading 0). */
  mcn: string | null;
  track: number | null;
}

/** What `audioInfo` finds in an audio file. */
export interface AudioFileInfo {
  /** "pcm_s16le", "pcm_s24le", "pcm_f32le", "flac", "alac", "mp3", "aac", "vorbis", ... */
  codec: string;
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
  bitsPerSample: number | null;
  /** Samples per channel, encoder delay and padding removed. */
  frames: number;
  /** Bytes of 44.1 kHz 16-bit stereo PCM it decodes to. */
  cdBytes: number;
  tags: AudioTags;
}

/** What WebAudio's `AudioBuffer` offers (decodeAudioData's result). */
export interface AudioBufferLike {
  readonly sampleRate: number;
  readonly numberOfChannels: number;
  getChannelData(channel: number): Float32Array;
}

/** A source with its name, format and (for streams) length in bytes. */
export interface SourceDescriptor {
  data: ByteInput | StreamInput | PcmAudio | AudioBufferLike;
  name?: string;
  format?: SourceFormat;
  length?: number;
}

/**
 * Track data. Bytes are used as given (2352 bytes per audio sector, 2048 per
 * Mode 1 sector, ...); PCM is resampled to 44.1 kHz 16-bit stereo; a WAV file
 * goes through `openWav` first. Give the same object again to use another
 * part of it.
 */
export type SourceInput = ByteInput | StreamInput | PcmAudio | AudioBufferLike | SourceDescriptor;

/** Which part of a source: from byte `offset` (0), `sectors` long (to the end). */
export interface SpanOptions {
  offset?: number;
  sectors?: number;
}

/** Where R-W subcode starts in its source: byte `offset` (0). */
export interface OffsetOptions {
  offset?: number;
}

/**
 * How a sheet or project is read: `strict` refuses one that departs from a
 * rule (every warning an error, code `strict`) instead of laying it out as
 * written.
 */
export interface ReadOptions {
  strict?: boolean;
}

export interface ImageCreatorOptions {
  imageType?: ImageType;
  leadoutLimit?: LeadoutLimit;
  gaplessAudio?: boolean;
  startingTrackNumber?: number;
  mediaCatalogNumber?: string;
}

/** A CD-TEXT field of the disc or of a track (`code`: UPC/EAN or ISRC). */
export type CdTextField =
  | "title" | "performer" | "songwriter" | "composer" | "arranger" | "message" | "code";

export interface CdTextFields {
  title?: string;
  performer?: string;
  songwriter?: string;
  composer?: string;
  arranger?: string;
  message?: string;
  code?: string;
}

/** One CD-TEXT block: the texts in one language. */
export interface CdTextBlock {
  /** EBU Tech 3264 language code (9: English). */
  language?: number;
  charset?: "iso8859_1" | "ascii" | "msJis";
  copyright?: boolean;
  disc?: CdTextFields;
  /** By track position. */
  tracks?: CdTextFields[];
  discId?: string;
  genre?: { code: number; text?: string };
  closed?: string;
  tocInfo2?: [number, number[]][];
}

export interface CdText {
  blocks: CdTextBlock[];
  /** Write the TOC information packs (default true). */
  tocInfo?: boolean;
}

export interface XaSubheader {
  file: number;
  channel: number;
  submode: number;
  coding: number;
}

export interface SourcePos {
  source: number;
  offset?: number;
}

export interface SourceSpan {
  source: number;
  offset?: number;
  sectors: number;
}

/** Generated sectors: silence for audio, zero user data for data tracks. */
export interface GeneratedPiece {
  generated: number;
}

/** A run of a track's sectors: a span of a source, or generated sectors. */
export type Piece = SourceSpan | GeneratedPiece;

/** A track's content: one span of a source, or a sequence of pieces. */
export type Pieces = SourceSpan | Piece[];

/** A pregap: generated sectors, then sectors from a source (or pieces). */
export interface Gap {
  generated?: number;
  source?: Pieces;
}

export interface TrackSpec {
  sectorType: SectorType;
  subheader?: XaSubheader;
  data: Pieces;
  rwInSource?: boolean;
  rwSub?: SourcePos;
  pregap?: Gap;
  postgap?: number;
  indexes?: number[];
  isrc?: string;
  copy?: CopySetting;
  preEmphasis?: boolean;
  fourChannel?: boolean;
}

export interface ProjectSource {
  path: string;
  format?: SourceFormat;
}

/** A disc project: the project JSON that `rawburn build` also reads. */
export interface Project {
  format?: number;
  imageType?: ImageType;
  leadoutLimit?: LeadoutLimit;
  gaplessAudio?: boolean;
  mcn?: string;
  firstTrack?: number;
  discType?: "cdDaOrCdRom" | "cdI" | "cdRomXa";
  sources?: ProjectSource[];
  specialPregap?: SourceSpan;
  rwGenerator?: SourcePos;
  tracks: TrackSpec[];
  cdtext?: CdText;
}

/** Returns the data of a project's source. */
export type ResolveSource = (
  source: { path: string; format: SourceFormat },
  index: number,
) => SourceInput | Promise<SourceInput>;

/** What a cue sheet's FILE (or CDTEXTFILE) line names. */
export type CueFileKind = "binary" | "motorola" | "wave" | "aiff" | "mp3" | "flac" | "cdtext";

/** Returns the data of a file a cue sheet names. WAVE files may be WAV bytes or PCM. */
export type ResolveFile = (name: string, kind: CueFileKind) => SourceInput | Promise<SourceInput>;

/** A track of the table of contents: control nibble, copy setting, LBAs of its pregap, index points and end. */
export interface TocTrack {
  number: number;
  control: number;
  copy: CopySetting;
  pregapStart: number;
  indexes: number[];
  end: number;
  isrc: string | null;
}

/** The table of contents the disc will have. LBAs throughout. */
export interface TableOfContents {
  tracks: TocTrack[];
  leadout: number;
  discType: "cdDaOrCdRom" | "cdI" | "cdRomXa";
  mcn: string | null;
}

/** Image formats: CDRWIN, CloneCD, cdrdao, raw (from 95:00:00), project JSON. */
export type ImageFormat = "cue" | "ccd" | "toc" | "raw" | "json";

export interface ResultImageOptions {
  format: ImageFormat;
  /** File name without extension; "image" unless given. */
  name?: string;
  /**
   * Bytes CloneCD's .img and .sub, read side by side, may drift apart before
   * the one behind is rendered on its own (8 MiB unless given).
   */
  maxBuffer?: number;
}

/** One file of an image, produced as it is read. */
export interface ImageFile {
  name: string;
  type: "cue" | "bin" | "cdt" | "ccd" | "img" | "sub" | "toc" | "raw" | "json";
  /** Length in bytes. */
  size: number;
  stream: ReadableStream<Uint8Array>;
}

export interface ResultImage {
  files: ImageFile[];
  /** Sectors in the binary files. */
  sectors: number;
  /** What the format cannot hold of this disc. */
  warnings: string[];
}

/** Stable error codes, on `error.code`. */
export type ErrorCode =
  | "invalidArgument" | "sourceLength" | "sourceRead" | "sourceNotSeekable" | "pcm" | "wav"
  | "unsupportedAudio" | "audioDecode" | "cueSyntax" | "cueLayout" | "cdTextFile" | "projectJson"
  | "imageFormat" | "render" | "cancelled" | "strict"
  | "readOnly" | "tooManyTracks" | "firstTrackNumber" | "noTracks" | "tracksAlreadyAdded"
  | "doesNotFit" | "trackTooShort" | "emptyTrack" | "firstPregapTooShort" | "specialPregapTooShort"
  | "specialPregapNeedsAudio" | "tooManyIndexes" | "indexNotFound" | "indexZeroOffset"
  | "indexTooClose" | "indexLayout" | "noSuchSource" | "isrcOnData" | "subheader"
  | "gaplessTooShort" | "tooLong" | "invalidIdentifier" | "noSuchTrack" | "rwNeedsPw" | "cdText"
  | "rwSubAndGenerator" | "cdTextAndRwGenerator" | "projectFormat" | "sourceRange"
  | "tooManySources" | "disc"
  // burn(): nothing was written
  | "noMedium" | "notOptical" | "notRecordable" | "notBlank" | "capacity" | "writeMode"
  | "usbInterface" | "usbOpen"
  // burn(): a command failed, or the finished disc is not what was burned
  // (with `disc` once something that records was sent)
  | "drive" | "transport" | "reply" | "encode" | "notConfirmed" | "burn"
  // burn(): the completed burn read back differently, or could not be read
  | "verifyMismatch" | "verifyIncomplete"
  // burn(): the onEvent callback threw (the burn went on; see `result` and `burnError`)
  | "onEvent"
  // VirtualUsbDevice
  | "virtualDevice" | "faultPlan" | "unrecorded";

/** Errors thrown by this package: `Error`s with a stable code and where it happened. */
export interface RawburnError extends Error {
  code: ErrorCode;
  /** IMAPI2's HRESULT, for the rules IMAPI2 has. */
  hresult?: number;
  /** Track number the error is about. */
  track?: number;
  /** Line and column in a cue sheet. */
  line?: number;
  column?: number;
  /** First sector of the batch being built. */
  lba?: number;
  /** Name of the source concerned. */
  source?: string;
  /** The unknown key an options object was refused for (code "invalidArgument"). */
  option?: string;
  /** burn(): the phase ("preparing", "writing", "finishing", "verifying") and MMC command that failed. */
  phase?: string;
  command?: string;
  /** burn(): the drive's sense as key/ASC/ASCQ in hex, such as "3/0C/00". */
  sense?: string;
  /** burn(): the last sector the drive confirmed; absent when nothing was written. */
  lastWrittenLba?: number;
  /** burn(): what the drive said the disc holds after a failure, once something that records was sent. */
  disc?: "blank" | "incomplete" | "closed" | "finalized" | "unknown";
  /** burn(): sectors the disc needs and the media holds (code "capacity"). */
  needs?: number;
  holds?: number;
  /**
   * burn(), code "cancelled": the signal's `reason` (the error's `name` is "AbortError").
   * Code "onEvent": the first exception the callback threw.
   */
  cause?: unknown;
  /** burn(), code "onEvent": what the burn resolved with, when it succeeded. */
  result?: BurnResult;
  /** burn(), code "onEvent": the burn's own error, when it failed. */
  burnError?: RawburnError;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// A sector type name.
    #[wasm_bindgen(typescript_type = "SectorType")]
    pub type SectorTypeName;

    /// An image type name.
    #[wasm_bindgen(typescript_type = "ImageType")]
    pub type ImageTypeName;

    /// A copy setting name.
    #[wasm_bindgen(typescript_type = "CopySetting")]
    pub type CopySettingName;

    /// Track data.
    #[wasm_bindgen(typescript_type = "SourceInput")]
    pub type SourceInput;

    /// Bytes.
    #[wasm_bindgen(typescript_type = "ByteInput | PcmAudio | AudioBufferLike")]
    pub type WavInput;

    /// What `audioInfo` returns.
    #[wasm_bindgen(typescript_type = "AudioFileInfo")]
    pub type AudioFileInfoValue;

    /// A source descriptor.
    #[wasm_bindgen(typescript_type = "SourceDescriptor")]
    pub type SourceDescriptorValue;

    /// Offset and length in a source.
    #[wasm_bindgen(typescript_type = "SpanOptions")]
    pub type SpanOptions;

    /// Offset in a source.
    #[wasm_bindgen(typescript_type = "OffsetOptions")]
    pub type OffsetOptions;

    /// Options of `parseCue` and `ImageCreator.fromJSON`.
    #[wasm_bindgen(typescript_type = "ReadOptions")]
    pub type ReadOptions;

    /// Options of `new ImageCreator`.
    #[wasm_bindgen(typescript_type = "ImageCreatorOptions")]
    pub type ImageCreatorOptions;

    /// A CD-TEXT field name.
    #[wasm_bindgen(typescript_type = "CdTextField")]
    pub type CdTextField;

    /// A text or nothing.
    #[wasm_bindgen(typescript_type = "string | null")]
    pub type OptionalText;

    /// All CD-TEXT or nothing.
    #[wasm_bindgen(typescript_type = "CdText | null")]
    pub type CdTextValue;

    /// A project.
    #[wasm_bindgen(typescript_type = "Project")]
    pub type ProjectValue;

    /// A project or its JSON text.
    #[wasm_bindgen(typescript_type = "Project | string")]
    pub type ProjectInput;

    /// What `fromJSON`'s resolver is told about a source.
    #[wasm_bindgen(typescript_type = "{ path: string; format: SourceFormat }")]
    pub type ProjectSourceInfo;

    /// `fromJSON`'s resolver.
    #[wasm_bindgen(typescript_type = "ResolveSource")]
    pub type ResolveProjectSource;

    /// `parseCue`'s resolver.
    #[wasm_bindgen(typescript_type = "ResolveFile")]
    pub type ResolveCueFile;

    /// The table of contents.
    #[wasm_bindgen(typescript_type = "TableOfContents")]
    pub type TocValue;

    /// Options of `createResultImage`.
    #[wasm_bindgen(typescript_type = "ResultImageOptions")]
    pub type ResultImageOptions;

    /// The files of an image.
    #[wasm_bindgen(typescript_type = "ResultImage")]
    pub type ResultImageValue;

    /// Numbers.
    #[wasm_bindgen(typescript_type = "number[]")]
    pub type NumberList;

    /// A pregap: generated sectors, or `null` for the default.
    #[wasm_bindgen(typescript_type = "number | null")]
    pub type OptionalSectors;
}

/// What `audioInfo` returns (the `AudioFileInfo` of the `.d.ts`).
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioFileInfo {
    /// Codec name.
    pub codec: String,
    /// Samples per second in the file.
    pub sample_rate: u32,
    /// Channels in the file.
    pub channels: u16,
    /// Bits per sample of lossless formats.
    pub bits_per_sample: Option<u32>,
    /// Samples per channel.
    pub frames: u64,
    /// Bytes of CD PCM.
    pub cd_bytes: u64,
    /// Tags.
    pub tags: layout::audio::AudioTags,
}
