//! Loading a disc description: a cue sheet, a cdrdao toc file, a CloneCD
//! control file or a project JSON.

use crate::error::{CliError, ExitKind};
use crate::files::{CDTEXT_CAP, FileError, Resolver, SHEET_CAP};
use crate::sources::FileSources;
use layout::cue;
use layout::disc::Project;
use layout::source::SourceError;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// A project and where its relative source paths start.
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// Directory the source paths are relative to.
    pub dir: PathBuf,
    /// What the loader adjusted.
    pub warnings: Vec<String>,
}

/// A disc ready to show, build or burn: loaded, its CD-TEXT replaced as
/// asked, planned, and its sources checked to `depth`.
pub struct Prepared {
    /// What was loaded.
    pub loaded: Loaded,
    /// The plan.
    pub disc: layout::disc::Disc,
    /// Its sources, opened.
    pub sources: FileSources,
    /// Every warning: the reader's, the plan's, the sources'.
    pub warnings: Vec<String>,
}

/// `--strict`: warnings are errors.
static STRICT: AtomicBool = AtomicBool::new(false);

/// Makes every warning of [`prepare`] an error (`--strict`).
pub fn set_strict(on: bool) {
    STRICT.store(on, Ordering::Relaxed);
}

/// Loads `input`, replaces its CD-TEXT with `cdtext` files (when any) and
/// the subchannel form of raw images with `image_type` (when given),
/// plans it and checks its sources.
///
/// ## Errors
///
/// As [`load`], [`apply_cdtext_files`], [`crate::build::plan`] and
/// [`crate::check::sources`].
pub fn prepare(
    input: &Path,
    cdtext: &[PathBuf],
    image_type: Option<layout::disc::ImageType>,
    depth: crate::check::Depth,
) -> Result<Prepared, CliError> {
    let resolver = Resolver::user();
    let mut loaded = load(input, &resolver)?;
    apply_cdtext_files(&mut loaded, cdtext, &resolver)?;
    if let Some(t) = image_type {
        loaded.project.image_type = t;
    }
    finish(input, loaded, &resolver, depth)
}

/// As [`prepare`] for a disc made of `files` (an ISO, audio files) with
/// `options`, whatever this run registered as its input.
///
/// ## Errors
///
/// As [`prepare`].
pub fn prepare_files(
    files: &[PathBuf],
    options: &crate::media::MediaOptions,
    depth: crate::check::Depth,
) -> Result<Prepared, CliError> {
    let resolver = Resolver::user();
    let loaded = crate::media::load(files, options, &resolver)?;
    let shown = files.first().cloned().unwrap_or_default();
    finish(&shown, loaded, &resolver, depth)
}

/// The plan of what was loaded, its sources opened and checked.
fn finish(
    input: &Path,
    loaded: Loaded,
    resolver: &Resolver,
    depth: crate::check::Depth,
) -> Result<Prepared, CliError> {
    let disc = crate::build::plan(input, &loaded.project)?;
    let mut sources = FileSources::new(resolver, &loaded.dir, &disc.project().sources);
    let checked = crate::check::sources(&disc, &mut sources, depth)?;
    let mut warnings = loaded.warnings.clone();
    warnings.extend(disc.warnings().iter().map(|w| w.to_string()));
    warnings.extend(checked);
    if STRICT.load(Ordering::Relaxed)
        && let Some(first) = warnings.first()
    {
        let more = match warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        return Err(CliError::new(
            ExitKind::Disc,
            format!(
                "{} departs from a rule and --strict is given{more}",
                input.display()
            ),
        )
        .caused_by(first.clone()));
    }
    Ok(Prepared {
        loaded,
        disc,
        sources,
        warnings,
    })
}

/// The error for an input file that cannot be read.
pub fn unreadable(path: &Path, e: FileError) -> CliError {
    CliError::new(ExitKind::Input, format!("cannot read {}", path.display())).caused_by(e)
}

/// The text of a cue sheet `shown`: UTF-8, or else Windows-1252 with a
/// warning (Windows rippers write the system code page; such a sheet is
/// read rather than refused, its file names found as Windows wrote them).
pub fn cue_text(bytes: Vec<u8>, shown: &str, warnings: &mut Vec<String>) -> String {
    let (text, not_utf8) = layout::cue::text::decode(bytes);
    if not_utf8 {
        warnings.push(layout::cue::text::not_utf8_warning(shown));
    }
    text
}

/// Reads a `.cue`, `.toc`, `.ccd` or project `.json`; the files it names
/// go through `resolver`.
///
/// ## Errors
///
/// [`ExitKind::Input`] errors naming the file, line and column.
pub fn load(path: &Path, resolver: &Resolver) -> Result<Loaded, CliError> {
    if let Some((files, options)) = crate::media::registered(path) {
        return crate::media::load(&files, &options, resolver);
    }
    let shown = path.display().to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let what = match ext.as_deref() {
        Some("cue") => "cue sheet",
        Some("json") => "project",
        Some("toc") => "toc file",
        Some("ccd") => "CloneCD control file",
        _ => {
            return Err(CliError::new(
                ExitKind::Usage,
                format!(
                    "{shown}: the input must be a .cue sheet, a .toc or .ccd image or a project .json"
                ),
            ));
        }
    };
    let bytes = resolver
        .read(path, what, SHEET_CAP)
        .map_err(|e| unreadable(path, e))?;
    match ext.as_deref() {
        Some("cue") => {
            let mut warnings = Vec::new();
            let text = cue_text(bytes, &shown, &mut warnings);
            let sheet = cue::parse(&text).map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} is not a valid cue sheet"))
                    .caused_by(e)
            })?;
            let mut files = FileSources::for_sheet(resolver, &dir, &sheet.sources());
            let imported = cue::to_project(&sheet, &mut |k, _| {
                files.data_len(k).map_err(|e| e.to_string())
            })
            .map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} cannot be laid out")).caused_by(e)
            })?;
            let mut project = imported.project;
            use_found_names(&shown, &files, &mut project, &mut warnings);
            warnings.extend(imported.warnings);
            if let Some(file) = &sheet.cdtext_file {
                let found = resolver.find(&dir, &file.value, false).map_err(|e| {
                    CliError::new(
                        ExitKind::Input,
                        format!("{shown}: CDTEXTFILE cannot be used"),
                    )
                    .caused_by(e)
                })?;
                if let Some(w) = &found.warning {
                    warnings.push(format!("{shown}: {w}"));
                }
                let text = read_cdtext_file(&found.path, resolver)?;
                if project.cdtext.as_ref().is_some_and(|t| *t != text) {
                    warnings.push(format!(
                        "{shown}: CDTEXTFILE {} is used; the sheet's TITLE/PERFORMER/SONGWRITER lines differ from it",
                        file.value
                    ));
                }
                project.cdtext = Some(text);
            }
            Ok(Loaded {
                project,
                dir,
                warnings,
            })
        }
        Some("json") => {
            let text = String::from_utf8(bytes).map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} is not UTF-8")).caused_by(e)
            })?;
            let project = Project::from_json(&text).map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} is not a valid project"))
                    .caused_by(e)
            })?;
            Ok(Loaded {
                project,
                dir,
                warnings: Vec::new(),
            })
        }
        Some(ext @ ("toc" | "ccd")) => load_image(path, ext, bytes, dir, resolver),
        _ => Err(CliError::new(
            ExitKind::Usage,
            format!(
                "{shown}: the input must be a .cue sheet, a .toc or .ccd image or a project .json"
            ),
        )),
    }
}

/// Reads a cdrdao `.toc` or a CloneCD `.ccd` (`ext`) with the files it
/// names.
///
/// ## Errors
///
/// [`ExitKind::Input`] errors naming the file, line and column.
fn load_image(
    path: &Path,
    ext: &str,
    bytes: Vec<u8>,
    dir: PathBuf,
    resolver: &Resolver,
) -> Result<Loaded, CliError> {
    use layout::image::import::{ccd, toc};
    let shown = path.display().to_string();
    let mut warnings = Vec::new();
    let text = String::from_utf8(bytes).unwrap_or_else(|e| {
        warnings.push(format!(
            "{shown} is not UTF-8; read as Latin-1 (ISO-8859-1)"
        ));
        e.into_bytes().iter().map(|&b| b as char).collect()
    });
    let invalid = |e| {
        CliError::new(
            ExitKind::Input,
            format!("{shown} is not a valid {ext} file"),
        )
        .caused_by(e)
    };
    let unlaid = |e: layout::image::import::ReadError| {
        CliError::new(ExitKind::Input, format!("{shown} cannot be laid out")).caused_by_error(&e)
    };
    let (imported, files) = if ext == "toc" {
        let parsed = toc::parse(&text).map_err(invalid)?;
        let mut files = ImageFiles(FileSources::for_sheet(resolver, &dir, parsed.sources()));
        (toc::to_project(&parsed, &mut files).map_err(unlaid)?, files)
    } else {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let parsed = ccd::parse(&text, stem).map_err(invalid)?;
        let mut files = ImageFiles(FileSources::for_sheet(resolver, &dir, parsed.sources()));
        (ccd::to_project(&parsed, &mut files).map_err(unlaid)?, files)
    };
    let mut project = imported.project;
    use_found_names(&shown, &files.0, &mut project, &mut warnings);
    warnings.extend(imported.warnings);
    Ok(Loaded {
        project,
        dir,
        warnings,
    })
}

/// Gives the project's sources the names `files` found them under where
/// a sheet's name matched no file exactly, with a warning for each.
pub fn use_found_names(
    shown: &str,
    files: &FileSources,
    project: &mut Project,
    warnings: &mut Vec<String>,
) {
    for (i, written, found) in files.found() {
        if let Some(source) = project.sources.get_mut(i)
            && source.path == written
        {
            source.path.clone_from(&found.name);
        }
        if let Some(w) = &found.warning {
            warnings.push(format!("{shown}: {w}"));
        }
    }
}

/// The files of an image description, read through [`FileSources`].
pub struct ImageFiles(pub FileSources);

impl layout::image::import::ImageSources for ImageFiles {
    fn data_len(&mut self, source: usize) -> Result<u64, SourceError> {
        self.0.data_len(source)
    }

    fn read(&mut self, source: usize, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        use layout::render::SourceData;
        let read = layout::frames::Read {
            source,
            offset,
            len: buf.len(),
        };
        self.0.read(&read, buf)
    }
}

/// `path` relative to `base` when both lead to the same place from a common
/// ancestor; otherwise `path` made absolute.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    // An empty path (the parent of a bare file name) is the current
    // directory.
    let abs = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
    };
    let (path, base) = (abs(path), abs(base));
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// `path` as a project names a file: a relative path with `/` between its
/// components on every system, so a project written on Windows opens on
/// Linux, in the editor and in the npm package; a path with a root (or a
/// drive) as the system writes it.
pub fn portable(path: &Path) -> String {
    use std::path::Component;
    if path
        .components()
        .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
    {
        return path.to_string_lossy().into_owned();
    }
    let parts: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// Reads CD-TEXT from a binary `.cdt` (all its blocks) or a Sony input
/// sheet (one block).
///
/// Errors quote a line of the file only once it is known to be an input
/// sheet (it declares its version), so naming some other file as CD-TEXT
/// never shows what that file holds.
///
/// ## Errors
///
/// [`ExitKind::Input`] naming the file and the problem.
pub fn read_cdtext_file(
    path: &Path,
    resolver: &Resolver,
) -> Result<layout::cdtext::CdText, CliError> {
    let shown = path.display().to_string();
    let bad = |what: &str| CliError::new(ExitKind::Input, format!("{shown}: {what}"));
    let bytes = resolver
        .read(path, "cd-text file", CDTEXT_CAP)
        .map_err(|e| unreadable(path, e))?;
    let is_cdt = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("cdt") || e.eq_ignore_ascii_case("bin"));
    if is_cdt {
        let packs = layout::cdtext::cdt::read(&bytes)
            .map_err(|e| bad("not a cd-text file").caused_by(e))?;
        let decoded = layout::cdtext::CdText::from_packs(&packs)
            .map_err(|e| bad("no readable cd-text").caused_by(e))?;
        return Ok(decoded.cdtext);
    }
    let not_sheet = "not a .cdt file or a cd-text input sheet (v0.7T)";
    let sheet = layout::cdtext::v07t::read(&bytes).map_err(|e| {
        if declares_input_sheet(&bytes) {
            bad("not a valid cd-text input sheet (v0.7T)").caused_by(e)
        } else {
            bad(not_sheet).caused_by(format!(
                "line {} is not `purpose = content`; an input sheet begins with `Input Sheet Version = 0.7T`",
                e.line
            ))
        }
    })?;
    Ok(layout::cdtext::CdText {
        blocks: vec![sheet.block],
        toc_info: true,
    })
}

/// Whether `bytes` read as a Sony input sheet by their own declaration.
fn declares_input_sheet(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).lines().take(8).any(|l| {
        let l = l.trim_start_matches('\u{feff}').trim();
        l.split_once('=')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("input sheet version"))
    })
}

/// Replaces the project's CD-TEXT with the blocks of `files`, in order.
///
/// ## Errors
///
/// As [`read_cdtext_file`].
pub fn apply_cdtext_files(
    loaded: &mut Loaded,
    files: &[PathBuf],
    resolver: &Resolver,
) -> Result<(), CliError> {
    if files.is_empty() {
        return Ok(());
    }
    let mut text = layout::cdtext::CdText {
        blocks: Vec::new(),
        toc_info: true,
    };
    for f in files {
        text.blocks.extend(read_cdtext_file(f, resolver)?.blocks);
    }
    loaded.project.cdtext = Some(text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_the_current_directory_given_as_an_empty_path() {
        // `rawburn build disc.cue -o image.json`: the output's directory is
        // the empty parent of a bare file name.
        assert_eq!(
            relative_to(Path::new("data.iso"), Path::new("")),
            PathBuf::from("data.iso")
        );
        assert_eq!(
            relative_to(Path::new("sub/a.wav"), Path::new("out")),
            PathBuf::from("../sub/a.wav")
        );
    }

    #[test]
    fn projects_name_relative_files_with_slashes_on_every_system() {
        let moved = relative_to(Path::new("sub/dir/a.wav"), Path::new("out"));
        assert_eq!(portable(&moved), "../sub/dir/a.wav");
        assert_eq!(portable(Path::new("a.wav")), "a.wav");
        #[cfg(windows)]
        {
            assert_eq!(portable(Path::new(r"..\sub\a.wav")), "../sub/a.wav");
            assert_eq!(portable(Path::new(r"C:\music\a.wav")), r"C:\music\a.wav");
        }
        #[cfg(unix)]
        assert_eq!(portable(Path::new("/music/a.wav")), "/music/a.wav");
    }
}
