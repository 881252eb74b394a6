//! Why a drive Windows owns cannot be used, and the fix.
//!
//! What access SPTI needs. `IOCTL_SCSI_PASS_THROUGH_DIRECT` is defined
//! with `FILE_READ_ACCESS | FILE_WRITE_ACCESS` (its control code,
//! `ntddscsi.h`), so the I/O manager refuses it with `ERROR_ACCESS_DENIED`
//! on a handle not opened with `GENERIC_READ | GENERIC_WRITE`; Microsoft's
//! pages on the pass-through requests (for example
//! `IOCTL_MPIO_PASS_THROUGH_PATH`, learn.microsoft.com, "Applications do
//! not require administrative privileges to send a pass-through request
//! to a device, but they must have read/write access to the device")
//! say no administrator right is needed beyond that. Whether a user may
//! open a CD-ROM device for writing is up to its security descriptor:
//! Windows 2000 and XP let only administrators do so (hence Nero's
//! "BurnRights" tool, which loosened the descriptor), while Windows since
//! Vista gives interactive users read/write access to optical drives so
//! that in-process burning (IMAPI2) works for them; the "Devices: Restrict
//! CD-ROM access to locally logged-on user only" policy and
//! administrators' own device policies can take it away again. So:
//! rawburn opens the drive read/write as any user, and only an
//! `ERROR_ACCESS_DENIED` on opening makes it ask for an administrator.
//! `FSCTL_LOCK_VOLUME` on a volume the user may open for writing needs no
//! privilege either; it fails with `ERROR_ACCESS_DENIED` when another
//! handle is open on the volume (Explorer's burning, another burner) and
//! `FSCTL_DISMOUNT_VOLUME` refuses while files on the disc are open.

use super::device::{WinError, code};
use crate::usb::problem::Problem;

/// Opening `id` ("E:", `\\.\CdRom0`) failed with `e`.
pub fn open_failed(e: WinError, id: &str) -> Problem {
    if e.is_gone() {
        return gone(id);
    }
    match e.0 {
        code::SHARING_VIOLATION => in_use(id, e),
        code::ACCESS_DENIED => Problem {
            problem: format!("access denied opening {id} for reading and writing ({e})"),
            fix: Some(
                "run rawburn as an administrator (right-click the terminal, \"Run as \
                 administrator\"), or ask the administrator to let users use the drive"
                    .into(),
            ),
        },
        _ => Problem {
            problem: format!("cannot open {id}: {e}"),
            fix: None,
        },
    }
}

/// Locking the volume of `id` failed with `e`.
pub fn lock_failed(e: WinError, id: &str) -> Problem {
    match e.0 {
        code::ACCESS_DENIED | code::SHARING_VIOLATION => in_use(id, e),
        _ => Problem {
            problem: format!("Windows would not lock the volume of {id} for burning ({e})"),
            fix: Some("close the programs and windows using the drive, and try again".into()),
        },
    }
}

/// Dismounting the volume of `id` failed with `e`.
pub fn dismount_failed(e: WinError, id: &str) -> Problem {
    Problem {
        problem: format!("files on the disc in {id} are open: Windows would not dismount it ({e})"),
        fix: Some("close the windows and programs showing files of the disc, and try again".into()),
    }
}

/// Another program is using `id`.
pub fn in_use(id: &str, e: WinError) -> Problem {
    Problem {
        problem: format!("{id} is in use by another program ({e})"),
        fix: Some(
            "close the program using it (Explorer's burn, ImgBurn, Windows Media Player, …) and \
             try again"
                .into(),
        ),
    }
}

/// The drive is gone.
pub fn gone(id: &str) -> Problem {
    Problem {
        problem: format!("{id} is gone: the drive was unplugged or switched off"),
        fix: Some("check the cable and the power, then run `rawburn drives` again".into()),
    }
}

/// No disc in `id`, for a command that needs one (sense 2/3A/xx).
pub fn no_disc(id: &str) -> Problem {
    Problem {
        problem: format!("there is no disc in {id}"),
        fix: Some("insert a disc and close the tray, then try again".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening() {
        assert_eq!(
            open_failed(WinError(code::SHARING_VIOLATION), "E:"),
            Problem {
                problem: "E: is in use by another program (ERROR_SHARING_VIOLATION, 32)".into(),
                fix: Some(
                    "close the program using it (Explorer's burn, ImgBurn, Windows Media \
                     Player, …) and try again"
                        .into()
                ),
            }
        );
        assert_eq!(
            open_failed(WinError(code::ACCESS_DENIED), r"\\.\CdRom1"),
            Problem {
                problem: r"access denied opening \\.\CdRom1 for reading and writing (ERROR_ACCESS_DENIED, 5)".into(),
                fix: Some(
                    "run rawburn as an administrator (right-click the terminal, \"Run as \
                     administrator\"), or ask the administrator to let users use the drive"
                        .into()
                ),
            }
        );
        for c in [2, 3, 55, 433, 1167] {
            assert_eq!(
                open_failed(WinError(c), "F:"),
                Problem {
                    problem: "F: is gone: the drive was unplugged or switched off".into(),
                    fix: Some(
                        "check the cable and the power, then run `rawburn drives` again".into()
                    ),
                }
            );
        }
        assert_eq!(
            open_failed(WinError(1117), "E:"),
            Problem {
                problem: "cannot open E:: ERROR_IO_DEVICE, 1117".into(),
                fix: None
            }
        );
    }

    #[test]
    fn locking_and_dismounting() {
        for c in [code::ACCESS_DENIED, code::SHARING_VIOLATION] {
            let p = lock_failed(WinError(c), "E:");
            assert_eq!(p, in_use("E:", WinError(c)));
        }
        assert_eq!(
            lock_failed(WinError(code::ACCESS_DENIED), "E:").problem,
            "E: is in use by another program (ERROR_ACCESS_DENIED, 5)"
        );
        assert_eq!(
            lock_failed(WinError(code::INVALID_FUNCTION), "E:"),
            Problem {
                problem: "Windows would not lock the volume of E: for burning \
                          (ERROR_INVALID_FUNCTION, 1)"
                    .into(),
                fix: Some("close the programs and windows using the drive, and try again".into()),
            }
        );
        assert_eq!(
            dismount_failed(WinError(code::ACCESS_DENIED), "E:"),
            Problem {
                problem: "files on the disc in E: are open: Windows would not dismount it \
                          (ERROR_ACCESS_DENIED, 5)"
                    .into(),
                fix: Some(
                    "close the windows and programs showing files of the disc, and try again"
                        .into()
                ),
            }
        );
        assert_eq!(
            no_disc("E:"),
            Problem {
                problem: "there is no disc in E:".into(),
                fix: Some("insert a disc and close the tray, then try again".into()),
            }
        );
    }
}
