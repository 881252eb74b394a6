//! Discs from the files users hold: an ISO image, audio files in any format
//! the decoder reads, or both (mixed mode), burned to the virtual recorder
//! and read back, with CD-TEXT, ISRC and catalog number from the tags.
//!
//! The tools are installed by `scripts/test.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// Sectors `samples` samples of CD audio take.
fn sectors(samples: usize) -> usize {
    samples.div_ceil(588)
}

/// A stereo sweep of `seconds` at `rate` Hz and `bits` bits from sox.
fn sweep(dir: &Path, name: &str, rate: &str, bits: &str, seconds: &str) {
    tool(
        dir,
        "sox",
        &[
            "-n", "-r", rate, "-c", "2", "-b", bits, name, "synth", seconds, "sine", "200-3000",
            "sine", "300-5000", "gain", "-3",
        ],
    );
}

/// The audio of track `n` (1-based) of a read-back image: its 2352-byte
/// sectors from the BIN at `bin`, cut to `samples` samples.
fn track_audio(toc: &Value, bin: &[u8], n: usize, samples: usize) -> Vec<u8> {
    let t = &toc["tracks"][n - 1];
    let start = t["start"]["lba"].as_i64().unwrap() as usize;
    bin[start * 2352..start * 2352 + samples * 4].to_vec()
}

#[test]
fn an_album_of_any_format_burns_and_reads_back_as_decoded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // 44.1 kHz FLAC (its decoding checked against flac -d), MP3, Ogg
    // Vorbis, AAC in M4A, and a 48 kHz 24-bit WAV.
    sweep(d, "one.wav", "44100", "16", "4.5");
    tool(
        d,
        "flac",
        &[
            "-s",
            "-f",
            "--tag=TITLE=One",
            "--tag=ARTIST=The Band",
            "--tag=ALBUM=Album Título",
            "--tag=ISRC=US-RC1-76-07839",
            "--tag=BARCODE=0036000291452",
            "one.wav",
            "-o",
            "1.flac",
        ],
    );
    sweep(d, "two.wav", "44100", "16", "4.2");
    tool(
        d,
        "lame",
        &[
            "--quiet", "--tt", "Two", "--ta", "The Band", "two.wav", "2.mp3",
        ],
    );
    tool(
        d,
        "oggenc",
        &["-Q", "-t", "Three", "two.wav", "-o", "3.ogg"],
    );
    tool(
        d,
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-i",
            "two.wav",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-metadata",
            "title=Four",
            "4.m4a",
        ],
    );
    sweep(d, "5.wav", "48000", "24", "4.1");
    let files = ["1.flac", "2.mp3", "3.ogg", "4.m4a", "5.wav"];

    let mut args = vec!["toc", "--json"];
    args.extend(files);
    let toc: Value = serde_json::from_str(&ok(d, &args)).unwrap();
    let tracks = toc["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 5);
    // Each file is one track of its decoded length, 2 s of silence before
    // each after the first; the MP3 and AAC without their encoders' delay
    // and padding.
    let lens = [
        4 * 44_100 + 22_050,
        4 * 44_100 + 8_820,
        4 * 44_100 + 8_820,
        4 * 44_100 + 8_820,
        4 * 44_100 + 4_410,
    ];
    let mut lba = 0;
    for (t, &samples) in tracks.iter().zip(&lens) {
        if lba > 0 {
            lba += 150;
        }
        assert_eq!(t["start"]["lba"], lba, "{t}");
        assert_eq!(t["dataSectors"], sectors(samples), "{t}");
        lba += sectors(samples) as i64;
    }
    assert_eq!(toc["leadout"]["lba"], lba);
    assert_eq!(tracks[0]["isrc"], "USRC17607839");
    assert_eq!(toc["mcn"], "0036000291452");

    ok(d, &["vdisc", "create", "d.vdisc"]);
    let mut args = vec!["burn", "--virtual", "d.vdisc", "--verify", "-q"];
    args.extend(files);
    ok(d, &args);
    ok(d, &["read", "--virtual", "d.vdisc", "-o", "back.cue", "-q"]);
    let bin = std::fs::read(d.join("back.bin")).unwrap();
    let back: Value = serde_json::from_str(&ok(d, &["toc", "back.cue", "--json"])).unwrap();
    // The disc holds flac -d's samples exactly.
    tool(
        d,
        "flac",
        &[
            "-s",
            "-d",
            "-f",
            "--force-raw-format",
            "--endian=little",
            "--sign=signed",
            "1.flac",
            "-o",
            "1.raw",
        ],
    );
    let raw = std::fs::read(d.join("1.raw")).unwrap();
    assert_eq!(track_audio(&back, &bin, 1, lens[0]), raw);
    // And every track what `rawburn build` decodes, padded with silence
    // to the end of its last sector.
    let mut args = vec!["build", "-o", "built.cue", "-q"];
    args.extend(files);
    ok(d, &args);
    let built = std::fs::read(d.join("built.bin")).unwrap();
    assert_eq!(bin, built);
    for (n, &samples) in lens.iter().enumerate() {
        let t = &back["tracks"][n];
        let end = (t["start"]["lba"].as_i64().unwrap() as usize + sectors(samples)) * 2352;
        assert!(
            bin[end - (sectors(samples) * 588 - samples) * 4..end]
                .iter()
                .all(|&b| b == 0)
        );
    }
    // CD-TEXT from the tags came back from the lead-in.
    let text = &back["cdtext"]["blocks"][0];
    assert_eq!(text["disc"]["title"], "Album Título");
    assert_eq!(text["tracks"][0]["title"], "One");
    assert_eq!(text["tracks"][1]["performer"], "The Band");
    assert_eq!(text["tracks"][3]["title"], "Four");
}

#[test]
fn an_iso_alone_or_before_audio_and_the_project_it_saves() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let root = d.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("DATA.BIN"), noise(300 * 1024, 7)).unwrap();
    tool(
        d,
        "xorriso",
        &[
            "-as", "mkisofs", "-quiet", "-V", "FILES", "-o", "disc.iso", "root",
        ],
    );
    let iso = std::fs::read(d.join("disc.iso")).unwrap();
    let iso_sectors = iso.len() / 2048;
    let pcm = write_wav(&d.join("a.wav"), 400, 3);

    // An ISO: a Mode 1 disc whose user data is the ISO.
    ok(d, &["build", "disc.iso", "-o", "iso.cue", "-q"]);
    let bin = std::fs::read(d.join("iso.bin")).unwrap();
    assert_eq!(bin.len(), iso_sectors * 2352);
    for (k, user) in iso.chunks(2048).enumerate() {
        assert_eq!(&bin[k * 2352 + 15], &1, "mode byte of sector {k}");
        assert_eq!(&bin[k * 2352 + 16..k * 2352 + 2064], user, "sector {k}");
    }
    // --xa: Mode 2 Form 1.
    ok(d, &["build", "disc.iso", "--xa", "-o", "xa.cue", "-q"]);
    let xa = std::fs::read(d.join("xa.bin")).unwrap();
    assert_eq!(xa[15], 2);
    assert_eq!(&xa[24..2072], &iso[..2048]);
    let cue = std::fs::read_to_string(d.join("xa.cue")).unwrap();
    assert!(cue.contains("TRACK 01 MODE2/2352"), "{cue}");

    // ISO then audio: mixed mode, the ISO as track 1, the layout rules'
    // postgap after it and pregap before the audio; `--gap 1` for the
    // audio after the first.
    let toc: Value = serde_json::from_str(&ok(
        d,
        &["toc", "disc.iso", "a.wav", "a.wav", "--gap", "1", "--json"],
    ))
    .unwrap();
    let t = toc["tracks"].as_array().unwrap();
    assert_eq!(t[0]["sectorType"], "mode1");
    assert_eq!(t[0]["postgap"], 150);
    assert_eq!(t[1]["pregap"], 150);
    assert_eq!(t[2]["pregap"], 75);
    assert_eq!(t[1]["start"]["lba"], iso_sectors + 300);

    // Saved as a project, it builds the same image.
    std::fs::create_dir(d.join("p")).unwrap();
    ok(
        d,
        &["build", "disc.iso", "a.wav", "-o", "p/disc.json", "-q"],
    );
    ok(d, &["build", "disc.iso", "a.wav", "-o", "files.cue", "-q"]);
    ok(d, &["build", "p/disc.json", "-o", "project.cue", "-q"]);
    assert_eq!(
        std::fs::read(d.join("files.bin")).unwrap(),
        std::fs::read(d.join("project.bin")).unwrap()
    );
    let bin = std::fs::read(d.join("files.bin")).unwrap();
    let audio = (iso_sectors + 300) * 2352;
    assert_eq!(&bin[audio..audio + pcm.len()], &pcm[..]);
}

#[test]
fn gapless_albums_join_sample_for_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // One continuous signal cut into three files at samples that are not
    // sector boundaries.
    sweep(d, "whole.wav", "44100", "16", "9");
    let cuts = [(0, 100_001), (100_001, 150_000), (250_001, 146_899)];
    for (k, (from, len)) in cuts.iter().enumerate() {
        let name = format!("{k}.wav");
        tool(
            d,
            "sox",
            &[
                "whole.wav",
                &name,
                "trim",
                &format!("{from}s"),
                &format!("{len}s"),
            ],
        );
        tool(d, "flac", &["-s", "-f", &name, "-o", &format!("{k}.flac")]);
        tool(d, "lame", &["--quiet", &name, &format!("{k}.mp3")]);
    }
    let whole = std::fs::read(d.join("whole.wav")).unwrap();
    let pcm = &whole[whole.len() - 396_900 * 4..];

    // FLAC: the disc's audio is the signal, exactly, its tracks starting
    // at the sectors nearest to the cuts.
    ok(
        d,
        &[
            "build",
            "--gapless",
            "0.flac",
            "1.flac",
            "2.flac",
            "-o",
            "f.cue",
            "-q",
        ],
    );
    let bin = std::fs::read(d.join("f.bin")).unwrap();
    assert_eq!(&bin[..pcm.len()], pcm);
    assert!(bin[pcm.len()..].iter().all(|&b| b == 0));
    assert_eq!(bin.len(), sectors(396_900) * 2352);
    let toc: Value = serde_json::from_str(&ok(
        d,
        &["toc", "--json", "--gapless", "0.flac", "1.flac", "2.flac"],
    ))
    .unwrap();
    let starts: Vec<i64> = toc["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["start"]["lba"].as_i64().unwrap())
        .collect();
    // 100001 samples: 170.07 sectors; 250001: 425.17.
    assert_eq!(starts, [0, 170, 425]);
    // The project JSON says so: one source joining the others.
    ok(
        d,
        &[
            "build",
            "--gapless",
            "0.flac",
            "1.flac",
            "2.flac",
            "-o",
            "g.json",
            "-q",
        ],
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("g.json")).unwrap()).unwrap();
    assert_eq!(
        json["sources"][0]["join"],
        serde_json::json!(["1.flac", "2.flac"])
    );
    ok(d, &["build", "g.json", "-o", "g.cue", "-q"]);
    assert_eq!(std::fs::read(d.join("g.bin")).unwrap(), bin);
    // Saved elsewhere, its joined files are named from there.
    std::fs::create_dir(d.join("p")).unwrap();
    ok(d, &["build", "g.json", "-o", "p/h.json", "-q"]);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("p/h.json")).unwrap()).unwrap();
    assert_eq!(
        json["sources"][0]["join"],
        serde_json::json!(["../1.flac", "../2.flac"])
    );
    ok(d, &["build", "p/h.json", "-o", "h.cue", "-q"]);
    assert_eq!(std::fs::read(d.join("h.bin")).unwrap(), bin);

    // MP3 with LAME's delay and padding: each file decodes to its exact
    // length, and the disc holds the three decodings back to back.
    ok(d, &["vdisc", "create", "m.vdisc"]);
    ok(
        d,
        &[
            "burn",
            "--gapless",
            "0.mp3",
            "1.mp3",
            "2.mp3",
            "--virtual",
            "m.vdisc",
            "--verify",
            "-q",
        ],
    );
    ok(d, &["read", "--virtual", "m.vdisc", "-o", "m.cue", "-q"]);
    let disc = std::fs::read(d.join("m.bin")).unwrap();
    let mut joined = Vec::new();
    for (k, (_, len)) in cuts.iter().enumerate() {
        let mp3 = format!("{k}.mp3");
        ok(d, &["build", &mp3, "-o", &format!("one{k}.cue"), "-q"]);
        let one = std::fs::read(d.join(format!("one{k}.bin"))).unwrap();
        joined.extend_from_slice(&one[..len * 4]);
    }
    assert_eq!(&disc[..joined.len()], &joined[..]);
    assert_eq!(disc.len(), sectors(396_900) * 2352);
}

#[test]
fn gaps_and_options() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 300, 1);
    write_wav(&d.join("b.wav"), 300, 2);
    let starts = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["toc", "--json", "a.wav", "b.wav"];
        all.extend(args);
        let toc: Value = serde_json::from_str(&ok(d, &all)).unwrap();
        toc["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["start"]["lba"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(starts(&[]), [0, 450]);
    assert_eq!(starts(&["--gap", "0.5"]), [0, 338]);
    assert_eq!(starts(&["--gapless"]), [0, 300]);
    // Untagged WAVs give no CD-TEXT.
    let toc: Value = serde_json::from_str(&ok(d, &["toc", "--json", "a.wav"])).unwrap();
    assert!(toc["cdtext"].is_null(), "{toc}");
}

#[test]
fn files_that_cannot_make_a_disc_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_wav(&d.join("a.wav"), 300, 1);
    std::fs::write(d.join("d.iso"), noise(2048 * 10, 2)).unwrap();
    std::fs::write(d.join("odd.iso"), noise(2048 * 10 + 5, 2)).unwrap();
    std::fs::write(
        d.join("x.cue"),
        "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
    )
    .unwrap();
    std::fs::write(d.join("noise.mp3"), noise(5000, 3)).unwrap();
    let err = fails(d, &["toc", "a.wav", "d.iso"], 2);
    assert!(err.contains("d.iso: an ISO image goes first"), "{err}");
    let err = fails(d, &["toc", "x.cue", "a.wav"], 2);
    assert!(
        err.contains("x.cue describes a whole disc; give it alone"),
        "{err}"
    );
    let err = fails(d, &["toc", "x.cue", "--gap", "1"], 2);
    assert!(err.contains("apply to discs made of files"), "{err}");
    let err = fails(d, &["toc", "odd.iso"], 3);
    assert!(
        err.contains("odd.iso cannot be used as a track")
            && err
                .contains("20485 bytes are not a whole number of 2048-byte sectors (5 left over)"),
        "{err}"
    );
    let err = fails(d, &["toc", "a.wav", "noise.mp3"], 3);
    assert!(err.contains("noise.mp3 cannot be used as a track"), "{err}");
}
