//! `rawburn media`, `blank`, `eject`, `tray` and `vdisc create`: the small
//! drive commands, each an operation of `mmc::ops` driven on the chosen
//! drive with one retry policy, one progress bar and one Ctrl-C handler.

use crate::error::{CliError, ExitKind};
use crate::progress::Progress;
use crate::signal;
use crate::target::{self, Choice};
use crate::vdisc::{FileError, FileStore};
use mmc::ops::{
    self, Blank, BlankKind, Inspect, MediaReport, Op, OpError, OpEvent, Steps, Tray, TrayAction,
};
use mmc::scsi::Link;
use std::path::Path;
use vdrive::disc::DiscMeta;
use vdrive::{MediaKind, MediaSpec};

/// Runs an operation on `link`, Ctrl-C cancelling it, `on_event` seeing
/// its events.
///
/// ## Errors
///
/// The operation's error, as the CLI reports it.
pub fn run<S: Steps>(
    link: &mut dyn Link,
    steps: S,
    on_event: &mut dyn FnMut(&OpEvent),
) -> Result<S::Output, CliError> {
    let mut op = Op::new(steps);
    ops::run(&mut op, link, on_event, &signal::stop_requested).map_err(op_error)
}

/// An operation's events as JSON lines on stdout (`--json`), or nothing.
pub struct EventLines {
    on: bool,
    /// Why stdout took no more, once it did not.
    failed: Option<std::io::Error>,
}

impl EventLines {
    /// Lines when `on`.
    pub fn new(on: bool) -> EventLines {
        EventLines { on, failed: None }
    }

    /// Prints `e` as one line.
    pub fn emit(&mut self, e: &OpEvent) {
        use std::io::Write;
        if !self.on || self.failed.is_some() {
            return;
        }
        let line = serde_json::to_string(e).unwrap_or_default();
        let mut out = std::io::stdout().lock();
        if let Err(err) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            self.failed = Some(err);
        }
    }

    /// Whether stdout failed (the operation is then stopped at its next
    /// safe point: nobody sees its progress).
    pub fn lost(&self) -> bool {
        self.failed.is_some()
    }

    /// The error for a stdout that failed, if it did.
    pub fn error(&mut self) -> Option<CliError> {
        self.failed.take().map(|e| {
            CliError::new(ExitKind::Output, "cannot write the events to stdout").caused_by(e)
        })
    }
}

/// The exit code and message of an operation's error.
pub fn op_error(e: OpError) -> CliError {
    let kind = match &e {
        OpError::Cancelled(_) => ExitKind::Cancelled,
        _ => ExitKind::Drive,
    };
    CliError::new(kind, e.to_string())
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
        let tray = if r.tray_open {
            " (the tray is open)"
        } else {
            ""
        };
        out += &format!("disc:         none{tray}\n");
        return Ok(out);
    }
    out += &format!("disc:         {}, {}", r.media, r.status);
    // The sessions the TOC lists; the drive's count also has the empty
    // one an appendable disc keeps open.
    let sessions = match r.session_list.len() {
        0 => usize::from(r.sessions),
        n => n,
    };
    match r.status.as_str() {
        "blank" => {}
        "appendable" if !r.session_list.is_empty() => {
            out += &format!(
                " ({sessions} session{}, room for another)",
                if sessions == 1 { "" } else { "s" }
            );
        }
        _ => {
            out += &format!(
                " ({sessions} session{})",
                if sessions == 1 { "" } else { "s" }
            );
        }
    }
    out.push('\n');
    for s in &r.session_list {
        let (first, last) = (s.tracks.first(), s.tracks.last());
        if let (Some(f), Some(l)) = (first, last) {
            out += &format!(
                "session {}:    tracks {}-{} (lba {} to lead-out {})\n",
                s.number, f.number, l.number, f.start, s.lead_out
            );
        }
    }
    if let Some(block) = r.cd_text.as_ref().and_then(|t| t.blocks.first()) {
        let field = |f: &Option<String>| f.clone().unwrap_or_else(|| "-".to_string());
        let named = block.tracks.iter().filter(|t| t.title.is_some()).count();
        out += &format!(
            "cd-text:      \"{}\" by {} ({} track title{}{})\n",
            field(&block.disc.title),
            field(&block.disc.performer),
            named,
            if named == 1 { "" } else { "s" },
            match r.cd_text.as_ref().map_or(0, |t| t.blocks.len()) {
                1 => String::new(),
                n => format!(", {n} languages"),
            }
        );
    }
    if let Some((last, next)) = r.multisession {
        out += &format!("next session: starts at lba {next} (mkisofs/xorriso -C {last},{next})\n");
    }
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

/// Asks the drive what it and its disc offer.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when it does not answer or is not a CD/DVD drive.
pub fn inspect(link: &mut dyn Link) -> Result<MediaReport, CliError> {
    run(link, Inspect::new(), &mut |_| {})
}

/// `rawburn toc --next-session` on a drive: where the last session of
/// the disc in it starts and where the next will (`cdrecord -msinfo`).
///
/// ## Errors
///
/// [`ExitKind::Disc`] for a disc that takes no further session, or none.
pub fn next_session(choice: &Choice) -> Result<String, CliError> {
    let mut opened = target::open(choice)?;
    let report = inspect(opened.link());
    opened.close()?;
    let r = report?;
    match (r.disc, r.status.as_str(), r.multisession) {
        (_, _, Some((last, next))) => Ok(format!("{last},{next}\n")),
        (false, _, _) => Err(CliError::new(ExitKind::Disc, "no disc in the drive")),
        (true, "blank", _) => Err(CliError::new(
            ExitKind::Disc,
            "the disc is blank: a first session is mastered without -C",
        )),
        (true, status, _) => Err(CliError::new(
            ExitKind::Disc,
            format!("the disc is {status}: it takes no further session"),
        )),
    }
}

/// `rawburn blank`: erases a CD-RW (minimal by default), with the drive's
/// progress on a bar.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when there is no CD-RW or the drive refuses;
/// [`ExitKind::Cancelled`] for Ctrl-C before the erase began.
pub fn blank(choice: &Choice, kind: BlankKind, json: bool, quiet: bool) -> Result<(), CliError> {
    let mut opened = target::open(choice)?;
    let mut bar: Option<Progress> = None;
    let lines = std::cell::RefCell::new(EventLines::new(json));
    let mut op = Op::new(Blank::new(kind));
    let result = ops::run(
        &mut op,
        opened.link(),
        &mut |e| {
            lines.borrow_mut().emit(e);
            if let Some(f) = e.fraction {
                let b = bar.get_or_insert_with(|| Progress::fraction(quiet || json));
                b.set_text(format!("blanking ({})", kind.name()));
                b.set_fraction(f);
                b.set_left(e.remaining_ms);
            }
        },
        &|| signal::stop_requested() || lines.borrow().lost(),
    )
    .map_err(op_error);
    if let Some(b) = bar.as_mut() {
        b.finish();
    }
    opened.close()?;
    if let Some(e) = lines.borrow_mut().error() {
        return Err(e);
    }
    result?;
    if !quiet {
        eprintln!("blanked ({})", kind.name());
    }
    Ok(())
}

/// `rawburn eject`, `rawburn tray ACTION`.
///
/// ## Errors
///
/// [`ExitKind::Drive`] when the drive refuses, or when its disc is
/// mounted and the action would let it out (eject, unlock).
pub fn tray(choice: &Choice, action: TrayAction) -> Result<(), CliError> {
    let mut opened = target::open(choice)?;
    #[cfg(target_os = "linux")]
    if matches!(action, TrayAction::Eject | TrayAction::Unlock)
        && let Some(at) = opened.mounted_at()
    {
        let p = crate::sg::problem::mounted(&opened.name(), at);
        let mut e = CliError::new(
            ExitKind::Drive,
            format!("cannot let the disc out: {}", p.problem),
        );
        if let Some(fix) = p.fix {
            e = e.caused_by(format!("what to do: {fix}"));
        }
        opened.close()?;
        return Err(e);
    }
    let result = run(opened.link(), Tray::new(action), &mut |_| {});
    opened.close()?;
    result
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
