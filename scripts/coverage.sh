#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make coverage: line coverage of go3s_rt/, mid/ and arch/, measured where
# the code runs, merged per source line (scripts/cov.py):
#  - KUnit on UML built with clang (LLVM=1) and source-based coverage of
#    go3s's objects (scripts/test-uml.sh with GO3S_UML_COVERAGE=1; gcc
#    12's gcov cannot link a UML kernel);
#  - the debug VM and the MID VMs (scripts/test-vm.sh, scripts/test-mid.sh)
#    with the modules built with gcc's gcov (GO3S_GCOV=1): the steal,
#    hotplug, exit and IOMMU paths UML never takes.
# GO3S_COV_VMS=run (the default) runs those VM stages; reuse takes the
# data the last runs of the UML and VM stages wrote (make test, whose
# stages ran with GO3S_UML_COVERAGE=1 and GO3S_GCOV=1); none measures UML
# alone.
# GO3S_COV_MIN=PCT fails when the merged total is below PCT (make test).
# Prints "coverage: NN.N% lines" per directory and in total (and each
# run's own figure), and the per-file table (.out/coverage/files.txt;
# as a make test stage, only its path).
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

vms=${GO3S_COV_VMS:-run}
case $vms in run | reuse | none) ;; *) go3s_die "GO3S_COV_VMS=$vms: run, reuse or none" ;; esac
fail() {
	echo "  fail coverage: $*"
	[ -n "${GO3S_RESULT:-}" ] && echo "0 1" >"$GO3S_RESULT"
	exit 1
}

"$GO3S_ROOT/scripts/deps.sh"
src=$(go3s_src)
out=$GO3S_OUT/coverage
uml=$GO3S_OUT/uml
rm -rf "$out"
mkdir -p "$out"

# The UML profile: make test's UML stage wrote it (reuse), else run it.
if [ "$vms" != reuse ] || [ ! -f "$uml/build" ]; then
	echo "KUnit on UML with coverage (scripts/test-uml.sh, GO3S_UML_COVERAGE=1)"
	t0=$(date +%s)
	GO3S_UML_COVERAGE=1 GO3S_RESULT= "$GO3S_ROOT/scripts/test-uml.sh" "$@" \
		>"$out/uml-kunit.log" 2>&1 || true
	tail -n 1 "$out/uml-kunit.log" | sed 's/^/  /'
	echo "  the UML coverage run took $(( $(date +%s) - t0 ))s"
fi
[ -f "$uml/build" ] || fail "the UML coverage run did not finish (see $out/uml-kunit.log)"
ls "$uml"/*.profraw >/dev/null 2>&1 || fail "UML wrote no profile"
build=$(cat "$uml/build")

llvm-profdata merge -sparse -o "$out/kunit.profdata" "$uml"/*.profraw
llvm-cov report "$build/linux" -instr-profile="$out/kunit.profdata" \
	"$src/drivers/go3s/" >"$out/report.txt" 2>/dev/null || true
llvm-cov export "$build/linux" -instr-profile="$out/kunit.profdata" \
	-format=lcov "$src/drivers/go3s/" >"$out/uml-llvm.info"
"$GO3S_ROOT/scripts/cov.py" llvm "$out/uml-llvm.info" "$out/uml.info"
runs=(uml="$out/uml.info")

if [ "$vms" = run ]; then
	GO3S_GCOV=1 "$GO3S_ROOT/scripts/test-vm.sh" >"$out/debug-vm.log" 2>&1 ||
		echo "  note: the debug VM had failures (see $out/debug-vm.log)"
	GO3S_GCOV=1 "$GO3S_ROOT/scripts/test-mid.sh" >"$out/mid-vm.log" 2>&1 ||
		echo "  note: the MID VMs had failures (see $out/mid-vm.log)"
fi
if [ "$vms" != none ]; then
	vminfo=("$GO3S_OUT"/debug/gcov.info "$GO3S_OUT"/mid/gcov-*.info)
	for f in "${vminfo[@]}"; do
		[ -f "$f" ] || fail "no gcov data: $f (GO3S_GCOV=1 scripts/test-vm.sh and test-mid.sh write it)"
		case $f in
		*/mid/gcov-*) name=mid-${f##*/gcov-} name=${name%-iommu.info} ;;
		*) name=debug ;;
		esac
		runs+=("$name=$f")
	done
fi

rc=0
"$GO3S_ROOT/scripts/cov.py" report --table "$out/files.txt" \
	${GO3S_COV_MIN:+--min "$GO3S_COV_MIN"} "${runs[@]}" >"$out/summary.txt" || rc=$?
# make test (a stage: GO3S_RESULT) shows the totals; make coverage each file too.
if [ -n "${GO3S_RESULT:-}" ]; then
	echo "  per file: $out/files.txt"
else
	cat "$out/files.txt"
fi
cat "$out/summary.txt"
[ -n "${GO3S_RESULT:-}" ] && echo "$((rc == 0 ? 1 : 0)) $((rc == 0 ? 0 : 1))" >"$GO3S_RESULT"
exit $rc
