//! `rawburn drives` where there is no USB subsystem (containers, CI): a
//! clear message and exit code 6, for the list and for `--json`; never a
//! panic (rusb's global context would panic here).
//!
//! On a machine with USB the command lists what it finds instead; there
//! the test only checks that it ends cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn drives(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rawburn"))
        .arg("drives")
        .args(args)
        .output()
        .unwrap()
}

/// libusb cannot start on Linux without usbfs.
fn no_usb_subsystem() -> bool {
    cfg!(target_os = "linux") && !Path::new("/dev/bus/usb").exists()
}

const NO_SUBSYSTEM: &str = "\
error: no USB subsystem: libusb cannot start (unknown libusb error)
  caused by: there is no /dev/bus/usb on this system (containers, CI machines and some virtual \
machines have none): run rawburn where the burner is plugged in, or pass the burner's USB device \
through to this system
";

#[test]
fn drives_without_a_usb_subsystem() {
    for args in [&[][..], &["--json"]] {
        let out = drives(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        if no_usb_subsystem() {
            assert_eq!(out.status.code(), Some(6), "{stderr}");
            assert_eq!(stderr, NO_SUBSYSTEM);
            assert!(out.stdout.is_empty());
        } else {
            // Some USB: a list (possibly empty), or exit 6 with a reason.
            match out.status.code() {
                Some(0) if args.is_empty() => assert!(!out.stdout.is_empty()),
                Some(0) => {
                    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                    assert!(v.is_array());
                }
                Some(6) => assert!(stderr.starts_with("error: "), "{stderr}"),
                other => panic!("exit {other:?}: {stderr}"),
            }
        }
    }
}
