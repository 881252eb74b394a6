//! A store that fails: every failure reaches the host as a hardware error
//! (4/44/00) on the command that met it, or as a deferred one on the next
//! WRITE, SYNCHRONIZE CACHE or CLOSE, and the disc is left damaged; a frame
//! that cannot be read is never answered with other data.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use layout::msf::Lba;
use mmc::wire::command::{
    ReadCd, ReadTrackInfo, StartStopUnit, Subchannel, SynchronizeCache, TrackInfoAddress, Write10,
};
use mmc::wire::sense::SenseRepr;
use std::time::Duration;
use vdrive::disc::DiscMeta;
use vdrive::store::StoreError;
use vdrive::{MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, SectorStore, Status};

/// A memory store with failures switched on at will.
#[derive(Debug, Default)]
struct Flaky {
    inner: MemoryStore,
    /// Reading this frame fails.
    bad_read: Option<Lba>,
    /// Writing frames fails.
    bad_writes: bool,
    /// Saving the state fails.
    bad_saves: bool,
}

impl SectorStore for Flaky {
    fn write_frame(&mut self, lba: Lba, frame: &[u8]) -> Result<(), StoreError> {
        if self.bad_writes {
            return Err(StoreError("no space left".into()));
        }
        self.inner.write_frame(lba, frame)
    }

    fn read_frame(&mut self, lba: Lba, out: &mut [u8]) -> Result<bool, StoreError> {
        if self.bad_read == Some(lba) {
            return Err(StoreError(format!("cannot read lba {}", lba.get())));
        }
        self.inner.read_frame(lba, out)
    }

    fn erase(&mut self) -> Result<(), StoreError> {
        self.inner.erase()
    }

    fn save_meta(&mut self, meta: &[u8]) -> Result<(), StoreError> {
        if self.bad_saves {
            return Err(StoreError("cannot save".into()));
        }
        self.inner.save_meta(meta)
    }
}

const T: Duration = Duration::ZERO;

/// An instant drive with a blank CD-R, unit attention consumed.
fn drive() -> Recorder<Flaky> {
    let mut r = Recorder::new(
        Flaky::default(),
        RecorderConfig {
            instant: true,
            power_on_attention: false,
            ..RecorderConfig::default()
        },
    );
    r.insert_blank(MediaSpec::new(MediaKind::CdR, 80).unwrap())
        .unwrap();
    let c = r.execute(&[0, 0, 0, 0, 0, 0], &[], T);
    assert_eq!(c.status, Status::CheckCondition);
    r
}

/// Sends a TAO WRITE(10) (the power-on page: Mode 1) of `blocks` from `lba`.
fn write(r: &mut Recorder<Flaky>, lba: i32, blocks: u16) -> Status {
    let data = vec![0x5a; blocks as usize * 2048];
    r.execute(&Write10::new(lba, blocks).to_bytes(), &data, T)
        .status
}

fn hardware_error(information: Option<u32>, current: bool) -> String {
    format!("4/44/00 internal target failure, information {information:?}, current {current}")
}

fn shown(s: SenseRepr) -> String {
    format!(
        "{}, information {:?}, current {}",
        s.sense, s.information, s.current
    )
}

#[test]
fn a_frame_the_store_cannot_read_is_a_hardware_error_not_other_data() {
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 300), Status::Good);
    let c = r.execute(&SynchronizeCache::all(false).to_bytes(), &[], T);
    assert_eq!(c.status, Status::Good, "{}", r.sense().sense);
    r.store_mut().bad_read = Some(Lba(5));
    for (first, blocks, sub) in [
        // The R–W decoder reads two frames ahead: 3 needs 5.
        (3, 1, Subchannel::CorrectedRw96),
        (5, 1, Subchannel::None),
        (4, 2, Subchannel::RawPw96),
    ] {
        let c = r.execute(&ReadCd::raw(first, blocks, sub).to_bytes(), &[], T);
        assert_eq!(c.status, Status::CheckCondition, "{sub:?}");
        assert!(c.data.is_empty());
        assert_eq!(shown(r.sense()), hardware_error(Some(5), true), "{sub:?}");
    }
    r.store_mut().bad_read = None;
    let c = r.execute(
        &ReadCd::raw(3, 1, Subchannel::CorrectedRw96).to_bytes(),
        &[],
        T,
    );
    assert_eq!(c.status, Status::Good);
}

#[test]
fn a_track_whose_mode_cannot_be_read_is_a_hardware_error() {
    // A raw-written session records no data modes: the drive looks at the
    // track's first sector.
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 300), Status::Good);
    let c = r.execute(&[0x5b, 0, 2, 0, 0, 0, 0, 0, 0, 0], &[], T);
    assert_eq!(c.status, Status::Good, "{}", r.sense().sense);
    let mut meta: DiscMeta = r.disc().unwrap().clone();
    meta.sessions[0].data_modes.clear();
    r.load(meta).unwrap();
    let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], T);
    let info = ReadTrackInfo {
        open: false,
        kind: TrackInfoAddress::Track,
        address: 1,
        alloc: 36,
    };
    let c = r.execute(&info.to_bytes(), &[], T);
    assert_eq!(c.status, Status::Good);
    assert_eq!(c.data[6] & 0x0f, 1, "Mode 1 from the sector");
    r.store_mut().bad_read = Some(Lba(0));
    let c = r.execute(&info.to_bytes(), &[], T);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(shown(r.sense()), hardware_error(Some(0), true));
}

#[test]
fn frames_the_store_cannot_keep_fail_the_burn_and_damage_the_disc() {
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 32), Status::Good);
    r.store_mut().bad_writes = true;
    // Recording the buffered frames fails; the next WRITE says so.
    assert_eq!(write(&mut r, 32, 32), Status::CheckCondition);
    assert_eq!(shown(r.sense()), hardware_error(None, false));
    let disc = r.disc().unwrap();
    assert_eq!(disc.damaged.as_deref(), Some("the disc storage failed"));
}

#[test]
fn a_state_the_store_cannot_save_is_a_hardware_error() {
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 300), Status::Good);
    r.store_mut().bad_saves = true;
    let c = r.execute(&SynchronizeCache::all(false).to_bytes(), &[], T);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(shown(r.sense()), hardware_error(None, true));
    // Opening the tray mid-recording damages the disc; that it cannot be
    // kept is the eject's error.
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 300), Status::Good);
    r.store_mut().bad_saves = true;
    let c = r.execute(&StartStopUnit::eject().to_bytes(), &[], T);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(shown(r.sense()), hardware_error(None, true));
    // Switched off mid-recording, the drive says the state was not saved.
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 300), Status::Good);
    r.store_mut().bad_saves = true;
    assert_eq!(r.power_off(), Err(StoreError("cannot save".into())));
    // Taken out mid-recording: the next WRITE reports it.
    let mut r = drive();
    assert_eq!(write(&mut r, 0, 300), Status::Good);
    r.store_mut().bad_saves = true;
    assert!(r.remove().is_some());
    r.store_mut().bad_saves = false;
    r.insert_blank(MediaSpec::new(MediaKind::CdR, 80).unwrap())
        .unwrap();
    let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], T);
    assert_eq!(write(&mut r, 0, 300), Status::CheckCondition);
    assert_eq!(shown(r.sense()), hardware_error(None, false));
}
