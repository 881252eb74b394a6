//! CDRWIN cue sheet and BIN.

use super::{
    BinaryFile, FrameStream, Frames, ImageError, ImageFiles, SessionFiles, StreamRange, TextFile,
    bin_ranges, lba0_warning, text,
};
use crate::disc::sessions::MultiDisc;
use crate::disc::{CopySetting, Disc, DiscType};
use crate::msf::Lba;
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
    let ranges = bin_ranges(disc);
    let bin = format!("{stem}.bin");
    let mut warnings: Vec<String> = lba0_warning(disc, "bin/cue image").into_iter().collect();
    let mut binaries = Vec::new();
    let mut s = head(disc, stem, &mut warnings, &mut binaries);
    let _ = writeln!(s, "FILE \"{bin}\" BINARY");
    let mut pos: u64 = 0;
    for (i, range) in ranges.iter().enumerate() {
        write_track(
            &mut s,
            disc,
            i,
            *range,
            |lba| Frames(pos + u64::try_from(lba.since(range.start)).unwrap_or(0)),
            &mut warnings,
        )?;
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

/// The lines before `FILE`: catalog, CD-TEXT (with its `.cdt` added to
/// `binaries`) and the disc's remarks.
fn head(
    disc: &Disc,
    stem: &str,
    warnings: &mut Vec<String>,
    binaries: &mut Vec<BinaryFile>,
) -> String {
    let project = disc.project();
    // Writing to a String cannot fail: the results are ignored.
    let mut s = String::new();
    if let Some(mcn) = project.mcn {
        let _ = writeln!(s, "CATALOG {mcn}");
    }
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
        s.push_str(&text::cue_lines(cdtext, None, "", warnings));
    }
    s.push_str(&remark_lines(
        &project.remarks,
        project.cdtext.is_some(),
        "",
    ));
    s
}

/// The cue sheet and BIN of a disc of several sessions. One BIN holds
/// session 1 from LBA 0 to its lead-out, then each later session from its
/// first index 1 to its lead-out; a `REM SESSION nn` line opens each
/// session. INDEX times are the tracks' places on the disc, so those of a
/// later session run on across the gap the BIN does not hold: the previous
/// lead-out, the lead-in and the 150-sector first pregap (11400 sectors
/// after session 1, 6900 after a later one). That is how libmirage's cue
/// parser reads the single-BIN multisession sheets of UltraISO and
/// IsoBuster (it takes those gap lengths off the BIN positions);
/// `REM SESSION nn` is also how redump.org's sheets mark sessions. A
/// sheet cannot say how long a gap is, so sessions placed elsewhere are
/// refused.
pub(super) fn session_files(multi: &MultiDisc, stem: &str) -> Result<SessionFiles, ImageError> {
    if let Some((session, start, expected)) = multi.unusual_start() {
        return Err(ImageError::SessionGap {
            session,
            start,
            expected,
            format: "cue sheet",
        });
    }
    let first = multi.sessions()[0].placed();
    let bin = format!("{stem}.bin");
    let mut warnings: Vec<String> = lba0_warning(first, "bin/cue image").into_iter().collect();
    let mut binaries = Vec::new();
    let mut s = head(first, stem, &mut warnings, &mut binaries);
    let _ = writeln!(s, "REM SESSION 01");
    let _ = writeln!(s, "FILE \"{bin}\" BINARY");
    let mut streams = Vec::new();
    for (k, session) in multi.sessions().iter().enumerate() {
        let disc = session.placed();
        let mut ranges = bin_ranges(disc);
        if k > 0 {
            let _ = writeln!(s, "REM SESSION {:02}", k + 1);
            if let Some(r) = ranges.first_mut() {
                r.start = session.start();
            }
        }
        for (i, range) in ranges.iter().enumerate() {
            let at = |lba: Lba| Frames(u64::try_from(lba.get()).unwrap_or(0));
            write_track(&mut s, disc, i, *range, at, &mut warnings)?;
        }
        streams.push(FrameStream {
            ranges,
            main: bin.clone(),
            sub: None,
        });
    }
    Ok(SessionFiles {
        texts: vec![TextFile {
            name: format!("{stem}.cue"),
            content: s,
        }],
        binaries,
        streams,
        warnings,
    })
}

/// The lines of track `i` of `disc`, stored from `range.start` in the BIN;
/// `at` gives the time an INDEX line shows for an LBA.
fn write_track(
    s: &mut String,
    disc: &Disc,
    i: usize,
    range: StreamRange,
    at: impl Fn(Lba) -> Frames,
    warnings: &mut Vec<String>,
) -> Result<(), ImageError> {
    let project = disc.project();
    let t = &disc.tracks()[i];
    let spec = &project.tracks[i];
    let kind = cue_track_type(disc, i, "cue sheet")?;
    let _ = writeln!(s, "  TRACK {:02} {kind}", t.number.get());
    if let Some(cdtext) = &project.cdtext {
        s.push_str(&text::cue_lines(cdtext, Some(i), "    ", warnings));
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
    if range.start < t.start {
        let _ = writeln!(s, "    INDEX 00 {}", at(range.start));
    }
    for (k, &idx) in t.indexes.iter().enumerate() {
        let _ = writeln!(s, "    INDEX {:02} {}", k + 1, at(idx));
    }
    Ok(())
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
