//! A blocking driver: runs an [`Engine`] over a [`Transport`] with a
//! source of bytes and a clock, one transfer at a time.

use super::{Completion, Engine, EngineError, Event, FrameRead, Summary, Transfer};
use crate::scsi::Link;
use layout::render::SourceData;
use layout::source::SourceError;

/// Runs `engine` to its end: commands go to `link`, which also keeps the
/// time; source reads go to `source`; `on_event` sees every progress
/// event. Returns the burn's outcome.
///
/// ## Errors
///
/// The burn's [`EngineError`].
pub fn run(
    engine: &mut Engine,
    link: &mut dyn Link,
    source: &mut dyn SourceData,
    on_event: &mut dyn FnMut(&Event),
) -> Result<Summary, EngineError> {
    run_until(engine, link, source, on_event, &|| false)
}

/// As [`run`], asking the engine to cancel once `stop` returns true (a
/// Ctrl-C handler's flag): it stops at its next safe point.
///
/// ## Errors
///
/// The burn's [`EngineError`].
pub fn run_until(
    engine: &mut Engine,
    link: &mut dyn Link,
    source: &mut dyn SourceData,
    on_event: &mut dyn FnMut(&Event),
    stop: &dyn Fn() -> bool,
) -> Result<Summary, EngineError> {
    run_with(engine, link, Data::Sources(source), on_event, stop)
}

/// Where a driver gets what a burn writes.
pub enum Data<'a> {
    /// The disc's sources: the engine encodes the frames.
    Sources(&'a mut dyn SourceData),
    /// Frames encoded once for every drive burning the disc (an engine
    /// told to [`Engine::share_frames`]).
    Frames(&'a mut dyn SharedFrames),
}

/// Frames encoded once and handed to several engines.
pub trait SharedFrames {
    /// The frames `read` names, in the shared form.
    ///
    /// ## Errors
    ///
    /// Why they could not be made (a source that could not be read).
    fn frames(&mut self, read: &FrameRead) -> Result<Vec<u8>, SourceError>;
}

/// As [`run_until`], with the data from `data`.
///
/// ## Errors
///
/// The burn's [`EngineError`].
pub fn run_with(
    engine: &mut Engine,
    link: &mut dyn Link,
    mut data: Data<'_>,
    on_event: &mut dyn FnMut(&Event),
    stop: &dyn Fn() -> bool,
) -> Result<Summary, EngineError> {
    engine.start(link.now());
    let mut cancelled = false;
    loop {
        if !cancelled && stop() {
            cancelled = true;
            engine.cancel();
        }
        while let Some(e) = engine.poll_event() {
            on_event(&e);
        }
        match engine.poll_transfer() {
            Some(Transfer::Command(request)) => {
                let outcome = link.execute(&request);
                engine.handle_completion(Completion::Command(outcome), link.now());
            }
            Some(Transfer::Read(read)) => {
                let result = match &mut data {
                    Data::Sources(source) => read_source(*source, &read),
                    Data::Frames(_) => Err(SourceError::other(NO_SOURCES)),
                };
                engine.handle_completion(Completion::Read(result), link.now());
            }
            Some(Transfer::Frames(read)) => {
                let result = match &mut data {
                    Data::Frames(frames) => frames.frames(&read),
                    Data::Sources(_) => Err(SourceError::other(NO_FRAMES)),
                };
                engine.handle_completion(Completion::Frames(result), link.now());
            }
            None => match engine.poll_timeout() {
                Some(t) if engine.outcome().is_none() => {
                    link.sleep_until(t);
                    engine.handle_timeout(link.now());
                }
                _ => break,
            },
        }
    }
    while let Some(e) = engine.poll_event() {
        on_event(&e);
    }
    match engine.outcome() {
        Some(r) => r.clone(),
        None => Err(EngineError::Misuse("the engine stopped without an outcome")),
    }
}

/// The data asked for is not what the driver was given.
const NO_SOURCES: &str = "the engine asked for source bytes, and only shared frames were given";
const NO_FRAMES: &str = "the engine asked for shared frames, and only sources were given";

/// Reads the bytes of a source read.
///
/// ## Errors
///
/// The source's [`SourceError`].
pub fn read_source(
    source: &mut dyn SourceData,
    read: &super::SourceRead,
) -> Result<(Vec<u8>, Vec<u8>), SourceError> {
    let mut main = vec![0; read.main.map_or(0, |r| r.len)];
    if let Some(r) = &read.main {
        source.read(r, &mut main)?;
    }
    let mut rw = vec![0; read.rw.map_or(0, |r| r.len)];
    if let Some(r) = &read.rw {
        source.read(r, &mut rw)?;
    }
    Ok((main, rw))
}
