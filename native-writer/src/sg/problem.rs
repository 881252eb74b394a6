//! Why a drive the kernel owns cannot be used, and the fix.

use crate::usb::problem::Problem;
use std::io;
use std::path::Path;

/// Opening the node `id` ("/dev/sr0") failed with `e`; `group` owns the
/// node (the "cdrom" group when unknown).
pub fn open_failed(e: &io::Error, id: &str, group: Option<&str>) -> Problem {
    match e.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => permission(id, group),
        Some(libc::EBUSY) => Problem {
            problem: format!(
                "busy: another program has {id} open for itself, or its disc is mounted"
            ),
            fix: Some(
                "close the other program that uses the drive (burning software, another \
                 rawburn) or unmount its disc, and try again"
                    .into(),
            ),
        },
        Some(libc::ENOENT | libc::ENXIO | libc::ENODEV) => gone(id),
        Some(libc::EROFS) => Problem {
            problem: format!("{id} can be opened only for reading (read-only)"),
            fix: None,
        },
        _ => Problem {
            problem: format!("cannot open {id}: {e}"),
            fix: None,
        },
    }
}

/// Permission denied opening `id`.
pub fn permission(id: &str, group: Option<&str>) -> Problem {
    let group = group.unwrap_or("cdrom");
    Problem {
        problem: format!("permission denied opening {id}"),
        fix: Some(format!(
            "add yourself to the {group} group (sudo usermod -aG {group} $USER, then log in \
             again), or run as root"
        )),
    }
}

/// The node is gone.
pub fn gone(id: &str) -> Problem {
    Problem {
        problem: format!("{id} is gone: the drive was unplugged or switched off"),
        fix: Some("check the cable and the power, then run `rawburn drives` again".into()),
    }
}

/// The disc in `id` is mounted at `at`.
pub fn mounted(id: &str, at: &str) -> Problem {
    Problem {
        problem: format!("the disc in {id} is mounted at {at}"),
        fix: Some(format!("unmount it first: umount {}", shell_word(at))),
    }
}

/// An sg node whose driver does not speak `sg_io_hdr` (`version`, or the
/// error asking it).
pub fn old_sg(id: &str, version: Result<i32, &io::Error>) -> Problem {
    let why = match version {
        Ok(v) => format!("version {v}"),
        Err(e) => e.to_string(),
    };
    Problem {
        problem: format!(
            "{id} does not speak the SCSI generic interface 3 ({why}); rawburn needs sg 3.0 or \
             later"
        ),
        fix: None,
    }
}

/// The group owning `path`, by name, from `group_file` (`/etc/group`).
pub fn group_of(path: &Path, group_file: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let gid = std::fs::metadata(path).ok()?.gid();
    let groups = std::fs::read_to_string(group_file).ok()?;
    groups.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let _password = f.next()?;
        (f.next()?.parse::<u32>().ok()? == gid).then(|| name.to_string())
    })
}

/// `s` as one word for a POSIX shell.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@%,".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn err(n: i32) -> io::Error {
        io::Error::from_raw_os_error(n)
    }

    #[test]
    fn opening() {
        for n in [libc::EACCES, libc::EPERM] {
            assert_eq!(open_failed(&err(n), "/dev/sr0", None), Problem {
                problem: "permission denied opening /dev/sr0".into(),
                fix: Some(
                    "add yourself to the cdrom group (sudo usermod -aG cdrom $USER, then log in \
                     again), or run as root"
                        .into()
                ),
            });
        }
        assert_eq!(
            open_failed(&err(libc::EACCES), "/dev/sr0", Some("optical"))
                .fix
                .as_deref(),
            Some(
                "add yourself to the optical group (sudo usermod -aG optical $USER, then log in \
                 again), or run as root"
            )
        );
        let busy = open_failed(&err(libc::EBUSY), "/dev/sr1", None);
        assert_eq!(
            busy.problem,
            "busy: another program has /dev/sr1 open for itself, or its disc is mounted"
        );
        for n in [libc::ENOENT, libc::ENXIO, libc::ENODEV] {
            assert_eq!(
                open_failed(&err(n), "/dev/sg2", None),
                Problem {
                    problem: "/dev/sg2 is gone: the drive was unplugged or switched off".into(),
                    fix: Some(
                        "check the cable and the power, then run `rawburn drives` again".into()
                    ),
                }
            );
        }
        assert_eq!(
            open_failed(&err(libc::EIO), "/dev/sr0", None).problem,
            "cannot open /dev/sr0: Input/output error (os error 5)"
        );
        assert_eq!(
            old_sg("/dev/sg1", Ok(20134)).problem,
            "/dev/sg1 does not speak the SCSI generic interface 3 (version 20134); rawburn \
             needs sg 3.0 or later"
        );
    }

    #[test]
    fn mounted_discs() {
        assert_eq!(
            mounted("/dev/sr0", "/media/x"),
            Problem {
                problem: "the disc in /dev/sr0 is mounted at /media/x".into(),
                fix: Some("unmount it first: umount /media/x".into()),
            }
        );
        assert_eq!(
            mounted("/dev/sr0", "/media/me/My Disc").fix.as_deref(),
            Some("unmount it first: umount '/media/me/My Disc'")
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }

    #[test]
    fn groups() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("sr0");
        std::fs::write(&node, "").unwrap();
        use std::os::unix::fs::MetadataExt;
        let gid = std::fs::metadata(&node).unwrap().gid();
        let table = dir.path().join("group");
        std::fs::write(
            &table,
            format!(
                "broken\ncdrom:x:{gid}:me,you\nroot:x:0:\nother:x:{}:\n",
                gid + 1
            ),
        )
        .unwrap();
        assert_eq!(group_of(&node, &table).as_deref(), Some("cdrom"));
        std::fs::write(&table, "root:x:99999999:\n").unwrap();
        assert_eq!(group_of(&node, &table), None);
        assert_eq!(group_of(&dir.path().join("none"), &table), None);
    }
}
