//! Commands that describe the disc: disc and track information, TOC, PMA
//! and ATIP (`cd-standards.md` §6.6–§6.8).

use super::{begin, bit, check, flag};
use crate::wire::{WireError, be16, be32, put_be16, put_be32};

/// READ DISC INFORMATION (51h, §6.6): disc status, sessions, lead-in.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bits 2–0 data type |
/// | 7–8 | allocation length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadDiscInfo {
    /// Data type (3 bits): 000b standard disc information.
    pub data_type: u8,
    /// Allocation length.
    pub alloc: u16,
}

impl ReadDiscInfo {
    /// Operation code.
    pub const OPCODE: u8 = 0x51;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "READ DISC INFORMATION";

    const DATA_TYPE: usize = 1;
    const ALLOC: usize = 7;

    /// Standard disc information, `alloc` bytes (34 covers every field).
    pub const fn new(alloc: u16) -> ReadDiscInfo {
        ReadDiscInfo {
            data_type: 0,
            alloc,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ReadDiscInfo, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ReadDiscInfo {
            data_type: b[Self::DATA_TYPE] & 0x07,
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::DATA_TYPE] = self.data_type & 0x07;
        put_be16(b, Self::ALLOC, self.alloc);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the drive may return.
    pub fn data_in_len(&self) -> u32 {
        u32::from(self.alloc)
    }
}

/// READ TRACK INFORMATION (52h, §6.7): track start, next writable address,
/// free blocks.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 2 Open, bits 1–0 address/number type |
/// | 2–5 | LBA, track number or session number |
/// | 7–8 | allocation length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadTrackInfo {
    /// Open (MMC-5): the first open track of the session numbered
    /// `address` (with [`TrackInfoAddress::Session`]).
    pub open: bool,
    /// What `address` is.
    pub kind: TrackInfoAddress,
    /// LBA (two's complement, `lba as u32`), track or session number.
    pub address: u32,
    /// Allocation length.
    pub alloc: u16,
}

impl ReadTrackInfo {
    /// Operation code.
    pub const OPCODE: u8 = 0x52;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "READ TRACK INFORMATION";
    /// Track number of the invisible (or incomplete) track.
    pub const INVISIBLE_TRACK: u32 = 0xff;
    /// Bytes of the MMC-3 track information block (through the track and
    /// session number MSBs), enough for the next writable address.
    pub const INFO_LEN: u16 = 36;

    const FLAGS: usize = 1;
    const OPEN: u8 = 0x04;
    const ADDRESS: usize = 2;
    const ALLOC: usize = 7;

    /// The invisible track (type 01b, track FFh), [`Self::INFO_LEN`]
    /// bytes: where a TAO track starts (its next writable address).
    pub const fn invisible_track() -> ReadTrackInfo {
        ReadTrackInfo {
            open: false,
            kind: TrackInfoAddress::Track,
            address: Self::INVISIBLE_TRACK,
            alloc: Self::INFO_LEN,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ReadTrackInfo, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ReadTrackInfo {
            open: bit(b[Self::FLAGS], Self::OPEN),
            kind: TrackInfoAddress::from_code(b[Self::FLAGS]),
            address: be32(b, Self::ADDRESS),
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.open, Self::OPEN) | self.kind.code();
        put_be32(b, Self::ADDRESS, self.address);
        put_be16(b, Self::ALLOC, self.alloc);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the drive may return.
    pub fn data_in_len(&self) -> u32 {
        u32::from(self.alloc)
    }
}

/// READ TRACK INFORMATION's address/number type: what the address field
/// holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrackInfoAddress {
    /// 00b: an LBA within the track.
    Lba,
    /// 01b: a track number (FFh = the invisible or incomplete track).
    Track,
    /// 10b: a session number (its first track).
    Session,
    /// 11b (reserved).
    Unknown(u8),
}

impl TrackInfoAddress {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            TrackInfoAddress::Lba => 0b00,
            TrackInfoAddress::Track => 0b01,
            TrackInfoAddress::Session => 0b10,
            TrackInfoAddress::Unknown(v) => v & 0b11,
        }
    }

    /// The type of a code (low 2 bits).
    pub const fn from_code(v: u8) -> TrackInfoAddress {
        match v & 0b11 {
            0b00 => TrackInfoAddress::Lba,
            0b01 => TrackInfoAddress::Track,
            0b10 => TrackInfoAddress::Session,
            v => TrackInfoAddress::Unknown(v),
        }
    }
}

/// READ TOC/PMA/ATIP (43h, §6.8).
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 1 MSF |
/// | 2 | bits 3–0 format |
/// | 6 | track / session number |
/// | 7–8 | allocation length |
///
/// The format is read from byte 2 only; the older placement in bits 7–6
/// of byte 9 (SFF-8020) is ignored as part of the control byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadToc {
    /// Addresses as 0, M, S, F rather than LBAs.
    pub msf: bool,
    /// Which table.
    pub format: TocFormat,
    /// Starting track (TOC) or session (full TOC) number.
    pub track: u8,
    /// Allocation length.
    pub alloc: u16,
}

impl ReadToc {
    /// Operation code.
    pub const OPCODE: u8 = 0x43;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "READ TOC/PMA/ATIP";

    const FLAGS: usize = 1;
    const MSF: u8 = 0x02;
    const FORMAT: usize = 2;
    const TRACK: usize = 6;
    const ALLOC: usize = 7;

    /// `format` from the first track or session, LBA addresses, `alloc`
    /// bytes.
    pub const fn new(format: TocFormat, alloc: u16) -> ReadToc {
        ReadToc {
            msf: false,
            format,
            track: 0,
            alloc,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ReadToc, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ReadToc {
            msf: bit(b[Self::FLAGS], Self::MSF),
            format: TocFormat::from_code(b[Self::FORMAT]),
            track: b[Self::TRACK],
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.msf, Self::MSF);
        b[Self::FORMAT] = self.format.code();
        b[Self::TRACK] = self.track;
        put_be16(b, Self::ALLOC, self.alloc);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the drive may return.
    pub fn data_in_len(&self) -> u32 {
        u32::from(self.alloc)
    }
}

/// READ TOC/PMA/ATIP's format field: which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TocFormat {
    /// 0000b: the TOC, 8-byte track descriptors.
    Toc,
    /// 0001b: the first track of the last complete session.
    SessionInfo,
    /// 0010b: the full TOC, 11-byte Q descriptors.
    FullToc,
    /// 0011b: the PMA.
    Pma,
    /// 0100b: the ATIP.
    Atip,
    /// 0101b: CD-TEXT packs from the lead-in.
    CdText,
    /// Any other 4-bit format.
    Unknown(u8),
}

impl TocFormat {
    /// The 4-bit code.
    pub const fn code(self) -> u8 {
        match self {
            TocFormat::Toc => 0x0,
            TocFormat::SessionInfo => 0x1,
            TocFormat::FullToc => 0x2,
            TocFormat::Pma => 0x3,
            TocFormat::Atip => 0x4,
            TocFormat::CdText => 0x5,
            TocFormat::Unknown(v) => v & 0x0f,
        }
    }

    /// The format of a code (low 4 bits).
    pub const fn from_code(v: u8) -> TocFormat {
        match v & 0x0f {
            0x0 => TocFormat::Toc,
            0x1 => TocFormat::SessionInfo,
            0x2 => TocFormat::FullToc,
            0x3 => TocFormat::Pma,
            0x4 => TocFormat::Atip,
            0x5 => TocFormat::CdText,
            v => TocFormat::Unknown(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::command::tests::golden;

    #[test]
    fn read_disc_info() {
        // Standard disc information, 34 bytes.
        golden(
            &[0x51, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0x00],
            ReadDiscInfo::new(34),
            ReadDiscInfo::parse,
            ReadDiscInfo::emit,
        );
        assert_eq!(ReadDiscInfo::new(34).data_in_len(), 34);
        // Reserved bits of byte 1 are ignored.
        let r = ReadDiscInfo::parse(&[0x51, 0xf9, 0, 0, 0, 0, 0, 0, 0x22, 0]).unwrap();
        assert_eq!(
            r,
            ReadDiscInfo {
                data_type: 1,
                alloc: 34
            }
        );
    }

    #[test]
    fn read_track_info() {
        // The invisible track: type 01b, track FFh, 36 bytes.
        let bytes = [0x52, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x24, 0x00];
        golden(
            &bytes,
            ReadTrackInfo::invisible_track(),
            ReadTrackInfo::parse,
            ReadTrackInfo::emit,
        );
        assert_eq!(ReadTrackInfo::invisible_track().to_bytes(), bytes);
        // The track holding LBA -150, 48 bytes.
        golden(
            &[0x52, 0x00, 0xff, 0xff, 0xff, 0x6a, 0x00, 0x00, 0x30, 0x00],
            ReadTrackInfo {
                open: false,
                kind: TrackInfoAddress::Lba,
                address: -150i32 as u32,
                alloc: 48,
            },
            ReadTrackInfo::parse,
            ReadTrackInfo::emit,
        );
        // The open track of session 2.
        golden(
            &[0x52, 0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x24, 0x00],
            ReadTrackInfo {
                open: true,
                kind: TrackInfoAddress::Session,
                address: 2,
                alloc: 36,
            },
            ReadTrackInfo::parse,
            ReadTrackInfo::emit,
        );
        let r = ReadTrackInfo::parse(&[0x52, 0x03, 0, 0, 0, 1, 0, 0, 0x24, 0]).unwrap();
        assert_eq!(r.kind, TrackInfoAddress::Unknown(3));
    }

    #[test]
    fn read_toc() {
        // ATIP, MSF, 28 bytes (header and the 24 bytes of §6.8).
        let atip = [0x43, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x00];
        let r = ReadToc {
            msf: true,
            format: TocFormat::Atip,
            track: 0,
            alloc: 28,
        };
        golden(&atip, r, ReadToc::parse, ReadToc::emit);
        assert_eq!(r.data_in_len(), 28);
        // TOC from track 1 in LBA form, 804 bytes (100 descriptors).
        golden(
            &[0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x24, 0x00],
            ReadToc {
                track: 1,
                ..ReadToc::new(TocFormat::Toc, 804)
            },
            ReadToc::parse,
            ReadToc::emit,
        );
        // Full TOC from session 1 and CD-TEXT.
        golden(
            &[0x43, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0x00],
            ReadToc {
                track: 1,
                ..ReadToc::new(TocFormat::FullToc, 0xffff)
            },
            ReadToc::parse,
            ReadToc::emit,
        );
        assert_eq!(
            ReadToc::new(TocFormat::CdText, 4).to_bytes(),
            [0x43, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00]
        );
        // The SFF-8020 format bits in byte 9 are not read.
        let old = ReadToc::parse(&[0x43, 0, 0, 0, 0, 0, 0, 0, 0x0c, 0x40]).unwrap();
        assert_eq!(old.format, TocFormat::Toc);
        assert_eq!(TocFormat::from_code(0x0e), TocFormat::Unknown(0x0e));
    }
}
