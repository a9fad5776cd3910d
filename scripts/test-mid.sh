#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The MID stage of make test: boot the debug kernel once per IOMMU that
# QEMU offers on x86 (intel-iommu, amd-iommu, virtio-iommu-pci), each time
# with the edu device, and run the HAL/MID suites and the edu_mid sample.
# GO3S_MID_TARGETS sets the random DMA targets per VM (default 10000
# under intel-iommu, 1000 under the others).
#
# edu completes each DMA 100 ms of virtual time after it starts, so the VMs
# run with -icount shift=0,sleep=off: while the guest idles waiting for the
# completion interrupt, QEMU jumps the virtual clock to the next timer.
# 10000 DMAs then take about a minute and a half instead of 17 minutes.
# GO3S_GCOV=1 (make test, make coverage) builds the modules with gcov and
# writes each VM's line counts as $GO3S_OUT/mid/gcov-<iommu>.info.
#
# --arch arm64: Debian's stock arm64 6.12 kernel (scripts/arm64-stock.sh;
# it has no KUnit, so no suites: the edu_mid sample only, whose probe
# proves DMA into a window and blocked outside) on qemu-system-aarch64's
# virt machine, with SMMUv3 (virt,iommu=smmuv3) and with virtio-iommu
# (the stock kernel's virtio-iommu module, loaded first by /init).
# GO3S_MID_IOMMUS there: smmuv3 virtio.
# Writes "passed failed" to $GO3S_RESULT when set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=x86_64
case ${1:-} in
--arch) arch=$2 ;;
"") ;;
*) go3s_die "usage: $0 [--arch x86_64|arm64]" ;;
esac
export GO3S_ARCH=$arch

if [ "$arch" = arm64 ]; then
	tree=$("$GO3S_ROOT/scripts/cross-stock.sh" arm64)
	kdir=$(ls -d "$tree"/usr/src/linux-headers-*-arm64)
	rel=${kdir##*/linux-headers-}
	kernel=$tree/boot/vmlinuz-$rel
	export GO3S_BUSYBOX=$tree/bin/busybox
	out=$GO3S_OUT/mid-arm64
	mkdir -p "$out/kmod"
	go3s_build_modules "$kdir" "$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- GO3S_DEBUG=1
	xz -dc "$tree/lib/modules/$rel/kernel/drivers/iommu/virtio-iommu.ko.xz" \
		>"$out/kmod/virtio-iommu.ko"
	files=(lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko"
	       lib/go3s/kmod/virtio-iommu.ko="$out/kmod/virtio-iommu.ko")
else
	kdir=$("$GO3S_ROOT/scripts/build-kernel.sh")
	rel=$(cat "$kdir/include/config/kernel.release")
	kernel=$kdir/arch/x86/boot/bzImage
	out=$GO3S_OUT/mid
	mkdir -p "$out"
	rm -f "$out"/gcov-*.info
	go3s_build_modules "$kdir" "$out" GO3S_DEBUG=1 GO3S_GCOV="${GO3S_GCOV:-}"
	files=(lib/go3s/kunit.ko="$kdir/modroot/lib/modules/$rel/kernel/lib/kunit/kunit.ko"
	       lib/go3s/go3s_rt.ko="$out/src/go3s_rt.ko"
	       lib/go3s/kunit/go3s_hal_kunit.ko="$out/src/go3s_hal_kunit.ko"
	       lib/go3s/kunit/go3s_middev_kunit.ko="$out/src/go3s_middev_kunit.ko")
fi
[ -f "$out/src/samples/edu_mid/go3s_edu_mid.ko" ] &&
	files+=(lib/go3s/go3s_edu_mid.ko="$out/src/samples/edu_mid/go3s_edu_mid.ko")
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-mid.sh" \
	lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh" "${files[@]}"

pass=0 fail=0
run_one() {
	local name=$1 append=$2 targets=$3
	shift 3
	local log=$out/console-$name.log rc=0
	echo "booting $(basename "$kernel") with $name and edu; console: $log"
	go3s_qemu "$log" "${GO3S_VM_TIMEOUT:-900}" "$kernel" \
		"$out/initrd.gz" "$append go3s.mid_targets=$targets" \
		-smp 2 -icount shift=0,sleep=off "$@" -device edu >"$out/qemu-$name.out" || rc=$?
	[ $rc -ne 124 ] || echo "  the $name VM timed out"
	# The stock arm64 kernel has no KUnit: no suites ran.
	local kpre=
	[ "$arch" != x86_64 ] || kpre=$name:
	go3s_judge_vm "$log" "$out/results-$name" "$name:=" "$kpre"
	[ "$arch" = x86_64 ] || return 0
	# make test's coverage (GO3S_GCOV=1): the gcov counts of this VM.
	[ -n "${GO3S_GCOV:-}" ] || return 0
	if "$GO3S_ROOT/scripts/cov.py" vm "$log" "$out/src" "$out/gcov-$name.info"; then
		pass=$((pass + 1)); echo "  ok $name:gcov_data"
	else
		fail=$((fail + 1)); echo "  fail $name:gcov_data"
	fi
}

# The random-target stress is the slow part (about a minute for 10 000):
# the full count under intel-iommu, a tenth under the other two, whose
# mapping code the other cases cover as fully.
full=${GO3S_MID_TARGETS:-10000}
short=${GO3S_MID_TARGETS:-1000}
if [ "$arch" = arm64 ]; then
	for iommu in ${GO3S_MID_IOMMUS:-smmuv3 virtio}; do
		case $iommu in
		smmuv3) GO3S_QEMU_MACHINE=,iommu=smmuv3 run_one smmuv3 "" 0 ;;
		virtio) GO3S_QEMU_MACHINE= run_one virtio-iommu "" 0 -device virtio-iommu-pci ;;
		esac
	done
	echo "MID VMs (arm64): $pass passed, $fail failed"
	[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
	[ "$fail" -eq 0 ]
	exit
fi
for iommu in ${GO3S_MID_IOMMUS:-intel amd virtio}; do
	case $iommu in
	intel) run_one intel-iommu "intel_iommu=on" "$full" \
		-device intel-iommu,intremap=on -machine kernel-irqchip=split ;;
	amd) run_one amd-iommu "amd_iommu=on" "$short" -device amd-iommu ;;
	virtio) run_one virtio-iommu "" "$short" -device virtio-iommu-pci ;;
	esac
done

echo "MID VMs: $pass passed, $fail failed"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
