#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: build go3s_rt and the samples against the stock Debian 6.12
# kernel, boot that kernel in QEMU, load them, show what they do, unload.
# Exits 0 only if every check in the VM passed.  --quiet: print the checks only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quiet=0
[ "${1:-}" = --quiet ] && quiet=1

go3s_stage "install dependencies"
"$GO3S_ROOT/scripts/deps.sh"
go3s_stage_done

kdir=$(go3s_stock_kdir)
vmlinuz=$(go3s_stock_vmlinuz)
out=$GO3S_OUT/stock
mkdir -p "$out"

go3s_stage "build go3s_rt.ko and the samples against $kdir"
go3s_build_modules "$kdir" "$out"
ls -l "$out/src/go3s_rt.ko" "$out"/src/samples/*/*.ko | sed 's/^/  /'
go3s_stage_done

go3s_stage "pack an initramfs (busybox, the modules, fio and e2fsprogs)"
files=(lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko")
go3s_sample_files "$out" files
go3s_blk_files "$(go3s_stock_release)" "$out" files
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-stock.sh" "${files[@]}"
go3s_stage_done

go3s_stage "boot $(basename "$vmlinuz") in qemu-system-x86_64 (TCG, q35)"
[ -r "$vmlinuz" ] || go3s_die "$vmlinuz is not readable (run as root)"
log=$out/console.log
rc=0
if [ $quiet -eq 1 ]; then
	go3s_qemu "$log" 900 "$vmlinuz" "$out/initrd.gz" "quiet" -smp 2 >/dev/null || rc=$?
else
	go3s_qemu "$log" 900 "$vmlinuz" "$out/initrd.gz" "quiet" -smp 2 || rc=$?
fi
go3s_stage_done

echo
pass=$(grep -c '^GO3S-CHECK ok ' "$log" || true)
fail=$(grep -c '^GO3S-CHECK fail ' "$log" || true)
grep '^GO3S-CHECK ' "$log" | sed 's/^GO3S-CHECK /  /'
if ! grep -q '^GO3S-END' "$log"; then
	echo "  fail vm_completed (qemu status $rc; console: $log)"
	fail=$((fail + 1))
else
	echo "  ok vm_completed"
	pass=$((pass + 1))
fi
echo "stock VM: $pass passed, $fail failed (console log: $log)"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
