//! `rawburn build`: writes a disc image.

use crate::error::{CliError, ExitKind};
use crate::input::{apply_cdtext_files, load, relative_to};
use crate::progress::Progress;
use crate::sources::FileSources;
use layout::disc::{Disc, ImageType};
use layout::image::{ImageFormat, image_files};
use layout::render::{DEFAULT_BATCH, FrameSink, Part, render};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Builds `output` from `input`; `image_type` overrides the subchannel form
/// of raw images.
///
/// ## Errors
///
/// [`CliError`] for unreadable input, a disc that breaks a rule, or output
/// that cannot be written. No partial output file is left behind.
pub fn build(
    input: &Path,
    output: &Path,
    image_type: Option<ImageType>,
    cdtext: &[PathBuf],
    quiet: bool,
) -> Result<(), CliError> {
    let started = Instant::now();
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let format = ImageFormat::from_extension(ext).ok_or_else(|| {
        CliError::new(
            ExitKind::Usage,
            format!(
                "{}: the output extension picks the format: .cue, .ccd, .toc, .raw or .json",
                output.display()
            ),
        )
    })?;
    let mut loaded = load(input)?;
    apply_cdtext_files(&mut loaded, cdtext)?;
    if let Some(t) = image_type {
        loaded.project.image_type = t;
    }
    let disc = plan(input, &loaded.project)?;
    for w in loaded.warnings.iter().chain(
        disc.warnings()
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .iter(),
    ) {
        eprintln!("warning: {w}");
    }

    let out_dir = output.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = output.file_stem().and_then(|s| s.to_str()).ok_or_else(|| {
        CliError::new(
            ExitKind::Usage,
            format!("{}: no file name", output.display()),
        )
    })?;

    if format == ImageFormat::Project {
        // Source paths in the JSON are relative to the JSON itself.
        let mut project = loaded.project.clone();
        for s in &mut project.sources {
            let abs = loaded.dir.join(&s.path);
            s.path = relative_to(&abs, &out_dir).to_string_lossy().into_owned();
        }
        let disc = plan(input, &project)?;
        let files = image_files(&disc, format, stem).map_err(|e| {
            CliError::new(ExitKind::Output, "cannot write the project").caused_by(e)
        })?;
        for t in &files.texts {
            write_atomic(&out_dir.join(&t.name), t.content.as_bytes())?;
        }
        report(quiet, &[out_dir.join(&files.texts[0].name)], 0, started);
        return Ok(());
    }

    let files = image_files(&disc, format, stem).map_err(|e| {
        CliError::new(
            ExitKind::Disc,
            format!("cannot write this disc as {}", output.display()),
        )
        .caused_by(e)
    })?;
    for w in &files.warnings {
        eprintln!("warning: {w}");
    }
    let mut written = Vec::new();
    let mut sectors = 0;
    if let Some(stream) = &files.frames {
        let main = out_dir.join(&stream.main);
        let sub = stream.sub.as_ref().map(|s| out_dir.join(s));
        let mut sink = FileSink::create(&main, sub.as_deref())?;
        let mut sources = FileSources::new(&loaded.dir, &disc.project().sources);
        let mut progress = Progress::new(quiet, stream.sectors(), "building");
        let result = render(
            &disc,
            stream,
            &mut sources,
            &mut sink,
            DEFAULT_BATCH,
            &mut |done, _| progress.set(done),
        );
        progress.finish();
        if let Err(e) = result {
            sink.discard();
            return Err(CliError::new(
                ExitKind::Input,
                format!("cannot build {}", output.display()),
            )
            .caused_by(e));
        }
        sink.commit()?;
        written.push(main);
        written.extend(sub);
        sectors = stream.sectors();
    }
    for b in &files.binaries {
        let path = out_dir.join(&b.name);
        write_atomic(&path, &b.bytes)?;
        written.insert(0, path);
    }
    for t in &files.texts {
        let path = out_dir.join(&t.name);
        write_atomic(&path, t.content.as_bytes())?;
        written.insert(0, path);
    }
    report(quiet, &written, sectors, started);
    Ok(())
}

/// Plans a project, turning rule errors into exit code 4.
pub fn plan(input: &Path, project: &layout::disc::Project) -> Result<Disc, CliError> {
    Disc::plan(project).map_err(|e| {
        CliError::new(
            ExitKind::Disc,
            format!("{} describes a disc that cannot be made", input.display()),
        )
        .caused_by(e)
    })
}

fn report(quiet: bool, files: &[PathBuf], sectors: u64, started: Instant) {
    if quiet {
        return;
    }
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let secs = started.elapsed().as_secs_f64();
    if sectors > 0 {
        eprintln!(
            "wrote {} ({sectors} sectors) in {secs:.2} s",
            names.join(", ")
        );
    } else {
        eprintln!("wrote {}", names.join(", "));
    }
}

fn output_error(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::new(ExitKind::Output, format!("cannot write {}", path.display())).caused_by(e)
}

/// Writes through a temporary name and renames, so a failure leaves no
/// half-written file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let part = part_path(path);
    std::fs::write(&part, bytes).map_err(|e| output_error(path, e))?;
    std::fs::rename(&part, path).map_err(|e| output_error(path, e))
}

fn part_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

/// Main (and subchannel) files, written as `.part` until committed.
struct FileSink {
    files: Vec<(PathBuf, BufWriter<File>)>,
}

impl FileSink {
    fn create(main: &Path, sub: Option<&Path>) -> Result<FileSink, CliError> {
        let mut files = Vec::new();
        for path in std::iter::once(main).chain(sub) {
            let part = part_path(path);
            let f = File::create(&part).map_err(|e| output_error(path, e))?;
            files.push((path.to_path_buf(), BufWriter::with_capacity(1 << 20, f)));
        }
        Ok(FileSink { files })
    }

    fn commit(mut self) -> Result<(), CliError> {
        for (path, w) in &mut self.files {
            w.flush().map_err(|e| output_error(path, e))?;
        }
        for (path, _) in &self.files {
            std::fs::rename(part_path(path), path).map_err(|e| output_error(path, e))?;
        }
        Ok(())
    }

    fn discard(self) {
        for (path, w) in self.files {
            drop(w);
            let _ = std::fs::remove_file(part_path(&path));
        }
    }
}

impl FrameSink for FileSink {
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), String> {
        let i = match part {
            Part::Main => 0,
            Part::Sub => 1,
        };
        let (path, w) = self
            .files
            .get_mut(i)
            .ok_or_else(|| "no subchannel file".to_string())?;
        w.write_all(bytes)
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}
