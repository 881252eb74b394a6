"""The client side of vusb's pipe protocol (tests/src/bin/vusb.rs).

Each request is a frame (code byte, u32 little-endian length, payload);
each reply one too. A bridge that ends or breaks the pipe raises
BridgeGone, so the handler can stop the program under test instead of
leaving it waiting for a transfer that never completes.
"""

import struct
import subprocess
import threading

OK, STALL, PENDING, OVERFLOW, GONE, REFUSED = range(6)


class BridgeGone(Exception):
    """vusb ended or its pipe broke."""


class Bridge:
    """One vusb process: the virtual recorder behind one emulated device."""

    def __init__(self, argv):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.lock = threading.Lock()

    def request(self, code, payload=b""):
        """Sends one request; returns (reply code, payload)."""
        with self.lock:
            try:
                self.proc.stdin.write(struct.pack("<cI", code, len(payload)) + payload)
                self.proc.stdin.flush()
                head = self._read(5)
                reply, length = struct.unpack("<BI", head)
                body = self._read(length)
            except (BrokenPipeError, OSError) as e:
                raise BridgeGone(self._why(str(e))) from e
        if reply == REFUSED:
            raise BridgeGone(self._why("refused: " + body.decode(errors="replace")))
        return reply, body

    def _read(self, n):
        data = self.proc.stdout.read(n)
        if data is None or len(data) != n:
            raise BridgeGone(self._why("its pipe ended"))
        return data

    def _why(self, what):
        code = self.proc.poll()
        state = "still running" if code is None else "exit status %d" % code
        return "vusb (%s) failed: %s (%s)" % (" ".join(self.argv), what, state)

    def control(self, setup):
        return self.request(b"C", setup)

    def bulk_out(self, data):
        return self.request(b"O", data)

    def bulk_in(self, length):
        return self.request(b"I", struct.pack("<I", length))

    def scsi(self, cdb, data_out, data_in_len):
        return self.request(b"S", struct.pack("<IB", data_in_len, len(cdb)) + cdb + data_out)

    def event(self, line):
        self.request(b"E", line.encode())

    def close(self, timeout=30):
        """Asks vusb to save the disc and end; returns its exit status."""
        if self.proc.poll() is None:
            try:
                with self.lock:
                    self.proc.stdin.write(struct.pack("<cI", b"Q", 0))
                    self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
