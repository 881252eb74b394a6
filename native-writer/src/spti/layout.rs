//! The bytes of a SCSI Pass Through Interface request: Windows'
//! `SCSI_PASS_THROUGH_DIRECT` (`ntddscsi.h`) followed by a sense buffer,
//! the way Microsoft's SPTI sample lays out
//! `SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER` (`spti.h`: the structure, a
//! `ULONG Filler` realigning to a double word, then `UCHAR
//! ucSenseBuf[SPT_SENSE_LENGTH]`, 32 bytes).
//!
//! ```text
//!  ntddscsi.h                  x64 (and ARM64)   x86
//!  USHORT Length               0..2              0..2
//!  UCHAR  ScsiStatus           2                 2       [out] SCSI status
//!  UCHAR  PathId               3                 3
//!  UCHAR  TargetId             4                 4
//!  UCHAR  Lun                  5                 5
//!  UCHAR  CdbLength            6                 6
//!  UCHAR  SenseInfoLength      7                 7       [in/out] room, then bytes written
//!  UCHAR  DataIn               8                 8       SCSI_IOCTL_DATA_*
//!  (padding)                   9..12             9..12
//!  ULONG  DataTransferLength   12..16            12..16  [in/out] asked, then moved
//!  ULONG  TimeOutValue         16..20            16..20  seconds
//!  (padding)                   20..24            -
//!  PVOID  DataBuffer           24..32            20..24  set by the caller of DeviceIoControl
//!  ULONG  SenseInfoOffset      32..36            24..28  from the start of the structure
//!  UCHAR  Cdb[16]              36..52            28..44
//!  (padding)                   52..56            -
//!  sizeof                      56                44
//!  ULONG  Filler               56..60            44..48
//!  UCHAR  ucSenseBuf[32]       60..92            48..80
//!  sizeof (with the buffer)    96                80
//! ```
//!
//! Windows is little-endian on every architecture it runs on, so every
//! multi-byte field is read and written with `from_le_bytes`/`to_le_bytes`.
//! Nothing here is unsafe or Windows-only: the request is built and its
//! answer read on any platform, and only `ioctl` (Windows) puts the data
//! buffer's address into [`Abi::data_buffer`] and calls `DeviceIoControl`.

use std::ops::Range;
use std::time::Duration;

/// A field's bytes.
pub type Field = Range<usize>;

/// `IOCTL_SCSI_PASS_THROUGH_DIRECT` (`ntddscsi.h`): `CTL_CODE(IOCTL_SCSI_BASE
/// (4), 0x0405, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)`.
/// The access bits mean the handle must be open for reading and writing.
pub const IOCTL_SCSI_PASS_THROUGH_DIRECT: u32 = 0x0004_d014;
/// `IOCTL_STORAGE_GET_DEVICE_NUMBER` (`ntddstor.h`): the device type and
/// number (`CdRomN`) behind a handle.
pub const IOCTL_STORAGE_GET_DEVICE_NUMBER: u32 = 0x002d_1080;
/// `FSCTL_LOCK_VOLUME` (`winioctl.h`).
pub const FSCTL_LOCK_VOLUME: u32 = 0x0009_0018;
/// `FSCTL_UNLOCK_VOLUME`.
pub const FSCTL_UNLOCK_VOLUME: u32 = 0x0009_001c;
/// `FSCTL_DISMOUNT_VOLUME`.
pub const FSCTL_DISMOUNT_VOLUME: u32 = 0x0009_0020;

/// `SCSI_IOCTL_DATA_OUT`: data to the device.
pub const SCSI_IOCTL_DATA_OUT: u8 = 0;
/// `SCSI_IOCTL_DATA_IN`: data from the device.
pub const SCSI_IOCTL_DATA_IN: u8 = 1;
/// `SCSI_IOCTL_DATA_UNSPECIFIED`: no data.
pub const SCSI_IOCTL_DATA_UNSPECIFIED: u8 = 2;

/// `FILE_DEVICE_CD_ROM` (`STORAGE_DEVICE_NUMBER.DeviceType`).
pub const FILE_DEVICE_CD_ROM: u32 = 0x02;
/// `FILE_DEVICE_DVD`.
pub const FILE_DEVICE_DVD: u32 = 0x33;

/// `SPT_SENSE_LENGTH`: the sense buffer after the structure.
pub const SENSE_LEN: usize = 32;

/// The largest request (x64's).
pub const MAX_REQUEST_LEN: usize = 96;

/// The CDB room (`Cdb[16]`).
pub const CDB_LEN: usize = 16;

/// The fields whose place does not depend on the pointer size.
pub mod field {
    use super::Field;
    /// `Length`: `sizeof(SCSI_PASS_THROUGH_DIRECT)`.
    pub const LENGTH: Field = 0..2;
    /// `ScsiStatus`.
    pub const SCSI_STATUS: usize = 2;
    /// `PathId`.
    pub const PATH_ID: usize = 3;
    /// `TargetId`.
    pub const TARGET_ID: usize = 4;
    /// `Lun`.
    pub const LUN: usize = 5;
    /// `CdbLength`.
    pub const CDB_LENGTH: usize = 6;
    /// `SenseInfoLength`.
    pub const SENSE_INFO_LENGTH: usize = 7;
    /// `DataIn`.
    pub const DATA_IN: usize = 8;
    /// `DataTransferLength`.
    pub const DATA_TRANSFER_LENGTH: Field = 12..16;
    /// `TimeOutValue`.
    pub const TIME_OUT_VALUE: Field = 16..20;
}

/// Which C layout: pointers of 8 bytes (x64, ARM64) or 4 (x86).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abi {
    /// 64-bit Windows.
    X64,
    /// 32-bit Windows.
    X86,
}

impl Abi {
    /// The layout of the platform rawburn was built for.
    pub const NATIVE: Abi = if cfg!(target_pointer_width = "64") {
        Abi::X64
    } else {
        Abi::X86
    };

    /// `DataBuffer`.
    pub const fn data_buffer(self) -> Field {
        match self {
            Abi::X64 => 24..32,
            Abi::X86 => 20..24,
        }
    }

    /// `SenseInfoOffset`.
    pub const fn sense_info_offset(self) -> Field {
        match self {
            Abi::X64 => 32..36,
            Abi::X86 => 24..28,
        }
    }

    /// `Cdb`.
    pub const fn cdb(self) -> Field {
        match self {
            Abi::X64 => 36..52,
            Abi::X86 => 28..44,
        }
    }

    /// `sizeof(SCSI_PASS_THROUGH_DIRECT)`.
    pub const fn sptd_len(self) -> usize {
        match self {
            Abi::X64 => 56,
            Abi::X86 => 44,
        }
    }

    /// Where the sense buffer starts (after the structure and `Filler`).
    pub const fn sense_offset(self) -> usize {
        self.sptd_len() + 4
    }

    /// `sizeof(SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER)`: rounded up to the
    /// pointer's alignment.
    pub const fn request_len(self) -> usize {
        let end = self.sense_offset() + SENSE_LEN;
        let align = match self {
            Abi::X64 => 8,
            Abi::X86 => 4,
        };
        end.div_ceil(align) * align
    }

    /// The sense buffer.
    pub const fn sense(self) -> Field {
        self.sense_offset()..self.sense_offset() + SENSE_LEN
    }
}

/// Why bytes are no pass-through request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// Fewer bytes than the structure and its sense buffer.
    #[error("a pass-through request of {0} bytes is too short")]
    Truncated(usize),
    /// A CDB of 0 or more than 16 bytes.
    #[error("a CDB is 1 to 16 bytes, not {0}")]
    CdbLength(usize),
    /// A transfer larger than `DataTransferLength` holds.
    #[error("a transfer is at most 4 GiB")]
    TooLong,
}

/// The data direction (`DataIn`), unknown values kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `SCSI_IOCTL_DATA_OUT`.
    Out,
    /// `SCSI_IOCTL_DATA_IN`.
    In,
    /// `SCSI_IOCTL_DATA_UNSPECIFIED`.
    Unspecified,
    /// Anything else.
    Unknown(u8),
}

impl From<u8> for Direction {
    fn from(b: u8) -> Direction {
        match b {
            SCSI_IOCTL_DATA_OUT => Direction::Out,
            SCSI_IOCTL_DATA_IN => Direction::In,
            SCSI_IOCTL_DATA_UNSPECIFIED => Direction::Unspecified,
            b => Direction::Unknown(b),
        }
    }
}

impl From<Direction> for u8 {
    fn from(d: Direction) -> u8 {
        match d {
            Direction::Out => SCSI_IOCTL_DATA_OUT,
            Direction::In => SCSI_IOCTL_DATA_IN,
            Direction::Unspecified => SCSI_IOCTL_DATA_UNSPECIFIED,
            Direction::Unknown(b) => b,
        }
    }
}

/// A view of a pass-through request (structure and sense buffer) in
/// `buffer`, laid out for `abi`.
#[derive(Debug, Clone)]
pub struct Sptd<T: AsRef<[u8]>> {
    buffer: T,
    abi: Abi,
}

impl<T: AsRef<[u8]>> Sptd<T> {
    /// A view of `buffer`, checked to hold a whole request.
    ///
    /// ## Errors
    ///
    /// [`LayoutError::Truncated`] when it is shorter than
    /// [`Abi::request_len`].
    pub fn new_checked(buffer: T, abi: Abi) -> Result<Sptd<T>, LayoutError> {
        let n = buffer.as_ref().len();
        if n < abi.request_len() {
            return Err(LayoutError::Truncated(n));
        }
        Ok(Sptd { buffer, abi })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    fn u32_at(&self, f: Field) -> u32 {
        let mut v = [0u8; 4];
        v.copy_from_slice(&self.b()[f]);
        u32::from_le_bytes(v)
    }

    /// `Length`.
    pub fn length(&self) -> u16 {
        u16::from_le_bytes([self.b()[0], self.b()[1]])
    }

    /// `ScsiStatus`.
    pub fn scsi_status(&self) -> u8 {
        self.b()[field::SCSI_STATUS]
    }

    /// `PathId`, `TargetId`, `Lun`.
    pub fn address(&self) -> (u8, u8, u8) {
        let b = self.b();
        (b[field::PATH_ID], b[field::TARGET_ID], b[field::LUN])
    }

    /// `CdbLength`.
    pub fn cdb_length(&self) -> u8 {
        self.b()[field::CDB_LENGTH]
    }

    /// `SenseInfoLength`.
    pub fn sense_info_length(&self) -> u8 {
        self.b()[field::SENSE_INFO_LENGTH]
    }

    /// `DataIn`.
    pub fn direction(&self) -> Direction {
        Direction::from(self.b()[field::DATA_IN])
    }

    /// `DataTransferLength`.
    pub fn data_transfer_length(&self) -> u32 {
        self.u32_at(field::DATA_TRANSFER_LENGTH)
    }

    /// `TimeOutValue`, in seconds.
    pub fn time_out_value(&self) -> u32 {
        self.u32_at(field::TIME_OUT_VALUE)
    }

    /// `DataBuffer`, as a number.
    pub fn data_buffer(&self) -> u64 {
        let f = self.abi.data_buffer();
        let mut v = [0u8; 8];
        v[..f.len()].copy_from_slice(&self.b()[f]);
        u64::from_le_bytes(v)
    }

    /// `SenseInfoOffset`.
    pub fn sense_info_offset(&self) -> u32 {
        self.u32_at(self.abi.sense_info_offset())
    }

    /// The CDB's `CdbLength` bytes (at most 16).
    pub fn cdb(&self) -> &[u8] {
        let f = self.abi.cdb();
        let n = usize::from(self.cdb_length()).min(CDB_LEN);
        &self.b()[f.start..f.start + n]
    }

    /// The sense bytes the port driver wrote (`SenseInfoLength` of them,
    /// at most the buffer).
    pub fn sense(&self) -> &[u8] {
        let f = self.abi.sense();
        let n = usize::from(self.sense_info_length()).min(SENSE_LEN);
        &self.b()[f.start..f.start + n]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Sptd<T> {
    fn m(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Sets `DataBuffer` (the low bytes of `address` on x86).
    pub fn set_data_buffer(&mut self, address: u64) {
        let f = self.abi.data_buffer();
        let n = f.len();
        self.m()[f].copy_from_slice(&address.to_le_bytes()[..n]);
    }

    /// Sets `ScsiStatus`, `DataTransferLength` and `SenseInfoLength` as the
    /// port driver does when the command is over, and the sense bytes (the
    /// tests' drives answer so).
    #[cfg(test)]
    pub fn set_completion(&mut self, status: u8, moved: u32, sense: &[u8]) {
        let n = sense.len().min(SENSE_LEN);
        let f = self.abi.sense();
        self.m()[field::SCSI_STATUS] = status;
        self.m()[field::DATA_TRANSFER_LENGTH].copy_from_slice(&moved.to_le_bytes());
        self.m()[field::SENSE_INFO_LENGTH] = n as u8;
        self.m()[f.start..f.start + n].copy_from_slice(&sense[..n]);
    }
}

/// A pass-through request as values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SptdRepr {
    /// The CDB (1 to 16 bytes).
    pub cdb: Vec<u8>,
    /// The data direction.
    pub direction: Direction,
    /// Bytes of the data phase.
    pub data_transfer_length: u32,
    /// Seconds before the port driver aborts the command.
    pub time_out_value: u32,
}

impl SptdRepr {
    /// The request for `cdb` moving `len` bytes `direction`, waiting
    /// `timeout` (in whole seconds, rounded up, at least 1: a
    /// `TimeOutValue` of 0 is no time at all).
    ///
    /// ## Errors
    ///
    /// [`LayoutError::CdbLength`] for a CDB of 0 or more than 16 bytes,
    /// [`LayoutError::TooLong`] for more than `u32::MAX` bytes.
    pub fn new(
        cdb: &[u8],
        direction: Direction,
        len: usize,
        timeout: Duration,
    ) -> Result<SptdRepr, LayoutError> {
        if cdb.is_empty() || cdb.len() > CDB_LEN {
            return Err(LayoutError::CdbLength(cdb.len()));
        }
        let data_transfer_length = u32::try_from(len).map_err(|_| LayoutError::TooLong)?;
        let whole = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        Ok(SptdRepr {
            cdb: cdb.to_vec(),
            direction,
            data_transfer_length,
            time_out_value: u32::try_from(whole).unwrap_or(u32::MAX).max(1),
        })
    }

    /// Reads a request back.
    ///
    /// ## Errors
    ///
    /// [`LayoutError::Truncated`] for a short buffer,
    /// [`LayoutError::CdbLength`] for a `CdbLength` of 0 or over 16.
    pub fn parse<T: AsRef<[u8]>>(view: &Sptd<T>) -> Result<SptdRepr, LayoutError> {
        let n = usize::from(view.cdb_length());
        if n == 0 || n > CDB_LEN {
            return Err(LayoutError::CdbLength(n));
        }
        Ok(SptdRepr {
            cdb: view.cdb().to_vec(),
            direction: view.direction(),
            data_transfer_length: view.data_transfer_length(),
            time_out_value: view.time_out_value(),
        })
    }

    /// Bytes [`SptdRepr::emit`] writes for `abi`.
    pub const fn buffer_len(abi: Abi) -> usize {
        abi.request_len()
    }

    /// Writes the request into the first [`SptdRepr::buffer_len`] bytes of
    /// `buffer`: path, target and LUN 0 (the class driver fills in its
    /// own), `DataBuffer` null (the caller of `DeviceIoControl` sets it),
    /// the sense buffer zeroed and offered whole.
    ///
    /// ## Errors
    ///
    /// [`LayoutError::Truncated`] when `buffer` is too short.
    pub fn emit(&self, buffer: &mut [u8], abi: Abi) -> Result<(), LayoutError> {
        let len = abi.request_len();
        if buffer.len() < len {
            return Err(LayoutError::Truncated(buffer.len()));
        }
        let b = &mut buffer[..len];
        b.fill(0);
        b[field::LENGTH].copy_from_slice(&(abi.sptd_len() as u16).to_le_bytes());
        b[field::CDB_LENGTH] = self.cdb.len() as u8;
        b[field::SENSE_INFO_LENGTH] = SENSE_LEN as u8;
        b[field::DATA_IN] = u8::from(self.direction);
        b[field::DATA_TRANSFER_LENGTH].copy_from_slice(&self.data_transfer_length.to_le_bytes());
        b[field::TIME_OUT_VALUE].copy_from_slice(&self.time_out_value.to_le_bytes());
        let offset = abi.sense_offset() as u32;
        b[abi.sense_info_offset()].copy_from_slice(&offset.to_le_bytes());
        let cdb = abi.cdb();
        b[cdb.start..cdb.start + self.cdb.len()].copy_from_slice(&self.cdb);
        Ok(())
    }
}

/// What the port driver wrote back into a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SptdReply {
    /// `ScsiStatus`.
    pub scsi_status: u8,
    /// `DataTransferLength` after the command: bytes moved.
    pub transferred: u32,
    /// The sense bytes (`SenseInfoLength` of the buffer).
    pub sense: Vec<u8>,
}

impl SptdReply {
    /// Reads the answer out of a completed request.
    pub fn parse<T: AsRef<[u8]>>(view: &Sptd<T>) -> SptdReply {
        SptdReply {
            scsi_status: view.scsi_status(),
            transferred: view.data_transfer_length(),
            sense: view.sense().to_vec(),
        }
    }
}

/// A request buffer aligned for the structure (its pointer field wants 8
/// bytes on x64), big enough for every [`Abi`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C, align(8))]
pub struct RequestBuffer(pub [u8; MAX_REQUEST_LEN]);

impl RequestBuffer {
    /// `repr` laid out for [`Abi::NATIVE`].
    pub fn new(repr: &SptdRepr) -> RequestBuffer {
        let mut b = RequestBuffer([0; MAX_REQUEST_LEN]);
        // Cannot fail: the buffer holds the largest layout.
        let _ = repr.emit(&mut b.0, Abi::NATIVE);
        b
    }

    /// The bytes `DeviceIoControl` is given (in and out).
    pub fn bytes(&self) -> &[u8] {
        &self.0[..SptdRepr::buffer_len(Abi::NATIVE)]
    }

    /// The same, to be written.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.0[..SptdRepr::buffer_len(Abi::NATIVE)]
    }

    /// A view.
    pub fn view(&self) -> Sptd<&[u8]> {
        Sptd {
            buffer: self.bytes(),
            abi: Abi::NATIVE,
        }
    }

    /// A view to write through.
    pub fn view_mut(&mut self) -> Sptd<&mut [u8]> {
        Sptd {
            buffer: self.bytes_mut(),
            abi: Abi::NATIVE,
        }
    }
}

/// `IOCTL_STORAGE_QUERY_PROPERTY` (`ntddstor.h`).
pub const IOCTL_STORAGE_QUERY_PROPERTY: u32 = 0x002d_1400;

/// `STORAGE_PROPERTY_QUERY` asking for the adapter's descriptor
/// (`PropertyId` `StorageAdapterProperty` (1), `QueryType`
/// `PropertyStandardQuery` (0), one byte of `AdditionalParameters`,
/// padded to 12).
pub const ADAPTER_PROPERTY_QUERY: [u8; 12] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// What rawburn reads of `STORAGE_ADAPTER_DESCRIPTOR` (`ntddstor.h`:
/// `Version` 0..4, `Size` 4..8, `MaximumTransferLength` 8..12,
/// `MaximumPhysicalPages` 12..16, `AlignmentMask` 16..20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdapterLimits {
    /// The largest transfer of one command, in bytes.
    pub max_transfer: u32,
    /// The data buffer's address must have these bits clear.
    pub alignment_mask: u32,
}

impl AdapterLimits {
    /// Reads the descriptor's first 20 bytes.
    ///
    /// ## Errors
    ///
    /// [`LayoutError::Truncated`] under 20 bytes.
    pub fn parse(bytes: &[u8]) -> Result<AdapterLimits, LayoutError> {
        let word = |at: usize| -> Result<u32, LayoutError> {
            let b = bytes
                .get(at..at + 4)
                .ok_or(LayoutError::Truncated(bytes.len()))?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        Ok(AdapterLimits {
            max_transfer: word(8)?,
            alignment_mask: word(16)?,
        })
    }
}

/// `STORAGE_DEVICE_NUMBER` (`ntddstor.h`: `DeviceType`, `DeviceNumber`,
/// `PartitionNumber`, each a `DWORD`), what
/// [`IOCTL_STORAGE_GET_DEVICE_NUMBER`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceNumber {
    /// `FILE_DEVICE_*`.
    pub device_type: u32,
    /// N of `\\.\CdRomN` for an optical drive.
    pub number: u32,
}

impl DeviceNumber {
    /// The bytes' length.
    pub const LEN: usize = 12;

    /// Reads the structure.
    ///
    /// ## Errors
    ///
    /// [`LayoutError::Truncated`] under 12 bytes.
    pub fn parse(bytes: &[u8]) -> Result<DeviceNumber, LayoutError> {
        if bytes.len() < Self::LEN {
            return Err(LayoutError::Truncated(bytes.len()));
        }
        let w = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        Ok(DeviceNumber {
            device_type: w(0),
            number: w(4),
        })
    }

    /// Whether it is a CD/DVD drive.
    pub fn is_optical(&self) -> bool {
        matches!(self.device_type, FILE_DEVICE_CD_ROM | FILE_DEVICE_DVD)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    /// `SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER` as C lays it out on x64:
    /// the pointer as a `u64`, which has its alignment there.
    #[repr(C)]
    struct X64 {
        length: u16,
        scsi_status: u8,
        path_id: u8,
        target_id: u8,
        lun: u8,
        cdb_length: u8,
        sense_info_length: u8,
        data_in: u8,
        data_transfer_length: u32,
        time_out_value: u32,
        data_buffer: u64,
        sense_info_offset: u32,
        cdb: [u8; 16],
    }

    #[repr(C)]
    struct X64WithBuffer {
        sptd: X64,
        filler: u32,
        sense: [u8; 32],
    }

    /// The x86 layout: the pointer is 4 bytes.
    #[repr(C)]
    struct X86 {
        length: u16,
        scsi_status: u8,
        path_id: u8,
        target_id: u8,
        lun: u8,
        cdb_length: u8,
        sense_info_length: u8,
        data_in: u8,
        data_transfer_length: u32,
        time_out_value: u32,
        data_buffer: u32,
        sense_info_offset: u32,
        cdb: [u8; 16],
    }

    #[repr(C)]
    struct X86WithBuffer {
        sptd: X86,
        filler: u32,
        sense: [u8; 32],
    }

    /// The named ranges are where C puts ntddscsi.h's fields.
    #[test]
    fn field_offsets_match_the_c_layout() {
        // u64 has 8-byte alignment on every 64-bit target the tests run on.
        assert_eq!(align_of::<u64>(), 8);
        assert_eq!(size_of::<X64>(), 56);
        assert_eq!(size_of::<X64WithBuffer>(), 96);
        assert_eq!(size_of::<X86>(), 44);
        assert_eq!(size_of::<X86WithBuffer>(), 80);
        let common = [
            (offset_of!(X64, length), field::LENGTH.start),
            (offset_of!(X64, scsi_status), field::SCSI_STATUS),
            (offset_of!(X64, path_id), field::PATH_ID),
            (offset_of!(X64, target_id), field::TARGET_ID),
            (offset_of!(X64, lun), field::LUN),
            (offset_of!(X64, cdb_length), field::CDB_LENGTH),
            (offset_of!(X64, sense_info_length), field::SENSE_INFO_LENGTH),
            (offset_of!(X64, data_in), field::DATA_IN),
            (
                offset_of!(X64, data_transfer_length),
                field::DATA_TRANSFER_LENGTH.start,
            ),
            (offset_of!(X64, time_out_value), field::TIME_OUT_VALUE.start),
            (offset_of!(X86, data_transfer_length), 12),
            (offset_of!(X86, time_out_value), 16),
        ];
        for (k, (got, want)) in common.into_iter().enumerate() {
            assert_eq!(got, want, "field {k}");
        }
        let x64 = Abi::X64;
        assert_eq!(
            (
                offset_of!(X64, data_buffer),
                offset_of!(X64, sense_info_offset),
                offset_of!(X64, cdb),
                offset_of!(X64WithBuffer, sense),
            ),
            (
                x64.data_buffer().start,
                x64.sense_info_offset().start,
                x64.cdb().start,
                x64.sense_offset()
            )
        );
        let x86 = Abi::X86;
        assert_eq!(
            (
                offset_of!(X86, data_buffer),
                offset_of!(X86, sense_info_offset),
                offset_of!(X86, cdb),
                offset_of!(X86WithBuffer, sense),
            ),
            (
                x86.data_buffer().start,
                x86.sense_info_offset().start,
                x86.cdb().start,
                x86.sense_offset()
            )
        );
        assert_eq!(
            (
                x64.sptd_len(),
                x64.request_len(),
                x86.sptd_len(),
                x86.request_len()
            ),
            (56, 96, 44, 80)
        );
        assert_eq!((x64.sense(), x86.sense()), (60..92, 48..80));
        assert_eq!(align_of::<RequestBuffer>(), 8);
    }

    #[test]
    fn control_codes() {
        // CTL_CODE(DeviceType, Function, Method, Access).
        let ctl = |t: u32, f: u32, m: u32, a: u32| (t << 16) | (a << 14) | (f << 2) | m;
        assert_eq!(IOCTL_SCSI_PASS_THROUGH_DIRECT, ctl(4, 0x405, 0, 3));
        assert_eq!(IOCTL_STORAGE_GET_DEVICE_NUMBER, ctl(0x2d, 0x420, 0, 0));
        assert_eq!(FSCTL_LOCK_VOLUME, ctl(9, 6, 0, 0));
        assert_eq!(FSCTL_UNLOCK_VOLUME, ctl(9, 7, 0, 0));
        assert_eq!(FSCTL_DISMOUNT_VOLUME, ctl(9, 8, 0, 0));
        assert_eq!(
            (
                SCSI_IOCTL_DATA_OUT,
                SCSI_IOCTL_DATA_IN,
                SCSI_IOCTL_DATA_UNSPECIFIED
            ),
            (0, 1, 2)
        );
    }

    const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 0x24, 0];

    /// INQUIRY for 36 bytes, 30 s, on x64.
    #[rustfmt::skip]
    const INQUIRY_X64: [u8; 96] = [
        0x38, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x20, // Length 56, CdbLength 6, SenseInfoLength 32
        0x01, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, // DataIn 1, DataTransferLength 36
        0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // TimeOutValue 30
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // DataBuffer
        0x3c, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, // SenseInfoOffset 60, Cdb
        0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Cdb ends at 52, padding
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Filler, sense
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn golden_inquiry() {
        let repr = SptdRepr::new(&INQUIRY, Direction::In, 36, Duration::from_secs(30)).unwrap();
        let mut buf = [0xa5u8; 100];
        repr.emit(&mut buf, Abi::X64).unwrap();
        assert_eq!(buf[..96], INQUIRY_X64);
        assert_eq!(buf[96..], [0xa5; 4]);
        let view = Sptd::new_checked(&buf[..], Abi::X64).unwrap();
        assert_eq!(SptdRepr::parse(&view).unwrap(), repr);
        assert_eq!(
            (view.length(), view.address(), view.data_buffer()),
            (56, (0, 0, 0), 0)
        );
        // x86: the same fields, the pointer four bytes and no padding.
        let mut buf = [0xa5u8; 80];
        repr.emit(&mut buf, Abi::X86).unwrap();
        assert_eq!(buf[0], 44);
        assert_eq!(buf[1..20], INQUIRY_X64[1..20]);
        assert_eq!(buf[20..28], [0, 0, 0, 0, 48, 0, 0, 0]);
        assert_eq!(buf[28..44], INQUIRY_X64[36..52]);
        assert_eq!(buf[44..], [0; 36]);
        let view = Sptd::new_checked(&buf[..], Abi::X86).unwrap();
        assert_eq!(SptdRepr::parse(&view).unwrap(), repr);
        // The native buffer is the x64 one here.
        if Abi::NATIVE == Abi::X64 {
            assert_eq!(RequestBuffer::new(&repr).bytes(), INQUIRY_X64);
        }
    }

    #[test]
    fn golden_write_and_no_data() {
        let write = [0x2a, 0, 0, 0, 0x01, 0x2c, 0, 0, 0x1b, 0];
        let repr =
            SptdRepr::new(&write, Direction::Out, 27 * 2352, Duration::from_secs(200)).unwrap();
        let mut buf = [0u8; 96];
        repr.emit(&mut buf, Abi::X64).unwrap();
        assert_eq!(buf[6..9], [10, 32, 0]);
        assert_eq!(buf[12..20], [0x10, 0xf8, 0, 0, 0xc8, 0, 0, 0]);
        assert_eq!(
            buf[36..52],
            [0x2a, 0, 0, 0, 1, 0x2c, 0, 0, 0x1b, 0, 0, 0, 0, 0, 0, 0]
        );
        // TEST UNIT READY: no data, a timeout in part seconds rounded up.
        let repr = SptdRepr::new(
            &[0; 6],
            Direction::Unspecified,
            0,
            Duration::from_millis(1500),
        )
        .unwrap();
        repr.emit(&mut buf, Abi::X64).unwrap();
        assert_eq!(buf[8], 2);
        assert_eq!(buf[12..20], [0, 0, 0, 0, 2, 0, 0, 0]);
        let zero = SptdRepr::new(&[0; 6], Direction::Unspecified, 0, Duration::ZERO).unwrap();
        assert_eq!(zero.time_out_value, 1);
    }

    #[test]
    fn the_drivers_answer() {
        let repr = SptdRepr::new(&INQUIRY, Direction::In, 36, Duration::from_secs(30)).unwrap();
        let mut buf = INQUIRY_X64;
        {
            let mut view = Sptd::new_checked(&mut buf[..], Abi::X64).unwrap();
            view.set_data_buffer(0x1122_3344_5566_7788);
            // CHECK CONDITION, 20 bytes moved, 18 bytes of sense.
            let sense = [
                0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0,
            ];
            view.set_completion(0x02, 20, &sense);
        }
        assert_eq!(
            buf[24..32],
            [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        );
        assert_eq!((buf[2], buf[7]), (0x02, 18));
        assert_eq!(buf[12..16], [20, 0, 0, 0]);
        assert_eq!(buf[60..63], [0x70, 0, 0x05]);
        let view = Sptd::new_checked(&buf[..], Abi::X64).unwrap();
        let reply = SptdReply::parse(&view);
        assert_eq!(
            (reply.scsi_status, reply.transferred, reply.sense.len()),
            (0x02, 20, 18)
        );
        assert_eq!(reply.sense[12], 0x24);
        assert_eq!(view.data_buffer(), 0x1122_3344_5566_7788);
        // The CDB is still the request's.
        assert_eq!(SptdRepr::parse(&view).unwrap().cdb, repr.cdb);
        // A SenseInfoLength beyond the buffer reads the buffer only.
        buf[7] = 200;
        let view = Sptd::new_checked(&buf[..], Abi::X64).unwrap();
        assert_eq!(view.sense().len(), SENSE_LEN);
        // x86 keeps the low half of a pointer.
        let mut b86 = [0u8; 80];
        repr.emit(&mut b86, Abi::X86).unwrap();
        Sptd::new_checked(&mut b86[..], Abi::X86)
            .unwrap()
            .set_data_buffer(0xdead_beef);
        assert_eq!(b86[20..24], [0xef, 0xbe, 0xad, 0xde]);
    }

    #[test]
    fn what_is_refused() {
        assert_eq!(
            Sptd::new_checked(&[0u8; 95][..], Abi::X64).unwrap_err(),
            LayoutError::Truncated(95)
        );
        assert!(Sptd::new_checked(&[0u8; 80][..], Abi::X86).is_ok());
        let t = Duration::from_secs(1);
        assert_eq!(
            SptdRepr::new(&[], Direction::In, 0, t).unwrap_err(),
            LayoutError::CdbLength(0)
        );
        assert_eq!(
            SptdRepr::new(&[0; 17], Direction::In, 0, t).unwrap_err(),
            LayoutError::CdbLength(17)
        );
        let repr = SptdRepr::new(&INQUIRY, Direction::In, 36, t).unwrap();
        assert_eq!(
            repr.emit(&mut [0u8; 79], Abi::X86).unwrap_err(),
            LayoutError::Truncated(79)
        );
        // A CdbLength of 0 or over 16 from the bytes.
        let mut buf = INQUIRY_X64;
        buf[6] = 0;
        let view = Sptd::new_checked(&buf[..], Abi::X64).unwrap();
        assert_eq!(
            SptdRepr::parse(&view).unwrap_err(),
            LayoutError::CdbLength(0)
        );
        buf[6] = 40;
        let view = Sptd::new_checked(&buf[..], Abi::X64).unwrap();
        assert_eq!(view.cdb().len(), 16);
        assert_eq!(
            SptdRepr::parse(&view).unwrap_err(),
            LayoutError::CdbLength(40)
        );
        assert_eq!(Direction::from(7), Direction::Unknown(7));
        assert_eq!(u8::from(Direction::Unknown(7)), 7);
    }

    #[test]
    fn storage_structures() {
        assert_eq!(IOCTL_STORAGE_QUERY_PROPERTY, (0x2d << 16) | (0x500 << 2));
        // STORAGE_DEVICE_NUMBER of \\.\CdRom1.
        let n = DeviceNumber::parse(&[2, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]).unwrap();
        assert_eq!(
            n,
            DeviceNumber {
                device_type: FILE_DEVICE_CD_ROM,
                number: 1
            }
        );
        assert!(n.is_optical());
        let disk = DeviceNumber::parse(&[7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]).unwrap();
        assert!(!disk.is_optical());
        assert_eq!(
            DeviceNumber::parse(&[2; 11]).unwrap_err(),
            LayoutError::Truncated(11)
        );
        // STORAGE_ADAPTER_DESCRIPTOR: 64 KiB transfers, buffers on 4 bytes.
        let mut d = [0u8; 32];
        d[0] = 0x20;
        d[4] = 0x20;
        d[8..12].copy_from_slice(&0x1_0000u32.to_le_bytes());
        d[12..16].copy_from_slice(&17u32.to_le_bytes());
        d[16..20].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(
            AdapterLimits::parse(&d).unwrap(),
            AdapterLimits {
                max_transfer: 0x1_0000,
                alignment_mask: 3
            }
        );
        assert_eq!(
            AdapterLimits::parse(&d[..19]).unwrap_err(),
            LayoutError::Truncated(19)
        );
    }
}
