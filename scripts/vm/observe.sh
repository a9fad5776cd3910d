# SPDX-License-Identifier: GPL-2.0
# Sourced by the stock VM's /init after samples.sh (go3s_rt loaded, the
# samples have run): the latency histograms, the flight recorder, and
# perf counting go3s:* over the channels sample against its known work
# (Documentation/observability.rst).

dbg=/sys/kernel/debug/go3s

# The "count" total of histogram $1 (sched, chan, handoff) in go3s/latency.
lat_count() {
	sed -n "/^$1:/,/^  count/s/^  count *\\([0-9]*\\).*/\\1/p" $dbg/latency
}

step "cat $dbg/latency"
cat $dbg/latency
# The samples started goroutines and blocked on channels: both counted.
check latency_sched_counted test "$(lat_count sched)" -gt 0
check latency_chan_counted test "$(lat_count chan)" -gt 0

step "the flight recorder: $dbg/flight (the go3s trace instance)"
ev=$dbg/flight/events/go3s
check flight_instance test -r $dbg/flight/trace
# flight=1, the default: the rare events only.
check flight_records_rare_events sh -c "grep -q 1 $ev/go3s_g_busy/enable && grep -q 1 $ev/go3s_p_handoff/enable && grep -q 1 $ev/go3s_fsm_transition/enable"
check flight_skips_fast_path_events sh -c "grep -q 0 $ev/go3s_g_run/enable && grep -q 0 $ev/go3s_chan_op/enable"
grep -c ' go3s_p_handoff: ' $dbg/flight/trace | sed 's/$/ handoffs recorded since go3s_rt loaded/'

# go3s_channels once more, under perf if there is one, with every go3s
# event on in the recorder, whose window restarts with it; its snapshot
# goes to the console (GO3S-FLIGHT-*) for run.sh to convert with
# scripts/go3s-trace. Read before rmmod: the functions' names resolve
# only while the module is loaded.
echo 1 >$ev/enable
echo >$dbg/flight/trace
if [ -x /bin/perf ]; then
	step "perf stat -e 'go3s:*' -a -- insmod go3s_channels.ko"
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	perf stat -x, -o /tmp/perf.csv -e 'go3s:*' -a -- insmod go3s_channels.ko
	cat /tmp/perf.csv
else
	insmod go3s_channels.ko
fi
# The debug VM's kernel has no CONFIG_TRACER_SNAPSHOT: its /init sets
# no_snapshot=1.
if [ -z "${no_snapshot:-}" ]; then
	check flight_snapshot sh -c "echo 1 >$dbg/flight/snapshot"
	echo "GO3S-FLIGHT-BEGIN"
	grep -v '^#' $dbg/flight/snapshot
	echo "GO3S-FLIGHT-END"
	echo 0 >$dbg/flight/snapshot
fi
rmmod go3s_channels
echo 0 >$ev/enable

if [ -x /bin/perf ]; then
	ev() { grep ",go3s:$1," /tmp/perf.csv | cut -d, -f1; }
	# 4 squarers and a generator; 100 numbers sent and received on
	# nums, 100 squares on squares: 400 completed operations (the
	# receives that see the close complete nothing).
	check perf_counts_spawns test "$(ev go3s_g_create)" = 5
	check perf_counts_exits test "$(ev go3s_g_exit)" = 5
	check perf_counts_chan_ops test "$(ev go3s_chan_op)" = 400
	check perf_runs_at_least_spawns test "$(ev go3s_g_run)" -ge 5
fi
