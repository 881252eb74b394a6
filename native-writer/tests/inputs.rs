//! What `rawburn` reads and how far: only regular files, never more than
//! a sheet can be, nothing quoted from a file that is not a sheet, every
//! source checked before the first sector is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fails, noise, ok, rawburn, tool, write_wav};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `rawburn` and kills it if it has not ended after `limit`.
fn within(dir: &Path, args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rawburn"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("rawburn {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn blank(dir: &Path, disc: &str) -> bool {
    let media: Value =
        serde_json::from_str(&ok(dir, &["media", "--virtual", disc, "--json"])).unwrap();
    media["status"] == "blank"
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn devices_fifos_and_directories_are_refused_by_name_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    mkfifo(&d.join("pipe"));
    std::fs::create_dir(d.join("folder")).unwrap();
    std::fs::write(
        d.join("fifo.cue"),
        "FILE \"pipe\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    std::fs::write(
        d.join("zero.cue"),
        "CDTEXTFILE \"/dev/zero\"\nFILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    write_wav(&d.join("a.wav"), 300, 1);
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero-sheet.cue")).unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    let limit = Duration::from_secs(20);
    let d3 = |args: &'static [&'static str], says: &'static str| (args, says, 3);
    let cases = [
        d3(&["toc", "fifo.cue"], "pipe is a FIFO, not a regular file"),
        d3(
            &["toc", "zero-sheet.cue"],
            "zero-sheet.cue is a device, not a regular file",
        ),
        d3(
            &["toc", "zero.cue"],
            "/dev/zero is a device, not a regular file",
        ),
        d3(
            &["toc", "a.cue", "--cdtext", "/dev/zero"],
            "/dev/zero is a device, not a regular file",
        ),
        d3(
            &["toc", "a.cue", "--cdtext", "folder"],
            "folder is a directory",
        ),
        d3(
            &[
                "burn",
                "a.cue",
                "--virtual",
                "d.vdisc",
                "--faults",
                "/dev/zero",
            ],
            "/dev/zero is a device, not a regular file",
        ),
        d3(
            &["media", "--virtual", "pipe"],
            "pipe is a FIFO, not a regular file",
        ),
        d3(
            &["burn", "a.cue", "--virtual", "folder"],
            "folder is a directory",
        ),
        (
            &["vdisc", "create", "pipe", "--force"],
            "pipe is a FIFO, not a regular file",
            5,
        ),
    ];
    for (args, says, want) in cases {
        let out = within(d, args, limit);
        assert_eq!(code(&out), Some(want), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert!(blank(d, "d.vdisc"));
}

#[test]
fn sheets_larger_than_any_disc_needs_are_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A sparse 300 MB "project": refused by its size, not parsed.
    let f = std::fs::File::create(d.join("huge.json")).unwrap();
    f.set_len(300 << 20).unwrap();
    let out = within(d, &["toc", "huge.json"], Duration::from_secs(10));
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("huge.json is larger than any project (16 MiB at most)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn files_that_are_not_sheets_are_never_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let secret = "root:$6$s3cr3t-canary-line:19000:0:99999:7:::";
    std::fs::write(d.join("shadow"), format!("{secret}\nsecond line\n")).unwrap();
    write_wav(&d.join("a.wav"), 300, 2);
    std::fs::write(
        d.join("a.cue"),
        format!(
            "CDTEXTFILE \"{}\"\nFILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
            d.join("shadow").display()
        ),
    )
    .unwrap();
    let err = fails(d, &["toc", "a.cue"], 3);
    assert!(!err.contains("s3cr3t"), "{err}");
    assert!(
        err.contains("not a .cdt file or a cd-text input sheet (v0.7T)")
            && err.contains("line 1 is not `purpose = content`"),
        "{err}"
    );
    std::fs::write(
        d.join("b.cue"),
        "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = fails(d, &["toc", "b.cue", "--cdtext", "shadow"], 3);
    assert!(!err.contains("s3cr3t"), "{err}");
    // A file that says it is an input sheet is a sheet: its errors quote it.
    std::fs::write(
        d.join("sheet.txt"),
        "Input Sheet Version = 0.7T\nAlbum Titel = x\n",
    )
    .unwrap();
    let err = fails(d, &["toc", "b.cue", "--cdtext", "sheet.txt"], 3);
    assert!(err.contains("Album Titel"), "{err}");
}

#[test]
fn the_command_line_may_name_any_file_of_its_user() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let wav = elsewhere.path().join("a.wav");
    write_wav(&wav, 300, 3);
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(
        d.join("sub/a.cue"),
        format!(
            "FILE \"{}\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE \"../b.wav\" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n",
            wav.display()
        ),
    )
    .unwrap();
    write_wav(&d.join("b.wav"), 300, 4);
    let toc = ok(d, &["toc", "sub/a.cue", "--json"]);
    let v: Value = serde_json::from_str(&toc).unwrap();
    assert_eq!(v["tracks"].as_array().unwrap().len(), 2);
}

#[test]
fn a_missing_source_fails_before_the_drive_is_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("a.iso"), noise(2048 * 300, 5)).unwrap();
    std::fs::write(
        d.join("p.json"),
        r#"{ "sources": [{ "path": "a.iso" }, { "path": "gone.wav", "format": "audio" }],
             "tracks": [
               { "sectorType": "mode1", "data": { "source": 0, "sectors": 300 } },
               { "sectorType": "audio", "data": { "source": 1, "sectors": 300 } } ] }"#,
    )
    .unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    let err = fails(d, &["burn", "p.json", "--virtual", "d.vdisc"], 3);
    assert!(
        err.contains("track 2: source gone.wav cannot be used") && err.contains("gone.wav"),
        "{err}"
    );
    assert!(blank(d, "d.vdisc"));
}

#[test]
fn audio_that_is_not_cd_audio_fails_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("a.iso"), noise(2048 * 300, 6)).unwrap();
    write_wav(&d.join("b.wav"), 300, 7);
    // Three channels (mono and any rate are decoded; more than two
    // channels cannot be made CD audio).
    let mut wav = std::fs::read(d.join("b.wav")).unwrap();
    wav[22] = 3;
    std::fs::write(d.join("b.wav"), wav).unwrap();
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\nFILE \"b.wav\" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    let err = fails(d, &["burn", "a.cue", "--virtual", "d.vdisc"], 3);
    assert!(err.contains("b.wav") && err.contains("3 channels"), "{err}");
    assert!(blank(d, "d.vdisc"));
}

#[test]
fn a_damaged_flac_frame_is_found_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 3000, 8);
    tool(d, "flac", &["--silent", "-f", "-o", "a.flac", "a.wav"]);
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.flac\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    ok(d, &["vdisc", "create", "good.vdisc"]);
    ok(d, &["burn", "a.cue", "--virtual", "good.vdisc", "-q"]);
    // Damage a byte deep inside the audio frames: the header still reads.
    let mut flac = std::fs::read(d.join("a.flac")).unwrap();
    let at = flac.len() * 3 / 4;
    flac[at] ^= 0x55;
    std::fs::write(d.join("a.flac"), flac).unwrap();
    ok(d, &["toc", "a.cue"]);
    ok(d, &["vdisc", "create", "d.vdisc"]);
    let err = fails(d, &["burn", "a.cue", "--virtual", "d.vdisc"], 3);
    assert!(
        err.contains("source a.flac cannot be used")
            && err.contains("a.flac: ")
            && err.contains(" at 0:"),
        "{err}"
    );
    assert!(blank(d, "d.vdisc"));
}

#[test]
fn data_past_the_end_of_its_file_is_refused_by_toc_build_and_burn_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("a.iso"), noise(2048 * 300, 9)).unwrap();
    std::fs::write(
        d.join("p.json"),
        r#"{ "sources": [{ "path": "a.iso" }],
             "tracks": [ { "sectorType": "mode1", "data": { "source": 0, "sectors": 301 } } ] }"#,
    )
    .unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    let says = "track 1: a.iso holds 614400 bytes, but its data runs to byte 616448 (301 sectors of 2048 bytes from byte 0)";
    for args in [
        &["toc", "p.json"][..],
        &["build", "p.json", "-o", "out.cue"],
        &["burn", "p.json", "--virtual", "d.vdisc"],
    ] {
        let err = fails(d, args, 3);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(!d.join("out.cue").exists() && !d.join("out.bin").exists());
    assert!(blank(d, "d.vdisc"));
}

#[test]
fn audio_shorter_than_the_project_says_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 1000, 10);
    std::fs::write(
        d.join("p.json"),
        r#"{ "sources": [{ "path": "a.wav", "format": "audio" }],
             "tracks": [ { "sectorType": "audio", "data": { "source": 0, "sectors": 1075 } } ] }"#,
    )
    .unwrap();
    let toc = ok(d, &["toc", "p.json"]);
    assert!(
        toc.contains("track 1: a.wav ends 75 sectors before the audio the disc takes from it; they are silence"),
        "{toc}"
    );
    let out = rawburn(d, &["build", "p.json", "-o", "out.cue", "-q"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ends 75 sectors before"));
    let bin = std::fs::read(d.join("out.bin")).unwrap();
    // From LBA 0: 1000 sectors of audio, then 75 of silence.
    assert_eq!(bin.len(), 1075 * 2352);
    assert!(bin[1000 * 2352..].iter().all(|&b| b == 0));
    assert!(bin[999 * 2352..1000 * 2352].iter().any(|&b| b != 0));
}

#[test]
fn an_odd_size_binary_audio_file_builds_as_toc_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let pcm = noise(2352 * 400 + 1000, 11);
    std::fs::write(d.join("a.bin"), &pcm).unwrap();
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let toc = ok(d, &["toc", "a.cue"]);
    assert!(toc.contains("padded with 1352 bytes of silence"), "{toc}");
    ok(d, &["build", "a.cue", "-o", "out.cue", "-q"]);
    let bin = std::fs::read(d.join("out.bin")).unwrap();
    assert_eq!(bin.len(), 401 * 2352);
    assert_eq!(&bin[..pcm.len()], &pcm[..]);
    assert!(bin[pcm.len()..].iter().all(|&b| b == 0));
}

#[test]
fn outputs_on_stdout_that_cannot_be_written_exit_5() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 300, 12);
    std::fs::write(
        d.join("a.cue"),
        "TITLE \"x\"\nFILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"y\"\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    for args in [
        &["toc", "a.cue"][..],
        &["cdtext", "a.cue", "--cdt", "o.cdt", "--sheet", "o.txt"],
        &["media", "--virtual", "d.vdisc"],
    ] {
        // A pipe whose reader is gone, and a full device.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        for (what, out) in [
            ("closed pipe", Stdio::from(writer)),
            ("/dev/full", full.into()),
        ] {
            let run = Command::new(env!("CARGO_BIN_EXE_rawburn"))
                .args(args)
                .current_dir(d)
                .stdout(out)
                .stderr(Stdio::piped())
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.status.code(), Some(5), "{args:?} to a {what}: {err}");
            assert!(err.contains("cannot write the output to stdout"), "{err}");
            assert!(!err.contains("panicked"), "{err}");
            // Files asked for appear only with the listing.
            assert!(!d.join("o.cdt").exists() && !d.join("o.txt").exists());
        }
    }
}

#[test]
fn burn_events_that_cannot_be_written_stop_the_burn_before_it_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 300, 13);
    std::fs::write(
        d.join("a.cue"),
        "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    ok(d, &["vdisc", "create", "d.vdisc"]);
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_rawburn"))
        .args(["burn", "a.cue", "--virtual", "d.vdisc", "--json"])
        .current_dir(d)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(5), "{err}");
    assert!(
        err.contains(
            "the burn's events cannot be written to stdout; nothing was written to the disc"
        ),
        "{err}"
    );
    assert!(blank(d, "d.vdisc"));
}

#[test]
fn the_lead_in_cd_text_is_read_again_and_never_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 300, 14);
    std::fs::write(
        d.join("a.cue"),
        "TITLE \"Album\"\nPERFORMER \"Band\"\nFILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"Song\"\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    ok(d, &["build", "a.cue", "-o", "ref.ccd", "-q"]);
    ok(d, &["vdisc", "create", "d.vdisc"]);
    ok(d, &["burn", "a.cue", "--virtual", "d.vdisc", "-q"]);
    // READ TOC runs for the ATIP (1), the inspection's full TOC (2) and
    // CD-TEXT (3), the read's full TOC (4), then its CD-TEXT (5).
    let fault = |nth: u32| {
        format!(
            r#"{{ "command": "READ TOC/PMA/ATIP", "nth": {nth}, "fault": {{ "unitAttention": [3, 17, 0] }} }}"#
        )
    };
    std::fs::write(
        d.join("once.json"),
        format!(r#"{{ "faults": [{}] }}"#, fault(5)),
    )
    .unwrap();
    ok(
        d,
        &[
            "read",
            "--virtual",
            "d.vdisc",
            "--faults",
            "once.json",
            "-o",
            "back.ccd",
            "-q",
        ],
    );
    assert_eq!(
        std::fs::read(d.join("back.ccd")).unwrap(),
        std::fs::read(d.join("ref.ccd")).unwrap()
    );
    // A refusal that does not come again is no sign of a disc without
    // CD-TEXT, nor of a drive without raw P-W (READ CD's first use).
    for (name, plan) in [
        (
            "refused.json",
            r#"{ "faults": [ { "command": "READ TOC/PMA/ATIP", "nth": 5, "fault": { "unitAttention": [5, 36, 0] } } ] }"#,
        ),
        (
            "probe.json",
            r#"{ "faults": [ { "command": "READ CD", "nth": 1, "fault": { "unitAttention": [5, 36, 0] } } ] }"#,
        ),
    ] {
        std::fs::write(d.join(name), plan).unwrap();
        let out = rawburn(
            d,
            &[
                "read",
                "--virtual",
                "d.vdisc",
                "--faults",
                name,
                "-o",
                "again.ccd",
            ],
        );
        assert!(out.status.success(), "{name}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("warning"),
            "{name}"
        );
        for ext in ["ccd", "img", "sub"] {
            assert!(
                std::fs::read(d.join(format!("again.{ext}"))).unwrap()
                    == std::fs::read(d.join(format!("ref.{ext}"))).unwrap(),
                "{name}: again.{ext}"
            );
        }
    }
    let always: Vec<String> = (5..9).map(fault).collect();
    std::fs::write(
        d.join("always.json"),
        format!(r#"{{ "faults": [{}] }}"#, always.join(",")),
    )
    .unwrap();
    let err = fails(
        d,
        &[
            "read",
            "--virtual",
            "d.vdisc",
            "--faults",
            "always.json",
            "-o",
            "lost.ccd",
        ],
        9,
    );
    assert!(
        err.contains("the disc's cd-text cannot be read; no image was written")
            && err.contains("3/11/00"),
        "{err}"
    );
    assert!(!d.join("lost.ccd").exists() && !d.join("lost.img").exists());
    assert_eq!(leftovers(d), Vec::<String>::new());
}

/// Files a failed or cancelled command must not leave: parts and work
/// directories.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.starts_with(".rawburn-"))
        .collect()
}
