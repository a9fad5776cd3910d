#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the arm64 and riscv64 debug VMs (scripts/test-arch-debug.sh):
# load kunit, go3s_rt and every KUnit module the stage packed (their
# suites run at load, under KASAN and lockdep on this architecture), copy
# the KTAP results to the console, unload everything, ask kmemleak what is
# left. On the kernel command line: go3s.mid=only loads the HAL and MID
# suites alone (the icount VM of arm64's SMMUv3), go3s.mid=skip all but
# the MID suite; go3s.mid_targets= sets the MID suite's random targets.

. /lib/go3s/common.sh

kml=/sys/kernel/debug/kmemleak
targets=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^go3s.mid_targets=//p')
mid=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^go3s.mid=//p')
for t in kunit/*.ko; do
	case $mid:$t in
	only:*/go3s_middev_kunit.ko | only:*/go3s_hal_kunit.ko) ;;
	only:*) rm -f "$t" ;;
	skip:*/go3s_middev_kunit.ko) rm -f "$t" ;;
	esac
done

echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) $(uname -m) cpus $(grep -c ^processor /proc/cpuinfo) iommu $(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')"
echo clear >$kml

check insmod_kunit insmod kunit.ko
check insmod_go3s_rt insmod go3s_rt.ko
for t in kunit/*.ko; do
	args=
	case $t in
	# TCG and KASAN on a foreign architecture: the x86 debug VM's sizes
	# (scripts/vm/init-test.sh) or smaller.
	*/go3s_chan_kunit.ko) args=pipeline_msgs=100000 ;;
	*/go3s_handoff_kunit.ko) args="block_ms=3000 poll_ms=1000" ;;
	*/go3s_fsm_kunit.ko) args=stress_events=504 ;;
	*/go3s_middev_kunit.ko) args="require_iommu=1 random_targets=${targets:-1000}" ;;
	esac
	check "insmod_$(basename "$t" .ko)" insmod "$t" $args
done

ktap_dump

for t in kunit/*.ko; do
	check "rmmod_$(basename "$t" .ko)" rmmod "$(basename "$t" .ko)"
done
check rmmod_go3s_rt rmmod go3s_rt
check debugfs_removed test ! -e /sys/kernel/debug/go3s
check rmmod_kunit rmmod kunit

kmemleak_check kmemleak_clean

echo "GO3S-END"
poweroff -f
