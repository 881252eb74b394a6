//! [`CueSheet::from_disc`]: the cue sheet of a planned disc.

use super::{
    CueSheet, CueSheetEntry, CueSheetError, CueSheetOptions, LEAD_IN_TRACK, LEAD_OUT_TRACK,
    SCMS_ALTERNATE, form,
};
use layout::disc::{Area, CopySetting, Disc, PlannedTrack};
use layout::msf::{Lba, Msf};
use layout::sector::SectorType;

impl CueSheet {
    /// The cue sheet of a planned disc for Session At Once writing: the
    /// MCN, the lead-in (the first track's generated form, or 41h with
    /// CD-TEXT), per track its ISRC and an entry wherever the index or the
    /// data form changes (a mode-change pregap starts in the previous
    /// track's form), then the lead-out (the last track's generated form).
    /// Every entry carries its track's CONTROL; SCMS tracks set the
    /// alternate copy bit. The sheet is validated before it is returned.
    ///
    /// ## Errors
    ///
    /// [`CueSheetError::Unsupported`] for Mode 0 sectors,
    /// [`CueSheetError::Address`] for an address with no CD time, or any
    /// error of [`CueSheet::validate`].
    pub fn from_disc(disc: &Disc, options: CueSheetOptions) -> Result<CueSheet, CueSheetError> {
        let tracks = disc.tracks();
        let (Some(first), Some(last)) = (tracks.first(), tracks.last()) else {
            return Err(CueSheetError::NoTracks { entry: 0 });
        };
        let mut entries = Vec::new();
        if let Some(mcn) = disc.project().mcn {
            entries.push(CueSheetEntry::Mcn {
                control: first.control,
                digits: mcn.digits().map(|d| b'0' + d),
            });
        }
        entries.push(CueSheetEntry::Position {
            control: first.control,
            tno: LEAD_IN_TRACK,
            index: 0,
            data_form: if options.cdtext {
                form::LEAD_IN_CD_TEXT
            } else {
                generated_form(first)?
            },
            scms: 0,
            msf: options.lead_in.unwrap_or(Msf::ZERO),
        });
        let mut current: Option<(usize, u8, u8)> = None;
        for r in disc.regions() {
            let Area::Track { track, index } = r.area else {
                continue;
            };
            let t = &tracks[track];
            let data_form = host_form(r.encoder.sector_type(), t, options.raw_data)?;
            if current == Some((track, index, data_form)) {
                continue;
            }
            if current.is_none_or(|(c, _, _)| c != track)
                && let Some(isrc) = t.isrc
            {
                let mut code = [b'0'; 12];
                for (c, b) in code.iter_mut().zip(isrc.as_str().bytes()) {
                    *c = b;
                }
                entries.push(CueSheetEntry::Isrc {
                    control: t.control,
                    tno: t.number.get(),
                    code,
                });
            }
            entries.push(CueSheetEntry::Position {
                control: t.control,
                tno: t.number.get(),
                index,
                data_form,
                scms: if t.copy == CopySetting::Scms {
                    SCMS_ALTERNATE
                } else {
                    0
                },
                msf: disc_time(r.start)?,
            });
            current = Some((track, index, data_form));
        }
        entries.push(CueSheetEntry::Position {
            control: last.control,
            tno: LEAD_OUT_TRACK,
            index: 1,
            data_form: generated_form(last)?,
            scms: 0,
            msf: disc_time(disc.leadout())?,
        });
        let sheet = CueSheet { entries };
        sheet.validate()?;
        Ok(sheet)
    }
}

/// Sector families, as the cue sheet's data forms tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Audio,
    Mode1,
    Xa,
    Formless,
}

fn family(ty: SectorType, t: &PlannedTrack) -> Result<Family, CueSheetError> {
    Ok(match ty {
        SectorType::Audio => Family::Audio,
        SectorType::Mode1 | SectorType::Mode1Raw => Family::Mode1,
        SectorType::Mode2Formless | SectorType::Mode2FormlessRaw => Family::Formless,
        SectorType::Mode2Form1
        | SectorType::Mode2Form2
        | SectorType::Mode2Form1Raw
        | SectorType::Mode2Form2Raw
        | SectorType::Mode2Xa
        | SectorType::Mode2Raw => Family::Xa,
        _ => {
            return Err(CueSheetError::Unsupported {
                track: t.number.get(),
                sector_type: ty,
            });
        }
    })
}

/// The form of host-sent sectors of type `ty` in track `t`.
fn host_form(ty: SectorType, t: &PlannedTrack, raw: bool) -> Result<u8, CueSheetError> {
    Ok(match (family(ty, t)?, raw) {
        (Family::Audio, _) => form::AUDIO,
        (Family::Mode1, false) => form::MODE1,
        (Family::Mode1, true) => form::MODE1_RAW,
        (Family::Xa, false) => form::XA,
        (Family::Xa, true) => form::XA_RAW,
        (Family::Formless, false) => form::MODE2,
        (Family::Formless, true) => form::MODE2_RAW,
    })
}

/// The drive-generated form matching track `t` (lead-in and lead-out).
fn generated_form(t: &PlannedTrack) -> Result<u8, CueSheetError> {
    Ok(match family(t.sector_type, t)? {
        Family::Audio => form::AUDIO_GENERATED,
        Family::Mode1 => form::MODE1_GENERATED,
        Family::Xa => form::XA_GENERATED,
        Family::Formless => form::MODE2_GENERATED,
    })
}

fn disc_time(lba: Lba) -> Result<Msf, CueSheetError> {
    lba.to_disc_time()
        .map_err(|_| CueSheetError::Address { lba: lba.get() })
}
