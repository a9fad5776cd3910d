// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the netpoller (go3s_rt/net.c, net_sock.c), over
 * loopback: an echo server of one goroutine per connection and in-kernel
 * client goroutines; resets, half-close, deadlines, close while calls
 * wait, callers outside goroutines, and bad arguments.
 *
 * Every blocking call of a case has a deadline (CALL_MS), so a case that
 * loses a connection (fault injection fails an allocation) ends with
 * failed expectations, never with goroutines waiting forever. As in the
 * other suites, from its first spawn to its join a case never ASSERTs.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include <go3s/go.h>
#include <go3s/net.h>
#include <go3s/wg.h>

#include "../go3s_rt/g.h"
#include "../go3s_rt/net.h"
#include "kunit_compat.h"
#include "loopback.h"

static unsigned int conns = 1000;
module_param(conns, uint, 0444);
MODULE_PARM_DESC(conns, "Concurrent connections of the echo case");

#define CALL_MS		30000	/* the deadline of every blocking call */
#define MSG_MAX		600

static ktime_t call_deadline(void)
{
	return ktime_add_ms(ktime_get(), CALL_MS);
}

/* The echo server: an accept loop and one goroutine per connection. */
struct server {
	struct go3s_conn *ln;
	struct sockaddr_storage addr;
	struct go3s_wg wg;
	atomic_t accepted;
	atomic_t errors;
	atomic_t last_err;		/* the last connection's read error */
};

struct echo_arg {
	struct server *s;
	struct go3s_conn *c;
};

static void echo_body(void *arg)
{
	struct echo_arg *e = arg;
	struct server *s = e->s;
	struct go3s_conn *c = e->c;
	char buf[128];
	ssize_t n;

	kfree(e);
	go3s_net_set_deadline(c, call_deadline());
	while ((n = go3s_net_read(c, buf, sizeof(buf))) > 0) {
		if (go3s_net_write(c, buf, n) != n) {
			atomic_inc(&s->errors);
			break;
		}
	}
	atomic_set(&s->last_err, n);
	go3s_net_close(c);
	go3s_wg_done(&s->wg);
}

static void accept_body(void *arg)
{
	struct server *s = arg;
	struct echo_arg *e;
	struct go3s_conn *c;
	int ret;

	for (;;) {
		ret = go3s_net_accept(s->ln, &c);
		if (ret == -ESHUTDOWN)
			break;
		if (ret) {
			/* Only server_stop() ends the loop, which owns s->ln. */
			atomic_inc(&s->errors);
			go3s_sleep(NSEC_PER_MSEC);
			continue;
		}
		atomic_inc(&s->accepted);
		e = kmalloc(sizeof(*e), GFP_KERNEL);
		if (e) {
			e->s = s;
			e->c = c;
			go3s_wg_add(&s->wg, 1);
			if (!go3s_go(echo_body, e))
				continue;
			go3s_wg_done(&s->wg);
			kfree(e);
		}
		atomic_inc(&s->errors);
		go3s_net_close(c);
	}
	/* The loop owns the listener: server_stop() only shut it down. */
	go3s_net_close(s->ln);
	go3s_wg_done(&s->wg);
}

static int loopback_addr(int family, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(struct sockaddr_in);
}

static int addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

/* A listener on loopback, port 0; its address in @addr. */
static int listen_on(int family, enum go3s_net_proto proto, int backlog,
		     struct go3s_conn **ln, struct sockaddr_storage *addr)
{
	struct sockaddr_storage ss;
	int len = loopback_addr(family, &ss), ret;

	ret = go3s_net_listen(proto, (struct sockaddr *)&ss, len, backlog, ln);
	if (ret)
		return ret;
	ret = go3s_net_local_addr(*ln, addr);
	if (ret)
		go3s_net_close(*ln);
	return ret;
}

static bool server_start(struct kunit *test, struct server *s, int family,
			 int backlog)
{
	int ret;

	memset(s, 0, sizeof(*s));
	go3s_wg_init(&s->wg);
	ret = listen_on(family, GO3S_NET_TCP, backlog, &s->ln, &s->addr);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (ret)
		return false;
	go3s_wg_add(&s->wg, 1);
	ret = go3s_go(accept_body, s);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (ret) {
		go3s_wg_done(&s->wg);
		go3s_net_close(s->ln);
	}
	return !ret;
}

/*
 * Shut the listener down (the accept loop ends, and closes it) and wait
 * for every goroutine.
 */
static void server_stop(struct kunit *test, struct server *s)
{
	KUNIT_EXPECT_EQ(test, go3s_net_shutdown(s->ln, GO3S_NET_SHUT_RDWR), 0);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&s->wg), 0);
}

/* A client: dial, send a message, read the echo back, check it. */
struct client {
	struct server *s;
	struct go3s_wg *wg;
	atomic_t *ok;
	unsigned int id;
};

static bool echo_once(struct go3s_conn *c, unsigned int id)
{
	unsigned int len = 1 + id % MSG_MAX, got = 0, i;
	u8 *out, *in;
	bool ok = false;
	ssize_t n;

	out = kmalloc(2 * MSG_MAX, GFP_KERNEL);
	if (!out)
		return false;
	in = out + MSG_MAX;
	for (i = 0; i < len; i++)
		out[i] = id * 31 + i;
	if (go3s_net_write(c, out, len) != len)
		goto out;
	while (got < len) {
		n = go3s_net_read(c, in + got, len - got);
		if (n <= 0)
			goto out;
		got += n;
	}
	ok = !memcmp(in, out, len);
out:
	kfree(out);
	return ok;
}

static void client_body(void *arg)
{
	struct client *cl = arg;
	struct go3s_conn *c;

	if (!go3s_net_dial(GO3S_NET_TCP, (struct sockaddr *)&cl->s->addr,
			   addr_len(&cl->s->addr), call_deadline(), &c)) {
		go3s_net_set_deadline(c, call_deadline());
		if (echo_once(c, cl->id))
			atomic_inc(cl->ok);
		go3s_net_close(c);
	}
	go3s_wg_done(cl->wg);
}

static void run_clients(struct kunit *test, int family, unsigned int n)
{
	struct go3s_net_stats before, after;
	struct client *cl;
	struct server s;
	struct go3s_wg wg;
	atomic_t ok = ATOMIC_INIT(0);
	unsigned int i, spawned = 0;

	cl = kunit_kcalloc(test, n, sizeof(*cl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cl);
	go3s_net_get_stats(&before);
	if (!server_start(test, &s, family, n + 64))
		return;
	go3s_wg_init(&wg);
	for (i = 0; i < n; i++) {
		cl[i] = (struct client){ .s = &s, .wg = &wg, .ok = &ok, .id = i };
		go3s_wg_add(&wg, 1);
		if (go3s_go(client_body, &cl[i])) {
			go3s_wg_done(&wg);
			break;
		}
		spawned++;
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	server_stop(test, &s);
	go3s_net_get_stats(&after);

	KUNIT_EXPECT_EQ(test, spawned, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&ok), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.accepted), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.errors), 0);
	KUNIT_EXPECT_EQ(test, after.open, before.open);
	KUNIT_EXPECT_EQ(test, after.opened - before.opened, 2 * n + 1);
	kunit_info(test, "%u connections: %llu parks, %llu wakes\n", n,
		   after.parks - before.parks, after.wakes - before.wakes);
}

/* @conns connections at once, each byte echoed (one CPU under UML). */
static void net_echo_many_connections(struct kunit *test)
{
	run_clients(test, AF_INET, conns);
}

static void net_echo_ipv6(struct kunit *test)
{
	run_clients(test, AF_INET6, 16);
}

/* UDP: one datagram there (read_from) and back (write_to). */
static void net_udp_round_trip(struct kunit *test)
{
	struct sockaddr_storage srv_addr, from;
	struct go3s_conn *srv, *cli;
	char buf[16];
	ssize_t n;
	int ret;

	KUNIT_ASSERT_EQ(test, listen_on(AF_INET, GO3S_NET_UDP, 0, &srv, &srv_addr), 0);
	ret = go3s_net_dial(GO3S_NET_UDP, (struct sockaddr *)&srv_addr,
			    addr_len(&srv_addr), 0, &cli);
	/* An aborted case must not leave srv open (fault injection fails dials). */
	if (ret)
		go3s_net_close(srv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	go3s_net_set_deadline(srv, call_deadline());
	go3s_net_set_deadline(cli, call_deadline());
	KUNIT_EXPECT_EQ(test, go3s_net_write(cli, "ping", 4), 4);
	n = go3s_net_read_from(srv, buf, sizeof(buf), &from);
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "ping", 4), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_write_to(srv, "pong!", 5,
						(struct sockaddr *)&from,
						addr_len(&from)), 5);
	n = go3s_net_read(cli, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, n, 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "pong!", 5), 0);
	go3s_net_close(cli);
	go3s_net_close(srv);
}

/* One goroutine doing one call on a connection, and what it got. */
struct call {
	struct go3s_conn *c;
	struct go3s_wg *wg;
	struct go3s_g *g;
	ssize_t ret;
	s64 waited_ms;
	ktime_t end;
	char buf[8];
};

static void read_body(void *arg)
{
	struct call *k = arg;
	ktime_t t0 = ktime_get();

	WRITE_ONCE(k->g, go3s_self());
	k->ret = go3s_net_read(k->c, k->buf, sizeof(k->buf));
	k->end = ktime_get();
	k->waited_ms = ktime_ms_delta(k->end, t0);
	go3s_wg_done(k->wg);
}

static void accept_one_body(void *arg)
{
	struct call *k = arg;
	struct go3s_conn *c = NULL;

	WRITE_ONCE(k->g, go3s_self());
	k->ret = go3s_net_accept(k->c, &c);
	if (!k->ret)
		go3s_net_close(c);
	go3s_wg_done(k->wg);
}

/* Wait until @k's goroutine is parked in the netpoller. */
static bool wait_parked(struct kunit *test, struct call *k)
{
	unsigned long until = jiffies + 10 * HZ;
	struct go3s_g *g;

	while (time_before(jiffies, until)) {
		g = READ_ONCE(k->g);
		if (g && atomic_read(&g->state) == GO3S_G_PARKED &&
		    READ_ONCE(g->wait_reason) == GO3S_WAIT_NET)
			return true;
		usleep_range(500, 1000);
	}
	KUNIT_FAIL(test, "the goroutine did not park on its socket");
	return false;
}

static bool spawn_call(struct kunit *test, struct call *k, go3s_fn_t fn)
{
	go3s_wg_add(k->wg, 1);
	if (go3s_go(fn, k)) {
		go3s_wg_done(k->wg);
		KUNIT_FAIL(test, "go3s_go() failed");
		return false;
	}
	return true;
}

/* A connected pair: @cli dialled @srv, accepted from a fresh listener. */
static int pair(int family, struct go3s_conn **cli, struct go3s_conn **srv)
{
	struct sockaddr_storage addr;
	struct go3s_conn *ln;
	int ret;

	ret = listen_on(family, GO3S_NET_TCP, 4, &ln, &addr);
	if (ret)
		return ret;
	ret = go3s_net_dial(GO3S_NET_TCP, (struct sockaddr *)&addr,
			    addr_len(&addr), call_deadline(), cli);
	if (!ret) {
		go3s_net_set_read_deadline(ln, call_deadline());
		ret = go3s_net_accept(ln, srv);
		if (ret)
			go3s_net_close(*cli);
	}
	go3s_net_close(ln);
	return ret;
}

/* pair() over IPv4, and a spare listener on loopback; all or nothing. */
static int pair_and_listener(struct go3s_conn **cli, struct go3s_conn **srv,
			     struct go3s_conn **ln, struct sockaddr_storage *addr)
{
	int ret = pair(AF_INET, cli, srv);

	if (ret)
		return ret;
	ret = listen_on(AF_INET, GO3S_NET_TCP, 4, ln, addr);
	if (ret) {
		go3s_net_close(*cli);
		go3s_net_close(*srv);
	}
	return ret;
}

/* The peer resets the connection: a parked reader gets -ECONNRESET. */
static void net_peer_reset_wakes_reader(struct kunit *test)
{
	struct go3s_conn *cli, *srv;
	struct go3s_wg wg;
	struct call k = { .wg = &wg };

	KUNIT_ASSERT_EQ(test, pair(AF_INET, &cli, &srv), 0);
	go3s_wg_init(&wg);
	k.c = srv;
	go3s_net_set_deadline(srv, call_deadline());
	if (spawn_call(test, &k, read_body) && wait_parked(test, &k)) {
		sock_no_linger(cli->sock->sk);	/* close sends a RST */
		go3s_net_close(cli);
		cli = NULL;
	}
	go3s_net_close(cli);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	KUNIT_EXPECT_EQ(test, k.ret, -ECONNRESET);
	KUNIT_EXPECT_EQ(test, go3s_net_write(srv, "x", 1), -EPIPE);
	go3s_net_close(srv);
}

/* Half-close: the client's FIN ends the server's reads; replies still flow. */
static void net_half_close(struct kunit *test)
{
	struct go3s_conn *cli, *srv;
	char buf[16];

	KUNIT_ASSERT_EQ(test, pair(AF_INET6, &cli, &srv), 0);
	go3s_net_set_deadline(cli, call_deadline());
	go3s_net_set_deadline(srv, call_deadline());
	KUNIT_EXPECT_EQ(test, go3s_net_write(cli, "hello", 5), 5);
	KUNIT_EXPECT_EQ(test, go3s_net_shutdown(cli, GO3S_NET_SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_write(cli, "more", 4), -EPIPE);
	KUNIT_EXPECT_EQ(test, go3s_net_read(srv, buf, sizeof(buf)), 5);
	KUNIT_EXPECT_EQ(test, go3s_net_read(srv, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_write(srv, "bye", 3), 3);
	go3s_net_close(srv);
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, buf, sizeof(buf)), 3);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "bye", 3), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, buf, sizeof(buf)), 0);
	go3s_net_close(cli);
}

/* Deadlines, in a goroutine and outside one, and moved while waiting. */
static void net_deadlines(struct kunit *test)
{
	struct go3s_conn *cli, *srv, *ln;
	struct sockaddr_storage addr;
	struct call k[3] = {};
	struct go3s_wg wg;
	ktime_t t0, dl0;
	char buf[4];
	int i;

	KUNIT_ASSERT_EQ(test, pair_and_listener(&cli, &srv, &ln, &addr), 0);
	go3s_wg_init(&wg);
	for (i = 0; i < 3; i++)
		k[i].wg = &wg;

	/* A goroutine's read with a 50 ms deadline. */
	k[0].c = srv;
	dl0 = ktime_add_ms(ktime_get(), 50);
	go3s_net_set_read_deadline(srv, dl0);
	/* A goroutine's read with none, given one while it waits. */
	k[1].c = cli;
	/* An accept with a 50 ms deadline. */
	k[2].c = ln;
	go3s_net_set_read_deadline(ln, ktime_add_ms(ktime_get(), 50));
	if (spawn_call(test, &k[0], read_body) &&
	    spawn_call(test, &k[1], read_body) &&
	    spawn_call(test, &k[2], accept_one_body) &&
	    wait_parked(test, &k[1]))
		go3s_net_set_read_deadline(cli, ktime_add_ms(ktime_get(), 20));
	else
		go3s_net_set_deadline(cli, 1);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, k[i].ret, -ETIMEDOUT, "call %d", i);
	KUNIT_EXPECT_GE(test, ktime_compare(k[0].end, dl0), 0);
	KUNIT_EXPECT_LT(test, k[0].waited_ms, CALL_MS);
	KUNIT_EXPECT_LT(test, k[1].waited_ms, CALL_MS);

	/* The deadline stays: the next read fails at once; writes work. */
	KUNIT_EXPECT_EQ(test, go3s_net_read(srv, buf, sizeof(buf)), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, go3s_net_write(srv, "ab", 2), 2);
	/* Moved away, it lets the data through. */
	go3s_net_set_read_deadline(cli, 0);
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, buf, sizeof(buf)), 2);

	/* This case's thread is no goroutine: it sleeps, and times out. */
	t0 = ktime_get();
	go3s_net_set_read_deadline(cli, ktime_add_ms(t0, 30));
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, buf, sizeof(buf)), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 30);
	KUNIT_EXPECT_EQ(test, go3s_net_set_deadline(cli, -1), -EINVAL);

	go3s_net_close(ln);
	go3s_net_close(cli);
	go3s_net_close(srv);
}

/* Close while others wait in accept and read: they return -EBADF. */
static void net_close_wakes_waiters(struct kunit *test)
{
	struct go3s_conn *cli, *srv, *ln;
	struct sockaddr_storage addr;
	struct call k[2] = {};
	struct go3s_wg wg;

	KUNIT_ASSERT_EQ(test, pair_and_listener(&cli, &srv, &ln, &addr), 0);
	go3s_wg_init(&wg);
	k[0] = (struct call){ .c = ln, .wg = &wg };
	k[1] = (struct call){ .c = srv, .wg = &wg };
	go3s_net_set_deadline(ln, call_deadline());
	go3s_net_set_deadline(srv, call_deadline());
	if (spawn_call(test, &k[0], accept_one_body) &&
	    spawn_call(test, &k[1], read_body)) {
		wait_parked(test, &k[0]);
		wait_parked(test, &k[1]);
	}
	go3s_net_close(ln);
	go3s_net_close(srv);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	KUNIT_EXPECT_EQ(test, k[0].ret, -EBADF);
	KUNIT_EXPECT_EQ(test, k[1].ret, -EBADF);
	KUNIT_EXPECT_LT(test, k[1].waited_ms, CALL_MS);
	/* The peer sees the close as end of stream. */
	go3s_net_set_deadline(cli, call_deadline());
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, k[0].buf, 1), 0);
	go3s_net_close(cli);
}

/*
 * More goroutines blocked in reads than there are workers, and the
 * workers still run others: the readers park, they hold no worker.
 */
static void spin_body(void *arg)
{
	struct call *k = arg;

	k->ret = 1;
	go3s_wg_done(k->wg);
}

static void net_blocked_reads_hold_no_worker(struct kunit *test)
{
	unsigned int n = 4 * go3s_nr_workers() + 4, i, parked = 0;
	struct go3s_conn **cli, **srv;
	struct call *k, done = {};
	struct go3s_wg wg, wg2;
	int ret = 0;

	cli = kunit_kcalloc(test, n, sizeof(*cli), GFP_KERNEL);
	srv = kunit_kcalloc(test, n, sizeof(*srv), GFP_KERNEL);
	k = kunit_kcalloc(test, n, sizeof(*k), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, cli && srv && k);
	for (i = 0; i < n && !ret; i++)
		ret = pair(AF_INET, &cli[i], &srv[i]);
	if (ret) {
		while (--i > 0) {
			go3s_net_close(cli[i - 1]);
			go3s_net_close(srv[i - 1]);
		}
		KUNIT_FAIL_AND_ABORT(test, "pair %u: %d", i, ret);
	}

	go3s_wg_init(&wg);
	for (i = 0; i < n; i++) {
		k[i] = (struct call){ .c = srv[i], .wg = &wg };
		go3s_net_set_deadline(srv[i], call_deadline());
		if (!spawn_call(test, &k[i], read_body))
			break;
	}
	for (i = 0; i < n; i++)
		parked += wait_parked(test, &k[i]);
	/* All readers wait: one more goroutine still gets a worker. */
	go3s_wg_init(&wg2);
	done.wg = &wg2;
	if (spawn_call(test, &done, spin_body))
		KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg2), 0);
	KUNIT_EXPECT_EQ(test, done.ret, 1);
	/* Then each reader gets its byte. */
	for (i = 0; i < n; i++) {
		go3s_net_set_deadline(cli[i], call_deadline());
		KUNIT_EXPECT_EQ(test, go3s_net_write(cli[i], "z", 1), 1);
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	KUNIT_EXPECT_EQ(test, parked, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, k[i].ret, 1);
		go3s_net_close(cli[i]);
		go3s_net_close(srv[i]);
	}
}

/*
 * The listener closed while clients keep dialling (a server's rmmod):
 * accepts in flight end, the accept queue is drained, every connection
 * either completes its echo or fails cleanly, and nothing stays open.
 */
struct dialer {
	struct server *s;
	struct go3s_wg *wg;
	atomic_t *ok, *failed;
	bool *stop;
};

static void dialer_body(void *arg)
{
	struct dialer *d = arg;
	struct go3s_conn *c;
	unsigned int i = 0;

	while (!READ_ONCE(*d->stop) && i < 1000) {
		if (go3s_net_dial(GO3S_NET_TCP, (struct sockaddr *)&d->s->addr,
				  addr_len(&d->s->addr), call_deadline(), &c)) {
			/* Refused at once, on loopback: back off, as clients do. */
			atomic_inc(d->failed);
			go3s_sleep(NSEC_PER_MSEC);
			continue;
		}
		go3s_net_set_deadline(c, call_deadline());
		if (echo_once(c, i++))
			atomic_inc(d->ok);
		else
			atomic_inc(d->failed);
		go3s_net_close(c);
	}
	go3s_wg_done(d->wg);
}

static void net_listener_close_races_dials(struct kunit *test)
{
	atomic_t ok = ATOMIC_INIT(0), failed = ATOMIC_INIT(0);
	struct go3s_net_stats before, after;
	const unsigned int n = 8;
	struct dialer *d;
	struct go3s_wg wg;
	struct server s;
	bool stop = false;
	unsigned int i;

	d = kunit_kcalloc(test, n, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	go3s_net_get_stats(&before);
	if (!server_start(test, &s, AF_INET, 16))
		return;
	go3s_wg_init(&wg);
	for (i = 0; i < n; i++) {
		d[i] = (struct dialer){ .s = &s, .wg = &wg, .ok = &ok,
					.failed = &failed, .stop = &stop };
		go3s_wg_add(&wg, 1);
		if (go3s_go(dialer_body, &d[i])) {
			go3s_wg_done(&wg);
			KUNIT_FAIL(test, "go3s_go() failed");
			break;
		}
	}
	/* Let connections flow, then close the listener under them. */
	while (atomic_read(&ok) < 50 && atomic_read(&failed) < 1000)
		usleep_range(1000, 2000);
	server_stop(test, &s);
	msleep(20);
	WRITE_ONCE(stop, true);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	go3s_net_get_stats(&after);
	KUNIT_EXPECT_GE(test, atomic_read(&ok), 50);
	/* After the close, dials are refused: some failed, none hung. */
	KUNIT_EXPECT_GT(test, atomic_read(&failed), 0);
	KUNIT_EXPECT_EQ(test, after.open, before.open);
	kunit_info(test, "%d echoed, %d failed around the close\n",
		   atomic_read(&ok), atomic_read(&failed));
}

/* Outside goroutines the calls block the calling task. */
static void net_outside_goroutines(struct kunit *test)
{
	struct server s;
	struct go3s_conn *c;
	int ret;

	KUNIT_ASSERT_NULL(test, go3s_self());
	if (!server_start(test, &s, AF_INET, 4))
		return;
	ret = go3s_net_dial(GO3S_NET_TCP, (struct sockaddr *)&s.addr,
			    addr_len(&s.addr), call_deadline(), &c);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		go3s_net_set_deadline(c, call_deadline());
		KUNIT_EXPECT_TRUE(test, echo_once(c, 4000));
		KUNIT_EXPECT_TRUE(test, echo_once(c, 599));
		go3s_net_close(c);
	}
	server_stop(test, &s);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.last_err), 0);
}

/* Every documented errno for bad arguments; no oops, no WARN. */
static void net_bad_input(struct kunit *test)
{
	struct sockaddr_storage ss, addr;
	struct go3s_conn *ln, *cli, *srv;
	struct sockaddr *sa = (struct sockaddr *)&ss;
	int len = loopback_addr(AF_INET, &ss);
	char buf[4];

	KUNIT_EXPECT_EQ(test, go3s_net_listen(GO3S_NET_TCP, NULL, len, 4, &ln), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_listen(GO3S_NET_TCP, sa, len, 4, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_listen(7, sa, len, 4, &ln), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_listen(GO3S_NET_TCP, sa, len, 0, &ln), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_listen(GO3S_NET_TCP, sa, 4, 4, &ln), -EINVAL);
	ss.ss_family = AF_UNIX;
	KUNIT_EXPECT_EQ(test, go3s_net_listen(GO3S_NET_TCP, sa, len, 4, &ln),
			-EAFNOSUPPORT);
	len = loopback_addr(AF_INET, &ss);
	KUNIT_EXPECT_EQ(test, go3s_net_dial(GO3S_NET_TCP, sa, len, -1, &cli), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_dial(GO3S_NET_TCP, sa, len, 0, NULL), -EINVAL);

	KUNIT_ASSERT_EQ(test, listen_on(AF_INET, GO3S_NET_TCP, 4, &ln, &addr), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_listen(GO3S_NET_TCP, (struct sockaddr *)&addr,
					      addr_len(&addr), 4, &cli), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, go3s_net_accept(ln, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_read(ln, buf, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_write(ln, buf, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_shutdown(ln, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_local_addr(ln, NULL), -EINVAL);
	/* A listener shut down stays valid until closed; accepts fail. */
	KUNIT_EXPECT_EQ(test, go3s_net_shutdown(ln, GO3S_NET_SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_shutdown(ln, GO3S_NET_SHUT_RDWR), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_accept(ln, &cli), -ESHUTDOWN);
	go3s_net_close(ln);
	/* Nobody listens there any more. */
	KUNIT_EXPECT_EQ(test, go3s_net_dial(GO3S_NET_TCP, (struct sockaddr *)&addr,
					    addr_len(&addr), call_deadline(), &cli),
			-ECONNREFUSED);

	KUNIT_ASSERT_EQ(test, pair(AF_INET, &cli, &srv), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_accept(cli, &ln), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_read(cli, buf, 0), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_write(cli, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_write(cli, buf, 0), 0);
	KUNIT_EXPECT_EQ(test, go3s_net_read_from(cli, buf, 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_write_to(cli, buf, 1, (struct sockaddr *)&addr,
						addr_len(&addr)), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_shutdown(cli, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_net_peer_addr(cli, &ss), 0);
	KUNIT_EXPECT_EQ(test, ss.ss_family, AF_INET);
	go3s_net_close(NULL);
	go3s_net_close(cli);
	go3s_net_close(srv);
}

static int net_suite_init(struct kunit_suite *suite)
{
	return go3s_test_lo_up();
}

static struct kunit_case net_cases[] = {
	KUNIT_CASE_SLOW(net_echo_many_connections),
	KUNIT_CASE(net_echo_ipv6),
	KUNIT_CASE(net_udp_round_trip),
	KUNIT_CASE(net_peer_reset_wakes_reader),
	KUNIT_CASE(net_half_close),
	KUNIT_CASE(net_deadlines),
	KUNIT_CASE(net_close_wakes_waiters),
	KUNIT_CASE(net_blocked_reads_hold_no_worker),
	KUNIT_CASE_SLOW(net_listener_close_races_dials),
	KUNIT_CASE(net_outside_goroutines),
	KUNIT_CASE(net_bad_input),
	{}
};

static struct kunit_suite net_suite = {
	.name = "go3s_net",
	.suite_init = net_suite_init,
	.test_cases = net_cases,
};

kunit_test_suite(net_suite);

MODULE_DESCRIPTION("KUnit tests for go3s_rt's netpoller");
MODULE_LICENSE("GPL");
GO3S_IMPORT_NS();
