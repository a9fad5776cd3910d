#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check [KDIR]: build with W=1 (kernel-doc included) and sparse (C=2)
# against KDIR, run checkpatch.pl --strict over every C file, check and
# render the kernel-doc (scripts/docs.sh) and run the kernel's coccicheck
# (scripts/coccicheck.sh). Any warning in our code fails. Writes "passed
# failed" to $GO3S_RESULT. GO3S_CHECK_BUILD_ONLY=1: the W=1 and sparse
# builds only (make test runs them so against the 6.1 and 6.12-rt headers).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${1:-$(go3s_stock_kdir)}
[ -n "$kdir" ] && [ -d "$kdir" ] || go3s_die "no kernel build directory: run scripts/deps.sh"
src=$(go3s_src)
out=$GO3S_OUT/check
[ -z "${GO3S_CHECK_BUILD_ONLY:-}" ] || out=$GO3S_OUT/check-$(basename "$kdir")
mkdir -p "$out"
pass=0 fail=0
result() {
	if [ "$1" -eq 0 ]; then
		echo "  ok check:$2"
		pass=$((pass + 1))
	else
		echo "  fail check:$2"
		fail=$((fail + 1))
	fi
}

# A fresh copy, so C=2 and W=1 see every file (no stale objects).
rm -rf "$out/src"
rsync -a --exclude=.git --filter=':- .gitignore' "$GO3S_ROOT/" "$out/src/"

kunit_m=$(grep -qs '^CONFIG_KUNIT=[ym]' "$kdir/include/config/auto.conf" && echo m || true)
rc=0
make -C "$kdir" M="$out/src" W=1 C=2 CONFIG_GO3S=m CONFIG_GO3S_BENCH=m \
	CONFIG_GO3S_KUNIT_TEST="$kunit_m" modules >"$out/build.log" 2>&1 || rc=$?
# Warnings that name one of our files (compiler, kernel-doc, sparse, objtool).
grep -E "^$out/src/[^:]+:[0-9]+(:[0-9]+)?: (warning|error)|^$out/src/.*: (warning|error)" \
	"$out/build.log" | sed "s|$out/src/||" >"$out/warnings" || true
sed 's/^/    /' "$out/warnings"
[ $rc -eq 0 ] || tail -n 20 "$out/build.log" | sed 's/^/    /'
ok=1
[ $rc -eq 0 ] && [ ! -s "$out/warnings" ] || ok=0
result $((1 - ok)) "build_w1_sparse($(basename "$kdir"))"

for s in "$out"/src/samples/*/; do
	rc=0
	make -C "$kdir" M="$s" W=1 C=2 KBUILD_EXTRA_SYMBOLS="$out/src/Module.symvers" \
		modules >"$out/sample.log" 2>&1 || rc=$?
	w=$(grep -cE "^$s[^:]+:[0-9]+(:[0-9]+)?: (warning|error)" "$out/sample.log" || true)
	[ "$w" -eq 0 ] || grep -E "^$s" "$out/sample.log" | sed 's/^/    /'
	ok=1
	[ $rc -eq 0 ] && [ "$w" -eq 0 ] || ok=0
	result $((1 - ok)) "sample_w1_sparse($(basename "$s"))"
done

finish() {
	echo "check: $pass passed, $fail failed"
	[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
	[ "$fail" -eq 0 ]
	exit
}
[ -z "${GO3S_CHECK_BUILD_ONLY:-}" ] || finish

# checkpatch --strict on every source file we own.
cd "$GO3S_ROOT"
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^\.out/')
rc=0
"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
	--ignore FILE_PATH_CHANGES -f "${files[@]}" >"$out/checkpatch.log" 2>&1 || rc=$?
sed 's/^/    /' "$out/checkpatch.log"
result $rc "checkpatch_strict(${#files[@]} files)"

# The docs (scripts/docs.sh): kernel-doc -Wall over every file; every
# function in include/go3s/ with one kernel-doc that has Context: and
# Return: and is rendered; test counts in the .rst files; sphinx -W.
declare -A step_name=([wall]=kernel_doc_wall [api]=api_kernel_doc
		      [cases]=doc_case_counts [html]=docs_sphinx_html)
for s in wall api cases html; do
	rc=0
	GO3S_OUT=$out "$GO3S_ROOT/scripts/docs.sh" "$s" >"$out/docs-$s.log" 2>&1 || rc=$?
	[ $rc -eq 0 ] || grep -v '^  fail docs:' "$out/docs-$s.log"
	name=${step_name[$s]}
	[ "$s" != api ] || name+="($(grep -o '[0-9]* functions' "$out/docs/api.log" || true))"
	result $rc "$name"
done

# The kernel's coccicheck (MODE=report): any report about our files fails.
rc=0
GO3S_OUT=$out "$GO3S_ROOT/scripts/coccicheck.sh" >"$out/coccicheck.log" 2>&1 || rc=$?
cat "$out/coccicheck.log"
result $rc "coccicheck($(grep -o '[0-9]* semantic patches' "$out/coccicheck.log" || true))"

finish
