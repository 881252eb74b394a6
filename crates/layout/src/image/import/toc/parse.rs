//! The toc file's tokens and statements (cdrdao's grammar, `cdrdao(1)`
//! "TOC FILES"), with where each one is.

use super::super::{Pos, ReadError};

/// A part of a quoted string: a character as written, or a byte given as
/// an octal escape (`\351`), which belongs to the block's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StrPart {
    /// A character.
    Char(char),
    /// An escaped byte.
    Byte(u8),
}

/// A length or position: `MM:SS:FF` (sectors) or a count of samples
/// (audio) or bytes (data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Len {
    /// Sectors.
    Msf(u32),
    /// Samples or bytes.
    Count(u64),
}

/// A track mode keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TocMode {
    Audio,
    Mode0,
    Mode1,
    Mode1Raw,
    Mode2,
    Mode2Form1,
    Mode2Form2,
    Mode2FormMix,
    Mode2Raw,
}

impl TocMode {
    const ALL: [(TocMode, &'static str); 9] = [
        (TocMode::Audio, "AUDIO"),
        (TocMode::Mode0, "MODE0"),
        (TocMode::Mode1, "MODE1"),
        (TocMode::Mode1Raw, "MODE1_RAW"),
        (TocMode::Mode2, "MODE2"),
        (TocMode::Mode2Form1, "MODE2_FORM1"),
        (TocMode::Mode2Form2, "MODE2_FORM2"),
        (TocMode::Mode2FormMix, "MODE2_FORM_MIX"),
        (TocMode::Mode2Raw, "MODE2_RAW"),
    ];

    fn from_word(w: &str) -> Option<TocMode> {
        TocMode::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(w))
            .map(|(m, _)| *m)
    }

    /// The keyword.
    pub(super) fn name(self) -> &'static str {
        TocMode::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("?", |(_, n)| n)
    }
}

/// A sub-channel mode keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SubMode {
    /// `RW`: packed R-W.
    Packed,
    /// `RW_RAW`: raw interleaved R-W.
    Raw,
}

/// The session type keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TocType {
    CdDa,
    CdRom,
    CdRomXa,
    CdI,
}

/// A CD-TEXT item's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TextValue {
    /// A quoted string.
    Str(Vec<StrPart>),
    /// `{ n, n, … }`.
    Binary(Vec<u8>),
}

/// One statement of a `LANGUAGE n { … }` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TextItem {
    /// `TITLE "…"` and the other items, by keyword (uppercase).
    Item {
        /// The keyword.
        name: String,
        /// Its value.
        value: TextValue,
    },
    /// `ENCODING_…` (cdrdao 1.2.5 and later), by keyword (uppercase).
    Encoding(String),
}

/// A `LANGUAGE n { … }` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TextBlock {
    /// Where `LANGUAGE` is.
    pub pos: Pos,
    /// The block number.
    pub block: u8,
    /// Its statements with where each is.
    pub items: Vec<(Pos, TextItem)>,
}

/// A `CD_TEXT { … }` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct CdTextDef {
    /// Where `CD_TEXT` is.
    pub pos: Pos,
    /// `LANGUAGE_MAP` entries: block number, language code.
    pub map: Vec<(Pos, u8, u8)>,
    /// The language blocks.
    pub blocks: Vec<TextBlock>,
}

/// A statement that adds sectors to a track, or marks a position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Item {
    /// `FILE`/`AUDIOFILE "name" [SWAP] [#offset] start [length]`.
    Audio {
        /// Index into [`Statements::files`].
        source: usize,
        /// `#offset`: bytes.
        offset: u64,
        /// Start: samples.
        start: Len,
        /// Length: samples; `None` (or 0) to the end of the file.
        length: Option<Len>,
    },
    /// `DATAFILE "name" [#offset] [length]`.
    Data {
        /// Index into [`Statements::files`].
        source: usize,
        /// `#offset`: bytes.
        offset: u64,
        /// Length: bytes; `None` to the end of the file.
        length: Option<Len>,
    },
    /// `SILENCE length`: samples.
    Silence(Len),
    /// `ZERO [mode] [sub-channel mode] length`: bytes of that mode.
    Zero {
        /// The data mode, when given.
        mode: Option<TocMode>,
        /// The sub-channel mode, when given.
        sub: Option<SubMode>,
        /// Length.
        length: Len,
    },
    /// `START [MM:SS:FF]`.
    Start(Option<u32>),
    /// `END [MM:SS:FF]`.
    End(Option<u32>),
}

/// A `TRACK` and its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Track {
    /// Where `TRACK` is.
    pub pos: Pos,
    /// Track mode.
    pub mode: TocMode,
    /// Sub-channel mode.
    pub sub: Option<SubMode>,
    /// `ISRC "…"` and where its value is.
    pub isrc: Option<(Pos, String)>,
    /// `[NO] COPY`.
    pub copy: bool,
    /// `[NO] PRE_EMPHASIS` and where it is (set only).
    pub pre_emphasis: Option<Pos>,
    /// `FOUR_CHANNEL_AUDIO` and where it is (set only).
    pub four_channel: Option<Pos>,
    /// The track's `CD_TEXT`.
    pub cdtext: Option<CdTextDef>,
    /// `PREGAP MM:SS:FF`: sectors.
    pub pregap: Option<(Pos, u32)>,
    /// The statements that make up the track.
    pub items: Vec<(Pos, Item)>,
    /// `INDEX MM:SS:FF`: sectors from index 1.
    pub indexes: Vec<(Pos, u32)>,
}

/// A file a statement names: the name, whether audio is read from it,
/// whether `SWAP` was given, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileRef {
    pub name: String,
    pub audio: bool,
    pub swap: bool,
    pub pos: Pos,
}

/// The statements of a toc file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Statements {
    /// `CATALOG` and where its value is (the last one given).
    pub catalog: Option<(Pos, String)>,
    /// The session type (the last one given).
    pub toc_type: Option<(Pos, TocType)>,
    /// The global `CD_TEXT`.
    pub cdtext: Option<CdTextDef>,
    /// The tracks.
    pub tracks: Vec<Track>,
    /// The files the statements name, in order of first use; items refer
    /// to them by position.
    pub files: Vec<FileRef>,
}

/// Parses the statements of a toc file.
///
/// ## Errors
///
/// [`ReadError`] at the first token that does not fit cdrdao's grammar.
pub(super) fn statements(text: &str) -> Result<Statements, ReadError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        at: 0,
        out: Statements::default(),
    };
    p.toc()?;
    Ok(p.out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Number(u64, String),
    Str(Vec<StrPart>),
    Sym(char),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Pos,
}

impl Token {
    fn describe(&self) -> String {
        match &self.tok {
            Tok::Word(w) => format!("\"{w}\""),
            Tok::Number(_, digits) => format!("\"{digits}\""),
            Tok::Str(_) => "a string".into(),
            Tok::Sym(c) => format!("\"{c}\""),
            Tok::Eof => "the end of the file".into(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<Token>, ReadError> {
    let mut tokens = Vec::new();
    for (line, content) in super::super::lines(text) {
        let chars: Vec<char> = content.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let pos = Pos::new(line, i as u32 + 1);
            if c.is_whitespace() {
                i += 1;
            } else if c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            } else if c == '"' {
                let (parts, next) = string(&chars, i + 1)
                    .ok_or_else(|| ReadError::at(pos, "missing closing quote"))?;
                tokens.push(Token {
                    tok: Tok::Str(parts),
                    pos,
                });
                i = next;
            } else if c.is_ascii_digit() {
                let start = i;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                let n = digits
                    .parse()
                    .map_err(|_| ReadError::at(pos, format!("number {digits} is too large")))?;
                tokens.push(Token {
                    tok: Tok::Number(n, digits),
                    pos,
                });
            } else if c.is_ascii_alphabetic() || c == '_' {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Word(
                        chars[start..i]
                            .iter()
                            .collect::<String>()
                            .to_ascii_uppercase(),
                    ),
                    pos,
                });
            } else if matches!(c, '{' | '}' | ':' | ',' | '#') {
                tokens.push(Token {
                    tok: Tok::Sym(c),
                    pos,
                });
                i += 1;
            } else {
                return Err(ReadError::at(pos, format!("unexpected character '{c}'")));
            }
        }
    }
    let end = tokens.last().map_or(Pos::new(1, 1), |t| t.pos);
    tokens.push(Token {
        tok: Tok::Eof,
        pos: end,
    });
    Ok(tokens)
}

/// The parts of a string whose text starts at `chars[from]`, and the index
/// after its closing quote; `None` without one on the line.
fn string(chars: &[char], from: usize) -> Option<(Vec<StrPart>, usize)> {
    let mut parts = Vec::new();
    let mut i = from;
    loop {
        match *chars.get(i)? {
            '"' => return Some((parts, i + 1)),
            '\\' if chars.get(i + 1) == Some(&'"') => {
                parts.push(StrPart::Char('"'));
                i += 2;
            }
            // As cdrdao reads it: one backslash.
            '\\' if chars.get(i + 1) == Some(&'\\') => {
                parts.push(StrPart::Char('\\'));
                i += 2;
            }
            '\\' if chars
                .get(i + 1..i + 4)
                .is_some_and(|d| d.iter().all(|c| c.is_ascii_digit())) =>
            {
                let value = chars[i + 1..i + 4]
                    .iter()
                    .fold(0u32, |v, c| v * 8 + c.to_digit(10).unwrap_or(0));
                parts.push(StrPart::Byte(value as u8));
                i += 4;
            }
            c => {
                parts.push(StrPart::Char(c));
                i += 1;
            }
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    out: Statements,
}

impl Parser {
    fn peek(&self) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[self.at.min(last)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(x) if x == w)
    }

    fn is_sym(&self, c: char) -> bool {
        self.peek().tok == Tok::Sym(c)
    }

    fn unexpected(&self, wanted: &str) -> ReadError {
        let t = self.peek();
        ReadError::at(t.pos, format!("expected {wanted}, found {}", t.describe()))
    }

    fn sym(&mut self, c: char) -> Result<Pos, ReadError> {
        if self.is_sym(c) {
            Ok(self.next().pos)
        } else {
            Err(self.unexpected(&format!("\"{c}\"")))
        }
    }

    fn number(&mut self, what: &str) -> Result<(Pos, u64), ReadError> {
        match self.peek().tok {
            Tok::Number(n, _) => Ok((self.next().pos, n)),
            _ => Err(self.unexpected(what)),
        }
    }

    fn byte(&mut self, what: &str) -> Result<(Pos, u8), ReadError> {
        let (pos, n) = self.number(what)?;
        let b = u8::try_from(n)
            .map_err(|_| ReadError::at(pos, format!("{what} {n} is larger than 255")))?;
        Ok((pos, b))
    }

    fn string(&mut self, what: &str) -> Result<(Pos, Vec<StrPart>), ReadError> {
        match &self.peek().tok {
            Tok::Str(parts) => {
                let parts = parts.clone();
                Ok((self.next().pos, parts))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// A string read as plain text (file names, ISRC, catalog): escaped
    /// bytes as Latin-1.
    fn text(&mut self, what: &str) -> Result<(Pos, String), ReadError> {
        let (pos, parts) = self.string(what)?;
        Ok((pos, latin1(&parts)))
    }

    /// `MM:SS:FF` as sectors, its first number already next.
    fn msf(&mut self) -> Result<(Pos, u32), ReadError> {
        let (pos, m) = self.number("a time (MM:SS:FF)")?;
        self.sym(':')?;
        let (spos, s) = self.number("seconds")?;
        self.sym(':')?;
        let (fpos, f) = self.number("frames")?;
        if s > 59 {
            return Err(ReadError::at(
                spos,
                format!("seconds {s} out of range (0 to 59)"),
            ));
        }
        if f > 74 {
            return Err(ReadError::at(
                fpos,
                format!("frames {f} out of range (0 to 74)"),
            ));
        }
        let too_long = || ReadError::at(pos, format!("time {m}:{s}:{f} is too long"));
        let frames = m
            .checked_mul(60)
            .and_then(|v| v.checked_add(s))
            .and_then(|v| v.checked_mul(75))
            .and_then(|v| v.checked_add(f))
            .ok_or_else(too_long)?;
        let frames = u32::try_from(frames).map_err(|_| too_long())?;
        Ok((pos, frames))
    }

    /// A time or a plain count.
    fn len(&mut self, what: &str) -> Result<Len, ReadError> {
        if !matches!(self.peek().tok, Tok::Number(..)) {
            return Err(self.unexpected(what));
        }
        if self
            .tokens
            .get(self.at + 1)
            .is_some_and(|t| t.tok == Tok::Sym(':'))
        {
            Ok(Len::Msf(self.msf()?.1))
        } else {
            Ok(Len::Count(self.number(what)?.1))
        }
    }

    fn opt_len(&mut self, what: &str) -> Result<Option<Len>, ReadError> {
        if matches!(self.peek().tok, Tok::Number(..)) {
            self.len(what).map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_msf(&mut self) -> Result<Option<u32>, ReadError> {
        if matches!(self.peek().tok, Tok::Number(..)) {
            Ok(Some(self.msf()?.1))
        } else {
            Ok(None)
        }
    }

    fn toc(&mut self) -> Result<(), ReadError> {
        loop {
            let t = self.peek().clone();
            let Tok::Word(w) = &t.tok else {
                break;
            };
            match w.as_str() {
                "CATALOG" => {
                    self.next();
                    let value = match &self.peek().tok {
                        // Digits as written: leading zeros count.
                        Tok::Number(_, digits) => {
                            let digits = digits.clone();
                            (self.next().pos, digits)
                        }
                        _ => self.text("the catalog number in quotes")?,
                    };
                    self.out.catalog = Some(value);
                }
                "CD_DA" | "CD_ROM" | "CD_ROM_XA" | "CD_I" => {
                    self.next();
                    let ty = match w.as_str() {
                        "CD_DA" => TocType::CdDa,
                        "CD_ROM" => TocType::CdRom,
                        "CD_ROM_XA" => TocType::CdRomXa,
                        _ => TocType::CdI,
                    };
                    self.out.toc_type = Some((t.pos, ty));
                }
                "CD_TEXT" => {
                    if self.out.cdtext.is_some() {
                        return Err(ReadError::at(t.pos, "a second global CD_TEXT block"));
                    }
                    let def = self.cdtext(true)?;
                    self.out.cdtext = Some(def);
                }
                _ => break,
            }
        }
        if !self.is_word("TRACK") {
            return Err(
                self.unexpected("CATALOG, CD_DA, CD_ROM, CD_ROM_XA, CD_I, CD_TEXT or TRACK")
            );
        }
        while self.is_word("TRACK") {
            let track = self.track()?;
            self.out.tracks.push(track);
        }
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected("TRACK or the end of the file"));
        }
        Ok(())
    }

    fn cdtext(&mut self, global: bool) -> Result<CdTextDef, ReadError> {
        let pos = self.next().pos;
        self.sym('{')?;
        let mut def = CdTextDef {
            pos,
            ..CdTextDef::default()
        };
        if global && self.is_word("LANGUAGE_MAP") {
            self.next();
            self.sym('{')?;
            while !self.is_sym('}') {
                let (bpos, block) = self.byte("a block number")?;
                self.sym(':')?;
                let language = if self.is_word("EN") {
                    self.next();
                    crate::cdtext::tables::ENGLISH
                } else {
                    self.byte("a language code or EN")?.1
                };
                def.map.push((bpos, block, language));
            }
            self.sym('}')?;
        }
        while self.is_word("LANGUAGE") {
            let lpos = self.next().pos;
            let (bpos, block) = self.byte("a block number")?;
            if block > 7 {
                return Err(ReadError::at(
                    bpos,
                    format!("block number {block} out of range (0 to 7)"),
                ));
            }
            self.sym('{')?;
            let mut items = Vec::new();
            loop {
                let t = self.peek().clone();
                match &t.tok {
                    Tok::Sym('}') => break,
                    Tok::Word(w) if w.starts_with("ENCODING_") => {
                        self.next();
                        items.push((t.pos, TextItem::Encoding(w.clone())));
                    }
                    Tok::Word(w) if TEXT_ITEMS.contains(&w.as_str()) => {
                        self.next();
                        let value = if self.is_sym('{') {
                            self.next();
                            let mut bytes = Vec::new();
                            while !self.is_sym('}') {
                                if !bytes.is_empty() {
                                    self.sym(',')?;
                                }
                                bytes.push(self.byte("a byte (0 to 255)")?.1);
                            }
                            self.sym('}')?;
                            TextValue::Binary(bytes)
                        } else {
                            TextValue::Str(self.string("a string or { bytes }")?.1)
                        };
                        items.push((
                            t.pos,
                            TextItem::Item {
                                name: w.clone(),
                                value,
                            },
                        ));
                    }
                    _ => {
                        return Err(
                            self.unexpected("a CD-TEXT item (TITLE, PERFORMER, …) or \"}\"")
                        );
                    }
                }
            }
            self.sym('}')?;
            def.blocks.push(TextBlock {
                pos: lpos,
                block,
                items,
            });
        }
        self.sym('}')?;
        Ok(def)
    }

    fn track(&mut self) -> Result<Track, ReadError> {
        let pos = self.next().pos;
        let mode = match &self.peek().tok {
            Tok::Word(w) => TocMode::from_word(w).filter(|m| *m != TocMode::Mode0),
            _ => None,
        }
        .ok_or_else(|| {
            self.unexpected("a track mode (AUDIO, MODE1, MODE1_RAW, MODE2, MODE2_FORM1, MODE2_FORM2, MODE2_FORM_MIX, MODE2_RAW)")
        })?;
        self.next();
        let sub = self.opt_sub();
        let mut track = Track {
            pos,
            mode,
            sub,
            isrc: None,
            copy: false,
            pre_emphasis: None,
            four_channel: None,
            cdtext: None,
            pregap: None,
            items: Vec::new(),
            indexes: Vec::new(),
        };
        // Flags, CD-TEXT and PREGAP come before the data statements.
        loop {
            let t = self.peek().clone();
            let Tok::Word(w) = &t.tok else { break };
            match w.as_str() {
                "ISRC" => {
                    self.next();
                    track.isrc = Some(self.text("the ISRC in quotes")?);
                }
                "NO" => {
                    self.next();
                    if self.is_word("COPY") {
                        track.copy = false;
                    } else if self.is_word("PRE_EMPHASIS") {
                        track.pre_emphasis = None;
                    } else {
                        return Err(self.unexpected("COPY or PRE_EMPHASIS after NO"));
                    }
                    self.next();
                }
                "COPY" => {
                    self.next();
                    track.copy = true;
                }
                "PRE_EMPHASIS" => {
                    self.next();
                    track.pre_emphasis = Some(t.pos);
                }
                "TWO_CHANNEL_AUDIO" => {
                    self.next();
                    track.four_channel = None;
                }
                "FOUR_CHANNEL_AUDIO" => {
                    self.next();
                    track.four_channel = Some(t.pos);
                }
                "CD_TEXT" => {
                    if track.cdtext.is_some() {
                        return Err(ReadError::at(t.pos, "a second CD_TEXT block in this track"));
                    }
                    track.cdtext = Some(self.cdtext(false)?);
                }
                "PREGAP" => {
                    self.next();
                    if track.pregap.is_some() {
                        return Err(ReadError::at(t.pos, "a second PREGAP in this track"));
                    }
                    track.pregap = Some((t.pos, self.msf()?.1));
                }
                _ => break,
            }
        }
        loop {
            let t = self.peek().clone();
            let Tok::Word(w) = &t.tok else { break };
            let item = match w.as_str() {
                "FILE" | "AUDIOFILE" => {
                    self.next();
                    let (fpos, name) = self.text("a file name in quotes")?;
                    let swap = self.is_word("SWAP");
                    if swap {
                        self.next();
                    }
                    let offset = self.opt_offset()?;
                    let start = self.len("the start (samples or MM:SS:FF)")?;
                    let length = self.opt_len("a length")?;
                    let source = self.file(name, true, swap, fpos);
                    Item::Audio {
                        source,
                        offset,
                        start,
                        length,
                    }
                }
                "DATAFILE" => {
                    self.next();
                    let (fpos, name) = self.text("a file name in quotes")?;
                    let offset = self.opt_offset()?;
                    let length = self.opt_len("a length")?;
                    let source = self.file(name, mode == TocMode::Audio, false, fpos);
                    Item::Data {
                        source,
                        offset,
                        length,
                    }
                }
                "FIFO" => {
                    return Err(ReadError::at(
                        t.pos,
                        "FIFO is not supported; rawburn reads files",
                    ));
                }
                "SILENCE" => {
                    self.next();
                    Item::Silence(self.len("a length (samples or MM:SS:FF)")?)
                }
                "ZERO" => {
                    self.next();
                    let zmode = match &self.peek().tok {
                        Tok::Word(w) => TocMode::from_word(w),
                        _ => None,
                    };
                    if zmode.is_some() {
                        self.next();
                    }
                    let zsub = self.opt_sub();
                    Item::Zero {
                        mode: zmode,
                        sub: zsub,
                        length: self.len("a length (bytes or MM:SS:FF)")?,
                    }
                }
                "START" => {
                    self.next();
                    Item::Start(self.opt_msf()?)
                }
                "END" => {
                    self.next();
                    Item::End(self.opt_msf()?)
                }
                _ => break,
            };
            track.items.push((t.pos, item));
        }
        if track.items.is_empty() {
            return Err(self.unexpected("FILE, AUDIOFILE, DATAFILE, SILENCE, ZERO or START"));
        }
        while self.is_word("INDEX") {
            let ipos = self.next().pos;
            let (_, frames) = self.msf()?;
            track.indexes.push((ipos, frames));
        }
        if !self.is_word("TRACK") && self.peek().tok != Tok::Eof {
            return Err(self.unexpected("INDEX, TRACK or the end of the file"));
        }
        Ok(track)
    }

    fn opt_sub(&mut self) -> Option<SubMode> {
        let sub = if self.is_word("RW") {
            Some(SubMode::Packed)
        } else if self.is_word("RW_RAW") {
            Some(SubMode::Raw)
        } else {
            None
        };
        if sub.is_some() {
            self.next();
        }
        sub
    }

    fn opt_offset(&mut self) -> Result<u64, ReadError> {
        if self.is_sym('#') {
            self.next();
            Ok(self.number("a byte offset after #")?.1)
        } else {
            Ok(0)
        }
    }

    /// The position of a file in [`Statements::files`], added on first use.
    fn file(&mut self, name: String, audio: bool, swap: bool, pos: Pos) -> usize {
        if let Some(k) = self
            .out
            .files
            .iter()
            .position(|f| f.name == name && f.audio == audio && f.swap == swap)
        {
            return k;
        }
        self.out.files.push(FileRef {
            name,
            audio,
            swap,
            pos,
        });
        self.out.files.len() - 1
    }
}

/// The item keywords of a CD-TEXT block.
const TEXT_ITEMS: [&str; 18] = [
    "TITLE",
    "PERFORMER",
    "SONGWRITER",
    "COMPOSER",
    "ARRANGER",
    "MESSAGE",
    "DISC_ID",
    "GENRE",
    "TOC_INFO1",
    "TOC_INFO2",
    "RESERVED1",
    "RESERVED2",
    "RESERVED3",
    "RESERVED4",
    "CLOSED",
    "UPC_EAN",
    "ISRC",
    "SIZE_INFO",
];

/// A string's parts as Latin-1 text.
pub(super) fn latin1(parts: &[StrPart]) -> String {
    parts
        .iter()
        .map(|p| match *p {
            StrPart::Char(c) => c,
            StrPart::Byte(b) => b as char,
        })
        .collect()
}
