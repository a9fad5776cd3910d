# SPDX-License-Identifier: GPL-2.0
# Sourced by the VMs' /init (which define step and check): load the sample
# clients, show what they do, unload them. go3s_rt must be loaded.

dbg=/sys/kernel/debug/go3s

step "insmod go3s_hello.ko"
check insmod_go3s_hello insmod go3s_hello.ko
check hello_greeted sh -c 'dmesg | grep -q "go3s_hello: hello from a go3s client"'

step "rmmod go3s_rt while go3s_hello uses it (must be refused)"
check rmmod_go3s_rt_refused_in_use sh -c '! rmmod go3s_rt 2>/dev/null'
check rmmod_go3s_hello rmmod go3s_hello

step "insmod go3s_goroutines.ko (8 goroutines joined by a WaitGroup, one kept alive 3 s)"
check insmod_go3s_goroutines insmod go3s_goroutines.ko hold_ms=3000
check goroutines_joined sh -c 'dmesg | grep -q "sum of squares 1..8 = 204"'

step "cat $dbg/goroutines"
cat $dbg/goroutines
check dump_shows_holder sh -c "grep 'waiting, sleep' $dbg/goroutines | grep -q 'owner go3s_goroutines'"
# Spawned from go3s_goroutines_init(), whose __init code is freed by now:
# the site prints as an address, the function by name.
check dump_names_holder_function sh -c "grep -A1 'owner go3s_goroutines' $dbg/goroutines | grep -q 'function holder'"

step "rmmod go3s_goroutines while its goroutine lives (must be refused)"
check rmmod_refused_while_goroutine_lives sh -c '! rmmod go3s_goroutines 2>/dev/null'

step "wait for the goroutine to end, then rmmod go3s_goroutines"
i=0
while ! dmesg | grep -q 'last goroutine .* done' && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check rmmod_after_goroutines_end rmmod go3s_goroutines

step "insmod go3s_channels.ko (generator -> 4 squarers -> collector, over channels)"
check insmod_go3s_channels insmod go3s_channels.ko
check channels_summed sh -c 'dmesg | grep -q "sum of squares 1..100 = 338350"'
check rmmod_go3s_channels rmmod go3s_channels

step "insmod go3s_refs.ko (ref[T] shared by 4 goroutines, arenas, slices, the registry)"
check insmod_go3s_refs insmod go3s_refs.ko
check refs_summed sh -c 'dmesg | grep -q "4 goroutines summed a 4096-byte buffer through slices: 505160"'
check refs_destructor_ran sh -c 'dmesg | grep -q "stats destroyed: 4 workers summed 505160"'
cat $dbg/modules
check refs_registered grep -Eq "^go3s_refs [0-9]+\\.[0-9]+ 0 0$" $dbg/modules
check rmmod_go3s_refs rmmod go3s_refs
check refs_unregistered sh -c "! grep -q go3s_refs $dbg/modules"

# The block sample exists only for kernels with a block layer, and its
# tests only where fio and e2fsprogs were packed (go3s_blk_tools in
# lib.sh: the stock and debug VMs, not the fault-injection VM).
if [ -f go3s_blk.ko ] && [ -f blk.sh ]; then
	. ./blk.sh
fi

step "cat $dbg/stats"
cat $dbg/stats
check stats_no_live_goroutines grep -q '^live: 0$' $dbg/stats
