//! The virtual drive on a USB pipe: [`VirtualPipe`] carries a host's
//! transfers to a [`BulkOnly`] device with a virtual clock, so the real
//! host stack ([`mmc::bot::BotTransport`]) runs against the virtual drive
//! without hardware or sleeps.
//!
//! ```text
//!   BotTransport ──UsbPipe──▶ VirtualPipe ──bulk_out/bulk_in/control(now)──▶ BulkOnly<Recorder>
//!                               clock: waits jump to when the device answers,
//!                               or by the timeout when it does not in time
//! ```

use crate::bot::{BulkOnly, UsbError};
use crate::recorder::Recorder;
use crate::store::SectorStore;
use mmc::bot::{PipeError, UsbPipe};
use mmc::scsi::Clock;
use mmc::wire::bot::SetupPacket;
use std::time::Duration;

/// A virtual recorder behind its USB interface, and the virtual time.
///
/// A transfer the device cannot answer yet ([`UsbError::NotReady`]) waits:
/// when the device answers within the transfer's timeout the clock moves
/// to that moment and the transfer is made again; otherwise the clock
/// moves on by the timeout and the transfer fails with
/// [`PipeError::Timeout`]. Time never moves otherwise, except through
/// [`VirtualPipe::sleep_until`].
#[derive(Debug)]
pub struct VirtualPipe<S> {
    device: BulkOnly<Recorder<S>>,
    now: Duration,
}

impl<S: SectorStore> VirtualPipe<S> {
    /// A pipe to `device`, the clock at zero.
    pub fn new(device: BulkOnly<Recorder<S>>) -> VirtualPipe<S> {
        VirtualPipe {
            device,
            now: Duration::ZERO,
        }
    }

    /// The device.
    pub fn device(&self) -> &BulkOnly<Recorder<S>> {
        &self.device
    }

    /// The device, mutably (to insert discs, install fault plans).
    pub fn device_mut(&mut self) -> &mut BulkOnly<Recorder<S>> {
        &mut self.device
    }

    /// Gives the device back.
    pub fn into_device(self) -> BulkOnly<Recorder<S>> {
        self.device
    }

    /// The virtual time.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Moves the clock on to `t` (not back).
    pub fn sleep_until(&mut self, t: Duration) {
        self.now = self.now.max(t);
    }

    /// Makes a transfer, waiting for the device up to `timeout`.
    fn wait<R>(
        &mut self,
        timeout: Duration,
        mut transfer: impl FnMut(&mut BulkOnly<Recorder<S>>, Duration) -> Result<R, UsbError>,
    ) -> Result<R, PipeError> {
        let deadline = self.now.checked_add(timeout).unwrap_or(Duration::MAX);
        loop {
            match transfer(&mut self.device, self.now) {
                Ok(r) => return Ok(r),
                // The device answers at `t`, in time: wait for it. (It
                // names a later time; were it not to, the clock still moves
                // on, a millisecond a round, so the wait ends.)
                Err(UsbError::NotReady(t))
                    if t != Duration::MAX && t <= deadline && self.now < deadline =>
                {
                    let next = if t > self.now {
                        t
                    } else {
                        self.now.saturating_add(Duration::from_millis(1))
                    };
                    self.now = next.min(deadline);
                }
                Err(UsbError::NotReady(_)) => {
                    self.now = deadline;
                    return Err(PipeError::Timeout);
                }
                Err(UsbError::Stall) => return Err(PipeError::Stall),
                Err(UsbError::Overflow { .. }) => return Err(PipeError::Overflow),
                Err(UsbError::Disconnected) => return Err(PipeError::Disconnected),
            }
        }
    }
}

impl<S: SectorStore> UsbPipe for VirtualPipe<S> {
    fn bulk_out(&mut self, data: &[u8], timeout: Duration) -> Result<usize, PipeError> {
        self.wait(timeout, |dev, now| dev.bulk_out(data, now))
    }

    fn bulk_in(&mut self, len: usize, timeout: Duration) -> Result<Vec<u8>, PipeError> {
        self.wait(timeout, |dev, now| dev.bulk_in(len, now))
    }

    fn control(
        &mut self,
        setup: &SetupPacket,
        _data: &[u8],
        timeout: Duration,
    ) -> Result<Vec<u8>, PipeError> {
        // The device's requests carry no data out.
        self.wait(timeout, |dev, now| dev.control(setup, now))
    }
}

impl<S: SectorStore> Clock for VirtualPipe<S> {
    fn now(&self) -> Duration {
        self.now
    }

    fn sleep_until(&mut self, t: Duration) {
        VirtualPipe::sleep_until(self, t);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::faults::FaultPlan;
    use crate::media::{MediaKind, MediaSpec};
    use crate::recorder::RecorderConfig;
    use crate::store::MemoryStore;
    use mmc::bot::{BotConfig, BotTransport};
    use mmc::scsi::{ScsiRequest, Transport};
    use mmc::wire::bot::{CSW_LEN, CbwRepr, CswRepr, CswStatus, Direction};
    use mmc::wire::command::Write10;

    const TUR: [u8; 6] = [0; 6];
    const SYNC: [u8; 10] = [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// A drive recording at speed with 16 blocks in its buffer, ready.
    fn busy_drive() -> VirtualPipe<MemoryStore> {
        let device = BulkOnly::new(Recorder::new(MemoryStore::new(), RecorderConfig::default()));
        let mut t = BotTransport::new(VirtualPipe::new(device), BotConfig::default());
        let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
        let target = t.pipe_mut().device_mut().target_mut();
        target.insert_blank(media).unwrap();
        while !t.execute(&ScsiRequest::none(&TUR)).unwrap().is_good() {}
        // TAO, Mode 1 (track mode 4, data block type 8), BUFE on.
        let mut page = mmc::wire::mode::WriteParametersPage::new(mmc::wire::mode::WriteType::Tao);
        page.track_mode = 4;
        page.data_block_type = mmc::wire::mode::DataBlockType::from_code(8);
        page.bufe = true;
        let list = mmc::wire::mode::ModeParameterList::with_page(
            mmc::wire::mode::ModePage::WriteParameters(page),
        )
        .to_select_vec();
        let cdb = [0x55, 0x10, 0, 0, 0, 0, 0, 0, list.len() as u8, 0];
        assert!(
            t.execute(&ScsiRequest::write(&cdb, list))
                .unwrap()
                .is_good()
        );
        let write = ScsiRequest::write(&Write10::new(0, 16).to_bytes(), vec![0; 16 * 2048]);
        assert!(t.execute(&write).unwrap().is_good());
        t.into_pipe()
    }

    fn send_cbw(pipe: &mut VirtualPipe<MemoryStore>, cdb: &[u8]) -> CbwRepr {
        let cbw = CbwRepr::new(0x100, cdb, Direction::None, 0).unwrap();
        assert_eq!(pipe.bulk_out(&cbw.to_bytes(), Duration::ZERO), Ok(31));
        cbw
    }

    #[test]
    fn waits_until_the_device_answers_or_the_timeout() {
        let mut pipe = busy_drive();
        let cbw = send_cbw(&mut pipe, &SYNC);
        let start = pipe.now();
        // Not within a millisecond: the clock moves by the timeout.
        let ms = Duration::from_millis(1);
        assert_eq!(pipe.bulk_in(CSW_LEN, ms), Err(PipeError::Timeout));
        assert_eq!(pipe.now(), start + ms);
        // Within an hour: the clock moves to when the flush ends.
        let hour = Duration::from_secs(3600);
        let csw = pipe.bulk_in(CSW_LEN, hour).unwrap();
        let csw = CswRepr::parse_for(&csw, &cbw).unwrap();
        assert_eq!(csw.status, CswStatus::Passed);
        assert!(pipe.now() > start + ms && pipe.now() < start + hour);
        let done = pipe.now();
        pipe.sleep_until(Duration::ZERO);
        assert_eq!(Clock::now(&pipe), done, "the clock does not go back");
    }

    #[test]
    fn a_device_that_never_answers_times_out_even_without_a_limit() {
        let mut pipe = busy_drive();
        pipe.device_mut().set_faults(
            FaultPlan::from_json(r#"{ "faults": [ { "fault": "noAnswer" } ] }"#).unwrap(),
        );
        send_cbw(&mut pipe, &TUR);
        let start = pipe.now();
        let t = Duration::from_secs(30);
        assert_eq!(pipe.bulk_in(CSW_LEN, t), Err(PipeError::Timeout));
        assert_eq!(pipe.now(), start + t);
        assert_eq!(
            pipe.bulk_in(CSW_LEN, Duration::MAX),
            Err(PipeError::Timeout)
        );
        assert_eq!(pipe.now(), Duration::MAX);
    }

    #[test]
    fn errors_map_directly() {
        let mut pipe = busy_drive();
        // Nothing to read: bulk IN has no data phase under way, the
        // device answers never.
        assert_eq!(
            pipe.bulk_in(CSW_LEN, Duration::from_secs(1)),
            Err(PipeError::Timeout)
        );
        // An unsupported control request stalls.
        let setup = SetupPacket {
            request_type: 0xc0,
            request: 0x42,
            value: 0,
            index: 0,
            length: 0,
        };
        assert_eq!(
            pipe.control(&setup, &[], Duration::from_secs(1)),
            Err(PipeError::Stall)
        );
        assert_eq!(
            pipe.control(&SetupPacket::get_max_lun(0), &[], Duration::from_secs(1)),
            Ok(vec![0])
        );
        pipe.device_mut().set_faults(
            FaultPlan::from_json(r#"{ "faults": [ { "fault": "disconnect" } ] }"#).unwrap(),
        );
        let cbw = CbwRepr::new(1, &TUR, Direction::None, 0).unwrap();
        assert_eq!(
            pipe.bulk_out(&cbw.to_bytes(), Duration::from_secs(1)),
            Err(PipeError::Disconnected)
        );
    }
}
