//! How the recorder turns each block the host sends into the frame it
//! records: the main-channel and subchannel forms of the cue sheet (SAO),
//! the data block types of mode page 05h (TAO and RAW), and the sectors
//! the drive makes up itself (generated pauses, lead-in, lead-out).
//!
//! Stored frames are 2352 bytes of unscrambled main channel followed by 96
//! bytes of raw interleaved P-W, as READ CD returns them.

use crate::store::FRAME;
use layout::msf::Lba;
use layout::sector::{SectorEncoder, SectorType, XaSubheader, scramble};
use layout::subchannel::{PW_SIZE, RwEncoder, SubchannelFormat, write_subchannel};
use mmc::wire::sense::Sense;

/// Bytes of main channel in a frame.
pub const MAIN: usize = 2352;
/// The sync pattern that starts every data sector.
pub const SYNC: [u8; 12] = [
    0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
];

/// The main channel of one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Main {
    /// 2352 bytes recorded as given (audio; raw sectors in TAO).
    AsGiven,
    /// 2352 bytes the host scrambled (RAW write type): recorded as given,
    /// stored descrambled when they are a data sector.
    Scrambled,
    /// User data the drive wraps into a sector: `host_len` bytes come, the
    /// encoder's input starts `skip` bytes in.
    Data {
        /// The sector to build.
        kind: DataKind,
        /// Bytes the host sends.
        host_len: u16,
        /// Bytes skipped before the input (16 for 2352-byte raw sectors
        /// whose sync and header the drive regenerates).
        skip: u16,
    },
    /// A sector the drive makes of zeros; `host_len` bytes (ignored) come.
    Zero {
        /// Sector kind.
        kind: ZeroKind,
        /// Bytes the host sends (and the drive ignores).
        host_len: u16,
    },
}

/// Sectors the drive builds from user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// Mode 1 from 2048 bytes.
    Mode1,
    /// Mode 2 formless from 2336 bytes.
    Formless,
    /// Mode 2 XA from an 8-byte subheader and the form's user data; the
    /// subheader's submode picks the form.
    Xa,
    /// Mode 2 Form 1 from an 8-byte subheader and 2048 bytes.
    XaForm1,
    /// Mode 2 of the given form from user data alone, with the subheader
    /// of mode page 05h.
    XaPage(XaSubheader),
}

/// Sectors the drive makes of zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroKind {
    /// Digital silence.
    Audio,
    /// Mode 1 zero sectors.
    Mode1,
    /// Mode 2 Form 2 zero sectors.
    Xa,
    /// Mode 2 formless zero sectors.
    Formless,
}

/// The subchannel of one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    /// Nothing from the host: P and Q from the drive's table of contents,
    /// R–W zero.
    Generated,
    /// 96 bytes whose low six bits are finished R–W symbols; P and Q from
    /// the drive (cue sheet sub-channel form 01b).
    RwRaw,
    /// 96 bytes of packed R–W the drive encodes; P and Q from the drive
    /// (form 11b).
    RwPacked,
    /// 96 bytes of raw interleaved P-W, recorded as given (data block
    /// type 3).
    Raw96,
    /// 96 bytes with P and Q in bits 7–6 and packed R–W the drive encodes
    /// (data block type 2).
    Packed96,
    /// 16 bytes of formatted Q and the P flag; R–W zero (data block
    /// type 1).
    Pq16,
}

/// One block's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Main channel.
    pub main: Main,
    /// Subchannel.
    pub sub: Sub,
}

impl Main {
    /// Bytes the host sends for it.
    pub const fn host_len(self) -> usize {
        match self {
            Main::AsGiven | Main::Scrambled => MAIN,
            Main::Data { host_len, .. } | Main::Zero { host_len, .. } => host_len as usize,
        }
    }

    /// The main-channel form of a cue sheet entry's DATA FORM bits 5–0
    /// (`cd-standards.md` §6.12), or `None` for a reserved value.
    pub const fn from_cue_form(form: u8) -> Option<Main> {
        use DataKind as D;
        use ZeroKind as Z;
        const fn data(kind: DataKind, host_len: u16, skip: u16) -> Option<Main> {
            Some(Main::Data {
                kind,
                host_len,
                skip,
            })
        }
        const fn zero(kind: ZeroKind, host_len: u16) -> Option<Main> {
            Some(Main::Zero { kind, host_len })
        }
        match form & 0x3f {
            0x00 => Some(Main::AsGiven),
            0x01 => zero(Z::Audio, 0),
            0x10 => data(D::Mode1, 2048, 0),
            0x11 => data(D::Mode1, 2352, 16),
            0x12 => zero(Z::Mode1, 2048),
            0x13 => zero(Z::Mode1, 2352),
            0x14 => zero(Z::Mode1, 0),
            0x20 => data(D::Xa, 2336, 0),
            0x21 => data(D::Xa, 2352, 16),
            0x22 => zero(Z::Xa, 2336),
            0x23 => zero(Z::Xa, 2352),
            0x24 => zero(Z::Xa, 0),
            0x30 => data(D::Formless, 2336, 0),
            0x31 => data(D::Formless, 2352, 16),
            0x32 => zero(Z::Formless, 2336),
            0x33 => zero(Z::Formless, 2352),
            0x34 => zero(Z::Formless, 0),
            _ => None,
        }
    }

    /// Whether the sector recorded is audio (for a generated lead-in or
    /// lead-out of the same kind).
    pub const fn zero_kind(self) -> ZeroKind {
        match self {
            Main::AsGiven | Main::Scrambled => ZeroKind::Audio,
            Main::Zero { kind, .. } => kind,
            Main::Data { kind, .. } => match kind {
                DataKind::Mode1 => ZeroKind::Mode1,
                DataKind::Formless => ZeroKind::Formless,
                DataKind::Xa | DataKind::XaForm1 | DataKind::XaPage(_) => ZeroKind::Xa,
            },
        }
    }
}

impl Sub {
    /// Bytes the host sends for it.
    pub const fn host_len(self) -> usize {
        match self {
            Sub::Generated => 0,
            Sub::Pq16 => 16,
            Sub::RwRaw | Sub::RwPacked | Sub::Raw96 | Sub::Packed96 => PW_SIZE,
        }
    }

    /// The sub-channel form of a cue sheet entry's DATA FORM bits 7–6, or
    /// `None` for the reserved 10b.
    pub const fn from_cue_form(form: u8) -> Option<Sub> {
        match form >> 6 {
            0 => Some(Sub::Generated),
            1 => Some(Sub::RwRaw),
            3 => Some(Sub::RwPacked),
            _ => None,
        }
    }

    /// Whether P and Q come from the drive.
    pub const fn drive_pq(self) -> bool {
        matches!(self, Sub::Generated | Sub::RwRaw | Sub::RwPacked)
    }
}

impl Block {
    /// Bytes the host sends per block.
    pub const fn host_len(self) -> usize {
        self.main.host_len() + self.sub.host_len()
    }

    /// A block of a cue sheet DATA FORM byte.
    pub const fn from_cue_form(form: u8) -> Option<Block> {
        match (Main::from_cue_form(form), Sub::from_cue_form(form)) {
            (Some(main), Some(sub)) => Some(Block { main, sub }),
            _ => None,
        }
    }
}

/// Builds frames: keeps the R–W encoder whose interleave spans sectors.
#[derive(Debug, Clone, Default)]
pub struct FrameBuilder {
    rw: RwEncoder,
}

impl FrameBuilder {
    /// A builder with an empty R–W delay line.
    pub fn new() -> FrameBuilder {
        FrameBuilder::default()
    }

    /// Builds the frame of `lba` from the host's bytes `host` (exactly
    /// `block.host_len()` of them) into `out`; `pq` gives P and Q when the
    /// drive generates them.
    ///
    /// ## Errors
    ///
    /// 5/64/00 (illegal mode for this track) for user data the block's
    /// sector kind cannot take (a Form 2 subheader in a Form 1 block) and
    /// 5/21/00 for an address outside the disc.
    pub fn build(
        &mut self,
        block: Block,
        lba: Lba,
        host: &[u8],
        pq: impl FnOnce() -> (bool, [u8; 12]),
        out: &mut [u8; FRAME],
    ) -> Result<(), Sense> {
        let (main_in, sub_in) = host.split_at(block.main.host_len().min(host.len()));
        let (main, sub) = out.split_at_mut(MAIN);
        let main: &mut [u8; MAIN] = main.try_into().map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        let sub: &mut [u8; PW_SIZE] = sub.try_into().map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        self.build_sub(block.sub, sub_in, pq, sub);
        // Raw blocks are descrambled where a reader would: in a data track
        // (its Q says so), a sector that starts with the sync.
        let main_form = match block.main {
            Main::Scrambled if !q_says_data(sub) => Main::AsGiven,
            m => m,
        };
        build_main(main_form, lba, main_in, main)
    }

    fn build_sub(
        &mut self,
        form: Sub,
        host: &[u8],
        pq: impl FnOnce() -> (bool, [u8; 12]),
        out: &mut [u8; PW_SIZE],
    ) {
        let mut rw = [0u8; PW_SIZE];
        let (p, q) = match form {
            Sub::Generated => pq(),
            Sub::RwRaw => {
                copy_rw(host, &mut rw);
                pq()
            }
            Sub::RwPacked => {
                let mut packed = [0u8; PW_SIZE];
                copy_rw(host, &mut packed);
                rw = self.rw.encode_sector(&packed);
                pq()
            }
            Sub::Raw96 => {
                out.copy_from_slice(&host[..PW_SIZE]);
                return;
            }
            Sub::Packed96 => {
                let mut raw = [0u8; PW_SIZE];
                raw.copy_from_slice(&host[..PW_SIZE]);
                let (p, q) = layout::subchannel::pq_from_interleaved(&raw);
                let mut packed = [0u8; PW_SIZE];
                copy_rw(host, &mut packed);
                rw = self.rw.encode_sector(&packed);
                (p, q)
            }
            Sub::Pq16 => {
                let mut q = [0u8; 12];
                q.copy_from_slice(&host[..12]);
                (host[15] & 0x80 != 0, q)
            }
        };
        write_subchannel(SubchannelFormat::Interleaved, p, &q, &rw, out);
    }
}

fn copy_rw(host: &[u8], out: &mut [u8; PW_SIZE]) {
    for (o, &h) in out.iter_mut().zip(host) {
        *o = h & 0x3f;
    }
}

/// Whether the CONTROL of the Q in raw interleaved P-W marks a data track
/// (CONTROL bit 2).
fn q_says_data(pw: &[u8; PW_SIZE]) -> bool {
    layout::subchannel::pq_from_interleaved(pw).1[0] & 0x40 != 0
}

/// Builds a sector the drive generates (pauses, lead-in, lead-out) into
/// `out`.
pub fn zero_sector(kind: ZeroKind, lba: Lba, out: &mut [u8; MAIN]) -> Result<(), Sense> {
    build_main(Main::Zero { kind, host_len: 0 }, lba, &[], out)
}

/// The kind of zero sector `main` is at `lba`, if it is one: digital
/// silence, or a Mode 1, Mode 2 Form 2 or formless Mode 2 sector of zeros
/// with its header, EDC and ECC (built and compared only when the user
/// data is all zeros).
pub fn zero_kind_of(lba: Lba, main: &[u8]) -> Option<ZeroKind> {
    if main.iter().all(|&b| b == 0) {
        return Some(ZeroKind::Audio);
    }
    if main.get(..12) != Some(&SYNC[..]) {
        return None;
    }
    let zero = |r: std::ops::Range<usize>| main.get(r).is_some_and(|u| u.iter().all(|&b| b == 0));
    let candidates: &[ZeroKind] = match main.get(15) {
        Some(1) if zero(16..2064) => &[ZeroKind::Mode1],
        Some(2) if zero(24..2348) => &[ZeroKind::Xa, ZeroKind::Formless],
        _ => &[],
    };
    let mut built = [0u8; MAIN];
    candidates
        .iter()
        .copied()
        .find(|&kind| zero_sector(kind, lba, &mut built).is_ok() && built[..] == *main)
}

fn build_main(main: Main, lba: Lba, host: &[u8], out: &mut [u8; MAIN]) -> Result<(), Sense> {
    match main {
        Main::AsGiven => out.copy_from_slice(&host[..MAIN]),
        Main::Scrambled => {
            out.copy_from_slice(&host[..MAIN]);
            if out[..12] == SYNC {
                scramble(out);
            }
        }
        Main::Zero { kind, .. } => {
            let ty = match kind {
                ZeroKind::Audio => {
                    out.fill(0);
                    return Ok(());
                }
                ZeroKind::Mode1 => SectorType::Mode1,
                ZeroKind::Xa => SectorType::Mode2Form2,
                ZeroKind::Formless => SectorType::Mode2Formless,
            };
            let enc = SectorEncoder::new(ty);
            let zeros = [0u8; 2336];
            enc.encode(lba, &zeros[..enc.input_len()], out)
                .map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        }
        Main::Data { kind, skip, .. } => {
            let input = &host[skip as usize..];
            let (enc, input) = match kind {
                DataKind::Mode1 => (SectorEncoder::new(SectorType::Mode1), &input[..2048]),
                DataKind::Formless => (
                    SectorEncoder::new(SectorType::Mode2Formless),
                    &input[..2336],
                ),
                DataKind::Xa | DataKind::XaForm1 => {
                    let sub = XaSubheader::from_bytes([input[0], input[1], input[2], input[3]]);
                    let form2 = sub.is_form2();
                    if form2 && kind == DataKind::XaForm1 {
                        return Err(Sense::ILLEGAL_MODE_FOR_TRACK);
                    }
                    let (ty, len) = if form2 {
                        (SectorType::Mode2Form2, 2324)
                    } else {
                        (SectorType::Mode2Form1, 2048)
                    };
                    let enc = SectorEncoder::new(ty)
                        .with_subheader(sub)
                        .map_err(|_| Sense::ILLEGAL_MODE_FOR_TRACK)?;
                    (enc, &input[8..8 + len])
                }
                DataKind::XaPage(sub) => {
                    let ty = if sub.is_form2() {
                        SectorType::Mode2Form2
                    } else {
                        SectorType::Mode2Form1
                    };
                    let enc = SectorEncoder::new(ty)
                        .with_subheader(sub)
                        .map_err(|_| Sense::ILLEGAL_MODE_FOR_TRACK)?;
                    let len = enc.input_len();
                    (enc, &input[..len])
                }
            };
            enc.encode(lba, input, out)
                .map_err(|_| Sense::LBA_OUT_OF_RANGE)?;
        }
    }
    Ok(())
}

/// Whether a stored frame's subchannel marks a data track (Q CONTROL bit 2)
/// and its main channel starts with the sync pattern.
pub fn is_data_sector(frame: &[u8]) -> bool {
    if frame.len() < FRAME || frame[..12] != SYNC {
        return false;
    }
    // Q CONTROL is the first four Q bits: bit 6 of the first four symbols.
    let control = (0..4).fold(0u8, |c, k| (c << 1) | ((frame[MAIN + k] >> 6) & 1));
    control & 0x4 != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use layout::sector::{Expect, check_sector};

    fn no_pq() -> (bool, [u8; 12]) {
        (false, [0; 12])
    }

    #[test]
    fn cue_forms_and_their_sizes() {
        // cd-standards.md §6.12: bytes the host sends per data form.
        for (form, len) in [
            (0x00, 2352),
            (0x01, 0),
            (0x10, 2048),
            (0x11, 2352),
            (0x12, 2048),
            (0x13, 2352),
            (0x14, 0),
            (0x20, 2336),
            (0x21, 2352),
            (0x24, 0),
            (0x30, 2336),
            (0x34, 0),
            (0x41, 96),
            (0x40, 2352 + 96),
            (0xc0, 2352 + 96),
            (0x50, 2048 + 96),
        ] {
            let b = Block::from_cue_form(form).unwrap_or_else(|| panic!("{form:02x}"));
            // 41h, the lead-in with CD-TEXT: the drive makes the silence,
            // only the 96 bytes of R–W come.
            assert_eq!(b.host_len(), len, "form {form:02x}");
        }
        for bad in [0x02, 0x15, 0x25, 0x35, 0x80, 0x3f] {
            assert_eq!(Block::from_cue_form(bad), None, "{bad:02x}");
        }
    }

    #[test]
    fn data_forms_build_consistent_sectors() {
        let mut b = FrameBuilder::new();
        let mut out = [0u8; FRAME];
        let lba = Lba(16);
        let block = Block::from_cue_form(0x10).unwrap();
        b.build(block, lba, &[0x41; 2048], no_pq, &mut out).unwrap();
        let main: [u8; MAIN] = out[..MAIN].try_into().unwrap();
        let r = check_sector(&main, Expect::default());
        assert!(r.is_consistent() && r.lba == Some(lba));
        // 11h: the drive regenerates sync, header, EDC and ECC around the
        // user data of a raw sector whose header is wrong.
        let mut raw = [0u8; 2352];
        raw[16..2064].fill(0x41);
        b.build(
            Block::from_cue_form(0x11).unwrap(),
            lba,
            &raw,
            no_pq,
            &mut out,
        )
        .unwrap();
        assert_eq!(&out[..MAIN], &main[..]);
        // XA Form 2 from subheader + data.
        let mut xa = [0u8; 2336];
        xa[..8].copy_from_slice(&[1, 2, 0x20, 0, 1, 2, 0x20, 0]);
        b.build(
            Block::from_cue_form(0x20).unwrap(),
            lba,
            &xa,
            no_pq,
            &mut out,
        )
        .unwrap();
        let main: &[u8; MAIN] = out[..MAIN].try_into().unwrap();
        let r = check_sector(main, Expect::default());
        assert!(r.is_consistent(), "{r:?}");
        assert_eq!(&out[16..24], &xa[..8]);
        // A Form 2 subheader where Form 1 is required.
        let mut f1 = [0u8; 2056];
        f1[2] = 0x20;
        let block = Block {
            main: Main::Data {
                kind: DataKind::XaForm1,
                host_len: 2056,
                skip: 0,
            },
            sub: Sub::Generated,
        };
        assert_eq!(
            b.build(block, lba, &f1, no_pq, &mut out),
            Err(Sense::ILLEGAL_MODE_FOR_TRACK)
        );
    }

    #[test]
    fn raw_blocks_are_descrambled_and_keep_their_subchannel() {
        let mut b = FrameBuilder::new();
        let enc = SectorEncoder::new(SectorType::Mode1);
        let mut sector = [0u8; MAIN];
        enc.encode(Lba(0), &[7; 2048], &mut sector).unwrap();
        let mut host = sector.to_vec();
        let scrambled: &mut [u8; MAIN] = (&mut host[..MAIN]).try_into().unwrap();
        scramble(scrambled);
        // P-W whose Q says data track (CONTROL 4, ADR 1).
        let mut linear: [u8; PW_SIZE] = core::array::from_fn(|i| i as u8);
        linear[12] = 0x41;
        let sub = layout::subchannel::linear_to_interleaved(&linear);
        host.extend_from_slice(&sub);
        let block = Block {
            main: Main::Scrambled,
            sub: Sub::Raw96,
        };
        let mut out = [0u8; FRAME];
        b.build(block, Lba(0), &host, no_pq, &mut out).unwrap();
        assert_eq!(&out[..MAIN], &sector[..]);
        assert_eq!(&out[MAIN..], &sub[..]);
        // In an audio track (CONTROL 0) the same bytes are audio: kept as
        // they came, sync or not.
        linear[12] = 0x01;
        let sub = layout::subchannel::linear_to_interleaved(&linear);
        host.truncate(MAIN);
        host.extend_from_slice(&sub);
        b.build(block, Lba(0), &host, no_pq, &mut out).unwrap();
        assert_eq!(&out[..MAIN], &host[..MAIN]);
    }

    #[test]
    fn pq16_and_generated_subchannel() {
        let mut b = FrameBuilder::new();
        let q = [0x41, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0x28, 0x32];
        let mut host = vec![0u8; MAIN];
        host.extend_from_slice(&q);
        host.extend_from_slice(&[0, 0, 0, 0x80]);
        let block = Block {
            main: Main::Scrambled,
            sub: Sub::Pq16,
        };
        let mut out = [0u8; FRAME];
        b.build(block, Lba(0), &host, no_pq, &mut out).unwrap();
        let raw: &[u8; PW_SIZE] = out[MAIN..].try_into().unwrap();
        assert_eq!(layout::subchannel::pq_from_interleaved(raw), (true, q));
        assert!(out[MAIN..].iter().all(|b| b & 0x3f == 0));
        // Drive-made P/Q with host R–W.
        let block = Block::from_cue_form(0x41).unwrap();
        let rw: Vec<u8> = (0..96u8).map(|i| 0xc0 | (i & 0x3f)).collect();
        b.build(block, Lba(-200), &rw, || (false, q), &mut out)
            .unwrap();
        let raw: &[u8; PW_SIZE] = out[MAIN..].try_into().unwrap();
        assert_eq!(layout::subchannel::pq_from_interleaved(raw), (false, q));
        assert!(
            out[MAIN..]
                .iter()
                .zip(&rw)
                .all(|(o, r)| o & 0x3f == r & 0x3f)
        );
        assert!(out[..MAIN].iter().all(|&b| b == 0));
    }

    #[test]
    fn data_sector_detection() {
        let mut out = [0u8; FRAME];
        zero_sector(
            ZeroKind::Mode1,
            Lba(5),
            (&mut out[..MAIN]).try_into().unwrap(),
        )
        .unwrap();
        assert!(!is_data_sector(&out));
        let q = [0x41, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0];
        let mut sub = [0u8; PW_SIZE];
        write_subchannel(SubchannelFormat::Interleaved, false, &q, &[0; 96], &mut sub);
        out[MAIN..].copy_from_slice(&sub);
        assert!(is_data_sector(&out));
    }
}
