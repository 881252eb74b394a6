// Export: every image format, written as it is rendered.

import { useState } from "preact/hooks";
import type { ImageFormat } from "rawburn";
import { describe, failureOf, worker } from "../model/actions";
import { canPickFolder, download, pickFolder } from "../model/download";
import { get } from "../model/store";

const FORMATS: [ImageFormat, string, string][] = [
  ["cue", "BIN/CUE", ".cue + .bin (+ .cdt with CD-TEXT): CDRWIN, most burners and emulators"],
  ["ccd", "CloneCD", ".ccd + .img + .sub: every sector with its subchannel"],
  ["toc", "cdrdao", ".toc + .bin: cdrdao and gcdmaster"],
  ["raw", "Raw", ".raw from 95:00:00: lead-in, program area and lead-out with subchannel"],
  ["json", "Project", ".json: this project, for rawburn build and for opening here again"],
];

export function ExportDialog({ close }: { close: () => void }) {
  const [format, setFormat] = useState<ImageFormat>("cue");
  const [files, setFiles] = useState<Record<string, [number, number]>>({});
  const [busy, setBusy] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<{ text: string; bad: boolean } | null>(null);
  const run = async (toFolder: boolean) => {
    const { doc } = get();
    setOutcome(null);
    setFiles({});
    try {
      const dir = toFolder ? await pickFolder() : null;
      const t0 = performance.now();
      const made = await worker.ask(
        { type: "export", project: doc.project, format, base: doc.name, dir },
        (p) => p.kind === "export" && setFiles((f) => ({ ...f, [p.file]: [p.done, p.total] })),
        (id) => setBusy(id),
      );
      // One download after the other: browsers take a burst of them badly.
      if (!dir) for (const f of made) if (f.stream) await download(f.name, f.size, f.stream);
      const bytes = made.reduce((n, f) => n + f.size, 0);
      const seconds = (performance.now() - t0) / 1000;
      setOutcome({
        text: dir
          ? `Wrote ${made.map((f) => f.name).join(", ")} (${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s).`
          : `Downloading ${made.map((f) => f.name).join(", ")} (${(bytes / 1e6).toFixed(1)} MB).`,
        bad: false,
      });
    } catch (e) {
      const f = failureOf(e);
      setOutcome({ text: f.code === "AbortError" ? "Export stopped." : describe(f), bad: f.code !== "AbortError" });
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="dialog-body">
      <fieldset>
        <legend>Format</legend>
        {FORMATS.map(([v, l, d]) => (
          <label class="radio">
            <input type="radio" name="format" value={v} checked={format === v} onChange={() => setFormat(v)} />
            <span>
              <strong>{l}</strong> <small>{d}</small>
            </span>
          </label>
        ))}
      </fieldset>
      {Object.entries(files).map(([name, [done, total]]) => (
        <div class="progressline">
          <label>
            {name}
            <progress max={total || 1} value={done} />
          </label>
          <span>{total ? Math.round((done / total) * 100) : 100}%</span>
        </div>
      ))}
      {outcome && (
        <p class={outcome.bad ? "error" : "ok"} role={outcome.bad ? "alert" : "status"}>
          {outcome.text}
        </p>
      )}
      <div class="buttons">
        {busy !== null ? (
          <button onClick={() => worker.cancel(busy)}>Stop</button>
        ) : (
          <>
            {canPickFolder() && (
              <button class="primary" onClick={() => run(true)}>
                Export to a folder…
              </button>
            )}
            <button class={canPickFolder() ? "" : "primary"} onClick={() => run(false)}>
              Download
            </button>
            <button onClick={close}>Close</button>
          </>
        )}
      </div>
    </div>
  );
}
