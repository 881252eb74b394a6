//! `rawburn build --threads 1` (read, encode and write on one thread)
//! and the pipelined build with the encoding spread over threads write the
//! same files, byte for byte, in every image format: a mixed disc of
//! Mode 1, WAV audio, big-endian audio, Mode 2 Form 1 and Form 2, CD+G and
//! CD-TEXT, several batches long.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes the sources and the project; returns the project's file name.
fn mixed_disc(dir: &Path) -> &'static str {
    std::fs::write(dir.join("data.iso"), noise(2600 * 2048, 1)).unwrap();
    write_wav(&dir.join("song.wav"), 1200, 2);
    std::fs::write(dir.join("motorola.bin"), noise(400 * 2352, 3)).unwrap();
    std::fs::write(dir.join("form1.bin"), noise(500 * 2048, 4)).unwrap();
    std::fs::write(dir.join("form2.bin"), noise(400 * 2324, 5)).unwrap();
    std::fs::write(dir.join("karaoke.cdg"), noise(330 * 2448, 6)).unwrap();
    let track = |ty: &str, source: usize, sectors: u32| {
        serde_json::json!({
            "sectorType": ty,
            "data": { "source": source, "offset": 0, "sectors": sectors },
        })
    };
    let mut cdg = track("audio", 5, 330);
    cdg["rwInSource"] = true.into();
    let project = serde_json::json!({
        "format": 1,
        "imageType": "raw",
        "sources": [
            { "path": "data.iso", "format": "binary" },
            { "path": "song.wav", "format": "audio" },
            { "path": "motorola.bin", "format": "motorola" },
            { "path": "form1.bin", "format": "binary" },
            { "path": "form2.bin", "format": "binary" },
            { "path": "karaoke.cdg", "format": "binary" },
        ],
        "tracks": [
            track("mode1", 0, 2600),
            track("audio", 1, 1200),
            track("audio", 2, 400),
            track("mode2Form1", 3, 500),
            track("mode2Form2", 4, 400),
            cdg,
        ],
        "cdtext": {
            "blocks": [{
                "disc": { "title": "Threads", "performer": "The Batches" },
                "tracks": [
                    { "title": "Data" }, { "title": "Song" }, { "title": "Swapped" },
                    { "title": "Form 1" }, { "title": "Form 2" }, { "title": "Karaoke" },
                ],
            }],
            "tocInfo": true,
        },
    });
    std::fs::write(
        dir.join("mixed.json"),
        serde_json::to_string_pretty(&project).unwrap(),
    )
    .unwrap();
    "mixed.json"
}

/// SHA-256 of every file in `dir`, by name.
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                format!("{:x}", Sha256::digest(&bytes)),
            )
        })
        .collect()
}

#[test]
fn one_thread_and_many_build_the_same_files_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = mixed_disc(dir.path());
    let input = dir.path().join(input);
    let outputs: [(&str, &[&str]); 7] = [
        ("image.cue", &[]),
        ("image.ccd", &[]),
        ("image.toc", &[]),
        ("image.raw", &["--subchannel", "none"]),
        ("image.raw", &["--subchannel", "pq"]),
        ("image.raw", &["--subchannel", "cooked"]),
        ("image.raw", &["--subchannel", "raw"]),
    ];
    for (k, (name, extra)) in outputs.into_iter().enumerate() {
        let mut built = Vec::new();
        for threads in [Some("1"), Some("3"), None] {
            let out = dir.path().join(format!("{k}-{}", threads.unwrap_or("all")));
            std::fs::create_dir(&out).unwrap();
            let target = out.join(name);
            let mut args = vec![
                "build",
                input.to_str().unwrap(),
                "-o",
                target.to_str().unwrap(),
                "--quiet",
            ];
            args.extend_from_slice(extra);
            if let Some(n) = threads {
                args.extend_from_slice(&["--threads", n]);
            }
            ok(dir.path(), &args);
            built.push(hashes(&out));
        }
        assert!(
            built[0].contains_key(name),
            "{name} {extra:?}: {:?}",
            built[0]
        );
        assert_eq!(built[0], built[1], "{name} {extra:?}: 1 thread and 3");
        assert_eq!(built[0], built[2], "{name} {extra:?}: 1 thread and all");
    }
}

#[test]
fn threads_must_be_a_positive_number() {
    let dir = tempfile::tempdir().unwrap();
    let input = mixed_disc(dir.path());
    let err = fails(
        dir.path(),
        &["build", input, "-o", "x.cue", "--threads", "0"],
        2,
    );
    assert!(err.contains("--threads"), "{err}");
}
