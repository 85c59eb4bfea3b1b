#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile inputs that need more than a golden file: memory and time bounds, files
that change under the tool, signals. Each case builds its input in WORKDIR, runs
the plain (not sanitized) tool with limits, and exits 0 if the tool behaved.

Usage: hostile.py CASE TOOL WORKDIR     (CASE: see CASES at the end; "list" lists them)

Bounds are loose on purpose (a loaded 2-core machine): they separate O(guest RAM)
from O(minidump), or seconds from minutes, not milliseconds.
"""
import os
import resource
import signal
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1 << 20
PT_LOAD, PT_NOTE = 1, 4


def run(cmd, limit_as=None, timeout=120):
    """(exit status, stdout, stderr, seconds); limit_as: RLIMIT_AS in bytes."""
    def pre():
        if limit_as:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout,
                       preexec_fn=pre)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t


def fail(msg, err=""):
    print(msg)
    for line in err.strip().splitlines()[-8:]:
        print("  " + line)
    return 1


def gen(spec_text, work, name):
    spec = os.path.join(work, name + ".spec")
    with open(spec, "w") as f:
        f.write(spec_text)
    ram = os.path.join(work, name + ".ram")
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), spec, "--ram", ram], check=True)
    return ram


def ehdr(phnum, machine=62, phoff=64):
    return (b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) +
            struct.pack("<HHIQQQIHHHHHH", 4, machine, 1, 0, phoff, 0, 0, 64, 56, phnum, 0, 0, 0))


def phdr(ptype, off, vaddr, paddr, filesz):
    return struct.pack("<IIQQQQQQ", ptype, 0, off, vaddr, paddr, filesz, filesz, 0)


def note(name, ntype, desc):
    nb = name.encode() + b"\0" if name else b""
    return (struct.pack("<III", len(nb), len(desc), ntype) + nb + bytes(-len(nb) % 4) + desc +
            bytes(-len(desc) % 4))


# ---- the cases ---------------------------------------------------------------------------

def scan_memory(tool, work):
    """24 valid 8 MiB KELFs in RAM: the scan copies one, not each (was: every candidate's
    buffer kept, 64 x 64 MiB)."""
    n, size = 24, 8 * MiB
    lines = ["arch x86_64", f"ram 0x1000000 0x{n * size:x}",
             "kelf 0x1000000 capacity=4 cpus=1 flags=LIVE gen=2 page=0x800000", "vmcoreinfo std"]
    lines += [f"kelf_copy 0x{0x1000000 + i * size:x} flags=LIVE" for i in range(1, n)]
    ram = gen("\n".join(lines) + "\n", work, "scan-memory")
    limit = os.path.getsize(ram) + 96 * MiB      # the mapping, and less than 24 copies
    rc, out, err, secs = run([tool, "extract", "--ram", f"{ram}@0x1000000", "-o", "/dev/null"],
                             limit_as=limit)
    os.unlink(ram)
    if rc != 0 or f"{n} KELF headers found" not in err:
        return fail(f"extract with RLIMIT_AS {limit >> 20} MiB: exit {rc}", err)
    print(f"{n} KELFs of {size >> 20} MiB found under RLIMIT_AS {limit >> 20} MiB "
          f"(the RAM file is {(n * size) >> 20} MiB) in {secs:.2f} s")
    return 0


def fake_headers(tool, work):
    """400 pages of fake KELF headers claiming 64 MiB each, whose notes are 64 MiB of
    zeros: the scan parses them in place and stops at the note limit (was: 64 MiB
    copied and millions of notes walked per page, 38 s)."""
    pages, base = 400, 0x1000000
    zone = pages * 4096                       # where every fake PT_NOTE points
    kelf_size = 64 * MiB
    ram = os.path.join(work, "fake-headers.ram")
    table = struct.pack("<8sIIIIIIQQIIIIIIQ", b"KMDTABLE", 2, 80, 80, 2, 0, 0, base,
                        0xffff888000000000 + base, kelf_size, 1, 0, 1, 1, 0, 0)
    tnote = note("KMINIDUMP", 1, table + bytes(160))
    with open(ram, "wb") as f:
        for k in range(pages):
            hdr = ehdr(2) + phdr(PT_NOTE, zone - k * 4096, 0, 0, kelf_size - zone) + bytes(56)
            f.write(hdr.ljust(4096, b"\0"))
        f.write(tnote)
        f.truncate(zone + kelf_size + MiB)
    rc, out, err, secs = run([tool, "-v", "extract", "--ram", f"{ram}@0x{base:x}", "-o",
                              "/dev/null"])
    os.unlink(ram)
    seen = err.count("is not a KELF")
    if rc != 5 or seen != pages or secs > 5:
        return fail(f"extract: exit {rc} (want 5), {seen} of {pages} headers refused, "
                    f"{secs:.1f} s (bound 5 s)", err)
    print(f"{pages} fake headers refused in {secs:.2f} s: {err.splitlines()[0][:120]}")
    return 0


def _mapped(pid, path):
    try:
        with open(f"/proc/{pid}/maps") as f:
            return path in f.read()
    except OSError:
        return False


def sigbus(tool, work):
    """The RAM file shrinks while the tool scans it: a message and exit 3, not a SIGBUS
    death."""
    ram = os.path.join(work, "shrink.ram")
    for size in (2 << 30, 8 << 30):
        with open(ram, "wb") as f:
            f.truncate(size)
        p = subprocess.Popen([tool, "extract", "--ram", f"{ram}@0", "-o",
                              os.path.join(work, "shrink.core")],
                             stderr=subprocess.PIPE, text=True)
        t = time.monotonic()
        while p.poll() is None and not _mapped(p.pid, ram) and time.monotonic() - t < 30:
            time.sleep(0.001)
        caught = p.poll() is None
        if caught:
            os.kill(p.pid, signal.SIGSTOP)
            os.truncate(ram, 1 << 20)
            os.kill(p.pid, signal.SIGCONT)
        err = p.communicate(timeout=120)[1]
        os.unlink(ram)
        if caught:
            break
    else:
        return fail("the tool finished before the file could be cut (no test)")
    if p.returncode != 3 or "shrank while it was read" not in err:
        return fail(f"exit {p.returncode} (want 3, the message)", err)
    if os.path.exists(os.path.join(work, "shrink.core")):
        return fail("an output was left")
    print(err.strip().splitlines()[-1])
    return 0


def sigterm(tool, work):
    """SIGTERM while the core is being written: neither the final name nor the temporary
    remains (was: a valid-looking partial core under the final name)."""
    big = 256 * MiB
    spec = ("arch x86_64\nram 0x1000000 0x%x\n" % (big + 4 * MiB) +
            "kelf 0x1000000 capacity=4 cpus=1 flags=LIVE gen=2\nvmcoreinfo std\n"
            "region big pa=0x1200000 size=0x%x va=0 fill=zero nodata\n" % big)
    ram = gen(spec, work, "sigterm")
    out = os.path.join(work, "sigterm.core")
    for attempt in range(3):
        p = subprocess.Popen([tool, "extract", "--ram", f"{ram}@0x1000000", "-o", out],
                             stderr=subprocess.PIPE, text=True)
        tmp = None
        while p.poll() is None and not tmp:
            tmp = next((n for n in os.listdir(work) if n.startswith(".sigterm.core.")), None)
        if p.poll() is None and tmp:
            os.kill(p.pid, signal.SIGSTOP)
            os.kill(p.pid, signal.SIGTERM)
            os.kill(p.pid, signal.SIGCONT)
            p.communicate(timeout=60)
            break
        p.communicate(timeout=60)
        if os.path.exists(out):
            os.unlink(out)
    else:
        os.unlink(ram)
        return fail("the tool finished writing before it could be stopped (no test)")
    os.unlink(ram)
    left = [n for n in os.listdir(work) if n.startswith(".sigterm.core.") or n == "sigterm.core"]
    if p.returncode != -signal.SIGTERM or left:
        return fail(f"status {p.returncode} (want -{int(signal.SIGTERM)}), left: {left}")
    print(f"stopped while writing {tmp}: nothing left")
    return 0


def encrypted_temp(tool, work):
    """--compress zstd --encrypt-to: the temporary being written holds only the age
    header and ciphertext, never the core's plaintext; SIGTERM removes it."""
    big = 256 * MiB
    spec = ("arch x86_64\nram 0x1000000 0x%x\n" % (big + 4 * MiB) +
            "kelf 0x1000000 capacity=4 cpus=1 flags=LIVE gen=2\nvmcoreinfo std\n"
            "region big pa=0x1200000 size=0x%x va=0 fill=zero nodata\n" % big)
    ram = gen(spec, work, "enctemp")
    key = os.path.join(work, "enctemp.key")
    if os.path.exists(key):
        os.unlink(key)
    subprocess.run(["age-keygen", "-o", key], check=True, capture_output=True)
    rcpt = subprocess.run(["age-keygen", "-y", key], check=True, capture_output=True,
                          text=True).stdout.strip()
    out = os.path.join(work, "enctemp.core")
    # no zstd: 256 MiB of zeros would shrink to nothing; age alone keeps the size
    p = subprocess.Popen([tool, "extract", "--ram", f"{ram}@0x1000000", "--encrypt-to", rcpt,
                          "-o", out], stderr=subprocess.PIPE, text=True)
    tmp, data = None, b""
    while p.poll() is None:
        tmp = next((n for n in os.listdir(work) if n.startswith(".enctemp.core.")), None)
        if tmp:
            try:
                if os.path.getsize(os.path.join(work, tmp)) > 4 * MiB:
                    break
            except OSError:
                pass
    if p.poll() is None and tmp:
        os.kill(p.pid, signal.SIGSTOP)
        with open(os.path.join(work, tmp), "rb") as f:
            data = f.read()
        os.kill(p.pid, signal.SIGTERM)
        os.kill(p.pid, signal.SIGCONT)
    p.communicate(timeout=120)
    os.unlink(ram)
    left = [n for n in os.listdir(work) if n.startswith(".enctemp.core.") or n == "enctemp.core"]
    if not data:
        return fail("the tool finished writing before it could be stopped (no test)")
    # plaintext would show the ELF header and the zero-filled region in clear
    if not data.startswith(b"age-encryption.org/v1\n") or b"\x7fELF" in data or \
            bytes(4096) in data:
        return fail(f"the temporary {tmp} holds plaintext ({len(data)} bytes read)")
    if p.returncode != -signal.SIGTERM or left:
        return fail(f"status {p.returncode} (want -{int(signal.SIGTERM)}), left: {left}")
    print(f"{len(data) >> 20} MiB of {tmp} read while stopped: ciphertext only; "
          "SIGTERM left nothing")
    return 0


def nested_loads(tool, work):
    """A stack in one PT_LOAD with ten small PT_LOADs nested inside it, none holding the
    stack pointer: the lookup still finds the stack (was: 8 spans looked back)."""
    va, sp = 0xffffc90000010000, 0xffffc90000013f00
    word = 0xffffffff81001234
    regs = [0] * 27
    regs[16], regs[19], regs[17], regs[20] = 0xffffffff81000100, sp, 0x10, 0x18
    prs = bytearray(336)
    struct.pack_into("<i", prs, 32, 42)
    struct.pack_into("<27Q", prs, 112, *regs)
    notes = note("CORE", 1, bytes(prs))
    nload = 11
    data_off = 64 + (1 + nload) * 56
    stack = bytearray(0x4000)
    struct.pack_into("<Q", stack, sp - va, word)
    ph = phdr(PT_NOTE, data_off, 0, 0, len(notes))
    ph += phdr(PT_LOAD, data_off + len(notes), va, 0x1000000, len(stack))
    for i in range(1, nload):
        ph += phdr(PT_LOAD, data_off + len(notes) + 0x100 * i, va + 0x100 * i,
                   0x1000000 + 0x100 * i, 0x100)
    core = os.path.join(work, "nested.core")
    with open(core, "wb") as f:
        f.write(ehdr(1 + nload) + ph + notes + stack)
    rc, out, err, _ = run([tool, "info", "--json", core])
    import json
    try:
        bt = json.loads(out)["cpus"][0]["backtrace"]
    except (ValueError, KeyError, IndexError, TypeError):
        return fail(f"info --json: exit {rc}", err)
    words = [int(f["addr"], 16) for f in bt["frames"] if f["kind"] == "word"]
    if rc or not bt["stacks"] or word not in words:
        return fail(f"the stack was not found: {bt['end']}")
    print(f"stack found under {nload - 1} nested PT_LOADs: {bt['end']}")
    return 0


def note_cap(tool, work):
    """A core of 2^20 + 1 notes: a warning names the limit (was: silent), and the time
    stays linear (was: the note array grew by 64 at a time)."""
    n = (1 << 20) + 1
    blob = struct.pack("<III", 0, 0, 7) * n
    core = os.path.join(work, "notes.core")
    with open(core, "wb") as f:
        f.write(ehdr(1) + phdr(PT_NOTE, 120, 0, 0, len(blob)) + blob)
    rc, out, err, secs = run([tool, "dmesg", core])
    os.unlink(core)
    if rc != 5 or "more than 1048576 notes" not in err or secs > 20:
        return fail(f"dmesg: exit {rc} (want 5), {secs:.1f} s (bound 20 s)", err)
    print(f"{err.strip().splitlines()[0]} ({secs:.2f} s)")
    return 0


def aliases(tool, work):
    """A System.map of a million aliases of one address and a core of 20000 regions in
    the kernel image: each name is two binary searches (was: a walk over the aliases per
    lookup, quadratic)."""
    n, regions = 1000000, 20000
    smap = os.path.join(work, "aliases.map")
    with open(smap, "w") as f:
        f.write("ffffffff81000000 T _text\nffffffff81000000 T _stext\n")
        f.writelines(f"ffffffff81000000 T alias_{i}\n" for i in range(n))
        f.write("ffffffff810ff000 T _etext\nffffffff82000000 B _end\n")
    ph = phdr(PT_NOTE, 0, 0, 0, 0)
    ph += b"".join(phdr(PT_LOAD, 0, 0xffffffff81000010 + 16 * i, 0x1000000 + 16 * i, 0)
                   for i in range(regions))
    core = os.path.join(work, "aliases.core")
    with open(core, "wb") as f:
        f.write(ehdr(1 + regions) + ph)
    rc, out, err, secs = run([tool, "info", "--system-map", smap, core])
    os.unlink(smap)
    os.unlink(core)
    named = out.count("_stext+0x")
    if rc or named != regions or secs > 10:
        return fail(f"info: exit {rc}, {named} of {regions} regions named, {secs:.1f} s "
                    "(bound 10 s)", err)
    print(f"{regions} regions named against {n} aliases in {secs:.2f} s")
    return 0


CASES = {
    "scan-memory": scan_memory, "fake-headers": fake_headers, "sigbus": sigbus,
    "sigterm": sigterm, "encrypted-temp": encrypted_temp, "nested-loads": nested_loads, "note-cap": note_cap,
    "aliases": aliases,
}


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        print(" ".join(CASES))
        return 0
    if len(sys.argv) != 4 or sys.argv[1] not in CASES:
        sys.exit(__doc__)
    return CASES[sys.argv[1]](os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]))


if __name__ == "__main__":
    sys.exit(main())
