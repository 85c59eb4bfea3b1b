# SPDX-License-Identifier: GPL-2.0
"""The kminidump_rmem locator (include/uapi/kminidump_rmem.h): build one (tests/tool/gen.py)
and read one from guest RAM (the qemu cases), following the reader's rule of the header.

Works on any object with ``read(pa, n)`` (GuestRAM, or a bytes wrapper).
"""
import struct
import zlib
from collections import namedtuple

KMD_LOC_MAGIC = b"KMDLOCAT"
KMD_LOC_VERSION = 1
KMD_LOC_SIZE = 4096
KMD_LOC_ST_LIVE = 1
KMD_LOC_ST_PANIC = 2
KMD_LOC_ST_GONE = 3
KMD_LOC_F_COPY = 0x1
KMD_LOC_F_PARTIAL = 0x2
KMD_LOC_RELEASE_LEN = 64
STATE_NAMES = {KMD_LOC_ST_LIVE: "LIVE", KMD_LOC_ST_PANIC: "PANIC", KMD_LOC_ST_GONE: "GONE"}

LOCATOR = struct.Struct("<8sIIIIIIQQQIIQIIII16s64sQQ32s")    # struct kmd_locator
assert LOCATOR.size == 216
Locator = namedtuple("Locator", "magic version hdr_size size crc seq state buf_pa buf_size "
                                "kelf_pa kelf_size table_off table_pa table_gen panic_cpu "
                                "flags boot_seq boot_id release copy_off copy_size reserved")
CRC_OFF = 20

# Checked against the C header by tests/tool/layout.py.
UAPI_STRUCTS = {"kmd_locator": (LOCATOR, Locator._fields)}


class LocatorError(Exception):
    pass


def crc(hdr):
    """CRC-32 (zlib's) of the header bytes with the crc field as zero."""
    return zlib.crc32(hdr[:CRC_OFF] + b"\0\0\0\0" + hdr[CRC_OFF + 4:]) & 0xffffffff


def build(**kw):
    """A KMD_LOC_SIZE page holding a valid locator; keyword arguments set fields."""
    f = dict(magic=KMD_LOC_MAGIC, version=KMD_LOC_VERSION, hdr_size=LOCATOR.size,
             size=KMD_LOC_SIZE, crc=0, seq=2, state=KMD_LOC_ST_LIVE, buf_pa=0,
             buf_size=KMD_LOC_SIZE, kelf_pa=0, kelf_size=0, table_off=0, table_pa=0,
             table_gen=0, panic_cpu=0, flags=0, boot_seq=1, boot_id=b"\0" * 16,
             release=b"", copy_off=0, copy_size=0, reserved=b"")
    bad_crc = kw.pop("bad_crc", False)
    f.update(kw)
    hdr = bytearray(LOCATOR.pack(*[f[n] for n in Locator._fields]))
    struct.pack_into("<I", hdr, CRC_OFF, crc(hdr) ^ (1 if bad_crc else 0))
    return bytes(hdr) + b"\0" * (KMD_LOC_SIZE - len(hdr))


def parse(hdr, pa=None):
    """Check a locator's bytes; returns a Locator or raises LocatorError."""
    if len(hdr) < LOCATOR.size:
        raise LocatorError(f"{len(hdr)} bytes, a locator has {LOCATOR.size}")
    loc = Locator(*LOCATOR.unpack_from(hdr))
    if loc.magic != KMD_LOC_MAGIC:
        raise LocatorError(f"magic {loc.magic!r}, not {KMD_LOC_MAGIC!r}")
    if loc.version != KMD_LOC_VERSION or loc.hdr_size != LOCATOR.size or \
            loc.size != KMD_LOC_SIZE:
        raise LocatorError(f"version {loc.version}, hdr_size {loc.hdr_size}, size {loc.size}")
    if crc(bytes(hdr[:LOCATOR.size])) != loc.crc:
        raise LocatorError(f"crc 0x{loc.crc:08x} does not match")
    if pa is not None and loc.buf_pa != pa:
        raise LocatorError(f"buf_pa 0x{loc.buf_pa:x}, read at 0x{pa:x}")
    return loc


def read(ram, pa, tries=100):
    """The reader's rule: a stable snapshot (seq even and unchanged); LocatorError if none."""
    last = None
    for _ in range(tries):
        hdr = ram.read(pa, LOCATOR.size)
        seq = struct.unpack_from("<I", hdr, 24)[0]
        if seq & 1:
            continue
        try:
            loc = parse(hdr, pa)
        except LocatorError as e:
            last = e
            continue
        if struct.unpack_from("<I", ram.read(pa + 24, 4))[0] == seq:
            return loc
    raise LocatorError(f"no stable locator at 0x{pa:x}: {last or 'seq stayed odd'}")


def release(loc):
    return loc.release.split(b"\0", 1)[0].decode("utf-8", "replace")
