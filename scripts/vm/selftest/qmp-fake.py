#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A fake QEMU QMP server for the harness self-test of scripts/vm/qmon.py:
serves one client on SOCK with two x86_64 vCPUs whose RIP and stack hold
addresses in the fixture System.map slid by 0x1000000, and writes the
commands it was given to CALLS."""
import json
import os
import socket
import sys

sock_path, calls_path = sys.argv[1:3]
REGS = {
    0: 'RAX=0000000000000000 RBX=0000000000000001\n'
       'RIP=ffffffff82000123 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\n'
       'RSP=ffffc90000013e80\n',
    1: 'RAX=0000000000000002 RBX=0000000000000003\n'
       'RIP=ffffffff82000210 RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n'
       'RSP=ffffc90000023e80\n',
}
STACK = 'ffffc90000013e80: 0xffffffff82000305 0x0000000000000000\n'

srv = socket.socket(socket.AF_UNIX)
srv.bind(sock_path)
srv.listen(1)
print('ready', flush=True)
conn, _ = srv.accept()
f = conn.makefile('rwb')


def send(obj):
    f.write(json.dumps(obj).encode() + b'\n')
    f.flush()


send({'QMP': {'version': {}, 'capabilities': []}})
with open(calls_path, 'w') as calls:
    for line in f:
        req = json.loads(line)
        cmd, args = req['execute'], req.get('arguments', {})
        calls.write('%s %s\n' % (cmd, args.get('command-line', '')))
        calls.flush()
        # An event in between, as QEMU sends them.
        send({'event': 'RESUME', 'timestamp': {}})
        if cmd == 'query-cpus-fast':
            send({'return': [{'cpu-index': i, 'thread-id': 100 + i,
                              'target': 'x86_64'} for i in REGS]})
        elif cmd == 'human-monitor-command':
            cl = args['command-line']
            if cl == 'info registers':
                send({'return': REGS[args['cpu-index']]})
            elif cl.startswith('x/'):
                send({'return': STACK})
            else:
                send({'error': {'desc': 'unknown'}})
        else:
            send({'return': {}})
        if cmd == 'inject-nmi':
            break
conn.close()
os.unlink(sock_path)
