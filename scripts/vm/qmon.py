#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a hung VM's CPUs were doing: go3s_qemu runs this through QEMU's
QMP socket just before a VM's timeout.

  qmon.py dump SOCK KERNEL LOG

prints each vCPU's registers (QEMU's "info registers") and, on x86_64,
the 48 words at its stack pointer, with every address in the kernel's
text turned into symbol+offset where the kernel's System.map beside
KERNEL has symbols (the debug kernels' do; Debian's /boot/System.map is a
placeholder), slid by the KASLR offset from the "GO3S-KTEXT" line each
VM's /init prints into LOG (scripts/vm/common.sh). Then, on x86_64, it
injects an NMI: the VMs boot with unknown_nmi_panic, so the kernel
panics and prints the interrupted CPU's stack itself
(console_flush_on_panic() prints even when a CPU holds the console
lock).
"""
import bisect
import json
import os
import re
import socket
import sys


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buf = b''
        self.reply()  # the greeting
        self.call('qmp_capabilities')

    def reply(self):
        while True:
            while b'\n' not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError('QMP socket closed')
                self.buf += data
            line, self.buf = self.buf.split(b'\n', 1)
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def call(self, cmd, **args):
        req = {'execute': cmd}
        if args:
            req['arguments'] = args
        self.sock.sendall(json.dumps(req).encode() + b'\n')
        msg = self.reply()
        if 'error' in msg:
            raise RuntimeError('%s: %s' % (cmd, msg['error'].get('desc')))
        return msg.get('return')

    def hmp(self, line, cpu=None):
        args = {'command-line': line}
        if cpu is not None:
            args['cpu-index'] = cpu
        return self.call('human-monitor-command', **args)


def system_map(kernel):
    """The System.map of KERNEL: /boot/vmlinuz-V and TREE/boot/vmlinux-V
    have /boot/System.map-V beside them, a built tree's
    arch/*/boot/bzImage|Image has System.map at the tree's top."""
    d, base = os.path.split(os.path.realpath(kernel))
    cands = []
    m = re.match(r'vmlinu[xz]-(.+)$', base)
    if m:
        cands.append(os.path.join(d, 'System.map-' + m.group(1)))
    cands.append(os.path.join(d, '..', '..', '..', 'System.map'))
    for c in cands:
        if os.path.exists(c):
            return c
    return None


class Symbols:
    def __init__(self, path, slide):
        self.addrs, self.names = [], []
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in 'tTwW':
                    self.addrs.append(int(parts[0], 16) + slide)
                    self.names.append(parts[2])
        order = sorted(range(len(self.addrs)), key=self.addrs.__getitem__)
        self.addrs = [self.addrs[i] for i in order]
        self.names = [self.names[i] for i in order]

    def name(self, addr):
        if not self.addrs or addr < self.addrs[0]:
            return None
        i = bisect.bisect_right(self.addrs, addr) - 1
        # No function is 64 KiB long: beyond, it is data after the text.
        if addr - self.addrs[i] >= 0x10000:
            return None
        return '%s+0x%x' % (self.names[i], addr - self.addrs[i])


def load_symbols(kernel, log):
    """Symbols slid by the KASLR offset: _text's address in the VM (the
    GO3S-KTEXT line) less the map's."""
    path = system_map(kernel)
    if not path:
        return None, 'no System.map beside %s' % kernel
    text = None
    with open(log, errors='replace') as f:
        for line in f:
            m = re.search(r'GO3S-KTEXT ([0-9a-f]+) ', line)
            if m:
                text = int(m.group(1), 16)
    base = None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == '_text':
                base = int(parts[0], 16)
                break
    if base is None:
        # Debian's /boot/System.map is a one-line placeholder.
        return None, 'no _text in %s (no symbols)' % path
    if not text:
        return None, 'no _text address (the VM did not print GO3S-KTEXT)'
    return Symbols(path, text - base), '%s, KASLR slide 0x%x' % (path, text - base)


def annotate(text, syms):
    if not syms:
        return text

    def sub(m):
        name = syms.name(int(m.group(0), 16))
        return '%s <%s>' % (m.group(0), name) if name else m.group(0)
    return re.sub(r'\b(?:0x)?ffff[0-9a-f]{12}\b', sub, text)


def dump(sock, kernel, log):
    q = Qmp(sock)
    syms, how = load_symbols(kernel, log)
    print('symbols: %s' % how)
    cpus = q.call('query-cpus-fast')
    arch = cpus[0].get('target', '') if cpus else ''
    dumps = {}
    for cpu in cpus:
        i = cpu['cpu-index']
        dumps[i] = q.hmp('info registers', cpu=i)
        m = re.search(r'\b(RIP|PC|pc)\s*=\s*([0-9a-f]+)', dumps[i])
        if m:
            print('summary: vCPU %d at %s' % (i, annotate(m.group(0), syms)))
    for cpu in cpus:
        i = cpu['cpu-index']
        regs = dumps[i]
        print('--- vCPU %d (thread %s)' % (i, cpu.get('thread-id')))
        print(annotate(regs, syms).rstrip())
        m = re.search(r'RSP=([0-9a-f]+)', regs)
        if m and arch == 'x86_64':
            print('--- vCPU %d stack' % i)
            print(annotate(q.hmp('x/48gx 0x' + m.group(1), cpu=i), syms).rstrip())
    if arch == 'x86_64':
        print('--- injecting an NMI (the kernel panics on it: unknown_nmi_panic)')
        q.call('inject-nmi')


def main():
    if len(sys.argv) != 5 or sys.argv[1] != 'dump':
        sys.exit(__doc__)
    try:
        dump(*sys.argv[2:])
    except (OSError, EOFError, RuntimeError, ValueError) as e:
        print('qmon: %s' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
