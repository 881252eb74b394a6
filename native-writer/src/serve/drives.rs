//! The drives the companion offers: virtual recorders over `.vdisc` files,
//! and the burners `rawburn drives` finds (the system's: Linux's through
//! `SG_IO`, Windows' through SPTI; and USB ones), looked for again every few seconds so that a burner
//! plugged in or out is announced. A USB burner the kernel also has is
//! offered once, the way rawburn recommends (the kernel's), unless only
//! the other way works.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// How a job reaches a drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The virtual recorder with this disc file.
    Virtual(PathBuf),
    /// A USB burner by its `rawburn drives` id.
    Usb(String),
    /// A burner the operating system owns, by its `rawburn drives` id
    /// ("/dev/sr0" on Linux, "E:" on Windows).
    Kernel(String),
}

/// One drive.
#[derive(Debug, Clone, PartialEq)]
pub struct Drive {
    /// The id pages use.
    pub id: String,
    /// How to reach it.
    pub reach: Reach,
    /// What `drives` says of it (for the page).
    pub description: Value,
}

impl Drive {
    /// The command-line arguments that choose it.
    pub fn args(&self) -> Vec<String> {
        match &self.reach {
            Reach::Virtual(p) => vec!["--virtual".into(), p.display().to_string()],
            Reach::Usb(id) | Reach::Kernel(id) => vec!["--drive".into(), id.clone()],
        }
    }

    /// Whether it is a virtual recorder.
    pub fn is_virtual(&self) -> bool {
        matches!(self.reach, Reach::Virtual(_))
    }
}

/// The virtual recorders over `discs`, named `virtual-1`, `virtual-2`, ….
pub fn virtual_drives(discs: &[PathBuf]) -> Vec<Drive> {
    discs
        .iter()
        .enumerate()
        .map(|(k, path)| {
            let id = format!("virtual-{}", k + 1);
            let file = path
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            Drive {
                description: json!({
                    "id": id,
                    "kind": "virtual",
                    "label": format!("rawburn virtual recorder ({file})"),
                    "usable": true,
                    "problem": null,
                    "fix": null,
                }),
                id,
                reach: Reach::Virtual(path.clone()),
            }
        })
        .collect()
}

/// The burners `rawburn drives --json` lists (run as a command: the
/// listing opens devices, and a stuck one must not stall the companion),
/// with the note it printed about USB when that part failed; or why there
/// are none.
pub async fn usb_drives(exe: &Path) -> Result<(Vec<Drive>, Option<String>), String> {
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tokio::process::Command::new(exe)
            .args(["drives", "--json"])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| "listing the drives took longer than 30 s".to_string())?
    .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(stderr
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ")
            .to_string());
    }
    let note = stderr
        .lines()
        .find_map(|l| l.strip_prefix("note: "))
        .map(str::to_string);
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    Ok((offered(list), note))
}

/// The companion's entries for a `drives --json` list: each physical
/// drive once.
pub fn offered(list: Vec<Value>) -> Vec<Drive> {
    let usable = |id: &str| {
        list.iter()
            .any(|d| d["id"].as_str() == Some(id) && d["usable"] == true)
    };
    // A second way to a drive is left out when the first works, or when
    // it does not work itself.
    let redundant = |d: &Value| {
        let Some(other) = d["sameDriveAs"].as_str() else {
            return false;
        };
        match d["transport"].as_str() {
            Some("sg" | "spti") => d["usable"] != true && usable(other),
            _ => usable(other) || d["usable"] != true,
        }
    };
    let keep: Vec<bool> = list.iter().map(|d| !redundant(d)).collect();
    list.into_iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .filter_map(|(mut d, _)| {
            let id = d.get("id")?.as_str()?.to_string();
            let transport = d["transport"].as_str().unwrap_or("usb").to_string();
            let kernel = matches!(transport.as_str(), "sg" | "spti");
            if let Some(o) = d.as_object_mut() {
                o.insert(
                    "kind".into(),
                    json!(if kernel { &transport } else { "usb" }),
                );
                let label = [o.get("vendor"), o.get("product")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ");
                o.insert(
                    "label".into(),
                    json!(match (label.is_empty(), kernel) {
                        (false, _) => label,
                        (true, true) => format!("drive {id}"),
                        (true, false) => format!("USB drive {id}"),
                    }),
                );
            }
            Some(if transport == "spti" {
                Drive {
                    id: format!("spti-{}", spti_name(&id)),
                    reach: Reach::Kernel(id),
                    description: d,
                }
            } else if kernel {
                Drive {
                    id: format!("sg-{}", id.trim_start_matches("/dev/")),
                    reach: Reach::Kernel(id),
                    description: d,
                }
            } else {
                Drive {
                    id: format!("usb-{id}"),
                    reach: Reach::Usb(id),
                    description: d,
                }
            })
        })
        .collect()
}

/// A Windows drive's id for pages: "e" for "E:", "cdrom0" for
/// `\\.\CdRom0`.
fn spti_name(id: &str) -> String {
    id.trim_start_matches(r"\\.\")
        .trim_end_matches(':')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn entry(transport: &str, id: &str, usable: bool, same: Option<&str>) -> Value {
        json!({
            "transport": transport,
            "id": id,
            "vendor": "ASUS",
            "product": "SDRW-08D2S-U",
            "usable": usable,
            "sameDriveAs": same,
        })
    }

    fn ids(list: Vec<Value>) -> Vec<(String, Vec<String>)> {
        offered(list)
            .into_iter()
            .map(|d| (d.id.clone(), d.args()))
            .collect()
    }

    #[test]
    fn each_drive_once() {
        let sata = entry("sg", "/dev/sr0", true, None);
        let both = [
            entry("sg", "/dev/sr1", true, Some("1-4.2")),
            entry("usb", "1-4.2", true, Some("/dev/sr1")),
        ];
        let arg = |id: &str| vec!["--drive".to_string(), id.to_string()];
        // The kernel's way when it works.
        assert_eq!(
            ids(vec![sata.clone(), both[0].clone(), both[1].clone()]),
            [
                ("sg-sr0".to_string(), arg("/dev/sr0")),
                ("sg-sr1".to_string(), arg("/dev/sr1"))
            ]
        );
        // USB when only it works (no cdrom group, a udev rule for USB).
        let denied = entry("sg", "/dev/sr1", false, Some("1-4.2"));
        assert_eq!(
            ids(vec![denied.clone(), both[1].clone()]),
            [("usb-1-4.2".to_string(), arg("1-4.2"))]
        );
        // Neither: the kernel's entry says why.
        let mut usb_denied = both[1].clone();
        usb_denied["usable"] = json!(false);
        assert_eq!(
            ids(vec![denied, usb_denied]),
            [("sg-sr1".to_string(), arg("/dev/sr1"))]
        );
        let d = &offered(vec![sata])[0];
        assert_eq!(
            (
                d.description["kind"].as_str(),
                d.description["label"].as_str()
            ),
            (Some("sg"), Some("ASUS SDRW-08D2S-U"))
        );
        assert_eq!(d.reach, Reach::Kernel("/dev/sr0".into()));
    }

    #[test]
    fn windows_drives() {
        let letter = json!({
            "transport": "spti",
            "id": "E:",
            "vendor": "HL-DT-ST",
            "product": "DVDRAM GH24NSD1",
            "usable": true,
            "sameDriveAs": null,
            "device": r"\\.\CdRom0",
            "letter": "E:",
        });
        let bare = json!({
            "transport": "spti",
            "id": r"\\.\CdRom1",
            "vendor": null,
            "product": null,
            "usable": false,
            "sameDriveAs": null,
        });
        let arg = |id: &str| vec!["--drive".to_string(), id.to_string()];
        assert_eq!(
            ids(vec![letter.clone(), bare]),
            [
                ("spti-e".to_string(), arg("E:")),
                ("spti-cdrom1".to_string(), arg(r"\\.\CdRom1"))
            ]
        );
        let d = &offered(vec![letter])[0];
        assert_eq!(
            (
                d.description["kind"].as_str(),
                d.description["label"].as_str()
            ),
            (Some("spti"), Some("HL-DT-ST DVDRAM GH24NSD1"))
        );
        assert_eq!(d.reach, Reach::Kernel("E:".into()));
    }
}
