//! `rawburn cdtext`: shows CD-TEXT pack by pack and writes it out.

use crate::build::plan;
use crate::error::{CliError, ExitKind};
use crate::files::{CDTEXT_CAP, Resolver};
use crate::input::{apply_cdtext_files, load, unreadable};
use crate::output::Outputs;
use crate::show::cdtext_text;
use layout::cdtext::{CdText, Pack, cdt, symbols_to_packs, v07t};
use layout::frames::RAW_IMAGE_START;
use std::fmt::Write;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What to do with the CD-TEXT.
pub struct Options<'a> {
    /// Replacement CD-TEXT files (for cue/json inputs).
    pub cdtext: &'a [PathBuf],
    /// Write the packs as a `.cdt`.
    pub cdt: Option<&'a Path>,
    /// Write each block as a Sony input sheet, named after this path.
    pub sheet: Option<&'a Path>,
}

/// Dumps the packs of `input`: a cue sheet or project (encoded), a `.cdt`,
/// or a raw image (read from its lead-in R-W).
///
/// ## Errors
///
/// As loading, planning and reading; writing outputs.
pub fn cdtext(input: &Path, options: &Options<'_>) -> Result<(), CliError> {
    let ext = input
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let shown = input.display().to_string();
    let resolver = Resolver::user();
    let (packs, tracks) = match ext.as_str() {
        "cdt" => {
            let bytes = resolver
                .read(input, "cd-text file", CDTEXT_CAP)
                .map_err(|e| unreadable(input, e))?;
            let packs = cdt::read(&bytes).map_err(|e| {
                CliError::new(ExitKind::Input, format!("{shown} is not a cd-text file"))
                    .caused_by(e)
            })?;
            (packs, None)
        }
        "raw" => (lead_in_packs(input, &resolver)?, None),
        _ => {
            let mut loaded = load(input, &resolver)?;
            apply_cdtext_files(&mut loaded, options.cdtext, &resolver)?;
            let disc = plan(input, &loaded.project)?;
            (disc.cdtext_packs().to_vec(), Some(disc.tracks().len()))
        }
    };
    if packs.is_empty() {
        return Err(CliError::new(
            ExitKind::Input,
            format!("{shown} has no cd-text"),
        ));
    }
    let decoded = CdText::from_packs(&packs).map_err(|e| {
        CliError::new(ExitKind::Input, format!("{shown}: no readable cd-text")).caused_by(e)
    })?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} packs ({} distinct, {} with a bad crc)\n\nblk seq  type trk pos  payload                              crc",
        packs.len(),
        decoded.packs,
        decoded.bad_crc
    );
    for p in &packs {
        let payload: Vec<String> = p.payload().iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(
            out,
            "{:>3} {:>3}  {:02x}   {:>3} {:>3}{} {}  {:02x}{:02x} {}",
            p.block(),
            p.sequence(),
            p.kind(),
            p.track(),
            p.char_pos(),
            if p.double_byte() { "d" } else { " " },
            payload.join(" "),
            p.0[16],
            p.0[17],
            if p.crc_ok() { "ok" } else { "bad" }
        );
    }
    out.push_str(&cdtext_text(&decoded.cdtext, decoded.first_track));
    // The .cdt and the sheets are written together or not at all.
    let mut outputs = Outputs::new();
    if let Some(path) = options.cdt {
        outputs.file(path, &cdt::write(&dedup(&packs)))?;
    }
    if let Some(path) = options.sheet {
        let tracks = tracks.unwrap_or_else(|| {
            decoded
                .cdtext
                .blocks
                .iter()
                .map(|b| b.tracks.len())
                .max()
                .unwrap_or(0)
        });
        for (b, block) in decoded.cdtext.blocks.iter().enumerate() {
            let target = if b == 0 {
                path.to_path_buf()
            } else {
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("sheet");
                let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("txt");
                path.with_file_name(format!("{stem}-{b}.{ext}"))
            };
            outputs.file(&target, &v07t::write(block, decoded.first_track, tracks))?;
        }
    }
    // The listing first: when stdout does not take it, no file appears.
    crate::output::stdout(&out)?;
    outputs.commit()?;
    Ok(())
}

/// Packs once each, in block and sequence order.
fn dedup(packs: &[Pack]) -> Vec<Pack> {
    let mut seen = std::collections::BTreeMap::new();
    for p in packs.iter().filter(|p| p.crc_ok()) {
        seen.entry((p.block(), p.sequence())).or_insert(*p);
    }
    seen.into_values().collect()
}

/// The packs in the lead-in R-W of a raw 2448-byte image.
fn lead_in_packs(path: &Path, resolver: &Resolver) -> Result<Vec<Pack>, CliError> {
    let shown = path.display().to_string();
    let err = |e: std::io::Error| {
        CliError::new(ExitKind::Input, format!("cannot read {shown}")).caused_by(e)
    };
    let (mut file, _) = resolver.open(path).map_err(|e| unreadable(path, e))?;
    let sectors = (-151 - RAW_IMAGE_START.get() + 1) as usize;
    let mut frame = vec![0u8; 2448];
    let mut packs = Vec::new();
    for _ in 0..sectors {
        file.read_exact(&mut frame).map_err(err)?;
        let mut symbols = [0u8; 96];
        for (d, s) in symbols.iter_mut().zip(&frame[2352..]) {
            *d = s & 0x3f;
        }
        packs.extend(symbols_to_packs(&symbols).into_iter().filter(Pack::crc_ok));
    }
    Ok(packs)
}
