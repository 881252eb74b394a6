//! The identifiers online databases give a disc from its table of
//! contents: the MusicBrainz disc ID and the freedb (CDDB) disc ID.
//!
//! Both take the track starts and the lead-out as frame offsets from the
//! start of the lead-in's last 150 sectors (LBA + 150), as a drive's TOC
//! reports them.
//!
//! - MusicBrainz: SHA-1 of the first and last track numbers (2 uppercase
//!   hex digits each), the lead-out offset and 99 track offsets (8 each,
//!   0 for tracks that do not exist), as ASCII; the 20 bytes in base64
//!   with `.`, `_` and `-` for `+`, `/` and `=` (28 characters).
//! - freedb: the sum of the decimal digits of each track's start in whole
//!   seconds, modulo 255, in the top byte; the playing time in seconds
//!   (lead-out minus track 1, each in whole seconds) in the next two; the
//!   number of tracks in the low byte; 8 lowercase hex digits.

use super::plan::TocLayout;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// Frames from the start of the last 150 lead-in sectors to LBA 0.
const OFFSET: i32 = 150;

/// A disc's database identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscIds {
    /// The MusicBrainz disc ID (28 characters).
    pub musicbrainz: String,
    /// The freedb/CDDB disc ID (8 hex digits).
    pub freedb: String,
    /// The TOC as MusicBrainz takes it in URLs: first and last track, the
    /// lead-out offset, each track's offset, separated by spaces.
    pub musicbrainz_toc: String,
}

/// The identifiers of a disc whose tracks `first..` start at frame
/// `offsets` (LBA + 150) and whose lead-out starts at frame `leadout`.
///
/// ## Panics
///
/// Never: more than 99 offsets are cut to 99.
pub fn disc_ids(first: u8, leadout: u32, offsets: &[u32]) -> DiscIds {
    let offsets = &offsets[..offsets.len().min(99)];
    let last = first.saturating_add(offsets.len().saturating_sub(1) as u8);
    let mut text = format!("{first:02X}{last:02X}{leadout:08X}");
    // Slot k holds the track numbered k (1 to 99).
    for slot in 1..=99usize {
        let offset = slot
            .checked_sub(usize::from(first))
            .and_then(|i| offsets.get(i))
            .copied()
            .unwrap_or(0);
        text.push_str(&format!("{offset:08X}"));
    }
    let digest = Sha1::digest(text.as_bytes());
    let musicbrainz = base64(&digest)
        .chars()
        .map(|c| match c {
            '+' => '.',
            '/' => '_',
            '=' => '-',
            c => c,
        })
        .collect();

    let seconds = |frames: u32| frames / 75;
    let digit_sum = |mut n: u32| {
        let mut sum = 0;
        while n > 0 {
            sum += n % 10;
            n /= 10;
        }
        sum
    };
    let n: u32 = offsets.iter().map(|o| digit_sum(seconds(*o))).sum();
    let t = seconds(leadout).saturating_sub(offsets.first().map_or(0, |o| seconds(*o)));
    let freedb = format!(
        "{:08x}",
        ((n % 255) << 24) | ((t & 0xffff) << 8) | offsets.len() as u32
    );
    let mut toc = format!("{first} {last} {leadout}");
    for o in offsets {
        toc.push_str(&format!(" {o}"));
    }
    DiscIds {
        musicbrainz,
        freedb,
        musicbrainz_toc: toc,
    }
}

impl TocLayout {
    /// The disc's MusicBrainz and freedb identifiers, from its tracks and
    /// lead-out as its TOC reports them.
    pub fn disc_ids(&self) -> DiscIds {
        let frames = |lba: crate::msf::Lba| (lba.get() + OFFSET).max(0) as u32;
        let first = self.tracks.first().map_or(1, |t| t.number);
        let offsets: Vec<u32> = self
            .tracks
            .iter()
            .map(|t| frames(t.indexes.first().copied().unwrap_or(t.pregap_start)))
            .collect();
        disc_ids(first, frames(self.leadout), &offsets)
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libdiscid's own test disc (`test_put.c`): 22 tracks.
    const OFFSETS: [u32; 22] = [
        150, 9700, 25887, 39297, 53795, 63735, 77517, 94877, 107270, 123552, 135522, 148422,
        161197, 174790, 192022, 205545, 218010, 228700, 239590, 255470, 266932, 288750,
    ];

    #[test]
    fn the_ids_libdiscid_gives() {
        let ids = disc_ids(1, 303602, &OFFSETS);
        assert_eq!(ids.musicbrainz, "xUp1F2NkfP8s8jaeFn_Av3jNEI4-");
        assert_eq!(ids.freedb, "370fce16");
        assert_eq!(
            ids.musicbrainz_toc,
            "1 22 303602 150 9700 25887 39297 53795 63735 77517 94877 107270 123552 135522 148422 161197 174790 192022 205545 218010 228700 239590 255470 266932 288750"
        );
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
