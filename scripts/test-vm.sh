#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug VM stage of make test: build (or reuse) the debug kernel, build
# go3s_rt and the KUnit modules against it, boot it on q35 with an IOMMU and
# the edu device, run every suite and judge the console.
# GO3S_GCOV=1 (make test, make coverage) builds the modules with gcov and
# writes their line counts as $GO3S_OUT/debug/gcov.info (scripts/cov.py).
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$("$GO3S_ROOT/scripts/build-kernel.sh")
rel=$(cat "$kdir/include/config/kernel.release")
out=$GO3S_OUT/debug
mkdir -p "$out"

echo "building the modules against the debug kernel $rel${GO3S_GCOV:+ (gcov)}"
rm -f "$out/gcov.info"
go3s_build_modules "$kdir" "$out" GO3S_DEBUG=1 GO3S_GCOV="${GO3S_GCOV:-}"

files=(lib/go3s/kunit.ko="$kdir/modroot/lib/modules/$rel/kernel/lib/kunit/kunit.ko"
       lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko")
# go3s_middev runs in the MID VMs (scripts/test-mid.sh), once per IOMMU.
for ko in "$out"/src/*_kunit.ko; do
	[ "$(basename "$ko")" = go3s_middev_kunit.ko ] && continue
	files+=("lib/go3s/kunit/$(basename "$ko")=$ko")
done
files+=(lib/go3s/go3s_initfail.ko="$out/src/go3s_initfail.ko"
	lib/go3s/go3s_unpinned_tail.ko="$out/src/go3s_unpinned_tail.ko")
go3s_sample_files "$out" files
# The block sample's tests (scripts/vm/blk.sh) need fio and e2fsprogs,
# and fio System V shared memory and timerfd, which this kernel lacks:
# scripts/vm/fio-preload.c stands in for them (LD_PRELOAD).
if [ -e "$out/src/samples/blk/go3s_blk.ko" ]; then
	go3s_blk_tools files
	cc -O2 -Wall -shared -fPIC -pthread -o "$out/fio-preload.so" \
		"$GO3S_ROOT/scripts/vm/fio-preload.c"
	files+=(lib/go3s/fio-preload.so="$out/fio-preload.so")
fi
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-test.sh" "${files[@]}"

log=$out/console.log
echo "booting the debug VM (q35, intel-iommu, edu, 4 CPUs); console: $log"
rc=0
go3s_qemu "$log" "${GO3S_VM_TIMEOUT:-900}" "$kdir/arch/x86/boot/bzImage" \
	"$out/initrd.gz" "softlockup_panic=1 hung_task_panic=1 intel_iommu=on${GO3S_VM_ONLY:+ go3s.only=$GO3S_VM_ONLY}" \
	-smp 4 -device intel-iommu,intremap=on -machine kernel-irqchip=split \
	-device edu >"$out/qemu.out" || rc=$?
[ $rc -ne 124 ] || echo "the VM timed out"

pass=0 fail=0
count() { go3s_judge_count "$1"; }

# The console (checks, kernel reports, completion) and the KUnit cases.
go3s_judge_vm "$log" "$out/results" "" kunit:

# make test's coverage (GO3S_GCOV=1): the gcov counts the VM printed.
if [ -n "${GO3S_GCOV:-}" ]; then
	if "$GO3S_ROOT/scripts/cov.py" vm "$log" "$out/src" "$out/gcov.info"; then
		count ok; echo "  ok vm:gcov_data ($out/gcov.info)"
	else
		count fail; echo "  fail vm:gcov_data"
	fi
fi

echo "debug VM: $pass passed, $fail failed (console log: $log)"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
