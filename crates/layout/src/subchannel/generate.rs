//! P and Q for every sector of a planned disc.
//!
//! The rules, and where they come from (`cd-standards.md` §3):
//!
//! - **Lead-in** (before LBA −150): Q mode 1 TOC entries A0, A1, A2, then
//!   one per track, each written in 3 consecutive sectors, cycling. The
//!   cycle is anchored at 90:00:00 and MIN/SEC/FRAME hold the sector's own
//!   absolute lead-in time (9x:xx:xx), so the lead-in's content does not
//!   depend on where writing starts. P is 0.
//! - **Program area and pregaps**: Q mode 1 with the track, index, relative
//!   time (counting down to 00:00:00 at index 1 through the pregap, up
//!   after it) and absolute time. The Media Catalog Number (mode 2) takes
//!   the sectors whose absolute frame count is 20 modulo 90, an audio
//!   track's ISRC (mode 3) those at 65 modulo 90 (index 1 onward), each
//!   moved one sector later when it would fall on the first sector of an
//!   index (index 0 included). With a 90-sector period a moved frame still leaves at most 91
//!   sectors between two, so mode 2/3 appear in every 100 sectors and mode 1
//!   in at least 9 of every 10, as ECMA-130 asks. SCMS tracks alternate the
////!   copy bit every 4 sectors (9.375 Hz).
//! - **P**: 1 in every index-0 sector and in the 150 sectors before each
//!   track's index 1; in the lead-out, 1 for the first 150 sectors, then a
//!   2 Hz square wave of 19 sectors off, 19 on.
//! - **Lead-out**: Q mode 1, track AA, index 01, relative time counting up
//!   from the lead-out start.

use super::q::{QFrame, QRepr};
use crate::disc::{CopySetting, Disc, TocLayout};
use crate::msf::{Lba, Msf, PREGAP_SECTORS};

/// Where the lead-in TOC cycle is anchored: 90:00:00.
const LEAD_IN_ANCHOR: Lba = Lba::MIN_MSF;
/// Sectors each TOC entry is repeated.
const TOC_REPEAT: i32 = 3;
/// Sectors of P = 1 before each track's index 1 and at the lead-out start.
const P_RUN: i32 = PREGAP_SECTORS;
/// Half period of the lead-out's 2 Hz P square wave.
const P_HALF_PERIOD: i32 = 19;
/// Period of the MCN and ISRC frames, and their slots within it.
const ID_PERIOD: i32 = 90;
const MCN_SLOT: i32 = 20;
const ISRC_SLOT: i32 = 65;

/// Whether the MCN or ISRC frame of `slot` falls on `lba`, the first sector
/// of whose index is `index_start`: at `slot` modulo 90 of the absolute
/// frame count, one sector later when that is the first of an index.
fn id_slot(lba: Lba, index_start: Lba, slot: i32) -> bool {
    let a = (lba.0 + PREGAP_SECTORS).rem_euclid(ID_PERIOD);
    (a == slot && lba != index_start) || (a == slot + 1 && lba.0 - 1 == index_start.0)
}

/// Whether a track from `start` (index 1) to `end`, its index points at
/// `indexes` (index 1 first), has a sector for its ISRC frame. Every track
/// of 182 sectors or more has one.
pub(crate) fn has_isrc_sector(start: Lba, end: Lba, indexes: &[Lba]) -> bool {
    let last = Lba(end.0.min(start.0.saturating_add(2 * ID_PERIOD + 2)));
    (start.0..last.0).map(Lba).any(|lba| {
        let k = indexes.partition_point(|x| *x <= lba);
        let index_start = indexes.get(k.saturating_sub(1)).copied().unwrap_or(start);
        id_slot(lba, index_start, ISRC_SLOT)
    })
}

/// One lead-in TOC entry without its running time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TocEntry {
    control: u8,
    point: u8,
    p: [u8; 3],
}

/// Computes P and Q of any sector of a disc.
#[derive(Debug, Clone)]
pub struct SubcodeGenerator {
    layout: TocLayout,
    toc: Vec<TocEntry>,
}

impl SubcodeGenerator {
    /// A generator for a planned disc.
    pub fn new(disc: &Disc) -> SubcodeGenerator {
        SubcodeGenerator::from_layout(disc.toc_layout())
    }

    /// A generator for any track layout (as a recorder rebuilds it from a
    /// cue sheet or its recorded tracks). The layout must have a track.
    pub fn from_layout(layout: TocLayout) -> SubcodeGenerator {
        let mut toc = Vec::with_capacity(layout.tracks.len() + 3);
        if let (Some(first), Some(last)) = (layout.tracks.first(), layout.tracks.last()) {
            toc.push(TocEntry {
                control: first.control,
                point: 0xa0,
                p: [bcd(first.number), layout.disc_type.code(), 0],
            });
            toc.push(TocEntry {
                control: last.control,
                point: 0xa1,
                p: [bcd(last.number), 0, 0],
            });
            toc.push(TocEntry {
                control: last.control,
                point: 0xa2,
                p: bcd_time(layout.leadout),
            });
        }
        toc.extend(layout.tracks.iter().map(|t| TocEntry {
            control: t.control,
            point: bcd(t.number),
            p: bcd_time(t.start()),
        }));
        SubcodeGenerator { layout, toc }
    }

    /// The layout this generator follows.
    pub fn layout(&self) -> &TocLayout {
        &self.layout
    }

    /// Number of distinct lead-in TOC entries (A0, A1, A2 and the tracks).
    pub fn toc_entries(&self) -> usize {
        self.toc.len()
    }

    /// P and Q of the sector at `lba`.
    pub fn pq(&self, lba: Lba) -> (bool, QFrame) {
        if lba < Lba::PREGAP_START {
            return (false, self.lead_in(lba));
        }
        let absolute = disc_time(lba);
        let tracks = &self.layout.tracks;
        if lba >= self.layout.leadout || tracks.is_empty() {
            return self.lead_out(lba, absolute);
        }
        let i = tracks
            .partition_point(|t| t.pregap_start <= lba)
            .saturating_sub(1);
        let t = &tracks[i];
        let start = t.start();
        let (index, index_start) = if lba < start {
            (0u8, t.pregap_start)
        } else {
            let k = t.indexes.partition_point(|x| *x <= lba);
            (k as u8, t.indexes[k.saturating_sub(1)])
        };
        let mut control = t.control;
        if t.copy == CopySetting::Scms && (lba.0 + PREGAP_SECTORS) / 4 % 2 == 1 {
            control |= 0x2;
        }
        let p = index == 0 || (i > 0 && lba < start && start.since(lba) <= P_RUN as i64);
        // MCN and ISRC slots, moved one sector later when they would fall
        // on the first sector of an index.
        let slot = |s: i32| id_slot(lba, index_start, s);
        let aframe = absolute.frame();
        if let Some(mcn) = self.layout.mcn.filter(|_| slot(MCN_SLOT)) {
            return (
                p,
                QRepr::Mcn {
                    control,
                    mcn,
                    aframe,
                }
                .emit(),
            );
        }
        if let Some(isrc) = t.isrc.filter(|_| index >= 1 && slot(ISRC_SLOT)) {
            return (
                p,
                QRepr::Isrc {
                    control,
                    isrc,
                    aframe,
                }
                .emit(),
            );
        }
        let relative = frames_msf(lba.since(start).unsigned_abs() as i32);
        (
            p,
            QRepr::Position {
                control,
                tno: bcd(t.number),
                index,
                relative,
                absolute,
            }
            .emit(),
        )
    }

    fn lead_out(&self, lba: Lba, absolute: Msf) -> (bool, QFrame) {
        let n = lba.since(self.layout.leadout) as i32;
        let p = n < P_RUN || ((n - P_RUN) / P_HALF_PERIOD) % 2 == 1;
        let control = self.layout.tracks.last().map_or(0, |t| t.control);
        (
            p,
            QRepr::Position {
                control,
                tno: 0xaa,
                index: 1,
                relative: frames_msf(n),
                absolute,
            }
            .emit(),
        )
    }

    fn lead_in(&self, lba: Lba) -> QFrame {
        let n = self.toc.len().max(1) as i64;
        let k = (lba.since(LEAD_IN_ANCHOR) / TOC_REPEAT as i64).rem_euclid(n);
        let e = self.toc.get(k as usize).copied().unwrap_or(TocEntry {
            control: 0,
            point: 0xa0,
            p: [0; 3],
        });
        QRepr::TocEntry {
            control: e.control,
            point: e.point,
            time: disc_time(lba),
            p: e.p,
        }
        .emit()
    }
}

/// BCD of a binary value 0–99.
fn bcd(v: u8) -> u8 {
    ((v / 10) << 4) | (v % 10)
}

/// On-disc time of a sector, clamped into the representable range.
fn disc_time(lba: Lba) -> Msf {
    lba.to_disc_time().unwrap_or(Msf::ZERO)
}

/// A frame count (0..450000) as a time.
fn frames_msf(frames: i32) -> Msf {
    Msf::from_frames(frames.clamp(0, 449_999)).unwrap_or(Msf::ZERO)
}

/// BCD M, S, F of a program-area address.
fn bcd_time(lba: Lba) -> [u8; 3] {
    disc_time(lba).to_bcd()
}
