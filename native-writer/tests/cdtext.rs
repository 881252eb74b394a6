//! CD-TEXT through `rawburn`: from cue sheets, Sony input sheets and .cdt
//! files into every output that can hold it, checked by cdrdao's own toc
//! reader (`toc2cddb`) and read back from each output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A WAV of `sectors` sectors of constant samples.
fn wav(path: &Path, sectors: usize) {
    std::fs::write(path, wav_bytes(&vec![0x11u8; sectors * 2352])).unwrap();
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The CD-TEXT model of an input as `rawburn toc --json` reports it.
fn cdtext_of(dir: &Path, input: &str, extra: &[&str]) -> Value {
    let mut args = vec!["toc", input, "--json"];
    args.extend(extra);
    let json: Value = serde_json::from_str(&ok(dir, &args)).unwrap();
    json["cdtext"].clone()
}

const CUE: &str = "REM GENRE Jazz\nREM COMPOSER \"Miles Composer\"\nREM DISCID \"XY12345\"\nPERFORMER \"The Quartet\"\nTITLE \"Caf\u{e9} Sessions\"\nFILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"Blue Room\"\n    PERFORMER \"The Quartet\"\n    INDEX 01 00:00:00\nFILE \"b.wav\" WAVE\n  TRACK 02 AUDIO\n    TITLE \"Green Street\"\n    PERFORMER \"The Quartet\"\n    SONGWRITER \"Ann Writer\"\n    REM MESSAGE \"Live take\"\n    INDEX 01 00:00:00\n";

fn setup(dir: &Path) {
    wav(&dir.join("a.wav"), 600);
    wav(&dir.join("b.wav"), 450);
    std::fs::write(dir.join("d.cue"), CUE).unwrap();
}

#[test]
fn cue_cdtext_reaches_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    let original = cdtext_of(dir, "d.cue", &[]);
    let block = &original["blocks"][0];
    assert_eq!(block["disc"]["title"], "Caf\u{e9} Sessions");
    assert_eq!(block["disc"]["composer"], "Miles Composer");
    assert_eq!(block["genre"]["code"], 14);
    assert_eq!(block["tracks"][1]["message"], "Live take");
    assert_eq!(block["language"], 9);

    // toc: cdrdao parses it, and its toc2cddb reads the CD-TEXT.
    ok(dir, &["build", "d.cue", "-o", "t.toc", "-q"]);
    let out = Command::new("cdrdao")
        .args(["show-toc", "t.toc"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("toc2cddb")
        .arg("t.toc")
        .current_dir(dir)
        .output()
        .unwrap();
    let cddb = String::from_utf8_lossy(&out.stdout).into_owned();
    let bytes = out.stdout;
    assert!(
        contains(&bytes, b"DTITLE=The Quartet / Caf\xe9 Sessions\n"),
        "toc2cddb:\n{cddb}"
    );
    assert!(cddb.contains("TTITLE0=Blue Room\n"), "{cddb}");
    assert!(cddb.contains("TTITLE1=Green Street\n"), "{cddb}");

    // cue + cdt: read back through CDTEXTFILE.
    ok(dir, &["build", "d.cue", "-o", "c.cue", "-q"]);
    let cue = std::fs::read_to_string(dir.join("c.cue")).unwrap();
    assert!(cue.contains("CDTEXTFILE \"c.cdt\""), "{cue}");
    assert!(cue.contains("    TITLE \"Green Street\""), "{cue}");
    assert_eq!(cdtext_of(dir, "c.cue", &[]), original);
    assert_eq!(cdtext_of(dir, "d.cue", &["--cdtext", "c.cdt"]), original);

    // Raw image: the lead-in R-W decodes to the same texts.
    ok(dir, &["build", "d.cue", "-o", "r.raw", "-q"]);
    let from_raw = ok(dir, &["cdtext", "r.raw"]);
    let from_cue = ok(dir, &["cdtext", "d.cue"]);
    let texts = |s: &str| s[s.find("cd-text block 0").unwrap()..].to_string();
    assert_eq!(texts(&from_raw), texts(&from_cue));
    assert!(from_raw.contains("0 with a bad crc"));

    // CloneCD: one [CDText] entry per pack.
    ok(dir, &["build", "d.cue", "-o", "k.ccd", "-q"]);
    let ccd = std::fs::read_to_string(dir.join("k.ccd")).unwrap();
    let cdt = std::fs::read(dir.join("c.cdt")).unwrap();
    let packs = (cdt.len() - 4) / 18;
    assert!(
        ccd.contains(&format!("[CDText]\nEntries={packs}\n")),
        "{ccd}"
    );
    assert!(ccd.contains(&format!("CDTextLength={}\n", packs * 18)));

    // Project JSON keeps it.
    ok(dir, &["build", "d.cue", "-o", "p.json", "-q"]);
    assert_eq!(cdtext_of(dir, "p.json", &[]), original);
}

#[test]
fn sony_input_sheets_in_and_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    ok(
        dir,
        &[
            "cdtext",
            "d.cue",
            "--sheet",
            "sheet.txt",
            "--cdt",
            "out.cdt",
        ],
    );
    let sheet = std::fs::read(dir.join("sheet.txt")).unwrap();
    assert!(
        contains(&sheet, b"Album Title         = Caf\xe9 Sessions\n"),
        "the sheet is ISO-8859-1"
    );
    // A plain cue takes its CD-TEXT from the sheet.
    std::fs::write(
        dir.join("plain.cue"),
        "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE \"b.wav\" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    assert_eq!(
        cdtext_of(dir, "plain.cue", &["--cdtext", "sheet.txt"]),
        cdtext_of(dir, "d.cue", &[])
    );
    // Two sheets: two blocks.
    let two = cdtext_of(
        dir,
        "plain.cue",
        &["--cdtext", "sheet.txt", "--cdtext", "sheet.txt"],
    );
    assert_eq!(two["blocks"].as_array().unwrap().len(), 2);
    let dump = ok(dir, &["cdtext", "out.cdt"]);
    assert!(dump.contains("title      Green Street"), "{dump}");
}

#[test]
fn text_a_disc_cannot_hold_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    std::fs::write(
        dir.join("bad.cue"),
        CUE.replace("Blue Room", "Blue \u{1f3b7} Room"),
    )
    .unwrap();
    let err = fails(dir, &["build", "bad.cue", "-o", "x.cue"], 4);
    assert!(
        err.contains(
            "cd-text block 0 track 1 title: '\u{1f3b7}' (U+1F3B7) cannot be written in iso-8859-1"
        ),
        "{err}"
    );
    assert!(!dir.join("x.cue").exists());
}
