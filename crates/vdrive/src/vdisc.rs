//! The `.vdisc` file: a virtual disc kept on disk.
//!
//! ```text
//! offset 0        "RBVDISC\0" (8 bytes)
//!        8        format version, u32 little-endian (2; 1 is read too)
//!        12       header length N, u32 little-endian
//!        16       header: N bytes of JSON,
//!                 {"written": [[from, to], …], "pending": [[from, to], …], "disc": {…}}
//!                 ("written": LBA ranges, `to` exclusive, that hold frames;
//!                 "pending": ranges a change under way may have written
//!                 to, absent when none; "disc": the recorder's state:
//!                 media, ATIP, sessions, TOC)
//!        …        zero padding up to 1 MiB
//! 1 MiB + 2448·(LBA + 45150)
//!                 the frame of LBA: 2352 bytes of main channel as READ CD
//!                 returns it (unscrambled), then 96 bytes of raw
//!                 interleaved P-W
//! ```
//!
//! Frames are addressed from LBA −45150 (90:00:00), so any lead-in fits;
//! the file is sparse where nothing was written.
//!
//! The header never claims less than the frames hold: before a frame goes
//! where the header does not already allow one, the range from it to the
//! end of the disc is added to `pending` and the header written; when the
//! recorder saves its state, `written` is exact again and `pending` is
//! emptied. A file found with `pending` ranges (or longer than its
//! `written` ranges reach, as a version-1 file a burn stopped in leaves
//! it) was stopped mid-change: its frames there are found by looking, and
//! the disc is what a real one is after power loss mid-burn, damaged.
//!
//! This module holds the layout, the header codec and its checks; reading
//! and writing files is the caller's.

use crate::disc::{DiscMeta, DiscStatus};
use crate::store::FRAME;
use layout::msf::Lba;
use serde::{Deserialize, Serialize};

/// File magic.
pub const MAGIC: &[u8; 8] = b"RBVDISC\0";
/// Format version written.
pub const VERSION: u32 = 2;
/// Bytes reserved for magic, version and header.
pub const HEADER_AREA: u64 = 1 << 20;
/// The LBA of the first frame in the file.
pub const FIRST_LBA: Lba = Lba::MIN_MSF;
/// One past the LBA of the last frame a file can hold (99:59:74).
pub const END_LBA: Lba = Lba(Lba::MAX_DISC_TIME.get() + 1);

/// Why a `.vdisc` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VdiscError {
    /// Not a `.vdisc`.
    #[error("not a virtual disc file (no RBVDISC magic)")]
    Magic,
    /// A newer format.
    #[error("virtual disc format {0} is newer than this rawburn reads ({VERSION})")]
    Version(u32),
    /// A header that does not parse.
    #[error("virtual disc header: {0}")]
    Header(String),
    /// An address outside the file's range.
    #[error("lba {0} is outside a virtual disc (90:00:00 to 99:59:74)")]
    Lba(i32),
    /// A header that parses but cannot be true: ranges out of order or
    /// outside the disc, a disc state that contradicts itself, frames the
    /// file does not hold.
    #[error("virtual disc header: {0}")]
    Invalid(String),
}

/// The JSON header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VdiscHeader {
    /// LBA ranges holding frames.
    pub written: Ranges,
    /// LBA ranges a change under way may have written frames to beyond
    /// `written` (empty when the recorder's state was saved after its last
    /// frame).
    #[serde(default, skip_serializing_if = "Ranges::is_empty")]
    pub pending: Ranges,
    /// The recorder's state.
    pub disc: serde_json::Value,
}

impl VdiscHeader {
    /// The disc's state, checked.
    ///
    /// ## Errors
    ///
    /// [`VdiscError::Header`] when it does not parse,
    /// [`VdiscError::Invalid`] when it contradicts itself.
    pub fn meta(&self) -> Result<DiscMeta, VdiscError> {
        let meta: DiscMeta = serde_json::from_value(self.disc.clone())
            .map_err(|e| VdiscError::Header(format!("disc state: {e}")))?;
        meta.check()
            .map_err(|e| VdiscError::Invalid(format!("disc state: {e}")))?;
        Ok(meta)
    }
}

/// Encodes magic, version and header. The result is at most
/// [`HEADER_AREA`] bytes.
///
/// ## Errors
///
/// [`VdiscError::Header`] when the header does not fit.
pub fn encode_header(header: &VdiscHeader) -> Result<Vec<u8>, VdiscError> {
    let json = serde_json::to_vec(header).map_err(|e| VdiscError::Header(e.to_string()))?;
    let mut out = Vec::with_capacity(16 + json.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    if out.len() as u64 > HEADER_AREA {
        return Err(VdiscError::Header(format!(
            "{} bytes do not fit the {HEADER_AREA}-byte header area",
            out.len()
        )));
    }
    Ok(out)
}

/// Decodes the start of a `.vdisc` (at least the header's bytes) and checks
/// its ranges (the disc's state is checked by [`VdiscHeader::meta`]).
///
/// ## Errors
///
/// [`VdiscError`] for a foreign file, a newer version, a bad header or
/// ranges that cannot be.
pub fn decode_header(bytes: &[u8]) -> Result<VdiscHeader, VdiscError> {
    if bytes.len() < 16 || &bytes[..8] != MAGIC {
        return Err(VdiscError::Magic);
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version > VERSION {
        return Err(VdiscError::Version(version));
    }
    let len = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    let json = bytes.get(16..16 + len).ok_or_else(|| {
        VdiscError::Header(format!("{len} header bytes announced, file too short"))
    })?;
    let mut header: VdiscHeader =
        serde_json::from_slice(json).map_err(|e| VdiscError::Header(e.to_string()))?;
    header.written = header.written.checked("written")?;
    header.pending = header.pending.checked("pending")?;
    Ok(header)
}

/// Offset of the frame of `lba` in the file.
///
/// ## Errors
///
/// [`VdiscError::Lba`] outside 90:00:00 … 99:59:74.
pub fn frame_offset(lba: Lba) -> Result<u64, VdiscError> {
    if lba < FIRST_LBA || lba >= END_LBA {
        return Err(VdiscError::Lba(lba.get()));
    }
    Ok(HEADER_AREA + lba.since(FIRST_LBA) as u64 * FRAME as u64)
}

/// One past the last LBA whose frame a file of `len` bytes holds, or part
/// of it (a frame cut short by a write that stopped counts).
///
/// ## Errors
///
/// [`VdiscError::Invalid`] for a file shorter than its header area.
pub fn frames_end(len: u64) -> Result<Lba, VdiscError> {
    if len < HEADER_AREA {
        return Err(VdiscError::Invalid(format!(
            "the file has {len} bytes, less than the {HEADER_AREA}-byte header area: it was cut short"
        )));
    }
    let frames = (len - HEADER_AREA).div_ceil(FRAME as u64);
    let end = FIRST_LBA.get() as i64 + frames as i64;
    Ok(Lba(end.min(END_LBA.get() as i64) as i32))
}

/// Checks what the header lists against the file: every `written` frame
/// must be in it, and a disc with no recording must hold no frames.
///
/// ## Errors
///
/// [`VdiscError::Invalid`] naming the contradiction.
pub fn check_frames(meta: &DiscMeta, written: &Ranges, end: Lba) -> Result<(), VdiscError> {
    if let Some(last) = written.end()
        && last > end
    {
        return Err(VdiscError::Invalid(format!(
            "it lists frames up to lba {}, but the file ends at lba {}: it was cut short",
            last.get() - 1,
            end.get() - 1
        )));
    }
    if meta.status() == DiscStatus::Blank
        && let Some(&(from, to)) = written.ranges().first()
    {
        return Err(VdiscError::Invalid(format!(
            "the disc is blank, but frames are listed as written (lba {from} to {})",
            to - 1
        )));
    }
    Ok(())
}

/// A set of LBA ranges (`from..to`), kept sorted and merged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ranges(Vec<(i32, i32)>);

impl Ranges {
    /// An empty set.
    pub fn new() -> Ranges {
        Ranges::default()
    }

    /// Adds `lba`.
    pub fn insert(&mut self, lba: Lba) {
        let x = lba.get();
        let i = self.0.partition_point(|&(_, to)| to < x);
        match self.0.get_mut(i) {
            Some((from, to)) if *from <= x && x < *to => {}
            Some((_, to)) if *to == x => {
                *to += 1;
                if let Some(&(nf, nt)) = self.0.get(i + 1)
                    && nf == x + 1
                {
                    self.0[i].1 = nt;
                    self.0.remove(i + 1);
                }
            }
            Some((from, _)) if *from == x + 1 => *from = x,
            _ => self.0.insert(i, (x, x + 1)),
        }
    }

    /// Adds `from..to` (nothing when empty).
    pub fn insert_range(&mut self, from: Lba, to: Lba) {
        let (f, t) = (from.get(), to.get());
        if f >= t {
            return;
        }
        // The ranges touching or overlapping f..t are i..j.
        let i = self.0.partition_point(|&(_, end)| end < f);
        let j = self.0.partition_point(|&(start, _)| start <= t);
        if i >= j {
            self.0.insert(i, (f, t));
            return;
        }
        let merged = (f.min(self.0[i].0), t.max(self.0[j - 1].1));
        self.0.splice(i..j, [merged]);
    }

    /// Adds every range of `other`.
    pub fn extend(&mut self, other: &Ranges) {
        for &(f, t) in &other.0 {
            self.insert_range(Lba(f), Lba(t));
        }
    }

    /// Whether `lba` is in the set.
    pub fn contains(&self, lba: Lba) -> bool {
        let x = lba.get();
        let i = self.0.partition_point(|&(_, to)| to <= x);
        self.0.get(i).is_some_and(|&(from, _)| from <= x)
    }

    /// Whether every LBA of `from..to` is in the set (an empty range is).
    pub fn covers(&self, from: Lba, to: Lba) -> bool {
        if from >= to {
            return true;
        }
        let i = self.0.partition_point(|&(_, end)| end <= from.get());
        self.0
            .get(i)
            .is_some_and(|&(f, t)| f <= from.get() && to.get() <= t)
    }

    /// Empties the set.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The ranges.
    pub fn ranges(&self) -> &[(i32, i32)] {
        &self.0
    }

    /// One past the last LBA in the set.
    pub fn end(&self) -> Option<Lba> {
        self.0.last().map(|&(_, to)| Lba(to))
    }

    /// Number of LBAs in the set.
    pub fn len(&self) -> u64 {
        self.0.iter().map(|(f, t)| (t - f) as u64).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The set as read from a file, checked: each range forward and inside
    /// the disc, the ranges in order without overlap; ranges that touch
    /// are merged.
    fn checked(self, name: &str) -> Result<Ranges, VdiscError> {
        let mut out = Ranges::new();
        let mut floor = FIRST_LBA.get();
        for (k, &(from, to)) in self.0.iter().enumerate() {
            let bad = |why: String| VdiscError::Invalid(format!("{name} range {k} {why}"));
            if from >= to {
                return Err(bad(format!("[{from}, {to}] is empty or reversed")));
            }
            if from < FIRST_LBA.get() || to > END_LBA.get() {
                return Err(bad(format!(
                    "[{from}, {to}] is outside the disc (lba {} to {})",
                    FIRST_LBA.get(),
                    END_LBA.get()
                )));
            }
            if from < floor {
                return Err(bad(format!(
                    "[{from}, {to}] overlaps or comes before the range before it"
                )));
            }
            floor = to;
            out.insert_range(Lba(from), Lba(to));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
