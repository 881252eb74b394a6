//! Finding the drives the kernel owns, from sysfs alone (nothing is
//! opened to list them), and whether the disc in one is mounted.
//!
//! ```text
//! /sys/class/scsi_generic/sg1 -> ../../devices/…/6:0:0:0/scsi_generic/sg1
//! /sys/class/scsi_generic/sg1/device/{type,vendor,model,rev,block/sr0}
//! /sys/block/sr0 -> ../devices/…/6:0:0:0/block/sr0      /sys/block/sr0/dev: "11:0"
//! a USB drive: …/usb1/1-4/1-4.2/1-4.2:1.0/host6/… in those links
//! ```
//!
//! Every path is under a root directory ("/" for the system; tests give a
//! temporary tree), and stays the real absolute path with the root "/",
//! so tools that redirect /sys and /dev inside the process (umockdev)
//! see the paths they expect.

use std::fs;
use std::path::{Path, PathBuf};

/// Peripheral device type of CD/DVD drives (SPC-4 table 50).
pub const TYPE_CD_DVD: u8 = 0x05;

/// A SCSI device the kernel knows, with the nodes that reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Its sr block device ("sr0"), when the sr driver has it.
    pub sr: Option<String>,
    /// Its SCSI generic device ("sg1"), when the sg driver has it.
    pub sg: Option<String>,
    /// The block device's major:minor ("11:0").
    pub dev: Option<String>,
    /// Peripheral device type (5: CD/DVD).
    pub device_type: u8,
    /// INQUIRY vendor.
    pub vendor: Option<String>,
    /// INQUIRY product.
    pub model: Option<String>,
    /// INQUIRY revision.
    pub revision: Option<String>,
    /// The USB interface it hangs from, when it is a USB drive.
    pub usb: Option<UsbHome>,
}

/// Where on USB a drive the kernel owns is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbHome {
    /// The device's port path ("1-4.2").
    pub path: String,
    /// bConfigurationValue.
    pub config: u8,
    /// bInterfaceNumber.
    pub interface: u8,
    /// idVendor.
    pub vendor_id: Option<u16>,
    /// idProduct.
    pub product_id: Option<u16>,
    /// The manufacturer string.
    pub manufacturer: Option<String>,
    /// The product string.
    pub product: Option<String>,
    /// The kernel driver bound to the interface ("usb-storage", "uas").
    pub driver: Option<String>,
}

impl Node {
    /// rawburn's id: "/dev/sr0", else "/dev/sg1".
    pub fn id(&self) -> String {
        match (&self.sr, &self.sg) {
            (Some(sr), _) => format!("/dev/{sr}"),
            (None, Some(sg)) => format!("/dev/{sg}"),
            (None, None) => String::new(),
        }
    }

    /// The node rawburn opens under `root`: the sr one when there is one
    /// (the block layer's `SG_IO`, which a signal cannot interrupt), else
    /// the sg one.
    pub fn path(&self, root: &Path) -> PathBuf {
        let name = self.sr.as_deref().or(self.sg.as_deref()).unwrap_or("");
        root.join("dev").join(name)
    }

    /// Whether `id` names it: "/dev/sr0", "sr0", "/dev/sg1" or "sg1".
    pub fn answers_to(&self, id: &str) -> bool {
        let name = id.strip_prefix("/dev/").unwrap_or(id);
        !name.is_empty() && (self.sr.as_deref() == Some(name) || self.sg.as_deref() == Some(name))
    }

    /// Whether it is a CD/DVD drive.
    pub fn is_optical(&self) -> bool {
        self.device_type == TYPE_CD_DVD
    }

    /// "VENDOR MODEL REV", or the id.
    pub fn label(&self) -> String {
        let parts: Vec<&str> = [&self.vendor, &self.model, &self.revision]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        if parts.is_empty() {
            return self.id();
        }
        parts.join(" ")
    }
}

/// Whether `id` can only mean a drive the kernel owns: a node under /dev
/// or an sr/sg name.
pub fn is_kernel_id(id: &str) -> bool {
    let name = id.strip_prefix("/dev/").unwrap_or(id);
    id.starts_with("/dev/") || numbered(name, "sr") || numbered(name, "sg")
}

/// The sr or sg name a /dev path stands for: itself ("/dev/sr0"), or the
/// node a symlink such as /dev/cdrom or /dev/disk/by-id/… points at.
pub fn resolve(root: &Path, id: &str) -> String {
    let Some(rest) = id.strip_prefix("/dev/") else {
        return id.to_string();
    };
    let mut path = root.join("dev").join(rest);
    for _ in 0..8 {
        let Ok(target) = fs::read_link(&path) else {
            break;
        };
        let Some(dir) = path.parent() else { break };
        path = dir.join(target);
    }
    match path.file_name().and_then(|n| n.to_str()) {
        Some(name) if numbered(name, "sr") || numbered(name, "sg") => name.to_string(),
        _ => id.to_string(),
    }
}

/// Every SCSI device with an sg or sr node, of any type: sr drives by
/// number, then the sg-only devices by number.
pub fn scan(root: &Path) -> Vec<Node> {
    let sys = root.join("sys");
    let mut nodes: Vec<Node> = Vec::new();
    for sg in names(&sys.join("class/scsi_generic"), "sg") {
        let class = sys.join("class/scsi_generic").join(&sg);
        let device = device_dir(&class);
        let sr = names(&device.join("block"), "sr").into_iter().next();
        let mut node = read_device(&device, &class);
        node.sg = Some(sg);
        if let Some(sr) = &sr {
            node.dev = text(&sys.join("block").join(sr).join("dev"));
        }
        node.sr = sr;
        nodes.push(node);
    }
    for sr in names(&sys.join("block"), "sr") {
        if nodes.iter().any(|n| n.sr.as_deref() == Some(sr.as_str())) {
            continue;
        }
        let block = sys.join("block").join(&sr);
        let mut node = read_device(&device_dir(&block), &block);
        node.dev = text(&block.join("dev"));
        node.sr = Some(sr);
        nodes.push(node);
    }
    for n in &mut nodes {
        if let Some(home) = &mut n.usb {
            let dev = sys.join("bus/usb/devices").join(&home.path);
            let hex = |f: &str| text(&dev.join(f)).and_then(|t| u16::from_str_radix(&t, 16).ok());
            home.vendor_id = hex("idVendor");
            home.product_id = hex("idProduct");
            home.manufacturer = text(&dev.join("manufacturer"));
            home.product = text(&dev.join("product"));
            let intf = sys
                .join("bus/usb/devices")
                .join(format!("{}:{}.{}", home.path, home.config, home.interface));
            home.driver = fs::read_link(intf.join("driver"))
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        }
    }
    let key = |n: &Node| match (&n.sr, &n.sg) {
        (Some(sr), _) => (0, number(sr)),
        (None, Some(sg)) => (1, number(sg)),
        (None, None) => (2, 0),
    };
    nodes.sort_by_key(key);
    nodes
}

/// Where the disc of the drive with block node `node` ("/dev/sr0") and
/// major:minor `dev` is mounted, from the text of `/proc/self/mountinfo`:
/// a mount of that device number, or whose source is the node or a link
/// `resolve` turns into it.
pub fn mount_point(
    mountinfo: &str,
    node: &str,
    dev: Option<&str>,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    mountinfo.lines().find_map(|line| {
        // ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL…] - TYPE SOURCE SUPER
        let fields: Vec<&str> = line.split(' ').collect();
        let at = fields.get(4)?;
        let dash = fields.iter().position(|f| *f == "-")?;
        let source = fields.get(dash + 2).map(|s| unescape(s));
        let same_dev = dev.is_some_and(|d| fields.get(2) == Some(&d));
        let same_source = source.as_deref().is_some_and(|s| {
            s == node || (s.starts_with("/dev/") && resolve(s).as_deref() == Some(node))
        });
        (same_dev || same_source).then(|| unescape(at))
    })
}

/// Where the disc of `node` is mounted, reading `mountinfo` (normally
/// `/proc/self/mountinfo`); links in mount sources are resolved under
/// `root`. Unreadable mount tables count as nothing mounted.
pub fn mounted(root: &Path, mountinfo: &Path, node: &Node) -> Option<String> {
    let sr = node.sr.as_deref()?;
    let text = fs::read_to_string(mountinfo).ok()?;
    let resolve = |s: &str| Some(format!("/dev/{}", self::resolve(root, s)));
    mount_point(&text, &format!("/dev/{sr}"), node.dev.as_deref(), &resolve)
}

/// A mount table field with its octal escapes (`\040` for a space)
/// undone.
pub fn unescape(field: &str) -> String {
    crate::usb::sysfs::unescape(field)
}

/// The SCSI device directory of a class entry: what its link points at
/// (`…/1:0:0:0/scsi_generic/sg0`), two levels up; its `device` link where
/// the entry is no link. (umockdev's sysfs has the first, not the second.)
fn device_dir(class: &Path) -> PathBuf {
    match (fs::read_link(class), class.parent()) {
        (Ok(target), Some(dir)) => {
            let real = dir.join(target);
            match real.parent().and_then(Path::parent) {
                Some(d) => d.to_path_buf(),
                None => class.join("device"),
            }
        }
        _ => class.join("device"),
    }
}

/// What sysfs says of the SCSI device `device`; `class` is the class
/// entry whose link locates it (for the USB interface above it).
fn read_device(device: &Path, class: &Path) -> Node {
    let usb = fs::read_link(class)
        .ok()
        .and_then(|target| usb_home(&target.to_string_lossy()));
    Node {
        sr: None,
        sg: None,
        dev: None,
        device_type: text(&device.join("type"))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0x1f),
        vendor: text(&device.join("vendor")),
        model: text(&device.join("model")),
        revision: text(&device.join("rev")),
        usb,
    }
}

/// The USB interface ("1-4.2:1.0") among the components of a sysfs
/// device path.
fn usb_home(path: &str) -> Option<UsbHome> {
    path.split('/').find_map(|c| {
        let (device, rest) = c.split_once(':')?;
        let (config, interface) = rest.split_once('.')?;
        let (bus, ports) = device.split_once('-')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let ports_ok = ports.split('.').all(digits);
        (digits(bus) && ports_ok).then_some(())?;
        Some(UsbHome {
            path: device.to_string(),
            config: config.parse().ok()?,
            interface: interface.parse().ok()?,
            vendor_id: None,
            product_id: None,
            manufacturer: None,
            product: None,
            driver: None,
        })
    })
}

/// Entries of `dir` named `prefix` and a number.
fn names(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| numbered(n, prefix))
        .collect();
    v.sort_by_key(|n| number(n));
    v
}

/// Whether `name` is `prefix` and a number ("sr0").
fn numbered(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The number at the end of "sr12".
fn number(name: &str) -> u32 {
    let digits = name.trim_start_matches(|c: char| !c.is_ascii_digit());
    digits.parse().unwrap_or(u32::MAX)
}

/// The file's text, trimmed; `None` when absent or empty.
fn text(path: &Path) -> Option<String> {
    let s = fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::os::unix::fs::symlink;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A SCSI device directory with its INQUIRY strings.
    fn scsi(dir: &Path, device_type: u8, vendor: &str, model: &str, rev: &str) {
        write(&dir.join("type"), &format!("{device_type}\n"));
        write(&dir.join("vendor"), &format!("{vendor:8}\n"));
        write(&dir.join("model"), &format!("{model:16}\n"));
        write(&dir.join("rev"), &format!("{rev}\n"));
    }

    /// Links `/sys/<class>/<name>` to the device directory `dev` (under
    /// sys/devices), as sysfs does (and without the `device` link back,
    /// as umockdev does).
    fn class_entry(sys: &Path, class: &str, name: &str, dev: &str, sub: &str) {
        let real = sys.join("devices").join(dev).join(sub).join(name);
        fs::create_dir_all(&real).unwrap();
        let up = "../".repeat(class.split('/').count());
        let entry = sys.join(class).join(name);
        fs::create_dir_all(entry.parent().unwrap()).unwrap();
        symlink(format!("{up}devices/{dev}/{sub}/{name}"), &entry).unwrap();
    }

    /// A machine with a SATA burner (sg0, sr0), a USB burner held by
    /// usb-storage (sg2, sr1, at 1-4.2:1.0), a disk (sg1, no sr), a
    /// second SATA burner without the sg driver (sr2) whose disc is
    /// mounted, a third with an sg node only (sg3), and /dev nodes as
    /// plain files.
    pub(crate) fn machine() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let sys = root.path().join("sys");
        let sata = "pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0";
        let usb = "pci0000:00/0000:00:14.0/usb1/1-4/1-4.2/1-4.2:1.0/host6/target6:0:0/6:0:0:0";
        let disk = "pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0";
        let sata2 = "pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0";
        let sata3 = "pci0000:00/0000:00:17.0/ata4/host3/target3:0:0/3:0:0:0";
        scsi(
            &sys.join("devices").join(sata),
            5,
            "HL-DT-ST",
            "DVDRAM GH24NSD1",
            "LG00",
        );
        scsi(
            &sys.join("devices").join(usb),
            5,
            "ASUS",
            "SDRW-08D2S-U",
            "B901",
        );
        scsi(
            &sys.join("devices").join(disk),
            0,
            "ATA",
            "Samsung SSD 870",
            "2B6Q",
        );
        scsi(
            &sys.join("devices").join(sata2),
            5,
            "PLEXTOR",
            "DVDR PX-891SAF",
            "1.06",
        );
        class_entry(&sys, "class/scsi_generic", "sg0", sata, "scsi_generic");
        class_entry(&sys, "class/scsi_generic", "sg1", disk, "scsi_generic");
        class_entry(&sys, "class/scsi_generic", "sg2", usb, "scsi_generic");
        scsi(
            &sys.join("devices").join(sata3),
            5,
            "TSSTcorp",
            "CDDVDW SH-224DB",
            "SB01",
        );
        class_entry(&sys, "class/scsi_generic", "sg3", sata3, "scsi_generic");
        class_entry(&sys, "block", "sr0", sata, "block");
        class_entry(&sys, "block", "sr1", usb, "block");
        class_entry(&sys, "block", "sr2", sata2, "block");
        write(&sys.join("block/sr0/dev"), "11:0\n");
        write(&sys.join("block/sr1/dev"), "11:1\n");
        write(&sys.join("block/sr2/dev"), "11:2\n");
        let usbdev = sys.join("bus/usb/devices/1-4.2");
        write(&usbdev.join("idVendor"), "0e8d\n");
        write(&usbdev.join("idProduct"), "1887\n");
        write(&usbdev.join("manufacturer"), "ASUS\n");
        write(&usbdev.join("product"), "External Drive\n");
        let drivers = sys.join("bus/usb/drivers/usb-storage");
        fs::create_dir_all(&drivers).unwrap();
        fs::create_dir_all(sys.join("bus/usb/devices/1-4.2:1.0")).unwrap();
        symlink(&drivers, sys.join("bus/usb/devices/1-4.2:1.0/driver")).unwrap();
        for n in ["sr0", "sr1", "sr2", "sg0", "sg1", "sg2", "sg3"] {
            write(&root.path().join("dev").join(n), "");
        }
        fs::create_dir_all(root.path().join("dev/disk/by-label")).unwrap();
        symlink("sr1", root.path().join("dev/cdrom")).unwrap();
        symlink("../../sr0", root.path().join("dev/disk/by-label/MY_DISC")).unwrap();
        write(
            &root.path().join("proc/self/mountinfo"),
            "22 1 252:1 / / rw - ext4 /dev/vda1 rw\n\
             96 22 11:2 / /media/me/Old\\040Photos ro - udf /dev/sr2 ro\n",
        );
        root
    }

    #[test]
    fn the_drives_sysfs_knows() {
        let root = machine();
        let nodes = scan(root.path());
        let ids: Vec<String> = nodes.iter().map(Node::id).collect();
        assert_eq!(
            ids,
            ["/dev/sr0", "/dev/sr1", "/dev/sr2", "/dev/sg1", "/dev/sg3"]
        );
        assert_eq!(
            nodes[0],
            Node {
                sr: Some("sr0".into()),
                sg: Some("sg0".into()),
                dev: Some("11:0".into()),
                device_type: 5,
                vendor: Some("HL-DT-ST".into()),
                model: Some("DVDRAM GH24NSD1".into()),
                revision: Some("LG00".into()),
                usb: None,
            }
        );
        assert_eq!(
            nodes[1].usb,
            Some(UsbHome {
                path: "1-4.2".into(),
                config: 1,
                interface: 0,
                vendor_id: Some(0x0e8d),
                product_id: Some(0x1887),
                manufacturer: Some("ASUS".into()),
                product: Some("External Drive".into()),
                driver: Some("usb-storage".into()),
            })
        );
        assert_eq!(
            (nodes[1].sg.as_deref(), nodes[1].label().as_str()),
            (Some("sg2"), "ASUS SDRW-08D2S-U B901")
        );
        // sr2 has no sg node (the sg driver is not loaded for it).
        assert_eq!(
            (nodes[2].sg.as_deref(), nodes[2].dev.as_deref()),
            (None, Some("11:2"))
        );
        assert_eq!(nodes[2].path(root.path()), root.path().join("dev/sr2"));
        // The disk: sg only, type 0.
        assert_eq!((nodes[3].device_type, nodes[3].sr.as_deref()), (0, None));
        assert!(!nodes[3].is_optical());
        assert_eq!(nodes[3].path(Path::new("/")), Path::new("/dev/sg1"));
        // Nothing at all.
        assert_eq!(scan(&root.path().join("nowhere")), []);
    }

    /// An older layout: the class entry a directory with a `device` link.
    #[test]
    fn class_directories_with_device_links() {
        let root = tempfile::tempdir().unwrap();
        let sys = root.path().join("sys");
        let dev = sys.join("devices/x/host1/target1:0:0/1:0:0:0");
        scsi(&dev, 5, "PIONEER", "BD-RW BDR-209D", "1.10");
        fs::create_dir_all(dev.join("block/sr0")).unwrap();
        let class = sys.join("class/scsi_generic/sg4");
        fs::create_dir_all(&class).unwrap();
        symlink(&dev, class.join("device")).unwrap();
        let nodes = scan(root.path());
        assert_eq!(nodes.len(), 1);
        assert_eq!(
            (nodes[0].id(), nodes[0].sg.as_deref(), nodes[0].label()),
            (
                "/dev/sr0".to_string(),
                Some("sg4"),
                "PIONEER BD-RW BDR-209D 1.10".to_string()
            )
        );
    }

    #[test]
    fn ids() {
        let root = machine();
        let nodes = scan(root.path());
        for id in ["/dev/sr1", "sr1", "/dev/sg2", "sg2"] {
            assert!(nodes[1].answers_to(id), "{id}");
        }
        for id in ["/dev/sr0", "sr", "", "/dev/", "1-4.2", "/dev/sr10"] {
            assert!(!nodes[1].answers_to(id), "{id}");
        }
        for id in ["/dev/sr0", "sr0", "sg3", "/dev/cdrom"] {
            assert!(is_kernel_id(id), "{id}");
        }
        for id in ["1-4.2", "1-4.2:0", "sr", "sgx", "2@5"] {
            assert!(!is_kernel_id(id), "{id}");
        }
        assert_eq!(resolve(root.path(), "/dev/cdrom"), "sr1");
        assert_eq!(resolve(root.path(), "/dev/disk/by-label/MY_DISC"), "sr0");
        assert_eq!(resolve(root.path(), "/dev/sg2"), "sg2");
        assert_eq!(resolve(root.path(), "/dev/null"), "/dev/null");
        assert_eq!(resolve(root.path(), "sr0"), "sr0");
        assert_eq!(
            usb_home("devices/pci0000:00/0000:00:14.0/usb1/1-4/host6"),
            None
        );
    }

    const MOUNTINFO: &str = "\
22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
36 22 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=4026676k
95 22 11:0 / /media/me/My\\040Disc ro,nosuid,nodev,relatime shared:50 - iso9660 /dev/sr0 ro,nojoliet
96 22 11:2 / /mnt/other ro - udf /dev/sr2 ro
97 22 0:66 / /srv/by\\040label ro - iso9660 /dev/disk/by-label/LABEL ro
";

    #[test]
    fn mounts() {
        let none = |_: &str| None;
        assert_eq!(
            mount_point(MOUNTINFO, "/dev/sr0", Some("11:0"), &none).as_deref(),
            Some("/media/me/My Disc")
        );
        // By source alone (the device number unknown).
        assert_eq!(
            mount_point(MOUNTINFO, "/dev/sr2", None, &none).as_deref(),
            Some("/mnt/other")
        );
        // By device number alone.
        assert_eq!(
            mount_point(MOUNTINFO, "/dev/sr9", Some("11:2"), &none).as_deref(),
            Some("/mnt/other")
        );
        // Through a by-label link.
        let by_label = |s: &str| (s == "/dev/disk/by-label/LABEL").then(|| "/dev/sr1".to_string());
        assert_eq!(
            mount_point(MOUNTINFO, "/dev/sr1", Some("11:1"), &by_label).as_deref(),
            Some("/srv/by label")
        );
        assert_eq!(
            mount_point(MOUNTINFO, "/dev/sr1", Some("11:1"), &none),
            None
        );
        assert_eq!(
            mount_point("garbage\n\n1 2 3\n", "/dev/sr0", Some("11:0"), &none),
            None
        );
    }

    #[test]
    fn mounted_reads_the_table_and_resolves_links() {
        let root = machine();
        let nodes = scan(root.path());
        let table = root.path().join("mountinfo");
        write(
            &table,
            "95 22 0:77 / /media/a\\040b ro - iso9660 /dev/disk/by-label/MY_DISC ro\n",
        );
        assert_eq!(
            mounted(root.path(), &table, &nodes[0]).as_deref(),
            Some("/media/a b")
        );
        assert_eq!(mounted(root.path(), &table, &nodes[1]), None);
        assert_eq!(
            mounted(root.path(), &root.path().join("none"), &nodes[0]),
            None
        );
    }
}
