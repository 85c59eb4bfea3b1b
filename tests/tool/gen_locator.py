#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a kminidump_rmem buffer holding a locator for the KELF of a RAM image.

Usage: gen_locator.py RAM@BASE KELF_PA BUF_PA OUT [field=value ...]
  RAM@BASE  a RAM image from gen.py and its physical base
  KELF_PA   where its KELF is; the locator names it (kelf_size, table_off from it)
  BUF_PA    the locator's own address (buf_pa); OUT gets one 4 KiB page
  field=value  override a locator field (kelf_pa=0x..., state=3, seq=3, bad_crc=1, magic=...)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
from kmdqemu import kelf, locator  # noqa: E402


class Ram:
    def __init__(self, data, base):
        self.data, self.base = data, base

    def read(self, pa, n):
        return self.data[pa - self.base:pa - self.base + n]


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    path, base = sys.argv[1].split("@")
    kpa, bpa = int(sys.argv[2], 0), int(sys.argv[3], 0)
    k = kelf.Kelf(Ram(open(path, "rb").read(), int(base, 0)), kpa)
    f = dict(buf_pa=bpa, kelf_pa=kpa, kelf_size=k.table.kelf_size,
             table_off=k.notes[0].desc_pa - kpa, table_pa=k.notes[0].desc_pa,
             table_gen=k.table.gen, release=b"6.1.0-test", boot_id=bytes(range(16)))
    for a in sys.argv[5:]:
        n, v = a.split("=", 1)
        f[n] = v.encode() if n in ("magic", "release") else int(v, 0)
    if "kelf_pa" in [a.split("=")[0] for a in sys.argv[5:]]:
        f["table_pa"] = f["kelf_pa"] + f["table_off"]
    with open(sys.argv[4], "wb") as out:
        out.write(locator.build(**f))


if __name__ == "__main__":
    main()
