//! What a drive and its disc are and offer: identity, media, disc state,
//! sessions and tracks, ATIP capacity, write speeds and modes, and what
//! is in the way (no disc, the tray open). `rawburn media` prints it; a
//! burn, blank or read starts from it.

use super::{Next, OpError, Operation, Steps, parsed, refused};
use crate::scsi::{ScsiRequest, ScsiResponse};
use crate::wire::command::{
    FeatureRequest, GetConfiguration, GetPerformance, Inquiry, ReadDiscInfo, ReadToc,
    ReadTrackInfo, TestUnitReady, TocFormat,
};
use crate::wire::config::{
    ConfigurationRepr, Feature, PROFILE_CD_R, PROFILE_CD_ROM, PROFILE_CD_RW,
};
use crate::wire::disc_info::{DiscInfoRepr, DiscStatus};
use crate::wire::inquiry::InquiryRepr;
use crate::wire::performance::{KBS_1X, WriteSpeedsRepr};
use crate::wire::sense::SenseKey;
use crate::wire::toc::FullTocRepr;
use crate::wire::toc::atip::AtipRepr;
use crate::wire::toc::cd_text::CdTextRepr;
use crate::wire::track_info::TrackInfoRepr;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What `rawburn media` reports (JSON with camelCase names).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaReport {
    /// INQUIRY vendor, product and revision, space-separated.
    pub drive: String,
    /// INQUIRY vendor.
    pub vendor: String,
    /// INQUIRY product.
    pub product: String,
    /// INQUIRY revision.
    pub revision: String,
    /// Whether a disc is in.
    pub disc: bool,
    /// With no disc: whether the drive says its tray is open.
    pub tray_open: bool,
    /// Every profile the drive has (0009h CD-R, 000Ah CD-RW...).
    pub profiles: Vec<u16>,
    /// "CD-R", "CD-RW", "CD-ROM", or the profile number.
    pub media: String,
    /// The current profile.
    pub profile: u16,
    /// "blank", "appendable", "finalized", "other".
    pub status: String,
    /// An erasable disc (CD-RW).
    pub erasable: bool,
    /// Sessions on the disc (closed, plus an incomplete or empty last one).
    pub sessions: u16,
    /// The sessions the TOC lists, with their tracks.
    pub session_list: Vec<SessionReport>,
    /// On an appendable disc: where the last closed session starts and
    /// where the next one may be written (`cdrecord -msinfo`'s two values).
    pub multisession: Option<(i32, i32)>,
    /// ATIP lead-in start (MM:SS:FF).
    pub lead_in: Option<String>,
    /// ATIP last possible lead-out start (MM:SS:FF).
    pub last_lead_out: Option<String>,
    /// Sectors the program area holds.
    pub capacity: Option<i32>,
    /// Write speeds, × 1 to a tenth (fastest first).
    pub write_speeds: Vec<f64>,
    /// Write modes the drive offers for this disc.
    pub write_modes: Vec<String>,
    /// TAO data block types.
    pub tao_data_block_types: Vec<u8>,
    /// Test write offered.
    pub test_write: bool,
    /// Buffer underrun protection offered.
    pub bufe: bool,
    /// The drive reads CD-TEXT.
    pub reads_cd_text: bool,
    /// The CD-TEXT in the lead-in, when the disc has some and the drive
    /// reads it.
    pub cd_text: Option<layout::cdtext::CdText>,
}

impl MediaReport {
    /// Nothing, when a disc is in; else the error of an operation that
    /// needs one.
    ///
    /// ## Errors
    ///
    /// [`OpError::NoDisc`], saying whether the tray is open.
    pub fn disc_in(&self) -> Result<(), OpError> {
        if self.disc {
            Ok(())
        } else {
            Err(OpError::NoDisc {
                tray_open: self.tray_open,
            })
        }
    }
}

/// A session of the disc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionReport {
    /// Session number.
    pub number: u8,
    /// Its tracks.
    pub tracks: Vec<TrackReport>,
    /// Where its lead-out starts.
    pub lead_out: i32,
}

/// A track of the disc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackReport {
    /// Track number.
    pub number: u8,
    /// Where it starts (INDEX 01).
    pub start: i32,
    /// Its Q CONTROL nibble (4: data, 0: audio; 1 pre-emphasis, 2 copy
    /// permitted, 8 four channels).
    pub control: u8,
}

/// The steps of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Inquiry,
    Ready,
    Configuration,
    DiscInfo,
    Atip,
    Speeds,
    Toc,
    CdText,
    LastSession,
    Done,
}

/// Inspects the drive and its disc. Not an error: no disc, a blank or an
/// unreadable ATIP; those are what the report says.
#[derive(Debug, Clone)]
pub struct Inspect {
    step: Step,
    report: MediaReport,
}

impl Default for Inspect {
    fn default() -> Inspect {
        Inspect::new()
    }
}

impl Inspect {
    /// An inspection.
    pub fn new() -> Inspect {
        Inspect {
            step: Step::Inquiry,
            report: MediaReport::default(),
        }
    }
}

impl Steps for Inspect {
    type Output = MediaReport;

    fn operation(&self) -> Operation {
        Operation::Inspect
    }

    fn next(&mut self, _now: Duration) -> Result<Next, OpError> {
        let r = |cdb: &[u8], len: u32| Next::send(ScsiRequest::read(cdb, len));
        Ok(match self.step {
            Step::Inquiry => r(&Inquiry::new(36).to_bytes(), 36),
            Step::Ready => Next::send(ScsiRequest::none(&TestUnitReady.to_bytes())),
            Step::Configuration => {
                let g = GetConfiguration {
                    rt: FeatureRequest::All,
                    start_feature: 0,
                    alloc: 0xfff8,
                };
                r(&g.to_bytes(), 0xfff8)
            }
            Step::DiscInfo => r(&ReadDiscInfo::new(34).to_bytes(), 34),
            Step::Atip => r(&ReadToc::new(TocFormat::Atip, 28).to_bytes(), 28),
            Step::Speeds => r(&GetPerformance::write_speeds(16).to_bytes(), 8 + 16 * 16),
            Step::Toc => r(&ReadToc::new(TocFormat::FullToc, 0xfffe).to_bytes(), 0xfffe),
            Step::CdText => r(&ReadToc::new(TocFormat::CdText, 0xfffe).to_bytes(), 0xfffe),
            Step::LastSession => r(
                &ReadTrackInfo::invisible_track().to_bytes(),
                u32::from(ReadTrackInfo::INFO_LEN),
            ),
            Step::Done => Next::Done,
        })
    }

    fn answer(&mut self, r: ScsiResponse, _now: Duration) -> Result<(), OpError> {
        let report = &mut self.report;
        self.step = match self.step {
            Step::Inquiry => {
                if !r.is_good() {
                    return Err(refused(Inquiry::NAME, &r));
                }
                let i = parsed(Inquiry::NAME, InquiryRepr::parse(&r.data))?;
                if !i.is_mmc() {
                    return Err(OpError::NotOptical(i.device_type));
                }
                report.drive = format!("{} {} {}", i.vendor, i.product, i.revision);
                (report.vendor, report.product, report.revision) =
                    (i.vendor, i.product, i.revision);
                Step::Ready
            }
            Step::Ready => match r.sense() {
                None => {
                    report.disc = true;
                    Step::Configuration
                }
                // 3A/00 no medium, 3A/01 tray closed, 3A/02 tray open.
                Some(s) if s.sense.key == SenseKey::NotReady && s.sense.asc == 0x3a => {
                    report.tray_open = s.sense.ascq == 0x02;
                    Step::Done
                }
                Some(_) => return Err(refused(TestUnitReady::NAME, &r)),
            },
            Step::Configuration => {
                if !r.is_good() {
                    return Err(refused(GetConfiguration::NAME, &r));
                }
                let cfg = parsed(GetConfiguration::NAME, ConfigurationRepr::parse(&r.data))?;
                self.take_configuration(&cfg);
                Step::DiscInfo
            }
            Step::DiscInfo => {
                if !r.is_good() {
                    return Err(refused(ReadDiscInfo::NAME, &r));
                }
                let d = parsed(ReadDiscInfo::NAME, DiscInfoRepr::parse(&r.data))?;
                report.status = match d.status {
                    DiscStatus::Empty => "blank",
                    DiscStatus::Appendable => "appendable",
                    DiscStatus::Complete => "finalized",
                    _ => "other",
                }
                .to_string();
                report.erasable = d.erasable;
                report.sessions = d.sessions;
                Step::Atip
            }
            Step::Atip => {
                // Pressed discs have no ATIP: nothing to report.
                if r.is_good()
                    && let Ok(a) = AtipRepr::parse(&r.data)
                {
                    report.lead_in = Some(a.lead_in_start.to_string());
                    report.last_lead_out = Some(a.last_lead_out.to_string());
                    report.capacity = Some(a.last_lead_out_lba());
                }
                Step::Speeds
            }
            Step::Speeds => {
                // A drive without write speed descriptors reports none.
                if r.is_good()
                    && let Ok(s) = WriteSpeedsRepr::parse(&r.data)
                {
                    report.write_speeds = s
                        .descriptors
                        .iter()
                        .map(|d| (f64::from(d.write_speed) / KBS_1X * 10.0).round() / 10.0)
                        .collect();
                }
                if report.status == "blank" {
                    Step::Done
                } else {
                    Step::Toc
                }
            }
            Step::Toc => {
                // A disc with no complete session has no TOC to read (the
                // drive refuses the command): it lists no sessions.
                if r.is_good() {
                    let toc = parsed(ReadToc::NAME, FullTocRepr::parse(&r.data))?;
                    report.session_list = sessions_of(&toc);
                }
                if report.reads_cd_text && !report.session_list.is_empty() {
                    Step::CdText
                } else if report.status == "appendable" {
                    Step::LastSession
                } else {
                    Step::Done
                }
            }
            Step::CdText => {
                // A disc without CD-TEXT answers with no packs or with
                // ILLEGAL REQUEST: no text, no error.
                if r.is_good() {
                    let t = parsed(ReadToc::NAME, CdTextRepr::parse(&r.data))?;
                    let packs = t.to_packs();
                    if !packs.is_empty()
                        && let Ok(d) = layout::cdtext::CdText::from_packs(&packs)
                    {
                        report.cd_text = Some(d.cdtext);
                    }
                }
                if report.status == "appendable" {
                    Step::LastSession
                } else {
                    Step::Done
                }
            }
            Step::LastSession => {
                // The invisible track's next writable address starts the
                // next session; the last session's first track, the last.
                if r.is_good()
                    && let Ok(t) = TrackInfoRepr::parse(&r.data)
                    && let Some(next) = t.next_writable
                {
                    let last = report
                        .session_list
                        .last()
                        .and_then(|s| s.tracks.first())
                        .map_or(0, |t| t.start);
                    report.multisession = Some((last, next));
                }
                Step::Done
            }
            Step::Done => Step::Done,
        };
        Ok(())
    }

    fn output(&mut self) -> Result<MediaReport, OpError> {
        Ok(self.report.clone())
    }
}

impl Inspect {
    fn take_configuration(&mut self, cfg: &ConfigurationRepr) {
        let report = &mut self.report;
        report.profile = cfg.current_profile;
        report.media = match cfg.current_profile {
            PROFILE_CD_ROM => "CD-ROM".to_string(),
            PROFILE_CD_R => "CD-R".to_string(),
            PROFILE_CD_RW => "CD-RW".to_string(),
            p => format!("profile {p:04x}h"),
        };
        let (mut raw, mut sao, mut tao) = (false, false, false);
        for f in &cfg.features {
            match &f.feature {
                Feature::ProfileList(list) => {
                    report.profiles = list.iter().map(|(p, _)| *p).collect();
                }
                Feature::CdRead { cdtext, .. } => report.reads_cd_text = *cdtext,
                Feature::CdTrackAtOnce {
                    buf,
                    test_write,
                    data_types,
                    ..
                } if f.current => {
                    tao = true;
                    report.bufe |= *buf;
                    report.test_write |= *test_write;
                    report.tao_data_block_types =
                        (0..16).filter(|b| data_types & (1 << b) != 0).collect();
                }
                Feature::CdMastering {
                    buf,
                    sao: s,
                    raw: r,
                    test_write,
                    ..
                } if f.current => {
                    raw = *r;
                    sao = *s;
                    report.bufe |= *buf;
                    report.test_write |= *test_write;
                }
                _ => {}
            }
        }
        let mut modes = Vec::new();
        if raw {
            modes.extend(["raw96r", "raw96p", "raw16"]);
        }
        if sao {
            modes.push("sao");
        }
        if tao {
            modes.push("tao");
        }
        report.write_modes = modes.into_iter().map(String::from).collect();
    }
}

/// The sessions of a full TOC, each with its tracks and lead-out.
fn sessions_of(toc: &FullTocRepr) -> Vec<SessionReport> {
    let lba = |e: &crate::wire::toc::FullTocEntry| e.pmsf().map(|m| m.to_program_lba().get());
    let mut sessions: Vec<SessionReport> = Vec::new();
    for e in toc.entries.iter().filter(|e| e.adr == 1) {
        let s = match sessions.iter_mut().find(|s| s.number == e.session) {
            Some(s) => s,
            None => {
                sessions.push(SessionReport {
                    number: e.session,
                    ..SessionReport::default()
                });
                let Some(s) = sessions.last_mut() else {
                    continue;
                };
                s
            }
        };
        match (e.point, lba(e)) {
            (1..=0x63, Some(start)) => s.tracks.push(TrackReport {
                number: e.point,
                start,
                control: e.control,
            }),
            (0xa2, Some(l)) => s.lead_out = l,
            _ => {}
        }
    }
    sessions.sort_by_key(|s| s.number);
    for s in &mut sessions {
        s.tracks.sort_by_key(|t| t.start);
    }
    sessions
}
