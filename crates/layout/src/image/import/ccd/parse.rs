//! The sections and keys of a CloneCD control file, with where each value
//! is.

use super::super::{Pos, ReadError};

/// A `key=value` line: the key as written (trimmed, uppercased), the value
/// (trimmed) and where the value starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub key: String,
    pub value: String,
    pub pos: Pos,
}

/// A `[Name N]` section and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Section {
    /// The name, uppercased, without its number (`SESSION`, `ENTRY`,
    /// `TRACK`, `DISC`, `CLONECD`, `CDTEXT`).
    pub name: String,
    /// The number after the name, if any.
    pub number: Option<u32>,
    /// Where the `[` is.
    pub pos: Pos,
    /// Its lines, in order.
    pub entries: Vec<Entry>,
}

impl Section {
    /// The value of `key` (uppercase), if given.
    pub(super) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// The value of `key` as a number (decimal, or hex with `0x`).
    ///
    /// ## Errors
    ///
    /// [`ReadError`] at the value when it is not a number.
    pub(super) fn number(&self, key: &str) -> Result<Option<(Pos, i64)>, ReadError> {
        self.get(key)
            .map(|e| {
                number(&e.value)
                    .map(|n| (e.pos, n))
                    .ok_or_else(|| not_number(e))
            })
            .transpose()
    }
}

fn not_number(e: &Entry) -> ReadError {
    ReadError::at(e.pos, format!("{} is \"{}\", not a number", e.key, e.value))
}

/// A number as CloneCD writes them: decimal (possibly negative) or hex
/// with `0x`.
pub(super) fn number(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else {
        t.parse().ok()
    }
}

/// The sections of a control file.
///
/// ## Errors
///
/// [`ReadError`] at a line that is neither a section header, a
/// `key=value` line, a comment (`;`) nor blank.
pub(super) fn sections(text: &str) -> Result<Vec<Section>, ReadError> {
    let mut out: Vec<Section> = Vec::new();
    for (line, content) in super::super::lines(text) {
        let trimmed = content.trim();
        let indent = (content.chars().count() - content.trim_start().chars().count()) as u32;
        let col = |chars: usize| Pos::new(line, indent + chars as u32 + 1);
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        if let Some(inner) = trimmed.strip_prefix('[') {
            let Some(inner) = inner.strip_suffix(']') else {
                return Err(ReadError::at(
                    col(0),
                    "a section header needs a closing \"]\"",
                ));
            };
            let inner = inner.trim();
            let (name, number) = match inner.rsplit_once(' ') {
                Some((name, n)) if n.chars().all(|c| c.is_ascii_digit()) => {
                    let number = n.parse().map_err(|_| {
                        ReadError::at(col(1), format!("section number {n} is too large"))
                    })?;
                    (name.trim(), Some(number))
                }
                _ => (inner, None),
            };
            out.push(Section {
                name: name.to_ascii_uppercase(),
                number,
                pos: col(0),
                entries: Vec::new(),
            });
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(ReadError::at(
                col(0),
                format!("expected a [section] or key=value, found \"{trimmed}\""),
            ));
        };
        let Some(section) = out.last_mut() else {
            return Err(ReadError::at(col(0), "key=value before any [section]"));
        };
        let value_start = trimmed.len() - trimmed[key.len() + 1..].trim_start().len();
        section.entries.push(Entry {
            key: key.trim().to_ascii_uppercase(),
            value: value.trim().to_string(),
            pos: col(trimmed[..value_start].chars().count()),
        });
    }
    Ok(out)
}
