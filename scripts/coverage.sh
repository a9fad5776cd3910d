#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make coverage: line coverage of go3s_rt/, mid/ and arch/ from a kunit.py
# run on UML built with clang (LLVM=1) and source-based coverage
# (tools/testing/kunit/configs/coverage_uml.config; gcc 12's gcov cannot
# link a UML kernel). Prints "coverage: NN.N% lines" per directory and in
# total; the per-file report is in .out/coverage/report.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$GO3S_ROOT/scripts/deps.sh"
src=$(go3s_src)
go3s_link_tree "$src"
cfg=$GO3S_ROOT/kunit/.kunitconfig
covcfg=$src/tools/testing/kunit/configs/coverage_uml.config
GO3S_KEY_EXTRA="$(basename "$src") LLVM=1"
build=$GO3S_CACHE/uml-cov-$(go3s_key "$cfg" "$covcfg")
out=$GO3S_OUT/coverage
rm -rf "$out"
mkdir -p "$out" "$build"

echo "kunit.py run (UML, LLVM=1, coverage) in $build"
rc=0
(cd "$src" && LLVM_PROFILE_FILE="$out/kunit-%p.profraw" \
	python3 tools/testing/kunit/kunit.py run --make_options LLVM=1 \
	--kunitconfig="$cfg" --kunitconfig="$covcfg" --build_dir="$build" \
	--jobs="$GO3S_JOBS" --timeout=900 "$@") >"$out/kunit.log" 2>&1 || rc=$?
tail -n 5 "$out/kunit.log"
[ $rc -eq 0 ] || go3s_die "the coverage run failed (see $out/kunit.log)"
ls "$out"/*.profraw >/dev/null 2>&1 || go3s_die "no profile written"

llvm-profdata merge -sparse -o "$out/kunit.profdata" "$out"/*.profraw
llvm-cov report "$build/linux" -instr-profile="$out/kunit.profdata" \
	"$src/drivers/go3s/" >"$out/report.txt" 2>/dev/null || true
llvm-cov export "$build/linux" -instr-profile="$out/kunit.profdata" \
	-summary-only >"$out/export.json"

python3 - "$out/export.json" "$src/drivers/go3s/" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
root = sys.argv[2]
dirs = {'go3s_rt': [0, 0], 'mid': [0, 0], 'arch': [0, 0]}
for f in data['data'][0]['files']:
    name = f['filename']
    i = name.find('/drivers/go3s/')
    if i < 0:
        continue
    rel = name[i + len('/drivers/go3s/'):]
    top = rel.split('/')[0]
    if top not in dirs:
        continue
    lines = f['summary']['lines']
    dirs[top][0] += lines['covered']
    dirs[top][1] += lines['count']
    print('  %-40s %5d/%-5d lines' % (rel, lines['covered'], lines['count']))
tc = tt = 0
for d, (c, t) in dirs.items():
    tc += c
    tt += t
    if t:
        print('coverage: %5.1f%% lines  %s/ (%d of %d)' % (100.0 * c / t, d, c, t))
    else:
        print('coverage:   n/a         %s/ (no code yet)' % d)
print('coverage: %5.1f%% lines  total (%d of %d)' % (100.0 * tc / tt if tt else 0, tc, tt))
PY
