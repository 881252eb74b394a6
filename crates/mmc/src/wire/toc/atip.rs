//! READ TOC format 0100b: the ATIP of recordable media, read from the
//! pre-groove (MMC-5; `cd-standards.md` §6.8, §4).

use super::super::{Field, Partial, WireError, be16, msf_field, put_be16};
use layout::msf::Msf;

/// Bytes of ATIP data rawburn emits (the data length says 26).
pub const ATIP_LEN: usize = 28;
/// Fewest bytes [`AtipRepr::parse`] accepts: through the last possible
/// lead-out start.
pub const MIN_LEN: usize = 15;

/// ATIP fields, offsets into the reply.
pub mod field {
    use super::Field;
    /// Data length: bytes following this field.
    pub const DATA_LEN: Field = 0..2;
    /// Bit 7 = 1, bits 6–4 indicative target writing power, bits 2–0
    /// reference speed.
    pub const POWER_SPEED: usize = 4;
    /// Bit 6: URU (unrestricted use).
    pub const URU: usize = 5;
    /// Bit 7 = 1, bit 6 disc type (CD-RW), bits 5–3 disc sub-type, bits
    /// 2–0 A1/A2/A3 valid.
    pub const DISC_TYPE: usize = 6;
    /// Start time of the lead-in, M S F (binary).
    pub const LEAD_IN_START: Field = 8..11;
    /// Last possible start time of the lead-out, M S F.
    pub const LAST_LEAD_OUT: Field = 12..15;
    /// A1 values.
    pub const A1: Field = 16..19;
    /// A2 values.
    pub const A2: Field = 20..23;
    /// A3 values.
    pub const A3: Field = 24..27;
}

/// The ATIP of a recordable disc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AtipRepr {
    /// Indicative target writing power (3 bits).
    pub writing_power: u8,
    /// Reference speed (3 bits).
    pub reference_speed: u8,
    /// URU: unrestricted use.
    pub uru: bool,
    /// Disc type: CD-RW (true) or CD-R.
    pub disc_type_rw: bool,
    /// Disc sub-type (3 bits).
    pub disc_subtype: u8,
    /// A1 values are valid.
    pub a1_valid: bool,
    /// A2 values are valid.
    pub a2_valid: bool,
    /// A3 values are valid.
    pub a3_valid: bool,
    /// Start time of the lead-in (typically 97:xx:xx; its frame digits
    /// also name the manufacturer).
    pub lead_in_start: Msf,
    /// Last possible start time of the lead-out: the capacity.
    pub last_lead_out: Msf,
    /// A1 values.
    pub a1: [u8; 3],
    /// A2 values.
    pub a2: [u8; 3],
    /// A3 values.
    pub a3: [u8; 3],
}

impl AtipRepr {
    /// The ATIP of CD-R media with the given lead-in and lead-out times and
    /// everything else zero (URU clear, no A1–A3).
    pub fn cd_r(lead_in_start: Msf, last_lead_out: Msf) -> AtipRepr {
        AtipRepr {
            writing_power: 0,
            reference_speed: 0,
            uru: false,
            disc_type_rw: false,
            disc_subtype: 0,
            a1_valid: false,
            a2_valid: false,
            a3_valid: false,
            lead_in_start,
            last_lead_out,
            a1: [0; 3],
            a2: [0; 3],
            a3: [0; 3],
        }
    }

    /// The LBA of the lead-in start, by the MMC rule: minutes ≥ 90 are
    /// negative (97:26:65 is −11635).
    pub fn lead_in_start_lba(&self) -> i32 {
        self.lead_in_start.to_lba().get()
    }

    /// The LBA of the last possible lead-out start (79:59:74 is 359849).
    pub fn last_lead_out_lba(&self) -> i32 {
        self.last_lead_out.to_lba().get()
    }

    /// Parses ATIP data. The data length bounds what is read; A1–A3 values
    /// cut off read as zero (their valid bits as sent).
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] when the lead-out time is not within the
    /// bytes present, [`WireError::Field`] when either time is not one.
    pub fn parse(bytes: &[u8]) -> Result<AtipRepr, WireError> {
        let limit = if bytes.len() >= 2 {
            2 + be16(bytes, 0) as usize
        } else {
            0
        };
        let p = Partial::new(bytes, limit);
        if !p.has(field::LAST_LEAD_OUT) {
            return Err(WireError::Truncated {
                what: "atip",
                need: MIN_LEN,
                got: p.len(),
            });
        }
        let three = |f: Field| p.array::<3>(f.start).unwrap_or([0; 3]);
        let ps = p.u8(field::POWER_SPEED);
        let dt = p.u8(field::DISC_TYPE);
        Ok(AtipRepr {
            writing_power: (ps >> 4) & 0x07,
            reference_speed: ps & 0x07,
            uru: p.bit(field::URU, 0x40),
            disc_type_rw: dt & 0x40 != 0,
            disc_subtype: (dt >> 3) & 0x07,
            a1_valid: dt & 0x04 != 0,
            a2_valid: dt & 0x02 != 0,
            a3_valid: dt & 0x01 != 0,
            lead_in_start: msf_field("atip", "lead-in start", three(field::LEAD_IN_START))?,
            last_lead_out: msf_field("atip", "last lead-out", three(field::LAST_LEAD_OUT))?,
            a1: three(field::A1),
            a2: three(field::A2),
            a3: three(field::A3),
        })
    }

    /// Bytes [`AtipRepr::emit`] writes: always 28.
    pub const fn buffer_len(&self) -> usize {
        ATIP_LEN
    }

    /// Writes 28 bytes of ATIP data into `out` (the fixed 1 bits of bytes 4
    /// and 6 set).
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`AtipRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let flag = |on: bool, mask: u8| if on { mask } else { 0 };
        out[..ATIP_LEN].fill(0);
        put_be16(out, field::DATA_LEN.start, (ATIP_LEN - 2) as u16);
        out[field::POWER_SPEED] =
            0x80 | ((self.writing_power & 0x07) << 4) | (self.reference_speed & 0x07);
        out[field::URU] = flag(self.uru, 0x40);
        out[field::DISC_TYPE] = 0x80
            | flag(self.disc_type_rw, 0x40)
            | ((self.disc_subtype & 0x07) << 3)
            | flag(self.a1_valid, 0x04)
            | flag(self.a2_valid, 0x02)
            | flag(self.a3_valid, 0x01);
        out[field::LEAD_IN_START].copy_from_slice(&self.lead_in_start.to_bytes());
        out[field::LAST_LEAD_OUT].copy_from_slice(&self.last_lead_out.to_bytes());
        out[field::A1].copy_from_slice(&self.a1);
        out[field::A2].copy_from_slice(&self.a2);
        out[field::A3].copy_from_slice(&self.a3);
    }

    /// The ATIP as bytes.
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

    fn msf(m: u8, s: u8, f: u8) -> Msf {
        Msf::new(m, s, f).unwrap()
    }

    /// 80-minute CD-R: writing power 5, reference speed 2, lead-in start
    /// 97:26:65, last lead-out start 79:59:74.
    const CD_R_80: [u8; 28] = [
        0x00, 0x1a, 0x00, 0x00, 0xd2, 0x00, 0x80, 0x00, //
        0x61, 0x1a, 0x41, 0x00, 0x4f, 0x3b, 0x4a, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn cd_r_golden() {
        let r = AtipRepr::parse(&CD_R_80).unwrap();
        let mut want = AtipRepr::cd_r(msf(97, 26, 65), msf(79, 59, 74));
        want.writing_power = 5;
        want.reference_speed = 2;
        assert_eq!(r, want);
        assert_eq!(r.lead_in_start_lba(), -11635);
        assert_eq!(r.last_lead_out_lba(), 359_849);
        let mut out = [0xa5u8; 28];
        r.emit(&mut out);
        assert_eq!(out, CD_R_80);
    }

    #[test]
    fn cd_rw_with_a1() {
        // CD-RW, sub-type 2 (high speed), URU, A1 valid.
        let bytes = [
            0x00, 0x1a, 0x00, 0x00, 0xc4, 0x40, 0xd4, 0x00, //
            0x61, 0x2d, 0x0a, 0x00, 0x4a, 0x3b, 0x49, 0x00, //
            0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x00, 0x00, //
            0x00, 0x00, 0x00, 0x00,
        ];
        let r = AtipRepr::parse(&bytes).unwrap();
        assert!(r.disc_type_rw && r.uru && r.a1_valid && !r.a2_valid);
        assert_eq!(r.disc_subtype, 2);
        assert_eq!(r.a1, [0x12, 0x34, 0x56]);
        assert_eq!(r.lead_in_start, msf(97, 45, 10));
        assert_eq!(r.to_vec(), bytes);
    }

    #[test]
    fn truncated() {
        let r = AtipRepr::parse(&CD_R_80[..15]).unwrap();
        assert_eq!(r.last_lead_out, msf(79, 59, 74));
        assert!(matches!(
            AtipRepr::parse(&CD_R_80[..14]),
            Err(WireError::Truncated { need: 15, .. })
        ));
        // A data length that stops before the lead-out.
        let mut b = CD_R_80;
        b[1] = 8;
        assert!(AtipRepr::parse(&b).is_err());
        let mut b = CD_R_80;
        b[9] = 60;
        assert!(matches!(
            AtipRepr::parse(&b),
            Err(WireError::Field {
                field: "lead-in start",
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = AtipRepr::parse(&b);
        }

        #[test]
        fn roundtrip(
            power in 0u8..8, speed in 0u8..8, flags: [bool; 5], subtype in 0u8..8,
            lead_in in 0i32..450_000, lead_out in 0i32..450_000, a: [u8; 9],
        ) {
            let r = AtipRepr {
                writing_power: power,
                reference_speed: speed,
                uru: flags[0],
                disc_type_rw: flags[1],
                disc_subtype: subtype,
                a1_valid: flags[2],
                a2_valid: flags[3],
                a3_valid: flags[4],
                lead_in_start: Msf::from_frames(lead_in).unwrap(),
                last_lead_out: Msf::from_frames(lead_out).unwrap(),
                a1: [a[0], a[1], a[2]],
                a2: [a[3], a[4], a[5]],
                a3: [a[6], a[7], a[8]],
            };
            prop_assert_eq!(AtipRepr::parse(&r.to_vec()), Ok(r));
        }
    }
}
