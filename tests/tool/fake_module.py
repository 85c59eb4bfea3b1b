#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Stand-in for kminidump.ko's debugfs symbols file, over a FIFO.

Usage: fake_module.py DEBUGFS_DIR accept|reject LOG

Creates DEBUGFS_DIR/kminidump/symbols as a FIFO, reads one table written to
it (parsed with the rules of src/core/symbols.c), records the lines in LOG,
then answers one read with the status the module would show.
"""
import os
import signal
import sys


def parse(text):
    syms, err = [], None
    for n, line in enumerate(text.split('\n'), 1):
        f = line.split()
        if not f or f[0].startswith('#'):     # "# release R" and comments
            continue
        if len(f) < 3:
            return syms, 'line %d' % n
        if '[' in line:
            continue
        try:
            addr = int(f[0], 16)
        except ValueError:
            return syms, 'line %d' % n
        syms.append((addr, f[1], f[2]))
    if not syms or all(a == 0 for a, _, _ in syms):
        err = 'no usable addresses'
    elif not any(n == 'init_task' for _, _, n in syms):
        err = 'no init_task'
    return syms, err


def main():
    root, mode, log = sys.argv[1:4]
    signal.alarm(20)
    d = os.path.join(root, 'kminidump')
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'symbols')
    if os.path.exists(path):
        os.unlink(path)
    os.mkfifo(path)
    with open(path, 'rb') as f:
        text = f.read().decode()
    syms, err = parse(text)
    with open(log, 'w') as f:
        f.write(text)
    with open(path, 'w') as f:
        f.write('kprobes: yes\n')
        if err or mode == 'reject':
            f.write('table: none (kminidump symbols --system-map FILE loads one)\n')
        else:
            f.write('table: %d symbols, KASLR offset 0x0\n' % len(syms))


if __name__ == '__main__':
    main()
