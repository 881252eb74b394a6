//! Mutations: bytes (flips, inserts, deletes, splices, truncations, edge
//! integers), lines (duplication, removal, swaps, repetition), fields
//! (numbers and MSF times set to edge values, keywords swapped, paths
//! replaced), and encodings (Latin-1, UTF-16 with a BOM, CRLF).

use crate::rng::Rng;

/// Numbers that break arithmetic: zero, one, signed and unsigned limits,
/// and beyond.
pub const EDGE_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "98",
    "99",
    "100",
    "255",
    "256",
    "32767",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "999999999999999999999999999",
    "00000000000000000000001",
    "+1",
    "1e9",
];

/// MSF times at and past every limit: frame 74/75, second 59/60, the
/// 80- and 90-minute boundaries, lead-in minutes, three-digit minutes.
pub const EDGE_MSF: &[&str] = &[
    "00:00:00",
    "00:00:01",
    "00:00:74",
    "00:00:75",
    "00:01:00",
    "00:02:00",
    "00:59:74",
    "00:60:00",
    "59:59:74",
    "74:00:00",
    "79:59:74",
    "80:00:00",
    "89:59:74",
    "90:00:00",
    "99:59:74",
    "100:00:00",
    "255:255:255",
    "4294967295:00:00",
    "00:00:4294967295",
    "-1:00:00",
    "00:-1:00",
    "1:2:3",
    "00:00",
    "00:00:00:00",
];

/// Integers for binary fields.
const EDGE_INTS: &[u32] = &[
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
];

/// The most bytes a repetition adds: enough for 1000 short lines, small
/// enough that inputs (and the harness) stay small.
const MAX_GROWTH: usize = 256 << 10;

/// Applies one to four mutations chosen for text formats.
pub fn text(rng: &mut Rng, data: &mut Vec<u8>, dict: &[&str], paths: &[String]) -> Vec<String> {
    let n = *rng.weighted(&[(6, 1usize), (3, 2), (2, 3), (1, 4)]);
    (0..n).map(|_| text_once(rng, data, dict, paths)).collect()
}

/// Applies one to four byte-level mutations.
pub fn binary(rng: &mut Rng, data: &mut Vec<u8>, pool: &[&[u8]]) -> Vec<String> {
    let n = *rng.weighted(&[(6, 1usize), (3, 2), (2, 3), (1, 4)]);
    (0..n).map(|_| bytes(rng, data, pool)).collect()
}

/// One mutation of a text file; returns what it did.
pub fn text_once(rng: &mut Rng, data: &mut Vec<u8>, dict: &[&str], paths: &[String]) -> String {
    match rng.below(16) {
        0 | 1 => number(rng, data),
        2 => msf(rng, data),
        3 | 4 => lines(rng, data),
        5 => keyword(rng, data, dict),
        6 | 7 if !paths.is_empty() => path(rng, data, paths),
        8 => quoted(rng, data),
        9 => encoding(rng, data),
        10 => {
            // A line of the format's own words, in a random order.
            let k = rng.range(1, 4) as usize;
            let mut line: Vec<String> = (0..k).map(|_| rng.pick(dict).to_string()).collect();
            line.push(rng.pick(EDGE_NUMBERS).to_string());
            let at = line_start(data, rng);
            let text = line.join(" ") + "\n";
            data.splice(at..at, text.bytes());
            format!("insert line {text:?}")
        }
        _ => bytes(rng, data, &[]),
    }
}

/// Replaces one decimal number with an edge value.
fn number(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let spans = digit_runs(data);
    if spans.is_empty() {
        return bytes(rng, data, &[]);
    }
    let (a, b) = *rng.pick(&spans);
    let v = *rng.pick(EDGE_NUMBERS);
    data.splice(a..b, v.bytes());
    format!("number at {a} = {v}")
}

/// Replaces one `mm:ss:ff` time with an edge value.
fn msf(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let runs = digit_runs(data);
    let mut times = Vec::new();
    for w in runs.windows(3) {
        let ((a, b), (c, d), (e, f)) = (w[0], w[1], w[2]);
        if b + 1 == c && d + 1 == e && data[b] == b':' && data[d] == b':' {
            times.push((a, f));
        }
    }
    if times.is_empty() {
        return number(rng, data);
    }
    let (a, b) = *rng.pick(&times);
    let v = *rng.pick(EDGE_MSF);
    data.splice(a..b, v.bytes());
    format!("msf at {a} = {v}")
}

/// Line duplication, removal, swap, move or repetition.
fn lines(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let mut ls: Vec<Vec<u8>> = data
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    if ls.is_empty() {
        return bytes(rng, data, &[]);
    }
    let i = rng.below(ls.len());
    let what = match rng.below(6) {
        0 => {
            let l = ls[i].clone();
            ls.insert(i, l);
            format!("duplicate line {}", i + 1)
        }
        1 => {
            ls.remove(i);
            format!("remove line {}", i + 1)
        }
        2 => {
            let j = rng.below(ls.len());
            ls.swap(i, j);
            format!("swap lines {} and {}", i + 1, j + 1)
        }
        3 => {
            let l = ls.remove(i);
            let j = rng.below(ls.len() + 1);
            ls.insert(j, l);
            format!("move line {} to {}", i + 1, j + 1)
        }
        4 => {
            // Enough copies to pass every count limit (99 tracks, 99
            // indexes, 8 blocks).
            let mut n = *rng.pick(&[2usize, 8, 9, 98, 99, 100, 1000]);
            let mut l = ls[i].clone();
            n = n.min(MAX_GROWTH / l.len().max(1)).max(1);
            if !l.ends_with(b"\n") {
                l.push(b'\n');
            }
            for _ in 0..n {
                ls.insert(i, l.clone());
            }
            format!("repeat line {} {n} times", i + 1)
        }
        _ => {
            // A group of lines (a track with its commands) repeated.
            let len = rng.range(2, 6) as usize;
            let end = (i + len).min(ls.len());
            let block: Vec<Vec<u8>> = ls[i..end].to_vec();
            let size: usize = block.iter().map(Vec::len).sum();
            let n = (*rng.pick(&[1usize, 2, 50, 99, 100]))
                .min(MAX_GROWTH / size.max(1))
                .max(1);
            for _ in 0..n {
                for (k, l) in block.iter().enumerate() {
                    ls.insert(end + k, l.clone());
                }
            }
            format!("repeat lines {}..{} {n} times", i + 1, end)
        }
    };
    *data = ls.concat();
    what
}

/// Replaces one of the format's keywords with another.
fn keyword(rng: &mut Rng, data: &mut Vec<u8>, dict: &[&str]) -> String {
    let found: Vec<(usize, &str)> = dict
        .iter()
        .flat_map(|k| {
            find_all(data, k.as_bytes())
                .into_iter()
                .map(move |p| (p, *k))
        })
        .collect();
    if found.is_empty() || dict.is_empty() {
        return lines(rng, data);
    }
    let (at, old) = *rng.pick(&found);
    let new = *rng.pick(dict);
    data.splice(at..at + old.len(), new.bytes());
    format!("keyword {old} at {at} -> {new}")
}

/// Replaces the contents of a quoted string (preferring the ones that
/// name files) with a path.
fn path(rng: &mut Rng, data: &mut Vec<u8>, paths: &[String]) -> String {
    let strings = quoted_spans(data);
    if strings.is_empty() {
        return lines(rng, data);
    }
    let named: Vec<(usize, usize)> = strings
        .iter()
        .copied()
        .filter(|&(a, _)| {
            let before = &data[a.saturating_sub(16)..a];
            [
                "FILE ",
                "CDTEXTFILE ",
                "DATAFILE ",
                "AUDIOFILE ",
                "\"path\": ",
            ]
            .iter()
            .any(|k| before.ends_with(format!("{k}\"").as_bytes()))
        })
        .collect();
    let (a, b) = if named.is_empty() || rng.chance(1, 5) {
        *rng.pick(&strings)
    } else {
        *rng.pick(&named)
    };
    let p = rng.pick(paths).clone();
    data.splice(a..b, p.bytes());
    format!("path at {a} = {p:?}")
}

/// Changes a quoted string: very long, multibyte, escapes, unterminated.
fn quoted(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let strings = quoted_spans(data);
    if strings.is_empty() {
        return bytes(rng, data, &[]);
    }
    let (a, b) = *rng.pick(&strings);
    let (new, what): (Vec<u8>, &str) = match rng.below(7) {
        0 => (vec![b'x'; *rng.pick(&[160usize, 161, 4096, 70000])], "long"),
        1 => ("Café Ünïcødé".as_bytes().to_vec(), "utf-8"),
        2 => (vec![b'C', b'a', b'f', 0xe9, 0xfc], "latin-1"),
        3 => ("日本語のタイトル".as_bytes().to_vec(), "cjk"),
        4 => (b"\\\\\\\"\\101\\777\\".to_vec(), "escapes"),
        5 => (Vec::new(), "empty"),
        _ => {
            // Drop the closing quote.
            data.remove(b);
            return format!("unterminated string at {a}");
        }
    };
    data.splice(a..b, new);
    format!("{what} string at {a}")
}

/// Re-encodes the whole text.
fn encoding(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    match rng.below(6) {
        0 => {
            let text = String::from_utf8_lossy(data).into_owned();
            let mut out = vec![0xff, 0xfe];
            for u in text.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            *data = out;
            "utf-16le with bom".to_string()
        }
        1 => {
            data.splice(0..0, [0xef, 0xbb, 0xbf]);
            "utf-8 bom".to_string()
        }
        2 => {
            *data = replace(data, b"\n", b"\r\n");
            "crlf".to_string()
        }
        3 => {
            *data = replace(data, b"\n", b"\r");
            "cr only".to_string()
        }
        4 => {
            // Latin-1: every "e" of a quoted string becomes é.
            let strings = quoted_spans(data);
            for &(a, b) in strings.iter().rev() {
                for c in &mut data[a..b] {
                    if *c == b'e' {
                        *c = 0xe9;
                    }
                }
            }
            "latin-1 strings".to_string()
        }
        _ => {
            *data = replace(data, b" ", b"\t");
            "tabs".to_string()
        }
    }
}

/// One byte-level mutation.
pub fn bytes(rng: &mut Rng, data: &mut Vec<u8>, pool: &[&[u8]]) -> String {
    if data.is_empty() {
        let n = rng.range(1, 64) as usize;
        data.extend(rng.bytes(n));
        return "fill empty".to_string();
    }
    let len = data.len();
    let at = rng.below(len);
    match rng.below(10) {
        0 => {
            let bit = rng.below(8);
            data[at] ^= 1 << bit;
            format!("flip bit {bit} at {at}")
        }
        1 => {
            let v = *rng.pick(&[0u8, 0xff, 0x7f, 0x80, b'\n', b'"', b'\\', b':', 0x20]);
            data[at] = v;
            format!("byte {v:#04x} at {at}")
        }
        2 => {
            let n = rng.range(1, 32) as usize;
            let ins = rng.bytes(n);
            data.splice(at..at, ins);
            format!("insert {n} bytes at {at}")
        }
        3 => {
            let n = rng.range(1, 256) as usize;
            let end = (at + n).min(len);
            data.drain(at..end);
            format!("delete {at}..{end}")
        }
        4 => {
            let n = rng.range(1, 512) as usize;
            let end = (at + n).min(len);
            let dup = data[at..end].to_vec();
            let to = rng.below(data.len() + 1);
            data.splice(to..to, dup);
            format!("copy {at}..{end} to {to}")
        }
        5 if !pool.is_empty() => {
            let other = rng.pick(pool);
            if other.is_empty() {
                return "splice nothing".to_string();
            }
            let from = rng.below(other.len());
            let n = rng.range(1, 2048) as usize;
            let end = (from + n).min(other.len());
            let cut = rng.below(len + 1);
            let keep = rng.below(len - cut + 1);
            data.splice(cut..cut + keep, other[from..end].iter().copied());
            format!("splice {from}..{end} of another seed at {cut}")
        }
        6 => {
            let to = rng.below(len);
            data.truncate(to);
            format!("truncate to {to}")
        }
        7 => {
            let n = *rng.pick(&[1usize, 2, 3, 17, 2048, 2352, 4096]);
            data.extend(std::iter::repeat_n(0, n));
            format!("append {n} zero bytes")
        }
        _ => int_field(rng, data),
    }
}

/// Writes an edge integer (16 or 32 bits, either endianness) at a random
/// offset.
pub fn int_field(rng: &mut Rng, data: &mut [u8]) -> String {
    let at = rng.below(data.len());
    let v = *rng.pick(EDGE_INTS);
    let bytes: Vec<u8> = match rng.below(4) {
        0 => (v as u16).to_le_bytes().to_vec(),
        1 => (v as u16).to_be_bytes().to_vec(),
        2 => v.to_le_bytes().to_vec(),
        _ => v.to_be_bytes().to_vec(),
    };
    let end = (at + bytes.len()).min(data.len());
    data[at..end].copy_from_slice(&bytes[..end - at]);
    format!("int {v:#x} ({} bytes) at {at}", bytes.len())
}

/// Sets a header field at a known offset to an edge value (little-endian
/// `width` bytes).
pub fn field_at(rng: &mut Rng, data: &mut [u8], at: usize, width: usize, name: &str) -> String {
    if at + width > data.len() {
        return "field past the end".to_string();
    }
    let v = *rng.pick(EDGE_INTS);
    data[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
    format!("{name} = {v:#x}")
}

/// Start of a random line (or the end).
fn line_start(data: &[u8], rng: &mut Rng) -> usize {
    let mut starts = vec![0];
    starts.extend(
        data.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    *rng.pick(&starts)
}

/// Spans of decimal digits (with a leading minus sign).
fn digit_runs(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        if data[i].is_ascii_digit() {
            let a = if i > 0 && data[i - 1] == b'-' {
                i - 1
            } else {
                i
            };
            while i < data.len() && data[i].is_ascii_digit() {
                i += 1;
            }
            out.push((a, i));
        } else {
            i += 1;
        }
    }
    out
}

/// The insides of `"…"` strings (positions between the quotes).
fn quoted_spans(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            open = None;
        } else if b == b'"' && (i == 0 || data[i - 1] != b'\\') {
            match open {
                None => open = Some(i + 1),
                Some(a) => {
                    out.push((a, i));
                    open = None;
                }
            }
        }
    }
    out
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect()
}

fn replace(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 8);
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

/// CRC of a CD-TEXT pack as stored: the Q sub-channel's CRC-16 over its
/// first 16 bytes.
pub fn pack_crc(pack: &[u8]) -> [u8; 2] {
    layout::subchannel::q_crc(&pack[..16]).to_be_bytes()
}

/// Mutates the packs of a `.cdt` file (4-byte header, 18-byte packs) field
/// by field, then gives each changed pack its right CRC so the reader
/// looks past the checksum.
pub fn cdt(rng: &mut Rng, data: &mut Vec<u8>) -> Vec<String> {
    let head = if data.len() % 18 == 4 { 4 } else { 0 };
    let packs = (data.len() - head) / 18;
    if packs == 0 {
        return binary(rng, data, &[]);
    }
    let n = rng.range(1, 3) as usize;
    let mut did = Vec::new();
    for _ in 0..n {
        let p = rng.below(packs);
        let at = head + p * 18;
        let field = rng.below(16);
        let v = *rng.pick(&[
            0u8, 1, 7, 8, 0x0f, 0x10, 0x63, 0x64, 0x7f, 0x80, 0x87, 0x8e, 0x8f, 0x90, 0xff,
        ]);
        data[at + field] = v;
        if rng.chance(7, 8) {
            let crc = pack_crc(&data[at..at + 16]);
            data[at + 16..at + 18].copy_from_slice(&crc);
        }
        did.push(format!("pack {p} byte {field} = {v:#04x}"));
    }
    if rng.chance(1, 4) {
        did.extend(binary(rng, data, &[]));
    }
    did
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msf_finds_times_and_numbers_find_digits() {
        let mut r = Rng::new(7);
        let mut d = b"INDEX 01 00:02:00\n".to_vec();
        let what = msf(&mut r, &mut d);
        assert!(what.starts_with("msf at 9 = "), "{what}");
        assert_eq!(digit_runs(b"a -12 b 3"), vec![(2, 5), (8, 9)]);
        assert_eq!(
            quoted_spans(b"FILE \"a b\" X \"c\"\n\"d"),
            vec![(6, 9), (14, 15)]
        );
    }

    #[test]
    fn pack_crc_matches_the_reference_check() {
        // A pack rawburn writes: type 80h, track 0, sequence 0, block 0,
        // "Mixed Seed\0D" (see the CD-TEXT tests of layout).
        let mut p = [
            0x80, 0, 0, 0, b'M', b'i', b'x', b'e', b'd', b' ', b'S', b'e', b'e', b'd', 0, b'D', 0,
            0,
        ];
        let crc = pack_crc(&p);
        p[16..].copy_from_slice(&crc);
        assert_eq!(crc, [0x73, 0x2c]);
    }
}
