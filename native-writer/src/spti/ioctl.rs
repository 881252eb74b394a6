//! The handle on a drive and the `DeviceIoControl` calls: SCSI pass-through,
//! the device number, the adapter's limits, the volume lock.
//!
//! This is the only module of the SPTI transport that uses `unsafe`:
//! `DeviceIoControl` takes raw pointers to the request and, inside the
//! request, to the data buffer. The request is a [`RequestBuffer`] owned
//! by the caller for the call; the data buffer is the caller's slice (or
//! an aligned copy of it owned here), and the length written into the
//! request is checked against that slice before the call, so Windows
//! never reads or writes past what was lent. The handle is opened
//! without `FILE_FLAG_OVERLAPPED`, so every call returns only once the
//! command is over: nothing is held afterwards.
//!
//! Alignment: the adapter says how its data buffers must be aligned
//! (`STORAGE_ADAPTER_DESCRIPTOR.AlignmentMask`, asked once when the
//! handle opens). rawburn assumes at least 4 bytes (a mask of 3) when the
//! adapter does not say, and copies a buffer that is not so aligned into
//! one that is.

#![allow(unsafe_code)]

use super::device::{Data, LockError, SptiDevice, WinError};
use super::layout::{
    ADAPTER_PROPERTY_QUERY, Abi, AdapterLimits, DeviceNumber, FSCTL_DISMOUNT_VOLUME,
    FSCTL_LOCK_VOLUME, FSCTL_UNLOCK_VOLUME, IOCTL_SCSI_PASS_THROUGH_DIRECT,
    IOCTL_STORAGE_GET_DEVICE_NUMBER, IOCTL_STORAGE_QUERY_PROPERTY, RequestBuffer, SENSE_LEN, Sptd,
    SptdRepr,
};
use std::fs::{File, OpenOptions};
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use windows_sys::Win32::Foundation::GetLastError;
use windows_sys::Win32::Storage::FileSystem::{FILE_SHARE_READ, FILE_SHARE_WRITE};
use windows_sys::Win32::System::IO::DeviceIoControl;

// The byte layout `layout` writes is the one Windows' own definition of
// the structure has on this target (windows-sys generates it from
// Microsoft's metadata for ntddscsi.h): checked when rawburn is built.
const _: () = {
    use std::mem::{offset_of, size_of};
    use windows_sys::Win32::Storage::IscsiDisc::{
        IOCTL_SCSI_PASS_THROUGH_DIRECT as CODE, SCSI_PASS_THROUGH_DIRECT as S,
    };
    let abi = Abi::NATIVE;
    assert!(CODE == IOCTL_SCSI_PASS_THROUGH_DIRECT);
    assert!(size_of::<S>() == abi.sptd_len());
    assert!(offset_of!(S, ScsiStatus) == super::layout::field::SCSI_STATUS);
    assert!(offset_of!(S, CdbLength) == super::layout::field::CDB_LENGTH);
    assert!(offset_of!(S, SenseInfoLength) == super::layout::field::SENSE_INFO_LENGTH);
    assert!(offset_of!(S, DataIn) == super::layout::field::DATA_IN);
    assert!(offset_of!(S, DataTransferLength) == super::layout::field::DATA_TRANSFER_LENGTH.start);
    assert!(offset_of!(S, TimeOutValue) == super::layout::field::TIME_OUT_VALUE.start);
    assert!(offset_of!(S, DataBuffer) == abi.data_buffer().start);
    assert!(offset_of!(S, SenseInfoOffset) == abi.sense_info_offset().start);
    assert!(offset_of!(S, Cdb) == abi.cdb().start);
    assert!(std::mem::align_of::<RequestBuffer>() >= std::mem::align_of::<S>());
};

/// The alignment rawburn assumes at least (4 bytes).
pub const MIN_ALIGNMENT_MASK: usize = 3;

/// An open `\\.\E:` or `\\.\CdRomN`.
#[derive(Debug)]
pub struct SptiHandle {
    file: File,
    alignment_mask: usize,
    locked: bool,
}

impl SptiHandle {
    /// Opens `path` (`\\.\E:`, `\\.\CdRom0`) for reading and writing
    /// (`GENERIC_READ | GENERIC_WRITE`, which pass-through requires),
    /// sharing it for reading and writing with other programs, as
    /// Microsoft's SPTI sample does; and asks the adapter how data
    /// buffers must be aligned.
    ///
    /// ## Errors
    ///
    /// The `CreateFileW` error: `ERROR_ACCESS_DENIED` (the user may not
    /// open the drive for writing), `ERROR_SHARING_VIOLATION` (another
    /// program holds it without sharing), `ERROR_FILE_NOT_FOUND` (no
    /// such drive).
    pub fn open(path: &str) -> Result<SptiHandle, WinError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
            .open(path)
            .map_err(|e| WinError(e.raw_os_error().map_or(0, |c| c as u32)))?;
        let mut h = SptiHandle {
            file,
            alignment_mask: MIN_ALIGNMENT_MASK,
            locked: false,
        };
        let mut out = [0u8; 32];
        if let Ok(n) = h.control(
            IOCTL_STORAGE_QUERY_PROPERTY,
            &ADAPTER_PROPERTY_QUERY,
            &mut out,
        ) && let Ok(l) = AdapterLimits::parse(&out[..n])
        {
            h.alignment_mask = (l.alignment_mask as usize) | MIN_ALIGNMENT_MASK;
        }
        Ok(h)
    }

    /// Opens `path` with no access at all: enough to ask its device
    /// number, without disturbing a program that holds the drive.
    ///
    /// ## Errors
    ///
    /// As [`SptiHandle::open`] (`ERROR_FILE_NOT_FOUND` for no such
    /// device).
    pub fn probe(path: &str) -> Result<SptiHandle, WinError> {
        let file = OpenOptions::new()
            .access_mode(0)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
            .open(path)
            .map_err(|e| WinError(e.raw_os_error().map_or(0, |c| c as u32)))?;
        Ok(SptiHandle {
            file,
            alignment_mask: MIN_ALIGNMENT_MASK,
            locked: false,
        })
    }

    /// `IOCTL_STORAGE_GET_DEVICE_NUMBER`: the device's type and number.
    ///
    /// ## Errors
    ///
    /// The `DeviceIoControl` error, or `ERROR_INVALID_DATA` (13) for a
    /// short answer.
    pub fn device_number(&self) -> Result<DeviceNumber, WinError> {
        let mut out = [0u8; DeviceNumber::LEN];
        let n = self.control(IOCTL_STORAGE_GET_DEVICE_NUMBER, &[], &mut out)?;
        DeviceNumber::parse(&out[..n]).map_err(|_| WinError(13))
    }

    /// Locks the volume (`FSCTL_LOCK_VOLUME`: no other handle may use it)
    /// and dismounts its file system (`FSCTL_DISMOUNT_VOLUME`), as Windows
    /// burning programs do before writing; the lock goes when the handle
    /// is dropped. A drive without a disc has nothing mounted: it is not
    /// ready to lock, and that is no error.
    ///
    /// ## Errors
    ///
    /// [`LockError::Lock`] when another program has the volume open,
    /// [`LockError::Dismount`] when files on the disc are open.
    pub fn lock_volume(&mut self) -> Result<(), LockError> {
        match self.control(FSCTL_LOCK_VOLUME, &[], &mut []) {
            Ok(_) => self.locked = true,
            Err(e) if e.0 == super::device::code::NOT_READY => return Ok(()),
            Err(e) => return Err(LockError::Lock(e)),
        }
        self.control(FSCTL_DISMOUNT_VOLUME, &[], &mut [])
            .map(|_| ())
            .map_err(LockError::Dismount)
    }

    /// One buffered control call: `input` in, up to `output.len()` bytes
    /// out; the bytes returned.
    fn control(&self, code: u32, input: &[u8], output: &mut [u8]) -> Result<usize, WinError> {
        let mut returned = 0u32;
        let in_len = u32::try_from(input.len()).map_err(|_| WinError(87))?;
        let out_len = u32::try_from(output.len()).map_err(|_| WinError(87))?;
        let in_ptr = if input.is_empty() {
            std::ptr::null()
        } else {
            input.as_ptr().cast()
        };
        let out_ptr = if output.is_empty() {
            std::ptr::null_mut()
        } else {
            output.as_mut_ptr().cast()
        };
        // SAFETY: the handle is open; `input` and `output` are live slices
        // of the lengths given, and the handle is synchronous, so the call
        // is over (and Windows holds neither) when it returns.
        let ok = unsafe {
            DeviceIoControl(
                self.file.as_raw_handle(),
                code,
                in_ptr,
                in_len,
                out_ptr,
                out_len,
                &mut returned,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            // SAFETY: reads the calling thread's last error; no pointers.
            return Err(WinError(unsafe { GetLastError() }));
        }
        Ok((returned as usize).min(output.len()))
    }
}

impl Drop for SptiHandle {
    fn drop(&mut self) {
        if self.locked {
            // Closing the handle unlocks the volume too; this says so
            // first. Nothing to do if it fails.
            let _ = self.control(FSCTL_UNLOCK_VOLUME, &[], &mut []);
        }
    }
}

impl SptiDevice for SptiHandle {
    fn pass_through(
        &mut self,
        request: &mut RequestBuffer,
        data: Data<'_>,
    ) -> Result<(), WinError> {
        const INVALID: WinError = WinError(super::device::code::INVALID_PARAMETER);
        // The request must be one this module vouches for: built by
        // `SptdRepr::emit` for this platform, no pointer in it yet, its
        // sense buffer inside it, and describing exactly the buffer lent.
        let abi = Abi::NATIVE;
        let view = Sptd::new_checked(request.bytes(), abi).map_err(|_| INVALID)?;
        let repr = SptdRepr::parse(&view).map_err(|_| INVALID)?;
        if usize::from(view.length()) != abi.sptd_len()
            || view.address() != (0, 0, 0)
            || view.data_buffer() != 0
            || view.sense_info_offset() as usize != abi.sense_offset()
            || usize::from(view.sense_info_length()) > SENSE_LEN
            || repr.data_transfer_length as usize != data.len()
        {
            return Err(INVALID);
        }
        let mask = self.alignment_mask;
        let aligned = |p: usize| p & mask == 0;
        // The buffer Windows gets: the caller's, or an aligned copy.
        let mut bounce: Vec<u8> = Vec::new();
        let start = |v: &mut Vec<u8>, n: usize| -> usize {
            v.resize(n + mask + 1, 0);
            v.as_ptr().align_offset(mask + 1)
        };
        let address: usize;
        let mut copy_back: Option<(&mut [u8], usize)> = None;
        match data {
            Data::None => address = 0,
            Data::Out(d) => {
                if aligned(d.as_ptr() as usize) {
                    address = d.as_ptr() as usize;
                } else {
                    let at = start(&mut bounce, d.len());
                    bounce[at..at + d.len()].copy_from_slice(d);
                    address = bounce[at..].as_ptr() as usize;
                }
            }
            Data::In(d) => {
                if aligned(d.as_mut_ptr() as usize) {
                    address = d.as_mut_ptr() as usize;
                } else {
                    let at = start(&mut bounce, d.len());
                    address = bounce[at..].as_mut_ptr() as usize;
                    copy_back = Some((d, at));
                }
            }
        }
        request.view_mut().set_data_buffer(address as u64);
        let len = request.bytes().len();
        let buf = request.bytes_mut();
        let mut returned = 0u32;
        // SAFETY: `buf` is the request, live and exclusively borrowed for
        // the call, given as input and output of its own length. Its
        // DataBuffer points at a buffer of DataTransferLength bytes (checked
        // above) that lives until the end of this function: the caller's
        // slice (an OUT buffer is only read) or `bounce`, which is not
        // touched until the call is over. The handle is synchronous.
        let ok = unsafe {
            DeviceIoControl(
                self.file.as_raw_handle(),
                IOCTL_SCSI_PASS_THROUGH_DIRECT,
                buf.as_ptr().cast(),
                len as u32,
                buf.as_mut_ptr().cast(),
                len as u32,
                &mut returned,
                std::ptr::null_mut(),
            )
        };
        // The pointer is the caller's business no more.
        request.view_mut().set_data_buffer(0);
        if ok == 0 {
            // SAFETY: reads the calling thread's last error; no pointers.
            return Err(WinError(unsafe { GetLastError() }));
        }
        if let Some((d, at)) = copy_back {
            let n = d.len();
            d.copy_from_slice(&bounce[at..at + n]);
        }
        Ok(())
    }
}
