// SPDX-License-Identifier: GPL-2.0
/*
 * The netpoller (<go3s/net.h>) against a server with one kthread per
 * connection, over loopback, in the BENCH line format of bench.c. The
 * clients are the same for both: kernel threads making blocking socket
 * calls; only the server differs.
 *   net_echo_rtt_1   a 64-byte write and its echo, one connection
 *   net_echo_rtt_16  the same on 16 connections at once (wall clock over
 *		      all round trips)
 *   net_connect      dial, a 1-byte echo, close, from 4 client threads;
 *		      the server serves each connection in a goroutine of
 *		      its own, or in a kthread_run() of its own
 * and BENCH-NOTE net_idle_conn_bytes: the memory (free pages gone) per
 * idle connection, client side included, for both servers.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmstat.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include <go3s/go.h>
#include <go3s/net.h>
#include <go3s/wg.h>

#include "../kunit/loopback.h"
#include "bench.h"

#define MSG		64
#define RTT_ROUNDS	2000U
#define RTT_CONNS	16U
#define CONNECT_THREADS	4U
#define CONNECTS	100U		/* per client thread */
#define IDLE_CONNS	256U

/* ---- the two servers ---------------------------------------------------- */

struct server {
	bool go3s;
	struct sockaddr_in addr;
	/* go3s */
	struct go3s_conn *ln;
	struct go3s_wg wg;
	/* kthreads */
	struct socket *kln;
	struct task_struct *acceptor;
	atomic_t live;
};

static void g_echo(void *arg)
{
	struct go3s_conn *c = arg;
	char buf[MSG];
	ssize_t n;

	while ((n = go3s_net_read(c, buf, sizeof(buf))) > 0)
		if (go3s_net_write(c, buf, n) != n)
			break;
	go3s_net_close(c);
}

static struct go3s_wg *g_wg;

static void g_echo_counted(void *arg)
{
	g_echo(arg);
	go3s_wg_done(g_wg);
}

static void g_accept(void *arg)
{
	struct server *s = arg;
	struct go3s_conn *c;

	int ret;

	while ((ret = go3s_net_accept(s->ln, &c)) != -ESHUTDOWN) {
		if (ret) {
			go3s_sleep(NSEC_PER_MSEC);
			continue;
		}
		go3s_wg_add(&s->wg, 1);
		if (go3s_go(g_echo_counted, c)) {
			go3s_wg_done(&s->wg);
			go3s_net_close(c);
		}
	}
	go3s_net_close(s->ln);
	go3s_wg_done(&s->wg);
}

static int raw_io(struct socket *s, void *buf, size_t len, bool rd)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = rd ? MSG_WAITALL : MSG_NOSIGNAL };
	int n;

	n = rd ? kernel_recvmsg(s, &msg, &iov, 1, len, msg.msg_flags) :
		 kernel_sendmsg(s, &msg, &iov, 1, len);
	return n == len ? 0 : (n < 0 ? n : -EIO);
}

static int k_echo(void *arg)
{
	struct server *s = ((void **)arg)[0];
	struct socket *c = ((void **)arg)[1];
	struct kvec iov;
	struct msghdr msg;
	char buf[MSG];
	int n;

	kfree(arg);
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov = (struct kvec){ .iov_base = buf, .iov_len = sizeof(buf) };
		n = kernel_recvmsg(c, &msg, &iov, 1, sizeof(buf), 0);
		if (n <= 0 || raw_io(c, buf, n, false))
			break;
	}
	sock_release(c);
	if (atomic_dec_and_test(&s->live))
		wake_up_var(&s->live);
	return 0;
}

static int k_accept(void *arg)
{
	struct server *s = arg;
	struct task_struct *t;
	struct socket *c;
	void **pair;

	while (!kernel_accept(s->kln, &c, 0)) {
		pair = kmalloc(2 * sizeof(void *), GFP_KERNEL);
		if (!pair) {
			sock_release(c);
			continue;
		}
		pair[0] = s;
		pair[1] = c;
		atomic_inc(&s->live);
		t = kthread_run(k_echo, pair, "go3s_bench_echo");
		if (IS_ERR(t)) {
			kfree(pair);
			sock_release(c);
			atomic_dec(&s->live);
		}
	}
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

static int server_start(struct server *s, bool go3s)
{
	int len = sizeof(s->addr), ret;

	memset(s, 0, sizeof(*s));
	s->go3s = go3s;
	s->addr.sin_family = AF_INET;
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (go3s) {
		struct sockaddr_storage ss;

		ret = go3s_net_listen(GO3S_NET_TCP, (struct sockaddr *)&s->addr,
				      len, 1024, &s->ln);
		if (ret)
			return ret;
		go3s_net_local_addr(s->ln, &ss);
		memcpy(&s->addr, &ss, len);
		go3s_wg_init(&s->wg);
		g_wg = &s->wg;
		go3s_wg_add(&s->wg, 1);
		ret = go3s_go(g_accept, s);
		if (ret) {
			go3s_wg_done(&s->wg);
			go3s_net_close(s->ln);
		}
		return ret;
	}
	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &s->kln);
	if (ret)
		return ret;
	sock_set_reuseaddr(s->kln->sk);
	ret = kernel_bind(s->kln, (struct sockaddr *)&s->addr, len) ?:
	      kernel_listen(s->kln, 1024) ?:
	      (kernel_getsockname(s->kln, (struct sockaddr *)&s->addr) < 0);
	if (!ret) {
		s->acceptor = kthread_run(k_accept, s, "go3s_bench_accept");
		ret = PTR_ERR_OR_ZERO(s->acceptor);
	}
	if (ret)
		sock_release(s->kln);
	return ret;
}

/* Stop accepting, and wait until every connection's server side is gone. */
static void server_stop(struct server *s)
{
	if (s->go3s) {
		go3s_net_shutdown(s->ln, GO3S_NET_SHUT_RDWR);
		go3s_wg_wait(&s->wg);
		return;
	}
	kernel_sock_shutdown(s->kln, SHUT_RDWR);
	kthread_stop(s->acceptor);
	sock_release(s->kln);
	wait_var_event(&s->live, !atomic_read(&s->live));
}

static int dial(struct server *s, struct socket **c)
{
	int ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, c);

	if (ret)
		return ret;
	ret = kernel_connect(*c, (struct sockaddr *)&s->addr, sizeof(s->addr), 0);
	if (ret)
		sock_release(*c);
	return ret;
}

/* ---- the clients -------------------------------------------------------- */

struct client {
	struct server *s;
	unsigned int rounds, connects;
	int err;
	struct completion done;
};

static int rtt_rounds(struct socket *c, unsigned int rounds)
{
	char buf[MSG] = { 1 };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < rounds && !ret; i++)
		ret = raw_io(c, buf, MSG, false) ?: raw_io(c, buf, MSG, true);
	return ret;
}

static int client_fn(void *arg)
{
	struct client *cl = arg;
	struct socket *c;
	unsigned int i;
	char b = 1;

	if (cl->rounds) {
		cl->err = dial(cl->s, &c);
		if (!cl->err) {
			cl->err = rtt_rounds(c, cl->rounds);
			sock_release(c);
		}
	}
	for (i = 0; i < cl->connects && !cl->err; i++) {
		cl->err = dial(cl->s, &c);
		if (cl->err)
			break;
		cl->err = raw_io(c, &b, 1, false) ?: raw_io(c, &b, 1, true);
		sock_release(c);
	}
	complete(&cl->done);
	return 0;
}

/* @n client threads, each @rounds round trips or @connects connections. */
static u64 run_clients(struct server *s, unsigned int n, unsigned int rounds,
		       unsigned int connects, int *err)
{
	struct client *cl = kcalloc(n, sizeof(*cl), GFP_KERNEL);
	struct task_struct *t;
	unsigned int i;
	u64 t0, ns;

	if (!cl) {
		*err = -ENOMEM;
		return 0;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		cl[i] = (struct client){ .s = s, .rounds = rounds, .connects = connects };
		init_completion(&cl[i].done);
		t = kthread_run(client_fn, &cl[i], "go3s_bench_client");
		if (IS_ERR(t)) {
			cl[i].err = PTR_ERR(t);
			complete(&cl[i].done);
		}
	}
	for (i = 0; i < n; i++) {
		wait_for_completion(&cl[i].done);
		if (cl[i].err)
			*err = cl[i].err;
	}
	ns = ktime_get_ns() - t0;
	kfree(cl);
	return ns;
}

/* One measurement against each server; 0 ns if either failed. */
static void bench_pair(const char *name, unsigned int n, unsigned int rounds,
		       unsigned int connects, u64 items)
{
	u64 ns[2] = {};
	struct server s;
	int i, err = 0;

	for (i = 0; i < 2 && !err; i++) {
		err = server_start(&s, !i);
		if (err)
			break;
		ns[i] = run_clients(&s, n, rounds, connects, &err);
		server_stop(&s);
	}
	if (err) {
		pr_warn("%s: error %d\n", name, err);
		return;
	}
	go3s_bench_report(name, go3s_bench_per_item(ns[0], items),
			  connects ? "kthread_per_connection" : "kthread_server",
			  go3s_bench_per_item(ns[1], items));
}

/* ---- memory per idle connection ----------------------------------------- */

static long idle_bytes(bool go3s)
{
	struct socket **c;
	struct server s;
	unsigned long before, after;
	unsigned int i, open = 0;
	long bytes = -1;
	char b = 1;

	c = kcalloc(IDLE_CONNS, sizeof(*c), GFP_KERNEL);
	if (!c || server_start(&s, go3s)) {
		kfree(c);
		return -1;
	}
	msleep(50);
	before = global_zone_page_state(NR_FREE_PAGES);
	for (i = 0; i < IDLE_CONNS; i++, open++)
		if (dial(&s, &c[i]) || raw_io(c[i], &b, 1, false) ||
		    raw_io(c[i], &b, 1, true))
			break;
	msleep(50);
	after = global_zone_page_state(NR_FREE_PAGES);
	if (open == IDLE_CONNS)
		bytes = (long)(before - after) * PAGE_SIZE / IDLE_CONNS;
	for (i = 0; i < open; i++)
		if (c[i])
			sock_release(c[i]);
	server_stop(&s);
	kfree(c);
	return bytes;
}

void go3s_bench_net(bool last)
{
	if (go3s_test_lo_up())
		return;
	bench_pair("net_echo_rtt_1", 1, RTT_ROUNDS, 0, RTT_ROUNDS);
	bench_pair("net_echo_rtt_16", RTT_CONNS, RTT_ROUNDS / 4, 0,
		   RTT_CONNS * (RTT_ROUNDS / 4));
	bench_pair("net_connect", CONNECT_THREADS, 0, CONNECTS,
		   CONNECT_THREADS * CONNECTS);
	if (last)
		pr_info("BENCH-NOTE net_idle_conn_bytes go3s=%ld kthread_per_connection=%ld conns=%u (free pages gone per connection, client side included)\n",
			idle_bytes(true), idle_bytes(false), IDLE_CONNS);
}
