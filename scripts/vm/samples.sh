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

# Modules written in Go (Documentation/go.rst): gccgo objects on gort.
step "insmod go3s_go_pipeline.ko (Go: generator -> 4 squarers -> collector; one goroutine kept 3 s)"
check insmod_go3s_go_pipeline insmod go3s_go_pipeline.ko
check go_pipeline_summed sh -c 'dmesg | grep -q "go3s_go_pipeline: squares of 1 .. 100 from 4 squarers: 338350 in 100 results"'
check go_pipeline_nonblocking_sends sh -c 'dmesg | grep -q "go3s_go_pipeline: non-blocking sends: true false then 0$"'
cat $dbg/modules
check go_pipeline_registered grep -q "^go3s_go_pipeline " $dbg/modules
check go_dump_shows_go_goroutine sh -c "grep -q 'owner go3s_go_pipeline' $dbg/goroutines"
check go_rmmod_refused_while_goroutine_lives sh -c '! rmmod go3s_go_pipeline 2>/dev/null'
i=0
while ! dmesg | grep -q 'go3s_go_pipeline: last goroutine done' && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check go_rmmod_after_goroutines_end rmmod go3s_go_pipeline
check go_pipeline_exit_ran sh -c 'dmesg | grep -q "go3s_go_pipeline: exit$"'

step "insmod go3s_go_sieve.ko (Go: the prime sieve, a chain of filter goroutines)"
check insmod_go3s_go_sieve insmod go3s_go_sieve.ko
check go_sieve_primes sh -c 'dmesg | grep -q "go3s_go_sieve: 303 primes below 2000 by 303 filter goroutines; the last is 1999"'
check go_sieve_first_ten sh -c 'dmesg | grep -q "go3s_go_sieve: first ten: 2 3 5 7 11 13 17 19 23 29$"'
check go_sieve_copied_pointers sh -c 'dmesg | grep -q "go3s_go_sieve: copied 3 stages; the third filters 5$"'
check go_sieve_strings sh -c 'dmesg | grep -q "go3s_go_sieve: strings: ERATOSTHENES 27 runes in 29 bytes true true$"'
check rmmod_go3s_go_sieve rmmod go3s_go_sieve
check go_sieve_unregistered sh -c "! grep -q go3s_go_sieve $dbg/modules"

# The TCP echo server, over loopback (kernels with networking).
if [ -f go3s_tcp_echo.ko ]; then
	. ./tcp_echo.sh
fi

# The block sample exists only for kernels with a block layer, and its
# tests only where fio and e2fsprogs were packed (go3s_blk_tools in
# lib.sh: the stock and debug VMs, not the fault-injection VM).
if [ -f go3s_blk.ko ] && [ -f blk.sh ]; then
	. ./blk.sh
fi

step "cat $dbg/stats"
cat $dbg/stats
go3s_tasks_dump
check stats_no_live_goroutines grep -q '^live: 0$' $dbg/stats
