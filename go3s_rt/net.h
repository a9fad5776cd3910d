/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the netpoller, shared by net.c (waiting and waking, read,
 * write, close) and net_sock.c (listen, dial, accept, addresses).
 *
 * Field rules (legend as in kernel/workqueue.c):
 *   I: set before the connection is published, read-only after
 *   L: c->lock
 *   C: sk->sk_callback_lock
 *   A: atomic / READ_ONCE-WRITE_ONCE, any context
 *   N: conns_lock (the list of open connections)
 */
#ifndef _GO3S_NET_INTERNAL_H
#define _GO3S_NET_INTERNAL_H

#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <net/sock.h>

#include <go3s/compat.h>
#include <go3s/net.h>

enum { NET_RD, NET_WR, NET_NR_DIRS };

struct go3s_conn {
	struct socket *sock;			/* I */
	struct module *owner;			/* I */
	u8 proto;				/* I: enum go3s_net_proto */
	bool listener;				/* I */
	bool closed;				/* L, read racily (A) */
	spinlock_t lock;
	struct list_head waiters[NET_NR_DIRS];	/* L */
	unsigned int gen[NET_NR_DIRS];		/* L, read with net_gen() */
	ktime_t deadline[NET_NR_DIRS];		/* A */
	refcount_t ref;				/* the opener's + calls in flight */
	struct list_head node;			/* N */
	void (*saved_data_ready)(struct sock *sk);	/* C */
	void (*saved_write_space)(struct sock *sk);	/* C */
	void (*saved_state_change)(struct sock *sk);	/* C */
};

struct go3s_conn *go3s_net_wrap(struct socket *sock, enum go3s_net_proto proto,
				bool listener, struct module *owner,
				const struct go3s_conn *parent);
bool go3s_net_enter(struct go3s_conn *c);
void go3s_net_leave(struct go3s_conn *c);
unsigned int go3s_net_gen(struct go3s_conn *c, int dir);
int go3s_net_wait(struct go3s_conn *c, int dir, unsigned int gen);
void go3s_net_timed_out(void);
void go3s_net_unhook(struct sock *sk, void (*data_ready)(struct sock *sk),
		     void (*write_space)(struct sock *sk),
		     void (*state_change)(struct sock *sk));

#if IS_ENABLED(CONFIG_NET)
int go3s_net_init(void);
void go3s_net_exit(void);
#else
static inline int go3s_net_init(void) { return 0; }
static inline void go3s_net_exit(void) { }
#endif

#endif /* _GO3S_NET_INTERNAL_H */
