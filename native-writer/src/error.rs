//! CLI errors and the exit codes, documented in one place.
//!
//! | Code | Meaning |
//! | --- | --- |
//! | 0 | success |
//! | 2 | bad command line (unknown option, missing argument, unknown output extension) |
//! | 3 | the input cannot be read: a malformed cue sheet or project, a missing or unreadable source file, audio that is not CD audio, a FIFO or device named as a file, a sheet larger than any disc needs, a damaged virtual disc file |
//! | 4 | the disc breaks a layout rule (does not fit, track too short, too many tracks, ...) |
//! | 5 | the output cannot be written: a full disk, a directory in the way, stdout closed or full, a read-only virtual disc file a command would write |
//! | 6 | no usable drive, or the drive or its disc cannot do what was asked (no disc, not blank, too small, a write mode it lacks, a command it refused, a virtual disc file another rawburn is using); nothing was written: refused before anything that records was sent, or the drive reports the disc still blank |
//! | 7 | the burn failed and the disc is no longer blank, or the drive could not say: the message says where and what the disc holds |
//! | 8 | the burn completed but reading it back found a difference |
//! | 9 | reading a disc failed: a sector the drive cannot read, or a drive that stopped answering (the message names the LBA); in `burn --verify`, the burn completed but the verify could not finish |
//! | 65–127 | `burn` to several drives: some failed; 64 plus a bit per failed drive in the order given (1: the first, 2: the second, 4, 8, 16, 32: the sixth and any after it), each drive's error printed before |
//! | 130 | cancelled (Ctrl-C, SIGTERM, SIGHUP); the message says what the disc holds |

use layout::source::SourceError;
use std::error::Error;
use std::fmt;

/// Which exit code an error maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// 2: bad command line.
    Usage,
    /// 3: unreadable or invalid input.
    Input,
    /// 4: the disc breaks a layout rule.
    Disc,
    /// 5: the output cannot be written.
    Output,
    /// 6: no usable drive, or it cannot do this; nothing was written.
    Drive,
    /// 7: the burn failed after writing began.
    Burn,
    /// 8: verification found a difference.
    Verify,
    /// 9: reading a disc failed.
    Read,
    /// 64 plus the mask: these of several drives failed (bit 0 the
    /// first, …, bit 5 the sixth and any after it).
    Several(u8),
    /// 130: cancelled.
    Cancelled,
}

impl ExitKind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitKind::Usage => 2,
            ExitKind::Input => 3,
            ExitKind::Disc => 4,
            ExitKind::Output => 5,
            ExitKind::Drive => 6,
            ExitKind::Burn => 7,
            ExitKind::Verify => 8,
            ExitKind::Read => 9,
            ExitKind::Several(mask) => 64 | (mask & 0x3f),
            ExitKind::Cancelled => 130,
        }
    }
}

/// An error for the user: a headline and what caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// The exit code class.
    pub kind: ExitKind,
    /// One line saying what failed.
    pub headline: String,
    /// The chain of causes, outermost first.
    pub causes: Vec<String>,
}

impl CliError {
    /// An error with a headline and no causes.
    pub fn new(kind: ExitKind, headline: impl Into<String>) -> CliError {
        CliError {
            kind,
            headline: headline.into(),
            causes: Vec::new(),
        }
    }

    /// Adds a cause.
    pub fn caused_by(mut self, cause: impl fmt::Display) -> CliError {
        self.causes.push(cause.to_string());
        self
    }

    /// Adds `error` and the errors under it ([`Error::source`]), one
    /// cause each.
    ///
    /// The errors of `layout` and `mmc` end their message with their
    /// source's, so that a one-line display (a log, a JS `Error`) reads
    /// whole: "reading data for lba 600: album.wav: unexpected end of
    /// file". Here that tail is cut from the line above and given a line of
    /// its own; a source whose text is not already shown is added as it
    /// is. The walk ends at a [`SourceError`]: its line names the file and
    /// what failed, and the operating system's error under it says the
    /// same in other words.
    pub fn caused_by_error(mut self, error: &(dyn Error + 'static)) -> CliError {
        let mut line = error.to_string();
        let mut next = if error.is::<SourceError>() {
            None
        } else {
            error.source()
        };
        while let Some(cause) = next {
            let text = cause.to_string();
            let head = line
                .strip_suffix(text.as_str())
                .and_then(|h| h.strip_suffix(": "))
                .filter(|h| !h.is_empty());
            if let Some(head) = head {
                self.causes.push(head.to_string());
            } else if line != text {
                self.causes.push(line);
            }
            line = text;
            next = if cause.is::<SourceError>() {
                None
            } else {
                cause.source()
            };
        }
        self.causes.push(line);
        self
    }
}

impl CliError {
    /// The error as one line of JSON: `{"exit", "headline", "causes"}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "exit": self.kind.code(),
            "headline": self.headline,
            "causes": self.causes,
        })
        .to_string()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.headline)?;
        for c in &self.causes {
            write!(f, "\n  caused by: {c}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use layout::render::RenderError;
    use std::io;

    #[test]
    fn a_source_chain_gives_each_cause_a_line() {
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        let e = RenderError::Source {
            lba: 600,
            error: SourceError::io(eof).in_file("album.wav"),
        };
        let cli = CliError::new(ExitKind::Input, "cannot build x.cue").caused_by_error(&e);
        assert_eq!(
            cli.to_string(),
            "error: cannot build x.cue\n  caused by: reading data for lba 600\n  caused by: album.wav: unexpected end of file"
        );
    }

    #[test]
    fn causes_not_shown_above_are_added_and_shown_ones_not_repeated() {
        #[derive(Debug)]
        struct Outer(io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("cannot open the project")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(io::Error::other("disk gone"));
        let cli = CliError::new(ExitKind::Input, "h").caused_by_error(&e);
        assert_eq!(cli.causes, ["cannot open the project", "disk gone"]);
        let alone = SourceError::other("no subchannel file");
        let cli = CliError::new(ExitKind::Output, "h").caused_by_error(&alone);
        assert_eq!(cli.causes, ["no subchannel file"]);
    }
}
