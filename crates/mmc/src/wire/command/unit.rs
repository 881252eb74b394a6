//! Commands about the unit itself: readiness, sense, identity, tray and
//! features (`cd-standards.md` §6.2–§6.5, §6.20).

use super::{begin, bit, check, flag};
use crate::wire::sense::FIXED_LEN;
use crate::wire::{WireError, be16, put_be16};

/// TEST UNIT READY (00h, §6.2): is the unit ready? No data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 0 | 00h |
/// | 1–4 | reserved |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TestUnitReady;

impl TestUnitReady {
    /// Operation code.
    pub const OPCODE: u8 = 0x00;
    /// CDB length.
    pub const LEN: usize = 6;
    /// Command name.
    pub const NAME: &'static str = "TEST UNIT READY";

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 6 bytes.
    pub fn parse(cdb: &[u8]) -> Result<TestUnitReady, WireError> {
        check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(TestUnitReady)
    }

    /// Writes the CDB into `out[..6]`.
    pub fn emit(&self, out: &mut [u8]) {
        begin(out, Self::OPCODE, Self::LEN);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// REQUEST SENSE (03h, §6.3): the sense data of the last CHECK CONDITION.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 0 DESC |
/// | 4 | allocation length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestSense {
    /// Ask for descriptor-format sense data rather than fixed.
    pub desc: bool,
    /// Allocation length.
    pub alloc: u8,
}

impl RequestSense {
    /// Operation code.
    pub const OPCODE: u8 = 0x03;
    /// CDB length.
    pub const LEN: usize = 6;
    /// Command name.
    pub const NAME: &'static str = "REQUEST SENSE";

    const FLAGS: usize = 1;
    const DESC: u8 = 0x01;
    const ALLOC: usize = 4;

    /// Fixed-format sense data, 18 bytes.
    pub const fn fixed() -> RequestSense {
        RequestSense {
            desc: false,
            alloc: FIXED_LEN as u8,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 6 bytes.
    pub fn parse(cdb: &[u8]) -> Result<RequestSense, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(RequestSense {
            desc: bit(b[Self::FLAGS], Self::DESC),
            alloc: b[Self::ALLOC],
        })
    }

    /// Writes the CDB into `out[..6]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.desc, Self::DESC);
        b[Self::ALLOC] = self.alloc;
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

/// INQUIRY (12h, §6.4): standard inquiry data or a vital product data page.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 0 EVPD |
/// | 2 | page code |
/// | 3–4 | allocation length (older devices: byte 4 only) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inquiry {
    /// Ask for the vital product data page `page`.
    pub evpd: bool,
    /// VPD page code (0 with standard data).
    pub page: u8,
    /// Allocation length.
    pub alloc: u16,
}

impl Inquiry {
    /// Operation code.
    pub const OPCODE: u8 = 0x12;
    /// CDB length.
    pub const LEN: usize = 6;
    /// Command name.
    pub const NAME: &'static str = "INQUIRY";

    const FLAGS: usize = 1;
    const EVPD: u8 = 0x01;
    const PAGE: usize = 2;
    const ALLOC: usize = 3;

    /// Standard inquiry data, `alloc` bytes (36 is what every device
    /// answers well).
    pub const fn new(alloc: u16) -> Inquiry {
        Inquiry {
            evpd: false,
            page: 0,
            alloc,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 6 bytes.
    pub fn parse(cdb: &[u8]) -> Result<Inquiry, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(Inquiry {
            evpd: bit(b[Self::FLAGS], Self::EVPD),
            page: b[Self::PAGE],
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..6]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.evpd, Self::EVPD);
        b[Self::PAGE] = self.page;
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

/// START STOP UNIT (1Bh, §6.20): load, eject, spin up or down. No data
/// stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 0 IMMED |
/// | 4 | bits 7–4 power condition, bit 1 LoEj, bit 0 Start |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StartStopUnit {
    /// Report completion before the operation ends.
    pub immed: bool,
    /// Power condition (4 bits; 0 = act on `load_eject` and `start`).
    pub power_condition: u8,
    /// Load (with `start`) or eject (without) the medium.
    pub load_eject: bool,
    /// Start (spin up) rather than stop.
    pub start: bool,
}

impl StartStopUnit {
    /// Operation code.
    pub const OPCODE: u8 = 0x1b;
    /// CDB length.
    pub const LEN: usize = 6;
    /// Command name.
    pub const NAME: &'static str = "START STOP UNIT";

    const FLAGS: usize = 1;
    const IMMED: u8 = 0x01;
    const CONTROL: usize = 4;
    const LOEJ: u8 = 0x02;
    const START: u8 = 0x01;

    /// Open the tray (byte 4 = 02h).
    pub const fn eject() -> StartStopUnit {
        StartStopUnit {
            immed: false,
            power_condition: 0,
            load_eject: true,
            start: false,
        }
    }

    /// Close the tray and spin up (byte 4 = 03h).
    pub const fn load() -> StartStopUnit {
        StartStopUnit {
            immed: false,
            power_condition: 0,
            load_eject: true,
            start: true,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 6 bytes.
    pub fn parse(cdb: &[u8]) -> Result<StartStopUnit, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        let control = b[Self::CONTROL];
        Ok(StartStopUnit {
            immed: bit(b[Self::FLAGS], Self::IMMED),
            power_condition: control >> 4,
            load_eject: bit(control, Self::LOEJ),
            start: bit(control, Self::START),
        })
    }

    /// Writes the CDB into `out[..6]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.immed, Self::IMMED);
        b[Self::CONTROL] = (self.power_condition & 0x0f) << 4
            | flag(self.load_eject, Self::LOEJ)
            | flag(self.start, Self::START);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// PREVENT ALLOW MEDIUM REMOVAL (1Eh, §6.20): lock or unlock the tray. No
/// data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 4 | bits 1–0: 01b prevent, 00b allow |
///
/// Only bit 0 is kept; bit 1 (MMC's Persistent) is treated as reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PreventAllowMediumRemoval {
    /// Lock the tray.
    pub prevent: bool,
}

impl PreventAllowMediumRemoval {
    /// Operation code.
    pub const OPCODE: u8 = 0x1e;
    /// CDB length.
    pub const LEN: usize = 6;
    /// Command name.
    pub const NAME: &'static str = "PREVENT ALLOW MEDIUM REMOVAL";

    const PREVENT_BYTE: usize = 4;
    const PREVENT: u8 = 0x01;

    /// Lock the tray.
    pub const fn prevent() -> PreventAllowMediumRemoval {
        PreventAllowMediumRemoval { prevent: true }
    }

    /// Unlock the tray.
    pub const fn allow() -> PreventAllowMediumRemoval {
        PreventAllowMediumRemoval { prevent: false }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 6 bytes.
    pub fn parse(cdb: &[u8]) -> Result<PreventAllowMediumRemoval, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(PreventAllowMediumRemoval {
            prevent: bit(b[Self::PREVENT_BYTE], Self::PREVENT),
        })
    }

    /// Writes the CDB into `out[..6]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::PREVENT_BYTE] = flag(self.prevent, Self::PREVENT);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// GET CONFIGURATION (46h, §6.5): the current profile and feature
/// descriptors.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bits 1–0 RT |
/// | 2–3 | starting feature number |
/// | 7–8 | allocation length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetConfiguration {
    /// Which features.
    pub rt: FeatureRequest,
    /// First feature number to report.
    pub start_feature: u16,
    /// Allocation length.
    pub alloc: u16,
}

impl GetConfiguration {
    /// Operation code.
    pub const OPCODE: u8 = 0x46;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "GET CONFIGURATION";

    const RT: usize = 1;
    const START_FEATURE: usize = 2;
    const ALLOC: usize = 7;

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<GetConfiguration, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(GetConfiguration {
            rt: FeatureRequest::from_code(b[Self::RT]),
            start_feature: be16(b, Self::START_FEATURE),
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::RT] = self.rt.code();
        put_be16(b, Self::START_FEATURE, self.start_feature);
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

/// GET CONFIGURATION's RT field: which feature descriptors to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FeatureRequest {
    /// 00b: every feature, current or not, from the starting feature on.
    All,
    /// 01b: current features only, from the starting feature on.
    Current,
    /// 10b: only the starting feature.
    One,
    /// 11b (reserved).
    Unknown(u8),
}

impl FeatureRequest {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            FeatureRequest::All => 0b00,
            FeatureRequest::Current => 0b01,
            FeatureRequest::One => 0b10,
            FeatureRequest::Unknown(v) => v & 0b11,
        }
    }

    /// The request of a code (low 2 bits).
    pub const fn from_code(v: u8) -> FeatureRequest {
        match v & 0b11 {
            0b00 => FeatureRequest::All,
            0b01 => FeatureRequest::Current,
            0b10 => FeatureRequest::One,
            v => FeatureRequest::Unknown(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::command::tests::golden;

    #[test]
    fn test_unit_ready() {
        golden(
            &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            TestUnitReady,
            TestUnitReady::parse,
            TestUnitReady::emit,
        );
    }

    #[test]
    fn request_sense() {
        // Fixed format, 18 bytes.
        let bytes = [0x03, 0x00, 0x00, 0x00, 0x12, 0x00];
        golden(
            &bytes,
            RequestSense::fixed(),
            RequestSense::parse,
            RequestSense::emit,
        );
        assert_eq!(RequestSense::fixed().data_in_len(), 18);
        let desc = RequestSense::parse(&[0x03, 0x01, 0x00, 0x00, 0xfc, 0x00]).unwrap();
        assert_eq!(
            desc,
            RequestSense {
                desc: true,
                alloc: 252
            }
        );
    }

    #[test]
    fn inquiry() {
        // Standard data, 36 bytes (what Linux asks for).
        let bytes = [0x12, 0x00, 0x00, 0x00, 0x24, 0x00];
        golden(&bytes, Inquiry::new(36), Inquiry::parse, Inquiry::emit);
        assert_eq!(Inquiry::new(36).to_bytes(), bytes);
        assert_eq!(Inquiry::new(36).data_in_len(), 36);
        // Unit serial number page (80h), 252 bytes.
        golden(
            &[0x12, 0x01, 0x80, 0x00, 0xfc, 0x00],
            Inquiry {
                evpd: true,
                page: 0x80,
                alloc: 252,
            },
            Inquiry::parse,
            Inquiry::emit,
        );
    }

    #[test]
    fn start_stop_unit() {
        golden(
            &[0x1b, 0x00, 0x00, 0x00, 0x02, 0x00],
            StartStopUnit::eject(),
            StartStopUnit::parse,
            StartStopUnit::emit,
        );
        golden(
            &[0x1b, 0x01, 0x00, 0x00, 0x03, 0x00],
            StartStopUnit {
                immed: true,
                ..StartStopUnit::load()
            },
            StartStopUnit::parse,
            StartStopUnit::emit,
        );
        // Power condition 3 (standby), no load or start.
        golden(
            &[0x1b, 0x00, 0x00, 0x00, 0x30, 0x00],
            StartStopUnit {
                immed: false,
                power_condition: 3,
                load_eject: false,
                start: false,
            },
            StartStopUnit::parse,
            StartStopUnit::emit,
        );
    }

    #[test]
    fn prevent_allow() {
        golden(
            &[0x1e, 0x00, 0x00, 0x00, 0x01, 0x00],
            PreventAllowMediumRemoval::prevent(),
            PreventAllowMediumRemoval::parse,
            PreventAllowMediumRemoval::emit,
        );
        golden(
            &[0x1e, 0x00, 0x00, 0x00, 0x00, 0x00],
            PreventAllowMediumRemoval::allow(),
            PreventAllowMediumRemoval::parse,
            PreventAllowMediumRemoval::emit,
        );
        // Bit 1 is not the prevent bit.
        assert_eq!(
            PreventAllowMediumRemoval::parse(&[0x1e, 0, 0, 0, 0x02, 0]),
            Ok(PreventAllowMediumRemoval::allow())
        );
    }

    #[test]
    fn get_configuration() {
        // Current features from 0000h (profile list), 8 bytes: the current
        // profile in the header.
        golden(
            &[0x46, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00],
            GetConfiguration {
                rt: FeatureRequest::Current,
                start_feature: 0x0000,
                alloc: 8,
            },
            GetConfiguration::parse,
            GetConfiguration::emit,
        );
        // Only CD Mastering (002Eh), 16 bytes.
        golden(
            &[0x46, 0x02, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00],
            GetConfiguration {
                rt: FeatureRequest::One,
                start_feature: 0x002e,
                alloc: 16,
            },
            GetConfiguration::parse,
            GetConfiguration::emit,
        );
        let reserved = GetConfiguration::parse(&[0x46, 0xff, 0, 0, 0, 0, 0, 0x10, 0x00, 0]);
        assert_eq!(reserved.unwrap().rt, FeatureRequest::Unknown(3));
        assert_eq!(reserved.unwrap().data_in_len(), 0x1000);
    }
}
