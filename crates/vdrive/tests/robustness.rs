//! Whatever a host sends, the drive answers: no panic, no hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use std::time::Duration;
use vdrive::{MediaKind, MediaSpec, MemoryStore, Recorder, RecorderConfig, ScsiTarget};

/// Opcodes the drive knows, plus a few it does not.
const OPCODES: [u8; 26] = [
    0x00, 0x03, 0x12, 0x1b, 0x1e, 0x2a, 0x35, 0x43, 0x46, 0x51, 0x52, 0x53, 0x54, 0x55, 0x5a, 0x5b,
    0x5c, 0x5d, 0xa1, 0xaa, 0xac, 0xbb, 0xbe, 0x28, 0xff, 0x01,
];

fn cdb() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(&OPCODES[..]),
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(|(op, mut rest)| {
            rest.insert(0, op);
            rest
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_commands_never_panic(
        commands in prop::collection::vec((cdb(), prop::collection::vec(any::<u8>(), 0..600)), 1..40),
        rw in any::<bool>(),
    ) {
        let mut r = Recorder::new(MemoryStore::new(), RecorderConfig::default());
        let kind = if rw { MediaKind::CdRw } else { MediaKind::CdR };
        r.insert_blank(MediaSpec::new(kind, 80).unwrap()).unwrap();
        let mut now = Duration::ZERO;
        for (cdb, data) in &commands {
            let c = r.execute(cdb, data, now);
            // Whatever the outcome, a later time is finite unless the
            // command waits for the buffer (never beyond an hour here).
            prop_assert!(c.ready_at >= now);
            prop_assert!(c.ready_at <= now + Duration::from_secs(3600));
            now = c.ready_at + Duration::from_millis(10);
            r.tick(now);
        }
    }
}

/// One step of a host that knows the commands but not the order.
#[derive(Debug, Clone)]
enum Step {
    Page(u8),
    Write { ahead: i32, blocks: u16 },
    Sync(bool),
    Close(u8),
    Reserve(u32),
    ReadCd(i32, u8),
    Toc(u8),
    TrackInfo(u8),
    DiscInfo,
    Blank(u8),
    Eject,
    Load,
    Wait(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (0u8..6).prop_map(Step::Page),
        4 => (-2i32..3, 0u16..40).prop_map(|(ahead, blocks)| Step::Write { ahead, blocks }),
        1 => any::<bool>().prop_map(Step::Sync),
        1 => (1u8..3).prop_map(Step::Close),
        1 => (0u32..1000).prop_map(Step::Reserve),
        1 => (-200i32..2000, 0u8..8).prop_map(|(l, n)| Step::ReadCd(l, n)),
        1 => (0u8..6).prop_map(Step::Toc),
        1 => prop_oneof![Just(0xffu8), 0u8..4].prop_map(Step::TrackInfo),
        1 => Just(Step::DiscInfo),
        1 => (0u8..7).prop_map(Step::Blank),
        1 => Just(Step::Eject),
        1 => Just(Step::Load),
        1 => (0u16..5000).prop_map(Step::Wait),
    ]
}

/// Write Parameters pages: TAO Mode 1, TAO audio, TAO XA Form 1, SAO,
/// RAW 96R, TAO simulation.
fn page(k: u8) -> Vec<u8> {
    use mmc::wire::mode::{
        DataBlockType, ModePage, ModeParameterList, WriteParametersPage, WriteType,
    };
    let (wt, mode, dbt, test) = match k {
        0 => (WriteType::Tao, 4, 8, false),
        1 => (WriteType::Tao, 0, 0, false),
        2 => (WriteType::Tao, 4, 10, false),
        3 => (WriteType::Sao, 0, 0, false),
        4 => (WriteType::Raw, 0, 3, false),
        _ => (WriteType::Tao, 4, 8, true),
    };
    let mut p = WriteParametersPage::new(wt);
    p.track_mode = mode;
    p.data_block_type = DataBlockType::from_code(dbt);
    p.test_write = test;
    p.bufe = k.is_multiple_of(2);
    p.multi_session = mmc::wire::mode::MultiSession::from_code(k % 4);
    ModeParameterList::with_page(ModePage::WriteParameters(p)).to_select_vec()
}

/// The next writable address the drive reports, if any.
fn nwa(r: &mut Recorder<MemoryStore>, now: Duration) -> Option<i32> {
    let c = r.execute(&[0x52, 1, 0, 0, 0, 0xff, 0, 0, 36, 0], &[], now);
    (c.status == vdrive::Status::Good && c.data.len() >= 16 && c.data[7] & 1 != 0)
        .then(|| i32::from_be_bytes(c.data[12..16].try_into().unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn command_sequences_keep_the_drive_consistent(
        steps in prop::collection::vec(step(), 1..60),
        rw in any::<bool>(),
        instant in any::<bool>(),
    ) {
        let mut r = Recorder::new(MemoryStore::new(), RecorderConfig { instant, ..RecorderConfig::default() });
        let kind = if rw { MediaKind::CdRw } else { MediaKind::CdR };
        r.insert_blank(MediaSpec::new(kind, 74).unwrap()).unwrap();
        let mut now = Duration::ZERO;
        let mut block = 2048usize;
        for s in &steps {
            let c = match s {
                Step::Page(k) => {
                    block = match k { 1 | 3 => 2352, 4 => 2448, _ => 2048 };
                    let data = page(*k);
                    r.execute(&[0x55, 0x10, 0, 0, 0, 0, 0, 0, data.len() as u8, 0], &data, now)
                }
                Step::Write { ahead, blocks } => {
                    let lba = nwa(&mut r, now).unwrap_or(0) + ahead;
                    let cdb = mmc::wire::command::Write10::new(lba, *blocks).to_bytes();
                    let data = vec![0x33u8; *blocks as usize * block];
                    r.execute(&cdb, &data, now)
                }
                Step::Sync(immed) => r.execute(&[0x35, if *immed { 2 } else { 0 }, 0, 0, 0, 0, 0, 0, 0, 0], &[], now),
                Step::Close(f) => r.execute(&[0x5b, 1, *f, 0, 0, 0xff, 0, 0, 0, 0], &[], now),
                Step::Reserve(n) => {
                    let b = n.to_be_bytes();
                    r.execute(&[0x53, 0, 0, 0, 0, b[0], b[1], b[2], b[3], 0], &[], now)
                }
                Step::ReadCd(l, n) => r.execute(&mmc::wire::command::ReadCd::raw(*l, *n as u32, mmc::wire::command::Subchannel::RawPw96).to_bytes(), &[], now),
                Step::Toc(f) => r.execute(&[0x43, 0, *f, 0, 0, 0, 0, 0x10, 0, 0], &[], now),
                Step::TrackInfo(t) => r.execute(&[0x52, 1, 0, 0, 0, *t, 0, 0, 36, 0], &[], now),
                Step::DiscInfo => r.execute(&[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0], &[], now),
                Step::Blank(k) => r.execute(&[0xa1, 0x10 | k, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], now),
                Step::Eject => r.execute(&[0x1b, 0, 0, 0, 2, 0], &[], now),
                Step::Load => r.execute(&[0x1b, 0, 0, 0, 3, 0], &[], now),
                Step::Wait(ms) => {
                    now += Duration::from_millis(*ms as u64);
                    r.tick(now);
                    continue;
                }
            };
            prop_assert!(c.ready_at >= now);
            prop_assert!(c.ready_at < now + Duration::from_secs(7200), "{s:?} waits until {:?}", c.ready_at);
            if c.status == vdrive::Status::Good {
                prop_assert!(r.sense().sense == mmc::wire::sense::Sense::NONE);
            }
            now = c.ready_at;
            // The state the drive keeps always serializes and reads back.
            if let Some(d) = r.disc() {
                let json = serde_json::to_string(d).unwrap();
                let back: vdrive::disc::DiscMeta = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(&back, d);
            }
        }
    }
}
