#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: every test, in order, with the time each stage took.
#   deps -> check (stock headers) -> W=1/sparse (6.1, 6.12-rt headers)
#   -> harness self-test -> KUnit on UML (6.12, then 6.1)
#   -> debug kernel -> check (debug kernel, KUnit modules) -> debug VM
#   -> fault injection -> MID VMs -> coverage (UML + those VMs, >= 92%)
#   -> stock-kernel VMs (6.12, 6.1, 6.12-rt, arm64, riscv64) -> arm64
#   MID VMs -> arm64 and riscv64 debug kernels and their KUnit VMs
#   -> DKMS and the package
# Ends with "N passed, N failed" (every KUnit case and VM check counted)
# and exits non-zero on any failure. Logs stay under .out/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t_all=$(date +%s)
total_pass=0 total_fail=0
summary=()
mkdir -p "$GO3S_OUT"
res=$GO3S_OUT/stage.result

failed=()

# stage NAME CMD...: run a stage script that writes "passed failed" to
# $GO3S_RESULT; a stage that dies before writing it counts as one failure.
# The stage's "fail <check>" lines are repeated in the summary, so that
# a log's tail (CI keeps only that) names what failed.
stage() {
	local name=$1 t0 p f line
	shift
	go3s_stage "$name"
	t0=$(date +%s)
	rm -f "$res"
	GO3S_RESULT=$res "$@" 2>&1 | tee "$res.log"
	if [ -s "$res" ]; then
		read -r p f <"$res"
	else
		p=0 f=1
		echo "  fail $name: the stage did not complete"
		failed+=("$name: the stage did not complete")
	fi
	if [ "$f" -gt 0 ]; then
		while IFS= read -r line; do
			failed+=("$name: ${line:0:200}")
		done < <(sed -n 's/^[[:space:]]*fail[[:space:]]\+//p' "$res.log" | head -n 20)
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-28s %5d passed %3d failed %6ss' "$name" "$p" "$f" $(( $(date +%s) - t0 )))")
	go3s_stage_done
}

go3s_stage "install dependencies"
"$GO3S_ROOT/scripts/deps.sh" || go3s_die "installing dependencies failed"
go3s_stage_done

stage "check (stock 6.12 headers)" "$GO3S_ROOT/scripts/check.sh"
for f in 6.1 6.12-rt; do
	stage "W=1 and sparse ($f headers)" env GO3S_CHECK_BUILD_ONLY=1 \
		"$GO3S_ROOT/scripts/check.sh" "$(go3s_stock_kdir $f)"
done
# Coverage (GO3S_COVERAGE=0 skips it): the debug VM and MID stages build
# the modules with gcov and print their counts (GO3S_GCOV=1), the UML
# stage is built with clang and profiles go3s's objects; the coverage
# stage merges the three and fails below 92% of the lines of go3s_rt/,
# mid/ and arch/ (scripts/coverage.sh).
gcov=
[ "${GO3S_COVERAGE:-1}" = 0 ] || gcov=1

stage "harness self-test" "$GO3S_ROOT/scripts/test-harness.sh"
# With coverage on, this UML kernel is the clang one whose profile the
# coverage stage reads (scripts/test-uml.sh, GO3S_UML_COVERAGE).
stage "KUnit on UML (kunit.py)" env GO3S_UML_COVERAGE=${gcov:-0} \
	"$GO3S_ROOT/scripts/test-uml.sh"
stage "KUnit on UML 6.1 (kunit.py)" env GO3S_UML_SERIES=6.1 "$GO3S_ROOT/scripts/test-uml.sh"

go3s_stage "debug kernel (cached in $GO3S_CACHE)"
if kdir=$("$GO3S_ROOT/scripts/build-kernel.sh"); then
	go3s_stage_done
	# checkpatch, kernel-doc and coccicheck do not depend on the kernel:
	# the first check ran them. Here the W=1 and sparse builds, KUnit
	# suites included (the stock kernels have no KUnit).
	stage "W=1 and sparse, KUnit suites (debug kernel)" env GO3S_CHECK_BUILD_ONLY=1 \
		"$GO3S_ROOT/scripts/check.sh" "$kdir"
	stage "KUnit in the debug VM" env GO3S_GCOV=$gcov "$GO3S_ROOT/scripts/test-vm.sh"
	stage "fault injection (debug VM)" "$GO3S_ROOT/scripts/test-fault.sh"
	stage "MID: edu DMA under intel/amd/virtio IOMMUs" env GO3S_GCOV=$gcov \
		"$GO3S_ROOT/scripts/test-mid.sh"
	[ -z "$gcov" ] || stage "coverage >= 92% (UML + debug and MID VMs)" \
		env GO3S_COV_VMS=reuse GO3S_COV_MIN=92 "$GO3S_ROOT/scripts/coverage.sh"
else
	total_fail=$((total_fail + 1))
	summary+=("debug kernel build failed")
	failed+=("debug kernel build failed")
fi
stage "stock-kernel VM (make run)" "$GO3S_ROOT/scripts/run.sh" --quiet
stage "stock-kernel VM 6.1" "$GO3S_ROOT/scripts/run.sh" --quiet --kernel 6.1
stage "stock-kernel VM 6.12-rt" "$GO3S_ROOT/scripts/run.sh" --quiet --kernel 6.12-rt
stage "stock-kernel VM arm64 (6.12, SMMUv3, pointer authentication)" "$GO3S_ROOT/scripts/test-arm64.sh"
stage "MID on arm64: edu DMA under SMMUv3 and virtio-iommu" "$GO3S_ROOT/scripts/test-mid.sh" --arch arm64
stage "stock-kernel VM riscv64 (Debian 13's 6.12, OpenSBI)" "$GO3S_ROOT/scripts/test-riscv64.sh"
stage "KUnit in the arm64 debug VM (KASAN, lockdep, SMMUv3 MID)" \
	"$GO3S_ROOT/scripts/test-arch-debug.sh" --arch arm64
stage "KUnit in the riscv64 debug VM (KASAN, lockdep)" \
	"$GO3S_ROOT/scripts/test-arch-debug.sh" --arch riscv64
stage "DKMS and package (6.1, 6.12, 6.12-rt)" "$GO3S_ROOT/scripts/test-dkms.sh"

printf '\n==> summary (%ss in all)\n' $(( $(date +%s) - t_all ))
printf '  %s\n' "${summary[@]}"
[ -z "$gcov" ] || grep -s 'total' "$GO3S_OUT/coverage/summary.txt" | sed 's/^/  /'
if [ ${#failed[@]} -gt 0 ]; then
	echo "  failed checks:"
	printf '    %s\n' "${failed[@]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
