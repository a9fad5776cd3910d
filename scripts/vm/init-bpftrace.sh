#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the bpftrace demo VM (make bpftrace-demo): the two one-liners
# of Documentation/observability.rst over samples/channels.
. /lib/go3s/common.sh
mount -t tracefs nodev /sys/kernel/tracing
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease)"
check insmod_go3s_rt insmod go3s_rt.ko

# demo NAME PROGRAM: run PROGRAM while go3s_channels loads, print its maps.
# "Attaching" comes before the probes are; BEGIN runs once they all are.
demo() {
	step "$1: bpftrace -e '$2'"
	bpftrace -e "BEGIN { printf(\"go3s-ready\\n\"); } $2" >/tmp/bt.out 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^go3s-ready' /tmp/bt.out && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	insmod go3s_channels.ko
	rmmod go3s_channels
	kill -INT $pid
	wait $pid
	cat /tmp/bt.out
	# A count, or a histogram's bucket: the map has entries.
	check "bpftrace_$1" grep -Eq '^@.*: [0-9]|^\[' /tmp/bt.out
}

demo parks_by_reason \
	'tracepoint:go3s:go3s_g_park { @parks[args->reason] = count(); }'
demo chan_block_ns \
	'tracepoint:go3s:go3s_chan_block { @t[args->gid] = nsecs; }
	 tracepoint:go3s:go3s_chan_unblock /@t[args->gid]/ {
		@block_ns = hist(nsecs - @t[args->gid]); delete(@t[args->gid]); }
	 END { clear(@t); }'

check rmmod_go3s_rt rmmod go3s_rt
echo "GO3S-END"
poweroff -f
