#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the debug test VM: load kunit, go3s_rt and every KUnit module
# (their suites run at load), copy the KTAP results from debugfs to the
# console, unload everything and ask kmemleak what is left.

. /lib/go3s/common.sh

kml=/sys/kernel/debug/kmemleak

echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) cpus $(grep -c ^processor /proc/cpuinfo)"
# Objects from boot are not ours: forget them before the first load.
echo clear >$kml

check insmod_kunit insmod kunit.ko
check insmod_go3s_rt insmod go3s_rt.ko
# Under TCG with KASAN and lockdep a channel hop costs microseconds: the
# pipeline case carries 1 M messages here, 10 M in UML.
# go3s.only=<glob> on the kernel command line (GO3S_VM_ONLY) loads only
# the matching suites: for a quick look at one, never in make test.
only=$(sed -n 's/.*go3s\.only=\([^ ]*\).*/\1/p' /proc/cmdline)
for t in kunit/*.ko; do
	case $t in kunit/${only:-*}) ;; *) rm -f "$t"; continue ;; esac
	args=
	case $t in
	*/go3s_chan_kunit.ko) args=pipeline_msgs=1000000 ;;
	# 10 000 goroutines take ~0.5 s here: block longer than that.
	*/go3s_handoff_kunit.ko) args="block_ms=3000 poll_ms=1000" ;;
	esac
	check "insmod_$(basename "$t" .ko)" insmod "$t" $args
done

for d in /sys/kernel/debug/kunit/*; do
	[ -f "$d/results" ] || continue
	echo "GO3S-KTAP-BEGIN ${d##*/}"
	cat "$d/results"
	echo "GO3S-KTAP-END"
done

for t in kunit/*.ko; do
	check "rmmod_$(basename "$t" .ko)" rmmod "$(basename "$t" .ko)"
done

# The samples run with the go3s tracepoints on.
tr=/sys/kernel/debug/tracing
echo 1 >$tr/events/go3s/enable

. ./samples.sh

echo 0 >$tr/events/go3s/enable
for ev in create run park wake exit; do
	check "tracepoint_go3s_g_$ev" grep -q "go3s_g_$ev: g=" $tr/trace
done
for ev in block unblock; do
	check "tracepoint_go3s_chan_$ev" grep -q "go3s_chan_$ev: chan=" $tr/trace
done

check rmmod_go3s_rt rmmod go3s_rt
check debugfs_removed test ! -e /sys/kernel/debug/go3s
check rmmod_kunit rmmod kunit

# kmemleak only reports objects older than 5 s, and needs two scans to be
# sure a pointer is really gone.
sleep 6
echo scan >$kml
echo scan >$kml
cat $kml >/tmp/leaks
cat /tmp/leaks
check kmemleak_clean test ! -s /tmp/leaks

echo "GO3S-END"
poweroff -f
