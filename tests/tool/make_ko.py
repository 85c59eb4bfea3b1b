#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a small kernel-module-like ELF relocatable file (x86_64, ET_REL) with
known sections and symbols, for `kminidump info --module` tests.

Usage: make_ko.py OUT.ko

Sections: .text (0x400 bytes, executable), .init.text (0x100, executable),
.data (0x100); symbols: kmd_fake_helper .text+0 (0x40), kmd_fake_write
.text+0x200 (0x80), kmd_fake_init .init.text+0 (0x20), kmd_fake_flag .data+0x10
(an object, 8 bytes), plus a FILE and a SECTION symbol that must be ignored.
"""
import struct
import sys

SECTIONS = [  # name, type, flags, size
    ('.text', 1, 0x6, 0x400),        # SHT_PROGBITS, SHF_ALLOC|SHF_EXECINSTR
    ('.init.text', 1, 0x6, 0x100),
    ('.data', 1, 0x3, 0x100),        # SHF_WRITE|SHF_ALLOC
]
SYMBOLS = [  # name, type (STT_*), section index (1-based in SECTIONS), value, size
    ('kmd_fake.c', 4, 0xfff1, 0, 0),  # STT_FILE, SHN_ABS
    ('', 3, 1, 0, 0),                 # STT_SECTION .text
    ('kmd_fake_helper', 2, 1, 0x0, 0x40),
    ('kmd_fake_write', 2, 1, 0x200, 0x80),
    ('kmd_fake_init', 2, 2, 0x0, 0x20),
    ('kmd_fake_flag', 1, 3, 0x10, 8),
]


def main(out):
    strtab = b'\0'
    names = []
    for name, *_ in SYMBOLS:
        names.append(len(strtab) if name else 0)
        if name:
            strtab += name.encode() + b'\0'
    symtab = bytes(24)
    for (name, typ, shndx, value, size), off in zip(SYMBOLS, names):
        bind = 0 if typ in (3, 4) else 1
        symtab += struct.pack('<IBBHQQ', off, bind << 4 | typ, 0, shndx, value, size)
    shnames = [s[0] for s in SECTIONS] + ['.symtab', '.strtab', '.shstrtab']
    shstrtab = b'\0'
    shname_off = []
    for n in shnames:
        shname_off.append(len(shstrtab))
        shstrtab += n.encode() + b'\0'
    body = bytearray()
    offs = []
    for _, _, _, size in SECTIONS:
        offs.append(64 + len(body))
        body += bytes(size)
    for blob in (symtab, strtab, shstrtab):
        offs.append(64 + len(body))
        body += blob + bytes(-len(blob) % 8)
    shoff = 64 + len(body)
    nsec = len(SECTIONS)
    shdrs = bytes(64)
    for i, (name, typ, flags, size) in enumerate(SECTIONS):
        shdrs += struct.pack('<IIQQQQIIQQ', shname_off[i], typ, flags, 0, offs[i], size,
                             0, 0, 16, 0)
    first_global = sum(1 for s in SYMBOLS if s[1] in (3, 4)) + 1
    shdrs += struct.pack('<IIQQQQIIQQ', shname_off[nsec], 2, 0, 0, offs[nsec], len(symtab),
                         nsec + 2, first_global, 8, 24)
    shdrs += struct.pack('<IIQQQQIIQQ', shname_off[nsec + 1], 3, 0, 0, offs[nsec + 1],
                         len(strtab), 0, 0, 1, 0)
    shdrs += struct.pack('<IIQQQQIIQQ', shname_off[nsec + 2], 3, 0, 0, offs[nsec + 2],
                         len(shstrtab), 0, 0, 1, 0)
    ehdr = (b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8) +
            struct.pack('<HHIQQQIHHHHHH', 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64,
                        nsec + 4, nsec + 3))
    with open(out, 'wb') as f:
        f.write(ehdr + body + shdrs)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
