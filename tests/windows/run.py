"""rawburn.exe under Wine against the Linux rawburn: the same inputs must
give the same bytes, the same exit codes and the same messages; and the
things a Windows user does (drive letters, backslashes, CRLF sheets,
non-ASCII names, sheets in the Windows code page) must work.

    RAWBURN_EXE=target/x86_64-pc-windows-gnu/debug/rawburn.exe \
    RAWBURN=target/debug/rawburn /usr/bin/python3 tests/windows/run.py

bcryptprimitives.dll (built from processprng.c) must lie beside
rawburn.exe: Wine 8 lacks the ProcessPrng that Rust's standard library
calls. WINE names the loader (default /usr/lib/wine/wine64, else wine on
PATH); WINEPREFIX defaults to target/wine (created on first use). One
wineserver stays up for the whole run.
"""

import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(os.environ.get("RAWBURN_EXE", "")).resolve()
LINUX = Path(os.environ.get("RAWBURN", "")).resolve()
WINE = os.environ.get("WINE") or (
    "/usr/lib/wine/wine64" if os.access("/usr/lib/wine/wine64", os.X_OK) else "wine"
)
PREFIX = Path(
    os.environ.get("WINEPREFIX")
    or Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "wine"
).resolve()
WINE_ENV = dict(
    os.environ,
    WINEPREFIX=str(PREFIX),
    WINEARCH="win64",
    WINEDEBUG="-all",
    # No Mono or Gecko installer prompts; our ProcessPrng before Wine's own.
    WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n,b",
    LANG="C.UTF-8",
    LC_ALL="C.UTF-8",
)
# A name a Windows user would give a file: Latin-1 letters and an en dash,
# which Latin-1 lacks and Windows-1252 has (0x96).
UNICODE_NAME = "Café – Ünïcödé"
TIMEOUT = 120


class Run:
    """One command's outcome: exit code, stdout and stderr as text."""

    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __repr__(self):
        return f"exit {self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def linux(*args, cwd):
    p = subprocess.run(
        [str(LINUX), *args], cwd=cwd, capture_output=True, timeout=TIMEOUT
    )
    return Run(p.returncode, p.stdout.decode(), p.stderr.decode())


def windows(*args, cwd):
    p = subprocess.run(
        [WINE, str(EXE), *args],
        cwd=cwd,
        env=WINE_ENV,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return Run(p.returncode, p.stdout.decode(), p.stderr.decode())


def winpath(path):
    """`path` as Windows names it under Wine: Z: is the Unix root."""
    return "Z:" + str(path).replace("/", "\\")


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def same_text(text):
    """`text` with what legitimately differs masked: elapsed times, and
    Windows' path separator."""
    text = re.sub(r"\b\d+(\.\d+)? s\b", "T s", text)
    return text.replace("\\", "/")


def wav(path, sectors, seed):
    """A 16-bit stereo 44.1 kHz WAV of reproducible noise, `sectors` CD
    sectors long."""
    data = random.Random(seed).randbytes(sectors * 2352)
    fmt = struct.pack("<HHIIHH", 1, 2, 44100, 44100 * 4, 4, 16)
    Path(path).write_bytes(
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


# A mixed-mode disc with CD-TEXT, an ISRC, a catalog number and an index 0.
CUE = """CATALOG 0123456789012
TITLE "Test Disc"
PERFORMER "The Testers"
FILE "data.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "{a}" WAVE
  TRACK 02 AUDIO
    TITLE "{title}"
    PERFORMER "Singer A"
    ISRC USABC2600001
    PREGAP 00:02:00
    INDEX 01 00:00:00
FILE "b.wav" WAVE
  TRACK 03 AUDIO
    TITLE "Song B"
    INDEX 00 00:00:00
    INDEX 01 00:01:00
"""


def cue(a="a.wav", title="Song A", plain=False):
    """The disc's sheet; `plain`: one every write mode can burn (no
    CD-TEXT, no pregap audio from a file)."""
    text = CUE.format(a=a, title=title)
    if plain:
        text = "\n".join(
            line for line in text.split("\n") if not re.match(r"\s*(TITLE|PERFORMER)", line)
        )
        text = text.replace("INDEX 00 00:00:00\n    INDEX 01 00:01:00", "PREGAP 00:01:00\n    INDEX 01 00:00:00")
    return text


def setUpModule():
    for what, path in (("RAWBURN_EXE", EXE), ("RAWBURN", LINUX)):
        if not path.is_file():
            raise SystemExit(f"tests/windows: set {what} to the binary (not found: {path})")
    if not (EXE.parent / "bcryptprimitives.dll").is_file():
        raise SystemExit(
            f"tests/windows: build bcryptprimitives.dll beside {EXE} from tests/windows/processprng.c"
        )
    PREFIX.mkdir(parents=True, exist_ok=True)
    # Persistent: one server for every command; -k at the end stops it.
    subprocess.run(["wineserver", "-p"], env=WINE_ENV)
    # Wine's own background processes (services, devices) start with the
    # first program and inherit its output: start them here with none, or
    # they would hold a captured pipe open and every run would wait on it.
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not (PREFIX / "system.reg").is_file():
        subprocess.run(["wineboot", "-i"], env=WINE_ENV, timeout=300, check=True, **quiet)
    subprocess.run([WINE, str(EXE), "--version"], env=WINE_ENV, timeout=300, check=True, **quiet)
    global WORK
    WORK = Path(tempfile.mkdtemp(prefix="rawburn-windows-"))
    make_inputs(WORK / "in")
    for side in ("linux", "win"):
        (WORK / side).mkdir()
        (WORK / side / "in").symlink_to(WORK / "in")


def tearDownModule():
    subprocess.run(["wineserver", "-k"], env=WINE_ENV)
    if os.environ.get("RAWBURN_KEEP"):
        print(f"kept {WORK}", file=sys.stderr)
    else:
        shutil.rmtree(WORK, ignore_errors=True)


def make_inputs(d):
    d.mkdir()
    (d / "data.iso").write_bytes(random.Random(3).randbytes(2048 * 300))
    wav(d / "a.wav", 300, 1)
    wav(d / "b.wav", 375, 2)
    (d / "sub" / "dir").mkdir(parents=True)
    shutil.copy(d / "a.wav", d / "sub" / "dir" / "a.wav")
    shutil.copy(d / "a.wav", d / f"{UNICODE_NAME}.wav")
    (d / "disc.cue").write_text(cue())
    (d / "plain.cue").write_text(cue(plain=True))
    (d / "crlf.cue").write_bytes(cue().replace("\n", "\r\n").encode())
    (d / "subdir.cue").write_text(cue(a="sub\\dir\\a.wav"))
    # The same disc, its second track's file and title not ASCII: in UTF-8,
    # and in Windows-1252 as Windows rippers write it.
    (d / "utf8.cue").write_text(cue(a=f"{UNICODE_NAME}.wav", title="Café"), encoding="utf-8")
    (d / "cp1252.cue").write_bytes(cue(a=f"{UNICODE_NAME}.wav", title="Café").encode("cp1252"))
    (d / "reference.cue").write_text(cue(title="Café"), encoding="utf-8")
    # A track shorter than 4 seconds: laid out with a warning, refused
    # under --strict (exit 4).
    wav(d / "short.wav", 150, 4)
    (d / "short.cue").write_text('FILE "short.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n')
    (d / "medium.json").write_text(json.dumps({"faults": [{"lba": 500, "fault": "mediumError"}]}))
    (d / "disconnect.json").write_text(
        json.dumps({"faults": [{"command": "WRITE(10)", "nth": 5, "fault": "disconnect"}]})
    )


IMAGE_FILES = {
    "disc.cue": ["disc.cue", "disc.bin", "disc.cdt"],
    "disc.ccd": ["disc.ccd", "disc.img", "disc.sub"],
    "disc.toc": ["disc.toc", "disc.bin"],
    "disc.raw": ["disc.raw"],
    "disc.json": ["disc.json"],
}


class Case(unittest.TestCase):
    maxDiff = None

    def dirs(self, name):
        """A fresh pair of directories, Linux's and Windows', for one case;
        each sees the inputs as `in`."""
        pair = []
        for side in ("linux", "win"):
            d = WORK / side / name
            d.mkdir()
            (d / "in").symlink_to(WORK / "in")
            pair.append(d)
        return pair

    def both(self, name, *args, compare_out=True, any_order=False):
        """Runs `args` on both sides in `name`'s directories; the exit codes
        and the texts must match (`any_order`: their lines, as drives
        burning at once finish in any order)."""
        lx, wd = WORK / "linux" / name, WORK / "win" / name
        a = linux(*args, cwd=lx)
        b = windows(*args, cwd=wd)
        self.assertEqual(a.rc, b.rc, f"{args}\nlinux: {a!r}\nwindows: {b!r}")
        text = same_text
        if any_order:
            text = lambda t: sorted(same_text(t).splitlines())
        self.assertEqual(text(a.err), text(b.err), args)
        if compare_out:
            self.assertEqual(same_text(a.out), same_text(b.out), args)
        return a, b

    def assertSameFiles(self, a_dir, b_dir, names):
        for n in names:
            self.assertTrue((b_dir / n).is_file(), f"{b_dir / n} missing")
            self.assertEqual(sha(a_dir / n), sha(b_dir / n), n)


class Images(Case):
    def test_build_every_format(self):
        lx, wd = self.dirs("build")
        for out, files in IMAGE_FILES.items():
            for threads in (["--threads", "1"], []):
                for f in files:
                    for d in (lx, wd):
                        (d / f).unlink(missing_ok=True)
                a, _ = self.both("build", "build", "in/disc.cue", "-o", out, *threads)
                self.assertEqual(a.rc, 0, a)
                self.assertSameFiles(lx, wd, files)
        for sub in ("none", "pq", "cooked"):
            self.both("build", "build", "in/disc.cue", "-o", f"{sub}.raw", "--subchannel", sub)
            self.assertSameFiles(lx, wd, [f"{sub}.raw"])
        # The image rawburn wrote is input too.
        self.both("build", "build", "disc.ccd", "-o", "again.cue", "-q")
        self.assertSameFiles(lx, wd, ["again.bin"])
        self.assertEqual(sha(lx / "again.bin"), sha(lx / "disc.bin"))

    def test_toc_and_json(self):
        self.dirs("toc")
        for args in (["toc", "in/disc.cue"], ["toc", "in/disc.cue", "--json"]):
            a, _ = self.both("toc", *args)
            self.assertEqual(a.rc, 0, a)
            self.assertIn("USABC2600001", a.out)
        a, _ = self.both("toc", "toc", "in/disc.cue", "--next-session")
        self.assertEqual(a.rc, 0, a)

    def test_cdtext(self):
        lx, wd = self.dirs("cdtext")
        a, _ = self.both("cdtext", "cdtext", "in/disc.cue", "--cdt", "t.cdt", "--sheet", "t.txt")
        self.assertEqual(a.rc, 0, a)
        self.assertIn("Singer A", a.out)
        self.assertSameFiles(lx, wd, ["t.cdt", "t.txt"])
        a, _ = self.both("cdtext", "cdtext", "t.cdt")
        self.assertEqual(a.rc, 0, a)

    def test_exit_codes_for_bad_input(self):
        self.dirs("bad")
        cases = [
            (2, ["build", "in/disc.cue"]),
            (2, ["burn", "in/disc.cue", "--mode", "fast", "--virtual", "x.vdisc"]),
            (3, ["build", "in/missing.cue", "-o", "x.cue"]),
            (3, ["toc", "in/medium.json"]),
            (4, ["--strict", "build", "in/short.cue", "-o", "x.cue"]),
        ]
        for rc, args in cases:
            a = linux(*args, cwd=WORK / "linux" / "bad")
            b = windows(*args, cwd=WORK / "win" / "bad")
            self.assertEqual((a.rc, b.rc), (rc, rc), f"{args}\n{a!r}\n{b!r}")
            # The first line is rawburn's own; what follows may quote the
            # operating system's wording.
            first = lambda r: same_text(r.err).splitlines()[0].replace("rawburn.exe", "rawburn")
            self.assertEqual(first(a), first(b), args)
            self.assertFalse((WORK / "win" / "bad" / "x.cue").exists())


class Burns(Case):
    def test_every_mode_with_verify_then_read_back(self):
        lx, wd = self.dirs("burn")
        (lx / "ref").mkdir()
        self.assertEqual(linux("build", "in/disc.cue", "-o", "ref/disc.cue", "-q", cwd=lx).rc, 0)
        self.assertEqual(linux("build", "in/plain.cue", "-o", "ref/plain.cue", "-q", cwd=lx).rc, 0)
        for mode in ("raw96r", "raw96p", "raw16", "sao", "tao"):
            # CD-TEXT only where the mode carries it.
            sheet = "disc" if mode in ("raw96r", "sao") else "plain"
            disc = f"{mode}.vdisc"
            a, _ = self.both("burn", "vdisc", "create", disc, "--minutes", "74")
            self.assertEqual(a.rc, 0, a)
            self.assertSameFiles(lx, wd, [disc])
            a, b = self.both("burn", "burn", f"in/{sheet}.cue", "--virtual", disc, "--mode", mode, "--verify")
            self.assertEqual(a.rc, 0, a)
            self.assertIn("burned and verified", b.err)
            self.assertSameFiles(lx, wd, [disc])
            out = f"{mode}/{sheet}.cue"
            for d in (lx, wd):
                (d / mode).mkdir()
            a, _ = self.both("burn", "read", "--virtual", disc, "-o", out)
            self.assertEqual(a.rc, 0, a)
            self.assertSameFiles(lx, wd, [out, f"{mode}/{sheet}.bin"])
            if mode != "tao":
                # A disc burned from an image reads back into that image.
                self.assertEqual(sha(wd / out), sha(lx / "ref" / f"{sheet}.cue"), mode)
                self.assertEqual(sha(wd / f"{mode}/{sheet}.bin"), sha(lx / "ref" / f"{sheet}.bin"), mode)
        # CD-TEXT in a mode that cannot carry it: refused alike.
        self.both("burn", "vdisc", "create", "text.vdisc")
        a, _ = self.both("burn", "burn", "in/disc.cue", "--virtual", "text.vdisc", "--mode", "tao")
        self.assertEqual(a.rc, 6, a)

    def test_fault_plans(self):
        lx, wd = self.dirs("faults")
        for plan, mode, lba in (("medium", "raw96r", "480"), ("disconnect", "sao", "-8908")):
            disc = f"{plan}.vdisc"
            self.both("faults", "vdisc", "create", disc, "--minutes", "74")
            a, b = self.both(
                "faults", "burn", "in/disc.cue", "--virtual", disc, "--mode", mode,
                "--faults", f"in/{plan}.json",
            )
            self.assertEqual(a.rc, 7, a)
            self.assertIn(f"the drive confirmed up to lba {lba}", b.err)
            self.assertSameFiles(lx, wd, [disc])

    def test_duplicator(self):
        lx, wd = self.dirs("dup")
        for d in ("a", "b", "c", "e"):
            self.both("dup", "vdisc", "create", f"{d}.vdisc", "--minutes", "74")
        a, b = self.both("dup", "burn", "in/disc.cue", "--virtual", "a.vdisc", "--virtual", "b.vdisc", "--verify", any_order=True)
        self.assertEqual(a.rc, 0, a)
        self.assertSameFiles(lx, wd, ["a.vdisc", "b.vdisc"])
        self.assertEqual(sha(wd / "a.vdisc"), sha(wd / "b.vdisc"))
        # One drive of two failing: 64 + 2. The plan is named by a Windows
        # absolute path holding a drive letter's colon.
        plan_lx = f"e.vdisc={WORK / 'in' / 'medium.json'}"
        plan_win = f"e.vdisc={winpath(WORK / 'in' / 'medium.json')}"
        args = ["burn", "in/disc.cue", "--virtual", "c.vdisc", "--virtual", "e.vdisc", "--verify", "--mode", "raw96r", "--faults"]
        a = linux(*args, plan_lx, cwd=lx)
        b = windows(*args, plan_win, cwd=wd)
        self.assertEqual((a.rc, b.rc), (66, 66), f"{a!r}\n{b!r}")
        self.assertEqual(sorted(same_text(a.err).splitlines()), sorted(same_text(b.err).splitlines()))
        self.assertIn("the drive confirmed up to lba 480", b.err)
        self.assertSameFiles(lx, wd, ["c.vdisc", "e.vdisc"])
        self.assertEqual(sha(wd / "c.vdisc"), sha(wd / "a.vdisc"))


class WindowsPaths(Case):
    """What a Windows user types, against what Linux builds from the usual
    spelling."""

    @classmethod
    def setUpClass(cls):
        cls.ref = WORK / "linux" / "ref"
        cls.ref.mkdir()
        for sheet in ("disc", "reference"):
            r = linux("build", f"in/{sheet}.cue", "-o", f"ref/{sheet}.ccd", "-q", cwd=WORK / "linux")
            assert r.rc == 0, r
        cls.win = WORK / "win" / "paths"
        cls.win.mkdir()

    def same_as(self, out_dir, stem, ref="disc"):
        for ext in ("ccd", "img", "sub"):
            self.assertEqual(sha(out_dir / f"{stem}.{ext}"), sha(self.ref / f"{ref}.{ext}"), f"{stem}.{ext}")

    def test_drive_letter_paths(self):
        out = self.win / "abs"
        out.mkdir()
        r = windows("build", winpath(WORK / "in" / "disc.cue"), "-o", winpath(out / "disc.ccd"), cwd="/")
        self.assertEqual(r.rc, 0, r)
        self.same_as(out, "disc")
        self.assertIn(f"wrote {winpath(out / 'disc.ccd')}", r.err)

    def test_backslashes_relative(self):
        (self.win / "rel" / "deep").mkdir(parents=True)
        r = windows("build", "in\\disc.cue", "-o", "paths\\rel\\deep\\disc.ccd", "-q", cwd=WORK / "win")
        self.assertEqual(r.rc, 0, r)
        self.same_as(self.win / "rel" / "deep", "disc")
        # A sheet naming sub\dir\a.wav: found as written on Windows (no
        # warning), loosely with a warning on Linux; the same bytes.
        r = windows("build", "in\\subdir.cue", "-o", "paths\\subdir.ccd", cwd=WORK / "win")
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("warning", r.err)
        self.same_as(self.win, "subdir")
        a = linux("build", "in/subdir.cue", "-o", "ref/subdir.ccd", "-q", cwd=WORK / "linux")
        self.assertEqual(a.rc, 0, a)
        # Files on the command line, with backslashes.
        a = linux("build", "in/data.iso", "in/sub/dir/a.wav", "in/b.wav", "-o", "ref/files.cue", "-q", cwd=WORK / "linux")
        self.assertEqual(a.rc, 0, a)
        r = windows("build", "in\\data.iso", "in\\sub\\dir\\a.wav", "in\\b.wav", "-o", "paths\\files.cue", "-q", cwd=WORK / "win")
        self.assertEqual(r.rc, 0, r)
        self.assertSameFiles(self.ref, self.win, ["files.bin", "files.cue"])

    def test_crlf_sheet(self):
        r = windows("build", "in\\crlf.cue", "-o", "paths\\crlf.ccd", "-q", cwd=WORK / "win")
        self.assertEqual(r.rc, 0, r)
        self.same_as(self.win, "crlf")
        a = linux("build", "in/crlf.cue", "-o", "ref/crlf.ccd", "-q", cwd=WORK / "linux")
        self.assertEqual(a.rc, 0, a)
        self.same_as(self.ref, "crlf")

    def test_non_ascii_names_utf8_and_windows_1252(self):
        for sheet in ("utf8", "cp1252"):
            for run, cwd in ((windows, WORK / "win"), (linux, WORK / "linux")):
                out = "paths" if run is windows else "ref"
                r = run("build", f"in/{sheet}.cue", "-o", f"{out}/{sheet}.ccd", cwd=cwd)
                self.assertEqual(r.rc, 0, f"{sheet} {run.__name__}: {r!r}")
                self.same_as(cwd / out, sheet, ref="reference")
                if sheet == "cp1252":
                    self.assertIn("is not UTF-8; read as Windows-1252", r.err)
                else:
                    self.assertNotIn("warning", r.err)
        # A non-ASCII output name; the sheet names its BIN so.
        r = windows("build", "in/utf8.cue", "-o", f"paths/{UNICODE_NAME}.cue", "-q", cwd=WORK / "win")
        self.assertEqual(r.rc, 0, r)
        sheet = (self.win / f"{UNICODE_NAME}.cue").read_text(encoding="utf-8")
        self.assertIn(f'FILE "{UNICODE_NAME}.bin" BINARY', sheet)


if __name__ == "__main__":
    unittest.main(verbosity=2)
