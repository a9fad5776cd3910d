#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: build go3s_rt and the samples against the stock Debian 6.12
# kernel, boot that kernel in QEMU, load them and the self-test module
# (KTAP), show what they do, unload. Exits 0 only if every check in the VM
# and every self-test case passed.
#   --quiet           print the checks only
#   --kernel FLAVOUR  6.12 (the default), 6.1 or 6.12-rt: another stock
#                     Debian kernel (scripts/deps.sh installs all three)
#   --arch ARCH       x86_64 (the default), arm64 or riscv64: Debian 12's
#                     stock arm64 6.12 kernel or Debian 13's riscv64 6.12
#                     kernel (scripts/cross-stock.sh fetches it with its
#                     headers and busybox), the modules cross-built, in
#                     qemu-system-aarch64 (virt, -cpu max: pointer
#                     authentication on) or qemu-system-riscv64 (virt,
#                     OpenSBI). No perf and no fio there.
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quiet=0 flavour=6.12 arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	--quiet) quiet=1 ;;
	--kernel) flavour=$2; shift ;;
	--arch) arch=$2; shift ;;
	*) go3s_die "usage: $0 [--quiet] [--kernel 6.12|6.1|6.12-rt] [--arch x86_64|arm64|riscv64]" ;;
	esac
	shift
done
case $arch in
x86_64) ;;
arm64 | riscv64) [ "$flavour" = 6.12 ] || go3s_die "$arch: only the stock 6.12 kernel" ;;
*) go3s_die "unknown architecture $arch (x86_64, arm64, riscv64)" ;;
esac
export GO3S_ARCH=$arch

go3s_stage "install dependencies"
"$GO3S_ROOT/scripts/deps.sh"
go3s_stage_done

build_args=()
edu=(-device edu)
if [ "$arch" = arm64 ]; then
	go3s_stage "Debian's stock arm64 kernel, headers and busybox (cached in $GO3S_CACHE/arm64)"
	tree=$("$GO3S_ROOT/scripts/cross-stock.sh" arm64)
	kdir=$(ls -d "$tree"/usr/src/linux-headers-*-arm64)
	vmlinuz=$tree/boot/vmlinuz-${kdir##*/linux-headers-}
	export GO3S_BUSYBOX=$tree/bin/busybox
	build_args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	# edu masks DMA addresses to 28 bits and virt's RAM starts at 1 GiB:
	# edu reaches memory only through an IOMMU (SMMUv3, DMA domain).
	export GO3S_QEMU_MACHINE=${GO3S_QEMU_MACHINE-,iommu=smmuv3}
	out=$GO3S_OUT/stock-arm64
	go3s_stage_done
elif [ "$arch" = riscv64 ]; then
	go3s_stage "Debian 13's stock riscv64 kernel, headers and busybox (cached in $GO3S_CACHE/riscv64)"
	tree=$("$GO3S_ROOT/scripts/cross-stock.sh" riscv64)
	kdir=$(ls -d "$tree"/usr/src/linux-headers-*-riscv64)
	vmlinuz=$tree/boot/vmlinux-${kdir##*/linux-headers-}
	export GO3S_BUSYBOX=$tree/bin/busybox
	# Debian 13 built the kernel with gcc 14; Debian 12's cross gcc 12
	# builds the modules (the kernel has no ABI between the two that
	# modules see). Module BTF is off: pahole 1.24 knows none of the
	# kernel's --btf_features.
	build_args=(ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-
		    CC=riscv64-linux-gnu-gcc CONFIG_DEBUG_INFO_BTF_MODULES=)
	# No IOMMU on riscv64 (none in QEMU 7.2, no driver in Linux 6.12) and
	# virt's RAM starts at 2 GiB: edu DMAs with all 64 address bits, and
	# samples/edu_pm asks for them (dma_bits=64, scripts/vm/edu_pm.sh).
	edu=(-device edu,dma_mask=0xffffffffffffffff)
	out=$GO3S_OUT/stock-riscv64
	go3s_stage_done
else
	kdir=$(go3s_stock_kdir "$flavour")
	[ -n "$kdir" ] || go3s_die "no $flavour headers: run scripts/deps.sh"
	vmlinuz=$(go3s_stock_vmlinuz "$flavour")
	out=$GO3S_OUT/stock
	[ "$flavour" = 6.12 ] || out=$GO3S_OUT/stock-$flavour
fi
mkdir -p "$out"

go3s_stage "build go3s_rt.ko and the samples against $kdir"
go3s_build_modules "$kdir" "$out" "${build_args[@]}"
ls -l "$out/src/go3s_rt.ko" "$out"/src/samples/*/*.ko | sed 's/^/  /'
go3s_stage_done

if [ "$arch" != x86_64 ]; then
	go3s_stage "pack an initramfs ($arch busybox and the modules)"
else
	go3s_stage "pack an initramfs (busybox, the modules, fio, e2fsprogs and perf)"
fi
files=(lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko")
go3s_sample_files "$out" files
# perf, fio and e2fsprogs come from the host: x86_64 only.
if [ "$arch" = x86_64 ]; then
	go3s_perf_files files
	# The block sample needs 6.11's blk-mq API (samples/blk/Kbuild).
	[ ! -e "$out/src/samples/blk/go3s_blk.ko" ] ||
		go3s_blk_files "$(go3s_stock_release "$flavour")" "$out" files
fi
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-stock.sh" "${files[@]}"
go3s_stage_done

if [ "$arch" = arm64 ]; then
	go3s_stage "boot $(basename "$vmlinuz") in qemu-system-aarch64 (TCG, virt, -cpu max)"
elif [ "$arch" = riscv64 ]; then
	go3s_stage "boot $(basename "$vmlinuz") in qemu-system-riscv64 (TCG, virt, OpenSBI)"
else
	go3s_stage "boot $(basename "$vmlinuz") in qemu-system-x86_64 (TCG, q35)"
fi
[ -r "$vmlinuz" ] || go3s_die "$vmlinuz is not readable (run as root)"
log=$out/console.log
rc=0
# The VM's run takes 1 to 2 minutes under TCG: a hung one is stopped at
# GO3S_VM_TIMEOUT (default 300 s), not left to hold make test up.
tmo=${GO3S_VM_TIMEOUT:-300}
# --quiet: the console goes to $log only (fd 3: where it is shown).
if [ $quiet -eq 1 ]; then exec 3>/dev/null; else exec 3>&1; fi
go3s_qemu "$log" "$tmo" "$vmlinuz" "$out/initrd.gz" "${GO3S_VM_APPEND:-quiet}" \
	-smp 2 "${edu[@]}" >&3 || rc=$?
exec 3>&-
go3s_stage_done

echo
pass=$(grep -c '^GO3S-CHECK ok ' "$log" || true)
fail=$(grep -c '^GO3S-CHECK fail ' "$log" || true)
grep '^GO3S-CHECK ' "$log" | sed 's/^GO3S-CHECK /  /'
if ! grep -q '^GO3S-END' "$log"; then
	echo "  fail vm_completed (qemu status $rc; console: $log)"
	# How it ended, for make test's summary (a CI keeps only the tail).
	grep -av '^[[:space:]]*$' "$log" | tail -n 12 | sed 's/^/  tail: /'
	fail=$((fail + 1))
else
	echo "  ok vm_completed"
	pass=$((pass + 1))
fi

# The self-test's KTAP (init-stock.sh copies it from dmesg), parsed by
# kunit.py like the KUnit results; each case counts.
sed -n '/^GO3S-KTAP-BEGIN /,/^GO3S-KTAP-END/{/^GO3S-KTAP-/d;p}' "$log" >"$out/results.ktap"
python3 "$(go3s_src)/tools/testing/kunit/kunit.py" parse --json="$out/results.json" \
	"$out/results.ktap" >"$out/kunit-parse.log" 2>&1 || true
while read -r st name; do
	echo "  $st selftest:$name"
	if [ "$st" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done < <("$GO3S_ROOT/scripts/kunit-json.py" "$out/results.json")
# The flight recorder's snapshot of go3s_channels (scripts/vm/observe.sh)
# through scripts/go3s-trace: its 5 goroutines and 400 channel operations.
sed -n '/^GO3S-FLIGHT-BEGIN/,/^GO3S-FLIGHT-END/{/^GO3S-FLIGHT-/d;p}' "$log" >"$out/flight.txt"
summary=$("$GO3S_ROOT/scripts/go3s-trace" convert "$out/flight.txt" -o "$out/flight" 2>&1) || true
if [[ $summary == *" 5 goroutines,"*" 400 channel operations "* ]]; then
	echo "  ok go3s_trace_flight_snapshot (${summary#go3s-trace: })"
	pass=$((pass + 1))
else
	echo "  fail go3s_trace_flight_snapshot: $summary"
	fail=$((fail + 1))
fi

echo "stock VM ($(basename "$vmlinuz")): $pass passed, $fail failed (console log: $log)"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
