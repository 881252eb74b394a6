//! The fault matrix of the drive operations: every fault of the fault
//! plan on every command of an inspection, an erase and the tray, through
//! the Bulk-Only adapter. Each either recovers with exactly the result of
//! a run without the fault, or fails naming the command; none hangs,
//! panics or reports an erase the disc does not show.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{disc, sources};
use common::{BotLink, bot_link, one_fault};
use mmc::engine::{Engine, Options, WriteMode, driver};
use mmc::ops::{
    self, Blank, BlankKind, Inspect, MediaReport, Op, OpError, Steps, Tray, TrayAction,
};
use mmc::scsi::Clock;
use std::sync::Arc;
use std::time::Duration;
use testkit::COMMAND_FAULTS;
use vdrive::{FaultPlan, MediaKind};

type Link = BotLink;

/// A CD-RW holding a finalized TAO burn, behind Bulk-Only with `plan`.
fn link(plan: &FaultPlan) -> Link {
    let mut l = bot_link(MediaKind::CdRw, false, &FaultPlan::default());
    let d = disc(
        r#"{ "sources": [{ "path": "d.iso" }], "tracks": [
        { "sectorType": "mode1", "data": { "source": 0, "sectors": 600 } } ] }"#,
    );
    let mut src = sources(&d);
    let mut engine = Engine::new(
        Arc::new(d),
        Options {
            mode: WriteMode::Tao,
            opc: false,
            ..Options::default()
        },
    );
    driver::run(&mut engine, &mut l, &mut src, &mut |_| {}).unwrap();
    l.pipe_mut().device_mut().set_faults(plan.clone());
    l
}

fn run<S: Steps>(l: &mut Link, steps: S) -> Result<S::Output, OpError> {
    let mut op = Op::new(steps);
    let r = ops::run(&mut op, l, &mut |_| {}, &|| false);
    assert!(
        l.now() < Duration::from_secs(4 * 3600),
        "{:?} of virtual time",
        l.now()
    );
    r
}

/// A disconnect fails naming the transport; every other fault recovers.
fn recovered_or_gone<T: std::fmt::Debug + PartialEq>(
    label: &str,
    fault: &str,
    r: Result<T, OpError>,
    clean: &T,
) {
    match (fault, r) {
        (r#""disconnect""#, Err(OpError::Transport { .. })) => {}
        (r#""disconnect""#, other) => panic!("{label}: {other:?}"),
        (_, Ok(out)) => assert_eq!(&out, clean, "{label}"),
        (_, Err(e)) => panic!("{label}: {e}"),
    }
}

#[test]
fn an_inspection_recovers_from_every_fault_on_every_command() {
    let clean: MediaReport = run(&mut link(&FaultPlan::default()), Inspect::new()).unwrap();
    assert_eq!(clean.status, "finalized");
    for command in [
        "INQUIRY",
        "TEST UNIT READY",
        "GET CONFIGURATION",
        "READ DISC INFORMATION",
        "READ TOC/PMA/ATIP",
        "GET PERFORMANCE",
    ] {
        for fault in COMMAND_FAULTS {
            let label = format!("{fault} on {command}");
            let r = run(&mut link(&one_fault(command, 1, fault)), Inspect::new());
            recovered_or_gone(&label, fault, r, &clean);
        }
    }
}

#[test]
fn an_erase_recovers_or_says_what_the_disc_shows() {
    for command in ["BLANK", "TEST UNIT READY", "READ DISC INFORMATION"] {
        for fault in COMMAND_FAULTS {
            let label = format!("{fault} on {command}");
            let mut l = link(&one_fault(command, 1, fault));
            let r = run(&mut l, Blank::new(BlankKind::Minimal));
            let after = run(&mut link_after(l), Inspect::new());
            match (fault, &r) {
                (r#""disconnect""#, Err(OpError::Transport { .. })) => continue,
                (r#""disconnect""#, other) => panic!("{label}: {other:?}"),
                // A BLANK refused before running: the disc is untouched.
                (
                    r#"{ "unitAttention": [6, 41, 0] }"#,
                    Err(OpError::Refused {
                        command: "BLANK", ..
                    }),
                ) if command == "BLANK" => {
                    assert_eq!(after.unwrap().status, "finalized", "{label}");
                }
                (_, Ok(before)) => {
                    assert_eq!(before.status, "finalized", "{label}");
                    assert_eq!(after.unwrap().status, "blank", "{label}");
                }
                // BLANK's answer lost with the command not run: the
                // confirmation says the disc was not erased.
                (_, Err(OpError::NotConfirmed(why))) => {
                    assert!(why.contains("BLANK got no clear answer"), "{label}: {why}");
                    assert_eq!(after.unwrap().status, "finalized", "{label}");
                }
                (_, Err(e)) => panic!("{label}: {e}"),
            }
        }
    }
}

/// The same drive and disc, without the fault plan.
fn link_after(mut l: Link) -> Link {
    l.pipe_mut().device_mut().set_faults(FaultPlan::default());
    l
}

#[test]
fn the_tray_recovers_from_every_fault() {
    for (command, action) in [
        ("PREVENT ALLOW MEDIUM REMOVAL", TrayAction::Lock),
        ("START STOP UNIT", TrayAction::Eject),
    ] {
        for fault in COMMAND_FAULTS {
            let label = format!("{fault} on {command}");
            let mut l = link(&one_fault(command, 1, fault));
            let r = run(&mut l, Tray::new(action));
            recovered_or_gone(&label, fault, r, &());
            if fault != r#""disconnect""# {
                let rec = l.pipe_mut().device_mut().target();
                match action {
                    TrayAction::Lock => assert!(rec.locked(), "{label}"),
                    _ => assert!(rec.tray_open(), "{label}"),
                }
            }
        }
    }
}

#[test]
fn identify_recovers_from_every_fault() {
    let clean = run(&mut link(&FaultPlan::default()), ops::Identify::new(None)).unwrap();
    for fault in COMMAND_FAULTS {
        let label = format!("{fault} on INQUIRY");
        let r = run(
            &mut link(&one_fault("INQUIRY", 1, fault)),
            ops::Identify::new(None),
        );
        recovered_or_gone(&label, fault, r, &clean);
    }
    // Refused twice: named.
    let plan = FaultPlan::from_json(
        r#"{ "faults": [
        { "command": "INQUIRY", "nth": 1, "fault": { "unitAttention": [5, 36, 0] } },
        { "command": "INQUIRY", "nth": 2, "fault": { "unitAttention": [5, 36, 0] } } ] }"#,
    )
    .unwrap();
    match run(&mut link(&plan), ops::Identify::new(None)) {
        Err(OpError::Refused { command, sense }) => {
            assert_eq!(command, "INQUIRY");
            assert_eq!((sense.asc, sense.ascq), (0x24, 0));
        }
        other => panic!("{other:?}"),
    }
}
