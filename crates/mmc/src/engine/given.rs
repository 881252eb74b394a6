//! Sectors kept as given: raw sectors, and Mode 2 XA sectors whose bytes
//! after the header come from a source. The RAW modes write them as they
//! are. SAO (data forms 10h–31h) and TAO (data block types 8–13) send
//! their user data, and the drive builds sync, header, EDC and ECC itself
//! (`cd-standards.md` §6.10, §6.12); TAO also moves tracks, so headers
//! follow the new addresses. A sector is therefore written as given in
//! SAO and TAO only when it is exactly what the drive builds from its
//! user data at its address. Before SAO or TAO writes anything, the
//! engine reads every such sector through its source reads and checks it;
//! the first that is not refuses the mode.

use super::Engine;
use super::error::EngineError;
use super::feed::{Feed, Slice};
use super::options::Irregular;
use super::steps::{Next, Step};
use layout::disc::{Area, Content, Disc};
use layout::msf::Lba;
use layout::sector::{SectorEncoder, SectorType, XaSubheader};
use layout::subchannel::SubchannelFormat;

/// A run of sectors kept as given, all of one track and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Region {
    /// The track (position in the plan).
    pub track: usize,
    /// First sector.
    pub start: Lba,
    /// End (exclusive).
    pub end: Lba,
    /// Their type.
    pub sector_type: SectorType,
}

/// Whether sectors of `ty` are kept as given (beyond their header for
/// Mode 2 XA).
pub(super) fn kept_as_given(ty: SectorType) -> bool {
    ty.is_raw() || ty == SectorType::Mode2Xa
}

/// The runs of `disc` kept as given that come from a source (generated
/// sectors are the encoder's, which is what a drive builds).
pub(super) fn regions(disc: &Disc) -> Vec<Region> {
    disc.regions()
        .iter()
        .filter_map(|r| match (r.area, r.content) {
            (Area::Track { track, .. }, Content::Source { .. })
                if kept_as_given(r.encoder.sector_type()) =>
            {
                Some(Region {
                    track,
                    start: r.start,
                    end: r.end(),
                    sector_type: r.encoder.sector_type(),
                })
            }
            _ => None,
        })
        .collect()
}

/// What a drive builds at `lba` from the user data of `sector`, written
/// as a sector of type `ty`: Mode 1 from its 2048 bytes, Mode 2 formless
/// from its 2336, XA from its subheader and the user data of the form the
/// subheader names. `None` for audio and Mode 0 (nothing is built), and
/// for a sector whose form a Form 1 or Form 2 track cannot take.
pub(super) fn rebuild(ty: SectorType, lba: Lba, sector: &[u8; 2352]) -> Option<[u8; 2352]> {
    use SectorType as T;
    let (encoder, input) = match ty {
        T::Mode1 | T::Mode1Raw => (SectorEncoder::new(T::Mode1), &sector[16..2064]),
        T::Mode2Formless | T::Mode2FormlessRaw => {
            (SectorEncoder::new(T::Mode2Formless), &sector[16..2352])
        }
        T::Mode2Form1
        | T::Mode2Form2
        | T::Mode2Form1Raw
        | T::Mode2Form2Raw
        | T::Mode2Xa
        | T::Mode2Raw => {
            let sub = XaSubheader::from_bytes([sector[16], sector[17], sector[18], sector[19]]);
            let form2 = sub.is_form2();
            let fits = match ty {
                T::Mode2Form1 | T::Mode2Form1Raw => !form2,
                T::Mode2Form2 | T::Mode2Form2Raw => form2,
                _ => true,
            };
            if !fits {
                return None;
            }
            let (form, user) = if form2 {
                (T::Mode2Form2, 24..2348)
            } else {
                (T::Mode2Form1, 24..2072)
            };
            (
                SectorEncoder::new(form).with_subheader(sub).ok()?,
                &sector[user],
            )
        }
        _ => return None,
    };
    let mut out = [0u8; 2352];
    encoder.encode(lba, input, &mut out).ok()?;
    Some(out)
}

/// Why `sector`, of type `ty` at `lba`, is not what a drive builds from
/// its user data: the first part that differs. `None` when it is.
pub(super) fn irregularity(ty: SectorType, lba: Lba, sector: &[u8; 2352]) -> Option<&'static str> {
    let Some(built) = rebuild(ty, lba, sector) else {
        return Some("form");
    };
    let at = sector.iter().zip(&built).position(|(a, b)| a != b)?;
    let xa = !matches!(ty, SectorType::Mode2Formless | SectorType::Mode2FormlessRaw);
    let form2 = XaSubheader::from_bytes([built[16], built[17], built[18], built[19]]).is_form2();
    Some(match (built[15], at) {
        (_, 0..12) => "sync",
        (_, 12..15) => "header",
        (_, 15) => "mode byte",
        (1, 2064..2068) => "edc",
        (1, 2068..2076) => "zero bytes",
        (1, 2076..) => "ecc",
        (2, 16..24) if xa => "subheader",
        (2, 2072..2076) if xa && !form2 => "edc",
        (2, 2076..) if xa && !form2 => "ecc",
        (2, 2348..) if xa && form2 => "edc",
        _ => "user data",
    })
}

impl Engine {
    /// The check of run `i` begins: its sectors are read as they are.
    pub(super) fn enter_check(&mut self, i: usize) {
        let Some(r) = regions(&self.disc).get(i).copied() else {
            return self.fail(EngineError::Misuse(
                "a run of sectors that is not in the plan",
            ));
        };
        match Feed::new(
            self.disc.clone(),
            r.start,
            r.end,
            SubchannelFormat::None,
            false,
            Slice::whole(2352),
            self.options.system_buffer,
            self.shared_frames,
        ) {
            Ok(f) => self.feed = Some(f),
            Err(e) => self.fail(e),
        }
    }

    /// Checks what was read of run `i`; done when all was, or at the first
    /// sector the drive would build otherwise (the other runs need no
    /// check then).
    pub(super) fn next_check(&mut self, i: usize) -> Next {
        let Some(r) = regions(&self.disc).get(i).copied() else {
            return Next::Done;
        };
        // A later session's plan is laid out from LBA 0: the drive builds
        // its sectors at the session's start.
        let base = self.append.and_then(|a| a.start).map_or(0, Lba::get);
        let Some(feed) = self.feed.as_mut() else {
            return Next::Done;
        };
        while let Some((first, n, bytes)) = feed.take(u32::MAX) {
            for (k, sector) in bytes.chunks_exact(2352).enumerate() {
                let lba = Lba(first.get() + k as i32 + base);
                let Ok(sector) = <&[u8; 2352]>::try_from(sector) else {
                    continue;
                };
                if let Some(field) = irregularity(r.sector_type, lba, sector) {
                    let track = self
                        .disc
                        .tracks()
                        .get(r.track)
                        .map_or(0, |t| t.number.get());
                    self.needs.irregular = Some(Irregular {
                        track,
                        lba,
                        sector_type: r.sector_type,
                        field,
                    });
                    self.feed = None;
                    self.steps.retain(|s| !matches!(s, Step::CheckGiven(_)));
                    return Next::Done;
                }
            }
            debug_assert!(n as usize * 2352 == bytes.len());
        }
        if feed.is_done() {
            self.feed = None;
            Next::Done
        } else {
            Next::Wait
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode1(lba: i32) -> [u8; 2352] {
        let mut s = [0u8; 2352];
        let data: Vec<u8> = (0..2048).map(|i| (i * 7 + lba) as u8).collect();
        SectorEncoder::new(SectorType::Mode1)
            .encode(Lba(lba), &data, &mut s)
            .unwrap();
        s
    }

    #[test]
    fn a_sector_the_encoder_made_is_regular_and_each_spoilt_field_is_named() {
        let s = mode1(17);
        assert_eq!(irregularity(SectorType::Mode1Raw, Lba(17), &s), None);
        assert_eq!(rebuild(SectorType::Mode1Raw, Lba(17), &s), Some(s));
        // The same sector somewhere else: its header.
        assert_eq!(
            irregularity(SectorType::Mode1Raw, Lba(18), &s),
            Some("header")
        );
        for (at, field) in [
            (0, "sync"),
            (15, "mode byte"),
            (2064, "edc"),
            (2070, "zero bytes"),
            (2100, "ecc"),
        ] {
            let mut t = s;
            t[at] ^= 0x01;
            assert_eq!(
                irregularity(SectorType::Mode1Raw, Lba(17), &t),
                Some(field),
                "byte {at}"
            );
        }
    }

    #[test]
    fn xa_sectors_are_built_in_the_form_their_subheader_names() {
        let sub = XaSubheader::from_bytes([0, 0, 0x20, 0]);
        let mut s = [0u8; 2352];
        SectorEncoder::new(SectorType::Mode2Form2)
            .with_subheader(sub)
            .unwrap()
            .encode(Lba(300), &[0x5a; 2324], &mut s)
            .unwrap();
        assert_eq!(irregularity(SectorType::Mode2Raw, Lba(300), &s), None);
        assert_eq!(irregularity(SectorType::Mode2Form2Raw, Lba(300), &s), None);
        // A Form 1 track cannot take it.
        assert_eq!(
            irregularity(SectorType::Mode2Form1Raw, Lba(300), &s),
            Some("form")
        );
        // Form 2 with its optional EDC left zero: the drive computes it.
        let mut t = s;
        t[2348..].fill(0);
        assert_eq!(irregularity(SectorType::Mode2Xa, Lba(300), &t), Some("edc"));
        // The second subheader copy differs.
        let mut t = s;
        t[21] = 1;
        assert_eq!(
            irregularity(SectorType::Mode2Raw, Lba(300), &t),
            Some("subheader")
        );
        assert_eq!(rebuild(SectorType::Audio, Lba(0), &s), None);
    }
}
