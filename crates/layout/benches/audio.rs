//! Decoding and resampling an album to CD PCM, beside the reference
//! decoders on the same files, in the same run: `cargo bench -p layout
//! --features audio --bench audio`. The album is pink noise made by sox
//! (48 kHz 24-bit FLAC with `flac`, 44.1 kHz 16-bit FLAC, 44.1 kHz 192k
//! MP3 with `lame`, decoded by nanomp3 beside `lame --decode` and FFmpeg);
//! `AUDIO_BENCH_MINUTES` sets its length (default 10; 74 for a full CD).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use layout::audio::AudioDecoder;
use layout::pcm::Resampler;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
}

fn report(what: &str, seconds_of_audio: f64, bytes: f64, elapsed: f64) {
    println!(
        "{what:<44} {:>8.1}x real time {:>8.1} MB/s of CD PCM  ({elapsed:.2} s)",
        seconds_of_audio / elapsed,
        bytes / elapsed / 1e6
    );
}

fn ours(path: &Path) -> (f64, f64) {
    let start = Instant::now();
    let file = std::fs::File::open(path).unwrap();
    let mut d = AudioDecoder::open(Box::new(file), &path.display().to_string()).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = d.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    (start.elapsed().as_secs_f64(), total as f64)
}

fn timed(program: &str, args: &[&str]) -> f64 {
    let start = Instant::now();
    run(program, args);
    start.elapsed().as_secs_f64()
}

fn main() {
    let minutes: f64 = std::env::var("AUDIO_BENCH_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(10.0);
    let seconds = minutes * 60.0;
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let length = format!("{seconds}");
    run(
        "sox",
        &[
            "-n",
            "-r",
            "48000",
            "-b",
            "24",
            "-c",
            "2",
            &p("a48.wav"),
            "synth",
            &length,
            "pinknoise",
            "vol",
            "0.5",
        ],
    );
    run("flac", &["-s", "-f", &p("a48.wav"), "-o", &p("a48.flac")]);
    run(
        "sox",
        &[&p("a48.wav"), "-r", "44100", "-b", "16", &p("a44.wav")],
    );
    run(
        "lame",
        &["--quiet", "-b", "192", &p("a44.wav"), &p("a44.mp3")],
    );
    let cd_bytes = seconds * 44_100.0 * 4.0;
    println!("album: {minutes} minutes; one core each");

    let (t, b) = ours(Path::new(&p("a48.flac")));
    report("rawburn: 48 kHz FLAC -> CD PCM", seconds, b, t);
    let t = timed(
        "flac",
        &["-d", "-s", "-f", &p("a48.flac"), "-o", "/dev/null"],
    );
    report("flac -d (48 kHz, no resampling)", seconds, cd_bytes, t);
    let t = timed(
        "sox",
        &[
            &p("a48.flac"),
            "-r",
            "44100",
            "-b",
            "16",
            "-t",
            "raw",
            "/dev/null",
        ],
    );
    report("sox: 48 kHz FLAC -> CD PCM", seconds, cd_bytes, t);
    // CD audio as FLAC: decoding only, the resampler bypassed.
    run("flac", &["-s", "-f", &p("a44.wav"), "-o", &p("a44.flac")]);
    let (t, b) = ours(Path::new(&p("a44.flac")));
    report("rawburn: 44.1 kHz 16-bit FLAC -> CD PCM", seconds, b, t);
    let t = timed(
        "flac",
        &["-d", "-s", "-f", &p("a44.flac"), "-o", "/dev/null"],
    );
    report("flac -d (44.1 kHz 16-bit)", seconds, cd_bytes, t);
    let (t, b) = ours(Path::new(&p("a44.mp3")));
    report("rawburn: MP3 (nanomp3) -> CD PCM", seconds, b, t);
    let t = timed("lame", &["--quiet", "--decode", &p("a44.mp3"), "/dev/null"]);
    report("lame --decode", seconds, cd_bytes, t);
    let t = timed(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-threads",
            "1",
            "-i",
            &p("a44.mp3"),
            "-f",
            "s16le",
            "-y",
            "/dev/null",
        ],
    );
    report("ffmpeg (mp3)", seconds, cd_bytes, t);

    // The resampler alone: 48 kHz -> 44.1 kHz, one channel, 60 s.
    let r = Resampler::new(48_000).unwrap();
    let input: Vec<f32> = (0..48_000 * 60)
        .map(|i| ((i as f32) * 0.013).sin() * 0.5)
        .collect();
    let n = r.output_len(input.len() as u64) as usize;
    let start = Instant::now();
    let mut out = vec![0.0f32; 4_096];
    let mut k = 0;
    while k < n {
        let count = out.len().min(n - k);
        let (s, len) = r.input_span(k as u64, count);
        let from = s.max(0) as usize;
        let end = ((s + len as i64).max(0) as usize).min(input.len());
        r.process(k as u64, &input[from.min(end)..end], &mut out[..count]);
        k += count;
    }
    let t = start.elapsed().as_secs_f64() * 2.0; // two channels
    report(
        "resampler 48 -> 44.1 kHz (stereo)",
        60.0,
        60.0 * 44_100.0 * 4.0,
        t,
    );
    std::hint::black_box(&out);
}
