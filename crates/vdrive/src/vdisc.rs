//! The `.vdisc` file: a virtual disc kept on disk.
//!
//! ```text
//! offset 0        "RBVDISC\0" (8 bytes)
//!        8        format version, u32 little-endian (1)
//!        12       header length N, u32 little-endian
//!        16       header: N bytes of JSON, {"written": [[from, to], …], "disc": {…}}
//!                 ("written": LBA ranges, `to` exclusive, that hold frames;
//!                 "disc": the recorder's state: media, ATIP, session, TOC)
//!        …        zero padding up to 1 MiB
//! 1 MiB + 2448·(LBA + 45150)
//!                 the frame of LBA: 2352 bytes of main channel as READ CD
//!                 returns it (unscrambled), then 96 bytes of raw
//!                 interleaved P-W
//! ```
//!
//! Frames are addressed from LBA −45150 (90:00:00), so any lead-in fits;
//! the file is sparse where nothing was written. This module holds the
//! layout and header codec; reading and writing files is the caller's.

use crate::store::FRAME;
use layout::msf::Lba;
use serde::{Deserialize, Serialize};

/// File magic.
pub const MAGIC: &[u8; 8] = b"RBVDISC\0";
/// Format version written.
pub const VERSION: u32 = 1;
/// Bytes reserved for magic, version and header.
pub const HEADER_AREA: u64 = 1 << 20;
/// The LBA of the first frame in the file.
pub const FIRST_LBA: Lba = Lba::MIN_MSF;

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
}

/// The JSON header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VdiscHeader {
    /// LBA ranges holding frames.
    pub written: Ranges,
    /// The recorder's state.
    pub disc: serde_json::Value,
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

/// Decodes the start of a `.vdisc` (at least the header's bytes).
///
/// ## Errors
///
/// [`VdiscError`] for a foreign file, a newer version or a bad header.
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
    serde_json::from_slice(json).map_err(|e| VdiscError::Header(e.to_string()))
}

/// Offset of the frame of `lba` in the file.
///
/// ## Errors
///
/// [`VdiscError::Lba`] outside 90:00:00 … 99:59:74.
pub fn frame_offset(lba: Lba) -> Result<u64, VdiscError> {
    if lba < FIRST_LBA || lba > Lba::MAX_DISC_TIME {
        return Err(VdiscError::Lba(lba.get()));
    }
    Ok(HEADER_AREA + lba.since(FIRST_LBA) as u64 * FRAME as u64)
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

    /// Whether `lba` is in the set.
    pub fn contains(&self, lba: Lba) -> bool {
        let x = lba.get();
        let i = self.0.partition_point(|&(_, to)| to <= x);
        self.0.get(i).is_some_and(|&(from, _)| from <= x)
    }

    /// Empties the set.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The ranges.
    pub fn ranges(&self) -> &[(i32, i32)] {
        &self.0
    }

    /// Number of LBAs in the set.
    pub fn len(&self) -> u64 {
        self.0.iter().map(|(f, t)| (t - f) as u64).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_roundtrip_and_refusals() {
        let mut written = Ranges::new();
        for l in [-150, -149, 10, 11, 12] {
            written.insert(Lba(l));
        }
        let h = VdiscHeader {
            written,
            disc: serde_json::json!({ "state": "blank" }),
        };
        let bytes = encode_header(&h).unwrap();
        assert_eq!(&bytes[..12], b"RBVDISC\0\x01\0\0\0");
        assert_eq!(decode_header(&bytes).unwrap(), h);
        assert_eq!(decode_header(b"NOTADISC........"), Err(VdiscError::Magic));
        let mut newer = bytes.clone();
        newer[8] = 2;
        assert_eq!(decode_header(&newer), Err(VdiscError::Version(2)));
        assert!(matches!(
            decode_header(&bytes[..20]),
            Err(VdiscError::Header(_))
        ));
    }

    #[test]
    fn offsets() {
        assert_eq!(frame_offset(Lba(-45150)), Ok(1 << 20));
        assert_eq!(frame_offset(Lba(0)), Ok((1 << 20) + 45150 * 2448));
        assert_eq!(frame_offset(Lba(-45151)), Err(VdiscError::Lba(-45151)));
        assert!(frame_offset(Lba(449_850)).is_err());
    }

    #[test]
    fn ranges_merge() {
        let mut r = Ranges::new();
        for l in [5, 7, 6, 1, 2, 9, 8, 0, 2] {
            r.insert(Lba(l));
        }
        assert_eq!(r.ranges(), [(0, 3), (5, 10)]);
        assert!(r.contains(Lba(9)) && !r.contains(Lba(3)) && !r.contains(Lba(10)));
        assert_eq!(r.len(), 8);
        r.insert(Lba(4));
        r.insert(Lba(3));
        assert_eq!(r.ranges(), [(0, 10)]);
    }
}
