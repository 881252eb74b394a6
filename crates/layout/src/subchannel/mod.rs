//! Subchannel: the 96 bits of P–W each sector carries
//! (`cd-standards.md` §3).
//!
//! - [`q_crc`] and [`QFrame`]: the Q channel's 12 bytes, built and decoded
//!   ([`QRepr`]: positions, lead-in TOC entries, MCN, ISRC).
//! - [`SubchannelFormat`] and the layout functions: raw interleaved P-W
//!   (MMC, raw images), linear P-W (CloneCD `.sub`), the 16-byte PQ form.
//! - [`SubcodeGenerator`]: P and Q for every LBA of a planned disc.
//! - [`RwEncoder`] and [`RwDecoder`]: R–W parity and interleave between
//!   packed packs (MMC data block type 2, READ CD sub-channel 100b) and the
//!   symbols on the disc.

mod generate;
mod q;
mod rw;

pub use generate::SubcodeGenerator;
pub(crate) use generate::has_isrc_sector;
pub use q::{QError, QFrame, QRepr};
pub use rw::{
    PackCheck, RW_LATENCY_SECTORS, RW_PACK_SIZE, RW_PACKS_PER_SECTOR, RwDecoder, RwEncoder,
    check_pack, fill_pack_parity,
};

/// Bytes of subchannel per sector in the P-W forms.
pub const PW_SIZE: usize = 96;
/// Bytes of the formatted PQ form.
pub const PQ16_SIZE: usize = 16;

/// How subchannel is laid out after each 2352-byte sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubchannelFormat {
    /// No subchannel: 2352-byte frames.
    None,
    /// 16 bytes: Q (with CRC), three zero bytes, P flag in bit 7 of the last
    /// byte (MMC data block type 1; READ CD sub-channel 010b).
    Pq16,
    /// 96 bytes, one per symbol: P in bit 7, Q in bit 6, R–W in bits 5–0
    /// (MMC data block types 2 and 3; READ CD sub-channel 001b).
    Interleaved,
    /// 96 bytes: 12 of P, 12 of Q, then 12 each of R, S, T, U, V, W
    /// (CloneCD `.sub`).
    Linear,
}

impl SubchannelFormat {
    /// Bytes of subchannel per sector.
    pub const fn size(self) -> usize {
        match self {
            SubchannelFormat::None => 0,
            SubchannelFormat::Pq16 => PQ16_SIZE,
            SubchannelFormat::Interleaved | SubchannelFormat::Linear => PW_SIZE,
        }
    }
}

/// CRC-16/GSM: polynomial 0x1021, MSB first, initial value 0, result
/// inverted. Check value over "123456789": 0xCE3C. Used by Q frames and
/// CD-TEXT packs.
pub fn q_crc(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in data {
        crc = (crc << 8) ^ CRC16_TABLE[((crc >> 8) as u8 ^ b) as usize];
    }
    !crc
}

static CRC16_TABLE: [u16; 256] = build_crc16();

const fn build_crc16() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u16) << 8;
        let mut k = 0;
        while k < 8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// Writes one sector's subchannel in `format` into `out` (which holds at
/// least `format.size()` bytes): P flag, Q frame, and R–W symbols (low six
/// bits of each of the 96 `rw` bytes).
pub fn write_subchannel(
    format: SubchannelFormat,
    p: bool,
    q: &[u8; 12],
    rw: &[u8; PW_SIZE],
    out: &mut [u8],
) {
    match format {
        SubchannelFormat::None => {}
        SubchannelFormat::Pq16 => {
            out[..12].copy_from_slice(q);
            out[12..15].fill(0);
            out[15] = if p { 0x80 } else { 0 };
        }
        SubchannelFormat::Interleaved => {
            let p_bit = if p { 0x80 } else { 0 };
            for (k, o) in out[..PW_SIZE].iter_mut().enumerate() {
                let q_bit = (q[k >> 3] >> (7 - (k & 7))) & 1;
                *o = p_bit | (q_bit << 6) | (rw[k] & 0x3f);
            }
        }
        SubchannelFormat::Linear => {
            out[..12].fill(if p { 0xff } else { 0 });
            out[12..24].copy_from_slice(q);
            // R (bit 5) … W (bit 0), each spread MSB first over 12 bytes.
            for ch in 0..6 {
                let bit = 5 - ch;
                for i in 0..12 {
                    let mut v = 0u8;
                    for j in 0..8 {
                        v = (v << 1) | ((rw[8 * i + j] >> bit) & 1);
                    }
                    out[24 + 12 * ch + i] = v;
                }
            }
        }
    }
}

/// Converts raw interleaved P-W to linear P-W.
pub fn interleaved_to_linear(raw: &[u8; PW_SIZE]) -> [u8; PW_SIZE] {
    let mut out = [0u8; PW_SIZE];
    for ch in 0..8 {
        let bit = 7 - ch;
        for i in 0..12 {
            let mut v = 0u8;
            for j in 0..8 {
                v = (v << 1) | ((raw[8 * i + j] >> bit) & 1);
            }
            out[12 * ch + i] = v;
        }
    }
    out
}

/// Converts linear P-W to raw interleaved P-W.
pub fn linear_to_interleaved(linear: &[u8; PW_SIZE]) -> [u8; PW_SIZE] {
    let mut out = [0u8; PW_SIZE];
    for ch in 0..8 {
        let bit = 7 - ch;
        for i in 0..12 {
            let v = linear[12 * ch + i];
            for j in 0..8 {
                out[8 * i + j] |= ((v >> (7 - j)) & 1) << bit;
            }
        }
    }
    out
}

/// The P flag and Q frame of interleaved P-W (P taken by majority of its
/// 96 bits).
pub fn pq_from_interleaved(raw: &[u8; PW_SIZE]) -> (bool, [u8; 12]) {
    let lin = interleaved_to_linear(raw);
    let ones: u32 = lin[..12].iter().map(|b| b.count_ones()).sum();
    let mut q = [0u8; 12];
    q.copy_from_slice(&lin[12..24]);
    (ones > 48, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_check_values() {
        assert_eq!(q_crc(b"123456789"), 0xce3c);
        // `cd-standards.md` §3.3: data track 1, index 1, rel 0, abs 00:02:00.
        assert_eq!(
            q_crc(&[0x41, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00]).to_be_bytes(),
            [0x28, 0x32]
        );
        // `cd-standards.md` §5.1: CD-TEXT pack CRCs.
        assert_eq!(
            q_crc(&[
                0x8f, 0x00, 0x2a, 0x00, 0x01, 0x01, 0x03, 0x00, 0x06, 0x05, 0x04, 0x05, 0x07, 0x06,
                0x01, 0x02
            ]),
            0x4865
        );
        assert_eq!(
            q_crc(&[
                0x88, 0x00, 0x23, 0x00, 0x01, 0x0e, 0x00, 0x3f, 0x02, 0x12, 0, 0, 0, 0, 0, 0
            ]),
            0x1200
        );
    }

    #[test]
    fn layouts_agree() {
        let q: [u8; 12] = [0x41, 0x01, 0x01, 0, 0, 0, 0, 0x02, 0, 0, 0x28, 0x32];
        let rw: [u8; 96] = core::array::from_fn(|k| (k as u8).wrapping_mul(37) & 0x3f);
        let mut raw = [0u8; 96];
        let mut lin = [0u8; 96];
        write_subchannel(SubchannelFormat::Interleaved, true, &q, &rw, &mut raw);
        write_subchannel(SubchannelFormat::Linear, true, &q, &rw, &mut lin);
        assert_eq!(interleaved_to_linear(&raw), lin);
        assert_eq!(linear_to_interleaved(&lin), raw);
        assert_eq!(lin[..12], [0xff; 12]);
        assert_eq!(lin[12..24], q);
        assert_eq!(pq_from_interleaved(&raw), (true, q));
        // Symbol 0 holds bit 7 of Q byte 0 (0x41 → 0) and bit 7 of P.
        assert_eq!(raw[0] & 0xc0, 0x80);
        // Symbol 1: Q byte 0 bit 6 = 1.
        assert_eq!(raw[1] & 0xc0, 0xc0);
        for k in 0..96 {
            assert_eq!(raw[k] & 0x3f, rw[k]);
        }
        let mut pq = [0xa5u8; 16];
        write_subchannel(SubchannelFormat::Pq16, true, &q, &rw, &mut pq);
        assert_eq!(pq[..12], q);
        assert_eq!(pq[12..], [0, 0, 0, 0x80]);
    }
}
