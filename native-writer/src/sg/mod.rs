//! Drives the Linux kernel owns, reached through the `SG_IO` ioctl on
//! their `/dev/sr*` or `/dev/sg*` node: internal (SATA) burners, and USB
//! burners bound to usb-storage (the default), with nothing detached.
//!
//! ```text
//!   sysfs (discover) ─▶ Node { sr0, sg1, type 5, INQUIRY strings, USB home }
//!   open: /dev/sr0 O_RDWR|O_NONBLOCK (|O_EXCL to write) ─▶ SgFile (ioctl)
//!   SgLink = SgFile + the system clock (mmc::scsi::Link)
//! ```
//!
//! - [`ioctl`]: `sg_io_hdr` and the ioctl, the only `unsafe` in rawburn,
//!   behind the safe [`ioctl::SgDevice`] trait.
//! - [`transport`]: [`SgLink`], what the kernel answers turned into SCSI
//!   outcomes and transport errors.
//! - [`discover`]: the drives sysfs lists, their ids, mounted discs.
//! - [`problem`]: why one cannot be used, and the fix.
//!
//! Ids: `/dev/sr0` (the sr node when there is one, else `/dev/sg1`); `sr0`,
//! the sg node's path or name, and links such as `/dev/cdrom` name the
//! same drive. Only CD/DVD devices (peripheral type 5) are listed: every
//! disk has an sg node too, and MMC commands have no business there; one
//! named by id is refused as "not a CD/DVD drive".
//!
//! A mounted disc: burning and blanking are refused (rawburn checks the
//! mount table, then opens the node with `O_EXCL`, which the kernel
//! refuses while a filesystem holds the drive, as libburn does); reading
//! commands (`drives`, `media`, `read`) use the drive, since asking for
//! the TOC or reading sectors does not disturb the filesystem; `eject` and
//! `tray unlock` are refused (the kernel keeps the tray locked while the
//! disc is mounted, and pulling it from under the filesystem loses data).

pub mod discover;
pub mod ioctl;
pub mod problem;
pub mod transport;

#[cfg(test)]
mod tests;

pub use transport::SgLink;

use crate::error::{CliError, ExitKind};
use crate::usb::problem::Problem;
use crate::vdisc::Access;
use discover::Node;
use ioctl::{SG_MIN_VERSION, SgFile};
use serde::Serialize;
use std::path::Path;

/// The mount table, under the root.
pub const MOUNTINFO: &str = "proc/self/mountinfo";

/// The group table, under the root.
pub const GROUPS: &str = "etc/group";

/// What rawburn knows about a drive the kernel owns (the `drives` listing
/// and its JSON form; the fields USB entries share have their meaning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SgDescription {
    /// rawburn's id ("/dev/sr0").
    pub id: String,
    /// USB idVendor, for a USB drive.
    pub vendor_id: Option<u16>,
    /// USB idProduct, for a USB drive.
    pub product_id: Option<u16>,
    /// The USB manufacturer string.
    pub usb_vendor: Option<String>,
    /// The USB product string.
    pub usb_product: Option<String>,
    /// INQUIRY vendor (from sysfs).
    pub vendor: Option<String>,
    /// INQUIRY product.
    pub product: Option<String>,
    /// INQUIRY revision.
    pub revision: Option<String>,
    /// No USB interface subclass: always null.
    pub subclass: Option<u8>,
    /// Whether rawburn can drive it.
    pub usable: bool,
    /// Why not.
    pub problem: Option<String>,
    /// What to do about it.
    pub fix: Option<String>,
    /// The id of the same drive through USB, when it has one.
    pub same_drive_as: Option<String>,
    /// Its SCSI generic node ("/dev/sg1"), when the sg driver has it.
    pub sg: Option<String>,
    /// Where its disc is mounted (it can then be read, not written).
    pub mounted_at: Option<String>,
    /// A remark for people (not in the JSON form).
    #[serde(skip)]
    pub note: Option<String>,
    /// The sysfs view it came from.
    #[serde(skip)]
    pub node: Node,
}

impl SgDescription {
    /// "VENDOR PRODUCT REV", or the id.
    pub fn label(&self) -> String {
        self.node.label()
    }

    fn fail(mut self, p: Problem) -> SgDescription {
        self.usable = false;
        self.problem = Some(p.problem);
        self.fix = p.fix;
        self
    }
}

/// The CD/DVD drives the kernel has under `root` ("/"), each opened and
/// closed again (without waiting for a disc) to learn whether rawburn may
/// use it.
pub fn list(root: &Path) -> Vec<SgDescription> {
    discover::scan(root)
        .into_iter()
        .filter(Node::is_optical)
        .map(|n| describe(root, n))
        .collect()
}

/// What `node` is and whether it can be opened.
pub fn describe(root: &Path, node: Node) -> SgDescription {
    let usb = node.usb.as_ref();
    let d = SgDescription {
        id: node.id(),
        vendor_id: usb.and_then(|u| u.vendor_id),
        product_id: usb.and_then(|u| u.product_id),
        usb_vendor: usb.and_then(|u| u.manufacturer.clone()),
        usb_product: usb.and_then(|u| u.product.clone()),
        vendor: node.vendor.clone(),
        product: node.model.clone(),
        revision: node.revision.clone(),
        subclass: None,
        usable: true,
        problem: None,
        fix: None,
        same_drive_as: None,
        sg: node.sg.as_ref().map(|s| format!("/dev/{s}")),
        mounted_at: discover::mounted(root, &root.join(MOUNTINFO), &node),
        note: None,
        node,
    };
    if let Err(p) = open_node(root, &d.node, false) {
        return d.fail(p);
    }
    match &d.mounted_at {
        Some(at) => SgDescription {
            note: Some(format!(
                "its disc is mounted at {at}: it can be read; unmount it to burn or blank"
            )),
            ..d
        },
        None => d,
    }
}

/// Opens the drive `id` names ("/dev/sr0", "sr0", "/dev/sg1", "sg1",
/// "/dev/cdrom") under `root` for `access`.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when there is no such drive, it is not a CD/DVD
/// drive, its disc is mounted and `access` writes, or it cannot be opened
/// (permissions, busy, gone, an sg driver too old); the error says what to
/// do.
pub fn open(id: &str, access: Access, root: &Path) -> Result<(SgLink<SgFile>, Node), CliError> {
    let name = discover::resolve(root, id);
    let nodes = discover::scan(root);
    let Some(node) = nodes.iter().find(|n| n.answers_to(&name)) else {
        let known: Vec<String> = nodes
            .iter()
            .filter(|n| n.is_optical())
            .map(Node::id)
            .collect();
        let seen = if known.is_empty() {
            "the kernel lists no CD/DVD drive".to_string()
        } else {
            format!("the kernel's CD/DVD drives: {}", known.join(", "))
        };
        return Err(CliError::new(ExitKind::Drive, format!("no drive {id}")).caused_by(seen));
    };
    open_checked(root, node, access).map(|link| (link, node.clone()))
}

/// Opens `node` for `access`, after the checks `open` makes.
///
/// ## Errors
///
/// As [`open`].
pub fn open_checked(root: &Path, node: &Node, access: Access) -> Result<SgLink<SgFile>, CliError> {
    if !node.is_optical() {
        return Err(refused(
            node,
            crate::usb::problem::not_optical(node.device_type),
        ));
    }
    if access == Access::Write
        && let Some(at) = discover::mounted(root, &root.join(MOUNTINFO), node)
    {
        return Err(refused(node, problem::mounted(&node.id(), &at)));
    }
    open_node(root, node, access == Access::Write)
        .map(SgLink::new)
        .map_err(|p| refused(node, p))
}

/// The error for a drive that cannot be used.
pub fn refused(node: &Node, p: Problem) -> CliError {
    let e = CliError::new(
        ExitKind::Drive,
        format!("cannot use {} ({}): {}", node.id(), node.label(), p.problem),
    );
    match p.fix {
        Some(fix) => e.caused_by(format!("what to do: {fix}")),
        None => e,
    }
}

/// Opens the node of `node`; an sg node must speak `sg_io_hdr`.
fn open_node(root: &Path, node: &Node, exclusive: bool) -> Result<SgFile, Problem> {
    let path = node.path(root);
    let id = node.id();
    let file = SgFile::open(&path, exclusive).map_err(|e| {
        let group = problem::group_of(&path, &root.join(GROUPS));
        problem::open_failed(&e, &id, group.as_deref())
    })?;
    if node.sr.is_none() {
        match file.version() {
            Ok(v) if v >= SG_MIN_VERSION => {}
            Ok(v) => return Err(problem::old_sg(&id, Ok(v))),
            Err(e) => return Err(problem::old_sg(&id, Err(&e))),
        }
    }
    Ok(file)
}

#[cfg(test)]
mod open_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use discover::tests::machine;

    fn error(r: Result<(SgLink<SgFile>, Node), CliError>) -> CliError {
        match r {
            Ok(_) => panic!("opened"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_kernels_drives_listed() {
        let root = machine();
        let list = list(root.path());
        let ids: Vec<&str> = list.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["/dev/sr0", "/dev/sr1", "/dev/sr2", "/dev/sg3"]);
        assert_eq!(
            serde_json::to_string(&list[1]).unwrap(),
            r#"{"id":"/dev/sr1","vendorId":3725,"productId":6279,"usbVendor":"ASUS","usbProduct":"External Drive","vendor":"ASUS","product":"SDRW-08D2S-U","revision":"B901","subclass":null,"usable":true,"problem":null,"fix":null,"sameDriveAs":null,"sg":"/dev/sg2","mountedAt":null}"#
        );
        // Mounted: readable, so usable, and it says so.
        assert_eq!(
            (
                list[2].usable,
                list[2].mounted_at.as_deref(),
                list[2].note.as_deref()
            ),
            (
                true,
                Some("/media/me/Old Photos"),
                Some(
                    "its disc is mounted at /media/me/Old Photos: it can be read; unmount it to \
                     burn or blank"
                )
            )
        );
        // A plain file is no sg node.
        assert_eq!(
            (list[3].usable, list[3].problem.as_deref()),
            (
                false,
                Some(
                    "/dev/sg3 does not speak the SCSI generic interface 3 (Inappropriate ioctl \
                     for device (os error 25)); rawburn needs sg 3.0 or later"
                )
            )
        );
    }

    #[test]
    fn opening_by_id() {
        let root = machine();
        let r = root.path();
        for (id, node) in [
            ("/dev/sr1", "/dev/sr1"),
            ("sr1", "/dev/sr1"),
            ("/dev/sg2", "/dev/sr1"),
            ("/dev/cdrom", "/dev/sr1"),
            ("/dev/disk/by-label/MY_DISC", "/dev/sr0"),
        ] {
            let (_, n) = open(id, Access::Write, r).unwrap();
            assert_eq!(n.id(), node, "{id}");
        }
        // A mounted disc is read, not written.
        assert!(open("/dev/sr2", Access::Read, r).is_ok());
        let e = error(open("/dev/sr2", Access::Write, r));
        assert_eq!(e.kind, ExitKind::Drive);
        assert_eq!(
            e.to_string(),
            "error: cannot use /dev/sr2 (PLEXTOR DVDR PX-891SAF 1.06): the disc in /dev/sr2 is \
             mounted at /media/me/Old Photos\n  caused by: what to do: unmount it first: umount \
             '/media/me/Old Photos'"
        );
        let e = error(open("/dev/sg1", Access::Read, r));
        assert_eq!(
            e.headline,
            "cannot use /dev/sg1 (ATA Samsung SSD 870 2B6Q): not a CD/DVD drive (peripheral \
             device type 00h: disk)"
        );
        let e = error(open("/dev/sr7", Access::Read, r));
        assert_eq!(
            (e.headline.as_str(), e.causes.as_slice()),
            (
                "no drive /dev/sr7",
                &[
                    "the kernel's CD/DVD drives: /dev/sr0, /dev/sr1, /dev/sr2, /dev/sg3"
                        .to_string()
                ][..]
            )
        );
        let e = error(open("sr0", Access::Read, &r.join("empty")));
        assert_eq!(e.causes, ["the kernel lists no CD/DVD drive"]);
        // sysfs has it, /dev does not.
        std::fs::remove_file(r.join("dev/sr0")).unwrap();
        let e = error(open("sr0", Access::Read, r));
        assert_eq!(
            e.to_string(),
            "error: cannot use /dev/sr0 (HL-DT-ST DVDRAM GH24NSD1 LG00): /dev/sr0 is gone: the \
             drive was unplugged or switched off\n  caused by: what to do: check the cable and \
             the power, then run `rawburn drives` again"
        );
    }
}
