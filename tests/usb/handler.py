#!/usr/bin/python3
"""Runs a program against emulated hardware: a umockdev testbed holding a
USB CD-RW burner (and optionally a USB disk), or a SCSI CD-ROM on sg/sr,
whose ioctls go to the virtual recorder through vusb.

    handler.py --vusb PATH --disc DISC [options] -- PROGRAM ARGS...

USB mode (the default): /sys/bus/usb/devices/1-1 is a Bulk-Only CD-RW
burner (interface class 08h, subclass 06h, protocol 50h, bulk endpoints
81h and 02h of 512 bytes), bound to usb-storage with its SCSI device
(type 5) in sysfs, so a client must detach the driver to use it; its
node /dev/bus/usb/001/002 carries the usbfs ioctls (usbfs.py).
--unbound leaves it without a driver and without the SCSI device (a
client must ask it with INQUIRY what it is); --unidentified leaves it
bound to usb-storage without the SCSI device (sysfs does not say what it
is); --locked makes its node
root's, mode 0600; --disk DISC adds 1-2, a USB disk (INQUIRY device type
00h, no driver bound) on its own virtual recorder.

SG mode (--sg): /sys/class/scsi_generic/sg0 and /sys/block/sr0 are one
SCSI CD/DVD device (type 5, driver sr); /dev/sg0 and /dev/sr0 carry
SG_IO (sgio.py).

The program runs with the testbed's environment (UMOCKDEV_DIR and
LD_PRELOAD, as umockdev-run sets them), its output passed through; the
handler exits with its exit status once every vusb has saved its disc.
When a vusb fails, the program is stopped and the handler exits with
125; when the program outlives --timeout, with 124.
"""

import argparse
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import GLib, UMockdev  # noqa: E402

import bridge as vusb  # noqa: E402
import sgio  # noqa: E402
import usbfs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PRELOAD = "libumockdev-preload.so.0"

VENDOR_ID = 0x1209
BURNER = {
    "product_id": 0x0001,
    "manufacturer": "RAWBURN",
    "product": "Virtual USB Burner",
    "serial": "VUSB0001",
}
DISK = {
    "product_id": 0x0002,
    "manufacturer": "RAWBURN",
    "product": "Virtual USB Disk",
    "serial": "VUSB0002",
}
# What the recorder's INQUIRY says (vdrive's RecorderConfig default).
INQUIRY = {"vendor": "RAWBURN", "model": "Virtual CD-RW", "rev": "1.0"}

ROOT = "/devices/pci0000:00/0000:00:14.0/usb1"


def descriptors(product_id, subclass):
    """The device descriptor and configuration 1: one Bulk-Only
    mass-storage interface with bulk IN 81h and bulk OUT 02h (512 bytes).
    Strings: 1 manufacturer, 2 product, 3 serial."""
    device = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 64]) + VENDOR_ID.to_bytes(2, "little") \
        + product_id.to_bytes(2, "little") + bytes([0x00, 0x01, 1, 2, 3, 1])
    interface = bytes([9, 4, 0, 0, 2, 0x08, subclass, 0x50, 0])
    bulk_in = bytes([7, 5, 0x81, 0x02]) + (512).to_bytes(2, "little") + bytes([0])
    bulk_out = bytes([7, 5, 0x02, 0x02]) + (512).to_bytes(2, "little") + bytes([0])
    total = 9 + len(interface) + len(bulk_in) + len(bulk_out)
    config = bytes([9, 2]) + total.to_bytes(2, "little") + bytes([1, 1, 0, 0x80, 250])
    return device + config + interface + bulk_in + bulk_out


def usb_device_text(name, devnum, ident, desc):
    """A umockdev description of USB device `name` on bus 1."""
    lines = [
        "P: %s/%s" % (ROOT, name),
        "N: bus/usb/001/%03d" % devnum,
        "E: SUBSYSTEM=usb",
        "E: DEVTYPE=usb_device",
        "E: DEVNAME=/dev/bus/usb/001/%03d" % devnum,
        "E: BUSNUM=001",
        "E: DEVNUM=%03d" % devnum,
        "A: busnum=1",
        "A: devnum=%d" % devnum,
        "A: devpath=%s" % name.split("-", 1)[1],
        "A: idVendor=%04x" % VENDOR_ID,
        "A: idProduct=%04x" % ident["product_id"],
        "A: manufacturer=%s" % ident["manufacturer"],
        "A: product=%s" % ident["product"],
        "A: serial=%s" % ident["serial"],
        "A: speed=480",
        "A: bConfigurationValue=1",
        "A: bNumConfigurations=1",
        "A: bNumInterfaces= 1",
        "A: dev=189:%d" % (devnum - 1),
        "H: descriptors=%s" % desc.hex().upper(),
        "",
    ]
    return "\n".join(lines) + "\n"


def interface_text(name, subclass):
    return "\n".join([
        "P: %s/%s/%s:1.0" % (ROOT, name, name),
        "E: SUBSYSTEM=usb",
        "E: DEVTYPE=usb_interface",
        "A: bInterfaceNumber=00",
        "A: bAlternateSetting= 0",
        "A: bInterfaceClass=08",
        "A: bInterfaceSubClass=%02x" % subclass,
        "A: bInterfaceProtocol=50",
        "A: bNumEndpoints=02",
        "", ""])


def scsi_device_text(parent, host, device_type, driver):
    """A SCSI device (LUN 0 of `host`) under sysfs path `parent`."""
    return "\n".join([
        "P: %s/host%d/target%d:0:0/%d:0:0:0" % (parent, host, host, host),
        "E: SUBSYSTEM=scsi",
        "E: DEVTYPE=scsi_device",
        "E: DRIVER=%s" % driver,
        "A: type=%d" % device_type,
        "A: vendor=%-8s" % INQUIRY["vendor"],
        "A: model=%-16s" % INQUIRY["model"],
        "A: rev=%-4s" % INQUIRY["rev"],
        "A: scsi_level=6",
        "L: driver=../../../../../../../../bus/scsi/drivers/%s" % driver,
        "", ""])


class Run:
    """The testbed, its bridges and the program under test."""

    def __init__(self, args):
        self.args = args
        self.testbed = UMockdev.Testbed.new()
        self.root = self.testbed.get_root_dir()
        self.bridges = []
        self.devices = []
        self.handlers = []
        self.child = None
        self.timed_out = False

    def bridge(self, mode, disc, extra=()):
        argv = [self.args.vusb, mode, disc]
        if self.args.faults:
            argv += ["--faults", self.args.faults]
        if self.args.log:
            argv += ["--log", self.args.log]
        b = vusb.Bridge(argv + list(extra))
        self.bridges.append(b)
        return b

    def attach(self, node, device):
        handler = UMockdev.IoctlBase()
        handler.connect("handle-ioctl", device.handle)
        handler.connect("client-vanished", device.vanished)
        self.testbed.attach_ioctl(node, handler)
        self.handlers.append(handler)
        self.devices.append(device)

    def add_usb(self, name, devnum, ident, disc, bound, scsi, extra=()):
        desc = descriptors(ident["product_id"], 0x06)
        self.testbed.add_from_string(usb_device_text(name, devnum, ident, desc))
        self.testbed.add_from_string(interface_text(name, 0x06))
        interface = "%s/%s/%s:1.0" % (ROOT, name, name)
        link = os.path.join(self.root, "sys" + interface, "driver")
        if scsi:
            self.testbed.add_from_string(scsi_device_text(interface, 6, 5, "sr"))

        def on_driver(driver):
            # The kernel's view follows the binding.
            if os.path.lexists(link):
                os.unlink(link)
            if driver is not None:
                os.symlink("../../../../../../bus/usb/drivers/%s" % driver, link)

        device = usbfs.Device(
            self.bridge("--usb", disc, extra), devnum, desc,
            {1: ident["manufacturer"], 2: ident["product"], 3: ident["serial"]},
            driver="usb-storage" if bound else None, on_driver=on_driver)
        on_driver(device.driver)
        self.attach("/dev/bus/usb/001/%03d" % devnum, device)

    def add_sg(self, disc):
        host = "/devices/pci0000:00/0000:00:1f.2/ata1"
        self.testbed.add_from_string(scsi_device_text(host, 0, 5, "sr"))
        scsi = "%s/host0/target0:0:0/0:0:0:0" % host
        self.testbed.add_from_string("\n".join([
            "P: %s/scsi_generic/sg0" % scsi, "N: sg0", "E: SUBSYSTEM=scsi_generic",
            "E: DEVNAME=/dev/sg0", "A: dev=21:0", "", ""]))
        self.testbed.add_from_string("\n".join([
            "P: %s/block/sr0" % scsi, "N: sr0", "E: SUBSYSTEM=block", "E: DEVTYPE=disk",
            "E: DEVNAME=/dev/sr0", "A: dev=11:0", "A: removable=1", "A: ro=0", "", ""]))
        device = sgio.ScsiDevice(self.bridge("--scsi", disc))
        self.attach("/dev/sg0", device)
        self.attach("/dev/sr0", device)

    def setup(self):
        a = self.args
        if a.sg:
            self.add_sg(a.disc)
        else:
            self.add_usb("1-1", 2, BURNER, a.disc, not a.unbound,
                         not (a.unbound or a.unidentified))
            if a.disk:
                self.add_usb("1-2", 3, DISK, a.disk, False, False, ["--inquiry-type", "0"])
        # Another user (--locked tests run the program as nobody) may
        # read the testbed and make its sockets there (libusb's netlink
        # socket becomes one), but not open the burner's node.
        for top, dirs, files in os.walk(self.root):
            for n in dirs:
                os.chmod(os.path.join(top, n), 0o755)
            for n in files:
                p = os.path.join(top, n)
                mode = os.lstat(p).st_mode
                if stat.S_ISSOCK(mode):
                    # umockdev connects a node's ioctl socket even when
                    # opening the node failed, and ends the program when
                    # it cannot.
                    os.chmod(p, 0o777)
                elif not stat.S_ISLNK(mode):
                    os.chmod(p, mode | 0o444)
        os.chmod(self.root, 0o1777)
        if a.locked:
            node = os.path.join(self.root, "dev/bus/usb/001/002")
            os.chown(node, 0, 0)
            os.chmod(node, 0o600)

    def run(self):
        env = dict(os.environ)
        env["UMOCKDEV_DIR"] = self.root
        preload = [PRELOAD] + [p for p in env.get("LD_PRELOAD", "").split() if p]
        env["LD_PRELOAD"] = " ".join(preload)
        loop = GLib.MainLoop()
        self.child = subprocess.Popen(self.args.command, env=env)

        def wait():
            try:
                self.child.wait(self.args.timeout)
            except subprocess.TimeoutExpired:
                self.timed_out = True
                stop(self.child)
            GLib.idle_add(loop.quit)

        def watch():
            # A failed bridge stops the program rather than leave it
            # waiting for a transfer.
            if any(d.failure for d in self.devices) and self.child.poll() is None:
                stop(self.child)
            return True

        threading.Thread(target=wait, daemon=True).start()
        GLib.timeout_add(100, watch)
        loop.run()
        return self.child.returncode

    def finish(self, status):
        for node in ["/dev/bus/usb/001/002", "/dev/bus/usb/001/003", "/dev/sg0", "/dev/sr0"]:
            try:
                self.testbed.detach_ioctl(node)
            except GLib.Error:
                pass
        saved = [b.close() for b in self.bridges]
        shutil.rmtree(self.root, ignore_errors=True)
        failure = next((d.failure for d in self.devices if d.failure), None)
        if failure:
            print("handler: the program was stopped: " + failure, file=sys.stderr)
            return 125
        if self.timed_out:
            print("handler: %s did not end within %d s: stopped" % (
                self.args.command[0], self.args.timeout), file=sys.stderr)
            return 124
        if any(s != 0 for s in saved):
            print("handler: a vusb ended with status %s" % saved, file=sys.stderr)
            return 125
        return status


def stop(child):
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def parse(argv):
    p = argparse.ArgumentParser(description="Runs a program against a burner emulated by umockdev.")
    p.add_argument("--vusb", default=os.environ.get("VUSB"), help="the vusb bridge binary")
    p.add_argument("--disc", required=True, help="the burner's .vdisc")
    p.add_argument("--faults", help="a fault plan for the burner's recorder")
    p.add_argument("--log", help="append one line per usbfs event to this file")
    p.add_argument("--sg", action="store_true", help="a SCSI CD-ROM on /dev/sg0 and /dev/sr0")
    p.add_argument("--unbound", action="store_true", help="no kernel driver on the burner")
    p.add_argument("--unidentified", action="store_true",
                   help="the burner bound to usb-storage, no SCSI device in sysfs")
    p.add_argument("--locked", action="store_true", help="the burner's node is root's, mode 0600")
    p.add_argument("--disk", metavar="DISC", help="add a USB disk on this .vdisc")
    p.add_argument("--timeout", type=int, default=120, help="seconds the program may run")
    p.add_argument("command", nargs="+", help="the program and its arguments (after --)")
    args = p.parse_args(argv)
    if not args.vusb:
        p.error("--vusb (or VUSB) names the vusb binary")
    return args


def main(argv):
    args = parse(argv)
    run = Run(args)
    status = 125
    try:
        run.setup()
        status = run.run()
    finally:
        status = run.finish(status)
    if status is not None and status < 0:
        # Killed by a signal: report it as a shell does.
        status = 128 - status
    return status


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main(sys.argv[1:]))
