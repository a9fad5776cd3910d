/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel internals shared by chan.c (the channel, its buffer, matching a
 * case against it) and select.c (blocking: waiters, parking, timeouts).
 *
 * Every blocking operation is a select: a parker (one per operation) and a
 * waiter per case (Go's sudog), queued on the case's channel. Whoever
 * completes a case first claims the parker with one cmpxchg on ->done, so
 * exactly one case of a select happens, whichever channel's lock its
 * partner holds. Only one channel lock is ever held at a time.
 *
 * Field rules: C: the channel's ->lock; O: the operation's owner;
 * A: atomic; R: written once, by the release (the last put).
 *
 * Debug builds (CONFIG_GO3S_DEBUG) keep a released channel in quarantine
 * for an RCU grace period: ->magic turns CHAN_DEAD and every entry point
 * WARNs, naming its caller and the releaser, instead of using the channel.
 */
#ifndef _GO3S_CHAN_INT_H
#define _GO3S_CHAN_INT_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>

#include <go3s/chan.h>

struct go3s_g;

struct go3s_chan {
	raw_spinlock_t lock;
	refcount_t ref;			/* A */
	u32 elem_size;			/* constant */
	u32 cap;			/* constant */
	u32 count;			/* C: elements buffered */
	u32 recvx;			/* C: next slot to receive from */
	u32 sendx;			/* C: next slot to send into */
	bool closed;			/* C */
	struct list_head sendq;		/* C: blocked senders (waiters) */
	struct list_head recvq;		/* C: blocked receivers */
	u32 magic;			/* R: CHAN_MAGIC, CHAN_DEAD once released */
	unsigned long released_by;	/* R: debug: the last put's caller */
	struct rcu_head rcu;		/* R: debug: the quarantine; RT: a free from hard IRQ */
	u8 buf[] __aligned(8);		/* C: cap * elem_size bytes */
};

#define CHAN_MAGIC	0x67336368U	/* "g3ch" */
#define CHAN_DEAD	0x64656164U	/* "dead" */

/* ->done of a parker: 0 while open, case index + 1 once claimed. */
#define PARKER_CANCELLED	(-1)

struct chan_parker {
	atomic_t done;			/* A */
	struct go3s_select_case *cases;	/* O */
	bool published;			/* O: a waiter of it was queued */
	bool handed;			/* A: the claimer is done with it */
	struct go3s_g *g;		/* O: NULL for a plain task */
	struct task_struct *task;	/* O */
};

struct chan_waiter {
	struct list_head node;		/* C of ->c->ch */
	struct chan_parker *pk;		/* O */
	struct go3s_select_case *c;	/* O; ->ok written by the claimer */
};

/* What __go3s_chan_match() did. */
enum {
	CHAN_NOT_READY,		/* nothing; the parker is still open */
	CHAN_DONE,		/* the case completed; the parker is claimed */
	CHAN_LOST,		/* another case claimed the parker first */
	CHAN_RESTART,		/* parker claimed by us but the case failed */
};

int __go3s_chan_match(struct go3s_chan *ch, struct chan_waiter *me);
int go3s_chan_match(struct chan_waiter *w);
int go3s_select_wait(struct go3s_select_case *cases, unsigned int n,
		     s64 timeout, struct chan_waiter *ws, u8 *order);
bool go3s_chan_check(struct go3s_chan *ch);
bool go3s_chan_context_ok(s64 timeout);
unsigned int go3s_chan_nr_waiting(struct go3s_chan *ch, enum go3s_chan_dir dir);

#endif /* _GO3S_CHAN_INT_H */
