#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Build synthetic kminidump inputs from a small text spec (libkdumpfile style).

Usage: gen.py SPEC [--ram FILE] [--qemu FILE] [--md DIR] [--core FILE]
                   [--kelf FILE] [--dmesg FILE]

  --ram    raw RAM image (file offset 0 = the spec's RAM base)
  --qemu-xnum  the same dump with e_phnum = PN_XNUM (count in section header 0)
  --qemu   QEMU dump-guest-memory style ELF dump of that RAM (paging=false;
           section headers at 64, program headers at 192, e_ehsize 8, like QEMU 7.2)
  --md     QDL/edl md_<name><N>.BIN set of the last KELF
  --md-pack the same set packed as one fuzz_md input
  --core   the core `kminidump extract` must write (computed independently)
  --kelf   the bare KELF bytes (fuzz seed)
  --dmesg  the records the printk ring holds, as makedumpfile --dump-dmesg prints them

The KELF layout is the one include/uapi/kminidump.h specifies and
src/core/kelf.c + table.c build. Spec lines (# starts a comment):

  arch x86_64|aarch64
  ram BASE SIZE                 the RAM image
  kernel_map VA PA              kernel image mapping (va = VA + pa - PA)
  kelf PA [capacity=N] [cpus=N] [flags=LIVE,PANIC] [panic_cpu=N] [gen=N] [writers=N] [page=N]
  kelf_copy PA [flags=...] [foreign]   a copy of the current KELF elsewhere (stale/foreign)
  prstatus CPU pid=N [size=N] [REG=VALUE ...]
                                a filled NT_PRSTATUS; without REG= its registers are a
                                pattern; size= makes the descriptor N bytes (truncated)
                                REG: x86_64 r15 r14 ... rip cs eflags rsp ss ... gs
                                (struct user_regs_struct), aarch64 x0..x30 sp pc pstate
  symbols FILE                  a System.map (path relative to the spec) for sym: values
  kaslr OFFSET                  KERNELOFFSET: VMCOREINFO's, and sym: values move by it
  vmcoreinfo std                the arch's base VMCOREINFO text (built at the end, so it
                                sees kaslr)
  vmcoreinfo KEY=VALUE          one more line
  region NAME pa=PA size=N [va=VA|kimage|linear|0] [state=valid|busy|free]
         [phdr=load|null] [phdr_pa=PA] [filesz=N] [room=N] [offset=N]
         [flags=MPA] [fill=pattern|zero|text:TEXT] [nodata]
  uts PA RELEASE                init_uts_ns (region + SYMBOL(init_uts_ns))
  memsection PA                 SPARSEMEM_EX roots with one section + struct page keys (makedumpfile)
  pagetables PA                 x86_64 4-level tables mapping the kernel image and
                                the direct map over RAM with 2 MiB pages (+ regions)
  printk PA [count_bits=N] [size_bits=N]   printk ring structures at PA (+ regions)
  record TS_NSEC [state=reserved|committed|finalized|reusable|miss] TEXT
                                TEXT takes \\n \\t \\xNN escapes
  words REGION OFFSET VALUE...  8-byte words at OFFSET in a region's bytes (stacks)
  poke ram|kelf OFFSET u8|u16|u32|u64 VALUE   corrupt after building (kelf: offset
                                in the current KELF; ram: physical address)

VALUE (registers, words): a number; sym:NAME[+OFF] (System.map address + kaslr + OFF);
va:REGION[+OFF] (the region's virtual address + OFF); pac:VALUE (arm64: bits 63..48
replaced by a pointer authentication code, as in a signed return address).
"""
import importlib.util
import os
import struct
import sys


def _kelf_module():
    # kmdqemu/kelf.py alone, not the harness package around it
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'qemu', 'kmdqemu',
                        'kelf.py')
    spec = importlib.util.spec_from_file_location('kmd_gen_kelf', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


K = _kelf_module()

PAGE = 4096
PT_NULL, PT_LOAD, PT_NOTE = 0, 1, 4
NT_PRSTATUS, NT_PRPSINFO = 1, 3
# The uapi format's constants and structs: kmdqemu/kelf.py spells them once for Python
# (tests/tool/layout.py holds that spelling to include/uapi/kminidump.h).
ROW_FREE, ROW_VALID, ROW_BUSY = K.KMD_ROW_FREE, K.KMD_ROW_VALID, K.KMD_ROW_BUSY
F_HEADER, F_MOVABLE, F_PANIC, F_BYPA = (K.KMD_ROW_F_HEADER, K.KMD_ROW_F_MOVABLE,
                                        K.KMD_ROW_F_PANIC, K.KMD_ROW_F_BYPA)
F_PARKED = K.KMD_ROW_F_PARKED
TABLE_LIVE, TABLE_PANIC = K.KMD_TABLE_F_LIVE, K.KMD_TABLE_F_PANIC
VMCI_ROOM = K.KMD_VMCOREINFO_ROOM
M64 = (1 << 64) - 1

ARCH = {
    'x86_64': dict(machine=62, prstatus=336, start_kernel=0xffffffff80000000,
                   page_offset=0xffff888000000000),
    'aarch64': dict(machine=183, prstatus=392, start_kernel=0xffff800008000000,
                    page_offset=0xffff000000000000),
}
# pr_reg of struct elf_prstatus (offset 112): the registers' order
REGS = {
    'x86_64': ('r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs '
               'eflags rsp ss fs_base gs_base ds es fs gs').split(),
    'aarch64': ['x%d' % i for i in range(31)] + ['sp', 'pc', 'pstate'],
}
PR_REG = 112


def align(v, a):
    return (v + a - 1) // a * a


def num(s):
    return int(s, 0)


def note(name, ntype, desc):
    nb = name.encode() + b'\0'
    out = struct.pack('<III', len(nb), len(desc), ntype)
    out += nb + b'\0' * (align(len(nb), 4) - len(nb))
    return out + desc + b'\0' * (align(len(desc), 4) - len(desc))


def unescape(text):
    return text.encode('latin-1').decode('unicode_escape').encode('latin-1')


class Region:
    def __init__(self, name, attrs, spec):
        self.name = name
        self.pa = num(attrs['pa'])
        self.size = num(attrs['size'])
        va = attrs.get('va', 'kimage')
        if va == 'kimage':
            self.va = spec.kimage(self.pa)
        elif va == 'linear':
            self.va = spec.linear(self.pa)
        else:
            self.va = num(va)
        self.state = {'valid': ROW_VALID, 'busy': ROW_BUSY,
                      'free': ROW_FREE}[attrs.get('state', 'valid')]
        self.phdr = attrs.get('phdr', 'load' if self.state == ROW_VALID else 'null')
        self.phdr_pa = num(attrs.get('phdr_pa', str(self.pa)))
        self.filesz = num(attrs.get('filesz', str(self.size)))
        self.room = num(attrs.get('room', str(self.size)))
        self.offset = num(attrs['offset']) if 'offset' in attrs else None
        self.flags = 0
        for c in attrs.get('flags', ''):
            self.flags |= {'M': F_MOVABLE, 'P': F_PANIC, 'A': F_BYPA, 'R': F_PARKED}[c]
        self.fill = attrs.get('fill', 'pattern')
        self.nodata = 'nodata' in attrs
        self.data = None            # explicit bytes (printk, page tables...)
        self.id = num(attrs.get('id', '0'))
        self.words = []             # (offset, value) overlaid on the bytes

    def bytes(self):
        out = bytearray(self.fill_bytes())
        for off, val in self.words:
            if off + 8 <= len(out):
                struct.pack_into('<Q', out, off, val)
        return bytes(out)

    def fill_bytes(self):
        if self.data is not None:
            return self.data
        n = min(self.size, 1 << 24)
        if self.fill == 'zero':
            return bytes(n)
        if self.fill.startswith('text:'):
            t = unescape(self.fill[5:])
            return (t + bytes(n))[:n]
        seed = sum(self.name.encode()) & 0xff
        return bytes((i * 7 + seed + (i >> 8)) & 0xff for i in range(n))


class Kelf:
    def __init__(self, spec, pa, attrs):
        self.spec = spec
        self.pa = pa
        self.capacity = num(attrs.get('capacity', '16'))
        self.cpus = num(attrs.get('cpus', '2'))
        self.flags = 0
        for f in attrs.get('flags', 'LIVE').split(','):
            self.flags |= {'LIVE': TABLE_LIVE, 'PANIC': TABLE_PANIC, 'none': 0}[f]
        self.panic_cpu = num(attrs.get('panic_cpu', '0'))
        self.gen = num(attrs.get('gen', '0'))
        self.writers = num(attrs.get('writers', '0'))
        self.page = num(attrs.get('page', str(PAGE)))
        self.regions = []
        self.prstatus = {}
        self.vmci = []
        self.pokes = []
        self.copies = []

    def layout(self):
        a = ARCH[self.spec.arch]
        cap = self.capacity
        self.notes_off = align(64 + cap * 56, 8)
        self.table_sz = K.TABLE.size + cap * K.ROW.size
        prs = sum(12 + 8 + align(self.prstatus_size(cpu), 4) for cpu in range(self.cpus))
        self.notes_end = (self.notes_off + 12 + 12 + align(self.table_sz, 4) +
                          12 + 8 + 136 + prs + 12 + 12 + VMCI_ROOM)
        self.size = align(self.notes_end, self.page)
        # rows: in order, like kmd_insert (first free slot)
        off = self.size
        self.rows = []
        for i, r in enumerate(self.regions):
            idx = i + 1
            r.index = idx
            r.p_offset = r.offset if r.offset is not None else off
            if r.state != ROW_FREE:
                off += r.room
            self.rows.append(r)
        if len(self.rows) >= cap:
            sys.exit('spec: %d regions do not fit in capacity %d' % (len(self.rows), cap))

    def va(self):
        return self.spec.linear(self.pa)

    def prstatus_size(self, cpu):
        if cpu in self.prstatus and self.prstatus[cpu].get('size') is not None:
            return self.prstatus[cpu]['size']
        return ARCH[self.spec.arch]['prstatus']

    def build(self, flags=None, pa=None):
        a = ARCH[self.spec.arch]
        cap = self.capacity
        pa = self.pa if pa is None else pa
        flags = self.flags if flags is None else flags
        ehdr = (b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8) +
                struct.pack('<HHIQQQIHHHHHH', 4, a['machine'], 1, 0, 64, 0, 0, 64, 56,
                            cap, 0, 0, 0))
        phdrs = [struct.pack('<IIQQQQQQ', PT_NOTE, 0, self.notes_off, 0, 0,
                             self.notes_end - self.notes_off, 0, 0)]
        for r in self.rows:
            if r.phdr == 'load':
                phdrs.append(struct.pack('<IIQQQQQQ', PT_LOAD, 6, r.p_offset, r.va,
                                         r.phdr_pa, r.filesz, r.filesz, 0))
            else:
                phdrs.append(bytes(56))
        while len(phdrs) < cap:
            phdrs.append(bytes(56))
        count = 1 + sum(1 for r in self.rows if r.state != ROW_FREE)
        table = K.TABLE.pack(K.KMD_TABLE_MAGIC, K.KMD_TABLE_VERSION, K.TABLE.size, K.ROW.size,
                             cap, self.gen, self.writers, pa, self.spec.linear(pa), self.size,
                             flags, self.panic_cpu, self.cpus, count, 0, 0)
        rows = [self.row(ROW_VALID, 1, 'ELF', 'kminidump', F_HEADER, 0,
                         self.spec.linear(pa), pa, self.size, self.size)]
        for n, r in enumerate(self.rows):
            if r.state == ROW_FREE:
                rows.append(bytes(K.ROW.size))
            else:
                rows.append(self.row(r.state, r.id or 1024 + n, r.name, 'kminidump_test',
                                     r.flags, 0, r.va, r.pa, r.size, r.room))
        while len(rows) < cap:
            rows.append(bytes(K.ROW.size))
        notes = note('KMINIDUMP', 1, table + b''.join(rows))
        psinfo = bytearray(136)
        psinfo[1] = ord('R')
        psinfo[40:47] = b'vmlinux'
        rel = self.spec.release.encode()[:79]
        psinfo[56:56 + len(rel)] = rel
        notes += note('CORE', NT_PRPSINFO, bytes(psinfo))
        for cpu in range(self.cpus):
            st = bytearray(a['prstatus'])
            if cpu in self.prstatus:
                pr = self.prstatus[cpu]
                struct.pack_into('<i', st, 32, pr['pid'])
                if pr['regs'] is None:
                    for i in range(112, a['prstatus'] - 8, 8):
                        struct.pack_into('<Q', st, i, 0x1000 * cpu + i)
                else:
                    for name, val in pr['regs'].items():
                        i = REGS[self.spec.arch].index(name)
                        struct.pack_into('<Q', st, PR_REG + 8 * i, val)
            notes += note('CORE', NT_PRSTATUS, bytes(st[:self.prstatus_size(cpu)]))
        text = ''.join(l + '\n' for l in self.spec.vmci_base + self.vmci).encode()
        if len(text) >= VMCI_ROOM:
            sys.exit('spec: VMCOREINFO text too long')
        notes += note('VMCOREINFO', 0, text + bytes(VMCI_ROOM - len(text)))
        out = bytearray(ehdr + b''.join(phdrs))
        out += bytes(self.notes_off - len(out))
        out += notes
        assert len(out) == self.notes_end, (len(out), self.notes_end)
        out += bytes(self.size - len(out))
        for off, fmt, val in self.pokes:
            struct.pack_into(fmt, out, off, val)
        return bytes(out)

    @staticmethod
    def row(state, rid, name, owner, flags, piece, va, pa, size, room):
        return K.ROW.pack(state, rid, name.encode()[:K.KMD_NAME_LEN - 1],
                          owner.encode()[:K.KMD_OWNER_LEN - 1], flags, piece, va, pa, size, room)


class Printk:
    """The lockless ring, appended to the way kernel/printk/printk_ringbuffer.c does."""
    SV_SHIFT = 62
    ID_MASK = (1 << 62) - 1

    def __init__(self, spec, pa, attrs):
        self.spec = spec
        self.pa = pa
        self.cb = num(attrs.get('count_bits', '3'))
        self.sb = num(attrs.get('size_bits', '9'))
        self.count = 1 << self.cb
        self.size = 1 << self.sb
        self.prb_pa = pa                      # struct printk_ringbuffer *prb
        self.rb_pa = pa + 64                  # printk_rb_static (88 bytes)
        self.descs_pa = pa + 256
        self.infos_pa = align(self.descs_pa + 24 * self.count, 64)
        self.data_pa = align(self.infos_pa + 88 * self.count, 64)
        self.end_pa = self.data_pa + self.size
        self.descs = [[0, 0, 0] for _ in range(self.count)]    # state_var, begin, next
        self.infos = [[0, 0, 0] for _ in range(self.count)]    # seq, ts, text_len
        self.data = bytearray(self.size)
        desc0 = (-(self.count + 1)) & self.ID_MASK
        self.descs[self.count - 1] = [self.sv(desc0, 3), 1, 1]
        self.infos[0][0] = (-self.count) & M64
        self.head_id = self.tail_id = desc0
        self.head_lpos = self.tail_lpos = (-self.size) & M64
        self.blocks = []                      # live data blocks: [id, begin, next]
        self.seq = 0
        self.records = {}                     # id -> (ts, text)

    def sv(self, rid, state):
        return (state << self.SV_SHIFT) | (rid & self.ID_MASK)

    def wraps(self, lpos):
        return (lpos & M64) >> self.sb

    def next_lpos(self, begin, size):
        nxt = (begin + size) & M64
        if self.wraps(begin) == self.wraps(nxt):
            return nxt
        return ((nxt & ~(self.size - 1)) + size) & M64

    def push_data_tail(self, lpos):
        # every block that starts before lpos loses its data; its desc is reusable
        while self.blocks and ((lpos - self.blocks[0][1]) & M64) < (1 << 63) \
                and self.blocks[0][1] != lpos:
            rid, b, n = self.blocks.pop(0)
            d = self.descs[rid % self.count]
            if d[0] & self.ID_MASK == rid:
                d[0] = self.sv(rid, 3)
            self.tail_lpos = n

    def append(self, ts, text, state):
        rid = (self.head_id + 1) & self.ID_MASK
        prev = (rid - self.count) & self.ID_MASK
        if prev == self.tail_id:                  # desc_push_tail()
            d = self.descs[prev % self.count]
            if d[2] != 1:
                self.push_data_tail(d[2])
            d[0] = self.sv(prev, 3)
            self.tail_id = (self.tail_id + 1) & self.ID_MASK
        size = align(len(text) + 8, 8)
        if size > self.size // 2:
            sys.exit('spec: record too long for the ring')
        begin = self.head_lpos
        nxt = self.next_lpos(begin, size)
        self.push_data_tail((nxt - self.size) & M64)
        idx = begin & (self.size - 1)
        struct.pack_into('<Q', self.data, idx, rid)
        if self.wraps(begin) != self.wraps(nxt):
            idx = 0
            struct.pack_into('<Q', self.data, 0, rid)
        self.data[idx + 8:idx + 8 + len(text)] = text
        self.blocks.append([rid, begin, nxt])
        st = {'reserved': 0, 'committed': 1, 'finalized': 2, 'reusable': 3, 'miss': 2}[state]
        self.descs[rid % self.count] = [self.sv(rid ^ (self.count if state == 'miss' else 0),
                                                st), begin, nxt]
        self.infos[rid % self.count] = [self.seq, ts, len(text)]
        self.seq += 1
        self.head_id = rid
        self.head_lpos = nxt
        if state in ('committed', 'finalized'):
            self.records[rid] = (ts, text)

    def live_records(self):
        out = []
        rid = self.tail_id
        while True:
            d = self.descs[rid % self.count]
            if d[0] & self.ID_MASK == rid and (d[0] >> self.SV_SHIFT) in (1, 2) \
                    and rid in self.records:
                out.append(self.records[rid])
            if rid == self.head_id:
                return out
            rid = (rid + 1) & self.ID_MASK

    def place(self, kelf):
        sp = self.spec
        va = sp.kimage
        rb = bytearray(88)
        struct.pack_into('<I', rb, 0, self.cb)
        struct.pack_into('<QQQQ', rb, 8, va(self.descs_pa), va(self.infos_pa),
                         self.head_id, self.tail_id)
        struct.pack_into('<I', rb, 48, self.sb)
        struct.pack_into('<QQQ', rb, 56, va(self.data_pa), self.head_lpos, self.tail_lpos)
        descs = b''.join(struct.pack('<QQQ', *d) for d in self.descs)
        infos = bytearray()
        for seq, ts, tl in self.infos:
            infos += struct.pack('<QQHBBI', seq, ts, tl, 0, 6 << 5, 1) + bytes(64)
        for name, pa, data in (('prb', self.prb_pa, struct.pack('<Q', va(self.rb_pa))),
                               ('printk_rb', self.rb_pa, bytes(rb)),
                               ('prb_descs', self.descs_pa, descs),
                               ('prb_infos', self.infos_pa, bytes(infos)),
                               ('prb_data', self.data_pa, bytes(self.data))):
            r = Region(name, {'pa': str(pa), 'size': str(len(data))}, sp)
            r.data = data
            kelf.regions.append(r)
        kelf.vmci += [
            'SYMBOL(prb)=%x' % va(self.prb_pa),
            'SYMBOL(printk_rb_static)=%x' % va(self.rb_pa),
            'SYMBOL(clear_seq)=%x' % va(self.prb_pa + 32),
            'SIZE(printk_ringbuffer)=88',
            'OFFSET(printk_ringbuffer.desc_ring)=0',
            'OFFSET(printk_ringbuffer.text_data_ring)=48',
            'OFFSET(printk_ringbuffer.fail)=80',
            'SIZE(prb_desc_ring)=48',
            'OFFSET(prb_desc_ring.count_bits)=0',
            'OFFSET(prb_desc_ring.descs)=8',
            'OFFSET(prb_desc_ring.infos)=16',
            'OFFSET(prb_desc_ring.head_id)=24',
            'OFFSET(prb_desc_ring.tail_id)=32',
            'SIZE(prb_desc)=24',
            'OFFSET(prb_desc.state_var)=0',
            'OFFSET(prb_desc.text_blk_lpos)=8',
            'SIZE(prb_data_blk_lpos)=16',
            'OFFSET(prb_data_blk_lpos.begin)=0',
            'OFFSET(prb_data_blk_lpos.next)=8',
            'SIZE(printk_info)=88',
            'OFFSET(printk_info.seq)=0',
            'OFFSET(printk_info.ts_nsec)=8',
            'OFFSET(printk_info.text_len)=16',
            'OFFSET(printk_info.caller_id)=20',
            'OFFSET(printk_info.dev_info)=24',
            'SIZE(dev_printk_info)=64',
            'OFFSET(dev_printk_info.subsystem)=0',
            'LENGTH(printk_info_subsystem)=16',
            'OFFSET(dev_printk_info.device)=16',
            'LENGTH(printk_info_device)=48',
            'SIZE(prb_data_ring)=32',
            'OFFSET(prb_data_ring.size_bits)=0',
            'OFFSET(prb_data_ring.data)=8',
            'OFFSET(prb_data_ring.head_lpos)=16',
            'OFFSET(prb_data_ring.tail_lpos)=24',
            'SIZE(atomic_long_t)=8',
            'OFFSET(atomic_long_t.counter)=0',
            'SIZE(latched_seq)=24',
            'OFFSET(latched_seq.val)=8',
        ]

    def dmesg(self):
        out = []
        for ts, text in self.live_records():
            prefix = '[%5d.%06d] ' % (ts // 10**9, ts % 10**9 // 1000)
            line = prefix
            for ch in text:
                if ch == 10:
                    line += '\n' + ' ' * len(prefix)
                elif 0x20 <= ch < 0x7f or ch in (9, 11, 12, 13):
                    line += chr(ch)
                else:
                    line += '\\x%02x' % ch
            out.append(line + '\n')
        return ''.join(out)


class Spec:
    def __init__(self, path):
        self.arch = 'x86_64'
        self.ram_base = self.ram_size = None
        self.kmap = None
        self.kelfs = []
        self.vmci_base = []
        self.release = '6.1.0-56-amd64'
        self.printk = None
        self.ram_pokes = []
        self.page_tables = None
        self.path = path
        self.syms = {}
        self.kaslr = 0
        self.vmci_std = False
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip('\n')
                if not line.strip() or line.lstrip().startswith('#'):
                    continue
                try:
                    self.line(line)
                except (KeyError, ValueError, IndexError) as e:
                    sys.exit('%s:%d: %s: %r' % (path, n, e.__class__.__name__, line))

    def kimage(self, pa):
        if self.kmap:
            return (self.kmap[0] + pa - self.kmap[1]) & M64
        return (ARCH[self.arch]['start_kernel'] + pa) & M64

    def linear(self, pa):
        return (ARCH[self.arch]['page_offset'] + pa) & M64

    @property
    def kelf(self):
        return self.kelfs[-1]

    def line(self, line):
        words = line.split()
        cmd, args = words[0], words[1:]
        pos = [a for a in args if '=' not in a]
        attrs = {}
        for a in args:
            if '=' in a:
                k, v = a.split('=', 1)
                attrs[k] = v
            else:
                attrs[a] = True
        if cmd == 'arch':
            self.arch = args[0]
            if self.arch == 'aarch64':
                self.release = '6.12.117+deb12-arm64'
        elif cmd == 'ram':
            self.ram_base, self.ram_size = num(args[0]), num(args[1])
        elif cmd == 'kernel_map':
            self.kmap = (num(args[0]), num(args[1]))
        elif cmd == 'kelf':
            self.kelfs.append(Kelf(self, num(pos[0]), attrs))
        elif cmd == 'kelf_copy':
            self.kelf.copies.append((num(pos[0]), attrs))
        elif cmd == 'prstatus':
            regs = {k: self.value(v) for k, v in attrs.items()
                    if k not in ('pid', 'size') and v is not True}
            for k in regs:
                if k not in REGS[self.arch]:
                    raise KeyError('no register %s on %s' % (k, self.arch))
            self.kelf.prstatus[num(pos[0])] = dict(
                pid=num(attrs.get('pid', '1')), regs=regs or None,
                size=num(attrs['size']) if 'size' in attrs else None)
        elif cmd == 'symbols':
            mp = os.path.join(os.path.dirname(os.path.abspath(self.path)), args[0])
            with open(mp) as f:
                for ln in f:
                    w = ln.split()
                    if len(w) >= 3:
                        self.syms.setdefault(w[2], int(w[0], 16))
        elif cmd == 'kaslr':
            self.kaslr = num(args[0])
        elif cmd == 'words':
            r = self.region(args[0])
            off = num(args[1])
            for i, v in enumerate(args[2:]):
                r.words.append((off + 8 * i, self.value(v)))
        elif cmd == 'vmcoreinfo':
            if args == ['std']:
                self.vmci_std = True
            else:
                self.kelf.vmci.append(line.split(None, 1)[1])
        elif cmd == 'region':
            self.kelf.regions.append(Region(pos[0], attrs, self))
        elif cmd == 'uts':
            self.uts(num(args[0]), args[1] if len(args) > 1 else self.release)
        elif cmd == 'pagetables':
            self.pagetables(num(args[0]))
        elif cmd == 'memsection':
            self.memsection(num(args[0]))
        elif cmd == 'printk':
            self.printk = Printk(self, num(pos[0]), attrs)
            self.printk_kelf = self.kelf
        elif cmd == 'record':
            rest = line.split(None, 2)
            ts = num(rest[1])
            text = rest[2] if len(rest) > 2 else ''
            state = 'finalized'
            if text.startswith('state='):
                st, _, text = text.partition(' ')
                state = st[6:]
            self.printk.append(ts, unescape(text), state)
        elif cmd == 'poke':
            fmt = {'u8': '<B', 'u16': '<H', 'u32': '<I', 'u64': '<Q'}[args[2]]
            if args[0] == 'kelf':
                self.kelf.pokes.append((num(args[1]), fmt, num(args[3])))
            else:
                self.ram_pokes.append((num(args[1]), fmt, num(args[3])))
        else:
            raise KeyError('unknown directive ' + cmd)

    def region(self, name):
        for r in self.kelf.regions:
            if r.name == name:
                return r
        raise KeyError('no region ' + name)

    def value(self, v):
        """A register or stack word: number, sym:NAME[+OFF], va:REGION[+OFF], pac:VALUE."""
        if v.startswith('pac:'):
            return (self.value(v[4:]) & ((1 << 48) - 1)) | 0x3a9f << 48
        for prefix in ('sym:', 'va:'):
            if v.startswith(prefix):
                name, _, off = v[len(prefix):].partition('+')
                off = num(off) if off else 0
                if prefix == 'va:':
                    return (self.region(name).va + off) & M64
                if name not in self.syms:
                    raise KeyError('no symbol %s (give "symbols FILE" first)' % name)
                return (self.syms[name] + self.kaslr + off) & M64
        return num(v) & M64

    def std_vmcoreinfo(self):
        k = self.kaslr
        if self.arch == 'x86_64':
            return [
                'OSRELEASE=' + self.release,
                'BUILD-ID=0123456789abcdef0123456789abcdef01234567',
                'PAGESIZE=4096',
                'SYMBOL(_stext)=%x' % ((0xffffffff81000000 + k) & M64),
                'OFFSET(uts_namespace.name)=0',
                'NUMBER(pgtable_l5_enabled)=0',
                'NUMBER(phys_base)=0',
                'KERNELOFFSET=%x' % k,
            ]
        return [
            'OSRELEASE=' + self.release,
            'BUILD-ID=89abcdef0123456789abcdef0123456789abcdef',
            'PAGESIZE=4096',
            'SYMBOL(swapper_pg_dir)=%x' % ((0xffff80000a1e8000 + k) & M64),
            'SYMBOL(_stext)=%x' % ((0xffff800008010000 + k) & M64),
            'OFFSET(uts_namespace.name)=0',
            'NUMBER(VA_BITS)=52',
            'NUMBER(kimage_voffset)=%d' % ((self.kimage(0) - 0) & M64),
            'NUMBER(PHYS_OFFSET)=%d' % self.ram_base,
            'KERNELOFFSET=%x' % k,
        ]

    def uts(self, pa, release):
        data = bytearray(390)
        for i, s in enumerate(['Linux', '(none)', release, '#1 SMP', self.arch, '(none)']):
            b = s.encode()[:64]
            data[i * 65:i * 65 + len(b)] = b
        r = Region('uts', {'pa': str(pa), 'size': str(392)}, self)
        r.data = bytes(data) + bytes(2)
        self.kelf.regions.append(r)
        self.kelf.vmci.append('SYMBOL(init_uts_ns)=%x' % self.kimage(pa))

    def memsection(self, pa):
        """SPARSEMEM_EX roots, one present section, the struct page keys makedumpfile wants."""
        roots = 2048 * 8
        data = bytearray(roots + PAGE)
        struct.pack_into('<Q', data, 0, self.linear(pa + roots))
        struct.pack_into('<Q', data, roots, 0xffffea0000000000 | 3)
        r = Region('memsect', {'pa': str(pa), 'size': str(len(data)), 'va': 'linear'}, self)
        r.data = bytes(data)
        self.kelf.regions.append(r)
        self.kelf.vmci += [
            'SYMBOL(mem_section)=%x' % self.linear(pa),
            'LENGTH(mem_section)=2048',
            'SIZE(mem_section)=16',
            'OFFSET(mem_section.section_mem_map)=0',
            'NUMBER(SECTION_SIZE_BITS)=27',
            'NUMBER(MAX_PHYSMEM_BITS)=46',
            'SIZE(page)=64',
            'OFFSET(page.flags)=0',
            'OFFSET(page._refcount)=52',
            'OFFSET(page.mapping)=24',
            'OFFSET(page.lru)=8',
            'OFFSET(page._mapcount)=48',
            'OFFSET(page.private)=40',
        ]

    def pagetables(self, pa):
        """x86_64 4-level tables with 2 MiB pages for the kernel image and direct map."""
        if self.arch != 'x86_64':
            sys.exit('spec: pagetables is x86_64 only')
        tables = {}

        def table(n):
            return tables.setdefault(n, bytearray(PAGE))

        pgd, nxt = 0, [1]

        def child(tab, idx):
            cur = struct.unpack_from('<Q', table(tab), idx * 8)[0]
            if cur:
                return (cur & ~0xfff) - pa >> 12
            n = nxt[0]
            nxt[0] += 1
            table(n)
            struct.pack_into('<Q', table(tab), idx * 8, (pa + n * PAGE) | 0x63)
            return n

        def map2m(va, ppa):
            pud = child(pgd, (va >> 39) & 511)
            pmd = child(pud, (va >> 30) & 511)
            struct.pack_into('<Q', table(pmd), ((va >> 21) & 511) * 8, ppa | 0xe3)

        start = self.ram_base & ~((1 << 21) - 1)
        for p in range(start, self.ram_base + self.ram_size, 1 << 21):
            map2m(self.kimage(p), p)
            map2m(self.linear(p), p)
        for n in sorted(tables):
            r = Region('pgt%d' % n, {'pa': str(pa + n * PAGE), 'size': str(PAGE)}, self)
            r.data = bytes(tables[n])
            self.kelf.regions.append(r)
        self.kelf.vmci.append('SYMBOL(init_top_pgt)=%x' % self.kimage(pa))
        self.kelf.vmci.append('SYMBOL(swapper_pg_dir)=%x' % self.kimage(pa))
        self.page_tables = pa

    def finish(self):
        if self.vmci_std:
            self.vmci_base = self.std_vmcoreinfo()
        if self.printk:
            self.printk.place(self.printk_kelf)
        for k in self.kelfs:
            k.layout()

    def ram(self):
        ram = bytearray(self.ram_size)

        def put(pa, data):
            off = pa - self.ram_base
            if off < 0 or off >= self.ram_size:
                return
            data = data[:self.ram_size - off]
            ram[off:off + len(data)] = data

        for k in self.kelfs:
            for r in k.regions:
                if not r.nodata:
                    put(r.pa, r.bytes())
        for k in self.kelfs:
            put(k.pa, k.build())
            for pa, attrs in k.copies:
                flags = 0
                for f in attrs.get('flags', 'LIVE').split(','):
                    flags |= {'LIVE': TABLE_LIVE, 'PANIC': TABLE_PANIC, 'none': 0}[f]
                put(pa, k.build(flags=flags, pa=k.pa if 'foreign' in attrs else pa))
        for pa, fmt, val in self.ram_pokes:
            off = pa - self.ram_base
            struct.pack_into(fmt, ram, off, val)
        return bytes(ram)

    def expected_core(self, ram):
        """What extract writes: KELF, then taken rows in table order."""
        k = self.kelf
        hdr = bytearray(ram[k.pa - self.ram_base:k.pa - self.ram_base + k.size])
        out = k.size
        body = b''
        for r in k.rows:
            ph = 64 + r.index * 56
            take = (r.state == ROW_VALID and r.phdr == 'load' and r.phdr_pa == r.pa)
            if take:
                struct.pack_into('<Q', hdr, ph + 8, out)
                off = r.pa - self.ram_base
                body += ram[off:off + r.filesz]
                out += r.filesz
            else:
                hdr[ph:ph + 56] = bytes(56)
        return bytes(hdr) + body

    def qemu_dump(self, ram, xnum=False):
        """QEMU 7.2 dump-guest-memory, paging=false: RAM in two PT_LOADs.

        xnum: e_phnum = PN_XNUM with the count in section header 0, as QEMU
        writes it for the 65,000-phdr paging=true dumps."""
        half = align(self.ram_size // 2, PAGE)
        loads = [(self.ram_base, 0, half), (self.ram_base + half, half, self.ram_size - half)]
        a = ARCH[self.arch]
        notes = note('CORE', NT_PRSTATUS, bytes(a['prstatus']))
        notes += note('VMCOREINFO', 0, ''.join(l + '\n' for l in self.vmci_base).encode())
        phnum = 1 + len(loads)
        phoff = 192
        notes_off = phoff + phnum * 56
        data_off = align(notes_off + len(notes), PAGE)
        ehdr = (b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8) +
                struct.pack('<HHIQQQIHHHHHH', 4, a['machine'], 1, 0, phoff, 64, 0, 8, 56,
                            0xffff if xnum else phnum, 64, 1 if xnum else 2, 0))
        shdrs = bytearray(128)
        if xnum:
            struct.pack_into('<I', shdrs, 44, phnum)
        shdrs = bytes(shdrs)
        ph = struct.pack('<IIQQQQQQ', PT_NOTE, 0, notes_off, 0, 0, len(notes), len(notes), 0)
        for pa, off, n in loads:
            ph += struct.pack('<IIQQQQQQ', PT_LOAD, 0, data_off + off, 0, pa, n, n, 0)
        out = ehdr + shdrs + ph + notes
        out += bytes(data_off - len(out))
        return out + ram

    def md_files(self, ram):
        k = self.kelf
        files = [('KELF', ram[k.pa - self.ram_base:k.pa - self.ram_base + k.size])]
        for r in k.rows:
            if r.state == ROW_VALID and r.phdr == 'load':
                off = r.pa - self.ram_base
                files.append(('K' + r.name[:8], ram[off:off + r.room]))
        return [('md_%s%d.BIN' % (name, n), data) for n, (name, data) in enumerate(files, 1)]

    def md_pack(self, ram):
        """The md set in the fuzz_md input format (src/tool/fuzz/fuzz_md.c)."""
        files = self.md_files(ram)
        out = bytes([len(files) - 1])
        for name, data in files:
            out += bytes([len(name)]) + name.encode() + struct.pack('<I', len(data))
        return out + b''.join(data for _, data in files)

    def md_set(self, ram, outdir):
        os.makedirs(outdir, exist_ok=True)
        for name, data in self.md_files(ram):
            with open(os.path.join(outdir, name), 'wb') as f:
                f.write(data)


def main():
    args = sys.argv[1:]
    if not args or args[0] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0 if args else 2)
    spec = Spec(args[0])
    spec.finish()
    outs = dict(zip(args[1::2], args[2::2]))
    ram = spec.ram()
    for opt, path in outs.items():
        if opt == '--ram':
            data = ram
        elif opt == '--qemu':
            data = spec.qemu_dump(ram)
        elif opt == '--qemu-xnum':
            data = spec.qemu_dump(ram, xnum=True)
        elif opt == '--core':
            data = spec.expected_core(ram)
        elif opt == '--kelf':
            k = spec.kelf
            data = ram[k.pa - spec.ram_base:k.pa - spec.ram_base + k.size]
        elif opt == '--dmesg':
            data = spec.printk.dmesg().encode('latin-1')
        elif opt == '--md':
            spec.md_set(ram, path)
            continue
        elif opt == '--md-pack':
            data = spec.md_pack(ram)
        else:
            sys.exit('gen.py: unknown option ' + opt)
        with open(path, 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
