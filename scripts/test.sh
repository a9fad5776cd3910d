#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: every test, in order, with the time each stage took.
#   deps -> check (stock headers) -> W=1/sparse (6.1, 6.12-rt headers)
#   -> harness self-test -> KUnit on UML (6.12, then 6.1)
#   -> debug kernel -> check (debug kernel, KUnit modules) -> arm64 and
#   riscv64 debug kernels -> the VM stages, A then B (GO3S_LANES=2: the
#   two lanes at once):
#     A: debug VM -> MID VMs -> coverage (UML + those VMs, >= 92%)
#        -> stock-kernel VMs (6.12, 6.1, 6.12-rt, arm64) -> arm64 MID VMs
#        -> stock riscv64 VM
#     B: fault injection -> arm64 debug VMs -> riscv64 debug VM
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

# account NAME LOG RESULT SECONDS: count a finished stage. RESULT holds
# "passed failed"; a stage that died before writing it counts as one
# failure. The stage's "fail <check>" lines are repeated in the summary,
# so that a log's tail (CI keeps only that) names what failed.
account() {
	local name=$1 log=$2 result=$3 secs=$4 p f line
	if [ -s "$result" ]; then
		read -r p f <"$result"
	else
		p=0 f=1
		echo "  fail $name: the stage did not complete"
		failed+=("$name: the stage did not complete")
	fi
	if [ "$f" -gt 0 ]; then
		while IFS= read -r line; do
			failed+=("$name: ${line:0:200}")
		done < <(sed -n 's/^[[:space:]]*fail[[:space:]]\+//p' "$log" | head -n 20)
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-28s %5d passed %3d failed %6ss' "$name" "$p" "$f" "$secs")")
}

# stage NAME CMD...: run a stage script that writes "passed failed" to
# $GO3S_RESULT, its output shown as it comes.
stage() {
	local name=$1 t0
	shift
	go3s_stage "$name"
	t0=$(date +%s)
	rm -f "$res"
	GO3S_RESULT=$res "$@" 2>&1 | tee "$res.log"
	account "$name" "$res.log" "$res" $(( $(date +%s) - t0 ))
	go3s_stage_done
}

# The VM stages can run in two lanes at once (GO3S_LANES=2; default 1,
# one after the other, shown live). Under TCG a VM keeps about one host
# CPU busy (vmstat: 45% of 2 CPUs through a cold run's VM stages), but
# paired they slow each other more than that: in the first two-lane run
# the fault-injection VM passed its 900 s timeout (704 s alone), so two
# lanes stay opt-in until the VM timeouts and the lane split are tuned
# (Documentation/testing.rst). In two lanes each runs its stages in
# order; a lane stage's output is kept and shown, in lane order, once
# both are done, with a line as each starts and ends. Every kernel and
# downloaded tree they use is made before the lanes start, and
# build-kernel.sh and cross-stock.sh take a lock, so the lanes only read
# the cache.
lanes=${GO3S_LANES:-1}
lane_dir=$GO3S_OUT/lanes
lane_n=0

# vstage LANE NAME CMD...: a VM stage of lane LANE (A or B).
vstage() {
	local lane=$1 name=$2 key t0 p f
	shift 2
	if [ "$lanes" = 1 ]; then
		stage "$name" "$@"
		return
	fi
	lane_n=$((lane_n + 1))
	key=$lane_dir/$lane$(printf '%02d' "$lane_n")
	printf '%s\n' "$name" >"$key.name"
	printf '  [%s] lane %s: %s\n' "$(date +%T)" "$lane" "$name"
	t0=$(date +%s)
	GO3S_RESULT=$key.result "$@" >"$key.log" 2>&1
	echo $(( $(date +%s) - t0 )) >"$key.time"
	read -r p f <"$key.result" 2>/dev/null || p=0 f=1
	printf '  [%s] lane %s: %s: %s passed, %s failed\n' "$(date +%T)" "$lane" "$name" "$p" "$f"
}

# Show and count the lane stages, lane A's first, each in its order.
lanes_account() {
	local key name secs
	for key in $(ls "$lane_dir"/*.name 2>/dev/null | sort); do
		key=${key%.name}
		name=$(cat "$key.name")
		secs=$(cat "$key.time" 2>/dev/null || echo 0)
		printf '\n==> %s\n' "$name"
		cat "$key.log" 2>/dev/null
		account "$name" "$key.log" "$key.result" "$secs"
		printf '<== %s: done in %ss\n' "$name" "$secs"
	done
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
else
	kdir=
	total_fail=$((total_fail + 1))
	summary+=("debug kernel build failed")
	failed+=("debug kernel build failed")
fi

# What the lanes need, made here one at a time: the arm64 and riscv64
# debug kernels and Debian's trees for them. A failure is the stage's
# to report (it tries again).
go3s_stage "arm64 and riscv64 debug kernels and stock trees (cached in $GO3S_CACHE)"
for a in arm64 riscv64; do
	"$GO3S_ROOT/scripts/build-kernel.sh" --arch $a >/dev/null || true
	"$GO3S_ROOT/scripts/cross-stock.sh" $a >/dev/null || true
done
go3s_stage_done

lane_a() {
	if [ -n "$kdir" ]; then
		vstage A "KUnit in the debug VM" env GO3S_GCOV=$gcov "$GO3S_ROOT/scripts/test-vm.sh"
		vstage A "MID: edu DMA under intel/amd/virtio IOMMUs" env GO3S_GCOV=$gcov \
			"$GO3S_ROOT/scripts/test-mid.sh"
		[ -z "$gcov" ] || vstage A "coverage >= 92% (UML + debug and MID VMs)" \
			env GO3S_COV_VMS=reuse GO3S_COV_MIN=92 "$GO3S_ROOT/scripts/coverage.sh"
	fi
	vstage A "stock-kernel VM (make run)" "$GO3S_ROOT/scripts/run.sh" --quiet
	vstage A "stock-kernel VM 6.1" "$GO3S_ROOT/scripts/run.sh" --quiet --kernel 6.1
	vstage A "stock-kernel VM 6.12-rt" "$GO3S_ROOT/scripts/run.sh" --quiet --kernel 6.12-rt
	vstage A "stock-kernel VM arm64 (6.12, SMMUv3, pointer authentication)" \
		"$GO3S_ROOT/scripts/test-arm64.sh"
	vstage A "MID on arm64: edu DMA under SMMUv3 and virtio-iommu" \
		"$GO3S_ROOT/scripts/test-mid.sh" --arch arm64
	vstage A "stock-kernel VM riscv64 (Debian 13's 6.12, OpenSBI)" \
		"$GO3S_ROOT/scripts/test-riscv64.sh"
}

lane_b() {
	[ -z "$kdir" ] || vstage B "fault injection (debug VM)" "$GO3S_ROOT/scripts/test-fault.sh"
	vstage B "KUnit in the arm64 debug VM (KASAN, lockdep, SMMUv3 MID)" \
		"$GO3S_ROOT/scripts/test-arch-debug.sh" --arch arm64
	vstage B "KUnit in the riscv64 debug VM (KASAN, lockdep)" \
		"$GO3S_ROOT/scripts/test-arch-debug.sh" --arch riscv64
}

if [ "$lanes" = 1 ]; then
	lane_a
	lane_b
else
	go3s_stage "VM stages in two lanes (output below, once both are done)"
	rm -rf "$lane_dir"
	mkdir -p "$lane_dir"
	lane_a &
	pid_a=$!
	lane_b &
	pid_b=$!
	wait "$pid_a" "$pid_b"
	go3s_stage_done
	lanes_account
fi

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
