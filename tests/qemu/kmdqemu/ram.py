# SPDX-License-Identifier: GPL-2.0
"""Guest physical memory, read straight from QEMU's memory-backend-file.

The guest's RAM is one file under /dev/shm (``-object memory-backend-file,
share=on``), so the host sees every store the guest makes, while it runs or
after it stopped, without QMP. This module maps guest physical addresses to
offsets in that file for the machines the harness uses:

  x86 ``pc``:   RAM below 4 GiB at PA 0 (up to 3 GiB when the guest has 3.5 GiB
                or more), the rest from PA 4 GiB; the file holds low RAM first
  x86 ``q35``:  the same with a 2 GiB split above 2.75 GiB of RAM
  arm64 ``virt``: one bank at PA 0x40000000
"""
import os

GiB = 1 << 30


def parse_size(s):
    """'1G', '512M', '1024' (MiB, as QEMU's -m) or an int of bytes -> bytes."""
    if isinstance(s, int):
        return s
    s = str(s).strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if s and s[-1] == "B":
        s = s[:-1]
    if s and s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s) << 20


def ram_layout(arch, ram_size, machine=None):
    """List of (pa, file_offset, size) banks for a guest of ram_size bytes."""
    if arch == "arm64":
        return [(0x40000000, 0, ram_size)]
    machine = machine or "pc"
    if machine.startswith("q35"):
        lowmem = 0x80000000 if ram_size >= 0xB0000000 else ram_size
    else:
        lowmem = 0xC0000000 if ram_size >= 0xE0000000 else ram_size
    lowmem = min(lowmem, ram_size)
    banks = [(0, 0, lowmem)]
    if ram_size > lowmem:
        banks.append((4 * GiB, lowmem, ram_size - lowmem))
    return banks


class RAMError(Exception):
    pass


class GuestRAM:
    """Read (and optionally write) guest physical memory through the backend file.

    Reads use pread(2): faulting the file into this process's page tables while
    QEMU runs costs about 1 s per GiB, copying it costs a quarter of that.
    """

    CHUNK = 32 << 20

    def __init__(self, path, arch, ram_size=None, machine=None, writable=False):
        self.path = path
        self.arch = arch
        self.fd = os.open(path, os.O_RDWR if writable else os.O_RDONLY)
        self.size = ram_size or os.fstat(self.fd).st_size
        self.banks = ram_layout(arch, self.size, machine)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def offset(self, pa, n=1):
        """File offset of guest PA; the n bytes from it must lie in one bank."""
        for base, off, size in self.banks:
            if base <= pa and pa + n <= base + size:
                return off + (pa - base)
        raise RAMError(f"PA 0x{pa:x}+{n:#x} is not guest RAM "
                       f"(banks: {', '.join(f'0x{b:x}-0x{b + s:x}' for b, _, s in self.banks)})")

    def pa_of(self, offset):
        """Guest PA of a file offset."""
        for base, off, size in self.banks:
            if off <= offset < off + size:
                return base + (offset - off)
        raise RAMError(f"file offset 0x{offset:x} is outside guest RAM")

    def is_ram(self, pa, n=1):
        try:
            self.offset(pa, n)
            return True
        except RAMError:
            return False

    def read(self, pa, n):
        """n bytes of guest RAM at physical address pa."""
        if n < 0:
            raise RAMError(f"negative read size {n}")
        out = []
        while n:
            for base, off, size in self.banks:
                if base <= pa < base + size:
                    k = min(n, base + size - pa)
                    data = os.pread(self.fd, k, off + pa - base)
                    if len(data) != k:
                        raise RAMError(f"short read at PA 0x{pa:x} ({len(data)} of {k})")
                    out.append(data)
                    pa += k
                    n -= k
                    break
            else:
                raise RAMError(f"PA 0x{pa:x} is not guest RAM")
        return b"".join(out)

    def write(self, pa, data):
        """Store bytes into guest RAM (only with writable=True)."""
        os.pwrite(self.fd, data, self.offset(pa, len(data)))

    def u32(self, pa):
        return int.from_bytes(self.read(pa, 4), "little")

    def u64(self, pa):
        return int.from_bytes(self.read(pa, 8), "little")

    def cstr(self, pa, maxlen=4096):
        return self.read(pa, maxlen).split(b"\0", 1)[0].decode("utf-8", "replace")

    def _chunks(self, start, end, overlap=0):
        buf = bytearray(self.CHUNK)
        pos = start
        while pos < end:
            k = os.preadv(self.fd, [memoryview(buf)[:min(self.CHUNK, end - pos)]], pos)
            if k <= 0:
                return
            yield pos, memoryview(buf)[:k]
            if pos + k >= end:
                return
            pos += max(k - overlap, 1)

    def find_all(self, needle, align=1, start_pa=None):
        """Yield every PA where needle starts (at a multiple of align), in order."""
        for base, off, size in self.banks:
            start = off
            if start_pa is not None and start_pa > base:
                start = off + ((start_pa - base + align - 1) // align) * align
            if start >= off + size:
                continue
            last = -1
            for pos, chunk in self._chunks(start, off + size,
                                           0 if align >= 64 else len(needle) - 1):
                if align >= 64:
                    # one byte per aligned slot, then look closer where it matches
                    firsts = bytes(chunk[::align])
                    j = firsts.find(needle[:1])
                    while j >= 0:
                        o = j * align
                        if bytes(chunk[o:o + len(needle)]) == needle and pos + o > last:
                            last = pos + o
                            yield base + (pos + o - off)
                        j = firsts.find(needle[:1], j + 1)
                    continue
                data = bytes(chunk)
                i = data.find(needle)
                while i >= 0:
                    if (pos + i - off) % align == 0 and pos + i > last:
                        last = pos + i
                        yield base + (pos + i - off)
                    i = data.find(needle, i + 1)
