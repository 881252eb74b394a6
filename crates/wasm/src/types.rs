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

/**
 * Latest lead-out start: IMAPI2's cap (88:29:74), the capacity of 74-, 80-, 90- or
 * 99-minute media, or an exact LBA.
 */
export type LeadoutLimit =
  | "imapi" | "minutes74" | "minutes80" | "minutes90" | "minutes99" | { lba: number };

/** Bytes: a Blob or File (read in slices), or bytes in memory. */
export type ByteInput = Blob | ArrayBuffer | ArrayBufferView;

/** Bytes read once, front to back; their length must be given. */
export type StreamInput = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Decoded audio at any rate: 1 or 2 channels of samples in -1..1. */
export interface PcmAudio {
  /** Samples per second of each channel (resampled to 44100). */
  sampleRate: number;
  /** One channel (mono, played on both sides) or two (left, right), of equal length. */
  channels: readonly Float32Array[];
}

/** Tags an audio file carries that a CD can use (absent ones are null). */
export interface AudioTags {
  /** The track's title. */
  title: string | null;
  /** The track's artist. */
  artist: string | null;
  /** The album's title. */
  album: string | null;
  /** The album's artist, where it differs from the track's. */
  albumArtist: string | null;
  /** 12 characters, without hyphens. */
  isrc: string | null;
  /** Media Catalogue Number: 13 digits (EAN-13, or a UPC-A with a leading 0). */
  mcn: string | null;
  /** The track's number on its album. */
  track: number | null;
}

/** What `audioInfo` finds in an audio file. */
export interface AudioFileInfo {
  /** "pcm_s16le", "pcm_s24le", "pcm_f32le", "flac", "alac", "mp3", "aac", "vorbis", ... */
  codec: string;
  /** Samples per second in the file. */
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
  /** Bits per sample of lossless formats; null for lossy ones. */
  bitsPerSample: number | null;
  /** Samples per channel, encoder delay and padding removed. */
  frames: number;
  /** Bytes of 44.1 kHz 16-bit stereo PCM it decodes to. */
  cdBytes: number;
  /** Its tags. */
  tags: AudioTags;
}

/** What WebAudio's `AudioBuffer` offers (decodeAudioData's result). */
export interface AudioBufferLike {
  /** Samples per second. */
  readonly sampleRate: number;
  /** 1 or 2. */
  readonly numberOfChannels: number;
  /** The samples of channel `channel` (0: left). */
  getChannelData(channel: number): Float32Array;
}

/** A source with its name, format and (for streams) length in bytes. */
export interface SourceDescriptor {
  /** The data. */
  data: ByteInput | StreamInput | PcmAudio | AudioBufferLike;
  /** Its name in the project (a File's own name, or "sourceN.bin", unless given). */
  name?: string;
  /** How its bytes are read ("binary" unless given; PCM is always "audio"). */
  format?: SourceFormat;
  /** Its length in bytes: required for streams, which cannot say. */
  length?: number;
}

/**
 * Track data. Bytes are used as given (2352 bytes per audio sector, 2048 per
 * Mode 1 sector, ...); PCM is resampled to 44.1 kHz 16-bit stereo; an audio file
 * goes through `openAudio` first. Give the same object again to use another
 * part of it.
 */
export type SourceInput = ByteInput | StreamInput | PcmAudio | AudioBufferLike | SourceDescriptor;

/** Which part of a source: from byte `offset` (0), `sectors` long (to the end). */
export interface SpanOptions {
  /** Byte offset of the first sector's data (0 unless given). */
  offset?: number;
  /** Number of sectors (as many whole sectors as the source holds from `offset`, unless given). */
  sectors?: number;
}

/** Where R-W subcode starts in its source. */
export interface OffsetOptions {
  /** Byte offset of the subcode of 95:00:00 (LBA -22650); 0 unless given. */
  offset?: number;
}

/** How a sheet or project is read. */
export interface ReadOptions {
  /**
   * Refuse a sheet or project that departs from a layout rule (its first
   * warning becomes an error, code `strict`) instead of laying it out as written.
   */
  strict?: boolean;
}

/** Options of `new ImageCreator`. */
export interface ImageCreatorOptions {
  /** Subchannel of raw images ("raw" unless given). */
  imageType?: ImageType;
  /** Latest lead-out start ("imapi", 88:29:74, unless given). */
  leadoutLimit?: LeadoutLimit;
  /** Audio tracks without explicit gaps play seamlessly (false unless given). */
  gaplessAudio?: boolean;
  /** Number of the first track, 1-99 (1 unless given). */
  startingTrackNumber?: number;
  /** Media Catalog Number: 13 digits, or 12 without the leading zero. */
  mediaCatalogNumber?: string;
}

/** A CD-TEXT field of the disc or of a track (`code`: UPC/EAN or ISRC). */
export type CdTextField =
  | "title" | "performer" | "songwriter" | "composer" | "arranger" | "message" | "code";

/**
 * The character code of a CD-TEXT block's texts: ISO-8859-1 (U+0000 to U+00FF), 7-bit ASCII
 * (U+0000 to U+007F, control characters included) or MS-JIS (what Shift_JIS encodes). None holds
 * NUL, which ends a text, or TAB, which stands for the previous track's text.
 */
export type CdTextCharset = "iso8859_1" | "ascii" | "msJis";

/** The texts of the disc or of one track in a CD-TEXT block. */
export interface CdTextFields {
  /** Title of the album or track. */
  title?: string;
  /** Performer. */
  performer?: string;
  /** Songwriter. */
  songwriter?: string;
  /** Composer. */
  composer?: string;
  /** Arranger. */
  arranger?: string;
  /** A message from the content provider or artist. */
  message?: string;
  /** UPC/EAN for the disc, ISRC for a track. */
  code?: string;
}

/** One CD-TEXT block: the texts in one language. */
export interface CdTextBlock {
  /** EBU Tech 3264 language code (9: English). */
  language?: number;
  /** Character code of the texts ("iso8859_1" unless given). */
  charset?: CdTextCharset;
  /** The block's copyright flag. */
  copyright?: boolean;
  /** The disc's texts. */
  disc?: CdTextFields;
  /** The tracks' texts, by track position. */
  tracks?: CdTextFields[];
  /** Disc identification (ASCII). */
  discId?: string;
  /** Genre: code (the CD-TEXT genre table) and a supplementary text. */
  genre?: { code: number; text?: string };
  /** Closed information (ISO-8859-1, not shown by players). */
  closed?: string;
  /** Second TOC information packs, kept as read: track byte and the 12 payload bytes of each. */
  tocInfo2?: [number, number[]][];
}

/** All CD-TEXT of a disc. */
export interface CdText {
  /** The blocks, block 0 first (at most 8). */
  blocks: CdTextBlock[];
  /** Write the TOC information packs (default true). */
  tocInfo?: boolean;
}

/** The 18-byte packs CD-TEXT takes in the lead-in, as `ImageCreator.cdTextPacks` counts them. */
export interface CdTextPackCount {
  /** Packs of each block, block 0 first, the 3 of its size information included; may exceed `limit`. */
  blocks: number[];
  /** Packs of all blocks. */
  total: number;
  /** Packs a block can hold: 256. */
  limit: number;
}

/** A character a CD-TEXT character code cannot hold, as `cdTextUnencodable` finds it. */
export interface UnencodableCharacter {
  /** Where it is in the string, in UTF-16 code units (as `text[index]` counts). */
  index: number;
  /** The character: one or, outside the Basic Multilingual Plane, two code units. */
  char: string;
}

/** The code tables of CD-TEXT, as `cdTextCodes` gives them. */
export interface CdTextCodes {
  /** Language codes (EBU Tech 3264) and their names, by code. */
  languages: { code: number; name: string }[];
  /** Genre names; a genre's code is its index. */
  genres: string[];
}

/** The XA subheader of Mode 2 Form 1/2 sectors. */
export interface XaSubheader {
  /** File number. */
  file: number;
  /** Channel number. */
  channel: number;
  /** Submode byte (bit 5: Form 2). */
  submode: number;
  /** Coding information byte. */
  coding: number;
}

/** Where data starts in a source. */
export interface SourcePos {
  /** Index into the project's `sources`. */
  source: number;
  /** Byte offset of the first sector's data (0 unless given). */
  offset?: number;
}

/** A run of sectors read from a source. */
export interface SourceSpan {
  /** Index into the project's `sources`. */
  source: number;
  /** Byte offset of the first sector's data (0 unless given). */
  offset?: number;
  /** Number of sectors. */
  sectors: number;
}

/** Generated sectors: silence for audio, zero user data for data tracks. */
export interface GeneratedPiece {
  /** Number of sectors. */
  generated: number;
}

/** A run of a track's sectors: a span of a source, or generated sectors. */
export type Piece = SourceSpan | GeneratedPiece;

/** A track's content: one span of a source, or a sequence of pieces. */
export type Pieces = SourceSpan | Piece[];

/** A pregap: generated sectors, then sectors from a source (or pieces). */
export interface Gap {
  /** Generated sectors, first (a cue sheet's PREGAP). */
  generated?: number;
  /** Sectors from a source, after them (a cue sheet's INDEX 00 data). */
  source?: Pieces;
}

/** A remark a cue sheet carried (`REM DATE 1997`), kept and written again; nothing of it is burned. */
export interface Remark {
  /** The first word, uppercased. */
  key: string;
  /** The rest of the line. */
  value: string;
}

/** One track of a project. */
export interface TrackSpec {
  /** What the sectors hold and how the source lays them out. */
  sectorType: SectorType;
  /** The XA subheader of Mode 2 Form 1/2 sectors (default: data, or Form 2). */
  subheader?: XaSubheader;
  /** The track's data from index 1 on: one span of a source, or pieces. */
  data: Pieces;
  /** Each source sector is followed by 96 bytes of raw P-W whose R-W is kept (CD+G). */
  rwInSource?: boolean;
  /** R-W subcode from a separate file laid out as a CloneCD .sub (96 bytes per sector). */
  rwSub?: SourcePos;
  /** The pregap (index 0); the default for the track's position unless given. */
  pregap?: Gap;
  /** Zero sectors after the data, still part of the track; the default unless given. */
  postgap?: number;
  /** Starts of index 2, 3, ... as sector offsets from index 1. */
  indexes?: number[];
  /** International Standard Recording Code (audio tracks): 12 characters. */
  isrc?: string;
  /** Digital copy setting ("prohibited" unless given). */
  copy?: CopySetting;
  /** Audio recorded with 50/15 µs pre-emphasis. */
  preEmphasis?: boolean;
  /** Four-channel audio. */
  fourChannel?: boolean;
  /** Remarks its cue sheet carried for it. */
  remarks?: Remark[];
}

/** A file that supplies track data. */
export interface ProjectSource {
  /** Its path or a name the resolver knows it by. */
  path: string;
  /** How its bytes are read ("binary" unless given). */
  format?: SourceFormat;
}

/** A disc project: the project JSON that `rawburn build` also reads. */
export interface Project {
  /** Project JSON version. */
  format?: number;
  /** Subchannel of raw images. */
  imageType?: ImageType;
  /** Latest lead-out start. */
  leadoutLimit?: LeadoutLimit;
  /** Audio tracks without explicit gaps play seamlessly. */
  gaplessAudio?: boolean;
  /** Media Catalog Number (13 digits). */
  mcn?: string;
  /** Number of the first track (1 unless given). */
  firstTrack?: number;
  /** Disc type in the TOC; derived from the tracks unless given. */
  discType?: "cdDaOrCdRom" | "cdI" | "cdRomXa";
  /** Files that supply track data, referred to by position. */
  sources?: ProjectSource[];
  /** Audio hidden in track 1's pregap (at least 150 sectors). */
  specialPregap?: SourceSpan;
  /** R-W subcode for every sector of raw images, 96 bytes each from 95:00:00. */
  rwGenerator?: SourcePos;
  /** The tracks, in disc order. */
  tracks: TrackSpec[];
  /** CD-TEXT, written in the lead-in. */
  cdtext?: CdText;
  /** Remarks a cue sheet carried for the disc. */
  remarks?: Remark[];
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
  /** Track number. */
  number: number;
  /** Q control nibble. */
  control: number;
  /** Digital copy setting. */
  copy: CopySetting;
  /** First sector of the pregap (the track's start when it has none). */
  pregapStart: number;
  /** Starts of index 1, 2, ... (index 1 is the track's start). */
  indexes: number[];
  /** End (exclusive), postgap included. */
  end: number;
  /** ISRC, when the track has one. */
  isrc: string | null;
}

/** The table of contents the disc will have. LBAs throughout. */
export interface TableOfContents {
  /** The tracks, in order. */
  tracks: TocTrack[];
  /** Where the lead-out starts. */
  leadout: number;
  /** The disc type (A0 PSEC). */
  discType: "cdDaOrCdRom" | "cdI" | "cdRomXa";
  /** The Media Catalog Number, when there is one. */
  mcn: string | null;
}

/** The identifiers online databases give the disc, from its TOC. */
export interface DiscIds {
  /** The MusicBrainz disc ID (28 characters). */
  musicbrainz: string;
  /** The freedb/CDDB disc ID (8 hex digits). */
  freedb: string;
  /** The TOC as MusicBrainz takes it: first and last track, lead-out and track offsets (LBA + 150). */
  musicbrainzToc: string;
}

/** Image formats: CDRWIN, CloneCD, cdrdao, raw (from 95:00:00), project JSON. */
export type ImageFormat = "cue" | "ccd" | "toc" | "raw" | "json";

/** Options of `createResultImage`. */
export interface ResultImageOptions {
  /** The image format. */
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
  /** File name with extension ("album.bin"). */
  name: string;
  /** Its extension, lowercase. */
  type: "cue" | "bin" | "cdt" | "ccd" | "img" | "sub" | "toc" | "raw" | "json";
  /** Length in bytes. */
  size: number;
  /** Its bytes, rendered as they are read (about 1.2 MB a chunk); read it once. */
  stream: ReadableStream<Uint8Array>;
}

/** The files of an image. */
export interface ResultImage {
  /** The files: the sheet first, then the binaries. */
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
  | "tocSyntax" | "tocLayout" | "ccdSyntax" | "ccdLayout"
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
  // media(), blank(), eject(), tray(): the disc cannot undergo it; the drive never became ready
  | "unsuitable" | "notReady"
  // VirtualUsbDevice
  | "virtualDevice" | "faultPlan" | "unrecorded"
  // CompanionDevice: a request the companion refused (`companionCode` says why), or a command's error
  // it could not be told apart by; the companion could not be reached, or the connection was lost
  | "companion" | "companionConnection";

/** Errors thrown by this package: `Error`s with a stable code and where it happened. */
export interface RawburnError extends Error {
  /** What went wrong, stable across versions. */
  code: ErrorCode;
  /** IMAPI2's HRESULT, for the rules IMAPI2 has. */
  hresult?: number;
  /** Track number the error is about. */
  track?: number;
  /** Line in a cue sheet, toc file or control file (from 1). */
  line?: number;
  /** Column in a cue sheet, toc file or control file (from 1). */
  column?: number;
  /** First sector of the batch being built; burn(): the sector concerned. */
  lba?: number;
  /** Name of the source concerned. */
  source?: string;
  /** The unknown key an options object was refused for (code "invalidArgument"). */
  option?: string;
  /** burn(): the phase the failure happened in. */
  phase?: "preparing" | "writing" | "finishing" | "verifying";
  /** burn(): the MMC command that failed ("WRITE(10)", ...). */
  command?: string;
  /** burn(): the drive's sense as key/ASC/ASCQ in hex, such as "3/0C/00". */
  sense?: string;
  /** burn(): the last sector the drive confirmed; absent when nothing was written. */
  lastWrittenLba?: number;
  /** burn(): what the drive said the disc holds after a failure, once something that records was sent. */
  disc?: "blank" | "incomplete" | "closed" | "finalized" | "unknown";
  /** burn(): sectors the disc needs (code "capacity"). */
  needs?: number;
  /** burn(): sectors the media holds (code "capacity"). */
  holds?: number;
  /** Code "strict": every warning, one a line. */
  warnings?: string;
  /**
   * burn(), code "cancelled": the signal's `reason` (the error's `name` is "AbortError").
   * Code "onEvent": the first exception the callback threw.
   */
  cause?: unknown;
  /** burn(), code "onEvent": what the burn resolved with, when it succeeded. */
  result?: BurnResult;
  /** burn(), code "onEvent": the burn's own error, when it failed. */
  burnError?: RawburnError;
  /** CompanionDevice: the exit code of the `rawburn` command the companion ran. */
  exit?: number;
  /** CompanionDevice: the command's error headline. */
  headline?: string;
  /** CompanionDevice: the command's "caused by" chain, outermost first. */
  causes?: string[];
  /** CompanionDevice, code "companion": the companion's own code ("busy", "limit", "sha256", ...). */
  companionCode?: string;
  /** CompanionDevice: the job concerned (the one holding the drive, for "busy"). */
  job?: string;
  /** CompanionDevice: the drive concerned. */
  drive?: string;
}

// The DOM types the API names, declared empty so that they resolve in a
// project without the DOM library: each merges with the real declaration
// (the DOM's, or @types/node's) where there is one. `R = any` is how both
// declare ReadableStream, which a merge must repeat. `Symbol.dispose`
// (the classes' `using` support) as @types/node and TypeScript's
// esnext.disposable declare it, for projects with neither.
declare global {
  interface Blob {}
  interface ReadableStream<R = any> {}
  interface AbortSignal {}
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
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

    /// A CD-TEXT character code name.
    #[wasm_bindgen(typescript_type = "CdTextCharset")]
    pub type CdTextCharsetName;

    /// CD-TEXT given as an argument.
    #[wasm_bindgen(typescript_type = "CdText")]
    pub type CdTextInput;

    /// What `cdTextPacks` returns.
    #[wasm_bindgen(typescript_type = "CdTextPackCount")]
    pub type CdTextPackCountValue;

    /// What `cdTextCodes` returns.
    #[wasm_bindgen(typescript_type = "CdTextCodes")]
    pub type CdTextCodesValue;

    /// What `cdTextUnencodable` returns.
    #[wasm_bindgen(typescript_type = "UnencodableCharacter[]")]
    pub type UnencodableCharacters;

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

    /// The disc's database identifiers.
    #[wasm_bindgen(typescript_type = "DiscIds")]
    pub type DiscIdsValue;

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

/// What `cdTextPacks` returns (the `CdTextPackCount` of the `.d.ts`).
#[derive(Debug, serde::Serialize)]
pub struct CdTextPackCount {
    /// Packs of each block, size information included.
    pub blocks: Vec<usize>,
    /// Their sum.
    pub total: usize,
    /// Packs a block can hold.
    pub limit: usize,
}

/// A character a CD-TEXT code cannot hold (the `UnencodableCharacter` of
/// the `.d.ts`).
#[derive(Debug, serde::Serialize)]
pub struct UnencodableCharacter {
    /// Its index in UTF-16 code units.
    pub index: usize,
    /// The character.
    pub char: String,
}
