//! `TrackInfo`: IMAPI2's `IRawCDImageTrackInfo` for JS.

use crate::creator::State;
use crate::error::Error;
use crate::types::{CopySettingName, NumberList, OptionalSectors, SectorTypeName};
use layout::disc::{CopySetting, Gap, IndexAdded};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// One track of an `ImageCreator`; it sees the creator's current state.
#[wasm_bindgen]
#[derive(Debug)]
pub struct TrackInfo {
    state: Rc<RefCell<State>>,
    index: usize,
}

impl TrackInfo {
    /// The track at `index` (0-based) of `state`.
    pub fn new(state: Rc<RefCell<State>>, index: usize) -> TrackInfo {
        TrackInfo { state, index }
    }

    /// The 0-based position.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Runs an edit through the layout creator's track view.
    fn edit<T>(
        &self,
        f: impl FnOnce(&mut layout::disc::TrackInfo<'_>) -> Result<T, layout::disc::DiscError>,
    ) -> Result<T, Error> {
        let position = self.index + 1;
        self.state
            .borrow_mut()
            .edit(|c| c.track_info(position).and_then(|mut t| f(&mut t)))
    }

    fn read<T>(&self, f: impl FnOnce(&layout::disc::TrackSpec) -> T) -> Result<T, Error> {
        let state = self.state.borrow();
        let spec = state.project().tracks.get(self.index).ok_or_else(|| {
            Error::new(
                "noSuchTrack",
                format!("track position {} no longer exists", self.index + 1),
            )
        })?;
        Ok(f(spec))
    }

    fn planned<T>(&self, f: impl FnOnce(&layout::disc::PlannedTrack) -> T) -> Result<T, Error> {
        let disc = self.state.borrow().plan()?;
        let track = disc.tracks().get(self.index).ok_or_else(|| {
            Error::new(
                "noSuchTrack",
                format!("track position {} no longer exists", self.index + 1),
            )
        })?;
        Ok(f(track))
    }
}

#[wasm_bindgen]
impl TrackInfo {
    /// The track number on the disc.
    #[wasm_bindgen(getter, js_name = trackNumber)]
    pub fn track_number(&self) -> u32 {
        let first = self.state.borrow().project().first_track;
        u32::from(first) + self.index as u32
    }

    /// The sector type.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack` if the creator was replaced.
    #[wasm_bindgen(getter, js_name = sectorType)]
    pub fn sector_type(&self) -> Result<SectorTypeName, Error> {
        let t = self.read(|s| s.sector_type)?;
        Ok(JsValue::from_str(layout::disc::sector_type_json_name(t)).unchecked_into())
    }

    /// LBA of index 1.
    ///
    /// ## Errors
    ///
    /// Planning errors of the disc as it stands.
    #[wasm_bindgen(getter, js_name = startingLba)]
    pub fn starting_lba(&self) -> Result<i32, Error> {
        self.planned(|t| t.start.get())
    }

    /// Sectors from index 1 up to the postgap.
    ///
    /// ## Errors
    ///
    /// Planning errors of the disc as it stands.
    #[wasm_bindgen(getter, js_name = sectorCount)]
    pub fn sector_count(&self) -> Result<u32, Error> {
        self.planned(|t| t.data_sectors())
    }

    /// The ISRC (12 characters), or `""`.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack` if the creator was replaced.
    #[wasm_bindgen(getter)]
    pub fn isrc(&self) -> Result<String, Error> {
        self.read(|s| s.isrc.map(|i| i.as_str().to_string()).unwrap_or_default())
    }

    /// Sets the ISRC (dashes optional); `""` clears it.
    ///
    /// ## Errors
    ///
    /// `invalidIdentifier`, `isrcOnData`, `readOnly`.
    #[wasm_bindgen(setter)]
    pub fn set_isrc(&self, isrc: String) -> Result<(), Error> {
        self.edit(|t| t.set_isrc(&isrc))
    }

    /// The digital copy setting.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack` if the creator was replaced.
    #[wasm_bindgen(getter, js_name = digitalAudioCopySetting)]
    pub fn digital_audio_copy_setting(&self) -> Result<CopySettingName, Error> {
        let name = match self.read(|s| s.copy)? {
            CopySetting::Permitted => "permitted",
            CopySetting::Prohibited => "prohibited",
            CopySetting::Scms => "scms",
        };
        Ok(JsValue::from_str(name).unchecked_into())
    }

    /// Sets the digital copy setting.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for an unknown name, `readOnly`.
    #[wasm_bindgen(setter, js_name = digitalAudioCopySetting)]
    pub fn set_digital_audio_copy_setting(&self, setting: CopySettingName) -> Result<(), Error> {
        let copy = match setting.as_string().as_deref().unwrap_or_default() {
            "permitted" => CopySetting::Permitted,
            "prohibited" => CopySetting::Prohibited,
            "scms" => CopySetting::Scms,
            other => {
                return Err(Error::argument(format!(
                    "copy setting `{other}`: expected permitted, prohibited or scms"
                )));
            }
        };
        self.edit(|t| t.set_digital_audio_copy_setting(copy))
    }

    /// Whether the audio was recorded with pre-emphasis.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack` if the creator was replaced.
    #[wasm_bindgen(getter, js_name = audioHasPreemphasis)]
    pub fn audio_has_preemphasis(&self) -> Result<bool, Error> {
        self.read(|s| s.pre_emphasis)
    }

    /// Marks the audio as pre-emphasised or not.
    ///
    /// ## Errors
    ///
    /// `readOnly`.
    #[wasm_bindgen(setter, js_name = audioHasPreemphasis)]
    pub fn set_audio_has_preemphasis(&self, on: bool) -> Result<(), Error> {
        self.edit(|t| t.set_audio_has_preemphasis(on))
    }

    /// Index points as sector offsets from index 1, index 1 (0) first.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack` if the creator was replaced.
    #[wasm_bindgen(getter, js_name = trackIndexes)]
    pub fn track_indexes(&self) -> Result<NumberList, Error> {
        let list: js_sys::Array = self.read(|s| {
            std::iter::once(0)
                .chain(s.indexes.iter().copied())
                .map(JsValue::from)
                .collect()
        })?;
        Ok(list.unchecked_into())
    }

    /// Adds an index point `offset` sectors after index 1; false when one
    /// is already there.
    ///
    /// ## Errors
    ///
    /// `tooManyIndexes`, `indexTooClose` (within 10 sectors of another
    /// index or the end), `indexLayout` (beyond the track), `readOnly`.
    #[wasm_bindgen(js_name = addTrackIndex)]
    pub fn add_track_index(&self, offset: u32) -> Result<bool, Error> {
        Ok(self.edit(|t| t.add_track_index(offset))? == IndexAdded::Added)
    }

    /// Removes the index point at `offset`.
    ///
    /// ## Errors
    ///
    /// `indexZeroOffset` for index 1, `indexNotFound`, `readOnly`.
    #[wasm_bindgen(js_name = clearTrackIndex)]
    pub fn clear_track_index(&self, offset: u32) -> Result<(), Error> {
        self.edit(|t| t.clear_track_index(offset))
    }

    /// Sectors of the pregap (index 0) as planned.
    ///
    /// ## Errors
    ///
    /// Planning errors of the disc as it stands.
    #[wasm_bindgen(getter)]
    pub fn pregap(&self) -> Result<u32, Error> {
        self.planned(|t| t.pregap_sectors())
    }

    /// Sets the pregap to `sectors` generated sectors (silence, or empty
    /// sectors of the track's mode); `null` restores the default for the
    /// track's position (2 seconds, 3 for a data track after another type).
    ///
    /// ## Errors
    ///
    /// Planning errors the gap causes (`firstPregapTooShort`, `doesNotFit`),
    /// `readOnly`.
    #[wasm_bindgen(setter)]
    pub fn set_pregap(&self, sectors: OptionalSectors) -> Result<(), Error> {
        let gap = optional_sectors(&sectors, "pregap")?.map(Gap::generated);
        self.edit(|t| t.set_pregap(gap))
    }

    /// Sectors of the postgap as planned.
    ///
    /// ## Errors
    ///
    /// Planning errors of the disc as it stands.
    #[wasm_bindgen(getter)]
    pub fn postgap(&self) -> Result<u32, Error> {
        self.planned(|t| t.postgap_sectors())
    }

    /// Sets the postgap in sectors; `null` restores the default (2 seconds
    /// after a data track followed by another type, else none).
    ///
    /// ## Errors
    ///
    /// Planning errors the gap causes, `readOnly`.
    #[wasm_bindgen(setter)]
    pub fn set_postgap(&self, sectors: OptionalSectors) -> Result<(), Error> {
        let sectors = optional_sectors(&sectors, "postgap")?;
        self.edit(|t| t.set_postgap(sectors))
    }
}

fn optional_sectors(value: &JsValue, what: &str) -> Result<Option<u32>, Error> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    let n = value
        .as_f64()
        .ok_or_else(|| Error::argument(format!("`{what}` must be a number of sectors or null")))?;
    crate::js::small(n, what).map(Some)
}
