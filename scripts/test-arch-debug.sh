#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The arm64 and riscv64 debug VM stages of make test:
#   test-arch-debug.sh --arch arm64|riscv64
# Cross-build (or reuse) the architecture's debug kernel (KUnit, KASAN,
# lockdep, kmemleak: scripts/kconfig/debug-<arch>.config), cross-build
# go3s_rt and the KUnit suites against it, boot it in QEMU under TCG and
# run every suite there (scripts/vm/init-arch.sh). arm64 boots virt with
# edu three times: under SMMUv3 every suite but MID; the HAL and MID
# suites alone under icount, the isolation stress with GO3S_MID_TARGETS
# random DMA targets (default 10000); the same under virtio-iommu (1000).
# riscv64 has no IOMMU (none in QEMU 7.2, no driver in Linux 6.12): one
# VM, no MID suite.
# The busybox is the stock VM's (scripts/cross-stock.sh).
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=
case "${1:-}" in
--arch) arch=${2:-} ;;
esac
case $arch in
arm64 | riscv64) ;;
*) go3s_die "usage: $0 --arch arm64|riscv64" ;;
esac
export GO3S_ARCH=$arch

kdir=$("$GO3S_ROOT/scripts/build-kernel.sh" --arch "$arch")
rel=$(cat "$kdir/include/config/kernel.release")
mapfile -t kargs <"$kdir/go3s-make-args"
tree=$("$GO3S_ROOT/scripts/cross-stock.sh" "$arch")
export GO3S_BUSYBOX=$tree/bin/busybox
out=$GO3S_OUT/debug-$arch
mkdir -p "$out"

echo "building the modules against the $arch debug kernel $rel"
go3s_build_modules "$kdir" "$out" "${kargs[@]}" GO3S_DEBUG=1

files=(lib/go3s/kunit.ko="$kdir/modroot/lib/modules/$rel/kernel/lib/kunit/kunit.ko"
       lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko"
       lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh")
for ko in "$out"/src/*_kunit.ko; do
	files+=("lib/go3s/kunit/$(basename "$ko")=$ko")
done
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-arch.sh" "${files[@]}"

pass=0 fail=0

# vm NAME DESCRIPTION APPEND QEMU-ARGS...: boot, then judge the console
# (checks, kernel reports, completion) and count the KUnit cases.
vm() {
	local name=$1 desc=$2 append=$3 log=$out/console-$1.log rc=0
	shift 3
	echo "booting the $arch debug VM ($desc); console: $log"
	go3s_qemu "$log" "${GO3S_VM_TIMEOUT:-1200}" "$kdir/arch/${kargs[0]#ARCH=}/boot/Image" \
		"$out/initrd.gz" "softlockup_panic=1 hung_task_panic=1 $append" \
		"$@" >"$out/qemu-$name.out" || rc=$?
	[ $rc -ne 124 ] || echo "the VM timed out"
	go3s_judge_vm "$log" "$out/results-$name" "$name:" kunit:
}

if [ "$arch" = arm64 ]; then
	# edu reaches RAM only through the SMMU (scripts/run.sh).
	export GO3S_QEMU_MACHINE=,iommu=smmuv3
	vm suites "virt, SMMUv3, edu, 2 CPUs" go3s.mid=skip -smp 2 -device edu
	# Each edu DMA completes 100 ms of virtual time later: the MID
	# suite's VMs run with icount and no sleep, as the x86 MID VMs do
	# (scripts/test-mid.sh), so waiting costs no real time. SMMUv3 with
	# the full stress, then virtio-iommu with a tenth of it (as x86's
	# second and third IOMMUs).
	vm mid "virt, SMMUv3, edu, icount, 2 CPUs" \
		"go3s.mid=only go3s.mid_targets=${GO3S_MID_TARGETS:-10000}" \
		-smp 2 -icount shift=0,sleep=off -device edu
	export GO3S_QEMU_MACHINE=
	vm mid-virtio "virt, virtio-iommu, edu, icount, 2 CPUs" \
		"go3s.mid=only go3s.mid_targets=${GO3S_MID_TARGETS:-1000}" \
		-smp 2 -icount shift=0,sleep=off -device virtio-iommu-pci -device edu
else
	vm suites "virt, OpenSBI, edu, 2 CPUs" "" -smp 2 \
		-device edu,dma_mask=0xffffffffffffffff
fi

echo "$arch debug VMs: $pass passed, $fail failed (console logs: $out/console-*.log)"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
