//! Why source bytes could not be read: the one error the readers a caller
//! plugs in ([`SourceData`](crate::render::SourceData),
//! [`ImageSources`](crate::image::import::ImageSources), a burn's source
//! reads) return, and the frame writers ([`FrameSink`](crate::render::FrameSink))
//! too. It keeps its cause typed, so a caller can tell a failed read
//! ([`SourceErrorKind::Io`]) from data that ends too soon
//! ([`SourceErrorKind::Truncated`]), and walk [`Error::source`] down to the
//! operating system's error.
//!
//! The error is `Clone` (renders and burns hand their errors on), so the
//! causes it wraps are shared behind an [`Arc`].

use core::fmt;
use std::error::Error;
use std::io;
use std::sync::Arc;

/// A read (or write) of a caller's data that failed, and the file it
/// concerns when the caller named one.
#[derive(Debug, Clone)]
pub struct SourceError {
    file: Option<String>,
    kind: SourceErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// The caller has no source with this number.
    NoSource(usize),
    /// The data ends before the bytes asked for.
    Truncated {
        /// Bytes the data holds.
        len: u64,
        /// Where the read starts.
        offset: u64,
        /// Bytes asked for.
        wanted: u64,
    },
    /// The operating system failed the read or write.
    Io(Arc<io::Error>),
    /// Anything else: a decoder's error, a name no file fits, a stop
    /// asked for.
    Other(Arc<dyn Error + Send + Sync>),
}

impl SourceError {
    /// No source `source`.
    pub fn no_source(source: usize) -> SourceError {
        SourceErrorKind::NoSource(source).into()
    }

    /// `wanted` bytes asked for from `offset` of data that holds `len`.
    pub fn truncated(len: u64, offset: u64, wanted: u64) -> SourceError {
        SourceErrorKind::Truncated {
            len,
            offset,
            wanted,
        }
        .into()
    }

    /// A failed read or write.
    pub fn io(error: io::Error) -> SourceError {
        SourceErrorKind::Io(Arc::new(error)).into()
    }

    /// Any other cause; a `String` or `&str` makes one that is only a
    /// message.
    pub fn other(error: impl Into<Box<dyn Error + Send + Sync>>) -> SourceError {
        SourceErrorKind::Other(Arc::from(error.into())).into()
    }

    /// The same error about `file` (a name as the user gave it).
    #[must_use]
    pub fn in_file(mut self, file: impl Into<String>) -> SourceError {
        self.file = Some(file.into());
        self
    }

    /// The file the error concerns, if the reader named one.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &SourceErrorKind {
        &self.kind
    }
}

impl From<SourceErrorKind> for SourceError {
    fn from(kind: SourceErrorKind) -> SourceError {
        SourceError { file: None, kind }
    }
}

impl From<io::Error> for SourceError {
    fn from(error: io::Error) -> SourceError {
        SourceError::io(error)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match &self.kind {
            SourceErrorKind::NoSource(i) => write!(f, "no source {i}"),
            SourceErrorKind::Truncated {
                len,
                offset,
                wanted,
            } => write!(
                f,
                "ends at byte {len}, but {wanted} bytes are needed from byte {offset}"
            ),
            // `read_exact` says "failed to fill whole buffer", which names
            // the caller's buffer rather than the file.
            SourceErrorKind::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                f.write_str("unexpected end of file")
            }
            SourceErrorKind::Io(e) => write!(f, "{e}"),
            SourceErrorKind::Other(e) => write!(f, "{e}"),
        }
    }
}

impl Error for SourceError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            SourceErrorKind::Io(e) => Some(&**e),
            SourceErrorKind::Other(e) => e.source(),
            SourceErrorKind::NoSource(_) | SourceErrorKind::Truncated { .. } => None,
        }
    }
}

/// Equal when they name the same file and say the same thing: wrapped
/// causes compare by their kind (I/O) and message, as they cannot be
/// compared themselves.
impl PartialEq for SourceError {
    fn eq(&self, other: &SourceError) -> bool {
        self.file == other.file
            && match (&self.kind, &other.kind) {
                (SourceErrorKind::NoSource(a), SourceErrorKind::NoSource(b)) => a == b,
                (
                    SourceErrorKind::Truncated {
                        len,
                        offset,
                        wanted,
                    },
                    SourceErrorKind::Truncated {
                        len: l,
                        offset: o,
                        wanted: w,
                    },
                ) => (len, offset, wanted) == (l, o, w),
                (SourceErrorKind::Io(a), SourceErrorKind::Io(b)) => {
                    a.kind() == b.kind() && a.to_string() == b.to_string()
                }
                (SourceErrorKind::Other(a), SourceErrorKind::Other(b)) => {
                    a.to_string() == b.to_string()
                }
                _ => false,
            }
    }
}

impl Eq for SourceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_is_the_source_and_keeps_its_kind() {
        let e = SourceError::io(io::Error::new(io::ErrorKind::PermissionDenied, "denied"))
            .in_file("album.wav");
        assert_eq!(e.to_string(), "album.wav: denied");
        assert_eq!(e.file(), Some("album.wav"));
        let cause = e.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(
            cause.map(io::Error::kind),
            Some(io::ErrorKind::PermissionDenied)
        );
        assert!(matches!(e.kind(), SourceErrorKind::Io(_)));
    }

    #[test]
    fn a_short_read_says_the_file_ended() {
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        let e = SourceError::from(eof).in_file("album.wav");
        assert_eq!(e.to_string(), "album.wav: unexpected end of file");
        assert!(e.source().is_some());
    }

    #[test]
    fn truncated_and_missing_sources_have_no_deeper_cause() {
        let e = SourceError::truncated(10, 4, 8).in_file("a.bin");
        assert_eq!(
            e.to_string(),
            "a.bin: ends at byte 10, but 8 bytes are needed from byte 4"
        );
        assert!(e.source().is_none());
        assert_eq!(SourceError::no_source(3).to_string(), "no source 3");
        assert!(SourceError::no_source(3).source().is_none());
    }

    #[test]
    fn other_causes_expose_their_own_source() {
        #[derive(Debug)]
        struct Decode(io::Error);
        impl fmt::Display for Decode {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bad frame")
            }
        }
        impl Error for Decode {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = SourceError::other(Decode(io::Error::other("disk gone")));
        assert_eq!(e.to_string(), "bad frame");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("disk gone")
        );
        assert_eq!(SourceError::other("cancelled").to_string(), "cancelled");
    }

    #[test]
    fn equal_when_saying_the_same_thing() {
        let a = SourceError::io(io::Error::other("x")).in_file("f");
        assert_eq!(a, a.clone());
        assert_ne!(a, SourceError::io(io::Error::other("x")));
        assert_ne!(a, SourceError::other("x").in_file("f"));
    }
}
