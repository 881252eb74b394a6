//! Commands that shape tracks and sessions: reserving and closing tracks,
//! closing sessions, blanking (`cd-standards.md` §6.16, §6.17, §6.20).

use super::{begin, bit, check, flag};
use crate::wire::{WireError, be16, be32, put_be16, put_be32};

/// RESERVE TRACK (53h, §6.20): reserve the invisible track at a fixed size
/// (TAO). No data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 1 RMZ, bit 0 ARSV |
/// | 5–8 | reservation size, blocks |
///
/// Only the size form is decoded; with ARSV set (MMC-5's address form)
/// `size` is still bytes 5–8, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReserveTrack {
    /// ARSV: the CDB carries a reservation address (MMC-5), not a size.
    pub arsv: bool,
    /// RMZ: reserve in the RMA zone (DVD; 0 for CD).
    pub rmz: bool,
    /// Reservation size in blocks.
    pub size: u32,
}

impl ReserveTrack {
    /// Operation code.
    pub const OPCODE: u8 = 0x53;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "RESERVE TRACK";

    const FLAGS: usize = 1;
    const RMZ: u8 = 0x02;
    const ARSV: u8 = 0x01;
    const SIZE: usize = 5;

    /// Reserve `size` blocks.
    pub const fn new(size: u32) -> ReserveTrack {
        ReserveTrack {
            arsv: false,
            rmz: false,
            size,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ReserveTrack, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ReserveTrack {
            arsv: bit(b[Self::FLAGS], Self::ARSV),
            rmz: bit(b[Self::FLAGS], Self::RMZ),
            size: be32(b, Self::SIZE),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.rmz, Self::RMZ) | flag(self.arsv, Self::ARSV);
        put_be32(b, Self::SIZE, self.size);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// CLOSE TRACK/SESSION (5Bh, §6.16): close a TAO track or the session. No
/// data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 0 IMMED |
/// | 2 | bits 2–0 close function |
/// | 4–5 | track number |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CloseTrackSession {
    /// Report completion at once; poll TEST UNIT READY for the end.
    pub immed: bool,
    /// What to close.
    pub function: CloseFunction,
    /// Track number (FFh = the open track; 0 when closing the session).
    pub track: u16,
}

impl CloseTrackSession {
    /// Operation code.
    pub const OPCODE: u8 = 0x5b;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "CLOSE TRACK/SESSION";

    const FLAGS: usize = 1;
    const IMMED: u8 = 0x01;
    const FUNCTION: usize = 2;
    const TRACK: usize = 4;

    /// Close track `track`, with IMMED.
    pub const fn close_track(track: u16) -> CloseTrackSession {
        CloseTrackSession {
            immed: true,
            function: CloseFunction::CloseTrack,
            track,
        }
    }

    /// Close the session, with IMMED.
    pub const fn close_session() -> CloseTrackSession {
        CloseTrackSession {
            immed: true,
            function: CloseFunction::CloseSession,
            track: 0,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<CloseTrackSession, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(CloseTrackSession {
            immed: bit(b[Self::FLAGS], Self::IMMED),
            function: CloseFunction::from_code(b[Self::FUNCTION]),
            track: be16(b, Self::TRACK),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.immed, Self::IMMED);
        b[Self::FUNCTION] = self.function.code();
        put_be16(b, Self::TRACK, self.track);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// CLOSE TRACK/SESSION's close function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseFunction {
    /// 001b: close the track numbered in the CDB.
    CloseTrack,
    /// 010b: close the session (finalize or leave appendable per page 05h).
    CloseSession,
    /// Any other 3-bit function (DVD and BD forms).
    Unknown(u8),
}

impl CloseFunction {
    /// The 3-bit code.
    pub const fn code(self) -> u8 {
        match self {
            CloseFunction::CloseTrack => 0b001,
            CloseFunction::CloseSession => 0b010,
            CloseFunction::Unknown(v) => v & 0b111,
        }
    }

    /// The function of a code (low 3 bits).
    pub const fn from_code(v: u8) -> CloseFunction {
        match v & 0b111 {
            0b001 => CloseFunction::CloseTrack,
            0b010 => CloseFunction::CloseSession,
            v => CloseFunction::Unknown(v),
        }
    }
}

/// BLANK (A1h, §6.17): erase a CD-RW, whole or in part. No data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 4 IMMED, bits 2–0 blanking type |
/// | 2–5 | start address or track number |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Blank {
    /// Report completion at once; poll for progress.
    pub immed: bool,
    /// What to erase.
    pub kind: BlankType,
    /// Track number ([`BlankType::Track`]) or LBA
    /// ([`BlankType::TrackTail`], `lba as u32`); 0 otherwise.
    pub address: u32,
}

impl Blank {
    /// Operation code.
    pub const OPCODE: u8 = 0xa1;
    /// CDB length.
    pub const LEN: usize = 12;
    /// Command name.
    pub const NAME: &'static str = "BLANK";

    const FLAGS: usize = 1;
    const IMMED: u8 = 0x10;
    const ADDRESS: usize = 2;

    /// Blank `kind` with IMMED, address 0.
    pub const fn new(kind: BlankType) -> Blank {
        Blank {
            immed: true,
            kind,
            address: 0,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 12 bytes.
    pub fn parse(cdb: &[u8]) -> Result<Blank, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(Blank {
            immed: bit(b[Self::FLAGS], Self::IMMED),
            kind: BlankType::from_code(b[Self::FLAGS]),
            address: be32(b, Self::ADDRESS),
        })
    }

    /// Writes the CDB into `out[..12]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.immed, Self::IMMED) | self.kind.code();
        put_be32(b, Self::ADDRESS, self.address);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// BLANK's blanking type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlankType {
    /// 0: the whole disc.
    FullDisc,
    /// 1: PMA, the first session's TOC and the pregap (quick).
    Minimal,
    /// 2: the incomplete track numbered in the CDB.
    Track,
    /// 3: unreserve the last reserved track.
    UnreserveTrack,
    /// 4: from the LBA in the CDB to the end of its track.
    TrackTail,
    /// 5: reopen the last session.
    UncloseSession,
    /// 6: the last session.
    Session,
    /// 7 (reserved).
    Unknown(u8),
}

impl BlankType {
    /// The 3-bit code.
    pub const fn code(self) -> u8 {
        match self {
            BlankType::FullDisc => 0,
            BlankType::Minimal => 1,
            BlankType::Track => 2,
            BlankType::UnreserveTrack => 3,
            BlankType::TrackTail => 4,
            BlankType::UncloseSession => 5,
            BlankType::Session => 6,
            BlankType::Unknown(v) => v & 0b111,
        }
    }

    /// The type of a code (low 3 bits).
    pub const fn from_code(v: u8) -> BlankType {
        match v & 0b111 {
            0 => BlankType::FullDisc,
            1 => BlankType::Minimal,
            2 => BlankType::Track,
            3 => BlankType::UnreserveTrack,
            4 => BlankType::TrackTail,
            5 => BlankType::UncloseSession,
            6 => BlankType::Session,
            v => BlankType::Unknown(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::command::tests::golden;

    #[test]
    fn reserve_track() {
        // 4 minutes: 18000 blocks.
        golden(
            &[0x53, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46, 0x50, 0x00],
            ReserveTrack::new(18000),
            ReserveTrack::parse,
            ReserveTrack::emit,
        );
        let r = ReserveTrack::parse(&[0x53, 0x03, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap();
        assert!(r.arsv && r.rmz);
        assert_eq!(r.size, 1);
    }

    #[test]
    fn close_track_session() {
        golden(
            &[0x5b, 0x01, 0x01, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00],
            CloseTrackSession::close_track(0xff),
            CloseTrackSession::parse,
            CloseTrackSession::emit,
        );
        golden(
            &[0x5b, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            CloseTrackSession::close_session(),
            CloseTrackSession::parse,
            CloseTrackSession::emit,
        );
        let r = CloseTrackSession::parse(&[0x5b, 0, 0x06, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(r.function, CloseFunction::Unknown(6));
        assert!(!r.immed);
    }

    #[test]
    fn blank() {
        golden(
            &[
                0xa1, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            Blank::new(BlankType::Minimal),
            Blank::parse,
            Blank::emit,
        );
        golden(
            &[
                0xa1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            Blank {
                immed: false,
                ..Blank::new(BlankType::FullDisc)
            },
            Blank::parse,
            Blank::emit,
        );
        // Track tail from LBA 30000.
        golden(
            &[
                0xa1, 0x14, 0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            Blank {
                immed: true,
                kind: BlankType::TrackTail,
                address: 30000,
            },
            Blank::parse,
            Blank::emit,
        );
        assert_eq!(BlankType::from_code(7), BlankType::Unknown(7));
    }
}
