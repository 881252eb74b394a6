//! [`SptiDevice`]: the one call Windows makes, behind a safe trait, and
//! the errors it answers with.

use super::layout::RequestBuffer;
use std::fmt;

/// The data phase of a command, with the caller's buffer.
#[derive(Debug)]
pub enum Data<'a> {
    /// No data.
    None,
    /// Up to the buffer's length from the device.
    In(&'a mut [u8]),
    /// The buffer to the device.
    Out(&'a [u8]),
}

impl Data<'_> {
    /// Bytes the phase asks to move.
    pub fn len(&self) -> usize {
        match self {
            Data::None => 0,
            Data::In(b) => b.len(),
            Data::Out(b) => b.len(),
        }
    }
}

/// A device that runs SCSI commands the way `IOCTL_SCSI_PASS_THROUGH_DIRECT`
/// does: one at a time, with auto-sense, the request and its answer in
/// one buffer. A real `\\.\CdRomN` or `\\.\E:` is an `ioctl::SptiHandle`
/// (Windows); tests put the virtual recorder behind the same trait.
pub trait SptiDevice {
    /// Runs the pass-through request in `request` (built by
    /// [`super::layout::SptdRepr::emit`], `DataTransferLength` equal to
    /// `data`'s length) with `data` as its data buffer, and returns once
    /// the command is over. The implementation puts the buffer's address
    /// into `DataBuffer`; the port driver writes `ScsiStatus`, the bytes
    /// moved (`DataTransferLength`), `SenseInfoLength` and the sense bytes
    /// back into `request`.
    ///
    /// ## Errors
    ///
    /// The `DeviceIoControl` error (`ERROR_SEM_TIMEOUT` for a command
    /// the port driver aborted at its timeout, `ERROR_DEVICE_NOT_CONNECTED`
    /// for a drive that is gone, `ERROR_INVALID_PARAMETER` for a transfer
    /// the adapter cannot take…). A command the device failed is not an
    /// error: its status says so.
    fn pass_through(&mut self, request: &mut RequestBuffer, data: Data<'_>)
    -> Result<(), WinError>;
}

/// Why a volume could not be taken for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockError {
    /// `FSCTL_LOCK_VOLUME` failed: another program has the volume open.
    Lock(WinError),
    /// `FSCTL_DISMOUNT_VOLUME` failed: files on the disc are open.
    Dismount(WinError),
}

/// A Windows system error code (`GetLastError`), named when rawburn
/// knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinError(pub u32);

/// The codes rawburn tells apart (`winerror.h`).
pub mod code {
    /// `ERROR_INVALID_FUNCTION`.
    pub const INVALID_FUNCTION: u32 = 1;
    /// `ERROR_FILE_NOT_FOUND`.
    pub const FILE_NOT_FOUND: u32 = 2;
    /// `ERROR_PATH_NOT_FOUND`.
    pub const PATH_NOT_FOUND: u32 = 3;
    /// `ERROR_ACCESS_DENIED`.
    pub const ACCESS_DENIED: u32 = 5;
    /// `ERROR_NOT_ENOUGH_MEMORY`.
    pub const NOT_ENOUGH_MEMORY: u32 = 8;
    /// `ERROR_NOT_READY`.
    pub const NOT_READY: u32 = 21;
    /// `ERROR_SHARING_VIOLATION`.
    pub const SHARING_VIOLATION: u32 = 32;
    /// `ERROR_NOT_SUPPORTED`.
    pub const NOT_SUPPORTED: u32 = 50;
    /// `ERROR_DEV_NOT_EXIST`.
    pub const DEV_NOT_EXIST: u32 = 55;
    /// `ERROR_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: u32 = 87;
    /// `ERROR_SEM_TIMEOUT`.
    pub const SEM_TIMEOUT: u32 = 121;
    /// `ERROR_BUSY`.
    pub const BUSY: u32 = 170;
    /// `ERROR_NO_SUCH_DEVICE`.
    pub const NO_SUCH_DEVICE: u32 = 433;
    /// `ERROR_OPERATION_ABORTED`.
    pub const OPERATION_ABORTED: u32 = 995;
    /// `ERROR_IO_DEVICE`.
    pub const IO_DEVICE: u32 = 1117;
    /// `ERROR_DEVICE_NOT_CONNECTED`.
    pub const DEVICE_NOT_CONNECTED: u32 = 1167;
    /// `ERROR_NO_SYSTEM_RESOURCES`.
    pub const NO_SYSTEM_RESOURCES: u32 = 1450;
    /// `ERROR_TIMEOUT`.
    pub const TIMEOUT: u32 = 1460;
}

impl WinError {
    /// The code's `winerror.h` name, when rawburn knows it.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            code::INVALID_FUNCTION => "ERROR_INVALID_FUNCTION",
            code::FILE_NOT_FOUND => "ERROR_FILE_NOT_FOUND",
            code::PATH_NOT_FOUND => "ERROR_PATH_NOT_FOUND",
            code::ACCESS_DENIED => "ERROR_ACCESS_DENIED",
            code::NOT_ENOUGH_MEMORY => "ERROR_NOT_ENOUGH_MEMORY",
            code::NOT_READY => "ERROR_NOT_READY",
            code::SHARING_VIOLATION => "ERROR_SHARING_VIOLATION",
            code::NOT_SUPPORTED => "ERROR_NOT_SUPPORTED",
            code::DEV_NOT_EXIST => "ERROR_DEV_NOT_EXIST",
            code::INVALID_PARAMETER => "ERROR_INVALID_PARAMETER",
            code::SEM_TIMEOUT => "ERROR_SEM_TIMEOUT",
            code::BUSY => "ERROR_BUSY",
            code::NO_SUCH_DEVICE => "ERROR_NO_SUCH_DEVICE",
            code::OPERATION_ABORTED => "ERROR_OPERATION_ABORTED",
            code::IO_DEVICE => "ERROR_IO_DEVICE",
            code::DEVICE_NOT_CONNECTED => "ERROR_DEVICE_NOT_CONNECTED",
            code::NO_SYSTEM_RESOURCES => "ERROR_NO_SYSTEM_RESOURCES",
            code::TIMEOUT => "ERROR_TIMEOUT",
            _ => return None,
        })
    }

    /// Whether the drive (or its device) is gone.
    pub fn is_gone(self) -> bool {
        matches!(
            self.0,
            code::FILE_NOT_FOUND
                | code::PATH_NOT_FOUND
                | code::DEV_NOT_EXIST
                | code::NO_SUCH_DEVICE
                | code::DEVICE_NOT_CONNECTED
        )
    }
}

impl fmt::Display for WinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}, {}", self.0),
            None => write!(f, "Windows error {}", self.0),
        }
    }
}

impl std::error::Error for WinError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            WinError(code::SHARING_VIOLATION).to_string(),
            "ERROR_SHARING_VIOLATION, 32"
        );
        assert_eq!(WinError(1234).to_string(), "Windows error 1234");
        assert_eq!(
            [1, 5, 21, 50, 121, 433, 1117, 1167].map(|c| WinError(c).name().unwrap_or("")),
            [
                "ERROR_INVALID_FUNCTION",
                "ERROR_ACCESS_DENIED",
                "ERROR_NOT_READY",
                "ERROR_NOT_SUPPORTED",
                "ERROR_SEM_TIMEOUT",
                "ERROR_NO_SUCH_DEVICE",
                "ERROR_IO_DEVICE",
                "ERROR_DEVICE_NOT_CONNECTED"
            ]
        );
        let gone: Vec<u32> = (0..2000).filter(|&c| WinError(c).is_gone()).collect();
        assert_eq!(gone, [2, 3, 55, 433, 1167]);
    }
}
