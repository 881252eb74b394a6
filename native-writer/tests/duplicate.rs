//! `rawburn burn --virtual D1 --virtual D2 …`: one disc on several drives
//! at once, encoded once; each disc verified and read back as `rawburn
//! build` makes the image; a failing drive stops no other, and the exit
//! code names it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn blank(d: &Path, discs: &[&str]) {
    for disc in discs {
        ok(d, &["vdisc", "create", disc]);
    }
}

/// The disc read back as a CloneCD image, byte for byte what `rawburn
/// build` makes of the project.
fn reads_back_as_built(d: &Path, disc: &str) {
    let _ = std::fs::remove_dir_all(d.join("read"));
    std::fs::create_dir_all(d.join("read")).unwrap();
    if !d.join("built/x.img").exists() {
        std::fs::create_dir_all(d.join("built")).unwrap();
        ok(d, &["build", "disc.json", "-o", "built/x.ccd", "-q"]);
    }
    ok(d, &["read", "--virtual", disc, "-o", "read/x.ccd", "-q"]);
    for ext in ["ccd", "img", "sub"] {
        assert!(
            std::fs::read(d.join(format!("read/x.{ext}"))).unwrap()
                == std::fs::read(d.join(format!("built/x.{ext}"))).unwrap(),
            "{disc}: x.{ext} read back differs from the built one"
        );
    }
}

/// The count in "N of M drives burned (S sectors encoded once)".
fn encoded(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("sectors encoded once"))
        .unwrap_or_else(|| panic!("no summary line in {stderr}"));
    let n = line.split('(').nth(1).unwrap().split(' ').next().unwrap();
    n.parse().unwrap()
}

/// The sectors one drive's summary line says it burned.
fn burned(stderr: &str, disc: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("burned and verified:") && l.contains(&format!("({disc})")))
        .unwrap_or_else(|| panic!("no summary for {disc} in {stderr}"));
    line.split(' ').nth(3).unwrap().parse().unwrap()
}

#[test]
fn four_drives_get_four_identical_verified_discs_from_one_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    for mode in ["raw96r", "sao", "tao"] {
        let discs = ["d1.vdisc", "d2.vdisc", "d3.vdisc", "d4.vdisc"];
        for disc in discs {
            let _ = std::fs::remove_file(d.join(disc));
        }
        blank(d, &discs);
        // TAO carries no CD-TEXT or index points.
        let input = if mode == "tao" {
            "plain.json"
        } else {
            "disc.json"
        };
        let out = rawburn(
            d,
            &[
                "burn",
                input,
                "--virtual",
                discs[0],
                "--virtual",
                discs[1],
                "--virtual",
                discs[2],
                "--virtual",
                discs[3],
                "--mode",
                mode,
                "--verify",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{mode}: {err}");
        assert!(err.contains("4 of 4 drives burned"), "{mode}: {err}");
        // Encoded once: as many frames as one drive wrote, not four times.
        let each = burned(&err, discs[0]);
        for disc in discs {
            assert_eq!(burned(&err, disc), each, "{mode} {disc}");
        }
        if mode == "tao" {
            // In TAO the engine also takes the first track's 150-sector
            // pregap, which the drive writes itself: still once for all
            // four drives.
            assert_eq!(encoded(&err), each + 150, "{mode}: {err}");
        } else {
            assert_eq!(encoded(&err), each, "{mode}: {err}");
        }
        if mode == "tao" {
            // Each disc is the same as the others, byte for byte.
            let first = std::fs::read(d.join(discs[0])).unwrap();
            for disc in &discs[1..] {
                assert!(
                    std::fs::read(d.join(disc)).unwrap() == first,
                    "tao: {disc} differs from {}",
                    discs[0]
                );
            }
        } else {
            for disc in discs {
                reads_back_as_built(d, disc);
            }
        }
    }
}

#[test]
fn a_failing_drive_stops_no_other_and_the_exit_code_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    blank(d, &["d1.vdisc", "d2.vdisc", "d3.vdisc", "d4.vdisc"]);
    std::fs::write(
        d.join("bad.json"),
        r#"{ "faults": [ { "lba": 1000, "fault": "mediumError" } ] }"#,
    )
    .unwrap();
    let out = rawburn(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "d1.vdisc",
            "--virtual",
            "d2.vdisc",
            "--virtual",
            "d3.vdisc",
            "--virtual",
            "d4.vdisc",
            "--faults",
            "d3.vdisc=bad.json",
            "--mode",
            "sao",
            "--verify",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // 64 + 4: the third drive failed.
    assert_eq!(out.status.code(), Some(68), "{err}");
    assert!(
        err.contains(
            "d3.vdisc: error: the burn on the virtual drive (d3.vdisc) failed: the disc holds an \
             incomplete session: this CD-R cannot be used again"
        ),
        "{err}"
    );
    assert!(
        err.contains("caused by: writing: WRITE(10) failed: 3/0C/00 write error; the drive confirmed up to lba 9"),
        "{err}"
    );
    assert!(err.contains("3 of 4 drives burned"), "{err}");
    assert!(
        err.trim_end()
            .ends_with("error: 1 of 4 drives failed: d3.vdisc"),
        "{err}"
    );
    for disc in ["d1.vdisc", "d2.vdisc", "d4.vdisc"] {
        reads_back_as_built(d, disc);
    }
    let media = media_json(d, "d3.vdisc");
    assert_eq!(media["status"], "appendable", "{media}");

    // Two failures, the first and the last: 64 + 1 + 8. A drive that
    // cannot even be opened fails alone.
    blank(d, &["e1.vdisc", "e2.vdisc", "e3.vdisc"]);
    let out = rawburn(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "missing.vdisc",
            "--virtual",
            "e1.vdisc",
            "--virtual",
            "e2.vdisc",
            "--virtual",
            "e3.vdisc",
            "--faults",
            "e3.vdisc=bad.json",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(73));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (last, events) = lines.split_last().unwrap();
    for e in events {
        let drive = e["drive"].as_str().unwrap();
        assert!(["e1.vdisc", "e2.vdisc", "e3.vdisc"].contains(&drive), "{e}");
    }
    let done =
        |drive: &str| events.iter().rfind(|e| e["drive"] == drive).unwrap()["action"].clone();
    assert_eq!(done("e1.vdisc"), "done");
    assert_eq!(done("e2.vdisc"), "done");
    assert_eq!(done("e3.vdisc"), "failed");
    let drives = last["drives"].as_array().unwrap();
    let codes: Vec<(&str, u64)> = drives
        .iter()
        .map(|x| {
            (
                x["drive"].as_str().unwrap(),
                x["exitCode"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("missing.vdisc", 3),
            ("e1.vdisc", 0),
            ("e2.vdisc", 0),
            ("e3.vdisc", 7)
        ]
    );
    assert!(
        drives[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("error: cannot open the virtual disc missing.vdisc"),
        "{last}"
    );
    assert_eq!(drives[1]["message"], "");
}

#[test]
fn several_drives_are_refused_what_burns_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d);
    blank(d, &["d1.vdisc", "d2.vdisc"]);
    let err = fails(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "d1.vdisc",
            "--virtual",
            "d1.vdisc",
        ],
        2,
    );
    assert_eq!(
        err.trim_end(),
        "error: d1.vdisc is named twice: give each drive once"
    );
    std::fs::write(d.join("x.iso"), noise(300 * 2048, 3)).unwrap();
    let err = fails(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "d1.vdisc",
            "--virtual",
            "d2.vdisc",
            "--extra",
            "x.iso",
        ],
        2,
    );
    assert_eq!(
        err.trim_end(),
        "error: --extra burns two sessions, on one drive at a time: give one drive"
    );
    // Neither disc was touched.
    for disc in ["d1.vdisc", "d2.vdisc"] {
        assert_eq!(media_json(d, disc)["status"], "blank");
    }
}
