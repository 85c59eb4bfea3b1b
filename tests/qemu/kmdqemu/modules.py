# SPDX-License-Identifier: GPL-2.0
"""kminidump_kernel's table of the loaded modules (include/uapi/kminidump_modules.h):
the row "kmods" that VMCOREINFO KMINIDUMP_MODULES= points at. Python spelling for
tests/tool/layout.py, and a reader of the table's bytes.

    from kmdqemu import modules
    for e in modules.parse(data): e.name, hex(e.text), e.num_symtab
"""
import collections
import struct

KMD_MODS_MAGIC = b"KMDMODS1"
KMD_MODS_VERSION = 1
KMD_MOD_NAME_LEN = 56
KMD_MOD_ST_FREE = 0
KMD_MOD_ST_BUSY = 1
KMD_MOD_ST_VALID = 2

MODS = struct.Struct("<8sIIII")                     # struct kmd_mods, 24 bytes
ENTRY = struct.Struct("<IIQQQIIQQII56s")            # struct kmd_mod_entry, 120 bytes

MODS_FIELDS = ("magic", "version", "capacity", "entry_size", "dropped")
ENTRY_FIELDS = ("state", "num_symtab", "module", "text", "data", "text_size", "data_size",
                "symtab", "strtab", "strtab_size", "reserved", "name")

UAPI_STRUCTS = {
    "kmd_mods": (MODS, MODS_FIELDS),
    "kmd_mod_entry": (ENTRY, ENTRY_FIELDS),
}

Entry = collections.namedtuple("Entry", ENTRY_FIELDS)


def parse(data):
    """The valid entries of a table's bytes; ValueError when the header is not one."""
    magic, version, capacity, esize, _ = MODS.unpack_from(data)
    if magic != KMD_MODS_MAGIC or version != KMD_MODS_VERSION or esize != ENTRY.size:
        raise ValueError(f"not a module table: {magic!r} v{version} entry size {esize}")
    out = []
    for i in range(min(capacity, (len(data) - MODS.size) // ENTRY.size)):
        e = Entry(*ENTRY.unpack_from(data, MODS.size + i * ENTRY.size))
        if e.state == KMD_MOD_ST_VALID:
            out.append(e._replace(name=e.name.split(b"\0", 1)[0].decode("ascii", "replace")))
    return out
