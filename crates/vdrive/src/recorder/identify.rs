//! What the drive says about itself: INQUIRY, GET CONFIGURATION, MODE
//! SENSE, GET PERFORMANCE, SET CD SPEED, READ BUFFER CAPACITY.

use super::{KBS_1X, Recorder, kbs};
use crate::buffer::Speed;
use crate::disc::DiscStatus;
use crate::recording::WriteSetup;
use crate::scsi::Completion;
use crate::store::SectorStore;
use mmc::wire::buffer::BufferCapacityRepr;
use mmc::wire::command::{
    FeatureRequest, GetConfiguration, GetPerformance, Inquiry, ModeSense10, PageControl,
    PerformanceType, ReadBufferCapacity, SetCdSpeed,
};
use mmc::wire::config::{
    ConfigurationRepr, Feature, FeatureDescriptor, INTERFACE_USB, PROFILE_CD_R, PROFILE_CD_ROM,
    PROFILE_CD_RW, PROFILE_NONE,
};
use mmc::wire::inquiry::InquiryRepr;
use mmc::wire::mode::{
    CapabilitiesPage, ModePage, ModeParameterList, SpeedDescriptor, WriteParametersPage,
};
use mmc::wire::performance::{
    NominalPerformance, PerformanceRepr, WriteSpeedDescriptor, WriteSpeedsRepr,
};
use mmc::wire::sense::{Sense, SenseKey};
use std::time::Duration;

/// Feature 002Dh's Data Type Supported: the TAO data block types (0, 8–13).
const TAO_DATA_TYPES: u16 = 0x3f01;
/// 5/39/00: saving parameters not supported.
const SAVING_NOT_SUPPORTED: Sense = Sense::new(SenseKey::IllegalRequest, 0x39, 0x00);

impl<S: SectorStore> Recorder<S> {
    pub(super) fn inquiry(&mut self, i: &Inquiry, now: Duration) -> Completion {
        let alloc = i.alloc as usize;
        if !i.evpd {
            if i.page != 0 {
                return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
            }
            let c = &self.config;
            let data = InquiryRepr::mmc(&c.vendor, &c.product, &c.revision).to_vec();
            return self.reply(data, alloc, now);
        }
        let data = match i.page {
            0x00 => vec![0x05, 0x00, 0x00, 2, 0x00, 0x80],
            0x80 => {
                let serial = self.config.serial.as_bytes();
                let mut d = vec![0x05, 0x80, 0x00, serial.len().min(255) as u8];
                d.extend_from_slice(&serial[..serial.len().min(255)]);
                d
            }
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        self.reply(data, alloc, now)
    }

    pub(super) fn get_configuration(&mut self, g: &GetConfiguration, now: Duration) -> Completion {
        let medium = self.medium().ok().cloned();
        let profile = medium
            .as_ref()
            .map_or(PROFILE_NONE, |d| d.media.kind.profile());
        let writable = medium
            .as_ref()
            .is_some_and(|d| d.next_session().is_some() && d.status() != DiscStatus::Finalized);
        let feature = |feature, current: bool, version: u8| FeatureDescriptor {
            feature,
            version,
            persistent: false,
            current,
        };
        let all = vec![
            FeatureDescriptor {
                persistent: true,
                ..feature(
                    Feature::ProfileList(vec![
                        (PROFILE_CD_RW, profile == PROFILE_CD_RW),
                        (PROFILE_CD_R, profile == PROFILE_CD_R),
                        (PROFILE_CD_ROM, false),
                    ]),
                    true,
                    0,
                )
            },
            FeatureDescriptor {
                persistent: true,
                ..feature(
                    Feature::Core {
                        interface: INTERFACE_USB,
                        dbe: false,
                    },
                    true,
                    1,
                )
            },
            FeatureDescriptor {
                persistent: true,
                ..feature(
                    Feature::RemovableMedium {
                        loading_mechanism: 1,
                        eject: true,
                        prevent_jumper: false,
                        lock: true,
                    },
                    true,
                    0,
                )
            },
            feature(
                Feature::CdRead {
                    c2: true,
                    cdtext: true,
                },
                medium.is_some(),
                1,
            ),
            feature(
                Feature::CdTrackAtOnce {
                    buf: true,
                    rw_raw: true,
                    rw_pack: true,
                    test_write: true,
                    cd_rw: true,
                    rw_subcode: true,
                    data_types: TAO_DATA_TYPES,
                },
                writable,
                2,
            ),
            feature(
                Feature::CdMastering {
                    buf: true,
                    sao: true,
                    raw_ms: false,
                    raw: true,
                    test_write: true,
                    cd_rw: true,
                    rw: true,
                    max_cue_sheet_len: self.config.max_cue_sheet,
                },
                writable,
                1,
            ),
        ];
        let start = g.start_feature;
        let features = all
            .into_iter()
            .filter(|f| match g.rt {
                FeatureRequest::All => f.feature.code() >= start,
                FeatureRequest::Current => f.feature.code() >= start && f.current,
                FeatureRequest::One => f.feature.code() == start,
                _ => false,
            })
            .collect();
        if !matches!(
            g.rt,
            FeatureRequest::All | FeatureRequest::Current | FeatureRequest::One
        ) {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        }
        let data = ConfigurationRepr {
            current_profile: profile,
            features,
        }
        .to_vec();
        self.reply(data, g.alloc as usize, now)
    }

    pub(super) fn mode_sense(&mut self, m: &ModeSense10, now: Duration) -> Completion {
        if m.subpage != 0 {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        }
        let write_parameters = match m.control {
            PageControl::Current => self.page.clone(),
            PageControl::Default => super::page_of(&WriteSetup::default()),
            PageControl::Changeable => changeable_write_parameters(),
            PageControl::Saved => return self.fail(SAVING_NOT_SUPPORTED, now),
        };
        let capabilities = if m.control == PageControl::Changeable {
            CapabilitiesPage::default()
        } else {
            self.capabilities()
        };
        let pages = match m.page {
            0x05 => vec![ModePage::WriteParameters(write_parameters)],
            0x2a => vec![ModePage::Capabilities(capabilities)],
            0x3f => vec![
                ModePage::WriteParameters(write_parameters),
                ModePage::Capabilities(capabilities),
            ],
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        let data = ModeParameterList {
            pages,
            ..ModeParameterList::default()
        }
        .to_vec();
        self.reply(data, m.alloc as usize, now)
    }

    /// The CD/DVD Capabilities page (2Ah).
    fn capabilities(&self) -> CapabilitiesPage {
        let top = self.config.write_speeds.last().copied().unwrap_or(1);
        CapabilitiesPage {
            cd_r_read: true,
            cd_rw_read: true,
            method2: true,
            cd_r_write: true,
            cd_rw_write: true,
            test_write: true,
            buf: true,
            multi_session: true,
            mode2_form2: true,
            mode2_form1: true,
            audio_play: false,
            isrc: true,
            upc: true,
            c2_pointers: true,
            rw_corrected: true,
            rw_supported: true,
            cdda_accurate: true,
            cdda_commands: true,
            loading_mechanism: 1,
            eject: true,
            lock_state: self.locked,
            lock: true,
            rw_in_lead_in: true,
            disc_present: true,
            max_read_speed: kbs(self.config.read_speed),
            buffer_size_kib: (self.config.buffer_bytes / 1024).min(65_535) as u16,
            current_read_speed: self.read_kbs,
            max_write_speed: kbs(top),
            current_write_speed: self.write_kbs,
            current_write_speed_selected: self.write_kbs,
            write_speeds: self
                .config
                .write_speeds
                .iter()
                .rev()
                .map(|&x| SpeedDescriptor {
                    rotation_control: 0,
                    write_speed: kbs(x),
                })
                .collect(),
            ..CapabilitiesPage::default()
        }
    }

    pub(super) fn set_cd_speed(&mut self, s: &SetCdSpeed, now: Duration) -> Completion {
        if s.rotation > 1 {
            return self.fail(Sense::INVALID_FIELD_IN_CDB, now);
        }
        let speeds = &self.config.write_speeds;
        let lowest = speeds.first().copied().unwrap_or(1);
        let x = if s.write_kbs == SetCdSpeed::MAX {
            speeds.last().copied().unwrap_or(1)
        } else {
            let asked = s.write_kbs as f64 / KBS_1X;
            speeds
                .iter()
                .copied()
                .filter(|&v| v as f64 <= asked + 0.05)
                .max()
                .unwrap_or(lowest)
        };
        self.write_kbs = kbs(x);
        let read = if s.read_kbs == SetCdSpeed::MAX {
            self.config.read_speed
        } else {
            ((s.read_kbs as f64 / KBS_1X) as u16).clamp(1, self.config.read_speed)
        };
        self.read_kbs = kbs(read);
        if !self.config.instant {
            self.buffer.set_speed(Speed::times(x as f64));
        }
        self.good(Vec::new(), now)
    }

    pub(super) fn get_performance(&mut self, g: &GetPerformance, now: Duration) -> Completion {
        let end = self
            .medium()
            .map_or(0, |d| d.media.last_leadout_lba().get());
        let max = g.max_descriptors as usize;
        let data = match g.data_type {
            PerformanceType::WriteSpeed => WriteSpeedsRepr {
                descriptors: self
                    .config
                    .write_speeds
                    .iter()
                    .rev()
                    .take(max)
                    .map(|&x| WriteSpeedDescriptor {
                        wrc: 0,
                        rdd: false,
                        exact: false,
                        mrw: false,
                        end_lba: end,
                        read_speed: kbs(self.config.read_speed) as u32,
                        write_speed: kbs(x) as u32,
                    })
                    .collect(),
            }
            .to_vec(),
            PerformanceType::Performance if g.except == 0 => {
                let speed = if g.write {
                    self.write_kbs
                } else {
                    self.read_kbs
                } as u32;
                PerformanceRepr {
                    write: g.write,
                    except: false,
                    descriptors: vec![NominalPerformance {
                        start_lba: 0,
                        start_performance: speed,
                        end_lba: end,
                        end_performance: speed,
                    }]
                    .into_iter()
                    .take(max)
                    .collect(),
                }
                .to_vec()
            }
            _ => return self.fail(Sense::INVALID_FIELD_IN_CDB, now),
        };
        self.good(data, now)
    }

    pub(super) fn read_buffer_capacity(
        &mut self,
        r: &ReadBufferCapacity,
        now: Duration,
    ) -> Completion {
        let repr = if r.block {
            let block = self
                .recording
                .as_ref()
                .and_then(|rec| rec.host_block(rec.next))
                .map_or(2048, |b| b.host_len().max(1));
            BufferCapacityRepr::Blocks {
                available: (self.buffer.free() / block) as u32,
            }
        } else {
            BufferCapacityRepr::Bytes {
                length: self.buffer.capacity() as u32,
                blank: self.buffer.free() as u32,
            }
        };
        self.reply(repr.to_vec(), r.alloc as usize, now)
    }
}

/// Which page 05h fields MODE SELECT may change: set bits.
fn changeable_write_parameters() -> WriteParametersPage {
    use mmc::wire::mode::{DataBlockType, MultiSession, WriteType};
    let mut p = WriteParametersPage::new(WriteType::Unknown(0x0f));
    p.bufe = true;
    p.test_write = true;
    p.multi_session = MultiSession::NextSession;
    p.copy = true;
    p.track_mode = 0x0f;
    p.data_block_type = DataBlockType::from_code(0x0f);
    p.session_format = 0xff;
    p.audio_pause_length = 0xffff;
    p.subheader = [0xff; 4];
    p
}
