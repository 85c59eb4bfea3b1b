# SPDX-License-Identifier: GPL-2.0
"""results.md (one table per kernel, one column per method, the ratios, the seed talk's
figures) and scale.png (gnuplot) from the results of tests/bench.py."""
import os
import shutil
import subprocess

# "Ramdump for Trusted VMs" (the seed talk): kdump vs minidump on a secure guest VM
SEED = {"size": (200e6, 1.14e6), "guest_bytes": (31e6, 4e3), "panic_to_file_s": (8.5, 0.27)}
SEED_TEXT = {"size": "200 MB vs 1.14 MB", "guest_bytes": "31 MB vs 4 KB",
             "panic_to_file_s": "8.5 s vs 0.27 s"}


def mb(v):
    if v is None:
        return None
    if v >= 2**20:
        return f"{v / 2**20:.2f} MiB"
    if v >= 2**10:
        return f"{v / 2**10:.1f} KiB"
    return f"{int(v)} B"


def sec(v):
    if v is None:
        return None
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def kib(v):
    return None if v is None else f"{v / 1024:.0f} MiB"


def ns(v):
    return None if v is None else f"{v / 1000:.0f} us"


def clean(s):
    return " ".join(str(s).split()).replace("|", "/")


def cell(col, key, fmt, note=""):
    if not col:
        return "not run"
    if not col.get("ok") and key not in col:
        return "FAILED: " + clean(col.get("reason", "?"))[:160]
    v = col.get(key)
    if v is None:
        err = col.get(key.split("_")[0] + "_error") or col.get(key + "_error")
        if err and err.startswith("n/a"):
            return clean(err)
        return "FAILED: " + clean(err)[:120] if err else "-"
    return fmt(v) + note


def ratio(a, b):
    if not a or not b:
        return "-"
    r = a / b
    return f"1/{1 / r:.0f}" if r < 0.1 else f"{r:.2f}"


ROWS = [
    # label, kminidump key, kdump key, qemu ELF key, qemu zlib key, qemu+mdf key, fmt, seed
    ("dump size", "size", "size", "elf_size", "kdump-zlib_size", "mdf_size", mb, "size"),
    ("size, zstd", "size_zstd", None, None, None, None, mb, None),
    ("size, zstd + age (encrypted)", "size_zstd_age", None, None, None, None, mb, None),
    ("collector time with zstd + age", "age_collect_s", None, None, None, None, sec, None),
    ("memory taken from the guest", "guest_bytes", "guest_bytes", None, None, None, mb,
     "guest_bytes"),
    ("panic -> file written (host clock)", "panic_to_file_s", "panic_to_file_s", "elf_total_s",
     "kdump-zlib_total_s", "mdf_total_s", sec, "panic_to_file_s"),
    ("panic -> guest running again", "running_again_s", "running_again_s", "elf_again_s",
     "kdump-zlib_again_s", None, sec, None),
    ("guest panic-path time", "panic_path_ns", None, None, None, None, ns, None),
    ("panic -> event at the host", "panic_to_event_s", None, "panic_to_event_s",
     "panic_to_event_s", None, sec, None),
    ("host collector time", "collect_s", None, "elf_s", "kdump-zlib_s", "mdf_s", sec, None),
    ("host collector peak RSS (QEMU: growth during the dump)", "collect_rss_kb", None,
     "elf_rss_growth_kb",
     "kdump-zlib_rss_growth_kb", "mdf_rss_kb", kib, None),
    ("host collector CPU", "collect_cpu_s", None, None, None, None, sec, None),
    ("KELF scan instead of the locator", "scan_s", None, None, None, None, sec, None),
    ("module load (with the symbol table) / kexec -p", "load_s", "kexec_load_s", None, None,
     None, sec, None),
    ("symbol-table load (kallsyms without data symbols)", "symbols_s", None, None, None,
     None, sec, None),
    ("panic -> capture kernel's /init (host clock)", None, "capture_boot_host_s", None, None,
     None, sec, None),
    ("capture-kernel boot (its uptime at /init)", None, "capture_boot_s", None, None, None,
     sec, None),
    ("makedumpfile -l -d 31", None, "makedumpfile_s", None, None, None, sec, None),
    ("kdump-tools' fallback: cp /proc/vmcore", None, "fallback_cp_s", None, None, None, sec,
     None),
    ("smallest crashkernel=", None, "smallest_crashkernel_mb", None, None, None,
     lambda v: f"{v}M", None),
]


def derive(k):
    q = k.get("qemu") or {}
    for fmt in ("elf", "kdump-zlib"):
        if f"{fmt}_s" in q:
            q[f"{fmt}_total_s"] = q["panic_to_event_s"] + q[f"{fmt}_s"]
            q[f"{fmt}_again_s"] = q[f"{fmt}_total_s"] + (q.get("boot_s") or 0)
    if "mdf_s" in q and "elf_total_s" in q:
        q["mdf_total_s"] = q["elf_total_s"] + q["mdf_s"]
    kd = k.get("kdump") or {}
    m = k.get("kminidump") or {}
    if m.get("symbols_ns") and m.get("symbols_ns") > 50_000_000:
        m["symbols_s"] = m["symbols_ns"] / 1e9
    # one fresh boot of this guest, the same figure for every column (the QEMU column's
    # boot: no module, no capture kernel to unpack)
    boot = q.get("boot_s") or m.get("boot_s") or kd.get("boot_s")
    k["fresh_boot_s"] = boot
    if boot:
        if "panic_to_file_s" in m:
            m["running_again_s"] = m["panic_to_file_s"] + boot
        if kd.get("panic_to_reboot_s") is not None:
            kd["running_again_s"] = kd["panic_to_reboot_s"] + boot
    return k


def table(name, k):
    derive(k)
    m, kd, q = k.get("kminidump"), k.get("kdump"), k.get("qemu")
    out = [f"### {name} ({k.get('kver')})", "",
           "| | kminidump | kdump (in the guest) | QEMU dump-guest-memory ELF | QEMU kdump-zlib "
           "| QEMU ELF + makedumpfile -d 31 | kminidump / kdump | kminidump / QEMU ELF "
           "| seed talk: kdump vs minidump |",
           "|---|---|---|---|---|---|---|---|---|"]
    for label, mk, kk, qe, qz, qm, fmt, seed in ROWS:
        cells = [cell(m, mk, fmt) if mk else "", cell(kd, kk, fmt) if kk else "",
                 cell(q, qe, fmt) if qe else "", cell(q, qz, fmt) if qz else "",
                 cell(q, qm, fmt) if qm else ""]
        mv = (m or {}).get(mk) if mk else None
        r1 = ratio(mv, (kd or {}).get(kk)) if mk and kk else ""
        r2 = ratio(mv, (q or {}).get(qe)) if mk and qe else ""
        s = f"{SEED_TEXT[seed]} ({ratio(SEED[seed][1], SEED[seed][0])})" if seed else ""
        out.append(f"| {label} | " + " | ".join(cells + [r1, r2, s]) + " |")
    an = k.get("analysis") or {}
    keys = []
    for v in an.values():
        keys += [x for x in v if x not in keys]
    for key in keys:
        row = [clean(an.get(c, {}).get(key, "")) for c in ("kminidump", "kdump", "qemu")]
        out.append(f"| analysis: {key} | {row[0]} | {row[1]} | {row[2]} | | "
                   f"{clean(an.get('qemu+mdf', {}).get(key, ''))} | | | |")
    notes = []
    if k.get("fresh_boot_s"):
        notes.append(f"running again = panic -> file (kdump: -> the capture kernel's reboot) "
                     f"+ one fresh boot of this guest to /init, {k['fresh_boot_s']:.2f} s")
    if m and m.get("collector"):
        if m.get("rerun"):
            notes.append(m["rerun"])
        notes.append(f"kminidump collector: {m['collector']}; compression: "
                     f"{m.get('compress_by', '-')}")
    ms = (m or {}).get("collect_stage_ms")
    if ms:
        notes.append("kminidump collect stages (ms): " + ", ".join(
            f"{k_} {v:.1f}" for k_, v in ms.items() if v is not None)
            + f"; its core {'equals' if m.get('collect_equal') else 'DIFFERS from'} "
            "extract --locator's")
    if kd and kd.get("makedumpfile_error"):
        notes.append(f"kdump: makedumpfile 1.7.2 failed in the capture kernel "
                     f"(\"{kd['makedumpfile_error']}\"); the dump is kdump-tools' fallback, "
                     f"a cp of /proc/vmcore")
    if kd and kd.get("tries"):
        notes.append("crashkernel= search: " + ", ".join(
            f"{mb_}M {'ok' if ok else 'no'}" for mb_, ok, _ in kd["tries"]))
    if m and m.get("modules_bytes") is not None:
        notes.append(f"kminidump memory: buffer {m.get('buffer')} B + modules "
                     f"{m.get('modules_bytes')} B (/proc/modules); MemFree dropped "
                     f"{m.get('memfree_drop_kb')} KiB while loading (table, symbol table, "
                     f"noise); {m.get('rows')} rows")
    out += [""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out)


def scale_table(s):
    if not s:
        return ""
    if not s.get("ok"):
        return f"Scale: FAILED: {s.get('reason')}\n"
    out = [f"### Host cost against guest RAM ({s.get('kernel')})", "",
           "| guest RAM | extract --locator | RSS | extract (KELF scan) | RSS "
           "| dump-guest-memory ELF | dump size |", "|---|---|---|---|---|---|---|"]
    for r in s["rows"]:
        out.append(f"| {r['gib']} GiB | {sec(r.get('locator_s')) or r.get('locator_error', '-')} "
                   f"| {kib(r.get('locator_rss_kb')) or '-'} "
                   f"| {sec(r.get('scan_s')) or r.get('scan_error', '-')} | {kib(r.get('scan_rss_kb')) or '-'} "
                   f"| {sec(r.get('dgm_s')) or r.get('dgm_error', '-')} | {mb(r.get('dgm_size')) or '-'} |")
    return "\n".join(out) + "\n\n" + s.get("note", "") + "\n"


def steady_table(s):
    if not s:
        return ""
    if not s.get("ok"):
        return f"Steady state: FAILED: {s.get('reason')}\n"
    out = [f"### Steady state under -icount ({s.get('kernel')})", "",
           "| workload | without modules | with modules | ratio |", "|---|---|---|---|"]
    for w in s["rows"]:
        out.append(f"| {w['name']} | {w['without']} | {w['with']} | {w['ratio']:.4f} |")
    return "\n".join(out) + "\n\n" + s.get("note", "") + "\n"


def markdown(res):
    out = ["# make bench results", "",
           f"{res['date']}, {res['qemu']}, host {res['host']}, TCG, 1 GiB, 2 vCPUs, sysrq-c, "
           f"a fresh boot per method; run {res.get('wall_s', 0) / 60:.1f} min.",
           "Times under TCG are indicative; quote the ratios measured in one run. 'running "
           "again' is defined under each table."]
    out += [f"Added later with --merge: {m}" for m in res.get("merged", [])] + [""]
    for name, k in res["kernels"].items():
        out.append(table(name, k))
    out.append(scale_table(res.get("scale")))
    for name, k in res["kernels"].items():
        if k.get("steady"):
            out.append(steady_table(k["steady"]))
    if res.get("steady"):       # results.json of a run before steady went per kernel
        out.append(steady_table(res["steady"]))
    return "\n".join(out)


def plot(res, png):
    s = res.get("scale")
    if not s or not s.get("ok") or not shutil.which("gnuplot"):
        return False
    dat = png + ".dat"
    with open(dat, "w") as f:
        for r in s["rows"]:
            f.write(f"{r['gib']} {r.get('locator_s', 'NaN')} {r.get('scan_s', 'NaN')} "
                    f"{r.get('dgm_s', 'NaN')}\n")
    gp = f"""set terminal pngcairo size 800,500
set output '{png}'
set title 'Host time to take a crashed guest dump against guest RAM ({s.get('kernel')}, TCG)'
set xlabel 'guest RAM (GiB)'
set ylabel 'seconds'
set logscale y
set xtics (1, 4, 16)
set xrange [0.8:20]
set logscale x 2
set key top left
plot '{dat}' using 1:2 with linespoints title 'kminidump extract --locator', \\
     '{dat}' using 1:3 with linespoints title 'kminidump extract (KELF scan)', \\
     '{dat}' using 1:4 with linespoints title 'QEMU dump-guest-memory (ELF, to /dev/null)'
"""
    r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
    if os.path.exists(dat):
        os.unlink(dat)
    return r.returncode == 0
