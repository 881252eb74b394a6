//! The ECMA-130 Annex B scrambler.
//!
//! Data sectors (modes 0, 1 and 2) are scrambled on the disc: bytes 12..2352
//! are XORed with the output of a 15-bit LFSR x^15 + x + 1 preset to 1,
//! bits taken LSB first. The sync is never scrambled, audio never is, and
//! scrambling is its own inverse (`cd-standards.md` §1.6).
//!
//! Image files hold unscrambled sectors; a raw (write type 3) burn must
//! scramble each data sector on the way to the drive.

/// First scrambled byte of a sector.
pub const START: usize = 12;
/// Number of scrambled bytes per sector.
pub const LEN: usize = 2340;

/// The 2340-byte XOR mask, built at compile time.
pub static TABLE: [u8; LEN] = build_table();

const fn build_table() -> [u8; LEN] {
    let mut t = [0u8; LEN];
    let mut reg: u16 = 0x0001;
    let mut i = 0;
    while i < LEN {
        let mut byte = 0u8;
        let mut bit = 0;
        while bit < 8 {
            byte |= ((reg & 1) as u8) << bit;
            let feedback = (reg ^ (reg >> 1)) & 1;
            reg = (reg >> 1) | (feedback << 14);
            bit += 1;
        }
        t[i] = byte;
        i += 1;
    }
    t
}

/// Scrambles (or descrambles: the operation is its own inverse) one 2352-byte
/// sector in place. Call it only for data sectors.
#[inline]
pub fn scramble(sector: &mut [u8; 2352]) {
    for (b, &m) in sector[START..].iter_mut().zip(TABLE.iter()) {
        *b ^= m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_reference_ends() {
        assert_eq!(
            TABLE[..16],
            [
                0x01, 0x80, 0x00, 0x60, 0x00, 0x28, 0x00, 0x1e, 0x80, 0x08, 0x60, 0x06, 0xa8, 0x02,
                0xfe, 0x81
            ]
        );
        assert_eq!(TABLE[LEN - 4..], [0x72, 0xdd, 0xe5, 0x99]);
    }

    #[test]
    fn involution_and_sync_untouched() {
        let mut s = [0u8; 2352];
        for (i, b) in s.iter_mut().enumerate() {
            *b = i as u8;
        }
        let orig = s;
        scramble(&mut s);
        assert_eq!(s[..12], orig[..12]);
        assert_ne!(s[12..], orig[12..]);
        scramble(&mut s);
        assert_eq!(s, orig);
    }
}
