//! RIFF/WAVE header parsing.
//!
//! [`WavInfo::parse`] finds the sample format and the location of the PCM
//! payload from the first bytes of a WAV file and the file's length. It does
//! no I/O: when the bytes given end before the `data` chunk header, it asks
//! for a longer prefix with [`WavError::NeedMore`].

use thiserror::Error;

/// The format and payload location of a WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WavInfo {
    /// Byte offset of the first sample, just after the `data` chunk header.
    pub data_offset: u64,
    /// Length of the sample data in bytes.
    pub data_len: u64,
    /// Number of channels.
    pub channels: u16,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Bits per sample (the container size for extensible formats).
    pub bits_per_sample: u16,
    /// The effective format tag: `1` for integer PCM. For
    /// `WAVE_FORMAT_EXTENSIBLE` this is the tag taken from the sub-format
    /// GUID, or `0xFFFE` when the GUID is missing or not one of the standard
    /// format GUIDs.
    pub format_tag: u16,
}

impl WavInfo {
    /// Parses a RIFF/WAVE header from the first bytes of a file.
    ///
    /// `prefix` holds the first bytes of the file and `file_len` its total
    /// length; bytes of `prefix` beyond `file_len` are ignored. The RIFF size
    /// field is not trusted. A `data` chunk size of `0xFFFFFFFF`, or of 0
    /// with bytes following the header, means the data runs to the end of
    /// the file.
    ///
    /// ## Errors
    ///
    /// - [`WavError::NeedMore`] when `prefix` ends before the `data` chunk
    ///   header; call again with at least `needed` bytes.
    /// - [`WavError::NotRiff`], [`WavError::NotWave`] when the file does not
    ///   start with a RIFF/WAVE header.
    /// - [`WavError::NoFmt`], [`WavError::FmtTooShort`], [`WavError::NoData`]
    ///   when the `fmt ` or `data` chunk is missing, misplaced or too short.
    /// - [`WavError::Truncated`] when the `data` chunk claims more bytes than
    ///   the file holds; [`WavInfo::parse_lenient`] accepts such files.
    pub fn parse(prefix: &[u8], file_len: u64) -> Result<Self, WavError> {
        let header = scan(prefix, file_len)?;
        if header.declared > header.available {
            return Err(WavError::Truncated {
                declared: header.declared,
                available: header.available,
            });
        }
        Ok(header.info)
    }

    /// Like [`WavInfo::parse`], but a `data` chunk that claims more bytes
    /// than the file holds is clamped to the end of the file.
    ///
    /// ## Errors
    ///
    /// The same as [`WavInfo::parse`], except that it never returns
    /// [`WavError::Truncated`].
    pub fn parse_lenient(prefix: &[u8], file_len: u64) -> Result<Self, WavError> {
        let header = scan(prefix, file_len)?;
        Ok(Self {
            data_len: header.declared.min(header.available),
            ..header.info
        })
    }

    /// Whether this is CD audio: 16-bit, 44100 Hz, 2 channels, integer PCM
    /// (format 1, or `WAVE_FORMAT_EXTENSIBLE` whose sub-format GUID is PCM).
    #[must_use]
    pub fn is_cd_audio(&self) -> bool {
        self.cd_audio_mismatches().is_empty()
    }

    /// Error naming what differs from CD audio, or Ok.
    ///
    /// ## Errors
    ///
    /// [`WavError::Unsupported`] listing each property that differs from CD
    /// audio: format, channel count, sample rate and sample size.
    pub fn require_cd_audio(&self) -> Result<(), WavError> {
        let mismatches = self.cd_audio_mismatches();
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(WavError::Unsupported {
                what: mismatches.join(", "),
            })
        }
    }

    fn cd_audio_mismatches(&self) -> Vec<String> {
        let mut mismatches = Vec::new();
        if self.format_tag != FORMAT_PCM {
            mismatches.push(format!(
                "format tag {:#06x} (need integer PCM)",
                self.format_tag
            ));
        }
        if self.channels != 2 {
            mismatches.push(format!("{} channels (need 2)", self.channels));
        }
        if self.sample_rate != 44_100 {
            mismatches.push(format!("sample rate {} Hz (need 44100)", self.sample_rate));
        }
        if self.bits_per_sample != 16 {
            mismatches.push(format!(
                "{} bits per sample (need 16)",
                self.bits_per_sample
            ));
        }
        mismatches
    }
}

/// The body of the first `fmt ` chunk of a RIFF/WAVE file, as far as
/// `prefix` holds it; `None` when `prefix` is not RIFF/WAVE or ends before
/// the chunk.
pub fn format_chunk(prefix: &[u8]) -> Option<&[u8]> {
    if prefix.get(0..4)? != b"RIFF" || prefix.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut offset = 12usize;
    loop {
        let header = prefix.get(offset..offset.checked_add(8)?)?;
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let body = offset + 8;
        if &header[..4] == b"fmt " {
            return prefix.get(body..body.checked_add(size)?.min(prefix.len()));
        }
        offset = body.checked_add(size)?.checked_add(size & 1)?;
    }
}

/// A problem with a WAV header.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WavError {
    /// The prefix ends before the `data` chunk header; read the first
    /// `needed` bytes of the file and parse again.
    #[error("wav header continues past the bytes read: need the first {needed} bytes")]
    NeedMore {
        /// How many bytes from the start of the file are needed at least.
        needed: usize,
    },
    /// The file does not start with `RIFF`.
    #[error("not a RIFF file")]
    NotRiff,
    /// The RIFF form type is not `WAVE`.
    #[error("RIFF file is not WAVE")]
    NotWave,
    /// No `fmt ` chunk before the `data` chunk (or before the end).
    #[error("no \"fmt \" chunk before the \"data\" chunk")]
    NoFmt,
    /// The `fmt ` chunk is shorter than 16 bytes.
    #[error("\"fmt \" chunk shorter than 16 bytes")]
    FmtTooShort,
    /// The file ends before a `data` chunk header.
    #[error("no \"data\" chunk")]
    NoData,
    /// The `data` chunk claims more bytes than the file holds after it.
    #[error("data chunk claims {declared} bytes but the file holds {available}")]
    Truncated {
        /// Length in the chunk header.
        declared: u64,
        /// Bytes from the start of the data to the end of the file.
        available: u64,
    },
    /// The audio format is not CD audio.
    #[error("not CD audio: {what}")]
    Unsupported {
        /// What differs, such as `"8 bits per sample (need 16)"`.
        what: String,
    },
}

/// Format tag of integer PCM.
const FORMAT_PCM: u16 = 0x0001;
/// Format tag of `WAVE_FORMAT_EXTENSIBLE`.
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// The tail shared by the standard format GUIDs, after the two tag bytes.
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// A found header before the data length is checked against the file.
struct Scan {
    /// Info with `data_len` equal to `declared`.
    info: WavInfo,
    /// Data length from the chunk header, with the end-of-file sizes
    /// resolved.
    declared: u64,
    /// Bytes between the data offset and the end of the file.
    available: u64,
}

/// The fields of a `fmt ` chunk that [`WavInfo`] keeps.
#[derive(Clone, Copy)]
struct Format {
    tag: u16,
    channels: u16,
    sample_rate: u32,
    bits_per_sample: u16,
}

fn scan(prefix: &[u8], file_len: u64) -> Result<Scan, WavError> {
    let reader = Reader::new(prefix, file_len);
    match reader.array::<12>(0) {
        Ok(header) if !header.starts_with(b"RIFF") => return Err(WavError::NotRiff),
        Ok(header) if !header.ends_with(b"WAVE") => return Err(WavError::NotWave),
        Ok(_) => {}
        // Reject early what cannot become a RIFF file with more bytes.
        Err(_) if reader.prefix.len() >= 4 && !reader.prefix.starts_with(b"RIFF") => {
            return Err(WavError::NotRiff);
        }
        Err(Missing::NeedMore(needed)) => return Err(WavError::NeedMore { needed }),
        Err(Missing::PastEnd) if reader.prefix.starts_with(b"RIFF") => {
            return Err(WavError::NotWave);
        }
        Err(Missing::PastEnd) => return Err(WavError::NotRiff),
    }

    let mut format: Option<Format> = None;
    let mut offset: u64 = 12;
    loop {
        let past_end = if format.is_some() {
            WavError::NoData
        } else {
            WavError::NoFmt
        };
        let [i0, i1, i2, i3, s0, s1, s2, s3] = reader
            .array::<8>(offset)
            .map_err(|missing| missing.into_error(&past_end))?;
        let id = [i0, i1, i2, i3];
        let size = u32::from_le_bytes([s0, s1, s2, s3]);
        let body = offset.saturating_add(8);
        match &id {
            b"data" => {
                let Some(format) = format else {
                    return Err(WavError::NoFmt);
                };
                return Ok(data_chunk(format, body, size, reader.len));
            }
            b"fmt " if format.is_none() => {
                format = Some(read_format(&reader, body, size)?);
            }
            _ => {}
        }
        let padded = u64::from(size).saturating_add(u64::from(size & 1));
        offset = body.checked_add(padded).ok_or(past_end)?;
    }
}

fn data_chunk(format: Format, data_offset: u64, size: u32, file_len: u64) -> Scan {
    let available = file_len.saturating_sub(data_offset);
    let declared = match size {
        u32::MAX => available,
        0 if available > 0 => available,
        size => u64::from(size),
    };
    Scan {
        info: WavInfo {
            data_offset,
            data_len: declared,
            channels: format.channels,
            sample_rate: format.sample_rate,
            bits_per_sample: format.bits_per_sample,
            format_tag: format.tag,
        },
        declared,
        available,
    }
}

fn read_format(reader: &Reader<'_>, body: u64, size: u32) -> Result<Format, WavError> {
    if size < 16 {
        return Err(WavError::FmtTooShort);
    }
    // Ask for everything read below at once rather than field by field.
    in_file(reader.slice(body, if size >= 40 { 40 } else { 16 }))?;
    let mut tag = in_file(reader.u16(body))?;
    let channels = in_file(reader.u16(body.saturating_add(2)))?;
    let sample_rate = in_file(reader.u32(body.saturating_add(4)))?;
    let bits_per_sample = in_file(reader.u16(body.saturating_add(14)))?;
    // The extension: cbSize, valid bits, channel mask, then the GUID.
    if tag == FORMAT_EXTENSIBLE && size >= 40 && in_file(reader.u16(body.saturating_add(16)))? >= 22
    {
        let [low, high, rest @ ..] = in_file(reader.array::<16>(body.saturating_add(24)))?;
        if rest == GUID_TAIL {
            tag = u16::from_le_bytes([low, high]);
        }
    }
    Ok(Format {
        tag,
        channels,
        sample_rate,
        bits_per_sample,
    })
}

/// Reads a field the file must hold; a file ending there has no `data`.
fn in_file<T>(result: Result<T, Missing>) -> Result<T, WavError> {
    result.map_err(|missing| missing.into_error(&WavError::NoData))
}

/// Why bytes could not be read.
enum Missing {
    /// The bytes lie beyond the end of the file.
    PastEnd,
    /// The bytes are in the file but not in the prefix; the prefix must
    /// cover this many bytes.
    NeedMore(usize),
}

impl Missing {
    fn into_error(self, past_end: &WavError) -> WavError {
        match self {
            Self::PastEnd => past_end.clone(),
            Self::NeedMore(needed) => WavError::NeedMore { needed },
        }
    }
}

/// Little-endian reads from the prefix of a file of known length.
struct Reader<'a> {
    prefix: &'a [u8],
    len: u64,
}

impl<'a> Reader<'a> {
    fn new(prefix: &'a [u8], file_len: u64) -> Self {
        let usable = usize::try_from(file_len).map_or(prefix.len(), |n| n.min(prefix.len()));
        Self {
            prefix: prefix.get(..usable).unwrap_or(prefix),
            len: file_len,
        }
    }

    /// The `len` bytes at `offset`.
    fn slice(&self, offset: u64, len: usize) -> Result<&'a [u8], Missing> {
        let end = u64::try_from(len)
            .ok()
            .and_then(|len| offset.checked_add(len))
            .filter(|end| *end <= self.len)
            .ok_or(Missing::PastEnd)?;
        let start = usize::try_from(offset).ok();
        start
            .and_then(|start| self.prefix.get(start..start.checked_add(len)?))
            .ok_or_else(|| Missing::NeedMore(usize::try_from(end).unwrap_or(usize::MAX)))
    }

    fn array<const N: usize>(&self, offset: u64) -> Result<[u8; N], Missing> {
        let bytes = self.slice(offset, N)?;
        // `slice` returned exactly N bytes, so the conversion cannot fail.
        <[u8; N]>::try_from(bytes).map_err(|_| Missing::PastEnd)
    }

    fn u16(&self, offset: u64) -> Result<u16, Missing> {
        self.array(offset).map(u16::from_le_bytes)
    }

    fn u32(&self, offset: u64) -> Result<u32, Missing> {
        self.array(offset).map(u32::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A chunk with its header and, for odd sizes, a pad byte.
    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        out.extend_from_slice(body);
        if body.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    /// A 16-byte `fmt ` body.
    fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut out = Vec::new();
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&channels.to_le_bytes());
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        out.extend_from_slice(&align.to_le_bytes());
        out.extend_from_slice(&bits.to_le_bytes());
        out
    }

    /// A 40-byte extensible `fmt ` body for 16-bit stereo 44.1 kHz with
    /// the given sub-format GUID.
    fn extensible_body(guid: [u8; 16]) -> Vec<u8> {
        let mut out = fmt_body(FORMAT_EXTENSIBLE, 2, 44_100, 16);
        out.extend_from_slice(&22_u16.to_le_bytes());
        out.extend_from_slice(&16_u16.to_le_bytes());
        out.extend_from_slice(&3_u32.to_le_bytes());
        out.extend_from_slice(&guid);
        out
    }

    fn guid(tag: u16) -> [u8; 16] {
        let mut out = [0; 16];
        out[..2].copy_from_slice(&tag.to_le_bytes());
        out[2..].copy_from_slice(&GUID_TAIL);
        out
    }

    fn cd_fmt() -> Vec<u8> {
        chunk(b"fmt ", &fmt_body(1, 2, 44_100, 16))
    }

    /// A data chunk header declaring `size` bytes, without the payload.
    fn data_header(size: u32) -> Vec<u8> {
        let mut out = b"data".to_vec();
        out.extend_from_slice(&size.to_le_bytes());
        out
    }

    /// A RIFF/WAVE file from chunks, with a RIFF size field of `riff_size`
    /// or the correct one.
    fn riff(chunks: &[Vec<u8>], riff_size: Option<u32>) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let size = riff_size.unwrap_or_else(|| u32::try_from(body.len() + 4).unwrap());
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(b"WAVE");
        out.extend_from_slice(&body);
        out
    }

    fn len(bytes: &[u8]) -> u64 {
        u64::try_from(bytes.len()).unwrap()
    }

    fn cd_info(data_offset: u64, data_len: u64) -> WavInfo {
        WavInfo {
            data_offset,
            data_len,
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            format_tag: 1,
        }
    }

    #[test]
    fn plain_44_byte_header() {
        let mut file = riff(&[cd_fmt(), data_header(1000)], None);
        assert_eq!(file.len(), 44);
        file.resize(44 + 1000, 0x55);
        let info = WavInfo::parse(&file[..44], len(&file)).unwrap();
        assert_eq!(info, cd_info(44, 1000));
        assert!(info.is_cd_audio());
        assert_eq!(info.require_cd_audio(), Ok(()));
        // The whole file as prefix gives the same answer.
        assert_eq!(WavInfo::parse(&file, len(&file)), Ok(info));
    }

    #[test]
    fn wrong_riff_size_is_ignored() {
        for riff_size in [0, u32::MAX, 7] {
            let mut file = riff(&[cd_fmt(), data_header(8)], Some(riff_size));
            file.resize(52, 0);
            assert_eq!(WavInfo::parse(&file, 52), Ok(cd_info(44, 8)));
        }
    }

    #[test]
    fn list_chunk_before_data() {
        let list = chunk(b"LIST", b"INFOISFT\x0e\x00\x00\x00Lavf58.76.100\x00");
        let mut file = riff(&[cd_fmt(), list.clone(), data_header(4)], None);
        let offset = 44 + len(&list);
        assert_eq!(len(&file), offset);
        file.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(WavInfo::parse(&file, len(&file)), Ok(cd_info(offset, 4)));
    }

    #[test]
    fn unknown_chunks_before_fmt_and_data() {
        let junk = chunk(b"JUNK", &[0; 28]);
        let fact = chunk(b"fact", &[0, 1, 0, 0]);
        let file = riff(&[junk, cd_fmt(), fact, data_header(0)], None);
        let offset = 12 + 36 + 24 + 12 + 8;
        assert_eq!(WavInfo::parse(&file, len(&file)), Ok(cd_info(offset, 0)));
    }

    #[test]
    fn odd_sized_chunks_are_padded() {
        let odd = chunk(b"odd ", &[9, 9, 9]);
        assert_eq!(odd.len(), 12);
        let mut file = riff(&[odd, cd_fmt(), data_header(2)], None);
        file.extend_from_slice(&[0, 0]);
        assert_eq!(
            WavInfo::parse(&file, len(&file)),
            Ok(cd_info(12 + 12 + 24 + 8, 2))
        );
    }

    #[test]
    fn extensible_pcm() {
        let fmt = chunk(b"fmt ", &extensible_body(guid(1)));
        let mut file = riff(&[fmt, data_header(4)], None);
        file.extend_from_slice(&[0; 4]);
        let info = WavInfo::parse(&file, len(&file)).unwrap();
        assert_eq!(info, cd_info(12 + 48 + 8, 4));
        assert!(info.is_cd_audio());
    }

    #[test]
    fn extensible_float_and_unknown_guids() {
        let float = chunk(b"fmt ", &extensible_body(guid(3)));
        let file = riff(&[float, data_header(0)], None);
        let info = WavInfo::parse(&file, len(&file)).unwrap();
        assert_eq!(info.format_tag, 3);
        assert!(!info.is_cd_audio());

        let mut odd_guid = guid(1);
        odd_guid[15] = 0;
        let odd = chunk(b"fmt ", &extensible_body(odd_guid));
        let file = riff(&[odd, data_header(0)], None);
        let info = WavInfo::parse(&file, len(&file)).unwrap();
        assert_eq!(info.format_tag, FORMAT_EXTENSIBLE);
        assert!(!info.is_cd_audio());
    }

    #[test]
    fn extensible_without_extension() {
        let mut body = fmt_body(FORMAT_EXTENSIBLE, 2, 44_100, 16);
        body.extend_from_slice(&0_u16.to_le_bytes());
        let file = riff(&[chunk(b"fmt ", &body), data_header(0)], None);
        let info = WavInfo::parse(&file, len(&file)).unwrap();
        assert_eq!(info.format_tag, FORMAT_EXTENSIBLE);
        assert!(!info.is_cd_audio());
    }

    fn unsupported(channels: u16, rate: u32, bits: u16, tag: u16) -> String {
        let fmt = chunk(b"fmt ", &fmt_body(tag, channels, rate, bits));
        let file = riff(&[fmt, data_header(0)], None);
        let info = WavInfo::parse(&file, len(&file)).unwrap();
        assert!(!info.is_cd_audio());
        match info.require_cd_audio() {
            Err(WavError::Unsupported { what }) => what,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn non_cd_formats_are_rejected() {
        assert_eq!(unsupported(2, 44_100, 8, 1), "8 bits per sample (need 16)");
        assert_eq!(unsupported(1, 44_100, 16, 1), "1 channels (need 2)");
        assert_eq!(
            unsupported(2, 48_000, 16, 1),
            "sample rate 48000 Hz (need 44100)"
        );
        assert_eq!(
            unsupported(2, 44_100, 32, 3),
            "format tag 0x0003 (need integer PCM), 32 bits per sample (need 16)"
        );
        let error = WavError::Unsupported {
            what: unsupported(1, 48_000, 24, 1),
        };
        assert_eq!(
            error.to_string(),
            "not CD audio: 1 channels (need 2), sample rate 48000 Hz (need 44100), \
             24 bits per sample (need 16)"
        );
    }

    #[test]
    fn need_more_when_prefix_is_short() {
        let mut file = riff(&[cd_fmt(), data_header(4)], None);
        file.extend_from_slice(&[0; 4]);
        let file_len = len(&file);
        assert_eq!(
            WavInfo::parse(&[], file_len),
            Err(WavError::NeedMore { needed: 12 })
        );
        assert_eq!(
            WavInfo::parse(&file[..20], file_len),
            Err(WavError::NeedMore { needed: 36 })
        );
        assert_eq!(
            WavInfo::parse(&file[..40], file_len),
            Err(WavError::NeedMore { needed: 44 })
        );
        assert_eq!(read_in_steps(&file), cd_info(44, 4));

        let list = chunk(b"LIST", &[7; 33]);
        let fmt = chunk(b"fmt ", &extensible_body(guid(1)));
        let mut file = riff(&[list, fmt, data_header(8)], None);
        file.extend_from_slice(&[0; 8]);
        assert_eq!(read_in_steps(&file), cd_info(12 + 42 + 48 + 8, 8));
    }

    /// Parses `file` starting from an empty prefix, growing it as asked,
    /// and checks that every request makes progress.
    fn read_in_steps(file: &[u8]) -> WavInfo {
        let mut prefix_len = 0;
        loop {
            match WavInfo::parse(&file[..prefix_len], len(file)) {
                Err(WavError::NeedMore { needed }) => {
                    assert!(needed > prefix_len);
                    prefix_len = needed;
                }
                other => return other.unwrap(),
            }
        }
    }

    #[test]
    fn need_more_skips_over_large_chunks() {
        let list = chunk(b"LIST", &[0; 1000]);
        let file = riff(&[list, cd_fmt(), data_header(0)], None);
        assert_eq!(
            WavInfo::parse(&file[..64], len(&file)),
            Err(WavError::NeedMore { needed: 1020 + 8 })
        );
    }

    #[test]
    fn truncated_data() {
        let mut file = riff(&[cd_fmt(), data_header(1000)], None);
        file.resize(544, 0);
        assert_eq!(
            WavInfo::parse(&file[..44], 544),
            Err(WavError::Truncated {
                declared: 1000,
                available: 500,
            })
        );
        assert_eq!(
            WavInfo::parse_lenient(&file[..44], 544),
            Ok(cd_info(44, 500))
        );
        assert_eq!(
            WavError::Truncated {
                declared: 1000,
                available: 500
            }
            .to_string(),
            "data chunk claims 1000 bytes but the file holds 500"
        );
    }

    #[test]
    fn streamed_data_sizes_run_to_end_of_file() {
        let file = riff(&[cd_fmt(), data_header(u32::MAX)], Some(u32::MAX));
        assert_eq!(
            WavInfo::parse(&file, 44 + 123_456),
            Ok(cd_info(44, 123_456))
        );
        assert_eq!(WavInfo::parse(&file, 44), Ok(cd_info(44, 0)));
        let file = riff(&[cd_fmt(), data_header(0)], Some(0));
        assert_eq!(WavInfo::parse(&file, 44 + 10), Ok(cd_info(44, 10)));
        assert_eq!(WavInfo::parse(&file, 44), Ok(cd_info(44, 0)));
        // Beyond 4 GiB.
        let big = 6_000_000_000;
        assert_eq!(WavInfo::parse(&file, 44 + big), Ok(cd_info(44, big)));
    }

    #[test]
    fn not_riff_or_not_wave() {
        let mut file = riff(&[cd_fmt(), data_header(0)], None);
        assert_eq!(WavInfo::parse(b"RIF", 3), Err(WavError::NotRiff));
        assert_eq!(
            WavInfo::parse(b"RIFF\0\0\0\0WAV", 11),
            Err(WavError::NotWave)
        );
        file[8..12].copy_from_slice(b"AVI ");
        assert_eq!(WavInfo::parse(&file, len(&file)), Err(WavError::NotWave));
        file[0..4].copy_from_slice(b"RIFX");
        assert_eq!(WavInfo::parse(&file, len(&file)), Err(WavError::NotRiff));
        assert_eq!(WavInfo::parse(b"ID3\x04", 100), Err(WavError::NotRiff));
        assert_eq!(
            WavInfo::parse(b"RIFF", 100),
            Err(WavError::NeedMore { needed: 12 })
        );
    }

    #[test]
    fn missing_or_misplaced_chunks() {
        let file = riff(&[data_header(0), cd_fmt()], None);
        assert_eq!(WavInfo::parse(&file, len(&file)), Err(WavError::NoFmt));
        let file = riff(&[chunk(b"LIST", &[0; 4])], None);
        assert_eq!(WavInfo::parse(&file, len(&file)), Err(WavError::NoFmt));
        let file = riff(&[cd_fmt()], None);
        assert_eq!(WavInfo::parse(&file, len(&file)), Err(WavError::NoData));
        let file = riff(&[cd_fmt(), chunk(b"LIST", &[0; 7])], None);
        assert_eq!(WavInfo::parse(&file, len(&file)), Err(WavError::NoData));
        let file = riff(&[chunk(b"fmt ", &[1, 0, 2, 0])], None);
        assert_eq!(
            WavInfo::parse(&file, len(&file)),
            Err(WavError::FmtTooShort)
        );
        // The file ends inside the fmt chunk.
        let file = riff(&[cd_fmt()], None);
        assert_eq!(WavInfo::parse(&file[..30], 30), Err(WavError::NoData));
    }

    #[test]
    fn prefix_beyond_file_len_is_ignored() {
        let file = riff(&[cd_fmt(), data_header(0), vec![0; 100]], None);
        assert_eq!(WavInfo::parse(&file, 40), Err(WavError::NoData));
    }

    proptest! {
        #[test]
        fn never_panics_on_random_bytes(
            bytes in prop::collection::vec(any::<u8>(), 0..200),
            extra in prop_oneof![Just(0_u64), 0_u64..1000, Just(u64::MAX - 100), any::<u64>()],
        ) {
            let file_len = len(&bytes).saturating_add(extra);
            let _ = WavInfo::parse(&bytes, file_len);
            let _ = WavInfo::parse_lenient(&bytes, file_len);
        }

        #[test]
        fn never_panics_after_a_valid_riff_header(
            tail in prop::collection::vec(any::<u8>(), 0..200),
            extra in 0_u64..100_000,
        ) {
            let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
            bytes.extend_from_slice(&tail);
            let file_len = len(&bytes) + extra;
            match WavInfo::parse(&bytes, file_len) {
                Err(WavError::NeedMore { needed }) => {
                    prop_assert!(needed > bytes.len());
                    prop_assert!(len_usize(needed) <= file_len);
                }
                Ok(info) => {
                    prop_assert!(info.data_offset <= file_len);
                    prop_assert!(info.data_offset + info.data_len <= file_len);
                }
                Err(_) => {}
            }
        }

        #[test]
        fn chunk_soup_parses_consistently(
            chunks in prop::collection::vec(
                (prop::sample::select(vec![*b"fmt ", *b"data", *b"LIST", *b"fact"]),
                 prop::collection::vec(any::<u8>(), 0..50)),
                0..6,
            ),
        ) {
            let chunks: Vec<Vec<u8>> = chunks.iter().map(|(id, body)| chunk(id, body)).collect();
            let file = riff(&chunks, None);
            if let Ok(info) = WavInfo::parse_lenient(&file, len(&file)) {
                prop_assert!(info.data_offset + info.data_len <= len(&file));
            }
        }
    }

    fn len_usize(n: usize) -> u64 {
        u64::try_from(n).unwrap()
    }
}
