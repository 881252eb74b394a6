// CD time: 75 sectors (frames) a second, 588 stereo samples a sector.

export const SECTORS_PER_SECOND = 75;
export const SECTORS_PER_MINUTE = 60 * SECTORS_PER_SECOND;
export const SAMPLES_PER_SECTOR = 588;
export const AUDIO_SECTOR_BYTES = 2352;

/** `mm:ss:ff` for a count of sectors (or a disc time, LBA + 150). */
export function msf(sectors: number): string {
  const sign = sectors < 0 ? "-" : "";
  const s = Math.abs(sectors);
  const m = Math.floor(s / SECTORS_PER_MINUTE);
  const sec = Math.floor((s % SECTORS_PER_MINUTE) / SECTORS_PER_SECOND);
  const f = s % SECTORS_PER_SECOND;
  return `${sign}${pad(m)}:${pad(sec)}:${pad(f)}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Reads `mm:ss:ff`, `ss:ff`, `mm:ss.xxx` (seconds) or a plain count of sectors. */
export function parseMsf(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  let m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec(t);
  if (m) {
    const [mm, ss, ff] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (ss > 59 || ff > 74) return null;
    return mm * SECTORS_PER_MINUTE + ss * SECTORS_PER_SECOND + ff;
  }
  m = /^(\d+):(\d{1,2})(?:\.(\d+))?$/.exec(t);
  if (m) {
    const seconds = Number(m[1]) * 60 + Number(m[2]) + Number(`0.${m[3] ?? 0}`);
    return Math.round(seconds * SECTORS_PER_SECOND);
  }
  return null;
}

/** Media sizes the capacity bar knows, and the latest lead-out start each takes (as the package's `leadoutLimit`). */
export const MEDIA = [74, 80, 90, 99] as const;
export type Minutes = (typeof MEDIA)[number];

/** The last LBA a lead-out may start at on media of `minutes` (99-minute media run to 99:59:74). */
export function leadoutLimit(minutes: Minutes): number {
  const m = minutes === 99 ? 100 : minutes;
  return m * SECTORS_PER_MINUTE - 1 - 150;
}
