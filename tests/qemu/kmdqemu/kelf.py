# SPDX-License-Identifier: GPL-2.0
"""Find and parse kminidump's KELF (the in-RAM ELF core header) from guest RAM.

Layout: include/uapi/kminidump.h. KELF is one physically contiguous buffer:
Elf64_Ehdr, Elf64_Phdr[capacity] ([0] PT_NOTE, [i] row i), then the notes
"KMINIDUMP"/KMD_NT_TABLE (struct kmd_table + struct kmd_row[capacity]),
"CORE"/NT_PRPSINFO, "CORE"/NT_PRSTATUS per CPU, "VMCOREINFO".

Works on any object with ``read(pa, n)`` (GuestRAM, or a bytes wrapper).
"""
import struct
from collections import namedtuple

PAGE = 4096
ELFMAG = b"\x7fELF"
ET_CORE = 4
PT_NULL, PT_LOAD, PT_NOTE = 0, 1, 4
EM = {62: "x86_64", 183: "aarch64"}

KMD_NOTE_NAME = "KMINIDUMP"
KMD_NT_TABLE = 1
KMD_TABLE_MAGIC = b"KMDTABLE"
KMD_TABLE_VERSION = 2
KMD_TABLE_F_LIVE = 0x1
KMD_TABLE_F_PANIC = 0x2
KMD_ROW_FREE = 0x00000000
KMD_ROW_VALID = 0x56414C49     # "VALI"
KMD_ROW_BUSY = 0x59535542      # "BUSY"
KMD_ROW_F_HEADER = 0x1
KMD_ROW_F_MOVABLE = 0x2
KMD_ROW_F_PANIC = 0x4
KMD_ROW_F_BYPA = 0x8
KMD_ROW_F_PARKED = 0x10
KMD_NAME_LEN = 16
KMD_OWNER_LEN = 16
KMD_VMCOREINFO_ROOM = 8192
KMD_DEFAULT_CAPACITY = 201
KMD_MAX_CAPACITY = 4096
STATE_NAMES = {KMD_ROW_FREE: "FREE", KMD_ROW_VALID: "VALID", KMD_ROW_BUSY: "BUSY"}

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")       # 64 bytes
PHDR = struct.Struct("<IIQQQQQQ")               # 56 bytes
NHDR = struct.Struct("<III")
TABLE = struct.Struct("<8sIIIIIIQQIIIIIIQ")     # struct kmd_table, 80 bytes
ROW = struct.Struct("<II16s16sIIQQQQ")          # struct kmd_row, 80 bytes
assert EHDR.size == 64 and PHDR.size == 56 and TABLE.size == 80 and ROW.size == 80

Ehdr = namedtuple("Ehdr", "ident type machine version entry phoff shoff flags ehsize "
                          "phentsize phnum shentsize shnum shstrndx")
Phdr = namedtuple("Phdr", "type flags offset vaddr paddr filesz memsz align")
Table = namedtuple("Table", "magic version hdr_size row_size capacity gen writers kelf_pa "
                            "kelf_va kelf_size flags panic_cpu nr_cpus count reserved0 "
                            "reserved1")
Note = namedtuple("Note", "name type desc desc_pa")


class Row(namedtuple("Row", "index state id name owner flags piece va pa size room")):
    @property
    def state_name(self):
        return STATE_NAMES.get(self.state, f"0x{self.state:08x}")

    @property
    def is_free(self):
        return self.state == KMD_ROW_FREE

    @property
    def is_valid(self):
        return self.state == KMD_ROW_VALID

    @property
    def is_parked(self):
        """Reserved for a panic capture, not moved: VALID, no PT_LOAD, no room."""
        return self.state == KMD_ROW_VALID and bool(self.flags & KMD_ROW_F_PARKED)


# The Python spelling of every struct of include/uapi/kminidump.h: tests/tool/layout.py
# compares each field's offset and size, and every KMD_* constant above, with what the C
# compiler says (a uapi change that is not made here too fails the tool tests).
UAPI_STRUCTS = {
    "kmd_table": (TABLE, Table._fields),
    "kmd_row": (ROW, Row._fields[1:]),       # Row._fields[0] is the index, not stored
}


class KelfError(Exception):
    pass


def _cstr(b):
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def _notes(buf, base_pa):
    notes, off = [], 0
    while off + NHDR.size <= len(buf):
        namesz, descsz, ntype = NHDR.unpack_from(buf, off)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break
        name_off = off + NHDR.size
        desc_off = name_off + ((namesz + 3) & ~3)
        end = desc_off + ((descsz + 3) & ~3)
        if end > len(buf):
            raise KelfError(f"note at +0x{off:x} runs past PT_NOTE ({end} > {len(buf)})")
        notes.append(Note(_cstr(buf[name_off:name_off + namesz]), ntype,
                          buf[desc_off:desc_off + descsz], base_pa + desc_off))
        off = end
    return notes


def looks_like_kelf(ram, pa):
    """Cheap test: ELF64 LE ET_CORE header whose PT_NOTE starts with a KMINIDUMP note."""
    try:
        e = Ehdr(*EHDR.unpack(ram.read(pa, EHDR.size)))
        if e.ident[:4] != ELFMAG or e.ident[4] != 2 or e.ident[5] != 1:
            return False
        if e.type != ET_CORE or e.phentsize != PHDR.size or e.phnum < 1 or e.phoff != 64:
            return False
        p0 = Phdr(*PHDR.unpack(ram.read(pa + e.phoff, PHDR.size)))
        if p0.type != PT_NOTE or p0.offset > (64 << 20):
            return False
        namesz, _, ntype = NHDR.unpack(ram.read(pa + p0.offset, NHDR.size))
        name = ram.read(pa + p0.offset + NHDR.size, namesz)
        return namesz == len(KMD_NOTE_NAME) + 1 and _cstr(name) == KMD_NOTE_NAME \
            and ntype == KMD_NT_TABLE
    except Exception:
        return False


class Kelf:
    """One parsed KELF. Attributes: pa, ehdr, phdrs, table, rows, notes, vmcoreinfo."""

    def __init__(self, ram, pa):
        self.ram = ram
        self.pa = pa
        if not looks_like_kelf(ram, pa):
            raise KelfError(f"no KELF at PA 0x{pa:x}")
        self.ehdr = Ehdr(*EHDR.unpack(ram.read(pa, EHDR.size)))
        e = self.ehdr
        raw = ram.read(pa + e.phoff, e.phnum * PHDR.size)
        self.phdrs = [Phdr(*PHDR.unpack_from(raw, i * PHDR.size)) for i in range(e.phnum)]
        p0 = self.phdrs[0]
        self.notes = _notes(ram.read(pa + p0.offset, p0.filesz), pa + p0.offset)
        first = self.notes[0]
        if len(first.desc) < TABLE.size:
            raise KelfError(f"KMINIDUMP note too short ({len(first.desc)} bytes)")
        self.table = Table(*TABLE.unpack_from(first.desc, 0))
        t = self.table
        if t.magic != KMD_TABLE_MAGIC:
            raise KelfError(f"table magic {t.magic!r}, expected {KMD_TABLE_MAGIC!r}")
        if t.row_size != ROW.size or t.hdr_size != TABLE.size:
            raise KelfError(f"table hdr_size/row_size {t.hdr_size}/{t.row_size}, "
                            f"this parser knows {TABLE.size}/{ROW.size}")
        need = t.hdr_size + t.capacity * t.row_size
        if len(first.desc) < need:
            raise KelfError(f"KMINIDUMP note holds {len(first.desc)} bytes, "
                            f"capacity {t.capacity} needs {need}")
        self.rows = []
        for i in range(t.capacity):
            f = ROW.unpack_from(first.desc, t.hdr_size + i * t.row_size)
            self.rows.append(Row(i, f[0], f[1], _cstr(f[2]), _cstr(f[3]), *f[4:]))
        self.vmcoreinfo_text = ""
        self.prstatus = []
        self.prpsinfo = None
        for n in self.notes[1:]:
            if n.name == "VMCOREINFO":
                self.vmcoreinfo_text = _cstr(n.desc)
            elif n.name == "CORE" and n.type == 1:
                self.prstatus.append(n)
            elif n.name == "CORE" and n.type == 3:
                self.prpsinfo = n

    @property
    def machine(self):
        return EM.get(self.ehdr.machine, str(self.ehdr.machine))

    @property
    def vmcoreinfo(self):
        """VMCOREINFO as a dict (KEY -> value string)."""
        d = {}
        for line in self.vmcoreinfo_text.splitlines():
            k, sep, v = line.partition("=")
            if sep:
                d[k] = v
        return d

    def live_rows(self):
        """Rows a collector would take: state VALID and not parked (row 0 included)."""
        return [r for r in self.rows if r.is_valid and not r.is_parked]

    def parked_rows(self):
        """Capture rows reserved and not moved: listed, but in no program header."""
        return [r for r in self.rows if r.is_parked]

    def row(self, name):
        """The first non-free row named name, or None."""
        for r in self.rows:
            if not r.is_free and r.name == name:
                return r
        return None

    def region_rows(self, name):
        """Every piece of region name, in piece order."""
        return sorted((r for r in self.rows if not r.is_free and r.name == name),
                      key=lambda r: r.piece)

    def read_row(self, row):
        """The bytes a collector would dump for a row (size bytes at its PA)."""
        return self.ram.read(row.pa, row.size)

    def read_region(self, name):
        """The concatenated pieces of a region, or None if it is absent."""
        rows = self.region_rows(name)
        if not rows:
            return None
        return b"".join(self.read_row(r) for r in rows)

    def stable(self):
        """The generation rule (docs/format.md) on this instant: no writer was inside."""
        return not self.table.gen & 1

    def in_flight(self):
        """Rows a writer is changing at this instant, which a collector skips: BUSY, or
        whose state and program header disagree (VALID without PT_LOAD, or FREE with it)."""
        return [r for r in self.rows[1:]
                if r.state == KMD_ROW_BUSY
                or (r.is_valid and not r.is_parked) != (self.phdrs[r.index].type == PT_LOAD)]

    def collected(self):
        """(pa, size) of the rows a collector takes (uapi rule): VALID, and a PT_LOAD
        program header with the same physical address; row 0 (the KELF) excluded."""
        return [(r.pa, r.size) for r in self.rows[1:]
                if r.is_valid and self.phdrs[r.index].type == PT_LOAD
                and self.phdrs[r.index].paddr == r.pa]

    def check(self, strict=True):
        """Consistency problems, as a list of strings (empty: consistent).

        Always: table header sane, row 0 is the header, every VALID row i >= 1
        has a PT_LOAD program header with the same pa and size, size <= room,
        and the file ranges [p_offset, p_offset + room) of non-free rows do
        not overlap each other or KELF. strict (the guest is quiescent, e.g.
        stopped outside a table update): also PT_LOAD only for VALID rows and
        p_offset equal to kelf_size plus the room of every non-free row before.
        """
        p, t, e = [], self.table, self.ehdr
        if t.version != KMD_TABLE_VERSION:
            p.append(f"table version {t.version}, expected {KMD_TABLE_VERSION}")
        if t.capacity != e.phnum:
            p.append(f"capacity {t.capacity} != e_phnum {e.phnum}")
        if (t.gen & 1) != (t.writers != 0):
            p.append(f"gen {t.gen} with {t.writers} writers inside: gen is odd exactly "
                     "while a writer is inside (docs/format.md)")
        if strict and t.writers:
            p.append(f"{t.writers} writers inside a quiescent table (gen {t.gen})")
        if t.kelf_pa != self.pa:
            p.append(f"kelf_pa 0x{t.kelf_pa:x} but KELF found at 0x{self.pa:x}")
        if t.kelf_size % PAGE or t.kelf_size < self.phdrs[0].offset + self.phdrs[0].filesz:
            p.append(f"kelf_size {t.kelf_size} is not whole pages covering the notes")
        r0 = self.rows[0]
        if not r0.is_valid or not r0.flags & KMD_ROW_F_HEADER or r0.name != "ELF":
            p.append(f"row 0 is not the header: state {r0.state_name} flags 0x{r0.flags:x} "
                     f"name {r0.name!r}")
        if r0.pa != self.pa or r0.size != t.kelf_size:
            p.append(f"row 0 pa/size 0x{r0.pa:x}/{r0.size} != KELF 0x{self.pa:x}/{t.kelf_size}")
        nonfree = 0
        expect_off = t.kelf_size
        spans = []
        for r in self.rows[1:]:
            ph = self.phdrs[r.index]
            if r.state not in STATE_NAMES:
                p.append(f"row {r.index}: unknown state 0x{r.state:08x}")
                continue
            if r.is_parked:
                if ph.type != PT_NULL or r.room:
                    p.append(f"row {r.index} ({r.name}) is parked but has phdr type {ph.type} "
                             f"and room {r.room}: a parked row has no PT_LOAD and no room")
            elif r.is_valid:
                # the phdr goes PT_NULL just before the row goes BUSY (update, removal):
                # a collector skips a row whose two halves disagree; only a quiescent
                # table must have them agree
                if ph.type != PT_LOAD:
                    if strict or ph.type != PT_NULL:
                        p.append(f"row {r.index} ({r.name}) is VALID but its phdr type is {ph.type}")
                elif ph.paddr != r.pa or ph.filesz != r.size or ph.memsz != r.size:
                    p.append(f"row {r.index} ({r.name}) torn: row pa 0x{r.pa:x} size {r.size}, "
                             f"phdr paddr 0x{ph.paddr:x} filesz {ph.filesz} memsz {ph.memsz}")
                if r.size > r.room:
                    p.append(f"row {r.index} ({r.name}) size {r.size} > room {r.room}")
            elif strict and ph.type == PT_LOAD:
                p.append(f"row {r.index} is {r.state_name} but its phdr is PT_LOAD")
            if r.is_free:
                continue
            nonfree += 1
            if strict and ph.offset != expect_off:
                p.append(f"row {r.index} ({r.name}) p_offset {ph.offset}, expected {expect_off}")
            expect_off += r.room
            if r.room:     # a row being removed gives up its room first
                spans.append((ph.offset, ph.offset + r.room, r.index))
        spans.sort()
        last_end, last_i = t.kelf_size, 0
        for start, end, i in spans:
            if start < last_end:
                p.append(f"row {i} file range [{start}, {end}) overlaps row {last_i}")
            if end > last_end:
                last_end, last_i = end, i
        if strict and t.count != nonfree + 1:
            p.append(f"table count {t.count} != {nonfree + 1} non-free rows")
        return p

    def describe(self):
        t = self.table
        lines = [f"KELF at PA 0x{self.pa:x}: {self.machine}, capacity {t.capacity}, count "
                 f"{t.count}, gen {t.gen}, kelf_size {t.kelf_size}, flags 0x{t.flags:x}, "
                 f"nr_cpus {t.nr_cpus}"]
        for r in self.rows:
            if not r.is_free:
                lines.append(f"  {r.index:4} {r.id:6} {r.name:<15} va 0x{r.va:016x} pa "
                             f"0x{r.pa:016x} size {r.size:>10} room {r.room:>10} "
                             f"{r.state_name} flags 0x{r.flags:x} {r.owner}")
        return "\n".join(lines)


def find_kelfs(ram, hint_pa=None):
    """Every KELF in guest RAM (page-aligned ELF ET_CORE with a KMINIDUMP first note)."""
    if hint_pa is not None and looks_like_kelf(ram, hint_pa):
        return [Kelf(ram, hint_pa)]
    found = []
    for pa in ram.find_all(ELFMAG + b"\x02\x01\x01", align=PAGE):
        if looks_like_kelf(ram, pa):
            try:
                found.append(Kelf(ram, pa))
            except KelfError:
                pass
    return found


def find_kelf(ram, hint_pa=None):
    """The one KELF in guest RAM; KelfError if there is none or several."""
    found = find_kelfs(ram, hint_pa)
    if not found:
        raise KelfError("no KELF in guest RAM" +
                        (f" (nothing at the hinted PA 0x{hint_pa:x} either)"
                         if hint_pa is not None else ""))
    if len(found) > 1:
        raise KelfError("several KELFs in guest RAM at " +
                        ", ".join(f"0x{k.pa:x}" for k in found))
    return found[0]


class BytesRAM:
    """read(pa, n) over a bytes object at a base PA (for pmemsave output and unit tests)."""

    def __init__(self, data, base=0):
        self.data, self.base = data, base

    def read(self, pa, n):
        o = pa - self.base
        if o < 0 or o + n > len(self.data):
            raise KelfError(f"PA 0x{pa:x}+{n} outside the buffer")
        return bytes(self.data[o:o + n])

    def find_all(self, needle, align=1, start_pa=None):
        pos = 0
        while True:
            i = self.data.find(needle, pos)
            if i < 0:
                return
            if (self.base + i) % align == 0:
                yield self.base + i
            pos = i + 1
