//! The virtual drive at the SCSI level, without USB: a [`Transport`] that
//! hands commands straight to a [`Recorder`] (as an OS pass-through would
//! to a drive), with a virtual clock that moves to when each command
//! completes.

use crate::recorder::Recorder;
use crate::scsi::{ScsiTarget, Status};
use crate::store::SectorStore;
use mmc::scsi::{
    Clock, DataPhase, ScsiOutcome, ScsiRequest, ScsiResponse, ScsiStatus, TransportError,
};
use mmc::wire::sense::SenseRepr;
use std::time::Duration;

/// A recorder reached directly, in virtual time.
#[derive(Debug)]
pub struct DirectTransport<S> {
    recorder: Recorder<S>,
    now: Duration,
}

impl<S: SectorStore> DirectTransport<S> {
    /// Commands for `recorder`, from virtual time zero.
    pub fn new(recorder: Recorder<S>) -> DirectTransport<S> {
        DirectTransport {
            recorder,
            now: Duration::ZERO,
        }
    }

    /// The recorder.
    pub fn recorder(&self) -> &Recorder<S> {
        &self.recorder
    }

    /// The recorder, mutably.
    pub fn recorder_mut(&mut self) -> &mut Recorder<S> {
        &mut self.recorder
    }

    /// Gives the recorder back.
    pub fn into_recorder(self) -> Recorder<S> {
        self.recorder
    }
}

impl<S: SectorStore> mmc::scsi::Transport for DirectTransport<S> {
    fn execute(&mut self, request: &ScsiRequest) -> ScsiOutcome {
        let data = match &request.data {
            DataPhase::Out(d) => d.as_slice(),
            _ => &[],
        };
        let c = self.recorder.execute(&request.cdb, data, self.now);
        if c.ready_at.saturating_sub(self.now) > request.timeout {
            self.now += request.timeout;
            return Err(TransportError::Timeout(request.timeout));
        }
        self.now = self.now.max(c.ready_at);
        self.recorder.tick(self.now);
        let asked = request.data.len() as usize;
        let mut data = c.data;
        let residue = asked.saturating_sub(data.len()) as u32;
        data.truncate(asked);
        let status = match c.status {
            Status::Good => ScsiStatus::Good,
            Status::CheckCondition => {
                let s = self
                    .recorder
                    .execute(&[0x03, 0, 0, 0, 18, 0], &[], self.now);
                ScsiStatus::CheckCondition(SenseRepr::parse(&s.data).ok())
            }
        };
        Ok(ScsiResponse {
            status,
            data,
            residue,
        })
    }
}

impl<S: SectorStore> Clock for DirectTransport<S> {
    fn now(&self) -> Duration {
        self.now
    }

    fn sleep_until(&mut self, t: Duration) {
        self.now = self.now.max(t);
        self.recorder.tick(self.now);
    }
}
