//! `rawburn drives`: every burner rawburn can reach, whether it can use
//! each one, and when not, why and what to do; and the choice of "the
//! only burner" when a command names none.
//!
//! Two transports reach a burner: the operating system's own drivers
//! (on Linux the kernel's sr/sg drivers through `SG_IO`, on Windows the
//! CD-ROM class driver through SPTI: internal burners, and USB burners
//! bound to usb-storage or USBSTOR: nothing is detached), and USB
//! Bulk-Only through libusb (every USB mass-storage interface; on
//! Windows only those bound to WinUSB). A USB burner bound to usb-storage
//! is listed both ways; each entry names the other (`sameDriveAs`), and
//! the kernel's is the one to use. Listing opens no drive for longer than
//! it takes to learn whether it can be opened, and takes none from a
//! kernel driver (see [`crate::usb::discover`]).
//!
//! `--json` prints a JSON array, one object per drive, the system's
//! drives first:
//!
//! | Field | Type | Meaning |
//! | --- | --- | --- |
//! | `transport` | `"sg"`, `"spti"` or `"usb"` | how rawburn reaches it: `SG_IO` on a Linux kernel node, SPTI on a Windows drive, or libusb |
//! | `id` | string | rawburn's id for `--drive`: the node (`"/dev/sr0"`, `"/dev/sg1"` without an sr node), the Windows drive letter (`"E:"`, or `"\\.\CdRom0"` without a letter) or the USB bus and port path (`"1-4.2"`, `":N"` added for interface N of a device with several) |
//! | `vendorId`, `productId` | number or null | USB idVendor and idProduct (null for a drive not on USB) |
//! | `usbVendor`, `usbProduct` | string or null | the USB device's manufacturer and product strings |
//! | `vendor`, `product`, `revision` | string or null | INQUIRY's identification (from Linux's sysfs when the drive was not opened) |
//! | `subclass` | number or null | bInterfaceSubClass (2, 5 or 6 for USB drives rawburn speaks to; null for kernel drives) |
//! | `usable` | boolean | rawburn can open it as a CD/DVD drive |
//! | `problem` | string or null | why not |
//! | `fix` | string or null | what to do about it |
//! | `sameDriveAs` | string or null | the id of the same drive through the other transport |
//! | `sg` | string or null | kernel drives: the SCSI generic node (`"/dev/sg1"`) |
//! | `mountedAt` | string or null | kernel drives: where its disc is mounted (readable, not writable, until unmounted) |
//! | `device`, `letter` | string or null | Windows drives: the device (`"\\.\CdRom0"`) and the drive letter (`"E:"`) |
//!
//! Where libusb cannot start (no USB subsystem: containers, CI machines)
//! or cannot list the bus while the kernel has drives, the USB part's
//! error becomes a note (after the list; on stderr with `--json`), not a
//! failure.

use crate::error::{CliError, ExitKind};
use crate::usb::DriveDescription;
use crate::usb::discover::{self, Purpose};
use crate::usb::problem::Os;
use serde::Serialize;
use std::fmt::Write;

#[cfg(target_os = "linux")]
use crate::sg::SgDescription;
#[cfg(windows)]
use crate::spti::SptiDescription;

/// One drive of the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "transport", rename_all = "lowercase")]
pub enum Listed {
    /// Through libusb.
    Usb(Box<UsbListed>),
    /// Through the kernel (`SG_IO`).
    #[cfg(target_os = "linux")]
    Sg(Box<SgDescription>),
    /// Through Windows (SPTI).
    #[cfg(windows)]
    Spti(Box<SptiDescription>),
}

/// A USB mass-storage interface as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsbListed {
    /// What probing found.
    #[serde(flatten)]
    pub description: DriveDescription,
    /// The same drive's kernel id, when the kernel has it.
    pub same_drive_as: Option<String>,
    /// The device's port path ("1-4.2").
    #[serde(skip)]
    pub path: String,
    /// Its bInterfaceNumber.
    #[serde(skip)]
    pub interface: u8,
}

impl Listed {
    /// rawburn's id for it.
    pub fn id(&self) -> &str {
        match self {
            Listed::Usb(u) => &u.description.id,
            #[cfg(target_os = "linux")]
            Listed::Sg(d) => &d.id,
            #[cfg(windows)]
            Listed::Spti(d) => &d.id,
        }
    }

    /// What it is, for people.
    pub fn label(&self) -> String {
        match self {
            Listed::Usb(u) => u.description.label(),
            #[cfg(target_os = "linux")]
            Listed::Sg(d) => d.label(),
            #[cfg(windows)]
            Listed::Spti(d) => d.label(),
        }
    }

    /// Whether rawburn can use it.
    pub fn usable(&self) -> bool {
        match self {
            Listed::Usb(u) => u.description.usable,
            #[cfg(target_os = "linux")]
            Listed::Sg(d) => d.usable,
            #[cfg(windows)]
            Listed::Spti(d) => d.usable,
        }
    }

    /// Why not, and what to do.
    fn problem(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Listed::Usb(u) => (
                u.description.problem.as_deref(),
                u.description.fix.as_deref(),
            ),
            #[cfg(target_os = "linux")]
            Listed::Sg(d) => (d.problem.as_deref(), d.fix.as_deref()),
            #[cfg(windows)]
            Listed::Spti(d) => (d.problem.as_deref(), d.fix.as_deref()),
        }
    }
}

/// The `drives` command's output.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when the USB devices cannot be listed (no USB
/// subsystem where /dev/bus/usb exists, libusb failing) and the kernel has
/// no drive either; [`ExitKind::Output`] when the JSON cannot be written.
pub fn drives(json: bool) -> Result<String, CliError> {
    let (list, note) = gather(Os::current())?;
    if json {
        let mut text = serde_json::to_string_pretty(&list).map_err(|e| {
            CliError::new(ExitKind::Output, "cannot write the drive list").caused_by(e)
        })?;
        text.push('\n');
        if let Some(n) = &note {
            eprint!("{}", note_text(n));
        }
        Ok(text)
    } else {
        Ok(render(&list, note.as_ref()))
    }
}

/// Every drive, kernel drives first, each linked to its other self; and
/// the USB part's error when it failed but is no failure of the listing.
///
/// ## Errors
///
/// As [`drives`].
pub fn gather(os: Os) -> Result<(Vec<Listed>, Option<CliError>), CliError> {
    let usb = usb_entries(os);
    let kernel = kernel_drives();
    let (usb, note) = match usb {
        Ok(u) => (u, None),
        Err(e) if !kernel.is_empty() || no_usb_here(os) => (Vec::new(), Some(e)),
        Err(e) => return Err(e),
    };
    Ok((join(usb, kernel), note))
}

/// The drives a command may take when it names none: the usable ones,
/// each physical drive once (through the kernel when it can).
#[cfg(any(target_os = "linux", windows, test))]
pub fn candidates(list: &[Listed]) -> Vec<&Listed> {
    list.iter()
        .filter(|d| d.usable())
        .filter(|d| match d {
            Listed::Usb(u) => !u
                .same_drive_as
                .as_deref()
                .is_some_and(|other| list.iter().any(|k| k.id() == other && k.usable())),
            #[cfg(target_os = "linux")]
            Listed::Sg(_) => true,
            #[cfg(windows)]
            Listed::Spti(_) => true,
        })
        .collect()
}

/// The only burner among `list`.
///
/// ## Errors
///
/// [`ExitKind::Usage`] when there are several (naming them),
/// [`ExitKind::Drive`] when none is usable (saying why for each).
#[cfg(any(target_os = "linux", windows, test))]
pub fn only(list: &[Listed]) -> Result<&Listed, CliError> {
    let usable = candidates(list);
    match usable.as_slice() {
        [one] => Ok(one),
        [] => {
            if list.is_empty() {
                return Err(CliError::new(ExitKind::Drive, "no burner found").caused_by(
                    "no CD/DVD drive is connected: plug the burner in and switch it on",
                ));
            }
            let mut e = CliError::new(ExitKind::Drive, "no usable burner found");
            for d in list {
                let (problem, fix) = d.problem();
                let mut line = format!(
                    "{} ({}): {}",
                    d.id(),
                    d.label(),
                    problem.unwrap_or("it cannot be opened")
                );
                if let Some(fix) = fix {
                    line.push_str("; what to do: ");
                    line.push_str(fix);
                }
                e = e.caused_by(line);
            }
            Err(e)
        }
        several => {
            let ids: Vec<String> = several
                .iter()
                .map(|d| format!("{} ({})", d.id(), d.label()))
                .collect();
            Err(CliError::new(
                ExitKind::Usage,
                "several burners are connected: choose one by its id",
            )
            .caused_by(format!("burners: {}", ids.join(", "))))
        }
    }
}

/// The list for people; `note` is the USB part's error, when it became
/// one.
pub fn render(list: &[Listed], note: Option<&CliError>) -> String {
    let mut out = String::new();
    if list.is_empty() {
        out.push_str("no burner found: plug the burner in and switch it on\n");
    }
    let width = list.iter().map(|d| d.id().len()).max().unwrap_or(0) + 2;
    let pad = " ".repeat(width);
    for d in list {
        let _ = writeln!(out, "{:width$}{}", d.id(), d.label());
        let (how, note) = match d {
            Listed::Usb(u) => usb_lines(u),
            #[cfg(target_os = "linux")]
            Listed::Sg(s) => sg_lines(s),
            #[cfg(windows)]
            Listed::Spti(s) => spti_lines(s),
        };
        let _ = writeln!(out, "{pad}{how}");
        let (problem, fix) = d.problem();
        match (d.usable(), note) {
            (true, Some(note)) => {
                let _ = writeln!(out, "{pad}ready ({note})");
            }
            (true, None) => {
                let _ = writeln!(out, "{pad}ready");
            }
            (false, _) => {
                let _ = writeln!(
                    out,
                    "{pad}not usable: {}",
                    problem.unwrap_or("cannot be opened")
                );
            }
        }
        if let Some(fix) = fix {
            let _ = writeln!(out, "{pad}fix: {fix}");
        }
    }
    if let Some(n) = note {
        out.push_str(&note_text(n));
    }
    out
}

/// The USB part's error as a note.
fn note_text(e: &CliError) -> String {
    let mut s = format!("note: {}\n", e.headline);
    for c in &e.causes {
        let _ = writeln!(s, "  {c}");
    }
    s
}

/// How a USB entry is reached, and its note.
fn usb_lines(u: &UsbListed) -> (String, Option<String>) {
    let d = &u.description;
    let mut how = format!("USB {:04x}:{:04x}", d.vendor_id, d.product_id);
    for s in [&d.usb_vendor, &d.usb_product].into_iter().flatten() {
        let _ = write!(how, " \"{s}\"");
    }
    let _ = write!(how, ", subclass {:02x}h", d.subclass);
    let note = match (&d.note, &u.same_drive_as) {
        (n, Some(other)) => {
            let also = format!(
                "the same drive as {other}, which is the recommended way to reach it: the \
                 kernel's SG_IO needs nothing detached"
            );
            Some(match n {
                Some(n) => format!("{n}; {also}"),
                None => also,
            })
        }
        (n, None) => n.clone(),
    };
    (how, note)
}

/// How a kernel entry is reached, and its note.
#[cfg(target_os = "linux")]
fn sg_lines(d: &SgDescription) -> (String, Option<String>) {
    let mut how = "kernel drive (SG_IO)".to_string();
    if let (Some(v), Some(p)) = (d.vendor_id, d.product_id) {
        let _ = write!(how, " on USB {v:04x}:{p:04x}");
        for s in [&d.usb_vendor, &d.usb_product].into_iter().flatten() {
            let _ = write!(how, " \"{s}\"");
        }
    }
    if let Some(sg) = &d.sg
        && *sg != d.id
    {
        let _ = write!(how, ", also {sg}");
    }
    let driver = d
        .node
        .usb
        .as_ref()
        .and_then(|u| u.driver.clone())
        .unwrap_or_else(|| "usb-storage".into());
    let same = d
        .same_drive_as
        .as_ref()
        .map(|u| format!("the USB drive {u}, reached through {driver}: nothing to detach"));
    let note = match (same, &d.note) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or_else(|| b.clone()),
    };
    (how, note)
}

/// How a Windows entry is reached (it has no note).
#[cfg_attr(not(windows), allow(dead_code))]
fn spti_lines(d: &crate::spti::SptiDescription) -> (String, Option<String>) {
    let mut how = "Windows drive (SPTI)".to_string();
    if let Some(dev) = &d.device
        && *dev != d.id
    {
        let _ = write!(how, ", {dev}");
    }
    (how, None)
}

/// The USB part of the listing.
fn usb_entries(os: Os) -> Result<Vec<UsbListed>, CliError> {
    let context = crate::usb::context(os)?;
    Ok(crate::usb::candidates(&context)?
        .iter()
        .map(|c| UsbListed {
            description: discover::probe(c, Purpose::List, os).description,
            same_drive_as: None,
            path: c.path.clone(),
            interface: c.setting.interface,
        })
        .collect())
}

/// Linux without /dev/bus/usb: no USB here at all.
fn no_usb_here(os: Os) -> bool {
    os == Os::Linux && !std::path::Path::new("/dev/bus/usb").exists()
}

#[cfg(target_os = "linux")]
fn kernel_drives() -> Vec<SgDescription> {
    crate::sg::list(std::path::Path::new("/"))
}

#[cfg(windows)]
fn kernel_drives() -> Vec<SptiDescription> {
    crate::spti::list()
}

#[cfg(not(any(target_os = "linux", windows)))]
fn kernel_drives() -> Vec<()> {
    Vec::new()
}

/// Kernel drives first, then USB, each pair of the same drive linked.
#[cfg(target_os = "linux")]
pub fn join(mut usb: Vec<UsbListed>, mut kernel: Vec<SgDescription>) -> Vec<Listed> {
    for k in &mut kernel {
        let Some(home) = &k.node.usb else { continue };
        if let Some(u) = usb
            .iter_mut()
            .find(|u| u.path == home.path && u.interface == home.interface)
        {
            u.same_drive_as = Some(k.id.clone());
            k.same_drive_as = Some(u.description.id.clone());
        }
    }
    kernel
        .into_iter()
        .map(|k| Listed::Sg(Box::new(k)))
        .chain(usb.into_iter().map(|u| Listed::Usb(Box::new(u))))
        .collect()
}

/// Windows' drives first, then USB (a USB burner Windows has is bound to
/// USBSTOR, so libusb does not reach it: no pairs).
#[cfg(windows)]
fn join(usb: Vec<UsbListed>, system: Vec<SptiDescription>) -> Vec<Listed> {
    system
        .into_iter()
        .map(|d| Listed::Spti(Box::new(d)))
        .chain(usb.into_iter().map(|u| Listed::Usb(Box::new(u))))
        .collect()
}

#[cfg(not(any(target_os = "linux", windows)))]
fn join(usb: Vec<UsbListed>, _kernel: Vec<()>) -> Vec<Listed> {
    usb.into_iter().map(|u| Listed::Usb(Box::new(u))).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn usb(id: &str, path: &str) -> UsbListed {
        UsbListed {
            description: DriveDescription {
                id: id.into(),
                vendor_id: 0x0e8d,
                product_id: 0x1887,
                usb_vendor: Some("ASUS".into()),
                usb_product: Some("External Drive".into()),
                vendor: Some("ASUS".into()),
                product: Some("SDRW-08D2S-U".into()),
                revision: Some("B901".into()),
                subclass: 0x06,
                usable: true,
                problem: None,
                fix: None,
                note: None,
            },
            same_drive_as: None,
            path: path.into(),
            interface: 0,
        }
    }

    #[test]
    fn human_listing_of_usb_drives() {
        let mut ready = usb("1-4.2", "1-4.2");
        ready.description.note = Some("usb-storage has it now".into());
        let mut stick = usb("2-1", "2-1");
        stick.description = DriveDescription {
            vendor_id: 0x0781,
            product_id: 0x5567,
            usb_vendor: Some("SanDisk".into()),
            usb_product: Some("Cruzer Blade".into()),
            vendor: Some("SanDisk".into()),
            product: Some("Cruzer Blade".into()),
            revision: Some("1.00".into()),
            usable: false,
            problem: Some("not a CD/DVD drive (peripheral device type 00h: disk)".into()),
            ..stick.description
        };
        let mut denied = usb("3-2:1", "3-2");
        denied.description = DriveDescription {
            usb_vendor: None,
            usb_product: None,
            vendor: None,
            product: None,
            revision: None,
            subclass: 0x02,
            usable: false,
            problem: Some("permission denied opening /dev/bus/usb/003/004".into()),
            fix: Some("run rawburn as root".into()),
            ..denied.description
        };
        let list = [
            Listed::Usb(Box::new(ready)),
            Listed::Usb(Box::new(stick)),
            Listed::Usb(Box::new(denied)),
        ];
        assert_eq!(
            render(&list, None),
            "\
1-4.2  ASUS SDRW-08D2S-U B901
       USB 0e8d:1887 \"ASUS\" \"External Drive\", subclass 06h
       ready (usb-storage has it now)
2-1    SanDisk Cruzer Blade 1.00
       USB 0781:5567 \"SanDisk\" \"Cruzer Blade\", subclass 06h
       not usable: not a CD/DVD drive (peripheral device type 00h: disk)
3-2:1  USB device 0e8d:1887
       USB 0e8d:1887, subclass 02h
       not usable: permission denied opening /dev/bus/usb/003/004
       fix: run rawburn as root
"
        );
    }

    #[test]
    fn nothing_found_and_a_note() {
        let note = CliError::new(
            ExitKind::Drive,
            "no USB subsystem: libusb cannot start (unknown libusb error)",
        )
        .caused_by("there is no /dev/bus/usb on this system");
        assert_eq!(
            render(&[], Some(&note)),
            "no burner found: plug the burner in and switch it on\n\
             note: no USB subsystem: libusb cannot start (unknown libusb error)\n  \
             there is no /dev/bus/usb on this system\n"
        );
        assert_eq!(
            render(&[], None),
            "no burner found: plug the burner in and switch it on\n"
        );
        let e = only(&[]).unwrap_err();
        assert_eq!(
            (e.kind, e.headline.as_str()),
            (ExitKind::Drive, "no burner found")
        );
    }

    #[test]
    fn choosing_among_usb_drives() {
        let one = [Listed::Usb(Box::new(usb("1-4.2", "1-4.2")))];
        assert_eq!(only(&one).unwrap().id(), "1-4.2");
        let two = [
            Listed::Usb(Box::new(usb("1-4.2", "1-4.2"))),
            Listed::Usb(Box::new(usb("2-1", "2-1"))),
        ];
        let e = only(&two).unwrap_err();
        assert_eq!(e.kind, ExitKind::Usage);
        assert_eq!(
            e.causes,
            ["burners: 1-4.2 (ASUS SDRW-08D2S-U B901), 2-1 (ASUS SDRW-08D2S-U B901)"]
        );
        let mut bad = usb("2-1", "2-1");
        bad.description.usable = false;
        bad.description.problem = Some("busy: x".into());
        bad.description.fix = Some("close y".into());
        let e = only(&[Listed::Usb(Box::new(bad))]).unwrap_err();
        assert_eq!(e.headline, "no usable burner found");
        assert_eq!(
            e.causes,
            ["2-1 (ASUS SDRW-08D2S-U B901): busy: x; what to do: close y"]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_and_usb_drives_together() {
        let root = crate::sg::discover::tests::machine();
        let kernel = crate::sg::list(root.path());
        let mut held = usb("1-4.2", "1-4.2");
        held.description.note = Some(
            "usb-storage has it now; rawburn takes it over while burning and gives it back after"
                .into(),
        );
        let list = join(vec![held, usb("2-1", "2-1")], kernel);
        assert_eq!(
            render(&list, None),
            "\
/dev/sr0  HL-DT-ST DVDRAM GH24NSD1 LG00
          kernel drive (SG_IO), also /dev/sg0
          ready
/dev/sr1  ASUS SDRW-08D2S-U B901
          kernel drive (SG_IO) on USB 0e8d:1887 \"ASUS\" \"External Drive\", also /dev/sg2
          ready (the USB drive 1-4.2, reached through usb-storage: nothing to detach)
/dev/sr2  PLEXTOR DVDR PX-891SAF 1.06
          kernel drive (SG_IO)
          ready (its disc is mounted at /media/me/Old Photos: it can be read; unmount it to burn or blank)
/dev/sg3  TSSTcorp CDDVDW SH-224DB SB01
          kernel drive (SG_IO)
          not usable: /dev/sg3 does not speak the SCSI generic interface 3 (Inappropriate ioctl for device (os error 25)); rawburn needs sg 3.0 or later
1-4.2     ASUS SDRW-08D2S-U B901
          USB 0e8d:1887 \"ASUS\" \"External Drive\", subclass 06h
          ready (usb-storage has it now; rawburn takes it over while burning and gives it back after; the same drive as /dev/sr1, which is the recommended way to reach it: the kernel's SG_IO needs nothing detached)
2-1       ASUS SDRW-08D2S-U B901
          USB 0e8d:1887 \"ASUS\" \"External Drive\", subclass 06h
          ready
"
        );
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json[1]["sameDriveAs"], "1-4.2");
        assert_eq!(json[4]["transport"], "usb");
        assert_eq!(json[4]["sameDriveAs"], "/dev/sr1");
        assert_eq!(json[5]["sameDriveAs"], serde_json::Value::Null);
        // Each drive once: 1-4.2 is /dev/sr1.
        let ids: Vec<&str> = candidates(&list).iter().map(|d| d.id()).collect();
        assert_eq!(ids, ["/dev/sr0", "/dev/sr1", "/dev/sr2", "2-1"]);
        let e = only(&list).unwrap_err();
        assert_eq!(e.kind, ExitKind::Usage);
    }

    #[test]
    fn how_windows_drives_are_reached() {
        let found = crate::spti::Found {
            number: Some(0),
            letter: Some('E'),
        };
        let inquiry = mmc::wire::inquiry::InquiryRepr::mmc("HL-DT-ST", "DVDRAM GH24NSD1", "LG00");
        let d = crate::spti::SptiDescription::new(&found, Ok(inquiry));
        assert_eq!(
            spti_lines(&d),
            (r"Windows drive (SPTI), \\.\CdRom0".to_string(), None)
        );
        let bare = crate::spti::Found {
            number: Some(1),
            letter: None,
        };
        let d = crate::spti::SptiDescription::new(
            &bare,
            Err(crate::usb::problem::Problem {
                problem: "p".into(),
                fix: None,
            }),
        );
        assert_eq!(spti_lines(&d), ("Windows drive (SPTI)".to_string(), None));
    }
}
