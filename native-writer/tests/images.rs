//! `rawburn build` and `rawburn toc` checked by independent tools from
//! Debian: libcdio's `cd-info` must list the tracks, types and start LBAs
//! of our plan; `bchunk` must extract the original ISO and audio byte for
//! byte; `chdman createcd` must accept our `.cue` and `.toc` and `chdman
//! verify` pass; `cdrdao show-toc` must read our `.toc` with the same
//! layout. Discs: mixed mode with ISRC, MCN, pre-emphasis and several
//! indexes; Mode 2 XA; hidden track-one audio; FLAC sources.
//!
//! The tools are installed by `scripts/test.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// An ISO 9660 image from xorriso with a few files; returns its bytes.
fn make_iso(dir: &Path, name: &str, kib: usize) -> Vec<u8> {
    let root = dir.join(format!("{name}-root"));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("README.TXT"), b"rawburn image test\n").unwrap();
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
    std::fs::read(dir.join(name)).unwrap()
}

/// A track row of the plan: number, start LBA, is audio, pregap start LBA.
type PlanTrack = (u64, i64, bool, i64);

/// Track rows, lead-out and the whole JSON of `rawburn toc --json`.
fn plan_tracks(dir: &Path, input: &str) -> (Vec<PlanTrack>, i64, Value) {
    let json: Value = serde_json::from_str(&ok(dir, &["toc", input, "--json"])).unwrap();
    let tracks = json["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["number"].as_u64().unwrap(),
                t["start"]["lba"].as_i64().unwrap(),
                t["sectorType"] == "audio",
                t["pregapStart"]["lba"].as_i64().unwrap(),
            )
        })
        .collect();
    let leadout = json["leadout"]["lba"].as_i64().unwrap();
    (tracks, leadout, json)
}

/// cd-info's track list: (number, lsn, type word).
fn cd_info_tracks(dir: &Path, cue: &str) -> (Vec<(u64, i64, String)>, i64, String) {
    let text = tool(
        dir,
        "cd-info",
        &[
            "--no-header",
            "--no-device-info",
            &format!("--cue-file={cue}"),
        ],
    );
    let mut tracks = Vec::new();
    let mut leadout = -1;
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() >= 4 && parts[0].ends_with(':') {
            let Ok(n) = parts[0].trim_end_matches(':').parse::<u64>() else {
                continue;
            };
            let Ok(lsn) = parts[2].parse::<i64>() else {
                continue;
            };
            if n == 170 {
                leadout = lsn;
            } else {
                tracks.push((n, lsn, parts[3].to_string()));
            }
        }
    }
    (tracks, leadout, text)
}

/// cdrdao show-toc: per track (number, pregap, start, end) and index lines.
fn cdrdao_tracks(dir: &Path, toc: &str) -> (Vec<(u64, i64, i64, i64)>, String) {
    let text = tool(dir, "cdrdao", &["show-toc", toc]);
    let lba = |s: &str| -> i64 {
        let open = s.find('(').unwrap();
        s[open + 1..s.find(')').unwrap()].trim().parse().unwrap()
    };
    let mut out = Vec::new();
    let mut cur: Option<(u64, i64, i64, i64)> = None;
    for line in text.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("TRACK") {
            if let Some(t) = cur.take() {
                out.push(t);
            }
            let n = rest.split_whitespace().next().unwrap().parse().unwrap();
            cur = Some((n, 0, 0, 0));
        } else if let Some(t) = cur.as_mut() {
            if l.starts_with("PREGAP") {
                t.1 = lba(l);
            } else if l.starts_with("START") {
                t.2 = lba(l);
            } else if l.starts_with("END") {
                t.3 = lba(l);
            }
        }
    }
    out.extend(cur);
    (out, text)
}

/// The checks every disc gets: cd-info and cdrdao agree with the plan,
/// chdman accepts and verifies both descriptions.
fn check_readers(dir: &Path, input: &str) -> (Vec<PlanTrack>, i64) {
    let (plan, leadout, _) = plan_tracks(dir, input);
    ok(dir, &["build", input, "-o", "out.cue", "-q"]);
    ok(dir, &["build", input, "-o", "out.toc", "-q"]);

    let (info, info_leadout, text) = cd_info_tracks(dir, "out.cue");
    let got: Vec<(u64, i64, bool)> = info
        .iter()
        .map(|(n, lsn, ty)| (*n, *lsn, ty == "audio"))
        .collect();
    let want: Vec<(u64, i64, bool)> = plan.iter().map(|(n, l, a, _)| (*n, *l, *a)).collect();
    assert_eq!(got, want, "cd-info disagrees with the plan:\n{text}");
    assert_eq!(info_leadout, leadout, "cd-info lead-out:\n{text}");

    let (toc, text) = cdrdao_tracks(dir, "out.toc");
    for (k, (n, start, _, pregap_start)) in plan.iter().enumerate() {
        let (tn, pregap, tstart, tend) = toc[k];
        assert_eq!(tn, *n, "cdrdao track number:\n{text}");
        assert_eq!(tstart, *start, "cdrdao track {n} start:\n{text}");
        let next = plan.get(k + 1).map_or(leadout, |t| t.3);
        assert_eq!(tend, next, "cdrdao track {n} end:\n{text}");
        if k > 0 {
            assert_eq!(
                pregap,
                start - pregap_start,
                "cdrdao track {n} pregap:\n{text}"
            );
        }
    }

    for desc in ["out.cue", "out.toc"] {
        let chd = format!("{desc}.chd");
        tool(dir, "chdman", &["createcd", "-f", "-i", desc, "-o", &chd]);
        let v = tool(dir, "chdman", &["verify", "-i", &chd]);
        assert!(v.contains("verification successful"), "{v}");
    }
    (plan, leadout)
}

#[test]
fn mixed_mode_disc_with_isrc_mcn_emphasis_and_indexes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let iso = make_iso(dir, "data.iso", 900);
    let pcm1 = write_wav(&dir.join("one.wav"), 1500, 1);
    let pcm2 = write_wav(&dir.join("two.wav"), 1200, 2);
    std::fs::write(
        dir.join("disc.cue"),
        "CATALOG 0036000291452\n\
         FILE \"data.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n    POSTGAP 00:02:00\n\
         FILE \"one.wav\" WAVE\n  TRACK 02 AUDIO\n    FLAGS DCP PRE\n    ISRC USRC17607839\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n    INDEX 02 00:05:00\n    INDEX 03 00:12:00\n\
         FILE \"two.wav\" WAVE\n  TRACK 03 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:03:00\n",
    )
    .unwrap();
    let (plan, leadout) = check_readers(dir, "disc.cue");
    let iso_sectors = iso.len() as i64 / 2048;
    assert_eq!(
        plan[1].1,
        iso_sectors + 150 + 150,
        "postgap + pregap before track 2"
    );
    assert_eq!(leadout, plan[2].1 + 1200 - 225);

    // bchunk: the ISO (then the data track's 150-sector postgap, zero),
    // and the audio exactly.
    tool(dir, "bchunk", &["-w", "out.bin", "out.cue", "x"]);
    let x1 = std::fs::read(dir.join("x01.iso")).unwrap();
    assert_eq!(x1.len(), iso.len() + 150 * 2048);
    assert!(x1[..iso.len()] == iso[..], "bchunk's iso differs");
    assert!(x1[iso.len()..].iter().all(|&b| b == 0));
    // bchunk starts a track at its last INDEX line, so track 2 (indexes 02
    // and 03) is left to cdrdao below; its audio is checked in
    // `hidden_track_one_audio` and `mode2_xa_disc`, and byte for byte in
    // the q-subchannel tests of `layout`.
    let wav2 = std::fs::read(dir.join("x02.wav")).unwrap();
    assert!(
        wav2[44..] == pcm1[12 * 75 * 2352..],
        "bchunk's track 2 from its last index"
    );
    // Track 3's INDEX 00 (the first 225 sectors of two.wav) belongs to its
    // pregap; bchunk extracts from INDEX 01.
    let wav3 = std::fs::read(dir.join("x03.wav")).unwrap();
    assert!(wav3[44..] == pcm2[225 * 2352..], "bchunk's track 3 differs");

    // cdrdao sees the ISRC, catalog, emphasis, copy flag and indexes.
    let text = tool(dir, "cdrdao", &["show-toc", "out.toc"]);
    for want in [
        "CATALOG NUMBER: 0036000291452",
        "ISRC US RC1 76 07839",
        "PRE-EMPHASIS",
        "COPY PERMITTED",
    ] {
        assert!(
            text.contains(want),
            "cdrdao show-toc lacks `{want}`:\n{text}"
        );
    }
    // Index points where the plan has them.
    let (_, _, json) = plan_tracks(dir, "disc.cue");
    let indexes = json["tracks"][1]["indexes"].as_array().unwrap();
    assert_eq!(indexes.len(), 3);
    for (k, idx) in indexes.iter().enumerate().skip(1) {
        // cdrdao prints the LBA itself as time, without the 2 s offset.
        let lba = idx["lba"].as_i64().unwrap();
        let line = format!(
            "INDEX  {} {:02}:{:02}:{:02}({lba:>6})",
            k + 1,
            lba / 4500,
            lba / 75 % 60,
            lba % 75
        );
        assert!(
            text.contains(&line),
            "cdrdao show-toc lacks `{line}`:\n{text}"
        );
    }
    let info = tool(
        dir,
        "cd-info",
        &["--no-header", "--no-device-info", "--cue-file=out.cue"],
    );
    assert!(
        info.contains("Media Catalog Number (MCN): 0036000291452"),
        "{info}"
    );
    let track2 = info
        .lines()
        .find(|l| l.trim_start().starts_with("2:"))
        .unwrap();
    assert!(
        track2.ends_with("yes   2        yes"),
        "copy and emphasis of track 2: `{track2}`"
    );
}

#[test]
fn mode2_xa_disc() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let iso = make_iso(dir, "xa.iso", 700);
    let pcm = write_wav(&dir.join("a.wav"), 800, 5);
    let sectors = iso.len() / 2048;
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
    let (plan, _) = check_readers(dir, "disc.json");
    assert_eq!(plan[1].1, sectors as i64 + 150 + 150);
    let info = tool(
        dir,
        "cd-info",
        &["--no-header", "--no-device-info", "--cue-file=out.cue"],
    );
    assert!(info.contains("  1: 00:02:00  000000 XA"), "{info}");
    tool(dir, "bchunk", &["-w", "out.bin", "out.cue", "x"]);
    let x1 = std::fs::read(dir.join("x01.iso")).unwrap();
    assert!(x1[..iso.len()] == iso[..], "bchunk's xa iso differs");
    assert!(x1[iso.len()..].iter().all(|&b| b == 0));
    let wav = std::fs::read(dir.join("x02.wav")).unwrap();
    assert!(wav[44..] == pcm[..]);
}

#[test]
fn hidden_track_one_audio() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pcm = write_wav(&dir.join("all.wav"), 2000, 7);
    std::fs::write(
        dir.join("disc.cue"),
        "FILE \"all.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:10:00\n  TRACK 02 AUDIO\n    INDEX 01 00:20:00\n",
    )
    .unwrap();
    let (plan, leadout) = check_readers(dir, "disc.cue");
    assert_eq!(plan[0].1, 750);
    assert_eq!(plan[0].3, -150);
    assert_eq!(leadout, 2000);
    tool(dir, "bchunk", &["-w", "out.bin", "out.cue", "x"]);
    let wav1 = std::fs::read(dir.join("x01.wav")).unwrap();
    assert!(wav1[44..] == pcm[750 * 2352..1500 * 2352]);
}

#[test]
fn flac_and_wav_sources_build_the_same_image() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_wav(&dir.join("a.wav"), 1000, 11);
    tool(dir, "sox", &["a.wav", "a.flac"]);
    for (name, file) in [("wav", "a.wav"), ("flac", "a.flac")] {
        std::fs::write(
            dir.join(format!("{name}.cue")),
            format!("FILE \"{file}\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"),
        )
        .unwrap();
        ok(
            dir,
            &[
                "build",
                &format!("{name}.cue"),
                "-o",
                &format!("{name}-out.ccd"),
                "-q",
            ],
        );
    }
    for ext in ["img", "sub", "ccd"] {
        let a = std::fs::read(dir.join(format!("wav-out.{ext}"))).unwrap();
        let b = std::fs::read(dir.join(format!("flac-out.{ext}"))).unwrap();
        assert!(a == b, "{ext} differs between wav and flac sources");
    }
}

#[test]
fn project_json_roundtrips_through_build() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_wav(&dir.join("a.wav"), 600, 3);
    make_iso(dir, "d.iso", 300);
    std::fs::write(
        dir.join("disc.cue"),
        "CATALOG 0036000291452\nFILE \"d.iso\" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\nFILE \"a.wav\" WAVE\n  TRACK 02 AUDIO\n    ISRC USRC17607839\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n",
    )
    .unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    ok(dir, &["build", "disc.cue", "-o", "sub/disc.json", "-q"]);
    ok(
        dir,
        &["build", "sub/disc.json", "-o", "from-json.ccd", "-q"],
    );
    ok(dir, &["build", "disc.cue", "-o", "from-cue.ccd", "-q"]);
    for ext in ["ccd", "img", "sub"] {
        let a = std::fs::read(dir.join(format!("from-json.{ext}"))).unwrap();
        let b = std::fs::read(dir.join(format!("from-cue.{ext}"))).unwrap();
        assert!(a == b, "{ext} differs");
    }
    let json = std::fs::read_to_string(dir.join("sub/disc.json")).unwrap();
    assert!(json.contains("\"path\": \"../a.wav\""), "{json}");
}

#[test]
fn toc_table_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("d.bin"), vec![0u8; (750 + 150 + 900) * 2352]).unwrap();
    std::fs::write(
        dir.join("disc.cue"),
        "CATALOG 0036000291452\nFILE \"d.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    FLAGS DCP PRE\n    ISRC USRC17607839\n    INDEX 00 00:10:00\n    INDEX 01 00:12:00\n    INDEX 02 00:20:00\n",
    )
    .unwrap();
    let text = ok(dir, &["toc", "disc.cue"]);
    let expected = "\
disc     cd-da / cd-rom, tracks 01-02, lead-out at lba 1800 (00:26:00)
catalog  0036000291452
warning  track 1: raw mode 1 followed by a track of another type has a 0-sector postgap; the rule asks for at least 150

track  type                 pregap  start lba  start     length  indexes         isrc          flags
   01  raw mode 1              150          0  00:02:00      750  -               -             -
   02  audio                   150        900  00:14:00      900  02@1500         USRC17607839  copy,pre

disc ids  musicbrainz DgJH3xCtcD1ETk_CUvfKB2YWE4Y-  freedb 07001802

expected toc (read toc format 0, lba addresses)
  0000  00 1a 01 02 00 14 01 00 00 00 00 00 00 13 02 00
  0010  00 00 03 84 00 13 aa 00 00 00 07 08
full toc (read toc format 2)
  0000  00 39 01 01 01 14 00 a0 00 00 00 00 01 00 00 01
  0010  13 00 a1 00 00 00 00 02 00 00 01 13 00 a2 00 00
  0020  00 00 00 1a 00 01 14 00 01 00 00 00 00 00 02 00
  0030  01 13 00 02 00 00 00 00 00 0e 00
";
    assert_eq!(text, expected);
}

#[test]
fn errors_name_the_problem_and_exit_with_documented_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("bad.cue"),
        "FILE \"x.bin\" BINARY\n  TRACK 01 MODE3/2352\n",
    )
    .unwrap();
    assert_eq!(
        fails(dir, &["build", "bad.cue", "-o", "x.cue"], 3),
        "error: bad.cue is not a valid cue sheet\n  caused by: line 2, column 12: unknown track mode \"MODE3/2352\"\n"
    );

    std::fs::write(
        dir.join("missing.cue"),
        "FILE \"nope.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = fails(dir, &["toc", "missing.cue"], 3);
    assert!(err.contains("line 1, column 6: nope.bin: "), "{err}");

    // 98:31 of data: its lead-out does not end by 99:59:74 on any media.
    // (A sheet records no media size: a shorter one, past IMAPI2's
    // 88:29:74, gets the 90- or 99-minute media that hold it.)
    let f = std::fs::File::create(dir.join("big.bin")).unwrap();
    f.set_len(443_200 * 2352).unwrap();
    std::fs::write(
        dir.join("big.cue"),
        "FILE \"big.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = fails(dir, &["build", "big.cue", "-o", "big.cue.ccd"], 4);
    assert!(
        err.contains("the disc runs to lba 449949, past 99:59:74"),
        "{err}"
    );
    assert!(!dir.join("big.cue.img").exists() && !dir.join("big.cue.img.part").exists());

    fails(dir, &["build", "bad.cue", "-o", "x.iso"], 2);

    // Audio that cannot become CD audio is named with what it is.
    write_wav(&dir.join("hi.wav"), 300, 4);
    let mut wav = std::fs::read(dir.join("hi.wav")).unwrap();
    wav[22] = 6;
    std::fs::write(dir.join("hi.wav"), wav).unwrap();
    std::fs::write(
        dir.join("hi.cue"),
        "FILE \"hi.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = fails(dir, &["build", "hi.cue", "-o", "hi.ccd"], 3);
    assert!(
        err.contains("hi.wav: ") && err.contains("6 channels"),
        "{err}"
    );
}

/// The disc of libdiscid's own test (22 tracks, lead-out at frame
/// 303602): `rawburn toc` gives the MusicBrainz and freedb IDs libdiscid
/// gives for it. The track files are sparse: only their lengths count.
#[test]
fn toc_gives_the_disc_ids_libdiscid_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let offsets: [u32; 23] = [
        150, 9700, 25887, 39297, 53795, 63735, 77517, 94877, 107270, 123552, 135522, 148422,
        161197, 174790, 192022, 205545, 218010, 228700, 239590, 255470, 266932, 288750, 303602,
    ];
    let mut cue = String::new();
    for (k, w) in offsets.windows(2).enumerate() {
        let name = format!("t{:02}.bin", k + 1);
        let f = std::fs::File::create(dir.join(&name)).unwrap();
        f.set_len(u64::from(w[1] - w[0]) * 2352).unwrap();
        cue += &format!(
            "FILE \"{name}\" BINARY\n  TRACK {:02} AUDIO\n    INDEX 01 00:00:00\n",
            k + 1
        );
    }
    std::fs::write(dir.join("disc.cue"), cue).unwrap();
    let toc: serde_json::Value =
        serde_json::from_str(&ok(dir, &["toc", "disc.cue", "--json"])).unwrap();
    assert_eq!(
        toc["discIds"]["musicbrainz"],
        "xUp1F2NkfP8s8jaeFn_Av3jNEI4-"
    );
    assert_eq!(toc["discIds"]["freedb"], "370fce16");
    assert_eq!(
        toc["discIds"]["musicbrainzToc"],
        "1 22 303602 150 9700 25887 39297 53795 63735 77517 94877 107270 123552 135522 148422 161197 174790 192022 205545 218010 228700 239590 255470 266932 288750"
    );
}
