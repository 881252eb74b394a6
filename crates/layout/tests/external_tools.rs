//! Sectors checked by independent readers from Debian: an ISO made by
//! `xorriso` is encoded as Mode 1 and as Mode 2 Form 1 BIN/CUE; libcdio's
//! `cd-read` must read back the same user data, `cd-info` must see the track
//! and the ISO 9660 volume, and `bchunk` must extract the identical ISO.
//!
//! The tools are installed by `scripts/test.sh` (Debian: libcdio-utils,
//! bchunk, xorriso); without them these tests fail and say which one is
//! missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::msf::Lba;
use layout::sector::{SECTOR_SIZE, SectorEncoder, SectorType};
use std::path::{Path, PathBuf};
use testkit::tool;

/// A directory tree with deterministic files, made into an ISO by xorriso.
fn make_iso(dir: &Path) -> Vec<u8> {
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("README.TXT"), b"rawburn sector test\n").unwrap();
    let mut x = 0x1234_5678_9abc_def0u64;
    let big: Vec<u8> = (0..700_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(root.join("docs/RANDOM.BIN"), &big).unwrap();
    tool(
        dir,
        "xorriso",
        &[
            "-as",
            "mkisofs",
            "-quiet",
            "-V",
            "RAWBURN_TEST",
            "-o",
            "image.iso",
            "root",
        ],
    );
    let iso = std::fs::read(dir.join("image.iso")).unwrap();
    assert_eq!(iso.len() % 2048, 0);
    iso
}

/// Encodes `iso` as one data track starting at LBA 0 and writes a BIN/CUE.
fn write_bin_cue(dir: &Path, iso: &[u8], ty: SectorType, cue_type: &str) -> PathBuf {
    let sectors = iso.len() / 2048;
    let mut bin = vec![0u8; sectors * SECTOR_SIZE];
    let encoder = SectorEncoder::new(ty);
    assert_eq!(encoder.encode_batch(Lba(0), iso, &mut bin), Ok(sectors));
    std::fs::write(dir.join("image.bin"), &bin).unwrap();
    let cue = dir.join("image.cue");
    std::fs::write(
        &cue,
        format!("FILE \"image.bin\" BINARY\n  TRACK 01 {cue_type}\n    INDEX 01 00:00:00\n"),
    )
    .unwrap();
    cue
}

/// What cd-info must print for the image.
struct Seen {
    disc_mode: &'static str,
    track_row: &'static str,
}

fn check_image(ty: SectorType, cue_type: &str, read_mode: &str, seen: Seen) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let iso = make_iso(dir);
    let sectors = iso.len() / 2048;
    write_bin_cue(dir, &iso, ty, cue_type);

    // libcdio reads every sector's user data back.
    let n = sectors.to_string();
    tool(
        dir,
        "cd-read",
        &[
            "--no-header",
            "--cue-file=image.cue",
            &format!("--mode={read_mode}"),
            "--start=0",
            &format!("--number={n}"),
            "--output-file=read.iso",
        ],
    );
    let read = std::fs::read(dir.join("read.iso")).unwrap();
    assert_eq!(read.len(), iso.len(), "cd-read returned a different size");
    assert!(read == iso, "cd-read returned different user data");

    // cd-info sees the disc mode, one track at 00:02:00, the lead-out right
    // after the data, and the ISO 9660 volume.
    let info = tool(
        dir,
        "cd-info",
        &["--no-header", "--no-device-info", "--cue-file=image.cue"],
    );
    let leadout = Lba(sectors as i32).to_msf().unwrap();
    let expected = [
        format!("Disc mode is listed as: {}", seen.disc_mode),
        format!("  1: 00:02:00  000000 {}", seen.track_row),
        format!("170: {leadout}  {sectors:06} leadout"),
        format!("ISO 9660: {sectors} blocks, label `RAWBURN_TEST"),
        "Volume     : RAWBURN_TEST".to_string(),
    ];
    for line in expected {
        assert!(info.contains(&line), "cd-info lacks `{line}`:\n{info}");
    }

    // bchunk extracts the identical ISO.
    tool(dir, "bchunk", &["image.bin", "image.cue", "out"]);
    let extracted = std::fs::read(dir.join("out01.iso")).unwrap();
    assert!(extracted == iso, "bchunk extracted a different ISO");
}

#[test]
fn mode1_bin_reads_back_in_libcdio_and_bchunk() {
    check_image(
        SectorType::Mode1,
        "MODE1/2352",
        "m1f1",
        Seen {
            disc_mode: "CD-DATA (Mode 1)",
            track_row: "data   false  no",
        },
    );
}

#[test]
fn mode2_form1_bin_reads_back_in_libcdio_and_bchunk() {
    check_image(
        SectorType::Mode2Form1,
        "MODE2/2352",
        "m2f1",
        Seen {
            disc_mode: "CD DATA (Mode 2)",
            track_row: "XA     true   no",
        },
    );
}
