//! The write engine against the virtual drive.
//!
//! 1. Throughput: a 74-minute disc (333,000 sectors, audio and data) burned
//!    in RAW96R through the Bulk-Only adapter to a drive that records as
//!    fast as data comes (frames discarded), on one core. Target: 78,000
//!    sectors per second (20× the 52× real-time rate).
//! 2. Streaming: the same engine against a 52× drive in virtual time, fed
//!    by a source that stalls for 200 ms every second, with the engine's
//!    transfers overlapped as an asynchronous driver would. Target: no
//!    buffer underrun (no link, no loss of streaming).
//!
//! Ends with one line: `engine sectors_per_s=N underruns=N`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::disc::{Disc, Project};
use layout::frames::Read;
use layout::render::SourceData;
use layout::source::SourceError;
use mmc::bot::{BotConfig, BotTransport};
use mmc::engine::{Completion, Engine, Options, Transfer, WriteMode, driver};
use mmc::scsi::{Clock, Transport};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vdrive::BulkOnly;
use vdrive::pipe::VirtualPipe;
use vdrive::store::DiscardStore;
use vdrive::{MediaKind, MediaSpec, Recorder, RecorderConfig};

/// A source that makes its bytes up: a 251-byte pattern by offset,
/// copied as a page cache would.
struct Pattern(Vec<u8>);

impl Pattern {
    fn new() -> Pattern {
        Pattern((0..1 << 20).map(|i: usize| (i * 7 % 251) as u8).collect())
    }
}

impl SourceData for Pattern {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        let mut at = (read.offset % 251) as usize;
        for chunk in buf.chunks_mut(1 << 19) {
            chunk.copy_from_slice(&self.0[at..at + chunk.len()]);
            at = (at + chunk.len()) % 251;
        }
        Ok(())
    }
}

/// 74 minutes: a Mode 1 track and 19 audio tracks.
fn disc() -> Disc {
    let mut tracks =
        vec![r#"{ "sectorType": "mode1", "data": { "source": 0, "sectors": 33000 } }"#.to_string()];
    for _ in 0..19 {
        tracks.push(
            r#"{ "sectorType": "audio", "data": { "source": 1, "sectors": 15600 } }"#.to_string(),
        );
    }
    let json = format!(
        r#"{{ "sources": [{{ "path": "d.iso" }}, {{ "path": "a.wav", "format": "audio" }}], "tracks": [{}] }}"#,
        tracks.join(",")
    );
    Disc::plan(&Project::from_json(&json).unwrap()).unwrap()
}

fn recorder(instant: bool) -> Recorder<DiscardStore> {
    let mut r = Recorder::new(
        DiscardStore::default(),
        RecorderConfig {
            instant,
            write_speeds: vec![4, 8, 16, 24, 32, 40, 48, 52],
            ..RecorderConfig::default()
        },
    );
    r.insert_blank(MediaSpec::new(MediaKind::CdR, 80).unwrap())
        .unwrap();
    r
}

/// The drive on USB: Bulk-Only device, virtual pipe, host adapter.
fn usb(r: Recorder<DiscardStore>) -> BotTransport<VirtualPipe<DiscardStore>> {
    BotTransport::new(VirtualPipe::new(BulkOnly::new(r)), BotConfig::default())
}

fn throughput(d: &Arc<Disc>) -> f64 {
    let mut link = usb(recorder(true));
    let options = Options {
        mode: WriteMode::Raw96r,
        opc: false,
        ..Options::default()
    };
    let mut engine = Engine::new(d.clone(), options);
    let t = Instant::now();
    let s = driver::run(&mut engine, &mut link, &mut Pattern::new(), &mut |_| {}).unwrap();
    s.sectors as f64 / t.elapsed().as_secs_f64()
}

/// Source bytes (main, R-W) or why not.
type ReadResult = Result<(Vec<u8>, Vec<u8>), SourceError>;

/// A source that takes time: 400 MB/s, plus 200 ms once every second.
struct Stalling {
    next_stall: Duration,
}

impl Stalling {
    fn cost(&mut self, now: Duration, bytes: usize) -> Duration {
        let mut d = Duration::from_secs_f64(bytes as f64 / 400e6);
        if now >= self.next_stall {
            d += Duration::from_millis(200);
            self.next_stall = now + Duration::from_secs(1);
        }
        d
    }
}

/// Runs the engine with its command and source read overlapped, in
/// virtual time; returns underruns (links and losses of streaming).
fn streaming(d: &Arc<Disc>) -> (u32, Duration) {
    let mut link = usb(recorder(false));
    let options = Options {
        mode: WriteMode::Raw96r,
        speed: Some(52),
        bufe: true,
        opc: false,
        ..Options::default()
    };
    let mut engine = Engine::new(d.clone(), options);
    let mut source = Stalling {
        next_stall: Duration::from_secs(1),
    };
    let mut pattern = Pattern::new();
    let mut now = Duration::ZERO;
    let mut command: Option<(Duration, mmc::scsi::ScsiOutcome)> = None;
    let mut read: Option<(Duration, ReadResult)> = None;
    engine.start(now);
    loop {
        while let Some(t) = engine.poll_transfer() {
            match t {
                Transfer::Command(r) => {
                    link.sleep_until(now);
                    let out = link.execute(&r);
                    command = Some((link.now(), out));
                }
                Transfer::Read(r) => {
                    let result = driver::read_source(&mut pattern, &r);
                    let bytes = result.as_ref().map_or(0, |(m, w)| m.len() + w.len());
                    read = Some((now + source.cost(now, bytes), result));
                }
                Transfer::Frames(_) => unreachable!("the bench's engine encodes its own frames"),
            }
        }
        while engine.poll_event().is_some() {}
        let next = [
            command.as_ref().map(|c| c.0),
            read.as_ref().map(|r| r.0),
            engine.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(t) = next else { break };
        now = now.max(t);
        if read.as_ref().is_some_and(|r| r.0 <= now) {
            let (_, r) = read.take().unwrap();
            engine.handle_completion(Completion::Read(r), now);
        } else if command.as_ref().is_some_and(|c| c.0 <= now) {
            let (_, c) = command.take().unwrap();
            engine.handle_completion(Completion::Command(c), now);
        } else {
            engine.handle_timeout(now);
        }
        if engine.is_finished() {
            break;
        }
    }
    match engine.outcome() {
        Some(Ok(_)) => {}
        Some(Err(e)) => panic!("streaming burn failed: {e}"),
        None => panic!("streaming burn did not end"),
    }
    let b = link.pipe().device().target().buffer();
    (b.links() + u32::from(b.underrun().is_some()), now)
}

fn main() {
    let d = Arc::new(disc());
    let sectors = throughput(&d);
    println!(
        "throughput: {sectors:.0} sectors/s ({:.1}x real time at 52x)",
        sectors / (52.0 * 75.0)
    );
    let (underruns, took) = streaming(&d);
    println!(
        "streaming at 52x with a 200 ms stall every second: {underruns} underruns, {:.1} s of virtual time",
        took.as_secs_f64()
    );
    println!("engine sectors_per_s={sectors:.0} underruns={underruns}");
}
