//! Cue sheets of several sessions: `REM SESSION nn` before a session's
//! first `TRACK` (EAC, CDRWIN, Redump and rawburn write it so).
//!
//! Where a later session's data continues a file that holds an earlier
//! session (one BIN for the whole disc, as rawburn, UltraISO and IsoBuster
//! write it), its `INDEX` times keep counting disc positions across the
//! gap between the sessions, which the file does not hold: the earlier
//! session's lead-out (6750 sectors after the first session, 2250 after a
//! later one), the next lead-in (4500) and its first pregap (150). Those
//! sectors are taken off to find the data in the file, and the session
//! starts where its first `INDEX 01` says. A session whose tracks are in
//! files of their own (one file per track) counts from the start of each
//! file, and starts where a drive puts the next session.
//!
//! The sheet with the gaps taken off is laid out as one project by
//! [`super::to_project`], exactly as a single-session sheet, then cut into
//! one project per session: the tracks, their sources and indexes as they
//! are; each later session's first track gets the standard 150-sector
//! pregap before its own LBA 0; the catalog number and the CD-TEXT stay
//! with the first session, whose lead-in holds them.

use super::import::{ImportError, to_project};
use super::{CueFile, CueSheet, Pos};
use crate::disc::sessions::{
    FIRST_SESSION_LEAD_OUT, LATER_SESSION_LEAD_IN, LATER_SESSION_LEAD_OUT, MultiProject,
    SessionProject, next_session_start,
};
use crate::disc::{Disc, Gap};
use crate::msf::{Lba, PREGAP_SECTORS};

/// A cue sheet of several sessions as projects.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSessions {
    /// The sessions, each laid out from LBA 0 with its start on the disc.
    pub project: MultiProject,
    /// What was adjusted or could not be kept.
    pub warnings: Vec<String>,
}

/// Where each session begins: the position in the sheet's track order of
/// its first track, and where its `REM SESSION` line is. `None` for a
/// sheet of one session (with or without `REM SESSION 01`).
///
/// ## Errors
///
/// [`ImportError`] at a `REM SESSION` whose number is not the next one,
/// or that no track follows.
pub fn session_starts(sheet: &CueSheet) -> Result<Option<Vec<(usize, Pos)>>, ImportError> {
    // (session number, first track position, where).
    let mut marks: Vec<(u32, usize, Pos)> = Vec::new();
    let tracks = sheet.tracks().count();
    let mut mark = |rem: &super::Rem, next_track: usize| -> Result<(), ImportError> {
        if rem.key != "SESSION" {
            return Ok(());
        }
        let n: u32 = rem.value.trim().parse().map_err(|_| ImportError {
            pos: Some(rem.pos),
            file: None,
            message: format!("REM SESSION {} is not a session number", rem.value),
        })?;
        // A sheet may leave session 1 unmarked.
        let expected = marks
            .last()
            .map_or(if next_track == 0 { 1 } else { 2 }, |m| m.0 + 1);
        if n != expected {
            return Err(ImportError {
                pos: Some(rem.pos),
                file: None,
                message: format!(
                    "REM SESSION {n} where session {expected} comes next; sessions are numbered from 1 in turn"
                ),
            });
        }
        if next_track >= tracks {
            return Err(ImportError {
                pos: Some(rem.pos),
                file: None,
                message: format!("REM SESSION {n} is followed by no track"),
            });
        }
        marks.push((n, next_track, rem.pos));
        Ok(())
    };
    for rem in &sheet.rems {
        mark(rem, 0)?;
    }
    for (k, t) in sheet.tracks().enumerate() {
        for rem in &t.rems {
            mark(rem, k + 1)?;
        }
    }
    if marks.last().is_none_or(|m| m.0 < 2) {
        return Ok(None);
    }
    // A sheet that marks only later sessions: the first begins with the
    // first track.
    let mut starts: Vec<(usize, Pos)> = marks.iter().map(|m| (m.1, m.2)).collect();
    if starts[0].0 != 0 {
        starts.insert(0, (0, starts[0].1));
    }
    if starts.windows(2).any(|w| w[0].0 >= w[1].0) {
        let pos = starts.last().map(|s| s.1);
        return Err(ImportError {
            pos,
            file: None,
            message: "a session holds no track".to_string(),
        });
    }
    Ok(Some(starts))
}

/// Lays out a sheet of several sessions; `None` for a sheet of one.
/// `data_len` as for [`to_project`].
///
/// ## Errors
///
/// [`ImportError`] naming the line of what cannot be laid out: a session
/// marker out of turn, an `INDEX` inside the gap between sessions, and
/// whatever [`to_project`] refuses.
pub fn to_sessions(
    sheet: &CueSheet,
    data_len: &mut dyn FnMut(usize, &CueFile) -> Result<u64, String>,
) -> Result<Option<ImportedSessions>, ImportError> {
    let Some(starts) = session_starts(sheet)? else {
        return Ok(None);
    };
    let session_of = |track: usize| starts.iter().rposition(|s| s.0 <= track).unwrap_or(0);
    // The files each session's tracks start in.
    let mut file_of_track = Vec::new();
    for (f, file) in sheet.files.iter().enumerate() {
        file_of_track.extend(file.tracks.iter().map(|_| f));
    }

    // Take the gaps off positions that continue an earlier session's
    // file; note where each such session starts on the disc.
    let mut adjusted = sheet.clone();
    let mut disc_starts: Vec<Option<i32>> = vec![Some(0); starts.len()];
    let mut gap: u32 = 0;
    for s in 1..starts.len() {
        gap += if s == 1 {
            FIRST_SESSION_LEAD_OUT
        } else {
            LATER_SESSION_LEAD_OUT
        } as u32
            + (LATER_SESSION_LEAD_IN + PREGAP_SECTORS) as u32;
        disc_starts[s] = None;
        let earlier_files: Vec<usize> = file_of_track[..starts[s].0].to_vec();
        let mut k = 0;
        for file in adjusted.files.iter_mut() {
            for t in file.tracks.iter_mut() {
                let here = k;
                k += 1;
                if session_of(here) != s {
                    continue;
                }
                for index in t.indexes.iter_mut() {
                    if !earlier_files.contains(&index.file) {
                        continue;
                    }
                    if index.frames < gap {
                        return Err(ImportError {
                            pos: Some(index.pos),
                            file: None,
                            message: format!(
                                "INDEX {:02} of track {} lies in the gap before session {} (it counts disc positions, and the session cannot start before frame {gap})",
                                index.number,
                                t.number,
                                s + 1
                            ),
                        });
                    }
                    if index.number == 1 && here == starts[s].0 {
                        disc_starts[s] = Some(index.frames as i32);
                    }
                    index.frames -= gap;
                }
            }
        }
    }

    let imported = to_project(&adjusted, data_len)?;
    let mut warnings = imported.warnings;
    let mut whole = imported.project;
    // The session marks are the sessions now, not remarks to write back.
    whole.remarks.retain(|r| r.key != "SESSION");
    for t in &mut whole.tracks {
        t.remarks.retain(|r| r.key != "SESSION");
    }
    let mut sessions = Vec::new();
    let mut previous: Option<Disc> = None;
    for s in 0..starts.len() {
        let from = starts[s].0;
        let to = starts.get(s + 1).map_or(whole.tracks.len(), |n| n.0);
        let mut project = whole.clone();
        project.tracks = whole.tracks[from..to].to_vec();
        project.first_track = whole
            .first_track
            .saturating_add(u8::try_from(from).unwrap_or(u8::MAX));
        if s > 0 {
            project.mcn = None;
            project.special_pregap = None;
            project.remarks = Vec::new();
            if let Some(first) = project.tracks.first_mut() {
                // The session's own first pregap, before its LBA 0.
                let mut pregap = first.pregap.take().unwrap_or(Gap::generated(0));
                pregap.generated = pregap.generated.saturating_add(PREGAP_SECTORS as u32);
                first.pregap = Some(pregap);
            }
            if let Some(text) = &whole.cdtext
                && text.blocks.iter().any(|b| b.tracks.len() > from)
            {
                warnings.push(format!(
                    "{}: the CD-TEXT of session {}'s tracks is not kept: rawburn writes CD-TEXT in the first session's lead-in",
                    starts[s].1,
                    s + 1
                ));
            }
            project.cdtext = None;
        } else if let Some(text) = &mut project.cdtext {
            for b in &mut text.blocks {
                b.tracks.truncate(to);
            }
        }
        let start = match (disc_starts[s], &previous) {
            (Some(at), _) => Lba(at),
            (None, Some(p)) => next_session_start(p.leadout(), s == 1),
            (None, None) => Lba::ZERO,
        };
        let planned = Disc::plan(&project).map_err(|e| ImportError {
            pos: Some(starts[s].1),
            file: None,
            message: format!("session {} cannot be laid out: {e}", s + 1),
        })?;
        previous = Some(planned);
        sessions.push(SessionProject { start, project });
    }
    Ok(Some(ImportedSessions {
        project: MultiProject { sessions },
        warnings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cue::parse;

    /// A CD-Extra in one BIN: two audio tracks (2100 sectors), then the
    /// data track at disc position 13500 (BIN sector 2100).
    const ONE_BIN: &str = "REM SESSION 01\nFILE \"d.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 00:16:00\n    INDEX 01 00:18:00\nREM SESSION 02\n  TRACK 03 MODE2/2352\n    INDEX 01 03:00:00\n";

    fn sessions(text: &str, lens: &[u64]) -> Result<Option<ImportedSessions>, ImportError> {
        let sheet = parse(text).unwrap();
        to_sessions(&sheet, &mut |k, _| Ok(lens[k]))
    }

    #[test]
    fn one_bin_counts_disc_positions_across_the_gap() {
        let s = sessions(ONE_BIN, &[2402 * 2352]).unwrap().unwrap();
        let [one, two] = &s.project.sessions[..] else {
            panic!("{:?}", s.project.sessions.len())
        };
        assert_eq!(one.start, Lba(0));
        assert_eq!(one.project.tracks.len(), 2);
        assert_eq!(one.project.first_track, 1);
        // 13500 - (6750 + 4500 + 150): BIN sector 2100.
        assert_eq!(two.start, Lba(13500));
        assert_eq!(two.project.first_track, 3);
        let t3 = &two.project.tracks[0];
        let span = t3.data.spans().next().unwrap();
        assert_eq!(span.offset, 2100 * 2352);
        assert_eq!(span.sectors, 302);
        assert_eq!(t3.pregap, Some(Gap::generated(150)));
        assert!(t3.remarks.is_empty() && one.project.tracks[1].remarks.is_empty());
        // Both plan; the second where a drive puts it.
        let multi = crate::disc::sessions::MultiDisc::plan(&s.project).unwrap();
        assert_eq!(multi.unusual_start(), None);
    }

    #[test]
    fn files_of_their_own_count_from_their_start() {
        let text = "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nREM SESSION 02\nFILE \"b.bin\" BINARY\n  TRACK 02 MODE1/2352\n    INDEX 01 00:00:00\n";
        let s = sessions(text, &[1000 * 2352, 300 * 2352]).unwrap().unwrap();
        let two = &s.project.sessions[1];
        // After session 1's lead-out at 1000: 6750 + 4500 + 150.
        assert_eq!(two.start, Lba(1000 + 11400));
        assert_eq!(two.project.tracks[0].data.spans().next().unwrap().offset, 0);
    }

    #[test]
    fn one_session_and_bad_marks() {
        assert_eq!(
            sessions(
                "REM SESSION 01\nFILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
                &[2352 * 300]
            )
            .unwrap(),
            None
        );
        let e = sessions(&ONE_BIN.replace("SESSION 02", "SESSION 03"), &[2402 * 2352]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 8, column 1: REM SESSION 3 where session 2 comes next; sessions are numbered from 1 in turn"
        );
        let e = sessions(&ONE_BIN.replace("03:00:00", "02:00:00"), &[2402 * 2352]).unwrap_err();
        assert!(
            e.to_string()
                .contains("INDEX 01 of track 3 lies in the gap before session 2"),
            "{e}"
        );
    }
}
