//! Lead-ins and lead-outs: the ones the drive writes itself, and the
//! table of contents and CD-TEXT read from one a host wrote.

use super::{Frame, Kind, Recording, WriteSetup};
use crate::blocks::{Block, FrameBuilder, Main, Sub, ZeroKind, zero_sector};
use crate::store::FRAME;
use layout::cdtext::{Pack, symbols_to_packs};
use layout::disc::{CopySetting, DiscType, TocLayout, TocTrack};
use layout::msf::{Lba, Msf};
use layout::subchannel::{PW_SIZE, QFrame, QRepr, SubcodeGenerator, pq_from_interleaved};
use mmc::wire::sense::Sense;
use std::collections::BTreeMap;

/// Where the TOC of a raw recording comes from: its lead-in.
#[derive(Debug, Clone, Default)]
pub struct LeadInReader {
    /// POINT → (CONTROL, P bytes BCD), from mode-1 TOC entries.
    pub entries: BTreeMap<u8, (u8, [u8; 3])>,
    /// CD-TEXT packs by (block, sequence).
    pub packs: BTreeMap<(u8, u8), Pack>,
    /// Where the lead-out starts, once the entries make a whole layout
    /// (kept up to date as entries arrive, so asking is cheap).
    leadout: Option<Lba>,
}

impl LeadInReader {
    /// Reads one lead-in frame's subchannel.
    pub fn feed(&mut self, sub: &[u8; PW_SIZE]) {
        let (_, q) = pq_from_interleaved(sub);
        if let Ok(QRepr::TocEntry {
            control, point, p, ..
        }) = QFrame(q).decode()
            && let std::collections::btree_map::Entry::Vacant(e) = self.entries.entry(point)
        {
            e.insert((control, p));
            self.leadout = self.layout().ok().map(|l| l.leadout);
        }
        let mut symbols = [0u8; PW_SIZE];
        for (d, s) in symbols.iter_mut().zip(sub) {
            *d = s & 0x3f;
        }
        if symbols.iter().any(|&s| s != 0) {
            for p in symbols_to_packs(&symbols).into_iter().filter(Pack::crc_ok) {
                self.packs.entry((p.block(), p.sequence())).or_insert(p);
            }
        }
    }

    /// The lead-out start of a complete layout, if the entries make one.
    pub fn leadout(&self) -> Option<Lba> {
        self.leadout
    }

    /// The session's layout, from the TOC entries: track starts and
    /// controls, lead-out, disc type.
    ///
    /// ## Errors
    ///
    /// A message naming what the lead-in lacks.
    pub fn layout(&self) -> Result<TocLayout, String> {
        let bcd = |b: u8| (b >> 4) * 10 + (b & 0x0f);
        let time = |p: [u8; 3]| -> Option<Lba> {
            Msf::from_bcd(p[0], p[1], p[2])
                .ok()
                .map(Msf::to_program_lba)
        };
        let (_, a0) = self.entries.get(&0xa0).ok_or("no A0 entry (first track)")?;
        let (_, a1) = self.entries.get(&0xa1).ok_or("no A1 entry (last track)")?;
        let (_, a2) = self.entries.get(&0xa2).ok_or("no A2 entry (lead-out)")?;
        let leadout = time(*a2).ok_or("the A2 entry's time does not decode")?;
        let (first, last) = (bcd(a0[0]), bcd(a1[0]));
        let disc_type = match a0[1] {
            0x10 => DiscType::CdI,
            0x20 => DiscType::CdRomXa,
            _ => DiscType::CdDaOrCdRom,
        };
        if !(1..=99).contains(&first) || last < first || last > 99 {
            return Err(format!("tracks {first} to {last} in A0/A1 make no sense"));
        }
        let mut tracks: Vec<TocTrack> = Vec::new();
        for n in first..=last {
            let point = (n / 10) << 4 | (n % 10);
            let (control, p) = self
                .entries
                .get(&point)
                .ok_or_else(|| format!("no TOC entry for track {n}"))?;
            let start = time(*p).ok_or_else(|| format!("track {n}'s start does not decode"))?;
            if let Some(prev) = tracks.last_mut() {
                if start <= prev.start() {
                    return Err(format!("track {n} starts before track {}", n - 1));
                }
                prev.end = start;
            }
            tracks.push(TocTrack {
                number: n,
                control: *control,
                copy: if control & 0x2 != 0 {
                    CopySetting::Permitted
                } else {
                    CopySetting::Prohibited
                },
                pregap_start: start,
                indexes: vec![start],
                end: leadout,
                isrc: None,
            });
        }
        if tracks.last().is_some_and(|t| t.start() >= leadout) {
            return Err("the lead-out starts before the last track".to_string());
        }
        Ok(TocLayout {
            tracks,
            leadout,
            disc_type,
            mcn: None,
        })
    }

    /// One period of the CD-TEXT packs, in order.
    pub fn cdtext(&self) -> Vec<Vec<u8>> {
        self.packs.values().map(|p| p.0.to_vec()).collect()
    }
}

/// Frames of a lead-out the drive writes: `sectors` zero sectors of
/// `kind` from `layout.leadout`, each made when it is taken (a lead-out is
/// 16 MB of frames).
pub fn lead_out(
    layout: &TocLayout,
    sectors: i32,
    kind: ZeroKind,
) -> impl ExactSizeIterator<Item = Result<Frame, Sense>> + use<> {
    let r = Recording {
        setup: WriteSetup::default(),
        lead_in: layout.leadout,
        next: layout.leadout,
        limit: layout.leadout,
        kind: Kind::Raw {
            block: Block {
                main: Main::AsGiven,
                sub: Sub::Generated,
            },
        },
        generator: Some(SubcodeGenerator::from_layout(layout.clone())),
        builder: FrameBuilder::new(),
        program: layout.leadout,
        reader: LeadInReader::default(),
    };
    let start = layout.leadout.get();
    (start..start.saturating_add(sectors.max(0))).map(move |l| {
        let lba = Lba(l);
        r.generated(lba, kind).map(|f| (lba, f))
    })
}

/// Frames of a lead-in the drive writes for `layout` from `start` to the
/// session's first pregap, with `b0` (the next program area) when the
/// session allows another. The first session without one uses the same
/// Q as an authored raw image; otherwise each TOC entry (A0, A1, A2, the
/// tracks, then B0 in Q mode 5) is written 3 times in turn with the running
/// time from the lead-in start. Each frame is made when it is taken (a
/// first session's lead-in is some 28 MB of frames).
pub fn lead_in(
    layout: &TocLayout,
    start: Lba,
    kind: ZeroKind,
    b0: Option<(Lba, Lba)>,
    first_session: bool,
) -> impl ExactSizeIterator<Item = Result<Frame, Sense>> + use<> {
    let end = layout
        .tracks
        .first()
        .map_or(Lba::PREGAP_START, |t| t.pregap_start);
    let generator = SubcodeGenerator::from_layout(layout.clone());
    let entries = toc_entries(layout, b0);
    (start.get()..end.get().max(start.get())).map(move |l| {
        let l = Lba(l);
        let mut frame = Box::new([0u8; FRAME]);
        let (main, sub) = frame.split_at_mut(crate::blocks::MAIN);
        let main: &mut [u8; crate::blocks::MAIN] =
            main.try_into().map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        zero_sector(kind, l, main)?;
        let q = if first_session && b0.is_none() {
            generator.pq(l).1.0
        } else {
            let k = l.since(start) as usize / 3 % entries.len().max(1);
            let mut d = entries.get(k).copied().unwrap_or([0; 10]);
            if d[0] & 0x0f == 1 {
                let running = Msf::from_frames(l.since(start) as i32).unwrap_or(Msf::ZERO);
                d[3..6].copy_from_slice(&running.to_bcd());
            }
            QFrame::from_data(d).0
        };
        layout::subchannel::write_subchannel(
            layout::subchannel::SubchannelFormat::Interleaved,
            false,
            &q,
            &[0; PW_SIZE],
            sub,
        );
        Ok((l, frame))
    })
}

/// The Q data (10 bytes, running time left zero) of each lead-in TOC entry.
fn toc_entries(layout: &TocLayout, b0: Option<(Lba, Lba)>) -> Vec<[u8; 10]> {
    let bcd = |n: u8| (n / 10) << 4 | (n % 10);
    let time = |l: Lba| l.to_disc_time().map(Msf::to_bcd).unwrap_or([0; 3]);
    let mut out = Vec::new();
    let entry = |control: u8, adr: u8, point: u8, p: [u8; 3]| {
        let mut d = [0u8; 10];
        d[0] = (control << 4) | adr;
        d[2] = point;
        d[7..10].copy_from_slice(&p);
        d
    };
    if let (Some(first), Some(last)) = (layout.tracks.first(), layout.tracks.last()) {
        out.push(entry(
            first.control,
            1,
            0xa0,
            [bcd(first.number), layout.disc_type.code(), 0],
        ));
        out.push(entry(last.control, 1, 0xa1, [bcd(last.number), 0, 0]));
        out.push(entry(last.control, 1, 0xa2, time(layout.leadout)));
    }
    for t in &layout.tracks {
        out.push(entry(t.control, 1, bcd(t.number), time(t.start())));
    }
    if let Some((next, outer)) = b0 {
        // Q mode 5, B0: MIN/SEC/FRAME = next program area, ZERO = number of
        // mode-5 pointers, P = the last possible lead-out start.
        let mut d = entry(
            layout.tracks.last().map_or(4, |t| t.control),
            5,
            0xb0,
            time(outer),
        );
        let [m, s, f] = time(next);
        d[3..7].copy_from_slice(&[m, s, f, 1]);
        out.push(d);
    }
    out
}
