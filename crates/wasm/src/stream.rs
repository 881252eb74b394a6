//! The files of an image as `ReadableStream`s, produced as they are read.
//!
//! A frame stream (the `.bin`, `.raw`, or CloneCD's `.img` with its `.sub`)
//! is rendered batch by batch by a [`Renderer`]: each pull asks it which
//! source bytes the next batch needs, reads them (asynchronously: blob
//! slices, stream chunks), encodes and enqueues the result. Memory holds
//! one batch, whatever the size of the disc.
//!
//! CloneCD's `.img` and `.sub` come out of the same frames. While both are
//! read side by side, one pass feeds both: the file that is behind gets
//! its chunks queued. When it falls more than `maxBuffer` bytes behind
//! (say the `.img` is read to the end first), its queue is dropped and it
//! is later rendered by a pass of its own from where it stopped, which
//! reads only the source bytes the subchannel needs (R-W of CD+G tracks).
//!
//! ```text
//!   pull(img) ──┐                      ┌─▶ img chunk ──▶ controller.enqueue
//!               ├─▶ shared Renderer ───┤
//!   pull(sub) ──┘   (one at a time)    └─▶ sub chunk ──▶ queue (≤ maxBuffer)
//! ```

use crate::error::Error;
use crate::source::JsSource;
use js_sys::{Object, Promise, Uint8Array};
use layout::disc::Disc;
use layout::image::FrameStream;
use layout::render::{RenderError, Renderer};
use layout::sector::SECTOR_SIZE;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{QueuingStrategy, ReadableStream, ReadableStreamDefaultController};

/// Sectors per batch: about 1.2 MB of frames.
pub const BATCH: u32 = 512;

/// How far one file of a pair may run ahead of the other before the one
/// behind is rendered on its own, by default.
pub const DEFAULT_MAX_BUFFER: usize = 8 << 20;

/// The main file of a frame stream.
pub const MAIN: usize = 0;
/// The subchannel file of a frame stream.
pub const SUB: usize = 1;

/// One frame stream of an image and the files reading it.
#[derive(Debug)]
pub struct Job {
    disc: Arc<Disc>,
    stream: FrameStream,
    sources: Vec<Rc<JsSource>>,
    max_buffer: usize,
    shared: RefCell<Slot>,
    parts: [RefCell<Part>; 2],
    failure: RefCell<Option<Error>>,
}

/// The shared pass: ready, working (the promise settles when it is done),
/// or finished.
#[derive(Debug)]
enum Slot {
    Idle(Box<Pass>),
    Busy(Promise),
    Finished,
}

/// A renderer with its read buffers.
#[derive(Debug)]
struct Pass {
    renderer: Renderer<'static>,
    main: Vec<u8>,
    rw: Vec<u8>,
}

/// One file's state.
#[derive(Debug, Default)]
struct Part {
    /// Its stream is being read (neither finished nor cancelled).
    open: bool,
    /// Fed by the shared pass (else by `own`).
    attached: bool,
    /// Chunks made by the shared pass, waiting to be read, with the
    /// sector index each one ends at.
    queue: VecDeque<(u64, Uint8Array)>,
    queued: usize,
    /// Sector index up to which chunks were handed out.
    delivered: u64,
    own: Option<Box<Pass>>,
}

/// What one step produced.
struct Output {
    /// Sector index the batch ends at.
    end: u64,
    chunks: [Option<Uint8Array>; 2],
}

impl Job {
    /// A job for `stream` of `disc`. Its file(s) are read through
    /// [`Job::readable`].
    pub fn new(
        disc: Arc<Disc>,
        stream: FrameStream,
        sources: Vec<Rc<JsSource>>,
        max_buffer: usize,
    ) -> Rc<Job> {
        let split = stream.sub.is_some();
        let pass = Pass::new(disc.clone(), &stream, 0);
        let part = |open| {
            RefCell::new(Part {
                open,
                attached: open,
                ..Part::default()
            })
        };
        Rc::new(Job {
            disc,
            stream,
            sources,
            max_buffer,
            shared: RefCell::new(Slot::Idle(Box::new(pass))),
            parts: [part(true), part(split)],
            failure: RefCell::new(None),
        })
    }

    /// Bytes of file `part` ([`MAIN`] or [`SUB`]).
    pub fn size(&self, part: usize) -> u64 {
        self.stream
            .ranges
            .iter()
            .map(|r| {
                let sub = r.subchannel.size() as u64;
                let per = match (self.stream.sub.is_some(), part) {
                    (false, _) => SECTOR_SIZE as u64 + sub,
                    (true, MAIN) => SECTOR_SIZE as u64,
                    (true, _) => sub,
                };
                r.sectors() * per
            })
            .sum()
    }

    /// The stream of file `part`. Nothing is rendered until it is read.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` when the host has no `ReadableStream`.
    pub fn readable(job: &Rc<Job>, part: usize) -> Result<ReadableStream, Error> {
        let pull_job = job.clone();
        let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
            move |controller: ReadableStreamDefaultController| {
                let job = pull_job.clone();
                future_to_promise(async move {
                    match Job::pull(&job, part).await {
                        Ok(Some(chunk)) => controller.enqueue_with_chunk(&chunk)?,
                        Ok(None) => controller.close()?,
                        Err(e) => return Err(e.into()),
                    }
                    Ok(JsValue::UNDEFINED)
                })
            },
        );
        let cancel_job = job.clone();
        let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
            cancel_job.close(part);
        });
        new_stream(pull.into_js_value(), Some(cancel.into_js_value()))
    }

    /// The next chunk of file `part`, `None` at its end.
    async fn pull(job: &Rc<Job>, part: usize) -> Result<Option<Uint8Array>, Error> {
        loop {
            if let Some(e) = job.failure.borrow().clone() {
                return Err(e);
            }
            let attached = {
                let mut p = job.parts[part].borrow_mut();
                if let Some((end, chunk)) = p.queue.pop_front() {
                    p.queued -= chunk.length() as usize;
                    p.delivered = end;
                    return Ok(Some(chunk));
                }
                p.attached
            };
            if !attached {
                return job.pull_own(part).await;
            }
            let slot = std::mem::replace(&mut *job.shared.borrow_mut(), Slot::Finished);
            let pass = match slot {
                Slot::Finished => {
                    job.close(part);
                    return Ok(None);
                }
                Slot::Busy(promise) => {
                    *job.shared.borrow_mut() = Slot::Busy(promise.clone());
                    // Settles when the other file's step is done; then look
                    // at the queue again.
                    let _ = JsFuture::from(promise).await;
                    continue;
                }
                Slot::Idle(pass) => pass,
            };
            let mut resolve = None;
            let busy = Promise::new(&mut |res, _| resolve = Some(res));
            *job.shared.borrow_mut() = Slot::Busy(busy);
            let wants = [0, 1].map(|i| {
                let p = job.parts[i].borrow();
                p.open && p.attached
            });
            let (pass, result) = pass.step(&job.sources, wants).await;
            *job.shared.borrow_mut() = match result {
                Ok(Some(_)) => Slot::Idle(pass),
                _ => Slot::Finished,
            };
            if let Some(resolve) = resolve {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
            let output = match result {
                Err(e) => {
                    *job.failure.borrow_mut() = Some(e.clone());
                    return Err(e);
                }
                Ok(None) => {
                    job.close(part);
                    return Ok(None);
                }
                Ok(Some(output)) => output,
            };
            let Output { end, chunks } = output;
            let mut mine = None;
            for (i, chunk) in chunks.into_iter().enumerate() {
                let Some(chunk) = chunk else { continue };
                let mut p = job.parts[i].borrow_mut();
                if i == part {
                    p.delivered = end;
                    mine = Some(chunk);
                } else if p.queued + chunk.length() as usize <= job.max_buffer {
                    p.queued += chunk.length() as usize;
                    p.queue.push_back((end, chunk));
                } else {
                    // Too far behind: it will render its own frames from
                    // where it stopped.
                    p.attached = false;
                    p.queue.clear();
                    p.queued = 0;
                }
            }
            if let Some(chunk) = mine {
                return Ok(Some(chunk));
            }
        }
    }

    /// The next chunk of a file rendered on its own.
    async fn pull_own(&self, part: usize) -> Result<Option<Uint8Array>, Error> {
        let (own, delivered) = {
            let mut p = self.parts[part].borrow_mut();
            (p.own.take(), p.delivered)
        };
        let pass =
            own.unwrap_or_else(|| Box::new(Pass::new(self.disc.clone(), &self.stream, delivered)));
        let mut wants = [false; 2];
        wants[part] = true;
        let (pass, result) = pass.step(&self.sources, wants).await;
        match result {
            Err(e) => Err(e),
            Ok(None) => {
                self.close(part);
                Ok(None)
            }
            Ok(Some(Output { end, mut chunks })) => {
                let mut p = self.parts[part].borrow_mut();
                p.own = Some(pass);
                p.delivered = end;
                Ok(chunks[part].take())
            }
        }
    }

    /// File `part` is read to its end or cancelled.
    fn close(&self, part: usize) {
        if let Some(p) = self.parts.get(part) {
            let mut p = p.borrow_mut();
            p.open = false;
            p.queue.clear();
            p.queued = 0;
            p.own = None;
        }
    }
}

impl Pass {
    fn new(disc: Arc<Disc>, stream: &FrameStream, from: u64) -> Pass {
        let mut renderer = Renderer::shared(disc, stream, BATCH);
        if from > 0 {
            renderer.skip_to(from);
        }
        Pass {
            renderer,
            main: Vec::new(),
            rw: Vec::new(),
        }
    }

    /// Renders the next batch for the files in `wants`.
    async fn step(
        mut self: Box<Pass>,
        sources: &[Rc<JsSource>],
        wants: [bool; 2],
    ) -> (Box<Pass>, Result<Option<Output>, Error>) {
        let result = self.step_inner(sources, wants).await;
        (self, result)
    }

    async fn step_inner(
        &mut self,
        sources: &[Rc<JsSource>],
        wants: [bool; 2],
    ) -> Result<Option<Output>, Error> {
        let Some(batch) = self.renderer.next_batch().map_err(render_error)? else {
            return Ok(None);
        };
        let lba = batch.first.get();
        let need_main = wants[MAIN] || self.renderer.main_carries_rw(&batch);
        self.main.clear();
        self.main.resize(batch.main.map_or(0, |r| r.len), 0);
        if let Some(r) = batch.main.filter(|_| need_main) {
            read(sources, r, &mut self.main, lba).await?;
        }
        self.rw.clear();
        self.rw.resize(batch.rw.map_or(0, |r| r.len), 0);
        if let Some(r) = batch.rw {
            read(sources, r, &mut self.rw, lba).await?;
        }
        let frames = self
            .renderer
            .encode(&batch, &self.main, &self.rw)
            .map_err(render_error)?;
        let main = wants[MAIN].then(|| Uint8Array::from(frames.main));
        let sub = frames.sub.filter(|_| wants[SUB]).map(Uint8Array::from);
        Ok(Some(Output {
            end: self.renderer.done(),
            chunks: [main, sub],
        }))
    }
}

async fn read(
    sources: &[Rc<JsSource>],
    r: layout::frames::Read,
    buf: &mut [u8],
    lba: i32,
) -> Result<(), Error> {
    source_at(sources, r.source)?
        .read(r.offset, buf)
        .await
        .map_err(|e| {
            e.context(format!("reading data for lba {lba}"))
                .number("lba", f64::from(lba))
        })
}

/// Source `i` of a project.
///
/// ## Errors
///
/// `noSuchSource`.
pub(crate) fn source_at(sources: &[Rc<JsSource>], i: usize) -> Result<&Rc<JsSource>, Error> {
    sources
        .get(i)
        .ok_or_else(|| Error::new("noSuchSource", format!("the project has no source {i}")))
}

fn render_error(e: RenderError) -> Error {
    let lba = match &e {
        RenderError::Source { lba, .. } | RenderError::Sink { lba, .. } => Some(*lba),
        _ => None,
    };
    let error = Error::new("render", e.to_string());
    match lba {
        Some(l) => error.number("lba", f64::from(l)),
        None => error,
    }
}

/// A stream of one chunk (a text file).
///
/// ## Errors
///
/// `invalidArgument` when the host has no `ReadableStream`.
pub fn bytes_stream(bytes: &[u8]) -> Result<ReadableStream, Error> {
    let chunk = RefCell::new(Some(Uint8Array::from(bytes)));
    let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
        move |controller: ReadableStreamDefaultController| {
            let result = match chunk.borrow_mut().take() {
                Some(c) => controller.enqueue_with_chunk(&c),
                None => controller.close(),
            };
            match result {
                Ok(()) => Promise::resolve(&JsValue::UNDEFINED),
                Err(e) => Promise::reject(&e),
            }
        },
    );
    new_stream(pull.into_js_value(), None)
}

fn new_stream(pull: JsValue, cancel: Option<JsValue>) -> Result<ReadableStream, Error> {
    let source = Object::new();
    crate::js::set(&source, "pull", &pull);
    if let Some(cancel) = cancel {
        crate::js::set(&source, "cancel", &cancel);
    }
    // Nothing is made before it is asked for.
    let strategy = QueuingStrategy::new();
    strategy.set_high_water_mark(0.0);
    ReadableStream::new_with_underlying_source_and_strategy(&source, &strategy).map_err(|e| {
        Error::argument(format!(
            "cannot make a ReadableStream: {}",
            crate::js::message(&e)
        ))
    })
}
