/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channels with Go's semantics, for goroutines, kernel threads and
 * (through the try_ forms) interrupt handlers.
 *
 * A channel carries elements of a fixed size, copied in and out. With a
 * capacity of 0 it is unbuffered: a send completes only when a receiver
 * takes the element. Blocked senders and receivers are served in arrival
 * order; each sender's elements arrive in the order it sent them.
 *
 * Who may call what:
 *   go3s_chan_send/recv, go3s_select with a timeout: process context.
 *	A goroutine parks (its worker runs other goroutines); any other task
 *	sleeps, killable. Called from hard IRQ or softirq they WARN and fail.
 *   go3s_chan_try_send/try_recv, go3s_select with GO3S_NOWAIT, close,
 *	len, cap, get, put: any context except NMI.
 *
 * A closed channel refuses sends (-EPIPE: a kernel must not panic where
 * Go would) and yields its buffered elements, then zeroed elements with
 * ok == false. Channels are reference counted; a blocked operation holds
 * a reference of its own, so a channel cannot be freed under a waiter.
 *
 * What callers most often get wrong:
 *   go3s_chan_new() returns ERR_PTR(-EINVAL or -ENOMEM), never NULL: test
 *	it with IS_ERR().
 *   try_send, try_recv and go3s_select() with GO3S_NOWAIT return -EAGAIN
 *	where the other forms would wait.
 *   On a closed channel, send and try_send return -EPIPE; recv and
 *	try_recv return 0 with ok == false once the buffer is drained;
 *	close returns -EALREADY.
 *   elem may be NULL only on a channel of 0-byte elements (-EINVAL
 *	otherwise); ok may be NULL.
 *   go3s_select() takes 1 to GO3S_SELECT_MAX cases: 0 is -EINVAL, where
 *	Go's select {} blocks forever.
 *   A NULL channel is a caller bug (put ignores it, as kfree() does, and
 *	a select case with one is never ready): -EINVAL (len and cap
 *	return 0, get NULL) and a WARN_ONCE. So is a blocking call from
 *	interrupt context, or a send, receive or select from NMI: -EPERM
 *	and a WARN_ONCE. Each of the two WARNs fires once until go3s_rt is
 *	reloaded, whichever call and channel trip it: later bugs of the same
 *	kind only return the error.
 *
 * Kernel-doc for every function (arguments, context, each return value):
 * go3s_rt/chan.c and go3s_rt/select.c, rendered with
 * Documentation/channels.rst by make docs.
 */
#ifndef _GO3S_CHAN_H
#define _GO3S_CHAN_H

/**
 * DOC: Bad arguments and released channels
 *
 * go3s_chan_new() returns ERR_PTR(-EINVAL) for an @elem_size above
 * %GO3S_CHAN_MAX_ELEM or a @cap above %GO3S_CHAN_MAX_CAP, ERR_PTR(-ENOMEM)
 * when out of memory: never NULL, so test the result with IS_ERR().
 *
 * A NULL channel is a caller bug. The call WARNs once and fails: -EINVAL
 * from send, recv, try_send, try_recv, close and go3s_select(), NULL from
 * go3s_chan_get(), 0 from go3s_chan_len() and go3s_chan_cap().
 * go3s_chan_put(NULL) does nothing and does not warn, like kfree(NULL).
 * In go3s_select() a case with a NULL channel is not an error: it is never
 * ready, as Go's nil channel.
 *
 * "WARNs once" means WARN_ON_ONCE()'s rule: once per check in go3s_rt for
 * as long as go3s_rt stays loaded (once per boot unless it is reloaded).
 * Every channel call shares one NULL-channel check, so the first NULL
 * channel any caller passes to any of them warns, and every later one
 * fails with its errno only. Blocking from interrupt context (-EPERM) is
 * another check, with its own one WARN.
 *
 * Checked without a WARN: a NULL @elem on a channel whose elements are not
 * empty (-EINVAL; @elem may be NULL when @elem_size is 0), and in
 * go3s_select() a NULL @cases, @n of 0 or above %GO3S_SELECT_MAX, or a
 * @dir other than %GO3S_CHAN_SEND and %GO3S_CHAN_RECV (-EINVAL: unlike
 * Go's "select {}", zero cases do not block forever). @ok may be NULL.
 *
 * A released channel, one whose last reference go3s_chan_put() dropped,
 * is freed memory: any further call on it is a caller bug, as for any
 * freed kernel object. A production build cannot detect it and reads
 * freed memory (KASAN, where enabled, reports a use after free). A debug
 * build (CONFIG_GO3S_DEBUG) keeps a released channel in quarantine for at
 * least one RCU grace period: a call on it meanwhile WARNs every time,
 * naming its caller and the caller of the last put, and fails as for a
 * NULL channel, go3s_chan_put() included (nothing is dropped). After the
 * grace period the memory is freed, and the debug build is back to what
 * KASAN can see.
 */

#include <linux/bits.h>
#include <linux/types.h>

struct go3s_chan;

/* Largest element and capacity go3s_chan_new() accepts. */
#define GO3S_CHAN_MAX_ELEM	1024U
#define GO3S_CHAN_MAX_CAP	BIT(20)

enum go3s_chan_dir {
	GO3S_CHAN_SEND = 1,
	GO3S_CHAN_RECV = 2,
};

/**
 * struct go3s_select_case - one case of go3s_select()
 * @ch: the channel; NULL makes the case never ready (Go's nil channel).
 * @elem: the element to send, or where to receive into.
 * @dir: %GO3S_CHAN_SEND or %GO3S_CHAN_RECV.
 * @ok: set for the chosen case: for a receive, false when the channel is
 *	closed and drained (*@elem is then zeroed); for a send, false when the
 *	channel was closed and nothing was sent.
 */
struct go3s_select_case {
	struct go3s_chan *ch;
	void *elem;
	u8 dir;
	bool ok;
};

#define GO3S_SELECT_MAX		16U	/* cases in one go3s_select() */
#define GO3S_NOWAIT		0LL	/* timeout: Go's "default:" case */
#define GO3S_FOREVER		(-1LL)	/* timeout: block until a case is ready */

struct go3s_chan *go3s_chan_new(size_t elem_size, unsigned int cap, gfp_t gfp);
struct go3s_chan *go3s_chan_get(struct go3s_chan *ch);
void go3s_chan_put(struct go3s_chan *ch);
int go3s_chan_send(struct go3s_chan *ch, const void *elem);
int go3s_chan_recv(struct go3s_chan *ch, void *elem, bool *ok);
int go3s_chan_try_send(struct go3s_chan *ch, const void *elem);
int go3s_chan_try_recv(struct go3s_chan *ch, void *elem, bool *ok);
int go3s_chan_close(struct go3s_chan *ch);
unsigned int go3s_chan_len(struct go3s_chan *ch);
unsigned int go3s_chan_cap(struct go3s_chan *ch);
int go3s_select(struct go3s_select_case *cases, unsigned int n, s64 timeout_ns);

#endif /* _GO3S_CHAN_H */
