//! `rawburn burn`, `read` and the drive commands end to end on the virtual
//! recorder: `vdisc create`, `burn` in each mode with `--verify`, `read`
//! into every format (identical to `rawburn build`'s output), `media`,
//! `--simulate`, a disc too small, fault plans and their exit codes, and
//! the `--json` event stream.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

#[test]
fn burn_in_every_mode_with_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    for (mode, input) in [
        ("raw96r", "disc.json"),
        ("sao", "disc.json"),
        ("raw16", "plain.json"),
        ("raw96p", "plain.json"),
        ("tao", "plain.json"),
        ("auto", "disc.json"),
    ] {
        let disc = format!("{mode}.vdisc");
        let created = ok(
            d,
            &[
                "vdisc",
                "create",
                &disc,
                "--media",
                "cd-rw",
                "--minutes",
                "74",
            ],
        );
        assert!(
            created.contains("blank cd-rw of 74 minutes (332849 sectors)"),
            "{created}"
        );
        assert!(ok(d, &["media", "--virtual", &disc]).contains("disc:         CD-RW, blank"));
        let out = rawburn(
            d,
            &[
                "burn",
                input,
                "--virtual",
                &disc,
                "--mode",
                mode,
                "--verify",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{mode}: {err}");
        assert!(err.contains("burned and verified"), "{mode}: {err}");
        let media = ok(d, &["media", "--virtual", &disc]);
        assert!(
            media.contains("CD-RW, finalized (1 session)"),
            "{mode}: {media}"
        );
        if mode != "tao" {
            read_back_as_built(d, &disc, input);
        }
        // Blank it and burn again.
        ok(d, &["blank", "--virtual", &disc, "-q"]);
        assert!(ok(d, &["media", "--virtual", &disc]).contains("CD-RW, blank"));
    }
}

const FORMATS: [&str; 4] = ["cue", "ccd", "toc", "raw"];

/// Reads `disc` into every format: each file equals what `rawburn build`
/// writes for `input`.
fn read_back_as_built(d: &Path, disc: &str, input: &str) {
    for f in FORMATS {
        let (built, read) = (d.join("built").join(f), d.join("read").join(f));
        for p in [&built, &read] {
            let _ = std::fs::remove_dir_all(p);
            std::fs::create_dir_all(p).unwrap();
        }
        ok(
            d,
            &["build", input, "-o", &format!("built/{f}/x.{f}"), "-q"],
        );
        let err = String::from_utf8_lossy(
            &rawburn(
                d,
                &["read", "--virtual", disc, "-o", &format!("read/{f}/x.{f}")],
            )
            .stderr,
        )
        .into_owned();
        assert!(!err.contains("warning"), "{disc} {f}: {err}");
        let names = |p: &Path| {
            let mut v: Vec<String> = std::fs::read_dir(p)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&built), names(&read), "{disc} {f}: {err}");
        for name in names(&built) {
            assert!(
                std::fs::read(built.join(&name)).unwrap()
                    == std::fs::read(read.join(&name)).unwrap(),
                "{disc} {f}: {name} read back differs from the built one"
            );
        }
    }
    // A project read from the disc keeps the data it names beside it, and
    // builds the same image as the input.
    let _ = std::fs::remove_dir_all(d.join("read/project"));
    std::fs::create_dir_all(d.join("read/project")).unwrap();
    ok(
        d,
        &["read", "--virtual", disc, "-o", "read/project/p.json", "-q"],
    );
    let mut names: Vec<String> = std::fs::read_dir(d.join("read/project"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["p.img", "p.json", "p.sub"], "{disc}");
    ok(
        d,
        &[
            "build",
            "read/project/p.json",
            "-o",
            "read/project/x.ccd",
            "-q",
        ],
    );
    for ext in ["ccd", "img", "sub"] {
        assert!(
            std::fs::read(d.join(format!("read/project/x.{ext}"))).unwrap()
                == std::fs::read(d.join(format!("built/ccd/x.{ext}"))).unwrap(),
            "{disc}: x.{ext} built from the project read back differs"
        );
    }
    // Nothing left beside the outputs.
    assert!(std::fs::read_dir(d).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".rawburn")
    }),);
}

#[test]
fn a_tao_disc_reads_back_with_its_run_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    ok(d, &["vdisc", "create", "t.vdisc"]);
    ok(
        d,
        &[
            "burn",
            "plain.json",
            "--virtual",
            "t.vdisc",
            "--mode",
            "tao",
            "-q",
        ],
    );
    ok(d, &["read", "--virtual", "t.vdisc", "-o", "t.cue", "-q"]);
    // Track at once ends every track with two run-out blocks, so the
    // audio track starts two sectors later than in the plan's layout and
    // the lead-out four.
    let toc: Value = serde_json::from_str(&ok(d, &["toc", "t.cue", "--json"])).unwrap();
    assert_eq!(toc["tracks"][0]["start"]["lba"], 0);
    assert_eq!(toc["tracks"][1]["pregapStart"]["lba"], 752);
    assert_eq!(toc["tracks"][1]["start"]["lba"], 902);
    assert_eq!(toc["leadout"]["lba"], 1604);
    // The data and the audio are there, sector for sector.
    let bin = std::fs::read(d.join("t.bin")).unwrap();
    let iso = std::fs::read(d.join("d.iso")).unwrap();
    for (k, user) in iso.chunks(2048).enumerate() {
        assert_eq!(&bin[k * 2352 + 16..k * 2352 + 2064], user, "sector {k}");
    }
    let pcm = std::fs::read(d.join("a.pcm")).unwrap();
    assert_eq!(&bin[902 * 2352..1602 * 2352], &pcm[..700 * 2352]);
}

#[test]
fn read_errors_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    ok(d, &["vdisc", "create", "r.vdisc"]);
    let err = fails(d, &["read", "--virtual", "r.vdisc", "-o", "x.cue"], 6);
    assert!(
        err.contains("the disc is blank: there is nothing to read"),
        "{err}"
    );
    let err = fails(d, &["read", "--virtual", "r.vdisc", "-o", "x.iso"], 2);
    assert!(
        err.contains("x.iso: the output extension picks the format"),
        "{err}"
    );
    ok(d, &["burn", "disc.json", "--virtual", "r.vdisc", "-q"]);
    ok(d, &["build", "disc.json", "-o", "built.cue", "-q"]);

    // The 10th READ CD (sectors 208-233) fails once: read again one by
    // one, the image is whole.
    let medium = r#"{ "command": "READ CD", "nth": N, "fault": { "unitAttention": [3, 17, 0] } }"#;
    let plan = |nths: &[u32]| {
        let f: Vec<String> = nths
            .iter()
            .map(|n| medium.replace('N', &n.to_string()))
            .collect();
        format!(r#"{{ "faults": [{}] }}"#, f.join(","))
    };
    std::fs::write(d.join("once.json"), plan(&[10])).unwrap();
    let out = rawburn(
        d,
        &[
            "read",
            "--virtual",
            "r.vdisc",
            "--faults",
            "once.json",
            "-o",
            "once.cue",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: lba 208: 26 sectors read again one by one"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(d.join("once.bin")).unwrap(),
        std::fs::read(d.join("built.bin")).unwrap()
    );

    // Then its first sector fails four more times: unreadable.
    std::fs::write(d.join("bad.json"), plan(&[10, 11, 12, 13, 14])).unwrap();
    let err = fails(
        d,
        &[
            "read",
            "--virtual",
            "r.vdisc",
            "--faults",
            "bad.json",
            "-o",
            "bad.cue",
        ],
        9,
    );
    assert!(
        err.contains("error: lba 208 (00:04:58) cannot be read: the drive failed it 4 times\n  caused by: 3/11/00 unrecovered read error"),
        "{err}"
    );
    // Every READ TOC reply one byte short of what its header announces
    // (the full TOC, then the CD-TEXT): each is asked for again, and the
    // image is that of a clean read, its CD-TEXT whole.
    for nth in [1, 2, 3] {
        std::fs::write(
            d.join("short.json"),
            format!(
                r#"{{ "faults": [{{ "command": "READ TOC/PMA/ATIP", "nth": {nth}, "fault": {{ "shortData": 1 }} }}] }}"#
            ),
        )
        .unwrap();
        let out = rawburn(
            d,
            &[
                "read",
                "--virtual",
                "r.vdisc",
                "--faults",
                "short.json",
                "-o",
                "short.cue",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(!err.contains("warning"), "{nth}: {err}");
        for ext in ["bin", "cdt"] {
            assert_eq!(
                std::fs::read(d.join(format!("short.{ext}"))).unwrap(),
                std::fs::read(d.join(format!("once.{ext}"))).unwrap(),
                "{nth}: {ext}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(d.join("short.cue"))
                .unwrap()
                .replace("short.", "once."),
            std::fs::read_to_string(d.join("once.cue")).unwrap()
        );
    }
    std::fs::write(
        d.join("gone.json"),
        r#"{ "faults": [{ "command": "READ CD", "nth": 10, "fault": "disconnect" }] }"#,
    )
    .unwrap();
    let err = fails(
        d,
        &[
            "read",
            "--virtual",
            "r.vdisc",
            "--faults",
            "gone.json",
            "-o",
            "gone.cue",
        ],
        9,
    );
    assert!(
        err.contains("error: the drive stopped answering at lba 208 (00:04:58)\n  caused by: the drive was disconnected"),
        "{err}"
    );
    // No output and no work files left behind.
    let left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("bad.")
                || n.starts_with("gone.") && n != "gone.json"
                || n.starts_with(".rawburn")
        })
        .collect();
    assert_eq!(left, ["bad.json"]);
}

#[test]
fn simulate_leaves_the_disc_blank() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    ok(d, &["vdisc", "create", "s.vdisc"]);
    let out = rawburn(
        d,
        &["burn", "disc.json", "--virtual", "s.vdisc", "--simulate"],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulated:"));
    let media = ok(d, &["media", "--virtual", "s.vdisc", "--json"]);
    let v: Value = serde_json::from_str(&media).unwrap();
    assert_eq!(v["status"], "blank");
    assert_eq!(v["media"], "CD-R");
    assert_eq!(v["capacity"], 359_849);
}

#[test]
fn a_speed_is_one_the_drive_offers_and_the_summary_says_which() {
    // The virtual drive offers 4x, 8x, 16x, 24x, 32x, 40x and 48x.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    for (speed, said) in [
        (
            "45",
            Some("at 40x, the fastest the drive offers below the 45x asked for"),
        ),
        ("24", Some("at 24x")),
        ("1", Some("at 4x, the drive's slowest (1x asked for)")),
        ("400", Some("at 48x, the drive's fastest (400x asked for)")),
        (
            "65536",
            Some("at 48x, the drive's fastest (65535x asked for)"),
        ),
        ("max", None),
        ("MAX", None),
    ] {
        let disc = format!("s{speed}.vdisc");
        ok(d, &["vdisc", "create", &disc]);
        let out = rawburn(
            d,
            &["burn", "plain.json", "--virtual", &disc, "--speed", speed],
        );
        assert!(out.status.success(), "--speed {speed}");
        let err = String::from_utf8(out.stderr).unwrap();
        let summary = err.lines().find(|l| l.starts_with("burned:")).unwrap();
        match said {
            Some(note) => assert!(summary.contains(&format!("), {note}, ")), "{summary}"),
            None => assert!(!summary.contains(" at "), "{summary}"),
        }
    }
    ok(d, &["vdisc", "create", "zero.vdisc"]);
    for (speed, why) in [
        ("0", "a speed is 1x or more (max for the drive's fastest)"),
        ("-4", "expected a speed such as 24 (for 24x) or max"),
        ("fast", "expected a speed such as 24 (for 24x) or max"),
    ] {
        let arg = format!("--speed={speed}");
        let err = fails(
            d,
            &["burn", "plain.json", "--virtual", "zero.vdisc", &arg],
            2,
        );
        assert!(err.contains(why), "--speed {speed}: {err}");
    }
    // Nothing was written by the refused burns.
    let media = ok(d, &["media", "--virtual", "zero.vdisc"]);
    assert!(media.contains("blank"), "{media}");
}

#[test]
fn a_disc_too_small_fails_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Every track reads the same 17,000 sectors (a sparse file of zeros).
    std::fs::File::create(d.join("big.iso"))
        .unwrap()
        .set_len(17_000 * 2048)
        .unwrap();
    // 20 tracks of 17,000 sectors and their pregaps: 342,850 sectors; the
    // project is valid, the media too small.
    let tracks: Vec<String> = (0..20)
        .map(|_| {
            r#"{ "sectorType": "mode1", "data": { "source": 0, "sectors": 17000 } }"#.to_string()
        })
        .collect();
    std::fs::write(
        d.join("big.json"),
        format!(
            r#"{{ "sources": [{{ "path": "big.iso" }}], "leadoutLimit": "minutes99", "tracks": [{}] }}"#,
            tracks.join(",")
        ),
    )
    .unwrap();
    ok(d, &["vdisc", "create", "small.vdisc", "--minutes", "74"]);
    let err = fails(d, &["burn", "big.json", "--virtual", "small.vdisc"], 6);
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        err.contains("the disc needs 342850 sectors (76:13:25) up to its lead-out; the media holds 332849 (73:59:74)"),
        "{err}"
    );
    assert!(ok(d, &["media", "--virtual", "small.vdisc"]).contains("CD-R, blank"));
}

#[test]
fn fault_plans_give_their_exit_codes_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    for (plan, code, says) in [
        (
            r#"{ "faults": [ { "lba": 400, "fault": "mediumError" } ] }"#,
            7,
            "failed: the disc holds an incomplete session: this CD-R cannot be used again\n  caused by: writing: WRITE(10) failed: 3/0C/00 write error; the drive confirmed up to lba",
        ),
        (
            r#"{ "faults": [ { "command": "WRITE(10)", "nth": 5, "fault": "disconnect" } ] }"#,
            7,
            "failed: what the disc holds is unknown: the drive did not answer\n  caused by: writing: WRITE(10): the drive was disconnected",
        ),
        (
            r#"{ "faults": [ { "command": "INQUIRY", "fault": "disconnect" } ] }"#,
            6,
            "cannot burn this disc; nothing was written\n",
        ),
        // A WRITE whose data stage stalled is not sent again.
        (
            r#"{ "faults": [ { "command": "WRITE(10)", "nth": 3, "fault": "stallData" } ] }"#,
            7,
            "failed: the disc holds an incomplete session: this CD-R cannot be used again\n  caused by: writing: WRITE(10) failed: 4/08/00 logical unit communication failure",
        ),
        // Refused before anything was recorded: the drive says blank.
        (
            r#"{ "faults": [ { "command": "SEND OPC INFORMATION", "fault": { "unitAttention": [3, 115, 3] } } ] }"#,
            6,
            "cannot burn this disc; nothing was written: the disc is still blank\n  caused by: preparing: SEND OPC INFORMATION failed: 3/73/03 power calibration area error",
        ),
        (
            r#"{ "faults": [ { "command": "WRITE(10)", "fault": { "unitAttention": [5, 100, 0] } } ] }"#,
            6,
            "nothing was written: the disc is still blank",
        ),
        // A flush answered with a recovered error is sent again.
        (
            r#"{ "faults": [ { "command": "SYNCHRONIZE CACHE", "fault": { "unitAttention": [1, 23, 1] } } ] }"#,
            0,
            "burned and verified",
        ),
        // Reading back fails: the burn completed, nothing is known to
        // differ.
        (
            r#"{ "faults": [ { "command": "READ CD", "nth": 2, "fault": { "unitAttention": [3, 17, 0] } } ] }"#,
            9,
            "could not finish\n  caused by: the verify could not finish at lba 26: verifying: READ CD failed: 3/11/00 unrecovered read error",
        ),
        (
            r#"{ "faults": [ { "lba": 300, "fault": "underrun" } ] }"#,
            0,
            "burned and verified",
        ),
    ] {
        std::fs::write(d.join("plan.json"), plan).unwrap();
        ok(d, &["vdisc", "create", "f.vdisc", "--force"]);
        let out = rawburn(
            d,
            &[
                "burn",
                "disc.json",
                "--virtual",
                "f.vdisc",
                "--faults",
                "plan.json",
                "--verify",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{plan}: {err}");
        assert!(err.contains(says), "{plan}: {err}");
        // Exit 6 leaves the disc blank; 7 and later do not.
        let media = ok(d, &["media", "--virtual", "f.vdisc", "--json"]);
        let v: Value = serde_json::from_str(&media).unwrap();
        assert_eq!(v["status"] == "blank", code == 6, "{plan}: {}", v["status"]);
    }
    // A plan that makes no sense is an input error.
    std::fs::write(
        d.join("bad.json"),
        r#"{ "faults": [ { "lba": 5, "fault": "cswTag" } ] }"#,
    )
    .unwrap();
    let err = fails(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "f.vdisc",
            "--faults",
            "bad.json",
        ],
        3,
    );
    assert!(
        err.contains("bad.json is not a valid fault plan") && err.contains("fault 0"),
        "{err}"
    );
    // Faults need the virtual drive.
    let err = fails(d, &["burn", "disc.json", "--faults", "bad.json"], 2);
    assert!(
        err.contains("--faults works with the virtual drive only"),
        "{err}"
    );
}

#[test]
fn json_events_follow_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    ok(d, &["vdisc", "create", "j.vdisc"]);
    let out = ok(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "j.vdisc",
            "--json",
            "--speed",
            "8",
            "--verify",
        ],
    );
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.len() > 10, "{}", events.len());
    let fields = [
        "action",
        "tracks",
        "startLba",
        "sectorCount",
        "lastReadLba",
        "lastWrittenLba",
        "totalSystemBuffer",
        "usedSystemBuffer",
        "freeSystemBuffer",
        "driveBufferSize",
        "driveBufferFree",
        "speedX",
        "sectorsPerSecond",
        "elapsedMs",
        "remainingMs",
        "sectorsWritten",
        "sectorsTotal",
        "schema",
        "phase",
        "mode",
        "reason",
        "track",
        "fraction",
        "sectorsRecorded",
        "sectorsVerified",
        "sectorsToVerify",
        "message",
    ];
    for e in &events {
        for f in fields {
            assert!(e.get(f).is_some(), "{f} missing in {e}");
        }
        assert_eq!(e["schema"], 2);
        assert_eq!(
            e["usedSystemBuffer"].as_u64().unwrap() + e["freeSystemBuffer"].as_u64().unwrap(),
            e["totalSystemBuffer"].as_u64().unwrap()
        );
    }
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "preparing",
        "writingLeadIn",
        "writingTrack",
        "writingLeadOut",
        "finishing",
        "done",
    ] {
        assert!(actions.contains(&a), "{a} missing: {actions:?}");
    }
    assert_eq!(*actions.last().unwrap(), "done");
    // A progress bar: the fraction starts at 0, never goes back, stays
    // below 1 until done; the estimate is null until the writing speed is
    // known, then known to the end; the reason comes with the mode.
    let first = &events[0];
    assert_eq!(
        (first["fraction"].as_f64(), first["phase"].as_str()),
        (Some(0.0), Some("preparing"))
    );
    assert!(first["remainingMs"].is_null() && first["reason"].is_null() && first["mode"].is_null());
    let fractions: Vec<f64> = events
        .iter()
        .map(|e| e["fraction"].as_f64().unwrap())
        .collect();
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert!(
        fractions[..fractions.len() - 1]
            .iter()
            .all(|&f| (0.0..1.0).contains(&f))
    );
    assert_eq!(fractions.last(), Some(&1.0));
    let known = events
        .iter()
        .position(|e| !e["remainingMs"].is_null())
        .unwrap();
    assert!(
        events[known..].iter().all(|e| e["remainingMs"].is_u64()),
        "{events:?}"
    );
    assert!(events[known]["phase"] == "writing", "{}", events[known]);
    for e in events.iter().filter(|e| !e["mode"].is_null()) {
        assert!(e["reason"].as_str().unwrap().starts_with("raw96r"), "{e}");
    }
    // The estimate was near the time the burn then took.
    let end = events.last().unwrap()["elapsedMs"].as_f64().unwrap();
    let e = &events[known + 2];
    let (left, at) = (
        e["remainingMs"].as_f64().unwrap(),
        e["elapsedMs"].as_f64().unwrap(),
    );
    assert!(
        (left - (end - at)).abs() < 0.25 * end,
        "{left} ms left at {at}, done at {end}"
    );
    // The verify reports its own progress, to the last sector.
    let verified: Vec<u64> = events
        .iter()
        .filter(|e| e["phase"] == "verifying")
        .map(|e| e["sectorsVerified"].as_u64().unwrap())
        .collect();
    assert!(verified.windows(2).all(|w| w[0] <= w[1]), "{verified:?}");
    let last = events.last().unwrap();
    assert_eq!(last["sectorsVerified"], last["sectorsToVerify"]);
    assert!(last["sectorsToVerify"].as_u64().unwrap() > 2000);
    assert_eq!(last["mode"], "raw96r");
    assert_eq!(last["sectorsWritten"], last["sectorsTotal"]);
    // Track numbers follow the burn; 8x is about 600 sectors a second.
    let speeds: Vec<f64> = events
        .iter()
        .filter(|e| e["action"] == "writingTrack")
        .map(|e| e["speedX"].as_f64().unwrap())
        .collect();
    assert!(
        speeds.iter().any(|&x| (7.0..9.0).contains(&x)),
        "{speeds:?}"
    );
}

/// A MODE1/2352 bin/cue of 300 sectors, each what a drive builds from its
/// user data at its address, but for `spoil` (LBA, byte to flip).
fn raw_mode1(dir: &Path, spoil: Option<(usize, usize)>) -> Vec<u8> {
    use layout::msf::Lba;
    use layout::sector::{SectorEncoder, SectorType};
    let user = noise(300 * 2048, 5);
    let enc = SectorEncoder::new(SectorType::Mode1);
    let mut bin = vec![0u8; 300 * 2352];
    for (k, (s, u)) in bin.chunks_mut(2352).zip(user.chunks(2048)).enumerate() {
        let s: &mut [u8; 2352] = s.try_into().unwrap();
        enc.encode(Lba(k as i32), u, s).unwrap();
    }
    if let Some((lba, byte)) = spoil {
        bin[lba * 2352 + byte] ^= 0x01;
    }
    std::fs::write(dir.join("r.bin"), &bin).unwrap();
    std::fs::write(
        dir.join("r.cue"),
        "FILE \"r.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    bin
}

#[test]
fn raw_sectors_are_burned_as_given_or_their_mode_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A sector whose EDC the image kept wrong: sao and tao would have the
    // drive rebuild it, so they refuse before anything is written.
    let bin = raw_mode1(d, Some((17, 2064)));
    ok(d, &["vdisc", "create", "r.vdisc"]);
    for mode in ["sao", "tao"] {
        let err = fails(
            d,
            &["burn", "r.cue", "--virtual", "r.vdisc", "--mode", mode],
            6,
        );
        assert!(
            err.contains(&format!(
                "cannot burn this disc; nothing was written\n  caused by: {mode} cannot write track 1's raw mode 1 sectors as given: lba 17 is not what the drive would build from its user data (its edc differs)"
            )),
            "{err}"
        );
        assert!(ok(d, &["media", "--virtual", "r.vdisc"]).contains("CD-R, blank"));
    }
    // raw96r writes it as given; a content verify compares it byte for byte.
    ok(
        d,
        &[
            "burn",
            "r.cue",
            "--virtual",
            "r.vdisc",
            "--verify",
            "content",
            "-q",
        ],
    );
    ok(d, &["read", "--virtual", "r.vdisc", "-o", "back.cue", "-q"]);
    assert!(std::fs::read(d.join("back.bin")).unwrap()[..300 * 2352] == bin[..]);
    // A regular image burns in sao, sector for sector.
    let bin = raw_mode1(d, None);
    ok(d, &["vdisc", "create", "s.vdisc"]);
    ok(
        d,
        &[
            "burn",
            "r.cue",
            "--virtual",
            "s.vdisc",
            "--mode",
            "sao",
            "--verify",
            "-q",
        ],
    );
    ok(d, &["read", "--virtual", "s.vdisc", "-o", "s.cue", "-q"]);
    assert!(std::fs::read(d.join("s.bin")).unwrap()[..300 * 2352] == bin[..]);
}

/// An album (`album.cue`: 2100 sectors, two tracks) and its data files
/// (`files/`) mastered as `data.iso` for the second session of a
/// CD-Extra at the address `rawburn toc --next-session` prints, and as
/// `first.iso` for a first session.
fn cd_extra_sources(d: &Path) {
    write_wav(&d.join("a.wav"), 1200, 61);
    write_wav(&d.join("b.wav"), 900, 62);
    std::fs::write(
        d.join("album.cue"),
        "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE \"b.wav\" WAVE\n  TRACK 02 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n",
    )
    .unwrap();
    // The first session ends at its lead-out (2100 sectors in); the data
    // session starts after 6750 of lead-out, 4500 of lead-in and 150 of
    // pregap.
    let next = ok(d, &["toc", "album.cue", "--next-session"]);
    assert_eq!(next, format!("0,{}\n", 2100 + 6750 + 4500 + 150));
    let at = next.trim().to_string();
    std::fs::create_dir(d.join("files")).unwrap();
    std::fs::write(d.join("files/readme.txt"), "CD-Extra data session\n").unwrap();
    std::fs::write(d.join("files/blob.bin"), noise(200_000, 63)).unwrap();
    tool(
        d,
        "xorriso",
        &["-as", "mkisofs", "-quiet", "-o", "first.iso", "files"],
    );
    tool(
        d,
        "xorriso",
        &[
            "-as", "mkisofs", "-quiet", "-C", &at, "-o", "data.iso", "files",
        ],
    );
}

#[test]
fn a_cd_extra_reads_back_into_images_that_hold_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cd_extra_sources(d);
    ok(d, &["vdisc", "create", "x.vdisc"]);
    ok(
        d,
        &[
            "burn",
            "album.cue",
            "--virtual",
            "x.vdisc",
            "--extra",
            "data.iso",
            "-q",
        ],
    );
    // A format without sessions is refused before anything is read.
    let err = fails(d, &["read", "--virtual", "x.vdisc", "-o", "dump.toc"], 6);
    assert!(
        err.contains(
            "the disc has 2 sessions: read it into a CloneCD image (.ccd) or a cue sheet (.cue)"
        ),
        "{err}"
    );
    assert!(!d.join("dump.toc").exists());

    let out = rawburn(d, &["read", "--virtual", "x.vdisc", "-o", "dump.ccd"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("read 2402 sectors (3 tracks in 2 sessions) from the virtual drive"),
        "{err}"
    );
    // Session 1 from LBA 0 to its lead-out, then session 2 from its track
    // at 13500 (the gap between them is not stored).
    let toc: Value = serde_json::from_str(&ok(d, &["toc", "dump.ccd", "--json"])).unwrap();
    let sessions = toc["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    // The disc IDs of a CD-Extra: the audio session's two tracks, the
    // lead-out 11 400 sectors before the data session (LBA 2100, frame
    // 2250), as libdiscid reads such a disc.
    let ids = &toc["discIds"];
    let mb_toc = ids["musicbrainzToc"].as_str().unwrap();
    assert!(mb_toc.starts_with("1 2 2250 150 "), "{mb_toc}");
    assert!(ids["freedb"].as_str().unwrap().ends_with("02"), "{ids}");
    let img = std::fs::read(d.join("dump.img")).unwrap();
    let iso = std::fs::read(d.join("data.iso")).unwrap();
    let s2 = &img[2100 * 2352..];
    assert!(s2.len() / 2352 >= iso.len() / 2048);
    // Mode 2 Form 1 sectors of the ISO, headers at their real addresses
    // (13500 is 03:02:00).
    for (k, user) in iso.chunks(2048).enumerate() {
        let sector = &s2[k * 2352..(k + 1) * 2352];
        if k == 0 {
            assert_eq!(sector[12..16], [0x03, 0x02, 0x00, 0x02]);
        }
        assert_eq!(&sector[24..2072], user, "iso sector {k}");
    }
    // The dump builds again into itself, byte for byte.
    ok(d, &["build", "dump.ccd", "-o", "again.ccd", "-q"]);
    for ext in ["ccd", "img", "sub"] {
        assert!(
            std::fs::read(d.join(format!("again.{ext}"))).unwrap()
                == std::fs::read(d.join(format!("dump.{ext}"))).unwrap(),
            "again.{ext}"
        );
    }
    // As a cue sheet with REM SESSION: its BIN is the same sectors.
    ok(
        d,
        &["read", "--virtual", "x.vdisc", "-o", "sheet.cue", "-q"],
    );
    let cue = std::fs::read_to_string(d.join("sheet.cue")).unwrap();
    assert!(
        cue.contains("REM SESSION 01\n")
            && cue.contains("REM SESSION 02\n  TRACK 03 MODE2/2352\n    INDEX 01 03:00:00\n"),
        "{cue}"
    );
    assert!(std::fs::read(d.join("sheet.bin")).unwrap() == img);
    // The sheet reads back into the same disc: the same TOC, and the
    // CloneCD image of the dump byte for byte.
    assert_eq!(
        ok(d, &["toc", "sheet.cue", "--json"]),
        ok(d, &["toc", "dump.ccd", "--json"])
    );
    ok(d, &["build", "sheet.cue", "-o", "fromcue.ccd", "-q"]);
    for ext in ["ccd", "img", "sub"] {
        assert!(
            std::fs::read(d.join(format!("fromcue.{ext}"))).unwrap()
                == std::fs::read(d.join(format!("dump.{ext}"))).unwrap(),
            "fromcue.{ext}"
        );
    }
    // libcdio sees the third track as the XA data of a CD-Extra's second
    // session at 13500.
    let info = tool(
        d,
        "cd-info",
        &["--no-device-info", "--no-header", "--cue-file", "sheet.cue"],
    );
    assert!(info.contains("  3: 03:02:00  013500 XA"), "{info}");
    assert!(
        info.contains("session #2 starts at track  3, LSN: 13500"),
        "{info}"
    );
    // xorriso finds the second session's file system in the dump's user
    // data, mastered for 13500.
    let user: Vec<u8> = s2.chunks(2352).flat_map(|s| s[24..2072].to_vec()).collect();
    assert!(user[..iso.len()] == iso[..]);
    std::fs::write(d.join("session2.iso"), &user).unwrap();
    let ls = tool(
        d,
        "xorriso",
        &[
            "-displacement",
            "-13500",
            "-indev",
            "session2.iso",
            "-lsl",
            "/",
        ],
    );
    assert!(ls.contains("200000") && ls.contains("'blob.bin'"), "{ls}");
    assert!(ls.contains("'readme.txt'"), "{ls}");

    // The dump burns into the same disc: session 1 left open, session 2
    // added at 13500, each verified; read again, the same image.
    ok(d, &["vdisc", "create", "copy.vdisc"]);
    let out = rawburn(
        d,
        &["burn", "dump.ccd", "--virtual", "copy.vdisc", "--verify"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("burned and verified").count(), 2, "{err}");
    ok(
        d,
        &["read", "--virtual", "copy.vdisc", "-o", "copy.ccd", "-q"],
    );
    for ext in ["ccd", "img", "sub"] {
        assert!(
            std::fs::read(d.join(format!("copy.{ext}"))).unwrap()
                == std::fs::read(d.join(format!("dump.{ext}"))).unwrap(),
            "copy.{ext}"
        );
    }
    // What only a single-session input takes is refused, naming why.
    ok(d, &["vdisc", "create", "none.vdisc"]);
    let err = fails(
        d,
        &[
            "burn",
            "dump.ccd",
            "--virtual",
            "none.vdisc",
            "--extra",
            "data.iso",
        ],
        2,
    );
    assert!(err.contains("this image has its sessions already"), "{err}");
    let err = fails(
        d,
        &[
            "burn",
            "dump.ccd",
            "--virtual",
            "none.vdisc",
            "--mode",
            "raw96r",
        ],
        2,
    );
    assert!(err.contains("a raw mode cannot add a session"), "{err}");
    assert!(media_json(d, "none.vdisc")["status"] == "blank");
}

#[test]
fn a_cd_extra_and_a_session_added_later() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cd_extra_sources(d);

    // An image mastered for a first session is refused before anything
    // is written, naming the address it needs.
    ok(d, &["vdisc", "create", "x.vdisc"]);
    let err = fails(
        d,
        &[
            "burn",
            "album.cue",
            "--virtual",
            "x.vdisc",
            "--extra",
            "first.iso",
        ],
        3,
    );
    assert!(
        err.contains("its root directory is at lba 18, and the session starts at lba 13500")
            && err.contains("xorriso -as mkisofs -C 0,13500"),
        "{err}"
    );
    let err = fails(
        d,
        &[
            "burn",
            "album.cue",
            "--virtual",
            "x.vdisc",
            "--extra",
            "data.iso",
            "--mode",
            "tao",
        ],
        2,
    );
    assert!(
        err.contains("--extra burns the audio session in sao"),
        "{err}"
    );
    assert!(media_json(d, "x.vdisc")["status"] == "blank");

    let out = rawburn(
        d,
        &[
            "burn",
            "album.cue",
            "--virtual",
            "x.vdisc",
            "--extra",
            "data.iso",
            "--verify",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("burned and verified").count(), 2, "{err}");
    let m = media_json(d, "x.vdisc");
    assert_eq!(m["status"], "finalized");
    let sessions = m["sessionList"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let tracks = |s: &Value| -> Vec<(u64, i64, u64)> {
        s["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["number"].as_u64().unwrap(),
                    t["start"].as_i64().unwrap(),
                    t["control"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(tracks(&sessions[0]), [(1, 0, 0), (2, 1350, 0)]);
    assert_eq!(sessions[0]["leadOut"], 2100);
    assert_eq!(tracks(&sessions[1]), [(3, 13500, 4)]);
    let err = fails(d, &["toc", "--next-session", "--virtual", "x.vdisc"], 4);
    assert!(
        err.contains("the disc is finalized: it takes no further session"),
        "{err}"
    );

    // A session added to a disc left open by an earlier burn.
    ok(d, &["vdisc", "create", "y.vdisc"]);
    ok(
        d,
        &[
            "burn",
            "album.cue",
            "--virtual",
            "y.vdisc",
            "--mode",
            "sao",
            "--multisession",
            "-q",
        ],
    );
    assert_eq!(
        ok(d, &["toc", "--next-session", "--virtual", "y.vdisc"]),
        format!("0,13500\n")
    );
    let media = ok(d, &["media", "--virtual", "y.vdisc"]);
    for line in [
        "disc:         CD-R, appendable (1 session, room for another)\n",
        "session 1:    tracks 1-2 (lba 0 to lead-out 2100)\n",
        "next session: starts at lba 13500 (mkisofs/xorriso -C 0,13500)\n",
    ] {
        assert!(media.contains(line), "{media}");
    }
    let out = rawburn(
        d,
        &[
            "burn",
            "data.iso",
            "--xa",
            "--virtual",
            "y.vdisc",
            "--verify",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = media_json(d, "y.vdisc");
    assert_eq!(m["sessionList"].as_array().unwrap().len(), 2);
    assert_eq!(m["status"], "finalized");
    // The two sessions read back, and the dump builds into itself.
    ok(d, &["read", "--virtual", "y.vdisc", "-o", "y.ccd", "-q"]);
    let toc: Value = serde_json::from_str(&ok(d, &["toc", "y.ccd", "--json"])).unwrap();
    assert_eq!(toc["sessions"].as_array().unwrap().len(), 2);
    ok(d, &["build", "y.ccd", "-o", "y2.ccd", "-q"]);
    for ext in ["ccd", "img", "sub"] {
        assert!(
            std::fs::read(d.join(format!("y2.{ext}"))).unwrap()
                == std::fs::read(d.join(format!("y.{ext}"))).unwrap(),
            "y2.{ext}"
        );
    }
}

#[test]
fn reading_recovers_from_every_transport_fault_or_names_it() {
    // Every Bulk-Only fault on the commands of a read: the TOC, the
    // CD-TEXT, the first and a later READ CD. The image comes out whole
    // and equal to the built one, or the read fails naming the drive, and
    // leaves no file behind.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    ok(d, &["vdisc", "create", "r.vdisc"]);
    ok(d, &["burn", "disc.json", "--virtual", "r.vdisc", "-q"]);
    ok(d, &["build", "disc.json", "-o", "built.cue", "-q"]);
    let built = std::fs::read(d.join("built.bin")).unwrap();
    // READ TOC: the ATIP (1), the inspection's full TOC (2) and CD-TEXT
    // (3), the read's full TOC (4) and CD-TEXT (5).
    let triggers = [
        ("READ TOC/PMA/ATIP", 2),
        ("READ TOC/PMA/ATIP", 3),
        ("READ TOC/PMA/ATIP", 4),
        ("READ TOC/PMA/ATIP", 5),
        ("READ CD", 1),
        ("READ CD", 30),
    ];
    for fault in COMMAND_FAULTS {
        for (command, nth) in triggers {
            let label = format!("{fault} on {command} #{nth}");
            let plan = format!(
                r#"{{ "faults": [ {{ "command": "{command}", "nth": {nth}, "fault": {fault} }} ] }}"#
            );
            std::fs::write(d.join("plan.json"), plan).unwrap();
            let _ = std::fs::remove_file(d.join("back.cue"));
            let _ = std::fs::remove_file(d.join("back.bin"));
            let out = rawburn(
                d,
                &[
                    "read",
                    "--virtual",
                    "r.vdisc",
                    "--faults",
                    "plan.json",
                    "-o",
                    "back.cue",
                    "-q",
                ],
            );
            let err = String::from_utf8_lossy(&out.stderr);
            if fault == r#""disconnect""# {
                // The drive (6) or the read (9) failed, saying why.
                assert!(matches!(out.status.code(), Some(6 | 9)), "{label}: {err}");
                assert!(err.contains("the drive was disconnected"), "{label}: {err}");
                assert!(
                    !d.join("back.cue").exists() && !d.join("back.bin").exists(),
                    "{label}"
                );
                continue;
            }
            assert!(out.status.success(), "{label}: {err}");
            assert!(
                std::fs::read(d.join("back.bin")).unwrap() == built,
                "{label}"
            );
        }
    }
}

#[test]
fn read_and_blank_print_their_events_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    ok(d, &["vdisc", "create", "j.vdisc", "--media", "cd-rw"]);
    ok(d, &["burn", "disc.json", "--virtual", "j.vdisc", "-q"]);
    let out = rawburn(
        d,
        &[
            "read",
            "--virtual",
            "j.vdisc",
            "-o",
            "j.ccd",
            "--json",
            "-q",
        ],
    );
    assert!(out.status.success());
    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sectors = std::fs::metadata(d.join("j.img")).unwrap().len() / 2352;
    assert!(
        events
            .iter()
            .all(|e| e["schema"] == 2 && e["operation"] == "read")
    );
    assert_eq!(events[0]["action"], "starting");
    let last = events.last().unwrap();
    assert_eq!(last["action"], "done");
    assert_eq!(last["sectorsRead"], sectors);
    assert_eq!(last["sectorsTotal"], sectors);
    assert_eq!(last["fraction"], 1.0);
    assert_eq!(last["retries"], 0);

    let out = rawburn(d, &["blank", "--virtual", "j.vdisc", "--json", "-q"]);
    assert!(out.status.success());
    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().all(|e| e["operation"] == "blank"));
    let fractions: Vec<f64> = events
        .iter()
        .filter_map(|e| e["fraction"].as_f64())
        .collect();
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert_eq!(events.last().unwrap()["action"], "done");
    assert_eq!(events.last().unwrap()["fraction"], 1.0);
    assert!(media_json(d, "j.vdisc")["status"] == "blank");
}
