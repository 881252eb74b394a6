use super::*;
use crate::media::MediaKind;

#[test]
fn next_session_follows_the_b0_pointer() {
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    let mut d = DiscMeta::blank(media);
    assert_eq!(d.status(), DiscStatus::Blank);
    assert_eq!(d.next_session(), Some((Lba(-11635), Lba(-150))));
    d.sessions.push(Session {
        lead_in: Lba(-11635),
        layout: TocLayout {
            tracks: Vec::new(),
            leadout: Lba(20_000),
            disc_type: layout::disc::DiscType::CdDaOrCdRom,
            mcn: None,
        },
        leadout_sectors: FIRST_LEADOUT,
        data_modes: Vec::new(),
        cdtext: Vec::new(),
        next_program_area: Some(Lba(20_000 + 11_400)),
        write_type: WriteType::Tao,
    });
    assert_eq!(d.status(), DiscStatus::Appendable);
    // Lead-out 6750, lead-in 4500, pregap 150.
    assert_eq!(d.next_session(), Some((Lba(26_750), Lba(31_250))));
    assert_eq!(d.leadout_sectors(), LATER_LEADOUT);
    d.finalized = true;
    assert_eq!(
        (d.status(), d.next_session()),
        (DiscStatus::Finalized, None)
    );
}

fn track(number: u8, pregap: i32, start: i32, end: i32) -> layout::disc::TocTrack {
    layout::disc::TocTrack {
        number,
        control: 4,
        copy: layout::disc::CopySetting::default(),
        pregap_start: Lba(pregap),
        indexes: vec![Lba(start)],
        end: Lba(end),
        isrc: None,
    }
}

fn one_session() -> DiscMeta {
    let media = MediaSpec::new(MediaKind::CdR, 80).unwrap();
    let mut d = DiscMeta::blank(media);
    d.sessions.push(Session {
        lead_in: Lba(-11635),
        layout: TocLayout {
            tracks: vec![track(1, -150, 0, 600), track(2, 600, 750, 2000)],
            leadout: Lba(2000),
            disc_type: layout::disc::DiscType::CdDaOrCdRom,
            mcn: None,
        },
        leadout_sectors: FIRST_LEADOUT,
        data_modes: vec![1, 0xf],
        cdtext: Vec::new(),
        next_program_area: None,
        write_type: WriteType::Sao,
    });
    d.finalized = true;
    d
}

#[test]
fn states_that_cannot_be_are_found() {
    let good = one_session();
    assert_eq!(good.check(), Ok(()));
    assert_eq!(DiscMeta::blank(good.media).check(), Ok(()));
    let mut d = good.clone();
    d.media.last_leadout = layout::msf::Msf::new(60, 0, 0).unwrap();
    assert_eq!(
        d.check(),
        Err("no cd-r of 80 minutes has lead-in 97:26:65 and last lead-out 60:00:00".into())
    );
    let mut d = DiscMeta::blank(good.media);
    d.finalized = true;
    assert_eq!(
        d.check(),
        Err("the disc is finalized but holds no session".into())
    );
    let mut d = good.clone();
    d.open = Some(OpenSession {
        lead_in: Lba(8750),
        program_area: Lba(13_250),
        tracks: Vec::new(),
        data_modes: Vec::new(),
        reserved: None,
    });
    assert_eq!(
        d.check(),
        Err("the disc is finalized but has an open session".into())
    );
    d.finalized = false;
    assert_eq!(d.check(), Ok(()), "an open session after an appendable one");
    let mut d = good.clone();
    d.sessions[0].layout.tracks[1] = track(2, 500, 750, 2000);
    assert_eq!(
        d.check(),
        Err("track 2 (lba 500) comes before what precedes it (lba 600)".into())
    );
    let mut d = good.clone();
    d.sessions[0].layout.tracks[1].number = 1;
    assert_eq!(
        d.check(),
        Err("track 1 of session 1 is out of order".into())
    );
    let mut d = good.clone();
    d.sessions[0].layout.tracks[1].end = Lba(750);
    assert_eq!(
        d.check(),
        Err("track 2 of session 1 ends before it starts".into())
    );
    let mut d = good.clone();
    d.sessions[0].layout.leadout = Lba(1000);
    assert_eq!(
        d.check(),
        Err("session 1's lead-out (lba 1000) comes before what precedes it (lba 2000)".into())
    );
    let mut d = good.clone();
    d.sessions[0].layout.tracks[1].end = Lba(460_000);
    d.sessions[0].layout.leadout = Lba(460_000);
    assert_eq!(
        d.check(),
        Err("track 2's end (lba 460000) lies past the end of the disc".into())
    );
    let mut d = good.clone();
    d.sessions.push(d.sessions[0].clone());
    assert_eq!(
        d.check(),
        Err("session 2 follows a session that closed the disc".into())
    );
    d.sessions[0].next_program_area = Some(Lba(13_400));
    assert_eq!(
        d.check(),
        Err("session 2 (lba -11635) comes before what precedes it (lba 8750)".into())
    );
    let mut d = good.clone();
    d.sessions[0].cdtext = vec![vec![0; 17]];
    assert_eq!(
        d.check(),
        Err("session 1 has a bad lead-out length or CD-TEXT pack".into())
    );
}

#[test]
fn an_interrupted_disc_is_damaged_and_keeps_an_earlier_reason() {
    let mut d = DiscMeta::blank(MediaSpec::new(MediaKind::CdRw, 74).unwrap());
    d.interrupt();
    assert_eq!(d.damaged.as_deref(), Some(INTERRUPTED));
    assert_eq!(d.status(), DiscStatus::Appendable);
    assert_eq!(d.next_session(), None);
    d.damaged = Some("buffer underrun at lba 5".into());
    d.interrupt();
    assert_eq!(d.damaged.as_deref(), Some("buffer underrun at lba 5"));
}
