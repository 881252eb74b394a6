//! What a burn reports is what the drive confirmed: recovered errors are
//! confirmed before they count, commands that move the disc are never sent
//! twice, a failure says what the disc now holds (asking the drive), a
//! verify that cannot read says so, and raw sectors are written as given
//! or their mode is refused. Every case runs through the Bulk-Only adapter
//! with a fault plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{self, disc, sources};
use layout::disc::{Disc, Project};
use layout::msf::Lba;
use layout::render::SourceData;
use layout::sector::{SectorEncoder, SectorType};
use mmc::bot::{BotConfig, BotTransport};
use mmc::engine::{Engine, EngineError, Event, Options, Summary, Verify, WriteMode, driver};
use mmc::scsi::{Clock, ScsiOutcome, ScsiRequest, Transport};
use mmc::wire::command::{ReadCd, Subchannel};
use mmc::wire::config::{ConfigurationRepr, Feature};
use std::sync::Arc;
use std::time::Duration;
use vdrive::disc::{DiscMeta, DiscStatus};
use vdrive::pipe::VirtualPipe;
use vdrive::{BulkOnly, FaultPlan, MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig};

type Bot = BotTransport<VirtualPipe<MemoryStore>>;

/// The virtual drive behind Bulk-Only, every command logged (opcode and,
/// for WRITE and READ CD, the LBA); optionally without RAW writing.
struct Rig {
    link: Bot,
    log: Vec<(u8, Option<i32>)>,
    no_raw: bool,
}

impl Rig {
    fn new(plan: &str, kind: MediaKind) -> Rig {
        let mut r = Recorder::new(
            MemoryStore::new(),
            RecorderConfig {
                instant: true,
                ..RecorderConfig::default()
            },
        );
        r.insert_blank(MediaSpec::new(kind, 80).unwrap()).unwrap();
        let mut dev = BulkOnly::new(r);
        dev.set_faults(FaultPlan::from_json(plan).unwrap());
        Rig {
            link: BotTransport::new(VirtualPipe::new(dev), BotConfig::default()),
            log: Vec::new(),
            no_raw: false,
        }
    }

    fn disc(&self) -> DiscMeta {
        self.link.pipe().device().target().disc().unwrap().clone()
    }

    fn locked(&self) -> bool {
        self.link.pipe().device().target().locked()
    }

    /// Commands of `opcode` sent.
    fn sent(&self, opcode: u8) -> usize {
        self.log.iter().filter(|(o, _)| *o == opcode).count()
    }

    /// Whether a WRITE went out twice for the same LBA.
    fn rewrote(&self) -> bool {
        let mut lbas: Vec<i32> = self
            .log
            .iter()
            .filter(|(o, _)| *o == 0x2a)
            .filter_map(|(_, l)| *l)
            .collect();
        let n = lbas.len();
        lbas.sort_unstable();
        lbas.dedup();
        lbas.len() != n
    }

    /// READ CD of `start..end`, main channel.
    fn read(&mut self, start: i32, end: i32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut lba = start;
        while lba < end {
            let n = (end - lba).min(26) as u32;
            let cdb = ReadCd::raw(lba, n, Subchannel::None).to_bytes();
            let r = self
                .link
                .execute(&ScsiRequest::read(&cdb, n * 2352))
                .unwrap();
            assert!(r.is_good(), "read cd at {lba}");
            out.extend_from_slice(&r.data);
            lba += n as i32;
        }
        out
    }
}

impl Transport for Rig {
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome {
        let op = request.opcode();
        let lba = matches!(op, 0x2a | 0xaa | 0xbe).then(|| {
            i32::from_be_bytes([
                request.cdb[2],
                request.cdb[3],
                request.cdb[4],
                request.cdb[5],
            ])
        });
        self.log.push((op, lba));
        let mut out = self.link.execute(request);
        if self.no_raw
            && op == 0x46
            && let Ok(r) = &mut out
            && let Ok(mut cfg) = ConfigurationRepr::parse(&r.data)
        {
            for f in &mut cfg.features {
                if let Feature::CdMastering { raw, .. } = &mut f.feature {
                    *raw = false;
                }
            }
            r.data = cfg.to_vec();
        }
        out
    }
}

impl Clock for Rig {
    fn now(&self) -> Duration {
        self.link.now()
    }

    fn sleep_until(&mut self, t: Duration) {
        self.link.sleep_until(t);
    }
}

fn burn(
    d: &Disc,
    src: &mut dyn SourceData,
    options: Options,
    rig: &mut Rig,
) -> (Result<Summary, EngineError>, Vec<Event>) {
    let mut engine = Engine::new(Arc::new(d.clone()), options);
    let mut events = Vec::new();
    let r = driver::run(&mut engine, rig, src, &mut |e| events.push(e.clone()));
    assert!(
        rig.now() < Duration::from_secs(3 * 3600),
        "{:?} of virtual time",
        rig.now()
    );
    (r, events)
}

fn options(mode: WriteMode) -> Options {
    Options {
        mode,
        verify: Some(Verify::Exact),
        ..Options::default()
    }
}

fn fault(command: &str, nth: usize, fault: &str) -> String {
    format!(r#"{{ "faults": [ {{ "command": "{command}", "nth": {nth}, "fault": {fault} }} ] }}"#)
}

const NONE: &str = r#"{ "faults": [] }"#;

/// Commands a clean burn of `d` in `mode` sends, by opcode.
fn clean_count(d: &Disc, mode: WriteMode, opcode: u8) -> usize {
    let mut rig = Rig::new(NONE, MediaKind::CdR);
    let mut src = sources(d);
    let (r, _) = burn(d, &mut src, options(mode), &mut rig);
    r.unwrap();
    rig.sent(opcode)
}

const MODES: [WriteMode; 3] = [WriteMode::Raw96r, WriteMode::Sao, WriteMode::Tao];

#[test]
fn recovered_errors_count_only_once_the_drive_confirms_them() {
    let d = disc(discs::MIXED);
    for mode in MODES {
        let writes = clean_count(&d, mode, 0x2a);
        let syncs = clean_count(&d, mode, 0x35);
        for key in [0, 1] {
            let ua = format!("{{ \"unitAttention\": [{key}, 0, 0] }}");
            let label = |what: &str| format!("{mode:?} {key}/00/00 on {what}");
            // Flushing again changes nothing: sent again, the burn
            // completes (the first and the last SYNCHRONIZE CACHE).
            for nth in [1, syncs] {
                let mut rig = Rig::new(&fault("SYNCHRONIZE CACHE(10)", nth, &ua), MediaKind::CdR);
                let (r, _) = burn(&d, &mut sources(&d), options(mode), &mut rig);
                let s = r.unwrap_or_else(|e| panic!("{}: {e}", label("sync")));
                assert!(s.verified, "{}", label("sync"));
                assert_eq!(rig.sent(0x35), syncs + 1, "{}", label("sync"));
                assert_eq!(rig.disc().status(), DiscStatus::Finalized);
            }
            // The last WRITE did not run: the session never closed.
            let mut rig = Rig::new(&fault("WRITE(10)", writes, &ua), MediaKind::CdR);
            let (r, _) = burn(&d, &mut sources(&d), options(mode), &mut rig);
            let text = r.expect_err(&label("the last write")).to_string();
            assert!(
                text.contains("the drive does not confirm the burn"),
                "{}: {text}",
                label("the last write")
            );
            assert!(!rig.rewrote(), "{}", label("the last write"));
            match mode {
                WriteMode::Sao => {
                    // The cue sheet is sent again before writing.
                    let mut rig = Rig::new(&fault("SEND CUE SHEET", 1, &ua), MediaKind::CdR);
                    let (r, _) = burn(&d, &mut sources(&d), options(mode), &mut rig);
                    assert!(r.unwrap().verified, "{}", label("cue sheet"));
                    assert_eq!(rig.sent(0x5d), 2);
                }
                WriteMode::Tao => {
                    // Closing is not sent again: the drive's disc state
                    // decides, and the session is still open.
                    let mut rig = Rig::new(&fault("CLOSE TRACK/SESSION", 1, &ua), MediaKind::CdR);
                    let (r, _) = burn(&d, &mut sources(&d), options(mode), &mut rig);
                    let text = r.expect_err(&label("close")).to_string();
                    assert!(
                        text.starts_with("finishing: the drive does not confirm the burn: ")
                            && text.ends_with(
                                "; the disc holds an incomplete session: this CD-R cannot be used again"
                            ),
                        "{}: {text}",
                        label("close")
                    );
                    assert_eq!(rig.sent(0x5b), 1);
                    assert_eq!(rig.disc().status(), DiscStatus::Appendable);
                }
                _ => {}
            }
        }
    }
}

#[test]
fn a_simulation_is_confirmed_blank() {
    let d = disc(discs::MIXED);
    for mode in MODES {
        let mut rig = Rig::new(NONE, MediaKind::CdRw);
        let (r, _) = burn(
            &d,
            &mut sources(&d),
            Options {
                mode,
                simulate: true,
                ..Options::default()
            },
            &mut rig,
        );
        assert!(r.unwrap().simulated);
        assert_eq!(rig.disc().status(), DiscStatus::Blank, "{mode:?}");
        // READ DISC INFORMATION before and after: the drive said blank.
        assert_eq!(rig.sent(0x51), 2, "{mode:?}");
    }
}

#[test]
fn a_multisession_burn_is_confirmed_appendable() {
    let d = disc(discs::MIXED);
    for (mode, status) in [
        (WriteMode::Sao, DiscStatus::Appendable),
        (WriteMode::Tao, DiscStatus::Appendable),
        // Raw sessions always close the disc.
        (WriteMode::Raw96r, DiscStatus::Finalized),
    ] {
        let mut rig = Rig::new(NONE, MediaKind::CdR);
        let (r, _) = burn(
            &d,
            &mut sources(&d),
            Options {
                finalize: false,
                ..options(mode)
            },
            &mut rig,
        );
        assert!(r.unwrap().verified, "{mode:?}");
        assert_eq!(rig.disc().status(), status, "{mode:?}");
    }
}

#[test]
fn queries_answered_with_a_recovered_error_are_asked_again() {
    let d = disc(discs::MIXED);
    for (command, opcode) in [
        ("READ DISC INFORMATION", 0x51),
        ("GET CONFIGURATION", 0x46),
        ("READ CD", 0xbe),
        ("TEST UNIT READY", 0x00),
    ] {
        let mut rig = Rig::new(
            &fault(command, 1, r#"{ "unitAttention": [1, 23, 1] }"#),
            MediaKind::CdR,
        );
        let clean = clean_count(&d, WriteMode::Sao, opcode);
        let (r, _) = burn(&d, &mut sources(&d), options(WriteMode::Sao), &mut rig);
        assert!(r.unwrap().verified, "{command}");
        assert_eq!(rig.sent(opcode), clean + 1, "{command}");
    }
}

#[test]
fn commands_that_move_the_disc_are_never_sent_twice() {
    let d = disc(discs::MIXED);
    for mode in MODES {
        // A stalled data stage or 4/08/00: the outcome is unknown.
        for f in [r#""stallData""#, r#"{ "unitAttention": [4, 8, 0] }"#] {
            let mut rig = Rig::new(&fault("WRITE(10)", 3, f), MediaKind::CdR);
            let (r, _) = burn(&d, &mut sources(&d), options(mode), &mut rig);
            let text = r.expect_err(&format!("{mode:?} {f}")).to_string();
            assert!(
                text.starts_with("writing: WRITE(10) failed: 4/08/00")
                    && text.contains("; the disc holds an incomplete session"),
                "{mode:?} {f}: {text}"
            );
            assert!(!rig.rewrote(), "{mode:?} {f}");
        }
        // Not ready: the drive did not run it, so it is sent again.
        let mut rig = Rig::new(
            &fault("WRITE(10)", 3, r#"{ "unitAttention": [2, 4, 8] }"#),
            MediaKind::CdR,
        );
        let (r, _) = burn(&d, &mut sources(&d), options(mode), &mut rig);
        assert!(r.unwrap().verified, "{mode:?} 2/04/08");
        assert!(rig.rewrote(), "{mode:?} 2/04/08");
    }
    let mut rig = Rig::new(
        &fault("CLOSE TRACK/SESSION", 1, r#""stallData""#),
        MediaKind::CdR,
    );
    let (r, _) = burn(&d, &mut sources(&d), options(WriteMode::Tao), &mut rig);
    let text = r.unwrap_err().to_string();
    assert_eq!(
        text,
        "finishing: the drive does not confirm the burn: it reports an incomplete session, \
         not a finalized disc (CLOSE TRACK/SESSION failed: 4/08/00 logical unit communication \
         failure); the disc holds an incomplete session: this CD-R cannot be used again"
    );
    assert_eq!(rig.sent(0x5b), 1);
    // The CSW lost after the close ran: the disc confirms it.
    let mut rig = Rig::new(
        &fault("CLOSE TRACK/SESSION", 1, r#""cswTag""#),
        MediaKind::CdR,
    );
    let (r, _) = burn(&d, &mut sources(&d), options(WriteMode::Tao), &mut rig);
    assert!(r.unwrap().verified);
    assert_eq!(rig.sent(0x5b), 1);
}

#[test]
fn a_failure_says_what_the_disc_now_holds() {
    let d = disc(discs::MIXED);
    let last = d.leadout().get() - 1;
    let blank = "; nothing was written: the disc is still blank";
    let cd_r = "; the disc holds an incomplete session: this CD-R cannot be used again";
    let cd_rw = "; the disc holds an incomplete session: blank this CD-RW to use it again";
    let unknown = "; what the disc holds is unknown: the drive did not answer";
    let lba = |l: i32, f: &str| format!(r#"{{ "faults": [ {{ "lba": {l}, "fault": "{f}" }} ] }}"#);
    let ua = |k: u8, a: u8, q: u8| format!("{{ \"unitAttention\": [{k}, {a}, {q}] }}");
    let cases: Vec<(WriteMode, MediaKind, String, &str, &str)> = vec![
        // The first WRITE: the laser ran, the disc is used.
        (
            WriteMode::Sao,
            MediaKind::CdR,
            lba(-150, "mediumError"),
            "writing: WRITE(10) failed: 3/0C/00",
            cd_r,
        ),
        (
            WriteMode::Raw96r,
            MediaKind::CdR,
            lba(-11635, "powerCalibration"),
            "writing: WRITE(10) failed: 3/73/03",
            cd_r,
        ),
        (
            WriteMode::Tao,
            MediaKind::CdRw,
            lba(0, "mediumError"),
            "writing: WRITE(10) failed: 3/0C/00",
            cd_rw,
        ),
        // Refused before it ran: still blank.
        (
            WriteMode::Sao,
            MediaKind::CdR,
            fault("WRITE(10)", 1, &ua(5, 0x64, 0)),
            "writing: WRITE(10) failed: 5/64/00",
            blank,
        ),
        // Calibration and the cue sheet record nothing.
        (
            WriteMode::Sao,
            MediaKind::CdR,
            fault("SEND OPC INFORMATION", 1, &ua(3, 0x73, 3)),
            "preparing: SEND OPC INFORMATION failed: 3/73/03",
            blank,
        ),
        (
            WriteMode::Sao,
            MediaKind::CdR,
            fault("SEND CUE SHEET", 1, &ua(5, 0x26, 0)),
            "preparing: SEND CUE SHEET failed: 5/26/00",
            blank,
        ),
        // The last WRITE, the flush, the close.
        (
            WriteMode::Sao,
            MediaKind::CdR,
            lba(last, "mediumError"),
            "writing: WRITE(10) failed: 3/0C/00",
            cd_r,
        ),
        (
            WriteMode::Sao,
            MediaKind::CdRw,
            fault("SYNCHRONIZE CACHE(10)", 1, &ua(3, 0x0c, 0)),
            "finishing: SYNCHRONIZE CACHE(10) failed: 3/0C/00",
            cd_rw,
        ),
        (
            WriteMode::Tao,
            MediaKind::CdR,
            fault("CLOSE TRACK/SESSION", 1, &ua(3, 0x72, 0)),
            "finishing: CLOSE TRACK/SESSION failed: 3/72/00",
            cd_r,
        ),
        // Gone: nobody can say.
        (
            WriteMode::Raw96r,
            MediaKind::CdR,
            fault("WRITE(10)", 5, r#""disconnect""#),
            "writing: WRITE(10): the drive was disconnected",
            unknown,
        ),
    ];
    for (mode, kind, plan, starts, ends) in cases {
        let mut rig = Rig::new(&plan, kind);
        let (r, events) = burn(&d, &mut sources(&d), options(mode), &mut rig);
        let text = r.expect_err(&plan).to_string();
        assert!(
            text.starts_with(starts) && text.ends_with(ends),
            "{mode:?} {plan}: {text}"
        );
        assert_eq!(
            events.last().unwrap().message.as_deref(),
            Some(text.as_str())
        );
        if ends == blank {
            assert_eq!(rig.disc().status(), DiscStatus::Blank, "{plan}");
        }
        if ends != unknown {
            // The drive answered: it was asked, and the tray let go.
            assert!(!rig.locked(), "{mode:?} {plan}");
        }
    }
}

/// A source that fails every read from the `after`th on.
struct Failing<'a> {
    inner: &'a mut Vec<Vec<u8>>,
    after: usize,
    reads: usize,
}

impl SourceData for Failing<'_> {
    fn read(
        &mut self,
        read: &layout::frames::Read,
        buf: &mut [u8],
    ) -> Result<(), layout::source::SourceError> {
        self.reads += 1;
        if self.reads > self.after {
            let eio = std::io::Error::other("input/output error");
            return Err(layout::source::SourceError::io(eio).in_file("d.iso"));
        }
        self.inner.read(read, buf)
    }
}

#[test]
fn a_source_that_fails_says_what_the_disc_holds() {
    // Track at once writes track 1's data first: the first read comes
    // before any WRITE.
    let d = disc(discs::MIXED);
    for (after, ends) in [
        (0, "; nothing was written: the disc is still blank"),
        (
            10,
            "; the disc holds an incomplete session: this CD-R cannot be used again",
        ),
    ] {
        let mut src = sources(&d);
        let mut failing = Failing {
            inner: &mut src,
            after,
            reads: 0,
        };
        let mut rig = Rig::new(NONE, MediaKind::CdR);
        let (r, _) = burn(&d, &mut failing, options(WriteMode::Tao), &mut rig);
        let text = r.unwrap_err().to_string();
        assert!(
            text.starts_with("reading the source for lba ") && text.ends_with(ends),
            "{after}: {text}"
        );
    }
}

#[test]
fn a_verify_that_cannot_read_says_so() {
    let d = disc(discs::MIXED);
    let short = (2..6)
        .map(|n| {
            format!(r#"{{ "command": "READ CD", "nth": {n}, "fault": {{ "shortData": 4096 }} }}"#)
        })
        .collect::<Vec<_>>()
        .join(",");
    for (plan, says) in [
        (
            fault("READ CD", 2, r#"{ "unitAttention": [3, 17, 0] }"#),
            "3/11/00",
        ),
        (
            fault("READ CD", 2, r#""disconnect""#),
            "the drive was disconnected",
        ),
        (
            format!(r#"{{ "faults": [{short}] }}"#),
            "the drive returned",
        ),
    ] {
        let mut rig = Rig::new(&plan, MediaKind::CdR);
        let (r, _) = burn(&d, &mut sources(&d), options(WriteMode::Sao), &mut rig);
        let text = r.unwrap_err().to_string();
        assert!(
            text.starts_with("the verify could not finish at lba 26: ") && text.contains(says),
            "{plan}: {text}"
        );
        // The burn itself was confirmed.
        assert_eq!(rig.disc().status(), DiscStatus::Finalized);
    }
    // A reset while reading back: read again.
    let mut rig = Rig::new(
        &fault("READ CD", 2, r#"{ "unitAttention": [6, 41, 0] }"#),
        MediaKind::CdR,
    );
    let (r, _) = burn(&d, &mut sources(&d), options(WriteMode::Sao), &mut rig);
    assert!(r.unwrap().verified);
}

/// A disc of raw Mode 1 sectors: `tracks` tracks of 400 sectors, each
/// sector what the encoder makes of its user data at its address, but
/// for `spoil` (LBA and how).
/// How a test spoils one sector.
type Spoil = fn(&mut [u8]);

fn raw_disc(tracks: usize, spoil: Option<(i32, Spoil)>) -> (Disc, Vec<Vec<u8>>) {
    let specs: Vec<String> = (0..tracks)
        .map(|k| {
            format!(
                r#"{{ "sectorType": "mode1Raw", "data": {{ "source": 0, "offset": {}, "sectors": 400 }} }}"#,
                k * 400 * 2352
            )
        })
        .collect();
    let json = format!(
        r#"{{ "sources": [{{ "path": "r.bin" }}], "tracks": [{}] }}"#,
        specs.join(",")
    );
    let d = Disc::plan(&Project::from_json(&json).unwrap()).unwrap();
    let noise = sources(&d).remove(0);
    let enc = SectorEncoder::new(SectorType::Mode1);
    let mut bin = Vec::new();
    for (k, t) in d.tracks().iter().enumerate() {
        for s in 0..400 {
            let lba = t.start.get() + s;
            let mut sector = [0u8; 2352];
            let at = (k * 400 + s as usize) * 2048;
            enc.encode(Lba(lba), &noise[at..at + 2048], &mut sector)
                .unwrap();
            if let Some((l, f)) = spoil
                && l == lba
            {
                f(&mut sector);
            }
            bin.extend_from_slice(&sector);
        }
    }
    (d, vec![bin])
}

fn bad_edc(s: &mut [u8]) {
    s[2064] ^= 0x01;
}

fn mode_byte(s: &mut [u8]) {
    s[15] = 2;
}

#[test]
fn raw_sectors_the_drive_would_rebuild_differently_refuse_sao_and_tao() {
    for (spoil, why) in [(bad_edc as Spoil, "edc"), (mode_byte as Spoil, "mode byte")] {
        let (d, src) = raw_disc(1, Some((17, spoil)));
        for (mode, no_raw, says) in [
            (
                WriteMode::Sao,
                false,
                "sao cannot write track 1's raw mode 1 sectors as given: lba 17",
            ),
            (
                WriteMode::Tao,
                false,
                "tao cannot write track 1's raw mode 1 sectors as given: lba 17",
            ),
            (
                WriteMode::Auto,
                true,
                "no write mode fits: the drive does not offer raw96r; sao cannot write track 1's raw mode 1 sectors as given: lba 17",
            ),
        ] {
            let mut rig = Rig::new(NONE, MediaKind::CdR);
            rig.no_raw = no_raw;
            let (r, _) = burn(&d, &mut src.clone(), options(mode), &mut rig);
            let e = r.expect_err(&format!("{mode:?} {why}"));
            let text = e.to_string();
            assert!(
                text.starts_with(says) && text.contains(why),
                "{mode:?} {why}: {text}"
            );
            // Refused before anything was sent that records.
            assert_eq!(
                rig.sent(0x2a) + rig.sent(0x54) + rig.sent(0x5d),
                0,
                "{mode:?}"
            );
            assert_eq!(rig.disc().status(), DiscStatus::Blank);
        }
        // With RAW, auto writes them as given.
        let mut rig = Rig::new(NONE, MediaKind::CdR);
        let (r, _) = burn(
            &d,
            &mut src.clone(),
            Options {
                verify: Some(Verify::Content),
                ..Options::default()
            },
            &mut rig,
        );
        let s = r.unwrap_or_else(|e| panic!("{why}: {e}"));
        assert_eq!(s.mode, WriteMode::Raw96r);
        assert!(rig.read(0, 400) == src[0], "{why}: read back differs");
    }
}

#[test]
fn regular_raw_sectors_burn_in_sao_and_tao_as_given() {
    let (d, src) = raw_disc(2, None);
    for (mode, verify) in [
        (WriteMode::Auto, Verify::Exact),
        (WriteMode::Tao, Verify::Exact),
        (WriteMode::Tao, Verify::Content),
    ] {
        let mut rig = Rig::new(NONE, MediaKind::CdR);
        rig.no_raw = true;
        let (r, _) = burn(
            &d,
            &mut src.clone(),
            Options {
                mode,
                verify: Some(verify),
                ..Options::default()
            },
            &mut rig,
        );
        let s = r.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(s.verified);
        let t2 = d.tracks()[1].start.get();
        let track = |k: usize| &src[0][k * 400 * 2352..(k + 1) * 400 * 2352];
        if mode == WriteMode::Auto {
            assert_eq!(s.mode, WriteMode::Sao);
            assert!(rig.read(0, 400) == track(0));
            assert!(rig.read(t2, t2 + 400) == track(1));
        } else {
            // Track at once moves track 2 by its two run-out blocks: its
            // sectors carry their new address.
            assert!(rig.read(0, 400) == track(0));
            let enc = SectorEncoder::new(SectorType::Mode1);
            let got = rig.read(t2 + 2, t2 + 402);
            for (k, want) in track(1).chunks(2352).enumerate() {
                let mut moved = [0u8; 2352];
                enc.encode(Lba(t2 + 2 + k as i32), &want[16..2064], &mut moved)
                    .unwrap();
                assert!(
                    got[k * 2352..][..2352] == moved,
                    "lba {}",
                    t2 + 2 + k as i32
                );
            }
        }
    }
}

#[test]
fn content_verify_compares_raw_sectors_byte_for_byte() {
    use mmc::engine::{Completion, Transfer};
    use vdrive::SectorStore;
    use vdrive::direct::DirectTransport;
    let (d, mut src) = raw_disc(1, Some((17, bad_edc)));
    let mut r = Recorder::new(
        MemoryStore::new(),
        RecorderConfig {
            instant: true,
            ..RecorderConfig::default()
        },
    );
    r.insert_blank(MediaSpec::new(MediaKind::CdR, 80).unwrap())
        .unwrap();
    let mut link = DirectTransport::new(r);
    let mut engine = Engine::new(
        Arc::new(d),
        Options {
            mode: WriteMode::Raw96r,
            verify: Some(Verify::Content),
            ..Options::default()
        },
    );
    engine.start(link.now());
    let mut mended = false;
    loop {
        match engine.poll_transfer() {
            Some(Transfer::Command(request)) => {
                if request.opcode() == 0xbe && !mended {
                    // Before the read-back: sector 17 becomes what a drive
                    // would have rebuilt (its EDC right).
                    let store = link.recorder_mut().store_mut();
                    let mut frame = vec![0u8; 2448];
                    store.read_frame(Lba(17), &mut frame).unwrap();
                    bad_edc(&mut frame);
                    store.write_frame(Lba(17), &frame).unwrap();
                    mended = true;
                }
                let out = link.execute(&request);
                engine.handle_completion(Completion::Command(out), link.now());
            }
            Some(Transfer::Read(read)) => {
                let r = driver::read_source(&mut src, &read);
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
    assert!(mended);
    let e = engine.outcome().cloned().unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        "verify: lba 17 differs from the image (byte 2064 of the sector)"
    );
}
