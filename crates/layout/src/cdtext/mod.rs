//! CD-TEXT: the model, its packs, and the files it travels in.
//!
//! - [`CdText`]: up to 8 blocks (languages), each with disc and per-track
//!   texts for every pack type, genre, disc id, closed information.
//! - [`CdText::to_packs`] / [`CdText::from_packs`]: the 18-byte packs of
//!   the lead-in (`cd-standards.md` §5), CRC, sequence numbers, character
//!   positions, "same as previous track" TABs, size information;
//!   [`CdText::pack_counts`]: the packs of each block, past the limit too.
//! - [`Charset::holds`]: which characters a block's character code holds.
//! - [`lead_in_cycle`]: the packs as R-W symbols, 4 per lead-in sector.
//! - [`cdt`], [`v07t`]: the binary `.cdt` and Sony input sheet files.

pub mod cdt;
mod decode;
mod encode;
pub mod pack;
pub mod tables;
pub mod v07t;

pub use decode::Decoded;
pub use pack::{Pack, packs_to_symbols, symbols_to_packs};

use crate::disc::limits::opt_text;
use crate::msf::Msf;
use serde::{Deserialize, Serialize};

/// Blocks a disc can hold.
pub const MAX_BLOCKS: usize = 8;
/// Packs a block can hold, size information included.
pub const MAX_BLOCK_PACKS: usize = 256;
/// Characters one text can have: with its terminator it fills every pack
/// of a block but the three of the size information (253 × 12 bytes), and
/// each character takes at least one byte.
pub const MAX_TEXT_CHARS: usize = (MAX_BLOCK_PACKS - 3) * pack::PAYLOAD - 1;

/// The CD-TEXT of a disc.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CdText {
    /// The blocks, block 0 first.
    #[serde(deserialize_with = "crate::disc::limits::cdtext_blocks")]
    pub blocks: Vec<TextBlock>,
    /// Write the TOC information packs (0x88), derived from the disc.
    #[serde(default = "yes")]
    pub toc_info: bool,
}

fn yes() -> bool {
    true
}

/// One block: the texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextBlock {
    /// Language code (EBU Tech 3264; 0x09 English, see [`tables`]).
    #[serde(default = "english")]
    pub language: u8,
    /// Character code of the texts of types 0x80–0x85.
    #[serde(default)]
    pub charset: Charset,
    /// The copyright flag of the size information (0x03 when set).
    #[serde(default)]
    pub copyright: bool,
    /// Disc texts (code: UPC/EAN).
    #[serde(default)]
    pub disc: TextFields,
    /// Track texts by position on the disc (code: ISRC).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::disc::limits::cdtext_tracks"
    )]
    pub tracks: Vec<TextFields>,
    /// Disc identification (0x86, ASCII).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub disc_id: Option<String>,
    /// Genre (0x87).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genre: Option<Genre>,
    /// Closed information (0x8D, ISO-8859-1, not shown by players).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub closed: Option<String>,
    /// Second TOC information (0x89), kept as read: track byte and payload
    /// of each pack.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::disc::limits::cdtext_toc_info2"
    )]
    pub toc_info2: Vec<(u8, [u8; 12])>,
}

fn english() -> u8 {
    tables::ENGLISH
}

impl TextBlock {
    /// Picks the character code for the texts the block holds: ISO-8859-1
    /// when every text fits it, else MS-JIS (with the Japanese language
    /// code) when every text fits Shift_JIS; otherwise it is left as it is
    /// and encoding names the character that does not fit.
    pub fn fit_charset(&mut self) {
        let texts = || {
            core::iter::once(&self.disc)
                .chain(&self.tracks)
                .flat_map(|f| TEXT_KINDS.map(|k| f.get(k)))
                .flatten()
        };
        let fits = |charset: Charset| texts().all(|t| t.chars().all(|c| charset.holds(c)));
        let latin1 = fits(Charset::Iso8859_1);
        let sjis = fits(Charset::MsJis);
        if latin1 {
            self.charset = Charset::Iso8859_1;
        } else if sjis {
            self.charset = Charset::MsJis;
            self.language = tables::language_code("Japanese").unwrap_or(0);
        }
    }
}

impl Default for TextBlock {
    /// An empty English ISO-8859-1 block.
    fn default() -> TextBlock {
        TextBlock {
            language: tables::ENGLISH,
            charset: Charset::default(),
            copyright: false,
            disc: TextFields::default(),
            tracks: Vec::new(),
            disc_id: None,
            genre: None,
            closed: None,
            toc_info2: Vec::new(),
        }
    }
}

/// Texts of the disc or of one track, by pack type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextFields {
    /// 0x80.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub title: Option<String>,
    /// 0x81.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub performer: Option<String>,
    /// 0x82.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub songwriter: Option<String>,
    /// 0x83.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub composer: Option<String>,
    /// 0x84.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub arranger: Option<String>,
    /// 0x85.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub message: Option<String>,
    /// 0x8E: UPC/EAN for the disc, ISRC for a track (ASCII).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub code: Option<String>,
}

impl TextFields {
    /// The field of a text pack type (0x80–0x85, 0x8E).
    pub fn get(&self, kind: u8) -> Option<&str> {
        match kind {
            pack::kind::TITLE => self.title.as_deref(),
            pack::kind::PERFORMER => self.performer.as_deref(),
            pack::kind::SONGWRITER => self.songwriter.as_deref(),
            pack::kind::COMPOSER => self.composer.as_deref(),
            pack::kind::ARRANGER => self.arranger.as_deref(),
            pack::kind::MESSAGE => self.message.as_deref(),
            pack::kind::CODE => self.code.as_deref(),
            _ => None,
        }
    }

    /// The field of a text pack type, for writing.
    pub fn slot(&mut self, kind: u8) -> Option<&mut Option<String>> {
        Some(match kind {
            pack::kind::TITLE => &mut self.title,
            pack::kind::PERFORMER => &mut self.performer,
            pack::kind::SONGWRITER => &mut self.songwriter,
            pack::kind::COMPOSER => &mut self.composer,
            pack::kind::ARRANGER => &mut self.arranger,
            pack::kind::MESSAGE => &mut self.message,
            pack::kind::CODE => &mut self.code,
            _ => return None,
        })
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        TEXT_KINDS.iter().all(|&k| self.get(k).is_none())
    }
}

/// Text pack types with a disc string and one per track, in pack order.
pub const TEXT_KINDS: [u8; 7] = [
    pack::kind::TITLE,
    pack::kind::PERFORMER,
    pack::kind::SONGWRITER,
    pack::kind::COMPOSER,
    pack::kind::ARRANGER,
    pack::kind::MESSAGE,
    pack::kind::CODE,
];

/// A genre: code (see [`tables::GENRES`]) and a free-text supplement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Genre {
    /// Genre code.
    pub code: u16,
    /// Supplementary text (ASCII).
    #[serde(default, deserialize_with = "crate::disc::limits::text")]
    pub text: String,
}

/// Character code of a block (size information byte 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Charset {
    /// ISO-8859-1 (0x00).
    #[default]
    Iso8859_1,
    /// 7-bit ASCII (0x01).
    Ascii,
    /// MS-JIS, double byte (0x80): Shift_JIS.
    MsJis,
}

impl Charset {
    /// The size-information code.
    pub const fn code(self) -> u8 {
        match self {
            Charset::Iso8859_1 => 0x00,
            Charset::Ascii => 0x01,
            Charset::MsJis => 0x80,
        }
    }

    /// The charset of a size-information code.
    pub const fn from_code(code: u8) -> Option<Charset> {
        match code {
            0x00 => Some(Charset::Iso8859_1),
            0x01 => Some(Charset::Ascii),
            0x80 => Some(Charset::MsJis),
            _ => None,
        }
    }

    /// Whether characters take two bytes (texts end with two NULs).
    pub const fn double_byte(self) -> bool {
        matches!(self, Charset::MsJis)
    }

    /// A short name.
    pub const fn name(self) -> &'static str {
        match self {
            Charset::Iso8859_1 => "iso-8859-1",
            Charset::Ascii => "ascii",
            Charset::MsJis => "ms-jis",
        }
    }

    /// Whether a text in this code can hold `c`: ISO-8859-1 holds U+0000 to
    /// U+00FF, ASCII U+0000 to U+007F (control characters included), MS-JIS
    /// what Shift_JIS encodes. Control characters are kept as the bytes they
    /// are (discs carry them, and a disc read back must encode again to the
    /// same packs), but for NUL, which ends a text, and TAB, which stands for
    /// the previous track's: no code holds those two.
    pub fn holds(self, c: char) -> bool {
        if matches!(c, '\0' | '\t') {
            return false;
        }
        match self {
            Charset::Iso8859_1 => (c as u32) < 0x100,
            Charset::Ascii => c.is_ascii(),
            Charset::MsJis => {
                let mut buf = [0u8; 4];
                !encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2
            }
        }
    }

    /// Encodes `text`, or names the first character it cannot hold (see
    /// [`Charset::holds`]).
    fn encode(self, text: &str) -> Result<Vec<u8>, char> {
        if let Some(c) = text.chars().find(|&c| !self.holds(c)) {
            return Err(c);
        }
        Ok(match self {
            // Every character is below 0x100 (0x80 for ASCII): one byte.
            Charset::Iso8859_1 | Charset::Ascii => text.chars().map(|c| c as u8).collect(),
            // Shift_JIS keeps no state between characters: the text's bytes
            // are its characters' bytes one after another.
            Charset::MsJis => encoding_rs::SHIFT_JIS.encode(text).0.into_owned(),
        })
    }

    /// Decodes bytes (never fails: unmappable bytes become U+FFFD).
    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Iso8859_1 | Charset::Ascii => bytes.iter().map(|&b| b as char).collect(),
            Charset::MsJis => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
        }
    }
}

/// Which text a CD-TEXT error is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    /// Block number.
    pub block: usize,
    /// Track number, or `None` for the disc.
    pub track: Option<u8>,
    /// Field name (`title`, `performer`, …).
    pub field: &'static str,
}

impl core::fmt::Display for FieldRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.track {
            Some(t) => write!(f, "block {} track {t} {}", self.block, self.field),
            None => write!(f, "block {} disc {}", self.block, self.field),
        }
    }
}

/// Why CD-TEXT cannot be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CdTextError {
    /// More than 8 blocks.
    #[error("cd-text has {0} blocks; a disc holds at most 8")]
    TooManyBlocks(usize),
    /// A character the block's code cannot hold.
    #[error("cd-text {field}: {ch:?} (U+{code:04X}) cannot be written in {charset}", code = *ch as u32)]
    Character {
        /// Where.
        field: FieldRef,
        /// The character.
        ch: char,
        /// The block's character code.
        charset: &'static str,
    },
    /// Texts for tracks the disc does not have.
    #[error("cd-text block {block} has texts for {count} tracks, the disc has {tracks}")]
    TrackBeyondDisc {
        /// Block number.
        block: usize,
        /// Track entries given.
        count: usize,
        /// Tracks on the disc.
        tracks: usize,
    },
    /// A text longer than a block can hold, whatever else it holds.
    #[error(
        "cd-text {field} has {chars} characters; a block holds at most {MAX_TEXT_CHARS} of one text"
    )]
    TextTooLong {
        /// Where.
        field: FieldRef,
        /// Its length in characters.
        chars: usize,
    },
    /// A block needs more packs than it can hold.
    #[error(
        "cd-text block {block} needs {packs} packs, a block holds {limit}; the longest text is {longest} ({bytes} bytes)"
    )]
    BlockTooLarge {
        /// Block number.
        block: usize,
        /// Packs needed, size information included.
        packs: usize,
        /// The limit.
        limit: usize,
        /// The longest text.
        longest: FieldRef,
        /// Its length in bytes.
        bytes: usize,
    },
    /// A genre supplement that is not ASCII.
    #[error("cd-text {0}: genre and identification texts must be ascii")]
    NotAscii(FieldRef),
    /// Packs that are not whole.
    #[error("cd-text data is {0} bytes, not a whole number of 18-byte packs")]
    Length(usize),
    /// No pack passed its CRC.
    #[error("no cd-text pack has a valid crc ({0} packs read)")]
    NoValidPacks(usize),
}

/// The disc facts CD-TEXT needs: track numbers, and the TOC for the 0x88
/// packs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocSummary {
    /// First track number.
    pub first_track: u8,
    /// Start (index 1) of each track, as on-disc time.
    pub starts: Vec<Msf>,
    /// Lead-out start, as on-disc time.
    pub leadout: Msf,
}

impl TocSummary {
    /// The summary of a planned disc.
    pub fn of(disc: &crate::disc::Disc) -> TocSummary {
        let t = |l: crate::msf::Lba| l.to_disc_time().unwrap_or(Msf::ZERO);
        TocSummary {
            first_track: disc.first_track().get(),
            starts: disc.tracks().iter().map(|x| t(x.start)).collect(),
            leadout: t(disc.leadout()),
        }
    }

    /// Last track number.
    pub fn last_track(&self) -> u8 {
        let more = u8::try_from(self.starts.len().saturating_sub(1)).unwrap_or(u8::MAX);
        self.first_track.saturating_add(more)
    }
}

/// The R-W symbols of one lead-in sector for each step of the CD-TEXT
/// cycle: 4 packs per sector, repeated so the cycle ends on a whole pack
/// list (`cd-standards.md` §5.6).
pub fn lead_in_cycle(packs: &[Pack]) -> Vec<[u8; 96]> {
    if packs.is_empty() {
        return Vec::new();
    }
    let n = packs.len();
    let sectors = match n % 4 {
        0 => n / 4,
        2 => n / 2,
        _ => n,
    };
    (0..sectors)
        .map(|s| {
            let four: [Pack; 4] = core::array::from_fn(|j| packs[(4 * s + j) % n]);
            packs_to_symbols(&four)
        })
        .collect()
}

#[cfg(test)]
mod tests;
