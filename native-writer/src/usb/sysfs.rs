//! What Linux's sysfs says about a USB mass-storage interface without
//! touching the device: which kernel driver holds it and, when
//! usb-storage does, the SCSI devices it made (type, INQUIRY strings,
//! block device). rawburn uses it to leave disks and flash drives alone
//! and to name a burner it cannot open.
//!
//! ```text
//! /sys/bus/usb/devices/1-4.2/{manufacturer,product}
//! /sys/bus/usb/devices/1-4.2:1.0/driver -> .../usb-storage
//! /sys/bus/usb/devices/1-4.2:1.0/host6/target6:0:0/6:0:0:0/{type,vendor,model,rev,block/sr0}
//! ```
//!
//! Everything here is best effort: what cannot be read is `None` or
//! empty, never an error.

use std::fs;
use std::path::{Path, PathBuf};

/// Where Linux lists USB devices and interfaces.
pub const USB_DEVICES: &str = "/sys/bus/usb/devices";

/// Where Linux lists mounted filesystems.
pub const MOUNTS: &str = "/proc/self/mounts";

/// sysfs's view of one interface and its device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// The device's manufacturer string.
    pub manufacturer: Option<String>,
    /// The device's product string.
    pub product: Option<String>,
    /// The kernel driver bound to the interface ("usb-storage", "uas").
    pub driver: Option<String>,
    /// The SCSI devices the driver made, by LUN.
    pub scsi: Vec<ScsiDevice>,
}

/// A SCSI device (one LUN) as the kernel knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScsiDevice {
    /// Its LUN.
    pub lun: u8,
    /// Peripheral device type (5: CD/DVD).
    pub device_type: u8,
    /// INQUIRY vendor.
    pub vendor: Option<String>,
    /// INQUIRY product.
    pub model: Option<String>,
    /// INQUIRY revision.
    pub revision: Option<String>,
    /// Its block device ("sr0").
    pub block: Option<String>,
}

impl InterfaceInfo {
    /// Reads what `root` (normally [`USB_DEVICES`]) has on interface
    /// `interface` of configuration `config` of device `device` ("1-4.2").
    pub fn read(root: &Path, device: &str, config: u8, interface: u8) -> InterfaceInfo {
        let dev = root.join(device);
        let intf = root.join(format!("{device}:{config}.{interface}"));
        let driver = fs::read_link(intf.join("driver"))
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        InterfaceInfo {
            manufacturer: text(&dev.join("manufacturer")),
            product: text(&dev.join("product")),
            driver,
            scsi: scsi_devices(&intf),
        }
    }

    /// The first CD/DVD device among the LUNs.
    pub fn optical(&self) -> Option<&ScsiDevice> {
        self.scsi.iter().find(|d| d.device_type == 0x05)
    }
}

/// Where `/dev/<block>` is mounted, from the text of `/proc/self/mounts`.
pub fn mount_point(mounts: &str, block: &str) -> Option<String> {
    let dev = format!("/dev/{block}");
    mounts.lines().find_map(|line| {
        let mut fields = line.split(' ');
        (fields.next() == Some(dev.as_str()))
            .then(|| fields.next().map(unescape))
            .flatten()
    })
}

/// The file's text, trimmed; `None` when absent or empty.
fn text(path: &Path) -> Option<String> {
    let s = fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// `host*/target*/H:C:T:L/` under an interface, sorted by LUN.
fn scsi_devices(intf: &Path) -> Vec<ScsiDevice> {
    let mut found = Vec::new();
    for host in children(intf, "host") {
        for target in children(&host, "target") {
            for dev in children(&target, "") {
                if let Some(d) = scsi_device(&dev) {
                    found.push(d);
                }
            }
        }
    }
    found.sort_by_key(|d| d.lun);
    found
}

fn scsi_device(dir: &Path) -> Option<ScsiDevice> {
    let name = dir.file_name()?.to_str()?;
    // "H:C:T:L"
    let lun = name.rsplit(':').next()?.parse().ok()?;
    if name.split(':').count() != 4 {
        return None;
    }
    let device_type = text(&dir.join("type"))?.parse().ok()?;
    let block = fs::read_dir(dir.join("block"))
        .ok()
        .and_then(|mut entries| entries.next())
        .and_then(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned());
    Some(ScsiDevice {
        lun,
        device_type,
        vendor: text(&dir.join("vendor")),
        model: text(&dir.join("model")),
        revision: text(&dir.join("rev")),
        block,
    })
}

/// Subdirectories of `dir` whose names start with `prefix`.
fn children(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// A mounts field with its octal escapes (`\040` for a space) undone.
pub fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| {
            let s = std::str::from_utf8(d).ok()?;
            u8::from_str_radix(s, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(b)) => {
                out.push(b);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A burner at 1-4.2 (LUN 0, sr0) and a flash drive at 2-1 (sdb).
    #[cfg(unix)]
    fn tree() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        write(&r.join("1-4.2/manufacturer"), "ASUS\n");
        write(&r.join("1-4.2/product"), "SDRW-08D2S-U\n");
        let drivers = r.join("drivers/usb-storage");
        fs::create_dir_all(&drivers).unwrap();
        fs::create_dir_all(r.join("1-4.2:1.0")).unwrap();
        std::os::unix::fs::symlink(&drivers, r.join("1-4.2:1.0/driver")).unwrap();
        let lun0 = r.join("1-4.2:1.0/host6/target6:0:0/6:0:0:0");
        write(&lun0.join("type"), "5\n");
        write(&lun0.join("vendor"), "ASUS    \n");
        write(&lun0.join("model"), "SDRW-08D2S-U    \n");
        write(&lun0.join("rev"), "B901\n");
        fs::create_dir_all(lun0.join("block/sr0")).unwrap();
        // Not a SCSI device directory.
        fs::create_dir_all(r.join("1-4.2:1.0/host6/target6:0:0/power")).unwrap();
        let disk = r.join("2-1:1.0/host7/target7:0:0/7:0:0:0");
        write(&disk.join("type"), "0\n");
        fs::create_dir_all(disk.join("block/sdb")).unwrap();
        root
    }

    #[cfg(unix)]
    #[test]
    fn a_burner_held_by_usb_storage() {
        let root = tree();
        let info = InterfaceInfo::read(root.path(), "1-4.2", 1, 0);
        assert_eq!(info.manufacturer.as_deref(), Some("ASUS"));
        assert_eq!(info.product.as_deref(), Some("SDRW-08D2S-U"));
        assert_eq!(info.driver.as_deref(), Some("usb-storage"));
        assert_eq!(
            info.scsi,
            [ScsiDevice {
                lun: 0,
                device_type: 5,
                vendor: Some("ASUS".into()),
                model: Some("SDRW-08D2S-U".into()),
                revision: Some("B901".into()),
                block: Some("sr0".into()),
            }]
        );
        assert_eq!(info.optical().map(|d| d.lun), Some(0));
    }

    #[cfg(unix)]
    #[test]
    fn a_flash_drive_and_nothing_at_all() {
        let root = tree();
        let info = InterfaceInfo::read(root.path(), "2-1", 1, 0);
        assert_eq!(info.scsi.len(), 1);
        assert_eq!(info.scsi[0].device_type, 0);
        assert_eq!(info.optical(), None);
        assert_eq!(info.driver, None);
        assert_eq!(
            InterfaceInfo::read(root.path(), "9-9", 1, 0),
            InterfaceInfo::default()
        );
    }

    #[test]
    fn mount_points() {
        let mounts = "proc /proc proc rw 0 0\n\
                      /dev/sr0 /media/me/My\\040Disc iso9660 ro 0 0\n\
                      /dev/sr1 /mnt/x udf ro 0 0\n";
        assert_eq!(
            mount_point(mounts, "sr0").as_deref(),
            Some("/media/me/My Disc")
        );
        assert_eq!(mount_point(mounts, "sr1").as_deref(), Some("/mnt/x"));
        assert_eq!(mount_point(mounts, "sr2"), None);
        assert_eq!(mount_point(mounts, "sr"), None);
        assert_eq!(unescape("a\\134b\\"), "a\\b\\");
    }
}
