/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the go3s_chan and go3s_select suites: one goroutine
 * or kthread doing one channel operation, and waiting until operations
 * are blocked on a channel.
 */
#ifndef _GO3S_CHAN_TEST_H
#define _GO3S_CHAN_TEST_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/chan.h"
#include "kunit_compat.h"

/*
 * A case can stop at any ASSERT, and under fault injection (see
 * Documentation/testing.rst) at any allocation. It must not leave
 * goroutines or memory behind: a goroutine blocked on a channel of the case
 * would wait forever, keep the channel and the case's module, and write to
 * the case's stack once woken. So:
 *
 * - channels come from new_chan(), and KUnit puts them when the case ends,
 *   however it ends;
 * - from its first spawn to its join a case never ASSERTs: spawn(),
 *   spawn_thread() and wait_blocked() return false (with a failed
 *   expectation) and the case jumps to its end, which closes its channels
 *   (waking every goroutine and kthread blocked on them), joins them all
 *   and only then returns.
 */
KUNIT_DEFINE_ACTION_WRAPPER(chan_put_action, go3s_chan_put, struct go3s_chan *);

static inline struct go3s_chan *new_chan(struct kunit *test, size_t size, unsigned int cap)
{
	struct go3s_chan *ch = go3s_chan_new(size, cap, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, chan_put_action, ch), 0);
	return ch;
}

/* Spawn @fn(@arg), counted in @wg (its body ends with go3s_wg_done()). */
#define spawn(test, wg, fn, arg)	__spawn(test, wg, fn, arg, _THIS_IP_)

static noinline bool __spawn(struct kunit *test, struct go3s_wg *wg, go3s_fn_t fn,
			     void *arg, unsigned long site)
{
	int ret;

	go3s_wg_add(wg, 1);
	ret = __go3s_go(fn, arg, THIS_MODULE, site);
	if (ret)
		go3s_wg_done(wg);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "go3s_go() failed");
	return !ret;
}

/*
 * Start a kthread running @fn(@arg), counted in @wg like a goroutine; the
 * case stops it with kthread_stop() once @wg is done. *@t stays NULL if it
 * could not start.
 */
static noinline bool spawn_thread(struct kunit *test, struct go3s_wg *wg,
				  struct task_struct **t, int (*fn)(void *),
				  void *arg, const char *name)
{
	struct task_struct *task;

	go3s_wg_add(wg, 1);
	task = kthread_run(fn, arg, "%s", name);
	if (IS_ERR(task)) {
		go3s_wg_done(wg);
		KUNIT_FAIL(test, "kthread_run(%s): %pe", name, task);
		return false;
	}
	*t = task;
	return true;
}

/* Wait for everything counted in @wg. */
static noinline void join(struct kunit *test, struct go3s_wg *wg)
{
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(wg), 0);
}

/* Wait until @n operations are blocked on @dir of @ch. */
static noinline bool wait_blocked(struct kunit *test, struct go3s_chan *ch,
				  enum go3s_chan_dir dir, unsigned int n)
{
	unsigned long until = jiffies + 10 * HZ;
	unsigned int got;

	while ((got = go3s_chan_nr_waiting(ch, dir)) < n && time_before(jiffies, until))
		usleep_range(200, 500);
	KUNIT_EXPECT_EQ(test, got, n);
	return got == n;
}

/* One goroutine (or kthread) doing one operation, and what it saw. */
struct op {
	struct go3s_wg *wg;
	struct go3s_chan *ch;
	u64 val;
	int ret;
	bool ok;
	bool finished;
	struct go3s_select_case cases[3];
	unsigned int ncases;
	s64 timeout;
};

static inline void send_body(void *arg)
{
	struct op *o = arg;

	o->ret = go3s_chan_send(o->ch, &o->val);
	WRITE_ONCE(o->finished, true);
	go3s_wg_done(o->wg);
}

static inline void recv_body(void *arg)
{
	struct op *o = arg;

	o->val = ~0ULL;
	o->ret = go3s_chan_recv(o->ch, &o->val, &o->ok);
	WRITE_ONCE(o->finished, true);
	go3s_wg_done(o->wg);
}

static inline void select_body(void *arg)
{
	struct op *o = arg;

	o->ret = go3s_select(o->cases, o->ncases, o->timeout);
	WRITE_ONCE(o->finished, true);
	go3s_wg_done(o->wg);
}

static inline int recv_thread(void *arg)
{
	recv_body(arg);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

#endif /* _GO3S_CHAN_TEST_H */
