#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Offline tests of the harness's parsers (no QEMU): guest RAM layout and
reader, KELF parsing and consistency checks on synthetic tables, cpio writer."""
import gzip
import os
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kmdqemu import kelf as K  # noqa: E402
from kmdqemu.initramfs import Cpio  # noqa: E402
from kmdqemu.ram import GuestRAM, RAMError, parse_size, ram_layout  # noqa: E402


def note(name, ntype, desc):
    nb = name.encode() + b"\0"
    return (struct.pack("<III", len(nb), len(desc), ntype) + nb + b"\0" * (-len(nb) % 4)
            + desc + b"\0" * (-len(desc) % 4))


def make_kelf(pa, rows, capacity=8, machine=62):
    """A KELF as the core module lays it out; rows: [(name, pa, size, room, state)]."""
    phoff = 64
    notes_off = (64 + capacity * 56 + 7) & ~7
    table_sz = K.TABLE.size + capacity * K.ROW.size
    rowbytes = []
    allrows = [("ELF", pa, 0, 0, K.KMD_ROW_VALID)] + rows
    allrows += [("", 0, 0, 0, K.KMD_ROW_FREE)] * (capacity - len(allrows))
    tmp_notes = note("KMINIDUMP", 1, b"\0" * table_sz) + note("VMCOREINFO", 0, b"\0" * 64)
    kelf_size = (notes_off + len(tmp_notes) + 4095) & ~4095
    phdrs = [struct.pack("<IIQQQQQQ", K.PT_NOTE, 0, notes_off, 0, 0, len(tmp_notes), 0, 0)]
    off = kelf_size
    count = 0
    for i, (name, rpa, size, room, state) in enumerate(allrows):
        flags = K.KMD_ROW_F_HEADER if i == 0 else 0
        if i == 0:
            size = room = kelf_size
        rowbytes.append(K.ROW.pack(state, i + 1 if state else 0, name.encode(), b"test",
                                   flags, 0, 0xffff000000000000 + rpa, rpa, size, room))
        if state != K.KMD_ROW_FREE:
            count += 1
        if i == 0:
            continue
        if state == K.KMD_ROW_VALID:
            phdrs.append(struct.pack("<IIQQQQQQ", K.PT_LOAD, 6, off, 0, rpa, size, size, 0))
        else:
            phdrs.append(struct.pack("<IIQQQQQQ", K.PT_NULL, 0, off if state else 0,
                                     0, 0, 0, 0, 0))
        if state != K.KMD_ROW_FREE:
            off += room
    table = K.TABLE.pack(b"KMDTABLE", K.KMD_TABLE_VERSION, K.TABLE.size, K.ROW.size,
                         capacity, 8, 0, pa, 0xffff000000000000 + pa, kelf_size, 1, 0, 1,
                         count, 0, 0)
    notes = note("KMINIDUMP", 1, table + b"".join(rowbytes)) + \
        note("VMCOREINFO", 0, b"OSRELEASE=6.1.0-test\nPAGESIZE=4096\n".ljust(64, b"\0"))
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    ehdr = K.EHDR.pack(ident, K.ET_CORE, machine, 1, 0, phoff, 0, 0, 64, 56, capacity, 0, 0, 0)
    buf = bytearray(kelf_size)
    buf[0:64] = ehdr
    buf[phoff:phoff + len(phdrs) * 56] = b"".join(phdrs)
    buf[notes_off:notes_off + len(notes)] = notes
    return bytes(buf)


class RamTest(unittest.TestCase):
    def test_layout(self):
        self.assertEqual(ram_layout("arm64", 1 << 30), [(0x40000000, 0, 1 << 30)])
        self.assertEqual(ram_layout("amd64", 1 << 30), [(0, 0, 1 << 30)])
        self.assertEqual(ram_layout("amd64", 4 << 30),
                         [(0, 0, 0xC0000000), (1 << 32, 0xC0000000, 1 << 30)])
        self.assertEqual(parse_size("1G"), 1 << 30)
        self.assertEqual(parse_size("512"), 512 << 20)

    def test_reader(self):
        with tempfile.NamedTemporaryFile(dir="/dev/shm") as f:
            f.truncate(64 << 20)
            os.pwrite(f.fileno(), b"hello", 0x123000)
            r = GuestRAM(f.name, "arm64")
            self.assertEqual(r.read(0x40123000, 5), b"hello")
            self.assertEqual(list(r.find_all(b"hello")), [0x40123000])
            self.assertEqual(list(r.find_all(b"hello", align=4096)), [0x40123000])
            self.assertRaises(RAMError, r.read, 0x3fffffff, 2)
            self.assertRaises(RAMError, r.read, 0x40000000 + (64 << 20) - 1, 2)
            r.close()


class KelfTest(unittest.TestCase):
    BASE = 0x40000000

    def ram_with(self, kelf_pa, data, size=16 << 20):
        buf = bytearray(size)
        o = kelf_pa - self.BASE
        buf[o:o + len(data)] = data
        return K.BytesRAM(bytes(buf), self.BASE)

    def test_parse_and_consistent(self):
        pa = self.BASE + 0x200000
        rows = [("banner", 0x41000000, 100, 100, K.KMD_ROW_VALID),
                ("busy", 0x41001000, 0, 4096, K.KMD_ROW_BUSY),
                ("prb", 0x41002000, 64, 64, K.KMD_ROW_VALID)]
        ram = self.ram_with(pa, make_kelf(pa, rows))
        k = K.find_kelf(ram)
        self.assertEqual(k.pa, pa)
        self.assertEqual(k.machine, "x86_64")
        self.assertEqual([r.name for r in k.live_rows()], ["ELF", "banner", "prb"])
        self.assertEqual(k.vmcoreinfo["OSRELEASE"], "6.1.0-test")
        self.assertEqual(k.check(), [])
        self.assertEqual(k.row("prb").pa, 0x41002000)

    def test_torn_row(self):
        pa = self.BASE + 0x200000
        rows = [("banner", 0x41000000, 100, 100, K.KMD_ROW_VALID)]
        data = bytearray(make_kelf(pa, rows))
        # phdr[1].p_paddr points elsewhere: the row is torn
        struct.pack_into("<Q", data, 64 + 56 + 24, 0x41009000)
        k = K.Kelf(self.ram_with(pa, bytes(data)), pa)
        self.assertTrue(any("torn" in p for p in k.check()), k.check())

    def test_overlap_and_offsets(self):
        pa = self.BASE + 0x200000
        rows = [("a", 0x41000000, 100, 100, K.KMD_ROW_VALID),
                ("b", 0x41001000, 100, 100, K.KMD_ROW_VALID)]
        data = bytearray(make_kelf(pa, rows))
        off_a = struct.unpack_from("<Q", data, 64 + 56 + 8)[0]
        struct.pack_into("<Q", data, 64 + 2 * 56 + 8, off_a + 50)    # b starts inside a
        k = K.Kelf(self.ram_with(pa, bytes(data)), pa)
        probs = k.check()
        self.assertTrue(any("overlaps" in p for p in probs), probs)
        self.assertTrue(any("p_offset" in p for p in probs), probs)
        self.assertTrue(any("overlaps" in p for p in k.check(strict=False)))

    def test_not_kelf(self):
        pa = self.BASE + 0x200000
        data = bytearray(make_kelf(pa, []))
        data[64 + 56 * 8 + 12:64 + 56 * 8 + 21] = b"NOTMINIDU"
        ram = self.ram_with(pa, bytes(data))
        self.assertEqual(K.find_kelfs(ram), [])
        self.assertRaises(K.KelfError, K.find_kelf, ram)


class ConsoleTest(unittest.TestCase):
    def test_kernel_reports(self):
        from kmdqemu.vm import KERNEL_REPORT
        text = ("[    1.000000] Run /init as init process\n"
                "[   12.345678] BUG: sleeping function called from invalid context at x\n"
                "[    3.100000] kminidump: WARNING: not a kernel report\n"
                "[    3.200000] WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x1/0x2\n"
                "[    4.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n"
                "[    5.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
                "[    5.100000] Unable to handle kernel NULL pointer dereference\n")
        self.assertEqual(len(KERNEL_REPORT.findall(text)), 5)
        self.assertIsNone(KERNEL_REPORT.search("[    1.0] kminidump: table of 201 rows\n"))


class CpioTest(unittest.TestCase):
    def test_roundtrip(self):
        c = Cpio()
        c.chardev("dev/console", 5, 1)
        c.file("kmd/a.txt", b"abc")
        c.symlink("bin/sh", "busybox")
        data = gzip.compress(c.finish())
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run(["cpio", "-t", "-v"], input=gzip.decompress(data),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d)
            out = r.stdout.decode()
            self.assertIn("kmd/a.txt", out)
            self.assertIn("dev/console", out)
            self.assertIn("bin/sh -> busybox", out)


class MissingRegionsTest(unittest.TestCase):
    """tests/missing-regions.conf parses; a malformed line is an error, not no line."""

    def setUp(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "regions_check", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          "hostchecks", "regions.py"))
        self.m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.m)

    def test_conf(self):
        lines = self.m._load_conf()
        self.assertTrue(any(c[3] == "config" and c[1] == "amd64-*" for c in lines))
        self.assertTrue(any(c[3] == "vmcoreinfo" and c[1] == "arm64-gki*" for c in lines))

    def test_bad_lines(self):
        for text in ("arm64-6.1 config\n", "arm65-6.1 config why\n",
                     "arm64-6.1:nokprobe config why\n"):
            with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
                f.write(text)
                f.flush()
                with self.assertRaises(ValueError):
                    self.m._load_conf(f.name)


if __name__ == "__main__":
    unittest.main(verbosity=1)
