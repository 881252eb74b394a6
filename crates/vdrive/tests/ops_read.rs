//! Reading a disc with `mmc::ops::read` against the virtual drive: the
//! sectors and sub-channel come back exactly as `layout` encoded them,
//! every session's program area is read, failed sectors are read again
//! one by one, every Bulk-Only fault recovers or names what it stopped,
//! and a cancel stops the read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{disc, render, sources};
use common::{BotLink, bot_link, one_fault};
use layout::msf::Lba;
use layout::subchannel::SubchannelFormat;
use mmc::engine::{Engine, Options, WriteMode, driver};
use mmc::ops::{self, Dump, Op, OpAction, OpError, OpEvent, ReadDisc};
use mmc::scsi::Link;
use std::sync::Arc;
use testkit::COMMAND_FAULTS;
use vdrive::{FaultPlan, MediaKind};

/// Three tracks: Mode 1 data, two audio.
const DISC: &str = r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.wav", "format": "audio" }],
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 600 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 700 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 500 } } ] }"#;

/// One audio track for a second session.
const SECOND: &str = r#"{ "sources": [{ "path": "b.wav", "format": "audio" }],
  "tracks": [ { "sectorType": "audio", "data": { "source": 0, "sectors": 400 } } ] }"#;

/// Burns project `json` on `link`.
fn burn(link: &mut dyn Link, json: &str, mode: WriteMode, finalize: bool) {
    let d = disc(json);
    let mut src = sources(&d);
    let options = Options {
        mode,
        finalize,
        opc: false,
        ..Options::default()
    };
    let mut engine = Engine::new(Arc::new(d), options);
    driver::run(&mut engine, link, &mut src, &mut |_| {}).unwrap();
}

/// What a read returned: its result, the sectors (2352 bytes each) and
/// their linear P-W, each run's first LBA, and the events.
struct Read {
    result: Result<Dump, OpError>,
    data: Vec<u8>,
    sub: Vec<u8>,
    runs: Vec<(i32, u32)>,
    events: Vec<OpEvent>,
}

fn read(link: &mut dyn Link, multisession: bool, stop_after: Option<usize>) -> Read {
    let mut op = Op::new(ReadDisc::new(multisession));
    let (mut data, mut sub, mut runs, mut events) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let result = ops::run_draining(
        &mut op,
        link,
        &mut |e| events.push(e.clone()),
        &|| false,
        &mut |steps: &mut ReadDisc| {
            if let Some(s) = steps.take() {
                runs.push((s.lba, s.count()));
                data.extend_from_slice(&s.data);
                sub.extend_from_slice(&s.subchannel);
            }
            stop_after.is_none_or(|n| runs.len() < n)
        },
    );
    Read {
        result,
        data,
        sub,
        runs,
        events,
    }
}

/// The sectors and linear P-W of `start..end` of project `json` as
/// `layout` encodes them.
fn expected(json: &str, start: i32, end: i32, base: i32) -> (Vec<u8>, Vec<u8>) {
    let d = disc(json);
    let mut src = sources(&d);
    let frames = render(
        &d,
        &mut src,
        Lba(start - base),
        Lba(end - base),
        SubchannelFormat::Linear,
        false,
    );
    let (mut data, mut sub) = (Vec::new(), Vec::new());
    for f in frames.chunks_exact(2352 + 96) {
        data.extend_from_slice(&f[..2352]);
        sub.extend_from_slice(&f[2352..]);
    }
    (data, sub)
}

fn direct() -> BotLink {
    bot_link(MediaKind::CdR, true, &FaultPlan::default())
}

#[test]
fn a_disc_reads_back_as_layout_encoded_it() {
    let mut link = direct();
    burn(&mut link, DISC, WriteMode::Sao, true);
    let r = read(&mut link, false, None);
    let dump = r.result.unwrap();
    let leadout = disc(DISC).leadout().get();
    assert_eq!(dump.sectors as i32, leadout);
    assert_eq!(dump.sessions.len(), 1);
    assert_eq!(dump.sessions[0].lead_out, leadout);
    assert_eq!(dump.subchannel, ops::SubRead::Raw);
    assert_eq!(dump.retried, 0);
    assert_eq!(dump.warnings, Vec::<String>::new());
    let (data, sub) = expected(DISC, 0, leadout, 0);
    assert!(r.data == data, "the sectors differ from layout's");
    assert!(r.sub == sub, "the sub-channel differs from layout's");
    // Runs of 26 sectors, in order, none missing.
    assert_eq!(r.runs[0], (0, ops::read::CHUNK));
    let mut next = 0;
    for (lba, n) in &r.runs {
        assert_eq!(*lba, next);
        next += *n as i32;
    }
    // The tracks with their modes, and Q's index points (track 2's
    // pregap of 150 sectors) as the plan has them.
    let got: Vec<(u8, u8, i32, u8)> = dump
        .tracks
        .iter()
        .map(|t| (t.number, t.control, t.start, t.mode))
        .collect();
    assert_eq!(got, [(1, 4, 0, 1), (2, 0, 900, 0), (3, 0, 1750, 0)]);
    let plan = disc(DISC);
    let starts: Vec<i32> = plan.tracks().iter().map(|t| t.start.get()).collect();
    assert_eq!(starts, [0, 900, 1750]);
    // Pregaps from Q where the plan has them: after the data track's
    // postgap (600-749), and between the audio tracks.
    let pregaps: Vec<i32> = plan.tracks().iter().map(|t| t.pregap_start.get()).collect();
    assert_eq!(pregaps[1..], [750, 1600]);
    assert_eq!(dump.tracks[1].indexes.get(&0), Some(&750));
    assert_eq!(dump.tracks[2].indexes.get(&0), Some(&1600));
    // Events: the read's progress with its LBA and counts, forward only,
    // ending at 1.
    let reading: Vec<&OpEvent> = r
        .events
        .iter()
        .filter(|e| e.sectors_total.is_some())
        .collect();
    assert!(!reading.is_empty());
    assert!(
        reading
            .iter()
            .all(|e| e.sectors_total == Some(leadout as u32))
    );
    let fractions: Vec<f64> = reading.iter().filter_map(|e| e.fraction).collect();
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    let last = r.events.last().unwrap();
    assert_eq!(last.action, OpAction::Done);
    assert_eq!(last.fraction, Some(1.0));
    assert_eq!(last.sectors_read, Some(leadout as u32));
    assert_eq!(last.retries, Some(0));
    assert!(serde_json::to_value(last).unwrap()["operation"] == "read");
}

#[test]
fn every_session_is_read_and_the_gap_between_them_skipped() {
    let mut link = direct();
    burn(&mut link, DISC, WriteMode::Tao, false);
    burn(&mut link, SECOND, WriteMode::Tao, true);
    // A format that cannot hold sessions: refused before reading.
    let r = read(&mut link, false, None);
    match r.result {
        Err(OpError::Unsuitable(why)) => assert!(why.contains("the disc has 2 sessions"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(r.runs.is_empty());

    let r = read(&mut link, true, None);
    let dump = r.result.unwrap();
    assert_eq!(dump.sessions.len(), 2);
    let (s1, s2) = (&dump.sessions[0], &dump.sessions[1]);
    assert_eq!(s1.first_sector, 0);
    // The second session's first track after the first's lead-out (6750),
    // its lead-in (4500) and its pregap (150).
    let t4 = dump.tracks.iter().find(|t| t.number == 4).unwrap();
    assert_eq!(t4.session, 2);
    assert_eq!(t4.start, s1.lead_out + 6750 + 4500 + 150);
    // Its first pregap is not read, as CloneCD images leave it out.
    assert_eq!(s2.first_sector, t4.start);
    let total = s1.lead_out + (s2.lead_out - s2.first_sector);
    assert_eq!(dump.sectors as i32, total);
    assert_eq!(r.data.len(), total as usize * 2352);
    // The first run of the second session starts at its first sector.
    assert!(r.runs.iter().any(|&(lba, _)| lba == s2.first_sector));
    assert!(
        r.runs
            .iter()
            .all(|&(lba, n)| lba + n as i32 <= s1.lead_out || lba >= s2.first_sector)
    );
    // Its audio is the second project's, placed at the session's start.
    let (data, _) = expected(SECOND, t4.start, s2.lead_out, t4.start);
    let at = s1.lead_out as usize * 2352;
    assert!(
        r.data[at..] == data[..],
        "the second session's audio differs"
    );
}

/// Fails READ CD number `nths` with a medium error.
fn medium_errors(nths: &[u32]) -> FaultPlan {
    let f: Vec<String> = nths
        .iter()
        .map(|n| {
            format!(r#"{{ "command": "READ CD", "nth": {n}, "fault": {{ "unitAttention": [3, 17, 0] }} }}"#)
        })
        .collect();
    FaultPlan::from_json(&format!(r#"{{ "faults": [{}] }}"#, f.join(","))).unwrap()
}

#[test]
fn failed_sectors_are_read_one_by_one_and_named_when_unreadable() {
    let mut clean = direct();
    burn(&mut clean, DISC, WriteMode::Sao, true);
    let want = read(&mut clean, false, None);

    // READ CD #1 is the probe of the sub-channel; #10 reads 208-233
    // after the first eight runs.
    let mut link = direct();
    burn(&mut link, DISC, WriteMode::Sao, true);
    link.pipe_mut()
        .device_mut()
        .set_faults(medium_errors(&[10]));
    let r = read(&mut link, false, None);
    let dump = r.result.unwrap();
    assert!(r.data == want.data && r.sub == want.sub);
    assert_eq!(
        dump.warnings,
        ["lba 208: 26 sectors read again one by one after the drive failed them together"]
    );
    assert_eq!(dump.retried, 0);
    // The first single read fails too: read again, counted as a retry,
    // with an event saying where.
    let mut link = direct();
    burn(&mut link, DISC, WriteMode::Sao, true);
    link.pipe_mut()
        .device_mut()
        .set_faults(medium_errors(&[10, 11]));
    let r = read(&mut link, false, None);
    assert_eq!(r.result.unwrap().retried, 1);
    assert!(r.data == want.data);
    assert!(r.events.iter().any(|e| {
        e.lba == Some(208)
            && e.message
                .as_deref()
                .is_some_and(|m| m.contains("sector by sector"))
    }));
    // Four failures of the same sector: unreadable, named.
    let mut link = direct();
    burn(&mut link, DISC, WriteMode::Sao, true);
    link.pipe_mut()
        .device_mut()
        .set_faults(medium_errors(&[10, 11, 12, 13, 14]));
    let r = read(&mut link, false, None);
    match r.result {
        Err(e @ OpError::Unreadable { .. }) => {
            assert_eq!(
                e.to_string(),
                "lba 208 (00:04:58) cannot be read: the drive failed it 4 times"
            );
            let OpError::Unreadable { why, .. } = e else {
                unreachable!()
            };
            assert_eq!(why, "3/11/00 unrecovered read error");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cancel_stops_the_read_at_the_next_run() {
    let mut link = direct();
    burn(&mut link, DISC, WriteMode::Sao, true);
    let r = read(&mut link, false, Some(3));
    assert!(
        matches!(r.result, Err(OpError::Cancelled(_))),
        "{:?}",
        r.result
    );
    assert_eq!(r.runs.len(), 3);
    assert_eq!(r.events.last().unwrap().action, OpAction::Cancelled);
}

#[test]
fn a_read_recovers_from_every_fault_or_names_the_transport() {
    let mut clean = direct();
    burn(&mut clean, DISC, WriteMode::Sao, true);
    let want = read(&mut clean, false, None);
    let want_dump = want.result.unwrap();
    // The full TOC and the CD-TEXT of the read (READ TOC #4, #5, after
    // the inspection's three), the probe and two runs of READ CD.
    for (command, nth) in [
        ("READ TOC/PMA/ATIP", 4),
        ("READ TOC/PMA/ATIP", 5),
        ("READ CD", 1),
        ("READ CD", 2),
        ("READ CD", 30),
    ] {
        for fault in COMMAND_FAULTS {
            let label = format!("{fault} on {command} #{nth}");
            let mut link = direct();
            burn(&mut link, DISC, WriteMode::Sao, true);
            link.pipe_mut()
                .device_mut()
                .set_faults(one_fault(command, nth, fault));
            let r = read(&mut link, false, None);
            match (fault, r.result) {
                (r#""disconnect""#, Err(OpError::Transport { .. })) => {}
                (r#""disconnect""#, other) => panic!("{label}: {other:?}"),
                (_, Ok(dump)) => {
                    assert!(r.data == want.data, "{label}: sectors");
                    assert!(r.sub == want.sub, "{label}: sub-channel");
                    assert_eq!(dump.tracks, want_dump.tracks, "{label}");
                    assert_eq!(dump.cd_text, want_dump.cd_text, "{label}");
                }
                (_, Err(e)) => panic!("{label}: {e}"),
            }
        }
    }
}
