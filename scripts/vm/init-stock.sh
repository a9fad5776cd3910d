#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the stock-kernel VM: load go3s_rt and the samples, show what
# they do, unload them. Each check prints "GO3S-CHECK ok|fail <name>".

. /lib/go3s/common.sh

has_mod() { grep -q "^$1 " /proc/modules; }
ver=/sys/kernel/debug/go3s/version

echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease)"

step "insmod go3s_rt.ko"
check insmod_go3s_rt insmod go3s_rt.ko
check go3s_rt_listed has_mod go3s_rt
# Where go3s_rt's code is, to name addresses in a hang report (the
# module's own symbols: nm go3s_rt.ko).
echo "GO3S-MODMAP $(grep '^go3s_rt ' /proc/modules)"

# arm64 (qemu -cpu max): pointer authentication must really be on, or
# the shared-key code (arch/arm64/stack.c) goes untested.
if grep -q '^CPU implementer' /proc/cpuinfo; then
	step "arm64: pointer authentication"
	grep -m1 '^Features' /proc/cpuinfo
	check arm64_pointer_authentication grep -qw paca /proc/cpuinfo
fi

step "cat $ver"
cat $ver
check debugfs_version grep -q '^abi: [0-9]*\.[0-9]*$' $ver

. ./samples.sh
. ./observe.sh
. ./edu_pm.sh

# riscv64: no IOMMU (Linux 6.12 has no RISC-V IOMMU driver, QEMU 7.2
# emulates none), so no MID: edu_mid's probe gets -ENODEV from
# go3s_mid_create() and refuses the device.
if [ "$(cat /proc/sys/kernel/arch)" = riscv64 ]; then
	step "riscv64: insmod go3s_edu_mid.ko (no IOMMU: the MID is refused)"
	check insmod_go3s_edu_mid insmod go3s_edu_mid.ko
	check mid_enodev_without_iommu sh -c 'dmesg | grep -q "go3s_edu_mid.*no isolation domain (-19): refusing to drive the device"'
	check rmmod_go3s_edu_mid rmmod go3s_edu_mid
fi

# No KUnit in the stock kernels: go3s_selftest runs its cases at load and
# prints KTAP, which goes to the console for the host to parse.
step "insmod go3s_selftest.ko (KTAP)"
n=$(dmesg | wc -l)
check insmod_go3s_selftest insmod go3s_selftest.ko
echo "GO3S-KTAP-BEGIN go3s_selftest"
dmesg | tail -n +$((n + 1)) | sed 's/^\[[^]]*\] //' |
	sed -n '/^KTAP version 1$/,/^\(not \)\{0,1\}ok 1 go3s_selftest$/p'
echo "GO3S-KTAP-END"
check rmmod_go3s_selftest rmmod go3s_selftest
# riscv64: the VM's CPU has no hpmcounter3 (lib.sh: pmu-num=0), so the
# CSR HAL's read of it trapped, and came back as -EIO.
if [ "$(cat /proc/sys/kernel/arch)" = riscv64 ]; then
	check csr_trap_is_eio sh -c 'dmesg | grep -q "hal_csr: hpmcounter3: -5 "'
fi

# With every sample gone no worker has anything to run: each sleeps. A
# worker still runnable a second later is stranded (TASK_RUNNING on no
# runqueue, as a stale current written back by a goroutine leaves it).
runnable_workers() {
	go3s_threads | while read -r d comm; do
		case $comm in go3s/[0-9]*) ;; *) continue ;; esac
		grep -q '^State:.R' "$d/status" && echo "$comm"
	done
}
step "every worker asleep once the samples are gone"
r=$(runnable_workers)
[ -z "$r" ] || { sleep 1; r=$(runnable_workers); }
[ -z "$r" ] || { echo "runnable: $r"; go3s_tasks_dump; }
check workers_not_stranded test -z "$r"

step "rmmod go3s_rt"
cat /sys/kernel/debug/go3s/goroutines
(sleep 60; echo "rmmod go3s_rt still waiting after 60 s:"; go3s_tasks_dump
 echo t >/proc/sysrq-trigger; dmesg | tail -n 200) &
watchdog=$!
check rmmod_go3s_rt rmmod go3s_rt
kill $watchdog 2>/dev/null
check go3s_rt_gone sh -c '! grep -q "^go3s_rt " /proc/modules'
check debugfs_removed test ! -e /sys/kernel/debug/go3s

step "what the modules logged"
dmesg | grep -E 'go3s' | sed 's/^/  /'

check no_kernel_warnings sh -c '! dmesg | grep -E "WARNING:|BUG:|Oops|Call Trace|UBSAN|general protection"'

echo "GO3S-END"
poweroff -f
