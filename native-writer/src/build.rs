//! `rawburn build`: writes a disc image.

use crate::check::Depth;
use crate::error::{CliError, ExitKind};
use crate::input::{Loaded, portable, prepare, relative_to};
use crate::output::{OutputId, Outputs};
use crate::progress::Progress;
use crate::signal;
use crate::sources::FileSources;
use layout::disc::{Disc, ImageType};
use layout::image::FrameStream;
use layout::image::{ImageFormat, image_files};
use layout::render::{FrameSink, PIPELINE_BATCH, Part, RenderError, render, render_pipelined};
use layout::source::SourceError;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Builds `output` from `input`; `image_type` overrides the subchannel form
/// of raw images. `threads` sets the workers that read, encode and write
/// batches in turn (1: one batch after another on the calling thread);
/// without it, one per core.
///
/// ## Errors
///
/// [`CliError`] for unreadable input, a disc that breaks a rule, or output
/// that cannot be written; [`ExitKind::Cancelled`] on Ctrl-C. No partial
/// output file is left behind, and existing files are replaced only when
/// the whole image was written.
pub fn build(
    input: &Path,
    output: &Path,
    image_type: Option<ImageType>,
    cdtext: &[PathBuf],
    quiet: bool,
    threads: Option<NonZeroUsize>,
) -> Result<(), CliError> {
    let started = Instant::now();
    let format = output_format(output)?;
    if let Some(sessions) = crate::sessions::load(input)? {
        return crate::sessions::build(sessions, output, format, quiet);
    }
    let mut p = prepare(input, cdtext, image_type, Depth::Headers)?;
    for w in &p.warnings {
        eprintln!("warning: {w}");
    }
    write_image(
        &p.disc,
        &p.loaded,
        &mut p.sources,
        format,
        output,
        Run {
            quiet,
            threads,
            started,
        },
    )
}

/// How a build runs: its reporting and its threads.
#[derive(Debug, Clone, Copy)]
struct Run {
    quiet: bool,
    threads: Option<NonZeroUsize>,
    started: Instant,
}

/// The format an output's extension picks.
///
/// ## Errors
///
/// [`ExitKind::Usage`] for an extension that names no format.
pub fn output_format(output: &Path) -> Result<ImageFormat, CliError> {
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    ImageFormat::from_extension(ext).ok_or_else(|| {
        CliError::new(
            ExitKind::Usage,
            format!(
                "{}: the output extension picks the format: .cue, .ccd, .toc, .raw or .json",
                output.display()
            ),
        )
    })
}

fn write_image(
    disc: &Disc,
    loaded: &Loaded,
    sources: &mut FileSources,
    format: ImageFormat,
    output: &Path,
    run: Run,
) -> Result<(), CliError> {
    let Run {
        quiet,
        threads,
        started,
    } = run;
    let out_dir = output.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = output.file_stem().and_then(|s| s.to_str()).ok_or_else(|| {
        CliError::new(
            ExitKind::Usage,
            format!("{}: no file name", output.display()),
        )
    })?;
    let mut outputs = Outputs::new();

    if format == ImageFormat::Project {
        // Source paths in the JSON are relative to the JSON itself.
        let mut project = loaded.project.clone();
        let moved = |p: &str| portable(&relative_to(&loaded.dir.join(p), &out_dir));
        for s in &mut project.sources {
            s.path = moved(&s.path);
            for j in &mut s.join {
                *j = moved(j);
            }
        }
        let disc = plan(output, &project)?;
        let files = image_files(&disc, format, stem).map_err(|e| {
            CliError::new(ExitKind::Output, "cannot write the project").caused_by(e)
        })?;
        for t in &files.texts {
            outputs.file(&out_dir.join(&t.name), t.content.as_bytes())?;
        }
        let written = outputs.commit()?;
        report(quiet, &written, 0, started);
        return Ok(());
    }

    let files = image_files(disc, format, stem).map_err(|e| {
        CliError::new(
            ExitKind::Disc,
            format!("cannot write this disc as {}", output.display()),
        )
        .caused_by(e)
    })?;
    for w in &files.warnings {
        eprintln!("warning: {w}");
    }
    let mut sectors = 0;
    let mut frame_files = 0;
    if let Some(stream) = &files.frames {
        let main = outputs.start(&out_dir.join(&stream.main))?;
        let sub = match &stream.sub {
            Some(s) => Some(outputs.start(&out_dir.join(s))?),
            None => None,
        };
        // Every file of the set is started before the long part, so a
        // target that cannot be written is found at once.
        add_small_files(&mut outputs, &files, &out_dir)?;
        let mut sink = FileSink {
            outputs: &mut outputs,
            main,
            sub,
            failed: None,
        };
        let mut progress = Progress::new(quiet, stream.sectors(), "building");
        let result = encode_frames(disc, stream, sources, &mut sink, threads, &mut |done| {
            progress.set(done)
        });
        progress.finish();
        let failed = sink.failed.take();
        if let Err(e) = result {
            return Err(render_error(e, failed, output));
        }
        sectors = stream.sectors();
        frame_files = 1 + usize::from(stream.sub.is_some());
    } else {
        add_small_files(&mut outputs, &files, &out_dir)?;
    }
    let mut written = outputs.commit()?;
    // The report names the sheets first (the files people open), then the
    // small binaries, then the image and its subchannel.
    written[frame_files..].reverse();
    written.rotate_left(frame_files);
    report(quiet, &written, sectors, started);
    Ok(())
}

/// Renders `stream` into `sink`: serially on one thread when `threads` is
/// 1, else with `threads` workers each reading, encoding and writing every
/// n-th batch in turn, or one per thread of rayon's global pool (all cores,
/// or `RAYON_NUM_THREADS`) when `threads` is not given. The bytes are the
/// same either way.
fn encode_frames(
    disc: &Disc,
    stream: &FrameStream,
    sources: &mut FileSources,
    sink: &mut FileSink<'_>,
    threads: Option<NonZeroUsize>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(), RenderError> {
    let mut pipelined = || {
        render_pipelined(
            disc,
            stream,
            sources,
            sink,
            PIPELINE_BATCH,
            &mut |done, _| progress(done),
        )
    };
    let Some(n) = threads else {
        return pipelined();
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n.get())
        .build()
        .map_err(|e| RenderError::Source {
            lba: 0,
            error: SourceError::other(format!("cannot start {n} encoding threads: {e}")),
        })?;
    if n.get() > 1 {
        return pool.install(pipelined);
    }
    // One thread: the serial loop, inside a pool of one so the encoder
    // does not spread batches over the global pool.
    pool.install(|| {
        render(
            disc,
            stream,
            sources,
            sink,
            PIPELINE_BATCH,
            &mut |done, _| progress(done),
        )
    })
}

/// The sheets and small binaries of an image, in the order they are put in
/// place (binaries before the sheets that name them).
fn add_small_files(
    outputs: &mut Outputs,
    files: &layout::image::ImageFiles,
    dir: &Path,
) -> Result<(), CliError> {
    for b in &files.binaries {
        outputs.file(&dir.join(&b.name), &b.bytes)?;
    }
    for t in &files.texts {
        outputs.file(&dir.join(&t.name), t.content.as_bytes())?;
    }
    Ok(())
}

/// The exit code and message of a build that stopped.
fn render_error(e: RenderError, sink: Option<CliError>, output: &Path) -> CliError {
    if signal::stop_requested() {
        return CliError::new(
            ExitKind::Cancelled,
            format!(
                "building {} was cancelled; no file was written",
                output.display()
            ),
        );
    }
    if let Some(sink) = sink {
        return sink;
    }
    CliError::new(
        ExitKind::Input,
        format!("cannot build {}", output.display()),
    )
    .caused_by_error(&e)
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

/// Frames into the main (and subchannel) file of an output set; stops
/// when a stop is asked for.
pub(crate) struct FileSink<'a> {
    pub(crate) outputs: &'a mut Outputs,
    pub(crate) main: OutputId,
    pub(crate) sub: Option<OutputId>,
    /// The first write that failed, with its exit code.
    pub(crate) failed: Option<CliError>,
}

impl FrameSink for FileSink<'_> {
    fn write(&mut self, part: Part, bytes: &[u8]) -> Result<(), SourceError> {
        if signal::stop_requested() {
            return Err(SourceError::other("cancelled"));
        }
        let id = match part {
            Part::Main => self.main,
            Part::Sub => self
                .sub
                .ok_or_else(|| SourceError::other("no subchannel file"))?,
        };
        self.outputs.write(id, bytes).map_err(|e| {
            let error = SourceError::other(e.to_string());
            self.failed.get_or_insert(e);
            error
        })
    }
}
