//! Running `rawburn` in tests, and the helpers the workspace's suites
//! share (`testkit`).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

// Each test binary uses some of these, as with the functions below.
#[allow(unused_imports)]
pub use testkit::{COMMAND_FAULTS, noise, tool, wav_bytes, write_wav};

/// Runs `rawburn` with `args` in `dir`.
pub fn rawburn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rawburn"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Runs `rawburn`, which must succeed; returns its stdout.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = rawburn(dir, args);
    assert!(
        out.status.success(),
        "rawburn {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `rawburn`, which must exit with `code`; returns its stderr.
pub fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let out = rawburn(dir, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "rawburn {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

/// `rawburn media --json` of a virtual disc.
#[allow(dead_code)] // not every test file asks
pub fn media_json(dir: &Path, disc: &str) -> serde_json::Value {
    serde_json::from_str(&ok(dir, &["media", "--virtual", disc, "--json"])).unwrap()
}

/// A mixed-mode project: Mode 1 data, two audio tracks (ISRC, index 2),
/// MCN and CD-TEXT.
pub fn project(dir: &Path) {
    std::fs::write(dir.join("d.iso"), noise(600 * 2048, 1)).unwrap();
    std::fs::write(dir.join("a.pcm"), noise(1200 * 2352, 2)).unwrap();
    std::fs::write(
        dir.join("disc.json"),
        r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.pcm" }],
  "mcn": "0036000291452",
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 600 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 700 }, "isrc": "USRC17607839", "indexes": [300] },
    { "sectorType": "audio", "data": { "source": 1, "offset": 1646400, "sectors": 500 } } ],
  "cdtext": { "blocks": [ { "disc": { "title": "Burned", "performer": "rawburn" },
    "tracks": [ { "title": "Data" }, { "title": "One" }, { "title": "Two" } ] } ] } }"#,
    )
    .unwrap();
    // The same disc without CD-TEXT or index points, for TAO.
    std::fs::write(
        dir.join("plain.json"),
        r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.pcm" }],
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 600 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 700 } } ] }"#,
    )
    .unwrap();
}
