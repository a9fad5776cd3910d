# SPDX-License-Identifier: GPL-2.0
# Sourced first by every VM /init: mounts, and the step/check helpers.
# Each check prints "GO3S-CHECK ok|fail <name>" for the host to count.

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
cd /lib/go3s || exit 1
# The kernel's text address (its KASLR slide), for the host's report of a
# hung VM (scripts/vm/qmon.py).
echo "GO3S-KTEXT $(grep -m1 ' _text$' /proc/kallsyms)"

step() { echo; echo "--- $*"; }
check() {
	name=$1
	shift
	if "$@"; then echo "GO3S-CHECK ok $name"; else echo "GO3S-CHECK fail $name"; fi
}

# go3s_rt's threads (workers "go3s/<cpu>[.<set>]" and the monitor
# "go3s/mon"): one "/proc/<pid> <comm>" line each.
go3s_threads() {
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" || continue
		case $comm in go3s/*) echo "$d $comm" ;; esac
	done
}

# The state, kernel stack and scheduler figures of go3s_rt's threads, for
# a hang report.
go3s_tasks_dump() {
	go3s_threads | while read -r d comm; do
		echo "== $comm (pid ${d#/proc/}): $(grep '^State' "$d/status")" \
			"wchan $(cat "$d/wchan" 2>/dev/null) uptime $(cut -d' ' -f1 /proc/uptime)"
		cat "$d/stack" 2>/dev/null
		grep -E 'exec_start|nr_switches|nr_voluntary|nr_involuntary|on_rq|nr_wakeups ' "$d/sched" 2>/dev/null
	done
}

# kmemleak_check NAME: wait until the objects of the last 5 s are old
# enough for kmemleak to report, scan twice (a pointer must be seen gone
# twice), print the report and check that it is empty.
kmemleak_check() {
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/tmp/leaks
	cat /tmp/leaks
	check "$1" test ! -s /tmp/leaks
}

# fi_arm DIR BUDGET: failslab and fail_page_alloc (their debugfs DIR)
# armed at probability 0 for the tasks marked make-it-fail only, every
# allocation eligible (sleeping ones, highmem, any order), BUDGET the
# count of failures left to inject ("times" counts down).
fi_arm() {
	for a in failslab fail_page_alloc; do
		echo 0 >"$1/$a/probability"
		echo 1 >"$1/$a/interval"
		echo "$2" >"$1/$a/times"
		echo 0 >"$1/$a/space"
		echo 0 >"$1/$a/verbose"
		echo Y >"$1/$a/task-filter"
		echo N >"$1/$a/ignore-gfp-wait"
	done
	echo N >"$1/fail_page_alloc/ignore-gfp-highmem"
	echo 0 >"$1/fail_page_alloc/min-order"
}

# go3s_rt.PARAM=VALUE on the kernel command line (GO3S_BENCH_APPEND), as
# "PARAM=VALUE ..." for insmod: busybox's insmod does not read them there.
rt_args() {
	for arg in $(cat /proc/cmdline); do
		case $arg in go3s_rt.*) printf ' %s' "${arg#go3s_rt.}" ;; esac
	done
}

# ktap_dump: each loaded KUnit suite's results (debugfs) on the console,
# between GO3S-KTAP-BEGIN <suite> and GO3S-KTAP-END, for kunit.py parse.
ktap_dump() {
	for d in /sys/kernel/debug/kunit/*; do
		[ -f "$d/results" ] || continue
		echo "GO3S-KTAP-BEGIN ${d##*/}"
		cat "$d/results"
		echo "GO3S-KTAP-END"
	done
}

# make test's coverage: with the modules built with GO3S_GCOV=1, print
# their gcov counts (the .gcda files under debugfs gcov/, which keeps
# those of unloaded modules) on the console as a gzipped tar in base64,
# each line prefixed, between GO3S-GCOV-BEGIN <md5> and GO3S-GCOV-END.
# Kernel messages are held back meanwhile; the host (scripts/cov.py
# extract) checks the md5. Without gcov data it prints nothing.
gcov_dump() {
	g=/sys/kernel/debug/gcov
	[ -d $g ] || return 0
	rm -rf /tmp/gcov
	for f in $(busybox find $g -name '*.gcda'); do
		d=/tmp/gcov${f#"$g"}
		mkdir -p "${d%/*}"
		cat "$f" >"$d"
	done
	[ -d /tmp/gcov ] || return 0
	(cd /tmp/gcov && busybox tar cf - .) | busybox gzip -9 >/tmp/gcov.tgz
	read -r lvl _ </proc/sys/kernel/printk
	dmesg -n 1
	echo "GO3S-GCOV-BEGIN $(busybox md5sum </tmp/gcov.tgz | cut -d' ' -f1)"
	busybox base64 /tmp/gcov.tgz | sed 's/^/GO3S-GCOV /'
	echo "GO3S-GCOV-END"
	dmesg -n "$lvl"
}
