//! What each write mode sends: sections of blocks cut from the plan's
//! frames, and the cue sheet for SAO.

use super::error::EngineError;
use super::feed::Slice;
use super::options::{Needs, WriteMode};
use crate::wire::cue_sheet::{CueSheet, CueSheetOptions};
use layout::disc::Disc;
use layout::msf::Lba;
use layout::sector::SectorType;
use layout::subchannel::SubchannelFormat;

/// A run of blocks written with consecutive WRITEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// First sector, as the plan numbers it.
    pub start: Lba,
    /// Number of blocks.
    pub blocks: u32,
    /// Subchannel of the frames the blocks are cut from.
    pub subchannel: SubchannelFormat,
    /// Whether data sectors are scrambled (raw writing).
    pub scramble: bool,
    /// The bytes of each frame a block holds.
    pub slice: Slice,
    /// The track it belongs to (position in the plan), if one.
    pub track: Option<usize>,
    /// TAO: the data block type.
    pub block_type: u8,
}

impl Section {
    /// End (exclusive).
    pub fn end(&self) -> Lba {
        Lba(self.start.get() + self.blocks as i32)
    }
}

/// How a mode writes a disc.
#[derive(Debug, Clone, PartialEq)]
pub struct BurnPlan {
    /// The mode.
    pub mode: WriteMode,
    /// Sections in writing order.
    pub sections: Vec<Section>,
    /// The cue sheet (SAO).
    pub cue: Option<Vec<u8>>,
}

impl BurnPlan {
    /// Sectors the burn writes.
    pub fn sectors(&self) -> u64 {
        self.sections.iter().map(|s| s.blocks as u64).sum()
    }
}

/// The sections (and cue sheet) of `disc` in `mode`, for media whose
/// lead-in starts at `lead_in`.
///
/// ## Errors
///
/// [`EngineError::Mode`] when the disc cannot be put into that mode's
/// form (a cue sheet that cannot be built).
pub fn plan(disc: &Disc, mode: WriteMode, lead_in: Lba) -> Result<BurnPlan, EngineError> {
    let needs = Needs::of(disc);
    let track_of = |lba: Lba| {
        disc.tracks()
            .iter()
            .position(|t| t.pregap_start <= lba && lba < t.end)
    };
    let mut sections = Vec::new();
    let mut cue = None;
    match mode {
        WriteMode::Raw96r | WriteMode::Raw96p | WriteMode::Raw16 => {
            let subchannel = if mode == WriteMode::Raw16 {
                SubchannelFormat::Pq16
            } else {
                SubchannelFormat::Interleaved
            };
            let start = lead_in;
            let end = disc.end();
            sections.push(Section {
                start,
                blocks: end.since(start) as u32,
                subchannel,
                scramble: true,
                slice: Slice::whole(2352 + subchannel.size()),
                track: None,
                block_type: mode.raw_block_type().unwrap_or(3),
            });
        }
        WriteMode::Sao => {
            let options = CueSheetOptions {
                raw_data: false,
                cdtext: needs.cdtext,
                lead_in: needs.cdtext.then(|| lead_in.to_msf().ok()).flatten(),
            };
            let sheet = CueSheet::from_disc(disc, options).map_err(|e| {
                EngineError::Mode(format!("sao: the cue sheet cannot be built: {e}"))
            })?;
            for (lba, blocks, size) in sheet.write_plan() {
                let (subchannel, slice) = match size {
                    96 => (SubchannelFormat::Interleaved, Slice::RW),
                    2048 => (SubchannelFormat::None, Slice::main(16, 2048)),
                    2336 => (SubchannelFormat::None, Slice::main(16, 2336)),
                    2352 => (SubchannelFormat::None, Slice::main(0, 2352)),
                    other => {
                        return Err(EngineError::Mode(format!(
                            "sao: a cue sheet range of {other}-byte blocks cannot be written"
                        )));
                    }
                };
                sections.push(Section {
                    start: Lba(lba),
                    blocks,
                    subchannel,
                    scramble: false,
                    slice,
                    track: track_of(Lba(lba)),
                    block_type: 0,
                });
            }
            cue = Some(sheet.to_vec());
        }
        WriteMode::Tao => {
            for (i, t) in disc.tracks().iter().enumerate() {
                let (block_type, slice) = tao_block(t.sector_type).ok_or_else(|| {
                    EngineError::Mode(format!(
                        "tao cannot write track {}'s sector type",
                        t.number.get()
                    ))
                })?;
                sections.push(Section {
                    start: t.start,
                    blocks: t.end.since(t.start) as u32,
                    subchannel: SubchannelFormat::None,
                    scramble: false,
                    slice,
                    track: Some(i),
                    block_type,
                });
            }
        }
        WriteMode::Auto => return Err(EngineError::Mode("choose a write mode first".into())),
    }
    Ok(BurnPlan {
        mode,
        sections,
        cue,
    })
}

/// The TAO data block type of a sector type and the bytes of each sector
/// it sends (`cd-standards.md` §6.10).
pub fn tao_block(ty: SectorType) -> Option<(u8, Slice)> {
    Some(match ty {
        SectorType::Audio => (0, Slice::main(0, 2352)),
        SectorType::Mode1 | SectorType::Mode1Raw => (8, Slice::main(16, 2048)),
        SectorType::Mode2Formless | SectorType::Mode2FormlessRaw => (9, Slice::main(16, 2336)),
        SectorType::Mode2Form1 | SectorType::Mode2Form1Raw => (11, Slice::main(16, 2056)),
        SectorType::Mode2Form2
        | SectorType::Mode2Form2Raw
        | SectorType::Mode2Xa
        | SectorType::Mode2Raw => (13, Slice::main(16, 2332)),
        _ => return None,
    })
}
