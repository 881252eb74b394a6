use super::*;
use layout::msf::Lba;
use std::time::Duration;
use vdrive::{MediaKind, MediaSpec, Recorder, RecorderConfig, ScsiTarget, Status};

fn blank(dir: &Path, name: &str, kind: MediaKind) -> PathBuf {
    let path = dir.join(name);
    let media = MediaSpec::new(kind, 80).unwrap();
    FileStore::create(&path, &DiscMeta::blank(media), false).unwrap();
    path
}

fn frame(seed: u8) -> Vec<u8> {
    (0..FRAME)
        .map(|i| (i as u8).wrapping_mul(seed) | 1)
        .collect()
}

impl FileStore {
    /// Lets go of the file as a killed process does: no header written.
    fn abandon(mut self) {
        self.dirty = false;
    }
}

/// The header as it is in the file now.
fn header_of(path: &Path) -> VdiscHeader {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .unwrap()
        .take(HEADER_AREA)
        .read_to_end(&mut bytes)
        .unwrap();
    vdisc::decode_header(&bytes).unwrap()
}

#[test]
fn a_burn_persists_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "d.vdisc", MediaKind::CdR);
    let (store, meta) = FileStore::open(&path, Access::Write).unwrap();
    let config = RecorderConfig {
        instant: true,
        power_on_attention: false,
        ..RecorderConfig::default()
    };
    let mut r = Recorder::new(store, config.clone());
    r.load(meta).unwrap();
    let t = Duration::ZERO;
    let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], t); // medium changed
    // TAO Mode 1 (the power-on page), 300 blocks from 0, close.
    let data: Vec<u8> = (0..300 * 2048).map(|i| (i % 251) as u8).collect();
    let c = r.execute(
        &mmc::wire::command::Write10::new(0, 300).to_bytes(),
        &data,
        t,
    );
    assert_eq!(c.status, Status::Good, "{}", r.sense().sense);
    let c = r.execute(&[0x5b, 0, 2, 0, 0, 0, 0, 0, 0, 0], &[], t);
    assert_eq!(c.status, Status::Good, "{}", r.sense().sense);
    r.tick(Duration::from_secs(1));
    r.power_off().unwrap();
    drop(r);
    // Saved cleanly: nothing pending.
    assert!(header_of(&path).pending.is_empty());

    let (store, meta) = FileStore::open(&path, Access::Read).unwrap();
    assert!(meta.finalized);
    assert_eq!(meta.damaged, None);
    assert_eq!(meta.sessions[0].layout.leadout, Lba(302));
    // Lead-in, pregap, track, run-out and lead-out are all in the file.
    assert!(store.written().contains(Lba(-11635)));
    assert!(store.written().contains(Lba(299)));
    assert!(store.written().contains(Lba(302 + 6749)));
    assert!(!store.written().contains(Lba(302 + 6750)));
    let mut r = Recorder::new(store, config);
    r.load(meta).unwrap();
    let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], t);
    let c = r.execute(
        &mmc::wire::command::ReadCd::raw(5, 1, mmc::wire::command::Subchannel::None).to_bytes(),
        &[],
        t,
    );
    assert_eq!(c.status, Status::Good);
    assert_eq!(&c.data[16..2064], &data[5 * 2048..6 * 2048]);
    // Sparse: far less than the 90-minute address space.
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len < HEADER_AREA + 2448 * 200_000, "{len}");
}

#[test]
fn foreign_newer_and_missing_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.vdisc");
    std::fs::write(&path, b"not a disc at all").unwrap();
    let e = FileStore::open(&path, Access::Read)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("x.vdisc: not a virtual disc file (no RBVDISC magic)"),
        "{e}"
    );
    let path = blank(dir.path(), "n.vdisc", MediaKind::CdR);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8] = 3;
    std::fs::write(&path, &bytes).unwrap();
    let e = FileStore::open(&path, Access::Read)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("n.vdisc: virtual disc format 3 is newer than this rawburn reads (2)"),
        "{e}"
    );
    let e = FileStore::open(&dir.path().join("missing.vdisc"), Access::Read).unwrap_err();
    assert_eq!(e.io_kind(), Some(io::ErrorKind::NotFound));
    assert!(e.to_string().starts_with("cannot open ") && e.to_string().contains("missing.vdisc"));
}

#[test]
fn create_refuses_to_replace_without_leave_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "c.vdisc", MediaKind::CdRw);
    let before = std::fs::read(&path).unwrap();
    let media = MediaSpec::new(MediaKind::CdR, 74).unwrap();
    let e = FileStore::create(&path, &DiscMeta::blank(media), false).unwrap_err();
    assert!(matches!(e, FileError::Exists(_)), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    FileStore::create(&path, &DiscMeta::blank(media), true).unwrap();
    let (_, meta) = FileStore::open(&path, Access::Read).unwrap();
    assert_eq!(meta, DiscMeta::blank(media));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), HEADER_AREA);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["c.vdisc"]);
}

#[test]
fn a_disc_in_use_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "b.vdisc", MediaKind::CdR);
    let busy = |access| match FileStore::open(&path, access) {
        Err(FileError::Busy(p)) => assert_eq!(p, path),
        other => panic!("{access:?}: {other:?}"),
    };
    let writer = FileStore::open(&path, Access::Write).unwrap();
    busy(Access::Write);
    busy(Access::Read);
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    assert!(matches!(
        FileStore::create(&path, &DiscMeta::blank(media), true),
        Err(FileError::Busy(_))
    ));
    drop(writer);
    // Readers share.
    let a = FileStore::open(&path, Access::Read).unwrap();
    let b = FileStore::open(&path, Access::Read).unwrap();
    busy(Access::Write);
    drop((a, b));
    FileStore::open(&path, Access::Write).unwrap();
}

#[test]
fn read_access_opens_read_only_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "r.vdisc", MediaKind::CdRw);
    let before = std::fs::read(&path).unwrap();
    let (mut store, meta) = FileStore::open(&path, Access::Read).unwrap();
    #[cfg(target_os = "linux")]
    {
        // The descriptor itself is read-only (O_ACCMODE 0 in fdinfo).
        use std::os::fd::AsRawFd;
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", store.file.as_raw_fd()))
            .unwrap();
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .map(|f| u32::from_str_radix(f.trim(), 8).unwrap())
            .unwrap();
        assert_eq!(flags & 0o3, 0, "{info}");
    }
    assert!(store.read_only());
    let refused = format!("{} is open read-only", path.display());
    assert_eq!(store.write_frame(Lba(0), &frame(3)).unwrap_err().0, refused);
    assert_eq!(store.erase().unwrap_err().0, refused);
    let mut damaged = meta.clone();
    damaged.damaged = Some("x".into());
    let json = serde_json::to_vec(&damaged).unwrap();
    assert_eq!(store.save_meta(&json).unwrap_err().0, refused);
    // Saving what is there already is no write.
    store
        .save_meta(&serde_json::to_vec(&meta).unwrap())
        .unwrap();

    // The drive sees a write-protected disc.
    let mut r = Recorder::new(
        store,
        RecorderConfig {
            instant: true,
            power_on_attention: false,
            ..RecorderConfig::default()
        },
    );
    r.load(meta).unwrap();
    let t = Duration::ZERO;
    let _ = r.execute(&[0, 0, 0, 0, 0, 0], &[], t);
    let c = r.execute(
        &mmc::wire::command::Write10::new(0, 1).to_bytes(),
        &[0; 2048],
        t,
    );
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(r.sense().sense.to_string(), "7/27/00 write protected");
    let c = r.execute(
        &mmc::wire::command::Blank::new(mmc::wire::command::BlankType::Minimal).to_bytes(),
        &[],
        t,
    );
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(r.sense().sense.to_string(), "7/27/00 write protected");
    r.power_off().unwrap();
    drop(r);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn frames_are_pending_in_the_header_before_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "p.vdisc", MediaKind::CdR);
    let (mut store, meta) = FileStore::open(&path, Access::Write).unwrap();
    store.write_frame(Lba(-150), &frame(3)).unwrap();
    // The header allows frames from -150 on before the first is there.
    let h = header_of(&path);
    assert_eq!(h.pending.ranges(), [(-150, 449_850)]);
    assert!(h.written.is_empty());
    for l in -149..100 {
        store.write_frame(Lba(l), &frame(l as u8)).unwrap();
    }
    // No header write for frames inside the pending range.
    assert!(header_of(&path).written.is_empty());
    store.write_frame(Lba(-11635), &frame(9)).unwrap();
    assert_eq!(header_of(&path).pending.ranges(), [(-11635, 449_850)]);
    // Saving a state that accounts for them (here a TAO session opened)
    // makes the header exact.
    let mut open = meta.clone();
    open.open = Some(vdrive::disc::OpenSession {
        lead_in: Lba(-11635),
        program_area: Lba(-150),
        tracks: Vec::new(),
        data_modes: Vec::new(),
        reserved: None,
    });
    store
        .save_meta(&serde_json::to_vec(&open).unwrap())
        .unwrap();
    let h = header_of(&path);
    assert!(h.pending.is_empty());
    assert_eq!(h.written.ranges(), [(-11635, -11634), (-150, 100)]);
    store.write_frame(Lba(100), &frame(1)).unwrap();
    assert_eq!(header_of(&path).pending.ranges(), [(100, 449_850)]);
    store.abandon();
}

#[test]
fn frames_a_blank_state_does_not_account_for_stay_pending() {
    // A recording saves the disc's state before it has a session (a
    // SYNCHRONIZE CACHE mid-burn): its frames stay pending.
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "s.vdisc", MediaKind::CdR);
    let (mut store, meta) = FileStore::open(&path, Access::Write).unwrap();
    for l in -150..10 {
        store.write_frame(Lba(l), &frame(4)).unwrap();
    }
    store
        .save_meta(&serde_json::to_vec(&meta).unwrap())
        .unwrap();
    let h = header_of(&path);
    assert_eq!(h.written.ranges(), [(-150, 10)]);
    assert_eq!(h.pending.ranges(), [(-150, 449_850)]);
    store.abandon();
    let (_, meta) = FileStore::open(&path, Access::Read).unwrap();
    assert_eq!(meta.damaged.as_deref(), Some(vdrive::disc::INTERRUPTED));
}

#[test]
fn a_disc_left_mid_write_is_damaged_with_the_frames_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "k.vdisc", MediaKind::CdR);
    let (mut store, _) = FileStore::open(&path, Access::Write).unwrap();
    for l in -150..50 {
        store.write_frame(Lba(l), &frame(l as u8)).unwrap();
    }
    // An all-zero frame is not told from an unwritten one.
    store.write_frame(Lba(50), &[0; FRAME]).unwrap();
    store.write_frame(Lba(51), &frame(7)).unwrap();
    store.abandon();
    assert_eq!(header_of(&path).disc["sessions"], serde_json::json!([]));

    for access in [Access::Read, Access::Write] {
        let (mut store, meta) = FileStore::open(&path, access).unwrap();
        assert_eq!(meta.damaged.as_deref(), Some(vdrive::disc::INTERRUPTED));
        assert_eq!(store.written().ranges(), [(-150, 50), (51, 52)]);
        let mut out = vec![0; FRAME];
        assert!(store.read_frame(Lba(7), &mut out).unwrap());
        assert_eq!(out, frame(7));
        // Saving the found state ends the recovery (read-only: in memory).
        store
            .save_meta(&serde_json::to_vec(&meta).unwrap())
            .unwrap();
    }
    let h = header_of(&path);
    assert!(h.pending.is_empty());
    assert_eq!(h.written.ranges(), [(-150, 50), (51, 52)]);
    assert_eq!(h.disc["damaged"], vdrive::disc::INTERRUPTED);
    // Opened again, the state is what was saved.
    let (_, meta) = FileStore::open(&path, Access::Read).unwrap();
    assert_eq!(meta.damaged.as_deref(), Some(vdrive::disc::INTERRUPTED));
}

#[test]
fn an_erase_left_part_way_leaves_a_damaged_disc() {
    let dir = tempfile::tempdir().unwrap();
    let path = blank(dir.path(), "e.vdisc", MediaKind::CdRw);
    let (mut store, meta) = FileStore::open(&path, Access::Write).unwrap();
    for l in 0..10 {
        store.write_frame(Lba(l), &frame(2)).unwrap();
    }
    let mut damaged = meta.clone();
    damaged.damaged = Some("buffer underrun at lba 10".into());
    store
        .save_meta(&serde_json::to_vec(&damaged).unwrap())
        .unwrap();
    store.erase().unwrap();
    // Stopped before the blank state was saved.
    store.abandon();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), HEADER_AREA);
    let (mut store, found) = FileStore::open(&path, Access::Write).unwrap();
    assert_eq!(found.damaged.as_deref(), Some("buffer underrun at lba 10"));
    assert!(store.written().is_empty());
    assert_eq!(header_of(&path).pending.ranges(), [(0, 10)]);
    // Blanking again (erase, then the blank state) ends it.
    store.erase().unwrap();
    store
        .save_meta(&serde_json::to_vec(&meta).unwrap())
        .unwrap();
    drop(store);
    let (_, again) = FileStore::open(&path, Access::Read).unwrap();
    assert_eq!(again, meta);
    assert!(header_of(&path).pending.is_empty());
}

#[test]
fn a_version_1_file_a_burn_stopped_in_is_damaged() {
    // Version 1 wrote the header only when the state changed: a burn
    // stopped before its end left frames past what the header lists.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.vdisc");
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    let json = serde_json::to_vec(&serde_json::json!({
        "written": [],
        "disc": DiscMeta::blank(media),
    }))
    .unwrap();
    let mut bytes = b"RBVDISC\0\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&json);
    bytes.resize(HEADER_AREA as usize, 0);
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&bytes).unwrap();
    for l in [-11635, -11634, 40] {
        file.seek(SeekFrom::Start(vdisc::frame_offset(Lba(l)).unwrap()))
            .unwrap();
        file.write_all(&frame(5)).unwrap();
    }
    drop(file);
    let (store, meta) = FileStore::open(&path, Access::Read).unwrap();
    assert_eq!(meta.damaged.as_deref(), Some(vdrive::disc::INTERRUPTED));
    assert_eq!(store.written().ranges(), [(-11635, -11633), (40, 41)]);
    // A clean version-1 file is read as it is, and stays version 1 until
    // a command writes to it.
    let clean = dir.path().join("clean.vdisc");
    bytes.truncate(HEADER_AREA as usize);
    std::fs::write(&clean, &bytes).unwrap();
    let (_, meta) = FileStore::open(&clean, Access::Read).unwrap();
    assert_eq!(meta, DiscMeta::blank(media));
    assert_eq!(std::fs::read(&clean).unwrap()[8], 1);
}

#[test]
fn headers_that_cannot_be_true_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    let write = |name: &str, header: serde_json::Value, frames: i32| {
        let path = dir.path().join(name);
        let json = serde_json::to_vec(&header).unwrap();
        let mut bytes = b"RBVDISC\0\x02\0\0\0".to_vec();
        bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&json);
        bytes.resize(HEADER_AREA as usize + frames as usize * FRAME, 0);
        std::fs::write(&path, bytes).unwrap();
        match FileStore::open(&path, Access::Write) {
            Err(FileError::Invalid { source, .. }) => source.to_string(),
            other => panic!("{name}: {other:?}"),
        }
    };
    let blank = serde_json::to_value(DiscMeta::blank(media)).unwrap();
    assert_eq!(
        write(
            "reversed.vdisc",
            serde_json::json!({ "written": [[10, 5]], "disc": blank }),
            0
        ),
        "virtual disc header: written range 0 [10, 5] is empty or reversed"
    );
    let mut finalized = blank.clone();
    finalized["finalized"] = true.into();
    assert_eq!(
        write(
            "finalized.vdisc",
            serde_json::json!({ "written": [], "disc": finalized }),
            0
        ),
        "virtual disc header: disc state: the disc is finalized but holds no session"
    );
    assert_eq!(
        write(
            "short.vdisc",
            serde_json::json!({ "written": [[-45150, -45140]], "disc": blank }),
            5
        ),
        "virtual disc header: it lists frames up to lba -45141, but the file ends at lba -45146: it was cut short"
    );
    assert_eq!(
        write(
            "listed.vdisc",
            serde_json::json!({ "written": [[-45150, -45140]], "disc": blank }),
            10
        ),
        "virtual disc header: the disc is blank, but frames are listed as written (lba -45150 to -45141)"
    );
}
