//! The tags of an audio file that a CD can carry: CD-TEXT titles and
//! performers, the ISRC of a track and the disc's catalogue number (MCN).

use serde::Serialize;
use symphonia::core::meta::{MetadataRevision, RawValue, StandardTag, Tag};

/// Tags read from an audio file, for CD-TEXT, ISRC and MCN.
///
/// Each field is `None` when the file does not carry it. Texts are trimmed
/// of surrounding white space; an empty text counts as absent. Sources:
///
/// | Field          | Vorbis comment (FLAC, Ogg)         | ID3v2 (MP3)  | MP4 (M4A)  |
/// |----------------|------------------------------------|--------------|------------|
/// | `title`        | `TITLE`                            | `TIT2`       | `©nam`     |
/// | `artist`       | `ARTIST`                           | `TPE1`       | `©ART`     |
/// | `album`        | `ALBUM`                            | `TALB`       | `©alb`     |
/// | `album_artist` | `ALBUMARTIST`                      | `TPE2`       | `aART`     |
/// | `isrc`         | `ISRC`                             | `TSRC`       | `----:ISRC`|
/// | `mcn`          | `BARCODE`, `UPC`, `EAN`, `CATALOGNUMBER` | `TXXX:BARCODE` | `----:BARCODE` |
/// | `track`        | `TRACKNUMBER`                      | `TRCK`       | `trkn`     |
///
/// `isrc` is kept only when it is a valid ISRC once hyphens and spaces are
/// removed (12 characters: 5 letters or digits, then 7 digits; letters
/// upper-cased). `mcn` is kept only when it is a 13-digit EAN or a 12-digit
/// UPC-A (given a leading zero, as the CD's Media Catalogue Number has 13
/// digits); a catalogue number such as `ABC-123` is not an MCN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioTags {
    /// Title of the track.
    pub title: Option<String>,
    /// Performer of the track.
    pub artist: Option<String>,
    /// Title of the album.
    pub album: Option<String>,
    /// Performer of the whole album.
    pub album_artist: Option<String>,
    /// International Standard Recording Code, 12 characters without hyphens.
    pub isrc: Option<String>,
    /// Media Catalogue Number: 13 digits (EAN-13, or UPC-A with a leading 0).
    pub mcn: Option<String>,
    /// Track number on its album.
    pub track: Option<u32>,
}

impl AudioTags {
    /// Fills the fields still empty from one metadata revision.
    pub(crate) fn absorb(&mut self, revision: &MetadataRevision) {
        let per_track = revision.per_track.iter().flat_map(|t| &t.metadata.tags);
        for tag in revision.media.tags.iter().chain(per_track) {
            self.absorb_tag(tag);
        }
    }

    fn absorb_tag(&mut self, tag: &Tag) {
        match &tag.std {
            Some(StandardTag::TrackTitle(s)) => fill(&mut self.title, s),
            Some(StandardTag::Artist(s)) => fill(&mut self.artist, s),
            Some(StandardTag::Album(s)) => fill(&mut self.album, s),
            Some(StandardTag::AlbumArtist(s)) => fill(&mut self.album_artist, s),
            Some(StandardTag::IdentIsrc(s)) => {
                if self.isrc.is_none() {
                    self.isrc = isrc(s);
                }
            }
            Some(
                StandardTag::IdentBarcode(s)
                | StandardTag::IdentUpc(s)
                | StandardTag::IdentEanUpn(s)
                | StandardTag::IdentCatalogNumber(s),
            ) => {
                if self.mcn.is_none() {
                    self.mcn = mcn(s);
                }
            }
            Some(StandardTag::TrackNumber(n)) => {
                if self.track.is_none() {
                    self.track = u32::try_from(*n).ok();
                }
            }
            _ => self.absorb_raw(tag),
        }
    }

    /// Keys that no reader maps to a standard tag (Vorbis `EAN`, ID3
    /// `TXXX:BARCODE`, MP4 freeform atoms).
    fn absorb_raw(&mut self, tag: &Tag) {
        let RawValue::String(value) = &tag.raw.value else {
            return;
        };
        // ID3 TXXX and MP4 freeform keys carry a prefix before the name.
        let key = tag.raw.key.rsplit([':', '/']).next().unwrap_or_default();
        let key = key.trim().to_ascii_uppercase();
        match key.as_str() {
            "BARCODE" | "UPC" | "EAN" | "MCN" | "CATALOGNUMBER" if self.mcn.is_none() => {
                self.mcn = mcn(value);
            }
            "ISRC" if self.isrc.is_none() => self.isrc = isrc(value),
            _ => {}
        }
    }
}

fn fill(field: &mut Option<String>, value: &str) {
    let value = value.trim();
    if field.is_none() && !value.is_empty() {
        *field = Some(value.to_string());
    }
}

/// A valid ISRC from a tag's text, or `None`.
fn isrc(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bytes = code.as_bytes();
    let valid = bytes.len() == 12
        && bytes[..5].iter().all(u8::is_ascii_alphanumeric)
        && bytes[5..].iter().all(u8::is_ascii_digit);
    valid.then_some(code)
}

/// A 13-digit MCN from a barcode's text, or `None`.
fn mcn(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match digits.len() {
        13 => Some(digits),
        12 => Some(format!("0{digits}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isrc_is_normalised_or_dropped() {
        assert_eq!(isrc("us-rc1-76-07839"), Some("USRC17607839".into()));
        assert_eq!(isrc("GBAYE0000351"), Some("GBAYE0000351".into()));
        assert_eq!(isrc("GBAYE000035"), None);
        assert_eq!(isrc("GBAYE00003X1"), None);
        assert_eq!(isrc(""), None);
    }

    #[test]
    fn mcn_takes_ean_and_upc() {
        assert_eq!(mcn("4006381333931"), Some("4006381333931".into()));
        assert_eq!(mcn("036000291452"), Some("0036000291452".into()));
        assert_eq!(mcn("ABC-123"), None);
        assert_eq!(mcn("12345"), None);
    }
}
