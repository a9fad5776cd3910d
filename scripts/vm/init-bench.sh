#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the benchmark VM (stock kernel): go3s_bench measures at load.
. /lib/go3s/common.sh
echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) cpus $(grep -c ^processor /proc/cpuinfo)"
rtargs=$(rt_args)
echo "GO3S-BENCH-ARGS go3s_rt$rtargs"
# shellcheck disable=SC2086
insmod go3s_rt.ko $rtargs && insmod go3s_bench.ko batch=20000 ${go3s_bench_only:+only=$go3s_bench_only} && rmmod go3s_bench && rmmod go3s_rt
dmesg | grep -E 'BENCH' | sed 's/^\[[^]]*\] go3s_bench: //'
echo "GO3S-END"
poweroff -f
