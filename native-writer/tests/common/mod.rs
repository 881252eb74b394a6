//! Running `rawburn` in tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

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

/// `len` pseudo-random bytes from `seed`.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

/// Runs an external tool, which must succeed; returns stdout and stderr.
pub fn tool(dir: &Path, name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{name}` ({e}); scripts/test.sh installs it"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "`{name} {}` failed:\n{text}",
        args.join(" ")
    );
    text
}

/// A 16-bit 44.1 kHz stereo WAV of `sectors` sectors of noise; returns the
/// PCM.
pub fn write_wav(path: &Path, sectors: usize, seed: u64) -> Vec<u8> {
    let pcm = noise(sectors * 2352, seed);
    let mut f = Vec::with_capacity(pcm.len() + 44);
    f.extend_from_slice(b"RIFF");
    f.extend_from_slice(&(36 + pcm.len() as u32).to_le_bytes());
    f.extend_from_slice(b"WAVEfmt ");
    f.extend_from_slice(&16u32.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&44_100u32.to_le_bytes());
    f.extend_from_slice(&(44_100u32 * 4).to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes());
    f.extend_from_slice(b"data");
    f.extend_from_slice(&(pcm.len() as u32).to_le_bytes());
    f.extend_from_slice(&pcm);
    std::fs::write(path, f).unwrap();
    pcm
}
