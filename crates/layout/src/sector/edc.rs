//! The sector EDC: CRC-32/CD-ROM-EDC.
//!
//! Generator (x^16 + x^15 + x^2 + 1)(x^16 + x^2 + x + 1), processed LSB first
//! (reflected polynomial 0xD8018001), initial value 0, no final XOR, stored
//! little-endian. Check value over ASCII "123456789": 0x6EC2EDC4
//! (`cd-standards.md` §1.4).
//!
//! Table-driven, sixteen bytes per step ("slice-by-16"): sixteen 256-entry
//! tables, built at compile time, let one step fold sixteen input bytes into
//! the register with independent lookups instead of a sixteen-long chain.
//!
//! A single register still forms one long dependency chain, so inputs of
//! 2 KiB or more (every sector EDC) run as two independent 1 KiB lanes that
//! are merged afterwards. The CRC is linear with zero initial value, so
//! `edc(a ++ b) = shift(edc(a), |b|) ⊕ edc(b)`, where `shift` advances a
//! register over |b| zero bytes: for a fixed |b| that is a linear map on 32
//! bits, applied with four more 256-entry tables.
//!
//! On x86-64 CPUs with PCLMULQDQ and ARMv8 CPUs with PMULL, [`edc`] folds
//! with carry-less multiplication instead (the `crc-fast` crate, checked at
//! run time), about six times faster; the tables above are the reference
//! it is tested against and the code every other CPU (and wasm32) runs.

/// Reflected generator polynomial.
const POLY: u32 = 0xd801_8001;

/// Bytes folded per step of the main loop.
const SLICES: usize = 16;

/// `TABLES[k][b]` is the CRC register contribution of byte `b` followed by
/// `k` zero bytes.
static TABLES: [[u32; 256]; SLICES] = build_tables();

const fn build_tables() -> [[u32; 256]; SLICES] {
    let mut t = [[0u32; 256]; SLICES];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut s = 1;
    while s < SLICES {
        let mut i = 0;
        while i < 256 {
            let prev = t[s - 1][i];
            t[s][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        s += 1;
    }
    t
}

/// Length of each of the two lanes.
const LANE: usize = 1024;

/// `SHIFT[k][b]`: the register after [`LANE`] zero bytes, starting from byte
/// `b` in byte position `k` of the register.
static SHIFT: [[u32; 256]; 4] = build_shift();

/// Advances a register over `blocks` × 16 zero bytes.
const fn zeros(mut crc: u32, blocks: usize) -> u32 {
    let t = &TABLES;
    let mut i = 0;
    while i < blocks {
        crc = t[15][(crc & 0xff) as usize]
            ^ t[14][((crc >> 8) & 0xff) as usize]
            ^ t[13][((crc >> 16) & 0xff) as usize]
            ^ t[12][(crc >> 24) as usize];
        i += 1;
    }
    crc
}

const fn build_shift() -> [[u32; 256]; 4] {
    // The image of each register bit, then every byte value as the XOR of
    // the images of its bits.
    let mut basis = [0u32; 32];
    let mut bit = 0;
    while bit < 32 {
        basis[bit] = zeros(1 << bit, LANE / SLICES);
        bit += 1;
    }
    let mut t = [[0u32; 256]; 4];
    let mut k = 0;
    while k < 4 {
        let mut v = 0;
        while v < 256 {
            let mut x = 0u32;
            let mut b = 0;
            while b < 8 {
                if v & (1 << b) != 0 {
                    x ^= basis[8 * k + b];
                }
                b += 1;
            }
            t[k][v] = x;
            v += 1;
        }
        k += 1;
    }
    t
}

/// The EDC of `data`.
#[inline]
pub fn edc(data: &[u8]) -> u32 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    if let Some(params) = clmul::params() {
        // A 32-bit CRC comes back in the low half.
        return crc_fast::checksum_with_params(*params, data) as u32;
    }
    update(0, data)
}

/// The carry-less-multiplication EDC, where the CPU can run it.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod clmul {
    use crc_fast::CrcParams;
    use std::sync::OnceLock;

    /// CRC-32/CD-ROM-EDC in the catalogue's terms: the polynomial in
    /// normal form (0xD8018001 reflected), no initial or final XOR, bits
    /// LSB first, and its check value over "123456789".
    fn edc_params() -> CrcParams {
        CrcParams::new(
            "CRC-32/CD-ROM-EDC",
            32,
            0x8001_801b,
            0,
            true,
            0,
            0x6ec2_edc4,
        )
    }

    /// The parameters when this CPU multiplies carry-less, else `None`.
    pub(super) fn params() -> Option<&'static CrcParams> {
        static PARAMS: OnceLock<Option<CrcParams>> = OnceLock::new();
        PARAMS.get_or_init(|| supported().then(edc_params)).as_ref()
    }

    #[cfg(target_arch = "x86_64")]
    fn supported() -> bool {
        std::arch::is_x86_feature_detected!("pclmulqdq")
            && std::arch::is_x86_feature_detected!("sse4.1")
    }

    #[cfg(target_arch = "aarch64")]
    fn supported() -> bool {
        std::arch::is_aarch64_feature_detected!("aes")
    }
}

/// Continues an EDC computation: `update(edc(a), b) == edc(a ++ b)`.
pub fn update(mut crc: u32, mut data: &[u8]) -> u32 {
    while let Some((lanes, rest)) = data.split_first_chunk::<{ 2 * LANE }>() {
        let (a, b) = lanes.split_at(LANE);
        let (a, _) = a.as_chunks::<SLICES>();
        let (b, _) = b.as_chunks::<SLICES>();
        let mut x = crc;
        let mut y = 0;
        for (p, q) in a.iter().zip(b) {
            x = step(x, p);
            y = step(y, q);
        }
        let s = &SHIFT;
        crc = s[0][(x & 0xff) as usize]
            ^ s[1][((x >> 8) & 0xff) as usize]
            ^ s[2][((x >> 16) & 0xff) as usize]
            ^ s[3][(x >> 24) as usize]
            ^ y;
        data = rest;
    }
    let (blocks, tail) = data.as_chunks::<SLICES>();
    for block in blocks {
        crc = step(crc, block);
    }
    for &byte in tail {
        crc = (crc >> 8) ^ TABLES[0][((crc ^ byte as u32) & 0xff) as usize];
    }
    crc
}

/// Folds sixteen bytes into the register.
#[inline(always)]
fn step(crc: u32, c: &[u8; SLICES]) -> u32 {
    let t = &TABLES;
    let a = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    let b = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
    let d = u32::from_le_bytes([c[8], c[9], c[10], c[11]]);
    let e = u32::from_le_bytes([c[12], c[13], c[14], c[15]]);
    t[15][(a & 0xff) as usize]
        ^ t[14][((a >> 8) & 0xff) as usize]
        ^ t[13][((a >> 16) & 0xff) as usize]
        ^ t[12][(a >> 24) as usize]
        ^ t[11][(b & 0xff) as usize]
        ^ t[10][((b >> 8) & 0xff) as usize]
        ^ t[9][((b >> 16) & 0xff) as usize]
        ^ t[8][(b >> 24) as usize]
        ^ t[7][(d & 0xff) as usize]
        ^ t[6][((d >> 8) & 0xff) as usize]
        ^ t[5][((d >> 16) & 0xff) as usize]
        ^ t[4][(d >> 24) as usize]
        ^ t[3][(e & 0xff) as usize]
        ^ t[2][((e >> 8) & 0xff) as usize]
        ^ t[1][((e >> 16) & 0xff) as usize]
        ^ t[0][(e >> 24) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference straight from the definition.
    fn edc_bitwise(data: &[u8]) -> u32 {
        let mut crc = 0u32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ POLY
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    #[test]
    fn catalogue_check_value() {
        assert_eq!(edc(b"123456789"), 0x6ec2_edc4);
        assert_eq!(edc_bitwise(b"123456789"), 0x6ec2_edc4);
    }

    #[test]
    fn empty_and_zero_input() {
        assert_eq!(edc(&[]), 0);
        assert_eq!(edc(&[0u8; 2064]), 0);
    }

    #[test]
    fn matches_bitwise_for_every_length_and_split() {
        let data: Vec<u8> = (0..4700u32)
            .map(|i| (i.wrapping_mul(0x9e37_79b9) >> 13) as u8)
            .collect();
        let lengths = (0..300).chain([2047, 2048, 2049, 2064, 2332, 4095, 4096, 4097, 4700]);
        for len in lengths {
            assert_eq!(edc(&data[..len]), edc_bitwise(&data[..len]), "len {len}");
        }
        for split in [0, 1, 15, 16, 17, 300, 2048, 2049, 4700] {
            let (a, b) = data.split_at(split);
            assert_eq!(update(edc(a), b), edc(&data), "split {split}");
        }
    }

    #[test]
    fn folding_and_tables_agree_on_random_data() {
        // Whichever EDC this CPU runs, it gives the tables' result, for
        // every sector length and random contents.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..2000 {
            let len = match round % 4 {
                0 => 2064,
                1 => 2060,
                2 => 2332,
                _ => (next() % 5000) as usize,
            };
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            assert_eq!(edc(&data), update(0, &data), "len {len}");
            assert_eq!(edc(&data), edc_bitwise(&data), "len {len}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn this_machine_folds() {
        // The machines rawburn is built and tested on have PCLMULQDQ; the
        // test above then compares the two ways.
        if std::arch::is_x86_feature_detected!("pclmulqdq") {
            assert!(clmul::params().is_some());
        }
    }
}
