# SPDX-License-Identifier: GPL-2.0
"""QEMU 7.2's dump-guest-memory ELF puts its section headers right after the ELF header
and the program headers after them; makedumpfile 1.7.2 reads the program headers at
sizeof(Elf64_Ehdr), as /proc/vmcore has them (elf_info.c get_elf64_phdr), and fails
with "Can't get the number of PT_LOAD". Move the program headers there, in place (the
notes start after them), and drop the section headers (only .shstrtab)."""
import struct


def phdrs_after_ehdr(path):
    with open(path, "r+b") as f:
        h = bytearray(f.read(64))
        if h[:4] != b"\x7fELF" or h[4] != 2:
            raise ValueError(f"{path}: not an ELF64 file")
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        if phoff == 64:
            return False
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            off, = struct.unpack_from("<Q", ph, i * phentsize + 8)
            if off and off < 64 + len(ph):
                raise ValueError(f"{path}: segment {i} at {off} would be overwritten")
        f.seek(64)
        f.write(ph)
        struct.pack_into("<Q", h, 32, 64)           # e_phoff
        struct.pack_into("<Q", h, 40, 0)            # e_shoff
        struct.pack_into("<H", h, 52, 64)           # e_ehsize (QEMU 7.2 writes 8)
        struct.pack_into("<HHH", h, 58, 0, 0, 0)    # e_shentsize, e_shnum, e_shstrndx
        f.seek(0)
        f.write(h)
    return True
