#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the fault-injection VM (scripts/test-fault.sh). failslab and
# fail_page_alloc with task-filter=Y fail only tasks marked make-it-fail:
#   1. go3s_rt's init, each fault-injection point failed in turn (a
#      fail-nth that go3s_fault.ko gives the init);
#   2. insmod of go3s_rt at the set rates, a few times;
#   3. the samples' inits point by point, and their insmod at the rates;
#   4. the KUnit cases that spawn goroutines or kthreads (and one that
#      vmallocs), each point of the case failed in turn (go3s_fault.ko
#      gives the case thread a fail-nth);
#   5. every KUnit suite at the rates, in its case threads (go3s_fault.ko
#      marks them) and in go3s_rt's workers (which run the goroutines);
#   6. without injection: the samples, every module removed, kmemleak.
# The host (fault-report.py) counts cases and attributes leaks.

. /lib/go3s/common.sh

dbg=/sys/kernel/debug
kml=$dbg/kmemleak
# failslab/fail_page_alloc rates in %, one pass over the suites each.
rate_list=$(echo "${go3s_fault_rates:-10/5,5/10}" | tr , ' ')
slab=${rate_list%%/*}
page=${rate_list#*/}
page=${page%% *}
budget=1000000000	# "times": counts down once per injected failure

echo "GO3S-BEGIN kernel $(cat /proc/sys/kernel/osrelease) cpus $(grep -c ^processor /proc/cpuinfo)"
echo clear >$kml

fi_arm $dbg $budget

# A step, with the VM's uptime: the stage must stay within ~6 minutes.
phase() { step "$* (at $(cut -d' ' -f1 /proc/uptime) s)"; }

rates() {
	echo "$1" >$dbg/failslab/probability
	echo "$2" >$dbg/fail_page_alloc/probability
}
injected() { echo $((budget - $(cat $dbg/$1/times))); }

# go3s_rt's workers (smpboot threads "go3s/<cpu>") run the goroutines.
workers() {
	go3s_threads | while read -r d _; do echo "${d#/proc/}"; done
}
mark_workers() {
	for p in $(workers); do
		echo "$1" >"/proc/$p/make-it-fail"
	done
}

# Where a module's code is, for the host to name leaks' raw addresses.
modmap() { echo "GO3S-MODMAP $(grep "^$1 " /proc/modules)"; }

# rmmod that waits (up to 5 s) for the module's goroutines to end.
unload() {
	i=0
	while ! rmmod "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || { rmmod "$1"; return 1; }
		sleep 0.1
	done
}

# No goroutine alive (a goroutine that has just called go3s_wg_done()
# may still be on its way out: allow it a second).
no_goroutine() {
	i=0
	while ! grep -q '^live: 0$' $dbg/go3s/stats; do
		i=$((i + 1))
		[ $i -lt 10 ] || return 1
		sleep 0.1
	done
}

# What a module that failed to load (or was removed) must not leave.
left_behind() {
	[ -e "/sys/module/$1" ] && echo "/sys/module/$1"
	if [ "$1" = go3s_rt ]; then
		[ -e $dbg/go3s ] && echo "$dbg/go3s"
		[ -n "$(workers)" ] && echo "workers $(workers)"
	elif [ -e $dbg/go3s/modules ]; then
		grep "^$1 " $dbg/go3s/modules
		no_goroutine || grep '^live:' $dbg/go3s/stats
	fi
	return 0
}

# try MODULE ARGS...: fault-insmod, then remove the module if it loaded,
# and look for what a failed or removed module must not leave behind.
# Sets ret (0 or -errno) and gone (what was left).
try() {
	mod=$1
	shift
	res=$(fault-insmod "$@")
	ret=${res##* ret=}
	if [ "$ret" = 0 ]; then
		modmap "$mod"
		unload "$mod" || echo "GO3S-FAULT-BAD $mod could not be removed"
	fi
	gone=$(left_behind "$mod")
	[ -z "$gone" ] || echo "GO3S-FAULT-BAD $mod left behind: $gone"
}

# sweep MODULE INITFN MAX [PARAMS]: fail each fault-injection point of the
# module's init in turn. go3s_fault.ko gives the init a fail-nth of
# k = 1, 2, ..., counted from the init's entry (the loader's own points
# before it vary from load to load), until the init no longer reaches k
# (or MAX). Each failure must give -ENOMEM, or be tolerated (the module
# loads, works and unloads), and leave nothing behind. With FROM and STEP
# set (sweep_from=F sweep_step=S sweep ...), only points F, F+S, ... fail.
sweep() {
	m=$1 fn=$2 max=$3 k=${sweep_from:-1} enomem=0 tolerated=0 other=0 bad=0 end=
	n=0
	shift 3
	while [ $k -le "$max" ]; do
		echo $k >/sys/module/go3s_fault/parameters/init_nth
		dmesg -c >/dev/null
		try "$m" "$m.ko" "$@"
		[ -n "$gone" ] && bad=$((bad + 1))
		line=$(dmesg | grep "go3s_fault: initcall $fn ")
		init_ret=${line##* returned }
		echo "GO3S-FAULT-NTH $fn k=$k ret=$ret init=${line#*: fail-nth }"
		case $line in
		*" not reached, "*) end=yes; break ;;
		*" hit, "*) ;;
		*) bad=$((bad + 1)); break ;;	# the init did not run
		esac
		[ "$init_ret" = "$ret" ] || bad=$((bad + 1))
		case $ret in
		0) tolerated=$((tolerated + 1)) ;;
		-12) enomem=$((enomem + 1)) ;;
		*) other=$((other + 1)) ;;
		esac
		n=$((n + 1))
		k=$((k + ${sweep_step:-1}))
	done
	echo 0 >/sys/module/go3s_fault/parameters/init_nth
	echo "GO3S-FAULT-FIGURE fail_nth $fn${*:+ ($*)}: $n points failed in turn" \
		"from ${sweep_from:-1} every ${sweep_step:-1}${end:+ (to the last)}:" \
		"-ENOMEM $enomem, tolerated $tolerated, other errors $other"
	check "fail_nth_${fn}${sweep_tag:+_$sweep_tag}_enomem_or_tolerated" test $other = 0
	check "fail_nth_${fn}${sweep_tag:+_$sweep_tag}_nothing_left" test $bad = 0
}

# burst MODULE TIMES [PARAMS]: insmod at the set rates, TIMES times.
burst() {
	m=$1 k=$2 loaded=0 failed=0 bad=0
	shift 2
	rates "$slab" "$page"
	while [ "$k" -gt 0 ]; do
		try "$m" -f "$m.ko" "$@"
		[ -n "$gone" ] && bad=$((bad + 1))
		case $ret in
		0) loaded=$((loaded + 1)) ;;
		-*) failed=$((failed + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
		k=$((k - 1))
	done
	rates 0 0
	echo "GO3S-FAULT-FIGURE insmod $m loaded=$loaded failed=$failed"
	check "insmod_${m}_under_injection_clean" test $bad = 0
}

check insmod_kunit insmod kunit.ko
check insmod_go3s_fault insmod go3s_fault.ko

# The flight recorder's trace instance alone has some 400 allocation
# points, each failure of which only leaves the recorder off: every point
# of the rest of the init is failed with flight=0, and one point in 16 of
# the whole init with it on.
phase "go3s_rt's init, each fault-injection point in turn"
sweep go3s_rt go3s_rt_init 200 irq_pool=1 flight=0
sweep_from=3 sweep_step=16 sweep_tag=flight
sweep go3s_rt go3s_rt_init 400 irq_pool=1
sweep_from= sweep_step= sweep_tag=
phase "insmod go3s_rt at failslab $slab %, fail_page_alloc $page %"
burst go3s_rt 3

check insmod_go3s_rt insmod go3s_rt.ko
modmap go3s_rt
phase "the samples' inits, each point in turn, then insmod at the rates"
sweep go3s_goroutines go3s_goroutines_init 40 hold_ms=0
sweep go3s_channels go3s_channels_init 40
sweep go3s_refs go3s_refs_init 40
for s in go3s_hello go3s_goroutines go3s_channels go3s_refs; do
	burst $s 2 $([ $s = go3s_goroutines ] && echo hold_ms=0)
done

# case_sweep MODULE SUITE.CASE MAX [PARAMS]: run one KUnit case with its
# Nth fault-injection point failed, N = 1, 2, ... until the case no longer
# reaches N (or MAX: cases that allocate in a loop). After each run the
# suite module must unload (no goroutine of its own left) and no
# goroutine may be live; the first run that leaves something ends it.
case_sweep() {
	m=$1 c=$2 max=$3 n=1 failed=0 bad=0
	shift 3
	echo -n "$c" >/sys/module/kunit/parameters/filter_glob
	while [ $n -le "$max" ]; do
		echo $n >/sys/module/go3s_fault/parameters/case_nth
		dmesg -c >/dev/null
		insmod "kunit/$m.ko" "$@" || bad=$((bad + 1))
		unload "$m" || bad=$((bad + 1))
		no_goroutine || {
			bad=$((bad + 1))
			cat $dbg/go3s/goroutines
		}
		[ $bad = 0 ] || break	# what is left would fail every next run
		dmesg >/tmp/case.log
		grep -q 'go3s_fault: case thread: fail-nth [0-9]* not reached' /tmp/case.log && break
		grep -q '] *not ok 1 ' /tmp/case.log && failed=$((failed + 1))
		n=$((n + 1))
	done
	echo 0 >/sys/module/go3s_fault/parameters/case_nth
	echo -n '*.*' >/sys/module/kunit/parameters/filter_glob
	echo "GO3S-FAULT-FIGURE case $c: points failed in turn $((n - 1)), case failed $failed$([ $n -gt "$max" ] && echo ' (stopped at the limit)')"
	check "fail_nth_case_${c#*.}_clean" test $bad = 0
}

# suites SLAB PAGE: every suite with its case threads and go3s_rt's
# workers failing at these rates. A suite must unload afterwards.
suites() {
	phase "every KUnit suite at failslab $1 %, fail_page_alloc $2 % (case threads, workers)"
	slab0=$(injected failslab) page0=$(injected fail_page_alloc)
	rates "$1" "$2"
	mark_workers 1
	for t in kunit/*.ko; do
		name=$(basename "$t" .ko)
		args=
		case $t in
		*/go3s_chan_kunit.ko) args=pipeline_msgs=100000 ;;
		*/go3s_fsm_kunit.ko) args=stress_events=1000 ;;
		*/go3s_net_kunit.ko) args=conns=100 ;;
		esac
		echo "GO3S-FAULT-SUITE-BEGIN $name"
		insmod "$t" $args
		echo "GO3S-FAULT-SUITE-END $name $?"
		modmap "$name"
		check "rmmod_${name}_after_$1_$2" unload "$name"
	done
	mark_workers 0
	rates 0 0
	echo "GO3S-FAULT-FIGURE suites at failslab $1 % fail_page_alloc $2 %: failures" \
		"injected: failslab $(($(injected failslab) - slab0))," \
		"fail_page_alloc $(($(injected fail_page_alloc) - page0))"
}

phase "KUnit cases that spawn, each point of the case failed in turn"
case_sweep go3s_chan_kunit go3s_chan.unbuffered_send_waits_for_receiver 40
case_sweep go3s_chan_kunit go3s_chan.close_wakes_every_waiter 40
case_sweep go3s_chan_kunit go3s_chan.receivers_served_in_arrival_order 40
case_sweep go3s_chan_kunit go3s_chan.senders_served_in_arrival_order 40
case_sweep go3s_chan_kunit go3s_chan.killed_task_stops_waiting 40
case_sweep go3s_chan_kunit go3s_chan.try_forms_work_in_hardirq 40
case_sweep go3s_chan_kunit go3s_chan.pipeline_delivers_every_message_once 40 pipeline_msgs=1000
case_sweep go3s_chan_kunit go3s_chan.dump_and_stats_show_channel_waits 40
case_sweep go3s_chan_kunit go3s_chan.blocked_operation_holds_a_reference 40
case_sweep go3s_select_kunit go3s_select.select_wakes_on_any_case 40
case_sweep go3s_select_kunit go3s_select.select_storm_loses_nothing 40
case_sweep go3s_queue_kunit go3s_queue.value_rcu_readers_never_see_freed_objects 12
case_sweep go3s_ffi_kunit go3s_ffi.views_of_sg_and_iter 30
case_sweep go3s_ref_kunit go3s_ref.concurrent_get_put_destroys_once 40
case_sweep go3s_registry_kunit go3s_registry.modules_file_and_draining_unregister 40
case_sweep go3s_fsm_kunit go3s_fsm.fsm_try_fire_from_hardirq 40
case_sweep go3s_fsm_kunit go3s_fsm.fsm_many_machines_every_move_counted 40 stress_events=8
case_sweep go3s_fsm_kunit go3s_fsm.fsm_teardown_while_hooks_run 30

for r in $rate_list; do
	suites "${r%/*}" "${r#*/}"
done
check rmmod_go3s_fault rmmod go3s_fault
cat $dbg/go3s/stats
check no_goroutine_left no_goroutine

phase "the samples, without injection"
dmesg -c >/dev/null
. ./samples.sh

check rmmod_go3s_rt rmmod go3s_rt
check debugfs_removed test ! -e $dbg/go3s

# kmemleak reports objects older than 5 s, after two scans. The report is
# printed renamed (the host attributes each object to go3s, KUnit or the
# kernel) while kunit.ko is still loaded, so its frames have names.
sleep 6
echo scan >$kml
echo scan >$kml
echo "GO3S-LEAKS-BEGIN"
sed 's/^unreferenced object/GO3S-LEAK object/' $kml
echo "GO3S-LEAKS-END"
check kmemleak_enabled sh -c "echo scan >$kml"
check rmmod_kunit rmmod kunit

echo "GO3S-END"
poweroff -f
