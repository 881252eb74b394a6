//! Discs of two sessions (a CD-Extra: audio, then a CD-ROM XA data track)
//! as CloneCD images and cue sheets: the second session's sectors carry
//! their real addresses, the images read back into the same sessions and
//! are written again byte for byte, and formats without sessions refuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use layout::disc::sessions::{MultiDisc, MultiProject, SessionProject, next_session_start};
use layout::disc::{Project, Source, SourceFormat, SourceSpan, TrackSpec};
use layout::frames::Read;
use layout::image::import::ccd;
use layout::image::{ImageFormat, SessionFiles, session_image_files};
use layout::msf::Lba;
use layout::render::{FrameSink, Part, SourceData, render};
use layout::sector::{SECTOR_SIZE, SectorType};
use layout::source::SourceError;

/// Bytes computed from their position in each source.
struct Pattern;

impl SourceData for Pattern {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        for (i, b) in buf.iter_mut().enumerate() {
            let at = read.offset + i as u64;
            *b = (at.wrapping_mul(0x9e37_79b9) >> 13) as u8 ^ read.source as u8;
        }
        Ok(())
    }
}

/// Files held in memory: the sources an imported image names.
struct Held(Vec<Vec<u8>>);

impl SourceData for Held {
    fn read(&mut self, read: &Read, buf: &mut [u8]) -> Result<(), SourceError> {
        self.0.read(read, buf)
    }
}

#[derive(Default)]
struct Collect {
    main: Vec<u8>,
    sub: Vec<u8>,
}

impl FrameSink for Collect {
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), SourceError> {
        match part {
            Part::Main => self.main.extend_from_slice(bytes),
            Part::Sub => self.sub.extend_from_slice(bytes),
        }
        Ok(())
    }
}

/// Session 1: one audio track of 1000 sectors, so its lead-out is at LBA
/// 1000. Session 2: track 2, 400 Mode 2 Form 1 sectors (CD-ROM XA).
fn cd_extra() -> MultiProject {
    let binary = |path: &str| Source {
        path: path.into(),
        format: SourceFormat::Binary,
        join: Vec::new(),
    };
    let audio = Project {
        sources: vec![binary("audio.bin")],
        tracks: vec![TrackSpec::new(
            SectorType::Audio,
            SourceSpan {
                source: 0,
                offset: 0,
                sectors: 1000,
            },
        )],
        ..Project::default()
    };
    let data = Project {
        first_track: 2,
        disc_type: Some(layout::disc::DiscType::CdRomXa),
        sources: vec![binary("data.iso")],
        tracks: vec![TrackSpec::new(
            SectorType::Mode2Form1,
            SourceSpan {
                source: 0,
                offset: 0,
                sectors: 400,
            },
        )],
        ..Project::default()
    };
    MultiProject {
        sessions: vec![
            SessionProject {
                start: Lba::ZERO,
                project: audio,
            },
            SessionProject {
                start: next_session_start(Lba(1000), true),
                project: data,
            },
        ],
    }
}

/// Renders every session's stream into one set of files.
fn render_all(
    multi: &MultiDisc,
    files: &SessionFiles,
    sources: &mut [&mut dyn SourceData],
) -> Collect {
    let mut out = Collect::default();
    for (k, stream) in files.streams.iter().enumerate() {
        render(
            multi.sessions()[k].placed(),
            stream,
            &mut *sources[k],
            &mut out,
            64,
            &mut |_, _| {},
        )
        .unwrap();
    }
    out
}

fn bcd(n: i32) -> u8 {
    (n / 10 * 16 + n % 10) as u8
}

/// BCD minute, second, frame of an LBA (+150 frames).
fn msf(lba: i32) -> [u8; 3] {
    let f = lba + 150;
    [bcd(f / 4500), bcd(f / 75 % 60), bcd(f % 75)]
}

#[test]
fn the_second_session_starts_after_lead_out_lead_in_and_pregap() {
    let multi = MultiDisc::plan(&cd_extra()).unwrap();
    let [s1, s2] = multi.sessions() else {
        panic!("two sessions");
    };
    // L + 6750 (lead-out) + 4500 (lead-in) + 150 (pregap).
    assert_eq!(s1.leadout(), Lba(1000));
    assert_eq!(s2.start(), Lba(1000 + 6750 + 4500 + 150));
    assert_eq!(s2.placed().tracks()[0].start, Lba(12_400));
    assert_eq!(s2.leadout(), Lba(12_800));
    // The burn plan starts at LBA 0 as any single-session disc.
    assert_eq!(s2.disc().tracks()[0].start, Lba::ZERO);
}

#[test]
fn clonecd_image_of_two_sessions_carries_real_addresses_and_round_trips() {
    let multi = MultiDisc::plan(&cd_extra()).unwrap();
    let files = session_image_files(&multi, ImageFormat::CloneCd, "extra").unwrap();
    let out = render_all(&multi, &files, &mut [&mut Pattern, &mut Pattern]);
    // Session 1 from LBA 0 to 1000, session 2 from 12400 to 12800: the
    // gap is not stored.
    assert_eq!(out.main.len(), 1400 * SECTOR_SIZE);
    assert_eq!(out.sub.len(), 1400 * 96);

    // Record 1000 is LBA 12400: its header says 02:47:25, mode 2, and
    // its Q gives track 2, index 1, relative 0, absolute 02:47:25.
    let sector = &out.main[1000 * SECTOR_SIZE..1001 * SECTOR_SIZE];
    assert_eq!(&sector[..12], &layout::sector::SYNC[..]);
    assert_eq!(msf(12_400), [0x02, 0x47, 0x25]);
    assert_eq!(&sector[12..16], &[0x02, 0x47, 0x25, 0x02]);
    // Form 1 subheader (submode bit 5 clear), twice.
    assert_eq!(sector[18] & 0x20, 0);
    assert_eq!(&sector[16..20], &sector[20..24]);
    let q = &out.sub[1000 * 96 + 12..1000 * 96 + 24];
    assert_eq!(&q[..10], &[0x41, 0x02, 0x01, 0, 0, 0, 0, 0x02, 0x47, 0x25]);
    // The last sector of session 2: LBA 12799.
    let last = &out.main[1399 * SECTOR_SIZE..1400 * SECTOR_SIZE];
    assert_eq!(&last[12..15], &msf(12_799));

    let text = &files.texts[0].content;
    for line in [
        "Sessions=2",
        "TocEntries=8",
        "[Session 1]\nPreGapMode=0\nPreGapSubC=0",
        "[Session 2]\nPreGapMode=2\nPreGapSubC=0",
        // Session 2's A0: first track 2, disc type 0x20 (CD-ROM XA).
        "Session=2\nPoint=0xa0\nADR=0x01\nControl=0x04",
        "PMin=2\nPSec=32\nPFrame=0",
        // Its A2: the lead-out at 12800 (02:52:50).
        "PMin=2\nPSec=52\nPFrame=50\nPLBA=12800",
        // Track 2 at 12400.
        "Session=2\nPoint=0x02\nADR=0x01\nControl=0x04",
        "PMin=2\nPSec=47\nPFrame=25\nPLBA=12400",
        "[TRACK 2]\nMODE=2\nINDEX 1=12400\n",
    ] {
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
    // Session 1's lead-out.
    assert!(text.contains("Session=1\nPoint=0xa2\nADR=0x01\nControl=0x00\nTrackNo=0\nAMin=0\nASec=0\nAFrame=0\nALBA=-150\nZero=0\nPMin=0\nPSec=15\nPFrame=25\nPLBA=1000\n"));
    assert!(!text.contains("INDEX 0="), "{text}");

    // Read back: the same two sessions, written again byte for byte.
    let parsed = ccd::parse(text, "extra").unwrap();
    assert_eq!(ccd::session_count(&parsed).unwrap(), 2);
    let mut held = vec![out.main.clone(), out.sub.clone()];
    let imported = ccd::to_sessions(&parsed, &mut held).unwrap();
    assert_eq!(imported.warnings, Vec::<String>::new());
    let starts: Vec<Lba> = imported.project.sessions.iter().map(|s| s.start).collect();
    assert_eq!(starts, [Lba::ZERO, Lba(12_400)]);
    let again = MultiDisc::plan(&imported.project).unwrap();
    let files2 = session_image_files(&again, ImageFormat::CloneCd, "extra").unwrap();
    assert_eq!(files2.texts, files.texts);
    let out2 = render_all(
        &again,
        &files2,
        &mut [&mut Held(held.clone()), &mut Held(held.clone())],
    );
    assert!(out2.main == out.main, "the .img differs");
    assert!(out2.sub == out.sub, "the .sub differs");

    // A single-session reader refuses it, naming the way to read it.
    let err = ccd::to_project(&parsed, &mut held).unwrap_err().to_string();
    assert!(err.contains("the image has 2 sessions"), "{err}");
}

#[test]
fn cue_sheet_of_two_sessions_marks_them_and_holds_the_same_sectors() {
    let multi = MultiDisc::plan(&cd_extra()).unwrap();
    let cue = session_image_files(&multi, ImageFormat::BinCue, "extra").unwrap();
    assert_eq!(
        cue.texts[0].content,
        "REM SESSION 01\n\
         FILE \"extra.bin\" BINARY\n  \
         TRACK 01 AUDIO\n    \
         INDEX 01 00:00:00\n\
         REM SESSION 02\n  \
         TRACK 02 MODE2/2352\n    \
         INDEX 01 02:45:25\n"
    );
    // INDEX times count disc positions: 12400 sectors = 02:45:25.
    assert_eq!(12_400, (2 * 60 + 45) * 75 + 25);
    let bin = render_all(&multi, &cue, &mut [&mut Pattern, &mut Pattern]);
    let ccd = session_image_files(&multi, ImageFormat::CloneCd, "extra").unwrap();
    let img = render_all(&multi, &ccd, &mut [&mut Pattern, &mut Pattern]);
    assert!(bin.main == img.main, "the BIN is not the .img");
}

#[test]
fn formats_without_sessions_refuse_naming_one_with() {
    let multi = MultiDisc::plan(&cd_extra()).unwrap();
    for (format, name) in [
        (ImageFormat::CdrdaoToc, "cdrdao toc file"),
        (ImageFormat::Raw, "raw image"),
        (ImageFormat::Project, "project json"),
    ] {
        assert_eq!(
            session_image_files(&multi, format, "x")
                .unwrap_err()
                .to_string(),
            format!(
                "the disc has 2 sessions, which a {name} cannot hold; write a .ccd (CloneCD) or a .cue (cue sheet with REM SESSION)"
            )
        );
    }
    // A cue sheet cannot say how long a gap is.
    let mut p = cd_extra();
    p.sessions[1].start = Lba(13_000);
    let moved = MultiDisc::plan(&p).unwrap();
    assert_eq!(
        session_image_files(&moved, ImageFormat::BinCue, "x")
            .unwrap_err()
            .to_string(),
        "session 2 starts at lba 13000, but a cue sheet can only place it right after the previous session's lead-out, lead-in and pregap (lba 12400); write a .ccd"
    );
    assert!(session_image_files(&moved, ImageFormat::CloneCd, "x").is_ok());
}
