//! Commands on the data path of a recording: power calibration, the cue
//! sheet, writing, buffer pacing and flushing (`cd-standards.md` §6.12–§6.15,
//! §6.20).

use super::{begin, bit, check, flag};
use crate::wire::{WireError, be16, be24, be32, put_be16, put_be24, put_be32};

/// WRITE(10) (2Ah, §6.13): write blocks of the current block size.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 4 DPO, bit 3 FUA |
/// | 2–5 | LBA (signed) |
/// | 7–8 | transfer length, blocks |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Write10 {
    /// First block.
    pub lba: i32,
    /// Number of blocks.
    pub blocks: u16,
    /// Force unit access: write through the cache.
    pub fua: bool,
    /// Disable page out: do not keep the data cached.
    pub dpo: bool,
}

impl Write10 {
    /// Operation code.
    pub const OPCODE: u8 = 0x2a;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "WRITE(10)";

    const FLAGS: usize = 1;
    const DPO: u8 = 0x10;
    const FUA: u8 = 0x08;
    const LBA: usize = 2;
    const BLOCKS: usize = 7;

    /// `blocks` blocks from `lba`, no flags.
    pub const fn new(lba: i32, blocks: u16) -> Write10 {
        Write10 {
            lba,
            blocks,
            fua: false,
            dpo: false,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<Write10, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(Write10 {
            lba: be32(b, Self::LBA) as i32,
            blocks: be16(b, Self::BLOCKS),
            fua: bit(b[Self::FLAGS], Self::FUA),
            dpo: bit(b[Self::FLAGS], Self::DPO),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.dpo, Self::DPO) | flag(self.fua, Self::FUA);
        put_be32(b, Self::LBA, self.lba as u32);
        put_be16(b, Self::BLOCKS, self.blocks);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Blocks the host sends (times the block size the caller knows).
    pub fn blocks(&self) -> u32 {
        u32::from(self.blocks)
    }
}

/// WRITE(12) (AAh, §6.13): WRITE(10) with a 32-bit length and the
/// Streaming bit.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 4 DPO, bit 3 FUA |
/// | 2–5 | LBA (signed) |
/// | 6–9 | transfer length, blocks |
/// | 10 | bit 7 Streaming |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Write12 {
    /// First block.
    pub lba: i32,
    /// Number of blocks.
    pub blocks: u32,
    /// Real-time streaming (DVD/BD; not needed for CD).
    pub streaming: bool,
    /// Force unit access.
    pub fua: bool,
    /// Disable page out.
    pub dpo: bool,
}

impl Write12 {
    /// Operation code.
    pub const OPCODE: u8 = 0xaa;
    /// CDB length.
    pub const LEN: usize = 12;
    /// Command name.
    pub const NAME: &'static str = "WRITE(12)";

    const FLAGS: usize = 1;
    const DPO: u8 = 0x10;
    const FUA: u8 = 0x08;
    const LBA: usize = 2;
    const BLOCKS: usize = 6;
    const STREAMING_BYTE: usize = 10;
    const STREAMING: u8 = 0x80;

    /// `blocks` blocks from `lba`, no flags.
    pub const fn new(lba: i32, blocks: u32) -> Write12 {
        Write12 {
            lba,
            blocks,
            streaming: false,
            fua: false,
            dpo: false,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 12 bytes.
    pub fn parse(cdb: &[u8]) -> Result<Write12, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(Write12 {
            lba: be32(b, Self::LBA) as i32,
            blocks: be32(b, Self::BLOCKS),
            streaming: bit(b[Self::STREAMING_BYTE], Self::STREAMING),
            fua: bit(b[Self::FLAGS], Self::FUA),
            dpo: bit(b[Self::FLAGS], Self::DPO),
        })
    }

    /// Writes the CDB into `out[..12]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.dpo, Self::DPO) | flag(self.fua, Self::FUA);
        put_be32(b, Self::LBA, self.lba as u32);
        put_be32(b, Self::BLOCKS, self.blocks);
        b[Self::STREAMING_BYTE] = flag(self.streaming, Self::STREAMING);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Blocks the host sends (times the block size the caller knows).
    pub fn blocks(&self) -> u32 {
        self.blocks
    }
}

/// SYNCHRONIZE CACHE(10) (35h, §6.15): write out the drive's buffer. No
/// data stage.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 1 IMMED |
/// | 2–5 | LBA |
/// | 7–8 | number of blocks (0 = to the end) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SynchronizeCache {
    /// Report completion at once; poll TEST UNIT READY for the end.
    pub immed: bool,
    /// First block.
    pub lba: i32,
    /// Number of blocks; 0 with LBA 0 is the whole cache.
    pub blocks: u16,
}

impl SynchronizeCache {
    /// Operation code.
    pub const OPCODE: u8 = 0x35;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "SYNCHRONIZE CACHE(10)";

    const FLAGS: usize = 1;
    const IMMED: u8 = 0x02;
    const LBA: usize = 2;
    const BLOCKS: usize = 7;

    /// The whole cache (LBA 0, 0 blocks).
    pub const fn all(immed: bool) -> SynchronizeCache {
        SynchronizeCache {
            immed,
            lba: 0,
            blocks: 0,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<SynchronizeCache, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(SynchronizeCache {
            immed: bit(b[Self::FLAGS], Self::IMMED),
            lba: be32(b, Self::LBA) as i32,
            blocks: be16(b, Self::BLOCKS),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.immed, Self::IMMED);
        put_be32(b, Self::LBA, self.lba as u32);
        put_be16(b, Self::BLOCKS, self.blocks);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }
}

/// SEND OPC INFORMATION (54h, §6.20): run optimum power calibration.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 0 DoOPC |
/// | 7–8 | parameter list length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SendOpcInfo {
    /// Calibrate the laser power now.
    pub do_opc: bool,
    /// Parameter list length (0 with DoOPC).
    pub param_len: u16,
}

impl SendOpcInfo {
    /// Operation code.
    pub const OPCODE: u8 = 0x54;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "SEND OPC INFORMATION";

    const FLAGS: usize = 1;
    const DO_OPC: u8 = 0x01;
    const PARAM_LEN: usize = 7;

    /// Calibrate now, no parameters.
    pub const fn do_opc() -> SendOpcInfo {
        SendOpcInfo {
            do_opc: true,
            param_len: 0,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<SendOpcInfo, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(SendOpcInfo {
            do_opc: bit(b[Self::FLAGS], Self::DO_OPC),
            param_len: be16(b, Self::PARAM_LEN),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.do_opc, Self::DO_OPC);
        put_be16(b, Self::PARAM_LEN, self.param_len);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the host sends.
    pub fn data_out_len(&self) -> u32 {
        u32::from(self.param_len)
    }
}

/// READ BUFFER CAPACITY (5Ch, §6.14): size and free space of the drive's
/// buffer, to pace WRITEs.
///
/// | Byte | Field |
/// | --- | --- |
/// | 1 | bit 0 BLOCK |
/// | 7–8 | allocation length |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadBufferCapacity {
    /// Report free space in blocks rather than bytes.
    pub block: bool,
    /// Allocation length.
    pub alloc: u16,
}

impl ReadBufferCapacity {
    /// Operation code.
    pub const OPCODE: u8 = 0x5c;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "READ BUFFER CAPACITY";
    /// Bytes of the reply.
    pub const REPLY_LEN: u16 = 12;

    const FLAGS: usize = 1;
    const BLOCK: u8 = 0x01;
    const ALLOC: usize = 7;

    /// The whole 12-byte reply, free space in bytes (`block` false) or in
    /// blocks.
    pub const fn new(block: bool) -> ReadBufferCapacity {
        ReadBufferCapacity {
            block,
            alloc: Self::REPLY_LEN,
        }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<ReadBufferCapacity, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(ReadBufferCapacity {
            block: bit(b[Self::FLAGS], Self::BLOCK),
            alloc: be16(b, Self::ALLOC),
        })
    }

    /// Writes the CDB into `out[..10]`.
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        b[Self::FLAGS] = flag(self.block, Self::BLOCK);
        put_be16(b, Self::ALLOC, self.alloc);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the drive may return.
    pub fn data_in_len(&self) -> u32 {
        u32::from(self.alloc)
    }
}

/// SEND CUE SHEET (5Dh, §6.12): the SAO layout, 8 bytes per entry.
///
/// | Byte | Field |
/// | --- | --- |
/// | 6–8 | cue sheet size, bytes (24 bits) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SendCueSheet {
    /// Cue sheet size in bytes (24 bits on the wire).
    pub size: u32,
}

impl SendCueSheet {
    /// Operation code.
    pub const OPCODE: u8 = 0x5d;
    /// CDB length.
    pub const LEN: usize = 10;
    /// Command name.
    pub const NAME: &'static str = "SEND CUE SHEET";

    const SIZE: usize = 6;

    /// A cue sheet of `size` bytes.
    pub const fn new(size: u32) -> SendCueSheet {
        SendCueSheet { size }
    }

    /// Parses the CDB.
    ///
    /// ## Errors
    ///
    /// [`WireError::Opcode`] for another command, [`WireError::Truncated`]
    /// under 10 bytes.
    pub fn parse(cdb: &[u8]) -> Result<SendCueSheet, WireError> {
        let b = check(Self::NAME, cdb, Self::OPCODE, Self::LEN)?;
        Ok(SendCueSheet {
            size: be24(b, Self::SIZE),
        })
    }

    /// Writes the CDB into `out[..10]` (the low 24 bits of `size`).
    pub fn emit(&self, out: &mut [u8]) {
        let b = begin(out, Self::OPCODE, Self::LEN);
        put_be24(b, Self::SIZE, self.size & 0x00ff_ffff);
    }

    /// The CDB as bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0; Self::LEN];
        self.emit(&mut b);
        b
    }

    /// Bytes the host sends.
    pub fn data_out_len(&self) -> u32 {
        self.size & 0x00ff_ffff
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::command::tests::golden;

    #[test]
    fn write_10() {
        // SAO from LBA -150, 27 blocks.
        let bytes = [0x2a, 0x00, 0xff, 0xff, 0xff, 0x6a, 0x00, 0x00, 0x1b, 0x00];
        let w = Write10::new(-150, 27);
        golden(&bytes, w, Write10::parse, Write10::emit);
        assert_eq!(w.to_bytes(), bytes);
        assert_eq!(w.blocks(), 27);
        // RAW from the ATIP lead-in start -11635, FUA and DPO.
        golden(
            &[0x2a, 0x18, 0xff, 0xff, 0xd2, 0x8d, 0x00, 0x00, 0x01, 0x00],
            Write10 {
                lba: -11635,
                blocks: 1,
                fua: true,
                dpo: true,
            },
            Write10::parse,
            Write10::emit,
        );
    }

    #[test]
    fn write_12() {
        golden(
            &[
                0xaa, 0x00, 0x00, 0x00, 0x4a, 0x38, 0x00, 0x01, 0x00, 0x00, 0x80, 0x00,
            ],
            Write12 {
                streaming: true,
                ..Write12::new(19000, 0x0001_0000)
            },
            Write12::parse,
            Write12::emit,
        );
        assert_eq!(Write12::new(-150, 300).blocks(), 300);
    }

    #[test]
    fn synchronize_cache() {
        golden(
            &[0x35, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            SynchronizeCache::all(true),
            SynchronizeCache::parse,
            SynchronizeCache::emit,
        );
        // RelAdr (bit 0, obsolete) is ignored.
        golden(
            &[0x35, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00],
            SynchronizeCache {
                immed: false,
                lba: 0x1000,
                blocks: 0x20,
            },
            SynchronizeCache::parse,
            SynchronizeCache::emit,
        );
        assert_eq!(
            SynchronizeCache::parse(&[0x35, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
            Ok(SynchronizeCache::all(false))
        );
    }

    #[test]
    fn send_opc_info() {
        let bytes = [0x54, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        golden(
            &bytes,
            SendOpcInfo::do_opc(),
            SendOpcInfo::parse,
            SendOpcInfo::emit,
        );
        assert_eq!(SendOpcInfo::do_opc().data_out_len(), 0);
        golden(
            &[0x54, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00],
            SendOpcInfo {
                do_opc: false,
                param_len: 8,
            },
            SendOpcInfo::parse,
            SendOpcInfo::emit,
        );
    }

    #[test]
    fn read_buffer_capacity() {
        let bytes = [0x5c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00];
        golden(
            &bytes,
            ReadBufferCapacity::new(false),
            ReadBufferCapacity::parse,
            ReadBufferCapacity::emit,
        );
        assert_eq!(ReadBufferCapacity::new(true).to_bytes()[1], 0x01);
        assert_eq!(ReadBufferCapacity::new(true).data_in_len(), 12);
    }

    #[test]
    fn send_cue_sheet() {
        // Lead-in, three tracks with index 0 and 1, lead-out: 8 entries.
        let s = SendCueSheet::new(64);
        golden(
            &[0x5d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00],
            s,
            SendCueSheet::parse,
            SendCueSheet::emit,
        );
        assert_eq!(s.data_out_len(), 64);
        // All 24 bits.
        golden(
            &[0x5d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x58, 0x00],
            SendCueSheet::new(0x12_3458),
            SendCueSheet::parse,
            SendCueSheet::emit,
        );
        // A size beyond 24 bits keeps its low 24.
        let big = SendCueSheet::new(0x0100_0008);
        assert_eq!(big.to_bytes()[6..9], [0x00, 0x00, 0x08]);
        assert_eq!(big.data_out_len(), 8);
    }
}
