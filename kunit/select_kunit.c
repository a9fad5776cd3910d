// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_select: select's default, nil and closed cases, uniform
 * choice among ready cases, timeouts from tasks and goroutines, wake-ups
 * on any case, and a storm of selecting producers and consumers in which
 * every item must be counted exactly once.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "chan_test.h"
#include "kunit_compat.h"

static void select_default_and_nil_cases(struct kunit *test)
{
	struct go3s_chan *a = new_chan(test, sizeof(u64), 1);
	struct go3s_chan *b = new_chan(test, sizeof(u64), 1);
	u64 va = 0, vb = 9;
	struct go3s_select_case c[3] = {
		{ .ch = NULL, .elem = &va, .dir = GO3S_CHAN_RECV },
		{ .ch = a, .elem = &va, .dir = GO3S_CHAN_RECV },
		{ .ch = b, .elem = &vb, .dir = GO3S_CHAN_RECV },
	};

	KUNIT_EXPECT_EQ(test, go3s_select(c, 1, GO3S_NOWAIT), -EAGAIN);	/* nil only */
	KUNIT_EXPECT_EQ(test, go3s_select(c, 3, GO3S_NOWAIT), -EAGAIN);
	KUNIT_ASSERT_EQ(test, go3s_chan_send(b, &vb), 0);
	vb = 0;
	KUNIT_EXPECT_EQ(test, go3s_select(c, 3, GO3S_NOWAIT), 2);
	KUNIT_EXPECT_TRUE(test, c[2].ok);
	KUNIT_EXPECT_EQ(test, vb, 9ULL);
	/* A send case on a closed channel is ready, and fails. */
	c[1].dir = GO3S_CHAN_SEND;
	go3s_chan_close(a);
	KUNIT_EXPECT_EQ(test, go3s_select(c, 3, GO3S_NOWAIT), 1);
	KUNIT_EXPECT_FALSE(test, c[1].ok);
}

#define FAIR_CASES	3
#define FAIR_ROUNDS	30000

static void select_chooses_uniformly(struct kunit *test)
{
	struct go3s_select_case c[FAIR_CASES];
	unsigned int hits[FAIR_CASES] = {};
	u64 v[FAIR_CASES];
	int i, r;

	for (i = 0; i < FAIR_CASES; i++) {
		c[i] = (struct go3s_select_case){
			.ch = new_chan(test, sizeof(u64), 1), .elem = &v[i],
			.dir = GO3S_CHAN_RECV,
		};
		v[i] = i;
		KUNIT_ASSERT_EQ(test, go3s_chan_send(c[i].ch, &v[i]), 0);
	}
	for (i = 0; i < FAIR_ROUNDS; i++) {
		r = go3s_select(c, FAIR_CASES, GO3S_FOREVER);
		KUNIT_ASSERT_GE(test, r, 0);
		KUNIT_ASSERT_EQ(test, v[r], (u64)r);
		hits[r]++;
		KUNIT_ASSERT_EQ(test, go3s_chan_try_send(c[r].ch, &v[r]), 0);
	}
	/* Binomial(30000, 1/3): mean 10000, sd 82; +-600 is over 7 sd. */
	for (i = 0; i < FAIR_CASES; i++) {
		KUNIT_EXPECT_GE(test, hits[i], FAIR_ROUNDS / FAIR_CASES - 600);
		KUNIT_EXPECT_LE(test, hits[i], FAIR_ROUNDS / FAIR_CASES + 600);
	}
}

static void select_times_out(struct kunit *test)
{
	struct go3s_chan *a = new_chan(test, sizeof(u64), 0);
	struct go3s_chan *b = new_chan(test, sizeof(u64), 1);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ncases = 2, .timeout = 20 * NSEC_PER_MSEC };
	u64 v, t0;

	o.cases[0] = (struct go3s_select_case){ .ch = a, .elem = &o.val,
						.dir = GO3S_CHAN_RECV };
	o.cases[1] = (struct go3s_select_case){ .ch = b, .elem = &v,
						.dir = GO3S_CHAN_RECV };
	/* From a task... */
	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, go3s_select(o.cases, 2, o.timeout), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_get_ns() - t0, (u64)o.timeout);
	/* ...and from a goroutine (an hrtimer unparks it). */
	go3s_wg_init(&wg);
	go3s_wg_add(&wg, 1);
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, go3s_go(select_body, &o), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&wg), 0);
	KUNIT_EXPECT_EQ(test, o.ret, -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ktime_get_ns() - t0, (u64)o.timeout);
	KUNIT_EXPECT_EQ(test, go3s_chan_nr_waiting(a, GO3S_CHAN_RECV), 0U);
	KUNIT_EXPECT_EQ(test, go3s_chan_nr_waiting(b, GO3S_CHAN_RECV), 0U);
}

static void select_wakes_on_any_case(struct kunit *test)
{
	struct go3s_chan *a = new_chan(test, sizeof(u64), 0);
	struct go3s_chan *b = new_chan(test, sizeof(u64), 0);
	struct go3s_chan *c = new_chan(test, sizeof(u64), 0);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ncases = 3, .timeout = GO3S_FOREVER };
	u64 va = 0, vb = 0, vc = 77, v = 55;

	o.cases[0] = (struct go3s_select_case){ .ch = a, .elem = &va, .dir = GO3S_CHAN_RECV };
	o.cases[1] = (struct go3s_select_case){ .ch = b, .elem = &vb, .dir = GO3S_CHAN_RECV };
	o.cases[2] = (struct go3s_select_case){ .ch = c, .elem = &vc, .dir = GO3S_CHAN_SEND };
	go3s_wg_init(&wg);
	if (!spawn(test, &wg, select_body, &o) ||
	    !wait_blocked(test, a, GO3S_CHAN_RECV, 1) ||
	    !wait_blocked(test, b, GO3S_CHAN_RECV, 1) ||
	    !wait_blocked(test, c, GO3S_CHAN_SEND, 1))
		goto out;
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(b, &v), 0);
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, o.ret, 1);
	KUNIT_EXPECT_EQ(test, vb, 55ULL);
	KUNIT_EXPECT_EQ(test, va, 0ULL);
	/* Its other waiters are gone: nothing else can match them. */
	KUNIT_EXPECT_EQ(test, go3s_chan_nr_waiting(a, GO3S_CHAN_RECV), 0U);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(c, &v, NULL), -EAGAIN);

	/* Again; this time a receiver on c completes the send case. */
	if (!spawn(test, &wg, select_body, &o) ||
	    !wait_blocked(test, c, GO3S_CHAN_SEND, 1))
		goto out;
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(c, &v, NULL), 0);
	join(test, &wg);
	KUNIT_EXPECT_EQ(test, o.ret, 2);
	KUNIT_EXPECT_EQ(test, v, 77ULL);
out:
	go3s_chan_close(a);
	go3s_chan_close(b);
	go3s_chan_close(c);
	join(test, &wg);
}

static void select_never_matches_itself(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 0);
	struct go3s_wg wg;
	struct op o = { .wg = &wg, .ncases = 2, .timeout = 20 * NSEC_PER_MSEC };
	u64 in = 0, out = 3;

	o.cases[0] = (struct go3s_select_case){ .ch = ch, .elem = &out, .dir = GO3S_CHAN_SEND };
	o.cases[1] = (struct go3s_select_case){ .ch = ch, .elem = &in, .dir = GO3S_CHAN_RECV };
	KUNIT_EXPECT_EQ(test, go3s_select(o.cases, 2, o.timeout), -ETIMEDOUT);
	go3s_wg_init(&wg);
	go3s_wg_add(&wg, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(select_body, &o), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&wg), 0);
	KUNIT_EXPECT_EQ(test, o.ret, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, in, 0ULL);
}

/* Producers and consumers all selecting over two channels. */
#define STORM_P		4
#define STORM_C		4
#define STORM_N		20000

struct storm;

struct storm_producer {
	struct storm *s;
	u64 base;
};

struct storm {
	struct storm_producer p[STORM_P];
	struct go3s_chan *ch[2];
	struct go3s_wg producers, consumers;
	atomic64_t sum;
	atomic_t count;
	atomic_t errors;
};

static void storm_produce(void *arg)
{
	struct storm_producer *p = arg;
	struct storm *s = p->s;
	u64 v;
	struct go3s_select_case c[2] = {
		{ .ch = s->ch[0], .elem = &v, .dir = GO3S_CHAN_SEND },
		{ .ch = s->ch[1], .elem = &v, .dir = GO3S_CHAN_SEND },
	};
	int i;

	for (i = 1; i <= STORM_N; i++) {
		v = p->base + i;
		if (go3s_select(c, 2, GO3S_FOREVER) < 0 || (!c[0].ok && !c[1].ok))
			atomic_inc(&s->errors);
		c[0].ok = false;
		c[1].ok = false;
	}
	go3s_wg_done(&s->producers);
}

static void storm_consume(struct storm *s)
{
	u64 v;
	struct go3s_select_case c[2] = {
		{ .ch = s->ch[0], .elem = &v, .dir = GO3S_CHAN_RECV },
		{ .ch = s->ch[1], .elem = &v, .dir = GO3S_CHAN_RECV },
	};
	int r;

	while (c[0].ch || c[1].ch) {
		r = go3s_select(c, 2, GO3S_FOREVER);
		if (r < 0) {
			atomic_inc(&s->errors);
			break;
		}
		if (!c[r].ok) {
			c[r].ch = NULL;		/* closed: Go's nil-channel idiom */
			continue;
		}
		atomic64_add(v, &s->sum);
		atomic_inc(&s->count);
	}
	go3s_wg_done(&s->consumers);
}

static void storm_consumer(void *arg)
{
	storm_consume(arg);
}

static int storm_thread(void *arg)
{
	storm_consume(arg);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void select_storm_loses_nothing(struct kunit *test)
{
	struct storm *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u64 n = (u64)STORM_P * STORM_N;
	struct task_struct *t = NULL;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->ch[0] = new_chan(test, sizeof(u64), 0);
	s->ch[1] = new_chan(test, sizeof(u64), 4);
	go3s_wg_init(&s->producers);
	go3s_wg_init(&s->consumers);
	for (i = 0; i < STORM_C; i++)
		if (!spawn(test, &s->consumers, storm_consumer, s))
			goto out;
	if (!spawn_thread(test, &s->consumers, &t, storm_thread, s, "go3s-storm"))
		goto out;
	for (i = 0; i < STORM_P; i++) {
		s->p[i].s = s;
		s->p[i].base = (u64)i * STORM_N;
		if (!spawn(test, &s->producers, storm_produce, &s->p[i]))
			goto out;
	}
	join(test, &s->producers);
	go3s_chan_close(s->ch[0]);
	go3s_chan_close(s->ch[1]);
	join(test, &s->consumers);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic_read(&s->count), n);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&s->sum), n * (n + 1) / 2);
out:
	/* Producers then find both cases closed and run out their loops. */
	go3s_chan_close(s->ch[0]);
	go3s_chan_close(s->ch[1]);
	join(test, &s->producers);
	join(test, &s->consumers);
	if (t)
		kthread_stop(t);
}

static struct kunit_case go3s_select_cases[] = {
	KUNIT_CASE(select_default_and_nil_cases),
	KUNIT_CASE(select_chooses_uniformly),
	KUNIT_CASE(select_times_out),
	KUNIT_CASE(select_wakes_on_any_case),
	KUNIT_CASE(select_never_matches_itself),
	KUNIT_CASE_SLOW(select_storm_loses_nothing),
	{}
};

static struct kunit_suite go3s_select_suite = {
	.name = "go3s_select",
	.test_cases = go3s_select_cases,
};

kunit_test_suite(go3s_select_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_select: select over channels");
MODULE_VERSION("0.1.0");
