//! cdrdao toc file and BIN (the same BIN as the cue sheet's, except that
//! tracks with R-W hold big-endian audio: cdrdao reads the audio of a
//! `DATAFILE` big-endian and cannot mark it `SWAP`).

use super::{
    FrameStream, Frames, ImageError, ImageFiles, TextFile, bin_ranges, lba0_warning, text,
    toc_disc_type,
};
use crate::disc::{CopySetting, Disc};
use crate::sector::SECTOR_SIZE;
use core::fmt::Write;

pub(super) fn files(disc: &Disc, stem: &str) -> Result<ImageFiles, ImageError> {
    let project = disc.project();
    let mut ranges = bin_ranges(disc);
    for (range, spec) in ranges.iter_mut().zip(&project.tracks) {
        range.big_endian_audio = spec.sector_type.is_audio() && spec.has_rw();
    }
    let bin = format!("{stem}.bin");
    let mut warnings: Vec<String> = lba0_warning(disc, "toc image").into_iter().collect();
    if disc.first_track().get() != 1 {
        warnings.push(format!(
            "a toc file numbers tracks from 1; the disc's tracks {}-{} are written as 1-{}",
            disc.first_track(),
            disc.last_track(),
            disc.tracks().len()
        ));
    }
    // Writing to a String cannot fail: the results are ignored.
    let mut s = String::new();
    let _ = writeln!(s, "{}", toc_disc_type(disc));
    if let Some(mcn) = project.mcn {
        let _ = writeln!(s, "CATALOG \"{mcn}\"");
    }
    let cdtext = project
        .cdtext
        .as_ref()
        .filter(|_| !disc.cdtext_packs().is_empty());
    if let Some(cdtext) = cdtext {
        s.push_str(&text::toc_global(
            cdtext,
            disc.cdtext_packs(),
            &mut warnings,
        ));
    }
    let mut offset: u64 = 0;
    for (i, t) in disc.tracks().iter().enumerate() {
        let spec = &project.tracks[i];
        let range = ranges[i];
        let frame = SECTOR_SIZE as u64 + range.subchannel.size() as u64;
        let ty = spec.sector_type;
        let _ = writeln!(s, "\n// Track {}", t.number.get());
        let mode = match (ty.mode(), spec.has_rw()) {
            (None, true) => "AUDIO RW_RAW",
            (None, false) => "AUDIO",
            (Some(1), true) => "MODE1_RAW RW_RAW",
            (Some(1), false) => "MODE1_RAW",
            (Some(2), true) => "MODE2_RAW RW_RAW",
            (Some(2), false) => "MODE2_RAW",
            _ => {
                return Err(ImageError::TrackType {
                    track: t.number.get(),
                    ty,
                    format: "toc file",
                });
            }
        };
        let _ = writeln!(s, "TRACK {mode}");
        let _ = writeln!(
            s,
            "{}",
            if t.copy == CopySetting::Permitted {
                "COPY"
            } else {
                "NO COPY"
            }
        );
        if t.copy == CopySetting::Scms {
            warnings.push(format!(
                "track {}: a toc file cannot mark scms; written as NO COPY",
                t.number.get()
            ));
        }
        if ty.is_audio() {
            let _ = writeln!(
                s,
                "{}",
                if spec.pre_emphasis {
                    "PRE_EMPHASIS"
                } else {
                    "NO PRE_EMPHASIS"
                }
            );
            let _ = writeln!(
                s,
                "{}",
                if spec.four_channel {
                    "FOUR_CHANNEL_AUDIO"
                } else {
                    "TWO_CHANNEL_AUDIO"
                }
            );
        }
        if let Some(isrc) = t.isrc {
            let _ = writeln!(s, "ISRC \"{isrc}\"");
        }
        if let Some(cdtext) = cdtext {
            s.push_str(&text::toc_track(cdtext, i));
        }
        // The stored part of the pregap (track 1's before LBA 0 is implicit).
        let stored_pregap = u64::try_from(t.start.since(range.start)).unwrap_or(0);
        let length = Frames(range.sectors());
        if ty.is_audio() && !spec.has_rw() {
            // Raw audio in toc files is big-endian unless marked SWAP.
            let _ = writeln!(s, "FILE \"{bin}\" SWAP #{offset} 0 {length}");
        } else {
            let _ = writeln!(s, "DATAFILE \"{bin}\" #{offset} {length}");
        }
        if stored_pregap > 0 {
            let _ = writeln!(s, "START {}", Frames(stored_pregap));
        }
        for idx in t.indexes.iter().skip(1) {
            let offset = u64::try_from(idx.since(t.start)).unwrap_or(0);
            let _ = writeln!(s, "INDEX {}", Frames(offset));
        }
        offset += range.sectors() * frame;
    }
    Ok(ImageFiles {
        texts: vec![TextFile {
            name: format!("{stem}.toc"),
            content: s,
        }],
        binaries: Vec::new(),
        frames: Some(FrameStream {
            ranges,
            main: bin,
            sub: None,
        }),
        warnings,
    })
}
