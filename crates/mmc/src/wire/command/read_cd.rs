//! READ CD (BEh): sectors with any choice of main-channel fields, C2 error
//! information and sub-channel (`cd-standards.md` §6.19).

use super::{begin, bit, check, flag};
use crate::wire::{WireError, be24, be32, put_be24, put_be32};

/// READ CD (BEh, §6.19).
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bits 4–2 expected sector type, bit 1 DAP |
/// | 2–5 | starting LBA (signed) |
/// | 6–8 | transfer length, blocks (24 bits) |
/// | 9 | bit 7 SYNC, bits 6–5 header codes, bit 4 user data, bit 3 EDC & ECC, bits 2–1 C2 error information |
/// | 10 | bits 2–0 sub-channel selection |
///
/// Each block comes back as sync, header, subheader, user data, EDC/ECC,
/// C2 information and sub-channel, each part present when selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadCd {
    /// Sector type the drive must find (else it fails the command).
    pub sector_type: SectorType,
    /// Digital audio play: let the drive conceal errors in audio.
    pub dap: bool,
    /// First block.
    pub lba: i32,
    /// Number of blocks (24 bits on the wire).
    pub blocks: u32,
    /// Return the 12-byte sync pattern.
    pub sync: bool,
    /// Which header fields to return.
    pub headers: HeaderCodes,
    /// Return the user data.
    pub user_data: bool,
    /// Return EDC and ECC.
    pub edc_ecc: bool,
    /// C2 error information to append.
    pub c2: C2Errors,
    /// Sub-channel data to append.
    pub subchannel: Subchannel,
}

impl ReadCd {
    /// Operation code.
    pub const OPCODE: u8 = 0xbe;
    /// CDB length.
    pub const LEN: usize = 12;
    /// Command name.
    pub const NAME: &'static str = "READ CD";
    /// Byte 9's main-channel bits (SYNC, header codes, user data,
    /// EDC & ECC) for a whole 2352-byte sector.
    pub const RAW_MAIN: u8 = 0xf8;

    const TYPE: usize = 1;
    const DAP: u8 = 0x02;
    const LBA: usize = 2;
    const BLOCKS: usize = 6;
    const SELECT: usize = 9;
    const SYNC: u8 = 0x80;
    const USER_DATA: u8 = 0x10;
    const EDC_ECC: u8 = 0x08;
    const SUBCHANNEL: usize = 10;

    /// Whole 2352-byte sectors of any type (byte 9 = F8h), no C2, with
    /// `subchannel`: the raw read.
    pub const fn raw(lba: i32, blocks: u32, subchannel: Subchannel) -> ReadCd {
        ReadCd {
            sector_type: SectorType::Any,
            dap: false,
            lba,
            blocks,
            sync: true,
            headers: HeaderCodes::All,
            user_data: true,
            edc_ecc: true,
            c2: C2Errors::None,
            subchannel,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 12 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ReadCd, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        let select = b[Self::SELECT];
        Ok(ReadCd {
            sector_type: SectorType::from_code(b[Self::TYPE] >> 2),
            dap: bit(b[Self::TYPE], Self::DAP),
            lba: be32(b, Self::LBA) as i32,
            blocks: be24(b, Self::BLOCKS),
            sync: bit(select, Self::SYNC),
            headers: HeaderCodes::from_code(select >> 5),
            user_data: bit(select, Self::USER_DATA),
            edc_ecc: bit(select, Self::EDC_ECC),
            c2: C2Errors::from_code(select >> 1),
            subchannel: Subchannel::from_code(b[Self::SUBCHANNEL]),
        })
    }

    /// Writes the CDB into `out[..12]` (the low 24 bits of `blocks`).
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::TYPE] = self.sector_type.code() << 2 | flag(self.dap, Self::DAP);
        put_be32(b, Self::LBA, self.lba as u32);
        put_be24(b, Self::BLOCKS, self.blocks & 0x00ff_ffff);
        b[Self::SELECT] = self.main_channel() | self.c2.code() << 1;
        b[Self::SUBCHANNEL] = self.subchannel.code();
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes per block, when the CDB alone fixes them:
    ///
    /// - main channel: 2352 for byte 9 = F8h (the whole sector, any type);
    ///   for CD-DA, 2352 with user data and 0 without, whatever the other
    ///   bits; 0 with no main-channel field selected; with user data only
    ///   (10h), 2048 for Mode 1 and Mode 2 Form 1, 2336 for Mode 2
    ///   formless, 2324 for Mode 2 Form 2;
    /// - plus 294 or 296 bytes of C2 information;
    /// - plus 96 bytes of raw P–W or corrected R–W sub-channel, or 16 of
    ///   formatted Q.
    ///
    /// `None` when the size depends on the sectors found (any other
    /// main-channel selection, or user data only with the sector type
    /// "any") or a field holds a reserved value.
    pub fn bytes_per_block(&self) -> Option<u32> {
        let main = self.main_bytes()?;
        let c2 = match self.c2 {
            C2Errors::None => 0,
            C2Errors::C2Bits294 => 294,
            C2Errors::C2Block296 => 296,
            C2Errors::Unknown(_) => return None,
        };
        let sub = match self.subchannel {
            Subchannel::None => 0,
            Subchannel::RawPw96 | Subchannel::CorrectedRw96 => 96,
            Subchannel::FormattedQ16 => 16,
            Subchannel::Unknown(_) => return None,
        };
        Some(main + c2 + sub)
    }

    /// Bytes the drive returns: `blocks` × [`ReadCd::bytes_per_block`];
    /// `None` when that is unknown or the product exceeds 32 bits.
    pub fn data_in_len(&self) -> Option<u32> {
        self.bytes_per_block()?
            .checked_mul(self.blocks & 0x00ff_ffff)
    }

    /// Byte 9 without the C2 bits.
    fn main_channel(&self) -> u8 {
        flag(self.sync, Self::SYNC)
            | self.headers.code() << 5
            | flag(self.user_data, Self::USER_DATA)
            | flag(self.edc_ecc, Self::EDC_ECC)
    }

    /// Main-channel bytes per block (see [`ReadCd::bytes_per_block`]).
    fn main_bytes(&self) -> Option<u32> {
        match (self.sector_type, self.main_channel()) {
            (SectorType::Unknown(_), _) => None,
            (SectorType::CdDa, _) => Some(if self.user_data { 2352 } else { 0 }),
            (_, 0x00) => Some(0),
            (_, Self::RAW_MAIN) => Some(2352),
            (SectorType::Mode1 | SectorType::Mode2Form1, Self::USER_DATA) => Some(2048),
            (SectorType::Mode2Formless, Self::USER_DATA) => Some(2336),
            (SectorType::Mode2Form2, Self::USER_DATA) => Some(2324),
            _ => None,
        }
    }
}

/// READ CD's expected sector type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SectorType {
    /// 0: any type.
    Any,
    /// 1: CD-DA (audio).
    CdDa,
    /// 2: Mode 1.
    Mode1,
    /// 3: Mode 2 formless.
    Mode2Formless,
    /// 4: Mode 2 Form 1.
    Mode2Form1,
    /// 5: Mode 2 Form 2.
    Mode2Form2,
    /// 6 or 7 (reserved).
    Unknown(u8),
}

impl SectorType {
    /// The 3-bit code.
    pub const fn code(self) -> u8 {
        match self {
            SectorType::Any => 0,
            SectorType::CdDa => 1,
            SectorType::Mode1 => 2,
            SectorType::Mode2Formless => 3,
            SectorType::Mode2Form1 => 4,
            SectorType::Mode2Form2 => 5,
            SectorType::Unknown(v) => v & 0b111,
        }
    }

    /// The type of a code (low 3 bits).
    pub const fn from_code(v: u8) -> SectorType {
        match v & 0b111 {
            0 => SectorType::Any,
            1 => SectorType::CdDa,
            2 => SectorType::Mode1,
            3 => SectorType::Mode2Formless,
            4 => SectorType::Mode2Form1,
            5 => SectorType::Mode2Form2,
            v => SectorType::Unknown(v),
        }
    }
}

/// READ CD's header codes: which of the 4-byte header and the 8-byte XA
/// subheader to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderCodes {
    /// 00b: neither.
    None,
    /// 01b: the header.
    HeaderOnly,
    /// 10b: the subheader.
    SubheaderOnly,
    /// 11b: both.
    All,
}

impl HeaderCodes {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            HeaderCodes::None => 0b00,
            HeaderCodes::HeaderOnly => 0b01,
            HeaderCodes::SubheaderOnly => 0b10,
            HeaderCodes::All => 0b11,
        }
    }

    /// The header codes of a code (low 2 bits).
    pub const fn from_code(v: u8) -> HeaderCodes {
        match v & 0b11 {
            0b00 => HeaderCodes::None,
            0b01 => HeaderCodes::HeaderOnly,
            0b10 => HeaderCodes::SubheaderOnly,
            _ => HeaderCodes::All,
        }
    }
}

/// READ CD's C2 error information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum C2Errors {
    /// 00b: none.
    None,
    /// 01b: 294 bytes, one bit per main-channel byte.
    C2Bits294,
    /// 10b: 296 bytes, the 294 and a block error byte (and a pad byte).
    C2Block296,
    /// 11b (reserved).
    Unknown(u8),
}

impl C2Errors {
    /// The 2-bit code.
    pub const fn code(self) -> u8 {
        match self {
            C2Errors::None => 0b00,
            C2Errors::C2Bits294 => 0b01,
            C2Errors::C2Block296 => 0b10,
            C2Errors::Unknown(v) => v & 0b11,
        }
    }

    /// The selection of a code (low 2 bits).
    pub const fn from_code(v: u8) -> C2Errors {
        match v & 0b11 {
            0b00 => C2Errors::None,
            0b01 => C2Errors::C2Bits294,
            0b10 => C2Errors::C2Block296,
            v => C2Errors::Unknown(v),
        }
    }
}

/// READ CD's sub-channel selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Subchannel {
    /// 000b: none.
    None,
    /// 001b: raw P–W, 96 bytes, interleaved as on the disc.
    RawPw96,
    /// 010b: formatted Q, 16 bytes.
    FormattedQ16,
    /// 100b: R–W de-interleaved and error-corrected, 96 bytes.
    CorrectedRw96,
    /// Any other 3-bit value (reserved).
    Unknown(u8),
}

impl Subchannel {
    /// The 3-bit code.
    pub const fn code(self) -> u8 {
        match self {
            Subchannel::None => 0b000,
            Subchannel::RawPw96 => 0b001,
            Subchannel::FormattedQ16 => 0b010,
            Subchannel::CorrectedRw96 => 0b100,
            Subchannel::Unknown(v) => v & 0b111,
        }
    }

    /// The selection of a code (low 3 bits).
    pub const fn from_code(v: u8) -> Subchannel {
        match v & 0b111 {
            0b000 => Subchannel::None,
            0b001 => Subchannel::RawPw96,
            0b010 => Subchannel::FormattedQ16,
            0b100 => Subchannel::CorrectedRw96,
            v => Subchannel::Unknown(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::command::tests::golden;

    #[test]
    fn raw_with_pw() {
        // LBA 0, one block, F8h and raw P-W: 2448 bytes.
        let bytes = [
            0xbe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xf8, 0x01, 0x00,
        ];
        let r = ReadCd::raw(0, 1, Subchannel::RawPw96);
        golden(&bytes, r, ReadCd::parse, ReadCd::emit);
        assert_eq!(r.to_bytes(), bytes);
        assert_eq!(r.bytes_per_block(), Some(2448));
        assert_eq!(r.data_in_len(), Some(2448));
    }

    #[test]
    fn pregap_with_c2_and_corrected_rw() {
        // LBA -150, 75 blocks, F8h + C2 and block error byte, corrected
        // R-W.
        let bytes = [
            0xbe, 0x00, 0xff, 0xff, 0xff, 0x6a, 0x00, 0x00, 0x4b, 0xfc, 0x04, 0x00,
        ];
        let r = ReadCd {
            c2: C2Errors::C2Block296,
            ..ReadCd::raw(-150, 75, Subchannel::CorrectedRw96)
        };
        golden(&bytes, r, ReadCd::parse, ReadCd::emit);
        assert_eq!(r.bytes_per_block(), Some(2352 + 296 + 96));
        assert_eq!(r.data_in_len(), Some(75 * 2744));
    }

    #[test]
    fn audio_and_mode1_user_data() {
        // CD-DA with DAP, 26 blocks of user data from LBA 1000 (0x3E8).
        let audio = [
            0xbe, 0x06, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x1a, 0x10, 0x00, 0x00,
        ];
        let r = ReadCd::parse(&audio).unwrap();
        assert_eq!(r.sector_type, SectorType::CdDa);
        assert!(r.dap && r.user_data && !r.sync);
        assert_eq!(r.bytes_per_block(), Some(2352));
        golden(&audio, r, ReadCd::parse, ReadCd::emit);
        // The ISO 9660 volume descriptor: Mode 1 user data at LBA 16, and
        // Q beside it.
        let pvd = [
            0xbe, 0x08, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x10, 0x02, 0x00,
        ];
        let r = ReadCd::parse(&pvd).unwrap();
        assert_eq!(
            r,
            ReadCd {
                sector_type: SectorType::Mode1,
                dap: false,
                lba: 16,
                blocks: 1,
                sync: false,
                headers: HeaderCodes::None,
                user_data: true,
                edc_ecc: false,
                c2: C2Errors::None,
                subchannel: Subchannel::FormattedQ16,
            }
        );
        assert_eq!(r.bytes_per_block(), Some(2048 + 16));
        golden(&pvd, r, ReadCd::parse, ReadCd::emit);
    }

    #[test]
    fn transfer_length_is_24_bits() {
        let r = ReadCd::raw(0, 0x0123_4567, Subchannel::None);
        assert_eq!(r.to_bytes()[6..9], [0x23, 0x45, 0x67]);
        assert_eq!(ReadCd::parse(&r.to_bytes()).unwrap().blocks, 0x23_4567);
        // 0xFFFFFF blocks of 2448 bytes do not fit 32 bits.
        assert_eq!(
            ReadCd::raw(0, 0xff_ffff, Subchannel::RawPw96).data_in_len(),
            None
        );
    }

    #[test]
    fn bytes_per_block_table() {
        use C2Errors as C;
        use SectorType as T;
        use Subchannel as S;
        /// Byte 9 main-channel bits.
        fn with(t: SectorType, main: u8, c2: C2Errors, sub: Subchannel) -> ReadCd {
            let mut cdb = ReadCd::raw(0, 1, sub).to_bytes();
            cdb[1] = t.code() << 2;
            cdb[9] = main | c2.code() << 1;
            ReadCd::parse(&cdb).unwrap()
        }
        let table: &[(SectorType, u8, C2Errors, Subchannel, Option<u32>)] = &[
            // The whole sector, whatever the type.
            (T::Any, 0xf8, C::None, S::None, Some(2352)),
            (T::CdDa, 0xf8, C::None, S::None, Some(2352)),
            (T::Mode1, 0xf8, C::None, S::None, Some(2352)),
            (T::Mode2Formless, 0xf8, C::None, S::None, Some(2352)),
            (T::Mode2Form1, 0xf8, C::None, S::None, Some(2352)),
            (T::Mode2Form2, 0xf8, C::None, S::None, Some(2352)),
            (T::Any, 0xf8, C::None, S::RawPw96, Some(2448)),
            (T::Any, 0xf8, C::None, S::FormattedQ16, Some(2368)),
            (T::Any, 0xf8, C::None, S::CorrectedRw96, Some(2448)),
            (T::Any, 0xf8, C::C2Bits294, S::None, Some(2646)),
            (T::Any, 0xf8, C::C2Block296, S::RawPw96, Some(2744)),
            // CD-DA: user data or nothing.
            (T::CdDa, 0x10, C::None, S::None, Some(2352)),
            (T::CdDa, 0x90, C::None, S::None, Some(2352)),
            (T::CdDa, 0x80, C::None, S::None, Some(0)),
            (T::CdDa, 0x00, C::None, S::RawPw96, Some(96)),
            (T::CdDa, 0x10, C::C2Bits294, S::FormattedQ16, Some(2662)),
            // User data only.
            (T::Mode1, 0x10, C::None, S::None, Some(2048)),
            (T::Mode2Form1, 0x10, C::None, S::None, Some(2048)),
            (T::Mode2Formless, 0x10, C::None, S::None, Some(2336)),
            (T::Mode2Form2, 0x10, C::None, S::None, Some(2324)),
            (T::Mode1, 0x10, C::None, S::RawPw96, Some(2144)),
            (T::Any, 0x10, C::None, S::None, None),
            // Sub-channel only.
            (T::Any, 0x00, C::None, S::FormattedQ16, Some(16)),
            (T::Mode1, 0x00, C::None, S::None, Some(0)),
            // Other selections depend on the sector.
            (T::Mode1, 0x30, C::None, S::None, None),
            (T::Mode2Form1, 0x58, C::None, S::None, None),
            (T::Any, 0x80, C::None, S::None, None),
            (T::Mode1, 0xb8, C::None, S::None, None),
            // Reserved values.
            (T::Unknown(6), 0xf8, C::None, S::None, None),
            (T::Any, 0xf8, C::Unknown(3), S::None, None),
            (T::Any, 0xf8, C::None, S::Unknown(3), None),
            (T::Any, 0xf8, C::None, S::Unknown(7), None),
        ];
        for &(t, main, c2, sub, expected) in table {
            let r = with(t, main, c2, sub);
            assert_eq!(
                r.bytes_per_block(),
                expected,
                "{t:?} {main:02x} {c2:?} {sub:?}"
            );
        }
    }
}
