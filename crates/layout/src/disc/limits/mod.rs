//! What the largest disc can hold, and the project JSON held to it.
//!
//! Two kinds of limit live here:
//!
//! - numbers: a gap, a length or a position that no disc (or no file) can
//!   hold. [`Disc::plan`](super::Disc::plan) refuses them naming the field
//!   and the track ([`DiscError::ValueDoesNotFit`],
//!   [`DiscError::SourceRange`]), so nothing is ever added up past what a
//!   disc has;
//! - collections: more tracks, indexes, sources or CD-TEXT than a disc can
//!   have. [`Project::from_json`](super::Project::from_json) stops reading
//!   a list at the first element over its limit, so a hostile project
//!   costs no more memory than a real one. Every such list is refused by
//!   the plan too, so a project that plans is always read back from its
//!   JSON.

use super::DiscError;
use crate::msf::{LEAD_OUT_SECTORS, Lba, PREGAP_SECTORS};
use core::fmt;
use core::marker::PhantomData;
use serde::de::{Deserialize, Deserializer, Error as _, SeqAccess, Visitor};

/// The latest lead-out start of any disc: its 6750 sectors then end at
/// 99:59:74, the last time a sector can carry (LBA 443100, 98:30:00).
pub const LARGEST_LEADOUT: Lba = Lba(Lba::MAX_DISC_TIME.0 - LEAD_OUT_SECTORS + 1);

/// [`LARGEST_LEADOUT`] as time.
pub(crate) const LARGEST_LEADOUT_MSF: &str = "98:30:00";

/// Sectors the largest disc holds before its lead-out, from 00:00:00 (LBA
/// −150) to [`LARGEST_LEADOUT`]: no gap or length can be longer.
pub const MAX_SECTORS: u32 = (LARGEST_LEADOUT.0 + PREGAP_SECTORS) as u32;

/// Sources a project may name. A disc reads from at most 299 (three per
/// track, the hidden track-one audio and the R-W generator); the rest is
/// room for sources an editor keeps while tracks come and go.
pub const MAX_SOURCES: usize = 1000;

/// The byte after the last one a source's data may reach: the largest
/// position a file can have (2^63 − 1).
pub const MAX_SOURCE_BYTES: u64 = i64::MAX as u64;

/// Index points a track may list after index 1 (`TrackSpec::indexes`:
/// indexes 2 to 99).
pub const MAX_INDEXES: usize = 98;

/// Tracks a disc has at most.
pub const MAX_TRACKS: usize = 99;

/// Pieces in one list of a project JSON (a track's data, a pregap's).
pub const MAX_PIECES: usize = 4096;

/// Bytes of one CD-TEXT string in a project: longer ones have more
/// characters than a block can hold (each character takes at least one
/// byte, at most four in UTF-8).
pub const MAX_TEXT_BYTES: usize = 4 * crate::cdtext::MAX_TEXT_CHARS;

impl DiscError {
    /// A gap or length of `value` sectors (`field` of `track`) that no disc
    /// holds, the lead-out then at `leadout`.
    pub(super) fn value(track: Option<u8>, field: &'static str, value: u64, leadout: i64) -> Self {
        DiscError::ValueDoesNotFit {
            track,
            field,
            value,
            leadout,
        }
    }
}

/// Where a [`DiscError::ValueDoesNotFit`] or [`DiscError::SourceRange`]
/// is: `track 2: ` or nothing.
pub(super) struct TrackPrefix(pub Option<u8>);

impl fmt::Display for TrackPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(t) => write!(f, "track {t}: "),
            None => Ok(()),
        }
    }
}

/// The end (exclusive) of `sectors` records of `stride` bytes from byte
/// `offset`, if it is within [`MAX_SOURCE_BYTES`].
pub(super) fn source_end(offset: u64, sectors: u64, stride: u64) -> Option<u64> {
    sectors
        .checked_mul(stride)
        .and_then(|n| n.checked_add(offset))
        .filter(|&end| end <= MAX_SOURCE_BYTES)
}

/// The refusal of `sectors` records of `stride` bytes from byte `offset`
/// of a source, when they reach past [`MAX_SOURCE_BYTES`].
pub(super) fn check_source(
    track: Option<u8>,
    what: &'static str,
    offset: u64,
    sectors: u64,
    stride: u64,
) -> Result<(), DiscError> {
    match source_end(offset, sectors, stride) {
        Some(_) => Ok(()),
        None => Err(DiscError::SourceRange {
            track,
            what,
            offset,
            sectors,
            end: u128::from(offset) + u128::from(sectors) * u128::from(stride),
        }),
    }
}

/// Raises the lead-out limit of a project read from an image to the
/// smallest media size that holds its disc, when the default (IMAPI2's
/// 88:29:74) does not: an image records no media size, and the disc it
/// describes is what it is (the burn checks it against the media). A disc
/// no media holds gets the largest, so the plan says it runs past
/// 99:59:74.
pub(crate) fn fit_leadout_limit(project: &mut super::Project) {
    use super::LeadoutLimit;
    let probe = super::Project {
        cdtext: None,
        leadout_limit: LeadoutLimit::Minutes99,
        ..project.clone()
    };
    let disc = match super::Disc::plan(&probe) {
        Ok(disc) => disc,
        Err(DiscError::TooLong(_)) => {
            project.leadout_limit = LeadoutLimit::Minutes99;
            return;
        }
        Err(_) => return,
    };
    if disc.leadout() > project.leadout_limit.lba() {
        project.leadout_limit = if disc.leadout() <= LeadoutLimit::Minutes90.lba() {
            LeadoutLimit::Minutes90
        } else {
            LeadoutLimit::Minutes99
        };
    }
}

// ---------------------------------------------------------------------------
// Bounded lists and strings for serde.

/// A list read element by element, refused at the first one over `max`
/// with `message` (serde adds the line and column).
fn bounded_seq<'de, D, T>(d: D, max: usize, message: &'static str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T> {
        max: usize,
        message: &'static str,
        item: PhantomData<T>,
    }

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {} elements", self.max)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max));
            while let Some(item) = seq.next_element()? {
                if out.len() == self.max {
                    return Err(A::Error::custom(self.message));
                }
                out.push(item);
            }
            Ok(out)
        }
    }

    d.deserialize_seq(Bounded {
        max,
        message,
        item: PhantomData,
    })
}

/// `Project::tracks`.
pub(super) fn tracks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<super::TrackSpec>, D::Error> {
    bounded_seq(
        d,
        MAX_TRACKS,
        "tracks: more than 99; a disc holds at most 99 tracks",
    )
}

/// `TrackSpec::indexes`.
pub(super) fn indexes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    bounded_seq(
        d,
        MAX_INDEXES,
        "indexes: more than 98; a track has index points 2 to 99 at most",
    )
}

/// Remarks of a project or a track.
pub const MAX_REMARKS: usize = 256;

/// `Project::remarks`, `TrackSpec::remarks`.
pub(super) fn remarks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<super::Remark>, D::Error> {
    bounded_seq(
        d,
        MAX_REMARKS,
        "remarks: more than 256; a project keeps at most 256 remarks a disc or track",
    )
}

/// `Source::join`.
pub(super) fn join<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    bounded_seq(
        d,
        MAX_SOURCES,
        "join: more than 1000 files; a source joins at most 1000",
    )
}

/// `Project::sources`.
pub(super) fn sources<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<super::Source>, D::Error> {
    bounded_seq(
        d,
        MAX_SOURCES,
        "sources: more than 1000; a project names at most 1000 sources",
    )
}

/// `CdText::blocks`.
pub(crate) fn cdtext_blocks<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<crate::cdtext::TextBlock>, D::Error> {
    bounded_seq(
        d,
        crate::cdtext::MAX_BLOCKS,
        "cdtext blocks: more than 8; a disc holds at most 8 cd-text blocks",
    )
}

/// `TextBlock::tracks`.
pub(crate) fn cdtext_tracks<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<crate::cdtext::TextFields>, D::Error> {
    bounded_seq(
        d,
        MAX_TRACKS,
        "cdtext tracks: more than 99; a disc holds at most 99 tracks",
    )
}

/// `TextBlock::toc_info2`.
pub(crate) fn cdtext_toc_info2<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<(u8, [u8; 12])>, D::Error> {
    bounded_seq(
        d,
        crate::cdtext::MAX_BLOCK_PACKS,
        "cdtext tocInfo2: more than 256 packs; a block holds at most 256",
    )
}

/// A CD-TEXT string, refused past [`MAX_TEXT_BYTES`] before it is copied.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string of at most {MAX_TEXT_BYTES} bytes")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
        if v.len() > MAX_TEXT_BYTES {
            return Err(E::custom(format!(
                "a cd-text string of {} bytes; a block holds at most {} characters of one text",
                v.len(),
                crate::cdtext::MAX_TEXT_CHARS
            )));
        }
        Ok(Text(v.to_owned()))
    }
}

/// An optional CD-TEXT string.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

/// A CD-TEXT string.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Text::deserialize(d)?.0)
}

#[cfg(test)]
mod tests;
