//! The optical drives Windows has: the `\\.\CdRomN` devices, and the
//! drive letters `GetDriveTypeW` calls `DRIVE_CDROM`, each mapped to its
//! device by `IOCTL_STORAGE_GET_DEVICE_NUMBER`.

#![allow(unsafe_code)]

use super::ioctl::SptiHandle;
use super::{DriveId, Found, pair};
use windows_sys::Win32::Storage::FileSystem::{GetDriveTypeW, GetLogicalDrives};

/// `DRIVE_CDROM` (`winbase.h`): what `GetDriveTypeW` answers for an
/// optical drive.
pub const DRIVE_CDROM: u32 = 5;

/// How many `\\.\CdRomN` devices are looked for (numbers may have gaps
/// once a drive was removed).
pub const MAX_CDROMS: u32 = 32;

/// Every optical drive, by device and letter.
pub fn scan() -> Vec<Found> {
    let numbers: Vec<u32> = (0..MAX_CDROMS)
        .filter(|&n| {
            SptiHandle::probe(&DriveId::CdRom(n).path())
                .and_then(|h| h.device_number())
                .is_ok_and(|d| d.is_optical() && d.number == n)
        })
        .collect();
    let letters: Vec<(char, Option<u32>)> = cdrom_letters()
        .into_iter()
        .map(|l| {
            let number = SptiHandle::probe(&DriveId::Letter(l).path())
                .and_then(|h| h.device_number())
                .ok()
                .filter(|d| d.is_optical())
                .map(|d| d.number);
            (l, number)
        })
        .collect();
    pair(&numbers, &letters)
}

/// The drive letters whose type is `DRIVE_CDROM`.
fn cdrom_letters() -> Vec<char> {
    // SAFETY: no arguments; returns a bit mask.
    let mask = unsafe { GetLogicalDrives() };
    (0..26u8)
        .filter(|k| mask & (1 << k) != 0)
        .map(|k| char::from(b'A' + k))
        .filter(|&l| {
            let root: Vec<u16> = format!("{l}:\\").encode_utf16().chain([0]).collect();
            // SAFETY: `root` is a NUL-terminated UTF-16 string that lives
            // through the call.
            unsafe { GetDriveTypeW(root.as_ptr()) == DRIVE_CDROM }
        })
        .collect()
}
