//! `rawburn drives`: every USB mass-storage interface, whether rawburn can
//! use it, and when not, why and what to do.
//!
//! `--json` prints a JSON array, one object per interface:
//!
//! | Field | Type | Meaning |
//! | --- | --- | --- |
//! | `id` | string | rawburn's id: bus and port path (`"1-4.2"`), `":N"` added for interface N of a device with several |
//! | `vendorId`, `productId` | number | USB idVendor and idProduct |
//! | `usbVendor`, `usbProduct` | string or null | the device's manufacturer and product strings |
//! | `vendor`, `product`, `revision` | string or null | INQUIRY's identification (from Linux's sysfs when the drive was not opened) |
//! | `subclass` | number | bInterfaceSubClass (2, 5 or 6 for drives rawburn speaks to) |
//! | `usable` | boolean | rawburn can open it as a CD/DVD drive |
//! | `problem` | string or null | why not |
//! | `fix` | string or null | what to do about it |
//!
//! Listing takes no drive from a system driver that has it on Linux (sysfs
//! says what it is); elsewhere it opens drives as burning would.

use super::discover::{self, DriveDescription, Purpose};
use super::problem::Os;
use crate::error::{CliError, ExitKind};
use std::fmt::Write;

/// The `drives` command's output.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when there is no USB subsystem or the devices
/// cannot be listed.
pub fn drives(json: bool) -> Result<String, CliError> {
    let os = Os::current();
    let context = super::context(os)?;
    let list: Vec<DriveDescription> = super::candidates(&context)?
        .iter()
        .map(|c| discover::probe(c, Purpose::List, os).description)
        .collect();
    if json {
        let mut text = serde_json::to_string_pretty(&list).map_err(|e| {
            CliError::new(ExitKind::Output, "cannot write the drive list").caused_by(e)
        })?;
        text.push('\n');
        Ok(text)
    } else {
        Ok(render(&list))
    }
}

/// The list for people.
pub fn render(list: &[DriveDescription]) -> String {
    if list.is_empty() {
        return "no USB mass-storage device found: plug the burner in and switch it on\n".into();
    }
    let width = list.iter().map(|d| d.id.len()).max().unwrap_or(0) + 2;
    let pad = " ".repeat(width);
    let mut out = String::new();
    for d in list {
        let _ = writeln!(out, "{:width$}{}", d.id, d.label());
        let mut usb = format!("USB {:04x}:{:04x}", d.vendor_id, d.product_id);
        for s in [&d.usb_vendor, &d.usb_product].into_iter().flatten() {
            let _ = write!(usb, " \"{s}\"");
        }
        let _ = writeln!(out, "{pad}{usb}, subclass {:02x}h", d.subclass);
        if d.usable {
            match &d.note {
                Some(note) => {
                    let _ = writeln!(out, "{pad}ready ({note})");
                }
                None => {
                    let _ = writeln!(out, "{pad}ready");
                }
            }
        } else {
            let problem = d.problem.as_deref().unwrap_or("cannot be opened");
            let _ = writeln!(out, "{pad}not usable: {problem}");
        }
        if let Some(fix) = &d.fix {
            let _ = writeln!(out, "{pad}fix: {fix}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn drive(id: &str) -> DriveDescription {
        DriveDescription {
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
        }
    }

    #[test]
    fn human_listing() {
        let ready = DriveDescription {
            note: Some("usb-storage has it now".into()),
            ..drive("1-4.2")
        };
        let stick = DriveDescription {
            id: "2-1".into(),
            vendor_id: 0x0781,
            product_id: 0x5567,
            usb_vendor: Some("SanDisk".into()),
            usb_product: Some("Cruzer Blade".into()),
            vendor: Some("SanDisk".into()),
            product: Some("Cruzer Blade".into()),
            revision: Some("1.00".into()),
            usable: false,
            problem: Some("not a CD/DVD drive (peripheral device type 00h: disk)".into()),
            ..drive("")
        };
        let denied = DriveDescription {
            id: "3-2:1".into(),
            usb_vendor: None,
            usb_product: None,
            vendor: None,
            product: None,
            revision: None,
            subclass: 0x02,
            usable: false,
            problem: Some("permission denied opening /dev/bus/usb/003/004".into()),
            fix: Some("run rawburn as root".into()),
            ..drive("")
        };
        assert_eq!(
            render(&[ready, stick, denied]),
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
        assert_eq!(
            render(&[]),
            "no USB mass-storage device found: plug the burner in and switch it on\n"
        );
    }
}
