#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fault-injection stage of make test: the debug kernel again, with
# failslab and fail_page_alloc (task-filter=Y: only the test's own tasks)
# over go3s_rt's init (each allocation failed in turn, fail-nth), over
# insmod of go3s_rt and the samples, and over every KUnit suite; then the
# samples without injection, and kmemleak. See Documentation/testing.rst.
#   GO3S_FAULT_RATES  failslab/fail_page_alloc rates in %, one pass over
#                     the suites each (default "10/5,5/10"; the first pair
#                     is also used for insmod)
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$("$GO3S_ROOT/scripts/build-kernel.sh")
rel=$(cat "$kdir/include/config/kernel.release")
src=$(go3s_src)
out=$GO3S_OUT/fault
mkdir -p "$out"

echo "building the modules and the fault helpers against the debug kernel $rel"
go3s_build_modules "$kdir" "$out" GO3S_DEBUG=1
helpers=$out/src/scripts/vm/fault
make -C "$kdir" M="$helpers" modules >"$out/helpers.log" 2>&1 || {
	cat "$out/helpers.log" >&2
	exit 1
}
gcc -Os -static -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables \
	-include "$src/tools/include/nolibc/nolibc.h" -o "$helpers/fault-insmod" \
	"$helpers/fault-insmod.c" -lgcc >>"$out/helpers.log" 2>&1 || {
	cat "$out/helpers.log" >&2
	exit 1
}

files=(lib/go3s/kunit.ko="$kdir/modroot/lib/modules/$rel/kernel/lib/kunit/kunit.ko"
       lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko"
       lib/go3s/go3s_fault.ko="$helpers/go3s_fault.ko"
       bin/fault-insmod="$helpers/fault-insmod")
# go3s_middev needs an IOMMU per run and 100 ms DMAs (scripts/test-mid.sh).
for ko in "$out"/src/*_kunit.ko; do
	[ "$(basename "$ko")" = go3s_middev_kunit.ko ] && continue
	files+=("lib/go3s/kunit/$(basename "$ko")=$ko")
done
go3s_sample_files "$out" files
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-fault.sh" "${files[@]}"

log=$out/console.log
# The VM runs about 650 s alone, 5-10 % longer beside make test's build
# lane (761 s in a cold run): the timeout is for hangs.
echo "booting the debug VM with fault injection (q35, intel-iommu, edu, 2 CPUs); console: $log"
rc=0
go3s_qemu "$log" "${GO3S_VM_TIMEOUT:-1200}" "$kdir/arch/x86/boot/bzImage" "$out/initrd.gz" \
	"softlockup_panic=1 hung_task_panic=1 intel_iommu=on go3s_fault_rates=${GO3S_FAULT_RATES:-10/5,5/10}" \
	-smp 2 -device intel-iommu,intremap=on -machine kernel-irqchip=split \
	-device edu >"$out/qemu.out" || rc=$?
[ $rc -ne 124 ] || echo "the VM timed out"

pass=0 fail=0
count() { if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi; }

# The console: checks made in the VM, kernel reports, completion. Under
# injection a case can stop before the WARN it declared, so a declared WARN
# may not come; two WARNs of the kernel's trace_events code on allocation
# failures are noted, not failed (see Documentation/testing.rst), and so
# are Go panics (gort_die()): an allocation that fails in Go code (go,
# make, new) is a Go "out of memory" panic by design (Documentation/go.rst),
# and an injected failure can also make a panicking case panic twice.
judge=$("$GO3S_ROOT/scripts/vm/check-console.py" "$log" --begin GO3S-BEGIN \
	--expect-optional \
	--allow-warn 'at kernel/trace/trace_events\.c:[0-9]+ event_define_fields' \
	--allow-warn 'at kernel/trace/trace_events\.c:[0-9]+ event_file_put' \
	--allow-warn 'at lib/kunit/test\.c:[0-9]+ __kunit_do_failed_assertion' \
	--allow-warn 'at \S+go3s_rt/gort\.c:[0-9]+ gort_die') || true
# ...and what the VM counted: cases, injected failures, kmemleak by owner.
report=$("$GO3S_ROOT/scripts/vm/fault-report.py" "$log") || true
while read -r st _; do
	case $st in ok|fail) count "$st" ;; esac
done <<<"$judge
$report"
echo "$judge" | sed 's/^/  /'
echo "$report" | sed 's/^/  /'

echo "fault VM: $pass passed, $fail failed (console log: $log)"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
