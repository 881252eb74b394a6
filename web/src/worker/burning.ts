// Burning through the companion (`rawburn serve`): the page's origin is the
// companion's, so its session cookie opens the WebSocket.

import {
  CompanionDevice,
  ImageCreator,
  burn,
  media,
  readDisc,
  type CompanionDrive,
  type MediaReport,
  type Project,
  type SectorType,
  type UsbDeviceLike,
  VirtualUsbDevice,
} from "rawburn";
import type { BurnRequest, Failure, Progress, ReadBack, Replies } from "./protocol";

let origin: string | null = null;
type Device = CompanionDevice | UsbDeviceLike;
const devices = new Map<string, Device>();

/** The recorder that lives in this page: test burns with nothing leaving the browser. */
const PAGE_VIRTUAL = "page-virtual";

async function device(drive: string): Promise<Device> {
  let d = devices.get(drive);
  if (!d && drive === PAGE_VIRTUAL) {
    d = new VirtualUsbDevice({ media: "cd-r", minutes: 80 });
    devices.set(drive, d);
  }
  if (!d && origin !== null) {
    d = await CompanionDevice.connect(origin, { drive });
    devices.set(drive, d);
  }
  if (!d) throw Object.assign(new Error(`no drive ${drive}`), { code: "noDrive" });
  return d;
}

/**
 * The drives: the companion's when the page came from it (`at`, its
 * origin); otherwise the recorder in the page and the USB burners the user
 * let the page use (WebUSB, where the browser allows the class).
 */
export async function drives(at: string | null): Promise<{ drives: CompanionDrive[] }> {
  origin = at;
  if (at !== null) {
    const first = await CompanionDevice.connect(at);
    devices.set(first.drive, first);
    return { drives: await first.drives() };
  }
  const list: CompanionDrive[] = [
    { id: PAGE_VIRTUAL, kind: "virtual", label: "Virtual recorder in this page (a test: nothing leaves the browser)", usable: true, problem: null, fix: null, job: null },
  ];
  const usb = (navigator as unknown as { usb?: { getDevices(): Promise<UsbDeviceLike[]> } }).usb;
  for (const [i, u] of ((await usb?.getDevices()) ?? []).entries()) {
    const named = u as unknown as { productName?: string; manufacturerName?: string; serialNumber?: string };
    const id = `usb-${named.serialNumber || i}`;
    devices.set(id, u);
    list.push({ id, kind: "usb", label: `${named.manufacturerName ?? ""} ${named.productName ?? "USB burner"} (WebUSB)`.trim(), usable: true, problem: null, fix: null, job: null });
  }
  return { drives: list };
}

export async function insertDisc(drive: string, kind: "cd-r" | "cd-rw", minutes: 74 | 80 | 90 | 99): Promise<null> {
  if (drive === PAGE_VIRTUAL) {
    devices.set(drive, new VirtualUsbDevice({ media: kind, minutes }));
    return null;
  }
  const d = await device(drive);
  if (!(d instanceof CompanionDevice)) throw Object.assign(new Error("only a virtual recorder takes a disc from the page"), { code: "invalidArgument" });
  await d.insert({ media: kind, minutes });
  return null;
}

export async function mediaOf(drive: string): Promise<MediaReport> {
  return media(await device(drive));
}

/** Burns the project, then (when verified and not simulated) reads the disc back. */
export async function burnProject(
  r: BurnRequest,
  creatorOf: (p: Project) => Promise<ImageCreator>,
  signal: AbortSignal,
  progress: (p: Progress) => void,
): Promise<Replies["burn"]> {
  const d = await device(r.drive);
  const disc = await creatorOf(r.project);
  const result = await burn(
    d,
    disc,
    { mode: r.mode, speed: r.speed, simulate: r.simulate, verify: r.verify, eject: false, signal },
    (event) => progress({ kind: "burn", event }),
  );
  if (r.simulate) return { result, readBack: null, readBackError: null };
  try {
    return { result, readBack: await readBack(d, signal, progress), readBackError: null };
  } catch (e) {
    const o = e as { code?: string; message?: string };
    const error: Failure = { code: o.code ?? "error", message: o.message ?? String(e) };
    return { result, readBack: null, readBackError: error };
  }
}

/** Reads the disc into a project (its .json; the sectors are left on the companion). */
async function readBack(d: Device, signal: AbortSignal, progress: (p: Progress) => void): Promise<ReadBack> {
  const onEvent = (e: { sectorsTotal: number | null; sectorsRead: number | null; message: string | null }) => {
    const fraction = e.sectorsTotal ? (e.sectorsRead ?? 0) / e.sectorsTotal : 0;
    progress({ kind: "read", fraction, message: e.message ?? "reading the disc back" });
  };
  const options = { format: "json" as const, name: "readback", signal };
  const read = d instanceof CompanionDevice ? await readDisc(d, options, onEvent) : await readDisc(d, options, onEvent);
  await read.done;
  let project: Project | null = null;
  for (const f of read.files) {
    if (f.type === "json") project = JSON.parse(await new Response(f.stream).text()) as Project;
    else await f.stream.cancel();
  }
  if (!project) throw Object.assign(new Error("the read gave no project"), { code: "readBack" });
  return { project, toc: await tocOf(project) };
}

const SECTOR_BYTES: Partial<Record<SectorType, number>> = {
  audio: 2352,
  mode1: 2048,
  mode2Form1: 2048,
  mode2Formless: 2336,
  mode2Xa: 2336,
};

/** The TOC of a read-back project, laid out without its sectors. */
async function tocOf(project: Project) {
  const lengths = new Map<number, number>();
  const note = (span: unknown, type: SectorType, rw = false) => {
    const list = Array.isArray(span) ? span : span ? [span] : [];
    for (const p of list as { source?: number; offset?: number; sectors?: number }[]) {
      if (p.source === undefined || p.sectors === undefined) continue;
      const end = (p.offset ?? 0) + p.sectors * ((SECTOR_BYTES[type] ?? 2352) + (rw ? 96 : 0));
      lengths.set(p.source, Math.max(lengths.get(p.source) ?? 0, end));
    }
  };
  for (const t of project.tracks) {
    note(t.data, t.sectorType, t.rwInSource);
    note(t.pregap?.source, t.sectorType, t.rwInSource);
  }
  if (project.specialPregap) note(project.specialPregap, "audio");
  try {
    const disc = await ImageCreator.fromJSON(project, (_s, i) => ({
      data: new ReadableStream<Uint8Array>(),
      length: lengths.get(i) ?? 0,
    }));
    const toc = disc.tableOfContents();
    disc.free();
    return toc;
  } catch {
    return null;
  }
}
