//! Discs of several sessions read from a CloneCD control file: building
//! their images (`rawburn build multi.ccd -o x.cue`) and showing their
//! TOC.

use crate::error::{CliError, ExitKind};
use crate::files::{Resolver, SHEET_CAP};
use crate::output::Outputs;
use crate::progress::Progress;
use crate::sources::FileSources;
use layout::disc::sessions::{MultiDisc, MultiProject};
use layout::image::{ImageFormat, session_image_files};
use layout::render::{PIPELINE_BATCH, render};
use std::path::Path;
use std::time::Instant;

/// A disc of several sessions, planned, with each session's sources.
pub struct Sessions {
    /// The plan.
    pub multi: MultiDisc,
    /// One set of opened sources per session.
    pub sources: Vec<FileSources>,
    /// The reader's warnings.
    pub warnings: Vec<String>,
}

/// Reads `path` as a disc of several sessions when it is a CloneCD
/// control file whose TOC lists more than one, or a cue sheet with `REM
/// SESSION` marks for more than one; `None` for anything else.
///
/// ## Errors
///
/// [`ExitKind::Input`] naming the file, line and column of what cannot be
/// read; [`ExitKind::Disc`] when the sessions make no disc.
pub fn load(path: &Path) -> Result<Option<Sessions>, CliError> {
    use layout::image::import::ccd;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let what = match ext.as_deref() {
        Some("ccd") => "CloneCD control file",
        Some("cue") => "cue sheet",
        _ => return Ok(None),
    };
    let resolver = Resolver::user();
    let shown = path.display().to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let bytes = resolver
        .read(path, what, SHEET_CAP)
        .map_err(|e| crate::input::unreadable(path, e))?;
    let mut warnings = Vec::new();
    let text: String = if what == "cue sheet" {
        crate::input::cue_text(bytes, &shown, &mut warnings)
    } else {
        String::from_utf8(bytes)
            .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| b as char).collect())
    };
    let laid_out = |e: &dyn std::fmt::Display| {
        CliError::new(ExitKind::Input, format!("{shown} cannot be laid out"))
            .caused_by(e.to_string())
    };
    let (imported, files) = if what == "cue sheet" {
        let sheet = layout::cue::parse(&text).map_err(|e| {
            CliError::new(ExitKind::Input, format!("{shown} is not a valid cue sheet")).caused_by(e)
        })?;
        if layout::cue::session_starts(&sheet)
            .map_err(|e| laid_out(&e))?
            .is_none()
        {
            return Ok(None);
        }
        let mut files = FileSources::for_sheet(&resolver, &dir, &sheet.sources());
        let imported = layout::cue::to_sessions(&sheet, &mut |k, _| {
            files.data_len(k).map_err(|e| e.to_string())
        })
        .map_err(|e| laid_out(&e))?
        .ok_or_else(|| CliError::new(ExitKind::Input, format!("{shown} has one session")))?;
        ((imported.project, imported.warnings), files)
    } else {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let invalid = |e| {
            CliError::new(ExitKind::Input, format!("{shown} is not a valid ccd file")).caused_by(e)
        };
        let parsed = ccd::parse(&text, stem).map_err(invalid)?;
        if ccd::session_count(&parsed).map_err(invalid)? < 2 {
            return Ok(None);
        }
        let mut files =
            crate::input::ImageFiles(FileSources::for_sheet(&resolver, &dir, parsed.sources()));
        let imported = ccd::to_sessions(&parsed, &mut files).map_err(|e| {
            CliError::new(ExitKind::Input, format!("{shown} cannot be laid out"))
                .caused_by_error(&e)
        })?;
        ((imported.project, imported.warnings), files.0)
    };
    let (mut project, reader_warnings): (MultiProject, Vec<String>) = imported;
    for s in &mut project.sessions {
        crate::input::use_found_names(&shown, &files, &mut s.project, &mut warnings);
    }
    warnings.extend(reader_warnings);
    let multi = MultiDisc::plan(&project).map_err(|e| {
        CliError::new(
            ExitKind::Disc,
            format!("{shown} describes a disc that cannot be made"),
        )
        .caused_by(e)
    })?;
    let sources = multi
        .sessions()
        .iter()
        .map(|s| FileSources::new(&resolver, &dir, &s.disc().project().sources))
        .collect();
    Ok(Some(Sessions {
        multi,
        sources,
        warnings,
    }))
}

/// Writes the image of a disc of several sessions to `output`.
///
/// ## Errors
///
/// [`ExitKind::Disc`] for a format that cannot hold sessions, else as
/// [`crate::build::build`].
pub fn build(
    mut s: Sessions,
    output: &Path,
    format: ImageFormat,
    quiet: bool,
) -> Result<(), CliError> {
    let started = Instant::now();
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    let out_dir = output.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = output.file_stem().and_then(|s| s.to_str()).ok_or_else(|| {
        CliError::new(
            ExitKind::Usage,
            format!("{}: no file name", output.display()),
        )
    })?;
    let files = session_image_files(&s.multi, format, stem).map_err(|e| {
        CliError::new(
            ExitKind::Disc,
            format!("cannot write this disc as {}", output.display()),
        )
        .caused_by(e)
    })?;
    for w in &files.warnings {
        eprintln!("warning: {w}");
    }
    let mut outputs = Outputs::new();
    let total: u64 = files.streams.iter().map(|f| f.sectors()).sum();
    if let Some(first) = files.streams.first() {
        let main = outputs.start(&out_dir.join(&first.main))?;
        let sub = match &first.sub {
            Some(name) => Some(outputs.start(&out_dir.join(name))?),
            None => None,
        };
        for b in &files.binaries {
            outputs.file(&out_dir.join(&b.name), &b.bytes)?;
        }
        for t in &files.texts {
            outputs.file(&out_dir.join(&t.name), t.content.as_bytes())?;
        }
        let mut progress = Progress::new(quiet, total, "building");
        let mut done_before = 0;
        for (k, stream) in files.streams.iter().enumerate() {
            let session = &s.multi.sessions()[k];
            let mut sink = crate::build::FileSink {
                outputs: &mut outputs,
                main,
                sub,
                failed: None,
            };
            let result = render(
                session.placed(),
                stream,
                &mut s.sources[k],
                &mut sink,
                PIPELINE_BATCH,
                &mut |done, _| progress.set(done_before + done),
            );
            if let Err(e) = result {
                progress.finish();
                if let Some(failed) = sink.failed.take() {
                    return Err(failed);
                }
                let kind = if crate::signal::stop_requested() {
                    ExitKind::Cancelled
                } else {
                    ExitKind::Input
                };
                return Err(CliError::new(
                    kind,
                    format!("cannot build {} (session {})", output.display(), k + 1),
                )
                .caused_by_error(&e));
            }
            done_before += stream.sectors();
        }
        progress.finish();
    }
    let written = outputs.commit()?;
    if !quiet {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "wrote {} ({total} sectors, {} sessions) in {:.2} s",
            names.join(", "),
            s.multi.sessions().len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
