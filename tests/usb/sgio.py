"""Linux's SCSI pass-through (SG_IO on /dev/sg0 and /dev/sr0) emulated for
umockdev: each command goes to the virtual recorder through vusb --scsi.

Layouts are those of <scsi/sg.h> and <scsi/scsi_ioctl.h> on a 64-bit
kernel; request numbers those of <scsi/sg.h>, <scsi/scsi.h> and
<linux/cdrom.h>.
"""

import errno
import struct
import sys
import threading

import bridge as vusb

SG_SET_TIMEOUT = 0x2201
SG_GET_TIMEOUT = 0x2202
SG_EMULATED_HOST = 0x2203
SG_GET_RESERVED_SIZE = 0x2272
SG_SET_RESERVED_SIZE = 0x2275
SG_GET_SCSI_ID = 0x2276
SG_GET_VERSION_NUM = 0x2282
SG_IO = 0x2285
SCSI_IOCTL_GET_IDLUN = 0x5382
SCSI_IOCTL_GET_BUS_NUMBER = 0x5386
CDROM_GET_CAPABILITY = 0x5331

# struct sg_io_hdr: interface_id, dxfer_direction, cmd_len, mx_sb_len,
# iovec_count, dxfer_len, dxferp, cmdp, sbp, timeout, flags, pack_id,
# usr_ptr, then what the driver fills in from offset 64: status,
# masked_status, msg_status, sb_len_wr, host_status, driver_status,
# resid, duration, info.
HDR = struct.Struct("<iiBBHIQQQIIiQ")
HDR_SIZE = 88
HDR_DXFERP = 16
HDR_CMDP = 24
HDR_SBP = 32
HDR_OUT = 64
OUT = struct.Struct("<BBBBHHiII")

SG_DXFER_NONE = -1
SG_DXFER_TO_DEV = -2
SG_DXFER_FROM_DEV = -3
SG_DXFER_TO_FROM_DEV = -4

DRIVER_SENSE = 0x08
SG_INFO_CHECK = 0x1

# The version the sg driver of Linux 3.x to 6.x reports (3.5.36).
SG_VERSION = 30536
# CD-R, CD-RW, multi-session, MCN, media changed, select speed, lock,
# tray, generic packets (what Linux's sr reports for a CD-RW burner).
CDROM_CAPABILITIES = 0x1 | 0x2 | 0x4 | 0x20 | 0x40 | 0x80 | 0x100 | 0x2000 | 0x4000 | 0x8000 | 0x40000


class ScsiDevice:
    """One SCSI CD/DVD device as sg and sr show it (host 0, channel 0,
    target 0, LUN 0)."""

    def __init__(self, bridge):
        self.bridge = bridge
        self.lock = threading.Lock()
        self.timeout = 60 * 100
        self.reserved = 32768
        self.failure = None

    def handle(self, _handler, client):
        try:
            with self.lock:
                self.dispatch(client)
        except vusb.BridgeGone as e:
            self.fail(client, str(e))
        except Exception as e:  # noqa: BLE001 - any failure must end the client
            self.fail(client, "SG_IO emulation failed: %r" % e)
        return True

    def fail(self, client, why):
        if self.failure is None:
            self.failure = why
            print("handler: " + why, file=sys.stderr, flush=True)
        client.abort()

    def vanished(self, _handler, _client):
        pass

    def dispatch(self, client):
        request = client.get_request()
        arg = client.get_arg()
        if request == SG_IO:
            self.sg_io(client, arg.resolve(0, HDR_SIZE))
        elif request == SG_GET_VERSION_NUM:
            arg.resolve(0, 4).update(0, struct.pack("<i", SG_VERSION))
            client.complete(0, 0)
        elif request == SG_EMULATED_HOST:
            arg.resolve(0, 4).update(0, struct.pack("<i", 0))
            client.complete(0, 0)
        elif request == SG_GET_SCSI_ID:
            # host_no, channel, scsi_id, lun, scsi_type, h_cmd_per_lun,
            # d_queue_depth, two unused ints.
            arg.resolve(0, 32).update(0, struct.pack("<iiiiihh8x", 0, 0, 0, 0, 5, 1, 1))
            client.complete(0, 0)
        elif request == SG_GET_TIMEOUT:
            client.complete(self.timeout, 0)
        elif request == SG_SET_TIMEOUT:
            (self.timeout,) = struct.unpack("<i", bytes(arg.resolve(0, 4).retrieve()))
            client.complete(0, 0)
        elif request == SG_GET_RESERVED_SIZE:
            arg.resolve(0, 4).update(0, struct.pack("<i", self.reserved))
            client.complete(0, 0)
        elif request == SG_SET_RESERVED_SIZE:
            (self.reserved,) = struct.unpack("<i", bytes(arg.resolve(0, 4).retrieve()))
            client.complete(0, 0)
        elif request == SCSI_IOCTL_GET_IDLUN:
            # dev_id: id | lun << 8 | channel << 16 | host << 24; host_unique_id.
            arg.resolve(0, 8).update(0, struct.pack("<ii", 0, 1))
            client.complete(0, 0)
        elif request == SCSI_IOCTL_GET_BUS_NUMBER:
            arg.resolve(0, 4).update(0, struct.pack("<i", 0))
            client.complete(0, 0)
        elif request == CDROM_GET_CAPABILITY:
            client.complete(CDROM_CAPABILITIES, 0)
        else:
            self.bridge.event("unknown ioctl 0x%08x on %s" % (request, client.get_devnode()))
            client.complete(-1, errno.ENOTTY)

    def sg_io(self, client, hdr):
        (interface_id, direction, cmd_len, mx_sb_len, iovec_count, dxfer_len, _dxferp, _cmdp,
         _sbp, _timeout, _flags, _pack_id, _usr) = HDR.unpack(bytes(hdr.retrieve())[:HDR.size])
        if interface_id != ord("S") or iovec_count != 0 or not 6 <= cmd_len <= 16:
            client.complete(-1, errno.EINVAL if interface_id == ord("S") else errno.ENOSYS)
            return
        cdb = bytes(hdr.resolve(HDR_CMDP, cmd_len).retrieve())
        data = hdr.resolve(HDR_DXFERP, dxfer_len) if dxfer_len > 0 else None
        data_out = b""
        data_in_len = 0
        if direction in (SG_DXFER_TO_DEV,) and data is not None:
            data_out = bytes(data.retrieve())
        elif direction in (SG_DXFER_FROM_DEV, SG_DXFER_TO_FROM_DEV):
            data_in_len = dxfer_len
        elif direction != SG_DXFER_NONE and dxfer_len > 0:
            client.complete(-1, errno.EINVAL)
            return
        code, body = self.bridge.scsi(cdb, data_out, data_in_len)
        if code != vusb.OK:
            client.complete(-1, errno.EIO)
            return
        status, sense_len = body[0], body[1]
        sense = body[2:2 + sense_len]
        data_in = body[2 + sense_len:]
        if data_in and data is not None:
            data.update(0, data_in[:dxfer_len])
        sb_len_wr = 0
        if sense and mx_sb_len > 0:
            sb_len_wr = min(len(sense), mx_sb_len)
            hdr.resolve(HDR_SBP, mx_sb_len).update(0, sense[:sb_len_wr])
        resid = data_in_len - len(data_in) if data_in_len else 0
        driver_status = DRIVER_SENSE if sb_len_wr else 0
        info = SG_INFO_CHECK if status or driver_status else 0
        hdr.update(HDR_OUT, OUT.pack(status, status >> 1, 0, sb_len_wr, 0, driver_status, resid, 0, info))
        client.complete(0, 0)
