#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One spec per format, checked by machine: every struct and KMD_* constant of
include/uapi/*.h against the Python spellings of tests/qemu/kmdqemu/: each
module there with a UAPI_STRUCTS dict ({C struct name: (struct.Struct, field
names)}) and its KMD_* names.

The C side is what the compiler says: this script generates a small C program
printing sizeof/offsetof of every member of every struct it finds in the
headers and the value of every KMD_* macro, builds it with cc and compares.
It fails when either side drifts: a struct or constant without a Python
spelling, a member at another offset or of another size, a Python field the
C struct lacks, a different value.

Usage: layout.py [--cc CC] [-v]     exit 0 when everything agrees, 1 if not
"""
import glob
import importlib.util
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
UAPI = os.path.join(TOP, "include", "uapi")
KMDQEMU = os.path.join(TOP, "tests", "qemu", "kmdqemu")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _members(body):
    """Member names of a struct body; an anonymous union or struct inside adds its own
    members (offsetof reaches them), a named one counts by its name."""
    out, i, decl = [], 0, ""
    while i < len(body):
        c = body[i]
        if c == "{":
            depth, j = 1, i + 1
            while depth and j < len(body):
                depth += {"{": 1, "}": -1}.get(body[j], 0)
                j += 1
            inner = body[i + 1:j - 1]
            k = body.index(";", j) if ";" in body[j:] else len(body)
            name = re.findall(r"\w+", re.sub(r"\[[^\]]*\]", "", body[j:k]))
            out += name[-1:] if name else _members(inner)
            decl, i = "", k + 1
            continue
        if c == ";":
            words = re.findall(r"\w+", re.sub(r"\[[^\]]*\]", "", decl))
            if len(words) >= 2:
                out.append(words[-1])
            decl = ""
        else:
            decl += c
        i += 1
    return out


def c_structs(text):
    """{struct name: [member names]} of every 'struct NAME { ... };' of the text."""
    out = {}
    for m in re.finditer(r"\bstruct\s+(\w+)\s*\{", text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if not depth:
            out[m.group(1)] = _members(text[m.end():i - 1])
    return out


def c_constants(text):
    """{name: 'num'|'str'} of every #define KMD_* with a value."""
    out = {}
    for m in re.finditer(r"^\s*#\s*define\s+(KMD_\w+)\s+(\S.*)$", text, re.M):
        out[m.group(1)] = "str" if m.group(2).strip().startswith('"') else "num"
    return out


def compile_and_run(cc, headers, structs, consts):
    lines = ["#include <stddef.h>", "#include <stdio.h>"]
    lines += [f'#include "{h}"' for h in headers]
    lines.append("int main(void)\n{")
    for s, members in structs.items():
        lines.append(f'\tprintf("S {s} %zu\\n", sizeof(struct {s}));')
        for f in members:
            lines.append(f'\tprintf("F {s} {f} %zu %zu\\n", offsetof(struct {s}, {f}), '
                         f"sizeof(((struct {s} *)0)->{f}));")
    for c, kind in consts.items():
        if kind == "str":
            lines.append(f'\tprintf("C {c} s %s\\n", {c});')
        else:
            lines.append(f'\tprintf("C {c} n %llu\\n", (unsigned long long)({c}));')
    lines.append("\treturn 0;\n}\n")
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "layout.c"), os.path.join(d, "layout")
        with open(src, "w") as f:
            f.write("\n".join(lines))
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Werror", "-o", exe, src],
                           capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"layout.py: the generated program does not build:\n{r.stderr}")
        out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    sizes, fields, values = {}, {}, {}
    for line in out.splitlines():
        w = line.split(" ", 3)
        if w[0] == "S":
            sizes[w[1]] = int(w[2])
        elif w[0] == "F":
            off, size = line.split()[3:5]
            fields[(w[1], w[2])] = (int(off), int(size))
        elif w[0] == "C":
            kind, val = w[2], w[3]
            values[w[1]] = val if kind == "s" else int(val)
    return sizes, fields, values


def python_side():
    """(structs, constants) of the kmdqemu modules with UAPI_STRUCTS, and their KMD_* names."""
    structs, consts, where = {}, {}, {}
    for path in sorted(glob.glob(os.path.join(KMDQEMU, "*.py"))):
        src = open(path).read()
        if not re.search(r"^UAPI_STRUCTS\s*=", src, re.M):
            continue
        name = "kmd_layout_" + os.path.basename(path)[:-3]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        for s, v in getattr(mod, "UAPI_STRUCTS", {}).items():
            structs[s] = v
            where[s] = path
        for k, v in vars(mod).items():
            if k.startswith("KMD_") and isinstance(v, (int, str, bytes)):
                if k in consts and consts[k] != v:
                    sys.exit(f"layout.py: {k} is {consts[k]!r} in {where[k]} but {v!r} in {path}")
                consts[k], where[k] = v, path
    return structs, consts, where


def py_fields(st, names):
    """[(name, offset, size)] of a struct.Struct whose items are the named fields, in order.
    An item is one code with an optional count; a count on anything but 's' (bytes) or 'x'
    (padding, not a field) would make field boundaries ambiguous and is refused."""
    fmt = st.format if isinstance(st.format, str) else st.format.decode()
    order, items = fmt[0] if fmt[:1] in "<>=!@" else "@", fmt.lstrip("<>=!@")
    out, off, i = [], 0, 0
    for m in re.finditer(r"(\d*)([a-zA-Z?])", items):
        count, code = m.group(1), m.group(2)
        size = struct.calcsize(order + count + code)
        if code == "x":
            off += size
            continue
        if count and code != "s":
            raise ValueError(f"format {fmt!r}: write {count}{code} as separate fields")
        if i >= len(names):
            raise ValueError(f"format {fmt!r} has more items than the {len(names)} names")
        out.append((names[i], off, size))
        off += size
        i += 1
    if i != len(names):
        raise ValueError(f"format {fmt!r} has {i} items for {len(names)} names")
    return out


def py_value(v):
    return v.decode() if isinstance(v, bytes) else v


def main():
    cc = "cc"
    verbose = "-v" in sys.argv[1:]
    if "--cc" in sys.argv:
        cc = sys.argv[sys.argv.index("--cc") + 1]
    headers = sorted(glob.glob(os.path.join(UAPI, "*.h")))
    structs, consts = {}, {}
    for h in headers:
        text = strip_comments(open(h).read())
        structs.update(c_structs(text))
        consts.update(c_constants(text))
    sizes, fields, values = compile_and_run(cc, headers, structs, consts)
    pstructs, pconsts, where = python_side()
    problems, checked = [], 0

    for s, members in structs.items():
        if s not in pstructs:
            problems.append(f"struct {s} ({sizes[s]} bytes) has no Python spelling: add it to "
                            f"UAPI_STRUCTS in a tests/qemu/kmdqemu module")
            continue
        st, names = pstructs[s]
        try:
            pf = py_fields(st, list(names))
        except ValueError as e:
            problems.append(f"struct {s} in {where[s]}: {e}")
            continue
        if st.size != sizes[s]:
            problems.append(f"struct {s}: C sizeof {sizes[s]}, Python {st.size} ({where[s]})")
        pmap = {n: (o, z) for n, o, z in pf}
        for f in members:
            c = fields[(s, f)]
            if f not in pmap:
                problems.append(f"struct {s}: member {f} (offset {c[0]}, {c[1]} bytes) has "
                                f"no Python field ({where[s]})")
            elif pmap[f] != c:
                problems.append(f"struct {s}.{f}: C offset {c[0]} size {c[1]}, Python offset "
                                f"{pmap[f][0]} size {pmap[f][1]} ({where[s]})")
            checked += 1
        for n in pmap:
            if n not in members:
                problems.append(f"struct {s}: Python field {n} is not a member in C "
                                f"({where[s]})")
    for s in pstructs:
        if s not in structs:
            problems.append(f"UAPI_STRUCTS names struct {s}, which no include/uapi header "
                            f"defines ({where[s]})")
    for c, v in values.items():
        if c not in pconsts:
            problems.append(f"{c} = {v!r} has no Python spelling in tests/qemu/kmdqemu/")
        elif py_value(pconsts[c]) != v:
            problems.append(f"{c}: C {v!r}, Python {pconsts[c]!r} ({where[c]})")
        checked += 1
    for c in pconsts:
        if c not in values:
            problems.append(f"{c} is defined in {where[c]} but in no include/uapi header")
    for p in problems:
        print(f"layout: {p}")
    if verbose or not problems:
        print(f"layout: {len(structs)} structs, {checked} members and constants compared "
              f"({', '.join(os.path.relpath(h, TOP) for h in headers)})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
