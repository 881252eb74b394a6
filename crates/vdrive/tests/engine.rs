//! The write engine burning every kind of disc in every write mode to the
//! virtual drive, read back and compared with what `layout` renders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{self, disc, render, sources};
use layout::disc::Disc;
use layout::msf::Lba;
use layout::subchannel::SubchannelFormat;
use mmc::engine::{Engine, EngineError, Event, Options, Summary, Verify, WriteMode, driver};
use std::sync::Arc;
use std::time::Duration;
use vdrive::direct::DirectTransport;
use vdrive::{MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, Status};

fn drive(instant: bool, kind: MediaKind, minutes: u8) -> DirectTransport<MemoryStore> {
    let mut r = Recorder::new(
        MemoryStore::new(),
        RecorderConfig {
            instant,
            ..RecorderConfig::default()
        },
    );
    r.insert_blank(MediaSpec::new(kind, minutes).unwrap())
        .unwrap();
    DirectTransport::new(r)
}

#[allow(clippy::ptr_arg)] // a `dyn SourceData` needs the sized Vec
fn burn(
    d: &Disc,
    src: &mut Vec<Vec<u8>>,
    options: Options,
    link: &mut DirectTransport<MemoryStore>,
) -> (Result<Summary, EngineError>, Vec<Event>) {
    let mut engine = Engine::new(Arc::new(d.clone()), options);
    let mut events = Vec::new();
    let r = driver::run(&mut engine, link, src, &mut |e| events.push(e.clone()));
    (r, events)
}

/// READ CD of `start..end` at the SCSI level: main channel + raw P-W.
fn read_back(link: &mut DirectTransport<MemoryStore>, start: i32, end: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lba = start;
    let now = Duration::from_secs(100_000);
    while lba < end {
        let n = (end - lba).min(64) as u32;
        let cdb = mmc::wire::command::ReadCd::raw(lba, n, mmc::wire::command::Subchannel::RawPw96)
            .to_bytes();
        let c = link.recorder_mut().execute(&cdb, &[], now);
        assert_eq!(
            c.status,
            Status::Good,
            "read cd at {lba}: {}",
            link.recorder().sense().sense
        );
        out.extend_from_slice(&c.data);
        lba += n as i32;
    }
    out
}

fn first_difference(
    got: &[u8],
    want: &[u8],
    start: i32,
    frame: usize,
    cmp: usize,
) -> Option<String> {
    for (k, (g, w)) in got.chunks(frame).zip(want.chunks(frame)).enumerate() {
        if g[..cmp] != w[..cmp] {
            let at = g.iter().zip(w).position(|(a, b)| a != b).unwrap();
            return Some(format!("lba {} byte {at}", start + k as i32));
        }
    }
    None
}

const MODES: [WriteMode; 5] = [
    WriteMode::Raw96r,
    WriteMode::Raw96p,
    WriteMode::Raw16,
    WriteMode::Sao,
    WriteMode::Tao,
];

/// Whether `mode` may refuse `name` (what it cannot carry).
fn refuses(mode: WriteMode, name: &str) -> bool {
    match mode {
        WriteMode::Raw96p | WriteMode::Raw16 => name == "cdtext",
        WriteMode::Tao => matches!(name, "cdtext" | "htoa" | "indexes"),
        _ => false,
    }
}

#[test]
fn every_mode_burns_every_disc_and_reads_back() {
    for (name, json) in discs::ALL {
        let d = disc(json);
        let mut src = sources(&d);
        for mode in MODES {
            let mut link = drive(true, MediaKind::CdR, 80);
            let options = Options {
                mode,
                verify: Some(Verify::Exact),
                ..Options::default()
            };
            let (r, events) = burn(&d, &mut src, options, &mut link);
            if refuses(mode, name) {
                let e = r.expect_err(&format!("{name} in {mode:?}"));
                assert!(matches!(e, EngineError::Mode(_)), "{name} {mode:?}: {e}");
                assert!(e.to_string().contains("cannot carry"), "{e}");
                // Refused up front: nothing was written.
                let info = link.recorder_mut().execute(
                    &[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0],
                    &[],
                    Duration::ZERO,
                );
                assert_eq!(info.data[2] & 3, 0, "{name} {mode:?}: still blank");
                continue;
            }
            let s = r.unwrap_or_else(|e| panic!("{name} in {mode:?}: {e}"));
            assert_eq!(s.mode, mode);
            assert!(s.verified, "{name} {mode:?}");
            assert_eq!(events.last().unwrap().action, mmc::engine::Action::Done);
            let start = if mode == WriteMode::Tao { 0 } else { -150 };
            if mode == WriteMode::Tao {
                // Tracks move by their run-out blocks: compare each track's
                // sectors where the drive put them.
                let mut shift = 0;
                for (i, t) in d.tracks().iter().enumerate() {
                    if i > 0 {
                        shift += 2 + if t.is_audio() {
                            0
                        } else {
                            150 - t.pregap_sectors() as i32
                        };
                    }
                    let want = render(
                        &d,
                        &mut src,
                        t.start,
                        t.data_end,
                        SubchannelFormat::None,
                        false,
                    );
                    let got = read_back(&mut link, t.start.get() + shift, t.data_end.get() + shift);
                    let main: Vec<u8> = got.chunks(2448).flat_map(|f| f[..2352].to_vec()).collect();
                    for (k, (g, w)) in main.chunks(2352).zip(want.chunks(2352)).enumerate() {
                        let at = t.start.get() + shift + k as i32;
                        if t.is_audio() {
                            assert!(g == w, "{name} tao: audio at lba {at}");
                            continue;
                        }
                        // Data sectors carry the drive's address: consistent
                        // there, with the image's user data.
                        let w: &[u8; 2352] = w.try_into().unwrap();
                        let g: &[u8; 2352] = g.try_into().unwrap();
                        let report = layout::sector::check_sector(g, Default::default());
                        assert!(
                            report.is_consistent() && report.lba == Some(Lba(at)),
                            "{name} tao: lba {at} {report:?}"
                        );
                        let user = match layout::sector::check_sector(w, Default::default()).kind {
                            layout::sector::SectorKind::Mode1 => 16..2064,
                            _ => 24..2072,
                        };
                        assert!(
                            g[user.clone()] == w[user],
                            "{name} tao: user data at lba {at}"
                        );
                    }
                }
                continue;
            }
            // The whole program area, bit for bit; with raw P-W, the
            // subchannel too.
            let want = render(
                &d,
                &mut src,
                Lba(start),
                d.leadout(),
                SubchannelFormat::Interleaved,
                false,
            );
            let got = read_back(&mut link, start, d.leadout().get());
            let cmp = if mode == WriteMode::Raw96r {
                2448
            } else {
                2352
            };
            if let Some(at) = first_difference(&got, &want, start, 2448, cmp) {
                panic!("{name} in {mode:?}: {at}");
            }
            // The TOC the drive reports is the plan's.
            let toc = link.recorder_mut().execute(
                &[0x43, 0, 0, 0, 0, 0, 0, 0x10, 0, 0],
                &[],
                Duration::from_secs(100_000),
            );
            assert_eq!(toc.data, d.toc_format0(false), "{name} {mode:?}");
        }
    }
}

#[test]
fn a_disc_too_small_fails_before_writing() {
    let json = r#"{ "sources": [{ "path": "d.iso" }],
      "leadoutLimit": "minutes99",
      "tracks": [ { "sectorType": "mode1", "data": { "source": 0, "sectors": 340000 } } ] }"#;
    let p = layout::disc::Project::from_json(json);
    let d = match p {
        Ok(p) => Disc::plan(&p).unwrap(),
        Err(e) => panic!("{e}"),
    };
    let mut src: Vec<Vec<u8>> = vec![Vec::new()];
    let mut link = drive(true, MediaKind::CdR, 74);
    let (r, _) = burn(&d, &mut src, Options::default(), &mut link);
    let e = r.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the disc needs 340000 sectors (75:35:25) up to its lead-out; the media holds 332849 (73:59:74)"
    );
    assert!(
        link.recorder().store().meta().is_empty()
            || link.recorder().disc().unwrap().sessions.is_empty()
    );
}

#[test]
fn simulation_writes_nothing() {
    let d = disc(discs::MIXED);
    let mut src = sources(&d);
    for mode in MODES {
        let mut link = drive(true, MediaKind::CdRw, 80);
        let options = Options {
            mode,
            simulate: true,
            ..Options::default()
        };
        let (r, events) = burn(&d, &mut src, options, &mut link);
        let s = r.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(s.simulated);
        assert!(
            events
                .last()
                .unwrap()
                .message
                .as_deref()
                .unwrap()
                .contains("nothing was written")
        );
        let disc = link.recorder().disc().unwrap();
        assert!(
            disc.sessions.is_empty() && disc.open.is_none(),
            "{mode:?}: {disc:?}"
        );
    }
}

/// Six audio tracks of 1700 sectors: 10,200 sectors, with the lead-in
/// (11,485), six pregaps (900) and the lead-out (6750) 29,335 to record.
fn six_audio_tracks() -> Disc {
    let track = r#"{ "sectorType": "audio", "data": { "source": 0, "sectors": 1700 } }"#;
    disc(&format!(
        r#"{{ "sources": [{{ "path": "a.wav", "format": "audio" }}], "tracks": [{}] }}"#,
        [track; 6].join(",")
    ))
}

#[test]
fn a_timed_burn_reports_progress_and_speed() {
    // Six audio tracks of 1700 sectors: 10,200 sectors, 8.5 s at 16x.
    let d = six_audio_tracks();
    let mut src = sources(&d);
    let mut link = drive(false, MediaKind::CdR, 80);
    let options = Options {
        mode: WriteMode::Sao,
        speed: Some(16),
        opc: false,
        ..Options::default()
    };
    let (r, events) = burn(&d, &mut src, options, &mut link);
    let s = r.unwrap();
    // Lead-in 11485, pregaps 150 x 6, data 10,200 and lead-out 6750
    // sectors at 16x (1200 a second).
    let want = (11_485 + 900 + 10_200 + 6750) as f64 / 1200.0;
    assert!(
        (s.elapsed.as_secs_f64() - want).abs() < 0.5,
        "{:?} vs {want}",
        s.elapsed
    );
    let writing: Vec<&Event> = events
        .iter()
        .filter(|e| e.action == mmc::engine::Action::WritingTrack)
        .collect();
    assert!(writing.len() >= 10, "{} writing events", writing.len());
    let last = writing.last().unwrap();
    assert!(
        last.speed_x > 10.0 && last.speed_x < 20.0,
        "{}",
        last.speed_x
    );
    // Progress for a bar: from 0, never back, 1 only when done; the first
    // writing event near the start (not at the share of sectors the drive
    // took into its buffer); the estimate unknown, then known to the end.
    let fractions: Vec<f64> = events.iter().map(|e| e.fraction).collect();
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert_eq!(fractions.last(), Some(&1.0));
    assert!(fractions[..fractions.len() - 1].iter().all(|&f| f < 1.0));
    let first_writing = events
        .iter()
        .find(|e| e.phase == mmc::engine::Phase::Writing)
        .unwrap();
    assert!(first_writing.fraction < 0.05, "{}", first_writing.fraction);
    let known = events
        .iter()
        .position(|e| e.remaining_ms.is_some())
        .unwrap();
    assert!(events[..known].iter().all(|e| e.remaining_ms.is_none()));
    assert!(events[known..].iter().all(|e| e.remaining_ms.is_some()));
    let mid = &events[(known + events.len()) / 2];
    let left = mid.remaining_ms.unwrap() as f64 / 1000.0;
    let actual = s.elapsed.as_secs_f64() - mid.elapsed_ms as f64 / 1000.0;
    assert!(
        (left - actual).abs() < 0.15 * want,
        "{left} s left, {actual} s in fact"
    );
    for e in &events {
        assert_eq!(e.schema, mmc::engine::SCHEMA);
        assert_eq!(
            e.used_system_buffer + e.free_system_buffer,
            e.total_system_buffer
        );
        assert!(
            e.last_written_lba <= e.last_read_lba || e.action != mmc::engine::Action::WritingTrack
        );
        let json = e.to_json();
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, e);
    }
}

#[test]
fn a_speed_the_drive_does_not_offer_rounds_down_to_one_it_does() {
    // The virtual drive offers 4x to 48x in steps of 8x above 8x: 20x
    // burns at 16x (the same time as asking for 16x), 400x at 48x.
    let d = six_audio_tracks();
    let sectors = (11_485 + 900 + 10_200 + 6750) as f64;
    for (asked, x, note) in [
        (
            20,
            16.0,
            "at 16x, the fastest the drive offers below the 20x asked for",
        ),
        (400, 48.0, "at 48x, the drive's fastest (400x asked for)"),
        (2, 4.0, "at 4x, the drive's slowest (2x asked for)"),
    ] {
        let mut src = sources(&d);
        let mut link = drive(false, MediaKind::CdR, 80);
        let options = Options {
            mode: WriteMode::Sao,
            speed: Some(asked),
            opc: false,
            ..Options::default()
        };
        let (r, events) = burn(&d, &mut src, options, &mut link);
        let s = r.unwrap();
        assert_eq!(s.speed.as_deref(), Some(note));
        let want = sectors / (75.0 * x);
        assert!(
            (s.elapsed.as_secs_f64() - want).abs() < 0.5,
            "{asked}x: {:?} vs {want}",
            s.elapsed
        );
        let said = events
            .iter()
            .find_map(|e| e.message.clone())
            .unwrap_or_default();
        assert_eq!(said, format!("writing in sao as asked, {note}"), "{asked}x");
    }
    // Without a speed: the drive's fastest, and no word about it.
    let mut src = sources(&d);
    let mut link = drive(true, MediaKind::CdR, 80);
    let (r, _) = burn(
        &d,
        &mut src,
        Options {
            opc: false,
            ..Options::default()
        },
        &mut link,
    );
    assert_eq!(r.unwrap().speed, None);
}

/// Drives `engine` by hand, calling `each` before every command it hands
/// out (to cancel, or to change the request on its way).
#[allow(clippy::ptr_arg)] // a `dyn SourceData` needs the sized Vec
fn drive_by_hand(
    engine: &mut Engine,
    link: &mut DirectTransport<MemoryStore>,
    src: &mut Vec<Vec<u8>>,
    mut each: impl FnMut(&mut Engine, &mut mmc::scsi::ScsiRequest),
) -> Result<Summary, EngineError> {
    use mmc::engine::{Completion, Transfer};
    use mmc::scsi::{Clock, Transport};
    engine.start(link.now());
    for _ in 0..1_000_000 {
        match engine.poll_transfer() {
            Some(Transfer::Command(mut r)) => {
                each(engine, &mut r);
                let out = link.execute(&r);
                engine.handle_completion(Completion::Command(out), link.now());
            }
            Some(Transfer::Read(read)) => {
                let r = driver::read_source(src, &read);
                engine.handle_completion(Completion::Read(r), link.now());
            }
            Some(Transfer::Frames(_)) => panic!("frames were not shared"),
            None => match engine.poll_timeout() {
                Some(t) if engine.outcome().is_none() => {
                    link.sleep_until(t);
                    engine.handle_timeout(link.now());
                }
                _ => break,
            },
        }
    }
    engine.outcome().cloned().expect("an outcome")
}

#[test]
fn cancel_stops_at_a_safe_point_and_says_what_is_left() {
    let d = disc(discs::DATA);
    let mut src = sources(&d);
    // Before writing: the disc is unchanged.
    let mut link = drive(true, MediaKind::CdR, 80);
    let mut engine = Engine::new(Arc::new(d.clone()), Options::default());
    engine.cancel();
    let e = drive_by_hand(&mut engine, &mut link, &mut src, |_, _| {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cancelled: before writing: the disc is unchanged"
    );
    assert!(link.recorder().disc().unwrap().sessions.is_empty());
    // During writing: after the third WRITE.
    let mut link = drive(true, MediaKind::CdR, 80);
    let mut engine = Engine::new(
        Arc::new(d.clone()),
        Options {
            mode: WriteMode::Sao,
            ..Options::default()
        },
    );
    let mut writes = 0;
    let e = drive_by_hand(&mut engine, &mut link, &mut src, |e, r| {
        if r.opcode() == 0x2a {
            writes += 1;
            if writes == 3 {
                e.cancel();
            }
        }
    })
    .unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("cancelled: after lba "), "{text}");
    assert!(text.contains("a CD-R is unusable"), "{text}");
    // The tray was unlocked on the way out.
    assert!(!link.recorder().locked());
}

#[test]
fn verify_finds_the_first_sector_that_differs() {
    let d = disc(discs::MIXED);
    let mut src = sources(&d);
    let mut link = drive(true, MediaKind::CdR, 80);
    let options = Options {
        mode: WriteMode::Sao,
        verify: Some(Verify::Exact),
        ..Options::default()
    };
    let mut engine = Engine::new(Arc::new(d.clone()), options);
    // Damage one block on its way: the WRITE that carries LBA 100.
    let e = drive_by_hand(&mut engine, &mut link, &mut src, |_, r| {
        if r.opcode() == 0x2a {
            let lba = i32::from_be_bytes(r.cdb[2..6].try_into().unwrap());
            let blocks = u16::from_be_bytes([r.cdb[7], r.cdb[8]]) as i32;
            if (lba..lba + blocks).contains(&100)
                && let mmc::scsi::DataPhase::Out(data) = &mut r.data
            {
                data[(100 - lba) as usize * 2048 + 7] ^= 0x40;
            }
        }
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "verify: lba 100 differs from the image (byte 23 of the sector)"
    );
}

#[test]
fn events_come_at_least_every_half_second() {
    let d = disc(discs::AUDIO);
    let mut src = sources(&d);
    let mut link = drive(false, MediaKind::CdR, 80);
    let options = Options {
        mode: WriteMode::Raw96r,
        speed: Some(4),
        ..Options::default()
    };
    let (r, events) = burn(&d, &mut src, options, &mut link);
    r.unwrap();
    // While writing (the drive records the lead-in for 38 s at 4x), no
    // gap between events exceeds the interval plus one WRITE's time.
    let writing: Vec<&Event> = events
        .iter()
        .filter(|e| {
            matches!(
                e.action,
                mmc::engine::Action::WritingLeadIn
                    | mmc::engine::Action::WritingTrack
                    | mmc::engine::Action::WritingLeadOut
            )
        })
        .collect();
    assert!(writing.len() > 100, "{}", writing.len());
    for w in writing.windows(2) {
        assert!(
            w[1].elapsed_ms - w[0].elapsed_ms <= 600,
            "{} -> {}",
            w[0].elapsed_ms,
            w[1].elapsed_ms
        );
        assert!(w[1].last_written_lba >= w[0].last_written_lba);
    }
    let actions: Vec<_> = writing.iter().map(|e| e.action).collect();
    assert_eq!(actions.first(), Some(&mmc::engine::Action::WritingLeadIn));
    assert_eq!(actions.last(), Some(&mmc::engine::Action::WritingLeadOut));
}

#[test]
fn streaming_write12_and_small_transfers() {
    let d = disc(discs::MIXED);
    let mut src = sources(&d);
    for (write12, max_transfer) in [(true, 1 << 20), (false, 4096)] {
        let mut link = drive(true, MediaKind::CdR, 80);
        let options = Options {
            mode: WriteMode::Raw96r,
            write12,
            max_transfer,
            verify: Some(Verify::Exact),
            ..Options::default()
        };
        let mut engine = Engine::new(Arc::new(d.clone()), options);
        let mut sizes = Vec::new();
        let r = drive_by_hand(&mut engine, &mut link, &mut src, |_, r| {
            if matches!(r.opcode(), 0x2a | 0xaa) {
                sizes.push((r.opcode(), r.data.len(), r.cdb.get(10).copied()));
            }
        });
        assert!(r.unwrap().verified);
        // WRITE(12) with the streaming bit; every transfer within the size
        // (2448-byte blocks: 428 per MiB, one per 4 KiB).
        let (op, _, flags) = sizes[0];
        if write12 {
            assert_eq!((op, flags), (0xaa, Some(0x80)));
            assert!(sizes.iter().all(|s| s.1 <= 428 * 2448));
        } else {
            assert_eq!(op, 0x2a);
            assert!(sizes.iter().all(|s| s.1 == 2448));
        }
    }
}

/// Frames encoded in the shared form on request, as a duplicator's spool
/// serves them, counting the frames it made.
struct Shared<'a> {
    disc: &'a Disc,
    src: Vec<Vec<u8>>,
    made: u64,
}

impl driver::SharedFrames for Shared<'_> {
    fn frames(
        &mut self,
        read: &mmc::engine::FrameRead,
    ) -> Result<Vec<u8>, layout::source::SourceError> {
        use layout::frames::{FrameEncoder, FrameOptions, SHARED_FRAME, SHARED_SUBCHANNEL};
        use layout::render::SourceData;
        let mut enc = FrameEncoder::new(
            self.disc,
            FrameOptions {
                start: read.lba,
                end: Lba(read.lba.get() + read.sectors as i32),
                subchannel: SHARED_SUBCHANNEL,
                scramble: false,
            },
        )
        .unwrap();
        let mut out = vec![0; read.sectors as usize * SHARED_FRAME];
        let mut at = 0;
        while let Some(b) = enc.next_batch(64) {
            let mut main = vec![0; b.main.map_or(0, |x| x.len)];
            if let Some(x) = &b.main {
                self.src.read(x, &mut main)?;
            }
            let mut rw = vec![0; b.rw.map_or(0, |x| x.len)];
            if let Some(x) = &b.rw {
                self.src.read(x, &mut rw)?;
            }
            let n = b.sectors as usize * SHARED_FRAME;
            enc.encode(&b, &main, &rw, &mut out[at..at + n]).unwrap();
            at += n;
        }
        self.made += u64::from(read.sectors);
        Ok(out)
    }
}

#[test]
fn shared_frames_burn_the_discs_the_engine_encodes_itself() {
    for (name, json) in discs::ALL {
        let d = disc(json);
        for mode in MODES {
            if refuses(mode, name) {
                continue;
            }
            let options = Options {
                mode,
                verify: Some(Verify::Exact),
                ..Options::default()
            };
            let mut own = drive(true, MediaKind::CdR, 80);
            let (r, _) = burn(&d, &mut sources(&d), options.clone(), &mut own);
            let alone = r.unwrap_or_else(|e| panic!("{name} in {mode:?}: {e}"));
            let mut link = drive(true, MediaKind::CdR, 80);
            let mut engine = Engine::new(Arc::new(d.clone()), options);
            engine.share_frames();
            let mut shared = Shared {
                disc: &d,
                src: sources(&d),
                made: 0,
            };
            let s = driver::run_with(
                &mut engine,
                &mut link,
                driver::Data::Frames(&mut shared),
                &mut |_| {},
                &|| false,
            )
            .unwrap_or_else(|e| panic!("{name} in {mode:?}, shared: {e}"));
            assert!(s.verified, "{name} {mode:?}");
            assert_eq!(s.sectors, alone.sectors, "{name} {mode:?}");
            // Every frame written and verified came from the supplier.
            assert!(shared.made >= s.sectors, "{name} {mode:?}");
            let end = d.leadout().get() + 300;
            assert!(
                read_back(&mut link, -150, end) == read_back(&mut own, -150, end),
                "{name} in {mode:?}: the discs differ"
            );
        }
    }
}

#[test]
fn a_driver_without_shared_frames_fails_the_burn_cleanly() {
    let d = six_audio_tracks();
    let mut link = drive(true, MediaKind::CdR, 80);
    let mut engine = Engine::new(Arc::new(d.clone()), Options::default());
    engine.share_frames();
    let e = driver::run(&mut engine, &mut link, &mut sources(&d), &mut |_| {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "reading the source for lba -11635: the engine asked for shared frames, and only sources \
         were given; nothing was written: the disc is still blank"
    );
}
