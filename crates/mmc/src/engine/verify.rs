//! Verifying: the burned range read back with READ CD and compared with
//! the image.

use super::Engine;
use super::InFlight;
use super::error::EngineError;
use super::feed::Slice;
use super::given::{kept_as_given, rebuild};
use super::options::{Verify, WriteMode};
use super::plan::Section;
use super::steps::{Next, Purpose, TRANSPORT_RETRIES};
use crate::scsi::ScsiRequest;
use crate::wire::command::{ReadCd, Subchannel};
use layout::msf::Lba;
use layout::sector::{SectorKind, check_sector};
use layout::subchannel::SubchannelFormat;

/// Blocks per READ CD while verifying.
const VERIFY_BLOCKS: u32 = 26;

impl Engine {
    /// The next READ CD of the range being verified.
    pub(super) fn next_verify(&mut self) -> Result<Next, EngineError> {
        let Some(s) = self.section else {
            return Ok(Next::Done);
        };
        let Some(feed) = self.feed.as_mut() else {
            return Ok(Next::Done);
        };
        if feed.is_done() {
            self.feed = None;
            return Ok(Next::Done);
        }
        let ready = feed.blocks() >= VERIFY_BLOCKS || (feed.blocks() > 0 && feed.all_encoded());
        if !ready {
            return Ok(Next::Wait);
        }
        let n = feed.blocks().min(VERIFY_BLOCKS);
        let lba = Lba(feed.first().get() + self.shift_of(&s));
        let cdb = ReadCd::raw(lba.get(), n, Subchannel::None).to_bytes();
        Ok(Next::Send(
            ScsiRequest::read(&cdb, n * 2352),
            Purpose::ReadBack { lba, blocks: n },
        ))
    }

    /// Blocks read back: read again when cut short on the way, else
    /// compared.
    pub(super) fn on_read_back(
        &mut self,
        c: &InFlight,
        lba: Lba,
        blocks: u32,
        data: &[u8],
    ) -> Result<(), EngineError> {
        if data.len() < blocks as usize * 2352 && self.retries < TRANSPORT_RETRIES {
            self.retries += 1;
            self.command = super::Command::Ready(c.clone());
            return Ok(());
        }
        self.retries = 0;
        self.compare(lba, blocks, data)
    }

    /// Compares `n` blocks read back from `lba` with the image. Track at
    /// once moves tracks, and the drive built their data sectors at their
    /// new address: those are compared with what it builds there. Sectors
    /// kept as given compare byte for byte even in a content verify.
    fn compare(&mut self, lba: Lba, n: u32, data: &[u8]) -> Result<(), EngineError> {
        let exact = self.options.verify == Some(Verify::Exact);
        let shift = self.section.map_or(0, |s| self.shift_of(&s));
        let Some((first, got_n, expected)) = self.feed.as_mut().and_then(|f| f.take(n)) else {
            return Err(EngineError::Misuse("read back with nothing to compare"));
        };
        if got_n != n {
            return Err(EngineError::Misuse("read back more than was buffered"));
        }
        if data.len() != expected.len() {
            return Err(EngineError::VerifyIncomplete {
                lba: lba.get(),
                cause: Box::new(EngineError::Reply {
                    phase: self.phase,
                    command: ReadCd::NAME,
                    why: super::error::ReplyError::Size {
                        got: data.len(),
                        sectors: n,
                    },
                }),
            });
        }
        let regions = self.disc.regions();
        for (k, (got, want)) in data
            .chunks_exact(2352)
            .zip(expected.chunks_exact(2352))
            .enumerate()
        {
            let at = lba.get() + k as i32;
            let planned = Lba(first.get() + k as i32);
            let ty = regions
                .partition_point(|r| r.start <= planned)
                .checked_sub(1)
                .and_then(|i| regions.get(i))
                .filter(|r| planned < r.end())
                .map(|r| r.encoder.sector_type());
            let moved = match (ty, <&[u8; 2352]>::try_from(want)) {
                (Some(ty), Ok(w)) if shift != 0 => rebuild(ty, Lba(at), w),
                _ => None,
            };
            let want = moved.as_ref().map_or(want, |m| &m[..]);
            let as_given = ty.is_some_and(kept_as_given);
            if let Some(what) = differ(got, want, exact || as_given) {
                return Err(EngineError::Mismatch { lba: at, what });
            }
        }
        self.verified = true;
        self.progress.verified += u64::from(n);
        self.emit(super::event::Action::Verifying, None, false);
        Ok(())
    }

    /// The ranges read back: the program area for RAW and SAO, each
    /// track's data for TAO (whose tracks move).
    pub(super) fn verify_sections(&self) -> Vec<Section> {
        let whole = |start: Lba, end: Lba, track| Section {
            start,
            blocks: end.since(start).max(0) as u32,
            subchannel: SubchannelFormat::None,
            scramble: false,
            slice: Slice::whole(2352),
            track,
            block_type: 0,
        };
        match self.plan.as_ref().map(|p| p.mode) {
            Some(WriteMode::Tao) => self
                .disc
                .tracks()
                .iter()
                .enumerate()
                .map(|(i, t)| whole(t.start, t.data_end, Some(i)))
                .collect(),
            Some(_) => vec![whole(Lba::ZERO, self.disc.leadout(), None)],
            None => Vec::new(),
        }
    }
}

/// Why a read-back sector differs from the image, if it does.
fn differ(got: &[u8], want: &[u8], exact: bool) -> Option<String> {
    if got == want {
        return None;
    }
    let first = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
    if exact {
        return Some(format!("byte {first} of the sector"));
    }
    let (Ok(g), Ok(w)) = (<&[u8; 2352]>::try_from(got), <&[u8; 2352]>::try_from(want)) else {
        return Some("sector size".to_string());
    };
    let expected = check_sector(w, Default::default());
    let user = match expected.kind {
        SectorKind::Audio => return Some(format!("audio sample byte {first}")),
        SectorKind::Mode1 => 16..2064,
        SectorKind::Mode2Form1 => 24..2072,
        SectorKind::Mode2Form2 => 24..2348,
        _ => 16..2352,
    };
    let report = check_sector(g, Default::default());
    if !report.is_consistent() {
        return Some("the sector read back has a bad EDC/ECC".to_string());
    }
    if g[user.clone()] != w[user] {
        return Some(format!("user data (byte {first})"));
    }
    None
}
