//! CloneCD: `.ccd` (full TOC and tracks), `.img` (2352 bytes per sector
//! from LBA 0 up to the lead-out) and `.sub` (linear 96-byte P-W per
//! sector).

use super::{FrameStream, ImageError, ImageFiles, StreamRange, TextFile, lba0_warning};
use crate::disc::Disc;
use crate::msf::{Lba, Msf};
use crate::subchannel::SubchannelFormat;
use core::fmt::Write;

pub(super) fn files(disc: &Disc, stem: &str) -> Result<ImageFiles, ImageError> {
    let project = disc.project();
    let tracks = disc.tracks();
    let first = &tracks[0];
    let last = &tracks[tracks.len() - 1];

    // Full TOC: (point, control, PMIN, PSEC, PFRAME), values binary.
    let mut entries: Vec<(u8, u8, [u8; 3])> = vec![
        (
            0xa0,
            first.control,
            [first.number.get(), disc.disc_type().code(), 0],
        ),
        (0xa1, last.control, [last.number.get(), 0, 0]),
        (0xa2, last.control, msf(disc.leadout())),
    ];
    entries.extend(
        tracks
            .iter()
            .map(|t| (t.number.get(), t.control, msf(t.start))),
    );

    // Writing to a String cannot fail: the results are ignored.
    let mut s = String::new();
    let _ = writeln!(s, "[CloneCD]\nVersion=3\n");
    let _ = writeln!(s, "[Disc]");
    let _ = writeln!(s, "TocEntries={}", entries.len());
    let packs = disc.cdtext_packs();
    let _ = writeln!(
        s,
        "Sessions=1\nDataTracksScrambled=0\nCDTextLength={}",
        packs.len() * crate::cdtext::pack::PACK_SIZE
    );
    if let Some(mcn) = project.mcn {
        let _ = writeln!(s, "CATALOG={mcn}");
    }
    let pregap_mode = first.sector_type.mode().unwrap_or(0);
    let _ = writeln!(s, "\n[Session 1]\nPreGapMode={pregap_mode}\nPreGapSubC=0");
    for (k, (point, control, p)) in entries.iter().enumerate() {
        let plba = (p[0] as i32 * 60 + p[1] as i32) * 75 + p[2] as i32 - 150;
        let _ = writeln!(s, "\n[Entry {k}]");
        let _ = writeln!(
            s,
            "Session=1\nPoint=0x{point:02x}\nADR=0x01\nControl=0x{control:02x}\nTrackNo=0\nAMin=0\nASec=0\nAFrame=0\nALBA=-150\nZero=0"
        );
        let _ = writeln!(
            s,
            "PMin={}\nPSec={}\nPFrame={}\nPLBA={plba}",
            p[0], p[1], p[2]
        );
    }
    if !packs.is_empty() {
        // As CloneCD writes it: one entry per pack, the 16 bytes before its
        // CRC.
        let _ = writeln!(s, "\n[CDText]\nEntries={}", packs.len());
        for (k, p) in packs.iter().enumerate() {
            let hex: Vec<String> = p.0[..16].iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(s, "Entry {k}={}", hex.join(" "));
        }
    }
    for t in tracks {
        let _ = writeln!(s, "\n[TRACK {}]", t.number.get());
        let _ = writeln!(s, "MODE={}", t.sector_type.mode().unwrap_or(0));
        if let Some(isrc) = t.isrc {
            let _ = writeln!(s, "ISRC={isrc}");
        }
        if t.pregap_sectors() > 0 && t.pregap_start >= Lba::ZERO {
            let _ = writeln!(s, "INDEX 0={}", t.pregap_start.get());
        }
        for (k, idx) in t.indexes.iter().enumerate() {
            let _ = writeln!(s, "INDEX {}={}", k + 1, idx.get());
        }
    }
    Ok(ImageFiles {
        texts: vec![TextFile {
            name: format!("{stem}.ccd"),
            content: s,
        }],
        binaries: Vec::new(),
        frames: Some(FrameStream {
            ranges: vec![StreamRange {
                start: Lba::ZERO,
                end: disc.leadout(),
                subchannel: SubchannelFormat::Linear,
                big_endian_audio: false,
            }],
            main: format!("{stem}.img"),
            sub: Some(format!("{stem}.sub")),
        }),
        warnings: lba0_warning(disc, "clonecd image").into_iter().collect(),
    })
}

fn msf(lba: Lba) -> [u8; 3] {
    lba.to_disc_time().map(Msf::to_bytes).unwrap_or([0; 3])
}
