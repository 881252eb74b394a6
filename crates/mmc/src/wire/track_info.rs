//! READ TRACK INFORMATION data: one track's place, state and next
//! writable address (MMC-5; `cd-standards.md` §6.7).
//!
//! rawburn reads and emits the 36-byte form; MMC-5 drives may send 48
//! bytes, whose last 12 (read compatibility LBA, …) are not modelled.

use super::{Field, Partial, WireError, be16, need, put_be16, put_be32};

/// Bytes of track information rawburn emits (the data length says 34).
pub const TRACK_INFO_LEN: usize = 36;
/// Fewest bytes [`TrackInfoRepr::parse`] accepts: through the NWA_V byte.
pub const MIN_LEN: usize = 8;

/// Track information fields (`cd-standards.md` §6.7).
pub mod field {
    use super::Field;
    /// Data length: bytes following this field.
    pub const DATA_LEN: Field = 0..2;
    /// Track number, LSB.
    pub const TRACK_LSB: usize = 2;
    /// Session number, LSB.
    pub const SESSION_LSB: usize = 3;
    /// Bit 5 damage, bit 4 copy, bits 3–0 track mode (Q CONTROL).
    pub const TRACK_MODE: usize = 5;
    /// Bit 7 RT, bit 6 blank, bit 5 packet/incremental, bit 4 FP, bits 3–0
    /// data mode.
    pub const DATA_MODE: usize = 6;
    /// Bit 1 LRA_V, bit 0 NWA_V.
    pub const VALID: usize = 7;
    /// Track start address.
    pub const TRACK_START: Field = 8..12;
    /// Next writable address.
    pub const NEXT_WRITABLE: Field = 12..16;
    /// Free blocks.
    pub const FREE_BLOCKS: Field = 16..20;
    /// Fixed packet size / blocking factor.
    pub const FIXED_PACKET_SIZE: Field = 20..24;
    /// Track size.
    pub const TRACK_SIZE: Field = 24..28;
    /// Last recorded address.
    pub const LAST_RECORDED: Field = 28..32;
    /// Track number, MSB.
    pub const TRACK_MSB: usize = 32;
    /// Session number, MSB.
    pub const SESSION_MSB: usize = 33;
}

/// Data mode 1 (Mode 1 sectors).
pub const DATA_MODE_1: u8 = 0x1;
/// Data mode 2 (Mode 2 sectors).
pub const DATA_MODE_2: u8 = 0x2;
/// Data mode Fh: unknown, or no data yet.
pub const DATA_MODE_UNKNOWN: u8 = 0xf;

/// A view of track information. The data length bounds what is read;
/// fields beyond the bytes present read as zero (addresses as `None`).
#[derive(Debug, Clone, Copy)]
pub struct TrackInfo<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> TrackInfo<T> {
    /// Wraps track information of at least [`MIN_LEN`] bytes.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] for fewer.
    pub fn new_checked(buffer: T) -> Result<TrackInfo<T>, WireError> {
        need("track information", buffer.as_ref(), MIN_LEN)?;
        Ok(TrackInfo { buffer })
    }

    fn p(&self) -> Partial<'_> {
        let b = self.buffer.as_ref();
        Partial::new(b, 2 + be16(b, 0) as usize)
    }

    /// Track number (MSB and LSB).
    pub fn track(&self) -> u16 {
        let p = self.p();
        u16::from_be_bytes([p.u8(field::TRACK_MSB), p.u8(field::TRACK_LSB)])
    }

    /// Session number (MSB and LSB).
    pub fn session(&self) -> u16 {
        let p = self.p();
        u16::from_be_bytes([p.u8(field::SESSION_MSB), p.u8(field::SESSION_LSB)])
    }

    /// Track mode: the Q CONTROL nibble.
    pub fn track_mode(&self) -> u8 {
        self.p().u8(field::TRACK_MODE) & 0x0f
    }

    /// Blank: nothing written in the track.
    pub fn blank(&self) -> bool {
        self.p().bit(field::DATA_MODE, 0x40)
    }

    /// The next writable address, when NWA_V says it is valid.
    pub fn next_writable(&self) -> Option<i32> {
        let p = self.p();
        (p.bit(field::VALID, 0x01) && p.has(field::NEXT_WRITABLE))
            .then(|| p.be32(field::NEXT_WRITABLE.start) as i32)
    }

    /// The last recorded address, when LRA_V says it is valid.
    pub fn last_recorded(&self) -> Option<i32> {
        let p = self.p();
        (p.bit(field::VALID, 0x02) && p.has(field::LAST_RECORDED))
            .then(|| p.be32(field::LAST_RECORDED.start) as i32)
    }
}

/// Track information.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackInfoRepr {
    /// Track number.
    pub track: u16,
    /// Session number.
    pub session: u16,
    /// Damage: the track was not closed properly.
    pub damage: bool,
    /// Copy: the track is a copy (SCMS).
    pub copy: bool,
    /// Track mode: the Q CONTROL nibble (0 audio, 4 data, …).
    pub track_mode: u8,
    /// RT: reserved track.
    pub reserved: bool,
    /// Blank: nothing written yet.
    pub blank: bool,
    /// Packet/incremental writing.
    pub packet: bool,
    /// FP: fixed packets.
    pub fixed_packet: bool,
    /// Data mode (4 bits: [`DATA_MODE_1`], [`DATA_MODE_2`],
    /// [`DATA_MODE_UNKNOWN`]).
    pub data_mode: u8,
    /// Track start address.
    pub track_start: i32,
    /// Next writable address (`Some` sets NWA_V).
    pub next_writable: Option<i32>,
    /// Free blocks.
    pub free_blocks: u32,
    /// Fixed packet size.
    pub fixed_packet_size: u32,
    /// Track size in blocks.
    pub track_size: u32,
    /// Last recorded address (`Some` sets LRA_V).
    pub last_recorded: Option<i32>,
}

impl TrackInfoRepr {
    /// Parses track information. The data length bounds what is read; a
    /// reply cut short parses from the bytes present: absent numbers and
    /// flags read as zero, absent addresses as `None`. An address whose
    /// valid bit is clear reads as `None` whatever its bytes.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] under [`MIN_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<TrackInfoRepr, WireError> {
        let v = TrackInfo::new_checked(bytes)?;
        let p = v.p();
        let mode = p.u8(field::TRACK_MODE);
        let data = p.u8(field::DATA_MODE);
        Ok(TrackInfoRepr {
            track: v.track(),
            session: v.session(),
            damage: mode & 0x20 != 0,
            copy: mode & 0x10 != 0,
            track_mode: mode & 0x0f,
            reserved: data & 0x80 != 0,
            blank: data & 0x40 != 0,
            packet: data & 0x20 != 0,
            fixed_packet: data & 0x10 != 0,
            data_mode: data & 0x0f,
            track_start: p.be32(field::TRACK_START.start) as i32,
            next_writable: v.next_writable(),
            free_blocks: p.be32(field::FREE_BLOCKS.start),
            fixed_packet_size: p.be32(field::FIXED_PACKET_SIZE.start),
            track_size: p.be32(field::TRACK_SIZE.start),
            last_recorded: v.last_recorded(),
        })
    }

    /// Bytes [`TrackInfoRepr::emit`] writes: always 36.
    pub const fn buffer_len(&self) -> usize {
        TRACK_INFO_LEN
    }

    /// Writes 36 bytes of track information into `out` (data length 34;
    /// `None` addresses as zero with their valid bit clear).
    ///
    /// ## Panics
    ///
    /// When `out` is shorter than [`TrackInfoRepr::buffer_len`].
    pub fn emit(&self, out: &mut [u8]) {
        let flag = |on: bool, mask: u8| if on { mask } else { 0 };
        out[..TRACK_INFO_LEN].fill(0);
        put_be16(out, field::DATA_LEN.start, (TRACK_INFO_LEN - 2) as u16);
        let [th, tl] = self.track.to_be_bytes();
        let [sh, sl] = self.session.to_be_bytes();
        out[field::TRACK_LSB] = tl;
        out[field::SESSION_LSB] = sl;
        out[field::TRACK_MODE] =
            flag(self.damage, 0x20) | flag(self.copy, 0x10) | (self.track_mode & 0x0f);
        out[field::DATA_MODE] = flag(self.reserved, 0x80)
            | flag(self.blank, 0x40)
            | flag(self.packet, 0x20)
            | flag(self.fixed_packet, 0x10)
            | (self.data_mode & 0x0f);
        out[field::VALID] =
            flag(self.last_recorded.is_some(), 0x02) | flag(self.next_writable.is_some(), 0x01);
        put_be32(out, field::TRACK_START.start, self.track_start as u32);
        put_be32(
            out,
            field::NEXT_WRITABLE.start,
            self.next_writable.unwrap_or(0) as u32,
        );
        put_be32(out, field::FREE_BLOCKS.start, self.free_blocks);
        put_be32(out, field::FIXED_PACKET_SIZE.start, self.fixed_packet_size);
        put_be32(out, field::TRACK_SIZE.start, self.track_size);
        put_be32(
            out,
            field::LAST_RECORDED.start,
            self.last_recorded.unwrap_or(0) as u32,
        );
        out[field::TRACK_MSB] = th;
        out[field::SESSION_MSB] = sh;
    }

    /// The track information as bytes.
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

    /// The invisible track of a blank 80-minute CD-R (track FFh asked
    /// for): track 1, session 1, blank, data mode unknown, NWA 0, 359849
    /// free blocks (up to 79:59:74).
    const BLANK: [u8; 36] = [
        0x00, 0x22, 0x01, 0x01, 0x00, 0x04, 0x4f, 0x01, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // start, NWA
        0x00, 0x05, 0x7d, 0xa9, 0x00, 0x00, 0x00, 0x00, // free, packet size
        0x00, 0x05, 0x7d, 0xa9, 0x00, 0x00, 0x00, 0x00, // size, LRA
        0x00, 0x00, 0x00, 0x00,
    ];

    fn blank() -> TrackInfoRepr {
        TrackInfoRepr {
            track: 1,
            session: 1,
            damage: false,
            copy: false,
            track_mode: 0x4,
            reserved: false,
            blank: true,
            packet: false,
            fixed_packet: false,
            data_mode: DATA_MODE_UNKNOWN,
            track_start: 0,
            next_writable: Some(0),
            free_blocks: 359_849,
            fixed_packet_size: 0,
            track_size: 359_849,
            last_recorded: None,
        }
    }

    #[test]
    fn golden() {
        let r = TrackInfoRepr::parse(&BLANK).unwrap();
        assert_eq!(r, blank());
        let mut out = [0xa5u8; 36];
        r.emit(&mut out);
        assert_eq!(out, BLANK);
        let v = TrackInfo::new_checked(&BLANK[..]).unwrap();
        assert_eq!(v.next_writable(), Some(0));
        assert!(v.blank());
    }

    #[test]
    fn negative_addresses_and_numbers() {
        let mut r = blank();
        r.next_writable = Some(-150);
        r.last_recorded = Some(-1);
        r.track = 0x0102;
        r.session = 0x0304;
        let b = r.to_vec();
        assert_eq!(b[7], 0x03);
        assert_eq!(b[12..16], [0xff, 0xff, 0xff, 0x6a]);
        assert_eq!((b[2], b[32], b[3], b[33]), (0x02, 0x01, 0x04, 0x03));
        assert_eq!(TrackInfoRepr::parse(&b), Ok(r));
    }

    #[test]
    fn truncated() {
        // cdrdao asks for 16 bytes to learn the NWA.
        let r = TrackInfoRepr::parse(&BLANK[..16]).unwrap();
        assert_eq!(r.next_writable, Some(0));
        assert_eq!(r.free_blocks, 0);
        // Cut inside the NWA: valid bit set, address absent.
        let r = TrackInfoRepr::parse(&BLANK[..14]).unwrap();
        assert_eq!(r.next_writable, None);
        assert_eq!(r.track, 1);
        assert!(matches!(
            TrackInfoRepr::parse(&BLANK[..7]),
            Err(WireError::Truncated { need: 8, .. })
        ));
    }

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..48)) {
            let _ = TrackInfoRepr::parse(&b);
        }

        #[test]
        fn roundtrip(mut b in proptest::collection::vec(any::<u8>(), 8..40)) {
            b[0] = 0;
            if let Ok(r) = TrackInfoRepr::parse(&b) {
                prop_assert_eq!(TrackInfoRepr::parse(&r.to_vec()), Ok(r));
            }
        }
    }
}
