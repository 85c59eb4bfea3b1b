#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The C2SP CCTV age vectors (data/age-cctv) against the tool's age reader.

Usage: cctv.py STREAM_TEST WORKDIR [VECTOR...]

For each vector: its age file and identities are written to WORKDIR,
`STREAM_TEST decrypt FILE KEYS` runs, and the outcome must be the vector's:
success with the payload's SHA-256, "no match" as exit 5 (no identity opens
it), any other failure as exit 4 (header, HMAC, payload). The reader releases
no plaintext before every chunk authenticated, so a failure has no payload to
compare. Prints one line per vector that differs, then "N vectors, N differ".
"""
import os
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ANY_ID = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
WANT_RC = {"success": 0, "no match": 5, "HMAC failure": 4, "header failure": 4,
           "payload failure": 4}


def load(path):
    raw = open(path, "rb").read()
    head, body = raw.split(b"\n\n", 1)
    meta = {"identity": []}
    for line in head.decode().splitlines():
        k, v = line.split(": ", 1)
        if k == "identity":
            meta["identity"].append(v)
        else:
            meta[k] = v
    if meta.get("compressed") == "zlib":
        body = zlib.decompress(body)
    return meta, body


def main():
    tool, work = sys.argv[1], sys.argv[2]
    d = os.path.join(HERE, "data", "age-cctv")
    names = sys.argv[3:] or sorted(n for n in os.listdir(d) if n != "README")
    bad = 0
    for n in names:
        meta, body = load(os.path.join(d, n))
        f = os.path.join(work, "cctv.age")
        k = os.path.join(work, "cctv.key")
        open(f, "wb").write(body)
        ids = meta["identity"] or [ANY_ID]  # "empty" has none: any will do
        open(k, "w").write("# test\n" + "\n".join(ids) + "\n")
        p = subprocess.run([tool, "decrypt", f, k], capture_output=True, text=True, timeout=60)
        want = WANT_RC[meta["expect"]]
        got_hash = p.stdout.strip()
        if p.returncode != want or (want == 0 and got_hash != meta["payload"]):
            bad += 1
            print(f"{n}: expect {meta['expect']} (exit {want}), got exit {p.returncode} "
                  f"{got_hash[:16]} {p.stderr.strip()[:200]}")
    print(f"{len(names)} vectors, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
