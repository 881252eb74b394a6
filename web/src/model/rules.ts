// Checks made as the user types, before the package sees the value.

/** ISRC: CC-XXX-YY-NNNNN without the dashes: 2 letters, 3 letters or digits, 7 digits. */
export function isrcProblem(text: string): string | null {
  const t = text.replace(/-/g, "").toUpperCase();
  if (t === "") return null;
  if (t.length !== 12) return `an ISRC has 12 characters (${t.length} given)`;
  if (!/^[A-Z]{2}/.test(t)) return "an ISRC starts with a two-letter country code";
  if (!/^[A-Z]{2}[A-Z0-9]{3}/.test(t)) return "characters 3 to 5 (the registrant) are letters or digits";
  if (!/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/.test(t)) return "the last 7 characters (year and number) are digits";
  return null;
}

export function normalIsrc(text: string): string {
  return text.replace(/-/g, "").toUpperCase();
}

/** MCN (UPC/EAN): 13 digits (12 are taken with a leading zero); the EAN check digit is checked. */
export function mcnProblem(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) return "a catalog number is digits only";
  if (t.length !== 13 && t.length !== 12) return `a catalog number has 13 digits (${t.length} given)`;
  const d = t.padStart(13, "0");
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (i % 2 === 0 ? 1 : 3);
  const check = (10 - (sum % 10)) % 10;
  if (check !== Number(d[12])) return `the check digit should be ${check} (EAN-13); players show it as given`;
  return null;
}
