# SPDX-License-Identifier: GPL-2.0
# Sourced by the stock VM's /init (common.sh defines step and check), with
# go3s_rt loaded and the edu device present: samples/edu_pm under runtime
# PM, driven through power/control, autosuspend_delay_ms and I/O. The PM
# core's own counts (tracepoint rpm:rpm_status, every runtime status it
# sets) must match the state machine's (debugfs go3s/fsm), also when a
# slow quiesce hook overruns and the suspend fails with -EBUSY (the PM
# core goes from SUSPENDING back to ACTIVE, and retries after the delay). Needs
# CONFIG_PM, which the debug kernel does not have.

dbg=/sys/kernel/debug/go3s
tr=/sys/kernel/debug/tracing
pmdev=$(grep -l 0x11e8 /sys/bus/pci/devices/*/device 2>/dev/null | head -n1)
pmdev=${pmdev%/device}
bdf=${pmdev##*/}
fsm=edu_pm:$bdf

# fsm_count FROM TO: the machine's moves from FROM to TO (all events).
fsm_count() {
	awk -v m="$fsm" -v f="$1" -v t="$2" \
		'$1 == m && $2 == f && $4 == t { n += $5 } END { print n + 0 }' $dbg/fsm
}
fsm_state() { sed -n "s/^$fsm table=edu_pm state=\([A-Z]*\) .*/\1/p" $dbg/fsm; }
rpm_count() { grep -c "rpm_status: $bdf status=$1\$" $tr/trace; }
rt_status() { cat "$pmdev/power/runtime_status"; }
wait_for() {
	i=0
	while ! "$@" && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}
is_suspended() { [ "$(rt_status)" = suspended ] && [ "$(fsm_state)" = SUSPENDED ]; }
# The PM core's status changes against the machine's moves.
counts_match() {
	s_ing=$(rpm_count RPM_SUSPENDING)
	s_ed=$(rpm_count RPM_SUSPENDED)
	r_ing=$(rpm_count RPM_RESUMING)
	echo "rpm: suspending $s_ing suspended $s_ed resuming $r_ing;" \
		"fsm: ACTIVE>SUSPENDING $(fsm_count ACTIVE SUSPENDING)" \
		"SUSPENDING>SUSPENDED $(fsm_count SUSPENDING SUSPENDED)" \
		"SUSPENDED>RESUMING $(fsm_count SUSPENDED RESUMING)" \
		"SUSPENDING>ERROR $(fsm_count SUSPENDING ERROR)"
	[ "$s_ed" -eq "$(fsm_count SUSPENDING SUSPENDED)" ] &&
	[ "$r_ing" -eq "$(fsm_count SUSPENDED RESUMING)" ] &&
	[ $((s_ing - s_ed)) -eq "$(fsm_count SUSPENDING ERROR)" ] &&
	[ "$s_ing" -eq "$(fsm_count ACTIVE SUSPENDING)" ]
}

step "insmod go3s_edu_pm.ko: edu under runtime PM, driven by a go3s state machine"
check edu_pm_device_present test -n "$bdf"
echo >$tr/trace
# rpm:rpm_status is 6.3+: 6.1's PM core has only rpm_return_int & co.
# Without it the PM core's side of the comparison is skipped, and said.
rpm=$tr/events/rpm/rpm_status
rpm_check() {
	if [ -d $rpm ]; then
		check "$@"
	else
		echo "GO3S-NOTE skipped $1: no rpm:rpm_status tracepoint in $(uname -r)"
	fi
}
[ -d $rpm ] && echo 1 >$rpm/enable
echo 1 >$tr/events/rpm/rpm_return_int/enable
echo 1 >$tr/events/go3s/go3s_fsm_transition/enable
# riscv64: no IOMMU, RAM at 2 GiB: run.sh widens edu's DMA mask to 64 bits.
edu_args=
[ "$(cat /proc/sys/kernel/arch)" != riscv64 ] || edu_args=dma_bits=64
check insmod_go3s_edu_pm insmod go3s_edu_pm.ko $edu_args
check edu_pm_bound test -e "/sys/bus/pci/drivers/go3s_edu_pm/$bdf"
check edu_pm_active_while_control_on sh -c "[ \"$(cat "$pmdev/power/control")\" = on ] && [ \"$(rt_status)\" = active ] && [ \"$(fsm_state)\" = ACTIVE ]"

step "power/control=auto, autosuspend_delay_ms=100: the device suspends"
echo 100 >"$pmdev/power/autosuspend_delay_ms"
echo auto >"$pmdev/power/control"
check edu_pm_autosuspended wait_for is_suspended
t1=$(cat "$pmdev/power/runtime_suspended_time")
sleep 0.5
check edu_pm_suspended_time_grows test "$(cat "$pmdev/power/runtime_suspended_time")" -gt "$t1"

step "I/O: 3 rounds of 2 DMA round trips, each resuming the device; it autosuspends after each"
for _ in 1 2 3; do
	echo 2 >"$pmdev/io"
	wait_for is_suspended
done
cat "$pmdev/io"
check edu_pm_io_ok grep -q '^ok 6 errors 0$' "$pmdev/io"
check edu_pm_suspended_after_io is_suspended
cat $dbg/fsm
check edu_pm_four_suspends test "$(fsm_count SUSPENDING SUSPENDED)" -ge 4
rpm_check edu_pm_rpm_counts_match_fsm counts_match

step "slow_hooks=1: the quiesce hook overruns 200 ms, ERROR, -EBUSY to the PM core, then a retry suspends"
echo 1 >/sys/module/go3s_edu_pm/parameters/slow_hooks
echo 1 >"$pmdev/io"
check edu_pm_suspended_after_retry wait_for is_suspended
cat $dbg/fsm
check edu_pm_fsm_timeout_counted test "$(fsm_count SUSPENDING ERROR)" -eq 1
check edu_pm_fsm_recovered test "$(fsm_count ERROR RESUMING)" -eq 1
# The failed suspend: the PM core went from SUSPENDING back to ACTIVE.
failed_suspends() {
	grep "rpm_status: $bdf " $tr/trace | awk '{ print $NF }' |
		grep -A1 -x 'status=RPM_SUSPENDING' | grep -c -x 'status=RPM_ACTIVE'
}
rpm_check edu_pm_rpm_saw_failed_suspend test "$(failed_suspends)" -eq 1
rpm_check edu_pm_rpm_counts_match_fsm_after_error counts_match
check edu_pm_hook_timeout_logged sh -c 'dmesg | grep -q "quiesce overran 200 ms, machine in ERROR: -EBUSY"'
check edu_pm_slow_hook_cancelled sh -c 'dmesg | grep -q "quiesce: cancelled after"'
check tracepoint_go3s_fsm_transition grep -q "go3s_fsm_transition: machine=$fsm from=SUSPENDING to=ERROR event=timeout" $tr/trace
check edu_pm_dot grep -q "digraph \"$fsm\"" $dbg/fsm.dot

step "power/control=on: the device resumes and stays active"
echo on >"$pmdev/power/control"
check edu_pm_resumed_by_control_on sh -c "[ \"$(rt_status)\" = active ] && [ \"$(fsm_state)\" = ACTIVE ]"
rpm_check edu_pm_rpm_counts_match_fsm_at_end counts_match
[ -d $rpm ] && echo 0 >$rpm/enable
echo 0 >$tr/events/rpm/rpm_return_int/enable
echo 0 >$tr/events/go3s/go3s_fsm_transition/enable
grep -E "rpm_status: $bdf|go3s_fsm_transition" $tr/trace | tail -n 40
check rmmod_go3s_edu_pm rmmod go3s_edu_pm
check edu_pm_machine_gone sh -c "! grep -q '^$fsm ' $dbg/fsm"
