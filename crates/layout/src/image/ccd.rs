//! CloneCD: `.ccd` (full TOC and tracks), `.img` (2352 bytes per sector
//! from LBA 0 up to the lead-out) and `.sub` (linear 96-byte P-W per
//! sector).

use super::{
    FrameStream, ImageError, ImageFiles, SessionFiles, StreamRange, TextFile, lba0_warning,
};
use crate::disc::sessions::MultiDisc;
use crate::disc::{Disc, Isrc, Mcn};
use crate::msf::{Lba, Msf};
use crate::sector::SectorType;
use crate::subchannel::SubchannelFormat;
use core::fmt::Write;

pub(super) fn files(disc: &Disc, stem: &str) -> Result<ImageFiles, ImageError> {
    let tracks = disc.tracks();
    if let Some(t) = tracks
        .iter()
        .find(|t| t.sector_type == SectorType::Mode0 && t.indexes.len() > 1)
    {
        return Err(ImageError::Mode0Indexes {
            track: t.number.get(),
            format: "clonecd image",
        });
    }
    let control = control_file(disc, true);
    Ok(ImageFiles {
        texts: vec![TextFile {
            name: format!("{stem}.ccd"),
            content: control.to_text(),
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

/// The control file of a planned session: `first_session` is false for a
/// later session, whose first pregap the `.img` does not hold.
fn control_file(disc: &Disc, first_session: bool) -> ControlFile {
    let project = disc.project();
    let tracks = disc.tracks();
    let first = &tracks[0];
    let packs = disc.cdtext_packs();
    ControlFile {
        first_track: (first.number.get(), first.control),
        last_track: {
            let last = &tracks[tracks.len() - 1];
            (last.number.get(), last.control)
        },
        disc_type: disc.disc_type().code(),
        leadout: disc.leadout(),
        mcn: project.mcn,
        pregap_mode: first.sector_type.mode().unwrap_or(0),
        cdtext: packs
            .iter()
            .filter_map(|p| p.0[..16].try_into().ok())
            .collect(),
        tracks: tracks
            .iter()
            .map(|t| CcdTrack {
                number: t.number.get(),
                control: t.control,
                mode: t.sector_type.mode().unwrap_or(0),
                isrc: t.isrc,
                pregap: (t.pregap_sectors() > 0
                    && t.pregap_start >= Lba::ZERO
                    && (first_session || t.number != first.number))
                    .then_some(t.pregap_start),
                indexes: t.indexes.clone(),
            })
            .collect(),
    }
}

/// The files of a disc of several sessions: one `.ccd` listing every
/// session's TOC, and one frame stream per session appended to the same
/// `.img` and `.sub`: session 1 from LBA 0 up to its lead-out, each later
/// session from its first index 1 up to its lead-out (the gap between
/// sessions is not stored; see `import::ccd::to_sessions`).
pub(super) fn session_files(multi: &MultiDisc, stem: &str) -> Result<SessionFiles, ImageError> {
    let mut controls = Vec::new();
    let mut streams = Vec::new();
    for (k, session) in multi.sessions().iter().enumerate() {
        let disc = session.placed();
        if let Some(t) = disc
            .tracks()
            .iter()
            .find(|t| t.sector_type == SectorType::Mode0 && t.indexes.len() > 1)
        {
            return Err(ImageError::Mode0Indexes {
                track: t.number.get(),
                format: "clonecd image",
            });
        }
        controls.push(control_file(disc, k == 0));
        streams.push(FrameStream {
            ranges: vec![StreamRange {
                start: if k == 0 { Lba::ZERO } else { session.start() },
                end: disc.leadout(),
                subchannel: SubchannelFormat::Linear,
                big_endian_audio: false,
            }],
            main: format!("{stem}.img"),
            sub: Some(format!("{stem}.sub")),
        });
    }
    let first = multi.sessions()[0].placed();
    Ok(SessionFiles {
        texts: vec![TextFile {
            name: format!("{stem}.ccd"),
            content: ControlFile::sessions_text(&controls),
        }],
        binaries: Vec::new(),
        streams,
        warnings: lba0_warning(first, "clonecd image").into_iter().collect(),
    })
}

/// What a CloneCD control file says of a single-session disc: its full TOC
/// (from the first and last track, the lead-out and the tracks' starts),
/// catalog number, CD-TEXT and tracks. Written for images built from a
/// plan and for discs read from a drive alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlFile {
    /// Number and CONTROL nibble of the first track (point A0h).
    pub first_track: (u8, u8),
    /// Number and CONTROL nibble of the last track (points A1h, A2h).
    pub last_track: (u8, u8),
    /// The disc type byte of point A0h (PSEC).
    pub disc_type: u8,
    /// Start of the lead-out.
    pub leadout: Lba,
    /// The catalog number.
    pub mcn: Option<Mcn>,
    /// Data mode of the first track's pregap (0 for audio).
    pub pregap_mode: u8,
    /// CD-TEXT packs without their CRC.
    pub cdtext: Vec<[u8; 16]>,
    /// The tracks, in order.
    pub tracks: Vec<CcdTrack>,
}

/// One `[TRACK n]` of a [`ControlFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcdTrack {
    /// Track number.
    pub number: u8,
    /// CONTROL nibble.
    pub control: u8,
    /// Data mode (0 for audio).
    pub mode: u8,
    /// ISRC.
    pub isrc: Option<Isrc>,
    /// INDEX 0, when the pregap starts in the image (LBA 0 or later).
    pub pregap: Option<Lba>,
    /// INDEX 1, 2, ...
    pub indexes: Vec<Lba>,
}

impl ControlFile {
    /// The `.ccd` text, as CloneCD writes it.
    pub fn to_text(&self) -> String {
        ControlFile::sessions_text(core::slice::from_ref(self))
    }

    /// The `.ccd` text of a disc of several sessions, one control file
    /// each (the catalog number and CD-TEXT are the first one's). Each
    /// session gets a `[Session n]` section (`PreGapMode` from its first
    /// track) and its own A0, A1, A2 and track points, marked
    /// `Session=n`, as CloneCD lists a full TOC.
    pub fn sessions_text(sessions: &[ControlFile]) -> String {
        let Some(disc) = sessions.first() else {
            return String::new();
        };
        // Full TOC: (session, point, control, PMIN, PSEC, PFRAME), values
        // binary.
        let mut entries: Vec<(usize, u8, u8, [u8; 3])> = Vec::new();
        for (k, c) in sessions.iter().enumerate() {
            let (first, first_control) = c.first_track;
            let (last, last_control) = c.last_track;
            entries.push((k + 1, 0xa0, first_control, [first, c.disc_type, 0]));
            entries.push((k + 1, 0xa1, last_control, [last, 0, 0]));
            entries.push((k + 1, 0xa2, last_control, msf(c.leadout)));
            entries.extend(c.tracks.iter().map(|t| {
                let start = t.indexes.first().copied().unwrap_or(Lba::ZERO);
                (k + 1, t.number, t.control, msf(start))
            }));
        }

        // Writing to a String cannot fail: the results are ignored.
        let mut s = String::new();
        let _ = writeln!(s, "[CloneCD]\nVersion=3\n");
        let _ = writeln!(s, "[Disc]");
        let _ = writeln!(s, "TocEntries={}", entries.len());
        let _ = writeln!(
            s,
            "Sessions={}\nDataTracksScrambled=0\nCDTextLength={}",
            sessions.len(),
            disc.cdtext.len() * crate::cdtext::pack::PACK_SIZE
        );
        if let Some(mcn) = disc.mcn {
            let _ = writeln!(s, "CATALOG={mcn}");
        }
        for (k, c) in sessions.iter().enumerate() {
            let _ = writeln!(
                s,
                "\n[Session {}]\nPreGapMode={}\nPreGapSubC=0",
                k + 1,
                c.pregap_mode
            );
        }
        for (k, (session, point, control, p)) in entries.iter().enumerate() {
            let plba = (p[0] as i32 * 60 + p[1] as i32) * 75 + p[2] as i32 - 150;
            let _ = writeln!(s, "\n[Entry {k}]");
            let _ = writeln!(
                s,
                "Session={session}\nPoint=0x{point:02x}\nADR=0x01\nControl=0x{control:02x}\nTrackNo=0\nAMin=0\nASec=0\nAFrame=0\nALBA=-150\nZero=0"
            );
            let _ = writeln!(
                s,
                "PMin={}\nPSec={}\nPFrame={}\nPLBA={plba}",
                p[0], p[1], p[2]
            );
        }
        disc.write_tracks(&mut s, sessions);
        s
    }

    /// `[CDText]` (the first session's) and every session's `[TRACK n]`.
    fn write_tracks(&self, s: &mut String, sessions: &[ControlFile]) {
        if !self.cdtext.is_empty() {
            // As CloneCD writes it: one entry per pack, the 16 bytes before
            // its CRC.
            let _ = writeln!(s, "\n[CDText]\nEntries={}", self.cdtext.len());
            for (k, p) in self.cdtext.iter().enumerate() {
                let hex: Vec<String> = p.iter().map(|b| format!("{b:02x}")).collect();
                let _ = writeln!(s, "Entry {k}={}", hex.join(" "));
            }
        }
        for t in sessions.iter().flat_map(|c| &c.tracks) {
            let _ = writeln!(s, "\n[TRACK {}]", t.number);
            let _ = writeln!(s, "MODE={}", t.mode);
            if let Some(isrc) = t.isrc {
                let _ = writeln!(s, "ISRC={isrc}");
            }
            if let Some(p) = t.pregap {
                let _ = writeln!(s, "INDEX 0={}", p.get());
            }
            for (k, idx) in t.indexes.iter().enumerate() {
                let _ = writeln!(s, "INDEX {}={}", k + 1, idx.get());
            }
        }
    }
}

fn msf(lba: Lba) -> [u8; 3] {
    lba.to_disc_time().map(Msf::to_bytes).unwrap_or([0; 3])
}
