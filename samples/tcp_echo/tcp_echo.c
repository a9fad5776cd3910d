// SPDX-License-Identifier: GPL-2.0
/*
 * A TCP echo server in the kernel, one goroutine per connection, on
 * go3s_rt's netpoller (<go3s/net.h>). Each connection is a go3s state
 * machine:
 *
 *	IDLE -ACCEPT-> HANDSHAKING -GREETED-> ESTABLISHED
 *	HANDSHAKING, ESTABLISHED -EOF|TIMEOUT|ERROR|STOP-> CLOSING
 *	CLOSING -CLOSED-> CLOSED
 *
 * and no other move: the machine refuses any other event (-EPERM) and
 * counts it. The server greets ("go3s tcp_echo <id>"), then echoes every
 * line. A client line starting with "!reset" asks for ACCEPT again, which
 * ESTABLISHED refuses: the server answers "refused: ACCEPT in ESTABLISHED"
 * and carries on (that is how the VM test sees a refusal counted).
 *
 * A connection silent for idle_ms is closed ("bye: idle"); at rmmod every
 * connection is shut down for reading, says "bye: shutdown" and is closed
 * gracefully (FIN), then the module waits for all of its goroutines. They
 * are go3s_go_unpinned() ones: they hold no reference on the module, so
 * rmmod is not refused while connections are open; the exit ends them.
 * debugfs go3s_tcp_echo (and go3s/fsm, each machine's moves) shows the
 * counts.
 *
 * Module parameters: port (default 7007), idle_ms (default 30000),
 * ipv6=1 listens on [::] (IPv4 clients too) instead of 0.0.0.0.
 */
#include <linux/debugfs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <go3s/fsm.h>
#include <go3s/go.h>
#include <go3s/net.h>
#include <go3s/wg.h>

static unsigned short port = 7007;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on");

static unsigned int idle_ms = 30000;
module_param(idle_ms, uint, 0444);
MODULE_PARM_DESC(idle_ms, "Close a connection silent this long (ms)");

static bool ipv6;
module_param(ipv6, bool, 0444);
MODULE_PARM_DESC(ipv6, "Listen on [::] (IPv6 and IPv4) rather than 0.0.0.0");

#define CONN_STATES(X...) \
	(X(IDLE) X(HANDSHAKING) X(ESTABLISHED) X(CLOSING) X(CLOSED))
#define CONN_EVENTS(X...) \
	(X(ACCEPT) X(GREETED) X(EOF) X(TIMEOUT) X(ERROR) X(STOP) X(CLOSE))
GO3S_FSM_ENUM(echo_state, CONN_STATES);
GO3S_FSM_ENUM(echo_event, CONN_EVENTS);

static const struct go3s_fsm_state tcp_echo_states[] = {
	[IDLE] = {}, [HANDSHAKING] = {}, [ESTABLISHED] = {},
	[CLOSING] = {}, [CLOSED] = {},
};

static const struct go3s_fsm_trans tcp_echo_trans[] = {
	GO3S_FSM_T(IDLE, ACCEPT, HANDSHAKING, NULL),
	GO3S_FSM_T(HANDSHAKING, GREETED, ESTABLISHED, NULL),
	GO3S_FSM_T(HANDSHAKING, ERROR, CLOSING, NULL),
	GO3S_FSM_T(HANDSHAKING, STOP, CLOSING, NULL),
	GO3S_FSM_T(ESTABLISHED, EOF, CLOSING, NULL),
	GO3S_FSM_T(ESTABLISHED, TIMEOUT, CLOSING, NULL),
	GO3S_FSM_T(ESTABLISHED, ERROR, CLOSING, NULL),
	GO3S_FSM_T(ESTABLISHED, STOP, CLOSING, NULL),
	GO3S_FSM_T(CLOSING, CLOSE, CLOSED, NULL),
};

GO3S_FSM_TABLE(tcp_echo, CONN_STATES, CONN_EVENTS, IDLE);

#define LINE_MAX	256

struct echo_conn {
	struct list_head node;		/* conns_lock */
	struct go3s_conn *c;
	struct go3s_fsm *fsm;
	u64 id;
	char line[LINE_MAX];		/* a partial line, until its '\n' */
};

static struct go3s_conn *listener;
static struct go3s_wg wg;
static DEFINE_MUTEX(conns_lock);
static LIST_HEAD(conns);
static bool stopping;			/* conns_lock */
static struct dentry *dbg;
static atomic64_t nr_accepted, nr_closed, nr_idle, nr_refused, nr_bytes;
static atomic64_t nr_errors, nr_live, nr_eof;

static int say(struct echo_conn *ec, const char *s)
{
	size_t len = strlen(s);

	return go3s_net_write(ec->c, s, len) == len ? 0 : -EIO;
}

/* Fire @ev; a refused event is counted (and by the machine itself). */
static int move(struct echo_conn *ec, enum echo_event ev)
{
	int ret = go3s_fsm_fire(ec->fsm, ev);

	if (ret == -EPERM)
		atomic64_inc(&nr_refused);
	return ret;
}

/*
 * One line (with its '\n', or a full buffer's worth): "!reset" asks for
 * ACCEPT again, which ESTABLISHED refuses; anything else is echoed.
 */
static int echo_line(struct echo_conn *ec, const char *line, size_t len)
{
	if (len >= 6 && !memcmp(line, "!reset", 6) &&
	    move(ec, ACCEPT) == -EPERM)
		return say(ec, "refused: ACCEPT in ESTABLISHED\n");
	return go3s_net_write(ec->c, line, len) == len ? 0 : -EIO;
}

/* Echo until end of stream, silence, an error or rmmod; the next event. */
static enum echo_event echo_loop(struct echo_conn *ec)
{
	char *buf = ec->line;
	size_t have = 0, i, start;
	ssize_t n;

	for (;;) {
		go3s_net_set_read_deadline(ec->c, idle_ms ?
			ktime_add_ms(ktime_get(), idle_ms) : 0);
		n = go3s_net_read(ec->c, buf + have, LINE_MAX - have);
		if (n == -ETIMEDOUT)
			return TIMEOUT;
		if (n < 0)
			return ERROR;
		if (!n)
			return READ_ONCE(stopping) ? STOP : EOF;
		atomic64_add(n, &nr_bytes);
		have += n;
		for (i = start = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			if (echo_line(ec, buf + start, i + 1 - start))
				return ERROR;
			start = i + 1;
		}
		if (!start && have == LINE_MAX) {
			/* No newline in a full buffer: echo it as it is. */
			if (echo_line(ec, buf, have))
				return ERROR;
			start = have;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
}

static void conn_body(void *arg)
{
	struct echo_conn *ec = arg;
	enum echo_event ev = ERROR;
	char greet[48];

	snprintf(greet, sizeof(greet), "go3s tcp_echo %llu\n", ec->id);
	if (!move(ec, ACCEPT) && !say(ec, greet) && !move(ec, GREETED))
		ev = echo_loop(ec);
	if (READ_ONCE(stopping) && ev != ERROR)
		ev = STOP;
	move(ec, ev);
	if (ev == TIMEOUT) {
		atomic64_inc(&nr_idle);
		go3s_net_set_write_deadline(ec->c, ktime_add_ms(ktime_get(), 1000));
		say(ec, "bye: idle\n");
	} else if (ev == STOP) {
		go3s_net_set_write_deadline(ec->c, ktime_add_ms(ktime_get(), 1000));
		say(ec, "bye: shutdown\n");
	} else if (ev == EOF) {
		atomic64_inc(&nr_eof);
	} else if (ev == ERROR) {
		atomic64_inc(&nr_errors);
	}

	mutex_lock(&conns_lock);
	list_del(&ec->node);
	mutex_unlock(&conns_lock);
	go3s_net_close(ec->c);
	move(ec, CLOSE);
	go3s_fsm_destroy(ec->fsm);
	kfree(ec);
	atomic64_inc(&nr_closed);
	atomic64_dec(&nr_live);
	go3s_wg_done(&wg);
}

/* Wrap an accepted connection and start its goroutine. */
static int conn_start(struct go3s_conn *c, u64 id)
{
	struct echo_conn *ec;
	char name[32];
	int ret = -ENOMEM;

	ec = kzalloc(sizeof(*ec), GFP_KERNEL);
	if (!ec)
		goto err;
	ec->c = c;
	ec->id = id;
	snprintf(name, sizeof(name), "tcp_echo:%llu", id);
	ec->fsm = go3s_fsm_create(&tcp_echo_table, name, ec);
	if (IS_ERR(ec->fsm)) {
		ret = PTR_ERR(ec->fsm);
		goto err_free;
	}
	mutex_lock(&conns_lock);
	if (stopping) {
		mutex_unlock(&conns_lock);
		ret = -ESHUTDOWN;
		goto err_fsm;
	}
	list_add_tail(&ec->node, &conns);
	go3s_wg_add(&wg, 1);
	atomic64_inc(&nr_live);
	ret = go3s_go_unpinned(conn_body, ec);
	if (ret) {
		list_del(&ec->node);
		atomic64_dec(&nr_live);
		go3s_wg_done(&wg);
	}
	mutex_unlock(&conns_lock);
	if (!ret)
		return 0;
err_fsm:
	go3s_fsm_destroy(ec->fsm);
err_free:
	kfree(ec);
err:
	go3s_net_close(c);
	return ret;
}

static void accept_body(void *unused)
{
	struct go3s_conn *c;
	u64 id = 0;
	int ret;

	for (;;) {
		ret = go3s_net_accept(listener, &c);
		if (ret == -EBADF)
			break;
		if (ret) {
			atomic64_inc(&nr_errors);
			continue;
		}
		atomic64_inc(&nr_accepted);
		if (conn_start(c, ++id))
			atomic64_inc(&nr_errors);
	}
	go3s_wg_done(&wg);
}

static int stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "live %lld accepted %lld closed %lld eof %lld idle_closed %lld refused %lld bytes %lld errors %lld\n",
		   atomic64_read(&nr_live), atomic64_read(&nr_accepted),
		   atomic64_read(&nr_closed), atomic64_read(&nr_eof),
		   atomic64_read(&nr_idle),
		   atomic64_read(&nr_refused), atomic64_read(&nr_bytes),
		   atomic64_read(&nr_errors));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int __init tcp_echo_init(void)
{
	struct sockaddr_storage ss = {};
	int len, ret;

	if (ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		len = sizeof(*a);
	}
	go3s_wg_init(&wg);
	ret = go3s_net_listen(GO3S_NET_TCP, (struct sockaddr *)&ss, len, 1024,
			      &listener);
	if (ret) {
		pr_err("listen on port %u: %d\n", port, ret);
		return ret;
	}
	go3s_wg_add(&wg, 1);
	ret = go3s_go_unpinned(accept_body, NULL);
	if (ret) {
		go3s_wg_done(&wg);
		go3s_net_close(listener);
		return ret;
	}
	dbg = debugfs_create_file("go3s_tcp_echo", 0444, NULL, NULL, &stats_fops);
	pr_info("listening on %s port %u, idle timeout %u ms\n",
		ipv6 ? "[::]" : "0.0.0.0", port, idle_ms);
	return 0;
}

static void __exit tcp_echo_exit(void)
{
	struct echo_conn *ec;

	debugfs_remove(dbg);
	/* No new connection: the accept loop ends. */
	go3s_net_close(listener);
	/* Each connection's read returns 0: it says goodbye and closes. */
	mutex_lock(&conns_lock);
	WRITE_ONCE(stopping, true);
	list_for_each_entry(ec, &conns, node)
		go3s_net_shutdown(ec->c, GO3S_NET_SHUT_RD);
	mutex_unlock(&conns_lock);
	go3s_wg_wait(&wg);
	pr_info("stopped: %lld connections served, %lld refused events\n",
		atomic64_read(&nr_closed), atomic64_read(&nr_refused));
}

module_init(tcp_echo_init);
module_exit(tcp_echo_exit);

MODULE_DESCRIPTION("go3s sample: a TCP echo server, one goroutine per connection");
MODULE_LICENSE("GPL");
GO3S_IMPORT_NS();
