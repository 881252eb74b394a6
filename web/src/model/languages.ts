// CD-TEXT language codes (EBU Tech 3264) and genre codes, for the editor's
// menus: the package's tables, the ones rawburn reads and writes.

import { cdTextCodes } from "rawburn";

const codes = cdTextCodes();

/** The languages, by name, "Unknown" (code 0) last. */
export const LANGUAGES: [number, string][] = [
  ...codes.languages
    .filter((l) => l.code !== 0)
    .map((l): [number, string] => [l.code, l.name])
    .sort((a, b) => a[1].localeCompare(b[1])),
  [0, "Unknown"],
];

export function languageName(code: number | undefined): string {
  return codes.languages.find((l) => l.code === (code ?? 9))?.name ?? `language ${code}`;
}

/** Genre names; a genre's code is its index (0: not used). */
export const GENRES = codes.genres;
