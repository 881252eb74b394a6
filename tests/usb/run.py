#!/usr/bin/python3
"""rawburn through emulated hardware: the real libusb code path (and the
SG_IO one) against the virtual recorder, under umockdev.

    RAWBURN=target/debug/rawburn VUSB=target/debug/vusb /usr/bin/python3 tests/usb/run.py [-v]

Builds nothing: RAWBURN and VUSB name the binaries. Every case runs
rawburn under handler.py, which emulates a USB burner (or a SCSI CD-ROM)
whose requests go to a virtual recorder over a .vdisc, so what rawburn
burns through libusb reads back through `--virtual`, and the other way
round. Needs /usr/bin/python3 with gi (UMockdev), and sg3-utils.
"""

import hashlib
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
HANDLER = os.path.join(HERE, "handler.py")
# The system Python, with umockdev's GObject bindings (scripts/setup.sh).
PYTHON = os.environ.get("RAWBURN_SYSTEM_PYTHON", "/usr/bin/python3")
RAWBURN = os.path.abspath(os.environ.get("RAWBURN", ""))
VUSB = os.path.abspath(os.environ.get("VUSB", ""))

# What the virtual recorder answers to INQUIRY, and the emulated burner's
# USB identity (handler.py).
LABEL = "RAWBURN Virtual CD-RW 1.0"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

# usbfs events of a command that opens the burner: is a driver bound
# (GETDRIVER), detach it (GETDRIVER, DISCONNECT), claim; at the end
# release, and give it back to usb-storage (CONNECT).
OPEN = ["getdriver 0: usb-storage", "getdriver 0: usb-storage", "disconnect 0", "claim 0"]
CLOSE = ["release 0", "connect 0"]

CUE = """CATALOG 0123456789012
PERFORMER "Test Artist"
TITLE "USB Test"
FILE "data.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "tone.wav" WAVE
  TRACK 02 AUDIO
    TITLE "Tone"
    PERFORMER "Test Artist"
    ISRC USRAW2600001
    PREGAP 00:02:00
    INDEX 01 00:00:00
  TRACK 03 AUDIO
    TITLE "Tone two"
    PERFORMER "Test Artist"
    ISRC USRAW2600002
    INDEX 00 00:04:00
    INDEX 01 00:05:00
"""

# TAO: no CD-TEXT, and pregaps the drive writes (no audio in index 0).
TAO_CUE = """CATALOG 0123456789012
FILE "data.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "tone.wav" WAVE
  TRACK 02 AUDIO
    ISRC USRAW2600001
    PREGAP 00:02:00
    INDEX 01 00:00:00
  TRACK 03 AUDIO
    ISRC USRAW2600002
    PREGAP 00:02:00
    INDEX 01 00:04:00
"""

WORK = None


def setUpModule():
    global WORK
    for name, binary in (("RAWBURN", RAWBURN), ("VUSB", VUSB)):
        if not os.access(binary, os.X_OK) or os.path.isdir(binary):
            raise RuntimeError("%s=%s is not an executable: build it and name it" % (name, binary))
    WORK = tempfile.mkdtemp(prefix="rawburn-usb.")
    os.chmod(WORK, 0o755)
    with open(os.path.join(WORK, "data.iso"), "wb") as f:
        for i in range(300):
            f.write(bytes((i * 7 + j) & 0xFF for j in range(256)) * 8)
    with wave.open(os.path.join(WORK, "tone.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(b"".join(
            struct.pack("<hh", int(8000 * math.sin(i * 2 * math.pi * 440 / 44100)),
                        int(8000 * math.sin(i * 2 * math.pi * 660 / 44100)))
            for i in range(44100 * 9)))
    for name, text in (("disc.cue", CUE), ("tao.cue", TAO_CUE)):
        with open(os.path.join(WORK, name), "w") as f:
            f.write(text)
    done = rawburn("build", "-q", path("disc.cue"), "-o", path("built.cue"))
    if done.returncode != 0:
        raise RuntimeError("rawburn build failed: " + done.stderr)


def tearDownModule():
    if WORK:
        shutil.rmtree(WORK, ignore_errors=True)


def path(name):
    return os.path.join(WORK, name)


def rawburn(*args):
    return subprocess.run([RAWBURN, *args], capture_output=True, text=True, timeout=300)


def under(command, disc, *options, timeout=120, mounted=None):
    """Runs `command` under the handler; returns it and the usbfs events.
    With `mounted` (a directory), in a mount namespace of its own where a
    file system from /dev/sr0 is mounted there, as a desktop mounts a
    disc."""
    log = tempfile.NamedTemporaryFile(dir=WORK, suffix=".log", delete=False)
    log.close()
    os.chmod(log.name, 0o666)
    argv = [PYTHON, HANDLER, "--vusb", VUSB, "--disc", disc, "--log", log.name,
            "--timeout", str(timeout), *options, "--", *command]
    if mounted is not None:
        os.makedirs(mounted, exist_ok=True)
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount -t tmpfs /dev/sr0 "$1" && shift && exec "$@"', "sh", mounted, *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 60)
    with open(log.name) as f:
        events = f.read().splitlines()
    os.unlink(log.name)
    return done, events


def fresh(name, media="cd-rw"):
    disc = path(name)
    done = rawburn("vdisc", "create", "--force", "--media", media, disc)
    assert done.returncode == 0, done.stderr
    return disc


def sha256(file):
    with open(file, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def image(cue):
    """An image's bin digest, its CD-TEXT and its cue sheet (file names
    taken out)."""
    base = cue[:-4]
    with open(cue) as f:
        sheet = f.read().replace(os.path.basename(base), "IMAGE")
    cdt = None
    if os.path.exists(base + ".cdt"):
        with open(base + ".cdt", "rb") as f:
            cdt = f.read()
    return sha256(base + ".bin"), cdt, sheet


def without_short_reads(events):
    """The usbfs events without the halts cleared on bulk IN after a
    reply shorter than asked that ends on a packet boundary (the device
    stalls then, and the host clears the halt and reads the CSW). How
    many come depends on how often the host polls the drive while it
    records, which follows the real clock."""
    return [e for e in events if e != "clear_halt 0x81"]


def media_text(out):
    """`rawburn media` without its first line (which names the drive)."""
    lines = out.splitlines()
    return lines[0].split(" — ")[0], lines[1:]


class Drives(unittest.TestCase):
    """`rawburn drives` sees what libusb and sysfs show."""

    def test_a_bound_burner_is_listed_from_sysfs_without_taking_it(self):
        disc = fresh("drives.vdisc")
        done, events = under([RAWBURN, "drives"], disc)
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        self.assertEqual(done.stdout, (
            "1-1  RAWBURN Virtual CD-RW 1.0\n"
            "     USB 1209:0001 \"RAWBURN\" \"Virtual USB Burner\", subclass 06h\n"
            "     ready (usb-storage has it now; rawburn takes it over while burning and gives "
            "it back after)\n"))
        # Opened, but the driver left alone.
        self.assertEqual(events, [])

    def test_an_unbound_burner_answers_inquiry_through_libusb(self):
        disc = fresh("drives.vdisc")
        done, events = under([RAWBURN, "drives", "--json"], disc, "--unbound")
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        self.assertEqual(json.loads(done.stdout), [{
            "transport": "usb", "sameDriveAs": None,
            "id": "1-1", "vendorId": 0x1209, "productId": 0x0001,
            "usbVendor": "RAWBURN", "usbProduct": "Virtual USB Burner",
            "vendor": "RAWBURN", "product": "Virtual CD-RW", "revision": "1.0",
            "subclass": 6, "usable": True, "problem": None, "fix": None}])
        self.assertEqual(events, ["getdriver 0: ENODATA", "claim 0", "release 0"])

    def test_a_driver_held_device_sysfs_cannot_name_is_taken_only_when_named(self):
        disc = fresh("drives.vdisc")
        done, events = under([RAWBURN, "drives", "--json"], disc, "--unidentified")
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        entry = json.loads(done.stdout)[0]
        self.assertEqual((entry["usable"], entry["problem"], entry["fix"]), (
            False,
            "usb-storage holds it and /sys does not say whether it is a CD/DVD drive; rawburn "
            "takes only known CD/DVD drives from their driver unasked",
            "if it is a CD/DVD drive, name it by its id (1-1) to use it anyway"))
        self.assertEqual(events, ["getdriver 0: usb-storage"])
        done, events = under([RAWBURN, "media"], disc, "--unidentified")
        self.assertEqual(done.returncode, 6)
        self.assertEqual(done.stderr.splitlines()[0], "error: no usable USB burner found")
        # Asked twice: once looking for a drive among all transports, once
        # by the USB path that says why none can be used.
        self.assertEqual(events, ["getdriver 0: usb-storage"] * 2)
        done, events = under([RAWBURN, "media", "--drive", "1-1"], disc, "--unidentified")
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        self.assertEqual(media_text(done.stdout)[0], "drive:        " + LABEL)
        self.assertEqual(events, OPEN + CLOSE)

    def test_a_usb_disk_is_not_a_cd_drive(self):
        disc = fresh("drives.vdisc")
        disk = fresh("disk.vdisc")
        done, events = under([RAWBURN, "drives", "--json"], disc, "--disk", disk)
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        listed = json.loads(done.stdout)
        self.assertEqual([d["id"] for d in listed], ["1-1", "1-2"])
        self.assertEqual(listed[1], {
            "transport": "usb", "sameDriveAs": None,
            "id": "1-2", "vendorId": 0x1209, "productId": 0x0002,
            "usbVendor": "RAWBURN", "usbProduct": "Virtual USB Disk",
            "vendor": None, "product": None, "revision": None,
            "subclass": 6, "usable": False,
            "problem": "not a CD/DVD drive (peripheral device type 00h: disk)", "fix": None})
        # The disk (no driver) was claimed to ask it; the burner left alone.
        self.assertEqual(events, ["getdriver 0: ENODATA", "claim 0", "release 0"])
        # Burning picks the burner, not the disk.
        done, _ = under([RAWBURN, "media"], disc, "--disk", disk)
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        self.assertEqual(media_text(done.stdout)[0], "drive:        " + LABEL)

    def test_a_node_the_user_cannot_open(self):
        disc = fresh("drives.vdisc")
        rule = ('SUBSYSTEM=="usb", ATTR{idVendor}=="1209", ATTR{idProduct}=="0001", '
                'MODE="0660", GROUP="plugdev"')
        problem = "permission denied opening /dev/bus/usb/001/002"
        fix = ("let your user open it: put the line %s in /etc/udev/rules.d/70-rawburn.rules, "
               "run `sudo udevadm control --reload-rules`, replug the drive, and make sure you "
               "are in the plugdev group; or run rawburn as root" % rule)
        done, _ = under(NOBODY + [RAWBURN, "drives", "--json"], disc, "--locked")
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        entry = json.loads(done.stdout)[0]
        self.assertEqual((entry["usable"], entry["problem"], entry["fix"]), (False, problem, fix))
        done, _ = under(NOBODY + [RAWBURN, "burn", "-q", path("disc.cue")], disc, "--locked")
        self.assertEqual(done.returncode, 6)
        self.assertEqual(done.stderr, (
            "error: no usable USB burner found\n"
            "  caused by: 1-1 (%s): %s; what to do: %s\n" % (LABEL, problem, fix)))


class Handler(unittest.TestCase):
    """The handler never leaves the program waiting on a dead bridge."""

    def test_a_bridge_that_cannot_start_stops_the_program(self):
        missing = path("missing.vdisc")
        done, _ = under([RAWBURN, "drives"], missing, "--unbound")
        self.assertEqual(done.returncode, 125)
        lines = done.stderr.splitlines()
        self.assertEqual(lines[0], "vusb: cannot open %s: No such file or directory (os error 2)"
                         % missing)
        self.assertTrue(lines[-1].startswith(
            "handler: the program was stopped: vusb (%s --usb %s --log " % (VUSB, missing)),
            lines[-1])
        self.assertTrue(lines[-1].endswith(") failed: [Errno 32] Broken pipe (exit status 2)"),
                        lines[-1])


class Burns(unittest.TestCase):
    """Whole burns through libusb, read back both ways."""

    def burn_and_read(self, mode, cue, reference):
        disc = fresh("burn-%s.vdisc" % mode)
        done, events = under([RAWBURN, "burn", "--mode", mode, "--verify", "-q", cue], disc)
        self.assertEqual((done.returncode, done.stdout, done.stderr), (0, "", ""))
        self.assertEqual(without_short_reads(events), OPEN + CLOSE)
        out = path("%s-virtual.cue" % mode)
        done = rawburn("read", "--virtual", disc, "-q", "-o", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(image(out), reference)
        out = path("%s-usb.cue" % mode)
        done, events = under([RAWBURN, "read", "-q", "-o", out], disc)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(without_short_reads(events), OPEN + CLOSE)
        self.assertEqual(image(out), reference)
        done, _ = under([RAWBURN, "media"], disc)
        self.assertEqual(done.returncode, 0, done.stderr)
        virtual = rawburn("media", "--virtual", disc)
        self.assertEqual(media_text(done.stdout), media_text(virtual.stdout))
        return media_text(done.stdout)[1]

    def test_raw96r(self):
        lines = self.burn_and_read("raw96r", path("disc.cue"), image(path("built.cue")))
        self.assertEqual(lines[:3], [
            "disc:         CD-RW, finalized (1 session)",
            "session 1:    tracks 1-3 (lba 0 to lead-out 1275)",
            "cd-text:      \"USB Test\" by Test Artist (2 track titles)"])

    def test_sao(self):
        self.burn_and_read("sao", path("disc.cue"), image(path("built.cue")))

    def test_tao(self):
        # TAO adds the drive's link blocks, so the reference is the same
        # burn through the in-memory pipe.
        disc = fresh("tao-reference.vdisc")
        done = rawburn("burn", "--virtual", disc, "--mode", "tao", "-q", path("tao.cue"))
        self.assertEqual(done.returncode, 0, done.stderr)
        done = rawburn("read", "--virtual", disc, "-q", "-o", path("tao-reference.cue"))
        self.assertEqual(done.returncode, 0, done.stderr)
        reference = image(path("tao-reference.cue"))
        lines = self.burn_and_read("tao", path("tao.cue"), reference)
        self.assertEqual(lines[1], "session 1:    tracks 1-3 (lba 0 to lead-out 1431)")

    def test_blank(self):
        disc = fresh("blank.vdisc")
        done = rawburn("burn", "--virtual", disc, "--mode", "sao", "-q", path("disc.cue"))
        self.assertEqual(done.returncode, 0, done.stderr)
        done, events = under([RAWBURN, "blank", "-q"], disc)
        self.assertEqual((done.returncode, done.stdout, done.stderr), (0, "", ""))
        self.assertEqual(without_short_reads(events), OPEN + CLOSE)
        virtual = rawburn("media", "--virtual", disc)
        self.assertEqual(virtual.stdout.splitlines()[1], "disc:         CD-RW, blank")

    def test_eject(self):
        disc = fresh("eject.vdisc")
        script = '"$0" eject --drive 1-1 && "$0" media --drive 1-1'
        done, events = under(["sh", "-c", script, RAWBURN], disc)
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        self.assertEqual(done.stdout.splitlines()[1], "disc:         none (the tray is open)")
        self.assertEqual(without_short_reads(events), (OPEN + CLOSE) * 2)


# Each fault kind: the plan's fault, its trigger, the exit status and the
# cause line both paths print (None: the burn succeeds). A SAO burn of
# disc.cue; the trigger counts WRITE(10) from 1 unless it names an LBA.
INCOMPLETE = "the disc holds an incomplete session: blank this CD-RW to use it again"
FAULTS = [
    ("stallData", {"command": "WRITE(10)", "nth": 3, "fault": "stallData"}, 7, INCOMPLETE,
     "writing: WRITE(10) failed: 4/08/00 logical unit communication failure; "
     "the drive confirmed up to lba -10487"),
    ("stallCsw", {"command": "WRITE(10)", "nth": 3, "fault": "stallCsw"}, 0, None, None),
    ("phaseError", {"command": "WRITE(10)", "nth": 3, "fault": "phaseError"}, 7, INCOMPLETE,
     "writing: WRITE(10): transport protocol error: WRITE(10): phase error; "
     "the drive confirmed up to lba -10487"),
    ("cswSignature", {"command": "WRITE(10)", "nth": 3, "fault": {"cswSignature": 0x12345678}},
     7, INCOMPLETE,
     "writing: WRITE(10): transport protocol error: WRITE(10): csw signature 0x12345678 is not "
     "USBS; the drive confirmed up to lba -10487"),
    ("cswTag", {"command": "WRITE(10)", "nth": 3, "fault": "cswTag"}, 7, INCOMPLETE,
     "writing: WRITE(10): transport protocol error: WRITE(10): csw tag 0x%x answers another "
     "command (cbw tag 0x%x); the drive confirmed up to lba -10487"),
    ("shortData", {"command": "READ DISC INFORMATION", "fault": {"shortData": 8}}, 0, None, None),
    ("longData", {"command": "READ DISC INFORMATION", "fault": {"longData": 8}}, 0, None, None),
    ("noAnswer", {"command": "READ DISC INFORMATION", "fault": "noAnswer"}, 0, None, None),
    ("disconnect", {"command": "WRITE(10)", "nth": 3, "fault": "disconnect"}, 7,
     "what the disc holds is unknown: the drive did not answer",
     "writing: WRITE(10): the drive was disconnected; the drive confirmed up to lba -10487"),
    ("unitAttention", {"command": "WRITE(10)", "nth": 3, "fault": {"unitAttention": [6, 40, 0]}},
     7, INCOMPLETE,
     "writing: WRITE(10) failed: 6/28/00 not ready to ready change, medium may have changed; "
     "the drive confirmed up to lba -10487"),
    ("mediumError", {"lba": 700, "fault": "mediumError"}, 7, INCOMPLETE,
     "writing: WRITE(10) failed: 3/0C/00 write error; the drive confirmed up to lba 680"),
    ("powerCalibration", {"lba": -150, "fault": "powerCalibration"}, 7, INCOMPLETE,
     "writing: WRITE(10) failed: 3/73/03 power calibration area error; "
     "the drive confirmed up to lba -151"),
    ("underrun", {"lba": 700, "fault": "underrun"}, 0, None, None),
]

# The recovery each fault makes the host go through on the USB path
# (usbfs events besides opening and closing; halts cleared on bulk IN
# after short replies come besides, see without_short_reads).
RECOVERY = {
    "stallData": ["clear_halt 0x02"],
    "stallCsw": ["clear_halt 0x81"],
    "phaseError": ["clear_halt 0x02", "bulk-only reset", "clear_halt 0x81", "clear_halt 0x02"],
    "cswSignature": ["bulk-only reset", "clear_halt 0x81", "clear_halt 0x02"],
    "cswTag": ["bulk-only reset", "clear_halt 0x81", "clear_halt 0x02"],
    "longData": ["bulk-only reset", "clear_halt 0x81", "clear_halt 0x02"],
    "noAnswer": ["bulk-only reset", "clear_halt 0x81", "clear_halt 0x02"],
    "unitAttention": ["clear_halt 0x02"],
}


class Faults(unittest.TestCase):
    """Every Bulk-Only fault, through the in-memory pipe and through
    libusb: the same outcome, message and disc."""

    def run_both(self, name, fault):
        plan = path("%s.json" % name)
        with open(plan, "w") as f:
            json.dump({"faults": [fault]}, f)
        memory = fresh("%s-memory.vdisc" % name)
        usb = fresh("%s-usb.vdisc" % name)
        burn = ["burn", "--mode", "sao", "-q", path("disc.cue")]
        virtual = rawburn(*burn, "--virtual", memory, "--faults", plan)
        start = time.monotonic()
        real, events = under([RAWBURN, *burn], usb, "--faults", plan)
        took = time.monotonic() - start
        return memory, usb, virtual, real, events, took

    def check(self, name, fault, status, headline, cause):
        memory, usb, virtual, real, events, took = self.run_both(name, fault)
        self.assertEqual((virtual.returncode, real.returncode), (status, status),
                         virtual.stderr + real.stderr)
        self.assertLess(took, 45)
        if cause is None:
            self.assertEqual((virtual.stderr, real.stderr), ("", ""))
        else:
            if name == "cswTag":
                # The CSW carries the previous tag with its bytes turned;
                # the USB path's probe (INQUIRY, its serial number page)
                # put the host's tag counter two commands ahead.
                cause_v = cause % (0x1010112, 0x11)
                cause_u = cause % (0x1010114, 0x13)
            else:
                cause_v = cause_u = cause
            self.assertEqual(virtual.stderr, (
                "error: the burn on the virtual drive (%s) failed: %s\n  caused by: %s\n"
                % (memory, headline, cause_v)))
            self.assertEqual(real.stderr, (
                "error: the burn on %s failed: %s\n  caused by: %s\n" % (LABEL, headline, cause_u)))
        self.assertEqual(events[:4], OPEN)
        if name == "disconnect":
            # The drive left the bus: nothing to release or give back.
            self.assertEqual(events[4:], [])
        else:
            self.assertEqual(events[-2:], CLOSE)
            expected = RECOVERY.get(name, [])
            self.assertEqual(without_short_reads(events[4:-2]), without_short_reads(expected))
            if "clear_halt 0x81" in expected:
                self.assertIn("clear_halt 0x81", events[4:-2])
        a = rawburn("media", "--virtual", memory)
        b = rawburn("media", "--virtual", usb)
        self.assertEqual((a.returncode, b.returncode), (0, 0), a.stderr + b.stderr)
        self.assertEqual(media_text(a.stdout)[1], media_text(b.stdout)[1])
        if status == 0:
            for disc in (memory, usb):
                out = path("%s-%s.cue" % (name, "m" if disc == memory else "u"))
                done = rawburn("read", "--virtual", disc, "-q", "-o", out)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(image(out), image(path("built.cue")))


def fault_case(name, fault, status, headline, cause):
    def test(self):
        self.check(name, fault, status, headline, cause)
    test.__doc__ = "fault %s" % name
    return test


for _case in FAULTS:
    setattr(Faults, "test_%s" % _case[0], fault_case(*_case))


def has_sg_transport():
    """Whether this rawburn reaches drives through SG_IO (its `drives`
    help says so)."""
    done = rawburn("drives", "--help")
    return re.search(r"SG_IO|/dev/sr|/dev/sg", done.stdout) is not None


def expected_toc():
    """The READ TOC (format 0) reply `rawburn toc` predicts for disc.cue."""
    out = rawburn("toc", path("disc.cue")).stdout.splitlines()
    start = out.index("expected toc (read toc format 0, lba addresses)") + 1
    data = bytearray()
    for line in out[start:]:
        if not line.startswith("  "):
            break
        data += bytes.fromhex(line.split(None, 1)[1])
    return bytes(data)


class ScsiGeneric(unittest.TestCase):
    """The SG_IO handler, checked with sg3-utils."""

    def sg(self, script, disc):
        done, events = under(["sh", "-c", script], disc, "--sg")
        self.assertEqual(events, [])
        return done

    def test_inquiry(self):
        done = self.sg("sg_inq /dev/sg0", fresh("sg.vdisc"))
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertIn("    length=36 (0x24)   Peripheral device type: cd/dvd", lines)
        self.assertIn(" Vendor identification: RAWBURN ", lines)
        self.assertIn(" Product identification: Virtual CD-RW   ", lines)
        self.assertIn(" Product revision level: 1.0 ", lines)
        self.assertIn(" Unit serial number: VD0000000001", lines)

    def test_unit_attention_then_ready(self):
        done = self.sg("sg_turs /dev/sr0; echo $?; sg_turs /dev/sr0; echo $?", fresh("sg.vdisc"))
        # sg_turs names the sense key on stdout.
        self.assertEqual(done.stdout, "Unit attention\n6\n0\n")

    def test_sense_data_of_a_refused_command(self):
        # The recorder has no READ CAPACITY: sg_readcap tries both forms
        # and reports the sense data SG_IO returned.
        done = self.sg("sg_turs /dev/sg0 >/dev/null; sg_readcap /dev/sr0", fresh("sg.vdisc"))
        self.assertEqual(done.returncode, 9)
        self.assertEqual(done.stderr.splitlines()[-1],
                         "sg_readcap failed: Illegal request, Invalid opcode")

    def test_toc_and_sectors_of_a_burned_disc(self):
        disc = fresh("sg.vdisc")
        done = rawburn("burn", "--virtual", disc, "--mode", "sao", "-q", path("disc.cue"))
        self.assertEqual(done.returncode, 0, done.stderr)
        toc, sector0, sector600 = path("toc.bin"), path("s0.bin"), path("s600.bin")
        script = (
            "sg_turs /dev/sg0 >/dev/null; set -e; "
            "sg_raw -r 1024 -o %s /dev/sg0 43 00 00 00 00 00 00 04 00 00; "
            "sg_raw -r 2352 -o %s /dev/sg0 be 00 00 00 00 00 00 00 01 f8 00 00; "
            "sg_raw -r 2352 -o %s /dev/sg0 be 00 00 00 02 58 00 00 01 f8 00 00"
            % (toc, sector0, sector600))
        done = self.sg(script, disc)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(toc, "rb") as f:
            self.assertEqual(f.read(), expected_toc())
        with open(path("built.bin"), "rb") as f:
            built = f.read()
        with open(sector0, "rb") as f:
            self.assertEqual(f.read(), built[:2352])
        with open(sector600, "rb") as f:
            self.assertEqual(f.read(), built[600 * 2352:601 * 2352])


@unittest.skipUnless(has_sg_transport() if os.access(RAWBURN, os.X_OK) else False,
                     "this rawburn has no SG_IO transport (`rawburn drives --help` does not "
                     "mention SG_IO): the SG_IO cases switch on when it does")
class ThroughSgIo(unittest.TestCase):
    """rawburn's SG_IO transport on /dev/sr0."""

    def test_drives_lists_sr0(self):
        done, _ = under([RAWBURN, "drives", "--json"], fresh("sgr.vdisc"), "--sg")
        self.assertEqual(done.returncode, 0, done.stderr)
        sr0 = [d for d in json.loads(done.stdout) if d["id"] == "/dev/sr0"]
        self.assertEqual(len(sr0), 1, done.stdout)
        self.assertEqual((sr0[0]["usable"], sr0[0]["vendor"], sr0[0]["product"]),
                         (True, "RAWBURN", "Virtual CD-RW"))

    def burn(self, mode, cue, reference):
        disc = fresh("sg-%s.vdisc" % mode)
        done, _ = under([RAWBURN, "burn", "--drive", "/dev/sr0", "--mode", mode, "--verify", "-q",
                         cue], disc, "--sg")
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        out = path("sg-%s.cue" % mode)
        done = rawburn("read", "--virtual", disc, "-q", "-o", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(image(out), reference)
        out = path("sg-%s-back.cue" % mode)
        done, _ = under([RAWBURN, "read", "--drive", "/dev/sr0", "-q", "-o", out], disc, "--sg")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(image(out), reference)

    def test_raw96r(self):
        self.burn("raw96r", path("disc.cue"), image(path("built.cue")))

    def test_sao(self):
        self.burn("sao", path("disc.cue"), image(path("built.cue")))

    def test_a_mounted_disc_is_listed_read_and_not_written(self):
        disc = fresh("sg-mounted.vdisc")
        at = path("mounted disc")
        done, _ = under([RAWBURN, "drives", "--json"], disc, "--sg", mounted=at)
        self.assertEqual(done.returncode, 0, done.stderr)
        sr0 = [d for d in json.loads(done.stdout) if d["id"] == "/dev/sr0"][0]
        # Usable for reading; where it is mounted said.
        self.assertEqual((sr0["usable"], sr0["mountedAt"], sr0["problem"]), (True, at, None))
        done, _ = under([RAWBURN, "drives"], disc, "--sg", mounted=at)
        self.assertIn("(its disc is mounted at %s: it can be read; unmount it to burn or blank)"
                      % at, done.stdout)
        # Reading what is in it is harmless.
        done, _ = under([RAWBURN, "media", "--drive", "/dev/sr0"], disc, "--sg", mounted=at)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(media_text(done.stdout)[0], "drive:        " + LABEL)
        # Writing is refused before anything reaches the drive.
        done, _ = under([RAWBURN, "burn", "--drive", "/dev/sr0", "-q", path("disc.cue")],
                        disc, "--sg", mounted=at)
        self.assertEqual(done.returncode, 6, done.stderr)
        lines = done.stderr.splitlines()
        self.assertEqual(lines, [
            "error: cannot use /dev/sr0 (RAWBURN Virtual CD-RW 1.0): the disc in /dev/sr0 is "
            "mounted at " + at,
            "  caused by: what to do: unmount it first: umount '%s'" % at])
        self.assertEqual(rawburn("media", "--virtual", disc).stdout.count("blank"), 1)
        # The same drive outside that namespace burns.
        done, _ = under([RAWBURN, "burn", "--drive", "/dev/sr0", "-q", path("disc.cue")],
                        disc, "--sg")
        self.assertEqual((done.returncode, done.stderr), (0, ""))

    def test_one_disc_on_sr0_and_a_virtual_recorder_at_once(self):
        disc = fresh("sg-dup.vdisc")
        other = fresh("sg-dup-other.vdisc")
        done, _ = under([RAWBURN, "burn", path("disc.cue"), "--drive", "/dev/sr0",
                         "--virtual", other, "--mode", "sao", "--verify"], disc, "--sg")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("2 of 2 drives burned", done.stderr)
        for k, d in enumerate((disc, other)):
            out = path("sg-dup-%d.cue" % k)
            back = rawburn("read", "--virtual", d, "-q", "-o", out)
            self.assertEqual(back.returncode, 0, back.stderr)
            self.assertEqual(image(out), image(path("built.cue")))

    def test_tao(self):
        disc = fresh("sg-tao-reference.vdisc")
        done = rawburn("burn", "--virtual", disc, "--mode", "tao", "-q", path("tao.cue"))
        self.assertEqual(done.returncode, 0, done.stderr)
        done = rawburn("read", "--virtual", disc, "-q", "-o", path("sg-tao-reference.cue"))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.burn("tao", path("tao.cue"), image(path("sg-tao-reference.cue")))


if __name__ == "__main__":
    start = time.monotonic()
    result = unittest.main(exit=False, verbosity=2 if "-v" in sys.argv else 1).result
    print("tests/usb: %.1f s" % (time.monotonic() - start), file=sys.stderr)
    sys.exit(0 if result.wasSuccessful() else 1)
