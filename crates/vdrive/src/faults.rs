//! Fault plans: what should go wrong, and when.
//!
//! A plan is JSON (or built in code): a list of faults, each a trigger and
//! what happens. Commands are counted per kind from 1, by the name MMC
//! gives them (any case; [`COMMAND_NAMES`]: `"WRITE(10)"`,
//! `"SYNCHRONIZE CACHE(10)"`…, the "(10)" optional where a command has one
//! form) or by operation code (`"0x2a"`); without a command a trigger counts
//! every command.
//!
//! ```json
//! { "faults": [
//!   { "command": "WRITE(10)", "nth": 3, "fault": "stallData" },
//!   { "command": "INQUIRY", "fault": "cswTag" },
//!   { "nth": 12, "fault": { "cswSignature": 305419896 } },
//!   { "command": "WRITE(10)", "nth": 40, "fault": { "shortData": 512 } },
//!   { "command": "SYNCHRONIZE CACHE(10)", "fault": "noAnswer" },
//!   { "command": "TEST UNIT READY", "nth": 2, "fault": { "unitAttention": [6, 40, 0] } },
//!   { "lba": 1500, "fault": "mediumError" },
//!   { "lba": -11635, "fault": "powerCalibration" },
//!   { "lba": 30000, "fault": "underrun" }
//! ] }
//! ```
//!
//! | Fault | Effect |
//! | --- | --- |
//! | `stallData` | the data stage's endpoint stalls; the command is not run; the CSW reports it failed (the host must clear the halt and read the CSW) |
//! | `stallCsw` | the command runs, then bulk IN stalls where the CSW should come (clear the halt, read again) |
//! | `phaseError` | the CSW reports a phase error (status 02h): reset recovery |
//! | `cswSignature: n` | the CSW carries signature `n` |
//! | `cswTag` | the CSW carries another command's tag |
//! | `shortData: n` | a data-in reply is cut `n` bytes short (residue says so) |
//! | `longData: n` | a data-in reply is `n` bytes longer than asked (babble) |
//! | `noAnswer` | the device stops answering the command until a Bulk-Only reset (the host times out) |
//! | `disconnect` | the device leaves the bus for good |
//! | `unitAttention: [key, asc, ascq]` | the command fails with that sense without running (with key 0 or 1 too) |
//! | `mediumError` at an LBA | the WRITE covering it fails with 3/0C/00, information = the LBA |
//! | `powerCalibration` at an LBA | the WRITE covering it fails with 3/73/03 |
//! | `underrun` at an LBA | the buffer runs dry there: a write error (3/0C/09) without BUFE, a seamless link with it |

use serde::{Deserialize, Serialize};

/// The command names a fault may count.
pub const COMMAND_NAMES: [&str; 23] = [
    "TEST UNIT READY",
    "REQUEST SENSE",
    "INQUIRY",
    "START STOP UNIT",
    "PREVENT ALLOW MEDIUM REMOVAL",
    "WRITE(10)",
    "SYNCHRONIZE CACHE(10)",
    "READ TOC/PMA/ATIP",
    "GET CONFIGURATION",
    "READ DISC INFORMATION",
    "READ TRACK INFORMATION",
    "RESERVE TRACK",
    "SEND OPC INFORMATION",
    "MODE SELECT(10)",
    "MODE SENSE(10)",
    "CLOSE TRACK/SESSION",
    "READ BUFFER CAPACITY",
    "SEND CUE SHEET",
    "BLANK",
    "WRITE(12)",
    "GET PERFORMANCE",
    "SET CD SPEED",
    "READ CD",
];

/// A fault plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan {
    /// The faults, each fired at most once.
    pub faults: Vec<Fault>,
}

/// One fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// Command name or operation code the trigger counts (all commands
    /// when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Which matching command (from 1; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    /// An LBA instead of a command: the fault fires when a WRITE reaches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lba: Option<i32>,
    /// What happens.
    pub fault: FaultKind,
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum FaultKind {
    /// Stall the data stage.
    StallData,
    /// Stall bulk IN where the CSW belongs.
    StallCsw,
    /// Report a phase error.
    PhaseError,
    /// A CSW with this signature.
    CswSignature(u32),
    /// A CSW with another tag.
    CswTag,
    /// Data-in cut this many bytes short.
    ShortData(u32),
    /// Data-in this many bytes longer than asked.
    LongData(u32),
    /// No answer until reset.
    NoAnswer,
    /// Leave the bus.
    Disconnect,
    /// Fail with this sense key, ASC and ASCQ.
    UnitAttention([u8; 3]),
    /// A write error at the LBA.
    MediumError,
    /// A power calibration error at the LBA.
    PowerCalibration,
    /// A buffer underrun at the LBA.
    Underrun,
}

/// Why a plan does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Malformed JSON.
    #[error("fault plan: {0}")]
    Json(String),
    /// A fault that is both a command and an LBA trigger, or an LBA fault
    /// on a command.
    #[error("fault {index}: {why}")]
    Fault {
        /// Position in the plan.
        index: usize,
        /// What is wrong.
        why: &'static str,
    },
}

impl FaultPlan {
    /// Parses and checks a JSON plan.
    ///
    /// ## Errors
    ///
    /// [`PlanError`] naming the fault that makes no sense.
    pub fn from_json(text: &str) -> Result<FaultPlan, PlanError> {
        let plan: FaultPlan =
            serde_json::from_str(text).map_err(|e| PlanError::Json(e.to_string()))?;
        plan.check()?;
        Ok(plan)
    }

    /// Checks that every fault's trigger fits its kind.
    ///
    /// ## Errors
    ///
    /// [`PlanError::Fault`].
    pub fn check(&self) -> Result<(), PlanError> {
        for (index, f) in self.faults.iter().enumerate() {
            let at_lba = matches!(
                f.fault,
                FaultKind::MediumError | FaultKind::PowerCalibration | FaultKind::Underrun
            );
            if f.lba.is_some() && (f.command.is_some() || f.nth.is_some()) {
                return Err(PlanError::Fault {
                    index,
                    why: "a fault fires at an lba or on a command, not both",
                });
            }
            if at_lba != f.lba.is_some() {
                return Err(PlanError::Fault {
                    index,
                    why: if at_lba {
                        "mediumError, powerCalibration and underrun need an lba"
                    } else {
                        "only mediumError, powerCalibration and underrun fire at an lba"
                    },
                });
            }
            if f.nth == Some(0) {
                return Err(PlanError::Fault {
                    index,
                    why: "nth counts from 1",
                });
            }
            if let Some(c) = &f.command {
                let opcode = c
                    .strip_prefix("0x")
                    .is_some_and(|h| h.len() == 2 && u8::from_str_radix(h, 16).is_ok());
                if !opcode && !COMMAND_NAMES.iter().any(|n| same_command(n, c)) {
                    return Err(PlanError::Fault {
                        index,
                        why: "unknown command: give an MMC name such as \"WRITE(10)\" or an opcode such as \"0x2a\"",
                    });
                }
            }
        }
        Ok(())
    }
}

/// Whether `given` names the command `name`: in any case, and without
/// the "(10)" of a command that has no other form ("SYNCHRONIZE CACHE",
/// "MODE SENSE", "MODE SELECT"; not "WRITE", which has two).
fn same_command(name: &str, given: &str) -> bool {
    if name.eq_ignore_ascii_case(given) {
        return true;
    }
    match name.strip_suffix("(10)") {
        Some(short) if short != "WRITE" => short.eq_ignore_ascii_case(given),
        _ => false,
    }
}

/// The plan while it runs: counts commands and remembers what fired.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultState {
    plan: FaultPlan,
    fired: Vec<bool>,
    counts: std::collections::HashMap<String, u32>,
    total: u32,
}

impl FaultState {
    pub(crate) fn new(plan: FaultPlan) -> FaultState {
        let n = plan.faults.len();
        FaultState {
            plan,
            fired: vec![false; n],
            counts: Default::default(),
            total: 0,
        }
    }

    /// Counts a command and returns the command fault it triggers, if any.
    pub(crate) fn on_command(&mut self, name: &str, opcode: u8) -> Option<FaultKind> {
        self.total += 1;
        let count = self.counts.entry(name.to_string()).or_insert(0);
        *count += 1;
        let count = *count;
        let opcode_text = format!("0x{opcode:02x}");
        for (i, f) in self.plan.faults.iter().enumerate() {
            if self.fired[i] || f.lba.is_some() {
                continue;
            }
            let n = f.nth.unwrap_or(1);
            let hit = match &f.command {
                Some(c) => {
                    (same_command(name, c) || c.eq_ignore_ascii_case(&opcode_text)) && count == n
                }
                None => self.total == n,
            };
            if hit {
                self.fired[i] = true;
                return Some(f.fault);
            }
        }
        None
    }

    /// The LBA fault in `from..to` not yet fired (the lowest), if any.
    pub(crate) fn on_lbas(&mut self, from: i32, to: i32) -> Option<(i32, FaultKind)> {
        let mut best: Option<(usize, i32)> = None;
        for (i, f) in self.plan.faults.iter().enumerate() {
            if let Some(l) = f.lba
                && !self.fired[i]
                && from <= l
                && l < to
                && best.is_none_or(|(_, b)| l < b)
            {
                best = Some((i, l));
            }
        }
        let (i, l) = best?;
        self.fired[i] = true;
        Some((l, self.plan.faults[i].fault))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_parses() {
        let text = r#"{ "faults": [
          { "command": "WRITE(10)", "nth": 3, "fault": "stallData" },
          { "command": "INQUIRY", "fault": "cswTag" },
          { "nth": 12, "fault": { "cswSignature": 305419896 } },
          { "command": "WRITE(10)", "nth": 40, "fault": { "shortData": 512 } },
          { "command": "SYNCHRONIZE CACHE(10)", "fault": "noAnswer" },
          { "command": "TEST UNIT READY", "nth": 2, "fault": { "unitAttention": [6, 40, 0] } },
          { "lba": 1500, "fault": "mediumError" },
          { "lba": -11635, "fault": "powerCalibration" },
          { "lba": 30000, "fault": "underrun" }
        ] }"#;
        let plan = FaultPlan::from_json(text).unwrap();
        assert_eq!(plan.faults.len(), 9);
        assert_eq!(plan.faults[2].fault, FaultKind::CswSignature(0x1234_5678));
        assert_eq!(plan.faults[5].fault, FaultKind::UnitAttention([6, 0x28, 0]));
    }

    #[test]
    fn refusals() {
        for (text, why) in [
            (
                r#"{ "faults": [ { "lba": 5, "fault": "cswTag" } ] }"#,
                "only mediumError",
            ),
            (
                r#"{ "faults": [ { "command": "WRITE(10)", "fault": "mediumError" } ] }"#,
                "need an lba",
            ),
            (
                r#"{ "faults": [ { "lba": 5, "nth": 2, "fault": "underrun" } ] }"#,
                "not both",
            ),
            (
                r#"{ "faults": [ { "nth": 0, "fault": "cswTag" } ] }"#,
                "counts from 1",
            ),
        ] {
            let e = FaultPlan::from_json(text).unwrap_err();
            assert!(e.to_string().contains(why), "{e}");
        }
        assert!(matches!(
            FaultPlan::from_json("{ \"faults\": [ { \"fault\": \"melt\" } ] }"),
            Err(PlanError::Json(_))
        ));
    }

    #[test]
    fn counting() {
        let plan = FaultPlan::from_json(
            r#"{ "faults": [
              { "command": "WRITE(10)", "nth": 2, "fault": "stallData" },
              { "command": "0x00", "fault": "phaseError" },
              { "nth": 5, "fault": "cswTag" },
              { "lba": 100, "fault": "mediumError" },
              { "lba": 50, "fault": "underrun" }
            ] }"#,
        )
        .unwrap();
        let mut s = FaultState::new(plan);
        assert_eq!(s.on_command("WRITE(10)", 0x2a), None);
        assert_eq!(
            s.on_command("TEST UNIT READY", 0x00),
            Some(FaultKind::PhaseError)
        );
        assert_eq!(s.on_command("WRITE(10)", 0x2a), Some(FaultKind::StallData));
        assert_eq!(s.on_command("WRITE(10)", 0x2a), None);
        assert_eq!(s.on_command("INQUIRY", 0x12), Some(FaultKind::CswTag));
        assert_eq!(s.on_command("INQUIRY", 0x12), None);
        assert_eq!(s.on_lbas(0, 40), None);
        assert_eq!(s.on_lbas(0, 200), Some((50, FaultKind::Underrun)));
        assert_eq!(s.on_lbas(0, 200), Some((100, FaultKind::MediumError)));
        assert_eq!(s.on_lbas(0, 200), None);
    }
}
