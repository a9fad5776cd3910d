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

step "cat $ver"
cat $ver
check debugfs_version grep -q '^abi: [0-9]*\.[0-9]*$' $ver

. ./samples.sh
. ./edu_pm.sh

step "rmmod go3s_rt"
check rmmod_go3s_rt rmmod go3s_rt
check go3s_rt_gone sh -c '! grep -q "^go3s_rt " /proc/modules'
check debugfs_removed test ! -e /sys/kernel/debug/go3s

step "what the modules logged"
dmesg | grep -E 'go3s' | sed 's/^/  /'

check no_kernel_warnings sh -c '! dmesg | grep -E "WARNING:|BUG:|Oops|Call Trace|UBSAN|general protection"'

echo "GO3S-END"
poweroff -f
