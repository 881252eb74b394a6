//! CDRWIN cue sheet and BIN.

use super::{
    BinaryFile, FrameStream, Frames, ImageError, ImageFiles, TextFile, bin_ranges, lba0_warning,
    text,
};
use crate::disc::{CopySetting, Disc, DiscType};
use core::fmt::Write;

/// The cue name of a track's type as stored in our BIN (2352-byte sectors,
/// 2448 with R-W).
pub(crate) fn cue_track_type(
    disc: &Disc,
    i: usize,
    format: &'static str,
) -> Result<&'static str, ImageError> {
    let spec = &disc.project().tracks[i];
    let ty = spec.sector_type;
    Ok(match ty.mode() {
        None if spec.has_rw() => "CDG",
        None => "AUDIO",
        Some(1) => "MODE1/2352",
        Some(2) if disc.disc_type() == DiscType::CdI => "CDI/2352",
        Some(2) => "MODE2/2352",
        _ => {
            return Err(ImageError::TrackType {
                track: disc.tracks()[i].number.get(),
                ty,
                format,
            });
        }
    })
}

pub(super) fn files(disc: &Disc, stem: &str) -> Result<ImageFiles, ImageError> {
    let project = disc.project();
    let ranges = bin_ranges(disc);
    let bin = format!("{stem}.bin");
    // Writing to a String cannot fail: the results are ignored.
    let mut s = String::new();
    if let Some(mcn) = project.mcn {
        let _ = writeln!(s, "CATALOG {mcn}");
    }
    let mut warnings: Vec<String> = lba0_warning(disc, "bin/cue image").into_iter().collect();
    let mut binaries = Vec::new();
    if let Some(cdtext) = project
        .cdtext
        .as_ref()
        .filter(|_| !disc.cdtext_packs().is_empty())
    {
        let cdt = format!("{stem}.cdt");
        let _ = writeln!(s, "CDTEXTFILE \"{cdt}\"");
        binaries.push(BinaryFile {
            name: cdt,
            bytes: crate::cdtext::cdt::write(disc.cdtext_packs()),
        });
        s.push_str(&text::cue_lines(cdtext, None, "", &mut warnings));
    }
    s.push_str(&remark_lines(
        &project.remarks,
        project.cdtext.is_some(),
        "",
    ));
    let _ = writeln!(s, "FILE \"{bin}\" BINARY");
    let mut pos: u64 = 0;
    for (i, t) in disc.tracks().iter().enumerate() {
        let spec = &project.tracks[i];
        let range = ranges[i];
        let kind = cue_track_type(disc, i, "cue sheet")?;
        let _ = writeln!(s, "  TRACK {:02} {kind}", t.number.get());
        if let Some(cdtext) = &project.cdtext {
            s.push_str(&text::cue_lines(cdtext, Some(i), "    ", &mut warnings));
        }
        s.push_str(&remark_lines(
            &spec.remarks,
            project.cdtext.is_some(),
            "    ",
        ));
        let mut flags = Vec::new();
        if t.copy == CopySetting::Permitted {
            flags.push("DCP");
        }
        if spec.four_channel {
            flags.push("4CH");
        }
        if spec.pre_emphasis {
            flags.push("PRE");
        }
        if t.copy == CopySetting::Scms {
            flags.push("SCMS");
        }
        if !flags.is_empty() {
            let _ = writeln!(s, "    FLAGS {}", flags.join(" "));
        }
        if let Some(isrc) = t.isrc {
            let _ = writeln!(s, "    ISRC {isrc}");
        }
        let at =
            |lba: crate::msf::Lba| Frames(pos + u64::try_from(lba.since(range.start)).unwrap_or(0));
        if range.start < t.start {
            let _ = writeln!(s, "    INDEX 00 {}", at(range.start));
        }
        for (k, &idx) in t.indexes.iter().enumerate() {
            let _ = writeln!(s, "    INDEX {:02} {}", k + 1, at(idx));
        }
        pos += range.sectors();
    }
    Ok(ImageFiles {
        texts: vec![TextFile {
            name: format!("{stem}.cue"),
            content: s,
        }],
        binaries,
        frames: Some(FrameStream {
            ranges,
            main: bin,
            sub: None,
        }),
        warnings,
    })
}

/// `REM` lines for a project's or a track's remarks; with CD-TEXT, the
/// ones the CD-TEXT lines already carry are left out.
fn remark_lines(remarks: &[crate::disc::Remark], cdtext: bool, indent: &str) -> String {
    const IN_CDTEXT: [&str; 5] = ["COMPOSER", "ARRANGER", "MESSAGE", "GENRE", "DISCID"];
    let mut s = String::new();
    for r in remarks {
        if cdtext && IN_CDTEXT.contains(&r.key.as_str()) {
            continue;
        }
        // A remark is one line.
        let line = |t: &str| t.replace(['\r', '\n'], " ");
        let _ = match r.value.is_empty() {
            true => writeln!(s, "{indent}REM {}", line(&r.key)),
            false => writeln!(s, "{indent}REM {} {}", line(&r.key), line(&r.value)),
        };
    }
    s
}
