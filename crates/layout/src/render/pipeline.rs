//! [`render`](super::render) as a pipeline: a reader thread fetches the
//! source bytes of the batches ahead, the calling thread encodes each batch
//! over the cores, a writer thread hands the frames to the sink. Reading,
//! encoding and writing overlap; bounded channels keep a few batches in
//! flight, so memory stays constant whatever the disc's size.
//!
//! ```text
//!   reader thread ──(batch, source bytes)──▶ caller: encode ──(frames)──▶ writer thread
//!        ▲            DEPTH batches at most        │  (rayon)                    │
//!        └──────────── emptied buffers ◀───────────┴───── emptied buffers ◀──────┘
//! ```
//!
//! The bytes handed to the sink, and the error returned when a stage
//! fails, are those of the serial loop.

use super::{FrameBuffers, FrameSink, Part, RenderError, Renderer, SourceData};
use crate::disc::Disc;
use crate::frames::Batch;
use crate::image::FrameStream;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Batches queued between two stages: enough to ride out a stage losing
/// its core for a scheduler slice on a busy machine (one batch encodes in
/// well under a millisecond), few enough to keep memory small.
const DEPTH: usize = 4;

/// Renders every range of `stream` as [`render`](super::render) does, with
/// reading, encoding and writing on three threads and the encoding of each
/// batch spread over rayon's pool. `sources` is read only from the reader
/// thread and `sink` written only from the writer thread, each in stream
/// order. `progress` is called on the calling thread after each batch is
/// encoded, with the sectors done and the total.
///
/// ## Errors
///
/// [`RenderError`] naming the first LBA of the batch that failed. When
/// several stages fail, the error of the earliest batch wins, as in the
/// serial loop: a write error before an encoding error before a read
/// error.
pub fn render_pipelined(
    disc: &Disc,
    stream: &FrameStream,
    sources: &mut (dyn SourceData + Send),
    sink: &mut (dyn FrameSink + Send),
    batch: u32,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), RenderError> {
    let mut encoder = Renderer::new(disc, stream, batch);
    let mut planner = Renderer::new(disc, stream, batch);
    let total = encoder.sectors();
    let (job_tx, job_rx) = sync_channel::<Result<Job, RenderError>>(DEPTH);
    let (input_back_tx, input_back_rx) = channel::<Job>();
    let (frames_tx, frames_rx) = sync_channel::<Encoded>(DEPTH);
    let (frames_back_tx, frames_back_rx) = channel::<FrameBuffers>();

    std::thread::scope(|scope| {
        let reader =
            scope.spawn(move || read_ahead(&mut planner, sources, &job_tx, &input_back_rx));
        let writer = scope.spawn(move || write_behind(sink, &frames_rx, &frames_back_tx));

        let encoded = encode_all(
            &mut encoder,
            &job_rx,
            &input_back_tx,
            &frames_tx,
            &frames_back_rx,
            &mut |done| progress(done, total),
        );
        // Closing the channels lets both threads finish: the writer drains
        // what was queued, the reader stops at its next send.
        drop(frames_tx);
        drop(job_rx);
        let written = writer.join().unwrap_or_else(|_| {
            Err(RenderError::Sink {
                lba: 0,
                message: "the writer thread stopped unexpectedly".to_string(),
            })
        });
        let read = reader.join().unwrap_or_else(|_| {
            Err(RenderError::Source {
                lba: 0,
                message: "the reader thread stopped unexpectedly".to_string(),
            })
        });
        // Each stage only sees batches the one before it passed on, so a
        // later stage's error is for an earlier batch.
        written.and(encoded).and(read)
    })
}

/// A batch and the source bytes it needs.
struct Job {
    batch: Batch,
    main: Vec<u8>,
    rw: Vec<u8>,
}

/// The frames of a batch, ready to write.
struct Encoded {
    lba: i32,
    frames: FrameBuffers,
}

/// The reader thread: walks the stream with its own renderer and reads
/// each batch's bytes into reused buffers. An error is passed on in place
/// of the batch; it ends the walk.
fn read_ahead(
    planner: &mut Renderer<'_>,
    sources: &mut (dyn SourceData + Send),
    jobs: &SyncSender<Result<Job, RenderError>>,
    emptied: &Receiver<Job>,
) -> Result<(), RenderError> {
    loop {
        let batch = match planner.next_batch() {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(()),
            Err(e) => {
                // The encoding thread meets the same error itself.
                let _ = jobs.send(Err(e));
                return Ok(());
            }
        };
        let (mut main, mut rw) = match emptied.try_recv() {
            Ok(job) => (job.main, job.rw),
            Err(_) => (Vec::new(), Vec::new()),
        };
        let lba = batch.first.get();
        let fetched = fetch(sources, &batch.main, &mut main)
            .and_then(|()| fetch(sources, &batch.rw, &mut rw))
            .map_err(|message| RenderError::Source { lba, message });
        let job = match fetched {
            Ok(()) => planner.pass(&batch).map(|()| Job { batch, main, rw }),
            Err(e) => Err(e),
        };
        let failed = job.is_err();
        if jobs.send(job).is_err() || failed {
            // The encoding stopped, or this batch could not be read: the
            // error goes to the caller through the job it replaced.
            return Ok(());
        }
    }
}

/// Reads `read` (if any) into `buf`, sized to fit.
fn fetch(
    sources: &mut (dyn SourceData + Send),
    read: &Option<crate::frames::Read>,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    buf.resize(read.map_or(0, |r| r.len), 0);
    match read {
        Some(r) => sources.read(r, buf),
        None => Ok(()),
    }
}

/// The calling thread: encodes each job in order and queues its frames.
fn encode_all(
    renderer: &mut Renderer<'_>,
    jobs: &Receiver<Result<Job, RenderError>>,
    input_back: &Sender<Job>,
    frames: &SyncSender<Encoded>,
    frames_back: &Receiver<FrameBuffers>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), RenderError> {
    loop {
        // The encoder's own walk says whether a batch is still due, so a
        // reader that stopped early cannot end the stream silently.
        let Some(expected) = renderer.next_batch()? else {
            return Ok(());
        };
        let job = match jobs.recv() {
            Ok(job) => job?,
            // The reader ends only after sending its last batch or error.
            Err(_) => {
                return Err(RenderError::Source {
                    lba: expected.first.get(),
                    message: "the reader stopped early".to_string(),
                });
            }
        };
        let mut out = frames_back.try_recv().unwrap_or_default();
        renderer.encode_into(&job.batch, &job.main, &job.rw, &mut out)?;
        let lba = job.batch.first.get();
        // Returning the input buffers fails only once the reader is gone.
        let _ = input_back.send(job);
        if frames.send(Encoded { lba, frames: out }).is_err() {
            // The writer failed; its error is the one to report.
            return Ok(());
        }
        progress(renderer.done());
    }
}

/// The writer thread: hands each batch's frames to the sink in order and
/// returns the buffers for reuse.
fn write_behind(
    sink: &mut (dyn FrameSink + Send),
    frames: &Receiver<Encoded>,
    emptied: &Sender<FrameBuffers>,
) -> Result<(), RenderError> {
    while let Ok(Encoded { lba, frames: f }) = frames.recv() {
        let sink_error = |message| RenderError::Sink { lba, message };
        sink.write(Part::Main, &f.main).map_err(sink_error)?;
        if !f.sub.is_empty() {
            sink.write(Part::Sub, &f.sub).map_err(sink_error)?;
        }
        // Returning the buffers fails only once the encoding is over.
        let _ = emptied.send(f);
    }
    Ok(())
}
