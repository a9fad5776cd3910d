# SPDX-License-Identifier: GPL-2.0
# Sourced by samples.sh (stock and debug VMs), with go3s_rt loaded:
# samples/tcp_echo against busybox nc clients over loopback. Greeting and
# echo, the idle timeout, a refused state-machine event, 64 clients at
# once, then rmmod with connections open (and more arriving): every one
# is told "bye: shutdown" and closed, and nothing is left open.

port=7007
edbg=/sys/kernel/debug/go3s_tcp_echo
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

# echo_stat NAME: a counter of the sample's debugfs file.
echo_stat() { tr ' ' '\n' <$edbg | sed -n "/^$1\$/{n;p;}"; }
# client N LINE: one connection sending LINE then keeping quiet (busybox
# nc closes its side at end of input), output in /tmp/echo.N.
client() { (printf '%s\n' "$2"; sleep 5) | timeout 20 nc 127.0.0.1 $port >/tmp/echo.$1 2>&1; }
echo_ok() { grep -q "^go3s tcp_echo [0-9]*\$" /tmp/echo.$1 && grep -qx "$2" /tmp/echo.$1 &&
	    grep -qx "bye: idle" /tmp/echo.$1; }
wait_stat() {
	i=0
	while [ "$(echo_stat "$1")" != "$2" ] && [ $i -lt 400 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(echo_stat "$1")" = "$2" ]
}

step "insmod go3s_tcp_echo.ko port=$port idle_ms=1500 (one goroutine per connection)"
check insmod_go3s_tcp_echo insmod go3s_tcp_echo.ko port=$port idle_ms=1500
check tcp_echo_listening sh -c 'dmesg | grep -q "go3s_tcp_echo: listening on 0.0.0.0 port '$port'"'

step "nc: greeting, echo, then closed after 1.5 s of silence"
client 0 "hello go3s"
cat /tmp/echo.0
check tcp_echo_greets_echoes_idles echo_ok 0 "hello go3s"

step "nc: a line asking for ACCEPT again, which ESTABLISHED refuses; then end of input"
printf 'one\n!reset\ntwo\n' | timeout 20 nc 127.0.0.1 $port >/tmp/echo.r
cat /tmp/echo.r
check tcp_echo_eof_closes test "$(echo_stat eof)" = 1
check tcp_echo_refusal_answered grep -qx "refused: ACCEPT in ESTABLISHED" /tmp/echo.r
check tcp_echo_goes_on_after_refusal grep -qx two /tmp/echo.r
check tcp_echo_refusal_counted test "$(echo_stat refused)" = 1
# On failure, what the runtime was doing.
if ! grep -qx two /tmp/echo.r; then
	cat $edbg $dbg/net $dbg/stats $dbg/goroutines; go3s_tasks_dump
	echo t >/proc/sysrq-trigger 2>/dev/null
fi

step "64 nc clients at once"
n=0
while [ $n -lt 64 ]; do
	client $((n + 1)) "client $n says hi" &
	n=$((n + 1))
done
wait
bad=0
n=0
while [ $n -lt 64 ]; do
	echo_ok $((n + 1)) "client $n says hi" || bad=$((bad + 1))
	n=$((n + 1))
done
cat $edbg
if [ $bad != 0 ]; then
	cat $dbg/net $dbg/stats $dbg/goroutines; go3s_tasks_dump
	echo t >/proc/sysrq-trigger 2>/dev/null
fi
check tcp_echo_64_clients_served test $bad = 0
check tcp_echo_all_idle_closed test "$(echo_stat idle_closed)" = 65
check tcp_echo_no_errors test "$(echo_stat errors)" = 0

step "rmmod go3s_tcp_echo with 16 connections open and clients still arriving"
# No idle timeout now: a slow host must not close a held connection first.
echo 0 >/sys/module/go3s_tcp_echo/parameters/idle_ms
n=0
while [ $n -lt 16 ]; do
	(printf 'held %s\n' $n; i=0
	 until grep -q bye /tmp/held.$n || [ $i -ge 300 ]; do sleep 0.2; i=$((i + 1)); done) |
		timeout 60 nc 127.0.0.1 $port >/tmp/held.$n 2>&1 &
	n=$((n + 1))
done
check tcp_echo_16_held wait_stat live 16
(
	i=0
	while [ $i -lt 40 ]; do
		printf 'late\n' | timeout 5 nc 127.0.0.1 $port >/dev/null 2>&1
		i=$((i + 1))
	done
) &
late=$!
sleep 0.3
check rmmod_go3s_tcp_echo_with_connections rmmod go3s_tcp_echo
kill $late 2>/dev/null
wait
bad=0
n=0
while [ $n -lt 16 ]; do
	grep -qx "bye: shutdown" /tmp/held.$n || bad=$((bad + 1))
	n=$((n + 1))
done
check tcp_echo_rmmod_said_bye_to_all test $bad = 0
check tcp_echo_stopped sh -c 'dmesg | grep -q "go3s_tcp_echo: stopped: [0-9]* connections served"'
cat $dbg/net
check tcp_echo_nothing_left_open grep -q '^open 0 ' $dbg/net
