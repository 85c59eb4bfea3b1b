#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Qualcomm SMEM and minidump tables on the host side: play the boot firmware
(an SMEM image with item 602), play the download (walk SMEM -> item 602 ->
APSS -> regions, md_<name><seq>.BIN files) and play QDL (assemble a set by
sahara_build_minidump_elf's rules). Python 3 stdlib only. Layouts:
/work/shared/notes/formats.md sections 1-3, docs/smem.md.

Usage (tests/qemu/kmdqemu/smem.py):
  smem.py image OUT [--variant V] [--base PA] [--size N]
      SMEM as firmware leaves it before Linux boots (APSS empty).
  smem.py publish OUT --ram FILE@BASE --kelf PA [--variant V] [--base PA]
      the same SMEM with APSS filled from the KELF in RAM, as kminidump_smem
      publishes it: KELF first, then one region per PT_LOAD (tool tests).
  smem.py collect --ram FILE@BASE [--ram ...] --smem PA OUTDIR
      the host collector: write the md set the firmware would download.
  smem.py qdl DIR OUT       assemble DIR (with DIR/regions.txt) by QDL's rules.

Variants (image): ok uninit v11 nosiii toc0 no602 small602 disabled owned others
Variants (publish, hostile to the tool): ok count250 outside dupseq longer canary
  unpublished unterminated
"""
import os
import struct
import sys

# include/uapi/kminidump_smem.h (tests/tool/layout.py checks these against the compiler)
KMD_SMEM_MD_ITEM = 602
KMD_MD_REVISION = 1
KMD_MD_SS_APSS = 0
KMD_MD_SS_DECLARED = 10
KMD_MD_APSS_MAX = 201
KMD_MD_NAME_LEN = 16
KMD_MD_VALID = 0x56414C49
KMD_MD_INVALID = 0x494E5641
KMD_MD_ENABLED = 0x454E424C
KMD_MD_DISABLED = 0x4453424C
KMD_MD_ENC_DONE = 0x444F4E45
KMD_MD_ENC_NR = 0x00004E52
MD_REGION = struct.Struct('<16sIIQQ')
MD_SUBSYSTEM = struct.Struct('<IIIIIIQ')
MD_TOC = struct.Struct('<IIII320s')
UAPI_STRUCTS = {
    "kmd_md_region": (MD_REGION, ('name', 'seq_num', 'valid', 'address', 'size')),
    "kmd_md_subsystem": (MD_SUBSYSTEM, ('status', 'enabled', 'encryption_status',
                                        'encryption_required', 'region_count', 'pad',
                                        'regions_baseptr')),
    "kmd_md_toc": (MD_TOC, ('status', 'md_revision', 'enabled', 'pad', 'subsystems')),
}

MD_ITEM = KMD_SMEM_MD_ITEM
VALI, ENBL, DSBL, DONE, NR = (KMD_MD_VALID, KMD_MD_ENABLED, KMD_MD_DISABLED, KMD_MD_ENC_DONE,
                              KMD_MD_ENC_NR)
TOC_SIZE, SS_SIZE, REGION_SIZE, APSS_MAX = (MD_TOC.size, MD_SUBSYSTEM.size, MD_REGION.size,
                                            KMD_MD_APSS_MAX)
PART_OFF, PART_SIZE = 0x8000, 0x100000
DEFAULT_BASE, DEFAULT_SIZE = 0x70000000, 0x200000
VARIANTS_IMAGE = ('ok', 'uninit', 'v11', 'nosiii', 'toc0', 'no602', 'small602', 'disabled',
                  'owned', 'others')
VARIANTS_PUBLISH = ('ok', 'count250', 'outside', 'dupseq', 'longer', 'canary', 'unpublished',
                    'unterminated')


def toc_bytes(variant):
    status = 0 if variant == 'toc0' else 1
    enabled = DSBL if variant == 'disabled' else ENBL
    toc = bytearray(TOC_SIZE)
    struct.pack_into('<III', toc, 0, status, 1, enabled)
    if variant == 'owned':	# a vendor driver or meminspect owns APSS already
        struct.pack_into('<IIIII4xQ', toc, 16, 1, ENBL, DONE, NR, 3, 0x7f100000)
    if variant == 'others':	# MODEM (3) and ADSP (5) published by their firmware
        for ss, base in ((3, 0x8e000000), (5, 0x8f000000)):
            struct.pack_into('<IIIII4xQ', toc, 16 + ss * SS_SIZE, 1, ENBL, DONE, NR, 7, base)
    return toc


def part_size(size):
    """The global partition: 1 MiB, less in a small SMEM (room for a region array after it)."""
    return min(PART_SIZE, size - PART_OFF - 4096 - 0x2000)


def image(variant='ok', base=DEFAULT_BASE, size=DEFAULT_SIZE):
    """The SMEM image; returns (bytes, offset of item 602's data)."""
    assert variant in VARIANTS_IMAGE, variant
    psize = part_size(size)
    m = bytearray(size)
    if variant == 'uninit':
        return bytes(m), None
    struct.pack_into('<I', m, 64 + 7 * 4, (11 if variant == 'v11' else 12) << 16)
    struct.pack_into('<IIII', m, 192, 1, PART_OFF, 0, 0)
    item_size = 16 if variant == 'small602' else TOC_SIZE
    item = 0x603 if variant == 'no602' else MD_ITEM
    # $PRT, one uncached entry (item 602), cached list empty
    used = 32 + 16 + item_size
    m[PART_OFF:PART_OFF + 4] = b'$PRT'
    struct.pack_into('<HHIII', m, PART_OFF + 4, 0xfffe, 0xfffe, psize, used, psize)
    struct.pack_into('<HHIHHI', m, PART_OFF + 32, 0xa5a5, item, item_size, 0, 0, 0)
    data_off = PART_OFF + 48
    m[data_off:data_off + item_size] = toc_bytes(variant)[:item_size]
    pt = size - 4096
    m[pt:pt + 4] = b'$TOC'
    struct.pack_into('<II', m, pt + 4, 1, 1)
    struct.pack_into('<IIIHH', m, pt + 32, PART_OFF, psize, 0, 0xfffe, 0xfffe)
    struct.pack_into('<I', m, pt + 32 + 16, 64)
    if variant != 'nosiii':
        info = pt + 32 + 48
        m[info:info + 4] = b'SIII'
        struct.pack_into('<IIIH', m, info + 4, size, base, 0, 3072)
    return bytes(m), data_off


class Ram:
    """Physical memory from FILE@BASE pieces."""

    def __init__(self, specs):
        self.pieces = []
        for s in specs:
            path, b = s.rsplit('@', 1)
            with open(path, 'rb') as f:
                self.pieces.append((int(b, 0), f.read()))

    def read(self, pa, n):
        for b, d in self.pieces:
            if b <= pa and pa + n <= b + len(d):
                return d[pa - b:pa - b + n]
        raise ValueError('pa 0x%x+%d is not in RAM' % (pa, n))


def kelf_loads(kelf):
    """(p_paddr, p_filesz, p_offset) of the KELF's PT_LOADs, in program-header order."""
    assert kelf[:4] == b'\x7fELF', 'not an ELF header'
    phoff, = struct.unpack_from('<Q', kelf, 32)
    phnum, = struct.unpack_from('<H', kelf, 56)
    out = []
    for i in range(phnum):
        t, _, off, _, pa, filesz = struct.unpack_from('<IIQQQQ', kelf, phoff + 56 * i)
        if t == 1:
            out.append((pa, filesz, off))
    return out


def kelf_size(kelf):
    """kelf_size from the KMINIDUMP table note (the first note's descriptor)."""
    i = kelf.find(b'KMDTABLE')
    assert i >= 0, 'no KMINIDUMP table in KELF'
    return struct.unpack_from('<I', kelf, i + 8 + 4 * 6 + 16)[0]


def region(name, seq, pa, size, valid=VALI):
    return name.encode()[:16].ljust(16, b'\0') + struct.pack('<IIQQ', seq, valid, pa, size)


def publish(ram, kelf_pa, variant='ok', base=DEFAULT_BASE, size=DEFAULT_SIZE):
    """SMEM with APSS filled from the KELF in @ram, as the module publishes it."""
    assert variant in VARIANTS_PUBLISH, variant
    m, toc = image('ok', base, size)
    m = bytearray(m)
    head = ram.read(kelf_pa, 4096)
    ks = kelf_size(head)
    kelf = ram.read(kelf_pa, ks)
    regs = [region('KELF', 1, kelf_pa, ks)]
    for n, (pa, filesz, _) in enumerate(kelf_loads(kelf), 2):
        regs.append(region('Kr%d_' % n, n, pa, filesz))
    if variant == 'outside':
        regs[2] = region('Kr3_', 3, 0xfff0000000, 4096)
    elif variant == 'dupseq':
        regs[3] = regs[3][:16] + struct.pack('<I', 3) + regs[3][20:]
    elif variant == 'longer':	# a region longer than its PT_LOAD: QDL shifts the rest
        pa, filesz, _ = kelf_loads(kelf)[0]
        regs[1] = region('Kr2_', 2, pa, filesz + 4096)
    elif variant == 'unterminated':
        regs[2] = b'K' * 16 + regs[2][16:]
    count = len(regs)
    if variant == 'count250':
        count = 250
        regs += [region('Kpad', 0, 0, 0, 0)] * (250 - len(regs))
    arr = b''.join(regs)
    REGIONS_OFF = PART_OFF + part_size(size)	# the region array, in SMEM past the partition
    m[REGIONS_OFF:REGIONS_OFF + len(arr)] = arr
    status = 0 if variant == 'unpublished' else 1
    struct.pack_into('<IIIII4xQ', m, toc + 16, status, ENBL, DONE, NR, count, base + REGIONS_OFF)
    if variant == 'canary':
        struct.pack_into('<H', m, PART_OFF + 32, 0x5a5a)
    return bytes(m)


def walk(ram, smem_pa, size=DEFAULT_SIZE):
    """The host collector: [(name, seq, pa, size)] of APSS's VALI regions, table order."""
    hdr = ram.read(smem_pa, 196)
    assert struct.unpack_from('<I', hdr, 192)[0] == 1, 'SMEM not initialized'
    assert struct.unpack_from('<I', hdr, 92)[0] >> 16 == 12, 'SMEM version is not 12'
    pt = ram.read(smem_pa + size - 4096, 4096)
    assert pt[:4] == b'$TOC', 'no $TOC'
    n, = struct.unpack_from('<I', pt, 8)
    for i in range(n):
        off, psize, _, h0, h1 = struct.unpack_from('<IIIHH', pt, 32 + 48 * i)
        if (h0, h1) == (0xfffe, 0xfffe):
            break
    else:
        raise ValueError('no global partition')
    part = ram.read(smem_pa + off, psize)
    assert part[:4] == b'$PRT', 'no $PRT'
    free, = struct.unpack_from('<I', part, 12)
    pos = 32
    while pos + 16 <= free:
        canary, item, isize, pad_data, pad_hdr = struct.unpack_from('<HHIHH', part, pos)
        assert canary == 0xa5a5, 'bad canary'
        if item == MD_ITEM:
            toc = part[pos + 16 + pad_hdr:pos + 16 + pad_hdr + isize - pad_data]
            break
        pos += 16 + pad_hdr + isize
    else:
        raise ValueError('no item 602')
    st, en, _, _, count, baseptr = struct.unpack_from('<IIIII4xQ', toc, 16)
    assert st == 1 and en == ENBL and baseptr, 'APSS not published'
    out = []
    arr = ram.read(baseptr, min(count, APSS_MAX) * REGION_SIZE)
    for i in range(min(count, APSS_MAX)):
        name, seq, valid, pa, rsize = struct.unpack_from('<16sIIQQ', arr, i * REGION_SIZE)
        if valid == VALI:
            out.append((name.split(b'\0')[0].decode('latin-1'), seq, pa, rsize))
    return out


def collect(ram, smem_pa, outdir, size=DEFAULT_SIZE):
    """Write md_<name><seq>.BIN per region, and regions.txt (what Sahara's table says)."""
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for name, seq, pa, rsize in walk(ram, smem_pa, size):
        fn = 'md_%s%d.BIN' % (name, seq)
        with open(os.path.join(outdir, fn), 'wb') as f:
            f.write(ram.read(pa, rsize))
        lines.append('%s 0x%x %d\n' % (fn, pa, rsize))
    with open(os.path.join(outdir, 'regions.txt'), 'w') as f:
        f.writelines(lines)
    return len(lines)


def qdl_assemble(table, read):
    """sahara_build_minidump_elf's rules. @table: [(filename, addr)] in Sahara table
    order; read(filename) -> bytes. Returns the minidump.elf bytes."""
    kelf_i = next((i for i, (fn, _) in enumerate(table) if fn.startswith('md_KELF')), None)
    if kelf_i is None:
        raise ValueError('no md_KELF region')
    kelf = read(table[kelf_i][0])
    loads = kelf_loads(kelf)
    out = bytearray(kelf)
    for i, (fn, addr) in enumerate(table):	# the VMCOREINFO tail: a md_K* matching no PT_LOAD
        if i != kelf_i and fn.startswith('md_K') and all(pa != addr for pa, _, _ in loads):
            out += read(fn)
            break
    for pa, filesz, _ in loads:
        for fn, addr in table:
            if addr == pa:
                data = read(fn)
                out += data
                if len(data) < filesz:
                    out += bytes(filesz - len(data))
                break
    return bytes(out)


def qdl_dir(d):
    with open(os.path.join(d, 'regions.txt')) as f:
        table = [(ln.split()[0], int(ln.split()[1], 0)) for ln in f if ln.strip()]

    def read(fn):
        with open(os.path.join(d, fn), 'rb') as f:
            return f.read()
    return qdl_assemble(table, read)


def main():
    a = sys.argv[1:]
    if not a or a[0] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0 if a else 2)
    cmd, pos, opts = a[0], [], {}
    rams = []
    i = 1
    while i < len(a):
        if a[i] == '--ram':
            rams.append(a[i + 1])
            i += 2
        elif a[i].startswith('--'):
            opts[a[i][2:]] = a[i + 1]
            i += 2
        else:
            pos.append(a[i])
            i += 1
    base = int(opts.get('base', hex(DEFAULT_BASE)), 0)
    size = int(opts.get('size', hex(DEFAULT_SIZE)), 0)
    if cmd == 'image':
        data, _ = image(opts.get('variant', 'ok'), base, size)
    elif cmd == 'publish':
        data = publish(Ram(rams), int(opts['kelf'], 0), opts.get('variant', 'ok'), base, size)
    elif cmd == 'collect':
        n = collect(Ram(rams), int(opts['smem'], 0), pos[0], size)
        print('%d regions' % n)
        return
    elif cmd == 'qdl':
        data = qdl_dir(pos[0])
        pos = pos[1:]
    else:
        sys.exit('smem.py: unknown command ' + cmd)
    with open(pos[0], 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
