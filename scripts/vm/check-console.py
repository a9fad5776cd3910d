#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a go3s test VM's console log.

Prints one "ok|fail <check>" line per check and writes the KUnit results
(the KTAP blocks the VM's init copied from debugfs) as one KTAP document.

- GO3S-CHECK ok|fail <name>  lines are checks made inside the VM;
- the VM must reach GO3S-END (no panic, no hang);
- any kernel report (KASAN, UBSAN, lockdep, kmemleak, oops, BUG, WARN,
  RCU stall, hung task, soft lockup) fails the run, except a WARN that a
  test declared beforehand with a "GO3S-EXPECT-WARN <regex>" line: each
  declaration must be met by exactly one WARN whose report matches it.

Options for the fault-injection VM: --allow-warn REGEX notes (and does not
fail) a WARN whose report matches REGEX; --expect-optional notes a declared
WARN that never came (fault injection can stop a test before its WARN).
"""
import argparse
import re
import sys

# Kernel reports that always fail the run. WARN blocks are handled apart.
REPORTS = [
    (r'BUG: KASAN:', 'kasan'),
    (r'UBSAN:', 'ubsan'),
    (r'WARNING: possible circular locking', 'lockdep'),
    (r'WARNING: possible recursive locking', 'lockdep'),
    (r'WARNING: inconsistent lock state', 'lockdep'),
    (r'WARNING: suspicious RCU usage', 'lockdep'),
    (r'WARNING: bad unlock balance', 'lockdep'),
    (r'WARNING: held lock freed', 'lockdep'),
    (r'WARNING: lock held when returning to user space', 'lockdep'),
    (r'WARNING: possible irq lock inversion', 'lockdep'),
    (r'WARNING: .*-safe -> .*-unsafe lock order detected', 'lockdep'),
    (r'INFO: trying to register non-static key', 'lockdep'),
    (r'BUG: sleeping function called from invalid context', 'atomic_sleep'),
    (r'BUG: scheduling while atomic', 'atomic_sleep'),
    (r'BUG: workqueue leaked', 'bug'),
    (r'BUG: unable to handle', 'oops'),
    (r'BUG: kernel NULL pointer', 'oops'),
    (r'general protection fault', 'oops'),
    (r'Oops:', 'oops'),
    # x86's die() header before 6.12 had no "Oops: " ("invalid opcode:
    # 0000 [#1] PREEMPT SMP", "int3: 0000 [#1] ...").
    (r'^[a-z][a-z0-9 ]*: [0-9a-f]{4} \[#\d+\]', 'oops'),
    (r'kernel BUG at', 'bug'),
    (r'BUG: (?!KASAN)', 'bug'),
    (r'unreferenced object 0x', 'kmemleak'),
    (r'Kernel panic', 'panic'),
    (r'watchdog: BUG: soft lockup', 'softlockup'),
    (r'INFO: task .* blocked for more than', 'hung_task'),
    (r'rcu: INFO: .* detected stalls', 'rcu_stall'),
    (r'ODEBUG:', 'debugobjects'),
    (r'list_(add|del) corruption', 'list_debug'),
    (r'stack-protector: Kernel stack is corrupted', 'stack'),
    (r'Kernel stack is corrupted', 'stack'),
]
# Console lines shown when the VM did not complete.
TAIL = 12
REPORT_RE = [(re.compile(p), n) for p, n in REPORTS]
WARN_START = re.compile(r'-+\[ cut here \]-+')
WARN_LINE = re.compile(r'WARNING: CPU: \d+ PID: \d+ at ')
WARN_END = re.compile(r'---\[ end trace')
EXPECT = re.compile(r'GO3S-EXPECT-WARN (.+)$')
CHECK = re.compile(r'^GO3S-CHECK (ok|fail) (\S+)')
KTAP_BEGIN = re.compile(r'^GO3S-KTAP-BEGIN (\S+)')
KTAP_END = re.compile(r'^GO3S-KTAP-END')
# Console lines carry a "[   12.345678] " timestamp prefix.
STAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')


def strip(line):
    return STAMP.sub('', line.rstrip('\n'))


def judge(lines, begin=None, allow=(), expect_optional=False):
    """Return (checks, ktap_blocks, reports, boot_reports, notes) for the
    console lines. With @begin, kernel reports before the line that starts
    with it (the kernel booting, before any go3s code is loaded) are
    returned apart as boot_reports. WARNs matching a regex of @allow, and
    with @expect_optional expected WARNs that never came, are notes."""
    checks, blocks, reports, notes = [], [], [], []
    boot, started = [], begin is None
    expected = []  # [regex, met]
    warn = None
    ktap = None
    for raw in lines:
        line = strip(raw)
        if not started and line.startswith(begin):
            started = True
            boot, reports = reports, []
        if ktap is not None:
            if KTAP_END.match(line):
                blocks.append(ktap)
                ktap = None
            else:
                ktap[1].append(line)
            continue
        m = KTAP_BEGIN.match(line)
        if m:
            ktap = (m.group(1), [])
            continue
        m = CHECK.match(line)
        if m:
            checks.append((m.group(1) == 'ok', 'vm:' + m.group(2)))
            continue
        m = EXPECT.search(line)
        if m:
            expected.append([re.compile(m.group(1)), False])
            continue
        if warn is not None:
            warn.append(line)
            if WARN_END.search(line):
                reports.extend(match_warn(warn, expected, allow, notes))
                warn = None
            continue
        if WARN_START.search(line):
            warn = [line]
            continue
        if WARN_LINE.search(line):  # a WARN without its cut-here line
            warn = [line]
            continue
        for rx, name in REPORT_RE:
            if rx.search(line):
                reports.append('%s: %s' % (name, line))
                break
    if warn is not None:
        reports.extend(match_warn(warn, expected, allow, notes))
    for rx, met in expected:
        if not met:
            (notes if expect_optional else reports).append(
                'expected warning never came: %s' % rx.pattern)
    return checks, blocks, reports, boot, notes


def match_warn(block, expected, allow=(), notes=None):
    text = '\n'.join(block)
    # A lockdep or other report inside the block is never expected.
    for line in block:
        for rx, name in REPORT_RE:
            if rx.search(line):
                return ['%s: %s' % (name, line)]
    for exp in expected:
        if not exp[1] and exp[0].search(text):
            exp[1] = True
            return []
    where = next((l for l in block if WARN_LINE.search(l)), block[0])
    for rx in allow:
        if rx.search(text):
            notes.append('allowed WARN: %s' % where)
            return []
    return ['unexpected WARN: %s' % where]


# 6.12 prints "Oops: int3: 0000 [#1] ...", 6.1 "int3: 0000 [#1] ...".
OOPS_INT3 = re.compile(r'(?:^|Oops: )int3: [0-9a-f]{4} \[#\d+\]')
CODE = re.compile(r'^Code: (.*)$')


def emulator_fault(lines):
    """The emulator's own fault, not the kernel's. An "Oops: int3" at an
    address whose byte before it (where the trap came from) is no longer
    an int3 (0xcc) in the oops's code dump. text_poke_bp() puts an int3
    in the text while it patches a static key or jump label and takes it
    out before it returns; its handler claims the trap while it is there.
    Seen with QEMU 7.2's TCG: a vCPU ran its stale translation of the int3
    after the patching was done. Returns a line describing it, or None."""
    lines = [strip(l) for l in lines]
    for i, line in enumerate(lines):
        if not OOPS_INT3.search(line):
            continue
        rip = next((l for l in lines[i + 1:i + 8] if l.startswith('RIP: ')), '')
        for code in lines[i + 1:i + 20]:
            m = CODE.match(code)
            if not m:
                continue
            tok = m.group(1).split()
            at = next((k for k, t in enumerate(tok) if t.startswith('<')), 0)
            if at > 0 and tok[at - 1].lower() != 'cc':
                return 'a stale int3 (%s, byte %s before it)' % (
                    rip or 'no RIP line', tok[at - 1])
            break
    # A hung VM that go3s_qemu's NMI made panic (unknown_nmi_panic) in
    # text_poke_bp()'s wait for the other CPUs to take its sync IPI. Seen
    # on 6.1 under TCG, twice: tracepoint probes unregistered (a static
    # call and a jump label patched), the other vCPU for minutes at a
    # patched NOP in __schedule() with interrupts off. A CPU never takes
    # minutes to take that IPI on hardware.
    for i, line in enumerate(lines):
        if 'Kernel panic - not syncing: NMI: Not continuing' not in line:
            continue
        trace = lines[i + 1:i + 40]
        rip = next((l for l in trace if l.startswith('RIP: 0010:')), '')
        if ('smp_call_function_many_cond' in rip and
                any('text_poke_bp_batch' in l for l in trace)):
            return ('a vCPU waiting minutes in text_poke_bp() for the other '
                    'to take its IPI (%s)' % rip)
    return None


def merge_ktap(blocks):
    """Each debugfs results file is a KTAP document with one suite; join
    them into one document with N suites for kunit.py parse."""
    out = ['KTAP version 1', '1..%d' % len(blocks)]
    for i, (name, lines) in enumerate(blocks, 1):
        body = [l for l in lines if l.strip()]
        # Drop the per-file header ("KTAP version 1", "1..1").
        while body and (body[0].startswith('KTAP version') or
                        re.match(r'^1\.\.\d+$', body[0])):
            body.pop(0)
        if body and re.match(r'^(not ok|ok) 1 ', body[-1]):
            body[-1] = re.sub(r'^(not ok|ok) 1 ', r'\g<1> %d ' % i, body[-1])
        out.extend(body)
    return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('log')
    ap.add_argument('--ktap', help='write the merged KTAP here')
    ap.add_argument('--begin', default='',
                    help='reports before a line starting with this are '
                    "the kernel's own boot, noted but not failed")
    ap.add_argument('--end', default='GO3S-END',
                    help='marker the VM prints when it completed')
    ap.add_argument('--allow-warn', action='append', default=[],
                    metavar='REGEX', help='a WARN matching REGEX is a note')
    ap.add_argument('--expect-optional', action='store_true',
                    help='an expected WARN that never came is a note')
    ap.add_argument('--emulator-fault', action='store_true',
                    help='only say whether the VM died of the emulator\'s '
                    'fault (exit 0, and print it) or not (exit 1)')
    args = ap.parse_args()

    with open(args.log, errors='replace') as f:
        lines = f.readlines()
    if args.emulator_fault:
        fault = emulator_fault(lines)
        if fault:
            print(fault)
        return 0 if fault else 1
    allow = [re.compile(a) for a in args.allow_warn]
    checks, blocks, reports, boot, notes = judge(
        lines, args.begin or None, allow, args.expect_optional)
    completed = True
    if args.end:
        completed = any(strip(l).startswith(args.end) for l in lines)
        checks.append((completed, 'vm:completed'))
    checks.append((not reports, 'vm:console_clean'))

    for ok, name in checks:
        print('%s %s' % ('ok' if ok else 'fail', name))
    for r in reports:
        print('  report: %s' % r)
    for r in boot:
        print('  note: the kernel reported before go3s was loaded: %s' % r)
    for r in notes:
        print('  note: %s' % r)
    if not completed:
        # How the VM ended: make test repeats these lines in its summary,
        # for a CI that keeps only the log's tail.
        for l in [strip(l) for l in lines if l.strip()][-TAIL:]:
            print('  tail: %s' % l)
    if args.ktap:
        with open(args.ktap, 'w') as f:
            f.write(merge_ktap(blocks))
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == '__main__':
    sys.exit(main())
