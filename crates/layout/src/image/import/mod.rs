//! Image descriptions read back into projects: cdrdao toc files
//! ([`toc`]) and CloneCD control files ([`ccd`]).
//!
//! Reading takes two steps, as for cue sheets. `parse` turns the text into
//! a description whose syntax errors name the line and column, and which
//! lists the files it needs ([`toc::TocFile::sources`],
//! [`ccd::CcdFile::sources`]). `to_project` then lays the disc out exactly
//! as written, asking the caller ([`ImageSources`]) for the length of those
//! files and for the few sectors that settle what the text leaves open:
//!
//! - which form a raw Mode 2 track is (Form 1, Form 2 or formless), so the
//!   sectors the plan generates for it (track 1's pregap, the lead-out)
//!   come out as they were;
//! - which stored pregap and postgap sectors are what the plan would
//!   generate anyway (silence, zero sectors of the track's mode): those
//!   become generated again, so a disc read back from its own image has
//!   the layout it was built with;
//! - for CloneCD, which tracks carry R-W subcode in the `.sub` (CD+G) and
//!   which carry SCMS in Q.
//!
//! What a project cannot hold comes back as a warning; what would change
//! the disc is an error.

pub mod ccd;
mod sectors;
pub mod toc;
mod tracks;

pub use crate::cue::Pos;

use crate::disc::Project;
use crate::source::SourceError;
use core::fmt;

/// The files an image description names, by position in its `sources()`.
///
/// Offsets count bytes of the data as read, as in a project: the file
/// itself for raw data, the PCM for WAV and FLAC files.
pub trait ImageSources {
    /// Length of source `source`'s data in bytes.
    ///
    /// ## Errors
    ///
    /// [`SourceError`] saying why the file cannot be read.
    fn data_len(&mut self, source: usize) -> Result<u64, SourceError>;

    /// Fills `buf` with the bytes of source `source` from `offset`.
    ///
    /// ## Errors
    ///
    /// [`SourceError`] saying why the bytes cannot be read.
    fn read(&mut self, source: usize, offset: u64, buf: &mut [u8]) -> Result<(), SourceError>;
}

/// In-memory sources, for tests and callers that hold the files.
impl ImageSources for Vec<Vec<u8>> {
    fn data_len(&mut self, source: usize) -> Result<u64, SourceError> {
        self.get(source)
            .map(|f| f.len() as u64)
            .ok_or(SourceError::no_source(source))
    }

    fn read(&mut self, source: usize, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let file = self.get(source).ok_or(SourceError::no_source(source))?;
        let bytes = usize::try_from(offset)
            .ok()
            .and_then(|start| file.get(start..start.checked_add(buf.len())?))
            .ok_or_else(|| SourceError::truncated(file.len() as u64, offset, buf.len() as u64))?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

/// A project read from an image description.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The project.
    pub project: Project,
    /// What the project could not hold, or what was adjusted.
    pub warnings: Vec<String>,
}

/// An image description that cannot be read or laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Where in the text, when the problem has a place.
    pub pos: Option<Pos>,
    /// The data file concerned, if one.
    pub file: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The read that failed, when one did: `message` is its text.
    cause: Option<SourceError>,
}

impl ReadError {
    /// An error at `pos`.
    pub(crate) fn at(pos: Pos, message: impl Into<String>) -> ReadError {
        ReadError {
            pos: Some(pos),
            file: None,
            message: message.into(),
            cause: None,
        }
    }

    /// An error about a data file, found at `pos`.
    pub(crate) fn file(pos: Option<Pos>, file: &str, message: impl Into<String>) -> ReadError {
        ReadError {
            pos,
            file: Some(file.to_string()),
            message: message.into(),
            cause: None,
        }
    }

    /// A data file, found at `pos`, that could not be read.
    pub(crate) fn unreadable(pos: Option<Pos>, file: &str, error: SourceError) -> ReadError {
        ReadError {
            message: error.to_string(),
            cause: Some(error),
            ..ReadError::file(pos, file, "")
        }
    }

    /// The failed read behind the error, if one is.
    pub fn cause(&self) -> Option<&SourceError> {
        self.cause.as_ref()
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pos) = self.pos {
            write!(f, "{pos}: ")?;
        }
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The failed read, when there is one, is the source; its text already
/// ends the message, so one-line displays need not walk the chain.
impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Lines of a text with their 1-based numbers; LF, CRLF or CR endings, an
/// optional byte order mark dropped.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rest = Some(text);
    let mut n: u32 = 0;
    core::iter::from_fn(move || {
        let text = rest.take()?;
        n = n.saturating_add(1);
        let Some(end) = text.find(['\r', '\n']) else {
            return Some((n, text));
        };
        let (line, tail) = text.split_at(end);
        let tail = tail
            .strip_prefix("\r\n")
            .or_else(|| tail.get(1..))
            .unwrap_or("");
        if !tail.is_empty() {
            rest = Some(tail);
        }
        Some((n, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceErrorKind;
    use std::error::Error;

    #[test]
    fn an_unreadable_file_is_the_source_of_the_read_error() {
        let mut files = vec![vec![0u8; 4]];
        let error = files.read(0, 2, &mut [0; 8]).unwrap_err();
        let e = ReadError::unreadable(Some(Pos { line: 2, column: 1 }), "a.bin", error);
        assert_eq!(
            e.to_string(),
            "line 2, column 1: a.bin: ends at byte 4, but 8 bytes are needed from byte 2"
        );
        let cause = e.source().and_then(|s| s.downcast_ref::<SourceError>());
        assert!(matches!(
            cause.map(SourceError::kind),
            Some(SourceErrorKind::Truncated { len: 4, .. })
        ));
        assert_eq!(e.cause(), cause);
        assert!(
            ReadError::at(Pos { line: 1, column: 1 }, "bad")
                .source()
                .is_none()
        );
        assert_eq!(files.data_len(3), Err(SourceError::no_source(3)));
    }
}
