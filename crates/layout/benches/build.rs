//! Building an 80-minute, 99-track mixed disc (Mode 1 data, then 98 audio
//! tracks) to a null sink, as CloneCD (.img + .sub) and as a raw 2448-byte
//! image (lead-in and lead-out included), plus the time to plan it. Each
//! image is built in a child process so its peak RSS (VmHWM) is its own.
//!
//! Run: `cargo bench -p layout --bench build`. The last line reads
//! `build plan_us=N ccd_mb_s=N ccd_rss_mb=N raw_mb_s=N raw_rss_mb=N`
//! (MB/s of image bytes written, 10^6 bytes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::disc::{Disc, ImageCreator, ImageType, LeadoutLimit, SourceFormat, SourceSpan};
use layout::frames::Read;
use layout::image::{ImageFormat, image_files};
use layout::render::{DEFAULT_BATCH, FrameSink, Part, SourceData, render};
use layout::sector::SectorType;
use layout::source::SourceError;
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

const DATA_SECTORS: u32 = 180_000;
const AUDIO_TRACKS: u32 = 98;
const AUDIO_SECTORS: u32 = 1_650;
const POOL: usize = 32 << 20;

fn project() -> layout::disc::Project {
    let mut c = ImageCreator::new();
    c.set_start_of_leadout_limit(LeadoutLimit::Minutes80)
        .unwrap_or(());
    let data = c.add_source("data.iso", SourceFormat::Binary).unwrap();
    c.add_track(
        SectorType::Mode1,
        SourceSpan {
            source: data,
            offset: 0,
            sectors: DATA_SECTORS,
        },
    )
    .unwrap();
    for k in 0..AUDIO_TRACKS {
        let s = c
            .add_source(format!("{k}.wav"), SourceFormat::Audio)
            .unwrap();
        c.add_track(
            SectorType::Audio,
            SourceSpan {
                source: s,
                offset: 0,
                sectors: AUDIO_SECTORS,
            },
        )
        .unwrap();
    }
    c.project().clone()
}

/// Sources read from one pseudo-random pool (memory stays constant).
struct Pool(Vec<u8>);

impl SourceData for Pool {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        let at = (read.offset as usize + read.source * 4099) % (POOL - buf.len());
        buf.copy_from_slice(&self.0[at..at + buf.len()]);
        Ok(())
    }
}

struct Null(u64);

impl FrameSink for Null {
    fn write(&mut self, _: Part, bytes: &[u8]) -> Result<(), SourceError> {
        self.0 += black_box(bytes).len() as u64;
        Ok(())
    }
}

fn pool() -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut v = Vec::with_capacity(POOL);
    while v.len() < POOL {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Builds one image; prints `mb_s rss_mb`.
fn child(format: &str) {
    let mut project = project();
    project.image_type = ImageType::Raw;
    let disc = Disc::plan(&project).unwrap();
    let fmt = if format == "ccd" {
        ImageFormat::CloneCd
    } else {
        ImageFormat::Raw
    };
    let stream = image_files(&disc, fmt, "x")
        .ok()
        .and_then(|f| f.frames)
        .expect("raw and ccd images have frames");
    let mut sources = Pool(pool());
    let mut sink = Null(0);
    let started = Instant::now();
    render(
        &disc,
        &stream,
        &mut sources,
        &mut sink,
        DEFAULT_BATCH,
        &mut |_, _| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let secs = started.elapsed().as_secs_f64();
    println!("{:.0} {:.1}", sink.0 as f64 / 1e6 / secs, peak_rss_mb());
}

fn run_child(format: &str) -> (f64, f64) {
    let exe = std::env::current_exe().unwrap_or_default();
    let out = Command::new(exe).arg("--child").arg(format).output();
    let text = out
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut it = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().unwrap_or(0.0));
    (it.next().unwrap_or(0.0), it.next().unwrap_or(0.0))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(args.get(i + 1).map_or("ccd", String::as_str));
        return;
    }
    let project = project();
    let mut best = Duration::MAX;
    for _ in 0..50 {
        let t = Instant::now();
        let disc = Disc::plan(black_box(&project));
        let toc = disc
            .as_ref()
            .map(|d| d.toc_format0(false))
            .unwrap_or_default();
        black_box(toc);
        best = best.min(t.elapsed());
    }
    let disc = Disc::plan(&project).unwrap();
    println!(
        "plan: {} tracks, lead-out at lba {}, planned with its toc in {:.0} us",
        disc.tracks().len(),
        disc.leadout(),
        best.as_secs_f64() * 1e6
    );
    let (ccd, ccd_rss) = run_child("ccd");
    println!("ccd (img + sub)     {ccd:>8.0} MB/s   peak rss {ccd_rss:.1} MB");
    let (raw, raw_rss) = run_child("raw");
    println!("raw 2448            {raw:>8.0} MB/s   peak rss {raw_rss:.1} MB");
    println!(
        "build plan_us={:.0} ccd_mb_s={ccd:.0} ccd_rss_mb={ccd_rss:.1} raw_mb_s={raw:.0} raw_rss_mb={raw_rss:.1}",
        best.as_secs_f64() * 1e6
    );
}
