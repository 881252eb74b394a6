// CD-TEXT: up to eight language blocks, every field, the character code
// with the characters it cannot hold flagged, and the pack count.

import { memo } from "./memo";
import { useState } from "preact/hooks";
import type { CdTextBlock, CdTextFields, Project } from "rawburn";
import { addBlock, blocks, removeBlock, setBlock, setDiscText, setTrackText } from "../model/edit";
import { GENRES, LANGUAGES, languageName } from "../model/languages";
import { edit } from "../model/store";
import type { Layout, Unencodable } from "../worker/protocol";
import { Check, Select, TextField } from "./fields";

const FIELDS: [keyof CdTextFields, string][] = [
  ["title", "Title"],
  ["performer", "Performer"],
  ["songwriter", "Songwriter"],
  ["composer", "Composer"],
  ["arranger", "Arranger"],
  ["message", "Message"],
];

type Charset = NonNullable<CdTextBlock["charset"]>;

/** English, German, French, Spanish, Italian, Dutch, Japanese, Chinese (EBU Tech 3264 codes). */
const COMMON = [0x09, 0x08, 0x0f, 0x0a, 0x15, 0x1d, 0x69, 0x75];

export function CdTextPanel({ project, layout }: { project: Project; layout: Layout | null }) {
  const list = blocks(project);
  const [tab, setTab] = useState(0);
  const current = Math.min(tab, Math.max(0, list.length - 1));
  const packs = layout?.packs;
  const flagged = (block: number, track: number | null, field: string) =>
    layout?.unencodable.find((u) => u.block === block && u.track === track && u.field === field)?.chars ?? null;
  if (list.length === 0)
    return (
      <section class="panel cdtext" aria-labelledby="cdt-h">
        <h2 id="cdt-h">CD-TEXT</h2>
        <p class="hint">No CD-TEXT. Players that show it read titles and names from the lead-in.</p>
        <button onClick={() => edit("add CD-TEXT", (p) => addBlock(p, 9))}>Add CD-TEXT (English)</button>
      </section>
    );
  const b = list[current];
  const used = new Set(list.map((x) => x.language ?? 9));
  // The next block's language: the first unused of the languages CD-TEXT
  // discs commonly carry, then any.
  const next = [...COMMON, ...LANGUAGES.map(([c]) => c)].find((c) => !used.has(c)) ?? 0;
  return (
    <section class="panel cdtext" aria-labelledby="cdt-h">
      <h2 id="cdt-h">
        CD-TEXT{" "}
        {packs && (
          <span class={`count${packs.blocks.some((n) => n > packs.limit) ? " bad" : ""}`} title="18-byte packs the lead-in carries, per block">
            {packs.blocks.map((n) => `${n}`).join(" + ")} / {packs.limit} packs a block
          </span>
        )}
      </h2>
      <div class="tabs">
        <div class="tablist" role="tablist" aria-label="CD-TEXT blocks (languages)">
          {list.map((x, i) => (
            <button
              role="tab"
              id={`cdt-tab-${i}`}
              aria-selected={i === current}
              aria-controls="cdt-panel"
              tabIndex={i === current ? 0 : -1}
              onClick={() => setTab(i)}
              onKeyDown={(e) => {
                if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                  const n = (i + (e.key === "ArrowRight" ? 1 : list.length - 1)) % list.length;
                  setTab(n);
                  requestAnimationFrame(() => document.getElementById(`cdt-tab-${n}`)?.focus());
                }
              }}
            >
              {i + 1}: {languageName(x.language)}
              {packs && packs.blocks[i] !== undefined && <small> ({packs.blocks[i]})</small>}
            </button>
          ))}
        </div>
        {list.length < 8 && (
          <button
            class="add"
            onClick={() => {
              edit("add a CD-TEXT language", (p) => addBlock(p, next));
              setTab(list.length);
            }}
          >
            + Language
          </button>
        )}
      </div>
      <div id="cdt-panel" role="tabpanel" aria-labelledby={`cdt-tab-${current}`}>
        <div class="fields">
          <Select<string>
            label="Language"
            value={String(b.language ?? 9)}
            options={LANGUAGES.map(([c, n]) => [String(c), n])}
            onChange={(v) => edit("CD-TEXT language", (p) => setBlock(p, current, { language: Number(v) }))}
          />
          <Select<Charset>
            label="Character code"
            value={b.charset ?? "iso8859_1"}
            options={[
              ["iso8859_1", "ISO-8859-1 (Latin-1)"],
              ["ascii", "ASCII"],
              ["msJis", "MS-JIS (Japanese)"],
            ]}
            onChange={(v) => edit("CD-TEXT character code", (p) => setBlock(p, current, { charset: v }))}
          />
          <Check label="Copyrighted texts" checked={!!b.copyright} onChange={(v) => edit("CD-TEXT copyright flag", (p) => setBlock(p, current, { copyright: v || undefined }))} />
          <Select<string>
            label="Genre"
            value={String(b.genre?.code ?? 0)}
            options={GENRES.map((g, i) => [String(i), g])}
            onChange={(v) => edit("CD-TEXT genre", (p) => setBlock(p, current, { genre: Number(v) ? { code: Number(v), text: b.genre?.text } : undefined }))}
          />
          <TextField
            label="Genre text"
            value={b.genre?.text ?? ""}
            placeholder="(optional)"
            onInput={(v) => edit("CD-TEXT genre text", (p) => setBlock(p, current, { genre: { code: b.genre?.code ?? 1, text: v || undefined } }))}
          />
          <TextField
            label="Disc ID (catalog text)"
            value={b.discId ?? ""}
            placeholder="(optional)"
            onInput={(v) => edit("CD-TEXT disc id", (p) => setBlock(p, current, { discId: v || undefined }))}
          />
          <TextField
            label="Closed information"
            value={b.closed ?? ""}
            placeholder="not shown by players"
            onInput={(v) => edit("CD-TEXT closed information", (p) => setBlock(p, current, { closed: v || undefined }))}
          />
          <button class="danger" onClick={() => (edit("remove a CD-TEXT block", (p) => removeBlock(p, current)), setTab(Math.max(0, current - 1)))}>
            Remove this block
          </button>
        </div>
        <table class="cdt-table">
          <caption class="sr">CD-TEXT of block {current + 1}: the disc, then each track</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              {FIELDS.map(([, l]) => <th scope="col">{l}</th>)}
              <th scope="col">Code (UPC / ISRC)</th>
            </tr>
          </thead>
          <tbody>
            <tr class="disc">
              <th scope="row">Disc</th>
              {[...FIELDS, ["code", "Code"] as [keyof CdTextFields, string]].map(([f, l]) => (
                <td>
                  <TextCell
                    label={`Disc ${l.toLowerCase()}, block ${current + 1}`}
                    value={b.disc?.[f] ?? ""}
                    bad={flagged(current, null, f)}
                    onInput={(v) => edit(`disc ${l.toLowerCase()}`, (p) => setDiscText(p, current, { [f]: v }))}
                  />
                </td>
              ))}
            </tr>
            {project.tracks.map((_, i) => (
              <TrackTextRow
                block={current}
                position={i}
                number={(project.firstTrack ?? 1) + i}
                fields={b.tracks?.[i]}
                bad={badOf(layout?.unencodable, current, i)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const ROW_FIELDS: [keyof CdTextFields, string][] = [...FIELDS, ["code", "Code"]];

/** The flagged characters of one track's fields, as a string the row compares ("" when none). */
function badOf(list: Unencodable[] | undefined, block: number, track: number): string {
  const mine = list?.filter((u) => u.block === block && u.track === track) ?? [];
  return mine.length ? JSON.stringify(Object.fromEntries(mine.map((u) => [u.field, u.chars]))) : "";
}

/** One track's CD-TEXT fields in one block: drawn again only when they change. */
const TrackTextRow = memo(function TrackTextRow(props: { block: number; position: number; number: number; fields: CdTextFields | undefined; bad: string }) {
  const { block, position, number } = props;
  const bad = props.bad ? (JSON.parse(props.bad) as Record<string, string[]>) : {};
  return (
    <tr>
      <th scope="row">{number}</th>
      {ROW_FIELDS.map(([f, l]) => (
        <td>
          <TextCell
            label={`Track ${number} ${l.toLowerCase()}, block ${block + 1}`}
            value={props.fields?.[f] ?? ""}
            bad={bad[f] ?? null}
            onInput={(v) => edit(`track ${position + 1} ${l.toLowerCase()}`, (p) => setTrackText(p, block, position, { [f]: v }))}
          />
        </td>
      ))}
    </tr>
  );
});

function TextCell(props: { label: string; value: string; bad: string[] | null; onInput: (v: string) => void }) {
  return (
    <span class="cell">
      <input
        aria-label={props.label}
        value={props.value}
        aria-invalid={props.bad ? "true" : undefined}
        title={props.bad ? `The block's character code cannot hold: ${props.bad.join(" ")}` : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.bad && (
        <small class="bad" role="status">
          cannot hold {props.bad.map((c) => `“${c}”`).join(" ")}
        </small>
      )}
    </span>
  );
}
