//! Writing a section: WRITEs cut from the system buffer as it fills, the
//! drive's buffer watched in between, and what each confirmed WRITE
//! moves on.

use super::Engine;
use super::error::EngineError;
use super::steps::{Next, Purpose};
use crate::scsi::{LONG_TIMEOUT, ScsiRequest};
use crate::wire::buffer::BufferCapacityRepr;
use crate::wire::command::{ReadBufferCapacity, Write10, Write12};
use layout::msf::Lba;

impl Engine {
    /// The next WRITE (or buffer query) of the section under way.
    pub(super) fn next_write(&mut self) -> Result<Next, EngineError> {
        let Some(s) = self.section else {
            return Ok(Next::Done);
        };
        let shift = self.shift_of(&s);
        let Some(feed) = self.feed.as_mut() else {
            return Ok(Next::Done);
        };
        if feed.is_done() {
            self.feed = None;
            return Ok(Next::Done);
        }
        let per_write = (self.options.max_transfer / feed.block_size()).max(1) as u32;
        let per_write = if self.options.write12 {
            per_write
        } else {
            per_write.min(u16::MAX as u32)
        };
        let ready = feed.blocks() >= per_write || (feed.blocks() > 0 && feed.all_encoded());
        if !ready {
            return Ok(Next::Wait);
        }
        let due = self
            .last_capacity
            .is_none_or(|t| self.now.saturating_sub(t) >= self.options.event_interval);
        if due {
            self.last_capacity = Some(self.now);
            return Ok(Next::Send(
                ScsiRequest::read(&ReadBufferCapacity::new(false).to_bytes(), 12),
                Purpose::BufferCapacity,
            ));
        }
        let Some((first, n, bytes)) = feed.take(per_write) else {
            return Ok(Next::Wait);
        };
        let lba = Lba(first.get() + shift);
        let cdb = if self.options.write12 {
            Write12 {
                streaming: true,
                ..Write12::new(lba.get(), n)
            }
            .to_bytes()
            .to_vec()
        } else {
            Write10::new(lba.get(), n as u16).to_bytes().to_vec()
        };
        Ok(Next::Send(
            ScsiRequest::write(&cdb, bytes).with_timeout(LONG_TIMEOUT),
            Purpose::Write { lba, blocks: n },
        ))
    }

    /// The drive confirmed a WRITE of `blocks` blocks from `lba` (and, by
    /// taking it in sequence, those it answered with a recovered error
    /// before).
    pub(super) fn on_written(&mut self, lba: Lba, blocks: u32) {
        if let Some((_, n)) = self.unconfirmed.take() {
            self.written += n as u64;
            self.progress.in_drive += u64::from(n);
            self.doubt = None;
        }
        self.progress.in_drive += u64::from(blocks);
        let last = Lba(lba.get() + blocks as i32 - 1);
        self.last_written = Some(last);
        self.written += blocks as u64;
        self.rate.add(self.now, self.written);
        let action = self.action_at(Lba(
            last.get() - self.section.map_or(0, |s| self.shift_of(&s))
        ));
        self.emit(action, None, false);
    }

    /// The drive's buffer, from READ BUFFER CAPACITY.
    pub(super) fn on_buffer_capacity(&mut self, data: &[u8]) {
        if let Ok(BufferCapacityRepr::Bytes { length, blank }) = BufferCapacityRepr::parse(data) {
            self.drive_buffer = (length as u64, blank as u64);
            // The bytes it holds, as sectors of the section under way.
            let block = self.feed.as_ref().map_or(2352, |f| f.block_size()).max(1) as u64;
            let held = u64::from(length).saturating_sub(u64::from(blank)) / block;
            self.progress.in_drive = held.min(self.progress.in_drive);
        }
    }
}
