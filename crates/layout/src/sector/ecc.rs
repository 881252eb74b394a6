//! The sector ECC: Reed-Solomon product code (RSPC) P and Q parity
//! (ECMA-130 Annex A; `cd-standards.md` §1.5).
//!
//! Arithmetic is in GF(2^8) with primitive polynomial x^8 + x^4 + x^3 + x^2 + 1
//! (0x11D) and α = 2. The protected area is the 2340 bytes from sector offset
//! 12; every vector is a run of data bytes v followed by two parity bytes
//! chosen so that Σ v_i = 0 and Σ v_i·α^(n−1−i) = 0.
//!
//! The layout makes whole vectors line up, which this module exploits:
//!
//! - seen as rows of 86 bytes, P vector `m` (0..86) is simply column `m` of
//!   rows 0..24, with its parity in rows 24 and 25;
//! - seen as 26 rows of 43 two-byte words, Q vector `2d + b` takes lane `b` of
//!   word `j` from row `(d + j) mod 26` for j in 0..43 (a diagonal), with its
//!   parity in the 52-byte rows after the P parity.
//!
//! So both codes are computed for all their vectors at once, one data row (or
//! gathered diagonal slice) per step, with Horner's rule `s1 = s1·α ⊕ row`,
//! which the compiler turns into branch-free SIMD over the whole row.

/// Start of the protected area in the sector.
const BASE: usize = 12;
/// Number of P vectors (43 columns × 2 byte lanes) and bytes per P row.
const P_VECTORS: usize = 86;
/// Data bytes per P vector.
const P_DATA: usize = 24;
/// Number of Q vectors (26 diagonals × 2 byte lanes).
const Q_VECTORS: usize = 52;
/// Data bytes per Q vector.
const Q_DATA: usize = 43;
/// Bytes covered by Q (relative): header through P parity.
const Q_SPAN: usize = 2236;

/// Sector range of the P parity bytes.
pub(crate) const P_PARITY: core::ops::Range<usize> = 2076..2248;
/// Sector range of the Q parity bytes.
pub(crate) const Q_PARITY: core::ops::Range<usize> = 2248..2352;

/// Multiplication by α in GF(2^8)/0x11D, byte-wise and branch-free.
#[inline(always)]
fn mul_alpha(v: u8) -> u8 {
    (v << 1) ^ (((v as i8) >> 7) as u8 & 0x1d)
}

/// Full multiplication in GF(2^8)/0x11D (compile-time table building only).
const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            r ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1d;
        }
        b >>= 1;
    }
    r
}

/// `FIRST_PARITY[s0 ^ h·α²]` = (S0 ⊕ S1)/(α + 1), split into two tables:
/// `ALPHA2[h]` = h·α² turns the Horner sum `h` into S1, `DIV3[x]` = x/(α+1).
static ALPHA2: [u8; 256] = build_mul_table(4);
static DIV3: [u8; 256] = build_div3();

const fn build_mul_table(k: u8) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = gf_mul(i as u8, k);
        i += 1;
    }
    t
}

const fn build_div3() -> [u8; 256] {
    // Invert y -> y·3 by enumeration: multiplication by a non-zero element is
    // a bijection, so every x has exactly one preimage.
    let mut t = [0u8; 256];
    let mut y = 0;
    while y < 256 {
        t[gf_mul(y as u8, 3) as usize] = y as u8;
        y += 1;
    }
    t
}

/// Folds one data byte into every vector: `s0 ⊕= x`, `h = h·α ⊕ x`.
#[inline(always)]
fn horner_step<const N: usize>(s0: &mut [u8; N], h: &mut [u8; N], row: &[u8]) {
    for ((a, b), &x) in s0.iter_mut().zip(h.iter_mut()).zip(row) {
        *a ^= x;
        *b = mul_alpha(*b) ^ x;
    }
}

/// Finishes a set of vectors: from the running XOR `s0` and the Horner sum
/// `h` (which lacks the final α² of the two parity positions), the two parity
/// bytes of each vector.
#[inline(always)]
fn solve<const N: usize>(s0: &[u8; N], h: &[u8; N], first: &mut [u8], second: &mut [u8]) {
    for i in 0..N {
        let p0 = DIV3[(s0[i] ^ ALPHA2[h[i] as usize]) as usize];
        first[i] = p0;
        second[i] = s0[i] ^ p0;
    }
}

/// Computes and stores P parity (sector bytes 2076..2248) from bytes
/// 12..2076.
#[inline]
pub fn write_p(sector: &mut [u8; 2352]) {
    let mut s0 = [0u8; P_VECTORS];
    let mut h = [0u8; P_VECTORS];
    for row in sector[BASE..BASE + P_DATA * P_VECTORS].chunks_exact(P_VECTORS) {
        horner_step(&mut s0, &mut h, row);
    }
    let (first, second) = sector[P_PARITY].split_at_mut(P_VECTORS);
    solve(&s0, &h, first, second);
}

/// Computes and stores Q parity (sector bytes 2248..2352) from bytes
/// 12..2248 (P parity included, so call [`write_p`] first).
#[inline]
pub fn write_q(sector: &mut [u8; 2352]) {
    // Gather every diagonal slice first, then fold them all. Interleaving the
    // narrow gather stores with the wide loads of the fold would stall on
    // store forwarding at every step. Step `j` takes word `j` of every
    // 86-byte row (a column, fixed stride), rotated by `j` rows.
    let area = &sector[BASE..BASE + Q_SPAN];
    let mut rows = [[0u8; Q_VECTORS]; Q_DATA];
    let mut column = [[0u8; 2]; 2 * (Q_VECTORS / 2)];
    for (j, row) in rows.iter_mut().enumerate() {
        for (r, word) in column[..Q_VECTORS / 2].iter_mut().enumerate() {
            let o = 86 * r + 2 * j;
            if let Some(w) = area.get(o..o + 2) {
                *word = [w[0], w[1]];
            }
        }
        let (head, tail) = column.split_at_mut(Q_VECTORS / 2);
        tail.copy_from_slice(head);
        let rotated = &column[j % (Q_VECTORS / 2)..j % (Q_VECTORS / 2) + Q_VECTORS / 2];
        for (pair, w) in row.as_chunks_mut::<2>().0.iter_mut().zip(rotated) {
            *pair = *w;
        }
    }
    let mut s0 = [0u8; Q_VECTORS];
    let mut h = [0u8; Q_VECTORS];
    for row in &rows {
        horner_step(&mut s0, &mut h, row);
    }
    let (first, second) = sector[Q_PARITY].split_at_mut(Q_VECTORS);
    solve(&s0, &h, first, second);
}

/// Whether the P and Q parity stored in `sector` match its contents.
pub fn check(sector: &[u8; 2352]) -> bool {
    let mut copy = *sector;
    write_p(&mut copy);
    write_q(&mut copy);
    copy[P_PARITY] == sector[P_PARITY] && copy[Q_PARITY] == sector[Q_PARITY]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_diagonals_are_rotated_columns() {
        // Q vector 2d+b takes, at step j, lane b of the word at relative
        // offset (86d + 88j) mod 2236: word j of row (d + j) mod 26.
        for j in 0..Q_DATA {
            for d in 0..Q_VECTORS / 2 {
                assert_eq!((86 * d + 88 * j) % Q_SPAN, 86 * ((d + j) % 26) + 2 * j);
            }
        }
    }

    /// Evaluates Σ v_i and Σ v_i·α^(n−1−i) for one vector, straight from the
    /// definition with full multiplications.
    fn syndromes(v: &[u8]) -> (u8, u8) {
        let n = v.len();
        let mut s0 = 0u8;
        let mut s1 = 0u8;
        for (i, &x) in v.iter().enumerate() {
            s0 ^= x;
            let mut w = x;
            for _ in 0..(n - 1 - i) {
                w = gf_mul(w, 2);
            }
            s1 ^= w;
        }
        (s0, s1)
    }

    fn sample_sector() -> [u8; 2352] {
        let mut s = [0u8; 2352];
        for (i, b) in s.iter_mut().enumerate().skip(12) {
            *b = (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8;
        }
        s
    }

    #[test]
    fn every_p_vector_has_zero_syndromes() {
        let mut s = sample_sector();
        write_p(&mut s);
        for m in 0..P_VECTORS {
            let v: Vec<u8> = (0..26).map(|j| s[BASE + m + 86 * j]).collect();
            assert_eq!(syndromes(&v), (0, 0), "P vector {m}");
        }
    }

    #[test]
    fn every_q_vector_has_zero_syndromes() {
        let mut s = sample_sector();
        write_p(&mut s);
        write_q(&mut s);
        for m in 0..Q_VECTORS {
            let mut v: Vec<u8> = (0..Q_DATA)
                .map(|j| s[BASE + (86 * (m >> 1) + (m & 1) + 88 * j) % Q_SPAN])
                .collect();
            v.push(s[BASE + Q_SPAN + m]);
            v.push(s[BASE + Q_SPAN + 52 + m]);
            assert_eq!(syndromes(&v), (0, 0), "Q vector {m}");
        }
    }

    #[test]
    fn field_tables() {
        // α powers start 1, 2, 4, …, 128, 29, 58 (`cd-standards.md` §1.5).
        let mut a = 1u8;
        let mut powers = vec![];
        for _ in 0..10 {
            powers.push(a);
            a = mul_alpha(a);
        }
        assert_eq!(powers, [1, 2, 4, 8, 16, 32, 64, 128, 29, 58]);
        for x in 0..=255u8 {
            assert_eq!(gf_mul(DIV3[x as usize], 3), x);
            assert_eq!(ALPHA2[x as usize], gf_mul(gf_mul(x, 2), 2));
        }
    }

    #[test]
    fn check_detects_any_single_byte_change() {
        let mut s = sample_sector();
        write_p(&mut s);
        write_q(&mut s);
        assert!(check(&s));
        for i in (12..2352).step_by(7) {
            let mut t = s;
            t[i] ^= 0x5a;
            assert!(!check(&t), "byte {i}");
        }
    }
}
