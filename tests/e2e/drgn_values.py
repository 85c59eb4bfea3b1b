#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Open a kminidump core with drgn 0.0.22 and print what the e2e tests compare, as JSON.

Usage: /usr/bin/python3 tests/e2e/drgn_values.py CORE VMLINUX
(drgn is importable only from Debian's /usr/bin/python3.)
Every value is read independently: one failure is reported in "errors" and
does not hide the others.
"""
import json
import sys

import drgn
from drgn.helpers.linux.printk import get_printk_records


def main():
    core, vmlinux = sys.argv[1], sys.argv[2]
    out, errors = {}, {}
    prog = drgn.Program()
    prog.set_core_dump(core)
    prog.load_debug_info([vmlinux])

    def value(name, fn):
        try:
            out[name] = fn()
        except Exception as e:      # report and go on
            errors[name] = f"{type(e).__name__}: {e}"

    # prog['jiffies'] is a linker alias drgn 0.0.22 cannot see: read jiffies_64
    value("jiffies_64", lambda: prog["jiffies_64"].value_())
    value("release", lambda: prog["init_uts_ns"].name.release.string_().decode())
    value("nr_irqs", lambda: prog["nr_irqs"].value_())

    def records():
        recs = get_printk_records(prog)
        return {"count": len(recs), "last": [r.text.decode(errors="replace") for r in recs[-60:]]}
    value("printk", records)

    def trace():
        t = prog.crashed_thread()
        return {"tid": t.tid, "frames": [str(f.name) if f.name else hex(f.pc)
                                          for f in t.stack_trace()]}
    value("crashed_thread", trace)
    out["errors"] = errors
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
