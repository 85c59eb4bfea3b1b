#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""kminidump against kdump and QEMU's own dump, side by side on the same guest (make bench).

For each kernel, on the same QEMU configuration (TCG, 1 GiB, 2 vCPUs, pvpanic with
-action panic=pause, a 4 KiB reserved buffer), a fresh boot per method, each crashed
with sysrq-c:
  kminidump  kminidump_rmem's locator read from the host's RAM file by the host tool
             (`kminidump collect` once it exists, else `kminidump extract --locator`)
  kdump      Debian's kexec-tools + makedumpfile -l -d 31 in the guest; the smallest
             crashkernel= that captures is searched
  qemu       QMP dump-guest-memory, ELF and kdump-zlib; makedumpfile -d 31 of the ELF
then: which analysis tools still work on each output, the host cost at 1/4/16 GiB
(sparse RAM files) and the steady-state cost of the loaded modules under -icount.
Writes build/bench/results.json, results.md and scale.png. A method's failure is written
in its cells and the run goes on. Absolute times under TCG are indicative; the ratios
measured in one run are the figures to quote (docs/benchmarks.md).

Usage: tests/bench.py [--kernel amd64-6.1,amd64-6.12,arm64-6.12] [--only kminidump,kdump,
       qemu,analysis,scale,steady] [--out DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import time
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "qemu"))
sys.path.insert(0, os.path.join(TOP, "tests", "bench"))
from kmdqemu import install_signal_handlers  # noqa: E402
from kmdqemu.paths import KernelEnv  # noqa: E402

import analysis  # noqa: E402
import methods  # noqa: E402
import report  # noqa: E402

KERNELS = "amd64-6.1,amd64-6.12,arm64-6.12"
PARTS = ["kminidump", "kdump", "qemu", "analysis", "scale", "steady"]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def guarded(what, fn, *a, **kw):
    t = time.monotonic()
    try:
        r = fn(*a, **kw)
    except Exception as e:      # noqa: BLE001 - the cell says what failed
        traceback.print_exc()
        r = {"ok": False, "reason": f"{type(e).__name__}: {str(e).strip()[-300:]}"}
    r["bench_wall_s"] = time.monotonic() - t
    log(f"{what}: {'ok' if r.get('ok') else 'FAILED: ' + str(r.get('reason'))[:200]} "
        f"({r['bench_wall_s']:.0f} s)")
    return r


def age_key(out):
    key = os.path.join(out, "age-key.txt")
    if not os.path.exists(key):
        subprocess.run(["age-keygen", "-o", key], check=True, capture_output=True)
    with open(key) as f:
        for line in f:
            if line.startswith("# public key: "):
                return line.split(": ", 1)[1].strip()
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default=KERNELS)
    ap.add_argument("--only", default=",".join(PARTS))
    ap.add_argument("--out", default=os.path.join(TOP, "build", "bench"))
    ap.add_argument("--merge", action="store_true",
                    help="add to the existing results.json instead of starting anew")
    a = ap.parse_args()
    only = a.only.split(",")
    install_signal_handlers()
    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["make", "-s", "-C", os.path.join(TOP, "src", "tool")], check=True)
    t0 = time.monotonic()
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "qemu": subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0],
           "host": os.uname().release, "kernels": {}}
    old = os.path.join(a.out, "results.json")
    if a.merge and os.path.exists(old):
        with open(old) as f:
            prev = json.load(f)
        prev.setdefault("merged", []).append(f"{res['date']}: --only {a.only} --kernel {a.kernel}")
        res = prev
    recipient = age_key(a.out)
    for name in a.kernel.split(","):
        env = KernelEnv(name)
        work = os.path.join(a.out, name)
        os.makedirs(work, exist_ok=True)
        k = res["kernels"].setdefault(name, {})
        k["kver"] = env.kver
        if "kminidump" in only:
            k["kminidump"] = guarded(f"{name} kminidump", methods.kminidump_col, name, work,
                                     recipient, keep_ram="scale" in only and "scale" not in res)
        if "kdump" in only:
            k["kdump"] = guarded(f"{name} kdump", methods.kdump_col, name, work, log=log)
        if "qemu" in only:
            k["qemu"] = guarded(f"{name} qemu dump-guest-memory", methods.qemudump_col, name,
                                work)
        if "analysis" in only:
            for col, key, mini in (("kminidump", "file", True), ("kdump", "file", False),
                                   ("qemu", "elf_file", False), ("qemu", "mdf_file", False)):
                path = k.get(col, {}).get(key)
                tag = col if key != "mdf_file" else "qemu+mdf"
                if path:
                    k.setdefault("analysis", {})[tag] = analysis.cells(
                        env, path, mini, k[col].get("panic_pid"))
            log(f"{name} analysis: {json.dumps(k.get('analysis', {}))[:400]}")
        if "scale" in only and "scale" not in res and k.get("kminidump", {}).get("ok"):
            import scale
            res["scale"] = guarded(f"{name} scale", scale.run, name, k["kminidump"], work)
            res["scale"]["kernel"] = name
        if "steady" in only:        # every kernel: it also times the panic path in icount
            import steady
            k["steady"] = guarded(f"{name} steady state", steady.run, name, work)
            k["steady"]["kernel"] = name
        for col in ("kminidump", "kdump", "qemu"):      # big files go, figures stay
            for key in ("ram_img",):
                p = k.get(col, {}).pop(key, None)
                if p and os.path.exists(p):
                    os.unlink(p)
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    if not a.merge:
        res["wall_s"] = time.monotonic() - t0
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    md = report.markdown(res)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    report.plot(res, os.path.join(a.out, "scale.png"))
    print(md)
    log(f"make bench: {(time.monotonic() - t0) / 60:.1f} min; {a.out}/results.md, results.json")


if __name__ == "__main__":
    main()
