//! Helpers shared by rawburn's test suites, so that each is written once:
//! reproducible noise for sources, 16-bit 44.1 kHz stereo WAV files, and
//! running an external tool that must succeed.
//!
//! Only tests and the fuzz harness depend on this crate. A helper that
//! cannot do its job panics, which fails the test that called it.

#![forbid(unsafe_code)]
// Panicking is how a helper fails the test that called it.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

/// Bytes in a raw audio sector: 588 stereo 16-bit samples.
const AUDIO_SECTOR: usize = 2352;

/// `len` pseudo-random bytes from `seed`: xorshift64 (13, 7, 17) started
/// at `seed | 1`, one byte per step from bits 32..40 of the state.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    xorshift_bytes(len, seed, 32)
}

/// The generator of [`noise`], one byte per step from bits 24..32 of the
/// state instead: the bytes some suites were written with (`layout`'s
/// `parallel` holds hashes of images made from them), kept so they still
/// are.
pub fn noise24(len: usize, seed: u64) -> Vec<u8> {
    xorshift_bytes(len, seed, 24)
}

/// A 16-bit 44.1 kHz stereo WAV file holding `pcm`: the canonical 44-byte
/// header, then the samples.
pub fn wav_bytes(pcm: &[u8]) -> Vec<u8> {
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
    f.extend_from_slice(pcm);
    f
}

/// Writes a WAV file at `path` of `sectors` sectors of [`noise`] from
/// `seed`; returns the PCM.
pub fn write_wav(path: &Path, sectors: usize, seed: u64) -> Vec<u8> {
    let pcm = noise(sectors * AUDIO_SECTOR, seed);
    std::fs::write(path, wav_bytes(&pcm)).unwrap();
    pcm
}

/// Runs the external tool `name` with `args` in `dir`, which must succeed;
/// returns its stdout and stderr.
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

/// `len` bytes of xorshift64 (13, 7, 17) from `seed | 1`, each the byte
/// at bit `shift` of the state after a step.
fn xorshift_bytes(len: usize, seed: u64, shift: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> shift) as u8
        })
        .collect()
}

/// Every fault a command can carry in a virtual recorder fault plan, as
/// the plan's JSON: the fault matrices of the burn, the drive operations
/// and the read run each of them.
pub const COMMAND_FAULTS: [&str; 10] = [
    r#""stallData""#,
    r#""stallCsw""#,
    r#""phaseError""#,
    r#"{ "cswSignature": 305419896 }"#,
    r#""cswTag""#,
    r#"{ "shortData": 8 }"#,
    r#"{ "longData": 8 }"#,
    r#""noAnswer""#,
    r#""disconnect""#,
    r#"{ "unitAttention": [6, 41, 0] }"#,
];

#[cfg(test)]
mod tests {
    use super::*;

    // The golden bytes are those of the copies each suite had before: the
    // suites' expected hashes depend on them.

    #[test]
    fn noise_is_the_suites_generator() {
        assert_eq!(
            noise(8, 7),
            [0x01, 0x12, 0xc0, 0x6e, 0xca, 0x8e, 0x52, 0x12]
        );
        assert_eq!(noise(8, 0), noise(8, 1));
        assert_eq!(
            noise(8, 1),
            [0x00, 0x06, 0x2f, 0x03, 0xb0, 0x02, 0x08, 0xc1]
        );
        assert_eq!(noise(3000, 9)[..8], noise(8, 9));
    }

    #[test]
    fn noise24_takes_the_lower_byte() {
        assert_eq!(
            noise24(8, 7),
            [0xc3, 0x24, 0x11, 0xc6, 0x43, 0x4a, 0xf6, 0xd6]
        );
        assert_eq!(
            noise24(8, 0),
            [0x40, 0x0c, 0x6e, 0x55, 0x90, 0xe5, 0xeb, 0x14]
        );
    }

    #[test]
    fn wav_header_is_canonical() {
        let pcm = [0x11u8; 8];
        let f = wav_bytes(&pcm);
        let header: [u8; 44] = [
            0x52, 0x49, 0x46, 0x46, 0x2c, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45, 0x66, 0x6d,
            0x74, 0x20, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x44, 0xac, 0x00, 0x00,
            0x10, 0xb1, 0x02, 0x00, 0x04, 0x00, 0x10, 0x00, 0x64, 0x61, 0x74, 0x61, 0x08, 0x00,
            0x00, 0x00,
        ];
        assert_eq!(f[..44], header);
        assert_eq!(f[44..], pcm);
    }

    #[test]
    fn write_wav_writes_noise() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.wav");
        let pcm = write_wav(&path, 2, 5);
        let f = std::fs::read(&path).unwrap();
        assert_eq!(pcm, noise(2 * AUDIO_SECTOR, 5));
        assert_eq!(f, wav_bytes(&pcm));
    }
}
