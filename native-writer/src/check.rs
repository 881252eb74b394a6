//! Everything about a disc's sources that can be known before its first
//! sector is written: each file opens through the resolver, is a regular
//! file, has a header that decodes (WAV, AIFF, FLAC, ALAC, MP3, AAC, Vorbis),
//! and holds the bytes the plan takes from it; for a burn, every decoded
//! audio file decodes whole.
//!
//! A data track that would read past the end of its file is refused (its
//! sectors would be made up); audio that ends early is padded with
//! silence, and more than the last partial sector of it is worth a
//! warning.

use crate::error::{CliError, ExitKind};
use crate::sources::FileSources;
use layout::disc::{Area, Content, Disc};
use layout::frames::RAW_IMAGE_START;
use layout::source::SourceError;
use layout::subchannel::PW_SIZE;
use std::collections::BTreeSet;

/// How far to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Open, size and headers.
    Headers,
    /// Also decode every compressed file whole (before a burn).
    Decode,
}

/// Checks the sources of `disc`; returns warnings.
///
/// ## Errors
///
/// [`ExitKind::Input`] naming the track and file: a file that cannot be
/// opened or decoded, a data track that reads past the end of its file.
pub fn sources(
    disc: &Disc,
    files: &mut FileSources,
    depth: Depth,
) -> Result<Vec<String>, CliError> {
    let mut warnings = Vec::new();
    let mut used = BTreeSet::new();
    for r in disc.regions() {
        let Content::Source {
            pos,
            stride,
            rw_sub,
            ..
        } = r.content
        else {
            continue;
        };
        let track = match r.area {
            Area::Track { track, .. } => disc.tracks().get(track).map(|t| t.number.get()),
            _ => None,
        };
        let label = match track {
            Some(n) => format!("track {n}"),
            None => "the lead-out".to_string(),
        };
        let audio = r.encoder.sector_type().is_audio();
        let what = if audio { "audio" } else { "data" };
        let needed = stride
            .checked_mul(r.sectors as u64)
            .and_then(|n| n.checked_add(pos.offset));
        let len = length(files, pos.source, &label)?;
        used.insert(pos.source);
        match needed {
            Some(end) if end <= len => {}
            Some(end) if audio => {
                let short = end - len.max(pos.offset);
                // The last partial sector is the usual padding, which the
                // sheet's reader reports itself.
                if short >= stride {
                    warnings.push(format!(
                        "{label}: {} ends {} sectors before the audio the disc takes from it; they are silence",
                        files.name(pos.source),
                        short / stride
                    ));
                }
            }
            _ => {
                return Err(CliError::new(
                    ExitKind::Input,
                    format!(
                        "{label}: {} holds {len} bytes, but its {what} runs to byte {} ({} sectors of {stride} bytes from byte {})",
                        files.name(pos.source),
                        needed.map_or_else(|| "beyond any file".to_string(), |n| n.to_string()),
                        r.sectors,
                        pos.offset
                    ),
                ));
            }
        }
        if let Some(sub) = rw_sub {
            let needed = (PW_SIZE as u64)
                .checked_mul(r.sectors as u64)
                .and_then(|n| n.checked_add(sub.offset));
            let len = length(files, sub.source, &label)?;
            used.insert(sub.source);
            if needed.is_none_or(|n| n > len) {
                warnings.push(format!(
                    "{label}: the sub-channel file {} ends before this track's R-W; the rest has none",
                    files.name(sub.source)
                ));
            }
        }
    }
    if let Some(g) = disc.project().rw_generator {
        let sectors = disc.end().since(RAW_IMAGE_START).max(0) as u64;
        let len = length(files, g.source, "the R-W generator")?;
        used.insert(g.source);
        let needed = (PW_SIZE as u64)
            .checked_mul(sectors)
            .and_then(|n| n.checked_add(g.offset));
        if needed.is_none_or(|n| n > len) {
            warnings.push(format!(
                "the R-W generator {} ends before the disc does; the rest has no R-W",
                files.name(g.source)
            ));
        }
    }
    if depth == Depth::Decode {
        for &i in &used {
            let decoded = files.is_decoded(i).map_err(|e| bad_source(files, i, e))?;
            if decoded {
                files.decode_all(i).map_err(|e| bad_source(files, i, e))?;
            }
        }
    }
    Ok(warnings)
}

fn length(files: &mut FileSources, source: usize, label: &str) -> Result<u64, CliError> {
    files.data_len(source).map_err(|e| {
        CliError::new(
            ExitKind::Input,
            format!("{label}: source {} cannot be used", files.name(source)),
        )
        .caused_by_error(&e)
    })
}

fn bad_source(files: &FileSources, i: usize, e: SourceError) -> CliError {
    CliError::new(
        ExitKind::Input,
        format!("source {} cannot be used", files.name(i)),
    )
    .caused_by_error(&e)
}
