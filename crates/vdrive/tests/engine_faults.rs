//! The fault matrix: every fault of the fault plan at each phase of a
//! burn, through the Bulk-Only adapter. Each burn either recovers and
//! verifies, or fails with an error naming the phase and what the disc
//! then holds; it never hangs (virtual time stays bounded), never panics,
//! and never reports success without every step confirmed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{self, disc, sources};
use common::{BotLink, bot_link, one_fault};
use layout::msf::Lba;
use mmc::engine::{DiscState, Engine, EngineError, Options, Verify, WriteMode, driver};
use mmc::scsi::Clock;
use std::sync::Arc;
use std::time::Duration;
use testkit::COMMAND_FAULTS;
use vdrive::{FaultPlan, MediaKind};

type Link = BotLink;

fn link(plan: &FaultPlan) -> Link {
    bot_link(MediaKind::CdRw, true, plan)
}

/// What a fault should lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The burn recovers and verifies.
    Recovers,
    /// The burn fails in this phase.
    Fails(&'static str),
}

/// Commands that trigger faults, and the phase each belongs to.
fn triggers(mode: WriteMode) -> Vec<(&'static str, u32, &'static str)> {
    let mut t = vec![
        ("INQUIRY", 1, "preparing"),
        ("GET CONFIGURATION", 1, "preparing"),
        ("READ TOC/PMA/ATIP", 1, "preparing"),
        ("MODE SELECT(10)", 1, "preparing"),
        ("WRITE(10)", 1, "writing"),
        ("WRITE(10)", 7, "writing"),
        ("SYNCHRONIZE CACHE(10)", 1, "finishing"),
        ("READ CD", 2, "verifying"),
    ];
    match mode {
        WriteMode::Sao => t.push(("SEND CUE SHEET", 1, "preparing")),
        WriteMode::Tao => t.push(("CLOSE TRACK/SESSION", 1, "finishing")),
        _ => {}
    }
    t
}

/// What a fault on a command should do.
fn expect(fault: &str, command: &str, phase: &'static str) -> Expect {
    let moves_the_disc = matches!(command, "WRITE(10)" | "CLOSE TRACK/SESSION");
    match fault {
        // The command ran and its status came after clearing the halt.
        r#""stallCsw""# => Expect::Recovers,
        // The command did not run (a stalled data stage, 4/08/00; a phase
        // error; no answer) or ran with a broken CSW: its outcome is
        // unknown. Sent again unless it moves the disc; a WRITE ends the
        // burn; a CLOSE is taken if the disc's state then confirms it.
        r#""stallData""# | r#""phaseError""# | r#""noAnswer""# => {
            if moves_the_disc {
                Expect::Fails(phase)
            } else {
                Expect::Recovers
            }
        }
        r#"{ "cswSignature": 305419896 }"# | r#""cswTag""# => {
            if command == "WRITE(10)" {
                Expect::Fails(phase)
            } else {
                Expect::Recovers
            }
        }
        // Data in cut short of what the reply says it holds: read again
        // (no data in: nothing to cut).
        r#"{ "shortData": 8 }"# => Expect::Recovers,
        r#"{ "longData": 8 }"# => Expect::Recovers,
        r#""disconnect""# => Expect::Fails(phase),
        // A reset while preparing or reading back is retried; while
        // writing the drive's buffer and session are gone.
        r#"{ "unitAttention": [6, 41, 0] }"# => match phase {
            "preparing" | "verifying" => Expect::Recovers,
            _ => Expect::Fails(phase),
        },
        _ => Expect::Fails(phase),
    }
}

fn run(
    mode: WriteMode,
    plan: FaultPlan,
    options: Options,
) -> (Result<mmc::engine::Summary, EngineError>, Link) {
    let d = Arc::new(disc(discs::MIXED));
    let mut src = sources(&d);
    let mut l = link(&plan);
    let mut engine = Engine::new(d, Options { mode, ..options });
    let r = driver::run(&mut engine, &mut l, &mut src, &mut |_| {});
    (r, l)
}

/// Checks an outcome against its expectation and the disc.
fn check(label: &str, r: &Result<mmc::engine::Summary, EngineError>, l: &Link, want: Expect) {
    assert!(
        l.now() < Duration::from_secs(3 * 3600),
        "{label}: {:?} of virtual time",
        l.now()
    );
    match (r, want) {
        (Ok(s), Expect::Recovers) => {
            assert!(s.verified, "{label}: success without a verified read-back");
        }
        (Err(e), Expect::Fails(phase)) => {
            let text = e.to_string();
            let start = format!("{phase}: ");
            match e {
                // Reading back failed: the burn itself was confirmed.
                EngineError::VerifyIncomplete { cause, .. } => {
                    assert_eq!(phase, "verifying", "{label}: {text}");
                    assert!(cause.to_string().starts_with(&start), "{label}: {text}");
                }
                // After something that records: what the disc holds.
                EngineError::Stopped { cause, disc } => {
                    let cause = cause.to_string();
                    assert!(cause.starts_with(&start), "{label}: {text}");
                    let unknown = text.contains("the drive was disconnected");
                    assert_eq!(*disc == DiscState::Unknown, unknown, "{label}: {text}");
                    // A first WRITE that did not run leaves the disc blank.
                    let first_write = label.ends_with("on WRITE(10) #1");
                    if phase != "preparing" && !unknown {
                        assert!(
                            *disc == DiscState::Incomplete { erasable: true }
                                || first_write && *disc == DiscState::Blank,
                            "{label}: {text}"
                        );
                    }
                }
                // Nothing that records was sent.
                _ => assert!(
                    phase == "preparing" && text.starts_with(&start),
                    "{label}: {text}"
                ),
            }
        }
        (other, want) => panic!("{label}: {other:?}, expected {want:?}"),
    }
}

#[test]
fn every_command_fault_at_every_phase() {
    for mode in [WriteMode::Raw96r, WriteMode::Sao, WriteMode::Tao] {
        for fault in COMMAND_FAULTS {
            for (command, nth, phase) in triggers(mode) {
                let plan = one_fault(command, nth, fault);
                let options = Options {
                    verify: Some(Verify::Exact),
                    ..Options::default()
                };
                let (r, l) = run(mode, plan, options);
                let label = format!("{mode:?} {fault} on {command} #{nth}");
                check(&label, &r, &l, expect(fault, command, phase));
            }
        }
    }
}

#[test]
fn write_errors_at_an_lba_name_it() {
    let d = disc(discs::MIXED);
    for mode in [WriteMode::Raw96r, WriteMode::Sao, WriteMode::Tao] {
        for (kind, code) in [("mediumError", "3/0C/00"), ("powerCalibration", "3/73/03")] {
            for lba in [-11_000, 0, 600, d.leadout().get() + 100] {
                if mode != WriteMode::Raw96r && (lba < -150 || lba >= d.leadout().get()) {
                    continue;
                }
                let json = format!(r#"{{ "faults": [ {{ "lba": {lba}, "fault": "{kind}" }} ] }}"#);
                let (r, l) = run(
                    mode,
                    FaultPlan::from_json(&json).unwrap(),
                    Options::default(),
                );
                let label = format!("{mode:?} {kind} at {lba}");
                let e = r.expect_err(&label);
                let text = e.to_string();
                assert!(
                    text.starts_with("writing: WRITE(10) failed: "),
                    "{label}: {text}"
                );
                assert!(text.contains(code), "{label}: {text}");
                let EngineError::Stopped { cause, disc } = e else {
                    panic!("{label}: {e:?}");
                };
                assert_eq!(disc, DiscState::Incomplete { erasable: true }, "{label}");
                match *cause {
                    EngineError::Drive { at, confirmed, .. } => {
                        assert_eq!(at, Some(Lba(lba)), "{label}");
                        assert!(
                            confirmed.0.is_none_or(|c| c.get() < lba),
                            "{label}: {confirmed}"
                        );
                    }
                    other => panic!("{label}: {other:?}"),
                }
                assert!(l.now() < Duration::from_secs(3600), "{label}");
            }
        }
    }
}

#[test]
fn underruns_link_with_bufe_and_fail_without() {
    for mode in [WriteMode::Raw96r, WriteMode::Sao, WriteMode::Tao] {
        let plan = FaultPlan::from_json(r#"{ "faults": [ { "lba": 300, "fault": "underrun" } ] }"#)
            .unwrap();
        // With BUFE: a seamless link, the burn verifies.
        let (r, l) = run(
            mode,
            plan.clone(),
            Options {
                verify: Some(Verify::Exact),
                ..Options::default()
            },
        );
        let s = r.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(s.verified);
        assert_eq!(l.pipe().device().target().buffer().links(), 1, "{mode:?}");
        // Without: loss of streaming, reported on the next command.
        let (r, _) = run(
            mode,
            plan,
            Options {
                bufe: false,
                ..Options::default()
            },
        );
        let text = r.unwrap_err().to_string();
        assert!(text.contains("3/0C/09"), "{mode:?}: {text}");
        assert!(
            text.starts_with("writing: ") || text.starts_with("finishing: "),
            "{text}"
        );
    }
}

#[test]
fn simulation_under_faults_writes_nothing() {
    for fault in COMMAND_FAULTS {
        let plan = one_fault("WRITE(10)", 3, fault);
        let (_, l) = run(
            WriteMode::Sao,
            plan,
            Options {
                simulate: true,
                ..Options::default()
            },
        );
        let d = l.pipe().device().target().disc().unwrap();
        assert!(
            d.sessions.is_empty() && d.damaged.is_none(),
            "{fault}: {d:?}"
        );
    }
}

/// A disc whose first session (TAO, left open) was burned without
/// faults, then `plan`.
fn appendable(plan: &FaultPlan) -> Link {
    let mut l = link(&FaultPlan::default());
    let d = Arc::new(disc(discs::MIXED));
    let mut src = sources(&d);
    let mut engine = Engine::new(
        d,
        Options {
            mode: WriteMode::Tao,
            finalize: false,
            ..Options::default()
        },
    );
    driver::run(&mut engine, &mut l, &mut src, &mut |_| {}).unwrap();
    l.pipe_mut().device_mut().set_faults(plan.clone());
    l
}

#[test]
fn every_command_fault_while_adding_a_session() {
    // Track at once and session at once: every fault on the commands
    // that find the session's start, send its cue sheet, write, close and
    // read it back. Recovered and verified, or failed naming the phase; after a
    // failure, the sessions before are intact and the drive says so.
    let mut cases = Vec::new();
    for mode in [WriteMode::Tao, WriteMode::Sao] {
        let mut triggers = vec![
            ("READ DISC INFORMATION", 1, "preparing"),
            ("READ TRACK INFORMATION", 1, "preparing"),
            ("WRITE(10)", 1, "writing"),
            ("WRITE(10)", 7, "writing"),
            ("SYNCHRONIZE CACHE(10)", 1, "finishing"),
            ("READ CD", 2, "verifying"),
        ];
        triggers.push(match mode {
            WriteMode::Sao => ("SEND CUE SHEET", 1, "preparing"),
            _ => ("CLOSE TRACK/SESSION", 1, "finishing"),
        });
        cases.extend(triggers.into_iter().map(|t| (mode, t)));
    }
    for fault in COMMAND_FAULTS {
        for &(mode, (command, nth, phase)) in &cases {
            let mut l = appendable(&one_fault(command, nth, fault));
            let d = Arc::new(disc(discs::MIXED));
            let mut src = sources(&d);
            let options = Options {
                mode,
                verify: Some(Verify::Exact),
                ..Options::default()
            };
            let mut engine = Engine::new(d, options);
            let r = driver::run(&mut engine, &mut l, &mut src, &mut |_| {});
            let label = format!("adding a session in {mode:?}: {fault} on {command} #{nth}");
            assert!(l.now() < Duration::from_secs(3 * 3600), "{label}");
            match (&r, expect(fault, command, phase)) {
                (Ok(s), Expect::Recovers) => {
                    assert!(s.verified, "{label}");
                    assert_eq!(s.mode, mode, "{label}");
                }
                (Err(e), Expect::Fails(phase)) => {
                    let text = e.to_string();
                    let start = format!("{phase}: ");
                    match e {
                        EngineError::VerifyIncomplete { cause, .. } => {
                            assert!(cause.to_string().starts_with(&start), "{label}: {text}");
                        }
                        EngineError::Stopped { cause, disc } => {
                            assert!(cause.to_string().starts_with(&start), "{label}: {text}");
                            let gone = text.contains("the drive was disconnected");
                            // The new session incomplete, or (its first WRITE
                            // not run) the disc still as it was: appendable.
                            assert!(
                                gone && *disc == DiscState::Unknown
                                    || !gone
                                        && matches!(
                                            disc,
                                            DiscState::Incomplete { .. }
                                                | DiscState::Closed {
                                                    finalized: false,
                                                    ..
                                                }
                                        ),
                                "{label}: {text}"
                            );
                        }
                        _ => assert!(
                            phase == "preparing" && text.starts_with(&start),
                            "{label}: {text}"
                        ),
                    }
                }
                (other, want) => panic!("{label}: {other:?}, expected {want:?}"),
            }
        }
    }
}
