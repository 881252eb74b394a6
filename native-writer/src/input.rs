//! Loading a disc description: a cue sheet or a project JSON.

use crate::error::{CliError, ExitKind};
use crate::sources::FileSources;
use layout::cue;
use layout::disc::Project;
use std::path::{Path, PathBuf};

/// A project and where its relative source paths start.
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// Directory the source paths are relative to.
    pub dir: PathBuf,
    /// What the loader adjusted.
    pub warnings: Vec<String>,
}

/// Reads a `.cue` or project `.json`.
///
/// ## Errors
///
/// [`ExitKind::Input`] errors naming the file, line and column.
pub fn load(path: &Path) -> Result<Loaded, CliError> {
    let shown = path.display().to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::new(ExitKind::Input, format!("cannot read {shown}")).caused_by(e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("cue") => {
            let mut warnings = Vec::new();
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    // Older rippers write the system code page; read it as
                    // Latin-1 rather than refuse the sheet.
                    warnings.push(format!(
                        "{shown} is not UTF-8; read as Latin-1 (ISO-8859-1)"
                    ));
                    e.into_bytes().iter().map(|&b| b as char).collect()
                }
            };
            let sheet = cue::parse(&text).map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} is not a valid cue sheet"))
                    .caused_by(e)
            })?;
            let sources: Vec<layout::disc::Source> = sheet
                .files
                .iter()
                .map(|f| layout::disc::Source {
                    path: f.name.value.clone(),
                    format: match f.kind {
                        cue::FileKind::Wave => layout::disc::SourceFormat::Audio,
                        cue::FileKind::Motorola => layout::disc::SourceFormat::Motorola,
                        cue::FileKind::Binary => layout::disc::SourceFormat::Binary,
                    },
                })
                .collect();
            let mut files = FileSources::new(&dir, &sources);
            let imported = cue::to_project(&sheet, &mut |k, _| files.data_len(k)).map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} cannot be laid out")).caused_by(e)
            })?;
            warnings.extend(imported.warnings);
            Ok(Loaded {
                project: imported.project,
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
        _ => Err(CliError::new(
            ExitKind::Usage,
            format!("{shown}: the input must be a .cue sheet or a project .json"),
        )),
    }
}

/// `path` relative to `base` when both lead to the same place from a common
/// ancestor; otherwise `path` made absolute.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
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
