//! The drive operations of `mmc::ops` (inspect, blank, the tray) against
//! the virtual drive: what they report, their progress, their retries
//! and their refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{disc, sources};
use mmc::engine::{Engine, EngineError, Options, Summary, WriteMode, driver};
use mmc::ops::{
    self, Blank, BlankKind, Inspect, MediaReport, Op, OpAction, OpError, OpEvent, Steps, Tray,
    TrayAction,
};
use std::sync::Arc;
use vdrive::direct::DirectTransport;
use vdrive::{MediaKind, MemoryStore};

fn drive(instant: bool, kind: MediaKind) -> DirectTransport<MemoryStore> {
    DirectTransport::new(common::blank_recorder(kind, instant))
}

fn run<S: Steps>(
    link: &mut DirectTransport<MemoryStore>,
    steps: S,
) -> (Result<S::Output, OpError>, Vec<OpEvent>) {
    let mut op = Op::new(steps);
    let mut events = Vec::new();
    let r = ops::run(&mut op, link, &mut |e| events.push(e.clone()), &|| false);
    (r, events)
}

fn inspect(link: &mut DirectTransport<MemoryStore>) -> MediaReport {
    run(link, Inspect::new()).0.unwrap()
}

/// Three tracks: Mode 1 data, two audio.
const DISC: &str = r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.wav", "format": "audio" }],
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 600 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 700 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 500 } } ] }"#;

/// Burns the disc of project `json` with `options` (no OPC).
fn burn_disc(
    link: &mut DirectTransport<MemoryStore>,
    json: &str,
    options: Options,
) -> Result<Summary, EngineError> {
    let d = disc(json);
    let mut src = sources(&d);
    let options = Options {
        opc: false,
        ..options
    };
    let mut engine = Engine::new(Arc::new(d), options);
    driver::run(&mut engine, link, &mut src, &mut |_| {})
}

/// Burns [`DISC`] in TAO, closing the disc or leaving it appendable.
fn burn(link: &mut DirectTransport<MemoryStore>, finalize: bool) {
    let options = Options {
        mode: WriteMode::Tao,
        finalize,
        ..Options::default()
    };
    burn_disc(link, DISC, options).unwrap();
}

#[test]
fn a_blank_disc_and_what_the_drive_offers() {
    let mut link = drive(true, MediaKind::CdR);
    let (r, events) = run(&mut link, Inspect::new());
    let m = r.unwrap();
    assert_eq!(m.drive, "RAWBURN Virtual CD-RW 1.0");
    assert_eq!(
        (m.vendor.as_str(), m.product.as_str()),
        ("RAWBURN", "Virtual CD-RW")
    );
    assert!(m.disc && !m.tray_open);
    assert_eq!(
        (m.media.as_str(), m.profile, m.status.as_str()),
        ("CD-R", 9, "blank")
    );
    assert!(
        m.profiles.contains(&9) && m.profiles.contains(&10),
        "{:?}",
        m.profiles
    );
    assert!(!m.erasable);
    // An 80-minute CD-R: lead-out by 79:59:74.
    assert_eq!(m.capacity, Some(359_849));
    assert_eq!(m.last_lead_out.as_deref(), Some("79:59:74"));
    assert_eq!(m.write_speeds, [48.0, 40.0, 32.0, 24.0, 16.0, 8.0, 4.0]);
    assert_eq!(m.write_modes, ["raw96r", "raw96p", "raw16", "sao", "tao"]);
    assert!(m.test_write && m.bufe);
    assert!(m.session_list.is_empty() && m.multisession.is_none());
    let actions: Vec<OpAction> = events.iter().map(|e| e.action).collect();
    assert_eq!(actions, [OpAction::Starting, OpAction::Done]);
    assert!(events.iter().all(|e| e.schema == mmc::engine::SCHEMA));
}

#[test]
fn sessions_tracks_and_the_next_session_of_an_appendable_disc() {
    let mut link = drive(true, MediaKind::CdR);
    burn(&mut link, false);
    let m = inspect(&mut link);
    assert_eq!((m.status.as_str(), m.sessions), ("appendable", 2));
    assert_eq!(m.session_list.len(), 1);
    let s = &m.session_list[0];
    assert_eq!(s.number, 1);
    let tracks: Vec<(u8, i32, u8)> = s
        .tracks
        .iter()
        .map(|t| (t.number, t.start, t.control))
        .collect();
    // TAO: each track after the first starts after its predecessor's
    // run-out and link blocks and its own 150-sector pregap.
    assert_eq!(tracks.len(), 3);
    assert_eq!(tracks[0], (1, 0, 4));
    assert_eq!((tracks[1].0, tracks[1].2), (2, 0));
    assert_eq!((tracks[2].0, tracks[2].2), (3, 0));
    assert!(tracks[1].1 >= 600 + 150 && tracks[2].1 >= tracks[1].1 + 700 + 150);
    let (last_start, next) = m.multisession.unwrap();
    assert_eq!(last_start, 0);
    // The next session starts after the lead-out (6750) and the next
    // lead-in and pregap (4500 + 150): cdrecord -msinfo's second value.
    assert_eq!(next, s.lead_out + 6750 + 4500 + 150);

    // Closed: finalized, no next session.
    let mut link = drive(true, MediaKind::CdR);
    burn(&mut link, true);
    let m = inspect(&mut link);
    assert_eq!(m.status, "finalized");
    assert!(m.multisession.is_none());
}

#[test]
fn no_disc_and_the_tray() {
    let mut link = drive(true, MediaKind::CdRw);
    let (r, events) = run(&mut link, Tray::new(TrayAction::Eject));
    r.unwrap();
    assert_eq!(events.last().unwrap().action, OpAction::Done);
    assert!(link.recorder().tray_open());
    let m = inspect(&mut link);
    assert!(!m.disc && m.tray_open, "{m:?}");
    assert!(m.media.is_empty() && m.status.is_empty());
    // A blank needs a disc, and says the tray is open.
    let (r, events) = run(&mut link, Blank::new(BlankKind::Minimal));
    assert_eq!(r.unwrap_err(), OpError::NoDisc { tray_open: true });
    assert_eq!(
        events.last().unwrap().message.as_deref(),
        Some("no disc in the drive (its tray is open)")
    );
    run(&mut link, Tray::new(TrayAction::Load)).0.unwrap();
    assert!(!link.recorder().tray_open());
    assert!(inspect(&mut link).disc);
    run(&mut link, Tray::new(TrayAction::Lock)).0.unwrap();
    assert!(link.recorder().locked());
    run(&mut link, Tray::new(TrayAction::Unlock)).0.unwrap();
    assert!(!link.recorder().locked());
    // Eject lets a locked tray go first.
    run(&mut link, Tray::new(TrayAction::Lock)).0.unwrap();
    run(&mut link, Tray::new(TrayAction::Eject)).0.unwrap();
    assert!(link.recorder().tray_open() && !link.recorder().locked());
}

#[test]
fn blanking_reports_the_drives_progress_to_the_end() {
    for (kind, status) in [(BlankKind::Minimal, "blank"), (BlankKind::Full, "blank")] {
        let mut link = drive(false, MediaKind::CdRw);
        burn(&mut link, true);
        let (r, events) = run(&mut link, Blank::new(kind));
        let before = r.unwrap();
        assert_eq!(before.status, "finalized");
        let fractions: Vec<f64> = events.iter().filter_map(|e| e.fraction).collect();
        assert!(fractions.len() > 3, "{kind:?}: {fractions:?}");
        assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
        assert_eq!(fractions.last(), Some(&1.0));
        assert!(
            fractions.iter().any(|&f| f > 0.2 && f < 0.9),
            "{fractions:?}"
        );
        // An estimate of the time left once progress gave a rate.
        assert!(
            events
                .iter()
                .any(|e| e.remaining_ms.is_some_and(|ms| ms > 0))
        );
        assert_eq!(events.last().unwrap().action, OpAction::Done);
        let after = inspect(&mut link);
        assert_eq!(after.status, status, "{kind:?}");
    }
}

#[test]
fn blanking_refuses_what_cannot_be_blanked() {
    let mut link = drive(true, MediaKind::CdR);
    let (r, _) = run(&mut link, Blank::new(BlankKind::Minimal));
    assert_eq!(
        r.unwrap_err(),
        OpError::Unsuitable("the disc is a CD-R: only a CD-RW can be blanked".to_string())
    );
    let mut link = drive(true, MediaKind::CdRw);
    let (r, _) = run(&mut link, Blank::new(BlankKind::Session));
    assert_eq!(
        r.unwrap_err(),
        OpError::Unsuitable("the disc is blank: it has no session to erase".to_string())
    );
}

#[test]
fn a_cancel_before_the_erase_stops_it_and_after_lets_it_finish() {
    let mut link = drive(false, MediaKind::CdRw);
    burn(&mut link, true);
    let mut op = Op::new(Blank::new(BlankKind::Full));
    let r = ops::run(&mut op, &mut link, &mut |_| {}, &|| true);
    assert!(matches!(r, Err(OpError::Cancelled(_))), "{r:?}");
    assert_eq!(inspect(&mut link).status, "finalized");

    // Once BLANK is sent, a cancel waits for the drive to finish.
    let mut op = Op::new(Blank::new(BlankKind::Minimal));
    let mut erasing = false;
    let r = ops::run(
        &mut op,
        &mut link,
        &mut |e| erasing |= e.fraction.is_some(),
        &|| false,
    );
    r.unwrap();
    assert!(erasing);
    assert_eq!(inspect(&mut link).status, "blank");
}

#[test]
fn a_session_is_added_to_an_appendable_disc_and_verified() {
    let mut link = drive(true, MediaKind::CdR);
    burn(&mut link, false);
    let before = inspect(&mut link);
    let (_, next) = before.multisession.unwrap();
    // Session 2: a data track and an audio track, verified; left open
    // again, then a third, closing the disc.
    for (finalize, first_number, sessions) in [(false, 4, 3), (true, 6, 3)] {
        let json = r#"{ "sources": [{ "path": "d.iso" }, { "path": "a.wav", "format": "audio" }],
  "tracks": [
    { "sectorType": "mode1", "data": { "source": 0, "sectors": 400 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": 500 } } ] }"#;
        let options = Options {
            finalize,
            verify: Some(mmc::engine::Verify::Exact),
            ..Options::default()
        };
        let s = burn_disc(&mut link, json, options).unwrap();
        assert_eq!(s.mode, WriteMode::Tao);
        assert!(s.verified);
        assert_eq!(
            s.reason,
            format!(
                "tao: a session added to an appendable disc (its tracks numbered from {first_number})"
            )
        );
        let m = inspect(&mut link);
        assert_eq!(m.sessions, sessions, "{m:?}");
        let last = m.session_list.last().unwrap();
        let numbers: Vec<u8> = last.tracks.iter().map(|t| t.number).collect();
        assert_eq!(numbers, [first_number, first_number + 1]);
        if first_number == 4 {
            assert_eq!(last.tracks[0].start, next);
            assert_eq!(m.status, "appendable");
        } else {
            assert_eq!(m.status, "finalized");
        }
    }
    // A finalized disc takes no more.
    let err = burn_disc(&mut link, DISC, Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        mmc::engine::EngineError::NotBlank("finalized").to_string()
    );
}

#[test]
fn a_session_is_added_in_sao_when_asked_and_never_in_raw() {
    let mut link = drive(true, MediaKind::CdR);
    burn(&mut link, false);
    let (_, next) = inspect(&mut link).multisession.unwrap();
    let raw = Options {
        mode: WriteMode::Raw96r,
        ..Options::default()
    };
    let err = burn_disc(&mut link, DISC, raw).unwrap_err();
    assert!(
        err.to_string().contains("a session is added in tao or sao"),
        "{err}"
    );

    // Session 2 in SAO: its cue sheet moved to the session's start and
    // its tracks numbered after the disc's, read back and compared.
    let sao = Options {
        mode: WriteMode::Sao,
        verify: Some(mmc::engine::Verify::Exact),
        ..Options::default()
    };
    let s = burn_disc(&mut link, DISC, sao).unwrap();
    assert_eq!(s.mode, WriteMode::Sao);
    assert!(s.verified);
    let m = inspect(&mut link);
    assert_eq!(m.status, "finalized");
    let last = m.session_list.last().unwrap();
    let tracks: Vec<(u8, i32, u8)> = last
        .tracks
        .iter()
        .map(|t| (t.number, t.start, t.control))
        .collect();
    // SAO keeps the plan's layout: 600 data sectors, then the audio
    // tracks with their 150-sector pregaps (from the project).
    assert_eq!(tracks[0], (4, next, 4));
    assert_eq!(tracks.iter().map(|t| t.0).collect::<Vec<_>>(), [4, 5, 6]);
    let d = disc(DISC);
    let starts: Vec<i32> = d.tracks().iter().map(|t| t.start.get() + next).collect();
    assert_eq!(tracks.iter().map(|t| t.1).collect::<Vec<_>>(), starts);
    assert_eq!(last.lead_out, d.leadout().get() + next);
}

#[test]
fn the_lead_in_cd_text_is_reported() {
    let mut link = drive(true, MediaKind::CdR);
    let json = r#"{ "sources": [{ "path": "a.wav", "format": "audio" }],
  "tracks": [
    { "sectorType": "audio", "data": { "source": 0, "sectors": 700 } },
    { "sectorType": "audio", "data": { "source": 0, "sectors": 500 } } ],
  "cdtext": { "blocks": [ { "disc": { "title": "Burned", "performer": "rawburn" },
    "tracks": [ { "title": "One" }, { "title": "Two", "performer": "Guest" } ] } ] } }"#;
    let want = disc(json).project().cdtext.clone();
    let sao = Options {
        mode: WriteMode::Sao,
        ..Options::default()
    };
    burn_disc(&mut link, json, sao).unwrap();
    let m = inspect(&mut link);
    assert!(m.reads_cd_text);
    let got = m.cd_text.unwrap();
    let want = want.unwrap();
    assert_eq!(got.blocks.len(), 1);
    assert_eq!(got.blocks[0].disc, want.blocks[0].disc);
    assert_eq!(got.blocks[0].tracks, want.blocks[0].tracks);
    // Without CD-TEXT: none.
    let mut link = drive(true, MediaKind::CdR);
    burn(&mut link, true);
    assert_eq!(inspect(&mut link).cd_text, None);
}

#[test]
fn identify_reports_what_the_device_is() {
    let mut link = drive(true, MediaKind::CdR);
    let (r, _) = run(&mut link, ops::Identify::new(None));
    let i = r.unwrap();
    assert!(i.is_mmc());
    assert_eq!(
        (i.vendor.as_str(), i.product.as_str()),
        ("RAWBURN", "Virtual CD-RW")
    );
}
