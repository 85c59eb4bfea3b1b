# SPDX-License-Identifier: GPL-2.0
"""A small synchronous QMP client over a unix socket.

Events that arrive while a command waits for its answer are queued in
``events``; ``poll_events()`` reads whatever is pending without blocking, so
the VM's event loop can select() on ``fileno()``.
"""
import json
import os
import socket
import time


class QMPError(Exception):
    """QEMU answered a command with an error, or the connection broke."""


class QMP:
    def __init__(self, path, connect_timeout=10.0):
        self.path = path
        self.events = []
        self._buf = b""
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QMPError(f"cannot connect to QMP socket {path}")
                time.sleep(0.02)
        greeting = self._read_msg(timeout=connect_timeout)
        if "QMP" not in greeting:
            raise QMPError(f"unexpected QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _read_msg(self, timeout=None):
        """Return the next JSON message (event or answer), blocking up to timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if left == 0.0:
                raise QMPError("QMP timeout")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise QMPError("QMP timeout") from None
            except OSError as e:
                raise QMPError(f"QMP connection: {e}") from None
            if not data:
                raise QMPError("QMP connection closed by QEMU")
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def poll_events(self):
        """Read pending messages without blocking; return the new events."""
        new = []
        self.sock.setblocking(False)
        try:
            while True:
                try:
                    data = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if not data:
                    break
                self._buf += data
        except OSError:
            pass
        finally:
            self.sock.setblocking(True)
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" in msg:
                self.events.append(msg)
                new.append(msg)
        return new

    def cmd(self, execute, timeout=60.0, **arguments):
        """Run one command; return its "return" value or raise QMPError."""
        req = {"execute": execute}
        if arguments:
            req["arguments"] = arguments
        try:
            self.sock.sendall(json.dumps(req).encode() + b"\n")
        except OSError as e:
            raise QMPError(f"QMP send {execute}: {e}") from None
        while True:
            msg = self._read_msg(timeout=timeout)
            if "event" in msg:
                self.events.append(msg)
                continue
            if "error" in msg:
                raise QMPError(f"{execute}: {msg['error'].get('desc', msg['error'])}")
            if "return" in msg:
                return msg["return"]

    # Convenience wrappers for the commands the harness uses.
    def query_status(self):
        """{'status': 'running'|'paused'|'shutdown'|..., 'running': bool}"""
        return self.cmd("query-status")

    def stop(self):
        return self.cmd("stop")

    def cont(self):
        return self.cmd("cont")

    def quit(self):
        try:
            return self.cmd("quit", timeout=5.0)
        except QMPError:
            return None     # QEMU closes the socket as it exits

    def pmemsave(self, pa, size, path):
        """Save guest physical memory [pa, pa + size) to a host file."""
        return self.cmd("pmemsave", val=pa, size=size, filename=os.path.abspath(path))

    def dump_guest_memory(self, path, paging=False, fmt="elf", timeout=600.0):
        """Write an ELF (or kdump-zlib) dump of the whole guest; synchronous."""
        args = {"paging": paging, "protocol": "file:" + os.path.abspath(path)}
        if fmt != "elf":
            args["format"] = fmt
        return self.cmd("dump-guest-memory", timeout=timeout, **args)
