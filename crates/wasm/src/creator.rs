//! `ImageCreator`: IMAPI2's `IRawCDImageCreator` for JS, with CD-TEXT and
//! project JSON.

use crate::error::Error;
use crate::js;
use crate::source::JsSource;
use crate::types::{
    CdTextField, CdTextInput, CdTextPackCount, CdTextPackCountValue, CdTextValue, DiscIdsValue,
    ImageCreatorOptions, ImageTypeName, OffsetOptions, OptionalText, ProjectInput,
    ProjectSourceInfo, ProjectValue, ResolveProjectSource, SectorTypeName, SourceInput,
    SpanOptions, TocValue,
};
use layout::cdtext::{CdText, TextBlock, TextFields, TocSummary, pack::kind};
use layout::disc::{
    Disc, DiscError, ImageType, LeadoutLimit, Project, SourceFormat, SourcePos, SourceSpan,
};
use layout::sector::SectorType;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// What an `ImageCreator` and its `TrackInfo`s share.
#[derive(Debug)]
pub struct State {
    /// The project with IMAPI2's editing rules.
    pub creator: layout::disc::ImageCreator,
    /// The sources, by project source index.
    pub sources: Vec<Rc<JsSource>>,
    /// The plan, once `createResultImage` froze the disc.
    pub frozen: Option<Arc<Disc>>,
    /// What importing adjusted.
    pub notes: Vec<String>,
}

impl State {
    /// A state over `project` with its sources.
    pub fn new(project: Project, sources: Vec<Rc<JsSource>>) -> State {
        State {
            creator: layout::disc::ImageCreator::from_project(project),
            sources,
            frozen: None,
            notes: Vec::new(),
        }
    }

    /// The project as it stands.
    pub fn project(&self) -> &Project {
        self.creator.project()
    }

    /// Fails once the disc is frozen.
    ///
    /// ## Errors
    ///
    /// `readOnly`.
    pub fn writable(&self) -> Result<(), Error> {
        match self.frozen {
            Some(_) => Err(DiscError::ReadOnly.into()),
            None => Ok(()),
        }
    }

    /// Runs an edit of the layout creator; keeps it only if it succeeds.
    ///
    /// ## Errors
    ///
    /// `readOnly`, or what the edit returns.
    pub fn edit<T>(
        &mut self,
        f: impl FnOnce(&mut layout::disc::ImageCreator) -> Result<T, DiscError>,
    ) -> Result<T, Error> {
        self.writable()?;
        let mut candidate = self.creator.clone();
        let value = f(&mut candidate)?;
        self.creator = candidate;
        Ok(value)
    }

    /// Changes a copy of the project and keeps it if the disc still plans.
    ///
    /// ## Errors
    ///
    /// `readOnly`, what `f` returns, or the planning error the change
    /// causes.
    pub fn change(
        &mut self,
        f: impl FnOnce(&mut Project) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.writable()?;
        let mut project = self.project().clone();
        f(&mut project)?;
        if !project.tracks.is_empty() {
            Disc::plan(&project)?;
        }
        self.creator = layout::disc::ImageCreator::from_project(project);
        Ok(())
    }

    /// The plan of the disc as it stands.
    ///
    /// ## Errors
    ///
    /// Planning errors (`noTracks` before the first track).
    pub fn plan(&self) -> Result<Arc<Disc>, Error> {
        match &self.frozen {
            Some(d) => Ok(d.clone()),
            None => Ok(Arc::new(self.creator.plan()?)),
        }
    }

    /// The source index for `input`: an existing source given as the same
    /// object with the same format, or a new one.
    ///
    /// ## Errors
    ///
    /// As [`JsSource::from_input`].
    fn source_for(
        &mut self,
        input: &JsValue,
        format: SourceFormat,
        length: Option<u64>,
    ) -> Result<usize, Error> {
        for (i, s) in self.sources.iter().enumerate() {
            if js_sys::Object::is(&s.origin, input) && s.format == format {
                return Ok(i);
            }
        }
        let n = self.sources.len() + 1;
        let name = match format {
            SourceFormat::Audio => format!("source{n}.wav"),
            _ => format!("source{n}.bin"),
        };
        let source = JsSource::from_input(input, name, format, length)?;
        self.creator
            .add_source(source.name.clone(), source.format)
            .map_err(Error::from)?;
        self.sources.push(Rc::new(source));
        Ok(self.sources.len() - 1)
    }

    /// Adds a source and works out the span of `options` in it for sectors
    /// of `stride` bytes; on error nothing changes.
    ///
    /// ## Errors
    ///
    /// `sourceLength` when the source does not hold the sectors,
    /// `invalidArgument` for bad options, source errors.
    fn span(
        &mut self,
        input: &JsValue,
        format: SourceFormat,
        stride: u64,
        options: &JsValue,
        what: &str,
    ) -> Result<SourceSpan, Error> {
        js::only(options, &["offset", "sectors"], &format!("{what} options"))?;
        let offset = js::opt_u64(options, "offset")?.unwrap_or(0);
        let sectors = js::opt_u64(options, "sectors")?;
        let length = sectors.map(|s| offset + s * stride);
        let count = self.sources.len();
        let source = self.source_for(input, format, length)?;
        let data = &self.sources[source];
        let (name, len, audio) = (
            data.name.clone(),
            data.len(),
            data.format == SourceFormat::Audio,
        );
        let result = (|| {
            let rest = len.checked_sub(offset).ok_or_else(|| {
                Error::new(
                    "sourceLength",
                    format!("{what}: offset {offset} is past the end of {name} ({len} bytes)"),
                )
            })?;
            // Audio may end inside its last sector (it is padded with
            // silence); other data must fill whole sectors.
            let fits = if audio {
                rest.div_ceil(stride)
            } else {
                rest / stride
            };
            let sectors = match sectors {
                Some(s) if s <= fits => s,
                Some(s) => {
                    return Err(Error::new(
                        "sourceLength",
                        format!(
                            "{what}: {s} sectors of {stride} bytes from byte {offset} need {} bytes; {name} holds {len}",
                            offset + s * stride
                        ),
                    ));
                }
                None if audio || rest % stride == 0 => fits,
                None => {
                    return Err(Error::new(
                        "sourceLength",
                        format!(
                            "{what}: {name} holds {rest} bytes from byte {offset}, not a whole number of {stride}-byte sectors; give `sectors`"
                        ),
                    ));
                }
            };
            let sectors = u32::try_from(sectors).map_err(|_| {
                Error::new(
                    "sourceLength",
                    format!("{what}: {sectors} sectors is too many"),
                )
            })?;
            Ok(SourceSpan {
                source,
                offset,
                sectors,
            })
        })();
        if result.is_err() && self.sources.len() > count {
            self.drop_last_source();
        }
        result
    }

    /// Removes the source added last (after an edit that used it failed).
    fn drop_last_source(&mut self) {
        self.sources.pop();
        let mut project = self.project().clone();
        project.sources.pop();
        self.creator = layout::disc::ImageCreator::from_project(project);
    }

    /// Runs `f` after adding sources with `span`; removes them if it fails.
    fn with_new_sources<T>(
        &mut self,
        count: usize,
        f: impl FnOnce(&mut State) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let result = f(self);
        if result.is_err() {
            while self.sources.len() > count {
                self.drop_last_source();
            }
        }
        result
    }
}

/// Builds a disc the way IMAPI2's `IRawCDImageCreator` does, for any sector
/// type, with CD-TEXT; then writes it as image files.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ImageCreator {
    pub(crate) state: Rc<RefCell<State>>,
}

#[wasm_bindgen]
impl ImageCreator {
    /// An empty disc.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for bad options, `invalidIdentifier` for a bad
    /// catalog number, `firstTrackNumber`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<ImageCreatorOptions>) -> Result<ImageCreator, Error> {
        let creator = ImageCreator::from_state(State::new(Project::default(), Vec::new()));
        let Some(options) = options else {
            return Ok(creator);
        };
        let o: &JsValue = &options;
        if o.is_undefined() || o.is_null() {
            return Ok(creator);
        }
        js::only(
            o,
            &[
                "imageType",
                "leadoutLimit",
                "gaplessAudio",
                "startingTrackNumber",
                "mediaCatalogNumber",
            ],
            "ImageCreator options",
        )?;
        if let Some(t) = js::opt_string(o, "imageType")? {
            creator.set_image_type(&t)?;
        }
        let limit = js::get(o, "leadoutLimit");
        if !limit.is_undefined() {
            let limit: LeadoutLimit = serde_wasm_bindgen::from_value(limit)
                .map_err(|e| Error::argument(format!("leadoutLimit: {e}")))?;
            creator.state.borrow_mut().change(|p| {
                p.leadout_limit = limit;
                Ok(())
            })?;
        }
        if let Some(on) = js::opt_bool(o, "gaplessAudio")? {
            creator.set_gapless_audio(on)?;
        }
        let first = js::get(o, "startingTrackNumber");
        if !first.is_undefined() {
            let n = first
                .as_f64()
                .ok_or_else(|| Error::argument("`startingTrackNumber` must be a number"))?;
            creator.set_starting_track_number(n)?;
        }
        if let Some(mcn) = js::opt_string(o, "mediaCatalogNumber")? {
            creator.set_media_catalog_number(mcn)?;
        }
        Ok(creator)
    }

    /// Adds a track of `sectorType` whose data is `source` (from
    /// `options.offset`, `options.sectors` long or to the end); returns its
    /// position (1 for the first track), as IMAPI2's `AddTrack`.
    ///
    /// ## Errors
    ///
    /// `sourceLength`, `tooManyTracks`, `trackTooShort`, `doesNotFit`,
    /// `readOnly`, `invalidArgument`.
    #[wasm_bindgen(js_name = addTrack)]
    pub fn add_track(
        &self,
        #[wasm_bindgen(js_name = sectorType)] sector_type: SectorTypeName,
        source: SourceInput,
        options: Option<SpanOptions>,
    ) -> Result<u32, Error> {
        let ty = sector_type_from(&sector_type)?;
        let options = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let mut state = self.state.borrow_mut();
        state.writable()?;
        // Raw bytes unless the source says otherwise (PCM is audio, a
        // descriptor names its format).
        let format = SourceFormat::Binary;
        let count = state.sources.len();
        state.with_new_sources(count, |state| {
            let span = state.span(&source, format, ty.input_len() as u64, &options, "addTrack")?;
            let n = state.edit(|c| c.add_track(ty, span))?;
            Ok(n as u32)
        })
    }

    /// Sets the audio hidden before track 1 (track 1's pregap, at least 150
    /// sectors), as IMAPI2's `AddSpecialPregap`. Before any track.
    ///
    /// ## Errors
    ///
    /// `tracksAlreadyAdded`, `specialPregapTooShort`, `sourceLength`,
    /// `readOnly`.
    #[wasm_bindgen(js_name = addSpecialPregap)]
    pub fn add_special_pregap(
        &self,
        source: SourceInput,
        options: Option<SpanOptions>,
    ) -> Result<(), Error> {
        let options = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let mut state = self.state.borrow_mut();
        state.writable()?;
        if !state.project().tracks.is_empty() {
            return Err(DiscError::TracksAlreadyAdded("the hidden track-one audio").into());
        }
        let count = state.sources.len();
        state.with_new_sources(count, |state| {
            let span = state.span(
                &source,
                SourceFormat::Binary,
                SectorType::Audio.input_len() as u64,
                &options,
                "addSpecialPregap",
            )?;
            state.edit(|c| c.add_special_pregap(span))
        })
    }

    /// Sets R-W subcode for every sector of raw images: 96 bytes per
    /// sector from 95:00:00 (LBA −22650) on, from `options.offset`, as
    /// IMAPI2's `AddSubcodeRWGenerator`.
    ///
    /// ## Errors
    ///
    /// `rwNeedsPw` when the image type carries no R-W, `readOnly`,
    /// `invalidArgument`.
    #[wasm_bindgen(js_name = addSubcodeRwGenerator)]
    pub fn add_subcode_rw_generator(
        &self,
        source: SourceInput,
        options: Option<OffsetOptions>,
    ) -> Result<(), Error> {
        let options = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        js::only(&options, &["offset"], "addSubcodeRwGenerator options")?;
        let offset = js::opt_u64(&options, "offset")?.unwrap_or(0);
        let mut state = self.state.borrow_mut();
        state.writable()?;
        let count = state.sources.len();
        state.with_new_sources(count, |state| {
            let source = state.source_for(&source, SourceFormat::Binary, None)?;
            state.edit(|c| c.add_subcode_rw_generator(SourcePos { source, offset }))
        })
    }

    /// The track at `position` (1 for the first), as IMAPI2's
    /// `get_TrackInfo`.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack`.
    #[wasm_bindgen(js_name = trackInfo)]
    pub fn track_info(&self, position: f64) -> Result<crate::track::TrackInfo, Error> {
        let count = self.state.borrow().project().tracks.len();
        let p: usize = js::small(position, "position")?;
        if p == 0 || p > count {
            let first = self.state.borrow().project().first_track;
            return Err(DiscError::NoSuchTrack {
                track: p.min(255) as u8,
                first,
                last: first.saturating_add(count.saturating_sub(1) as u8),
            }
            .into());
        }
        Ok(crate::track::TrackInfo::new(self.state.clone(), p - 1))
    }

    /// Number of tracks added.
    #[wasm_bindgen(getter, js_name = numberOfExistingTracks)]
    pub fn number_of_existing_tracks(&self) -> u32 {
        self.state.borrow().project().tracks.len() as u32
    }

    /// The Media Catalog Number (13 digits), or `""`.
    #[wasm_bindgen(getter, js_name = mediaCatalogNumber)]
    pub fn media_catalog_number(&self) -> String {
        self.state
            .borrow()
            .project()
            .mcn
            .map(|m| m.to_string())
            .unwrap_or_default()
    }

    /// Sets the Media Catalog Number (13 digits, or 12 without the leading
    /// zero; the check digit is verified); `""` clears it.
    ///
    /// ## Errors
    ///
    /// `invalidIdentifier`, `readOnly`.
    #[wasm_bindgen(setter, js_name = mediaCatalogNumber)]
    pub fn set_media_catalog_number(&self, mcn: String) -> Result<(), Error> {
        self.state
            .borrow_mut()
            .edit(|c| c.set_media_catalog_number(&mcn))
    }

    /// Number of the first track.
    #[wasm_bindgen(getter, js_name = startingTrackNumber)]
    pub fn starting_track_number(&self) -> u32 {
        u32::from(self.state.borrow().project().first_track)
    }

    /// Sets the number of the first track (1–99), before any track.
    ///
    /// ## Errors
    ///
    /// `firstTrackNumber`, `tracksAlreadyAdded`, `readOnly`.
    #[wasm_bindgen(setter, js_name = startingTrackNumber)]
    pub fn set_starting_track_number(&self, n: f64) -> Result<(), Error> {
        let n: u8 = js::small(n, "startingTrackNumber")
            .map_err(|_| Error::from(DiscError::FirstTrackNumber(n.clamp(0.0, 255.0) as u8)))?;
        self.state
            .borrow_mut()
            .edit(|c| c.set_starting_track_number(n))
    }

    /// LBA where the lead-out starts.
    ///
    /// ## Errors
    ///
    /// `noTracks` before the first track.
    #[wasm_bindgen(getter, js_name = startOfLeadout)]
    pub fn start_of_leadout(&self) -> Result<i32, Error> {
        Ok(self.state.borrow().plan()?.leadout().get())
    }

    /// Latest LBA at which the lead-out may start (the media's capacity;
    /// 88:29:74, LBA 398099, unless set).
    #[wasm_bindgen(getter, js_name = startOfLeadoutLimit)]
    pub fn start_of_leadout_limit(&self) -> i32 {
        self.state.borrow().project().leadout_limit.lba().get()
    }

    /// Sets the latest lead-out start, as an LBA.
    ///
    /// ## Errors
    ///
    /// `doesNotFit` when the tracks added do not fit, `readOnly`.
    #[wasm_bindgen(setter, js_name = startOfLeadoutLimit)]
    pub fn set_start_of_leadout_limit(&self, lba: i32) -> Result<(), Error> {
        self.state
            .borrow_mut()
            .edit(|c| c.set_start_of_leadout_limit(LeadoutLimit::Lba(lba)))
    }

    /// The last sector that belongs to a track.
    ///
    /// ## Errors
    ///
    /// `noTracks` before the first track.
    #[wasm_bindgen(getter, js_name = lastUsedUserSectorInImage)]
    pub fn last_used_user_sector_in_image(&self) -> Result<i32, Error> {
        Ok(self.state.borrow().plan()?.last_used_sector().get())
    }

    /// The subchannel of raw images: `"raw"` (2448 bytes, raw P-W, the
    /// default), `"cooked"` (2448, R-W packed), `"pqOnly"` (2368) or
    /// `"plain"` (2352).
    #[wasm_bindgen(getter, js_name = resultingImageType)]
    pub fn resulting_image_type(&self) -> ImageTypeName {
        let name = match self.state.borrow().project().image_type {
            ImageType::Plain => "plain",
            ImageType::PqOnly => "pqOnly",
            ImageType::Cooked => "cooked",
            ImageType::Raw => "raw",
        };
        JsValue::from_str(name).unchecked_into()
    }

    /// Sets the subchannel of raw images.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for an unknown name, `rwNeedsPw` for a type
    /// without R-W while an R-W generator is set, `readOnly`.
    #[wasm_bindgen(setter, js_name = resultingImageType)]
    pub fn set_resulting_image_type(&self, name: ImageTypeName) -> Result<(), Error> {
        self.set_image_type(&name.as_string().unwrap_or_default())
    }

    /// Whether audio tracks without explicit gaps follow each other
    /// seamlessly (the previous track's last 2 seconds become the pregap).
    #[wasm_bindgen(getter, js_name = gaplessAudio)]
    pub fn gapless_audio(&self) -> bool {
        self.state.borrow().project().gapless_audio
    }

    /// Turns gapless audio on or off.
    ///
    /// ## Errors
    ///
    /// `gaplessTooShort`, `readOnly`.
    #[wasm_bindgen(setter, js_name = gaplessAudio)]
    pub fn set_gapless_audio(&self, on: bool) -> Result<(), Error> {
        self.state.borrow_mut().edit(|c| c.set_gapless_audio(on))
    }

    /// What the disc departs from (layout rules an explicit layout breaks)
    /// and what importing adjusted.
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Vec<String> {
        let state = self.state.borrow();
        let mut out = state.notes.clone();
        if let Ok(disc) = state.plan() {
            out.extend(disc.warnings().iter().map(|w| w.to_string()));
        }
        out
    }

    /// The READ TOC format 0 reply (LBA form) the finished disc will give,
    /// as IMAPI2's `ExpectedTableOfContents`.
    ///
    /// ## Errors
    ///
    /// `noTracks` before the first track, other planning errors.
    #[wasm_bindgen(js_name = expectedTableOfContents)]
    pub fn expected_table_of_contents(&self) -> Result<Vec<u8>, Error> {
        Ok(self.state.borrow().plan()?.toc_format0(false))
    }

    /// The READ TOC format 0010b (full TOC) reply the finished disc will
    /// give: a 4-byte header, then 11-byte descriptors for points A0 (first
    /// track, disc type), A1 (last track), A2 (lead-out) and each track,
    /// addresses as binary MSF.
    ///
    /// ## Errors
    ///
    /// `noTracks` before the first track, other planning errors.
    #[wasm_bindgen(js_name = expectedFullToc)]
    pub fn expected_full_toc(&self) -> Result<Vec<u8>, Error> {
        Ok(self.state.borrow().plan()?.toc_format2())
    }

    /// The table of contents as data: tracks with control, copy setting,
    /// pregap start, index points, end and ISRC; lead-out, disc type, MCN.
    ///
    /// ## Errors
    ///
    /// `noTracks` before the first track, other planning errors.
    #[wasm_bindgen(js_name = tableOfContents)]
    pub fn table_of_contents(&self) -> Result<TocValue, Error> {
        let disc = self.state.borrow().plan()?;
        Ok(to_js(&disc.toc_layout())?.unchecked_into())
    }

    /// The disc's MusicBrainz and freedb/CDDB disc IDs, computed from the
    /// TOC it will have (what `rawburn toc` shows).
    ///
    /// ## Errors
    ///
    /// `noTracks` before the first track, other planning errors.
    #[wasm_bindgen(js_name = discIds)]
    pub fn disc_ids(&self) -> Result<DiscIdsValue, Error> {
        let disc = self.state.borrow().plan()?;
        Ok(to_js(&disc.toc_layout().disc_ids())?.unchecked_into())
    }

    /// The project: plain JSON data (`JSON.stringify(creator)` gives the
    /// project JSON that `rawburn build` reads).
    ///
    /// ## Errors
    ///
    /// Never in practice.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<ProjectValue, Error> {
        Ok(to_js(self.state.borrow().project())?.unchecked_into())
    }

    /// A creator for a project (an object or JSON text). `resolve` is
    /// called with each source (`{ path, format }`) and its index, and
    /// returns its data (or a promise of it). Audio sources may be WAV
    /// files (16-bit 44.1 kHz stereo) or PCM.
    ///
    /// ## Errors
    ///
    /// `projectJson` for invalid JSON, planning errors, source errors;
    /// `strict` with `{ strict: true }` for a project that departs from a
    /// rule.
    #[wasm_bindgen(js_name = fromJSON)]
    pub async fn from_json(
        project: ProjectInput,
        resolve: ResolveProjectSource,
        options: Option<crate::types::ReadOptions>,
    ) -> Result<ImageCreator, Error> {
        let strict = strict_option(options.as_ref(), "fromJSON options")?;
        // Objects go through their JSON text, so they are checked exactly
        // as `rawburn build` checks a project file.
        let text = match project.as_string() {
            Some(text) => text,
            None => js_sys::JSON::stringify(&project)
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| Error::new("projectJson", "the project is not JSON data"))?,
        };
        let project = Project::from_json(&text)
            .map_err(|e| Error::new("projectJson", format!("project json: {e}")))?;
        if let Some(s) = project.sources.iter().find(|s| !s.join.is_empty()) {
            return Err(Error::new(
                "projectJson",
                format!(
                    "source {} joins other audio files into one stream; the package reads each file as a source of its own (rawburn build reads joined sources)",
                    s.path
                ),
            )
            .text("source", s.path.clone()));
        }
        let resolve: &js_sys::Function = resolve.unchecked_ref();
        let mut sources = Vec::new();
        for (i, s) in project.sources.iter().enumerate() {
            let info = js_sys::Object::new();
            js::set(&info, "path", &s.path.as_str().into());
            js::set(
                &info,
                "format",
                &crate::source::format_name(s.format).into(),
            );
            let info: ProjectSourceInfo = info.unchecked_into();
            let value = resolve
                .call2(&JsValue::NULL, &info, &JsValue::from(i as u32))
                .map_err(|e| resolve_error(&s.path, &e))?;
            let value = JsFuture::from(js_sys::Promise::resolve(&value))
                .await
                .map_err(|e| resolve_error(&s.path, &e))?;
            sources.push(Rc::new(open_source(&value, &s.path, s.format).await?));
        }
        if !project.tracks.is_empty() {
            Disc::plan(&project)?;
        }
        let creator = ImageCreator::from_state(State::new(project, sources));
        creator.check_strict(strict)?;
        Ok(creator)
    }

    /// With `strict`, the first warning as an error.
    pub(crate) fn check_strict(&self, strict: bool) -> Result<(), Error> {
        let warnings = self.warnings();
        match warnings.first() {
            Some(first) if strict => Err(Error::new(
                "strict",
                format!("the disc departs from a rule and strict is set: {first}"),
            )
            .text("warnings", warnings.join("\n"))),
            _ => Ok(()),
        }
    }

    /// All CD-TEXT blocks, or `null`.
    #[wasm_bindgen(getter, js_name = cdText)]
    pub fn cd_text(&self) -> Result<CdTextValue, Error> {
        match &self.state.borrow().project().cdtext {
            Some(t) => Ok(to_js(t)?.unchecked_into()),
            None => Ok(JsValue::NULL.unchecked_into()),
        }
    }

    /// Replaces all CD-TEXT (`null` removes it).
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for malformed data, `cdText` for text the disc
    /// cannot carry, `readOnly`.
    #[wasm_bindgen(setter, js_name = cdText)]
    pub fn set_cd_text(&self, text: CdTextValue) -> Result<(), Error> {
        let value: JsValue = text.into();
        let text: Option<CdText> = if value.is_null() || value.is_undefined() {
            None
        } else {
            Some(
                serde_wasm_bindgen::from_value(value)
                    .map_err(|e| Error::argument(format!("cdText: {e}")))?,
            )
        };
        self.state.borrow_mut().change(|p| {
            p.cdtext = text;
            Ok(())
        })
    }

    /// The 18-byte packs each CD-TEXT block takes in the lead-in, as the
    /// disc carries them (size information included): of the creator's
    /// CD-TEXT, or of `text` on this disc without setting it. A block past
    /// the limit is counted, not refused, so a text can be measured before
    /// the setters refuse it. Without CD-TEXT, no blocks.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for malformed `text`; `cdText` for a character a
    /// block's code cannot hold or texts for tracks the disc does not have;
    /// with CD-TEXT, `noTracks` before the first track and other planning
    /// errors.
    #[wasm_bindgen(js_name = cdTextPacks)]
    pub fn cd_text_packs(&self, text: Option<CdTextInput>) -> Result<CdTextPackCountValue, Error> {
        let state = self.state.borrow();
        let given = text
            .map(|t| {
                serde_wasm_bindgen::from_value::<CdText>(t.into())
                    .map_err(|e| Error::argument(format!("cdTextPacks: {e}")))
            })
            .transpose()?;
        let blocks = match given.as_ref().or(state.project().cdtext.as_ref()) {
            Some(text) if !text.blocks.is_empty() => {
                let disc = state.plan()?;
                text.pack_counts(&TocSummary::of(&disc))
                    .map_err(DiscError::from)?
            }
            _ => Vec::new(),
        };
        let count = CdTextPackCount {
            total: blocks.iter().sum(),
            blocks,
            limit: layout::cdtext::MAX_BLOCK_PACKS,
        };
        Ok(to_js(&count)?.unchecked_into())
    }

    /// Sets a disc text of CD-TEXT block `block` (0 unless given; the
    /// next block number adds an English ISO-8859-1 block); `null` or
    /// `""` clears it.
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for an unknown field or block, `cdText` for text
    /// the block's character set cannot hold, `readOnly`.
    #[wasm_bindgen(js_name = setDiscText)]
    pub fn set_disc_text(
        &self,
        field: CdTextField,
        value: OptionalText,
        block: Option<u32>,
    ) -> Result<(), Error> {
        let kind = field_kind(&field)?;
        let value = text_value(&value)?;
        self.state.borrow_mut().change(|p| {
            let block = text_block(p, block.unwrap_or(0))?;
            if let Some(slot) = block.disc.slot(kind) {
                *slot = value;
            }
            Ok(())
        })
    }

    /// A disc text of CD-TEXT block `block` (0 unless given).
    ///
    /// ## Errors
    ///
    /// `invalidArgument` for an unknown field.
    #[wasm_bindgen(js_name = discText)]
    pub fn disc_text(
        &self,
        field: CdTextField,
        block: Option<u32>,
    ) -> Result<Option<String>, Error> {
        let kind = field_kind(&field)?;
        let state = self.state.borrow();
        Ok(state
            .project()
            .cdtext
            .as_ref()
            .and_then(|t| t.blocks.get(block.unwrap_or(0) as usize))
            .and_then(|b| b.disc.get(kind))
            .map(str::to_string))
    }

    /// Sets a text of the track at `position` (1 for the first) in CD-TEXT
    /// block `block` (0 unless given); `null` or `""` clears it.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack`, `invalidArgument`, `cdText`, `readOnly`.
    #[wasm_bindgen(js_name = setTrackText)]
    pub fn set_track_text(
        &self,
        position: f64,
        field: CdTextField,
        value: OptionalText,
        block: Option<u32>,
    ) -> Result<(), Error> {
        let i = self.track_info(position)?.index();
        let kind = field_kind(&field)?;
        let value = text_value(&value)?;
        self.state.borrow_mut().change(|p| {
            let tracks = p.tracks.len();
            let block = text_block(p, block.unwrap_or(0))?;
            if block.tracks.len() < tracks {
                block.tracks.resize(tracks, TextFields::default());
            }
            if let Some(slot) = block.tracks.get_mut(i).and_then(|t| t.slot(kind)) {
                *slot = value;
            }
            Ok(())
        })
    }

    /// A text of the track at `position` in CD-TEXT block `block`.
    ///
    /// ## Errors
    ///
    /// `noSuchTrack`, `invalidArgument`.
    #[wasm_bindgen(js_name = trackText)]
    pub fn track_text(
        &self,
        position: f64,
        field: CdTextField,
        block: Option<u32>,
    ) -> Result<Option<String>, Error> {
        let i = self.track_info(position)?.index();
        let kind = field_kind(&field)?;
        let state = self.state.borrow();
        Ok(state
            .project()
            .cdtext
            .as_ref()
            .and_then(|t| t.blocks.get(block.unwrap_or(0) as usize))
            .and_then(|b| b.tracks.get(i))
            .and_then(|t| t.get(kind))
            .map(str::to_string))
    }
}

impl ImageCreator {
    /// Sets the subchannel of raw images by its name.
    ///
    /// ## Errors
    ///
    /// As [`ImageCreator::set_resulting_image_type`].
    fn set_image_type(&self, name: &str) -> Result<(), Error> {
        let t = match name {
            "plain" => ImageType::Plain,
            "pqOnly" => ImageType::PqOnly,
            "cooked" => ImageType::Cooked,
            "raw" => ImageType::Raw,
            other => {
                return Err(Error::argument(format!(
                    "image type `{other}`: expected raw, cooked, pqOnly or plain"
                )));
            }
        };
        self.state
            .borrow_mut()
            .edit(|c| c.set_resulting_image_type(t))
    }

    /// A creator over `state`.
    pub fn from_state(state: State) -> ImageCreator {
        ImageCreator {
            state: Rc::new(RefCell::new(state)),
        }
    }

    /// A creator for a project read from a sheet or image description,
    /// with what reading it noted. A project that breaks a layout rule
    /// fails here, not at the first edit; with `strict`, so does one with
    /// a warning.
    ///
    /// ## Errors
    ///
    /// The layout error, or `strict` with the warnings.
    pub(crate) fn imported(
        project: Project,
        sources: Vec<Rc<JsSource>>,
        notes: Vec<String>,
        strict: bool,
    ) -> Result<ImageCreator, Error> {
        let mut state = State::new(project, sources);
        state.notes = notes;
        state.plan()?;
        let creator = ImageCreator::from_state(state);
        creator.check_strict(strict)?;
        Ok(creator)
    }
}

/// `strict` of the `ReadOptions` of `what` (`parseCue options`, ...).
///
/// ## Errors
///
/// `invalidArgument` for an unknown key or a `strict` that is not a
/// boolean.
pub(crate) fn strict_option(
    options: Option<&crate::types::ReadOptions>,
    what: &str,
) -> Result<bool, Error> {
    let Some(o) = options else {
        return Ok(false);
    };
    js::only(o, &["strict"], what)?;
    Ok(js::opt_bool(o, "strict")?.unwrap_or(false))
}

/// Turns a resolved value into a source of `format` named `name`: WAV
/// files (or PCM) for audio sources, bytes or streams for the others.
///
/// ## Errors
///
/// As [`JsSource::open_wav`] and [`JsSource::from_input`].
pub async fn open_source(
    value: &JsValue,
    name: &str,
    format: SourceFormat,
) -> Result<JsSource, Error> {
    let mut source = if format == SourceFormat::Audio {
        JsSource::open_wav(value, name.to_string()).await?
    } else {
        JsSource::from_input(value, name.to_string(), format, None)?
    };
    // The project's name stands, whatever the object is called.
    source.name = name.to_string();
    Ok(source)
}

fn resolve_error(path: &str, e: &JsValue) -> Error {
    Error::new(
        "sourceRead",
        format!("resolving {path}: {}", js::message(e)),
    )
    .text("source", path)
}

/// A value as plain JS data (objects, arrays, numbers, strings, null).
///
/// ## Errors
///
/// `invalidArgument` when serde refuses (numbers beyond 2^53).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::argument(e.to_string()))
}

/// A sector type from its project JSON name.
///
/// ## Errors
///
/// `invalidArgument` naming the accepted names.
pub fn sector_type_from(name: &JsValue) -> Result<SectorType, Error> {
    let s = name.as_string().unwrap_or_default();
    SectorType::ALL
        .into_iter()
        .find(|t| layout::disc::sector_type_json_name(*t) == s)
        .ok_or_else(|| {
            let names: Vec<&str> = SectorType::ALL
                .into_iter()
                .map(layout::disc::sector_type_json_name)
                .collect();
            Error::argument(format!(
                "unknown sector type `{s}`; expected one of {}",
                names.join(", ")
            ))
        })
}

fn field_kind(field: &JsValue) -> Result<u8, Error> {
    Ok(match field.as_string().as_deref() {
        Some("title") => kind::TITLE,
        Some("performer") => kind::PERFORMER,
        Some("songwriter") => kind::SONGWRITER,
        Some("composer") => kind::COMPOSER,
        Some("arranger") => kind::ARRANGER,
        Some("message") => kind::MESSAGE,
        Some("code") => kind::CODE,
        _ => {
            return Err(Error::argument(
                "cd-text field must be title, performer, songwriter, composer, arranger, message or code",
            ));
        }
    })
}

fn text_value(value: &JsValue) -> Result<Option<String>, Error> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    let s = value
        .as_string()
        .ok_or_else(|| Error::argument("cd-text must be a string or null"))?;
    Ok(Some(s).filter(|s| !s.is_empty()))
}

/// Block `n` of the project's CD-TEXT; `n` equal to the number of blocks
/// adds one.
fn text_block(p: &mut Project, n: u32) -> Result<&mut TextBlock, Error> {
    let text = p.cdtext.get_or_insert_with(|| CdText {
        blocks: Vec::new(),
        toc_info: true,
    });
    let n = n as usize;
    if n == text.blocks.len() && n < layout::cdtext::MAX_BLOCKS {
        text.blocks.push(TextBlock::default());
    }
    let count = text.blocks.len();
    text.blocks.get_mut(n).ok_or_else(|| {
        Error::argument(format!(
            "cd-text block {n} does not exist (the disc has {count}; the next one is added by using its number)"
        ))
    })
}
