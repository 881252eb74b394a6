"""Linux usbfs (/dev/bus/usb/BBB/DDD) emulated for umockdev: the ioctls
libusb makes on a device, carried to the virtual recorder through vusb.

URBs are carried out when they are submitted and reaped later: libusb
polls the node (always ready under umockdev) and reaps with
REAPURBNDELAY until EAGAIN. A transfer the device does not answer before
a Bulk-Only reset (vusb's "pending") stays in flight until libusb
discards it at its timeout; it is then reaped with -ENOENT.

Request numbers and structure layouts are those of <linux/usbdevice_fs.h>
on a 64-bit kernel.
"""

import errno
import struct
import sys
import threading

import bridge as vusb

# Request numbers: _IO*('U', nr, type).
CONTROL = 0xC0185500
RESETEP = 0x80045503
SETINTERFACE = 0x80085504
SETCONFIGURATION = 0x80045505
GETDRIVER = 0x41045508
SUBMITURB = 0x8038550A
DISCARDURB = 0x0000550B
REAPURB = 0x4008550C
REAPURBNDELAY = 0x4008550D
CLAIMINTERFACE = 0x8004550F
RELEASEINTERFACE = 0x80045510
CONNECTINFO = 0x40085511
IOCTL = 0xC0105512
RESET = 0x00005514
CLEAR_HALT = 0x80045515
DISCONNECT = 0x00005516
CONNECT = 0x00005517
GET_CAPABILITIES = 0x8004551A
GET_SPEED = 0x0000551F

# Capabilities: whole bulk transfers in one URB.
CAP_NO_PACKET_SIZE_LIM = 0x04
CAP_BULK_SCATTER_GATHER = 0x08
CAP_REAP_AFTER_DISCONNECT = 0x10

URB_CONTROL = 2
URB_BULK = 3
# struct usbdevfs_urb: type, endpoint, status, flags, buffer,
# buffer_length, actual_length, start_frame, number_of_packets,
# error_count, signr, usercontext.
URB = struct.Struct("<BB2xiI4xQiiiiiIQ")
URB_STATUS = 4
URB_BUFFER = 16
URB_ACTUAL = 28

USB_SPEED_HIGH = 3

# Seconds an empty REAPURBNDELAY waits while a transfer hangs.
IDLE_REAP = 0.005

NAMES = {
    CONTROL: "CONTROL", RESETEP: "RESETEP", SETINTERFACE: "SETINTERFACE",
    SETCONFIGURATION: "SETCONFIGURATION", GETDRIVER: "GETDRIVER",
    SUBMITURB: "SUBMITURB", DISCARDURB: "DISCARDURB", REAPURB: "REAPURB",
    REAPURBNDELAY: "REAPURBNDELAY", CLAIMINTERFACE: "CLAIMINTERFACE",
    RELEASEINTERFACE: "RELEASEINTERFACE", CONNECTINFO: "CONNECTINFO", IOCTL: "IOCTL",
    RESET: "RESET", CLEAR_HALT: "CLEAR_HALT", GET_CAPABILITIES: "GET_CAPABILITIES",
    GET_SPEED: "GET_SPEED",
}


def ioctl_size(request):
    """The argument size an ioctl request number carries."""
    return (request >> 16) & 0x3FFF


class Urb:
    """A submitted URB and what its reaping reports."""

    def __init__(self, data, buffer):
        self.data = data
        self.buffer = buffer
        self.status = 0
        self.actual = 0
        self.payload = b""
        self.offset = 0


class Device:
    """One USB device: its interface state, and the bridge behind it."""

    def __init__(self, bridge, devnum, descriptors, strings, driver="usb-storage",
                 on_driver=None):
        self.bridge = bridge
        self.devnum = devnum
        self.descriptors = descriptors
        self.strings = strings
        # The kernel driver bound to interface 0 (None: none).
        self.driver = driver
        self.on_driver = on_driver
        self.claimed_by = None
        self.gone = False
        self.lock = threading.Lock()
        # Per open file: URBs ready to reap, URBs in flight, a waiting
        # blocking reaper.
        self.ready = {}
        self.pending = {}
        self.reaper = {}
        self.failure = None

    def log(self, line):
        self.bridge.event(line)

    # The handle-ioctl signal of the node's UMockdev.IoctlBase.
    def handle(self, _handler, client):
        try:
            with self.lock:
                self.dispatch(client)
        except vusb.BridgeGone as e:
            self.fail(client, str(e))
        except Exception as e:  # noqa: BLE001 - any failure must end the client
            self.fail(client, "usbfs emulation failed: %r" % e)
        return True

    def fail(self, client, why):
        if self.failure is None:
            self.failure = why
            print("handler: " + why, file=sys.stderr, flush=True)
        client.abort()

    def vanished(self, _handler, client):
        with self.lock:
            if self.claimed_by is client:
                self.claimed_by = None
            for table in (self.ready, self.pending, self.reaper):
                table.pop(client, None)

    def dispatch(self, client):
        request = client.get_request()
        arg = client.get_arg()
        if self.gone and request not in (REAPURB, REAPURBNDELAY, DISCARDURB):
            client.complete(-1, errno.ENODEV)
            return
        if request == GET_CAPABILITIES:
            data = arg.resolve(0, 4)
            caps = CAP_NO_PACKET_SIZE_LIM | CAP_BULK_SCATTER_GATHER | CAP_REAP_AFTER_DISCONNECT
            data.update(0, struct.pack("<I", caps))
            client.complete(0, 0)
        elif request == GETDRIVER:
            self.getdriver(client, arg.resolve(0, ioctl_size(request)))
        elif request == IOCTL:
            self.usb_ioctl(client, arg.resolve(0, 16))
        elif request in (CLAIMINTERFACE, RELEASEINTERFACE):
            (interface,) = struct.unpack("<I", bytes(arg.resolve(0, 4).retrieve()))
            self.claim(client, interface, request == CLAIMINTERFACE)
        elif request == SETINTERFACE:
            interface, alt = struct.unpack("<II", bytes(arg.resolve(0, 8).retrieve()))
            self.log("setinterface %d %d" % (interface, alt))
            ok = interface == 0 and alt == 0
            client.complete(0 if ok else -1, 0 if ok else errno.EINVAL)
        elif request == SETCONFIGURATION:
            (config,) = struct.unpack("<i", bytes(arg.resolve(0, 4).retrieve()))
            ok = config == 1
            client.complete(0 if ok else -1, 0 if ok else errno.EINVAL)
        elif request == CLEAR_HALT:
            (endpoint,) = struct.unpack("<I", bytes(arg.resolve(0, 4).retrieve()))
            self.log("clear_halt 0x%02x" % endpoint)
            setup = struct.pack("<BBHHH", 0x02, 0x01, 0, endpoint, 0)
            self.transfer_result(client, *self.bridge.control(setup))
        elif request == RESET:
            # A port reset puts the device back in its initial Bulk-Only
            # state: what a Bulk-Only reset and clearing both halts do.
            self.log("reset")
            self.bridge.control(struct.pack("<BBHHH", 0x21, 0xFF, 0, 0, 0))
            for endpoint in (0x81, 0x02):
                self.bridge.control(struct.pack("<BBHHH", 0x02, 0x01, 0, endpoint, 0))
            client.complete(0, 0)
        elif request == RESETEP:
            (endpoint,) = struct.unpack("<I", bytes(arg.resolve(0, 4).retrieve()))
            self.log("resetep 0x%02x" % endpoint)
            client.complete(0, 0)
        elif request == CONNECTINFO:
            arg.resolve(0, 8).update(0, struct.pack("<IB3x", self.devnum, 0))
            client.complete(0, 0)
        elif request == GET_SPEED:
            client.complete(USB_SPEED_HIGH, 0)
        elif request == SUBMITURB:
            self.submit(client, arg.resolve(0, URB.size))
        elif request in (REAPURB, REAPURBNDELAY):
            self.reap(client, arg.resolve(0, 8), request == REAPURBNDELAY)
        elif request == DISCARDURB:
            self.discard(client, struct.unpack("<Q", bytes(arg.retrieve())[:8])[0])
        else:
            self.log("unknown ioctl 0x%08x" % request)
            client.complete(-1, errno.ENOTTY)

    def transfer_result(self, client, code, _body):
        if code == vusb.OK:
            client.complete(0, 0)
        elif code == vusb.GONE:
            self.gone = True
            client.complete(-1, errno.ENODEV)
        else:
            client.complete(-1, errno.EPIPE)

    def getdriver(self, client, data):
        (interface,) = struct.unpack("<I", bytes(data.retrieve())[:4])
        if interface != 0:
            self.log("getdriver %d: EINVAL" % interface)
            client.complete(-1, errno.EINVAL)
            return
        name = "usbfs" if self.claimed_by is not None else self.driver
        self.log("getdriver %d: %s" % (interface, name or "ENODATA"))
        if name is None:
            client.complete(-1, errno.ENODATA)
            return
        data.update(4, name.encode() + b"\0")
        client.complete(0, 0)

    def usb_ioctl(self, client, data):
        interface, code = struct.unpack("<ii", bytes(data.retrieve())[:8])
        if code not in (DISCONNECT, CONNECT) or interface != 0:
            self.log("unknown usbfs ioctl 0x%04x on interface %d" % (code, interface))
            client.complete(-1, errno.ENOTTY if interface == 0 else errno.EINVAL)
            return
        if code == DISCONNECT:
            self.log("disconnect %d" % interface)
            if self.driver is None or self.claimed_by is not None:
                client.complete(-1, errno.ENODATA)
                return
            self.set_driver(None)
            client.complete(0, 0)
        else:
            self.log("connect %d" % interface)
            if self.claimed_by is not None:
                client.complete(-1, errno.EBUSY)
            elif self.driver is not None:
                client.complete(0, 0)
            else:
                # The kernel returns 1 when it bound a driver.
                self.set_driver("usb-storage")
                client.complete(1, 0)

    def set_driver(self, name):
        self.driver = name
        if self.on_driver is not None:
            self.on_driver(name)

    def claim(self, client, interface, claim):
        self.log("%s %d" % ("claim" if claim else "release", interface))
        if interface != 0:
            client.complete(-1, errno.ENOENT)
        elif claim:
            if self.driver is not None or self.claimed_by not in (None, client):
                client.complete(-1, errno.EBUSY)
            else:
                self.claimed_by = client
                client.complete(0, 0)
        elif self.claimed_by is not client:
            client.complete(-1, errno.EINVAL)
        else:
            self.claimed_by = None
            client.complete(0, 0)

    def submit(self, client, data):
        (kind, endpoint, _status, _flags, _buffer, length, _actual, _start, _packets, _errors,
         _signr, _context) = URB.unpack(bytes(data.retrieve()))
        if self.claimed_by is not client and kind != URB_CONTROL:
            client.complete(-1, errno.EINVAL)
            return
        buffer = data.resolve(URB_BUFFER, length) if length > 0 else None
        urb = Urb(data, buffer)
        content = bytes(buffer.retrieve()) if buffer is not None else b""
        if kind == URB_CONTROL:
            code, body = self.control(content[:8], content[8:])
            urb.offset = 8
        elif kind == URB_BULK and endpoint & 0x80:
            code, body = self.bridge.bulk_in(length)
        elif kind == URB_BULK:
            code, body = self.bridge.bulk_out(content)
            if code == vusb.OK:
                (taken,) = struct.unpack("<I", body)
                urb.actual = taken
                body = b""
        else:
            self.log("unsupported URB type %d" % kind)
            client.complete(-1, errno.EINVAL)
            return
        if code == vusb.PENDING:
            self.pending.setdefault(client, []).append(urb)
            client.complete(0, 0)
            return
        if code == vusb.OK:
            urb.payload = body
            if body:
                urb.actual = len(body)
        elif code == vusb.STALL:
            urb.status = -errno.EPIPE
        elif code == vusb.OVERFLOW:
            urb.status = -errno.EOVERFLOW
        elif code == vusb.GONE:
            self.gone = True
            urb.status = -errno.ESHUTDOWN
        self.ready.setdefault(client, []).append(urb)
        client.complete(0, 0)
        self.wake(client)

    def control(self, setup, data):
        """A control transfer: standard GET_DESCRIPTOR requests are
        answered from the descriptors, the rest goes to the device."""
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        if request_type == 0x80 and request == 0x06:
            kind, number = value >> 8, value & 0xFF
            if kind == 1:
                return vusb.OK, self.descriptors[:18][:length]
            if kind == 2 and number == 0:
                return vusb.OK, self.descriptors[18:][:length]
            if kind == 3 and number == 0:
                return vusb.OK, b"\x04\x03\x09\x04"[:length]
            if kind == 3 and number in self.strings:
                text = self.strings[number].encode("utf-16-le")
                return vusb.OK, (bytes([2 + len(text), 3]) + text)[:length]
            return vusb.STALL, b""
        reply = self.bridge.control(setup + data)
        if request_type == 0x21 and request == 0xFF:
            self.log("bulk-only reset")
        return reply

    def reap(self, client, data, nodelay):
        ready = self.ready.get(client)
        if not ready:
            if self.gone and not self.pending.get(client):
                client.complete(-1, errno.ENODEV)
            elif nodelay and self.pending.get(client):
                # libusb polls a node that is always ready and reaps again
                # at once: while a transfer hangs, answer after a pause so
                # its wait for the timeout does not spin.
                threading.Timer(IDLE_REAP, client.complete, (-1, errno.EAGAIN)).start()
            elif nodelay:
                client.complete(-1, errno.EAGAIN)
            else:
                self.reaper[client] = data
            return
        self.deliver(client, data, ready.pop(0))

    def deliver(self, client, data, urb):
        if urb.payload and urb.buffer is not None:
            room = len(bytes(urb.buffer.retrieve())) - urb.offset
            urb.buffer.update(urb.offset, urb.payload[:room])
        urb.data.update(URB_STATUS, struct.pack("<i", urb.status))
        urb.data.update(URB_ACTUAL, struct.pack("<i", urb.actual))
        data.set_ptr(0, urb.data)
        client.complete(0, 0)

    def wake(self, client):
        """Answers a blocking REAPURB waiting on `client`."""
        data = self.reaper.pop(client, None)
        if data is not None and self.ready.get(client):
            self.deliver(client, data, self.ready[client].pop(0))

    def discard(self, client, address):
        pending = self.pending.get(client, [])
        for urb in pending:
            if urb.data.client_addr == address:
                pending.remove(urb)
                urb.status = -errno.ENOENT
                self.ready.setdefault(client, []).append(urb)
                client.complete(0, 0)
                self.wake(client)
                return
        # Already completed: too late to discard.
        client.complete(-1, errno.EINVAL)
