//! [`CueSheet::validate`]: what a drive checks before accepting a sheet.

use super::{
    ADR_ISRC, ADR_MCN, ADR_POSITION, CueSheet, CueSheetEntry, CueSheetError, ENTRY_LEN,
    LEAD_IN_TRACK, LEAD_OUT_TRACK, field,
};
use layout::msf::Msf;

impl CueSheet {
    /// Checks the sheet as a drive would before accepting it: not empty;
    /// the first position entry the lead-in (index 0) and the last the
    /// lead-out (index 1) with tracks between them, numbered up by one;
    /// times never decreasing (the lead-in's is not compared); every track
    /// with an index 1, no index 0 after it, indexes increasing (a repeat
    /// only to change the data form); defined data forms; the MCN before
    /// the lead-in and each ISRC right before its track, both ASCII of the
    /// right shape.
    ///
    /// ## Errors
    ///
    /// The first [`CueSheetError`] found, naming its entry.
    pub fn validate(&self) -> Result<(), CueSheetError> {
        if self.entries.is_empty() {
            return Err(CueSheetError::Empty);
        }
        let mut at = 0;
        let numbered: Vec<(usize, &CueSheetEntry)> = self
            .entries
            .iter()
            .map(|e| {
                let n = at;
                at += e.wire_entries();
                (n, e)
            })
            .collect();
        let positions: Vec<(usize, u8)> = numbered
            .iter()
            .filter_map(|&(n, e)| match e {
                CueSheetEntry::Position { tno, .. } => Some((n, *tno)),
                _ => None,
            })
            .collect();
        let Some(&(first_at, first_tno)) = positions.first() else {
            return Err(CueSheetError::FirstNotLeadIn { entry: 0 });
        };
        if first_tno != LEAD_IN_TRACK {
            return Err(CueSheetError::FirstNotLeadIn { entry: first_at });
        }
        let (last_at, last_tno) = positions[positions.len() - 1];
        if last_tno != LEAD_OUT_TRACK {
            return Err(CueSheetError::LastNotLeadOut { entry: last_at });
        }
        let mut check = Checker::default();
        for (n, e) in numbered {
            check.entry(n, e, first_at, last_at)?;
        }
        Ok(())
    }
}

/// The validation walk over the entries.
#[derive(Debug, Default)]
struct Checker {
    /// Whether the lead-in was seen.
    lead_in_seen: bool,
    /// The current track.
    track: Option<u8>,
    /// Its last index and data form.
    last: Option<(u8, u8)>,
    /// Whether it has reached index 1.
    index1: bool,
    /// The previous time (program area).
    time: Option<Msf>,
    /// An ISRC waiting for its track: entry and TNO.
    isrc: Option<(usize, u8)>,
}

impl Checker {
    fn entry(
        &mut self,
        n: usize,
        e: &CueSheetEntry,
        first_at: usize,
        last_at: usize,
    ) -> Result<(), CueSheetError> {
        match *e {
            CueSheetEntry::Unknown(b) => Err(unknown(n, b)),
            CueSheetEntry::Mcn { digits, .. } => {
                if self.lead_in_seen {
                    Err(CueSheetError::Mcn {
                        entry: n,
                        why: "must come before the lead-in entry",
                    })
                } else if !digits.iter().all(u8::is_ascii_digit) {
                    Err(CueSheetError::Mcn {
                        entry: n,
                        why: "must be 13 ascii digits",
                    })
                } else {
                    Ok(())
                }
            }
            CueSheetEntry::Isrc { tno, code, .. } => {
                if let Some((entry, _)) = self.isrc {
                    return Err(misplaced_isrc(entry));
                }
                if !isrc_shape(&code) {
                    return Err(CueSheetError::Isrc {
                        entry: n,
                        why: "must be 2 letters, 3 letters or digits, 7 digits (ascii, upper case)",
                    });
                }
                if !(1..=99).contains(&tno) {
                    return Err(misplaced_isrc(n));
                }
                self.isrc = Some((n, tno));
                Ok(())
            }
            CueSheetEntry::Position {
                tno,
                index,
                data_form,
                msf,
                ..
            } => {
                if CueSheet::block_size_of(data_form).is_none() {
                    return Err(CueSheetError::UnknownDataForm {
                        entry: n,
                        form: data_form,
                    });
                }
                if let Some((entry, isrc_tno)) = self.isrc.take()
                    && (isrc_tno != tno || self.track == Some(tno))
                {
                    return Err(misplaced_isrc(entry));
                }
                match tno {
                    LEAD_IN_TRACK if n == first_at => {
                        self.lead_in_seen = true;
                        return if index == 0 {
                            Ok(())
                        } else {
                            Err(CueSheetError::BadIndex { entry: n, index })
                        };
                    }
                    LEAD_OUT_TRACK if n == last_at => {
                        self.close_track(n)?;
                        if index != 1 {
                            return Err(CueSheetError::BadIndex { entry: n, index });
                        }
                    }
                    1..=99 => self.track_entry(n, tno, index, data_form)?,
                    _ => {
                        return Err(CueSheetError::MisplacedTrack {
                            entry: n,
                            track: tno,
                        });
                    }
                }
                if let Some(previous) = self.time.filter(|&p| msf < p) {
                    return Err(CueSheetError::TimeDecreasing {
                        entry: n,
                        time: msf,
                        previous,
                    });
                }
                self.time = Some(msf);
                Ok(())
            }
        }
    }

    /// The lead-out: the last track must have had index 1.
    fn close_track(&self, n: usize) -> Result<(), CueSheetError> {
        match self.track {
            None => Err(CueSheetError::NoTracks { entry: n }),
            Some(track) if !self.index1 => Err(CueSheetError::NoIndex1 { entry: n, track }),
            Some(_) => Ok(()),
        }
    }

    fn track_entry(
        &mut self,
        n: usize,
        tno: u8,
        index: u8,
        data_form: u8,
    ) -> Result<(), CueSheetError> {
        if self.track != Some(tno) {
            if let Some(previous) = self.track {
                self.close_track(n)?;
                if tno != previous + 1 {
                    return Err(CueSheetError::TrackNotConsecutive {
                        entry: n,
                        track: tno,
                        previous,
                    });
                }
            }
            self.track = Some(tno);
            self.last = None;
            self.index1 = false;
        }
        if index > 99 {
            return Err(CueSheetError::BadIndex { entry: n, index });
        }
        if index == 0 && self.index1 {
            return Err(CueSheetError::Index0AfterIndex1 {
                entry: n,
                track: tno,
            });
        }
        if let Some((previous, form)) = self.last
            && (index < previous || (index == previous && data_form == form))
        {
            return Err(CueSheetError::IndexNotIncreasing {
                entry: n,
                track: tno,
                index,
                previous,
            });
        }
        if index >= 2 && !self.index1 {
            return Err(CueSheetError::NoIndex1 {
                entry: n,
                track: tno,
            });
        }
        self.index1 |= index == 1;
        self.last = Some((index, data_form));
        Ok(())
    }
}

/// The error for an entry [`CueSheet::parse`] could not read.
fn unknown(n: usize, b: [u8; ENTRY_LEN]) -> CueSheetError {
    match b[field::CTL_ADR] & 0x0f {
        ADR_POSITION => CueSheetError::InvalidTime { entry: n },
        ADR_MCN => CueSheetError::Mcn {
            entry: n,
            why: "takes two adr 2 entries with the same ctl, the last byte zero",
        },
        ADR_ISRC => CueSheetError::Isrc {
            entry: n,
            why: "takes two adr 3 entries with the same ctl and tno",
        },
        adr => CueSheetError::UnknownEntry { entry: n, adr },
    }
}

fn misplaced_isrc(entry: usize) -> CueSheetError {
    CueSheetError::Isrc {
        entry,
        why: "must come right before the first entry of its track",
    }
}

/// Country (2 letters), owner (3 letters or digits), year and designation
/// (7 digits).
fn isrc_shape(code: &[u8; 12]) -> bool {
    code[..2].iter().all(u8::is_ascii_uppercase)
        && code[2..5]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && code[5..].iter().all(u8::is_ascii_digit)
}
