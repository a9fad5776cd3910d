#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read the console of the fault-injection VM (scripts/vm/init-fault.sh).

Prints the figures (injection rates, failures injected, the fail-nth sweeps,
KUnit cases run under injection) and one "ok|fail <check>" line per check:

- fault:cases_run        KUnit cases ran under injection (some did);
- fault:case_threads_marked  go3s_fault.ko marked the case threads;
- fault:leak_report_read the VM printed kmemleak's report;
- fault:kmemleak_no_go3s_leaks  no leaked object is ours.

Each leaked object is attributed by its allocation backtrace, to whoever
called the allocator: the first frame past the allocator's own (kmalloc,
kvmalloc, kstrdup, ...) is go3s's if it is in a go3s_* module or has no
symbol (a module unloaded by then: only ours are; GO3S-MODMAP lines name
the candidates), KUnit's if it is in kunit.ko, else the kernel's. A
kernel object whose backtrace passes through go3s code is marked so: the
kernel allocated it on go3s's behalf, and it is listed for a look.
"""
import re
import sys

STAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SUITE_BEGIN = re.compile(r'^GO3S-FAULT-SUITE-BEGIN (\S+)')
SUITE_END = re.compile(r'^GO3S-FAULT-SUITE-END (\S+) (\d+)')
# A case's result, one level below its suite (4 spaces; parameters are 8).
CASE = re.compile(r'^ {4}(not ok|ok) \d+ (\S+)(.*)$')
FIGURE = re.compile(r'^GO3S-FAULT-FIGURE (.*)$')
BAD = re.compile(r'^GO3S-FAULT-BAD (.*)$')
MARKED = re.compile(r'go3s_fault: marked (\d+) KUnit case threads, (\d+) had')
LEAK = re.compile(r'^GO3S-LEAK object (0x[0-9a-f]+) \(size (\d+)\)')
BACKTRACE = re.compile(r'^\s+backtrace')
FRAME = re.compile(r'^\s+(\S+)(?: \[(\S+)\])?$')
MODMAP = re.compile(r'^GO3S-MODMAP (\S+) (\d+) .* (0x[0-9a-f]+)')
ALLOCATOR = ('kmemleak', '__kmalloc', '___kmalloc', 'kmalloc', '__kmem_cache',
             'kmem_cache_alloc', '__kvmalloc', 'kvmalloc', 'kvzalloc',
             'kvcalloc', 'kzalloc', 'kcalloc', 'krealloc', 'kstrdup', 'kstrndup',
             'kmemdup', 'kvasprintf', 'kasprintf', '__vmalloc', 'vmalloc',
             'vzalloc', '__alloc_pages', 'alloc_pages', '__get_free_pages',
             'slab_', 'new_slab', 'allocate_slab', 'mempool_alloc', 'pcpu_alloc',
             '__alloc_percpu', 'bitmap_zalloc', 'bitmap_alloc')


def is_go3s(sym, mod):
    return bool(mod and mod.startswith('go3s')) or (mod is None and
                                                      sym.startswith('0x'))


def owner(frames):
    """(go3s|kunit|kernel, the caller's frame, reached from go3s)."""
    callers = [f for f in frames if not f[0].startswith(ALLOCATOR)]
    if not callers:
        return 'kernel', '?', False
    sym, mod = callers[0]
    if is_go3s(sym, mod):
        return 'go3s', sym, True
    if mod == 'kunit':
        return 'kunit', sym, False
    return 'kernel', sym, any(is_go3s(*f) for f in callers)


def main():
    with open(sys.argv[1], errors='replace') as f:
        lines = [STAMP.sub('', l.rstrip('\n')) for l in f]

    suites = {}			# name -> [run, failed, skipped, passes]
    suite = None
    figures, bad, marked = [], [], None
    leaks, in_leaks, leak_report = [], False, False
    modmap = []			# (name, base, size)
    for line in lines:
        m = MODMAP.match(line)
        if m:
            modmap.append((m.group(1), int(m.group(3), 16), int(m.group(2))))
            continue
        m = SUITE_BEGIN.match(line)
        if m:
            suite = suites.setdefault(m.group(1), [0, 0, 0, 0])
            suite[3] += 1
            continue
        if SUITE_END.match(line):
            suite = None
            continue
        if suite is not None:
            m = CASE.match(line)
            if m:
                suite[0] += 1
                if m.group(1) == 'not ok':
                    suite[1] += 1
                elif '# SKIP' in m.group(3):
                    suite[2] += 1
            continue
        m = FIGURE.match(line)
        if m:
            figures.append(m.group(1))
            continue
        m = BAD.match(line)
        if m:
            bad.append(m.group(1))
            continue
        m = MARKED.search(line)
        if m:
            marked = (int(m.group(1)), int(m.group(2)))
            continue
        if line.startswith('GO3S-LEAKS-BEGIN'):
            in_leaks, leak_report = True, True
            continue
        if line.startswith('GO3S-LEAKS-END'):
            in_leaks = False
            continue
        if in_leaks:
            m = LEAK.match(line)
            if m:
                leaks.append({'addr': m.group(1), 'size': int(m.group(2)),
                              'frames': [], 'text': [line], 'bt': False})
                continue
            if leaks:
                leak = leaks[-1]
                leak['text'].append(line)
                if BACKTRACE.match(line):
                    leak['bt'] = True
                elif leak['bt']:
                    m = FRAME.match(line)
                    if m:
                        leak['frames'].append((m.group(1), m.group(2)))

    for f in figures:
        print('figure: %s' % f)
    run = sum(s[0] for s in suites.values())
    failed = sum(s[1] for s in suites.values())
    for name, (n, nf, ns, np) in sorted(suites.items()):
        print('figure: suite %s: %d cases run in %d passes, %d failed, %d skipped '
              'under injection' % (name, n, np, nf, ns))
    print('figure: %d KUnit cases run under injection (%d suites, %d suite runs), '
          '%d failed' % (run, len(suites), sum(s[3] for s in suites.values()), failed))
    if marked:
        print('figure: go3s_fault marked %d case threads; %d had make-it-fail '
              'already (inherited)' % marked)
    for b in bad:
        print('note: %s' % b)

    def name(sym):
        """A raw address: the go3s modules that were loaded there."""
        if not sym.startswith('0x'):
            return sym
        a = int(sym, 16)
        mods = sorted({n for n, base, size in modmap if base <= a < base + size})
        return '%s (%s)' % (sym, 'loaded there: ' + '|'.join(mods) if mods else
                            'no module loaded there: init code')

    # Leaks with the same backtrace (names without offsets) are one group.
    by = {'go3s': [], 'kunit': [], 'kernel': []}
    groups = {}
    via = 0
    for leak in leaks:
        who, caller, reached = owner(leak['frames'])
        by[who].append(leak)
        via += who == 'kernel' and reached
        key = (who, reached, tuple('0x' if s.startswith('0x') else s.split('+')[0]
                                   for s, _ in leak['frames']))
        groups.setdefault(key, []).append((leak, caller))
    for (who, reached, _), members in groups.items():
        leak, caller = members[0]
        sizes = sorted({m['size'] for m, _ in members})
        print('leak (%s%s): %d object%s of %s bytes, allocated by %s'
              % (who, ', reached from go3s' if who == 'kernel' and reached else '',
                 len(members), 's' if len(members) > 1 else '',
                 '/'.join(map(str, sizes)), name(caller)))
        if who == 'go3s' or reached:
            for t in leak['text']:
                raw = t.strip()
                print('    %s' % (t.replace(raw, name(raw)) if raw.startswith('0x') else t))
    print('figure: kmemleak: %d objects: go3s %d, KUnit %d, kernel %d (%d of them '
          'reached from go3s code)' % (len(leaks), len(by['go3s']), len(by['kunit']),
                                      len(by['kernel']), via))

    checks = [
        (run > 0, 'fault:cases_run'),
        (bool(marked and marked[0] > 0), 'fault:case_threads_marked'),
        (leak_report, 'fault:leak_report_read'),
        (leak_report and not by['go3s'], 'fault:kmemleak_no_go3s_leaks'),
    ]
    for ok, name in checks:
        print('%s %s' % ('ok' if ok else 'fail', name))
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == '__main__':
    sys.exit(main())
