// SPDX-License-Identifier: GPL-2.0
/*
 * The netpoller: goroutines wait for sockets without holding a worker.
 *
 * Every go3s socket is non-blocking underneath. A call tries the socket
 * operation with MSG_DONTWAIT; on -EAGAIN it waits for the direction's
 * next event and tries again. The socket's sk_data_ready (read: data,
 * a connection to accept, EOF), sk_write_space (write: buffer space) and
 * sk_state_change (both: connect done, reset, shutdown) are replaced by
 * ours, which wake the waiters of the directions concerned and then call
 * the socket's own; go3s_net_close() puts the originals back.
 *
 * Concurrency contract, per connection and direction:
 *   - the waker (a socket callback, go3s_net_close(), a deadline change)
 *     bumps gen[dir] and takes every waiter off waiters[dir], under
 *     c->lock, and unparks each (go3s_unpark(), or wake_up_process() for
 *     a task) before dropping the lock, so a waiter's stack entry is
 *     never touched after the waiter could have left;
 *   - a waiter reads gen[dir] (go3s_net_gen()) *before* trying the
 *     socket, and queues itself only if gen[dir] is still that value
 *     under c->lock. An event after the try bumped gen (retry at once) or
 *     finds the waiter queued (wakes it): no wake-up is lost.
 *   - the barriers: net_wake()'s smp_mb() orders the socket's state
 *     (an skb queued, space freed) before the gen bump; go3s_net_gen()'s
 *     smp_rmb() orders the gen read before the socket is looked at.
 *
 * Callbacks find their go3s_conn in sk_user_data under sk_callback_lock;
 * go3s_net_close() clears it under the same lock (write side), after
 * which no callback can reach the connection. A listener's pointer is
 * tagged SK_USER_DATA_NOCOPY, so the sockets TCP clones from it start
 * with none: until go3s_net_accept() wraps them, our callbacks do nothing
 * for them (no one but go3s waits on them), and their saved callbacks
 * are then the listener's saved ones, the socket's real defaults.
 */
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>

#include <go3s/net.h>

#include "debugfs.h"
#include "g.h"
#include "net.h"

struct net_pcpu_stats {
	u64 parks;
	u64 wakes;
	u64 timeouts;
};

static DEFINE_PER_CPU(struct net_pcpu_stats, net_stats);
static atomic64_t net_opened = ATOMIC64_INIT(0);
static atomic64_t net_reaped = ATOMIC64_INIT(0);
static DEFINE_MUTEX(conns_lock);
static LIST_HEAD(conns);
static unsigned long nr_conns;		/* N */

#define net_stat_inc(f)	this_cpu_inc(net_stats.f)

/* A waiter: a goroutine or, outside goroutines, a task. On its stack. */
struct net_waiter {
	struct list_head node;		/* L */
	struct go3s_g *g;
	struct task_struct *task;
};

static struct go3s_conn *net_conn_of(struct sock *sk)
{
	uintptr_t p = (uintptr_t)rcu_dereference_check(__sk_user_data(sk),
			lockdep_is_held(&sk->sk_callback_lock));

	return (struct go3s_conn *)(p & SK_USER_DATA_PTRMASK);
}

/* Wake everyone waiting on @c in the directions of @dirs (a bit mask). */
static void net_wake(struct go3s_conn *c, unsigned int dirs, bool close)
{
	struct net_waiter *w, *n;
	int dir;

	/* The socket's new state before the gen bump; see the top. */
	smp_mb();
	spin_lock_bh(&c->lock);
	if (close)
		WRITE_ONCE(c->closed, true);
	for (dir = 0; dir < NET_NR_DIRS; dir++) {
		if (!(dirs & BIT(dir)))
			continue;
		WRITE_ONCE(c->gen[dir], c->gen[dir] + 1);
		list_for_each_entry_safe(w, n, &c->waiters[dir], node) {
			list_del_init(&w->node);
			if (w->g) {
				if (go3s_unpark(w->g))
					net_stat_inc(wakes);
			} else {
				wake_up_process(w->task);
			}
		}
	}
	spin_unlock_bh(&c->lock);
}

static void net_data_ready(struct sock *sk)
{
	struct go3s_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = net_conn_of(sk);
	if (c) {
		net_wake(c, BIT(NET_RD), false);
		c->saved_data_ready(sk);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void net_write_space(struct sock *sk)
{
	struct go3s_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = net_conn_of(sk);
	if (c) {
		net_wake(c, BIT(NET_WR), false);
		c->saved_write_space(sk);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void net_state_change(struct sock *sk)
{
	struct go3s_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = net_conn_of(sk);
	if (c) {
		net_wake(c, BIT(NET_RD) | BIT(NET_WR), false);
		c->saved_state_change(sk);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/*
 * Put a socket's own callbacks back (and clear sk_user_data); after this
 * no callback of ours runs for it, or is running.
 */
void go3s_net_unhook(struct sock *sk, void (*data_ready)(struct sock *sk),
		     void (*write_space)(struct sock *sk),
		     void (*state_change)(struct sock *sk))
{
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	if (sk->sk_data_ready == net_data_ready)
		sk->sk_data_ready = data_ready;
	if (sk->sk_write_space == net_write_space)
		sk->sk_write_space = write_space;
	if (sk->sk_state_change == net_state_change)
		sk->sk_state_change = state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

/*
 * Wrap @sock (which the new connection owns from now on, also on
 * failure) and hook its callbacks. An accepted socket inherited the
 * listener's callbacks (ours): its own are @parent's saved ones.
 */
struct go3s_conn *go3s_net_wrap(struct socket *sock, enum go3s_net_proto proto,
				bool listener, struct module *owner,
				const struct go3s_conn *parent)
{
	struct sock *sk = sock->sk;
	struct go3s_conn *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		sock_release(sock);
		return NULL;
	}
	c->sock = sock;
	c->owner = owner;
	c->proto = proto;
	c->listener = listener;
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->waiters[NET_RD]);
	INIT_LIST_HEAD(&c->waiters[NET_WR]);
	refcount_set(&c->ref, 1);

	write_lock_bh(&sk->sk_callback_lock);
	if (parent) {
		c->saved_data_ready = parent->saved_data_ready;
		c->saved_write_space = parent->saved_write_space;
		c->saved_state_change = parent->saved_state_change;
	} else {
		c->saved_data_ready = sk->sk_data_ready;
		c->saved_write_space = sk->sk_write_space;
		c->saved_state_change = sk->sk_state_change;
	}
	if (listener)
		__rcu_assign_sk_user_data_with_flags(sk, c, SK_USER_DATA_NOCOPY);
	else
		rcu_assign_sk_user_data(sk, c);
	sk->sk_data_ready = net_data_ready;
	sk->sk_write_space = net_write_space;
	sk->sk_state_change = net_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	mutex_lock(&conns_lock);
	list_add_tail(&c->node, &conns);
	nr_conns++;
	mutex_unlock(&conns_lock);
	atomic64_inc(&net_opened);
	return c;
}

/* A call starts: false if @c is closed (the call returns -EBADF). */
bool go3s_net_enter(struct go3s_conn *c)
{
	if (READ_ONCE(c->closed))
		return false;
	return refcount_inc_not_zero(&c->ref);
}

static void net_free(struct go3s_conn *c)
{
	struct socket *sock = c->sock;

	/*
	 * A listener's accept queue may hold sockets cloned with our
	 * callbacks and not wrapped yet: give them their own back first.
	 */
	if (c->listener) {
		struct socket *child;

		while (!kernel_accept(sock, &child, O_NONBLOCK)) {
			go3s_net_unhook(child->sk, c->saved_data_ready,
					c->saved_write_space,
					c->saved_state_change);
			sock_release(child);
		}
	}
	sock_release(sock);
	kfree(c);
}

/* A call ends; the last one out of a closed connection frees it. */
void go3s_net_leave(struct go3s_conn *c)
{
	if (refcount_dec_and_test(&c->ref))
		net_free(c);
}

/* Sample @dir's generation before trying the socket; see the top. */
unsigned int go3s_net_gen(struct go3s_conn *c, int dir)
{
	unsigned int gen = READ_ONCE(c->gen[dir]);

	smp_rmb(); /* pairs with smp_mb() in net_wake() */
	return gen;
}

void go3s_net_timed_out(void)
{
	net_stat_inc(timeouts);
}

static int net_expired(ktime_t deadline)
{
	if (deadline && !ktime_before(ktime_get(), deadline)) {
		net_stat_inc(timeouts);
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Wait until @dir's generation moves past @gen (an event, a close, a
 * deadline change) or the direction's deadline passes. Returns 0 to try
 * the socket again, -ETIMEDOUT, -EBADF once closed, -EINTR for a task
 * with a fatal signal, or -EDEADLK when the switch checks refuse to park
 * the calling goroutine (it holds a lock: see <go3s/go.h>).
 */
int go3s_net_wait(struct go3s_conn *c, int dir, unsigned int gen)
{
	ktime_t deadline = READ_ONCE(c->deadline[dir]);
	struct net_waiter w = { .g = go3s_self() };
	int ret;

	ret = net_expired(deadline);
	if (ret)
		return ret;
	if (!w.g)
		w.task = current;

	spin_lock_bh(&c->lock);
	if (c->closed) {
		spin_unlock_bh(&c->lock);
		return -EBADF;
	}
	if (c->gen[dir] != gen) {
		spin_unlock_bh(&c->lock);
		return 0;
	}
	list_add_tail(&w.node, &c->waiters[dir]);
	if (w.g)
		go3s_park_prepare(GO3S_WAIT_NET);
	else
		set_current_state(TASK_KILLABLE);
	spin_unlock_bh(&c->lock);

	if (w.g) {
		net_stat_inc(parks);
		if (deadline)
			hrtimer_start(&w.g->timer, deadline,
				      HRTIMER_MODE_ABS_HARD);
		ret = go3s_park();
		if (deadline)
			hrtimer_cancel(&w.g->timer);
	} else {
		if (deadline)
			schedule_hrtimeout(&deadline, HRTIMER_MODE_ABS);
		else
			schedule();
		__set_current_state(TASK_RUNNING);
		if (fatal_signal_pending(current))
			ret = -EINTR;
	}

	/* Still queued: woken by the timer, or not at all (-EDEADLK). */
	spin_lock_bh(&c->lock);
	if (!list_empty(&w.node))
		list_del(&w.node);
	if (!ret && c->closed)
		ret = -EBADF;
	spin_unlock_bh(&c->lock);
	return ret ?: net_expired(READ_ONCE(c->deadline[dir]));
}

static bool net_check(struct go3s_conn *c, const void *buf, size_t len)
{
	if (WARN_ON_ONCE(!c))
		return false;
	return !(len && !buf);
}

/* Try a transfer until it moves data or fails otherwise than -EAGAIN. */
static int net_xfer(struct go3s_conn *c, int dir, void *buf, size_t len,
		    struct sockaddr_storage *name, int namelen)
{
	unsigned int gen;
	int ret;

	len = min_t(size_t, len, MAX_RW_COUNT);
	do {
		struct kvec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = {
			.msg_name = name,
			.msg_namelen = namelen,
			.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
		};

		gen = go3s_net_gen(c, dir);
		if (dir == NET_RD)
			ret = kernel_recvmsg(c->sock, &msg, &iov, 1, len,
					     msg.msg_flags);
		else
			ret = kernel_sendmsg(c->sock, &msg, &iov, 1, len);
		if (ret != -EAGAIN)
			break;
		ret = go3s_net_wait(c, dir, gen);
	} while (!ret);
	return ret;
}

static ssize_t net_read(struct go3s_conn *c, void *buf, size_t len,
			struct sockaddr_storage *from)
{
	ssize_t ret;

	if (!net_check(c, buf, len) || c->listener)
		return -EINVAL;
	if (!go3s_net_enter(c))
		return -EBADF;
	ret = net_expired(READ_ONCE(c->deadline[NET_RD]));
	if (!ret && len)
		ret = net_xfer(c, NET_RD, buf, len, from,
			       from ? sizeof(*from) : 0);
	go3s_net_leave(c);
	return ret;
}

/**
 * go3s_net_read - read from a connection, as Go's Conn.Read
 * @c: the connection.
 * @buf: where to put the data.
 * @len: at most this many bytes (capped at MAX_RW_COUNT).
 *
 * Parks the calling goroutine (sleeps the calling task) until some data
 * has arrived, then returns what there is. For UDP, one datagram.
 * Context: process context; may sleep.
 * Return: the number of bytes read; 0 at end of stream (the peer shut
 * its side down) or for a zero @len; -ETIMEDOUT when the read deadline
 * passed; -EBADF when @c is closed (also by another goroutine while this
 * one waited); -EINVAL for a NULL @buf with a non-zero @len or a
 * listener; -EINTR when a non-goroutine caller got a fatal signal;
 * -EDEADLK when called with a lock held; or the socket's error
 * (-ECONNRESET, ...). WARNs once for a NULL @c.
 */
ssize_t go3s_net_read(struct go3s_conn *c, void *buf, size_t len)
{
	return net_read(c, buf, len, NULL);
}
EXPORT_SYMBOL_GO3S(go3s_net_read);

/**
 * go3s_net_read_from - receive one datagram, as Go's ReadFrom
 * @c: a UDP socket.
 * @buf: where to put the datagram.
 * @len: its size; a longer datagram is truncated.
 * @from: set to the sender's address; may be NULL.
 *
 * Context: process context; may sleep.
 * Return: as go3s_net_read(), plus -EINVAL for a connection that is not
 * UDP.
 */
ssize_t go3s_net_read_from(struct go3s_conn *c, void *buf, size_t len,
			   struct sockaddr_storage *from)
{
	if (c && c->proto != GO3S_NET_UDP)
		return -EINVAL;
	return net_read(c, buf, len, from);
}
EXPORT_SYMBOL_GO3S(go3s_net_read_from);

static ssize_t net_write(struct go3s_conn *c, const void *buf, size_t len,
			 const struct sockaddr *to, int tolen)
{
	size_t done = 0;
	ssize_t ret;

	if (!net_check(c, buf, len) || c->listener)
		return -EINVAL;
	if (!go3s_net_enter(c))
		return -EBADF;
	ret = net_expired(READ_ONCE(c->deadline[NET_WR]));
	while (!ret && done < len) {
		ret = net_xfer(c, NET_WR, (void *)buf + done, len - done,
			       (struct sockaddr_storage *)to, tolen);
		if (ret > 0) {
			done += ret;
			ret = 0;
		}
	}
	go3s_net_leave(c);
	return done ?: ret;
}

/**
 * go3s_net_write - write all of @buf, as Go's Conn.Write
 * @c: the connection.
 * @buf: the data.
 * @len: its length.
 *
 * Parks the calling goroutine (sleeps the calling task) while the
 * socket's send buffer is full, until all of @buf is queued. For UDP,
 * @buf is one datagram to the dialled peer.
 * Context: process context; may sleep.
 * Return: @len; or, when an error stops it part-way, the bytes already
 * queued (as write(2)); or, when nothing was queued, -ETIMEDOUT (write
 * deadline), -EBADF (closed), -EPIPE (shut down for writing, or the
 * peer reset the connection), -EINVAL (a NULL @buf with a non-zero @len,
 * or a listener), -EINTR, -EDEADLK, or the socket's error. WARNs once
 * for a NULL @c.
 */
ssize_t go3s_net_write(struct go3s_conn *c, const void *buf, size_t len)
{
	return net_write(c, buf, len, NULL, 0);
}
EXPORT_SYMBOL_GO3S(go3s_net_write);

/**
 * go3s_net_write_to - send one datagram to @to, as Go's WriteTo
 * @c: a UDP socket.
 * @buf: the datagram.
 * @len: its length.
 * @to: the destination, a struct sockaddr_in or sockaddr_in6.
 * @tolen: sizeof(*@to) as that family has it.
 *
 * Context: process context; may sleep.
 * Return: as go3s_net_write(), plus -EINVAL for a NULL @to, a bad
 * @tolen or a connection that is not UDP, and -EMSGSIZE for a datagram
 * too long for UDP.
 */
ssize_t go3s_net_write_to(struct go3s_conn *c, const void *buf, size_t len,
			  const struct sockaddr *to, int tolen)
{
	if (c && c->proto != GO3S_NET_UDP)
		return -EINVAL;
	if (!to || tolen < (int)sizeof(struct sockaddr_in) ||
	    tolen > (int)sizeof(struct sockaddr_storage))
		return -EINVAL;
	return net_write(c, buf, len, to, tolen);
}
EXPORT_SYMBOL_GO3S(go3s_net_write_to);

static int net_set_deadline(struct go3s_conn *c, unsigned int dirs,
			    ktime_t deadline)
{
	if (WARN_ON_ONCE(!c))
		return -EINVAL;
	if (deadline < 0)
		return -EINVAL;
	if (!go3s_net_enter(c))
		return -EBADF;
	if (dirs & BIT(NET_RD))
		WRITE_ONCE(c->deadline[NET_RD], deadline);
	if (dirs & BIT(NET_WR))
		WRITE_ONCE(c->deadline[NET_WR], deadline);
	/* Calls waiting now look at the new deadline, as in Go. */
	net_wake(c, dirs, false);
	go3s_net_leave(c);
	return 0;
}

/**
 * go3s_net_set_deadline - set the read and the write deadline
 * @c: the connection or listener (whose deadline bounds accept).
 * @deadline: a ktime_get() time; 0 for none.
 *
 * Calls blocked on @c now wait against the new deadline, as in Go: one
 * in the past makes them, and any later call, return -ETIMEDOUT.
 * Context: process context.
 * Return: 0, -EINVAL for a negative @deadline, -EBADF when @c is closed.
 * WARNs once for a NULL @c.
 */
int go3s_net_set_deadline(struct go3s_conn *c, ktime_t deadline)
{
	return net_set_deadline(c, BIT(NET_RD) | BIT(NET_WR), deadline);
}
EXPORT_SYMBOL_GO3S(go3s_net_set_deadline);

/**
 * go3s_net_set_read_deadline - set the deadline of reads (and accepts)
 * @c: the connection or listener.
 * @deadline: a ktime_get() time; 0 for none.
 *
 * Context: process context.
 * Return: as go3s_net_set_deadline().
 */
int go3s_net_set_read_deadline(struct go3s_conn *c, ktime_t deadline)
{
	return net_set_deadline(c, BIT(NET_RD), deadline);
}
EXPORT_SYMBOL_GO3S(go3s_net_set_read_deadline);

/**
 * go3s_net_set_write_deadline - set the deadline of writes
 * @c: the connection.
 * @deadline: a ktime_get() time; 0 for none.
 *
 * Context: process context.
 * Return: as go3s_net_set_deadline().
 */
int go3s_net_set_write_deadline(struct go3s_conn *c, ktime_t deadline)
{
	return net_set_deadline(c, BIT(NET_WR), deadline);
}
EXPORT_SYMBOL_GO3S(go3s_net_set_write_deadline);

static void net_release(struct go3s_conn *c)
{
	go3s_net_unhook(c->sock->sk, c->saved_data_ready,
			c->saved_write_space, c->saved_state_change);
	net_wake(c, BIT(NET_RD) | BIT(NET_WR), true);
	go3s_net_leave(c);
}

/**
 * go3s_net_close - close a connection or a listener
 * @c: what to close; NULL is ignored.
 *
 * Puts the socket's own callbacks back, and wakes the calls blocked on
 * @c (they return -EBADF). The socket is released (TCP sends its FIN, or
 * a reset if unread data is left) once the last of those calls has
 * returned, perhaps after go3s_net_close() itself has. @c must not be
 * used once this is called.
 * Context: process context; may sleep.
 */
void go3s_net_close(struct go3s_conn *c)
{
	if (!c)
		return;
	/* A second close is a use after free in waiting: say so. */
	if (WARN_ON_ONCE(READ_ONCE(c->closed)))
		return;
	mutex_lock(&conns_lock);
	list_del_init(&c->node);
	nr_conns--;
	mutex_unlock(&conns_lock);
	net_release(c);
}
EXPORT_SYMBOL_GO3S(go3s_net_close);

/**
 * go3s_net_get_stats - read the netpoller's counters
 * @st: filled in.
 *
 * Context: any context.
 */
void go3s_net_get_stats(struct go3s_net_stats *st)
{
	int cpu;

	if (WARN_ON_ONCE(!st))
		return;
	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct net_pcpu_stats *s = per_cpu_ptr(&net_stats, cpu);

		st->parks += READ_ONCE(s->parks);
		st->wakes += READ_ONCE(s->wakes);
		st->timeouts += READ_ONCE(s->timeouts);
	}
	st->open = READ_ONCE(nr_conns);
	st->opened = atomic64_read(&net_opened);
	st->reaped = atomic64_read(&net_reaped);
}
EXPORT_SYMBOL_GO3S(go3s_net_get_stats);

static int net_show(struct seq_file *m, void *unused)
{
	struct go3s_net_stats st;

	go3s_net_get_stats(&st);
	seq_printf(m, "open %llu opened %llu parks %llu wakes %llu timeouts %llu reaped %llu\n",
		   st.open, st.opened, st.parks, st.wakes, st.timeouts,
		   st.reaped);
	return 0;
}

/*
 * A module going away with connections open: a caller bug (its exit must
 * close them), but one that would leave callbacks into freed data.
 * Close them, and say so.
 */
static int net_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;
	struct go3s_conn *c, *n;
	LIST_HEAD(reap);

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&conns_lock);
	list_for_each_entry_safe(c, n, &conns, node) {
		if (c->owner == mod) {
			list_move_tail(&c->node, &reap);
			nr_conns--;
		}
	}
	mutex_unlock(&conns_lock);
	if (list_empty(&reap))
		return NOTIFY_DONE;
	WARN(1, "go3s: module %s left connections open; closing them\n",
	     mod->name);
	list_for_each_entry_safe(c, n, &reap, node) {
		list_del_init(&c->node);
		atomic64_inc(&net_reaped);
		if (!READ_ONCE(c->closed))
			net_release(c);
	}
	return NOTIFY_DONE;
}

static struct notifier_block net_module_nb = {
	.notifier_call = net_module_notify,
};

DEFINE_SHOW_ATTRIBUTE(net);

int go3s_net_init(void)
{
	debugfs_create_file("net", 0444, go3s_debugfs_root(), NULL, &net_fops);
	return register_module_notifier(&net_module_nb);
}

void go3s_net_exit(void)
{
	unregister_module_notifier(&net_module_nb);
}
