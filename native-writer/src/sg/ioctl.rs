//! The `SG_IO` ioctl: the kernel's `sg_io_hdr` (`<scsi/sg.h>`, interface
//! `'S'`) and the one call that hands it to the sr or sg driver.
//!
//! This is the only module of rawburn that uses `unsafe`: the ioctl takes
//! raw pointers to the CDB, the data buffer and the sense buffer. Each
//! pointer comes from a slice borrowed for the duration of the call, and
//! each length given to the kernel is that slice's length, so the kernel
//! never reads or writes past what the caller lent. Everything above this
//! module sees [`SgDevice`], a safe trait, and can be tested with a device
//! that is not the kernel.

#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// `SG_IO`: run one command and wait for it.
pub const SG_IO: u32 = 0x2285;
/// `SG_GET_VERSION_NUM`: the sg driver's version (30000 and up speak
/// `sg_io_hdr`).
pub const SG_GET_VERSION_NUM: u32 = 0x2282;
/// The oldest sg driver version rawburn uses (3.0.0).
pub const SG_MIN_VERSION: i32 = 30000;

/// `dxfer_direction`: no data.
pub const SG_DXFER_NONE: libc::c_int = -1;
/// `dxfer_direction`: data to the device.
pub const SG_DXFER_TO_DEV: libc::c_int = -2;
/// `dxfer_direction`: data from the device.
pub const SG_DXFER_FROM_DEV: libc::c_int = -3;

/// The sense buffer rawburn lends the kernel (fixed-format sense is 18
/// bytes; descriptor sense rarely passes 32).
pub const SENSE_LEN: usize = 64;

/// `struct sg_io_hdr` from `<scsi/sg.h>`, field for field (`[i]` set by
/// the caller, `[o]` by the kernel).
#[repr(C)]
#[derive(Debug)]
pub struct SgIoHdr {
    /// `[i]` `'S'`.
    pub interface_id: libc::c_int,
    /// `[i]` one of the `SG_DXFER_*` values.
    pub dxfer_direction: libc::c_int,
    /// `[i]` CDB length (at most 16).
    pub cmd_len: libc::c_uchar,
    /// `[i]` room at `sbp`.
    pub mx_sb_len: libc::c_uchar,
    /// `[i]` 0: `dxferp` is one buffer, not a scatter list.
    pub iovec_count: libc::c_ushort,
    /// `[i]` bytes at `dxferp`.
    pub dxfer_len: libc::c_uint,
    /// `[i]` the data buffer.
    pub dxferp: *mut libc::c_void,
    /// `[i]` the CDB.
    pub cmdp: *mut libc::c_uchar,
    /// `[i]` the sense buffer.
    pub sbp: *mut libc::c_uchar,
    /// `[i]` milliseconds before the kernel aborts the command.
    pub timeout: libc::c_uint,
    /// `[i]` `SG_FLAG_*` (0: indirect I/O).
    pub flags: libc::c_uint,
    /// `[i->o]` unused by rawburn.
    pub pack_id: libc::c_int,
    /// `[i->o]` unused by rawburn.
    pub usr_ptr: *mut libc::c_void,
    /// `[o]` the SCSI status byte.
    pub status: libc::c_uchar,
    /// `[o]` the status shifted right by one (obsolete).
    pub masked_status: libc::c_uchar,
    /// `[o]` messaging-level status.
    pub msg_status: libc::c_uchar,
    /// `[o]` sense bytes written at `sbp`.
    pub sb_len_wr: libc::c_uchar,
    /// `[o]` the host adapter's `DID_*` code.
    pub host_status: libc::c_ushort,
    /// `[o]` the driver's `DRIVER_*` code.
    pub driver_status: libc::c_ushort,
    /// `[o]` `dxfer_len` minus the bytes moved.
    pub resid: libc::c_int,
    /// `[o]` milliseconds the command took.
    pub duration: libc::c_uint,
    /// `[o]` `SG_INFO_*` bits.
    pub info: libc::c_uint,
}

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

/// What the kernel wrote back into `sg_io_hdr` after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SgReply {
    /// The SCSI status byte (00h GOOD, 02h CHECK CONDITION, 08h BUSY…).
    pub status: u8,
    /// The host adapter's `DID_*` code (0: no error).
    pub host_status: u16,
    /// The driver's `DRIVER_*` code (08h: sense data are valid).
    pub driver_status: u16,
    /// Bytes of the data phase not moved.
    pub resid: i32,
    /// Sense bytes written into the sense buffer.
    pub sb_len_wr: u8,
    /// Milliseconds the command took.
    pub duration: u32,
    /// `SG_INFO_*` bits (bit 0: something was not OK).
    pub info: u32,
}

/// A device that runs SCSI commands the way `SG_IO` does: one at a time,
/// with auto-sense. A real `/dev/sr*` or `/dev/sg*` node is an
/// [`SgFile`]; tests put the virtual recorder behind the same trait.
pub trait SgDevice {
    /// Runs `cdb` with `data`, letting the kernel write up to
    /// [`SENSE_LEN`] sense bytes into `sense`, aborting it after `timeout`.
    ///
    /// ## Errors
    ///
    /// The ioctl's error (`ENODEV` for a drive that is gone, `EINTR` for
    /// a signal, `ENOMEM` for a transfer too large for the kernel,
    /// `EPERM` for a command the kernel does not pass…). A command the
    /// device failed is not an error: its status says so.
    fn sg_io(
        &mut self,
        cdb: &[u8],
        data: Data<'_>,
        sense: &mut [u8; SENSE_LEN],
        timeout: Duration,
    ) -> io::Result<SgReply>;
}

/// An open `/dev/sr*` or `/dev/sg*` node.
#[derive(Debug)]
pub struct SgFile {
    file: File,
}

impl SgFile {
    /// Opens `path` for reading and writing, without waiting for a disc
    /// (`O_NONBLOCK`, as cdrecord and libburn open sr devices) and closed
    /// on exec; `exclusive` adds `O_EXCL`, which the kernel refuses while
    /// the disc is mounted or another program holds the drive so.
    ///
    /// ## Errors
    ///
    /// The `open` error: `EACCES`/`EPERM` (permissions), `EBUSY` (another
    /// program holds the drive exclusively), `ENOENT`/`ENXIO` (no such
    /// drive).
    pub fn open(path: &Path, exclusive: bool) -> io::Result<SgFile> {
        let excl = if exclusive { libc::O_EXCL } else { 0 };
        // std opens with O_CLOEXEC already.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | excl)
            .open(path)?;
        Ok(SgFile { file })
    }

    /// The sg driver's version (`SG_GET_VERSION_NUM`: 30536 is 3.5.36).
    ///
    /// ## Errors
    ///
    /// The ioctl's error: `ENOTTY` or `EINVAL` when the node does not
    /// speak the sg interface.
    pub fn version(&self) -> io::Result<i32> {
        let mut version: libc::c_int = 0;
        // SAFETY: SG_GET_VERSION_NUM writes one int through the pointer,
        // which points at a live local int.
        let r = unsafe {
            libc::ioctl(
                self.file.as_raw_fd(),
                SG_GET_VERSION_NUM as _,
                &mut version as *mut libc::c_int,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(version)
    }
}

impl SgDevice for SgFile {
    fn sg_io(
        &mut self,
        cdb: &[u8],
        data: Data<'_>,
        sense: &mut [u8; SENSE_LEN],
        timeout: Duration,
    ) -> io::Result<SgReply> {
        let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, why.to_string());
        if cdb.is_empty() || cdb.len() > mmc::scsi::MAX_CDB {
            return Err(invalid("a CDB is 1 to 16 bytes"));
        }
        let dxfer_len = libc::c_uint::try_from(data.len())
            .map_err(|_| invalid("a transfer is at most 4 GiB"))?;
        let (direction, dxferp) = match data {
            Data::None => (SG_DXFER_NONE, std::ptr::null_mut()),
            Data::In(b) => (SG_DXFER_FROM_DEV, b.as_mut_ptr().cast::<libc::c_void>()),
            // The kernel only reads a TO_DEV buffer; the field is not const.
            Data::Out(b) => (
                SG_DXFER_TO_DEV,
                b.as_ptr().cast_mut().cast::<libc::c_void>(),
            ),
        };
        // Whole milliseconds, at least 1 (0 would be the driver's default).
        let timeout = libc::c_uint::try_from(timeout.as_millis())
            .unwrap_or(libc::c_uint::MAX)
            .max(1);
        let mut hdr = SgIoHdr {
            interface_id: libc::c_int::from(b'S'),
            dxfer_direction: direction,
            cmd_len: cdb.len() as libc::c_uchar,
            mx_sb_len: SENSE_LEN as libc::c_uchar,
            iovec_count: 0,
            dxfer_len,
            dxferp,
            cmdp: cdb.as_ptr().cast_mut(),
            sbp: sense.as_mut_ptr(),
            timeout,
            flags: 0,
            pack_id: 0,
            usr_ptr: std::ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        };
        // SAFETY: `hdr` is a valid sg_io_hdr; cmdp/cmd_len, dxferp/dxfer_len
        // and sbp/mx_sb_len describe buffers borrowed for this call (the
        // CDB and a TO_DEV buffer are only read), and SG_IO returns only
        // once the command is over (or was never started), so the kernel
        // holds none of them afterwards.
        let r = unsafe { libc::ioctl(self.file.as_raw_fd(), SG_IO as _, &mut hdr as *mut SgIoHdr) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(SgReply {
            status: hdr.status,
            host_status: hdr.host_status,
            driver_status: hdr.driver_status,
            resid: hdr.resid,
            sb_len_wr: hdr.sb_len_wr.min(SENSE_LEN as u8),
            duration: hdr.duration,
            info: hdr.info,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::mem::{offset_of, size_of};

    /// The layout C gives `struct sg_io_hdr` on LP64 Linux (x86_64,
    /// aarch64…): ints and pointers at their natural alignment, 4 bytes of
    /// padding before `usr_ptr`, 88 bytes in all.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn sg_io_hdr_has_the_kernel_layout() {
        assert_eq!(size_of::<SgIoHdr>(), 88);
        let offsets = [
            ("interface_id", offset_of!(SgIoHdr, interface_id), 0),
            ("dxfer_direction", offset_of!(SgIoHdr, dxfer_direction), 4),
            ("cmd_len", offset_of!(SgIoHdr, cmd_len), 8),
            ("mx_sb_len", offset_of!(SgIoHdr, mx_sb_len), 9),
            ("iovec_count", offset_of!(SgIoHdr, iovec_count), 10),
            ("dxfer_len", offset_of!(SgIoHdr, dxfer_len), 12),
            ("dxferp", offset_of!(SgIoHdr, dxferp), 16),
            ("cmdp", offset_of!(SgIoHdr, cmdp), 24),
            ("sbp", offset_of!(SgIoHdr, sbp), 32),
            ("timeout", offset_of!(SgIoHdr, timeout), 40),
            ("flags", offset_of!(SgIoHdr, flags), 44),
            ("pack_id", offset_of!(SgIoHdr, pack_id), 48),
            ("usr_ptr", offset_of!(SgIoHdr, usr_ptr), 56),
            ("status", offset_of!(SgIoHdr, status), 64),
            ("masked_status", offset_of!(SgIoHdr, masked_status), 65),
            ("msg_status", offset_of!(SgIoHdr, msg_status), 66),
            ("sb_len_wr", offset_of!(SgIoHdr, sb_len_wr), 67),
            ("host_status", offset_of!(SgIoHdr, host_status), 68),
            ("driver_status", offset_of!(SgIoHdr, driver_status), 70),
            ("resid", offset_of!(SgIoHdr, resid), 72),
            ("duration", offset_of!(SgIoHdr, duration), 76),
            ("info", offset_of!(SgIoHdr, info), 80),
        ];
        for (name, got, want) in offsets {
            assert_eq!(got, want, "{name}");
        }
    }

    /// The ioctl numbers are `<scsi/sg.h>`'s.
    #[test]
    fn ioctl_numbers() {
        assert_eq!((SG_IO, SG_GET_VERSION_NUM), (0x2285, 0x2282));
        assert_eq!(
            (SG_DXFER_NONE, SG_DXFER_TO_DEV, SG_DXFER_FROM_DEV),
            (-1, -2, -3)
        );
    }

    /// A regular file is no sg node: the ioctls fail with ENOTTY, and no
    /// buffer is touched.
    #[test]
    fn a_plain_file_refuses_the_ioctls() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut dev = SgFile::open(f.path(), false).unwrap();
        assert_eq!(
            dev.version().unwrap_err().raw_os_error(),
            Some(libc::ENOTTY)
        );
        let mut buf = [0xa5u8; 36];
        let mut sense = [0xa5u8; SENSE_LEN];
        let e = dev
            .sg_io(
                &[0x12, 0, 0, 0, 36, 0],
                Data::In(&mut buf),
                &mut sense,
                Duration::from_secs(1),
            )
            .unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOTTY));
        assert_eq!(buf, [0xa5; 36]);
        assert_eq!(sense, [0xa5; SENSE_LEN]);
        let e = dev
            .sg_io(&[], Data::None, &mut sense, Duration::from_secs(1))
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        let e = dev
            .sg_io(&[0; 17], Data::None, &mut sense, Duration::from_secs(1))
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }
}
