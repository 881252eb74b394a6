// A TypeScript user of the package: every option with its literal values,
// the results and errors typed, and the mistakes the typings must refuse
// (each @ts-expect-error fails the compile if the typings let it through).

import {
  CompanionDevice,
  ImageCreator,
  VirtualUsbDevice,
  blank,
  burn,
  cdTextUnencodable,
  eject,
  media,
  parseCcd,
  parseToc,
  readDisc,
  type CcdFileKind,
  type CompanionConnectOptions,
  type CompanionDiscRead,
  type CompanionDrive,
  type CompanionWebSocketConstructor,
  type MediaReport,
  type BurnOptions,
  type DiscDump,
  type DriveEvent,
  type BurnResult,
  type CdTextCharset,
  type CdTextPackCount,
  type FaultPlanJson,
  type ImageCreatorOptions,
  type ReadDiscOptions,
  type RawburnError,
  type ResultImageOptions,
  type SourceFormat,
  type VirtualUsbDeviceOptions,
} from "rawburn";

const options: ImageCreatorOptions = { imageType: "raw", leadoutLimit: "minutes80", mediaCatalogNumber: "0036000291452" };
const disc = new ImageCreator(options);
const n: number = disc.addTrack("mode1", new Uint8Array(300 * 2048), { sectors: 300 });
disc.trackInfo(n).digitalAudioCopySetting = "permitted";
disc.resultingImageType = "cooked";
for (const file of disc.createResultImage({ format: "cue", name: "x" }).files) {
  const reader = file.stream.getReader();
  reader.releaseLock();
}
// What a disc editor shows: the full TOC, CD-TEXT packs against the limit, and the characters
// a block's code cannot hold.
const fullToc: Uint8Array = disc.expectedFullToc();
const packs: CdTextPackCount = disc.cdTextPacks();
const tooLong: boolean = disc.cdTextPacks({ blocks: [{ disc: { title: "x".repeat(4000) } }] }).blocks.some((n) => n > packs.limit);
const charset: CdTextCharset = "msJis";
for (const { index, char } of cdTextUnencodable("Caf\u00e9 \u2713", charset)) console.log(index, char, fullToc, tooLong);
// @ts-expect-error: not a CD-TEXT character code
cdTextUnencodable("x", "utf8");

const faults: FaultPlanJson = {
  faults: [
    { command: "WRITE(10)", nth: 3, fault: { unitAttention: [3, 0x0c, 0] } },
    { lba: 1500, fault: "mediumError" },
    { command: "0x2a", fault: "noAnswer" },
  ],
};
const device = new VirtualUsbDevice({ media: "cd-rw", minutes: 80, faults });
const controller = new AbortController();
const burnOptions: BurnOptions = { mode: "sao", speed: 16, verify: "content", signal: controller.signal };

export async function run(): Promise<BurnResult | undefined> {
  try {
    return await burn(device, disc, burnOptions, (e) => {
      console.log(e.sectorsWritten / e.sectorsTotal);
    });
  } catch (e) {
    const error = e as RawburnError;
    if (error.code === "onEvent") return error.result;
    if (error.code === "cancelled" && error.name === "AbortError") return undefined;
    throw error;
  }
}

/** Reads the disc into a CloneCD image: the files side by side, the bar in 0..1. */
export async function dump(write: (name: string, chunk: Uint8Array) => void): Promise<DiscDump> {
  const read = await readDisc(device, { name: "album", signal: controller.signal }, (e: DriveEvent) => {
    if (e.sectorsRead !== null && e.sectorsTotal) console.log(e.sectorsRead / e.sectorsTotal, e.lba, e.speed, e.retries);
  });
  await Promise.all(
    read.files.map(async (f) => {
      for await (const chunk of f.stream) write(f.name, chunk);
    }),
  );
  const found = await read.done;
  const sessions: number = found.sessions.length;
  const pregap: number | undefined = found.tracks[0]?.indexes["0"];
  console.log(sessions, pregap, found.subchannel === "raw");
  return found;
}

/**
 * The same calls through the companion (`rawburn serve`): a burn, the disc, a read whose
 * `done` says what a companion can; a socket class of another library fits the option.
 */
export async function throughCompanion(socket: CompanionWebSocketConstructor): Promise<MediaReport> {
  const connect: CompanionConnectOptions = { drive: "virtual-1", WebSocket: socket };
  const companion = await CompanionDevice.connect("http://127.0.0.1:7867/#token=abc", connect);
  const drives: CompanionDrive[] = await companion.drives();
  console.log(drives.filter((d) => d.usable).map((d) => `${d.id}: ${d.label}`), companion.drive, companion.session);
  const result: BurnResult = await burn(companion, disc, burnOptions, (e) => console.log(e.fraction));
  console.log(result.drive.vendor);
  const read: CompanionDiscRead = await readDisc(companion, { format: "cue" });
  const { sectors, retried } = await read.done;
  console.log(sectors, retried, read.files.map((f) => f.name));
  // @ts-expect-error: a read through the companion does not give the sessions it found
  console.log((await read.done).sessions);
  await blank(companion, { kind: "minimal" });
  await companion.insert({ media: "cd-rw", minutes: 74 });
  await eject(companion);
  try {
    return await media(companion);
  } catch (e) {
    const error = e as RawburnError;
    if (error.code === "companion" && error.companionCode === "busy") console.log(error.job, error.drive);
    if (error.code === "companionConnection") console.log(error.message);
    if (error.exit === 6) console.log(error.headline, error.causes);
    throw error;
  } finally {
    companion.close();
  }
}
/** Opens a cdrdao toc file and a CloneCD image (without its .sub) from files picked by name. */
export async function openImages(files: Map<string, Uint8Array>): Promise<ImageCreator[]> {
  const bytes = (name: string): Uint8Array => files.get(name) ?? new Uint8Array(0);
  const kinds: SourceFormat[] = [];
  try {
    const toc = await parseToc(bytes("album.toc"), (name, kind) => {
      kinds.push(kind);
      return bytes(name);
    });
    const ccd = await parseCcd(
      bytes("album.ccd"),
      (name, kind: CcdFileKind) => (kind === "sub" ? undefined : files.get(name)),
      { name: "album.ccd", strict: true },
    );
    return [toc, ccd];
  } catch (e) {
    const error = e as RawburnError;
    if (error.code === "tocSyntax" || error.code === "ccdLayout") console.log(error.line, error.column, error.source);
    throw error;
  }
}
// @ts-expect-error: a CloneCD image's files are "img" and "sub"
const badKind: CcdFileKind = "bin";

class OtherSocket {
  constructor(url: string, protocols?: string | string[], options?: { headers?: Record<string, string>; timeout?: number }) {
    console.log(url, protocols, options);
  }
}
export const other: Promise<MediaReport> = throughCompanion(OtherSocket);
// @ts-expect-error: made by connect only
export const made = new CompanionDevice();

// @ts-expect-error: not an image format
const badRead: ReadDiscOptions = { format: "iso" };
// @ts-expect-error: not a write mode
const badMode: BurnOptions = { mode: "dao" };
// @ts-expect-error: a misspelt option
const typo: BurnOptions = { verfy: true };
// @ts-expect-error: not a fault kind
const badFault: FaultPlanJson = { faults: [{ fault: "meltdown" }] };
// @ts-expect-error: LBA faults fire at an lba, not on a command
const misplaced: FaultPlanJson = { faults: [{ command: "INQUIRY", fault: "mediumError" }] };
// @ts-expect-error: not an image type
disc.resultingImageType = "rawest";
// @ts-expect-error: not a medium
const badMedia: VirtualUsbDeviceOptions = { media: "dvd-r" };
// @ts-expect-error: not an image format
const badFormat: ResultImageOptions = { format: "iso" };
export const refused = [badMode, typo, badFault, misplaced, badMedia, badFormat, badRead, badKind];
