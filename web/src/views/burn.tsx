// Burning through the companion: drive and media, options, progress, and
// the disc read back beside the project.

import { useEffect, useState } from "preact/hooks";
import type { BurnEvent, BurnResult, CompanionDrive, MediaReport, Project, TableOfContents } from "rawburn";
import { describe, failureOf, worker } from "../model/actions";
import { type Reach, companionReach } from "../model/companion";
import { blocks } from "../model/edit";
import { get } from "../model/store";
import { msf } from "../model/time";
import type { BurnRequest, Failure, ReadBack } from "../worker/protocol";
import { Check, Select } from "./fields";

type Mode = BurnRequest["mode"];

export function BurnDialog({ close }: { close: () => void }) {
  const [reach, setReach] = useState<Reach | null>(null);
  const [drives, setDrives] = useState<CompanionDrive[]>([]);
  const [drive, setDrive] = useState("");
  const [disc, setDisc] = useState<MediaReport | null>(null);
  const [mode, setMode] = useState<Mode>("auto");
  const [speed, setSpeed] = useState("max");
  const [simulate, setSimulate] = useState(false);
  const [verify, setVerify] = useState(true);
  const [job, setJob] = useState<number | null>(null);
  const [event, setEvent] = useState<BurnEvent | null>(null);
  const [reading, setReading] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ result: BurnResult; readBack: ReadBack | null; readBackError: Failure | null } | null>(null);
  const [failed, setFailed] = useState<Failure | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const refreshMedia = async (id: string) => {
    setDisc(null);
    try {
      setDisc(await worker.ask({ type: "media", drive: id }));
    } catch (e) {
      setProblem(describe(failureOf(e)));
    }
  };
  const listDrives = async (r: Reach) => {
    try {
      const { drives } = await worker.ask({ type: "drives", origin: r.kind === "companion" ? location.origin : null });
      setDrives(drives);
      const first = drives.find((d) => d.usable);
      if (first && !drives.some((d) => d.id === drive)) {
        setDrive(first.id);
        void refreshMedia(first.id);
      }
    } catch (e) {
      setProblem(describe(failureOf(e)));
    }
  };
  useEffect(() => {
    void companionReach().then((r) => {
      setReach(r);
      void listDrives(r);
    });
  }, []);
  const usb = (navigator as unknown as { usb?: { requestDevice(o: object): Promise<unknown> } }).usb;
  const connectUsb = async () => {
    try {
      await usb?.requestDevice({ filters: [{ classCode: 0x08 }] });
      if (reach) await listDrives(reach);
    } catch (e) {
      if ((e as Error).name !== "NotFoundError") setProblem(describe(failureOf(e)));
    }
  };

  if (!reach) return <p class="dialog-body">Looking for the companion…</p>;

  const start = async () => {
    setFailed(null);
    setOutcome(null);
    setEvent(null);
    setReading(null);
    try {
      const request: BurnRequest = {
        project: get().doc.project,
        drive,
        mode,
        speed: speed === "max" ? "max" : Number(speed),
        simulate,
        verify,
        eject: false,
      };
      const r = await worker.ask(
        { type: "burn", burn: request },
        (p) => {
          if (p.kind === "burn") setEvent(p.event);
          if (p.kind === "read") setReading(`${p.message} (${Math.round(p.fraction * 100)}%)`);
        },
        (id) => setJob(id),
      );
      setOutcome(r);
      void refreshMedia(drive);
    } catch (e) {
      setFailed(failureOf(e));
      void refreshMedia(drive);
    } finally {
      setJob(null);
    }
  };
  const current = drives.find((d) => d.id === drive);
  const speeds = disc?.writeSpeeds ?? [];
  const blank = disc?.disc && disc.status === "blank";
  return (
    <div class="dialog-body burn">
      {reach.kind === "none" && (
        <div class="notice">
          <p>{reach.why}</p>
          <p>
            To burn on a real drive, start <strong>rawburn's companion</strong> on this computer and open the address it prints:{" "}
            <code class="cmd">rawburn serve</code>. It serves this editor with burning enabled, on 127.0.0.1 only; without a burner it
            offers a virtual recorder. Here, the page's own virtual recorder tries a burn without one
            {usb ? ", and a USB burner can be connected through WebUSB where the browser allows it (browsers keep most burners from pages)" : ""}.
          </p>
          {usb && <button onClick={() => void connectUsb()}>Connect a USB burner (WebUSB)…</button>}
        </div>
      )}
      <div class="fields">
        <Select<string>
          label="Drive"
          value={drive}
          options={drives.map((d) => [d.id, `${d.label}${d.usable ? "" : ` (${d.problem ?? "cannot be used"})`}`])}
          onChange={(v) => (setDrive(v), void refreshMedia(v))}
        />
        <div class="field">
          <span class="label">Disc</span>
          <span class="media" data-testid="media">
            {disc
              ? disc.disc
                ? `${disc.media}, ${disc.status}${disc.capacity && disc.status !== "finalized" ? `, ${msf(disc.capacity)} free` : ""}`
                : disc.trayOpen
                  ? "tray open"
                  : "no disc"
              : "…"}
          </span>
        </div>
        {current?.kind === "virtual" && job === null && (
          <div class="field">
            <span class="label">Virtual recorder</span>
            <span>
              <button onClick={() => void worker.ask({ type: "insert", drive, media: "cd-r", minutes: 80 }).then(() => refreshMedia(drive))}>Insert a blank CD-R</button>{" "}
              <button onClick={() => void worker.ask({ type: "insert", drive, media: "cd-rw", minutes: 80 }).then(() => refreshMedia(drive))}>Insert a blank CD-RW</button>
            </span>
          </div>
        )}
        <Select<Mode>
          label="Write mode"
          value={mode}
          options={[
            ["auto", "Best the drive offers"],
            ["raw96r", "RAW96R (raw, P-W as is)"],
            ["raw96p", "RAW96P"],
            ["raw16", "RAW16 (P-Q only)"],
            ["sao", "SAO (disc at once)"],
            ["tao", "TAO (track at once)"],
          ]}
          onChange={setMode}
        />
        <Select<string> label="Speed" value={speed} options={[["max", "Fastest"], ...speeds.map((s) => [String(s), `${s}×`] as [string, string])]} onChange={setSpeed} />
        <Check label="Simulate (test write, laser off)" checked={simulate} onChange={setSimulate} />
        <Check label="Verify: read the disc back and compare every sector" checked={verify} onChange={setVerify} />
      </div>
      {problem && <p class="error" role="alert">{problem}</p>}
      {event && <Progress event={event} />}
      {reading && <p role="status">{reading}</p>}
      {failed && (failed.code === "cancelled" || failed.code === "AbortError") && (
        <p class="notice" role="status">
          <strong>The burn was cancelled:</strong> {failed.message.replace(/^(the burn was cancelled: )?(cancelled: )?/i, "")}
          {failed.disc && ` ${DISC_STATES[failed.disc] ?? ""}`}
        </p>
      )}
      {failed && failed.code !== "cancelled" && failed.code !== "AbortError" && (
        <div class="error" role="alert">
          <strong>The burn failed.</strong> {failed.message}
          {(failed.lastWrittenLba !== undefined || failed.lba !== undefined || failed.disc) && (
            <ul>
              {failed.lba !== undefined && <li>At LBA {failed.lba}.</li>}
              {failed.lastWrittenLba !== undefined && <li>The drive confirmed sectors up to LBA {failed.lastWrittenLba}.</li>}
              {failed.sense && <li>Drive sense {failed.sense}.</li>}
              {failed.disc && <li>{DISC_STATES[failed.disc] ?? `The disc is ${failed.disc}.`}</li>}
            </ul>
          )}
        </div>
      )}
      {outcome && <Outcome project={get().doc.project} toc={get().layout?.toc ?? null} {...outcome} />}
      <div class="buttons">
        {job !== null ? (
          <button class="danger" onClick={() => worker.cancel(job)}>
            Cancel the burn
          </button>
        ) : (
          <>
            <button class="primary" disabled={!drive || (!blank && !simulate)} onClick={() => void start()}>
              {simulate ? "Simulate" : "Burn"}
            </button>
            <button onClick={close}>Close</button>
          </>
        )}
      </div>
      {!blank && disc?.disc && !simulate && job === null && <p class="hint">The disc is not blank: insert a blank disc to burn.</p>}
    </div>
  );
}

const DISC_STATES: Record<string, string> = {
  blank: "Nothing was written: the disc is still blank.",
  incomplete: "The disc holds an incomplete session: a CD-R is unusable, a CD-RW can be blanked and used again.",
  closed: "The session was closed.",
  finalized: "The disc was finalized.",
  unknown: "The drive did not say what the disc holds.",
};

const ACTIONS: Record<BurnEvent["action"], string> = {
  preparing: "Preparing",
  writingLeadIn: "Writing the lead-in",
  writingTrack: "Writing track",
  writingLeadOut: "Writing the lead-out",
  finishing: "Finishing",
  verifying: "Verifying",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

function Progress({ event: e }: { event: BurnEvent }) {
  const pct = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) : 0);
  return (
    <div class="burnprogress" role="group" aria-label="Burn progress">
      <p role="status" class="phase">
        <strong>
          {ACTIONS[e.action]}
          {e.action === "writingTrack" && e.track !== null ? ` ${e.track} of ${e.tracks}` : ""}
        </strong>
        {e.mode && <span class="tag">{e.mode.toUpperCase()}</span>}
        {e.message && <span class="hint"> {e.message}</span>}
      </p>
      <label>
        Whole burn <progress max={1} value={e.fraction} /> {Math.round(e.fraction * 100)}%
      </label>
      <label>
        Host buffer <progress max={e.totalSystemBuffer || 1} value={e.usedSystemBuffer} /> {pct(e.usedSystemBuffer, e.totalSystemBuffer)}%
      </label>
      <label>
        Drive buffer <progress max={e.driveBufferSize || 1} value={e.driveBufferSize - e.driveBufferFree} /> {pct(e.driveBufferSize - e.driveBufferFree, e.driveBufferSize)}%
      </label>
      <dl class="facts">
        <dt>LBA</dt>
        <dd>{e.lastWrittenLba}</dd>
        <dt>Speed</dt>
        <dd>{e.speedX ? `${e.speedX.toFixed(1)}×` : "–"}</dd>
        <dt>Time left</dt>
        <dd>{e.remainingMs === null ? "–" : `${Math.ceil(e.remainingMs / 1000)} s`}</dd>
        {e.phase === "verifying" && (
          <>
            <dt>Verified</dt>
            <dd>
              {e.sectorsVerified} of {e.sectorsToVerify}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

function Outcome(props: { project: Project; toc: TableOfContents | null; result: BurnResult; readBack: ReadBack | null; readBackError: Failure | null }) {
  const { result, readBack } = props;
  const planned = props.toc;
  const got = readBack?.toc ?? null;
  const title = (p: Project, i: number | null) => (i === null ? blocks(p)[0]?.disc?.title : blocks(p)[0]?.tracks?.[i]?.title) ?? "";
  return (
    <div class="outcome">
      <p class="ok" role="status">
        {result.simulated ? "Simulated" : "Burned"} in {result.mode.toUpperCase()}
        {result.speed ? ` at ${result.speed}×` : ""}: {result.sectors} sectors in{" "}
        {(result.elapsedMs / 1000).toFixed(1)} s{result.verified ? ", verified sector for sector" : ""}.
      </p>
      {props.readBackError && <p class="error">The disc could not be read back: {props.readBackError.message}</p>}
      {readBack && (
        <table class="compare" aria-label="The disc read back beside the project">
          <thead>
            <tr>
              <th scope="col">Track</th>
              <th scope="col">Planned start</th>
              <th scope="col">On the disc</th>
              <th scope="col">Planned title</th>
              <th scope="col">CD-TEXT on the disc</th>
              <th scope="col">ISRC on the disc</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Disc</th>
              <td>{planned ? `lead-out ${msf(planned.leadout + 150)}` : ""}</td>
              <td>{got ? `lead-out ${msf(got.leadout + 150)}` : ""}</td>
              <td>{title(props.project, null)}</td>
              <td>{title(readBack.project, null)}</td>
              <td>{got?.mcn ? `MCN ${got.mcn}` : ""}</td>
            </tr>
            {(planned?.tracks ?? []).map((t, i) => {
              const r = got?.tracks[i];
              const same = r && r.indexes.join() === t.indexes.join() && r.pregapStart === t.pregapStart;
              return (
                <tr class={same ? "" : "differs"}>
                  <th scope="row">{t.number}</th>
                  <td>{msf(t.indexes[0] + 150)}</td>
                  <td>{r ? msf(r.indexes[0] + 150) : "missing"}{r && r.indexes.length > 1 ? ` (+${r.indexes.length - 1} idx)` : ""}</td>
                  <td>{title(props.project, i)}</td>
                  <td>{title(readBack.project, i)}</td>
                  <td>{r?.isrc ?? ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
