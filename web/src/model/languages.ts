// CD-TEXT language codes (EBU Tech 3264) and genre codes (the CD-TEXT genre
// table), for the editor's menus.

export const LANGUAGES: [number, string][] = [
  [0x09, "English"], [0x08, "German"], [0x0f, "French"], [0x0a, "Spanish"], [0x15, "Italian"], [0x1d, "Dutch"],
  [0x21, "Portuguese"], [0x69, "Japanese"], [0x75, "Chinese"], [0x65, "Korean"], [0x56, "Russian"], [0x20, "Polish"],
  [0x28, "Swedish"], [0x1e, "Norwegian"], [0x07, "Danish"], [0x27, "Finnish"], [0x06, "Czech"], [0x1b, "Hungarian"],
  [0x70, "Greek"], [0x29, "Turkish"], [0x6c, "Hebrew"], [0x7e, "Arabic"], [0x6b, "Hindi"], [0x03, "Catalan"],
  [0x04, "Croatian"], [0x22, "Romanian"], [0x25, "Slovak"], [0x26, "Slovenian"], [0x24, "Serbian"], [0x77, "Bulgarian"],
  [0x49, "Ukrainian"], [0x4a, "Thai"], [0x46, "Vietnamese"], [0x6a, "Indonesian"], [0x14, "Icelandic"], [0x11, "Irish"],
  [0x05, "Welsh"], [0x0d, "Basque"], [0x13, "Galician"], [0x0c, "Estonian"], [0x18, "Latvian"], [0x1a, "Lithuanian"],
  [0x17, "Latin"], [0x00, "Unknown"],
];

export function languageName(code: number | undefined): string {
  return LANGUAGES.find(([c]) => c === (code ?? 9))?.[1] ?? `language ${code}`;
}

export const GENRES = [
  "Not used", "Not defined", "Adult Contemporary", "Alternative Rock", "Children's Music", "Classical",
  "Contemporary Christian", "Country", "Dance", "Easy Listening", "Erotic", "Folk", "Gospel", "Hip Hop", "Jazz",
  "Latin", "Musical", "New Age", "Opera", "Operetta", "Pop Music", "Rap", "Reggae", "Rock Music", "Rhythm & Blues",
  "Sound Effects", "Spoken Word", "World Music",
];
