#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The UML stage of make test: kunit.py run with kunit/.kunitconfig, the
# runtime and its suites built into a UML kernel. The build directory is
# cached under ~/.cache/go3s/uml-<key> and rebuilt incrementally.
# Extra arguments go to kunit.py (e.g. a suite glob: 'go3s_core').
# GO3S_UML_SERIES=6.1 builds from linux-source-6.1 instead (its own cache
# directory, keyed the same way; kunit/kunit_compat.h covers its KUnit).
# GO3S_UML_COVERAGE=1 (6.12 only; make test's UML stage when coverage is
# on) builds with clang and CONFIG_GCOV instead, go3s's objects alone
# instrumented (Kbuild), and leaves the profile in $GO3S_OUT/uml/ with the
# kernel's path in uml/build for scripts/coverage.sh (gcc 12's gcov
# cannot link a UML kernel). It is the same KUnit run either way.
# GO3S_UML_BUILD_ONLY=1 builds the kernel and stops (make test's build
# lane); the build directory is locked while kunit.py uses it.
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${GO3S_UML_SERIES:-6.12}
src=$(go3s_src "$series")
[ -f "$src/.unpacked" ] || go3s_die "kernel source missing: run scripts/deps.sh"
go3s_link_tree "$src"
cfg=$GO3S_ROOT/kunit/.kunitconfig
[ "$series" = 6.12 ] || cfg=$GO3S_ROOT/kunit/uml-$series.kunitconfig
GO3S_KEY_EXTRA=$(basename "$src")
build=$GO3S_CACHE/uml-$(go3s_key "$cfg")
out=$GO3S_OUT/uml
tag=uml
if [ "$series" != 6.12 ]; then
	tag=uml-$series
	build=$GO3S_CACHE/uml-$series-$(go3s_key "$cfg")
	out=$GO3S_OUT/uml-$series
fi
cov=()
if [ "${GO3S_UML_COVERAGE:-0}" = 1 ]; then
	[ "$series" = 6.12 ] || go3s_die "GO3S_UML_COVERAGE=1 needs the 6.12 series"
	covcfg=$src/tools/testing/kunit/configs/coverage_uml.config
	GO3S_KEY_EXTRA="$(basename "$src") LLVM=1 go3s-only"
	build=$GO3S_CACHE/uml-cov-$(go3s_key "$cfg" "$covcfg")
	cov=(--kunitconfig="$covcfg" --make_options LLVM=1
	     --make_options "KCFLAGS=-fno-profile-instr-generate -fno-coverage-mapping")
fi
# The build's arguments, the same for the build lane's build and the
# run, so that the run finds the build lane's kernel up to date.
kbuild=(--kunitconfig="$cfg" "${cov[@]}" --build_dir="$build" --jobs="$GO3S_JOBS")
mkdir -p "$out" "$build"
exec 9>"$build.lock"
flock 9
if [ "${GO3S_UML_BUILD_ONLY:-0}" = 1 ]; then
	cd "$src"
	exec python3 tools/testing/kunit/kunit.py build "${kbuild[@]}"
fi
# A failed build must not be judged by the last run's results.
rm -f "$out/results.json" "$out"/*.profraw "$out/build"

echo "kunit.py run (UML${cov:+, clang, coverage}) in $build"
rc=0
set +o pipefail
(cd "$src" && LLVM_PROFILE_FILE="$out/kunit-%p.profraw" \
	python3 tools/testing/kunit/kunit.py run "${kbuild[@]}" \
	--timeout="${GO3S_UML_TIMEOUT:-600}" --json="$out/results.json" "$@") 2>&1 |
	# modpost warns four lines about each of clang's coverage sections.
	grep -v -e 'modpost: vmlinux (__llvm_' -e 'Did you forget to use "ax"/"aw"' \
		-e 'Note that for example <linux/init.h>' \
		-e 'section definitions for use in .S files' >"$out/kunit.log"
rc=${PIPESTATUS[0]}
set -o pipefail
[ ${#cov[@]} -eq 0 ] || echo "$build" >"$out/build"
sed 's/^/  /' "$out/kunit.log" | tail -n 60

pass=0 fail=0
while read -r st name; do
	echo "  $st $tag:$name"
	if [ "$st" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done < <("$GO3S_ROOT/scripts/kunit-json.py" "$out/results.json")
# The UML console (lockdep, DEBUG_ATOMIC_SLEEP, WARN...) is judged too.
judge=$("$GO3S_ROOT/scripts/vm/check-console.py" --end '' "$build/test.log" |
	sed "s/vm:/$tag:/") || true
echo "$judge" | sed 's/^/  /'
while read -r st _; do
	case $st in
	ok) pass=$((pass + 1)) ;;
	fail) fail=$((fail + 1)) ;;
	esac
done <<<"$judge"
if [ $rc -ne 0 ] && [ $fail -eq 0 ]; then
	echo "  fail $tag:kunit.py (exit $rc, see $out/kunit.log)"
	fail=$((fail + 1))
fi
echo "UML KUnit: $pass passed, $fail failed (log: $out/kunit.log)"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
