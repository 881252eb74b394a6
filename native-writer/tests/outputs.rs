//! What `rawburn` leaves behind when it cannot finish: nothing. Outputs
//! appear whole or not at all, on a full disk, with a directory in the
//! way, and on Ctrl-C.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fails, noise, ok, write_wav};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Every name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A small tmpfs mounted for the test's life (CI runs as root); `None`,
/// with the reason printed, where mounting is not allowed.
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk { path, _dir: dir }),
            Ok(o) => {
                eprintln!(
                    "skipped: cannot mount a small tmpfs to fill ({})",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount ({e})");
                None
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

fn sample(dir: &Path, sectors: usize) {
    std::fs::write(dir.join("a.iso"), noise(2048 * sectors, 1)).unwrap();
    write_wav(&dir.join("b.wav"), 300, 2);
    std::fs::write(
        dir.join("a.cue"),
        "TITLE \"t\"\nFILE \"a.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\nFILE \"b.wav\" WAVE\n  TRACK 02 AUDIO\n    TITLE \"u\"\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
}

#[test]
fn a_full_disk_is_exit_5_and_leaves_nothing() {
    let Some(disk) = SmallDisk::mount("2m") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    sample(d, 2000);
    for out in ["x.cue", "x.ccd", "x.toc", "x.raw"] {
        let target = disk.path.join(out);
        let err = fails(d, &["build", "a.cue", "-o", target.to_str().unwrap()], 5);
        assert!(
            err.contains("No space left on device") && err.contains("cannot write"),
            "{out}: {err}"
        );
        assert_eq!(names(&disk.path), Vec::<String>::new(), "{out}");
    }
    let cdt = disk.path.join("big-name.cdt");
    // The text outputs fit; a disk that is full already takes none.
    std::fs::write(disk.path.join("filler"), vec![0u8; 2 << 20]).ok();
    let err = fails(d, &["cdtext", "a.cue", "--cdt", cdt.to_str().unwrap()], 5);
    assert!(err.contains("cannot write"), "{err}");
    let err = fails(
        d,
        &[
            "build",
            "a.cue",
            "-o",
            disk.path.join("p.json").to_str().unwrap(),
        ],
        5,
    );
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(names(&disk.path), ["filler"]);
}

#[test]
fn a_directory_in_the_way_is_exit_5_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    sample(d, 300);
    for (out, dir) in [
        ("x.ccd", "x.img"),
        ("y.ccd", "y.sub"),
        ("z.ccd", "z.ccd"),
        ("w.cue", "w.bin"),
        ("p.json", "p.json"),
    ] {
        std::fs::create_dir(d.join(dir)).unwrap();
        let err = fails(d, &["build", "a.cue", "-o", out], 5);
        assert!(err.contains("it is a directory"), "{out}: {err}");
        let mut want = vec!["a.cue", "a.iso", "b.wav", dir];
        want.sort();
        assert_eq!(names(d), want, "{out}");
        std::fs::remove_dir(d.join(dir)).unwrap();
    }
    std::fs::create_dir(d.join("s.txt")).unwrap();
    let err = fails(
        d,
        &["cdtext", "a.cue", "--cdt", "t.cdt", "--sheet", "s.txt"],
        5,
    );
    assert!(err.contains("it is a directory"), "{err}");
    assert!(!d.join("t.cdt").exists() && d.join("s.txt").is_dir());
}

/// Starts `rawburn` with `args` in `dir`.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_rawburn"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until a name in `dir` satisfies `seen`.
fn wait_for(dir: &Path, seen: impl Fn(&str) -> bool, child: &mut Child) {
    let start = Instant::now();
    while !names(dir).iter().any(|n| seen(n)) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "rawburn ended before its work files appeared"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no work files");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn ctrl_c_during_a_build_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A data track of 300,000 sparse sectors: a raw image of 730 MB takes
    // long enough to be interrupted.
    std::fs::File::create(d.join("a.iso"))
        .unwrap()
        .set_len(2048 * 300_000)
        .unwrap();
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    for signals in [1, 2] {
        let mut child = spawn(d, &["build", "a.cue", "-o", "x.raw"]);
        wait_for(d, |n| n.ends_with(".part"), &mut child);
        for _ in 0..signals {
            interrupt(&child);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{signals} signal(s)");
        if signals == 1 {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("building x.raw was cancelled; no file was written"),
                "{err}"
            );
        }
        assert_eq!(names(d), ["a.cue", "a.iso"], "{signals} signal(s)");
    }
}

#[test]
fn ctrl_c_twice_during_a_read_leaves_no_work_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::File::create(d.join("a.iso"))
        .unwrap()
        .set_len(2048 * 150_000)
        .unwrap();
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    ok(
        d,
        &[
            "burn",
            "a.cue",
            "--virtual",
            "d.vdisc",
            "--mode",
            "sao",
            "-q",
        ],
    );
    let mut child = spawn(d, &["read", "--virtual", "d.vdisc", "-o", "back.cue"]);
    wait_for(d, |n| n.starts_with(".rawburn-read-"), &mut child);
    interrupt(&child);
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(names(d), ["a.cue", "a.iso", "d.vdisc"]);
}
