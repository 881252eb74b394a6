//! Code tables of CD-TEXT: language codes (EBU Tech 3264, as used in the
//! size information) and genre codes (pack type 0x87). Names are the ones
//! Sony's input sheets use.

/// English.
pub const ENGLISH: u8 = 0x09;

/// Language codes and names.
pub const LANGUAGES: &[(u8, &str)] = &[
    (0x00, "Unknown"),
    (0x01, "Albanian"),
    (0x02, "Breton"),
    (0x03, "Catalan"),
    (0x04, "Croatian"),
    (0x05, "Welsh"),
    (0x06, "Czech"),
    (0x07, "Danish"),
    (0x08, "German"),
    (0x09, "English"),
    (0x0a, "Spanish"),
    (0x0b, "Esperanto"),
    (0x0c, "Estonian"),
    (0x0d, "Basque"),
    (0x0e, "Faroese"),
    (0x0f, "French"),
    (0x10, "Frisian"),
    (0x11, "Irish"),
    (0x12, "Gaelic"),
    (0x13, "Galician"),
    (0x14, "Icelandic"),
    (0x15, "Italian"),
    (0x16, "Lappish"),
    (0x17, "Latin"),
    (0x18, "Latvian"),
    (0x19, "Luxembourgian"),
    (0x1a, "Lithuanian"),
    (0x1b, "Hungarian"),
    (0x1c, "Maltese"),
    (0x1d, "Dutch"),
    (0x1e, "Norwegian"),
    (0x1f, "Occitan"),
    (0x20, "Polish"),
    (0x21, "Portuguese"),
    (0x22, "Romanian"),
    (0x23, "Romansh"),
    (0x24, "Serbian"),
    (0x25, "Slovak"),
    (0x26, "Slovenian"),
    (0x27, "Finnish"),
    (0x28, "Swedish"),
    (0x29, "Turkish"),
    (0x2a, "Flemish"),
    (0x2b, "Wallon"),
    (0x45, "Zulu"),
    (0x46, "Vietnamese"),
    (0x47, "Uzbek"),
    (0x48, "Urdu"),
    (0x49, "Ukrainian"),
    (0x4a, "Thai"),
    (0x4b, "Telugu"),
    (0x4c, "Tatar"),
    (0x4d, "Tamil"),
    (0x4e, "Tadzhik"),
    (0x4f, "Swahili"),
    (0x50, "Sranan Tongo"),
    (0x51, "Somali"),
    (0x52, "Sinhalese"),
    (0x53, "Shona"),
    (0x54, "Serbo-croat"),
    (0x55, "Ruthenian"),
    (0x56, "Russian"),
    (0x57, "Quechua"),
    (0x58, "Pushtu"),
    (0x59, "Punjabi"),
    (0x5a, "Persian"),
    (0x5b, "Papamiento"),
    (0x5c, "Oriya"),
    (0x5d, "Nepali"),
    (0x5e, "Ndebele"),
    (0x5f, "Marathi"),
    (0x60, "Moldavian"),
    (0x61, "Malaysian"),
    (0x62, "Malagasay"),
    (0x63, "Macedonian"),
    (0x64, "Laotian"),
    (0x65, "Korean"),
    (0x66, "Khmer"),
    (0x67, "Kazakh"),
    (0x68, "Kannada"),
    (0x69, "Japanese"),
    (0x6a, "Indonesian"),
    (0x6b, "Hindi"),
    (0x6c, "Hebrew"),
    (0x6d, "Hausa"),
    (0x6e, "Gurani"),
    (0x6f, "Gujurati"),
    (0x70, "Greek"),
    (0x71, "Georgian"),
    (0x72, "Fulani"),
    (0x73, "Dari"),
    (0x74, "Churash"),
    (0x75, "Chinese"),
    (0x76, "Burmese"),
    (0x77, "Bulgarian"),
    (0x78, "Bengali"),
    (0x79, "Bielorussian"),
    (0x7a, "Bambora"),
    (0x7b, "Azerbaijani"),
    (0x7c, "Assamese"),
    (0x7d, "Armenian"),
    (0x7e, "Arabic"),
    (0x7f, "Amharic"),
];

/// Genre names by code.
pub const GENRES: &[&str] = &[
    "Not Used",
    "Not Defined",
    "Adult Contemporary",
    "Alternative Rock",
    "Childrens Music",
    "Classical",
    "Contemporary Christian",
    "Country",
    "Dance",
    "Easy Listening",
    "Erotic",
    "Folk",
    "Gospel",
    "Hip Hop",
    "Jazz",
    "Latin",
    "Musical",
    "New Age",
    "Opera",
    "Operetta",
    "Pop Music",
    "Rap",
    "Reggae",
    "Rock Music",
    "Rhythm & Blues",
    "Sound Effects",
    "Spoken Word",
    "World Music",
];

/// The name of a language code.
pub fn language_name(code: u8) -> Option<&'static str> {
    LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The code of a language name (case-insensitive).
pub fn language_code(name: &str) -> Option<u8> {
    LANGUAGES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(c, _)| *c)
}

/// The name of a genre code.
pub fn genre_name(code: u16) -> Option<&'static str> {
    GENRES.get(code as usize).copied()
}

/// The code of a genre name (case-insensitive; "Rock" and "Pop" match
/// "Rock Music" and "Pop Music", "Children's Music" its Sony spelling).
pub fn genre_code(name: &str) -> Option<u16> {
    let n = name.trim().to_ascii_lowercase().replace('\'', "");
    GENRES
        .iter()
        .position(|g| {
            let g = g.to_ascii_lowercase();
            g == n || g.strip_suffix(" music") == Some(n.as_str())
        })
        .map(|i| i as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(language_code("english"), Some(0x09));
        assert_eq!(language_code("Japanese"), Some(0x69));
        assert_eq!(language_name(0x08), Some("German"));
        assert_eq!(language_name(0x30), None);
        assert_eq!(genre_code("Classical"), Some(5));
        assert_eq!(genre_code("rock"), Some(23));
        assert_eq!(genre_code("Children's Music"), Some(4));
        assert_eq!(genre_name(27), Some("World Music"));
        assert_eq!(genre_name(28), None);
        assert_eq!(genre_code("Polka"), None);
    }
}
