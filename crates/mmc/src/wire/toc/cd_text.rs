//! READ TOC format 0101b: the CD-TEXT packs of the lead-in (MMC-5;
//! `cd-standards.md` §5, §6.8).
//!
//! A 4-byte header (data length, two reserved bytes) and 18-byte packs as
//! on the disc, CRC included. The packs' meaning lives in
//! `layout::cdtext`; this is their transport.

use super::super::{WireError, be16, need, put_be16};
use super::{HEADER_LEN, capped};
use layout::cdtext::Pack;
use layout::disc::Disc;

/// Bytes of a CD-TEXT pack.
pub const PACK_LEN: usize = 18;

/// A READ TOC format 0101b reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CdTextRepr {
    /// The packs, in order.
    pub packs: Vec<[u8; PACK_LEN]>,
}

impl CdTextRepr {
    /// The CD-TEXT a drive reports for a planned disc (no packs without
    /// CD-TEXT).
    pub fn from_disc(disc: &Disc) -> CdTextRepr {
        CdTextRepr {
            packs: disc.cdtext_packs().iter().map(|p| p.0).collect(),
        }
    }

    /// The packs as `layout` packs, for decoding.
    pub fn to_packs(&self) -> Vec<Pack> {
        self.packs.iter().map(|&p| Pack(p)).collect()
    }

    /// Parses a reply. The data length bounds the packs read; a pack cut
    /// off by the allocation length is left out.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under the 4-byte header.
    pub fn parse(bytes: &[u8]) -> Result<CdTextRepr, WireError> {
        need("cd-text", bytes, HEADER_LEN)?;
        let end = bytes.len().min(2 + be16(bytes, 0) as usize);
        let body = bytes.get(HEADER_LEN..end).unwrap_or(&[]);
        Ok(CdTextRepr {
            packs: body
                .chunks_exact(PACK_LEN)
                .map(|c| {
                    let mut p = [0u8; PACK_LEN];
                    p.copy_from_slice(c);
                    p
                })
                .collect(),
        })
    }

    /// Bytes [`CdTextRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + PACK_LEN * capped(self.packs.len(), PACK_LEN)
    }

    /// Writes the reply into `out[..buffer_len()]`.
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`CdTextRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let len = self.buffer_len();
        put_be16(out, 0, (len - 2) as u16);
        out[2..HEADER_LEN].fill(0);
        for (o, p) in out[HEADER_LEN..len]
            .chunks_exact_mut(PACK_LEN)
            .zip(&self.packs)
        {
            o.copy_from_slice(p);
        }
    }

    /// The reply as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        self.emit(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Two packs: titles (album "Demo", track 1 "Intro") and performers
    /// (both "Band"), sequence numbers 0 and 1, CRCs as on the disc.
    const GOLDEN: [u8; 40] = [
        0x00, 0x26, 0x00, 0x00, //
        0x80, 0x00, 0x00, 0x00, 0x44, 0x65, 0x6d, 0x6f, 0x00, 0x49, 0x6e, 0x74, 0x72, 0x6f, 0x00,
        0x00, 0x46, 0xba, //
        0x81, 0x00, 0x01, 0x00, 0x42, 0x61, 0x6e, 0x64, 0x00, 0x42, 0x61, 0x6e, 0x64, 0x00, 0x00,
        0x00, 0x3d, 0x4e,
    ];

    #[test]
    fn golden() {
        let r = CdTextRepr::parse(&GOLDEN).unwrap();
        assert_eq!(r.packs.len(), 2);
        assert_eq!(r.packs[0][0], 0x80);
        assert!(r.to_packs().iter().all(Pack::crc_ok));
        assert_eq!(r.to_packs()[1].sequence(), 1);
        let mut out = [0xa5u8; 40];
        r.emit(&mut out);
        assert_eq!(out, GOLDEN);
        // Cut inside the second pack.
        assert_eq!(CdTextRepr::parse(&GOLDEN[..30]).unwrap().packs.len(), 1);
        assert!(CdTextRepr::parse(&GOLDEN[..3]).is_err());
        assert_eq!(CdTextRepr::default().to_vec(), [0x00, 0x02, 0x00, 0x00]);
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = CdTextRepr::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 4..80)) {
            b[0] = 0;
            let r = CdTextRepr::parse(&b).unwrap();
            prop_assert_eq!(CdTextRepr::parse(&r.to_vec()), Ok(r));
        }
    }
}
