#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the trace VM (make trace): record go3s:* while one sample runs
# (sample=NAME on the kernel command line, channels by default) and print
# the recording between GO3S-TRACE-BEGIN and GO3S-TRACE-END for the host's
# scripts/go3s-trace.
. /lib/go3s/common.sh

sample=channels
for arg in $(cat /proc/cmdline); do
	case $arg in sample=*) sample=${arg#sample=} ;; esac
done
t=/sys/kernel/debug/tracing
echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) sample $sample"
# The flight recorder would record the same events a second time.
check insmod_go3s_rt insmod go3s_rt.ko flight=0
echo 16384 >$t/buffer_size_kb
echo >$t/trace
check enable_go3s_events sh -c "echo 1 >$t/events/go3s/enable"
check "insmod_go3s_$sample" insmod "go3s_$sample.ko"
echo 0 >$t/events/go3s/enable
# Read before the sample goes: its functions' names resolve only while
# it is loaded.
echo "GO3S-TRACE-BEGIN"
cat $t/trace
echo "GO3S-TRACE-END"
check "rmmod_go3s_$sample" rmmod "go3s_$sample"
check rmmod_go3s_rt rmmod go3s_rt
echo "GO3S-END"
poweroff -f
