//! Binary CD-TEXT files (`.cdt`, CDRWIN's `CDTEXTFILE`, cdrecord's
//! `textfile=`): the packs, as READ TOC/PMA/ATIP format 0101b returns them.

use super::CdTextError;
use super::pack::{PACK_SIZE, Pack};

/// Reads a `.cdt`: bare packs, or packs after the 4-byte READ TOC header
/// (length, two reserved bytes), either possibly followed by one NUL.
///
/// ## Errors
///
/// [`CdTextError::Length`] when the size fits none of those forms.
pub fn read(bytes: &[u8]) -> Result<Vec<Pack>, CdTextError> {
    let body = match bytes.len() % PACK_SIZE {
        0 => bytes,
        1 if bytes.last() == Some(&0) => &bytes[..bytes.len() - 1],
        4 => &bytes[4..],
        5 if bytes.last() == Some(&0) => &bytes[4..bytes.len() - 1],
        _ => return Err(CdTextError::Length(bytes.len())),
    };
    Ok(body
        .chunks_exact(PACK_SIZE)
        .map(|c| {
            let mut p = [0u8; PACK_SIZE];
            p.copy_from_slice(c);
            Pack(p)
        })
        .collect())
}

/// Writes packs in the READ TOC format 0101b form: a 4-byte header (the
/// length of what follows it, big-endian, then two zero bytes) and the
/// packs.
pub fn write(packs: &[Pack]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + packs.len() * PACK_SIZE);
    let len = (packs.len() * PACK_SIZE + 2) as u16;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    for p in packs {
        out.extend_from_slice(&p.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let p = Pack::new(0x80, 0, 0, false, 0, 0, *b"Album\0Track\0");
        let q = Pack::new(0x8f, 0, 1, false, 0, 0, [0; 12]);
        let file = write(&[p, q]);
        assert_eq!(file[..4], [0x00, 0x26, 0x00, 0x00]);
        assert_eq!(read(&file).unwrap(), vec![p, q]);
        assert_eq!(read(&file[4..]).unwrap(), vec![p, q]);
        let mut nul = file[4..].to_vec();
        nul.push(0);
        assert_eq!(read(&nul).unwrap(), vec![p, q]);
        let mut both = file.clone();
        both.push(0);
        assert_eq!(read(&both).unwrap(), vec![p, q]);
        assert_eq!(read(&file[..10]), Err(CdTextError::Length(10)));
    }
}
