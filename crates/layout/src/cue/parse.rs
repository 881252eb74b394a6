//! Line-by-line parser for cue sheet text.

use super::{
    CueError, CueErrorKind, CueFile, CueIndex, CueSheet, CueTrack, FileKind, Flags, Pos, Rem,
    Spanned, TrackMode,
};

/// Parses the text of a cue sheet.
///
/// The text may start with a UTF-8 byte order mark and may use LF, CRLF or
/// CR line endings. Keywords are case-insensitive.
///
/// ## Errors
///
/// Returns a [`CueError`] for the first problem found: a syntax error, an
/// unknown command, type, mode or flag, a command in the wrong place or
/// given twice, a track or index out of sequence, an index position that
/// goes backwards, a track without `INDEX 01`, a file without tracks, or a
/// sheet without any track.
pub fn parse(text: &str) -> Result<CueSheet, CueError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::default();
    let mut line_no: u32 = 0;
    for line in (Lines { rest: Some(text) }) {
        line_no = line_no.saturating_add(1);
        parser.line(line, line_no)?;
    }
    parser.finish()
}

/// The commands of the CDRWIN dialect that this parser understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Catalog,
    CdTextFile,
    File,
    Track,
    Index,
    Pregap,
    Postgap,
    Isrc,
    Flags,
    Title,
    Performer,
    Songwriter,
    Rem,
}

impl Command {
    const ALL: [Self; 13] = [
        Self::Catalog,
        Self::CdTextFile,
        Self::File,
        Self::Track,
        Self::Index,
        Self::Pregap,
        Self::Postgap,
        Self::Isrc,
        Self::Flags,
        Self::Title,
        Self::Performer,
        Self::Songwriter,
        Self::Rem,
    ];

    fn from_word(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|command| command.name().eq_ignore_ascii_case(word))
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Catalog => "CATALOG",
            Self::CdTextFile => "CDTEXTFILE",
            Self::File => "FILE",
            Self::Track => "TRACK",
            Self::Index => "INDEX",
            Self::Pregap => "PREGAP",
            Self::Postgap => "POSTGAP",
            Self::Isrc => "ISRC",
            Self::Flags => "FLAGS",
            Self::Title => "TITLE",
            Self::Performer => "PERFORMER",
            Self::Songwriter => "SONGWRITER",
            Self::Rem => "REM",
        }
    }
}

/// Parser state carried from line to line.
#[derive(Default)]
struct Parser {
    sheet: CueSheet,
    /// Whether the last track of the sheet still takes `INDEX` and the other
    /// track commands; a `FILE` line closes it.
    track_open: bool,
    /// Lines of the open track's commands whose position the AST drops.
    lines: TrackLines,
    /// Position of the last `INDEX` in the current file, in frames.
    last_frames: Option<u32>,
}

#[derive(Default)]
struct TrackLines {
    pregap: Option<u32>,
    postgap: Option<u32>,
    flags: Option<u32>,
}

impl Parser {
    fn line(&mut self, line: &str, line_no: u32) -> Result<(), CueError> {
        let mut cursor = Cursor::new(line, line_no);
        let Some(word) = cursor.word() else {
            return Ok(());
        };
        let at = word.pos;
        let Some(command) = Command::from_word(word.text) else {
            let command = word.text.to_owned();
            return Err(CueError::new(at, CueErrorKind::UnknownCommand { command }));
        };
        match command {
            Command::Rem => {
                self.rem(&mut cursor, at);
                return Ok(());
            }
            // A new file or track ends the open one: report problems on
            // earlier lines before looking at this one.
            Command::File => {
                self.close_track_at_file()?;
                self.check_last_file_has_tracks()?;
            }
            Command::Track => self.close_track()?,
            _ => {}
        }
        let args = cursor.tokens()?;
        match command {
            Command::Catalog => self.catalog(at, &args),
            Command::CdTextFile => self.cdtext_file(at, &args),
            Command::File => self.file(at, &args),
            Command::Track => self.track(at, &args),
            Command::Index => self.index(at, &args),
            Command::Pregap => self.pregap(at, &args),
            Command::Postgap => self.postgap(at, &args),
            Command::Isrc => self.isrc(at, &args),
            Command::Flags => self.flags(at, &args),
            Command::Title | Command::Performer | Command::Songwriter => {
                self.text(command, at, &args)
            }
            Command::Rem => Ok(()), // handled above
        }
    }

    fn finish(mut self) -> Result<CueSheet, CueError> {
        self.close_track()?;
        self.check_last_file_has_tracks()?;
        if self.sheet.files.is_empty() {
            return Err(CueError::new(Pos::new(1, 1), CueErrorKind::NoTracks));
        }
        Ok(self.sheet)
    }

    fn catalog(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [value] = expect_args(Command::Catalog, at, args, ["catalog number"])?;
        if !self.sheet.files.is_empty() {
            return Err(too_late(Command::Catalog, at, "the first FILE"));
        }
        set_once(&mut self.sheet.catalog, Command::Catalog, at, value)
    }

    fn cdtext_file(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [value] = expect_args(Command::CdTextFile, at, args, ["file name"])?;
        if self.last_track().is_some() {
            return Err(too_late(Command::CdTextFile, at, "the first TRACK"));
        }
        set_once(&mut self.sheet.cdtext_file, Command::CdTextFile, at, value)
    }

    fn file(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [name, kind] = expect_args(Command::File, at, args, ["file name", "file type"])?;
        if name.text.is_empty() {
            return Err(CueError::new(name.pos, CueErrorKind::EmptyFileName));
        }
        let kind = match parse_file_kind(kind) {
            Some(kind) => kind,
            None => {
                self.sheet.warnings.push(Spanned::new(
                    format!(
                        "file type {} is not one the cue sheet format names (BINARY, MOTOROLA, WAVE, AIFF, MP3, FLAC); the file is read as audio, by its content",
                        kind.text
                    ),
                    kind.pos,
                ));
                FileKind::OtherAudio
            }
        };
        self.sheet.files.push(CueFile {
            name: name.spanned(),
            kind,
            tracks: Vec::new(),
            pos: at,
        });
        self.last_frames = None;
        Ok(())
    }

    fn track(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [number, mode] = expect_args(Command::Track, at, args, ["track number", "mode"])?;
        let found = parse_small(number.text, 1).ok_or_else(|| {
            let text = number.text.to_owned();
            CueError::new(number.pos, CueErrorKind::InvalidTrackNumber { text })
        })?;
        let mode = TrackMode::ALL
            .into_iter()
            .find(|m| m.cue_name().eq_ignore_ascii_case(mode.text))
            .ok_or_else(|| {
                let mode_text = mode.text.to_owned();
                CueError::new(mode.pos, CueErrorKind::UnknownTrackMode { mode: mode_text })
            })?;
        if self.sheet.files.is_empty() {
            return Err(CueError::new(at, CueErrorKind::TrackBeforeFile));
        }
        if let Some(previous) = self.last_track().map(|track| track.number)
            && previous.checked_add(1) != Some(found)
        {
            let kind = CueErrorKind::TrackOutOfSequence { previous, found };
            return Err(CueError::new(number.pos, kind));
        }
        let track = CueTrack {
            number: found,
            mode,
            pos: at,
            flags: Flags::default(),
            isrc: None,
            pregap: None,
            postgap: None,
            indexes: Vec::new(),
            title: None,
            performer: None,
            songwriter: None,
            rems: Vec::new(),
        };
        if let Some(file) = self.sheet.files.last_mut() {
            file.tracks.push(track);
            self.track_open = true;
            self.lines = TrackLines::default();
        }
        Ok(())
    }

    fn index(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [number, time] = expect_args(Command::Index, at, args, ["index number", "time"])?;
        let found = parse_small(number.text, 0).ok_or_else(|| {
            let text = number.text.to_owned();
            CueError::new(number.pos, CueErrorKind::InvalidIndexNumber { text })
        })?;
        let frames = parse_time(time)?;
        let file_index = self.sheet.files.len().saturating_sub(1);
        let track = open_track(&mut self.sheet.files, self.track_open, Command::Index, at)?;
        if self.lines.postgap.is_some() {
            return Err(CueError::new(at, CueErrorKind::IndexAfterPostgap));
        }
        match track.indexes.last() {
            None if found > 1 => {
                let kind = CueErrorKind::FirstIndexNotZeroOrOne { found };
                return Err(CueError::new(number.pos, kind));
            }
            Some(last) if last.number.checked_add(1) != Some(found) => {
                let previous = last.number;
                let kind = CueErrorKind::IndexOutOfSequence { previous, found };
                return Err(CueError::new(number.pos, kind));
            }
            _ => {}
        }
        if let Some(previous) = self.last_frames
            && frames < previous
        {
            let kind = CueErrorKind::IndexPositionDecreasing { frames, previous };
            return Err(CueError::new(time.pos, kind));
        }
        track.indexes.push(CueIndex {
            number: found,
            frames,
            pos: at,
            file: file_index,
        });
        self.last_frames = Some(frames);
        Ok(())
    }

    fn pregap(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [time] = expect_args(Command::Pregap, at, args, ["time"])?;
        let frames = parse_time(time)?;
        let track = open_track(&mut self.sheet.files, self.track_open, Command::Pregap, at)?;
        if let Some(first_line) = self.lines.pregap {
            return Err(duplicate(Command::Pregap, at, first_line));
        }
        if !track.indexes.is_empty() {
            return Err(too_late(Command::Pregap, at, "the track's first INDEX"));
        }
        track.pregap = Some(frames);
        self.lines.pregap = Some(at.line);
        Ok(())
    }

    fn postgap(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [time] = expect_args(Command::Postgap, at, args, ["time"])?;
        let frames = parse_time(time)?;
        let track = open_track(&mut self.sheet.files, self.track_open, Command::Postgap, at)?;
        if let Some(first_line) = self.lines.postgap {
            return Err(duplicate(Command::Postgap, at, first_line));
        }
        if track.indexes.is_empty() {
            return Err(CueError::new(at, CueErrorKind::PostgapBeforeIndex));
        }
        track.postgap = Some(frames);
        self.lines.postgap = Some(at.line);
        Ok(())
    }

    fn isrc(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let [value] = expect_args(Command::Isrc, at, args, ["code"])?;
        let track = open_track(&mut self.sheet.files, self.track_open, Command::Isrc, at)?;
        set_once(&mut track.isrc, Command::Isrc, at, value)
    }

    fn flags(&mut self, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        if args.is_empty() {
            return Err(missing(Command::Flags, at, "flag"));
        }
        let mut flags = Flags::default();
        for arg in args {
            let flag = if arg.text.eq_ignore_ascii_case("DCP") {
                &mut flags.dcp
            } else if arg.text.eq_ignore_ascii_case("4CH") {
                &mut flags.four_channel
            } else if arg.text.eq_ignore_ascii_case("PRE") {
                &mut flags.pre_emphasis
            } else if arg.text.eq_ignore_ascii_case("SCMS") {
                &mut flags.scms
            } else {
                let flag = arg.text.to_owned();
                return Err(CueError::new(arg.pos, CueErrorKind::UnknownFlag { flag }));
            };
            *flag = true;
        }
        let track = open_track(&mut self.sheet.files, self.track_open, Command::Flags, at)?;
        if let Some(first_line) = self.lines.flags {
            return Err(duplicate(Command::Flags, at, first_line));
        }
        // Rippers write FLAGS after the INDEX lines too, as they do ISRC.
        track.flags = flags;
        self.lines.flags = Some(at.line);
        Ok(())
    }

    /// Handles `TITLE`, `PERFORMER` and `SONGWRITER`.
    fn text(&mut self, command: Command, at: Pos, args: &[Token<'_>]) -> Result<(), CueError> {
        let what = match command {
            Command::Title => "title",
            Command::Performer => "performer",
            _ => "songwriter",
        };
        let [value] = expect_args(command, at, args, [what])?;
        let scope = self.scope();
        let slot = match command {
            Command::Title => scope.title,
            Command::Performer => scope.performer,
            _ => scope.songwriter,
        };
        set_once(slot, command, at, value)
    }

    fn rem(&mut self, cursor: &mut Cursor<'_>, at: Pos) {
        let key = cursor
            .word()
            .map(|word| word.text.to_uppercase())
            .unwrap_or_default();
        let rest = cursor.rest();
        let value = rest
            .strip_prefix('"')
            .and_then(|inner| inner.strip_suffix('"'))
            .unwrap_or(rest)
            .to_owned();
        self.scope().rems.push(Rem {
            key,
            value,
            pos: at,
        });
    }

    /// At a `FILE` line: ends the open track, unless it has only reached
    /// `INDEX 00`; then it continues into the new file, whose first lines
    /// give its `INDEX 01` (pregap at the end of one file, track in the
    /// next).
    fn close_track_at_file(&mut self) -> Result<(), CueError> {
        let continues = self.track_open
            && self.last_track().is_some_and(|t| {
                t.index(1).is_none() && t.indexes.last().is_some_and(|i| i.number == 0)
            });
        if continues {
            return Ok(());
        }
        self.close_track()
    }

    /// Ends the open track, if any, checking that it got an `INDEX 01`.
    fn close_track(&mut self) -> Result<(), CueError> {
        if !std::mem::take(&mut self.track_open) {
            return Ok(());
        }
        match self.last_track() {
            Some(track) if track.index(1).is_none() => {
                let kind = CueErrorKind::MissingIndex01 {
                    track: track.number,
                };
                Err(CueError::new(track.pos, kind))
            }
            _ => Ok(()),
        }
    }

    /// A file must hold a track, or an index of a track continued from the
    /// previous file.
    fn check_last_file_has_tracks(&self) -> Result<(), CueError> {
        let Some((i, file)) = self.sheet.files.iter().enumerate().next_back() else {
            return Ok(());
        };
        let indexed = self
            .sheet
            .tracks()
            .any(|t| t.indexes.iter().any(|x| x.file == i));
        if file.tracks.is_empty() && !indexed {
            return Err(CueError::new(file.pos, CueErrorKind::FileWithoutTracks));
        }
        Ok(())
    }

    /// The most recent track, open or not.
    fn last_track(&self) -> Option<&CueTrack> {
        self.sheet
            .files
            .iter()
            .rev()
            .find_map(|file| file.tracks.last())
    }

    /// Where `TITLE`, `PERFORMER`, `SONGWRITER` and `REM` go: the disc before
    /// the first `TRACK`, the most recent track after it.
    fn scope(&mut self) -> Scope<'_> {
        let sheet = &mut self.sheet;
        match sheet
            .files
            .iter_mut()
            .rev()
            .find_map(|file| file.tracks.last_mut())
        {
            Some(track) => Scope {
                title: &mut track.title,
                performer: &mut track.performer,
                songwriter: &mut track.songwriter,
                rems: &mut track.rems,
            },
            None => Scope {
                title: &mut sheet.title,
                performer: &mut sheet.performer,
                songwriter: &mut sheet.songwriter,
                rems: &mut sheet.rems,
            },
        }
    }
}

/// The metadata fields of the disc or of one track.
struct Scope<'a> {
    title: &'a mut Option<Spanned<String>>,
    performer: &'a mut Option<Spanned<String>>,
    songwriter: &'a mut Option<Spanned<String>>,
    rems: &'a mut Vec<Rem>,
}

/// The open track, or an error saying `command` needs one.
fn open_track(
    files: &mut [CueFile],
    open: bool,
    command: Command,
    at: Pos,
) -> Result<&mut CueTrack, CueError> {
    files
        .iter_mut()
        .rev()
        .find_map(|file| file.tracks.last_mut())
        .filter(|_| open)
        .ok_or_else(|| {
            let command = command.name();
            CueError::new(at, CueErrorKind::OutsideTrack { command })
        })
}

/// Checks that `args` holds exactly `N` tokens, described by `what` for the
/// missing-argument error.
fn expect_args<'t, 'a, const N: usize>(
    command: Command,
    at: Pos,
    args: &'t [Token<'a>],
    what: [&'static str; N],
) -> Result<&'t [Token<'a>; N], CueError> {
    if let Some(extra) = args.get(N) {
        let kind = CueErrorKind::ExtraArgument {
            command: command.name(),
            token: extra.text.to_owned(),
        };
        return Err(CueError::new(extra.pos, kind));
    }
    <&[Token<'a>; N]>::try_from(args).map_err(|_| {
        let what = what.get(args.len()).copied().unwrap_or("argument");
        missing(command, at, what)
    })
}

fn set_once(
    slot: &mut Option<Spanned<String>>,
    command: Command,
    at: Pos,
    value: &Token<'_>,
) -> Result<(), CueError> {
    if let Some(first) = slot {
        return Err(duplicate(command, at, first.pos.line));
    }
    *slot = Some(value.spanned());
    Ok(())
}

const fn missing(command: Command, at: Pos, what: &'static str) -> CueError {
    let command = command.name();
    CueError::new(at, CueErrorKind::MissingArgument { command, what })
}

const fn duplicate(command: Command, at: Pos, first_line: u32) -> CueError {
    let command = command.name();
    CueError::new(
        at,
        CueErrorKind::Duplicate {
            command,
            first_line,
        },
    )
}

const fn too_late(command: Command, at: Pos, limit: &'static str) -> CueError {
    let command = command.name();
    CueError::new(at, CueErrorKind::TooLate { command, limit })
}

/// The type a `FILE` line names, `None` for a word the format does not
/// name.
fn parse_file_kind(token: &Token<'_>) -> Option<FileKind> {
    FileKind::NAMED
        .into_iter()
        .find(|kind| kind.cue_name().eq_ignore_ascii_case(token.text))
}

/// Parses a non-empty run of ASCII digits, saturating instead of
/// overflowing.
fn parse_number(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    text.chars().try_fold(0_u32, |acc, c| {
        let digit = c.to_digit(10)?;
        Some(acc.saturating_mul(10).saturating_add(digit))
    })
}

/// Parses a track or index number from `min` to 99.
fn parse_small(text: &str, min: u8) -> Option<u8> {
    parse_number(text)
        .and_then(|n| u8::try_from(n).ok())
        .filter(|n| (min..=99).contains(n))
}

/// Parses `MM:SS:FF` into frames.
fn parse_time(token: &Token<'_>) -> Result<u32, CueError> {
    let mut parts = token.text.split(':').map(parse_number);
    let fields = (parts.next(), parts.next(), parts.next(), parts.next());
    let (Some(Some(minutes)), Some(Some(seconds)), Some(Some(frames)), None) = fields else {
        let text = token.text.to_owned();
        return Err(CueError::new(
            token.pos,
            CueErrorKind::MalformedTime { text },
        ));
    };
    if minutes > 99 || seconds > 59 || frames > 74 {
        let text = token.text.to_owned();
        return Err(CueError::new(
            token.pos,
            CueErrorKind::TimeOutOfRange { text },
        ));
    }
    Ok((minutes * 60 + seconds) * 75 + frames)
}

/// Splits text into lines at LF, CRLF or a lone CR.
struct Lines<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest.take()?;
        let Some(end) = text.find(['\r', '\n']) else {
            return Some(text);
        };
        let (line, tail) = text.split_at(end);
        let tail = tail
            .strip_prefix("\r\n")
            .or_else(|| tail.get(1..))
            .unwrap_or("");
        self.rest = Some(tail);
        Some(line)
    }
}

/// A word or quoted string on a line, without its quotes.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    pos: Pos,
}

impl Token<'_> {
    fn spanned(&self) -> Spanned<String> {
        Spanned::new(self.text.to_owned(), self.pos)
    }
}

/// Walks one line, tracking the column in characters.
struct Cursor<'a> {
    line: &'a str,
    offset: usize,
    pos: Pos,
}

impl<'a> Cursor<'a> {
    const fn new(line: &'a str, line_no: u32) -> Self {
        Self {
            line,
            offset: 0,
            pos: Pos::new(line_no, 1),
        }
    }

    fn peek(&self) -> Option<char> {
        self.line.get(self.offset..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        self.pos.column = self.pos.column.saturating_add(1);
        Some(c)
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.bump();
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.line.get(start..end).unwrap_or("")
    }

    /// The next run of non-blank characters, quotes included.
    fn word(&mut self) -> Option<Token<'a>> {
        self.skip_blanks();
        let pos = self.pos;
        let start = self.offset;
        while self.peek().is_some_and(|c| !is_blank(c)) {
            self.bump();
        }
        (self.offset > start).then(|| Token {
            text: self.slice(start, self.offset),
            pos,
        })
    }

    /// The next word or double-quoted string.
    fn token(&mut self) -> Result<Option<Token<'a>>, CueError> {
        self.skip_blanks();
        if self.peek() != Some('"') {
            return Ok(self.word());
        }
        let pos = self.pos;
        self.bump();
        let start = self.offset;
        let end = loop {
            let end = self.offset;
            match self.bump() {
                Some('"') => break end,
                Some(_) => {}
                None => return Err(CueError::new(pos, CueErrorKind::UnterminatedQuote)),
            }
        };
        if self.peek().is_some_and(|c| !is_blank(c)) {
            return Err(CueError::new(self.pos, CueErrorKind::TextAfterQuote));
        }
        Ok(Some(Token {
            text: self.slice(start, end),
            pos,
        }))
    }

    /// All remaining tokens.
    fn tokens(&mut self) -> Result<Vec<Token<'a>>, CueError> {
        let mut tokens = Vec::new();
        while let Some(token) = self.token()? {
            tokens.push(token);
        }
        Ok(tokens)
    }

    /// The rest of the line without surrounding blanks.
    fn rest(&mut self) -> &'a str {
        self.skip_blanks();
        self.slice(self.offset, self.line.len())
            .trim_end_matches(is_blank)
    }
}

const fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EAC_SHEET: &str = r#"REM GENRE "Progressive Rock"
REM DATE 1999
REM DISCID 8A0B2C0D
REM COMMENT "ExactAudioCopy v1.6"
CATALOG 0724384960650
PERFORMER "The Example Band"
TITLE "Songs From Nowhere"
FILE "01 - Opening.wav" WAVE
  TRACK 01 AUDIO
    TITLE "Opening"
    PERFORMER "The Example Band"
    ISRC GBAYE9900001
    FLAGS DCP PRE
    INDEX 01 00:00:00
FILE "02 - Second Song.wav" WAVE
  TRACK 02 AUDIO
    TITLE "Second Song"
    PERFORMER "Guest Singer"
    ISRC GBAYE9900002
    INDEX 00 00:00:00
    INDEX 01 00:01:33
FILE "03 - Closing.wav" WAVE
  TRACK 03 AUDIO
    TITLE "Closing"
    PERFORMER "The Example Band"
    REM COMPOSER "A. Writer"
    INDEX 00 00:00:00
    INDEX 01 00:02:10
"#;

    const MIXED_SHEET: &str = "FILE \"game.bin\" BINARY
  TRACK 01 MODE1/2352
    INDEX 01 00:00:00
    POSTGAP 00:02:00
  TRACK 02 AUDIO
    PREGAP 00:02:00
    INDEX 01 10:00:00
    INDEX 02 10:30:00
    INDEX 03 11:00:00
  TRACK 03 AUDIO
    INDEX 00 14:58:00
    INDEX 01 15:00:00
";

    /// A minimal valid sheet to which single problem lines are appended.
    const HEAD: &str = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n";

    fn pos(line: u32, column: u32) -> Pos {
        Pos::new(line, column)
    }

    fn spanned(value: &str, line: u32, column: u32) -> Option<Spanned<String>> {
        Some(Spanned::new(value.to_owned(), pos(line, column)))
    }

    fn rem(key: &str, value: &str, line: u32, column: u32) -> Rem {
        Rem {
            key: key.to_owned(),
            value: value.to_owned(),
            pos: pos(line, column),
        }
    }

    fn index(number: u8, frames: u32, line: u32, column: u32) -> CueIndex {
        index_in(0, number, frames, line, column)
    }

    fn index_in(file: usize, number: u8, frames: u32, line: u32, column: u32) -> CueIndex {
        CueIndex {
            number,
            frames,
            pos: pos(line, column),
            file,
        }
    }

    /// Parses text that must fail and returns the error's line, column and
    /// kind.
    fn fail(text: &str) -> (u32, u32, CueErrorKind) {
        let error = parse(text).unwrap_err();
        (error.pos.line, error.pos.column, error.kind)
    }

    fn outside(command: &'static str) -> CueErrorKind {
        CueErrorKind::OutsideTrack { command }
    }

    fn duplicate(command: &'static str, first_line: u32) -> CueErrorKind {
        CueErrorKind::Duplicate {
            command,
            first_line,
        }
    }

    fn too_late(command: &'static str, limit: &'static str) -> CueErrorKind {
        CueErrorKind::TooLate { command, limit }
    }

    // ---- valid sheets ----

    #[test]
    fn eac_multi_file_sheet() {
        let sheet = parse(EAC_SHEET).unwrap();
        assert_eq!(
            sheet.rems,
            vec![
                rem("GENRE", "Progressive Rock", 1, 1),
                rem("DATE", "1999", 2, 1),
                rem("DISCID", "8A0B2C0D", 3, 1),
                rem("COMMENT", "ExactAudioCopy v1.6", 4, 1),
            ]
        );
        assert_eq!(sheet.catalog, spanned("0724384960650", 5, 9));
        assert_eq!(sheet.cdtext_file, None);
        assert_eq!(sheet.performer, spanned("The Example Band", 6, 11));
        assert_eq!(sheet.title, spanned("Songs From Nowhere", 7, 7));
        assert_eq!(sheet.songwriter, None);
        assert_eq!(sheet.files.len(), 3);

        let names: Vec<_> = sheet.files.iter().map(|f| f.name.value.as_str()).collect();
        assert_eq!(
            names,
            [
                "01 - Opening.wav",
                "02 - Second Song.wav",
                "03 - Closing.wav"
            ]
        );
        assert!(sheet.files.iter().all(|f| f.kind == FileKind::Wave));
        assert_eq!(sheet.files[1].name.pos, pos(15, 6));
        assert_eq!(sheet.files[1].pos, pos(15, 1));

        let first = &sheet.files[0].tracks[0];
        assert_eq!(first.number, 1);
        assert_eq!(first.mode, TrackMode::Audio);
        assert_eq!(first.pos, pos(9, 3));
        assert_eq!(first.title, spanned("Opening", 10, 11));
        assert_eq!(first.performer, spanned("The Example Band", 11, 15));
        assert_eq!(first.isrc, spanned("GBAYE9900001", 12, 10));
        assert_eq!(
            first.flags,
            Flags {
                dcp: true,
                four_channel: false,
                pre_emphasis: true,
                scms: false,
            }
        );
        assert_eq!(first.indexes, vec![index(1, 0, 14, 5)]);
        assert_eq!(first.pregap, None);
        assert_eq!(first.postgap, None);

        let second = &sheet.files[1].tracks[0];
        assert_eq!(second.number, 2);
        assert_eq!(second.performer, spanned("Guest Singer", 18, 15));
        assert_eq!(second.flags, Flags::default());
        assert_eq!(
            second.indexes,
            vec![index_in(1, 0, 0, 20, 5), index_in(1, 1, 108, 21, 5)]
        );

        let third = &sheet.files[2].tracks[0];
        assert_eq!(third.rems, vec![rem("COMPOSER", "A. Writer", 26, 5)]);
        assert_eq!(third.index(1).map(|i| i.frames), Some(2 * 75 + 10));
        assert_eq!(sheet.tracks().count(), 3);
    }

    #[test]
    fn mixed_mode_binary_sheet() {
        let sheet = parse(MIXED_SHEET).unwrap();
        assert_eq!(sheet.files.len(), 1);
        let file = &sheet.files[0];
        assert_eq!(file.kind, FileKind::Binary);
        assert_eq!(file.name.value, "game.bin");
        let modes: Vec<_> = file.tracks.iter().map(|t| t.mode).collect();
        assert_eq!(
            modes,
            [TrackMode::Mode1_2352, TrackMode::Audio, TrackMode::Audio]
        );

        let data = &file.tracks[0];
        assert_eq!(data.postgap, Some(150));
        assert_eq!(data.pregap, None);

        let audio = &file.tracks[1];
        assert_eq!(audio.pregap, Some(150));
        assert_eq!(audio.postgap, None);
        assert_eq!(
            audio.indexes,
            vec![
                index(1, 10 * 60 * 75, 7, 5),
                index(2, (10 * 60 + 30) * 75, 8, 5),
                index(3, 11 * 60 * 75, 9, 5),
            ]
        );
        let last = &file.tracks[2];
        assert_eq!(last.index(0).map(|i| i.frames), Some((14 * 60 + 58) * 75));
        assert_eq!(last.index(1).map(|i| i.frames), Some(15 * 60 * 75));
    }

    #[test]
    fn cdg_track() {
        let sheet = parse("FILE \"karaoke.bin\" BINARY\nTRACK 1 CDG\nINDEX 1 0:0:0\n").unwrap();
        let track = &sheet.files[0].tracks[0];
        assert_eq!(track.mode, TrackMode::Cdg);
        assert_eq!(track.mode.bytes_per_sector(), 2448);
        assert_eq!(track.indexes, vec![index(1, 0, 3, 1)]);
    }

    #[test]
    fn first_track_may_have_any_number() {
        let sheet = parse("FILE a.bin BINARY\nTRACK 05 MODE2/2352\nINDEX 01 00:00:00\nTRACK 06 AUDIO\nINDEX 01 01:00:00\n").unwrap();
        let numbers: Vec<_> = sheet.tracks().map(|t| t.number).collect();
        assert_eq!(numbers, [5, 6]);
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}TITLE \"Disc\"\r\nFILE \"a b.wav\" WAVE\r\n  TRACK 01 AUDIO\r\n    INDEX 01 00:00:00\r\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.title, spanned("Disc", 1, 7));
        assert_eq!(
            sheet.files[0].name,
            Spanned::new("a b.wav".to_owned(), pos(2, 6))
        );
        assert_eq!(sheet.files[0].tracks[0].indexes, vec![index(1, 0, 4, 5)]);
    }

    #[test]
    fn lone_cr_line_endings_and_blank_lines() {
        let text = "\r\n\rFILE a.wav WAVE\r\r  \t \rTRACK 01 AUDIO\rINDEX 01 00:00:00";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.files[0].pos, pos(3, 1));
        assert_eq!(sheet.files[0].tracks[0].pos, pos(6, 1));
        assert_eq!(sheet.files[0].tracks[0].indexes, vec![index(1, 0, 7, 1)]);
    }

    #[test]
    fn quoted_names_with_spaces_and_tabs() {
        let text = "PERFORMER \"Some  Body\"\nFILE\t\"My Disc  (Live).wav\"\tWAVE\nTRACK 01 AUDIO\n\tTITLE \"\"\nINDEX 01 00:00:00 \t\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.performer, spanned("Some  Body", 1, 11));
        assert_eq!(
            sheet.files[0].name,
            Spanned::new("My Disc  (Live).wav".to_owned(), pos(2, 6))
        );
        assert_eq!(sheet.files[0].tracks[0].title, spanned("", 4, 8));
    }

    #[test]
    fn unquoted_names_keep_inner_quotes() {
        let sheet =
            parse("FILE it's\"odd\".wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n").unwrap();
        assert_eq!(sheet.files[0].name.value, "it's\"odd\".wav");
    }

    #[test]
    fn lowercase_keywords() {
        let text = "catalog 1234567890123\ncdtextfile \"disc.cdt\"\ntitle \"x\"\nfile \"a.bin\" binary\ntrack 01 mode1/2048\nflags dcp 4ch pre scms\nisrc ABCDE1234567\npregap 00:02:00\nindex 00 00:00:00\nindex 01 00:02:00\npostgap 00:01:00\nrem genre rock\ntrack 2 cdi/2352\nindex 1 00:10:00\nfile b.bin Motorola\nTrack 3 Mode2/2336\nIndex 1 00:00:00\nfile c.bin binary\ntrack 4 cdi/2336\nindex 1 00:00:00\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.catalog, spanned("1234567890123", 1, 9));
        assert_eq!(sheet.cdtext_file, spanned("disc.cdt", 2, 12));
        let tracks: Vec<_> = sheet.tracks().collect();
        assert_eq!(tracks[0].mode, TrackMode::Mode1_2048);
        assert_eq!(
            tracks[0].flags,
            Flags {
                dcp: true,
                four_channel: true,
                pre_emphasis: true,
                scms: true,
            }
        );
        assert_eq!(tracks[0].rems, vec![rem("GENRE", "rock", 12, 1)]);
        assert_eq!(tracks[0].pregap, Some(150));
        assert_eq!(tracks[0].postgap, Some(75));
        assert_eq!(tracks[1].mode, TrackMode::Cdi_2352);
        assert_eq!(tracks[2].mode, TrackMode::Mode2_2336);
        assert_eq!(tracks[3].mode, TrackMode::Cdi_2336);
        assert_eq!(sheet.files[1].kind, FileKind::Motorola);
    }

    #[test]
    fn rem_lines_never_fail() {
        let text = "REM\nREM   \nREM DISCID\nREM comment \"unterminated\nREM x \"\"\nREM  TAB\t\"a \"b\" c\"\t\nREM \"\"\"\nFILE a.wav WAVE\nREM BETWEEN file and track\nTRACK 01 AUDIO\nREM REPLAYGAIN_TRACK_GAIN -7.89 dB\nINDEX 01 00:00:00\n";
        let sheet = parse(text).unwrap();
        assert_eq!(
            sheet.rems,
            vec![
                rem("", "", 1, 1),
                rem("", "", 2, 1),
                rem("DISCID", "", 3, 1),
                rem("COMMENT", "\"unterminated", 4, 1),
                rem("X", "", 5, 1),
                rem("TAB", "a \"b\" c", 6, 1),
                rem("\"\"\"", "", 7, 1),
                rem("BETWEEN", "file and track", 9, 1),
            ]
        );
        assert_eq!(
            sheet.files[0].tracks[0].rems,
            vec![rem("REPLAYGAIN_TRACK_GAIN", "-7.89 dB", 11, 1)]
        );
    }

    #[test]
    fn metadata_after_a_file_line_belongs_to_the_previous_track() {
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nFILE b.wav WAVE\nTITLE \"one\"\nREM X y\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.title, None);
        assert!(sheet.rems.is_empty());
        let first = &sheet.files[0].tracks[0];
        assert_eq!(first.title, spanned("one", 5, 7));
        assert_eq!(first.rems, vec![rem("X", "y", 6, 1)]);
    }

    #[test]
    fn columns_count_characters() {
        let (line, column, kind) = fail("TITLE \"Ünïcödé\" extra\n");
        assert_eq!((line, column), (1, 17));
        assert_eq!(
            kind,
            CueErrorKind::ExtraArgument {
                command: "TITLE",
                token: "extra".to_owned(),
            }
        );
    }

    #[test]
    fn largest_time_is_accepted() {
        let sheet = parse("FILE a.wav WAVE\nTRACK 99 AUDIO\nINDEX 01 99:59:74\n").unwrap();
        let track = &sheet.files[0].tracks[0];
        assert_eq!(track.number, 99);
        assert_eq!(track.indexes[0].frames, (99 * 60 + 59) * 75 + 74);
    }

    #[test]
    fn index_positions_restart_in_each_file() {
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 05:00:00\nFILE b.wav WAVE\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n";
        assert!(parse(text).is_ok());
    }

    #[test]
    fn equal_index_positions_are_fine() {
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 00 00:00:00\nINDEX 01 00:00:00\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n";
        assert!(parse(text).is_ok());
    }

    #[test]
    fn isrc_is_accepted_after_indexes() {
        let sheet = parse(&format!("{HEAD}ISRC USABC9900001\n")).unwrap();
        assert_eq!(sheet.files[0].tracks[0].isrc, spanned("USABC9900001", 4, 6));
    }

    // ---- errors ----

    #[test]
    fn error_display() {
        let error = parse("FILE a.wav WAVE\n\n  ARRANGER \"x\"\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 3, column 3: unknown command \"ARRANGER\""
        );
        let error = parse(&format!("{HEAD}TRACK 03 AUDIO\n")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 4, column 7: track 3 does not follow track 1"
        );
        let error = parse(&format!("{HEAD}INDEX 02 00:00:01\nINDEX 03 00:00:00\n")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 5, column 10: index at 00:00:00 is before the previous index at 00:00:01"
        );
    }

    #[test]
    fn unknown_command() {
        let kind = CueErrorKind::UnknownCommand {
            command: "ARRANGER".to_owned(),
        };
        assert_eq!(fail("  ARRANGER \"Someone\"\n"), (1, 3, kind));
        let kind = CueErrorKind::UnknownCommand {
            command: "\"TITLE\"".to_owned(),
        };
        assert_eq!(fail("\"TITLE\" x\n"), (1, 1, kind));
    }

    #[test]
    fn unterminated_quote() {
        assert_eq!(
            fail("FILE \"a b.wav WAVE\n"),
            (1, 6, CueErrorKind::UnterminatedQuote)
        );
        assert_eq!(
            fail(&format!("{HEAD}TITLE \"x\n")),
            (4, 7, CueErrorKind::UnterminatedQuote)
        );
    }

    #[test]
    fn text_after_quote() {
        assert_eq!(
            fail("FILE \"a\"b.wav WAVE\n"),
            (1, 9, CueErrorKind::TextAfterQuote)
        );
    }

    #[test]
    fn missing_arguments() {
        let missing = |command, what| CueErrorKind::MissingArgument { command, what };
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01\n"),
            (2, 1, missing("TRACK", "mode"))
        );
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK\n"),
            (2, 1, missing("TRACK", "track number"))
        );
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\n  INDEX 01\n"),
            (3, 3, missing("INDEX", "time"))
        );
        assert_eq!(fail("FILE a.wav\n"), (1, 1, missing("FILE", "file type")));
        assert_eq!(fail("TITLE\n"), (1, 1, missing("TITLE", "title")));
        assert_eq!(
            fail("CATALOG\n"),
            (1, 1, missing("CATALOG", "catalog number"))
        );
        assert_eq!(
            fail(&format!("{HEAD}FLAGS\n")),
            (4, 1, missing("FLAGS", "flag"))
        );
        assert_eq!(
            fail(&format!("{HEAD}POSTGAP\n")),
            (4, 1, missing("POSTGAP", "time"))
        );
    }

    #[test]
    fn extra_arguments() {
        let extra = |command, token: &str| CueErrorKind::ExtraArgument {
            command,
            token: token.to_owned(),
        };
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00 00:00:01\n"),
            (3, 19, extra("INDEX", "00:00:01"))
        );
        assert_eq!(
            fail("FILE a.wav WAVE more\n"),
            (1, 17, extra("FILE", "more"))
        );
        assert_eq!(fail("TITLE \"a\" \"b\"\n"), (1, 11, extra("TITLE", "b")));
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO x\n"),
            (2, 16, extra("TRACK", "x"))
        );
    }

    #[test]
    fn every_file_type_rippers_write() {
        let sheet = parse(
            "FILE a.aiff AIFF\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nFILE \"b.mp3\" mp3\nTRACK 02 AUDIO\nINDEX 01 00:00:00\nFILE c.flac Flac\nTRACK 03 AUDIO\nINDEX 01 00:00:00\nFILE d.ape APE\nTRACK 04 AUDIO\nINDEX 01 00:00:00\n",
        )
        .unwrap();
        let kinds: Vec<FileKind> = sheet.files.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FileKind::Aiff,
                FileKind::Mp3,
                FileKind::Flac,
                FileKind::OtherAudio
            ]
        );
        assert_eq!(
            sheet.warnings,
            [Spanned::new(
                "file type APE is not one the cue sheet format names (BINARY, MOTOROLA, WAVE, AIFF, MP3, FLAC); the file is read as audio, by its content".to_string(),
                pos(10, 12)
            )]
        );
    }

    #[test]
    fn flags_after_the_indexes_as_rippers_write_them() {
        let sheet =
            parse("FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 00 00:00:00\nINDEX 01 00:02:00\n  FLAGS DCP PRE\n")
                .unwrap();
        let t = &sheet.files[0].tracks[0];
        assert!(t.flags.dcp && t.flags.pre_emphasis);
        assert!(sheet.warnings.is_empty());
    }

    #[test]
    fn empty_file_name() {
        assert_eq!(
            fail("FILE \"\" WAVE\n"),
            (1, 6, CueErrorKind::EmptyFileName)
        );
    }

    #[test]
    fn invalid_track_numbers() {
        for text in ["0", "00", "100", "x1", "-1", "1.0", "99999999999999"] {
            let kind = CueErrorKind::InvalidTrackNumber {
                text: text.to_owned(),
            };
            assert_eq!(
                fail(&format!("FILE a.wav WAVE\nTRACK {text} AUDIO\n")),
                (2, 7, kind),
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_track_mode() {
        let kind = CueErrorKind::UnknownTrackMode {
            mode: "MODE3/2352".to_owned(),
        };
        assert_eq!(
            fail("FILE a.bin BINARY\nTRACK 01 MODE3/2352\n"),
            (2, 10, kind)
        );
    }

    #[test]
    fn track_out_of_sequence() {
        let kind = CueErrorKind::TrackOutOfSequence {
            previous: 1,
            found: 3,
        };
        assert_eq!(fail(&format!("{HEAD}TRACK 03 AUDIO\n")), (4, 7, kind));
        let kind = CueErrorKind::TrackOutOfSequence {
            previous: 1,
            found: 1,
        };
        assert_eq!(
            fail(&format!("{HEAD}FILE b.wav WAVE\nTRACK 1 AUDIO\n")),
            (5, 7, kind)
        );
        let kind = CueErrorKind::TrackOutOfSequence {
            previous: 99,
            found: 99,
        };
        let text = "FILE a.wav WAVE\nTRACK 99 AUDIO\nINDEX 01 00:00:00\nTRACK 99 AUDIO\n";
        assert_eq!(fail(text), (4, 7, kind));
    }

    #[test]
    fn track_before_file() {
        assert_eq!(
            fail("TITLE x\n TRACK 01 AUDIO\n"),
            (2, 2, CueErrorKind::TrackBeforeFile)
        );
    }

    #[test]
    fn missing_index_01() {
        let kind = CueErrorKind::MissingIndex01 { track: 1 };
        let text = "FILE a.wav WAVE\n  TRACK 01 AUDIO\n    INDEX 00 00:00:00\n  TRACK 02 AUDIO\n";
        assert_eq!(fail(text), (2, 3, kind.clone()));
        // At the end of the sheet.
        assert_eq!(fail("FILE a.wav WAVE\n  TRACK 01 AUDIO\n"), (2, 3, kind));
        let kind = CueErrorKind::MissingIndex01 { track: 2 };
        assert_eq!(fail(&format!("{HEAD}TRACK 02 AUDIO\n")), (4, 1, kind));
    }

    #[test]
    fn earlier_lines_are_reported_first() {
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nTRACK \"02 AUDIO\n";
        let kind = CueErrorKind::MissingIndex01 { track: 1 };
        assert_eq!(fail(text), (2, 1, kind));
        let text = "FILE a.wav WAVE\nFILE \"b.wav WAVE\n";
        assert_eq!(fail(text), (1, 1, CueErrorKind::FileWithoutTracks));
    }

    #[test]
    fn file_without_tracks() {
        let text = "FILE a.wav WAVE\nFILE b.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n";
        assert_eq!(fail(text), (1, 1, CueErrorKind::FileWithoutTracks));
        assert_eq!(
            fail(&format!("{HEAD} FILE b.wav WAVE\n")),
            (4, 2, CueErrorKind::FileWithoutTracks)
        );
    }

    #[test]
    fn no_tracks() {
        assert_eq!(fail(""), (1, 1, CueErrorKind::NoTracks));
        assert_eq!(fail("\u{feff}"), (1, 1, CueErrorKind::NoTracks));
        assert_eq!(
            fail("REM GENRE Rock\nTITLE \"x\"\n\n"),
            (1, 1, CueErrorKind::NoTracks)
        );
    }

    #[test]
    fn invalid_index_number() {
        for text in ["100", "a", "-0"] {
            let kind = CueErrorKind::InvalidIndexNumber {
                text: text.to_owned(),
            };
            assert_eq!(
                fail(&format!("{HEAD}INDEX {text} 00:00:00\n")),
                (4, 7, kind)
            );
        }
    }

    #[test]
    fn first_index_must_be_00_or_01() {
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 02 00:00:00\n";
        let kind = CueErrorKind::FirstIndexNotZeroOrOne { found: 2 };
        assert_eq!(fail(text), (3, 7, kind));
    }

    #[test]
    fn index_out_of_sequence() {
        let kind = CueErrorKind::IndexOutOfSequence {
            previous: 0,
            found: 2,
        };
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 00 00:00:00\nINDEX 02 00:00:01\n";
        assert_eq!(fail(text), (4, 7, kind));
        let kind = CueErrorKind::IndexOutOfSequence {
            previous: 1,
            found: 1,
        };
        assert_eq!(fail(&format!("{HEAD}INDEX 01 00:00:01\n")), (4, 7, kind));
        let kind = CueErrorKind::IndexOutOfSequence {
            previous: 1,
            found: 0,
        };
        assert_eq!(fail(&format!("{HEAD}INDEX 00 00:00:01\n")), (4, 7, kind));
    }

    #[test]
    fn index_position_decreasing() {
        let kind = CueErrorKind::IndexPositionDecreasing {
            frames: 74,
            previous: 75,
        };
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 00 00:01:00\nINDEX 01 00:00:74\n";
        assert_eq!(fail(text), (4, 10, kind));
        // Across tracks of the same file.
        let kind = CueErrorKind::IndexPositionDecreasing {
            frames: 0,
            previous: 4500,
        };
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 01:00:00\nTRACK 02 AUDIO\nINDEX 00 00:00:00\n";
        assert_eq!(fail(text), (5, 10, kind));
    }

    #[test]
    fn malformed_times() {
        for time in [
            "00:00",
            "aa:bb:cc",
            "00:00:00:00",
            "0::0",
            ":00:00",
            "1:2:3x",
            "00.00.00",
        ] {
            let kind = CueErrorKind::MalformedTime {
                text: time.to_owned(),
            };
            assert_eq!(
                fail(&format!("{HEAD}INDEX 02 {time}\n")),
                (4, 10, kind),
                "{time}"
            );
        }
        let kind = CueErrorKind::MalformedTime {
            text: "2s".to_owned(),
        };
        let text = "FILE a.wav WAVE\nTRACK 01 AUDIO\nPREGAP 2s\n";
        assert_eq!(fail(text), (3, 8, kind));
    }

    #[test]
    fn times_out_of_range() {
        for time in ["00:60:00", "00:00:75", "100:00:00", "0:0:999999999999"] {
            let kind = CueErrorKind::TimeOutOfRange {
                text: time.to_owned(),
            };
            assert_eq!(
                fail(&format!("{HEAD}INDEX 02 {time}\n")),
                (4, 10, kind),
                "{time}"
            );
        }
        let kind = CueErrorKind::TimeOutOfRange {
            text: "00:00:80".to_owned(),
        };
        assert_eq!(fail(&format!("{HEAD}POSTGAP 00:00:80\n")), (4, 9, kind));
    }

    #[test]
    fn commands_outside_a_track() {
        assert_eq!(
            fail("FILE a.wav WAVE\nINDEX 01 00:00:00\n"),
            (2, 1, outside("INDEX"))
        );
        assert_eq!(fail("INDEX 01 00:00:00\n"), (1, 1, outside("INDEX")));
        assert_eq!(
            fail(&format!("{HEAD}FILE b.wav WAVE\nINDEX 02 00:00:00\n")),
            (5, 1, outside("INDEX"))
        );
        assert_eq!(fail("PREGAP 00:02:00\n"), (1, 1, outside("PREGAP")));
        assert_eq!(
            fail(&format!("{HEAD}FILE b.wav WAVE\nPOSTGAP 00:02:00\n")),
            (5, 1, outside("POSTGAP"))
        );
        assert_eq!(fail("FLAGS DCP\n"), (1, 1, outside("FLAGS")));
        assert_eq!(fail("ISRC USABC9900001\n"), (1, 1, outside("ISRC")));
    }

    #[test]
    fn duplicates() {
        assert_eq!(
            fail("TITLE a\nPERFORMER b\nTITLE c\n"),
            (3, 1, duplicate("TITLE", 1))
        );
        assert_eq!(
            fail("SONGWRITER a\nSONGWRITER b\n"),
            (2, 1, duplicate("SONGWRITER", 1))
        );
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nPERFORMER a\nPERFORMER b\n"),
            (4, 1, duplicate("PERFORMER", 3))
        );
        assert_eq!(
            fail("CATALOG 1\nCATALOG 2\n"),
            (2, 1, duplicate("CATALOG", 1))
        );
        assert_eq!(
            fail("CDTEXTFILE a\nCDTEXTFILE b\n"),
            (2, 1, duplicate("CDTEXTFILE", 1))
        );
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nISRC A\nINDEX 01 00:00:00\nISRC B\n"),
            (5, 1, duplicate("ISRC", 3))
        );
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nPREGAP 00:02:00\nPREGAP 00:02:00\n"),
            (4, 1, duplicate("PREGAP", 3))
        );
        assert_eq!(
            fail(&format!("{HEAD}POSTGAP 00:02:00\nPOSTGAP 00:02:00\n")),
            (5, 1, duplicate("POSTGAP", 4))
        );
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nFLAGS DCP\nFLAGS PRE\n"),
            (4, 1, duplicate("FLAGS", 3))
        );
    }

    #[test]
    fn disc_and_track_scopes_are_separate() {
        let text = "TITLE disc\nFILE a.wav WAVE\nTRACK 01 AUDIO\nTITLE one\nINDEX 01 00:00:00\nTRACK 02 AUDIO\nTITLE two\nINDEX 01 00:01:00\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.title, spanned("disc", 1, 7));
        let titles: Vec<_> = sheet
            .tracks()
            .filter_map(|t| t.title.as_ref().map(|s| s.value.as_str()))
            .collect();
        assert_eq!(titles, ["one", "two"]);
    }

    #[test]
    fn commands_too_late() {
        assert_eq!(
            fail("FILE a.wav WAVE\nCATALOG 0123456789012\n"),
            (2, 1, too_late("CATALOG", "the first FILE"))
        );
        assert_eq!(
            fail(&format!("{HEAD}CDTEXTFILE a.cdt\n")),
            (4, 1, too_late("CDTEXTFILE", "the first TRACK"))
        );
        assert_eq!(
            fail(&format!("{HEAD}PREGAP 00:02:00\n")),
            (4, 1, too_late("PREGAP", "the track's first INDEX"))
        );
    }

    #[test]
    fn pregap_at_the_end_of_the_previous_file() {
        // Rippers' default multi-file layout: track 2's pregap closes file 1,
        // its INDEX 01 opens file 2.
        let text = "FILE \"1.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 03:58:40\nFILE \"2.wav\" WAVE\n    INDEX 01 00:00:00\n  TRACK 03 AUDIO\n    INDEX 01 04:00:00\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.files.len(), 2);
        assert_eq!(sheet.files[0].tracks.len(), 2);
        assert_eq!(
            sheet.files[0].tracks[1].indexes,
            vec![
                index_in(0, 0, (3 * 60 + 58) * 75 + 40, 5, 5),
                index_in(1, 1, 0, 7, 5)
            ]
        );
        assert_eq!(sheet.files[1].tracks[0].number, 3);
        assert_eq!(
            sheet.files[1].tracks[0].indexes,
            vec![index_in(1, 1, 4 * 60 * 75, 9, 5)]
        );
        // A track with no index at all is still cut off by FILE.
        let (line, column, kind) = fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nFILE b.wav WAVE\n");
        assert_eq!(
            (line, column, kind),
            (2, 1, CueErrorKind::MissingIndex01 { track: 1 })
        );
    }

    #[test]
    fn postgap_before_index() {
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nPOSTGAP 00:02:00\n"),
            (3, 1, CueErrorKind::PostgapBeforeIndex)
        );
    }

    #[test]
    fn index_after_postgap() {
        assert_eq!(
            fail(&format!("{HEAD}POSTGAP 00:02:00\nINDEX 02 00:05:00\n")),
            (5, 1, CueErrorKind::IndexAfterPostgap)
        );
    }

    #[test]
    fn unknown_flag() {
        let kind = CueErrorKind::UnknownFlag {
            flag: "COPY".to_owned(),
        };
        assert_eq!(
            fail("FILE a.wav WAVE\nTRACK 01 AUDIO\nFLAGS DCP COPY\n"),
            (3, 11, kind)
        );
    }

    #[test]
    fn track_mode_tables() {
        let names: Vec<_> = TrackMode::ALL.iter().map(|m| m.cue_name()).collect();
        assert_eq!(
            names,
            [
                "AUDIO",
                "CDG",
                "MODE1/2048",
                "MODE1/2352",
                "MODE2/2336",
                "MODE2/2352",
                "CDI/2336",
                "CDI/2352"
            ]
        );
        let sizes: Vec<_> = TrackMode::ALL
            .iter()
            .map(|m| m.bytes_per_sector())
            .collect();
        assert_eq!(sizes, [2352, 2448, 2048, 2352, 2336, 2352, 2336, 2352]);
    }

    // ---- robustness ----

    /// Checks the guarantees a successful parse makes.
    fn check_invariants(sheet: &CueSheet) {
        assert!(!sheet.files.is_empty());
        for (i, file) in sheet.files.iter().enumerate() {
            let indexed = sheet
                .tracks()
                .any(|t| t.indexes.iter().any(|x| x.file == i));
            assert!(!file.tracks.is_empty() || indexed);
        }
        let mut previous: Option<u8> = None;
        let mut last: Option<(usize, u32)> = None;
        for track in sheet.tracks() {
            if let Some(previous) = previous {
                assert_eq!(track.number, previous + 1);
            }
            previous = Some(track.number);
            assert!(track.index(1).is_some());
            let first = track.indexes[0].number;
            assert!(first <= 1);
            for (offset, index) in track.indexes.iter().enumerate() {
                assert_eq!(usize::from(index.number), usize::from(first) + offset);
                // Positions never go back within a file; files only advance.
                if let Some((file, frames)) = last {
                    assert!(index.file > file || (index.file == file && index.frames >= frames));
                }
                last = Some((index.file, index.frames));
            }
        }
    }

    fn sheet_line() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "FILE",
            "TRACK",
            "INDEX",
            "PREGAP",
            "POSTGAP",
            "FLAGS",
            "ISRC",
            "CATALOG",
            "CDTEXTFILE",
            "TITLE",
            "PERFORMER",
            "SONGWRITER",
            "REM",
            "rem",
            "file",
            "01",
            "1",
            "00",
            "02",
            "99",
            "100",
            "AUDIO",
            "CDG",
            "MODE1/2352",
            "WAVE",
            "BINARY",
            "AIFF",
            "00:00:00",
            "00:02:00",
            "99:59:74",
            "00:60:00",
            "::",
            "\"a b\"",
            "\"",
            "\"\"",
            "DCP",
            "4CH",
            "x",
            "\u{feff}",
            "É",
            "\t",
        ]);
        let ending = prop::sample::select(vec!["\n", "\r\n", "\r", ""]);
        (prop::collection::vec(word, 0..5), ending)
            .prop_map(|(words, ending)| words.join(" ") + ending)
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn never_panics_on_command_soup(lines in prop::collection::vec(sheet_line(), 0..40)) {
            if let Ok(sheet) = parse(&lines.concat()) {
                check_invariants(&sheet);
            }
        }

        #[test]
        fn never_panics_on_mutated_sheets(
            edits in prop::collection::vec((0_u8..4, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..6),
            mixed in any::<bool>(),
        ) {
            let base = if mixed { MIXED_SHEET } else { EAC_SHEET };
            let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
            for (op, a, b) in edits {
                if lines.is_empty() {
                    break;
                }
                let i = a.index(lines.len());
                let j = b.index(lines.len());
                match op {
                    0 => { lines.remove(i); }
                    1 => { let line = lines[i].clone(); lines.insert(j, line); }
                    2 => lines.swap(i, j),
                    _ => {
                        let cut = b.index(lines[i].len() + 1);
                        let cut = (0..=cut).rev().find(|c| lines[i].is_char_boundary(*c)).unwrap_or(0);
                        lines[i].truncate(cut);
                    }
                }
            }
            if let Ok(sheet) = parse(&lines.join("\n")) {
                check_invariants(&sheet);
            }
        }
    }
}
