//! Files named by sheets, found as players and rippers find them: Windows
//! separators, another case, audio transcoded to another format since the
//! sheet was written; each with a warning naming the file used, refused
//! when several files fit, and an error under `--strict`.
//!
//! The `flac` tool is installed by `scripts/setup.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::path::Path;

/// The `warning: ` lines of `rawburn build`'s stderr.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .collect()
}

/// Builds `sheet` as `out.cue`/`out.bin`; returns the warnings and the BIN.
fn build(dir: &Path, sheet: &str) -> (Vec<String>, Vec<u8>) {
    let out = rawburn(dir, &["build", sheet, "-o", "out.cue", "-q"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let bin = std::fs::read(dir.join("out.bin")).unwrap();
    (
        warnings(&stderr).into_iter().map(String::from).collect(),
        bin,
    )
}

#[test]
fn windows_separators_and_another_case_find_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir(d.join("Album")).unwrap();
    let pcm = write_wav(&d.join("Album/track 01.WAV"), 300, 1);
    std::fs::write(
        d.join("disc.cue"),
        "FILE \"Album\\Track 01.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let (warned, bin) = build(d, "disc.cue");
    assert_eq!(
        warned,
        [
            "disc.cue: no file is named \"Album\\Track 01.wav\"; using \"Album/track 01.WAV\" (Windows separators, another case)"
        ]
    );
    assert_eq!(bin, pcm);

    // The project written from the sheet names the file used, exactly.
    ok(d, &["build", "disc.cue", "-o", "p.json", "-q"]);
    let project = std::fs::read_to_string(d.join("p.json")).unwrap();
    assert!(project.contains("\"Album/track 01.WAV\""), "{project}");
    let out = rawburn(d, &["build", "p.json", "-o", "again.cue", "-q"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    assert_eq!(std::fs::read(d.join("again.bin")).unwrap(), pcm);

    // --strict makes the warning an error.
    let err = fails(d, &["--strict", "toc", "disc.cue"], 4);
    assert_eq!(
        err,
        "error: disc.cue departs from a rule and --strict is given\n  caused by: disc.cue: no file is named \"Album\\Track 01.wav\"; using \"Album/track 01.WAV\" (Windows separators, another case)\n"
    );
}

#[test]
fn a_wav_named_by_the_sheet_is_found_as_its_flac() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let pcm = write_wav(&d.join("a.wav"), 450, 2);
    tool(d, "flac", &["--silent", "-f", "-o", "a.flac", "a.wav"]);
    std::fs::remove_file(d.join("a.wav")).unwrap();
    std::fs::write(
        d.join("disc.cue"),
        "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let (warned, bin) = build(d, "disc.cue");
    assert_eq!(
        warned,
        ["disc.cue: no file is named \"a.wav\"; using \"a.flac\" (another audio extension)"]
    );
    assert_eq!(bin.len(), pcm.len());
    assert!(bin == pcm, "the FLAC's audio differs from the WAV's PCM");

    // The exact name wins when it is there: no warning.
    write_wav(&d.join("a.wav"), 300, 3);
    let (warned, bin) = build(d, "disc.cue");
    assert!(warned.is_empty(), "{warned:?}");
    assert_eq!(bin.len(), 300 * 2352);
}

#[test]
fn data_files_keep_their_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("DATA.ISO"), noise(2048 * 300, 4)).unwrap();
    std::fs::write(d.join("data.flac"), b"not this").unwrap();
    std::fs::write(
        d.join("disc.cue"),
        "FILE \"data.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\nFILE \"data.bin\" BINARY\n  TRACK 02 MODE1/2048\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = fails(d, &["toc", "disc.cue"], 3);
    assert!(
        err.starts_with("error: disc.cue cannot be laid out\n  caused by: line 4, column 6: data.bin: data.bin: No such file or directory"),
        "{err}"
    );
}

#[test]
fn several_files_that_fit_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("Track01.wav"), 300, 5);
    write_wav(&d.join("TRACK01.WAV"), 300, 6);
    std::fs::write(
        d.join("case.cue"),
        "FILE \"track01.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    assert_eq!(
        fails(d, &["toc", "case.cue"], 3),
        "error: case.cue cannot be laid out\n  caused by: line 1, column 6: track01.wav: no file is named \"track01.wav\" and several fit it (TRACK01.WAV, Track01.wav); rename the one meant in the sheet\n"
    );

    write_wav(&d.join("b.wav"), 300, 7);
    tool(d, "flac", &["--silent", "-f", "-o", "b.flac", "b.wav"]);
    std::fs::rename(d.join("b.wav"), d.join("b.aiff")).unwrap();
    std::fs::write(
        d.join("ext.cue"),
        "FILE \"b.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    assert_eq!(
        fails(d, &["toc", "ext.cue"], 3),
        "error: ext.cue cannot be laid out\n  caused by: line 1, column 6: b.wav: no file is named \"b.wav\" and several fit it (b.aiff, b.flac); rename the one meant in the sheet\n"
    );
}

#[test]
fn toc_and_clonecd_files_find_their_files_too() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let data = noise(2048 * 300, 8);
    std::fs::create_dir(d.join("Image")).unwrap();
    std::fs::write(d.join("Image/Data.ISO"), &data).unwrap();
    std::fs::write(
        d.join("disc.toc"),
        "CD_ROM\nTRACK MODE1\nDATAFILE \"image\\data.iso\"\n",
    )
    .unwrap();
    let (warned, bin) = build(d, "disc.toc");
    assert_eq!(
        warned,
        [
            "disc.toc: no file is named \"image\\data.iso\"; using \"Image/Data.ISO\" (Windows separators, another case)"
        ]
    );
    assert_eq!(bin.len(), 300 * 2352);

    // A CloneCD image whose files were renamed in upper case.
    std::fs::create_dir(d.join("ccd")).unwrap();
    ok(d, &["build", "disc.toc", "-o", "ccd/disc.ccd", "-q"]);
    std::fs::rename(d.join("ccd/disc.img"), d.join("ccd/DISC.IMG")).unwrap();
    std::fs::rename(d.join("ccd/disc.sub"), d.join("ccd/DISC.SUB")).unwrap();
    let (warned, again) = build(d, "ccd/disc.ccd");
    assert_eq!(
        warned,
        [
            "ccd/disc.ccd: no file is named \"disc.img\"; using \"DISC.IMG\" (another case)",
            "ccd/disc.ccd: no file is named \"disc.sub\"; using \"DISC.SUB\" (another case)"
        ]
    );
    assert_eq!(again, bin);
}
