#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the MID VMs (one per IOMMU): load kunit, go3s_rt, the HAL and
# MID suites and the edu_mid sample driver, print the KTAP results.
# The number of random DMA targets comes from go3s.mid_targets= on the
# kernel command line.

. /lib/go3s/common.sh

targets=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^go3s.mid_targets=//p')
# The stock arm64 kernel's virtio-iommu is a module: loaded first, it
# probes the PCI devices already there into its groups.
for m in kmod/*.ko; do
	[ -f "$m" ] && insmod "$m"
done
echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) iommu $(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')"
check iommu_present sh -c 'ls /sys/class/iommu/* >/dev/null 2>&1'
# No kunit.ko: a kernel without KUnit (the stock arm64 one), no suites.
if [ -f kunit.ko ]; then
	check insmod_kunit insmod kunit.ko
	check insmod_go3s_rt insmod go3s_rt.ko
	check insmod_go3s_hal_kunit insmod kunit/go3s_hal_kunit.ko
	check insmod_go3s_middev_kunit insmod kunit/go3s_middev_kunit.ko \
		require_iommu=1 random_targets=${targets:-1000}
	ktap_dump
	check rmmod_go3s_middev_kunit rmmod go3s_middev_kunit
	check rmmod_go3s_hal_kunit rmmod go3s_hal_kunit
else
	check insmod_go3s_rt insmod go3s_rt.ko
fi

if [ -f go3s_edu_mid.ko ]; then
	step "insmod go3s_edu_mid.ko (edu driver: DMA through a MID, completion as a goroutine)"
	check insmod_go3s_edu_mid insmod go3s_edu_mid.ko
	check edu_mid_dma_ok sh -c 'dmesg | grep -q "go3s_edu_mid .*: DMA into the window: ok"'
	check edu_mid_dma_blocked sh -c 'dmesg | grep -q "go3s_edu_mid .*: DMA outside the windows: blocked"'
	cat /sys/kernel/debug/go3s/mid/* 2>/dev/null
	check edu_mid_debugfs sh -c 'grep -q "^window: iova" /sys/kernel/debug/go3s/mid/*'
	check edu_mid_in_iommu_group sh -c 'ls /sys/bus/pci/drivers/go3s_edu_mid/*/iommu_group >/dev/null'
	# SMMUv3 (arm64): QEMU records the blocked DMA in the event queue and
	# the driver logs it, but Linux 6.12's arm-smmu-v3 hands only stall
	# events (IOPF) on, never to a domain's fault handler: 0 faults reach
	# the MID (Documentation/arch.rst).
	if ls -d /sys/bus/platform/drivers/arm-smmu-v3/*.smmuv3 >/dev/null 2>&1; then
		dmesg | grep -A4 'arm-smmu-v3 .*event 0x' | head -n 10
		check smmuv3_event_logged sh -c 'dmesg | grep -q "arm-smmu-v3 .*event 0x10 received"'
		check smmuv3_fault_not_reported_to_mid sh -c 'dmesg | grep -q "go3s_edu_mid .*: DMA outside the windows: blocked, 0 faults reported"'
	fi
	check rmmod_go3s_edu_mid rmmod go3s_edu_mid
	check edu_mid_debugfs_gone sh -c '! ls /sys/kernel/debug/go3s/mid/* >/dev/null 2>&1'
fi
check rmmod_go3s_rt rmmod go3s_rt
gcov_dump
echo "GO3S-END"
poweroff -f
