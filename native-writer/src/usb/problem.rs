//! Why a drive cannot be opened, and the fix, per operating system:
//! every failure on the way from enumeration to INQUIRY becomes a
//! [`Problem`] a user can act on.

use super::pipe::describe;
use crate::error::{CliError, ExitKind};
use mmc::scsi::TransportError;

/// Which system's rules apply: the same libusb error has different causes
/// and fixes on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux: usb-storage holds the drive; access is by udev rule or root.
    Linux,
    /// Windows: only devices bound to WinUSB can be opened.
    Windows,
    /// macOS: taking a device from its driver needs root or an
    /// entitlement.
    Mac,
    /// Anything else libusb runs on.
    Other,
}

impl Os {
    /// The system rawburn was built for.
    pub fn current() -> Os {
        if cfg!(target_os = "linux") {
            Os::Linux
        } else if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Mac
        } else {
            Os::Other
        }
    }
}

/// Why a drive cannot be used, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong (lowercase, one sentence).
    pub problem: String,
    /// What to do, when the user can do something.
    pub fix: Option<String>,
}

impl Problem {
    fn new(problem: impl Into<String>, fix: Option<String>) -> Problem {
        Problem {
            problem: problem.into(),
            fix,
        }
    }
}

/// The device a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    /// rawburn's id for it ("1-4.2").
    pub id: &'a str,
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
    /// Bus number.
    pub bus: u8,
    /// Device address on the bus.
    pub address: u8,
    /// sysfs's name of the interface ("1-4.2:1.0"), when there is one.
    pub sysfs_interface: Option<&'a str>,
}

/// libusb cannot start: no USB subsystem here. `usbfs` says whether
/// Linux's `/dev/bus/usb` exists.
pub fn no_subsystem(e: rusb::Error, os: Os, usbfs: bool) -> CliError {
    let why = match (os, usbfs) {
        (Os::Linux, false) => {
            "there is no /dev/bus/usb on this system (containers, CI machines and some virtual \
             machines have none): run rawburn where the burner is plugged in, or pass the \
             burner's USB device through to this system"
        }
        (Os::Linux, true) => "libusb cannot use /dev/bus/usb: check that it is readable",
        _ => "libusb cannot reach the system's USB stack",
    };
    CliError::new(
        ExitKind::Drive,
        format!("no USB subsystem: libusb cannot start ({})", describe(e)),
    )
    .caused_by(why)
}

/// The udev rule giving the plugdev group access to this device.
pub fn udev_rule(vendor_id: u16, product_id: u16) -> String {
    format!(
        "SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{vendor_id:04x}\", \
         ATTR{{idProduct}}==\"{product_id:04x}\", MODE=\"0660\", GROUP=\"plugdev\""
    )
}

/// Opening the device failed.
pub fn open_failed(e: rusb::Error, os: Os, s: &Subject<'_>) -> Problem {
    match (e, os) {
        (rusb::Error::Access, Os::Linux) => Problem::new(
            format!(
                "permission denied opening /dev/bus/usb/{:03}/{:03}",
                s.bus, s.address
            ),
            Some(udev_fix(s)),
        ),
        (rusb::Error::Access | rusb::Error::NotSupported | rusb::Error::NotFound, Os::Windows) => {
            winusb(s)
        }
        (rusb::Error::Access, Os::Mac) => macos_access(),
        (rusb::Error::NoDevice, _) => gone(),
        (rusb::Error::Busy, _) => claimed_elsewhere(),
        (e, _) => Problem::new(format!("libusb cannot open it: {}", describe(e)), None),
    }
}

/// Detaching the kernel driver (`driver`, when known) failed.
pub fn detach_failed(e: rusb::Error, os: Os, s: &Subject<'_>, driver: Option<&str>) -> Problem {
    match (e, os) {
        (rusb::Error::Access, Os::Mac) => macos_access(),
        (rusb::Error::Access, Os::Linux) => Problem::new(
            "permission denied taking the drive from its kernel driver",
            Some(udev_fix(s)),
        ),
        (rusb::Error::NoDevice, _) => gone(),
        (e, os) => {
            let unbind = driver.unwrap_or("usb-storage");
            let driver = driver.unwrap_or("the system's mass-storage driver");
            let fix = match (os, s.sysfs_interface) {
                (Os::Linux, Some(intf)) => format!(
                    "close programs using the drive and unmount any disc in it, then try again; \
                     or unbind the driver yourself: echo -n '{intf}' | sudo tee \
                     /sys/bus/usb/drivers/{unbind}/unbind"
                ),
                _ => "close programs using the drive and eject any disc in it, then try again"
                    .to_string(),
            };
            Problem::new(
                format!(
                    "busy: {driver} holds the drive and could not be detached ({})",
                    describe(e)
                ),
                Some(fix),
            )
        }
    }
}

/// Claiming the interface failed.
pub fn claim_failed(e: rusb::Error, os: Os, s: &Subject<'_>) -> Problem {
    match (e, os) {
        (rusb::Error::Busy, Os::Mac) => Problem::new(
            "busy: another program or macOS's own driver holds the drive",
            Some(
                "close other programs that use the drive; run rawburn as root (sudo) so it \
                 can take the drive from macOS's driver"
                    .into(),
            ),
        ),
        (rusb::Error::Busy, _) => claimed_elsewhere(),
        (rusb::Error::Access, Os::Linux) => Problem::new(
            "permission denied claiming the drive's interface",
            Some(udev_fix(s)),
        ),
        (rusb::Error::Access, Os::Mac) => macos_access(),
        (rusb::Error::Access | rusb::Error::NotSupported | rusb::Error::NotFound, Os::Windows) => {
            winusb(s)
        }
        (rusb::Error::NoDevice, _) => gone(),
        (e, _) => Problem::new(
            format!("the drive's interface cannot be claimed: {}", describe(e)),
            None,
        ),
    }
}

/// A kernel driver holds the interface and rawburn does not know the
/// device is a CD/DVD drive, so it leaves the driver alone.
pub fn driver_held(os: Os, s: &Subject<'_>, driver: Option<&str>, subclass: u8) -> Problem {
    let fix = Some(format!(
        "if it is a CD/DVD drive, name it by its id ({}) to use it anyway",
        s.id
    ));
    match os {
        Os::Linux => Problem::new(
            format!(
                "{} holds it and /sys does not say whether it is a CD/DVD drive; rawburn takes \
                 only known CD/DVD drives from their driver unasked",
                driver.unwrap_or("a kernel driver")
            ),
            fix,
        ),
        _ => Problem::new(
            format!(
                "the system's mass-storage driver holds it, and its interface (subclass \
                 {subclass:02x}h) does not say it is a CD/DVD drive; rawburn takes only \
                 subclass 02h drives from that driver unasked"
            ),
            fix,
        ),
    }
}

/// On Linux, listing does not take drives from usb-storage: a burner it
/// holds is reported with this note instead of INQUIRY's answer.
pub fn held_for_listing(os: Os) -> Option<String> {
    (os == Os::Linux).then(|| {
        "usb-storage has it now; rawburn takes it over while burning and gives it back after"
            .to_string()
    })
}

/// The disc in the drive is mounted.
pub fn mounted(block: &str, mount_point: &str) -> Problem {
    Problem::new(
        format!("busy: the disc in /dev/{block} is mounted at {mount_point}"),
        Some(format!("unmount it first: umount /dev/{block}")),
    )
}

/// INQUIRY says it is not a CD/DVD drive.
pub fn not_optical(device_type: u8) -> Problem {
    Problem::new(
        format!(
            "not a CD/DVD drive (peripheral device type {device_type:02x}h: {})",
            device_type_name(device_type)
        ),
        None,
    )
}

/// INQUIRY did not go through.
pub fn no_answer(e: &TransportError) -> Problem {
    Problem::new(
        format!("the drive did not answer INQUIRY: {e}"),
        Some("unplug the drive and plug it in again, and check its power supply".into()),
    )
}

/// A mass-storage interface rawburn cannot drive.
pub fn unsupported(subclass: u8, protocol: u8) -> Problem {
    let problem = match protocol {
        0x62 => "it offers only USB Attached SCSI (protocol 62h); rawburn speaks Bulk-Only (50h)"
            .to_string(),
        0x00 | 0x01 => format!(
            "it uses the Control/Bulk/Interrupt transport (protocol {protocol:02x}h); rawburn \
             speaks Bulk-Only (50h)"
        ),
        0x50 => format!(
            "its command set (subclass {subclass:02x}h) is not one CD/DVD drives use (02h, 05h \
             or 06h)"
        ),
        _ => format!("unknown mass-storage protocol {protocol:02x}h"),
    };
    Problem::new(problem, None)
}

/// A Bulk-Only interface without its two bulk endpoints.
pub fn no_endpoints() -> Problem {
    Problem::new(
        "its Bulk-Only interface lacks a bulk IN or bulk OUT endpoint",
        None,
    )
}

/// A peripheral device type in words (SPC-4 table 50, the common ones).
pub fn device_type_name(t: u8) -> &'static str {
    match t {
        0x00 => "disk",
        0x01 => "tape",
        0x05 => "CD/DVD",
        0x07 => "optical memory",
        0x0e => "simplified disk",
        0x1f => "unknown or none",
        _ => "other",
    }
}

fn udev_fix(s: &Subject<'_>) -> String {
    format!(
        "let your user open it: put the line {} in /etc/udev/rules.d/70-rawburn.rules, run \
         `sudo udevadm control --reload-rules`, replug the drive, and make sure you are in the \
         plugdev group; or run rawburn as root",
        udev_rule(s.vendor_id, s.product_id)
    )
}

fn winusb(s: &Subject<'_>) -> Problem {
    Problem::new(
        "Windows' own driver has the drive; libusb can open only devices bound to WinUSB",
        Some(format!(
            "use its drive letter instead (`rawburn drives` lists it among Windows' drives, \
             reached through SPTI with nothing to install); or bind WinUSB to it with Zadig \
             (https://zadig.akeo.ie): Options > List All Devices, pick USB ID {:04X} {:04X}, choose WinUSB, Replace Driver. While WinUSB is bound \
             the drive is gone from Explorer and other burning programs; uninstall the device \
             in Device Manager to give it back to Windows",
            s.vendor_id, s.product_id
        )),
    )
}

fn macos_access() -> Problem {
    Problem::new(
        "macOS lets only root, or a program with the com.apple.vm.device-access entitlement, \
         take the drive from its own driver",
        Some("run rawburn as root (sudo)".into()),
    )
}

fn gone() -> Problem {
    Problem::new(
        "the device left the bus",
        Some("check the cable and the power, then run `rawburn drives` again".into()),
    )
}

fn claimed_elsewhere() -> Problem {
    Problem::new(
        "busy: another program has claimed the drive's interface",
        Some(
            "close other programs that use the drive (burning software, another rawburn) and \
             try again"
                .into(),
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const BURNER: Subject<'static> = Subject {
        id: "1-4.2",
        vendor_id: 0x0e8d,
        product_id: 0x1887,
        bus: 1,
        address: 7,
        sysfs_interface: Some("1-4.2:1.0"),
    };

    #[test]
    fn the_udev_rule_names_the_device() {
        assert_eq!(
            udev_rule(0x0e8d, 0x1887),
            r#"SUBSYSTEM=="usb", ATTR{idVendor}=="0e8d", ATTR{idProduct}=="1887", MODE="0660", GROUP="plugdev""#
        );
    }

    #[test]
    fn permission_denied_per_system() {
        let linux = open_failed(rusb::Error::Access, Os::Linux, &BURNER);
        assert_eq!(
            linux.problem,
            "permission denied opening /dev/bus/usb/001/007"
        );
        let fix = linux.fix.unwrap();
        assert!(fix.contains(&udev_rule(0x0e8d, 0x1887)), "{fix}");
        assert!(fix.ends_with("or run rawburn as root"), "{fix}");

        let windows = open_failed(rusb::Error::NotSupported, Os::Windows, &BURNER);
        assert!(windows.problem.contains("WinUSB"));
        let fix = windows.fix.unwrap();
        assert!(
            fix.contains("Zadig") && fix.contains("USB ID 0E8D 1887"),
            "{fix}"
        );
        assert!(fix.contains("gone from Explorer"), "{fix}");
        assert!(fix.starts_with("use its drive letter instead"), "{fix}");

        let mac = open_failed(rusb::Error::Access, Os::Mac, &BURNER);
        assert!(mac.problem.contains("com.apple.vm.device-access"));
        assert_eq!(mac.fix.as_deref(), Some("run rawburn as root (sudo)"));
        assert_eq!(
            detach_failed(rusb::Error::Access, Os::Mac, &BURNER, None),
            mac
        );
    }

    #[test]
    fn busy_and_gone() {
        let busy = claim_failed(rusb::Error::Busy, Os::Linux, &BURNER);
        assert_eq!(
            busy.problem,
            "busy: another program has claimed the drive's interface"
        );
        let detach = detach_failed(rusb::Error::Io, Os::Linux, &BURNER, Some("usb-storage"));
        assert_eq!(
            detach.problem,
            "busy: usb-storage holds the drive and could not be detached (input/output error)"
        );
        assert!(
            detach.fix.unwrap().ends_with(
                "echo -n '1-4.2:1.0' | sudo tee /sys/bus/usb/drivers/usb-storage/unbind"
            )
        );
        for p in [
            open_failed(rusb::Error::NoDevice, Os::Linux, &BURNER),
            claim_failed(rusb::Error::NoDevice, Os::Windows, &BURNER),
        ] {
            assert_eq!(p.problem, "the device left the bus");
        }
        assert_eq!(
            mounted("sr0", "/media/me/DISC"),
            Problem::new(
                "busy: the disc in /dev/sr0 is mounted at /media/me/DISC",
                Some("unmount it first: umount /dev/sr0".into())
            )
        );
    }

    #[test]
    fn what_is_not_a_burner() {
        assert_eq!(
            not_optical(0).problem,
            "not a CD/DVD drive (peripheral device type 00h: disk)"
        );
        assert_eq!(not_optical(0).fix, None);
        assert!(
            unsupported(0x06, 0x62)
                .problem
                .contains("USB Attached SCSI")
        );
        assert!(
            unsupported(0x04, 0x00)
                .problem
                .contains("Control/Bulk/Interrupt")
        );
        assert!(unsupported(0x01, 0x50).problem.contains("subclass 01h"));
        let held = driver_held(Os::Linux, &BURNER, Some("usb-storage"), 0x06);
        assert!(held.problem.starts_with("usb-storage holds it"));
        assert_eq!(
            held.fix.as_deref(),
            Some("if it is a CD/DVD drive, name it by its id (1-4.2) to use it anyway")
        );
        assert!(
            driver_held(Os::Mac, &BURNER, None, 0x06)
                .problem
                .contains("subclass 06h")
        );
    }

    #[test]
    fn no_subsystem_is_exit_6() {
        let e = no_subsystem(rusb::Error::Other, Os::Linux, false);
        assert_eq!(e.kind, ExitKind::Drive);
        assert_eq!(e.kind.code(), 6);
        assert_eq!(
            e.headline,
            "no USB subsystem: libusb cannot start (unknown libusb error)"
        );
        assert!(e.causes[0].starts_with("there is no /dev/bus/usb on this system"));
        let e = no_subsystem(rusb::Error::Io, Os::Mac, false);
        assert_eq!(e.causes, ["libusb cannot reach the system's USB stack"]);
    }
}
