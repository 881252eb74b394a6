//! Audio files decoded to CD PCM, checked against independent decoders
//! from Debian: `sox`, `flac`, `lame`, `oggdec` and `ffmpeg`.
//!
//! The fixtures in `tests/fixtures/audio` are made by `make.sh` there. The
//! lossless ones must decode to exactly what the reference tools give; the
//! lossy ones to within one step of 16 bits (the decoders round their
//! floating-point output differently) and to exactly the length the
//! encoder was given (encoder delay and padding removed).
//! `SHA256SUMS` holds the hash of each fixture's CD PCM, which the npm
//! package's tests check too. The tools are installed by
//! `scripts/setup.sh`; without them these tests fail and say which one
//! is missing.
#![cfg(feature = "audio")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::audio::{AudioDecoder, AudioErrorKind, AudioTags};
use layout::pcm::{Resampler, write_cd_frames};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Samples per channel of every 44.1 kHz fixture.
const FRAMES: usize = 4086;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

fn decode_bytes(bytes: Vec<u8>, name: &str) -> Result<Vec<u8>, layout::audio::AudioError> {
    let mut decoder = AudioDecoder::open(Box::new(Cursor::new(bytes)), name)?;
    let mut out = vec![0u8; decoder.info().cd_len() as usize];
    // Odd-sized reads, to cross frame boundaries.
    let mut filled = 0;
    while filled < out.len() {
        let end = (filled + 4_093).min(out.len());
        let n = decoder.read(&mut out[filled..end])?;
        assert!(n > 0, "{name}: ended at byte {filled} of {}", out.len());
        filled += n;
    }
    assert_eq!(
        decoder.read(&mut [0u8; 16])?,
        0,
        "{name}: more than declared"
    );
    Ok(out)
}

fn decode(name: &str) -> Vec<u8> {
    decode_bytes(std::fs::read(fixture(name)).unwrap(), name).unwrap()
}

/// Runs a tool and returns its stdout.
fn tool(program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}); scripts/setup.sh installs it (Debian: sox, flac, lame, vorbis-tools, ffmpeg)")
    });
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// sox's decoding of a file to 16-bit signed little-endian stereo.
fn sox_s16(name: &str) -> Vec<u8> {
    let path = fixture(name);
    tool(
        "sox",
        &[
            path.to_str().unwrap(),
            "-t",
            "raw",
            "-e",
            "signed",
            "-b",
            "16",
            "-L",
            "-c",
            "2",
            "-",
        ],
    )
}

fn ffmpeg_s16(path: &Path) -> Vec<u8> {
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "s16le",
            "-ac",
            "2",
            "-",
        ],
    )
}

fn samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Largest difference between two decodings of the same length.
fn max_difference(a: &[u8], b: &[u8]) -> i32 {
    samples(a)
        .iter()
        .zip(samples(b))
        .map(|(&x, y)| (i32::from(x) - i32::from(y)).abs())
        .max()
        .unwrap_or(0)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn lossless_files_decode_exactly_as_sox_does() {
    let cd = sox_s16("cd.wav");
    assert_eq!(cd.len(), FRAMES * 4);
    for name in [
        "cd.wav",
        "s24_plain.wav",
        "s32.wav",
        "f32.wav",
        "f64.wav",
        "s16.aiff",
    ] {
        // 16-bit samples widened by sox come back unchanged.
        assert_eq!(decode(name), cd, "{name}");
    }
    // 8-bit: sox widens by shifting, as the decoder's rounding does.
    assert_eq!(decode("u8.wav"), sox_s16("u8.wav"));
}

#[test]
fn flac_and_alac_decode_exactly_as_flac_and_ffmpeg_do() {
    let path = fixture("s16.flac");
    let flac = tool(
        "flac",
        &[
            "-d",
            "-s",
            "-c",
            "--force-raw-format",
            "--endian=little",
            "--sign=signed",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(decode("s16.flac"), flac);
    assert_eq!(decode("alac.m4a"), ffmpeg_s16(&fixture("alac.m4a")));
    assert_eq!(decode("alac.m4a"), sox_s16("cd.wav"));
}

/// The file's samples as floats (from sox), resampled whole by
/// [`Resampler`], must equal the streamed decoding.
fn resampled_by_sox_samples(name: &str, rate: u32, channels: usize) -> Vec<u8> {
    resampled_by_sox(&fixture(name), rate, channels)
}

fn resampled_by_sox(path: &Path, rate: u32, channels: usize) -> Vec<u8> {
    let raw = tool(
        "sox",
        &[
            path.to_str().unwrap(),
            "-t",
            "raw",
            "-e",
            "floating-point",
            "-b",
            "32",
            "-L",
            "-",
        ],
    );
    let floats: Vec<f32> = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let channel =
        |c: usize| -> Vec<f32> { floats.iter().skip(c).step_by(channels).copied().collect() };
    let (left, right) = (channel(0), channel(channels - 1));
    let r = Resampler::new(rate).unwrap();
    let n = r.output_len(left.len() as u64) as usize;
    let (start, len) = r.input_span(0, n);
    let span = |x: &[f32]| -> Vec<f32> {
        (start..start + len as i64)
            .map(|i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| x.get(i))
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect()
    };
    let (mut l, mut rr) = (vec![0.0; n], vec![0.0; n]);
    r.process(0, &span(&left), &mut l);
    r.process(0, &span(&right), &mut rr);
    let mut out = vec![0u8; n * 4];
    write_cd_frames(&l, &rr, &mut out);
    out
}

#[test]
fn other_rates_and_mono_go_through_the_resampler() {
    let want = resampled_by_sox_samples("s24_48k.wav", 48_000, 2);
    assert_eq!(want.len(), 4_447 * 4);
    assert_eq!(decode("s24_48k.wav"), want);
    assert_eq!(decode("s24_48k.flac"), want);
    let mono = resampled_by_sox_samples("mono_22k.wav", 22_050, 1);
    assert_eq!(mono.len(), FRAMES * 4);
    let got = decode("mono_22k.wav");
    assert_eq!(got, mono);
    // Both channels carry the one.
    assert!(got.chunks_exact(4).all(|f| f[..2] == f[2..]));
}

#[test]
fn lossy_files_match_their_reference_decoders_gaplessly() {
    let mp3 = decode("s16.mp3");
    let path = fixture("s16.mp3");
    let lame = tool(
        "lame",
        &["--quiet", "--decode", "-t", path.to_str().unwrap(), "-"],
    );
    assert_eq!(mp3.len(), FRAMES * 4);
    assert_eq!(lame.len(), FRAMES * 4);
    assert!(
        max_difference(&mp3, &lame) <= 1,
        "{}",
        max_difference(&mp3, &lame)
    );

    let ogg = decode("s16.ogg");
    let path = fixture("s16.ogg");
    let oggdec = tool("oggdec", &["-Q", "-R", "-o", "-", path.to_str().unwrap()]);
    assert_eq!(ogg.len(), FRAMES * 4);
    assert_eq!(oggdec.len(), FRAMES * 4);
    assert!(
        max_difference(&ogg, &oggdec) <= 1,
        "{}",
        max_difference(&ogg, &oggdec)
    );

    // FFmpeg drops the priming but keeps the padding of the last packet.
    let aac = decode("aac.m4a");
    let ffmpeg = ffmpeg_s16(&fixture("aac.m4a"));
    assert_eq!(aac.len(), FRAMES * 4);
    assert!(ffmpeg.len() >= aac.len());
    let diff = max_difference(&aac, &ffmpeg[..aac.len()]);
    assert!(diff <= 1, "{diff}");
}

/// Samples per channel of the music-like MP3 fixtures.
const MUSIC_FRAMES: usize = 88_203;

/// The music-like MP3s (chords, a sweep, noise bursts) stay within one step
/// of LAME's own decoder, at their exact length, through the resampler when
/// they are not 44.1 kHz and on both channels when mono (the differences
/// seen are printed).
#[test]
fn music_like_mp3s_match_lame_gaplessly() {
    let dir = tempfile::tempdir().unwrap();
    for (name, rate, channels, frames) in [
        ("music_128.mp3", 44_100, 2, MUSIC_FRAMES),
        ("music_320.mp3", 44_100, 2, MUSIC_FRAMES),
        ("music_v0.mp3", 44_100, 2, MUSIC_FRAMES),
        ("music_mono.mp3", 44_100, 1, MUSIC_FRAMES),
        // LAME resampled it to 44 102 samples, which make 88 204 again.
        ("music_22k.mp3", 22_050, 2, MUSIC_FRAMES + 1),
        ("music_48k.mp3", 48_000, 2, MUSIC_FRAMES),
    ] {
        let path = fixture(name);
        let wav = dir.path().join(format!("{name}.wav"));
        tool(
            "lame",
            &[
                "--quiet",
                "--decode",
                path.to_str().unwrap(),
                wav.to_str().unwrap(),
            ],
        );
        let lame = if rate == 44_100 && channels == 2 {
            let raw = std::fs::read(&wav).unwrap();
            // lame writes a plain 44-byte WAV header.
            raw[44..].to_vec()
        } else {
            resampled_by_sox(&wav, rate, channels)
        };
        let ours = decode(name);
        assert_eq!(ours.len(), frames * 4, "{name}");
        assert_eq!(lame.len(), ours.len(), "{name}");
        let diff = max_difference(&ours, &lame);
        // Resampling adds up the one-step differences of neighbouring
        // samples, weighted by the filter.
        let allowed = if rate == 44_100 { 1 } else { 2 };
        assert!(diff <= allowed, "{name}: {diff}");
        println!("{name}: largest difference from lame --decode {diff}");
        if channels == 1 {
            assert!(ours.chunks_exact(4).all(|f| f[..2] == f[2..]), "{name}");
        }
    }
}

/// The music-like AAC and Vorbis files stay within one step of FFmpeg's
/// and oggdec's decoders (two through the resampler), at the exact length
/// encoded. Their decoders call the C library's `powf` and `sin`; the
/// committed hashes (checked below and by the npm package's tests) only
/// hold when those round as in the wasm32 build, which `samemath` sees to.
#[test]
fn music_like_aac_and_vorbis_match_ffmpeg_and_oggdec() {
    let dir = tempfile::tempdir().unwrap();
    for (name, rate) in [
        ("music_aac.m4a", 44_100),
        ("music_48k.m4a", 48_000),
        ("music.ogg", 44_100),
        ("music_48k.ogg", 48_000),
    ] {
        let path = fixture(name);
        let wav = dir.path().join(format!("{name}.wav"));
        let wav_arg = wav.to_str().unwrap();
        if name.ends_with(".ogg") {
            tool("oggdec", &["-Q", "-o", wav_arg, path.to_str().unwrap()]);
        } else {
            // 32-bit float, so that the reference is not rounded twice.
            let args = [
                "-v",
                "error",
                "-y",
                "-i",
                path.to_str().unwrap(),
                "-c:a",
                "pcm_f32le",
                wav_arg,
            ];
            tool("ffmpeg", &args);
        }
        let reference = resampled_by_sox(&wav, rate, 2);
        let ours = decode(name);
        assert_eq!(ours.len(), MUSIC_FRAMES * 4, "{name}");
        // FFmpeg keeps the padding of the last AAC packet.
        assert!(reference.len() >= ours.len(), "{name}: {}", reference.len());
        let diff = max_difference(&ours, &reference[..ours.len()]);
        let allowed = if rate == 44_100 { 1 } else { 2 };
        assert!(diff <= allowed, "{name}: {diff}");
        println!("{name}: largest difference from the reference decoder {diff}");
    }
}

#[test]
fn damaged_mp3_frames_are_caught() {
    let bytes = std::fs::read(fixture("music_128.mp3")).unwrap();
    // A frame header in the middle (MPEG-1 layer III, no CRC: ff fb).
    let middle = bytes.len() / 2;
    let header = middle
        + bytes[middle..]
            .windows(2)
            .position(|w| w == [0xff, 0xfb])
            .unwrap();
    let mut damaged = bytes.clone();
    damaged[header..header + 4].fill(0);
    let e = decode_bytes(damaged, "music_128.mp3").unwrap_err();
    assert!(matches!(e.kind, AudioErrorKind::Corrupt(_)), "{e}");
    assert!(e.to_string().starts_with("music_128.mp3: "), "{e}");
    // About a second in, where the frame was.
    let at = e.at.unwrap();
    assert_eq!(at.rate, 44_100);
    assert!((30_000..60_000).contains(&at.frames), "{e}");
}

#[test]
fn a_flac_whose_audio_does_not_match_its_md5_is_refused() {
    let mut bytes = std::fs::read(fixture("s16.flac")).unwrap();
    // STREAMINFO is the first block: its MD5 is bytes 18..34 of it.
    assert_eq!(&bytes[..4], b"fLaC");
    bytes[8 + 18] ^= 0x01;
    let err = decode_bytes(bytes, "md5.flac").unwrap_err();
    assert_eq!(err.kind, AudioErrorKind::Checksum);
}

#[test]
fn mp3_made_now_by_lame_keeps_its_exact_length() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("in.wav");
    let mp3 = dir.path().join("in.mp3");
    // 100 003 samples: 86.8 MP3 frames.
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "44100",
            "-b",
            "16",
            "-c",
            "2",
            wav.to_str().unwrap(),
            "synth",
            "100003s",
            "pinknoise",
            "vol",
            "0.3",
        ],
    );
    let want = sox_len(&wav);
    assert_ne!(want % 1_152, 0);
    for args in [&["-b", "192"][..], &["-V", "4"][..]] {
        let mut all = vec!["--quiet"];
        all.extend_from_slice(args);
        all.extend([wav.to_str().unwrap(), mp3.to_str().unwrap()]);
        tool("lame", &all);
        let got = decode_bytes(std::fs::read(&mp3).unwrap(), "in.mp3").unwrap();
        assert_eq!(got.len() as u64, want * 4, "{args:?}");
        let lame = tool(
            "lame",
            &["--quiet", "--decode", "-t", mp3.to_str().unwrap(), "-"],
        );
        assert_eq!(lame.len(), got.len());
    }
}

fn sox_len(path: &Path) -> u64 {
    let out = tool("soxi", &["-s", path.to_str().unwrap()]);
    String::from_utf8(out).unwrap().trim().parse().unwrap()
}

#[test]
fn decoded_pcm_matches_the_committed_hashes() {
    let sums = std::fs::read_to_string(fixture("SHA256SUMS")).unwrap();
    let mut checked = 0;
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        assert_eq!(sha256_hex(&decode(name)), hash, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 25);
}

#[test]
fn tags_are_read() {
    let tags = |name: &str| {
        let bytes = std::fs::read(fixture(name)).unwrap();
        AudioDecoder::open(Box::new(Cursor::new(bytes)), name)
            .unwrap()
            .tags()
            .clone()
    };
    let text = |s: &str| Some(s.to_string());
    assert_eq!(
        tags("s16.flac"),
        AudioTags {
            title: text("Sine One"),
            artist: text("Test Artist"),
            album: text("Test Album"),
            album_artist: text("Album Artist"),
            isrc: text("USRC17607839"),
            mcn: text("4006381333931"),
            track: Some(3),
        }
    );
    assert_eq!(
        tags("s16.mp3"),
        AudioTags {
            title: text("Sine One"),
            artist: text("Test Artist"),
            album: text("Test Album"),
            album_artist: text("Album Artist"),
            isrc: text("GBAYE0000351"),
            mcn: None,
            track: Some(4),
        }
    );
    assert_eq!(
        tags("s16.ogg"),
        AudioTags {
            title: text("Sine One"),
            artist: text("Test Artist"),
            album: text("Test Album"),
            album_artist: None,
            isrc: text("USRC17607839"),
            mcn: text("0036000291452"),
            track: Some(5),
        }
    );
    let m4a = tags("aac.m4a");
    assert_eq!(
        (m4a.title, m4a.artist, m4a.track),
        (text("Sine One"), text("Test Artist"), Some(6))
    );
    assert_eq!(tags("cd.wav"), AudioTags::default());
}

#[test]
fn more_than_two_channels_are_refused_by_name() {
    let bytes = std::fs::read(fixture("three.wav")).unwrap();
    let e = AudioDecoder::open(Box::new(Cursor::new(bytes)), "three.wav").unwrap_err();
    assert_eq!(e.kind, AudioErrorKind::Channels(3));
    assert_eq!(
        e.to_string(),
        "three.wav: 3 channels; cd audio takes 1 or 2: downmix it first"
    );
    let e = AudioDecoder::open(Box::new(Cursor::new(b"hello, world".to_vec())), "notes.txt")
        .unwrap_err();
    assert_eq!(e.kind, AudioErrorKind::NotAudio);
}

const ALL: [&str; 26] = [
    "cd.wav",
    "s24_48k.wav",
    "s24_plain.wav",
    "s32.wav",
    "f32.wav",
    "f64.wav",
    "u8.wav",
    "mono_22k.wav",
    "s16.aiff",
    "s16.flac",
    "s24_48k.flac",
    "s16.mp3",
    "s16.ogg",
    "aac.m4a",
    "alac.m4a",
    "three.wav",
    "music_128.mp3",
    "music_320.mp3",
    "music_v0.mp3",
    "music_mono.mp3",
    "music_22k.mp3",
    "music_48k.mp3",
    "music_aac.m4a",
    "music_48k.m4a",
    "music.ogg",
    "music_48k.ogg",
];

#[test]
fn truncated_files_are_errors_naming_file_and_time() {
    for name in ALL.iter().filter(|n| **n != "three.wav") {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let full = bytes.len();
        // Cut in the audio: the last fifth, and just before the end.
        for cut in [full * 4 / 5, full - 300] {
            let result = decode_bytes(bytes[..cut].to_vec(), name);
            let e = result.expect_err(&format!("{name} cut at {cut} decodes"));
            let text = e.to_string();
            assert!(text.starts_with(&format!("{name}: ")), "{text}");
            assert!(
                e.at.is_some() || matches!(e.kind, AudioErrorKind::NotAudio),
                "{text}"
            );
        }
    }
    let bytes = std::fs::read(fixture("s16.flac")).unwrap();
    let e = decode_bytes(bytes[..bytes.len() / 2].to_vec(), "s16.flac").unwrap_err();
    assert!(
        matches!(e.kind, AudioErrorKind::Truncated { declared: 4086, .. }),
        "{e}"
    );
    assert!(e.to_string().contains(" at 0:00."), "{e}");
}

#[test]
fn no_input_panics() {
    // Every truncation of the headers and a spread of bit flips and cuts
    // through each file: an error or audio, never a panic.
    for name in ALL {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for cut in (0..bytes.len().min(600)).step_by(7) {
            let _ = decode_bytes(bytes[..cut].to_vec(), name);
        }
        for _ in 0..60 {
            let mut damaged = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % damaged.len() as u64) as usize;
                damaged[at] ^= 1 << (next() % 8);
            }
            let _ = decode_bytes(damaged, name);
        }
    }
}

#[test]
fn damaged_flac_frames_are_caught() {
    let bytes = std::fs::read(fixture("s16.flac")).unwrap();
    // Flip bits well inside the audio frames (after the metadata).
    for at in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 100] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        let e = decode_bytes(damaged, "s16.flac").unwrap_err();
        assert!(e.to_string().starts_with("s16.flac: "), "{e}");
        assert!(e.at.is_some(), "{e}");
    }
}
