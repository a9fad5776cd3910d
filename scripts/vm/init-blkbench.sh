#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the block benchmark VM (stock kernel): fio with io_uring, 4 KiB
# random reads and writes, iodepth 32, 1 and 4 jobs, on go3s_blk, brd and
# null_blk (memory_backed=1 irqmode=1). Each cell runs once per
# repetition, the repetitions interleaved (the host's load drifts); the
# medians are printed as BENCH lines (bench/bench.c's format; go3s_ns and
# base_ns are nanoseconds per I/O, 1e9 / IOPS) and BENCH-NOTE lines with
# the median IOPS and p99 completion latency of each device.
. /lib/go3s/common.sh

reps=${GO3S_BLK_REPS:-5}
runtime=${GO3S_BLK_RUNTIME:-3}
echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) cpus $(grep -c ^processor /proc/cpuinfo)"
ncpu=$(grep -c ^processor /proc/cpuinfo)
insmod go3s_rt.ko &&
insmod go3s_blk.ko size_mb=256 &&
insmod kmod/brd.ko rd_nr=1 rd_size=262144 &&
insmod kmod/configfs.ko &&
insmod kmod/null_blk.ko nr_devices=1 gb=1 memory_backed=1 irqmode=1 \
	submit_queues="$ncpu" || { echo "GO3S-BLKBENCH setup failed"; poweroff -f; }

devs="go3s:/dev/go3s_blk0 brd:/dev/ram0 null_blk:/dev/nullb0"
# GO3S_BLK_AB=PARAM=VALUE (a writable go3s_rt parameter) adds go3s_blk
# again as go3s_ab, run with go3s_rt.PARAM=VALUE: an A/B of the runtime
# setting, interleaved in the same VM (the host's load drifts).
ab=${GO3S_BLK_AB:-}
if [ -n "$ab" ]; then
	ab_file=/sys/module/go3s_rt/parameters/${ab%%=*}
	ab_default=$(cat "$ab_file") || { echo "GO3S-BLKBENCH no parameter ${ab%%=*}"; ab=; }
	[ -z "$ab" ] || devs="$devs go3s_ab:/dev/go3s_blk0"
fi
# Reads of never written pages would take a shortcut on every device.
for d in $devs; do
	fio --name=fill --filename="${d#*:}" --direct=1 --ioengine=io_uring \
		--rw=write --bs=1M --size=64M >/dev/null 2>&1 ||
		echo "GO3S-BLKBENCH fill of ${d#*:} failed"
done

# cell REP RW JOBS NAME DEV: one fio run; appends "IOPS P99_US" to a file.
cell() {
	if [ -n "$ab" ]; then
		if [ "$4" = go3s_ab ]; then echo "${ab#*=}"; else echo "$ab_default"; fi >"$ab_file"
	fi
	fio --name=b --filename="$5" --direct=1 --ioengine=io_uring --rw="$2" \
		--bs=4k --iodepth=32 --numjobs="$3" --size=64M --norandommap \
		--randrepeat=0 --time_based --runtime="$runtime" \
		--group_reporting --minimal >/tmp/out 2>/dev/null
	line=$(grep '^3;' /tmp/out)
	# terse v3: read IOPS is field 8, write IOPS 49; the clat
	# percentiles come as "99.000000%=<us>", reads' before writes'.
	if [ "$2" = randread ]; then f=8 n=1; else f=49 n=2; fi
	iops=$(echo "$line" | cut -d';' -f$f)
	p99=$(echo "$line" | tr ';' '\n' | grep '^99.000000%=' | sed -n "${n}p" | cut -d= -f2)
	echo "${iops:-0} ${p99:-0}" >>"/tmp/r.$2.$3.$4"
}

for rep in $(busybox seq 1 "$reps"); do
	for rw in randread randwrite; do
		for jobs in 1 4; do
			for d in $devs; do
				cell "$rep" "$rw" "$jobs" "${d%%:*}" "${d#*:}"
			done
		done
	done
	echo "GO3S-BLKBENCH repetition $rep done"
done

# med FILE COLUMN: the median of a column (the lower one for even counts).
med() { cut -d' ' -f"$2" "$1" | busybox sort -n | busybox awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for rw in randread randwrite; do
	for jobs in 1 4; do
		name=blk_${rw}_4k_j$jobs
		g=$(med "/tmp/r.$rw.$jobs.go3s" 1)
		gmin=$(busybox sort -n "/tmp/r.$rw.$jobs.go3s" | head -n1 | cut -d' ' -f1)
		gmax=$(busybox sort -n "/tmp/r.$rw.$jobs.go3s" | tail -n1 | cut -d' ' -f1)
		for base in null_blk brd; do
			b=$(med "/tmp/r.$rw.$jobs.$base" 1)
			sfx=
			[ $base = brd ] && sfx=_vs_brd
			# ns per I/O; the slowest run is the largest go3s_ns.
			busybox awk -v n="$name$sfx" -v g="$g" -v b="$b" -v base=$base \
				-v lo="$gmax" -v hi="$gmin" -v r="$reps" 'BEGIN {
				ns = g ? 1e9 / g : 0; bns = b ? 1e9 / b : 0
				printf "BENCH %s go3s_ns=%.2f base=%s base_ns=%.2f speedup=%.2f runs=%d min=%.2f max=%.2f env=vm\n",
					n, ns, base, bns, ns ? bns / ns : 0, r,
					lo ? 1e9 / lo : 0, hi ? 1e9 / hi : 0 }'
		done
		echo "BENCH-NOTE $name iops go3s=$g null_blk=$(med "/tmp/r.$rw.$jobs.null_blk" 1) brd=$(med "/tmp/r.$rw.$jobs.brd" 1)" \
			"p99_us go3s=$(med "/tmp/r.$rw.$jobs.go3s" 2) null_blk=$(med "/tmp/r.$rw.$jobs.null_blk" 2) brd=$(med "/tmp/r.$rw.$jobs.brd" 2)"
	done
done
cat /sys/kernel/debug/go3s_blk/stats
[ -z "$ab" ] || for rw in randread randwrite; do
	for jobs in 1 4; do
		f=/tmp/r.$rw.$jobs
		echo "BENCH-NOTE ab $ab blk_${rw}_4k_j$jobs iops go3s=$(med $f.go3s 1) go3s_ab=$(med $f.go3s_ab 1)" \
			"null_blk=$(med $f.null_blk 1) p99_us go3s=$(med $f.go3s 2) go3s_ab=$(med $f.go3s_ab 2)"
	done
done
# The runtime's counters and latency histograms, for the notes.
cat /sys/kernel/debug/go3s/stats /sys/kernel/debug/go3s/latency
rmmod null_blk && rmmod brd && rmmod go3s_blk && rmmod go3s_rt
echo "GO3S-END"
poweroff -f
