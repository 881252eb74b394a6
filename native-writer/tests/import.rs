//! `rawburn build` and `rawburn toc` reading the images `rawburn build`
//! writes: a disc built as a cdrdao toc file or a CloneCD image and read
//! back builds every format (cue/bin, toc/bin, ccd/img/sub, raw) byte for
//! byte as the original did. Discs: mixed mode with ISRC, MCN,
//! pre-emphasis and indexes; Mode 2 XA; hidden track-one audio; CD-TEXT;
//! CD+G. And a toc file written by hand in cdrdao's syntax, laid out as
//! cdrdao lays it out.
//!
//! The tools are installed by `scripts/test.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// An ISO 9660 image from xorriso.
fn make_iso(dir: &Path, name: &str, kib: usize) {
    let root = dir.join(format!("{name}-root"));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("README.TXT"), b"rawburn import test\n").unwrap();
    std::fs::write(root.join("DATA.BIN"), noise(kib * 1024, 99)).unwrap();
    tool(
        dir,
        "xorriso",
        &[
            "-as",
            "mkisofs",
            "-quiet",
            "-V",
            "RAWBURN",
            "-o",
            name,
            root.to_str().unwrap(),
        ],
    );
}

const FORMATS: [&str; 4] = ["cue", "toc", "ccd", "raw"];

/// Builds `input` in every format under `out/` (one directory per format);
/// returns the sha256 of every file written.
fn build_all(dir: &Path, input: &str, out: &str) -> BTreeMap<String, String> {
    let mut sums = BTreeMap::new();
    for f in FORMATS {
        let sub = dir.join(out).join(f);
        std::fs::create_dir_all(&sub).unwrap();
        let output = format!("{out}/{f}/x.{f}");
        ok(dir, &["build", input, "-o", &output, "-q"]);
        for entry in std::fs::read_dir(&sub).unwrap() {
            let path = entry.unwrap().path();
            let digest = Sha256::digest(std::fs::read(&path).unwrap());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            sums.insert(format!("{f}/{name}"), hex);
        }
    }
    sums
}

/// Builds `input` in every format, then builds again from the toc file and
/// from the CloneCD image it wrote: every file must be identical.
fn check_roundtrip(dir: &Path, input: &str) {
    let original = build_all(dir, input, "a");
    assert_eq!(
        original.len(),
        8 + usize::from(original.contains_key("cue/x.cdt"))
    );
    for (reader, path) in [("toc", "a/toc/x.toc"), ("ccd", "a/ccd/x.ccd")] {
        let again = build_all(dir, path, reader);
        let differ: Vec<&String> = original
            .iter()
            .filter(|(k, v)| again.get(*k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        assert!(
            differ.is_empty(),
            "{input} read back from its {reader} image: {differ:?} differ"
        );
        // The layout too: tracks, gaps and index points where they were.
        let a: Value = serde_json::from_str(&ok(dir, &["toc", input, "--json"])).unwrap();
        let b: Value = serde_json::from_str(&ok(dir, &["toc", path, "--json"])).unwrap();
        assert_eq!(a["toc"], b["toc"], "{reader}: the TOC");
        assert_eq!(a["fullToc"], b["fullToc"], "{reader}: the full TOC");
        for (ta, tb) in a["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["tracks"].as_array().unwrap())
        {
            for key in [
                "pregapStart",
                "start",
                "indexes",
                "length",
                "isrc",
                "control",
                "copy",
            ] {
                assert_eq!(ta[key], tb[key], "{reader}: track {} {key}", ta["number"]);
            }
        }
    }
}

#[test]
fn mixed_mode_disc_reads_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_iso(dir, "data.iso", 900);
    write_wav(&dir.join("one.wav"), 1500, 1);
    write_wav(&dir.join("two.wav"), 1200, 2);
    std::fs::write(
        dir.join("disc.cue"),
        "CATALOG 0036000291452\n\
         FILE \"data.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n    POSTGAP 00:02:00\n\
         FILE \"one.wav\" WAVE\n  TRACK 02 AUDIO\n    FLAGS DCP PRE\n    ISRC USRC17607839\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n    INDEX 02 00:05:00\n    INDEX 03 00:12:00\n\
         FILE \"two.wav\" WAVE\n  TRACK 03 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:03:00\n",
    )
    .unwrap();
    check_roundtrip(dir, "disc.cue");
}

#[test]
fn mode2_xa_disc_reads_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_iso(dir, "xa.iso", 700);
    write_wav(&dir.join("a.wav"), 800, 5);
    let sectors = std::fs::metadata(dir.join("xa.iso")).unwrap().len() / 2048;
    std::fs::write(
        dir.join("disc.json"),
        format!(
            r#"{{
  "sources": [{{ "path": "xa.iso" }}, {{ "path": "a.wav", "format": "audio" }}],
  "tracks": [
    {{ "sectorType": "mode2Form1", "data": {{ "source": 0, "sectors": {sectors} }} }},
    {{ "sectorType": "audio", "data": {{ "source": 1, "sectors": 800 }} }}
  ]
}}"#
        ),
    )
    .unwrap();
    check_roundtrip(dir, "disc.json");
}

#[test]
fn hidden_track_one_audio_reads_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_wav(&dir.join("all.wav"), 2000, 7);
    std::fs::write(
        dir.join("disc.cue"),
        "FILE \"all.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:10:00\n  TRACK 02 AUDIO\n    INDEX 01 00:20:00\n",
    )
    .unwrap();
    check_roundtrip(dir, "disc.cue");
}

#[test]
fn cd_text_disc_reads_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_wav(&dir.join("a.wav"), 600, 8);
    write_wav(&dir.join("b.wav"), 450, 9);
    std::fs::write(
        dir.join("d.cue"),
        "REM GENRE Jazz\nREM COMPOSER \"Miles Composer\"\nREM DISCID \"XY12345\"\nPERFORMER \"The Quartet\"\nTITLE \"Caf\u{e9} Sessions\"\nFILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"Blue Room\"\n    PERFORMER \"The Quartet\"\n    INDEX 01 00:00:00\nFILE \"b.wav\" WAVE\n  TRACK 02 AUDIO\n    TITLE \"Green Street\"\n    PERFORMER \"The Quartet\"\n    SONGWRITER \"Ann Writer\"\n    REM MESSAGE \"Live take\"\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    check_roundtrip(dir, "d.cue");
}

#[test]
fn cd_graphics_disc_reads_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pcm = noise(600 * 2352, 10);
    let rw = noise(600 * 96, 11);
    let mut bin = Vec::new();
    for k in 0..600 {
        bin.extend_from_slice(&pcm[k * 2352..(k + 1) * 2352]);
        bin.extend(rw[k * 96..(k + 1) * 96].iter().map(|b| b & 0x3f));
    }
    std::fs::write(dir.join("k.bin"), bin).unwrap();
    write_wav(&dir.join("a.wav"), 400, 12);
    std::fs::write(
        dir.join("disc.cue"),
        "FILE \"k.bin\" BINARY\n  TRACK 01 CDG\n    INDEX 01 00:00:00\nFILE \"a.wav\" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    check_roundtrip(dir, "disc.cue");
    // cdrdao reads the audio of the CD+G track from the toc's BIN in the
    // right byte order (big-endian, as it reads every DATAFILE).
    let shown = tool(dir, "cdrdao", &["show-data", "a/toc/x.toc"]);
    let first: Vec<i64> = shown
        .lines()
        .find(|l| l.trim_start().starts_with("0:"))
        .unwrap()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let left = i16::from_le_bytes([pcm[0], pcm[1]]) as i64;
    let right = i16::from_le_bytes([pcm[2], pcm[3]]) as i64;
    assert_eq!(first, vec![left, right], "{shown}");
}

/// A toc file as cdrdao users write them: raw big-endian audio with byte
/// offsets and sample counts, silence, PREGAP, START, INDEX.
const HAND_WRITTEN: &str = r#"// written by hand
CD_DA
CATALOG "0036000291452"

TRACK AUDIO
ISRC "USRC17607839"
AUDIOFILE "a.cdr" #1000 0 00:10:00
FILE "a.cdr" #1000 441000
INDEX 00:05:00

TRACK AUDIO
COPY
PREGAP 00:02:00
FILE "b.cdr" 0 1764000

TRACK AUDIO
PRE_EMPHASIS
FILE "b.cdr" 00:40:00 00:04:00
START 00:01:00
FILE "b.cdr" 00:44:00 00:10:00
SILENCE 00:01:00
INDEX 00:03:00
"#;

#[test]
fn hand_written_cdrdao_toc_lays_out_as_cdrdao_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // a.cdr: a 1000-byte header, then 20 s of big-endian audio; b.cdr: 60 s.
    let mut a = vec![0x11; 1000];
    a.extend(noise(1500 * 2352, 20));
    std::fs::write(dir.join("a.cdr"), a).unwrap();
    std::fs::write(dir.join("b.cdr"), noise(4500 * 2352, 21)).unwrap();
    std::fs::write(dir.join("disc.toc"), HAND_WRITTEN).unwrap();

    let json: Value = serde_json::from_str(&ok(dir, &["toc", "disc.toc", "--json"])).unwrap();
    let tracks = json["tracks"].as_array().unwrap();
    let lba = |v: &Value| v["lba"].as_i64().unwrap();
    let rows: Vec<(i64, i64, i64)> = tracks
        .iter()
        .map(|t| {
            let start = lba(&t["start"]);
            (
                lba(&t["pregapStart"]),
                start,
                start + t["length"].as_i64().unwrap(),
            )
        })
        .collect();
    // Track 1: 20 s from LBA 0 (two statements, one stretch of a.cdr);
    // track 2: 2 s of silence, then 1764000 samples (40 s) of b.cdr;
    // track 3: b.cdr from 40 s, its first second the pregap, 13 s more,
    // then 1 s of silence.
    assert_eq!(
        rows,
        vec![(-150, 0, 1500), (1500, 1650, 4650), (4650, 4725, 5775)]
    );
    assert_eq!(lba(&tracks[0]["indexes"][1]), 375);
    assert_eq!(lba(&tracks[2]["indexes"][1]), 4725 + 225);
    assert_eq!(json["leadout"]["lba"], 5775);
    assert_eq!(tracks[0]["isrc"], "USRC17607839");
    assert_eq!(json["mcn"], "0036000291452");

    // cdrdao sees the same layout.
    let shown = tool(dir, "cdrdao", &["show-toc", "disc.toc"]);
    for (n, (_, start, end)) in rows.iter().enumerate() {
        let want = format!(
            "START  {:02}:{:02}:{:02}(",
            start / 4500,
            start / 75 % 60,
            start % 75
        );
        let track = shown
            .split("TRACK")
            .nth(n + 1)
            .unwrap_or_else(|| panic!("track {} in:\n{shown}", n + 1));
        assert!(
            track.contains(&format!("({start:>6})")) || track.contains(&want),
            "track {} start {start}:\n{shown}",
            n + 1
        );
        assert!(
            track.contains(&format!("({end:>6})")),
            "track {} end {end}:\n{shown}",
            n + 1
        );
    }

    // The audio is read big-endian: the built BIN holds it little-endian.
    ok(dir, &["build", "disc.toc", "-o", "out.cue", "-q"]);
    let bin = std::fs::read(dir.join("out.bin")).unwrap();
    let a = std::fs::read(dir.join("a.cdr")).unwrap();
    assert_eq!(bin[..4], [a[1001], a[1000], a[1003], a[1002]]);
}

#[test]
fn bad_image_descriptions_name_the_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("bad.toc"),
        "CD_DA\nTRACK AUDIO\nFILE \"a.cdr\" 0 $\n",
    )
    .unwrap();
    assert_eq!(
        fails(dir, &["build", "bad.toc", "-o", "x.cue"], 3),
        "error: bad.toc is not a valid toc file\n  caused by: line 3, column 16: unexpected character '$'\n"
    );
    std::fs::write(
        dir.join("bad.ccd"),
        "[CloneCD]\nVersion=3\n[Disc]\nSessions=2\n",
    )
    .unwrap();
    assert_eq!(
        fails(dir, &["toc", "bad.ccd"], 3),
        "error: bad.ccd cannot be laid out\n  caused by: line 4, column 10: the image has 2 sessions; read it as a disc of several sessions\n"
    );
    std::fs::write(dir.join("gone.toc"), "TRACK MODE1\nDATAFILE \"gone.iso\"\n").unwrap();
    let err = fails(dir, &["toc", "gone.toc"], 3);
    // The place, then the read that failed on a line of its own.
    assert!(
        err.starts_with(
            "error: gone.toc cannot be laid out\n  caused by: line 2, column 1: gone.iso\n  caused by: gone.iso: "
        ),
        "{err}"
    );
    assert_eq!(err.matches("caused by:").count(), 2, "{err}");
}
