// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: the object, its ring buffer, and matching one case of an
 * operation against the channel under its lock (__go3s_chan_match()).
 * Blocking lives in select.c; see chan.h for the parker/waiter model.
 *
 * ->lock is a raw spinlock taken with interrupts off: the try_ forms run
 * in hard IRQ, and the critical sections are short and bounded (a copy
 * of one element, a few list operations, at most one wake-up per case).
 */
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "bug.h"
#include "chan.h"
#include "g.h"
#include "kcompat.h"
#include "sched.h"
#include "trace.h"

static const bool debug = IS_ENABLED(CONFIG_GO3S_DEBUG);

/*
 * @pk's operation @dir on @ch completed, in the caller's own context if
 * @own (a try_ form's parker names no goroutine). Called with the
 * channel's lock held, so with interrupts off.
 */
static void count_op(struct go3s_chan *ch, struct chan_parker *pk, u8 dir,
		     bool own)
{
	if (trace_go3s_chan_op_enabled())
		trace_go3s_chan_op(ch, dir, pk->g ? pk->g->id :
					    own ? go3s_self_id() : 0);
	if (dir == GO3S_CHAN_SEND)
		go3s_stat_inc_irqoff(chan_sends);
	else
		go3s_stat_inc_irqoff(chan_recvs);
}

/* Claim @w's operation for its case. Pairs with parker_wait()'s smp_mb(). */
static bool claim(struct chan_waiter *w)
{
	return atomic_cmpxchg(&w->pk->done, 0, w->c - w->pk->cases + 1) == 0;
}

/* Claim our own parker: nobody else can see it before it is published. */
static bool claim_self(struct chan_waiter *me)
{
	if (!me->pk->published) {
		atomic_set(&me->pk->done, me->c - me->pk->cases + 1);
		return true;
	}
	return claim(me);
}

/* Elements are mostly small scalars: copy those without a call. */
static __always_inline void copy_elem(void *dst, const void *src, u32 size)
{
	switch (size) {
	case 8:
		put_unaligned(get_unaligned((const u64 *)src), (u64 *)dst);
		break;
	case 4:
		put_unaligned(get_unaligned((const u32 *)src), (u32 *)dst);
		break;
	default:
		memcpy(dst, src, size);
	}
}

/*
 * Hand a claimed waiter back to its owner. Caller holds the channel's lock.
 * The owner's parker and waiter live on its stack: it waits for ->handed
 * before it leaves (select.c, wait_handed()), so setting ->handed is the
 * last touch of either.
 */
static void wake(struct chan_waiter *w)
{
	struct chan_parker *pk = w->pk;

	list_del_init(&w->node);
	if (w->c->ok)
		count_op(w->c->ch, pk, w->c->dir, false);
	if (pk->g)
		go3s_unpark(pk->g);
	else
		wake_up_process(pk->task);
	/* Pairs with smp_load_acquire() in wait_handed(). */
	smp_store_release(&pk->handed, true);
}

/*
 * The first waiter on @q that can still be claimed, other than @own's.
 * Waiters already claimed elsewhere (or cancelled) are unlinked on the
 * way: their owners only unlink what is still linked.
 */
static struct chan_waiter *first_live(struct list_head *q,
				      struct chan_parker *own)
{
	struct chan_waiter *w, *tmp;

	list_for_each_entry_safe(w, tmp, q, node) {
		if (w->pk == own)
			continue;
		if (!atomic_read(&w->pk->done))
			return w;
		list_del_init(&w->node);
	}
	return NULL;
}

static void buf_put(struct go3s_chan *ch, const void *elem)
{
	copy_elem(ch->buf + (size_t)ch->sendx * ch->elem_size, elem, ch->elem_size);
	if (++ch->sendx == ch->cap)
		ch->sendx = 0;
	ch->count++;
}

static void buf_get(struct go3s_chan *ch, void *elem)
{
	copy_elem(elem, ch->buf + (size_t)ch->recvx * ch->elem_size, ch->elem_size);
	if (++ch->recvx == ch->cap)
		ch->recvx = 0;
	ch->count--;
}

/* A slot came free: the longest-blocked sender's element takes it. */
static void refill(struct go3s_chan *ch, struct chan_parker *own)
{
	struct chan_waiter *w;

	while ((w = first_live(&ch->sendq, own))) {
		if (claim(w)) {
			buf_put(ch, w->c->elem);
			w->c->ok = true;
			wake(w);
			return;
		}
	}
}

/*
 * Complete @me's case on @ch now, if the channel allows it: take from the
 * buffer or a blocked sender, give to a blocked receiver or the buffer,
 * or observe the close. Our own parker is claimed before any partner, so
 * a partner is never claimed for an operation that then cannot happen.
 * Caller holds ch->lock.
 */
int __go3s_chan_match(struct go3s_chan *ch, struct chan_waiter *me)
{
	struct go3s_select_case *c = me->c;
	struct chan_parker *pk = me->pk;
	bool claimed = false;
	struct chan_waiter *w;

	for (;;) {
		struct list_head *peers = c->dir == GO3S_CHAN_SEND ?
					  &ch->recvq : &ch->sendq;

		if (c->dir == GO3S_CHAN_RECV && ch->count) {
			if (!claimed && !claim_self(me))
				return CHAN_LOST;
			buf_get(ch, c->elem);
			refill(ch, pk);
			goto done;
		}
		w = (c->dir == GO3S_CHAN_SEND && ch->closed) ? NULL :
		    first_live(peers, pk);
		if (!w && !ch->closed &&
		    (c->dir == GO3S_CHAN_RECV || ch->count == ch->cap))
			break;
		if (!claimed && !claim_self(me))
			return CHAN_LOST;
		claimed = true;
		if (ch->closed) {
			/* Sends fail; receives got here with nothing buffered. */
			if (c->dir == GO3S_CHAN_RECV)
				memset(c->elem, 0, ch->elem_size);
			c->ok = false;
			return CHAN_DONE;
		}
		if (!w) {
			buf_put(ch, c->elem);
			goto done;
		}
		if (!claim(w))
			continue;	/* claimed elsewhere since: try the next */
		if (c->dir == GO3S_CHAN_SEND)
			copy_elem(w->c->elem, c->elem, ch->elem_size);
		else
			copy_elem(c->elem, w->c->elem, ch->elem_size);
		w->c->ok = true;
		wake(w);
		goto done;
	}
	if (!claimed)
		return CHAN_NOT_READY;
	if (!pk->published) {
		/* Nobody else can have seen the claim: take it back. */
		atomic_set(&pk->done, 0);
		return CHAN_NOT_READY;
	}
	return CHAN_RESTART;
done:
	c->ok = true;
	count_op(ch, pk, c->dir, true);
	return CHAN_DONE;
}

/* __go3s_chan_match() under the lock of @w's channel. */
int go3s_chan_match(struct chan_waiter *w)
{
	struct go3s_chan *ch = w->c->ch;
	unsigned long flags;
	int r;

	raw_spin_lock_irqsave(&ch->lock, flags);
	r = __go3s_chan_match(ch, w);
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	return r;
}

/*
 * A blocking operation from interrupt context is a caller bug, caught
 * whether or not it would have had to wait; nothing is NMI-safe here.
 */
bool go3s_chan_context_ok(s64 timeout)
{
	return !GO3S_WARN_ONCE(in_nmi() || (timeout && !in_task()),
			       "go3s: blocking channel operation from interrupt context\n");
}

/*
 * Every entry point checks its channel; @ip names the caller. A NULL
 * channel WARNs once (bug.h). A debug build finds a released channel in
 * quarantine and WARNs on every call; a production build has freed it
 * and cannot tell (a caller bug, as for any freed kernel object).
 */
static bool chan_live(struct go3s_chan *ch, unsigned long ip)
{
	u32 magic;

	if (GO3S_WARN_ONCE(!ch, "go3s: operation on a NULL channel at %pS\n",
			   (void *)ip))
		return false;
	if (!debug)
		return true;
	magic = READ_ONCE(ch->magic);
	if (likely(magic == CHAN_MAGIC))
		return true;
	if (magic == CHAN_DEAD)
		WARN(1, "go3s: operation on a released channel at %pS (last put at %pS)\n",
		     (void *)ip, (void *)ch->released_by);
	else
		WARN(1, "go3s: operation on %p, not a channel, at %pS\n", ch,
		     (void *)ip);
	return false;
}

bool go3s_chan_check(struct go3s_chan *ch)
{
	return chan_live(ch, _RET_IP_);
}

/**
 * go3s_chan_new - create a channel
 * @elem_size: bytes per element, at most %GO3S_CHAN_MAX_ELEM (0 is allowed:
 *	a channel of events, like Go's chan struct{}).
 * @cap: elements buffered, at most %GO3S_CHAN_MAX_CAP; 0 for an unbuffered
 *	channel, on which a send completes only when a receiver takes it.
 * @gfp: allocation flags for the channel and its buffer.
 *
 * The caller holds the one reference; go3s_chan_put() drops it.
 * Context: any context @gfp allows.
 * Return: the channel, or ERR_PTR(-EINVAL) for a size out of range,
 * ERR_PTR(-ENOMEM); never NULL: test the result with IS_ERR().
 */
struct go3s_chan *go3s_chan_new(size_t elem_size, unsigned int cap, gfp_t gfp)
{
	struct go3s_chan *ch;

	if (elem_size > GO3S_CHAN_MAX_ELEM || cap > GO3S_CHAN_MAX_CAP)
		return ERR_PTR(-EINVAL);
	ch = kvmalloc(struct_size(ch, buf, elem_size * cap), gfp);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	raw_spin_lock_init(&ch->lock);
	refcount_set(&ch->ref, 1);
	ch->magic = CHAN_MAGIC;
	ch->released_by = 0;
	ch->elem_size = elem_size;
	ch->cap = cap;
	ch->count = 0;
	ch->recvx = 0;
	ch->sendx = 0;
	ch->closed = false;
	INIT_LIST_HEAD(&ch->sendq);
	INIT_LIST_HEAD(&ch->recvq);
	return ch;
}
EXPORT_SYMBOL_GO3S(go3s_chan_new);

/**
 * go3s_chan_get - take a reference on a channel
 * @ch: the channel.
 *
 * Context: any context except NMI.
 * Return: @ch, or NULL for a NULL @ch (which warns once) or, in a debug
 * build, a released one (which warns).
 */
struct go3s_chan *go3s_chan_get(struct go3s_chan *ch)
{
	if (!chan_live(ch, _RET_IP_))
		return NULL;
	refcount_inc(&ch->ref);
	return ch;
}
EXPORT_SYMBOL_GO3S(go3s_chan_get);

/**
 * go3s_chan_put - drop a reference; the last one frees the channel
 * @ch: the channel, or NULL (nothing happens).
 *
 * Elements still buffered are dropped with it. Blocked operations hold
 * references of their own, so nobody can be waiting on a freed channel.
 * A debug build frees the channel only after an RCU grace period and
 * until then WARNs at any use of it, a put included.
 * Context: any context except NMI.
 */
void go3s_chan_put(struct go3s_chan *ch)
{
	if (!ch || (debug && !chan_live(ch, _RET_IP_)) ||
	    !refcount_dec_and_test(&ch->ref))
		return;
	WARN_ON_ONCE(!list_empty(&ch->sendq) || !list_empty(&ch->recvq));
	if (!debug) {
		if (go3s_free_now_ok())
			kvfree(ch);
		else
			kvfree_rcu(ch, rcu);	/* hard IRQ on PREEMPT_RT */
		return;
	}
	ch->released_by = _RET_IP_;
	WRITE_ONCE(ch->magic, CHAN_DEAD);
	kvfree_rcu(ch, rcu);	/* the kernel frees it: no callback of ours */
}
EXPORT_SYMBOL_GO3S(go3s_chan_put);

/*
 * One send or receive. The try_ forms match it under the lock; a blocking
 * one goes straight to go3s_select_wait(), which matches it or queues a
 * waiter in the same lock hold.
 */
static int chan_op(struct go3s_chan *ch, void *elem, enum go3s_chan_dir dir,
		   s64 timeout, bool *ok)
{
	struct go3s_select_case c = { .ch = ch, .elem = elem, .dir = dir };
	int ret;

	if (!go3s_chan_check(ch) || (ch->elem_size && !elem))
		return -EINVAL;
	if (!go3s_chan_context_ok(timeout))
		return -EPERM;
	if (!timeout) {
		struct chan_parker pk = { .done = ATOMIC_INIT(0), .cases = &c };
		struct chan_waiter w = { .pk = &pk, .c = &c };

		if (go3s_chan_match(&w) != CHAN_DONE)
			return -EAGAIN;
	} else {
		struct chan_waiter w;
		u8 order;

		ret = go3s_select_wait(&c, 1, timeout, &w, &order);
		if (ret < 0)
			return ret;
	}
	if (ok)
		*ok = c.ok;
	return (dir == GO3S_CHAN_SEND && !c.ok) ? -EPIPE : 0;
}

/**
 * go3s_chan_send - send an element, blocking until it is taken or buffered
 * @ch: the channel.
 * @elem: the element (elem_size bytes, copied); NULL only if elem_size
 *	is 0.
 *
 * Context: process context. A goroutine parks; any other task sleeps,
 * killable. Hard IRQ and softirq code must use go3s_chan_try_send().
 * Return: 0; -EPIPE if the channel is or gets closed (nothing was sent);
 * -EINTR if a sleeping task got a fatal signal; -EDEADLK if a goroutine
 * may not switch here (see <go3s/go.h>); -EINVAL for a NULL @ch (warns
 * once, see <go3s/chan.h>) or a NULL @elem; -EPERM from interrupt context
 * (warns once).
 */
int go3s_chan_send(struct go3s_chan *ch, const void *elem)
{
	if (!chan_live(ch, _RET_IP_))
		return -EINVAL;
	return chan_op(ch, (void *)elem, GO3S_CHAN_SEND, GO3S_FOREVER, NULL);
}
EXPORT_SYMBOL_GO3S(go3s_chan_send);

/**
 * go3s_chan_recv - receive an element, blocking until one is there
 * @ch: the channel.
 * @elem: where to copy the element (elem_size bytes); NULL only if
 *	elem_size is 0.
 * @ok: if not NULL, set to false when the channel is closed and drained
 *	(*@elem is then zeroed), true otherwise.
 *
 * A closed channel still delivers what it buffered; once drained, every
 * receive returns 0 at once with *@ok false.
 * Context: process context, as go3s_chan_send().
 * Return: 0 (also on a closed, drained channel: see @ok), or -EINTR,
 * -EDEADLK, -EINVAL, -EPERM as go3s_chan_send().
 */
int go3s_chan_recv(struct go3s_chan *ch, void *elem, bool *ok)
{
	if (!chan_live(ch, _RET_IP_))
		return -EINVAL;
	return chan_op(ch, elem, GO3S_CHAN_RECV, GO3S_FOREVER, ok);
}
EXPORT_SYMBOL_GO3S(go3s_chan_recv);

/**
 * go3s_chan_try_send - send an element only if that needs no waiting
 * @ch: the channel.
 * @elem: the element (copied).
 *
 * Succeeds if a receiver is blocked (it is woken with the element) or the
 * buffer has room.
 * Context: any context except NMI.
 * Return: 0; -EAGAIN if it would have to wait (nothing was sent); -EPIPE
 * if the channel is closed; -EINVAL for bad arguments, as
 * go3s_chan_send(); -EPERM from NMI (warns once).
 */
int go3s_chan_try_send(struct go3s_chan *ch, const void *elem)
{
	if (!chan_live(ch, _RET_IP_))
		return -EINVAL;
	return chan_op(ch, (void *)elem, GO3S_CHAN_SEND, GO3S_NOWAIT, NULL);
}
EXPORT_SYMBOL_GO3S(go3s_chan_try_send);

/**
 * go3s_chan_try_recv - receive an element only if one is ready
 * @ch: the channel.
 * @elem: where to copy it; NULL only if elem_size is 0.
 * @ok: as for go3s_chan_recv().
 *
 * Context: any context except NMI.
 * Return: 0 for an element, or for a closed and drained channel (*@ok
 * false); -EAGAIN if it would have to wait; -EINVAL for bad arguments, as
 * go3s_chan_recv(); -EPERM from NMI (warns once).
 */
int go3s_chan_try_recv(struct go3s_chan *ch, void *elem, bool *ok)
{
	if (!chan_live(ch, _RET_IP_))
		return -EINVAL;
	return chan_op(ch, elem, GO3S_CHAN_RECV, GO3S_NOWAIT, ok);
}
EXPORT_SYMBOL_GO3S(go3s_chan_try_recv);

/**
 * go3s_chan_close - close a channel
 * @ch: the channel.
 *
 * Every blocked receiver wakes with ok == false; every blocked sender
 * wakes with -EPIPE. Elements already buffered can still be received.
 * Context: any context except NMI.
 * Return: 0, -EALREADY if it was closed already (Go would panic),
 * -EINVAL for a NULL channel.
 */
int go3s_chan_close(struct go3s_chan *ch)
{
	struct chan_waiter *w, *tmp;
	unsigned long flags;

	if (!chan_live(ch, _RET_IP_))
		return -EINVAL;
	raw_spin_lock_irqsave(&ch->lock, flags);
	if (ch->closed) {
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		return -EALREADY;
	}
	ch->closed = true;
	list_for_each_entry_safe(w, tmp, &ch->recvq, node) {
		list_del_init(&w->node);
		if (claim(w)) {
			memset(w->c->elem, 0, ch->elem_size);
			w->c->ok = false;
			wake(w);
		}
	}
	list_for_each_entry_safe(w, tmp, &ch->sendq, node) {
		list_del_init(&w->node);
		if (claim(w)) {
			w->c->ok = false;
			wake(w);
		}
	}
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_chan_close);

/**
 * go3s_chan_len - number of elements buffered
 * @ch: the channel.
 *
 * Context: any context except NMI. A snapshot, stale at once.
 * Return: the count, or 0 for a NULL channel.
 */
unsigned int go3s_chan_len(struct go3s_chan *ch)
{
	return chan_live(ch, _RET_IP_) ? READ_ONCE(ch->count) : 0;
}
EXPORT_SYMBOL_GO3S(go3s_chan_len);

/**
 * go3s_chan_cap - capacity of the buffer
 * @ch: the channel.
 *
 * Context: any context except NMI.
 * Return: the capacity (0 if unbuffered or NULL).
 */
unsigned int go3s_chan_cap(struct go3s_chan *ch)
{
	return chan_live(ch, _RET_IP_) ? ch->cap : 0;
}
EXPORT_SYMBOL_GO3S(go3s_chan_cap);

/* Blocked operations on @dir of @ch, claimed or not: for the tests. */
unsigned int go3s_chan_nr_waiting(struct go3s_chan *ch, enum go3s_chan_dir dir)
{
	struct list_head *pos, *q = dir == GO3S_CHAN_SEND ? &ch->sendq : &ch->recvq;
	unsigned int n = 0;
	unsigned long flags;

	raw_spin_lock_irqsave(&ch->lock, flags);
	list_for_each(pos, q)
		n++;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_chan_nr_waiting);
