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
	# 100 machines x 10 000 events take ~90 s under KASAN; UML runs them all.
	*/go3s_fsm_kunit.ko) args=stress_events=2000 ;;
	esac
	check "insmod_$(basename "$t" .ko)" insmod "$t" $args
done

ktap_dump

for t in kunit/*.ko; do
	check "rmmod_$(basename "$t" .ko)" rmmod "$(basename "$t" .ko)"
done

# A client whose init fails while its goroutines live: the kernel frees
# it whatever its reference count, so go3s_rt must wait for them first.
# busybox insmod retries a failed finit_module() with init_module(), so
# each insmod loads the module (and fails its init) twice: the checks
# count per load.
dbg=/sys/kernel/debug/go3s
initfail_loads() { dmesg | grep -c 'go3s_initfail: init fails now'; }
step "insmod go3s_initfail.ko (init fails; 4 goroutines asleep, 4 parked on a channel closed later)"
dmesg -c >/dev/null
check initfail_insmod_fails sh -c '! insmod go3s_initfail.ko 2>/tmp/initfail.err'
cat /tmp/initfail.err
check initfail_returns_einval grep -q 'Invalid argument' /tmp/initfail.err
n=$(initfail_loads)
check initfail_loaded test "$n" -ge 1
check initfail_waited_for_8 test "$(dmesg | grep -c 'module go3s_initfail is going away with 8 goroutines')" -eq "$n"
check initfail_sleepers_woke test "$(dmesg | grep -c 'go3s_initfail: sleeper .* woke after')" -eq $((4 * n))
check initfail_waiters_woke test "$(dmesg | grep -c 'go3s_initfail: waiter woke, channel closed')" -eq $((4 * n))
check initfail_none_left sh -c "! grep -q go3s_initfail $dbg/goroutines"
check initfail_unloaded sh -c '! grep -q "^go3s_initfail " /proc/modules'

# A client whose unpinned goroutines are still in its code after its
# exit's WaitGroup wait returned (each makes its go3s_wg_done(), then runs
# on for tail_ms): rmmod waits for them, quietly within go3s_rt's second
# of grace, with a WARN past it (declared); each tail runs before the
# module is freed (KASAN would report it).
tail_ran() { dmesg | grep -c 'go3s_unpinned_tail: goroutine .* tail ran'; }
step "insmod go3s_unpinned_tail.ko: 4 unpinned goroutines 300 ms past go3s_wg_done(), then 1500 ms"
dmesg -c >/dev/null
check unpinned_tail_insmod insmod go3s_unpinned_tail.ko
check unpinned_tail_rmmod rmmod go3s_unpinned_tail
check unpinned_tail_exit_returned_first sh -c 'dmesg | grep -q "go3s_unpinned_tail: exit returns, 0 of 4 tails done"'
check unpinned_tail_waited_for_4 test "$(tail_ran)" -eq 4
check unpinned_tail_quiet sh -c '! dmesg | grep -q "exit returned with .* still running"'
dmesg -c >/dev/null
echo "GO3S-EXPECT-WARN go3s: module go3s_unpinned_tail's exit returned with 4 goroutines"
check unpinned_tail_long_insmod insmod go3s_unpinned_tail.ko tail_ms=1500
check unpinned_tail_long_rmmod rmmod go3s_unpinned_tail
check unpinned_tail_long_waited_for_4 test "$(tail_ran)" -eq 4
check unpinned_tail_gone sh -c "! grep -q go3s_unpinned_tail $dbg/goroutines /proc/modules"

# The samples run with the go3s tracepoints on.
tr=/sys/kernel/debug/tracing
echo 1 >$tr/events/go3s/enable

# blk.sh: the debug subset of the block sample's tests, and failslab.
blk_debug=1
. ./samples.sh

echo 0 >$tr/events/go3s/enable
# The latency histograms and the flight recorder, as in the stock VM
# (there is no perf here), under KASAN and lockdep; the debug kernel has
# no CONFIG_TRACER_SNAPSHOT, so no snapshot.
no_snapshot=1
. ./observe.sh
# A module written in Go whose goroutines all panic (samples/go_panic):
# each WARNs, naming the check and the Go function, and only its own
# goroutine ends; the module unloads; its exit function panics too.
step "insmod go3s_go_panic.ko (6 goroutines panic; the module lives on)"
for w in 'index out of range \[5\] with length 3 in panics\.index' \
	 'invalid memory address or nil pointer dereference at .*panics\.go:[0-9]+ in panics\.nilDeref' \
	 'integer divide by zero in panics\.divide' \
	 'panic: explicit panic from Go in panics\.explicit' \
	 'panic: 42 in panics\.number' \
	 'send on closed channel in panics\.sendClosed'; do
	echo "GO3S-EXPECT-WARN go3s_go_panic: Go panic: $w"
done
check insmod_go3s_go_panic insmod go3s_go_panic.ko
check go_panic_all_started sh -c 'dmesg | grep -q "go3s_go_panic: 6 goroutines started; each panics"'
i=0
while [ "$(dmesg | grep -c 'go3s_go_panic: Go panic')" -lt 6 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
check go_panic_goroutines_ended sh -c "! grep -q 'owner go3s_go_panic' $dbg/goroutines"
echo "GO3S-EXPECT-WARN go3s_go_panic: Go panic: invalid memory address or nil pointer dereference at .*panics\.go:[0-9]+ in panics\.Exit"
check rmmod_go3s_go_panic rmmod go3s_go_panic
check go_panic_exit_failed sh -c 'dmesg | grep -q "go3s_go_panic: exit function failed (-14)"'

for ev in create run park wake exit; do
	check "tracepoint_go3s_g_$ev" grep -q "go3s_g_$ev: g=" $tr/trace
done
for ev in block unblock op; do
	check "tracepoint_go3s_chan_$ev" grep -q "go3s_chan_$ev: chan=" $tr/trace
done
# go3s_channels' goroutines wake each other: the waker is named.
check tracepoint_go3s_g_wake_names_waker grep -q "go3s_g_wake: g=.* waker=[1-9]" $tr/trace

check rmmod_go3s_rt rmmod go3s_rt
check debugfs_removed test ! -e /sys/kernel/debug/go3s
check rmmod_kunit rmmod kunit

kmemleak_check kmemleak_clean

# Last, as it pins go3s_rt for good: goroutines still parked
# go3s_rt.abandon_ms after such an init failure are abandoned, never to
# run again, and their memory is kept. Two loads (busybox), two WARNs.
step "insmod go3s_initfail.ko forever=1 (2 goroutines parked past abandon_ms)"
check insmod_go3s_rt_again insmod go3s_rt.ko abandon_ms=2000
dmesg -c >/dev/null
echo "GO3S-EXPECT-WARN module go3s_initfail is freed with 2 parked goroutines: abandoned"
echo "GO3S-EXPECT-WARN module go3s_initfail is freed with 2 parked goroutines: abandoned"
check initfail_forever_fails sh -c '! insmod go3s_initfail.ko forever=1 forever_ms=5000 2>/tmp/initfail.err'
check initfail_forever_einval grep -q 'Invalid argument' /tmp/initfail.err
n=$(initfail_loads)
check initfail_forever_loaded_twice test "$n" -eq 2
cat $dbg/goroutines
check abandoned_in_dump test "$(grep -c '\[abandoned, .*owner go3s_initfail (freed)' $dbg/goroutines)" -eq $((2 * n))
check abandoned_rest_ran test "$(dmesg | grep -cE 'go3s_initfail: (sleeper|waiter) .*woke')" -eq $((8 * n))
check rmmod_go3s_rt_refused_pinned sh -c '! rmmod go3s_rt 2>/dev/null'
# The abandoned sleepers' timers fire 5 s after their spawn: they must not run.
sleep 4
check abandoned_never_ran sh -c '! dmesg | grep -q "an abandoned goroutine ran"'
check abandoned_still_in_dump test "$(grep -c '\[abandoned, ' $dbg/goroutines)" -eq $((2 * n))
check initfail_loads_again sh -c '! insmod go3s_initfail.ko close_ms=10 2>/tmp/initfail.err && grep -q "Invalid argument" /tmp/initfail.err'
kmemleak_check kmemleak_clean_with_abandoned

gcov_dump
echo "GO3S-END"
poweroff -f
