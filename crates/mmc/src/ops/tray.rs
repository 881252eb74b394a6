//! The tray: eject (after letting it go), load, lock and unlock.

use super::{Next, OpError, Operation, Steps, refused};
use crate::scsi::{ScsiRequest, ScsiResponse};
use crate::wire::command::{PreventAllowMediumRemoval, StartStopUnit};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What to do with the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrayAction {
    /// Allow removal, then open the tray (eject the disc).
    Eject,
    /// Close the tray (load the disc).
    Load,
    /// Keep the disc in (the eject button does nothing).
    Lock,
    /// Allow removal again.
    Unlock,
}

/// A tray operation.
#[derive(Debug, Clone)]
pub struct Tray {
    action: TrayAction,
    /// Commands still to send.
    left: Vec<(ScsiRequest, &'static str)>,
    sent: Option<&'static str>,
}

impl Tray {
    /// The commands for `action`.
    pub fn new(action: TrayAction) -> Tray {
        let allow = || {
            (
                ScsiRequest::none(&PreventAllowMediumRemoval::allow().to_bytes()),
                PreventAllowMediumRemoval::NAME,
            )
        };
        let mut left = match action {
            TrayAction::Eject => vec![
                allow(),
                (
                    ScsiRequest::none(&StartStopUnit::eject().to_bytes()),
                    StartStopUnit::NAME,
                ),
            ],
            TrayAction::Load => vec![(
                ScsiRequest::none(&StartStopUnit::load().to_bytes()),
                StartStopUnit::NAME,
            )],
            TrayAction::Lock => vec![(
                ScsiRequest::none(&PreventAllowMediumRemoval::prevent().to_bytes()),
                PreventAllowMediumRemoval::NAME,
            )],
            TrayAction::Unlock => vec![allow()],
        };
        left.reverse();
        Tray {
            action,
            left,
            sent: None,
        }
    }

    /// What it does.
    pub fn action(&self) -> TrayAction {
        self.action
    }
}

impl Steps for Tray {
    type Output = ();

    fn operation(&self) -> Operation {
        Operation::Tray
    }

    fn next(&mut self, _now: Duration) -> Result<Next, OpError> {
        Ok(match self.left.pop() {
            Some((request, name)) => {
                self.sent = Some(name);
                Next::send(request)
            }
            None => Next::Done,
        })
    }

    fn answer(&mut self, r: ScsiResponse, _now: Duration) -> Result<(), OpError> {
        match (self.sent, r.is_good()) {
            (_, true) => Ok(()),
            // A drive that cannot lock still ejects: letting the tray go
            // before an eject is a courtesy, not a condition.
            (Some(PreventAllowMediumRemoval::NAME), false) if self.action == TrayAction::Eject => {
                Ok(())
            }
            (name, false) => Err(refused(name.unwrap_or(StartStopUnit::NAME), &r)),
        }
    }

    fn output(&mut self) -> Result<(), OpError> {
        Ok(())
    }
}
