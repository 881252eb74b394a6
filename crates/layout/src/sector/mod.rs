//! Exact CD sectors: the 2352-byte main-channel frame of every sector type.
//!
//! - [`SectorType`] names what a track holds (IMAPI2's `IMAPI_CD_SECTOR_TYPE`
//!   plus mixed-form XA) and how many bytes of input each sector takes.
//! - [`SectorEncoder`] turns input into finished sectors: sync, BCD header,
//!   XA subheader, EDC and ECC, one sector or a whole batch at a time.
//! - [`check_sector`] decodes a sector back: mode, address, user data, and
//!   whether its EDC and ECC hold.
//! - [`scramble()`] applies the ECMA-130 Annex B scrambler for raw writing.
//!
//! Byte layouts: `cd-standards.md` §1 (ECMA-130, CD-ROM XA).

mod check;
pub mod ecc;
pub mod edc;
mod encode;
pub mod scramble;

pub use check::{
    EccStatus, EdcStatus, Expect, SectorKind, SectorProblem, SectorReport, check_sector,
};
pub use encode::SectorEncoder;
pub use scramble::scramble;

use crate::msf::{GeometryError, Lba, Msf};
use core::fmt;

/// Bytes of main channel per sector.
pub const SECTOR_SIZE: usize = 2352;
/// Bytes of user data in a Mode 1 or Mode 2 Form 1 sector.
pub const FORM1_USER_SIZE: usize = 2048;
/// Bytes of user data in a Mode 2 Form 2 sector.
pub const FORM2_USER_SIZE: usize = 2324;
/// Bytes after the header of a Mode 0 or Mode 2 sector.
pub const MODE2_SIZE: usize = 2336;
/// The 12-byte sync pattern that opens every data sector.
pub const SYNC: [u8; 12] = [
    0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
];

/// Byte ranges of a 2352-byte sector (`cd-standards.md` §1.1–§1.2).
pub mod field {
    /// A byte range within a sector.
    pub type Field = core::ops::Range<usize>;

    /// Sync pattern.
    pub const SYNC: Field = 0..12;
    /// Header: minute, second, frame (BCD) and mode.
    pub const HEADER: Field = 12..16;
    /// Header address (BCD minute, second, frame).
    pub const ADDRESS: Field = 12..15;
    /// Header mode byte.
    pub const MODE: usize = 15;
    /// Mode 1 user data.
    pub const MODE1_USER: Field = 16..2064;
    /// Mode 1 EDC (over bytes 0..2064).
    pub const MODE1_EDC: Field = 2064..2068;
    /// Mode 1 intermediate field, always zero.
    pub const MODE1_ZERO: Field = 2068..2076;
    /// Mode 0 and Mode 2 formless data after the header.
    pub const MODE2_DATA: Field = 16..2352;
    /// XA subheader, four bytes written twice.
    pub const SUBHEADER: Field = 16..24;
    /// Mode 2 Form 1 user data.
    pub const FORM1_USER: Field = 24..2072;
    /// Mode 2 Form 1 EDC (over bytes 16..2072).
    pub const FORM1_EDC: Field = 2072..2076;
    /// Mode 2 Form 2 user data.
    pub const FORM2_USER: Field = 24..2348;
    /// Mode 2 Form 2 EDC (over bytes 16..2348), optional (zero when unused).
    pub const FORM2_EDC: Field = 2348..2352;
    /// P parity (RSPC).
    pub const ECC_P: Field = 2076..2248;
    /// Q parity (RSPC).
    pub const ECC_Q: Field = 2248..2352;
}

/// What a track's sectors hold and how their input is laid out.
///
/// The first ten variants are IMAPI2's `IMAPI_CD_SECTOR_TYPE` with its values
/// ([`SectorType::imapi_value`]); [`SectorType::Mode2Xa`] and
/// [`SectorType::Mode2Raw`] are rawburn's own, for Mode 2 tracks whose form
/// changes from sector to sector as image files store them (`MODE2/2336`,
/// `MODE2/2352`, `CDI/…` cue tracks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SectorType {
    /// CD-DA: 2352 bytes of 16-bit little-endian stereo PCM, used as given.
    Audio,
    /// Mode 0: header only; the 2336 bytes after it must be zero.
    Mode0,
    /// Mode 1: 2048 bytes of user data; EDC and ECC added.
    Mode1,
    /// Mode 2 formless: 2336 bytes after the header, no EDC or ECC.
    Mode2Formless,
    /// Mode 2 Form 1: 2048 bytes of user data; subheader, EDC and ECC added.
    Mode2Form1,
    /// Mode 2 Form 2: 2324 bytes of user data; subheader and EDC added.
    Mode2Form2,
    /// A finished 2352-byte Mode 1 sector, kept as given.
    Mode1Raw,
    /// A finished 2352-byte Mode 2 formless sector, kept as given.
    Mode2FormlessRaw,
    /// A finished 2352-byte Mode 2 Form 1 sector, kept as given.
    Mode2Form1Raw,
    /// A finished 2352-byte Mode 2 Form 2 sector, kept as given.
    Mode2Form2Raw,
    /// Mode 2 XA as image files store it (`MODE2/2336`, `CDI/2336`): the 2336
    /// bytes after the header, kept as given. They already carry the
    /// subheader, user data, EDC and ECC of either form, none of which
    /// depends on the sector's address, so only sync and header are added.
    Mode2Xa,
    /// Finished 2352-byte Mode 2 sectors of any form (`MODE2/2352`,
    /// `CDI/2352`), kept as given.
    Mode2Raw,
}

impl SectorType {
    /// Every sector type, IMAPI2 values first.
    pub const ALL: [SectorType; 12] = [
        SectorType::Audio,
        SectorType::Mode0,
        SectorType::Mode1,
        SectorType::Mode2Formless,
        SectorType::Mode2Form1,
        SectorType::Mode2Form2,
        SectorType::Mode1Raw,
        SectorType::Mode2FormlessRaw,
        SectorType::Mode2Form1Raw,
        SectorType::Mode2Form2Raw,
        SectorType::Mode2Xa,
        SectorType::Mode2Raw,
    ];

    /// The `IMAPI_CD_SECTOR_TYPE` value, if IMAPI2 has this type.
    pub const fn imapi_value(self) -> Option<u8> {
        Some(match self {
            SectorType::Audio => 0,
            SectorType::Mode0 => 1,
            SectorType::Mode1 => 2,
            SectorType::Mode2Formless => 3,
            SectorType::Mode2Form1 => 4,
            SectorType::Mode2Form2 => 5,
            SectorType::Mode1Raw => 6,
            SectorType::Mode2FormlessRaw => 7,
            SectorType::Mode2Form1Raw => 8,
            SectorType::Mode2Form2Raw => 9,
            SectorType::Mode2Xa | SectorType::Mode2Raw => return None,
        })
    }

    /// The sector type of an `IMAPI_CD_SECTOR_TYPE` value.
    pub const fn from_imapi_value(v: u8) -> Option<SectorType> {
        Some(match v {
            0 => SectorType::Audio,
            1 => SectorType::Mode0,
            2 => SectorType::Mode1,
            3 => SectorType::Mode2Formless,
            4 => SectorType::Mode2Form1,
            5 => SectorType::Mode2Form2,
            6 => SectorType::Mode1Raw,
            7 => SectorType::Mode2FormlessRaw,
            8 => SectorType::Mode2Form1Raw,
            9 => SectorType::Mode2Form2Raw,
            _ => return None,
        })
    }

    /// Bytes of input each sector of this type takes.
    pub const fn input_len(self) -> usize {
        match self {
            SectorType::Audio
            | SectorType::Mode1Raw
            | SectorType::Mode2FormlessRaw
            | SectorType::Mode2Form1Raw
            | SectorType::Mode2Form2Raw
            | SectorType::Mode2Raw => SECTOR_SIZE,
            SectorType::Mode0 | SectorType::Mode2Formless | SectorType::Mode2Xa => MODE2_SIZE,
            SectorType::Mode1 | SectorType::Mode2Form1 => FORM1_USER_SIZE,
            SectorType::Mode2Form2 => FORM2_USER_SIZE,
        }
    }

    /// Whether this is CD-DA (never scrambled, no sync or header).
    pub const fn is_audio(self) -> bool {
        matches!(self, SectorType::Audio)
    }

    /// Whether the input is a finished 2352-byte sector kept as given.
    pub const fn is_raw(self) -> bool {
        matches!(
            self,
            SectorType::Mode1Raw
                | SectorType::Mode2FormlessRaw
                | SectorType::Mode2Form1Raw
                | SectorType::Mode2Form2Raw
                | SectorType::Mode2Raw
        )
    }

    /// The header mode byte of this type's sectors (`None` for audio).
    pub const fn mode(self) -> Option<u8> {
        match self {
            SectorType::Audio => None,
            SectorType::Mode0 => Some(0),
            SectorType::Mode1 | SectorType::Mode1Raw => Some(1),
            _ => Some(2),
        }
    }

    /// Whether sectors of this type carry an XA subheader.
    pub const fn has_subheader(self) -> bool {
        matches!(
            self,
            SectorType::Mode2Form1
                | SectorType::Mode2Form2
                | SectorType::Mode2Form1Raw
                | SectorType::Mode2Form2Raw
                | SectorType::Mode2Xa
        )
    }

    /// A short lowercase name, as used in messages.
    pub const fn name(self) -> &'static str {
        match self {
            SectorType::Audio => "audio",
            SectorType::Mode0 => "mode 0",
            SectorType::Mode1 => "mode 1",
            SectorType::Mode2Formless => "mode 2 formless",
            SectorType::Mode2Form1 => "mode 2 form 1",
            SectorType::Mode2Form2 => "mode 2 form 2",
            SectorType::Mode1Raw => "raw mode 1",
            SectorType::Mode2FormlessRaw => "raw mode 2 formless",
            SectorType::Mode2Form1Raw => "raw mode 2 form 1",
            SectorType::Mode2Form2Raw => "raw mode 2 form 2",
            SectorType::Mode2Xa => "mode 2 xa",
            SectorType::Mode2Raw => "raw mode 2",
        }
    }
}

impl fmt::Display for SectorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Submode bits of the XA subheader (`cd-standards.md` §1.3).
pub mod submode {
    /// End of record.
    pub const EOR: u8 = 0x01;
    /// Video data.
    pub const VIDEO: u8 = 0x02;
    /// ADPCM audio.
    pub const AUDIO: u8 = 0x04;
    /// Data.
    pub const DATA: u8 = 0x08;
    /// Trigger.
    pub const TRIGGER: u8 = 0x10;
    /// Form 2 (clear for Form 1).
    pub const FORM2: u8 = 0x20;
    /// Real-time sector.
    pub const REAL_TIME: u8 = 0x40;
    /// End of file.
    pub const EOF: u8 = 0x80;
}

/// The CD-ROM XA subheader of a Mode 2 Form 1/2 sector: four bytes, written
/// twice (bytes 16–19 and 20–23).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct XaSubheader {
    /// File number.
    pub file: u8,
    /// Channel number.
    pub channel: u8,
    /// Submode flags ([`submode`]); bit 5 selects Form 2.
    pub submode: u8,
    /// Coding information (0 for data sectors).
    pub coding: u8,
}

impl XaSubheader {
    /// The usual subheader of a Form 1 data sector (submode DATA).
    pub const FORM1_DATA: XaSubheader = XaSubheader {
        file: 0,
        channel: 0,
        submode: submode::DATA,
        coding: 0,
    };
    /// The usual subheader of a Form 2 sector (submode FORM2).
    pub const FORM2: XaSubheader = XaSubheader {
        file: 0,
        channel: 0,
        submode: submode::FORM2,
        coding: 0,
    };

    /// The four bytes: file, channel, submode, coding.
    pub const fn to_bytes(self) -> [u8; 4] {
        [self.file, self.channel, self.submode, self.coding]
    }

    /// A subheader from its four bytes.
    pub const fn from_bytes(b: [u8; 4]) -> XaSubheader {
        XaSubheader {
            file: b[0],
            channel: b[1],
            submode: b[2],
            coding: b[3],
        }
    }

    /// Whether the submode selects Form 2.
    pub const fn is_form2(self) -> bool {
        self.submode & submode::FORM2 != 0
    }
}

/// Errors from encoding sectors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SectorError {
    /// The input is not a whole number of sectors of the type.
    #[error("{ty} input must be a multiple of {per_sector} bytes per sector, got {got} bytes")]
    InputLength {
        /// The sector type.
        ty: SectorType,
        /// Bytes per sector this type takes.
        per_sector: usize,
        /// Bytes given.
        got: usize,
    },
    /// The output buffer cannot hold the sectors.
    #[error("output holds {got} bytes but {sectors} sectors need {needed}")]
    OutputTooSmall {
        /// Sectors to encode.
        sectors: usize,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The output stride is smaller than a sector.
    #[error("output stride {0} is smaller than a 2352-byte sector")]
    StrideTooSmall(usize),
    /// A sector's address has no on-disc time.
    #[error("sector address: {0}")]
    Address(#[from] GeometryError),
    /// Mode 0 input carries non-zero data.
    #[error(
        "mode 0 sector at lba {lba}: input byte {offset} is 0x{value:02x}, mode 0 data must be zero"
    )]
    Mode0NotZero {
        /// Address of the sector.
        lba: Lba,
        /// Offset within that sector's input.
        offset: usize,
        /// The offending byte.
        value: u8,
    },
    /// A subheader's form bit disagrees with the sector type.
    #[error("{ty} needs submode bit 5 (form 2) {}, subheader submode is 0x{submode:02x}", if *.ty == SectorType::Mode2Form2 { "set" } else { "clear" })]
    SubheaderForm {
        /// The sector type.
        ty: SectorType,
        /// The submode given.
        submode: u8,
    },
    /// A subheader was given for a type that has none or takes it per sector.
    #[error("{0} sectors take no fixed subheader")]
    NoSubheader(SectorType),
}

/// A read-only or mutable view of a 2352-byte sector buffer with named
/// fields. Accessors never panic: the length is checked on construction.
#[derive(Debug, Clone, Copy)]
pub struct Sector<T: AsRef<[u8]>> {
    buffer: T,
}

/// Error for a sector buffer of the wrong length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sector is 2352 bytes, got {0}")]
pub struct SectorLengthError(pub usize);

impl<T: AsRef<[u8]>> Sector<T> {
    /// Wraps a buffer that must be exactly 2352 bytes long.
    ///
    /// ## Errors
    ///
    /// [`SectorLengthError`] for any other length.
    pub fn new_checked(buffer: T) -> Result<Sector<T>, SectorLengthError> {
        let len = buffer.as_ref().len();
        if len != SECTOR_SIZE {
            return Err(SectorLengthError(len));
        }
        Ok(Sector { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Whether the sync pattern is present (a data sector).
    pub fn has_sync(&self) -> bool {
        self.bytes()[field::SYNC] == SYNC
    }

    /// The header address bytes as stored (BCD).
    pub fn address_bytes(&self) -> [u8; 3] {
        let b = self.bytes();
        [b[12], b[13], b[14]]
    }

    /// The header address, if it is valid BCD.
    ///
    /// ## Errors
    ///
    /// [`GeometryError`] when the bytes are not a BCD time.
    pub fn address(&self) -> Result<Msf, GeometryError> {
        let [m, s, f] = self.address_bytes();
        Msf::from_bcd(m, s, f)
    }

    /// The header mode byte.
    pub fn mode(&self) -> u8 {
        self.bytes()[field::MODE]
    }

    /// The two copies of the XA subheader (meaningful for Mode 2 XA sectors).
    pub fn subheaders(&self) -> (XaSubheader, XaSubheader) {
        let b = self.bytes();
        (
            XaSubheader::from_bytes([b[16], b[17], b[18], b[19]]),
            XaSubheader::from_bytes([b[20], b[21], b[22], b[23]]),
        )
    }

    /// The bytes of a field.
    pub fn field(&self, range: field::Field) -> &[u8] {
        &self.bytes()[range]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Sector<T> {
    /// Writes the sync pattern.
    pub fn set_sync(&mut self) {
        self.buffer.as_mut()[field::SYNC].copy_from_slice(&SYNC);
    }

    /// Writes the header: on-disc time of `lba` in BCD and the mode byte.
    ///
    /// ## Errors
    ///
    /// [`GeometryError`] when `lba` has no on-disc time.
    pub fn set_header(&mut self, lba: Lba, mode: u8) -> Result<(), GeometryError> {
        let [m, s, f] = lba.to_disc_time()?.to_bcd();
        self.buffer.as_mut()[field::HEADER].copy_from_slice(&[m, s, f, mode]);
        Ok(())
    }

    /// Writes both copies of the XA subheader.
    pub fn set_subheader(&mut self, sub: XaSubheader) {
        let b = sub.to_bytes();
        let buf = self.buffer.as_mut();
        buf[16..20].copy_from_slice(&b);
        buf[20..24].copy_from_slice(&b);
    }

    /// The bytes of a field, mutable.
    pub fn field_mut(&mut self, range: field::Field) -> &mut [u8] {
        &mut self.buffer.as_mut()[range]
    }
}

#[cfg(test)]
mod tests;
