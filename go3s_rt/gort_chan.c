// SPDX-License-Identifier: GPL-2.0
/*
 * gort: Go's channels and select on go3s channels (Documentation/go.rst).
 *
 * A Go channel value points to a struct go3s_gort_chan: the two words Go
 * code reads inline for len() and cap(), then the go3s channel. The
 * channel lives until its module unloads (there is no GC to tell when Go
 * code is done with it).
 *
 * Where Go panics, the calling goroutine panics (gort_throw()): a send on
 * a closed channel, closing a closed or nil channel. A send or receive on
 * a nil channel, outside a select, would block forever: it panics too,
 * since a goroutine that can never end pins its module for good.
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include <go3s/chan.h>
#include <go3s/gort.h>

#include "gort.h"

/*
 * len(ch) reads ->qcount without a call. Each operation stores the count
 * it sees after it completed, until the count stays put: the last store
 * of a burst of racing operations is then always made after the last of
 * them, so once they are over ->qcount is exact (while they run, Go's
 * len() is a snapshot anyway).
 */
static void qcount_update(struct go3s_gort_chan *c)
{
	unsigned int n;

	do {
		n = go3s_chan_len(c->ch);
		WRITE_ONCE(c->qcount, n);
	} while (go3s_chan_len(c->ch) != n);
}

/**
 * go3s_gort_makechan - make(chan T, size)
 * @t: the channel type.
 * @size: the capacity; 0 for an unbuffered channel.
 *
 * The element size is at most %GO3S_CHAN_MAX_ELEM and the capacity at
 * most %GO3S_CHAN_MAX_CAP: beyond them, and without memory, the caller
 * panics.
 * Context: Go code.
 * Return: the channel.
 */
struct go3s_gort_chan *go3s_gort_makechan(const struct go3s_gort_chantype *t,
					  s64 size)
{
	struct gort_g *g = gort_self();
	struct go3s_gort_chan *c;
	struct go3s_chan *ch;

	if (WARN_ON_ONCE(!g || !t))
		return NULL;
	if (size < 0 || size > GO3S_CHAN_MAX_CAP)
		gort_throw("makechan: size out of range", size, _RET_IP_);
	if (t->elem->size > GO3S_CHAN_MAX_ELEM)
		gort_throw("makechan: element larger than 1024 bytes",
			   t->elem->size, _RET_IP_);
	c = gort_alloc(g->mod, sizeof(*c), _RET_IP_);
	ch = go3s_chan_new(t->elem->size, size, GFP_KERNEL);
	if (IS_ERR(ch))
		gort_throw("makechan", PTR_ERR(ch), _RET_IP_);
	c->ch = ch;
	c->dataqsiz = size;
	c->elem_size = t->elem->size;
	mutex_lock(&g->mod->lock);
	list_add(&c->node, &g->mod->chans);
	mutex_unlock(&g->mod->lock);
	return c;
}
EXPORT_SYMBOL_GO3S(go3s_gort_makechan);

/**
 * go3s_gort_chansend1 - ch <- v
 * @c: the channel.
 * @elem: the value.
 *
 * Blocks (parks the goroutine) until a receiver or a buffer slot takes
 * the value. Panics on a closed or nil channel.
 * Context: Go code.
 */
void go3s_gort_chansend1(struct go3s_gort_chan *c, const void *elem)
{
	int ret;

	if (!c)
		gort_throw("send on nil channel (blocks forever)", 0, _RET_IP_);
	ret = go3s_chan_send(c->ch, elem);
	if (ret == -EPIPE)
		gort_throw("send on closed channel", 0, _RET_IP_);
	if (ret)
		gort_throw("channel send", ret, _RET_IP_);
	qcount_update(c);
}
EXPORT_SYMBOL_GO3S(go3s_gort_chansend1);

static bool recv(struct go3s_gort_chan *c, void *elem, unsigned long ip)
{
	bool ok;
	int ret;

	if (!c)
		gort_throw("receive from nil channel (blocks forever)", 0, ip);
	ret = go3s_chan_recv(c->ch, elem, &ok);
	if (ret)
		gort_throw("channel receive", ret, ip);
	qcount_update(c);
	return ok;
}

/**
 * go3s_gort_chanrecv1 - v = <-ch
 * @c: the channel.
 * @elem: where the value goes; zeroed once @c is closed and drained.
 *
 * Blocks until a value comes or @c is closed. Panics on a nil channel.
 * Context: Go code.
 */
void go3s_gort_chanrecv1(struct go3s_gort_chan *c, void *elem)
{
	recv(c, elem, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_gort_chanrecv1);

/**
 * go3s_gort_chanrecv2 - v, ok = <-ch (and for v := range ch)
 * @c: the channel.
 * @elem: where the value goes; zeroed once @c is closed and drained.
 *
 * Context: Go code.
 * Return: true for a value sent, false once @c is closed and drained.
 */
bool go3s_gort_chanrecv2(struct go3s_gort_chan *c, void *elem)
{
	return recv(c, elem, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_gort_chanrecv2);

/**
 * go3s_gort_closechan - close(ch)
 * @c: the channel.
 *
 * Wakes every blocked receiver and sender. Panics on a nil or closed
 * channel.
 * Context: Go code.
 */
void go3s_gort_closechan(struct go3s_gort_chan *c)
{
	int ret;

	if (!c)
		gort_throw("close of nil channel", 0, _RET_IP_);
	ret = go3s_chan_close(c->ch);
	if (ret == -EALREADY)
		gort_throw("close of closed channel", 0, _RET_IP_);
	if (ret)
		gort_throw("close", ret, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_gort_closechan);

/**
 * go3s_gort_selectnbsend - select { case ch <- v: ... default: ... }
 * @c: the channel; nil is never ready.
 * @elem: the value.
 *
 * Panics on a closed channel.
 * Context: Go code.
 * Return: true if the value was sent.
 */
bool go3s_gort_selectnbsend(struct go3s_gort_chan *c, const void *elem)
{
	int ret;

	if (!c)
		return false;
	ret = go3s_chan_try_send(c->ch, elem);
	if (ret == -EAGAIN)
		return false;
	if (ret == -EPIPE)
		gort_throw("send on closed channel", 0, _RET_IP_);
	if (ret)
		gort_throw("channel send", ret, _RET_IP_);
	qcount_update(c);
	return true;
}
EXPORT_SYMBOL_GO3S(go3s_gort_selectnbsend);

/**
 * go3s_gort_selectnbrecv - select { case v, ok := <-ch: ... default: ... }
 * @elem: where the value goes.
 * @c: the channel; nil is never ready.
 *
 * Context: Go code.
 * Return: .selected if the case ran; .received false if it ran because
 * @c is closed and drained.
 */
struct go3s_gort_nbrecv go3s_gort_selectnbrecv(void *elem,
					       struct go3s_gort_chan *c)
{
	struct go3s_gort_nbrecv r = { };
	bool ok;
	int ret;

	if (!c)
		return r;
	ret = go3s_chan_try_recv(c->ch, elem, &ok);
	if (ret == -EAGAIN)
		return r;
	if (ret)
		gort_throw("channel receive", ret, _RET_IP_);
	qcount_update(c);
	r.selected = true;
	r.received = ok;
	return r;
}
EXPORT_SYMBOL_GO3S(go3s_gort_selectnbrecv);

/**
 * go3s_gort_selectgo - a select statement with two or more cases
 * @cases: @nsends send cases, then @nrecvs receive cases.
 * @order: gccgo's scratch space (unused: go3s_select() shuffles itself).
 * @nsends: send cases.
 * @nrecvs: receive cases.
 * @block: false when the select has a default case.
 *
 * Runs on go3s_select(): a case whose channel is nil is never ready, a
 * ready case is chosen uniformly at random. At most %GO3S_SELECT_MAX
 * cases: more panic, as does a send case chosen on a closed channel.
 * Context: Go code.
 * Return: .index of the case that ran, or -1 for the default case;
 * .ok as for v, ok := <-ch when it is a receive.
 */
struct go3s_gort_selected go3s_gort_selectgo(struct go3s_gort_scase *cases,
					     u16 *order, s64 nsends,
					     s64 nrecvs, bool block)
{
	struct go3s_select_case sc[GO3S_SELECT_MAX];
	struct go3s_gort_selected r = { .index = -1 };
	s64 i, n = nsends + nrecvs;
	int ret;

	if (n < 1 || n > GO3S_SELECT_MAX)
		gort_throw("select with more than 16 cases", n, _RET_IP_);
	for (i = 0; i < n; i++) {
		sc[i].ch = NULL;
		if (cases[i].c)
			sc[i].ch = cases[i].c->ch;
		sc[i].elem = cases[i].elem;
		sc[i].dir = GO3S_CHAN_RECV;
		if (i < nsends)
			sc[i].dir = GO3S_CHAN_SEND;
		sc[i].ok = false;
	}
	ret = go3s_select(sc, n, block ? GO3S_FOREVER : GO3S_NOWAIT);
	if (ret == -EAGAIN && !block)
		return r;
	if (ret < 0)
		gort_throw("select", ret, _RET_IP_);
	if (ret < nsends && !sc[ret].ok)
		gort_throw("send on closed channel", 0, _RET_IP_);
	qcount_update(cases[ret].c);
	r.index = ret;
	r.ok = sc[ret].ok;
	return r;
}
EXPORT_SYMBOL_GO3S(go3s_gort_selectgo);
