//! `rawburn media`, `blank`, `eject` and `vdisc create`: the small drive
//! commands, run as plain SCSI commands on the chosen drive.

use crate::error::{CliError, ExitKind};
use crate::target::{self, Choice};
use crate::vdisc::{FileError, FileStore};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmc::scsi::{LONG_TIMEOUT, Link, ScsiRequest, ScsiResponse, TransportError};
use mmc::wire::command::{
    Blank, BlankType, FeatureRequest, GetConfiguration, GetPerformance, Inquiry,
    PreventAllowMediumRemoval, ReadDiscInfo, ReadToc, StartStopUnit, TestUnitReady, TocFormat,
};
use mmc::wire::config::{ConfigurationRepr, Feature};
use mmc::wire::disc_info::{DiscInfoRepr, DiscStatus};
use mmc::wire::inquiry::InquiryRepr;
use mmc::wire::performance::WriteSpeedsRepr;
use mmc::wire::sense::{Disposition, SenseKey};
use mmc::wire::toc::atip::AtipRepr;
use serde::Serialize;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;
use vdrive::disc::DiscMeta;
use vdrive::{MediaKind, MediaSpec};

/// What `rawburn media` reports.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaReport {
    /// INQUIRY vendor, product, revision.
    pub drive: String,
    /// Whether a disc is in.
    pub disc: bool,
    /// "CD-R", "CD-RW", or the profile number.
    pub media: String,
    /// "blank", "appendable", "finalized", "other".
    pub status: String,
    /// Sessions on the disc (closed, plus an incomplete or empty last one).
    pub sessions: u16,
    /// ATIP lead-in start (MM:SS:FF).
    pub lead_in: Option<String>,
    /// ATIP last possible lead-out start (MM:SS:FF).
    pub last_lead_out: Option<String>,
    /// Sectors the program area holds.
    pub capacity: Option<i32>,
    /// Write speeds, × 1 (fastest first).
    pub write_speeds: Vec<f64>,
    /// Write modes the drive offers for this disc.
    pub write_modes: Vec<&'static str>,
    /// TAO data block types.
    pub tao_data_block_types: Vec<u8>,
    /// Test write offered.
    pub test_write: bool,
    /// Buffer underrun protection offered.
    pub bufe: bool,
}

/// `rawburn media`.
///
/// ## Errors
///
/// [`CliError`] when the drive cannot be opened or answers wrongly.
pub fn media(choice: &Choice, json: bool) -> Result<String, CliError> {
    let mut opened = target::open(choice)?;
    let name = opened.name();
    let report = inspect(opened.link());
    opened.close()?;
    let r = report?;
    if json {
        return serde_json::to_string_pretty(&r)
            .map(|s| s + "\n")
            .map_err(|e| CliError::new(ExitKind::Output, "cannot write JSON").caused_by(e));
    }
    let mut out = format!("drive:        {} — {name}\n", r.drive);
    if !r.disc {
        out.push_str("disc:         none\n");
        return Ok(out);
    }
    out += &format!("disc:         {}, {}", r.media, r.status);
    if r.status != "blank" {
        out += &format!(
            " ({} session{})",
            r.sessions,
            if r.sessions == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
    if let (Some(l), Some(o), Some(c)) = (&r.lead_in, &r.last_lead_out, r.capacity) {
        out += &format!("capacity:     {c} sectors (last lead-out {o}, lead-in {l})\n");
    }
    let speeds: Vec<String> = r.write_speeds.iter().map(|x| format!("{x}x")).collect();
    out += &format!("write speeds: {}\n", speeds.join(" "));
    let mut extras = Vec::new();
    if r.test_write {
        extras.push("test write");
    }
    if r.bufe {
        extras.push("BUFE");
    }
    if r.write_modes.is_empty() {
        out += "write modes:  none for this disc";
    } else {
        out += &format!("write modes:  {}", r.write_modes.join(" "));
    }
    if !extras.is_empty() {
        out += &format!(" ({})", extras.join(", "));
    }
    out.push('\n');
    if !r.tao_data_block_types.is_empty() {
        let t: Vec<String> = r
            .tao_data_block_types
            .iter()
            .map(|d| d.to_string())
            .collect();
        out += &format!("TAO data block types: {}\n", t.join(" "));
    }
    Ok(out)
}

/// Runs a command, retrying unit attentions and a busy drive.
pub fn command(link: &mut dyn Link, request: &ScsiRequest) -> Result<ScsiResponse, CliError> {
    retrying(link, request)
        .map_err(|e| CliError::new(ExitKind::Drive, "the drive does not answer").caused_by(e))
}

/// Runs a command, retrying for up to a minute while its sense says to
/// retry (unit attentions, a drive becoming ready); the last answer then.
///
/// ## Errors
///
/// The transport's error when the command got no answer.
pub fn retrying(
    link: &mut dyn Link,
    request: &ScsiRequest,
) -> Result<ScsiResponse, TransportError> {
    let start = link.now();
    loop {
        let r = link.execute(request)?;
        let Some(s) = r.sense() else {
            return Ok(r);
        };
        match s.sense.disposition() {
            Disposition::Retry { after_ms }
                if link.now().saturating_sub(start) < Duration::from_secs(60) =>
            {
                let t = link.now() + Duration::from_millis(after_ms.max(50) as u64);
                link.sleep_until(t);
            }
            _ => return Ok(r),
        }
    }
}

/// The error for a command the drive answered with CHECK CONDITION.
pub fn refused(what: &str, r: &ScsiResponse) -> CliError {
    let sense = r
        .sense()
        .map_or_else(|| "no reason given".to_string(), |s| s.sense.to_string());
    CliError::new(ExitKind::Drive, format!("the drive refused {what}")).caused_by(sense)
}

/// Asks the drive what it and its disc offer.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when it does not answer or is not a CD/DVD drive.
pub fn inspect(link: &mut dyn Link) -> Result<MediaReport, CliError> {
    let mut report = MediaReport::default();
    let r = command(link, &ScsiRequest::read(&Inquiry::new(36).to_bytes(), 36))?;
    let i = InquiryRepr::parse(&r.data).map_err(|e| refused("INQUIRY", &r).caused_by(e))?;
    if !i.is_mmc() {
        return Err(CliError::new(
            ExitKind::Drive,
            "the device is not a CD/DVD drive",
        ));
    }
    report.drive = format!("{} {} {}", i.vendor, i.product, i.revision);
    let r = command(link, &ScsiRequest::none(&TestUnitReady.to_bytes()))?;
    if let Some(s) = r.sense() {
        if s.sense.key == SenseKey::NotReady && s.sense.asc == 0x3a {
            return Ok(report);
        }
        return Err(refused("TEST UNIT READY", &r));
    }
    report.disc = true;
    let g = GetConfiguration {
        rt: FeatureRequest::All,
        start_feature: 0,
        alloc: 0xfff8,
    };
    let r = command(link, &ScsiRequest::read(&g.to_bytes(), 0xfff8))?;
    let cfg = ConfigurationRepr::parse(&r.data)
        .map_err(|e| refused("GET CONFIGURATION", &r).caused_by(e))?;
    report.media = match cfg.current_profile {
        0x0008 => "CD-ROM".to_string(),
        0x0009 => "CD-R".to_string(),
        0x000a => "CD-RW".to_string(),
        p => format!("profile {p:04x}h"),
    };
    let (mut raw, mut sao, mut tao) = (false, false, false);
    for f in cfg.features.iter().filter(|f| f.current) {
        match &f.feature {
            Feature::CdTrackAtOnce {
                buf,
                test_write,
                data_types,
                ..
            } => {
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
            } => {
                raw = *r;
                sao = *s;
                report.bufe |= *buf;
                report.test_write |= *test_write;
            }
            _ => {}
        }
    }
    if raw {
        report.write_modes.extend(["raw96r", "raw96p", "raw16"]);
    }
    if sao {
        report.write_modes.push("sao");
    }
    if tao {
        report.write_modes.push("tao");
    }
    let r = command(
        link,
        &ScsiRequest::read(&ReadDiscInfo::new(34).to_bytes(), 34),
    )?;
    let d = DiscInfoRepr::parse(&r.data)
        .map_err(|e| refused("READ DISC INFORMATION", &r).caused_by(e))?;
    report.status = match d.status {
        DiscStatus::Empty => "blank",
        DiscStatus::Appendable => "appendable",
        DiscStatus::Complete => "finalized",
        _ => "other",
    }
    .to_string();
    report.sessions = d.sessions;
    let r = command(
        link,
        &ScsiRequest::read(&ReadToc::new(TocFormat::Atip, 28).to_bytes(), 28),
    )?;
    if let Ok(a) = AtipRepr::parse(&r.data)
        .map_err(|_| ())
        .and_then(|a| if r.is_good() { Ok(a) } else { Err(()) })
    {
        report.lead_in = Some(a.lead_in_start.to_string());
        report.last_lead_out = Some(a.last_lead_out.to_string());
        report.capacity = Some(a.last_lead_out_lba());
    }
    let r = command(
        link,
        &ScsiRequest::read(&GetPerformance::write_speeds(16).to_bytes(), 8 + 16 * 16),
    )?;
    if let Ok(s) = WriteSpeedsRepr::parse(&r.data) {
        report.write_speeds = s
            .descriptors
            .iter()
            .map(|d| (d.write_speed as f64 / 176.4 * 10.0).round() / 10.0)
            .collect();
    }
    Ok(report)
}

/// `rawburn blank`: erases a CD-RW (minimal by default).
///
/// ## Errors
///
/// [`ExitKind::Drive`] when there is no CD-RW or the drive refuses.
pub fn blank(choice: &Choice, full: bool, quiet: bool) -> Result<(), CliError> {
    let mut opened = target::open(choice)?;
    let result = blank_on(opened.link(), full, quiet);
    opened.close()?;
    result
}

fn blank_on(link: &mut dyn Link, full: bool, quiet: bool) -> Result<(), CliError> {
    let report = inspect(link)?;
    if !report.disc {
        return Err(CliError::new(
            ExitKind::Drive,
            "no disc in the drive: insert a CD-RW",
        ));
    }
    if report.media != "CD-RW" {
        return Err(CliError::new(
            ExitKind::Drive,
            format!(
                "the disc is a {}: only a CD-RW can be blanked",
                report.media
            ),
        ));
    }
    let kind = if full {
        BlankType::FullDisc
    } else {
        BlankType::Minimal
    };
    let r = command(
        link,
        &ScsiRequest::none(&Blank::new(kind).to_bytes()).with_timeout(LONG_TIMEOUT),
    )?;
    if !r.is_good() {
        return Err(refused("BLANK", &r));
    }
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::with_draw_target(Some(65536), ProgressDrawTarget::stderr());
        if let Ok(s) = ProgressStyle::with_template("blanking [{bar:30}] {percent:>3}%") {
            b.set_style(s.progress_chars("=> "));
        }
        b
    });
    // Poll TEST UNIT READY; REQUEST SENSE gives the progress.
    let deadline = link.now() + Duration::from_secs(3 * 3600);
    loop {
        let r = link
            .execute(&ScsiRequest::none(&TestUnitReady.to_bytes()))
            .map_err(|e| {
                CliError::new(ExitKind::Burn, "the drive stopped answering while blanking")
                    .caused_by(e)
            })?;
        match r.sense() {
            None => break,
            Some(s) if s.sense.key == SenseKey::NotReady && s.sense.asc == 0x04 => {
                if let (Some(b), Some(p)) = (&bar, s.progress) {
                    b.set_position(p as u64);
                }
            }
            Some(s) => {
                return Err(CliError::new(ExitKind::Burn, "blanking failed").caused_by(s.sense));
            }
        }
        if link.now() > deadline {
            return Err(CliError::new(
                ExitKind::Burn,
                "blanking did not end in 3 hours",
            ));
        }
        let t = link.now() + Duration::from_millis(500);
        link.sleep_until(t);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !quiet {
        eprintln!("blanked ({})", if full { "full" } else { "minimal" });
    }
    Ok(())
}

/// `rawburn eject`.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when the drive refuses.
pub fn eject(choice: &Choice) -> Result<(), CliError> {
    let mut opened = target::open(choice)?;
    let link = opened.link();
    let _ = command(
        link,
        &ScsiRequest::none(&PreventAllowMediumRemoval::allow().to_bytes()),
    );
    let r = command(link, &ScsiRequest::none(&StartStopUnit::eject().to_bytes()));
    opened.close()?;
    let r = r?;
    if let Some(s) = r.sense() {
        return Err(CliError::new(ExitKind::Drive, "the drive did not eject").caused_by(s.sense));
    }
    Ok(())
}

/// `rawburn vdisc create`: a blank virtual disc, written whole or not at
/// all.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for media that do not exist, [`ExitKind::Output`]
/// for a file that exists (without `force`) or cannot be written,
/// [`ExitKind::Drive`] for a disc another rawburn is using.
pub fn create(path: &Path, kind: MediaKind, minutes: u8, force: bool) -> Result<String, CliError> {
    let media =
        MediaSpec::new(kind, minutes).map_err(|e| CliError::new(ExitKind::Usage, e.to_string()))?;
    FileStore::create(path, &DiscMeta::blank(media), force).map_err(|e| match e {
        FileError::Busy(_) => target::busy(path),
        FileError::Exists(_) => CliError::new(
            ExitKind::Output,
            format!(
                "{} exists: pass --force to replace it with a blank disc",
                path.display()
            ),
        ),
        e => CliError::new(
            ExitKind::Output,
            format!("cannot create {}", path.display()),
        )
        .caused_by(e),
    })?;
    Ok(format!(
        "created {}: blank {} of {minutes} minutes ({} sectors)\n",
        path.display(),
        kind.name(),
        media.capacity()
    ))
}
