//! Encoder delay and padding of AAC and ALAC in MP4 (M4A) files.
//!
//! An AAC encoder starts with priming samples (1024 for most, 2112 for
//! Apple's) and pads the last packet; the file says which samples are the
//! audio in one of two ways:
//!
//! - the `iTunSMPB` tag (`moov/udta/meta/ilst/----`, name `iTunSMPB`): a
//!   text of hexadecimal fields, the second the delay, the third the
//!   padding, the fourth the length in samples;
//! - the edit list (`moov/trak/edts/elst`, ISO/IEC 14496-12 §8.6.6): the
//!   first edit's `media_time` is the delay, its `segment_duration` the
//!   length in the movie's time scale (`mvhd`), which can be coarser than a
//!   sample (FFmpeg writes milliseconds); the exact length is then the
//!   media's duration (`mdhd`, ISO/IEC 14496-12 §8.4.2) less the delay.
//!
//! [`Trim::find`] reads them; the decoder drops `delay` samples and keeps
//! `length`.

use std::io::{self, Read, Seek, SeekFrom};

/// Largest `moov` box read (its sample tables grow with the length).
const MAX_MOOV: u64 = 64 << 20;

/// Which decoded samples of an MP4 audio track are the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trim {
    /// Samples to drop at the start.
    pub delay: u64,
    /// Samples to keep after them, when the file says.
    pub length: Option<u64>,
}

impl Trim {
    /// Reads the trim of the first sound track of an MP4 file; `None` when
    /// the content is not MP4 or the track has no edit list or `iTunSMPB`.
    /// Leaves the reader at an unspecified position.
    ///
    /// ## Errors
    ///
    /// Read errors; a damaged file gives `Ok(None)` (the demuxer reports it).
    pub fn find<R: Read + Seek>(file: &mut R) -> io::Result<Option<Trim>> {
        file.seek(SeekFrom::Start(0))?;
        let mut head = [0u8; 8];
        if read_full(file, &mut head)? < 8 || &head[4..8] != b"ftyp" {
            return Ok(None);
        }
        let len = file.seek(SeekFrom::End(0))?;
        let mut offset = 0u64;
        while offset < len {
            file.seek(SeekFrom::Start(offset))?;
            let mut header = [0u8; 16];
            let got = read_full(file, &mut header)?;
            let Some((kind, header_len, size)) = box_header(&header[..got], len - offset) else {
                return Ok(None);
            };
            if &kind == b"moov" {
                if size > MAX_MOOV {
                    return Ok(None);
                }
                let mut moov = vec![0u8; (size - header_len) as usize];
                file.seek(SeekFrom::Start(offset + header_len))?;
                if read_full(file, &mut moov)? < moov.len() {
                    return Ok(None);
                }
                return Ok(Trim::from_moov(&moov));
            }
            offset += size;
        }
        Ok(None)
    }

    /// Samples of audio from `decoded` decoded samples.
    pub fn frames(&self, decoded: u64) -> u64 {
        let available = decoded.saturating_sub(self.delay);
        self.length.map_or(available, |l| l.min(available))
    }

    /// The trim from the body of a `moov` box.
    pub fn from_moov(moov: &[u8]) -> Option<Trim> {
        if let Some(trim) = itunsmpb(moov) {
            return Some(trim);
        }
        let movie_scale = find(moov, &[*b"mvhd"]).and_then(|b| time_fields(b).map(|(s, _)| s))?;
        for trak in boxes(moov).filter(|(k, _)| k == b"trak").map(|(_, b)| b) {
            let handler = find(trak, &[*b"mdia", *b"hdlr"])?;
            if handler.get(8..12) != Some(b"soun") {
                continue;
            }
            let (media_scale, media_duration) =
                find(trak, &[*b"mdia", *b"mdhd"]).and_then(time_fields)?;
            let elst = find(trak, &[*b"edts", *b"elst"])?;
            let (segment, media_time) = first_edit(elst)?;
            let delay = u64::try_from(media_time).ok()?;
            let exact = media_duration.checked_sub(delay)?;
            // The segment in samples, and how coarse the movie's scale is.
            let coarse = u128::from(segment) * u128::from(media_scale);
            let scaled = u64::try_from(coarse / u128::from(movie_scale.max(1))).ok()?;
            let tick = u64::from(media_scale) / u64::from(movie_scale.max(1)) + 1;
            let length = if scaled.abs_diff(exact) <= tick {
                exact
            } else {
                scaled.min(exact)
            };
            return Some(Trim {
                delay,
                length: Some(length),
            });
        }
        None
    }
}

/// The first non-empty edit: (segment duration, media time).
fn first_edit(elst: &[u8]) -> Option<(u64, i64)> {
    let version = *elst.first()?;
    let count = u32::from_be_bytes(elst.get(4..8)?.try_into().ok()?);
    let entry = if version == 1 { 20 } else { 12 };
    for i in 0..count as usize {
        let at = 8 + i * entry;
        let e = elst.get(at..at + entry)?;
        let (segment, media_time) = if version == 1 {
            (
                u64::from_be_bytes(e[0..8].try_into().ok()?),
                i64::from_be_bytes(e[8..16].try_into().ok()?),
            )
        } else {
            (
                u64::from(u32::from_be_bytes(e[0..4].try_into().ok()?)),
                i64::from(i32::from_be_bytes(e[4..8].try_into().ok()?)),
            )
        };
        if media_time >= 0 {
            return Some((segment, media_time));
        }
    }
    None
}

/// `iTunSMPB`: " 00000000 00000840 000001CA 00000000003F31F6 …".
fn itunsmpb(moov: &[u8]) -> Option<Trim> {
    let ilst = find(moov, &[*b"udta", *b"meta"]).and_then(|meta| {
        // `meta` is a full box in MP4 (version and flags first), a plain
        // one in QuickTime files.
        find(meta.get(4..)?, &[*b"ilst"]).or_else(|| find(meta, &[*b"ilst"]))
    })?;
    for (kind, item) in boxes(ilst) {
        if &kind != b"----" {
            continue;
        }
        let name = find(item, &[*b"name"]).and_then(|n| n.get(4..));
        if name != Some(b"iTunSMPB".as_slice()) {
            continue;
        }
        let text = find(item, &[*b"data"]).and_then(|d| d.get(8..))?;
        let text = std::str::from_utf8(text).ok()?;
        let fields: Vec<u64> = text
            .split_whitespace()
            .map(|f| u64::from_str_radix(f, 16))
            .collect::<Result<_, _>>()
            .ok()?;
        let (&delay, &length) = (fields.get(1)?, fields.get(3)?);
        return Some(Trim {
            delay,
            length: Some(length),
        });
    }
    None
}

/// Time scale and duration of an `mvhd` or `mdhd` body.
fn time_fields(body: &[u8]) -> Option<(u32, u64)> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?))
    };
    match body.first()? {
        0 => Some((u32_at(12)?, u64::from(u32_at(16)?))),
        1 => Some((
            u32_at(20)?,
            u64::from_be_bytes(body.get(24..32)?.try_into().ok()?),
        )),
        _ => None,
    }
}

/// The body of the box at `path` below `body`.
fn find<'a>(body: &'a [u8], path: &[[u8; 4]]) -> Option<&'a [u8]> {
    let (first, rest) = path.split_first()?;
    let (_, inner) = boxes(body).find(|(k, _)| k == first)?;
    if rest.is_empty() {
        Some(inner)
    } else {
        find(inner, rest)
    }
}

/// The boxes in `body`: (type, body).
fn boxes(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = body;
    core::iter::from_fn(move || {
        let (kind, header_len, size) = box_header(rest, rest.len() as u64)?;
        let size = usize::try_from(size).ok()?;
        let inner = rest.get(header_len as usize..size)?;
        rest = rest.get(size..)?;
        Some((kind, inner))
    })
}

/// (type, header length, whole size) of the box starting `header`, with
/// `room` bytes left in its parent.
fn box_header(header: &[u8], room: u64) -> Option<([u8; 4], u64, u64)> {
    let size = u32::from_be_bytes(header.get(0..4)?.try_into().ok()?);
    let kind: [u8; 4] = header.get(4..8)?.try_into().ok()?;
    let (header_len, size) = match size {
        0 => (8, room),
        1 => (16, u64::from_be_bytes(header.get(8..16)?.try_into().ok()?)),
        n => (8, u64::from(n)),
    };
    (size >= header_len && size <= room).then_some((kind, header_len, size))
}

fn read_full<R: Read>(file: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
