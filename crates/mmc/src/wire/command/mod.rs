//! Command descriptor blocks (CDBs): every SCSI/MMC command rawburn sends
//! and the virtual recorder receives (`cd-standards.md` §6.1–§6.20).
//!
//! Each command is a plain value whose fields are the CDB's meaningful
//! fields, in binary (LBAs as `i32`, two's complement on the wire). Every
//! command type has:
//!
//! - `OPCODE`, `LEN` (6, 10 or 12) and `NAME`;
//! - `parse`, which checks the operation code and the length and never
//!   panics; reserved bits and the control byte are ignored, not rejected,
//!   and bytes past `LEN` are ignored (Linux pads CDBs to 12 bytes over USB,
//!   a CBW carries 16);
//! - `emit`, which writes exactly `LEN` bytes into `out[..LEN]` (reserved
//!   bits and the control byte zero) and, like every `emit` in
//!   [`crate::wire`], panics if `out` is shorter; and `to_bytes`;
//! - the size of the data stage where the CDB alone fixes it:
//!   `data_in_len` (the allocation length) or `data_out_len` (the parameter
//!   list length); WRITE has `blocks`, since the block size is the
//!   drive's.
//!
//! A CDB is at most 12 bytes and always handled whole, so unlike the
//! parameter data formats there is no view type: `parse` is the checked
//! entry for untrusted bytes. A value field wider than its wire field is
//! truncated to the wire width by `emit` (a 24-bit length keeps its low 24
//! bits, a code its low bits).
//!
//! Field positions are private named constants on each type (the first
//! byte of the field; the helper that reads it gives the width), next to
//! a byte table from the standard in the type's documentation.
//!
//! [`Command`] dispatches on the operation code, for the virtual recorder.

mod disc;
mod read_cd;
mod settings;
mod track;
mod unit;
mod write;

pub use disc::{ReadDiscInfo, ReadToc, ReadTrackInfo, TocFormat, TrackInfoAddress};
pub use read_cd::{C2Errors, HeaderCodes, ReadCd, SectorType, Subchannel};
pub use settings::{
    GetPerformance, ModeSelect10, ModeSense10, PageControl, PerformanceType, SetCdSpeed,
};
pub use track::{Blank, BlankType, CloseFunction, CloseTrackSession, ReserveTrack};
pub use unit::{
    FeatureRequest, GetConfiguration, Inquiry, PreventAllowMediumRemoval, RequestSense,
    StartStopUnit, TestUnitReady,
};
pub use write::{
    ReadBufferCapacity, SendCueSheet, SendOpcInfo, SynchronizeCache, Write10, Write12,
};

use super::{WireError, need};

/// Any command rawburn knows, parsed from its CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// TEST UNIT READY (00h).
    TestUnitReady(TestUnitReady),
    /// REQUEST SENSE (03h).
    RequestSense(RequestSense),
    /// INQUIRY (12h).
    Inquiry(Inquiry),
    /// START STOP UNIT (1Bh).
    StartStopUnit(StartStopUnit),
    /// PREVENT ALLOW MEDIUM REMOVAL (1Eh).
    PreventAllowMediumRemoval(PreventAllowMediumRemoval),
    /// WRITE(10) (2Ah).
    Write10(Write10),
    /// SYNCHRONIZE CACHE(10) (35h).
    SynchronizeCache(SynchronizeCache),
    /// READ TOC/PMA/ATIP (43h).
    ReadToc(ReadToc),
    /// GET CONFIGURATION (46h).
    GetConfiguration(GetConfiguration),
    /// READ DISC INFORMATION (51h).
    ReadDiscInfo(ReadDiscInfo),
    /// READ TRACK INFORMATION (52h).
    ReadTrackInfo(ReadTrackInfo),
    /// RESERVE TRACK (53h).
    ReserveTrack(ReserveTrack),
    /// SEND OPC INFORMATION (54h).
    SendOpcInfo(SendOpcInfo),
    /// MODE SELECT(10) (55h).
    ModeSelect10(ModeSelect10),
    /// MODE SENSE(10) (5Ah).
    ModeSense10(ModeSense10),
    /// CLOSE TRACK/SESSION (5Bh).
    CloseTrackSession(CloseTrackSession),
    /// READ BUFFER CAPACITY (5Ch).
    ReadBufferCapacity(ReadBufferCapacity),
    /// SEND CUE SHEET (5Dh).
    SendCueSheet(SendCueSheet),
    /// BLANK (A1h).
    Blank(Blank),
    /// WRITE(12) (AAh).
    Write12(Write12),
    /// GET PERFORMANCE (ACh).
    GetPerformance(GetPerformance),
    /// SET CD SPEED (BBh).
    SetCdSpeed(SetCdSpeed),
    /// READ CD (BEh).
    ReadCd(ReadCd),
    /// An operation code not listed above (a drive answers 5/20/00).
    Unknown {
        /// The operation code.
        opcode: u8,
    },
}

impl Command {
    /// Parses any CDB; an unknown opcode is `Command::Unknown`, a known
    /// opcode with a bad CDB is an error.
    ///
    /// ## Errors
    ///
    /// [`WireError::Truncated`] for an empty CDB, or one shorter than its
    /// command's length.
    pub fn parse(cdb: &[u8]) -> Result<Command, WireError> {
        need("cdb", cdb, 1)?;
        Ok(match cdb[0] {
            TestUnitReady::OPCODE => Command::TestUnitReady(TestUnitReady::parse(cdb)?),
            RequestSense::OPCODE => Command::RequestSense(RequestSense::parse(cdb)?),
            Inquiry::OPCODE => Command::Inquiry(Inquiry::parse(cdb)?),
            StartStopUnit::OPCODE => Command::StartStopUnit(StartStopUnit::parse(cdb)?),
            PreventAllowMediumRemoval::OPCODE => {
                Command::PreventAllowMediumRemoval(PreventAllowMediumRemoval::parse(cdb)?)
            }
            Write10::OPCODE => Command::Write10(Write10::parse(cdb)?),
            SynchronizeCache::OPCODE => Command::SynchronizeCache(SynchronizeCache::parse(cdb)?),
            ReadToc::OPCODE => Command::ReadToc(ReadToc::parse(cdb)?),
            GetConfiguration::OPCODE => Command::GetConfiguration(GetConfiguration::parse(cdb)?),
            ReadDiscInfo::OPCODE => Command::ReadDiscInfo(ReadDiscInfo::parse(cdb)?),
            ReadTrackInfo::OPCODE => Command::ReadTrackInfo(ReadTrackInfo::parse(cdb)?),
            ReserveTrack::OPCODE => Command::ReserveTrack(ReserveTrack::parse(cdb)?),
            SendOpcInfo::OPCODE => Command::SendOpcInfo(SendOpcInfo::parse(cdb)?),
            ModeSelect10::OPCODE => Command::ModeSelect10(ModeSelect10::parse(cdb)?),
            ModeSense10::OPCODE => Command::ModeSense10(ModeSense10::parse(cdb)?),
            CloseTrackSession::OPCODE => Command::CloseTrackSession(CloseTrackSession::parse(cdb)?),
            ReadBufferCapacity::OPCODE => {
                Command::ReadBufferCapacity(ReadBufferCapacity::parse(cdb)?)
            }
            SendCueSheet::OPCODE => Command::SendCueSheet(SendCueSheet::parse(cdb)?),
            Blank::OPCODE => Command::Blank(Blank::parse(cdb)?),
            Write12::OPCODE => Command::Write12(Write12::parse(cdb)?),
            GetPerformance::OPCODE => Command::GetPerformance(GetPerformance::parse(cdb)?),
            SetCdSpeed::OPCODE => Command::SetCdSpeed(SetCdSpeed::parse(cdb)?),
            ReadCd::OPCODE => Command::ReadCd(ReadCd::parse(cdb)?),
            opcode => Command::Unknown { opcode },
        })
    }

    /// The operation code.
    pub fn opcode(&self) -> u8 {
        match self {
            Command::TestUnitReady(_) => TestUnitReady::OPCODE,
            Command::RequestSense(_) => RequestSense::OPCODE,
            Command::Inquiry(_) => Inquiry::OPCODE,
            Command::StartStopUnit(_) => StartStopUnit::OPCODE,
            Command::PreventAllowMediumRemoval(_) => PreventAllowMediumRemoval::OPCODE,
            Command::Write10(_) => Write10::OPCODE,
            Command::SynchronizeCache(_) => SynchronizeCache::OPCODE,
            Command::ReadToc(_) => ReadToc::OPCODE,
            Command::GetConfiguration(_) => GetConfiguration::OPCODE,
            Command::ReadDiscInfo(_) => ReadDiscInfo::OPCODE,
            Command::ReadTrackInfo(_) => ReadTrackInfo::OPCODE,
            Command::ReserveTrack(_) => ReserveTrack::OPCODE,
            Command::SendOpcInfo(_) => SendOpcInfo::OPCODE,
            Command::ModeSelect10(_) => ModeSelect10::OPCODE,
            Command::ModeSense10(_) => ModeSense10::OPCODE,
            Command::CloseTrackSession(_) => CloseTrackSession::OPCODE,
            Command::ReadBufferCapacity(_) => ReadBufferCapacity::OPCODE,
            Command::SendCueSheet(_) => SendCueSheet::OPCODE,
            Command::Blank(_) => Blank::OPCODE,
            Command::Write12(_) => Write12::OPCODE,
            Command::GetPerformance(_) => GetPerformance::OPCODE,
            Command::SetCdSpeed(_) => SetCdSpeed::OPCODE,
            Command::ReadCd(_) => ReadCd::OPCODE,
            Command::Unknown { opcode } => *opcode,
        }
    }

    /// The command's name as the standards spell it ("WRITE(10)", "READ
    /// TOC/PMA/ATIP"); "unknown" for [`Command::Unknown`].
    pub fn name(&self) -> &'static str {
        match self {
            Command::TestUnitReady(_) => TestUnitReady::NAME,
            Command::RequestSense(_) => RequestSense::NAME,
            Command::Inquiry(_) => Inquiry::NAME,
            Command::StartStopUnit(_) => StartStopUnit::NAME,
            Command::PreventAllowMediumRemoval(_) => PreventAllowMediumRemoval::NAME,
            Command::Write10(_) => Write10::NAME,
            Command::SynchronizeCache(_) => SynchronizeCache::NAME,
            Command::ReadToc(_) => ReadToc::NAME,
            Command::GetConfiguration(_) => GetConfiguration::NAME,
            Command::ReadDiscInfo(_) => ReadDiscInfo::NAME,
            Command::ReadTrackInfo(_) => ReadTrackInfo::NAME,
            Command::ReserveTrack(_) => ReserveTrack::NAME,
            Command::SendOpcInfo(_) => SendOpcInfo::NAME,
            Command::ModeSelect10(_) => ModeSelect10::NAME,
            Command::ModeSense10(_) => ModeSense10::NAME,
            Command::CloseTrackSession(_) => CloseTrackSession::NAME,
            Command::ReadBufferCapacity(_) => ReadBufferCapacity::NAME,
            Command::SendCueSheet(_) => SendCueSheet::NAME,
            Command::Blank(_) => Blank::NAME,
            Command::Write12(_) => Write12::NAME,
            Command::GetPerformance(_) => GetPerformance::NAME,
            Command::SetCdSpeed(_) => SetCdSpeed::NAME,
            Command::ReadCd(_) => ReadCd::NAME,
            Command::Unknown { .. } => "unknown",
        }
    }
}

/// `impl From<T> for Command` for each command type `T` (the variant has
/// the type's name).
macro_rules! into_command {
    ($($ty:ident),* $(,)?) => {
        $(
            impl From<$ty> for Command {
                fn from(c: $ty) -> Command {
                    Command::$ty(c)
                }
            }
        )*
    };
}

into_command!(
    TestUnitReady,
    RequestSense,
    Inquiry,
    StartStopUnit,
    PreventAllowMediumRemoval,
    Write10,
    SynchronizeCache,
    ReadToc,
    GetConfiguration,
    ReadDiscInfo,
    ReadTrackInfo,
    ReserveTrack,
    SendOpcInfo,
    ModeSelect10,
    ModeSense10,
    CloseTrackSession,
    ReadBufferCapacity,
    SendCueSheet,
    Blank,
    Write12,
    GetPerformance,
    SetCdSpeed,
    ReadCd,
);

/// Checks that `cdb` starts with `opcode` and holds at least `len` bytes;
/// returns its first `len` bytes.
fn check<'a>(
    what: &'static str,
    cdb: &'a [u8],
    opcode: u8,
    len: usize,
) -> Result<&'a [u8], WireError> {
    need(what, cdb, 1)?;
    if cdb[0] != opcode {
        return Err(WireError::Opcode {
            what,
            got: cdb[0],
            expected: opcode,
        });
    }
    need(what, cdb, len)?;
    Ok(&cdb[..len])
}

/// Zeroes `out[..len]`, writes the operation code and returns the CDB.
fn begin(out: &mut [u8], opcode: u8, len: usize) -> &mut [u8] {
    let cdb = &mut out[..len];
    cdb.fill(0);
    cdb[0] = opcode;
    cdb
}

/// Whether any bit of `mask` is set in `byte`.
const fn bit(byte: u8, mask: u8) -> bool {
    byte & mask != 0
}

/// `mask` when `on`, else 0.
const fn flag(on: bool, mask: u8) -> u8 {
    if on { mask } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses `bytes` to `expected`, emits `expected` into a buffer of
    /// 0xA5 and compares byte for byte; checks the dispatch too.
    pub(super) fn golden<T>(
        bytes: &[u8],
        expected: T,
        parse: fn(&[u8]) -> Result<T, WireError>,
        emit: fn(&T, &mut [u8]),
    ) where
        T: Copy + PartialEq + core::fmt::Debug + Into<Command>,
    {
        assert_eq!(parse(bytes), Ok(expected));
        assert_eq!(Command::parse(bytes), Ok(expected.into()));
        let mut out = [0xa5u8; 16];
        emit(&expected, &mut out);
        assert_eq!(&out[..bytes.len()], bytes);
        assert!(out[bytes.len()..].iter().all(|&b| b == 0xa5));
    }

    /// One CDB of every command (opcode, length).
    const EVERY: &[(u8, usize, &str)] = &[
        (0x00, 6, "TEST UNIT READY"),
        (0x03, 6, "REQUEST SENSE"),
        (0x12, 6, "INQUIRY"),
        (0x1b, 6, "START STOP UNIT"),
        (0x1e, 6, "PREVENT ALLOW MEDIUM REMOVAL"),
        (0x2a, 10, "WRITE(10)"),
        (0x35, 10, "SYNCHRONIZE CACHE(10)"),
        (0x43, 10, "READ TOC/PMA/ATIP"),
        (0x46, 10, "GET CONFIGURATION"),
        (0x51, 10, "READ DISC INFORMATION"),
        (0x52, 10, "READ TRACK INFORMATION"),
        (0x53, 10, "RESERVE TRACK"),
        (0x54, 10, "SEND OPC INFORMATION"),
        (0x55, 10, "MODE SELECT(10)"),
        (0x5a, 10, "MODE SENSE(10)"),
        (0x5b, 10, "CLOSE TRACK/SESSION"),
        (0x5c, 10, "READ BUFFER CAPACITY"),
        (0x5d, 10, "SEND CUE SHEET"),
        (0xa1, 12, "BLANK"),
        (0xaa, 12, "WRITE(12)"),
        (0xac, 12, "GET PERFORMANCE"),
        (0xbb, 12, "SET CD SPEED"),
        (0xbe, 12, "READ CD"),
    ];

    #[test]
    fn dispatches_every_opcode() {
        for &(opcode, len, name) in EVERY {
            let mut cdb = [0u8; 12];
            cdb[0] = opcode;
            let c = Command::parse(&cdb[..len]).unwrap();
            assert_eq!(c.opcode(), opcode, "{name}");
            assert_eq!(c.name(), name);
            assert!(!matches!(c, Command::Unknown { .. }), "{name}");
            // Padded to 12 (Linux) or 16 (a CBW's field): the same.
            assert_eq!(Command::parse(&[&cdb[..len], &[0u8; 6]].concat()), Ok(c));
            // One byte short.
            assert_eq!(
                Command::parse(&cdb[..len - 1]),
                Err(WireError::Truncated {
                    what: name,
                    need: len,
                    got: len - 1
                })
            );
        }
    }

    #[test]
    fn keeps_unknown_opcodes() {
        for opcode in 0..=0xffu8 {
            let known = EVERY.iter().any(|&(o, _, _)| o == opcode);
            let c = Command::parse(&[opcode]);
            if known {
                assert!(matches!(c, Err(WireError::Truncated { .. })));
            } else {
                assert_eq!(c, Ok(Command::Unknown { opcode }));
                assert_eq!(c.unwrap().opcode(), opcode);
                assert_eq!(c.unwrap().name(), "unknown");
            }
        }
        // READ(10), READ CAPACITY, MODE SENSE(6): not ours.
        assert_eq!(
            Command::parse(&[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
            Ok(Command::Unknown { opcode: 0x28 })
        );
        assert_eq!(
            Command::parse(&[]),
            Err(WireError::Truncated {
                what: "cdb",
                need: 1,
                got: 0
            })
        );
    }

    #[test]
    fn wrong_opcode_and_truncation() {
        let write = Write10::new(0, 1).to_bytes();
        assert_eq!(
            Inquiry::parse(&write),
            Err(WireError::Opcode {
                what: "INQUIRY",
                got: 0x2a,
                expected: 0x12
            })
        );
        assert!(matches!(
            Write12::parse(&write),
            Err(WireError::Opcode { .. })
        ));
        assert!(matches!(
            Write10::parse(&write[..9]),
            Err(WireError::Truncated {
                need: 10,
                got: 9,
                ..
            })
        ));
        assert!(matches!(
            ReadCd::parse(&[]),
            Err(WireError::Truncated {
                need: 1,
                got: 0,
                ..
            })
        ));
        // A short CDB of another command names the opcode first.
        assert!(matches!(
            ReadCd::parse(&write[..4]),
            Err(WireError::Opcode { got: 0x2a, .. })
        ));
        assert_eq!(
            WireError::Opcode {
                what: "READ CD",
                got: 0x2a,
                expected: 0xbe
            }
            .to_string(),
            "READ CD: operation code 0x2a, expected 0xbe"
        );
    }

    #[test]
    fn lengths_and_conversions() {
        assert_eq!(TestUnitReady.to_bytes().len(), TestUnitReady::LEN);
        assert_eq!(Inquiry::new(36).to_bytes().len(), 6);
        assert_eq!(Write10::new(0, 1).to_bytes().len(), 10);
        assert_eq!(ReadCd::raw(0, 1, Subchannel::None).to_bytes().len(), 12);
        let c: Command = SetCdSpeed::maximum().into();
        assert_eq!(c, Command::SetCdSpeed(SetCdSpeed::maximum()));
        assert_eq!(c.name(), "SET CD SPEED");
        assert_eq!(c.opcode(), 0xbb);
    }

    fn lba() -> impl Strategy<Value = i32> {
        prop_oneof![Just(-150), -11635..=-150i32, -150..400_000i32, any::<i32>()]
    }

    fn u24() -> impl Strategy<Value = u32> {
        0..=0x00ff_ffffu32
    }

    fn command() -> impl Strategy<Value = Command> {
        let unit =
            prop_oneof![
                Just(Command::TestUnitReady(TestUnitReady)),
                (any::<bool>(), any::<u8>())
                    .prop_map(|(desc, alloc)| RequestSense { desc, alloc }.into()),
                (any::<bool>(), any::<u8>(), any::<u16>())
                    .prop_map(|(evpd, page, alloc)| Inquiry { evpd, page, alloc }.into()),
                (any::<bool>(), 0..16u8, any::<bool>(), any::<bool>()).prop_map(
                    |(immed, power_condition, load_eject, start)| StartStopUnit {
                        immed,
                        power_condition,
                        load_eject,
                        start,
                    }
                    .into()
                ),
                any::<bool>().prop_map(|prevent| PreventAllowMediumRemoval { prevent }.into()),
                (any::<u8>(), any::<u16>(), any::<u16>()).prop_map(|(rt, start_feature, alloc)| {
                    GetConfiguration {
                        rt: FeatureRequest::from_code(rt),
                        start_feature,
                        alloc,
                    }
                    .into()
                }),
                (
                    any::<bool>(),
                    any::<u8>(),
                    0..64u8,
                    any::<u8>(),
                    any::<u16>()
                )
                    .prop_map(|(dbd, pc, page, subpage, alloc)| ModeSense10 {
                        dbd,
                        control: PageControl::from_code(pc),
                        page,
                        subpage,
                        alloc,
                    }
                    .into()),
                (any::<bool>(), any::<bool>(), any::<u16>())
                    .prop_map(|(pf, sp, param_len)| ModeSelect10 { pf, sp, param_len }.into()),
                (0..4u8, any::<u16>(), any::<u16>()).prop_map(|(rotation, read_kbs, write_kbs)| {
                    SetCdSpeed {
                        rotation,
                        read_kbs,
                        write_kbs,
                    }
                    .into()
                }),
                (
                    any::<u8>(),
                    0..4u8,
                    any::<bool>(),
                    0..4u8,
                    lba(),
                    any::<u16>()
                )
                    .prop_map(
                        |(t, tolerance, write, except, lba, max_descriptors)| GetPerformance {
                            data_type: PerformanceType::from_code(t),
                            tolerance,
                            write,
                            except,
                            lba,
                            max_descriptors,
                        }
                        .into()
                    ),
            ];
        let disc = prop_oneof![
            (0..8u8, any::<u16>())
                .prop_map(|(data_type, alloc)| ReadDiscInfo { data_type, alloc }.into()),
            (any::<bool>(), any::<u8>(), any::<u32>(), any::<u16>()).prop_map(
                |(open, kind, address, alloc)| ReadTrackInfo {
                    open,
                    kind: TrackInfoAddress::from_code(kind),
                    address,
                    alloc,
                }
                .into()
            ),
            (any::<bool>(), any::<u8>(), any::<u8>(), any::<u16>()).prop_map(
                |(msf, format, track, alloc)| ReadToc {
                    msf,
                    format: TocFormat::from_code(format),
                    track,
                    alloc,
                }
                .into()
            ),
            (
                (any::<u8>(), any::<bool>(), lba(), u24()),
                (any::<bool>(), any::<u8>(), any::<bool>(), any::<bool>()),
                (any::<u8>(), any::<u8>()),
            )
                .prop_map(
                    |(
                        (t, dap, lba, blocks),
                        (sync, headers, user_data, edc_ecc),
                        (c2, subchannel),
                    )| ReadCd {
                        sector_type: SectorType::from_code(t),
                        dap,
                        lba,
                        blocks,
                        sync,
                        headers: HeaderCodes::from_code(headers),
                        user_data,
                        edc_ecc,
                        c2: C2Errors::from_code(c2),
                        subchannel: Subchannel::from_code(subchannel),
                    }
                    .into()
                ),
        ];
        let write = prop_oneof![
            (lba(), any::<u16>(), any::<bool>(), any::<bool>()).prop_map(
                |(lba, blocks, fua, dpo)| Write10 {
                    lba,
                    blocks,
                    fua,
                    dpo,
                }
                .into()
            ),
            (
                lba(),
                any::<u32>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(lba, blocks, streaming, fua, dpo)| Write12 {
                    lba,
                    blocks,
                    streaming,
                    fua,
                    dpo,
                }
                .into()),
            (any::<bool>(), lba(), any::<u16>())
                .prop_map(|(immed, lba, blocks)| SynchronizeCache { immed, lba, blocks }.into()),
            (any::<bool>(), any::<bool>(), any::<u32>())
                .prop_map(|(arsv, rmz, size)| ReserveTrack { arsv, rmz, size }.into()),
            (any::<bool>(), any::<u16>()).prop_map(|(do_opc, param_len)| SendOpcInfo {
                do_opc,
                param_len
            }
            .into()),
            (any::<bool>(), any::<u8>(), any::<u16>()).prop_map(|(immed, function, track)| {
                CloseTrackSession {
                    immed,
                    function: CloseFunction::from_code(function),
                    track,
                }
                .into()
            }),
            (any::<bool>(), any::<u16>()).prop_map(|(block, alloc)| ReadBufferCapacity {
                block,
                alloc
            }
            .into()),
            u24().prop_map(|size| SendCueSheet { size }.into()),
            (any::<bool>(), any::<u8>(), any::<u32>()).prop_map(|(immed, kind, address)| {
                Blank {
                    immed,
                    kind: BlankType::from_code(kind),
                    address,
                }
                .into()
            }),
        ];
        prop_oneof![unit, disc, write]
    }

    /// Emits `c` into a buffer of 0xA5; returns the buffer and the CDB
    /// length.
    fn emit(c: &Command) -> ([u8; 16], usize) {
        let mut out = [0xa5u8; 16];
        macro_rules! each {
            ($($ty:ident),*) => {
                match c {
                    $(Command::$ty(x) => {
                        x.emit(&mut out);
                        $ty::LEN
                    })*
                    Command::Unknown { .. } => unreachable!("not generated"),
                }
            };
        }
        let len = each!(
            TestUnitReady,
            RequestSense,
            Inquiry,
            StartStopUnit,
            PreventAllowMediumRemoval,
            Write10,
            SynchronizeCache,
            ReadToc,
            GetConfiguration,
            ReadDiscInfo,
            ReadTrackInfo,
            ReserveTrack,
            SendOpcInfo,
            ModeSelect10,
            ModeSense10,
            CloseTrackSession,
            ReadBufferCapacity,
            SendCueSheet,
            Blank,
            Write12,
            GetPerformance,
            SetCdSpeed,
            ReadCd
        );
        (out, len)
    }

    proptest! {
        #[test]
        fn parse_never_panics(cdb in prop::collection::vec(any::<u8>(), 0..=20)) {
            if let Ok(c) = Command::parse(&cdb) {
                prop_assert_eq!(c.opcode(), cdb[0]);
            }
        }

        #[test]
        fn round_trip(c in command()) {
            let (out, len) = emit(&c);
            prop_assert!(out[len..].iter().all(|&b| b == 0xa5));
            prop_assert_eq!(out[0], c.opcode());
            prop_assert_eq!(Command::parse(&out[..len]), Ok(c));
            // Trailing bytes (padding) change nothing.
            prop_assert_eq!(Command::parse(&out), Ok(c));
        }

        #[test]
        fn reparse_is_stable(cdb in prop::collection::vec(any::<u8>(), 12)) {
            // Whatever the reserved bits, parse → emit → parse is a fixed
            // point.
            if let Ok(c) = Command::parse(&cdb)
                && !matches!(c, Command::Unknown { .. })
            {
                let (out, len) = emit(&c);
                prop_assert_eq!(Command::parse(&out[..len]), Ok(c));
            }
        }
    }
}
