// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_chan: channels case by case against the Go
 * specification, with goroutines, kernel threads and hard-IRQ callers
 * (select has its own suite, go3s_select).
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/chan.h"
#include "chan_test.h"
#include "../go3s_rt/sched.h"
#include "../go3s_rt/stats.h"
#include "kunit_compat.h"

static unsigned long pipeline_msgs = 10000000;
module_param(pipeline_msgs, ulong, 0444);
MODULE_PARM_DESC(pipeline_msgs, "Messages through the goroutine pipeline case");

#define STAT(f)	go3s_stat_sum(offsetof(struct go3s_stats, f))

/* ---- the basics ---------------------------------------------------------- */

static void new_checks_sizes(struct kunit *test)
{
	struct go3s_chan *ch;

	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(GO3S_CHAN_MAX_ELEM + 1, 1, GFP_KERNEL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(8, GO3S_CHAN_MAX_CAP + 1, GFP_KERNEL)),
			-EINVAL);
	/* Elements of size 0: events, as Go's chan struct{}. */
	ch = new_chan(test, 0, 2);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, NULL), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, NULL), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, go3s_chan_len(ch), 2U);
	KUNIT_EXPECT_EQ(test, go3s_chan_cap(ch), 2U);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, NULL, NULL), 0);
}

static void null_channel_warns_and_fails(struct kunit *test)
{
	struct go3s_select_case c = { .dir = 7 };
	u64 v = 0;

	pr_info("GO3S-EXPECT-WARN operation on a NULL channel\n");
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(NULL, &v, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(NULL, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(NULL), -EINVAL);
	KUNIT_EXPECT_NULL(test, go3s_chan_get(NULL));
	go3s_chan_put(NULL);
	KUNIT_EXPECT_EQ(test, go3s_select(&c, 1, GO3S_NOWAIT), -EINVAL);
	c.dir = GO3S_CHAN_RECV;
	KUNIT_EXPECT_EQ(test, go3s_select(&c, 0, GO3S_NOWAIT), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_select(&c, GO3S_SELECT_MAX + 1, GO3S_NOWAIT), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_select(NULL, 1, GO3S_NOWAIT), -EINVAL);
}

static void buffered_fifo_and_capacity(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 8);
	u64 i, v;
	bool ok;

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, go3s_chan_try_send(ch, &i), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, &i), -EAGAIN);
	KUNIT_EXPECT_EQ(test, go3s_chan_len(ch), 8U);
	for (i = 0; i < 8; i++) {
		KUNIT_ASSERT_EQ(test, go3s_chan_try_recv(ch, &v, &ok), 0);
		KUNIT_EXPECT_TRUE(test, ok);
		KUNIT_EXPECT_EQ(test, v, i);
	}
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, &v, &ok), -EAGAIN);
	/* Wrap the ring a few times with blocking calls that need not block. */
	for (i = 0; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, go3s_chan_send(ch, &i), 0);
		KUNIT_ASSERT_EQ(test, go3s_chan_recv(ch, &v, NULL), 0);
		KUNIT_ASSERT_EQ(test, v, i);
	}
}

static void unbuffered_send_waits_for_receiver(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ch = ch, .val = 42 };
	u64 v = 0;
	bool ok;

	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, &v, &ok), -EAGAIN);
	go3s_wg_init(&wg);
	if (!spawn(test, &wg, send_body, &o) ||
	    !wait_blocked(test, ch, GO3S_CHAN_SEND, 1))
		goto out;
	msleep(20);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(o.finished));	/* still waiting */
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 42ULL);
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, o.ret, 0);

	/* The other way round: a parked receiver, a task sending. */
	o.finished = false;
	if (!spawn(test, &wg, recv_body, &o) ||
	    !wait_blocked(test, ch, GO3S_CHAN_RECV, 1))
		goto out;
	v = 7;
	KUNIT_EXPECT_EQ(test, go3s_chan_send(ch, &v), 0);
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, o.ret, 0);
	KUNIT_EXPECT_TRUE(test, o.ok);
	KUNIT_EXPECT_EQ(test, o.val, 7ULL);
	KUNIT_EXPECT_EQ(test, go3s_chan_nr_waiting(ch, GO3S_CHAN_RECV), 0U);
out:
	go3s_chan_close(ch);
	join(test, &wg);
}

/* ---- close ------------------------------------------------------------- */

static void close_drains_then_reports_closed(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 4);
	u64 i, v;
	bool ok;

	for (i = 1; i <= 3; i++)
		KUNIT_ASSERT_EQ(test, go3s_chan_send(ch, &i), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(ch), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(ch), -EALREADY);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, &i), -EPIPE);
	KUNIT_EXPECT_EQ(test, go3s_chan_send(ch, &i), -EPIPE);
	for (i = 1; i <= 3; i++) {
		KUNIT_ASSERT_EQ(test, go3s_chan_recv(ch, &v, &ok), 0);
		KUNIT_EXPECT_TRUE(test, ok);
		KUNIT_EXPECT_EQ(test, v, i);
	}
	v = ~0ULL;
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 0ULL);			/* the zero value */
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
}

#define CLOSE_G		8
#define CLOSE_T		2
#define CLOSE_SENDERS	4

static void close_wakes_every_waiter(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct go3s_chan *full = new_chan(test, sizeof(u64), 1);
	struct op *o = kunit_kcalloc(test, CLOSE_G + CLOSE_T + CLOSE_SENDERS,
				     sizeof(*o), GFP_KERNEL);
	struct task_struct *t[CLOSE_T] = {};
	struct go3s_wg wg;
	u64 v = 1;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, go3s_chan_send(full, &v), 0);
	go3s_wg_init(&wg);
	for (i = 0; i < CLOSE_G + CLOSE_T; i++) {
		o[i].wg = &wg;
		o[i].ch = ch;
		o[i].ok = true;
	}
	for (i = 0; i < CLOSE_G; i++)
		if (!spawn(test, &wg, recv_body, &o[i]))
			goto out;
	for (i = 0; i < CLOSE_T; i++)
		if (!spawn_thread(test, &wg, &t[i], recv_thread, &o[CLOSE_G + i],
				  "go3s-recv"))
			goto out;
	for (i = CLOSE_G + CLOSE_T; i < CLOSE_G + CLOSE_T + CLOSE_SENDERS; i++) {
		o[i].wg = &wg;
		o[i].ch = full;
		if (!spawn(test, &wg, send_body, &o[i]))
			goto out;
	}
	if (!wait_blocked(test, ch, GO3S_CHAN_RECV, CLOSE_G + CLOSE_T) ||
	    !wait_blocked(test, full, GO3S_CHAN_SEND, CLOSE_SENDERS))
		goto out;
	KUNIT_EXPECT_EQ(test, go3s_chan_close(ch), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(full), 0);
	join(test, &wg);
	for (i = 0; i < CLOSE_G + CLOSE_T; i++) {
		KUNIT_EXPECT_EQ(test, o[i].ret, 0);
		KUNIT_EXPECT_FALSE(test, o[i].ok);
		KUNIT_EXPECT_EQ(test, o[i].val, 0ULL);
	}
	for (; i < CLOSE_G + CLOSE_T + CLOSE_SENDERS; i++)
		KUNIT_EXPECT_EQ(test, o[i].ret, -EPIPE);
	KUNIT_EXPECT_EQ(test, go3s_chan_len(full), 1U);	/* still there */
out:
	go3s_chan_close(ch);
	go3s_chan_close(full);
	join(test, &wg);
	for (i = 0; i < CLOSE_T; i++)
		if (t[i])
			kthread_stop(t[i]);
}

/* ---- ordering ---------------------------------------------------------- */

#define ORDERED	8

static void receivers_served_in_arrival_order(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct op *o = kunit_kcalloc(test, ORDERED, sizeof(*o), GFP_KERNEL);
	struct go3s_wg wg;
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, o);
	go3s_wg_init(&wg);
	for (i = 0; i < ORDERED; i++) {
		o[i].wg = &wg;
		o[i].ch = ch;
		if (!spawn(test, &wg, recv_body, &o[i]) ||
		    !wait_blocked(test, ch, GO3S_CHAN_RECV, i + 1))
			goto out;
	}
	for (i = 0; i < ORDERED; i++)
		KUNIT_EXPECT_EQ(test, go3s_chan_send(ch, &i), 0);
	join(test, &wg);
	for (i = 0; i < ORDERED; i++)
		KUNIT_EXPECT_EQ(test, o[i].val, i);
out:
	go3s_chan_close(ch);
	join(test, &wg);
}

static void senders_served_in_arrival_order(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 1);
	struct op *o = kunit_kcalloc(test, ORDERED, sizeof(*o), GFP_KERNEL);
	struct go3s_wg wg;
	u64 i, v = 100;

	KUNIT_ASSERT_EQ(test, go3s_chan_send(ch, &v), 0);
	KUNIT_ASSERT_NOT_NULL(test, o);
	go3s_wg_init(&wg);
	for (i = 0; i < ORDERED; i++) {
		o[i].wg = &wg;
		o[i].ch = ch;
		o[i].val = i;
		if (!spawn(test, &wg, send_body, &o[i]) ||
		    !wait_blocked(test, ch, GO3S_CHAN_SEND, i + 1))
			goto out;
	}
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, &v, NULL), 0);
	KUNIT_EXPECT_EQ(test, v, 100ULL);
	for (i = 0; i < ORDERED; i++) {
		KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, &v, NULL), 0);
		KUNIT_EXPECT_EQ(test, v, i);
	}
out:
	go3s_chan_close(ch);
	join(test, &wg);
}

/* ---- tasks and goroutines together ------------------------------------- */

#define PINGS	10000

struct pong {
	struct go3s_chan *in, *out;
	struct go3s_wg wg;
};

static void pong_body(void *arg)
{
	struct pong *p = arg;
	bool ok;
	u64 v;

	while (!go3s_chan_recv(p->in, &v, &ok) && ok) {
		v *= 2;
		if (go3s_chan_send(p->out, &v))
			break;
	}
	go3s_wg_done(&p->wg);
}

static void task_and_goroutine_exchange(struct kunit *test)
{
	struct pong p = {
		.in = new_chan(test, sizeof(u64), 0),
		.out = new_chan(test, sizeof(u64), 0),
	};
	u64 i, v, bad = 0;

	go3s_wg_init(&p.wg);
	if (!spawn(test, &p.wg, pong_body, &p))
		goto out;
	for (i = 1; i <= PINGS; i++) {
		if (go3s_chan_send(p.in, &i) || go3s_chan_recv(p.out, &v, NULL)) {
			KUNIT_FAIL(test, "ping %llu failed", i);
			goto out;
		}
		bad += v != 2 * i;
	}
	KUNIT_EXPECT_EQ(test, bad, 0ULL);
out:
	go3s_chan_close(p.in);		/* pong_body returns */
	go3s_chan_close(p.out);
	join(test, &p.wg);
}

static int killable_thread(void *arg)
{
	allow_signal(SIGKILL);
	return recv_thread(arg);
}

static void killed_task_stops_waiting(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ch = ch };
	struct task_struct *t = NULL;
	u64 v = 5;

	go3s_wg_init(&wg);
	if (!spawn_thread(test, &wg, &t, killable_thread, &o, "go3s-killable") ||
	    !wait_blocked(test, ch, GO3S_CHAN_RECV, 1))
		goto out;
	send_sig(SIGKILL, t, 1);
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, o.ret, -EINTR);
	KUNIT_EXPECT_EQ(test, go3s_chan_nr_waiting(ch, GO3S_CHAN_RECV), 0U);
	/* No ghost receiver took anything. */
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, &v), -EAGAIN);
out:
	go3s_chan_close(ch);
	join(test, &wg);
	if (t)
		kthread_stop(t);
}

/* ---- interrupt context ------------------------------------------------- */

struct irq_ops {
	struct hrtimer timer;
	struct go3s_chan *buffered, *unbuffered;
	struct go3s_wg fired;
	int send_ret, recv_ret, handoff_ret, block_ret, select_ret;
	u64 got;
	bool in_hardirq;
};

static enum hrtimer_restart irq_ops_fn(struct hrtimer *timer)
{
	struct irq_ops *x = container_of(timer, struct irq_ops, timer);
	struct go3s_select_case c = { .ch = x->buffered, .elem = &x->got,
				      .dir = GO3S_CHAN_RECV };
	u64 v = 7, w = 8;

	x->in_hardirq = in_hardirq();
	x->recv_ret = go3s_chan_try_recv(x->buffered, &x->got, NULL);
	x->send_ret = go3s_chan_try_send(x->buffered, &v);
	x->select_ret = go3s_select(&c, 1, GO3S_NOWAIT);
	x->handoff_ret = go3s_chan_try_send(x->unbuffered, &w);
	x->block_ret = go3s_chan_send(x->buffered, &v);	/* a caller bug */
	go3s_wg_done(&x->fired);
	return HRTIMER_NORESTART;
}

static void try_forms_work_in_hardirq(struct kunit *test)
{
	struct irq_ops *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct go3s_wg wg;
	struct op o = { .wg = &wg };
	u64 v = 3;

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->buffered = new_chan(test, sizeof(u64), 2);
	x->unbuffered = new_chan(test, sizeof(u64), 0);
	o.ch = x->unbuffered;
	KUNIT_ASSERT_EQ(test, go3s_chan_send(x->buffered, &v), 0);
	go3s_wg_init(&wg);
	if (!spawn(test, &wg, recv_body, &o) ||
	    !wait_blocked(test, x->unbuffered, GO3S_CHAN_RECV, 1))
		goto out;

	go3s_wg_init(&x->fired);
	go3s_wg_add(&x->fired, 1);
	pr_info("GO3S-EXPECT-WARN blocking channel operation from interrupt context\n");
	hrtimer_init(&x->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	x->timer.function = irq_ops_fn;
	hrtimer_start(&x->timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	join(test, &x->fired);
	hrtimer_cancel(&x->timer);

	KUNIT_EXPECT_TRUE(test, x->in_hardirq);
	KUNIT_EXPECT_EQ(test, x->recv_ret, 0);
	KUNIT_EXPECT_EQ(test, x->send_ret, 0);
	KUNIT_EXPECT_EQ(test, x->select_ret, 0);
	KUNIT_EXPECT_EQ(test, x->got, 7ULL);		/* 3 then 7 */
	KUNIT_EXPECT_EQ(test, x->handoff_ret, 0);
	KUNIT_EXPECT_EQ(test, x->block_ret, -EPERM);
	/* The IRQ woke the parked receiver with its element. */
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, o.val, 8ULL);
out:
	go3s_chan_close(x->unbuffered);
	join(test, &wg);
}

/* ---- a pipeline of goroutines ------------------------------------------ */

#define STAGES	4

struct pipeline {
	struct go3s_chan *ch[STAGES + 1];
	struct go3s_wg wg;
	u64 count, sum, out_of_order;
	int err;
};

struct stage {
	struct pipeline *p;
	int i;
};

static void source_body(void *arg)
{
	struct pipeline *p = arg;
	u64 i;

	for (i = 1; i <= pipeline_msgs; i++)
		if (go3s_chan_send(p->ch[0], &i)) {
			p->err = -EPIPE;
			break;
		}
	go3s_chan_close(p->ch[0]);
	go3s_wg_done(&p->wg);
}

static void stage_body(void *arg)
{
	struct stage *s = arg;
	struct pipeline *p = s->p;
	bool ok;
	u64 v;

	while (!go3s_chan_recv(p->ch[s->i], &v, &ok) && ok)
		if (go3s_chan_send(p->ch[s->i + 1], &v))
			break;
	go3s_chan_close(p->ch[s->i + 1]);
	go3s_wg_done(&p->wg);
}

static void sink_body(void *arg)
{
	struct pipeline *p = arg;
	bool ok;
	u64 v;

	while (!go3s_chan_recv(p->ch[STAGES], &v, &ok) && ok) {
		p->out_of_order += v != p->count + 1;
		p->count++;
		p->sum += v;
	}
	go3s_wg_done(&p->wg);
}

static void pipeline_delivers_every_message_once(struct kunit *test)
{
	struct pipeline *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct stage st[STAGES];
	u64 n = pipeline_msgs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i <= STAGES; i++)
		p->ch[i] = new_chan(test, sizeof(u64), 256);
	go3s_wg_init(&p->wg);
	if (!spawn(test, &p->wg, sink_body, p))
		goto out;
	for (i = 0; i < STAGES; i++) {
		st[i].p = p;
		st[i].i = i;
		if (!spawn(test, &p->wg, stage_body, &st[i]))
			goto out;
	}
	if (!spawn(test, &p->wg, source_body, p))
		goto out;
	join(test, &p->wg);
	kunit_info(test, "%llu messages through %d stages\n", n, STAGES);
	KUNIT_EXPECT_EQ(test, p->err, 0);
	KUNIT_EXPECT_EQ(test, p->count, n);
	KUNIT_EXPECT_EQ(test, p->sum, n * (n + 1) / 2);
	KUNIT_EXPECT_EQ(test, p->out_of_order, 0ULL);
out:
	for (i = 0; i <= STAGES; i++)
		go3s_chan_close(p->ch[i]);
	join(test, &p->wg);
}

/* ---- observability, references, the switch checks --------------------- */

#define SHOW_SIZE	(64 * PAGE_SIZE)

/* @buf: SHOW_SIZE bytes, allocated before the case spawns anything. */
static char *show(char *buf, int (*fn)(struct seq_file *, void *))
{
	struct seq_file m = { .buf = buf, .size = SHOW_SIZE - 1 };

	fn(&m, NULL);
	buf[m.count] = '\0';
	return buf;
}

static void dump_and_stats_show_channel_waits(struct kunit *test)
{
	struct go3s_chan *a = new_chan(test, sizeof(u64), 0);
	struct go3s_chan *b = new_chan(test, sizeof(u64), 0);
	struct go3s_chan *c = new_chan(test, sizeof(u64), 0);
	u64 blocks = STAT(chan_blocks), sends = STAT(chan_sends);
	u64 recvs = STAT(chan_recvs), selects = STAT(selects);
	char *dump = kunit_kzalloc(test, SHOW_SIZE, GFP_KERNEL);
	struct op *o = kunit_kcalloc(test, 3, sizeof(*o), GFP_KERNEL);
	struct go3s_wg wg;

	KUNIT_ASSERT_NOT_NULL(test, dump);
	KUNIT_ASSERT_NOT_NULL(test, o);
	go3s_wg_init(&wg);
	o[0] = (struct op){ .wg = &wg, .ch = a };
	o[1] = (struct op){ .wg = &wg, .ch = b, .val = 1 };
	o[2] = (struct op){ .wg = &wg, .ncases = 2, .timeout = GO3S_FOREVER };
	o[2].cases[0] = (struct go3s_select_case){ .ch = a, .elem = &o[2].val,
						   .dir = GO3S_CHAN_RECV };
	o[2].cases[1] = (struct go3s_select_case){ .ch = c, .elem = &o[2].val,
						   .dir = GO3S_CHAN_RECV };
	if (!spawn(test, &wg, recv_body, &o[0]) ||
	    !spawn(test, &wg, send_body, &o[1]) ||
	    !wait_blocked(test, a, GO3S_CHAN_RECV, 1) ||
	    !wait_blocked(test, b, GO3S_CHAN_SEND, 1) ||
	    !spawn(test, &wg, select_body, &o[2]) ||
	    !wait_blocked(test, a, GO3S_CHAN_RECV, 2))
		goto out;
	msleep(20);			/* let the M mark them PARKED */
	show(dump, go3s_goroutines_show);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(dump, "waiting, chan receive,"), "%s", dump);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(dump, "waiting, chan send,"), "%s", dump);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(dump, "waiting, select,"), "%s", dump);
	show(dump, go3s_stats_show);
	KUNIT_EXPECT_NOT_NULL(test, strstr(dump, " chan_sends chan_recvs chan_blocks selects"));

	go3s_chan_close(a);	/* wakes o[0] and o[2] */
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(b, &o[0].val, NULL), 0);
	join(test, &wg);
	KUNIT_EXPECT_GE(test, STAT(chan_blocks) - blocks, 3ULL);
	KUNIT_EXPECT_GE(test, STAT(chan_sends) - sends, 1ULL);
	KUNIT_EXPECT_GE(test, STAT(chan_recvs) - recvs, 1ULL);
	KUNIT_EXPECT_GE(test, STAT(selects) - selects, 1ULL);
out:
	go3s_chan_close(a);
	go3s_chan_close(b);
	go3s_chan_close(c);
	join(test, &wg);
}

static void blocked_operation_holds_a_reference(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ch = ch };

	go3s_wg_init(&wg);
	if (!spawn(test, &wg, recv_body, &o) ||
	    !wait_blocked(test, ch, GO3S_CHAN_RECV, 1))
		goto out;
	KUNIT_EXPECT_EQ(test, refcount_read(&ch->ref), 2U);
	KUNIT_EXPECT_PTR_EQ(test, go3s_chan_get(ch), ch);
	KUNIT_EXPECT_EQ(test, refcount_read(&ch->ref), 3U);
	go3s_chan_put(ch);
	go3s_chan_close(ch);
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, refcount_read(&ch->ref), 1U);
out:
	go3s_chan_close(ch);
	join(test, &wg);
}

static DEFINE_SPINLOCK(held_lock);

static void locked_recv_body(void *arg)
{
	struct op *o = arg;

	spin_lock(&held_lock);
	o->ret = go3s_chan_recv(o->ch, &o->val, NULL);
	spin_unlock(&held_lock);
	go3s_wg_done(o->wg);
}

static void blocking_under_spinlock_is_refused(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ch = ch };

	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT) && !IS_ENABLED(CONFIG_LOCKDEP))
		kunit_skip(test, "needs CONFIG_PREEMPT_COUNT or lockdep");
	go3s_wg_init(&wg);
	go3s_wg_add(&wg, 1);
	pr_info("GO3S-EXPECT-WARN (?s)tried to block on a channel (with preemption disabled|while holding a lock).*locked_recv_body\n");
	KUNIT_ASSERT_EQ(test, go3s_go(locked_recv_body, &o), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&wg), 0);
	KUNIT_EXPECT_EQ(test, o.ret, -EDEADLK);
	KUNIT_EXPECT_EQ(test, go3s_chan_nr_waiting(ch, GO3S_CHAN_RECV), 0U);
}

static struct kunit_case go3s_chan_cases[] = {
	KUNIT_CASE(new_checks_sizes),
	KUNIT_CASE(null_channel_warns_and_fails),
	KUNIT_CASE(buffered_fifo_and_capacity),
	KUNIT_CASE(unbuffered_send_waits_for_receiver),
	KUNIT_CASE(close_drains_then_reports_closed),
	KUNIT_CASE(close_wakes_every_waiter),
	KUNIT_CASE(receivers_served_in_arrival_order),
	KUNIT_CASE(senders_served_in_arrival_order),
	KUNIT_CASE(task_and_goroutine_exchange),
	KUNIT_CASE(killed_task_stops_waiting),
	KUNIT_CASE(try_forms_work_in_hardirq),
	KUNIT_CASE_SLOW(pipeline_delivers_every_message_once),
	KUNIT_CASE(dump_and_stats_show_channel_waits),
	KUNIT_CASE(blocked_operation_holds_a_reference),
	KUNIT_CASE(blocking_under_spinlock_is_refused),
	{}
};

static struct kunit_suite go3s_chan_suite = {
	.name = "go3s_chan",
	.test_cases = go3s_chan_cases,
};

kunit_test_suite(go3s_chan_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_chan: channels and select");
MODULE_VERSION("0.1.0");
