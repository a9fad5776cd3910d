#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: every test, with the time each stage took. Two lanes:
#   the VM lane, shown live: deps -> harness self-test -> x86 debug
#     kernel -> debug VM -> MID VMs -> fault injection -> stock-kernel VMs
#     (6.12, 6.1, 6.12-rt) -> KUnit on UML (6.12, 6.1) -> coverage
#     (UML + debug and MID VMs, >= 92%) -> arm64: stock VM, MID VMs ->
#     stock riscv64 VM -> arm64 and riscv64 debug VMs;
#   the build lane, at SCHED_IDLE while the VM lane runs: the UML, arm64
#     and riscv64 kernels and Debian's trees (for the VM lane, which
#     waits on their lock), then check (stock 6.12 headers), W=1 and
#     sparse (6.1, 6.12-rt headers; the debug kernel, KUnit suites
#     included), DKMS and the package. Its stages' output is shown and
#     counted once both lanes are done.
# GO3S_BG=0: one lane, the build lane's part run before the VMs (after
# the debug kernel).
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
# so that a log's tail (CI keeps only that) names what failed, with the
# kernel reports behind a failed console check ("report:") and the last
# console lines of a VM that did not complete ("tail:").
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
		while IFS= read -r line; do
			failed+=("  ${line:0:200}")
		done < <(grep -a -E '^[[:space:]]*(report|tail): ' "$log" |
			 sed 's/^[[:space:]]*//' | head -n 30)
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

# The build lane: a TCG VM leaves a host CPU idle much of the time
# (vmstat: 45% of the two CPUs in use through a cold run's VM stages),
# and builds fill it. At SCHED_IDLE they take only what the VMs leave,
# so the VMs run nearly as fast as alone. The kernels the VM lane needs
# are made first; build-kernel.sh, cross-stock.sh and test-uml.sh take
# a lock, so a VM stage that comes to one still building waits for it.
bg=${GO3S_BG:-1}
lane_dir=$GO3S_OUT/lanes

# bstage NAME CMD...: a stage of the build lane, its output kept for the
# end (shown live when GO3S_BG=0).
bstage() {
	local name=$1 key t0 p f
	shift
	if [ "$bg" = 0 ]; then
		stage "$name" "$@"
		return
	fi
	key=$lane_dir/$(printf '%02d' $(( $(ls "$lane_dir"/*.name 2>/dev/null | wc -l) + 1 )))
	printf '%s\n' "$name" >"$key.name"
	t0=$(date +%s)
	GO3S_RESULT=$key.result "$@" >"$key.log" 2>&1
	echo $(( $(date +%s) - t0 )) >"$key.time"
	read -r p f <"$key.result" 2>/dev/null || p=0 f=1
	printf '  [%s] build lane: %s: %s passed, %s failed\n' "$(date +%T)" "$name" "$p" "$f"
}

# prebuild WHAT CMD...: make what a VM-lane stage needs. A failure is
# that stage's to report (it builds again, and fails).
prebuild() {
	local what=$1
	shift
	printf '  [%s] build lane: %s\n' "$(date +%T)" "$what"
	"$@" >>"$lane_dir/prebuild.log" 2>&1 || true
}

# Show and count the build lane's stages, in order.
lane_account() {
	local key name secs
	for key in $(ls "$lane_dir"/*.name 2>/dev/null | sort); do
		key=${key%.name}
		name=$(cat "$key.name")
		secs=$(cat "$key.time" 2>/dev/null || echo 0)
		printf '\n==> %s (build lane)\n' "$name"
		cat "$key.log" 2>/dev/null
		account "$name" "$key.log" "$key.result" "$secs"
		printf '<== %s: done in %ss\n' "$name" "$secs"
	done
}

# Coverage (GO3S_COVERAGE=0 skips it): the debug VM and MID stages build
# the modules with gcov and print their counts (GO3S_GCOV=1), the UML
# stage is built with clang and profiles go3s's objects; the coverage
# stage merges the three and fails below 92% of the lines of go3s_rt/,
# mid/ and arch/ (scripts/coverage.sh).
gcov=
[ "${GO3S_COVERAGE:-1}" = 0 ] || gcov=1

build_lane() {
	# With coverage on, this UML kernel is the clang one whose profile
	# the coverage stage reads (scripts/test-uml.sh, GO3S_UML_COVERAGE).
	prebuild "UML kernel (6.12)" env GO3S_UML_BUILD_ONLY=1 \
		GO3S_UML_COVERAGE=${gcov:-0} "$GO3S_ROOT/scripts/test-uml.sh"
	prebuild "UML kernel (6.1)" env GO3S_UML_BUILD_ONLY=1 GO3S_UML_SERIES=6.1 \
		"$GO3S_ROOT/scripts/test-uml.sh"
	for a in arm64 riscv64; do
		prebuild "Debian's $a tree" "$GO3S_ROOT/scripts/cross-stock.sh" $a
	done
	for a in arm64 riscv64; do
		prebuild "$a debug kernel" "$GO3S_ROOT/scripts/build-kernel.sh" --arch $a
	done
	bstage "check (stock 6.12 headers)" "$GO3S_ROOT/scripts/check.sh"
	for f in 6.1 6.12-rt; do
		bstage "W=1 and sparse ($f headers)" env GO3S_CHECK_BUILD_ONLY=1 \
			"$GO3S_ROOT/scripts/check.sh" "$(go3s_stock_kdir $f)"
	done
	# checkpatch, kernel-doc and coccicheck do not depend on the kernel:
	# the first check ran them. Here the W=1 and sparse builds, KUnit
	# suites included (the stock kernels have no KUnit). The VM lane
	# builds the debug kernel (this waits on its lock) and reports a
	# failure.
	local k
	if k=$("$GO3S_ROOT/scripts/build-kernel.sh" 2>/dev/null); then
		bstage "W=1 and sparse, KUnit suites (debug kernel)" \
			env GO3S_CHECK_BUILD_ONLY=1 "$GO3S_ROOT/scripts/check.sh" "$k"
	fi
	bstage "DKMS and package (6.1, 6.12, 6.12-rt)" "$GO3S_ROOT/scripts/test-dkms.sh"
}

go3s_stage "install dependencies"
"$GO3S_ROOT/scripts/deps.sh" || go3s_die "installing dependencies failed"
go3s_stage_done

stage "harness self-test" "$GO3S_ROOT/scripts/test-harness.sh"

rm -rf "$lane_dir"
mkdir -p "$lane_dir"
if [ "$bg" != 0 ]; then
	go3s_stage "the build lane starts (SCHED_IDLE; its stages are shown at the end)"
	(chrt --idle -p 0 "$BASHPID" >/dev/null && build_lane) &
	pid_bg=$!
	go3s_stage_done
fi

go3s_stage "debug kernel (cached in $GO3S_CACHE)"
if kdir=$("$GO3S_ROOT/scripts/build-kernel.sh"); then
	go3s_stage_done
else
	kdir=
	total_fail=$((total_fail + 1))
	summary+=("debug kernel build failed")
	failed+=("debug kernel build failed")
fi
# One lane: the builds now, after the debug kernel's stage has built it
# where its progress shows.
[ "$bg" != 0 ] || build_lane

if [ -n "$kdir" ]; then
	stage "KUnit in the debug VM" env GO3S_GCOV=$gcov "$GO3S_ROOT/scripts/test-vm.sh"
	stage "MID: edu DMA under intel/amd/virtio IOMMUs" env GO3S_GCOV=$gcov \
		"$GO3S_ROOT/scripts/test-mid.sh"
	stage "fault injection (debug VM)" "$GO3S_ROOT/scripts/test-fault.sh"
fi
stage "stock-kernel VM (make run)" "$GO3S_ROOT/scripts/run.sh" --quiet
stage "stock-kernel VM 6.1" "$GO3S_ROOT/scripts/run.sh" --quiet --kernel 6.1
stage "stock-kernel VM 6.12-rt" "$GO3S_ROOT/scripts/run.sh" --quiet --kernel 6.12-rt
stage "KUnit on UML (kunit.py)" env GO3S_UML_COVERAGE=${gcov:-0} \
	"$GO3S_ROOT/scripts/test-uml.sh"
stage "KUnit on UML 6.1 (kunit.py)" env GO3S_UML_SERIES=6.1 "$GO3S_ROOT/scripts/test-uml.sh"
[ -z "$kdir" ] || [ -z "$gcov" ] || stage "coverage >= 92% (UML + debug and MID VMs)" \
	env GO3S_COV_VMS=reuse GO3S_COV_MIN=92 "$GO3S_ROOT/scripts/coverage.sh"
stage "stock-kernel VM arm64 (6.12, SMMUv3, pointer authentication)" \
	"$GO3S_ROOT/scripts/test-arm64.sh"
stage "MID on arm64: edu DMA under SMMUv3 and virtio-iommu" \
	"$GO3S_ROOT/scripts/test-mid.sh" --arch arm64
stage "stock-kernel VM riscv64 (Debian 13's 6.12, OpenSBI)" \
	"$GO3S_ROOT/scripts/test-riscv64.sh"
stage "KUnit in the arm64 debug VM (KASAN, lockdep, SMMUv3 MID)" \
	"$GO3S_ROOT/scripts/test-arch-debug.sh" --arch arm64
stage "KUnit in the riscv64 debug VM (KASAN, lockdep)" \
	"$GO3S_ROOT/scripts/test-arch-debug.sh" --arch riscv64

if [ "$bg" != 0 ]; then
	go3s_stage "waiting for the build lane"
	wait "$pid_bg"
	go3s_stage_done
	lane_account
fi

printf '\n==> summary (%ss in all)\n' $(( $(date +%s) - t_all ))
printf '  %s\n' "${summary[@]}"
[ -z "$gcov" ] || grep -s 'total' "$GO3S_OUT/coverage/summary.txt" | sed 's/^/  /'
if [ ${#failed[@]} -gt 0 ]; then
	echo "  failed checks:"
	printf '    %s\n' "${failed[@]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
