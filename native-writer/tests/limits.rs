//! Projects with values no disc holds: `rawburn build` and `rawburn toc`
//! refuse them as a broken layout rule (exit 4) naming the field and the
//! track, and leave no file behind. Lists longer than a disc holds are
//! refused while the project is read (exit 3), naming the list.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;

/// The names of the files in `dir`.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// A project of two 300-sector audio tracks read from `a.bin`, with
/// `first` and `second` added to each track's JSON and `disc` to the
/// project's.
fn project(first: &str, second: &str, disc: &str) -> String {
    format!(
        r#"{{
  "sources": [{{ "path": "a.bin" }}],
  "tracks": [
    {{ "sectorType": "audio", "data": {{ "source": 0, "sectors": 300 }}{first} }},
    {{ "sectorType": "audio", "data": {{ "source": 0, "sectors": 300 }}{second} }}
  ]{disc}
}}"#
    )
}

/// Runs `build` to every image format and `toc` on `json`: each must exit
/// with `code`, print `cause` as the cause, and write nothing.
fn refused(json: &str, code: i32, headline: &str, cause: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.bin"), noise(600 * 2352, 1)).unwrap();
    std::fs::write(dir.path().join("p.json"), json).unwrap();
    let before = listing(dir.path());
    let expected = format!("error: p.json {headline}\n  caused by: {cause}\n");
    for out in ["out.cue", "out.toc", "out.ccd", "out.raw", "out.json"] {
        let stderr = fails(dir.path(), &["build", "p.json", "-o", out], code);
        assert_eq!(stderr, expected, "build -o {out}");
        assert_eq!(listing(dir.path()), before, "build -o {out} left a file");
    }
    for args in [&["toc", "p.json"][..], &["toc", "p.json", "--json"]] {
        assert_eq!(fails(dir.path(), args, code), expected, "{args:?}");
    }
    assert_eq!(listing(dir.path()), before);
}

const LAYOUT: &str = "describes a disc that cannot be made";

#[test]
fn a_pregap_no_disc_holds() {
    refused(
        &project("", r#", "pregap": { "generated": 4294967295 }"#, ""),
        4,
        LAYOUT,
        "track 2: pregap of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294967895; on the largest disc it is at lba 443100, 98:30:00)",
    );
    refused(
        &project(
            "",
            r#", "pregap": { "source": { "source": 0, "sectors": 2147483648 } }"#,
            "",
        ),
        4,
        LAYOUT,
        "track 2: pregap data of 2147483648 sectors does not fit on a disc (the lead-out would be at lba 2147484248; on the largest disc it is at lba 443100, 98:30:00)",
    );
}

#[test]
fn a_length_or_postgap_no_disc_holds() {
    refused(
        &project(r#", "postgap": 4294967295"#, "", ""),
        4,
        LAYOUT,
        "track 1: postgap of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294968045; on the largest disc it is at lba 443100, 98:30:00)",
    );
    let long = project("", "", "").replacen("\"sectors\": 300", "\"sectors\": 2147483648", 2);
    refused(
        &long,
        4,
        LAYOUT,
        "track 1: data of 2147483648 sectors does not fit on a disc (the lead-out would be at lba 4294967446; on the largest disc it is at lba 443100, 98:30:00)",
    );
}

#[test]
fn hidden_audio_an_index_or_a_lead_out_limit_no_disc_holds() {
    refused(
        &project(
            "",
            "",
            r#", "specialPregap": { "source": 0, "sectors": 4294967295 }"#,
        ),
        4,
        LAYOUT,
        "hidden track-one audio of 4294967295 sectors does not fit on a disc (the lead-out would be at lba 4294967895; on the largest disc it is at lba 443100, 98:30:00)",
    );
    refused(
        &project("", r#", "indexes": [4294967295]"#, ""),
        4,
        LAYOUT,
        "track 2: index offsets [4294967295] must increase and lie within the track's 300 sectors",
    );
    refused(
        &project("", "", r#", "leadoutLimit": { "lba": 2147483647 }"#),
        4,
        LAYOUT,
        "a lead-out limit of lba 2147483647 does not fit on a disc; the largest disc ends at lba 449849 (99:59:74)",
    );
}

#[test]
fn source_data_past_the_largest_file() {
    refused(
        &project("", "", "").replacen(
            r#""data": { "source": 0, "sectors": 300 }"#,
            r#""data": { "source": 0, "offset": 18446744073709551615, "sectors": 300 }"#,
            1,
        ),
        4,
        LAYOUT,
        "track 1: data from byte 18446744073709551615 of its source (300 sectors, up to byte 18446744073710257215) does not fit in a file; no file reaches past byte 9223372036854775807",
    );
}

#[test]
fn lists_longer_than_a_disc_holds_are_refused_while_reading() {
    let track = r#"{ "sectorType": "audio", "data": { "source": 0, "sectors": 300 } }"#;
    let tracks = vec![track; 100].join(",\n");
    let json =
        format!("{{ \"sources\": [{{ \"path\": \"a.bin\" }}],\n\"tracks\": [\n{tracks}\n] }}");
    refused(
        &json,
        3,
        "is not a valid project",
        "tracks: more than 99; a disc holds at most 99 tracks at line 103 column 1",
    );
}

#[test]
fn a_toc_file_with_a_pregap_no_disc_holds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.cdr"), noise(300 * 2352, 2)).unwrap();
    std::fs::write(
        dir.path().join("d.toc"),
        "CD_DA\nTRACK AUDIO\nFILE \"a.cdr\" 0\nTRACK AUDIO\nPREGAP 900:00:00\nFILE \"a.cdr\" 0\n",
    )
    .unwrap();
    let before = listing(dir.path());
    let stderr = fails(dir.path(), &["build", "d.toc", "-o", "out.ccd"], 4);
    assert_eq!(
        stderr,
        "error: d.toc describes a disc that cannot be made\n  caused by: track 2: pregap of 4050000 sectors does not fit on a disc (the lead-out would be at lba 4050600; on the largest disc it is at lba 443100, 98:30:00)\n"
    );
    assert_eq!(listing(dir.path()), before);
}
