//! The drives the companion offers: virtual recorders over `.vdisc` files,
//! and the USB burners `rawburn drives` finds, looked for again every few
//! seconds so that a burner plugged in or out is announced.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// How a job reaches a drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The virtual recorder with this disc file.
    Virtual(PathBuf),
    /// A USB burner by its `rawburn drives` id.
    Usb(String),
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
            Reach::Usb(id) => vec!["--drive".into(), id.clone()],
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

/// The USB drives `rawburn drives --json` lists (run as a command: the
/// listing opens devices, and a stuck one must not stall the companion),
/// or why there are none.
pub async fn usb_drives(exe: &Path) -> Result<Vec<Drive>, String> {
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tokio::process::Command::new(exe)
            .args(["drives", "--json"])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| "listing the USB drives took longer than 30 s".to_string())?
    .map_err(|e| e.to_string())?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        return Err(text
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ")
            .to_string());
    }
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    Ok(list
        .into_iter()
        .filter_map(|mut d| {
            let id = d.get("id")?.as_str()?.to_string();
            if let Some(o) = d.as_object_mut() {
                o.insert("kind".into(), json!("usb"));
                let label = [o.get("vendor"), o.get("product")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ");
                o.insert(
                    "label".into(),
                    json!(if label.is_empty() {
                        format!("USB drive {id}")
                    } else {
                        label
                    }),
                );
            }
            Some(Drive {
                id: format!("usb-{id}"),
                reach: Reach::Usb(id),
                description: d,
            })
        })
        .collect())
}
