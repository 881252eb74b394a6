//! The 18-byte CD-TEXT pack (`cd-standards.md` §5.1; MMC-3 Annex J).

use crate::subchannel::q_crc;

/// Bytes in a pack.
pub const PACK_SIZE: usize = 18;
/// Payload bytes in a pack.
pub const PAYLOAD: usize = 12;

/// Pack types.
pub mod kind {
    /// Title.
    pub const TITLE: u8 = 0x80;
    /// Performer.
    pub const PERFORMER: u8 = 0x81;
    /// Songwriter.
    pub const SONGWRITER: u8 = 0x82;
    /// Composer.
    pub const COMPOSER: u8 = 0x83;
    /// Arranger.
    pub const ARRANGER: u8 = 0x84;
    /// Message.
    pub const MESSAGE: u8 = 0x85;
    /// Disc identification.
    pub const DISC_ID: u8 = 0x86;
    /// Genre.
    pub const GENRE: u8 = 0x87;
    /// TOC information.
    pub const TOC_INFO: u8 = 0x88;
    /// Second TOC information.
    pub const TOC_INFO2: u8 = 0x89;
    /// Closed information.
    pub const CLOSED: u8 = 0x8d;
    /// UPC/EAN (disc) and ISRC (tracks).
    pub const CODE: u8 = 0x8e;
    /// Block size information.
    pub const SIZE_INFO: u8 = 0x8f;
}

/// A CD-TEXT pack: header, 12 payload bytes, CRC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pack(pub [u8; PACK_SIZE]);

impl Pack {
    /// A pack from its fields, with the CRC computed.
    pub fn new(
        kind: u8,
        track: u8,
        sequence: u8,
        double_byte: bool,
        block: u8,
        char_pos: u8,
        payload: [u8; PAYLOAD],
    ) -> Pack {
        let mut b = [0u8; PACK_SIZE];
        b[0] = kind;
        b[1] = track & 0x7f;
        b[2] = sequence;
        b[3] = (u8::from(double_byte) << 7) | ((block & 0x07) << 4) | char_pos.min(15);
        b[4..16].copy_from_slice(&payload);
        let crc = q_crc(&b[..16]);
        b[16..].copy_from_slice(&crc.to_be_bytes());
        Pack(b)
    }

    /// Pack type (0x80–0x8F).
    pub fn kind(&self) -> u8 {
        self.0[0]
    }

    /// Track number of the first character (part number for 0x8F).
    pub fn track(&self) -> u8 {
        self.0[1] & 0x7f
    }

    /// The extension flag (bit 7 of byte 1), always clear in practice.
    pub fn extension(&self) -> bool {
        self.0[1] & 0x80 != 0
    }

    /// Sequence number within the block.
    pub fn sequence(&self) -> u8 {
        self.0[2]
    }

    /// Whether the block holds double-byte characters.
    pub fn double_byte(&self) -> bool {
        self.0[3] & 0x80 != 0
    }

    /// Block number 0–7.
    pub fn block(&self) -> u8 {
        (self.0[3] >> 4) & 0x07
    }

    /// Characters of the current text in earlier packs (15: 15 or more).
    pub fn char_pos(&self) -> u8 {
        self.0[3] & 0x0f
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.0[4..16]
    }

    /// Whether the stored CRC matches.
    pub fn crc_ok(&self) -> bool {
        q_crc(&self.0[..16]).to_be_bytes() == [self.0[16], self.0[17]]
    }
}

/// Spreads 4 packs (72 bytes) over one sector's 96 R-W symbols: each 3
/// bytes become 4 six-bit symbols, most significant first
/// (`cd-standards.md` §3.4; no R-W parity or interleaving in the lead-in).
pub fn packs_to_symbols(packs: &[Pack; 4]) -> [u8; 96] {
    let mut bytes = [0u8; 72];
    for (k, p) in packs.iter().enumerate() {
        bytes[k * PACK_SIZE..(k + 1) * PACK_SIZE].copy_from_slice(&p.0);
    }
    let mut out = [0u8; 96];
    for (i, c) in bytes.chunks_exact(3).enumerate() {
        let v = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        for j in 0..4 {
            out[4 * i + j] = ((v >> (18 - 6 * j)) & 0x3f) as u8;
        }
    }
    out
}

/// The 4 packs carried by one sector's R-W symbols (low six bits of each
/// of the 96 bytes).
pub fn symbols_to_packs(symbols: &[u8; 96]) -> [Pack; 4] {
    let mut bytes = [0u8; 72];
    for (i, s) in symbols.chunks_exact(4).enumerate() {
        let v = s.iter().fold(0u32, |v, &x| (v << 6) | (x & 0x3f) as u32);
        bytes[3 * i..3 * i + 3].copy_from_slice(&v.to_be_bytes()[1..]);
    }
    core::array::from_fn(|k| {
        let mut p = [0u8; PACK_SIZE];
        p.copy_from_slice(&bytes[k * PACK_SIZE..(k + 1) * PACK_SIZE]);
        Pack(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_pack_crcs() {
        // `cd-standards.md` §5.1 (libburn's examples).
        let p = Pack::new(
            0x8f,
            0,
            0x2a,
            false,
            0,
            0,
            [
                0x01, 0x01, 0x03, 0x00, 0x06, 0x05, 0x04, 0x05, 0x07, 0x06, 0x01, 0x02,
            ],
        );
        assert_eq!(p.0[16..], [0x48, 0x65]);
        assert!(p.crc_ok());
        let p = Pack::new(
            0x88,
            0,
            0x23,
            false,
            0,
            0,
            [0x01, 0x0e, 0x00, 0x3f, 0x02, 0x12, 0, 0, 0, 0, 0, 0],
        );
        assert_eq!(p.0[16..], [0x12, 0x00]);
    }

    #[test]
    fn reference_symbols() {
        // `cd-standards.md` §3.4: one pack cut into 24 symbols.
        let p = Pack([
            0x8f, 0x00, 0x2a, 0x00, 0x01, 0x01, 0x03, 0x00, 0x06, 0x05, 0x04, 0x05, 0x07, 0x06,
            0x01, 0x02, 0x48, 0x65,
        ]);
        let s = packs_to_symbols(&[p, p, p, p]);
        assert_eq!(
            s[..24],
            [
                0x23, 0x30, 0x00, 0x2a, 0x00, 0x00, 0x04, 0x01, 0x00, 0x30, 0x00, 0x06, 0x01, 0x10,
                0x10, 0x05, 0x01, 0x30, 0x18, 0x01, 0x00, 0x24, 0x21, 0x25
            ]
        );
        assert_eq!(symbols_to_packs(&s), [p; 4]);
    }
}
