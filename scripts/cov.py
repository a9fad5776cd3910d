#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Line coverage of go3s_rt/, mid/ and arch/, measured where the code runs.

  cov.py vm LOG SRC OUT.info
      Read the gcov counts a test VM printed on its console (GO3S-GCOV
      lines, scripts/vm/common.sh's gcov_dump), put the .gcda files next
      to the .gcno files of the build copy SRC, run gcov-12 on them and
      write an lcov tracefile with paths relative to the project root.
      Exits 2 when the console has no gcov data, 1 when it is corrupt.
  cov.py llvm IN.info OUT.info
      The lcov export of the UML run (llvm-cov export -format=lcov), with
      the paths made relative (drivers/go3s/ is the project).
  cov.py report [--min PCT] [--table FILE] NAME=INFO...
      Merge the tracefiles per source line (a line counts when a tool
      saw code on it; it is covered when any run executed it), print the
      coverage per directory and in total for each NAME and merged, the
      per-file table to FILE (or stdout), and exit 1 when the merged total
      is below PCT.
"""
import argparse
import base64
import bisect
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile

DIRS = ('go3s_rt', 'mid', 'arch')
GCOV = os.environ.get('GCOV', 'gcov-12')


def relevant(rel):
    return rel.split('/')[0] in DIRS


def write_info(path, tool, files):
    """files: {rel: {'lines': {line: count}, 'fns': [(start, end, name,
    count)]}} as an lcov tracefile (TN names the tool: gcov or llvm)."""
    with open(path, 'w') as f:
        for rel in sorted(files):
            lines, fns = files[rel]['lines'], files[rel]['fns']
            f.write('TN:%s\nSF:%s\n' % (tool, rel))
            for a, b, name, _ in fns:
                f.write('FN:%d,%d,%s\n' % (a, b, name))
            for a, b, name, c in fns:
                f.write('FNDA:%d,%s\n' % (c, name))
            for n in sorted(lines):
                f.write('DA:%d,%d\n' % (n, lines[n]))
            f.write('LF:%d\nLH:%d\nend_of_record\n' %
                    (len(lines), sum(1 for c in lines.values() if c)))


def read_info(path):
    """An lcov tracefile: (tool, files) as write_info() takes them. FN
    lines are lcov 1 (FN:line,name) or 2 (FN:start,end,name)."""
    files, tool, cur, fn = {}, None, None, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith('TN:'):
                tool = tool or line[3:]
            elif line.startswith('SF:'):
                cur = files.setdefault(line[3:], {'lines': {}, 'fns': []})
                fn = {}
            elif cur is None:
                continue
            elif line.startswith('DA:'):
                n, c = line[3:].split(',')[:2]
                n = int(n)
                cur['lines'][n] = cur['lines'].get(n, 0) + max(int(c), 0)
            elif line.startswith('FN:'):
                parts = line[3:].split(',')
                a = int(parts[0])
                b = int(parts[1]) if len(parts) == 3 else a
                fn[parts[-1]] = [a, b, parts[-1], 0]
                cur['fns'].append(fn[parts[-1]])
            elif line.startswith('FNDA:'):
                c, name = line[5:].split(',', 1)
                if name in fn:
                    fn[name][3] += max(int(c), 0)
            elif line == 'end_of_record':
                cur = None
    return tool, files


def extract(log):
    """The gzipped tar the VM printed, or None; ValueError if corrupt."""
    md5, data, inside = None, [], False
    with open(log, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            i = line.find('GO3S-GCOV')
            if i < 0:
                continue
            line = line[i:]
            if line.startswith('GO3S-GCOV-BEGIN'):
                md5, data, inside = line.split()[1], [], True
            elif line.startswith('GO3S-GCOV-END'):
                inside = False
                break
            elif inside and line.startswith('GO3S-GCOV '):
                data.append(line.split(' ', 1)[1].strip())
    if md5 is None:
        return None
    if inside:
        raise ValueError('no GO3S-GCOV-END: the dump was cut')
    blob = base64.b64decode(''.join(data), validate=True)
    if hashlib.md5(blob).hexdigest() != md5:
        raise ValueError('md5 mismatch')
    return blob


def cmd_vm(args):
    try:
        blob = extract(args.log)
    except (ValueError, base64.binascii.Error) as e:
        print('cov: %s: corrupt gcov data: %s' % (args.log, e), file=sys.stderr)
        return 1
    if blob is None:
        print('cov: %s: no gcov data' % args.log, file=sys.stderr)
        return 2
    src = os.path.realpath(args.src)
    for root, _, names in os.walk(src):
        for n in names:
            if n.endswith('.gcda'):
                os.unlink(os.path.join(root, n))
    gcdas, missing = [], []
    with tarfile.open(fileobj=io.BytesIO(blob), mode='r:gz') as tar:
        for m in tar.getmembers():
            # ./<absolute build path>/go3s_rt/main.gcda
            path = '/' + os.path.normpath(m.name).lstrip('./')
            if not m.isfile() or not path.startswith(src + '/'):
                continue
            rel = os.path.relpath(path, src)
            if '..' in rel.split('/'):
                continue
            dest = os.path.join(src, rel)
            if not os.path.exists(dest[:-len('.gcda')] + '.gcno'):
                missing.append(rel)
                continue
            with open(dest, 'wb') as out:
                out.write(tar.extractfile(m).read())
            gcdas.append(rel)
    if missing:
        print('cov: %s: no .gcno for %s (an object built without gcov?)' %
              (src, ' '.join(missing)), file=sys.stderr)
        return 1
    if not gcdas:
        print('cov: %s: no .gcda of %s' % (args.log, src), file=sys.stderr)
        return 1
    files = gcov_files(src, gcdas)
    if files is None:
        return 1
    write_info(args.out, 'gcov', files)
    return 0


def gcov_files(src, names):
    """gcov-12 on the objects @names (relative to @src): the files of the
    project it names, as write_info() takes them; None if gcov failed."""
    res = subprocess.run([GCOV, '--json-format', '--stdout'] + sorted(names),
                         cwd=src, capture_output=True, text=True)
    # A .gcda from another build of the object than its .gcno: gcov
    # says so and counts nothing.
    if res.returncode or 'stamp mismatch' in res.stderr:
        print('cov: %s failed: %s' % (GCOV, res.stderr.strip()), file=sys.stderr)
        return None
    files = {}
    for doc in res.stdout.splitlines():
        if not doc.strip():
            continue
        cwd = json.loads(doc).get('current_working_directory', src)
        for f in json.loads(doc)['files']:
            path = os.path.normpath(os.path.join(cwd, f['file']))
            if not path.startswith(src + '/'):
                continue
            rel = os.path.relpath(path, src)
            if not relevant(rel):
                continue
            cur = files.setdefault(rel, {'lines': {}, 'fns': {}})
            for ln in f['lines']:
                n = ln['line_number']
                cur['lines'][n] = cur['lines'].get(n, 0) + ln['count']
            # A static inline in a header is one function per object.
            for fn in f['functions']:
                key = (fn['start_line'], fn['end_line'], fn['name'])
                cur['fns'][key] = cur['fns'].get(key, 0) + fn['execution_count']
    for cur in files.values():
        cur['fns'] = [k + (c,) for k, c in sorted(cur['fns'].items())]
    return files


def cmd_llvm(args):
    files = {}
    for path, cur in read_info(args.inp)[1].items():
        m = re.search(r'(^|/)drivers/go3s/(.*)$', path)
        if not m:
            continue
        rel = os.path.normpath(m.group(2))
        if relevant(rel):
            files[rel] = cur
    write_info(args.out, 'llvm', files)
    return 0


def pct(hit, total):
    return 100.0 * hit / total if total else 0.0


def merge(runs):
    """Per file, {line: hit} over the lines that count. gcc's gcov (the VM
    runs) and clang's source-based coverage (UML) see code on different
    lines of the same source: clang also counts braces, else and
    declarations, gcc the line that names a function. Where gcc compiled
    a function, its lines are the ones that count; clang's count there
    for the lines gcc also has, and gcc's line naming the function is
    run when clang saw the function entered. Elsewhere (code gcc never
    built: arch/um/, UML-only branches) clang's lines count."""
    out = {}
    rels = set()
    for _, (_, files) in runs:
        rels.update(files)
    for rel in rels:
        gcc = [f[rel] for _, (t, f) in runs if t == 'gcov' and rel in f]
        llvm = [f[rel] for _, (t, f) in runs if t != 'gcov' and rel in f]
        ranges = [(a, b) for g in gcc for a, b, _, _ in g['fns']]
        starts = {a: b for a, b in ranges}

        lines = {}
        for g in gcc:
            for n, c in g['lines'].items():
                lines[n] = lines.get(n, False) or c > 0
        gcc_lines = sorted(lines)

        def gcc_built(a, b):
            """Did gcc build code on lines @a..@b (a function, or what
            it inlined: gcov names no function for an inline one)?"""
            i = bisect.bisect_left(gcc_lines, a)
            return i < len(gcc_lines) and gcc_lines[i] <= b

        for ll in llvm:
            # clang's functions start at their "{" and reach to their
            # last line before the next one.
            fstart = sorted({a for a, _, _, _ in ll['fns']})
            fend = {}
            for n in ll['lines']:
                i = bisect.bisect_right(fstart, n) - 1
                if i >= 0:
                    fend[fstart[i]] = max(fend.get(fstart[i], n), n)
            for n, c in ll['lines'].items():
                i = bisect.bisect_right(fstart, n) - 1
                a = fstart[i] if i >= 0 else n
                b = fend.get(a, n)
                if n in lines or not (
                        any(s <= n <= e for s, e in ranges) or gcc_built(a, b)):
                    lines[n] = lines.get(n, False) or c > 0
            for a, _, _, c in ll['fns']:
                if not c:
                    continue
                for s, e in starts.items():
                    if s <= a <= e and s in lines:
                        lines[s] = True
        out[rel] = lines
    return out


def own(files):
    """A run's own figure: {file: {line: hit}} over the lines it saw."""
    return {rel: {n: c > 0 for n, c in f['lines'].items()}
            for rel, f in files.items()}


def cmd_report(args):
    runs = []
    for spec in args.runs:
        name, path = spec.split('=', 1)
        runs.append((name, read_info(path)))
    cols = [(name, own(files)) for name, (_, files) in runs]
    gcc = [r for r in runs if r[1][0] == 'gcov']
    llvm = [r for r in runs if r[1][0] != 'gcov']
    if len(gcc) > 1:
        cols.append(('vms', merge(gcc)))
    merged = merge(runs)
    cols.append(('merged', merged))
    # The per-file table: UML (clang), the VMs (gcc), merged.
    short = [('uml', merge(llvm) if len(llvm) > 1 else own(llvm[0][1][1]))] if llvm else []
    if gcc:
        short.append(('vms', merge(gcc) if len(gcc) > 1 else own(gcc[0][1][1])))
    short.append(('merged', merged))

    def count(lines_of, rels):
        hit = total = 0
        for rel in rels:
            lines = lines_of.get(rel, {})
            total += len(lines)
            hit += sum(1 for c in lines.values() if c)
        return hit, total

    table = io.StringIO()
    table.write('%-28s' % 'file' + ''.join('%18s' % c for c, _ in short) + '\n')
    for rel in sorted(merged):
        table.write('%-28s' % rel)
        for _, lines_of in short:
            h, t = count(lines_of, [rel])
            table.write('%18s' % ('%d/%d %5.1f%%' % (h, t, pct(h, t)) if t else '-'))
        table.write('\n')
    if args.table:
        with open(args.table, 'w') as f:
            f.write(table.getvalue())
    else:
        sys.stdout.write(table.getvalue())

    for d in DIRS + ('total',):
        rels = [r for r in merged if d == 'total' or r.split('/')[0] == d]
        parts = []
        for name, lines_of in cols[:-1]:
            h, t = count(lines_of, rels)
            parts.append('%s %.1f%%' % (name, pct(h, t)))
        h, t = count(merged, rels)
        label = 'total' if d == 'total' else d + '/'
        if not t:
            print('coverage:   n/a         %-8s (no lines)' % label)
            continue
        print('coverage: %5.1f%% lines  %-8s (%d of %d; %s)' %
              (pct(h, t), label, h, t, ', '.join(parts)))
    h, t = count(merged, list(merged))
    if args.min is not None and pct(h, t) < args.min:
        print('coverage: %.1f%% is below %.1f%%' % (pct(h, t), args.min))
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('vm')
    p.add_argument('log')
    p.add_argument('src')
    p.add_argument('out')
    p = sub.add_parser('llvm')
    p.add_argument('inp')
    p.add_argument('out')
    p = sub.add_parser('report')
    p.add_argument('--min', type=float)
    p.add_argument('--table')
    p.add_argument('runs', nargs='+', metavar='NAME=INFO')
    args = ap.parse_args()
    return {'vm': cmd_vm, 'llvm': cmd_llvm, 'report': cmd_report}[args.cmd](args)


if __name__ == '__main__':
    sys.exit(main())
