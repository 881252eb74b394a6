//! Drives Windows owns, reached through the SCSI Pass Through Interface
//! (`IOCTL_SCSI_PASS_THROUGH_DIRECT` on `\\.\E:` or `\\.\CdRomN`): every
//! optical drive Windows' CD-ROM class driver has, internal or USB,
//! with no driver swapped (WinUSB through libusb remains the other way).
//!
//! ```text
//!   discover: \\.\CdRom0..N, letters of type DRIVE_CDROM ─▶ Found { CdRom1, E: }
//!   open: \\.\E: GENERIC_READ|GENERIC_WRITE, shared  ─▶ SptiHandle
//!         writing: FSCTL_LOCK_VOLUME + FSCTL_DISMOUNT_VOLUME, unlocked on drop
//!   SptiLink = SptiHandle + the system clock (mmc::scsi::Link)
//! ```
//!
//! - [`layout`]: the request's bytes (`SCSI_PASS_THROUGH_DIRECT` and its
//!   sense buffer), built and read on every platform.
//! - [`device`]: [`device::SptiDevice`], the safe trait over the one
//!   `DeviceIoControl` call, and Windows' error codes.
//! - [`transport`]: [`SptiLink`], what Windows answers turned into SCSI
//!   outcomes and transport errors.
//! - [`problem`]: why a drive cannot be used, and the fix.
//! - `ioctl` (Windows): the handle, the volume lock and the call, the
//!   only `unsafe` of this module.
//! - `discover` (Windows): the drives there are.
//!
//! Ids: the drive letter (`E:`) when the drive has one, else the device
//! (`\\.\CdRom0`); `e:`, `\\.\E:`, `E:\`, `cdrom0` and `CdRom0` are
//! accepted too.
//!
//! Everything but `ioctl` and `discover` compiles on every platform, so
//! the tests run the transport against the virtual recorder anywhere;
//! outside Windows nothing else uses it.

pub mod device;
pub mod layout;
pub mod problem;
pub mod transport;

#[cfg(windows)]
pub mod discover;
#[cfg(windows)]
pub mod ioctl;

#[cfg(test)]
mod tests;

pub use transport::SptiLink;

use crate::error::{CliError, ExitKind};
use crate::usb::problem::Problem;
use crate::vdisc::Access;
use device::{LockError, SptiDevice, WinError};
use mmc::scsi::{ScsiRequest, Transport};
use mmc::wire::inquiry::InquiryRepr;
use serde::Serialize;
use std::fmt;

/// A drive as Windows names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriveId {
    /// A drive letter (upper case).
    Letter(char),
    /// `\\.\CdRomN`.
    CdRom(u32),
}

impl DriveId {
    /// Reads an id: `E:`, `e:`, `E:\`, `\\.\E:`, `\\.\CdRom0`, `cdrom0`.
    pub fn parse(id: &str) -> Option<DriveId> {
        let s = id.strip_prefix(r"\\.\").unwrap_or(id);
        let s = s.strip_suffix('\\').unwrap_or(s);
        let mut c = s.chars();
        if let (Some(l), Some(':'), None) = (c.next(), c.next(), c.next())
            && l.is_ascii_alphabetic()
        {
            return Some(DriveId::Letter(l.to_ascii_uppercase()));
        }
        let head = s.get(..5)?;
        let digits = &s[5..];
        if !head.eq_ignore_ascii_case("cdrom")
            || digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        digits.parse().ok().map(DriveId::CdRom)
    }

    /// The path to open (`\\.\E:`, `\\.\CdRom0`).
    pub fn path(self) -> String {
        match self {
            DriveId::Letter(l) => format!(r"\\.\{l}:"),
            DriveId::CdRom(n) => format!(r"\\.\CdRom{n}"),
        }
    }
}

impl fmt::Display for DriveId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriveId::Letter(l) => write!(f, "{l}:"),
            DriveId::CdRom(n) => write!(f, r"\\.\CdRom{n}"),
        }
    }
}

/// Whether `id` names a drive the way Windows does.
pub fn is_spti_id(id: &str) -> bool {
    DriveId::parse(id).is_some()
}

/// An optical drive discovery found: its device number, its letter, or
/// both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// N of `\\.\CdRomN`, when known.
    pub number: Option<u32>,
    /// Its drive letter, when it has one.
    pub letter: Option<char>,
}

impl Found {
    /// rawburn's id: the letter when there is one.
    pub fn id(&self) -> DriveId {
        match (self.letter, self.number) {
            (Some(l), _) => DriveId::Letter(l),
            (None, Some(n)) => DriveId::CdRom(n),
            // Never built so: a Found has one or the other.
            (None, None) => DriveId::CdRom(u32::MAX),
        }
    }

    /// Whether `id` names this drive.
    pub fn answers_to(&self, id: DriveId) -> bool {
        match id {
            DriveId::Letter(l) => self.letter == Some(l),
            DriveId::CdRom(n) => self.number == Some(n),
        }
    }
}

/// The drives `\\.\CdRomN` devices (`numbers`) and CD-ROM drive letters
/// (each with the device number `IOCTL_STORAGE_GET_DEVICE_NUMBER` gave
/// for it, when it did) make together: each device once, with its letter;
/// a letter whose device is unknown on its own. In device order, then
/// letter order.
pub fn pair(numbers: &[u32], letters: &[(char, Option<u32>)]) -> Vec<Found> {
    let mut numbers = numbers.to_vec();
    numbers.sort_unstable();
    numbers.dedup();
    let mut found: Vec<Found> = numbers
        .iter()
        .map(|&n| Found {
            number: Some(n),
            letter: letters
                .iter()
                .filter(|(_, m)| *m == Some(n))
                .map(|(l, _)| *l)
                .min(),
        })
        .collect();
    let mut loose: Vec<char> = letters
        .iter()
        .filter(|(l, m)| {
            !found
                .iter()
                .any(|f| f.letter == Some(*l) || (m.is_some() && f.number == *m))
        })
        .map(|(l, _)| *l)
        .collect();
    loose.sort_unstable();
    loose.dedup();
    found.extend(loose.into_iter().map(|l| Found {
        number: None,
        letter: Some(l),
    }));
    found
}

/// What rawburn knows about a drive Windows owns (the `drives` listing
/// and its JSON form; the fields the other transports share have their
/// meaning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SptiDescription {
    /// rawburn's id ("E:", or `\\.\CdRom0` without a letter).
    pub id: String,
    /// Not known through SPTI: always null.
    pub vendor_id: Option<u16>,
    /// Always null.
    pub product_id: Option<u16>,
    /// Always null.
    pub usb_vendor: Option<String>,
    /// Always null.
    pub usb_product: Option<String>,
    /// INQUIRY vendor.
    pub vendor: Option<String>,
    /// INQUIRY product.
    pub product: Option<String>,
    /// INQUIRY revision.
    pub revision: Option<String>,
    /// Always null.
    pub subclass: Option<u8>,
    /// Whether rawburn can drive it.
    pub usable: bool,
    /// Why not.
    pub problem: Option<String>,
    /// What to do about it.
    pub fix: Option<String>,
    /// Always null: a USB burner Windows has is no WinUSB device.
    pub same_drive_as: Option<String>,
    /// Its device (`\\.\CdRom0`), when known.
    pub device: Option<String>,
    /// Its drive letter ("E:"), when it has one.
    pub letter: Option<String>,
}

impl SptiDescription {
    /// What `found` is, from its INQUIRY data or why it could not be had.
    pub fn new(found: &Found, inquiry: Result<InquiryRepr, Problem>) -> SptiDescription {
        let mut d = SptiDescription {
            id: found.id().to_string(),
            vendor_id: None,
            product_id: None,
            usb_vendor: None,
            usb_product: None,
            vendor: None,
            product: None,
            revision: None,
            subclass: None,
            usable: true,
            problem: None,
            fix: None,
            same_drive_as: None,
            device: found.number.map(|n| DriveId::CdRom(n).to_string()),
            letter: found.letter.map(|l| DriveId::Letter(l).to_string()),
        };
        match inquiry {
            Ok(i) => {
                let some = |s: String| (!s.is_empty()).then_some(s);
                d.vendor = some(i.vendor);
                d.product = some(i.product);
                d.revision = some(i.revision);
            }
            Err(p) => {
                d.usable = false;
                d.problem = Some(p.problem);
                d.fix = p.fix;
            }
        }
        d
    }

    /// "VENDOR PRODUCT REV", or the id.
    pub fn label(&self) -> String {
        let words: Vec<&str> = [&self.vendor, &self.product, &self.revision]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if words.is_empty() {
            format!("drive {}", self.id)
        } else {
            words.join(" ")
        }
    }
}

/// INQUIRY through `link`: what the drive is, refused when it is no
/// CD/DVD drive.
///
/// ## Errors
///
/// The [`Problem`] saying why: no answer, a failed INQUIRY, not a CD/DVD
/// drive.
pub fn identify(link: &mut impl Transport) -> Result<InquiryRepr, Problem> {
    let r = link
        .execute(&ScsiRequest::read(&[0x12, 0, 0, 0, 36, 0], 36))
        .map_err(|e| crate::usb::problem::no_answer(&e))?;
    if !r.is_good() {
        return Err(Problem {
            problem: format!(
                "the drive refused INQUIRY ({})",
                r.sense()
                    .map_or_else(|| "no sense data".to_string(), |s| s.sense.to_string())
            ),
            fix: None,
        });
    }
    let i = InquiryRepr::parse(&r.data).map_err(|e| Problem {
        problem: format!("the drive's INQUIRY data are unreadable ({e})"),
        fix: None,
    })?;
    if !i.is_mmc() {
        return Err(crate::usb::problem::not_optical(i.device_type));
    }
    Ok(i)
}

/// TEST UNIT READY through `link`, for a command that needs a disc:
/// refused with "insert a disc" when the drive has none (sense 2/3A/xx).
/// Unit attentions (a disc changed, the drive reset) are read past; other
/// answers are the engine's to judge.
///
/// ## Errors
///
/// [`problem::no_disc`] for `id`.
pub fn needs_disc(link: &mut impl Transport, id: &str) -> Result<(), Problem> {
    use mmc::wire::sense::SenseKey;
    for _ in 0..4 {
        let Ok(r) = link.execute(&ScsiRequest::none(&[0; 6])) else {
            return Ok(());
        };
        match r.sense() {
            Some(s) if s.sense.key == SenseKey::UnitAttention => continue,
            Some(s) if s.sense.key == SenseKey::NotReady && s.sense.asc == 0x3a => {
                return Err(problem::no_disc(id));
            }
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// How drives are opened: Windows' handles, or a test's recorder.
pub trait Opener {
    /// What an open drive is.
    type Device: SptiDevice;

    /// Opens `id` for reading and writing, shared.
    ///
    /// ## Errors
    ///
    /// The system's error (`ERROR_SHARING_VIOLATION`,
    /// `ERROR_ACCESS_DENIED`, `ERROR_FILE_NOT_FOUND`…).
    fn open(&mut self, id: DriveId) -> Result<Self::Device, WinError>;

    /// Locks and dismounts the volume of `device`, for writing; unlocked
    /// when it is dropped.
    ///
    /// ## Errors
    ///
    /// Which step failed, and why.
    fn lock(&mut self, device: &mut Self::Device) -> Result<(), LockError>;
}

/// What `found` is: opened through `opener` (shared, nothing locked)
/// and asked INQUIRY.
pub fn describe<O: Opener>(opener: &mut O, found: &Found) -> SptiDescription {
    let id = found.id();
    let inquiry = opener
        .open(id)
        .map_err(|e| problem::open_failed(e, &id.to_string()))
        .and_then(|d| identify(&mut SptiLink::new(d)));
    SptiDescription::new(found, inquiry)
}

/// Opens the drive `id` names among `found` through `opener` for
/// `access`: for writing, its volume is locked and dismounted and a disc
/// must be in it. Returns the link and a label for messages.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when there is no such drive, it is no CD/DVD
/// drive, another program uses it, files on its disc are open, there is
/// no disc to write, or Windows refuses access; the error says what to
/// do.
pub fn open_among<O: Opener>(
    opener: &mut O,
    found: &[Found],
    id: &str,
    access: Access,
) -> Result<(SptiLink<O::Device>, String), CliError> {
    let Some(want) = DriveId::parse(id) else {
        return Err(CliError::new(
            ExitKind::Drive,
            format!(r"no drive {id}: Windows drives are named E: or \\.\CdRom0"),
        ));
    };
    let Some(f) = found.iter().find(|f| f.answers_to(want)) else {
        let known: Vec<String> = found.iter().map(|f| f.id().to_string()).collect();
        let seen = if known.is_empty() {
            "Windows lists no CD/DVD drive".to_string()
        } else {
            format!("Windows' CD/DVD drives: {}", known.join(", "))
        };
        return Err(CliError::new(ExitKind::Drive, format!("no drive {id}")).caused_by(seen));
    };
    let name = f.id().to_string();
    let mut device = opener
        .open(f.id())
        .map_err(|e| refused(&name, problem::open_failed(e, &name)))?;
    if access == Access::Write {
        opener.lock(&mut device).map_err(|e| {
            refused(
                &name,
                match e {
                    LockError::Lock(e) => problem::lock_failed(e, &name),
                    LockError::Dismount(e) => problem::dismount_failed(e, &name),
                },
            )
        })?;
    }
    let mut link = SptiLink::new(device);
    let inquiry = identify(&mut link).map_err(|p| refused(&name, p))?;
    let label = format!("{} ({name})", SptiDescription::new(f, Ok(inquiry)).label());
    if access == Access::Write {
        needs_disc(&mut link, &name).map_err(|p| refused(&label, p))?;
    }
    Ok((link, label))
}

/// The error for a drive that cannot be used.
pub fn refused(label: &str, p: Problem) -> CliError {
    let e = CliError::new(
        ExitKind::Drive,
        format!("cannot use {label}: {}", p.problem),
    );
    match p.fix {
        Some(fix) => e.caused_by(format!("what to do: {fix}")),
        None => e,
    }
}

#[cfg(windows)]
pub use system::{list, open};

/// Windows' own drives.
#[cfg(windows)]
mod system {
    use super::ioctl::SptiHandle;
    use super::*;

    /// Opens drives with [`SptiHandle`].
    struct Handles;

    impl Opener for Handles {
        type Device = SptiHandle;

        fn open(&mut self, id: DriveId) -> Result<SptiHandle, WinError> {
            SptiHandle::open(&id.path())
        }

        fn lock(&mut self, device: &mut SptiHandle) -> Result<(), LockError> {
            device.lock_volume()
        }
    }

    /// The optical drives Windows has, each opened (shared, without
    /// locking anything) and asked INQUIRY to learn whether rawburn may
    /// use it.
    pub fn list() -> Vec<SptiDescription> {
        discover::scan()
            .iter()
            .map(|f| describe(&mut Handles, f))
            .collect()
    }

    /// Opens the drive `id` names ("E:", `\\.\CdRom0`, "cdrom0") for
    /// `access`, as [`open_among`] says.
    ///
    /// ## Errors
    ///
    /// As [`open_among`].
    pub fn open(id: &str, access: Access) -> Result<(SptiLink<SptiHandle>, String), CliError> {
        open_among(&mut Handles, &discover::scan(), id, access)
    }
}

#[cfg(test)]
mod id_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn ids() {
        for (text, want) in [
            ("E:", Some(DriveId::Letter('E'))),
            ("e:", Some(DriveId::Letter('E'))),
            (r"E:\", Some(DriveId::Letter('E'))),
            (r"\\.\E:", Some(DriveId::Letter('E'))),
            (r"\\.\CdRom0", Some(DriveId::CdRom(0))),
            ("cdrom0", Some(DriveId::CdRom(0))),
            ("CDROM12", Some(DriveId::CdRom(12))),
            ("cdrom", None),
            ("cdrom01", None),
            ("cdrom-1", None),
            ("cdromx", None),
            ("E", None),
            ("EF:", None),
            ("1:", None),
            ("/dev/sr0", None),
            ("1-4.2", None),
            ("", None),
        ] {
            assert_eq!(DriveId::parse(text), want, "{text:?}");
            assert_eq!(is_spti_id(text), want.is_some(), "{text:?}");
        }
        assert_eq!(DriveId::Letter('E').to_string(), "E:");
        assert_eq!(DriveId::Letter('E').path(), r"\\.\E:");
        assert_eq!(DriveId::CdRom(3).to_string(), r"\\.\CdRom3");
        assert_eq!(DriveId::CdRom(3).path(), r"\\.\CdRom3");
    }

    #[test]
    fn devices_and_letters_paired() {
        // CdRom0 is E: and G: (a second mount point), CdRom2 has no
        // letter, F:'s device is unknown, H: names a device not found.
        let found = pair(
            &[2, 0, 2],
            &[('G', Some(0)), ('E', Some(0)), ('F', None), ('H', Some(7))],
        );
        assert_eq!(
            found,
            [
                Found {
                    number: Some(0),
                    letter: Some('E')
                },
                Found {
                    number: Some(2),
                    letter: None
                },
                Found {
                    number: None,
                    letter: Some('F')
                },
                Found {
                    number: None,
                    letter: Some('H')
                },
            ]
        );
        let ids: Vec<String> = found.iter().map(|f| f.id().to_string()).collect();
        assert_eq!(ids, ["E:", r"\\.\CdRom2", "F:", "H:"]);
        assert!(found[0].answers_to(DriveId::CdRom(0)));
        assert!(found[0].answers_to(DriveId::Letter('E')));
        assert!(!found[0].answers_to(DriveId::Letter('G')));
        assert!(!found[2].answers_to(DriveId::CdRom(0)));
        assert_eq!(pair(&[], &[]), []);
    }

    #[test]
    fn labels() {
        let f = Found {
            number: Some(1),
            letter: None,
        };
        let d = SptiDescription::new(&f, Ok(InquiryRepr::mmc("ASUS", "SDRW-08D2S-U", "")));
        assert_eq!(
            (d.label(), d.device.as_deref(), d.letter.as_deref()),
            ("ASUS SDRW-08D2S-U".to_string(), Some(r"\\.\CdRom1"), None)
        );
        let d = SptiDescription::new(
            &f,
            Err(Problem {
                problem: "x".into(),
                fix: Some("y".into()),
            }),
        );
        assert_eq!(
            (d.label(), d.usable, d.problem.as_deref(), d.fix.as_deref()),
            (r"drive \\.\CdRom1".to_string(), false, Some("x"), Some("y"))
        );
    }
}
