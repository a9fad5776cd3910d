/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the go3s_chan and go3s_select suites: one goroutine
 * or kthread doing one channel operation, and waiting until operations
 * are blocked on a channel.
 */
#ifndef _GO3S_CHAN_TEST_H
#define _GO3S_CHAN_TEST_H

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/chan.h"

static inline struct go3s_chan *new_chan(struct kunit *test, size_t size, unsigned int cap)
{
	struct go3s_chan *ch = go3s_chan_new(size, cap, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	return ch;
}

/* Wait until @n operations are blocked on @dir of @ch. */
static inline void wait_blocked(struct kunit *test, struct go3s_chan *ch,
				enum go3s_chan_dir dir, unsigned int n)
{
	unsigned long until = jiffies + 10 * HZ;

	while (go3s_chan_nr_waiting(ch, dir) < n && time_before(jiffies, until))
		usleep_range(200, 500);
	KUNIT_ASSERT_EQ(test, go3s_chan_nr_waiting(ch, dir), n);
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
