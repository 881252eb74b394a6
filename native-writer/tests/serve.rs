//! `rawburn serve` end to end, through a real WebSocket client: a
//! mixed-mode disc with CD-TEXT uploaded, planned, burned with verify on a
//! virtual recorder and read back into exactly the image `rawburn build`
//! writes; reconnecting mid-upload and mid-burn; the companion killed
//! mid-burn; eight clients and four drives at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/companion.rs"]
#[allow(dead_code, unreachable_pub)]
mod companion;

use common::*;
use companion::*;
use serde_json::{Value, json};
use std::path::Path;

/// `rawburn build disc.cue -o built.ccd` in `dir`: the image a read-back
/// must equal.
fn built(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    ok(dir, &["build", "disc.cue", "-o", "built.ccd", "--quiet"]);
    (
        std::fs::read(dir.join("built.img")).unwrap(),
        std::fs::read(dir.join("built.sub")).unwrap(),
    )
}

/// Reads the disc in `drive` back as CloneCD through the companion; its
/// `.img` and `.sub`.
async fn read_back(
    c: &Companion,
    client: &mut Client,
    cookie: &str,
    drive: &str,
) -> (Vec<u8>, Vec<u8>) {
    let job = client
        .start(json!({"type": "read", "drive": drive, "format": "ccd", "name": "back"}))
        .await;
    let messages = client.until_end(&job).await;
    let end = messages.last().unwrap();
    assert_eq!(end["ok"], true, "{end}");
    let files = end["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["back.ccd", "back.img", "back.sub"]);
    let get = |name: &str| {
        let f = files.iter().find(|f| f["name"] == name).unwrap();
        let bytes = download(c, f["url"].as_str().unwrap(), cookie);
        assert_eq!(bytes.len() as u64, f["size"].as_u64().unwrap());
        bytes
    };
    (get("back.img"), get("back.sub"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_uploads_plans_burns_verifies_and_reads_back_the_built_image() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    let (img, sub) = built(d);
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let hello = &client.hello;
    assert_eq!(hello["version"], 1);
    assert_eq!(hello["drives"][0]["id"], "virtual-1");
    assert_eq!(hello["drives"][0]["kind"], "virtual");
    assert_eq!(hello["drives"][0]["usable"], true);

    let media = client
        .ask(json!({"type": "media", "drive": "virtual-1"}))
        .await;
    assert_eq!(media["media"]["status"], "blank", "{media}");

    let plan = upload_and_plan(&mut client, &files, &sheet).await;
    assert_eq!(plan["type"], "plan", "{plan}");
    // The plan is what `rawburn toc --json` shows for the sheet.
    let toc: Value = serde_json::from_str(&ok(d, &["toc", "disc.cue", "--json"])).unwrap();
    assert_eq!(plan["toc"], toc);

    let job = client
        .start(
            json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1", "verify": "exact"}),
        )
        .await;
    let messages = client.until_end(&job).await;
    // Numbered from 1 without a gap; the events are `burn --json`'s.
    for (k, m) in messages.iter().enumerate() {
        assert_eq!(m["seq"], k as u64 + 1);
    }
    let end = messages.last().unwrap();
    assert_eq!(end["ok"], true, "{end}");
    assert_eq!(end["state"], "done");
    let events: Vec<&Value> = messages[..messages.len() - 1]
        .iter()
        .map(|m| &m["event"])
        .collect();
    assert!(events.iter().all(|e| e["schema"] == 2));
    assert_eq!(events.last().unwrap()["action"], "done");
    assert_eq!(events.last().unwrap()["fraction"], 1.0);
    assert!(events.iter().any(|e| e["action"] == "verifying"));

    let media = client
        .ask(json!({"type": "media", "drive": "virtual-1"}))
        .await;
    assert_eq!(media["media"]["status"], "finalized", "{media}");
    let (back_img, back_sub) = read_back(&c, &mut client, &cookie, "virtual-1").await;
    assert!(
        back_img == img,
        "the read-back .img differs from rawburn build's"
    );
    assert!(
        back_sub == sub,
        "the read-back .sub differs from rawburn build's"
    );

    // A fresh disc, and the same plan burns again.
    let r = client
        .ask(json!({"type": "insert", "drive": "virtual-1"}))
        .await;
    assert_eq!(r["type"], "insert", "{r}");
    let media = client
        .ask(json!({"type": "media", "drive": "virtual-1"}))
        .await;
    assert_eq!(media["media"]["status"], "blank");

    drop(client);
    let spool = c.state.join("spool").join(c.child.id().to_string());
    assert!(spool.is_dir());
    assert_eq!(c.stop(), 130);
    assert!(!spool.exists(), "the spool is removed at exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_resumes_after_a_reconnect_and_a_burn_survives_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    let (img, sub) = built(d);
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();

    // Half of data.iso, then the connection drops.
    let data = &files[0].1;
    let mut client = Client::connect(&c, &cookie).await;
    let r = client
        .ask(json!({"type": "upload", "name": "data.iso", "size": data.len()}))
        .await;
    let id = r["upload"].as_str().unwrap().to_string();
    client
        .send_chunks(&id, &data[..data.len() / 2], 0, 100_000)
        .await;
    drop(client);

    let mut client = Client::connect(&c, &cookie).await;
    let listed = &client.hello["uploads"][0];
    assert_eq!(listed["upload"], id.as_str());
    let half = (data.len() / 2) as u64;
    assert_eq!(listed["offset"], half);
    let r = client.ask(json!({"type": "upload", "upload": id})).await;
    assert_eq!(r["offset"], half);
    // A chunk at the wrong place is refused with where to resume.
    let n: u64 = id[1..].parse().unwrap();
    client.send_chunk(n, 0, b"xx").await;
    let e = client.wait(|m| m["type"] == "error").await;
    assert_eq!(
        (e["code"].as_str(), e["offset"].as_u64()),
        (Some("offset"), Some(half))
    );
    client.send_chunks(&id, data, data.len() / 2, 100_000).await;
    let sha = hex(&<sha2::Sha256 as sha2::Digest>::digest(data));
    let r = client
        .ask(json!({"type": "upload-end", "upload": id, "sha256": sha}))
        .await;
    assert_eq!(r["complete"], true, "{r}");
    let mut map = serde_json::Map::new();
    map.insert("data.iso".into(), id.clone().into());
    for (name, bytes) in &files[1..] {
        map.insert(
            name.clone(),
            client.upload(name, bytes, 1 << 20).await.into(),
        );
    }
    let plan = client
        .ask(json!({"type": "plan", "sheet": {"name": "disc.cue", "text": sheet}, "files": map}))
        .await;
    assert_eq!(plan["type"], "plan", "{plan}");

    // The burn starts; the page goes away after a few events.
    let job = client
        .start(
            json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1", "verify": "exact"}),
        )
        .await;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let m = client.wait(|m| m["job"] == job.as_str()).await;
        assert_ne!(m["type"], "end", "the burn ended before the page went away");
        seen.push(m);
    }
    drop(client);

    // Another connection picks up where the page left off, and a third
    // replays everything.
    let mut client = Client::connect(&c, &cookie).await;
    let r = client
        .ask(json!({"type": "watch", "job": job, "after": 3}))
        .await;
    assert_eq!(r["type"], "watch", "{r}");
    let rest = client.until_end(&job).await;
    assert_eq!(rest[0]["seq"], 4);
    for w in rest.windows(2) {
        assert_eq!(
            w[1]["seq"].as_u64().unwrap(),
            w[0]["seq"].as_u64().unwrap() + 1
        );
    }
    assert_eq!(rest.last().unwrap()["ok"], true, "{}", rest.last().unwrap());
    let mut again = Client::connect(&c, &cookie).await;
    again
        .ask(json!({"type": "watch", "job": job, "after": 0}))
        .await;
    let all = again.until_end(&job).await;
    assert_eq!(all.len(), 3 + rest.len());
    assert_eq!(all[..3], seen[..]);
    assert_eq!(all[3..], rest[..]);

    let (back_img, back_sub) = read_back(&c, &mut client, &cookie, "virtual-1").await;
    assert!(back_img == img && back_sub == sub);
    drop((client, again));
    c.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_pages_and_four_drives_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    let (img, sub) = built(d);
    let discs = ["a.vdisc", "b.vdisc", "c.vdisc", "d.vdisc"];
    let c = Companion::start(d, &discs);
    let cookie = c.session();
    let c = std::sync::Arc::new(c);

    // Eight pages each upload the disc and plan it; pages 1-4 burn it on
    // one drive each, pages 5-8 follow those burns.
    let mut tasks = Vec::new();
    for k in 0..8 {
        let (c, cookie, files, sheet) = (c.clone(), cookie.clone(), files.clone(), sheet.clone());
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(&c, &cookie).await;
            let plan = upload_and_plan(&mut client, &files, &sheet).await;
            assert_eq!(plan["type"], "plan", "{plan}");
            let drive = format!("virtual-{}", k % 4 + 1);
            let job = if k < 4 {
                let r = client
                    .ask(json!({"type": "burn", "plan": plan["plan"], "drive": drive, "verify": "exact"}))
                    .await;
                assert_eq!(r["type"], "jobs", "{r}");
                r["jobs"][0]["job"].as_str().unwrap().to_string()
            } else {
                // Wait for the drive's burn, then follow it; a burn of our
                // own there is refused as busy, naming that job.
                let job = loop {
                    let r = client.ask(json!({"type": "drives"})).await;
                    let d = r["drives"].as_array().unwrap().iter().find(|x| x["id"] == drive.as_str()).unwrap().clone();
                    if let Some(j) = d["job"].as_str() {
                        break j.to_string();
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                };
                let r = client
                    .ask(json!({"type": "burn", "plan": plan["plan"], "drive": drive}))
                    .await;
                if r["type"] == "error" {
                    assert_eq!(r["code"], "busy");
                    assert_eq!(r["job"], job.as_str());
                }
                client.ask(json!({"type": "watch", "job": job, "after": 0})).await;
                job
            };
            let messages = client.until_end(&job).await;
            let end = messages.last().unwrap().clone();
            (k, drive, job, end)
        }));
    }
    let mut ends = Vec::new();
    for t in tasks {
        ends.push(t.await.unwrap());
    }
    for (k, drive, job, end) in &ends {
        assert_eq!(end["ok"], true, "page {k} on {drive} ({job}): {end}");
    }
    let mut client = Client::connect(&c, &cookie).await;
    for k in 1..=4 {
        let (i, s) = read_back(&c, &mut client, &cookie, &format!("virtual-{k}")).await;
        assert!(
            i == img && s == sub,
            "virtual-{k} does not read back as built"
        );
    }
    drop(client);
    let c = std::sync::Arc::try_unwrap(c).ok().unwrap();
    c.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_companion_killed_mid_burn_claims_nothing_and_the_next_shows_the_disc() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Long enough (60 MB) that the kill comes while the drive records.
    let (files, sheet) = mixed_disc_of(d, 30_000);
    let (img, sub) = built(d);
    let mut c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let plan = upload_and_plan(&mut client, &files, &sheet).await;
    let job = client
        .start(json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1"}))
        .await;
    client
        .wait(|m| m["job"] == job.as_str() && m["event"]["phase"] == "writing")
        .await;
    let pid = c.child.id();
    signal(pid, libc::SIGKILL);
    // The disc is still held by the burn's command: it was mid-burn.
    let held = rawburn(d, &["media", "--virtual", "a.vdisc", "--json"]);
    assert_eq!(
        held.status.code(),
        Some(6),
        "the burn had ended before the kill"
    );
    wait(&mut c.child, std::time::Duration::from_secs(10));
    // The page hears nothing more: no end, no success.
    while let Some(m) = client.next().await {
        assert_ne!(m["type"], "end", "{m}");
    }
    // The burn's own command goes on to a readable disc (stopping mid-way
    // would ruin it); wait until it lets go of the disc.
    let start = std::time::Instant::now();
    loop {
        let out = rawburn(d, &["media", "--virtual", "a.vdisc", "--json"]);
        if out.status.success() {
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "the disc stays busy");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let dead_spool = c.state.join("spool").join(pid.to_string());
    drop(c);

    let c = Companion::start(d, &["a.vdisc"]);
    assert!(
        !dead_spool.exists(),
        "the killed companion's spool is removed at start"
    );
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    assert_eq!(
        client.hello["jobs"],
        json!([]),
        "no job is claimed after a restart"
    );
    let media = client
        .ask(json!({"type": "media", "drive": "virtual-1"}))
        .await;
    assert_eq!(media["media"]["status"], "finalized", "{media}");
    let (i, s) = read_back(&c, &mut client, &cookie, "virtual-1").await;
    assert!(i == img && s == sub);
    drop(client);
    c.stop();
}

/// Relative `--state-dir` and `--virtual` paths (as `scripts/run.sh`
/// gives them) hold for jobs, which run in directories of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_state_and_disc_paths_work_for_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    let c = Companion::start_relative(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let media = client
        .ask(json!({"type": "media", "drive": "virtual-1"}))
        .await;
    assert_eq!(media["media"]["status"], "blank", "{media}");
    let plan = upload_and_plan(&mut client, &files, &sheet).await;
    let job = client
        .start(
            json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1", "verify": "exact"}),
        )
        .await;
    let end = client.until_end(&job).await.pop().unwrap();
    assert_eq!(end["ok"], true, "{end}");
    drop(client);
    c.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_before_writing_leaves_the_disc_blank_and_ctrl_c_stops_jobs_first() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let plan = upload_and_plan(&mut client, &files, &sheet).await;
    let job = client
        .start(json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1"}))
        .await;
    let r = client.ask(json!({"type": "cancel", "job": job})).await;
    assert_eq!(r["type"], "cancel", "{r}");
    let messages = client.until_end(&job).await;
    let end = messages.last().unwrap();
    if end["state"] == "cancelled" {
        assert_eq!(end["ok"], false, "{end}");
        assert_eq!(end["exit"], 130);
        let media = client
            .ask(json!({"type": "media", "drive": "virtual-1"}))
            .await;
        assert_eq!(media["media"]["status"], "blank");
    } else {
        // The cancel came after recording began: the burn finished.
        assert_eq!(end["state"], "done", "{end}");
        assert_eq!(end["ok"], true, "{end}");
    }
    drop(client);
    c.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_burns_one_plan_to_several_drives() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    let (img, sub) = built(d);
    let c = Companion::start(d, &["a.vdisc", "b.vdisc", "c.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let plan = upload_and_plan(&mut client, &files, &sheet).await;
    let r = client
        .ask(json!({"type": "burn", "plan": plan["plan"], "drives": ["virtual-1", "virtual-3"], "verify": "content"}))
        .await;
    assert_eq!(r["type"], "jobs", "{r}");
    let jobs: Vec<(String, String)> = r["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["job"].as_str().unwrap().to_string(),
                j["drive"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(jobs.len(), 2);
    // Every page hears that the drives are busy, unasked.
    let announced = client
        .wait(|m| m["type"] == "drives" && m["changed"] == true)
        .await;
    let busy: Vec<&str> = announced["drives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["job"].is_null())
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(busy, ["virtual-1", "virtual-3"]);
    for (job, drive) in &jobs {
        let end = client.until_end(job).await.pop().unwrap();
        assert_eq!(end["ok"], true, "{drive}: {end}");
    }
    for drive in ["virtual-1", "virtual-3"] {
        let (i, s) = read_back(&c, &mut client, &cookie, drive).await;
        assert!(i == img && s == sub, "{drive} does not read back as built");
    }
    let m = client
        .ask(json!({"type": "media", "drive": "virtual-2"}))
        .await;
    assert_eq!(m["media"]["status"], "blank");
    let job = client
        .start(json!({"type": "eject", "drive": "virtual-1"}))
        .await;
    assert_eq!(client.until_end(&job).await.pop().unwrap()["ok"], true);
    drop(client);
    c.stop();
}

#[test]
fn the_idle_timeout_stops_the_companion() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Companion::start_with(dir.path(), &["a.vdisc"], &["--idle-timeout", "1"]);
    let start = std::time::Instant::now();
    assert_eq!(wait(&mut c.child, std::time::Duration::from_secs(20)), 0);
    assert!(start.elapsed().as_secs_f64() >= 0.9);
    assert!(c.stderr().contains("idle: stopping"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_running_burn_at_a_safe_point_before_the_companion_ends() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc_of(d, 30_000);
    let mut c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let plan = upload_and_plan(&mut client, &files, &sheet).await;
    let job = client
        .start(json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1"}))
        .await;
    client.wait(|m| m["job"] == job.as_str()).await;
    signal(c.child.id(), libc::SIGINT);
    // The page hears how the burn ended before the companion goes.
    let end = client.until_end(&job).await.pop().unwrap();
    assert_eq!(wait(&mut c.child, std::time::Duration::from_secs(60)), 130);
    assert!(
        c.stderr()
            .contains("stopping 1 job(s) at a safe point first")
    );
    let media = media_json(d, "a.vdisc");
    // The end says what the disc holds, and the drive agrees.
    let said = end["error"]["causes"].to_string();
    match end["state"].as_str().unwrap() {
        "cancelled" if said.contains("the disc is unchanged") => {
            assert_eq!(media["status"], "blank", "{end}");
        }
        "cancelled" => {
            assert!(said.contains("the session is incomplete"), "{end}");
            assert_ne!(media["status"], "blank", "{end}");
            assert_ne!(media["status"], "finalized", "{end}");
        }
        "done" => assert_eq!(media["status"], "finalized", "{end}"),
        other => panic!("{other}: {end}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_burner_the_drive_is_a_virtual_recorder_in_the_state_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = Companion::start(d, &[]);
    let cookie = c.session();
    let client = Client::connect(&c, &cookie).await;
    let drives = client.hello["drives"].as_array().unwrap();
    let virtuals: Vec<&serde_json::Value> =
        drives.iter().filter(|d| d["kind"] == "virtual").collect();
    // This machine has no usable USB burner (or none at all): one virtual
    // recorder, with a blank disc made for it.
    if !drives
        .iter()
        .any(|d| d["kind"] == "usb" && d["usable"] == true)
    {
        assert_eq!(virtuals.len(), 1, "{drives:?}");
        assert_eq!(virtuals[0]["id"], "virtual-1");
        assert_eq!(
            virtuals[0]["label"],
            "rawburn virtual recorder (virtual.vdisc)"
        );
        let disc = c.state.join("virtual.vdisc");
        assert!(disc.is_file());
        assert_eq!(media_json(d, disc.to_str().unwrap())["status"], "blank");
    }
    drop(client);
    c.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdtext_files_and_extra_sessions_are_the_command_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    // The sheet's CD-TEXT as a .cdt, over the same sheet without it.
    ok(d, &["cdtext", "disc.cue", "--cdt", "x.cdt"]);
    let bare: String = sheet
        .lines()
        .filter(|l| !l.contains("TITLE") && !l.contains("PERFORMER"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(d.join("bare.cue"), &bare).unwrap();
    let want: serde_json::Value =
        serde_json::from_str(&ok(d, &["toc", "bare.cue", "--cdtext", "x.cdt", "--json"])).unwrap();
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let mut map = serde_json::Map::new();
    for (name, bytes) in &files {
        map.insert(
            name.clone(),
            client.upload(name, bytes, 1 << 20).await.into(),
        );
    }
    let cdt = std::fs::read(d.join("x.cdt")).unwrap();
    map.insert(
        "x.cdt".into(),
        client.upload("x.cdt", &cdt, 1 << 20).await.into(),
    );
    let plan = client
        .ask(json!({"type": "plan", "sheet": {"name": "bare.cue", "text": bare}, "files": map, "cdtext": ["x.cdt"]}))
        .await;
    assert_eq!(plan["toc"], want, "{plan}");
    let r = client
        .ask(json!({"type": "plan", "sheet": {"name": "bare.cue", "text": bare}, "files": map, "cdtext": ["nothere.cdt"]}))
        .await;
    assert_eq!(r["code"], "not-found");
    // --extra with a file that is no ISO: the command's own refusal, and
    // the disc untouched.
    let job = client.start(json!({"type": "burn", "plan": plan["plan"], "drive": "virtual-1", "extra": "data.iso"})).await;
    let end = client.until_end(&job).await.pop().unwrap();
    assert_eq!(end["ok"], false);
    assert_eq!(end["exit"], 3, "{end}");
    assert_eq!(
        end["error"]["headline"],
        "data.iso is not an ISO 9660 image: no primary volume descriptor at sector 16"
    );
    drop(client);
    c.stop();
    assert_eq!(media_json(d, "a.vdisc")["status"], "blank");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_latin1_sheet_upload_plans_as_the_command_line_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (files, sheet) = mixed_disc(d);
    // The sheet in Latin-1, as older rippers write it.
    let latin1: Vec<u8> = sheet
        .replace("Companion Disc", "Café Disc")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    std::fs::write(d.join("latin.cue"), &latin1).unwrap();
    let want: Value = serde_json::from_str(&ok(d, &["toc", "latin.cue", "--json"])).unwrap();
    assert!(want.to_string().contains("Café Disc"));
    let c = Companion::start(d, &["a.vdisc"]);
    let cookie = c.session();
    let mut client = Client::connect(&c, &cookie).await;
    let mut map = serde_json::Map::new();
    for (name, bytes) in &files {
        map.insert(
            name.clone(),
            client.upload(name, bytes, 1 << 20).await.into(),
        );
    }
    let sheet_id = client.upload("latin.cue", &latin1, 1 << 20).await;
    let plan = client
        .ask(json!({"type": "plan", "sheet": {"name": "latin.cue", "upload": sheet_id}, "files": map}))
        .await;
    assert_eq!(plan["toc"], want, "{plan}");

    // The reply naming the job comes before any of its messages.
    client
        .send(json!({"id": "b", "type": "burn", "plan": plan["plan"], "drive": "virtual-1", "simulate": true}))
        .await;
    let first = client
        .wait(|m| m["reply"] == "b" || m["type"] == "event" || m["type"] == "end")
        .await;
    assert_eq!(first["reply"], "b", "{first}");
    let job = first["jobs"][0]["job"].as_str().unwrap().to_string();
    let listed = client.ask(json!({"type": "jobs"})).await;
    let detail = &listed["jobs"][0]["detail"];
    assert_eq!(detail["simulate"], true, "{listed}");
    assert_eq!(detail["plan"], plan["plan"]);
    assert_eq!(detail["mode"], "auto");
    assert_eq!(client.until_end(&job).await.pop().unwrap()["ok"], true);
    drop(client);
    c.stop();
}

#[test]
fn open_hands_the_address_with_its_token_to_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A browser opener that writes down what it was given.
    let bin = d.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > {}\n", d.join("opened").display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rawburn"));
    cmd.args([
        "serve",
        "--port",
        "0",
        "--open",
        "--idle-timeout",
        "0",
        "--state-dir",
    ])
    .arg(d.join("state"))
    .arg("--virtual")
    .arg(d.join("a.vdisc"))
    .env("PATH", path)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut url = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut url,
    )
    .unwrap();
    let start = std::time::Instant::now();
    while !d.join("opened").exists() {
        assert!(start.elapsed().as_secs() < 20, "no browser was opened");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(std::fs::read_to_string(d.join("opened")).unwrap(), url);
    signal(child.id(), libc::SIGINT);
    assert_eq!(wait(&mut child, std::time::Duration::from_secs(20)), 130);
}
