//! The fault matrix of the drive operations: every fault of the fault
//! plan on every command of an inspection, an erase and the tray, through
//! the Bulk-Only adapter. Each either recovers with exactly the result of
//! a run without the fault, or fails naming the command; none hangs,
//! panics or reports an erase the disc does not show.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::discs::{disc, sources};
use mmc::bot::{BotConfig, BotTransport};
use mmc::engine::{Engine, Options, WriteMode, driver};
use mmc::ops::{
    self, Blank, BlankKind, Inspect, MediaReport, Op, OpError, Steps, Tray, TrayAction,
};
use mmc::scsi::Clock;
use std::sync::Arc;
use std::time::Duration;
use vdrive::pipe::VirtualPipe;
use vdrive::{BulkOnly, FaultPlan, MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig};

type Link = BotTransport<VirtualPipe<MemoryStore>>;

/// A CD-RW holding a finalized TAO burn, behind Bulk-Only with `plan`.
fn link(plan: &str) -> Link {
    let mut r = Recorder::new(
        MemoryStore::new(),
        RecorderConfig {
            instant: false,
            ..RecorderConfig::default()
        },
    );
    r.insert_blank(MediaSpec::new(MediaKind::CdRw, 80).unwrap())
        .unwrap();
    let mut dev = BulkOnly::new(r);
    dev.set_faults(FaultPlan::from_json(r#"{ "faults": [] }"#).unwrap());
    let mut l = BotTransport::new(VirtualPipe::new(dev), BotConfig::default());
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
    l.pipe_mut()
        .device_mut()
        .set_faults(FaultPlan::from_json(plan).unwrap());
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

const FAULTS: [&str; 10] = [
    r#""stallData""#,
    r#""stallCsw""#,
    r#""phaseError""#,
    r#"{ "cswSignature": 305419896 }"#,
    r#""cswTag""#,
    r#"{ "shortData": 8 }"#,
    r#"{ "longData": 8 }"#,
    r#""noAnswer""#,
    r#""disconnect""#,
    r#"{ "unitAttention": [6, 41, 0] }"#,
];

fn plan(command: &str, fault: &str) -> String {
    format!(r#"{{ "faults": [ {{ "command": "{command}", "nth": 1, "fault": {fault} }} ] }}"#)
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
    let clean: MediaReport = run(&mut link(r#"{ "faults": [] }"#), Inspect::new()).unwrap();
    assert_eq!(clean.status, "finalized");
    for command in [
        "INQUIRY",
        "TEST UNIT READY",
        "GET CONFIGURATION",
        "READ DISC INFORMATION",
        "READ TOC/PMA/ATIP",
        "GET PERFORMANCE",
    ] {
        for fault in FAULTS {
            let label = format!("{fault} on {command}");
            let r = run(&mut link(&plan(command, fault)), Inspect::new());
            recovered_or_gone(&label, fault, r, &clean);
        }
    }
}

#[test]
fn an_erase_recovers_or_says_what_the_disc_shows() {
    for command in ["BLANK", "TEST UNIT READY", "READ DISC INFORMATION"] {
        for fault in FAULTS {
            let label = format!("{fault} on {command}");
            let mut l = link(&plan(command, fault));
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
    l.pipe_mut()
        .device_mut()
        .set_faults(FaultPlan::from_json(r#"{ "faults": [] }"#).unwrap());
    l
}

#[test]
fn the_tray_recovers_from_every_fault() {
    for (command, action) in [
        ("PREVENT ALLOW MEDIUM REMOVAL", TrayAction::Lock),
        ("START STOP UNIT", TrayAction::Eject),
    ] {
        for fault in FAULTS {
            let label = format!("{fault} on {command}");
            let mut l = link(&plan(command, fault));
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
