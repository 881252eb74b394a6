//! A session as a cue sheet describes it (`cd-standards.md` §6.12).

use crate::blocks::{Block, Main, ZeroKind};
use layout::disc::{CopySetting, DiscType, Isrc, Mcn, TocLayout, TocTrack};
use layout::msf::{Lba, Msf, PREGAP_SECTORS};
use mmc::wire::sense::Sense;
use std::collections::BTreeMap;

/// One range of a cue sheet: blocks of one form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First LBA.
    pub start: Lba,
    /// End (exclusive).
    pub end: Lba,
    /// Form of its blocks.
    pub block: Block,
}

/// A session as a cue sheet describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SaoPlan {
    /// Tracks, index points, lead-out, MCN.
    pub layout: TocLayout,
    /// From the first pregap to the lead-out.
    pub ranges: Vec<Range>,
    /// The lead-in's block when the host writes it (its form carries R–W).
    pub lead_in: Option<Block>,
    /// Sector kind of the lead-in and lead-out.
    pub lead_in_kind: ZeroKind,
    /// Sector kind of the lead-out.
    pub lead_out_kind: ZeroKind,
    /// Data mode per track.
    pub data_modes: Vec<u8>,
}

impl SaoPlan {
    /// Reads a cue sheet's 8-byte entries (`cd-standards.md` §6.12) for a
    /// session whose first pregap starts at `pregap` and whose lead-out may
    /// start no later than `last_leadout`.
    ///
    /// ## Errors
    ///
    /// 5/26/00 for a sheet that does not describe a session (no tracks, no
    /// lead-out, times going backwards, reserved forms, a first range not at
    /// the session start, broken MCN/ISRC entries); 5/21/00 when the
    /// lead-out lies beyond the media's last possible lead-out.
    pub fn from_cue(
        entries: &[[u8; 8]],
        pregap: Lba,
        last_leadout: Lba,
        disc_type: DiscType,
        page_mcn: Option<Mcn>,
    ) -> Result<SaoPlan, Sense> {
        let bad = Sense::INVALID_FIELD_IN_PARAMETERS;
        let mut mcn = page_mcn;
        let mut isrcs: BTreeMap<u8, Isrc> = BTreeMap::new();
        let mut lead_in = None;
        let mut points: Vec<(u8, u8, Lba, u8, u8, bool)> = Vec::new(); // tno, index, lba, ctl, form, scms
        let mut i = 0;
        while i < entries.len() {
            let e = entries[i];
            let adr = e[0] & 0x0f;
            match adr {
                2 | 3 => {
                    let f = entries.get(i + 1).ok_or(bad)?;
                    if f[0] & 0x0f != adr {
                        return Err(bad);
                    }
                    if adr == 2 {
                        let digits: Vec<u8> = e[1..8].iter().chain(&f[1..7]).copied().collect();
                        let text = std::str::from_utf8(&digits).map_err(|_| bad)?;
                        mcn = Some(Mcn::parse(text).map_err(|_| bad)?);
                    } else {
                        if e[1] != f[1] {
                            return Err(bad);
                        }
                        let chars: Vec<u8> = e[2..8].iter().chain(&f[2..8]).copied().collect();
                        let text = std::str::from_utf8(&chars).map_err(|_| bad)?;
                        isrcs.insert(e[1], Isrc::parse(text).map_err(|_| bad)?);
                    }
                    i += 2;
                    continue;
                }
                1 => {}
                _ => return Err(bad),
            }
            let block = Block::from_cue_form(e[3]).ok_or(bad)?;
            match e[1] {
                0 => lead_in = Some((block, e[0] >> 4)),
                tno => {
                    let msf = Msf::new(e[5], e[6], e[7]).map_err(|_| bad)?;
                    let lba = Lba(msf.frames() - PREGAP_SECTORS);
                    points.push((tno, e[2], lba, e[0] >> 4, e[3], e[4] & 0x80 != 0));
                }
            }
            i += 1;
        }
        let (lead_in_block, _) = lead_in.ok_or(bad)?;
        let Some(&(0xaa, _, leadout, _, leadout_form, _)) = points.last() else {
            return Err(bad);
        };
        if points.len() < 2 || points[0].2 != pregap {
            return Err(bad);
        }
        if leadout > last_leadout {
            return Err(Sense::LBA_OUT_OF_RANGE);
        }
        let mut ranges = Vec::with_capacity(points.len());
        let mut tracks: Vec<TocTrack> = Vec::new();
        let mut data_modes = Vec::new();
        for w in points.windows(2) {
            let (tno, index, start, ctl, form, scms) = w[0];
            let end = w[1].2;
            if end < start || tno == 0xaa || !(1..=99).contains(&tno) || index > 99 {
                return Err(bad);
            }
            let block = Block::from_cue_form(form).ok_or(bad)?;
            ranges.push(Range { start, end, block });
            let data_mode = match form & 0x30 {
                0x10 => 1,
                0x20 | 0x30 => 2,
                _ => 0xf,
            };
            match tracks.last_mut() {
                Some(t) if t.number == tno => {
                    let current = t.indexes.len() as u8;
                    if index == current {
                        // The same index again with another data form (the
                        // first part of a pregap after a mode change is
                        // written in the previous track's form).
                    } else if index == current + 1 && index > 0 {
                        t.indexes.push(start);
                    } else {
                        return Err(bad);
                    }
                    if index == 1
                        && let Some(m) = data_modes.last_mut()
                    {
                        *m = data_mode;
                    }
                }
                prev => {
                    if let Some(p) = prev
                        && (tno != p.number + 1 || p.indexes.is_empty())
                    {
                        return Err(bad);
                    }
                    let copy = if scms {
                        CopySetting::Scms
                    } else if ctl & 0x2 != 0 {
                        CopySetting::Permitted
                    } else {
                        CopySetting::Prohibited
                    };
                    let indexes = match index {
                        0 => Vec::new(),
                        1 => vec![start],
                        _ => return Err(bad),
                    };
                    tracks.push(TocTrack {
                        number: tno,
                        control: if scms { ctl & !0x2 } else { ctl },
                        copy,
                        pregap_start: start,
                        indexes,
                        end: leadout,
                        isrc: isrcs.get(&tno).copied(),
                    });
                    data_modes.push(data_mode);
                }
            }
        }
        for k in 1..tracks.len() {
            tracks[k - 1].end = tracks[k].pregap_start;
        }
        if tracks.iter().any(|t| t.indexes.is_empty()) {
            return Err(bad);
        }
        let lead_out_kind = Main::from_cue_form(leadout_form).ok_or(bad)?.zero_kind();
        Ok(SaoPlan {
            layout: TocLayout {
                tracks,
                leadout,
                disc_type,
                mcn,
            },
            lead_in_kind: lead_in_block.main.zero_kind(),
            lead_in: (lead_in_block.host_len() > 0).then_some(lead_in_block),
            lead_out_kind,
            ranges,
            data_modes,
        })
    }

    /// The range holding `lba`.
    pub(super) fn range(&self, lba: Lba) -> Option<&Range> {
        let i = self.ranges.partition_point(|r| r.end <= lba);
        self.ranges.get(i).filter(|r| r.start <= lba)
    }
}
