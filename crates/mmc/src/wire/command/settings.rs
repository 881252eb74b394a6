//! Commands that read or change the drive's settings: mode pages and
//! speeds (`cd-standards.md` §6.9, §6.18).

use super::{begin, bit, check, flag};
use crate::wire::{WireError, be16, be32, put_be16, put_be32};

/// MODE SENSE(10) (5Ah, §6.9): read a mode page.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 3 DBD |
/// | 2 | bits 7–6 PC, bits 5–0 page code |
/// | 3 | subpage code |
/// | 7–8 | allocation length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModeSense10 {
    /// Disable block descriptors.
    pub dbd: bool,
    /// Which values.
    pub control: PageControl,
    /// Page code (6 bits; 3Fh = all pages).
    pub page: u8,
    /// Subpage code.
    pub subpage: u8,
    /// Allocation length.
    pub alloc: u16,
}

impl ModeSense10 {
    /// Operation code.
    pub const OPCODE: u8 = 0x5a;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "MODE SENSE(10)";

    const FLAGS: usize = 1;
    const DBD: u8 = 0x08;
    const PAGE: usize = 2;
    const SUBPAGE: usize = 3;
    const ALLOC: usize = 7;

    /// The current values of `page`, `alloc` bytes.
    pub const fn new(page: u8, alloc: u16) -> ModeSense10 {
        ModeSense10 {
            dbd: false,
            control: PageControl::Current,
            page,
            subpage: 0,
            alloc,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ModeSense10, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ModeSense10 {
            dbd: bit(b[Self::FLAGS], Self::DBD),
            control: PageControl::from_code(b[Self::PAGE] >> 6),
            page: b[Self::PAGE] & 0x3f,
            subpage: b[Self::SUBPAGE],
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.dbd, Self::DBD);
        b[Self::PAGE] = self.control.code() << 6 | (self.page & 0x3f);
        b[Self::SUBPAGE] = self.subpage;
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

/// MODE SENSE(10)'s PC field: which values of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageControl {
    /// 00b: current values.
    Current,
    /// 01b: changeable bits (a mask).
    Changeable,
    /// 10b: default values.
    Default,
    /// 11b: saved values.
    Saved,
}

impl PageControl {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            PageControl::Current => 0b00,
            PageControl::Changeable => 0b01,
            PageControl::Default => 0b10,
            PageControl::Saved => 0b11,
        }
    }

    /// The page control of a code (low 2 bits).
    pub const fn from_code(v: u8) -> PageControl {
        match v & 0b11 {
            0b00 => PageControl::Current,
            0b01 => PageControl::Changeable,
            0b10 => PageControl::Default,
            _ => PageControl::Saved,
        }
    }
}

/// MODE SELECT(10) (55h, §6.9): send a mode parameter list (header and
/// pages).
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 4 PF, bit 0 SP |
/// | 7–8 | parameter list length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModeSelect10 {
    /// Page format: the pages follow the standard layout.
    pub pf: bool,
    /// Save pages.
    pub sp: bool,
    /// Parameter list length.
    pub param_len: u16,
}

impl ModeSelect10 {
    /// Operation code.
    pub const OPCODE: u8 = 0x55;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "MODE SELECT(10)";

    const FLAGS: usize = 1;
    const PF: u8 = 0x10;
    const SP: u8 = 0x01;
    const PARAM_LEN: usize = 7;

    /// `param_len` bytes of standard pages (PF = 1, SP = 0), as drives
    /// expect.
    pub const fn new(param_len: u16) -> ModeSelect10 {
        ModeSelect10 {
            pf: true,
            sp: false,
            param_len,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ModeSelect10, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ModeSelect10 {
            pf: bit(b[Self::FLAGS], Self::PF),
            sp: bit(b[Self::FLAGS], Self::SP),
            param_len: be16(b, Self::PARAM_LEN),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.pf, Self::PF) | flag(self.sp, Self::SP);
        put_be16(b, Self::PARAM_LEN, self.param_len);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the host sends.
    pub fn data_out_len(&self) -> u32 {
        u32::from(self.param_len)
    }
}

/// SET CD SPEED (BBh, §6.18): choose read and write speeds. No data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bits 1–0 rotation control |
/// | 2–3 | read speed, kB/s (k = 1000) |
/// | 4–5 | write speed, kB/s |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetCdSpeed {
    /// Rotation control (2 bits): 0 CLV or non-pure CAV, 1 pure CAV.
    pub rotation: u8,
    /// Read speed in kB/s; [`SetCdSpeed::MAX`] for the fastest.
    pub read_kbs: u16,
    /// Write speed in kB/s; [`SetCdSpeed::MAX`] for the fastest.
    pub write_kbs: u16,
}

impl SetCdSpeed {
    /// Operation code.
    pub const OPCODE: u8 = 0xbb;
    /// CDB length.
    pub const LEN: usize = 12;
    /// Command name.
    pub const NAME: &'static str = "SET CD SPEED";
    /// The speed value meaning "as fast as the drive can".
    pub const MAX: u16 = 0xffff;

    const ROTATION: usize = 1;
    const READ_SPEED: usize = 2;
    const WRITE_SPEED: usize = 4;

    /// Fastest reading and writing, CLV.
    pub const fn maximum() -> SetCdSpeed {
        SetCdSpeed {
            rotation: 0,
            read_kbs: Self::MAX,
            write_kbs: Self::MAX,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 12 bytes.
    pub fn parse(cdb: &[u8]) -> Result<SetCdSpeed, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(SetCdSpeed {
            rotation: b[Self::ROTATION] & 0x03,
            read_kbs: be16(b, Self::READ_SPEED),
            write_kbs: be16(b, Self::WRITE_SPEED),
        })
    }

    /// Writes the CDB into `out[..12]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::ROTATION] = self.rotation & 0x03;
        put_be16(b, Self::READ_SPEED, self.read_kbs);
        put_be16(b, Self::WRITE_SPEED, self.write_kbs);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// GET PERFORMANCE (ACh, §6.18): performance or write speed descriptors.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bits 4–3 tolerance, bit 2 Write, bits 1–0 Except |
/// | 2–5 | starting LBA |
/// | 8–9 | maximum number of descriptors |
/// | 10 | type |
///
/// There is no allocation length: the reply is an 8-byte header and up to
/// `max_descriptors` descriptors whose size depends on the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetPerformance {
    /// Which descriptors.
    pub data_type: PerformanceType,
    /// Tolerance (2 bits; 10b = 10 %), for [`PerformanceType::Performance`].
    pub tolerance: u8,
    /// Write rather than read performance, for
    /// [`PerformanceType::Performance`].
    pub write: bool,
    /// Except (2 bits): 00b nominal performance, 01b with exceptions, 10b
    /// exceptions only.
    pub except: u8,
    /// Starting LBA.
    pub lba: i32,
    /// Maximum number of descriptors.
    pub max_descriptors: u16,
}

impl GetPerformance {
    /// Operation code.
    pub const OPCODE: u8 = 0xac;
    /// CDB length.
    pub const LEN: usize = 12;
    /// Command name.
    pub const NAME: &'static str = "GET PERFORMANCE";
    /// Bytes of the reply header.
    pub const HEADER_LEN: u32 = 8;
    /// Bytes of a write speed descriptor, or of a nominal performance
    /// descriptor.
    pub const DESCRIPTOR_LEN: u32 = 16;

    const FLAGS: usize = 1;
    const WRITE: u8 = 0x04;
    const LBA: usize = 2;
    const MAX_DESCRIPTORS: usize = 8;
    const TYPE: usize = 10;

    /// Up to `max` write speed descriptors.
    pub const fn write_speeds(max: u16) -> GetPerformance {
        GetPerformance {
            data_type: PerformanceType::WriteSpeed,
            tolerance: 0,
            write: false,
            except: 0,
            lba: 0,
            max_descriptors: max,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 12 bytes.
    pub fn parse(cdb: &[u8]) -> Result<GetPerformance, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        let flags = b[Self::FLAGS];
        Ok(GetPerformance {
            data_type: PerformanceType::from_code(b[Self::TYPE]),
            tolerance: (flags >> 3) & 0x03,
            write: bit(flags, Self::WRITE),
            except: flags & 0x03,
            lba: be32(b, Self::LBA) as i32,
            max_descriptors: be16(b, Self::MAX_DESCRIPTORS),
        })
    }

    /// Writes the CDB into `out[..12]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] =
            (self.tolerance & 0x03) << 3 | flag(self.write, Self::WRITE) | (self.except & 0x03);
        put_be32(b, Self::LBA, self.lba as u32);
        put_be16(b, Self::MAX_DESCRIPTORS, self.max_descriptors);
        b[Self::TYPE] = self.data_type.code();
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Most bytes the drive may return: the header and `max_descriptors`
    /// 16-byte descriptors, for write speeds and for nominal performance
    /// (Except = 0). `None` for other types and for exception lists, whose
    /// descriptors this module does not size.
    pub fn data_in_len(&self) -> Option<u32> {
        let sized = match self.data_type {
            PerformanceType::WriteSpeed => true,
            PerformanceType::Performance => self.except == 0,
            PerformanceType::Unknown(_) => false,
        };
        sized.then(|| Self::HEADER_LEN + Self::DESCRIPTOR_LEN * u32::from(self.max_descriptors))
    }
}

/// GET PERFORMANCE's Type field: which descriptors to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PerformanceType {
    /// 00h: performance (nominal or exceptions, per Except).
    Performance,
    /// 03h: write speed descriptors.
    WriteSpeed,
    /// Any other type (unusable area, defect status, DBI, …).
    Unknown(u8),
}

impl PerformanceType {
    /// The byte.
    pub const fn code(self) -> u8 {
        match self {
            PerformanceType::Performance => 0x00,
            PerformanceType::WriteSpeed => 0x03,
            PerformanceType::Unknown(v) => v,
        }
    }

    /// The type of a byte.
    pub const fn from_code(v: u8) -> PerformanceType {
        match v {
            0x00 => PerformanceType::Performance,
            0x03 => PerformanceType::WriteSpeed,
            v => PerformanceType::Unknown(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::command::tests::golden;

    #[test]
    fn mode_sense_10() {
        // Write Parameters page 05h, current values, 60 bytes.
        golden(
            &[0x5a, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00],
            ModeSense10::new(0x05, 60),
            ModeSense10::parse,
            ModeSense10::emit,
        );
        // Capabilities page 2Ah, changeable values, DBD.
        golden(
            &[0x5a, 0x08, 0x6a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00],
            ModeSense10 {
                dbd: true,
                control: PageControl::Changeable,
                page: 0x2a,
                subpage: 0,
                alloc: 256,
            },
            ModeSense10::parse,
            ModeSense10::emit,
        );
    }

    #[test]
    fn mode_select_10() {
        // Header (8) and a 0x32-byte page 05h with its 2-byte header: 60.
        let bytes = [0x55, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00];
        golden(
            &bytes,
            ModeSelect10::new(60),
            ModeSelect10::parse,
            ModeSelect10::emit,
        );
        assert_eq!(ModeSelect10::new(60).data_out_len(), 60);
        let sp = ModeSelect10::parse(&[0x55, 0x11, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert!(sp.pf && sp.sp);
    }

    #[test]
    fn set_cd_speed() {
        golden(
            &[
                0xbb, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            SetCdSpeed::maximum(),
            SetCdSpeed::parse,
            SetCdSpeed::emit,
        );
        // Read at maximum, write at 8x (8 × 176.4 = 1411.2, asked as 1412 kB/s).
        golden(
            &[
                0xbb, 0x00, 0xff, 0xff, 0x05, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            SetCdSpeed {
                rotation: 0,
                read_kbs: SetCdSpeed::MAX,
                write_kbs: 1412,
            },
            SetCdSpeed::parse,
            SetCdSpeed::emit,
        );
    }

    #[test]
    fn get_performance() {
        // Up to 16 write speed descriptors.
        let bytes = [
            0xac, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x03, 0x00,
        ];
        golden(
            &bytes,
            GetPerformance::write_speeds(16),
            GetPerformance::parse,
            GetPerformance::emit,
        );
        assert_eq!(
            GetPerformance::write_speeds(16).data_in_len(),
            Some(8 + 16 * 16)
        );
        // Nominal write performance, 10 % tolerance, from LBA 0, one
        // descriptor.
        let nominal = GetPerformance {
            data_type: PerformanceType::Performance,
            tolerance: 0b10,
            write: true,
            except: 0,
            lba: 0,
            max_descriptors: 1,
        };
        golden(
            &[
                0xac, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            ],
            nominal,
            GetPerformance::parse,
            GetPerformance::emit,
        );
        assert_eq!(nominal.data_in_len(), Some(24));
        let exceptions = GetPerformance {
            except: 0b10,
            ..nominal
        };
        assert_eq!(exceptions.data_in_len(), None);
        let defects = GetPerformance {
            data_type: PerformanceType::from_code(0x02),
            ..nominal
        };
        assert_eq!(defects.data_in_len(), None);
    }
}
