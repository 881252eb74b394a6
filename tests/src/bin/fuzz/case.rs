//! One case: an input kind, the files it starts from, the mutations, and
//! the command line that runs on them. A case is a pure function of the
//! run's seed and the case's index.

use crate::exec::StdoutMode;
use crate::mutate;
use crate::rng::Rng;
use crate::seeds::{self, Seeds};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::Path;

/// What was mutated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A cue sheet.
    Cue,
    /// A cdrdao toc file.
    Toc,
    /// A CloneCD image (.ccd, .img, .sub).
    Ccd,
    /// A project JSON.
    Project,
    /// A WAV source.
    Wav,
    /// A FLAC source.
    Flac,
    /// A binary CD-TEXT file.
    Cdt,
    /// A Sony input sheet v0.7T.
    Sheet,
    /// A virtual disc file.
    Vdisc,
    /// A fault plan.
    Faults,
    /// A raw image (CD-TEXT read from its lead-in).
    Raw,
    /// The command line itself (`vdisc create`).
    Args,
}

impl Kind {
    /// Its name in the figures.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Cue => "cue",
            Kind::Toc => "toc",
            Kind::Ccd => "ccd",
            Kind::Project => "project",
            Kind::Wav => "wav",
            Kind::Flac => "flac",
            Kind::Cdt => "cdt",
            Kind::Sheet => "sheet",
            Kind::Vdisc => "vdisc",
            Kind::Faults => "faults",
            Kind::Raw => "raw",
            Kind::Args => "args",
        }
    }
}

/// What the runner checks after the command, beyond every execution's
/// oracles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Check {
    /// Nothing more.
    Plain,
    /// `build` or `read`: a failure leaves no new file.
    Outputs,
    /// A burn: the disc's state afterwards, the read-back.
    Burn(BurnCheck),
    /// `read` (an output; with a fault plan, a success must read what a
    /// read without faults reads).
    Read(ReadCheck),
}

/// What a read was asked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadCheck {
    /// The disc file.
    pub vdisc: String,
    /// The output's extension.
    pub format: String,
    /// Whether a fault plan was given.
    pub faults: bool,
}

/// What a burn was asked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BurnCheck {
    /// The disc file.
    pub vdisc: String,
    /// The burned input.
    pub input: String,
    /// `--cdtext` files.
    pub cdtext: Vec<String>,
    /// `--mode`.
    pub mode: String,
    /// `--simulate`.
    pub simulate: bool,
    /// `--verify`.
    pub verify: bool,
    /// `--json`.
    pub json: bool,
    /// `-q`.
    pub quiet: bool,
    /// The disc was blank before (a fresh seed), so its state needs no
    /// look first.
    pub blank_before: bool,
}

/// A case, as saved with its reproducer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The run's seed.
    pub seed: u64,
    /// The case's index in the run.
    pub index: u64,
    /// What was mutated.
    pub kind: Kind,
    /// The command, for the figures: `burn raw96r`, `build .ccd`…
    pub label: String,
    /// The mutations, in words.
    pub mutations: Vec<String>,
    /// The arguments of `rawburn`.
    pub args: Vec<String>,
    /// Where stdout goes.
    pub stdout: StdoutMode,
    /// SIGINT after this many milliseconds.
    pub interrupt_ms: Option<u64>,
    /// Checks after the command.
    pub check: Check,
    /// FIFOs to create before the command.
    pub fifos: Vec<String>,
}

/// What a case needs from the run.
pub struct Context<'a> {
    /// The seed files.
    pub seeds: &'a Seeds,
    /// The run's root (for absolute paths to the canary).
    pub root: &'a Path,
}

/// The FIFO every case directory holds, for paths to point at.
pub const FIFO: &str = "pipe";

/// The canary file, in the run's root; the secret is inside, never in its
/// name.
pub const CANARY: &str = "canary.txt";

/// The canary's content: the secret in shapes no format accepts.
pub fn canary(secret: &str) -> Vec<u8> {
    let mut c = format!("{secret}\n{secret} = {secret}\n{secret}\n").into_bytes();
    c.extend_from_slice(&[0, 0xff, 0xfe, 0x80]);
    c.extend_from_slice(secret.as_bytes());
    c
}

/// Writes case `index`'s files into `dir` and returns its plan.
///
/// ## Errors
///
/// I/O errors of the harness itself.
pub fn generate(ctx: &Context<'_>, seed: u64, index: u64, dir: &Path) -> io::Result<Plan> {
    let mut rng = Rng::for_case(seed, index);
    let kind = *rng.weighted(&[
        (14, Kind::Cue),
        (9, Kind::Toc),
        (7, Kind::Ccd),
        (9, Kind::Project),
        (6, Kind::Wav),
        (4, Kind::Flac),
        (5, Kind::Cdt),
        (5, Kind::Sheet),
        (6, Kind::Vdisc),
        (8, Kind::Faults),
        (1, Kind::Raw),
        (2, Kind::Args),
    ]);
    let mut g = Gen {
        rng,
        ctx,
        dir,
        mutations: Vec::new(),
    };
    let fifo = std::process::Command::new("mkfifo")
        .arg(dir.join(FIFO))
        .status()?;
    if !fifo.success() {
        return Err(io::Error::other("mkfifo failed"));
    }
    let (label, args, check) = match kind {
        Kind::Cue => g.cue()?,
        Kind::Toc => g.disc_text("mixed.toc", seeds::TOC_WORDS, &["d.iso", "a.wav", "b.raw"])?,
        Kind::Ccd => g.ccd()?,
        Kind::Project => {
            let base = *g.rng.pick(&["mixed.json", "plain.json"]);
            g.disc_text(base, seeds::JSON_WORDS, seeds::SOURCES)?
        }
        Kind::Wav => g.wav()?,
        Kind::Flac => g.flac()?,
        Kind::Cdt => g.cdtext_file("mixed.cdt")?,
        Kind::Sheet => g.cdtext_file("mixed.txt")?,
        Kind::Vdisc => g.vdisc()?,
        Kind::Faults => g.faults()?,
        Kind::Raw => g.raw()?,
        Kind::Args => g.args()?,
    };
    let is_burn = matches!(check, Check::Burn(_));
    let stdout = *g.rng.weighted(&[
        (36, StdoutMode::File),
        (2, StdoutMode::ClosedPipe),
        (2, StdoutMode::DevFull),
    ]);
    let interrupt_ms = (is_burn && g.rng.chance(1, 25)).then(|| g.rng.range(0, 150) as u64);
    Ok(Plan {
        seed,
        index,
        kind,
        label,
        mutations: g.mutations,
        args,
        stdout,
        interrupt_ms,
        check,
        fifos: vec![FIFO.to_string()],
    })
}

type Command = (String, Vec<String>, Check);

/// The state of one case's generation.
struct Gen<'a> {
    rng: Rng,
    ctx: &'a Context<'a>,
    dir: &'a Path,
    mutations: Vec<String>,
}

impl Gen<'_> {
    /// Paths a mutated file name may take.
    fn paths(&self) -> Vec<String> {
        vec![
            format!("../../{CANARY}"),
            format!("{}/{CANARY}", self.ctx.root.display()),
            FIFO.to_string(),
            "/dev/zero".to_string(),
            "/dev/urandom".to_string(),
            "/dev/null".to_string(),
            ".".to_string(),
            "..".to_string(),
            "/".to_string(),
            "missing.wav".to_string(),
            "nodir/missing.bin".to_string(),
            "a.wav/".to_string(),
            String::new(),
            "../../../../../../../../../../etc/hostname".to_string(),
            "/proc/self/status".to_string(),
            "x".repeat(300),
            "mixed.cue".to_string(),
            "mixed.img".to_string(),
        ]
    }

    /// A file named on the command line: mostly `name`, sometimes another
    /// path (not the FIFO: reading a FIFO the user names waits for its
    /// writer, as `cat` would; a FIFO named inside a sheet is tried
    /// instead).
    fn arg_path(&mut self, name: &str) -> String {
        if !self.rng.chance(1, 8) {
            return name.to_string();
        }
        let paths: Vec<String> = self.paths().into_iter().filter(|p| p != FIFO).collect();
        let p = self.rng.pick(&paths).clone();
        self.mutations.push(format!("argument {name} -> {p:?}"));
        p
    }

    fn copy(&self, names: &[&str]) -> io::Result<()> {
        self.ctx.seeds.copy(names, self.dir)
    }

    /// Reads, mutates with `f` and writes back a file of the case.
    fn mutate_file(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut Rng, &mut Vec<u8>) -> Vec<String>,
    ) -> io::Result<()> {
        let path = self.dir.join(name);
        let mut data = std::fs::read(&path)?;
        let did = f(&mut self.rng, &mut data);
        self.mutations
            .extend(did.into_iter().map(|d| format!("{name}: {d}")));
        std::fs::write(path, data)
    }

    fn mutate_text(&mut self, name: &str, dict: &[&str]) -> io::Result<()> {
        let paths = self.paths();
        self.mutate_file(name, |rng, d| mutate::text(rng, d, dict, &paths))
    }

    fn cue(&mut self) -> io::Result<Command> {
        let base = *self.rng.weighted(&[
            (4, "mixed.cue"),
            (3, "plain.cue"),
            (2, "flac.cue"),
            (1, "cdt.cue"),
            (1, "sheet.cue"),
        ]);
        self.disc_text(base, seeds::CUE_WORDS, seeds::SOURCES)
    }

    /// A text description (cue, toc, project) mutated, then any command.
    fn disc_text(&mut self, base: &str, dict: &[&str], sources: &[&str]) -> io::Result<Command> {
        self.copy(sources)?;
        self.copy(&[base])?;
        self.mutate_text(base, dict)?;
        Ok(self.disc_command(base, &[]))
    }

    fn ccd(&mut self) -> io::Result<Command> {
        self.copy(&["mixed.ccd", "mixed.img", "mixed.sub"])?;
        match self.rng.below(10) {
            0 => self.mutate_file("mixed.sub", |rng, d| mutate::binary(rng, d, &[]))?,
            1 => {
                let len = std::fs::metadata(self.dir.join("mixed.img"))?.len();
                let cut = *self.rng.pick(&[0, 2351, 2352 * 299, len - 1, len + 2352]);
                std::fs::File::options()
                    .write(true)
                    .open(self.dir.join("mixed.img"))?
                    .set_len(cut)?;
                self.mutations.push(format!("mixed.img: length {cut}"));
            }
            _ => self.mutate_text("mixed.ccd", seeds::CCD_WORDS)?,
        }
        Ok(self.disc_command("mixed.ccd", &[]))
    }

    fn wav(&mut self) -> io::Result<Command> {
        self.copy(seeds::SOURCES)?;
        let (base, target) = *self.rng.pick(&[
            ("mixed.cue", "a.wav"),
            ("plain.cue", "b.wav"),
            ("mixed.json", "b.wav"),
            ("mixed.toc", "a.wav"),
        ]);
        self.copy(&[base])?;
        self.mutate_file(target, |rng, d| {
            const FIELDS: &[(usize, usize, &str)] = &[
                (4, 4, "riff size"),
                (16, 4, "fmt size"),
                (20, 2, "format"),
                (22, 2, "channels"),
                (24, 4, "sample rate"),
                (28, 4, "byte rate"),
                (32, 2, "block align"),
                (34, 2, "bits per sample"),
                (40, 4, "data size"),
            ];
            let n = rng.range(1, 2);
            let mut did = Vec::new();
            for _ in 0..n {
                if rng.chance(2, 3) {
                    let (at, w, name) = *rng.pick(FIELDS);
                    did.push(mutate::field_at(rng, d, at, w, name));
                } else {
                    // Byte mutations in the header, or anywhere.
                    let mut head = d[..64.min(d.len())].to_vec();
                    if rng.chance(1, 2) {
                        did.push(mutate::bytes(
                            rng,
                            &mut head,
                            &[b"LIST\x04\0\0\0INFO", b"fact"],
                        ));
                        d.splice(..64.min(d.len()), head);
                    } else {
                        did.push(mutate::bytes(rng, d, &[]));
                    }
                }
            }
            did
        })?;
        Ok(self.disc_command(base, &[]))
    }

    fn flac(&mut self) -> io::Result<Command> {
        self.copy(seeds::SOURCES)?;
        self.copy(&["flac.cue"])?;
        self.mutate_file("tone.flac", |rng, d| {
            if rng.chance(1, 2) {
                // The stream header and STREAMINFO (sample rate, channels,
                // bits, total samples, block sizes) are the first 42 bytes.
                let mut head = d[..42.min(d.len())].to_vec();
                let did = mutate::binary(rng, &mut head, &[]);
                d.splice(..42.min(d.len()), head);
                did
            } else {
                mutate::binary(rng, d, &[])
            }
        })?;
        Ok(self.disc_command("flac.cue", &[]))
    }

    /// A `.cdt` or input sheet mutated, used through CDTEXTFILE, through
    /// `--cdtext` or (a `.cdt`) as the input of `cdtext`.
    fn cdtext_file(&mut self, name: &str) -> io::Result<Command> {
        self.copy(seeds::SOURCES)?;
        if name.ends_with(".cdt") {
            self.mutate_file(name, mutate::cdt)?;
        } else {
            self.mutate_text(name, seeds::SHEET_WORDS)?;
        }
        let cue = if name.ends_with(".cdt") {
            "cdt.cue"
        } else {
            "sheet.cue"
        };
        self.copy(&[cue, "mixed.cue", "plain.cue"])?;
        Ok(match self.rng.below(4) {
            0 => self.disc_command(cue, &[]),
            1 if name.ends_with(".cdt") => {
                let mut args = vec!["cdtext".to_string(), name.to_string()];
                args.extend(self.cdtext_outputs());
                ("cdtext".to_string(), args, Check::Outputs)
            }
            _ => {
                let base = *self.rng.pick(&["mixed.cue", "plain.cue"]);
                let file = self.arg_path(name);
                self.disc_command(base, &[&file])
            }
        })
    }

    fn cdtext_outputs(&mut self) -> Vec<String> {
        if self.rng.chance(1, 2) {
            ["--cdt", "out.cdt", "--sheet", "out.txt"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        }
    }

    /// Sometimes puts a directory where one of the files of an output
    /// `stem.fmt` goes, so writing the image fails part-way (after its
    /// first file, for a format of several).
    fn in_the_way(&mut self, stem: &str, fmt: &str) {
        if !self.rng.chance(1, 6) {
            return;
        }
        let names: &[&str] = match fmt {
            "cue" => &["bin", "cdt", "cue"],
            "toc" => &["bin", "toc"],
            "ccd" => &["img", "sub", "ccd"],
            "json" => &["json"],
            _ => &["raw"],
        };
        let name = format!("{stem}.{}", self.rng.pick(names));
        match std::fs::create_dir_all(self.dir.join(&name)) {
            Ok(()) => self
                .mutations
                .push(format!("a directory in the way: {name}")),
            Err(e) => self.mutations.push(format!("directory {name}: {e}")),
        }
    }

    /// Any command that takes a disc description: toc, build, cdtext,
    /// burn.
    fn disc_command(&mut self, input: &str, cdtext: &[&str]) -> Command {
        let mut extra: Vec<String> = Vec::new();
        for c in cdtext {
            extra.push("--cdtext".to_string());
            extra.push(c.to_string());
        }
        let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        match *self.rng.weighted(&[(3, 0), (2, 1), (6, 2), (2, 3), (7, 4)]) {
            0 => {
                let mut a = s(&["toc", input]);
                a.extend(extra);
                ("toc".to_string(), a, Check::Plain)
            }
            1 => {
                let mut a = s(&["toc", input, "--json"]);
                a.extend(extra);
                ("toc --json".to_string(), a, Check::Plain)
            }
            2 => {
                let fmt = *self.rng.weighted(&[
                    (3, "cue"),
                    (3, "ccd"),
                    (3, "toc"),
                    (2, "json"),
                    (1, "raw"),
                ]);
                let out = format!("out.{fmt}");
                self.in_the_way("out", fmt);
                let mut a = s(&["build", input, "-o", &out]);
                if fmt == "raw" && self.rng.chance(1, 2) {
                    a.push("--subchannel".to_string());
                    a.push(self.rng.pick(&["none", "pq", "cooked", "raw"]).to_string());
                }
                if self.rng.chance(1, 3) {
                    a.push("-q".to_string());
                }
                a.extend(extra);
                (format!("build .{fmt}"), a, Check::Outputs)
            }
            3 => {
                let mut a = s(&["cdtext", input]);
                a.extend(self.cdtext_outputs());
                a.extend(extra);
                ("cdtext".to_string(), a, Check::Outputs)
            }
            _ => self.burn(input, cdtext, None),
        }
    }

    /// A burn onto a fresh blank disc (or `onto`, an existing one).
    fn burn(&mut self, input: &str, cdtext: &[&str], onto: Option<&str>) -> Command {
        let vdisc = match onto {
            Some(v) => v.to_string(),
            None => {
                let blank =
                    *self
                        .rng
                        .pick(&["blank-r80.vdisc", "blank-rw74.vdisc", "blank-r99.vdisc"]);
                if let Err(e) = self.ctx.seeds.copy(&[blank], self.dir) {
                    self.mutations.push(format!("copy {blank}: {e}"));
                }
                blank.to_string()
            }
        };
        let mode = *self.rng.weighted(&[
            (3, "auto"),
            (3, "raw96r"),
            (3, "sao"),
            (1, "raw16"),
            (1, "raw96p"),
            (2, "tao"),
        ]);
        let mut a: Vec<String> = ["burn", input, "--virtual", &vdisc]
            .map(String::from)
            .to_vec();
        if mode != "auto" || self.rng.chance(1, 2) {
            a.extend(["--mode".to_string(), mode.to_string()]);
        }
        let faulty = self.rng.chance(1, 2) && self.dir.join("plan.json").exists();
        let verify = match self.rng.below(if faulty { 3 } else { 6 }) {
            0 | 1 => Some("--verify"),
            2 => Some("--verify=content"),
            _ => None,
        };
        if let Some(v) = verify {
            a.push(v.to_string());
        }
        let simulate = self.rng.chance(1, 6);
        if simulate {
            a.push("--simulate".to_string());
        }
        let json = self.rng.chance(1, 3);
        if json {
            a.push("--json".to_string());
        }
        let quiet = self.rng.chance(1, 4);
        if quiet {
            a.push("-q".to_string());
        }
        if self.rng.chance(1, 8) {
            a.push("--speed".to_string());
            a.push(
                self.rng
                    .pick(&["0", "1", "4", "48", "52", "65535"])
                    .to_string(),
            );
        }
        if self.rng.chance(if faulty { 3 } else { 1 }, 8) {
            a.push("--no-bufe".to_string());
        }
        for c in cdtext {
            a.push("--cdtext".to_string());
            a.push(c.to_string());
        }
        let check = Check::Burn(BurnCheck {
            vdisc,
            input: input.to_string(),
            cdtext: cdtext.iter().map(|c| c.to_string()).collect(),
            mode: mode.to_string(),
            simulate,
            verify: verify.is_some(),
            json,
            quiet,
            blank_before: onto.is_none(),
        });
        (format!("burn {mode}"), a, check)
    }

    /// A blank or burned virtual disc with its header or frames mutated,
    /// then media, read or burn on it.
    fn vdisc(&mut self) -> io::Result<Command> {
        let name = *self.rng.weighted(&[
            (3, "blank-r80.vdisc"),
            (1, "blank-rw74.vdisc"),
            (2, "sao.vdisc"),
            (1, "tao.vdisc"),
            (1, "raw96r.vdisc"),
        ]);
        crate::repro::sparse_copy(&self.ctx.seeds.dir.join(name), &self.dir.join(name))?;
        let path = self.dir.join(name);
        let did = vdisc_mutation(&mut self.rng, &path)?;
        self.mutations
            .extend(did.into_iter().map(|d| format!("{name}: {d}")));
        Ok(self.drive_command(name))
    }

    /// media, read or burn on the disc `vdisc`.
    fn drive_command(&mut self, vdisc: &str) -> Command {
        let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        match self.rng.below(5) {
            0 => (
                "media".to_string(),
                s(&["media", "--virtual", vdisc]),
                Check::Plain,
            ),
            1 => (
                "media --json".to_string(),
                s(&["media", "--virtual", vdisc, "--json"]),
                Check::Plain,
            ),
            2 | 3 => self.read(vdisc),
            _ => {
                if let Err(e) = self
                    .copy(seeds::SOURCES)
                    .and_then(|()| self.copy(&["plain.cue"]))
                {
                    self.mutations.push(format!("copy sources: {e}"));
                }
                self.burn("plain.cue", &[], Some(vdisc))
            }
        }
    }

    fn read(&mut self, vdisc: &str) -> Command {
        let fmt =
            *self
                .rng
                .weighted(&[(3, "ccd"), (3, "cue"), (2, "toc"), (2, "json"), (1, "raw")]);
        let out = format!("back.{fmt}");
        self.in_the_way("back", fmt);
        let mut a: Vec<String> = ["read", "--virtual", vdisc, "-o", &out]
            .map(String::from)
            .to_vec();
        if self.rng.chance(1, 3) {
            a.push("-q".to_string());
        }
        let check = Check::Read(ReadCheck {
            vdisc: vdisc.to_string(),
            format: fmt.to_string(),
            faults: false,
        });
        (format!("read .{fmt}"), a, check)
    }

    /// A fault plan (every kind, command and LBA triggers), sometimes
    /// mutated as text, for a burn or a read.
    fn faults(&mut self) -> io::Result<Command> {
        let plan = fault_plan(&mut self.rng);
        std::fs::write(self.dir.join("plan.json"), &plan)?;
        self.mutations.push(format!("plan.json: {plan}"));
        if self.rng.chance(1, 5) {
            self.mutate_text("plan.json", seeds::FAULT_WORDS)?;
        }
        if self.rng.chance(1, 4) {
            let disc = *self.rng.pick(&["sao.vdisc", "tao.vdisc", "raw96r.vdisc"]);
            crate::repro::sparse_copy(&self.ctx.seeds.dir.join(disc), &self.dir.join(disc))?;
            let (label, mut args, mut check) = self.read(disc);
            if let Check::Read(r) = &mut check {
                r.faults = true;
            }
            let plan = self.arg_path("plan.json");
            args.extend(["--faults".to_string(), plan]);
            return Ok((format!("{label} --faults"), args, check));
        }
        let base = *self.rng.pick(&["mixed.cue", "plain.cue", "mixed.json"]);
        self.copy(seeds::SOURCES)?;
        self.copy(&[base])?;
        let (label, mut args, check) = self.burn(base, &[], None);
        let plan = self.arg_path("plan.json");
        args.extend(["--faults".to_string(), plan]);
        Ok((format!("{label} --faults"), args, check))
    }

    /// A raw image with its lead-in mutated, as the input of `cdtext`.
    fn raw(&mut self) -> io::Result<Command> {
        self.copy(&["mixed.raw"])?;
        let path = self.dir.join("mixed.raw");
        let len = std::fs::metadata(&path)?.len();
        let mut f = std::fs::File::options()
            .read(true)
            .write(true)
            .open(&path)?;
        if self.rng.chance(1, 4) {
            let cut = *self.rng.pick(&[0, 2447, 2448 * 100, len / 2, len - 1]);
            f.set_len(cut)?;
            self.mutations.push(format!("mixed.raw: length {cut}"));
        } else {
            use std::io::{Seek, SeekFrom, Write};
            // Lead-in frames carry the CD-TEXT in R-W: bytes 2352..2448.
            for _ in 0..self.rng.range(1, 8) {
                let frame = self.rng.range(0, 22_649) as u64;
                let at = frame * 2448 + 2352 + self.rng.below(96) as u64;
                let v = self.rng.bytes(1);
                f.seek(SeekFrom::Start(at))?;
                f.write_all(&v)?;
                self.mutations
                    .push(format!("mixed.raw: byte {at} = {:#04x}", v[0]));
            }
        }
        let mut args = vec!["cdtext".to_string(), "mixed.raw".to_string()];
        args.extend(self.cdtext_outputs());
        Ok(("cdtext".to_string(), args, Check::Outputs))
    }

    /// `vdisc create` with odd arguments and targets.
    fn args(&mut self) -> io::Result<Command> {
        self.copy(&["blank-r80.vdisc"])?;
        std::fs::create_dir_all(self.dir.join("adir"))?;
        // A device node of the case's own (never the system's: a
        // faulty rawburn running as root would replace it).
        let device = std::process::Command::new("mknod")
            .arg(self.dir.join("chardev"))
            .args(["c", "1", "7"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let mut targets = vec![
            "new.vdisc",
            "blank-r80.vdisc",
            "adir",
            FIFO,
            "nodir/new.vdisc",
            "",
            "new",
        ];
        if device {
            targets.push("chardev");
        }
        let target = *self.rng.pick(&targets);
        let mut a = vec![
            "vdisc".to_string(),
            "create".to_string(),
            target.to_string(),
        ];
        if self.rng.chance(2, 3) {
            a.push("--minutes".to_string());
            let m = if self.rng.chance(1, 2) {
                *self.rng.pick(&["74", "80", "90", "99"])
            } else {
                *self.rng.pick(mutate::EDGE_NUMBERS)
            };
            a.push(m.to_string());
        }
        if self.rng.chance(1, 2) {
            a.push("--media".to_string());
            a.push(self.rng.pick(&["cd-r", "cd-rw", "dvd-r", ""]).to_string());
        }
        if self.rng.chance(1, 2) {
            a.push("--force".to_string());
        }
        self.mutations.push(format!("args: {a:?}"));
        Ok(("vdisc create".to_string(), a, Check::Plain))
    }
}

/// Mutates a `.vdisc` in place: its JSON header (as text, its length
/// field, magic and version) or its frames.
fn vdisc_mutation(rng: &mut Rng, path: &Path) -> io::Result<Vec<String>> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::File::options().read(true).write(true).open(path)?;
    let mut head = vec![0; 16];
    f.read_exact(&mut head)?;
    let n = u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as usize;
    let mut json = vec![0; n.min(1 << 20)];
    f.read_exact(&mut json)?;
    let mut did = Vec::new();
    match rng.below(10) {
        0..=4 => {
            did.extend(mutate::text(rng, &mut json, seeds::FAULT_WORDS, &[]));
            let keep_len = rng.chance(1, 6);
            let len = if keep_len { n } else { json.len() };
            if 16 + json.len() > 1 << 20 {
                json.truncate((1 << 20) - 16);
            }
            f.seek(SeekFrom::Start(12))?;
            f.write_all(&(len as u32).to_le_bytes())?;
            f.write_all(&json)?;
            if json.len() < n {
                f.write_all(&vec![0; n - json.len()])?;
            }
            did.push(format!("header length field {len}"));
        }
        5 => {
            did.push(mutate::int_field(rng, &mut head));
            f.seek(SeekFrom::Start(0))?;
            f.write_all(&head)?;
        }
        6 => {
            let v = *rng.pick(&[
                0u32,
                0x10_0000,
                0x0f_fff0,
                0x0f_fff1,
                0xffff_ffff,
                n as u32 + 1,
            ]);
            f.seek(SeekFrom::Start(12))?;
            f.write_all(&v.to_le_bytes())?;
            did.push(format!("header length = {v:#x}"));
        }
        7 => {
            let len = f.metadata()?.len();
            let cut = *rng.pick(&[0, 15, 16 + n as u64 - 1, 1 << 20, len / 2, len - 1]);
            f.set_len(cut.min(len))?;
            did.push(format!("length {cut}"));
        }
        _ => {
            // Frames of the program area and lead-in: main channel or
            // sub-channel bytes.
            for _ in 0..rng.range(1, 16) {
                let lba = rng.range(-11_700, 2_000);
                let at = (1 << 20) + 2448 * (lba + 45_150) as u64 + rng.below(2448) as u64;
                let v = rng.bytes(1);
                f.seek(SeekFrom::Start(at))?;
                f.write_all(&v)?;
                did.push(format!("frame byte {at} = {:#04x}", v[0]));
            }
        }
    }
    Ok(did)
}

/// A fault plan of one to three faults: every kind, command triggers by
/// name, opcode or none, nth, and LBA triggers across lead-in, pregap,
/// program area and lead-out.
pub fn fault_plan(rng: &mut Rng) -> String {
    // Every name the virtual recorder counts, and names and opcodes it
    // must take in other spellings (or refuse).
    const OTHER_SPELLINGS: &[&str] = &[
        "SYNCHRONIZE CACHE",
        "0x2a",
        "0xbe",
        "0x35",
        "0x5b",
        "write(10)",
    ];
    let commands: Vec<&str> = vdrive::faults::COMMAND_NAMES
        .iter()
        .chain(OTHER_SPELLINGS)
        .copied()
        .collect();
    let n = rng.range(1, 3);
    let mut faults = Vec::new();
    for _ in 0..n {
        let at_lba = rng.chance(1, 3);
        let fault = if at_lba {
            format!(
                "\"{}\"",
                rng.pick(&["mediumError", "powerCalibration", "underrun"])
            )
        } else {
            match rng.below(10) {
                0 => "\"stallData\"".to_string(),
                1 => "\"stallCsw\"".to_string(),
                2 => "\"phaseError\"".to_string(),
                3 => format!(
                    "{{ \"cswSignature\": {} }}",
                    rng.pick(&[0u64, 0x5342_5355, 0x4342_5355, 305_419_896, 4_294_967_295])
                ),
                4 => "\"cswTag\"".to_string(),
                5 => format!(
                    "{{ \"shortData\": {} }}",
                    rng.pick(&[1u64, 8, 512, 2352, 65_536, 4_294_967_295])
                ),
                6 => format!(
                    "{{ \"longData\": {} }}",
                    rng.pick(&[1u64, 8, 512, 2352, 65_536, 4_294_967_295])
                ),
                7 => "\"noAnswer\"".to_string(),
                8 => "\"disconnect\"".to_string(),
                _ => {
                    let s = *rng.pick(&[
                        [6u8, 0x28, 0],
                        [6, 0x29, 0],
                        [2, 4, 1],
                        [2, 4, 8],
                        [3, 0x0c, 0],
                        [3, 0x11, 0],
                        [4, 0x08, 0],
                        [5, 0x24, 0],
                        [5, 0x21, 2],
                        [2, 0x3a, 0],
                        [0, 0, 0],
                        [0xff, 0xff, 0xff],
                    ]);
                    format!("{{ \"unitAttention\": [{}, {}, {}] }}", s[0], s[1], s[2])
                }
            }
        };
        let trigger = if at_lba {
            let lba = if rng.chance(1, 2) {
                *rng.pick(&[
                    -11_635i64, -11_634, -150, -1, 0, 1, 299, 300, 449, 450, 600, 899, 1_000,
                    1_274, 1_649, 1_650, 9_000, 400_000,
                ])
            } else {
                rng.range(-11_635, 1_700)
            };
            format!("\"lba\": {lba}")
        } else {
            let mut t = Vec::new();
            // Half the command faults hit the commands that carry a burn
            // (writes, flushes, closes, the cue sheet, verify reads), at
            // any point of the few hundred WRITEs a short disc takes.
            if rng.chance(1, 2) {
                let c = rng.pick(&[
                    "WRITE(10)",
                    "READ CD",
                    "SYNCHRONIZE CACHE(10)",
                    "CLOSE TRACK/SESSION",
                    "SEND CUE SHEET",
                    "READ BUFFER CAPACITY",
                ]);
                t.push(format!("\"command\": \"{c}\""));
            } else if rng.chance(3, 5) {
                t.push(format!("\"command\": \"{}\"", rng.pick(&commands)));
            }
            if rng.chance(2, 3) {
                t.push(format!(
                    "\"nth\": {}",
                    rng.pick(&[1u64, 2, 3, 5, 10, 40, 100, 200, 400, 500, 1000])
                ));
            }
            t.join(", ")
        };
        let sep = if trigger.is_empty() { "" } else { ", " };
        faults.push(format!("{{ {trigger}{sep}\"fault\": {fault} }}"));
    }
    format!("{{ \"faults\": [ {} ] }}\n", faults.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_plans_are_json_and_follow_the_seed() {
        for i in 0..200 {
            let plan = fault_plan(&mut Rng::for_case(9, i));
            let v: serde_json::Value = serde_json::from_str(&plan).unwrap_or_default();
            let faults = v["faults"].as_array().map_or(0, Vec::len);
            assert!((1..=3).contains(&faults), "{plan}");
            assert_eq!(plan, fault_plan(&mut Rng::for_case(9, i)));
        }
    }
}
