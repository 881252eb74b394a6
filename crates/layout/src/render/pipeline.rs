//! [`render`](super::render) over several cores: one worker per core,
//! each taking every n-th batch and doing all of its work, reading its
//! source bytes, encoding them and writing its frames, in its own buffers.
//! Reads and writes still happen in stream order: a worker waits for its
//! turn to read (the batch before it has been read) and for its turn to
//! write (the batch before it has been written), so sources that can only
//! be read forwards (decoded audio) and sinks that only append work as in
//! the serial loop. Each batch's bytes stay in the cache of the core that
//! reads, encodes and writes them, and the kernel's copies for reading and
//! writing are spread over the cores as the encoding is.
//!
//! ```text
//!   worker 0:  read 0 ─ encode 0 ─ write 0 ─ read 2 ─ encode 2 ─ write 2 ─ …
//!   worker 1:    read 1 ─ encode 1 ─ write 1 ─ read 3 ─ encode 3 ─ write 3 ─ …
//! ```
//!
//! Memory is a batch's source bytes and frames per worker, whatever the
//! disc's size. The bytes handed to the sink, and the error returned when
//! a stage fails, are those of the serial loop: a failing batch stops the
//! batches after it, while those before it are still written.

use super::{FrameBuffers, FrameSink, Part, RenderError, Renderer, SourceData};
use crate::disc::Disc;
use crate::image::FrameStream;
use crate::source::SourceError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Renders every range of `stream` as [`render`](super::render) does, with
/// one worker thread per thread of the current rayon pool (every core, or
/// the pool a caller installed), the calling thread being one of them.
/// `sources` and `sink` are used by one worker at a time, in stream order.
/// `progress` is called on the calling thread, with the sectors written so
/// far and the total, each time that count has grown.
///
/// ## Errors
///
/// [`RenderError`] naming the first LBA of the batch that failed. When
/// several batches fail, the error of the earliest wins, as in the serial
/// loop.
pub fn render_pipelined(
    disc: &Disc,
    stream: &FrameStream,
    sources: &mut (dyn SourceData + Send),
    sink: &mut (dyn FrameSink + Send),
    batch: u32,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), RenderError> {
    let workers = rayon::current_num_threads().max(1) as u64;
    let total = Renderer::new(disc, stream, batch).sectors();
    let shared = Shared {
        turns: Mutex::new(Turns::default()),
        changed: Condvar::new(),
        sources: Mutex::new(sources),
        sink: Mutex::new(sink),
        written: AtomicU64::new(0),
    };
    let mut reported = 0;
    std::thread::scope(|scope| {
        for k in 1..workers {
            let shared = &shared;
            scope.spawn(move || work(shared, disc, stream, batch, k, workers, &mut |_| {}));
        }
        work(&shared, disc, stream, batch, 0, workers, &mut |written| {
            if written > reported {
                reported = written;
                progress(written, total);
            }
        });
    });
    let turns = shared
        .turns
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, e)) = turns.failed {
        return Err(e);
    }
    // The last batches may have been another worker's.
    if total > reported {
        progress(total, total);
    }
    Ok(())
}

/// What the workers share.
struct Shared<'s> {
    turns: Mutex<Turns>,
    /// Signalled whenever `turns` changes.
    changed: Condvar,
    sources: Mutex<&'s mut (dyn SourceData + Send)>,
    sink: Mutex<&'s mut (dyn FrameSink + Send)>,
    /// Sectors written so far.
    written: AtomicU64,
}

/// Whose turn it is, by batch index in stream order.
#[derive(Default)]
struct Turns {
    /// The batch whose source bytes are to be read next.
    read: u64,
    /// The batch whose frames are to be written next.
    write: u64,
    /// The earliest batch that failed, and its error.
    failed: Option<(u64, RenderError)>,
}

/// Which turn a worker waits for.
#[derive(Clone, Copy)]
enum Stage {
    Read,
    Write,
}

/// Locks a mutex, also after another worker panicked while holding it
/// (that worker's batch is then marked failed, see [`Failing`]).
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared<'_> {
    /// Waits until it is batch `index`'s turn at `stage`. `false` when a
    /// batch at or before `index` failed: this batch must not go on.
    fn wait(&self, stage: Stage, index: u64) -> bool {
        let mut turns = lock(&self.turns);
        loop {
            if turns.failed.as_ref().is_some_and(|(f, _)| *f <= index) {
                return false;
            }
            let turn = match stage {
                Stage::Read => turns.read,
                Stage::Write => turns.write,
            };
            if turn == index {
                return true;
            }
            turns = self
                .changed
                .wait(turns)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Passes the turn at `stage` to the batch after `index`.
    fn pass(&self, stage: Stage, index: u64) {
        let mut turns = lock(&self.turns);
        match stage {
            Stage::Read => turns.read = index + 1,
            Stage::Write => turns.write = index + 1,
        }
        drop(turns);
        self.changed.notify_all();
    }

    /// Records that batch `index` failed with `error`, unless an earlier
    /// batch did, and wakes every waiting worker.
    fn fail(&self, index: u64, error: RenderError) {
        let mut turns = lock(&self.turns);
        if turns.failed.as_ref().is_none_or(|(f, _)| index < *f) {
            turns.failed = Some((index, error));
        }
        drop(turns);
        self.changed.notify_all();
    }
}

/// Marks the batch a worker holds as failed if the worker panics, so that
/// no other worker waits for it forever.
struct Failing<'a, 's> {
    shared: &'a Shared<'s>,
    index: u64,
    lba: i32,
}

impl Drop for Failing<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.shared.fail(
                self.index,
                RenderError::Source {
                    lba: self.lba,
                    error: SourceError::other("an encoding thread stopped unexpectedly"),
                },
            );
        }
    }
}

/// Worker `k` of `workers`: walks the whole stream with its own renderer
/// and renders batches `k`, `k + workers`, `k + 2·workers`... Any failure
/// is recorded in `shared`; `written` is called after each of its writes
/// with the sectors written by all workers so far.
fn work(
    shared: &Shared<'_>,
    disc: &Disc,
    stream: &FrameStream,
    batch: u32,
    k: u64,
    workers: u64,
    written: &mut dyn FnMut(u64),
) {
    let mut renderer = Renderer::new(disc, stream, batch);
    renderer.set_parallel(false);
    let (mut main, mut rw) = (Vec::new(), Vec::new());
    let mut out = FrameBuffers::default();
    let mut guard = Failing {
        shared,
        index: 0,
        lba: 0,
    };
    for index in 0.. {
        guard.index = index;
        let b = match renderer.next_batch() {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(e) => return shared.fail(index, e),
        };
        let lba = b.first.get();
        guard.lba = lba;
        if index % workers != k {
            if let Err(e) = renderer.pass(&b) {
                return shared.fail(index, e);
            }
            continue;
        }

        if !shared.wait(Stage::Read, index) {
            return;
        }
        main.resize(b.main.map_or(0, |r| r.len), 0);
        rw.resize(b.rw.map_or(0, |r| r.len), 0);
        let read = {
            let mut sources = lock(&shared.sources);
            b.main
                .map_or(Ok(()), |r| sources.read(&r, &mut main))
                .and_then(|()| b.rw.map_or(Ok(()), |r| sources.read(&r, &mut rw)))
        };
        if let Err(error) = read {
            return shared.fail(index, RenderError::Source { lba, error });
        }
        shared.pass(Stage::Read, index);

        if let Err(e) = renderer.encode_into(&b, &main, &rw, &mut out) {
            return shared.fail(index, e);
        }

        if !shared.wait(Stage::Write, index) {
            return;
        }
        let write = {
            let mut sink = lock(&shared.sink);
            sink.write(Part::Main, &out.main).and_then(|()| {
                if out.sub.is_empty() {
                    Ok(())
                } else {
                    sink.write(Part::Sub, &out.sub)
                }
            })
        };
        if let Err(error) = write {
            return shared.fail(index, RenderError::Sink { lba, error });
        }
        let done = shared
            .written
            .fetch_add(u64::from(b.sectors), Ordering::Relaxed)
            + u64::from(b.sectors);
        shared.pass(Stage::Write, index);
        written(done);
    }
}
