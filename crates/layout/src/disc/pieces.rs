//! A track's content as a sequence of pieces: runs of sectors read from a
//! source, or generated (digital silence for audio, zero user data in the
//! track's mode for data).
//!
//! In the project JSON a track's `data` (and a pregap's `source`) is either
//! one span, as projects have always written it, or a list of pieces:
//!
//! ```json
//! "data": { "source": 0, "offset": 0, "sectors": 4500 }
//! "data": [ { "generated": 150 }, { "source": 0, "sectors": 4500 },
//!           { "source": 1, "offset": 1058400, "sectors": 300 } ]
//! ```
//!
//! A list with a single span is written back as the span, so projects that
//! never use pieces read and write as before.

use super::SourceSpan;
use super::limits::MAX_PIECES;
use core::fmt;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A run of sectors of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// Read from a source, laid out like the track's data.
    Source(SourceSpan),
    /// Generated: silence for audio, zero user data for data tracks.
    Generated(u32),
}

impl Piece {
    /// Sectors in the piece.
    pub const fn sectors(&self) -> u32 {
        match *self {
            Piece::Source(s) => s.sectors,
            Piece::Generated(n) => n,
        }
    }

    /// The span, for a piece read from a source.
    pub const fn span(&self) -> Option<SourceSpan> {
        match *self {
            Piece::Source(s) => Some(s),
            Piece::Generated(_) => None,
        }
    }
}

/// A sequence of pieces (at most [`MAX_PIECES`] in a project JSON).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pieces(pub Vec<Piece>);

impl From<SourceSpan> for Pieces {
    fn from(span: SourceSpan) -> Pieces {
        Pieces(vec![Piece::Source(span)])
    }
}

impl Pieces {
    /// Total sectors, exactly.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|p| u64::from(p.sectors())).sum()
    }

    /// Total sectors ([`u32::MAX`] for more than that, which no disc
    /// holds).
    pub fn sectors(&self) -> u32 {
        u32::try_from(self.total()).unwrap_or(u32::MAX)
    }

    /// The only piece, when it is a span (the form projects without pieces
    /// have).
    pub fn single(&self) -> Option<SourceSpan> {
        match self.0.as_slice() {
            [Piece::Source(s)] => Some(*s),
            _ => None,
        }
    }

    /// The only piece, mutably, when it is a span.
    pub fn single_mut(&mut self) -> Option<&mut SourceSpan> {
        match self.0.as_mut_slice() {
            [Piece::Source(s)] => Some(s),
            _ => None,
        }
    }

    /// The spans read from sources, in order.
    pub fn spans(&self) -> impl Iterator<Item = SourceSpan> + '_ {
        self.0.iter().filter_map(Piece::span)
    }

    /// The first source the pieces read, if any.
    pub fn first_source(&self) -> Option<usize> {
        self.spans().next().map(|s| s.source)
    }

    /// Sectors read from sources (the ones that have R-W records in a
    /// separate subchannel file).
    pub fn sourced(&self) -> u64 {
        self.spans().map(|s| u64::from(s.sectors)).sum()
    }

    /// The pieces split after `at` sectors: (first `at` sectors, the rest).
    /// A piece across the split is cut in two (`stride` bytes per source
    /// sector). `at` past the end gives everything and nothing.
    pub fn split_at(&self, at: u64, stride: u64) -> (Pieces, Pieces) {
        let mut head = Vec::new();
        let mut tail = Vec::new();
        let mut left = at;
        for &p in &self.0 {
            let n = u64::from(p.sectors());
            if left >= n {
                head.push(p);
                left -= n;
            } else if left == 0 {
                tail.push(p);
            } else {
                // 0 < left < n ≤ u32::MAX.
                let k = left as u32;
                match p {
                    Piece::Generated(n) => {
                        head.push(Piece::Generated(k));
                        tail.push(Piece::Generated(n - k));
                    }
                    Piece::Source(s) => {
                        head.push(Piece::Source(SourceSpan { sectors: k, ..s }));
                        tail.push(Piece::Source(SourceSpan {
                            offset: s.offset.saturating_add(u64::from(k).saturating_mul(stride)),
                            sectors: s.sectors - k,
                            ..s
                        }));
                    }
                }
                left = 0;
            }
        }
        (Pieces(head), Pieces(tail))
    }

    /// Adjacent pieces joined where they continue one another (generated
    /// after generated; a span that starts where the previous one of the
    /// same source ends), and empty pieces dropped.
    pub fn merged(&self, stride: u64) -> Pieces {
        let mut out: Vec<Piece> = Vec::with_capacity(self.0.len());
        for &p in &self.0 {
            if p.sectors() == 0 {
                continue;
            }
            let joined = match (out.last_mut(), p) {
                (Some(Piece::Generated(a)), Piece::Generated(b)) => match a.checked_add(b) {
                    Some(sum) => {
                        *a = sum;
                        true
                    }
                    None => false,
                },
                (Some(Piece::Source(a)), Piece::Source(b)) => {
                    let end = u64::from(a.sectors)
                        .checked_mul(stride)
                        .and_then(|n| n.checked_add(a.offset));
                    match a.sectors.checked_add(b.sectors) {
                        Some(sum) if a.source == b.source && end == Some(b.offset) => {
                            a.sectors = sum;
                            true
                        }
                        _ => false,
                    }
                }
                _ => false,
            };
            if !joined {
                out.push(p);
            }
        }
        Pieces(out)
    }
}

impl Serialize for Piece {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Piece::Source(span) => span.serialize(s),
            Piece::Generated(n) => GeneratedRepr { generated: *n }.serialize(s),
        }
    }
}

impl Serialize for Pieces {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.single() {
            Some(span) => span.serialize(s),
            None => self.0.serialize(s),
        }
    }
}

#[derive(Serialize)]
struct GeneratedRepr {
    generated: u32,
}

/// Every field a piece may have; which ones are present says what it is.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PieceRepr {
    source: Option<usize>,
    offset: Option<u64>,
    sectors: Option<u32>,
    generated: Option<u32>,
}

impl PieceRepr {
    fn piece<E: de::Error>(self) -> Result<Piece, E> {
        match self {
            PieceRepr {
                generated: Some(n),
                source: None,
                offset: None,
                sectors: None,
            } => Ok(Piece::Generated(n)),
            PieceRepr {
                generated: None,
                source: Some(source),
                offset,
                sectors: Some(sectors),
            } => Ok(Piece::Source(SourceSpan {
                source,
                offset: offset.unwrap_or(0),
                sectors,
            })),
            PieceRepr {
                generated: Some(_), ..
            } => Err(E::custom(
                "a piece is either generated sectors ({\"generated\": n}) or a span of a source ({\"source\", \"offset\", \"sectors\"}), not both",
            )),
            PieceRepr { source: None, .. } => Err(E::custom(
                "a piece needs `source` and `sectors`, or `generated`",
            )),
            PieceRepr { sectors: None, .. } => Err(E::custom("missing field `sectors`")),
        }
    }
}

impl<'de> Deserialize<'de> for Piece {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Piece, D::Error> {
        PieceRepr::deserialize(d)?.piece()
    }
}

impl<'de> Deserialize<'de> for Pieces {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pieces, D::Error> {
        d.deserialize_any(PiecesVisitor)
    }
}

struct PiecesVisitor;

impl<'de> Visitor<'de> for PiecesVisitor {
    type Value = Pieces;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a span of a source or a list of at most {MAX_PIECES} pieces"
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Pieces, A::Error> {
        let repr = PieceRepr::deserialize(de::value::MapAccessDeserializer::new(map))?;
        match repr.piece()? {
            Piece::Source(span) => Ok(Pieces::from(span)),
            Piece::Generated(_) => Err(de::Error::custom(
                "generated sectors alone are given as a list of pieces: [{\"generated\": n}]",
            )),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pieces, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(p) = seq.next_element::<Piece>()? {
            if out.len() == MAX_PIECES {
                return Err(de::Error::custom(
                    "pieces: more than 4096 in one list; a track is at most 4096 pieces",
                ));
            }
            out.push(p);
        }
        Ok(Pieces(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(source: usize, offset: u64, sectors: u32) -> Piece {
        Piece::Source(SourceSpan {
            source,
            offset,
            sectors,
        })
    }

    #[test]
    fn json_forms() {
        let one: Pieces = serde_json::from_str(r#"{"source":1,"sectors":5}"#).unwrap();
        assert_eq!(one, Pieces(vec![span(1, 0, 5)]));
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            r#"{"source":1,"offset":0,"sectors":5}"#
        );
        let list: Pieces =
            serde_json::from_str(r#"[{"generated":150},{"source":0,"offset":2352,"sectors":3}]"#)
                .unwrap();
        assert_eq!(list, Pieces(vec![Piece::Generated(150), span(0, 2352, 3)]));
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"[{"generated":150},{"source":0,"offset":2352,"sectors":3}]"#
        );
        for (text, message) in [
            (
                r#"[{"generated":1,"source":0}]"#,
                "a piece is either generated sectors",
            ),
            (r#"[{"offset":1}]"#, "a piece needs `source` and `sectors`"),
            (r#"[{"source":0}]"#, "missing field `sectors`"),
            (r#"{"generated":3}"#, "generated sectors alone"),
            (r#"[{"silence":3}]"#, "unknown field `silence`"),
            (r#"7"#, "a span of a source or a list"),
        ] {
            let e = serde_json::from_str::<Pieces>(text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(message), "{text}: {e}");
        }
        let many = format!("[{}]", vec![r#"{"generated":1}"#; MAX_PIECES + 1].join(","));
        let e = serde_json::from_str::<Pieces>(&many)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("pieces: more than 4096"), "{e}");
    }

    #[test]
    fn split_and_merge() {
        let p = Pieces(vec![Piece::Generated(10), span(0, 100, 20), span(1, 0, 5)]);
        assert_eq!(p.total(), 35);
        let (a, b) = p.split_at(15, 4);
        assert_eq!(a, Pieces(vec![Piece::Generated(10), span(0, 100, 5)]));
        assert_eq!(b, Pieces(vec![span(0, 120, 15), span(1, 0, 5)]));
        let (a, b) = p.split_at(10, 4);
        assert_eq!((a.total(), b.total()), (10, 25));
        assert_eq!(p.split_at(99, 4), (p.clone(), Pieces::default()));
        let parts = Pieces(vec![
            span(0, 0, 2),
            span(0, 8, 3),
            Piece::Generated(0),
            span(0, 20, 1),
            Piece::Generated(1),
            Piece::Generated(2),
        ]);
        assert_eq!(
            parts.merged(4),
            Pieces(vec![span(0, 0, 6), Piece::Generated(3)])
        );
    }
}
