//! The `.vdisc` file end to end: one command at a time holds a disc (a
//! busy refusal otherwise), a burn killed mid-write leaves a damaged disc
//! and not a blank one, headers that cannot be true are refused, discs
//! that cannot be written are still read, `vdisc create` leaves nothing
//! behind on a full disk, and a disk that fills during a burn fails it.
//!
//! Root ignores file modes, so the read-only and full-disk cases run in a
//! private mount namespace (`unshare -rm`): a read-only bind mount, a small
//! tmpfs. Where that cannot be had the test says so and skips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rawburn");
/// Bytes before the first frame.
const HEADER_AREA: u64 = 1 << 20;

/// One Mode 1 track of `sectors` sectors.
fn project(dir: &Path, sectors: usize) {
    std::fs::write(dir.join("d.iso"), noise(sectors * 2048, 7)).unwrap();
    std::fs::write(
        dir.join("disc.json"),
        format!(
            r#"{{ "sources": [{{ "path": "d.iso" }}],
  "tracks": [ {{ "sectorType": "mode1", "data": {{ "source": 0, "sectors": {sectors} }} }} ] }}"#
        ),
    )
    .unwrap();
}

/// The JSON header of a disc file.
fn header(path: &Path) -> Value {
    let mut head = vec![0u8; 16];
    let mut f = File::open(path).unwrap();
    f.read_exact(&mut head).unwrap();
    let len = u32::from_le_bytes(head[12..16].try_into().unwrap()) as usize;
    let mut json = vec![0u8; len];
    f.read_exact(&mut json).unwrap();
    serde_json::from_slice(&json).unwrap()
}

/// The length and header area of a file: what a command that changes a
/// disc writes to.
fn head(path: &Path) -> (u64, Vec<u8>) {
    let mut bytes = Vec::new();
    File::open(path)
        .unwrap()
        .take(HEADER_AREA)
        .read_to_end(&mut bytes)
        .unwrap();
    (std::fs::metadata(path).unwrap().len(), bytes)
}

/// Replaces the JSON header of a disc file.
fn set_header(path: &Path, h: &Value) {
    let json = serde_json::to_vec(h).unwrap();
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(12)).unwrap();
    f.write_all(&(json.len() as u32).to_le_bytes()).unwrap();
    f.write_all(&json).unwrap();
}

#[test]
fn a_disc_another_rawburn_holds_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d, 600);
    ok(d, &["vdisc", "create", "l.vdisc"]);
    let busy = "error: the virtual disc l.vdisc is busy: another rawburn is using it\n  caused by: wait for it to finish, then try again\n";
    // A writer holds the disc: nobody else gets it.
    let held = File::open(d.join("l.vdisc")).unwrap();
    held.lock().unwrap();
    assert_eq!(
        fails(d, &["burn", "disc.json", "--virtual", "l.vdisc"], 6),
        busy
    );
    assert_eq!(fails(d, &["media", "--virtual", "l.vdisc"], 6), busy);
    assert_eq!(
        fails(d, &["vdisc", "create", "l.vdisc", "--force"], 6),
        busy
    );
    // A reader holds it: other readers share, writers wait.
    held.unlock().unwrap();
    held.lock_shared().unwrap();
    assert_eq!(media_json(d, "l.vdisc")["status"], "blank");
    assert_eq!(
        fails(d, &["burn", "disc.json", "--virtual", "l.vdisc"], 6),
        busy
    );
    assert_eq!(fails(d, &["blank", "--virtual", "l.vdisc"], 6), busy);
    drop(held);
    assert_eq!(media_json(d, "l.vdisc")["status"], "blank");
}

#[test]
fn of_two_burns_at_once_one_burns_and_the_other_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d, 20_000);
    ok(d, &["vdisc", "create", "two.vdisc"]);
    let args = [
        "burn",
        "disc.json",
        "--virtual",
        "two.vdisc",
        "--verify",
        "-q",
    ];
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(BIN)
                .args(args)
                .current_dir(d)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
    codes.sort();
    let errs: Vec<_> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert_eq!(codes, [Some(0), Some(6)], "{errs:?}");
    // The loser was refused whole: busy while the other burned, or a disc
    // no longer blank when it came after.
    let refused = errs.iter().find(|e| !e.is_empty()).unwrap();
    assert!(
        refused.contains("is busy: another rawburn is using it")
            || refused.contains("the disc is not blank"),
        "{refused}"
    );
    let m = media_json(d, "two.vdisc");
    assert_eq!(
        (&m["status"], &m["sessions"]),
        (&"finalized".into(), &1.into())
    );
}

/// Starts a burn of disc.json to `disc` and kills it (SIGKILL) once its
/// frames reach LBA 1000.
#[cfg(unix)]
fn kill_mid_burn(d: &Path, disc: &str) {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(BIN)
        .args(["burn", "disc.json", "--virtual", disc, "-q"])
        .current_dir(d)
        .spawn()
        .unwrap();
    // The frame of LBA 1000 lies at 1 MiB + 2448 × (1000 + 45150).
    let mark = HEADER_AREA + 2448 * 46_150;
    let start = Instant::now();
    while std::fs::metadata(d.join(disc)).unwrap().len() < mark {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the burn ended before it could be killed"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the burn never got to lba 1000"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status:?}");
}

#[cfg(unix)]
#[test]
fn a_burn_killed_mid_write_leaves_a_damaged_disc() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d, 40_000);
    // The lead-in starts at 97:26:65 on CD-R, 97:24:00 on CD-RW.
    for (media, lead_in) in [("cd-r", -11635), ("cd-rw", -11850)] {
        let disc = format!("{media}.vdisc");
        ok(d, &["vdisc", "create", &disc, "--media", media]);
        kill_mid_burn(d, &disc);
        // The header said, before the frames came, where they may be.
        let h = header(&d.join(&disc));
        assert_eq!(
            h["pending"],
            serde_json::json!([[lead_in, 449_850]]),
            "{media}"
        );
        assert_eq!(h["disc"]["sessions"], serde_json::json!([]), "{media}");
        // What a real disc is after power loss mid-burn: not blank, an
        // incomplete session, nothing more can be written.
        let m = media_json(d, &disc);
        assert_eq!(
            (&m["status"], &m["sessions"], &m["writeModes"]),
            (&"appendable".into(), &1.into(), &serde_json::json!([])),
            "{media}"
        );
        let err = fails(d, &["burn", "disc.json", "--virtual", &disc], 6);
        assert!(
            err.contains("nothing was written")
                && err.contains("the disc is not blank (appendable)"),
            "{media}: {err}"
        );
        // Opened for writing, the damage is recorded in the file.
        let h = header(&d.join(&disc));
        assert_eq!(h.get("pending"), None, "{media}");
        assert_eq!(
            h["disc"]["damaged"],
            "a recording or blanking was interrupted (rawburn was stopped mid-write)"
        );
        assert_eq!(h["written"][0][0], lead_in, "{media}");
        assert!(h["written"][0][1].as_i64().unwrap() > 1000, "{media}: {h}");
    }
    // A CD-RW is blanked and burned again; a CD-R is not.
    let err = fails(d, &["blank", "--virtual", "cd-r.vdisc"], 6);
    assert!(err.contains("only a CD-RW can be blanked"), "{err}");
    ok(d, &["blank", "--virtual", "cd-rw.vdisc"]);
    assert_eq!(media_json(d, "cd-rw.vdisc")["status"], "blank");
    ok(
        d,
        &[
            "burn",
            "disc.json",
            "--virtual",
            "cd-rw.vdisc",
            "--verify",
            "-q",
        ],
    );
    assert_eq!(media_json(d, "cd-rw.vdisc")["status"], "finalized");
}

#[test]
fn headers_that_cannot_be_true_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d, 600);
    ok(d, &["vdisc", "create", "good.vdisc"]);
    ok(d, &["burn", "disc.json", "--virtual", "good.vdisc", "-q"]);
    let good = header(&d.join("good.vdisc"));
    let mut cases: Vec<(&str, Value, &str)> = Vec::new();
    let mut h = good.clone();
    h["written"] = serde_json::json!([[-11635, -150], [-200, 7500]]);
    cases.push((
        "overlap",
        h,
        "written range 1 [-200, 7500] overlaps or comes before the range before it",
    ));
    let mut h = good.clone();
    h["written"] = serde_json::json!([[7500, -11635]]);
    cases.push((
        "reversed",
        h,
        "written range 0 [7500, -11635] is empty or reversed",
    ));
    let mut h = good.clone();
    h["written"] = serde_json::json!([[-11635, 500000]]);
    cases.push((
        "outside",
        h,
        "written range 0 [-11635, 500000] is outside the disc (lba -45150 to 449850)",
    ));
    let mut h = good.clone();
    h["disc"]["open"] = serde_json::json!({
        "leadIn": 13000, "programArea": 17500, "tracks": [], "dataModes": []
    });
    cases.push((
        "open",
        h,
        "disc state: the disc is finalized but has an open session",
    ));
    let mut h = good.clone();
    h["disc"]["media"]["minutes"] = 74.into();
    cases.push((
        "media",
        h,
        "disc state: no cd-r of 74 minutes has lead-in 97:26:65 and last lead-out 79:59:74",
    ));
    let mut h = good.clone();
    h["disc"]["sessions"][0]["layout"]["leadout"] = 100.into();
    cases.push((
        "leadout",
        h,
        "disc state: session 1's lead-out (lba 100) comes before what precedes it (lba 600)",
    ));
    let mut h = good.clone();
    h["disc"]["sessions"] = serde_json::json!([]);
    h["disc"]["finalized"] = false.into();
    cases.push((
        "blank",
        h,
        "the disc is blank, but frames are listed as written (lba -11635 to 7349)",
    ));
    for (name, h, why) in cases {
        let file = format!("{name}.vdisc");
        std::fs::copy(d.join("good.vdisc"), d.join(&file)).unwrap();
        set_header(&d.join(&file), &h);
        let before = head(&d.join(&file));
        let expected = format!(
            "error: {file} is not a usable virtual disc\n  caused by: {file}: virtual disc header: {why}\n  caused by: replace it with a blank one: `rawburn vdisc create --force DISC`\n"
        );
        assert_eq!(fails(d, &["media", "--virtual", &file], 3), expected);
        assert_eq!(
            fails(d, &["burn", "disc.json", "--virtual", &file], 3),
            expected
        );
        assert_eq!(head(&d.join(&file)), before, "{name}");
    }
    // A file cut short of the frames its header lists.
    std::fs::copy(d.join("good.vdisc"), d.join("short.vdisc")).unwrap();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(d.join("short.vdisc"))
        .unwrap();
    f.set_len(HEADER_AREA + 2448 * 45_000).unwrap();
    let err = fails(d, &["read", "--virtual", "short.vdisc", "-o", "x.cue"], 3);
    assert!(
        err.contains(
            "it lists frames up to lba 7349, but the file ends at lba -151: it was cut short"
        ),
        "{err}"
    );
}

/// Runs `rawburn args` in `dir` with `ro` mounted read-only in a private
/// mount namespace, or `None` where this system cannot make one.
fn in_read_only(dir: &Path, ro: &str, args: &[&str]) -> Option<Output> {
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c"])
        .arg(r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; exec "$@""#)
        .args(["sh", ro, BIN])
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    (out.status.code() != Some(97)).then_some(out)
}

#[test]
fn a_read_only_disc_is_read_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d, 600);
    std::fs::create_dir(d.join("ro")).unwrap();
    ok(d, &["vdisc", "create", "ro/d.vdisc"]);
    ok(d, &["burn", "disc.json", "--virtual", "ro/d.vdisc", "-q"]);
    let before = std::fs::read(d.join("ro/d.vdisc")).unwrap();
    // Read-only for everyone but root; and for root in the read-only
    // mount.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("ro/d.vdisc"), std::fs::Permissions::from_mode(0o444))
            .unwrap();
    }
    let Some(media) = in_read_only(d, "ro", &["media", "--virtual", "ro/d.vdisc", "--json"]) else {
        eprintln!(
            "skipped: cannot mount read-only here (unshare -rm with mount --bind, remount ro)"
        );
        return;
    };
    assert!(
        media.status.success(),
        "{}",
        String::from_utf8_lossy(&media.stderr)
    );
    let m: Value = serde_json::from_slice(&media.stdout).unwrap();
    assert_eq!(m["status"], "finalized");
    let read = in_read_only(
        d,
        "ro",
        &["read", "--virtual", "ro/d.vdisc", "-o", "back.cue", "-q"],
    )
    .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let back = std::fs::read(d.join("back.bin")).unwrap();
    assert_eq!(back.len(), 600 * 2352);
    assert_eq!(
        &back[16..2064],
        &std::fs::read(d.join("d.iso")).unwrap()[..2048]
    );
    let eject = in_read_only(d, "ro", &["eject", "--virtual", "ro/d.vdisc"]).unwrap();
    assert!(
        eject.status.success(),
        "{}",
        String::from_utf8_lossy(&eject.stderr)
    );
    for args in [
        &["burn", "disc.json", "--virtual", "ro/d.vdisc"][..],
        &["blank", "--virtual", "ro/d.vdisc"][..],
    ] {
        let out = in_read_only(d, "ro", args).unwrap();
        assert_eq!(out.status.code(), Some(5), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: the virtual disc ro/d.vdisc is read-only, and this command writes to it\n  caused by: cannot open ro/d.vdisc: ")
                && err.ends_with("  caused by: make it writable, or use a writable copy\n"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(d.join("ro/d.vdisc")).unwrap(), before);
}

/// Runs `script` (sh, `$1` = an empty mount point, `$2` = rawburn, `$3` =
/// a directory outside it) with a tmpfs of `size` mounted at `$1` in a
/// private mount namespace; `None` where this system cannot make one.
fn in_small_tmpfs(dir: &Path, size: &str, script: &str) -> Option<Output> {
    std::fs::create_dir_all(dir.join("mnt")).unwrap();
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c"])
        .arg(format!(
            r#"mount -t tmpfs -o size={size} tmpfs "$1" || exit 97
{script}"#
        ))
        .args(["sh", "mnt", BIN, "."])
        .current_dir(dir)
        .output()
        .ok()?;
    (out.status.code() != Some(97)).then_some(out)
}

#[test]
fn create_on_a_full_disk_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A disc made while there was room; then the disk fills; then a new
    // disc, and one replacing the first, cannot be written.
    let script = r#"
"$2" vdisc create "$1/old.vdisc" >/dev/null || exit 90
head -c 1048576 /dev/zero > "$1/filler" 2>/dev/null
"$2" vdisc create "$1/x.vdisc" 2> "$3/new.err"; echo $? > "$3/new.code"
"$2" vdisc create "$1/old.vdisc" --force --media cd-rw 2> "$3/force.err"; echo $? > "$3/force.code"
"$2" media --virtual "$1/old.vdisc" --json > "$3/media.json" || exit 91
ls -A "$1" > "$3/listing"
"#;
    let Some(out) = in_small_tmpfs(d, "64k", script) else {
        eprintln!("skipped: cannot mount a small tmpfs here (unshare -rm, mount -t tmpfs)");
        return;
    };
    assert!(out.status.success(), "{out:?}");
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    assert_eq!(read("new.code"), "5\n");
    let err = read("new.err");
    assert!(
        err.starts_with(
            "error: cannot create mnt/x.vdisc\n  caused by: cannot write mnt/x.vdisc: "
        ) && err.contains("No space left on device"),
        "{err}"
    );
    assert_eq!(read("force.code"), "5\n", "{}", read("force.err"));
    // The old disc is whole, and no temporary file is left.
    let m: Value = serde_json::from_str(&read("media.json")).unwrap();
    assert_eq!(
        (&m["media"], &m["status"]),
        (&"CD-R".into(), &"blank".into())
    );
    assert_eq!(read("listing"), "filler\nold.vdisc\n");
}

#[test]
fn a_disk_that_fills_during_a_burn_fails_it_and_the_disc_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    project(d, 20_000);
    // 8 MiB hold the lead-in (about 3400 frames), not the track.
    let script = r#"
"$2" vdisc create "$1/f.vdisc" >/dev/null || exit 90
"$2" burn disc.json --virtual "$1/f.vdisc" -q 2> "$3/burn.err"; echo $? > "$3/burn.code"
"$2" media --virtual "$1/f.vdisc" --json > "$3/media.json" || exit 91
"$2" burn disc.json --virtual "$1/f.vdisc" -q 2> "$3/again.err"; echo $? > "$3/again.code"
"#;
    let Some(out) = in_small_tmpfs(d, "8m", script) else {
        eprintln!("skipped: cannot mount a small tmpfs here (unshare -rm, mount -t tmpfs)");
        return;
    };
    assert!(out.status.success(), "{out:?}");
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    let err = read("burn.err");
    assert_eq!(read("burn.code"), "7\n", "{err}");
    assert!(err.contains("4/44/00 internal target failure"), "{err}");
    let m: Value = serde_json::from_str(&read("media.json")).unwrap();
    assert_eq!(m["status"], "appendable");
    assert_eq!(read("again.code"), "6\n", "{}", read("again.err"));
}
