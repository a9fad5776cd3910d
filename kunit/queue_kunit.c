// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_queue: the lock-free MPMC queue (every item exactly
 * once under several producers and consumers, per-producer order, hard-IRQ
 * producers) and the atomic value (RCU readers never see a freed object).
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include <go3s/compat.h>
#include <go3s/queue.h>
#include <go3s/value.h>

#include "go3s_kunit.h"
#include "kunit_compat.h"

static void queue_checks_and_rounds_size(struct kunit *test)
{
	struct go3s_queue *q;

	GO3S_EXPECT_EQ(test, PTR_ERR(go3s_queue_new(1, GFP_KERNEL)), -EINVAL);
	GO3S_EXPECT_EQ(test, PTR_ERR(go3s_queue_new(GO3S_QUEUE_MAX + 1, GFP_KERNEL)),
		       -EINVAL);
	q = go3s_queue_new(5, GFP_KERNEL);
	GO3S_ASSERT_FALSE(test, IS_ERR(q));
	GO3S_EXPECT_EQ(test, go3s_queue_size(q), 8U);
	GO3S_EXPECT_EQ(test, go3s_queue_len(q), 0U);
	go3s_queue_free(q);
}

static void queue_fifo_full_empty_and_laps(struct kunit *test)
{
	struct go3s_queue *q = go3s_queue_new(4, GFP_KERNEL);
	unsigned long i, lap;
	void *v;

	GO3S_ASSERT_FALSE(test, IS_ERR(q));
	GO3S_EXPECT_EQ(test, go3s_queue_pop(q, &v), -EAGAIN);
	for (lap = 0; lap < 10; lap++) {
		for (i = 0; i < 4; i++)
			GO3S_ASSERT_EQ(test, go3s_queue_push(q, (void *)(lap * 4 + i)), 0);
		GO3S_EXPECT_EQ(test, go3s_queue_push(q, NULL), -ENOSPC);
		GO3S_EXPECT_EQ(test, go3s_queue_len(q), 4U);
		for (i = 0; i < 4; i++) {
			GO3S_ASSERT_EQ(test, go3s_queue_pop(q, &v), 0);
			GO3S_EXPECT_EQ(test, (unsigned long)v, lap * 4 + i);
		}
		GO3S_EXPECT_EQ(test, go3s_queue_pop(q, &v), -EAGAIN);
	}
	/* NULL is a value like any other. */
	GO3S_EXPECT_EQ(test, go3s_queue_push(q, NULL), 0);
	v = q;
	GO3S_EXPECT_EQ(test, go3s_queue_pop(q, &v), 0);
	GO3S_EXPECT_NULL(test, v);
	go3s_queue_free(q);
}

#define MPMC_P		4
#define MPMC_C		4
#define MPMC_N		200000UL	/* items per producer */

/*
 * Queue full or empty: spin a little where another CPU can make progress,
 * else sleep so the other side runs (two threads share each CPU).
 */
static void backoff(unsigned int *spins)
{
	if (num_online_cpus() > 1 && ++*spins < 100) {
		cpu_relax();
		return;
	}
	*spins = 0;
	usleep_range(10, 20);
}

struct mpmc {
	struct go3s_queue *q;
	unsigned long per;		/* items per producer */
	unsigned long *seen;
	atomic_t producers_left;
	atomic_long_t dups, disorder, popped, full_retries;
	atomic_t done;
};

struct mpmc_thread {
	struct mpmc *m;
	unsigned long id;
	struct task_struct *task;
};

static int mpmc_producer(void *arg)
{
	struct mpmc_thread *t = arg;
	struct mpmc *m = t->m;
	unsigned long i, item;
	unsigned int spins = 0;

	for (i = 0; i < m->per; i++) {
		item = t->id * m->per + i;
		while (go3s_queue_push(m->q, (void *)item)) {
			atomic_long_inc(&m->full_retries);
			backoff(&spins);
		}
	}
	atomic_dec(&m->producers_left);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int mpmc_consumer(void *arg)
{
	struct mpmc_thread *t = arg;
	struct mpmc *m = t->m;
	unsigned long last[MPMC_P];
	unsigned long item, p;
	unsigned int spins = 0;
	void *v;
	int i;

	for (i = 0; i < MPMC_P; i++)
		last[i] = ULONG_MAX;
	for (;;) {
		if (go3s_queue_pop(m->q, &v)) {
			if (!atomic_read(&m->producers_left) && !go3s_queue_len(m->q))
				break;
			backoff(&spins);
			continue;
		}
		item = (unsigned long)v;
		if (test_and_set_bit(item, m->seen))
			atomic_long_inc(&m->dups);
		/* One consumer sees each producer's items in push order. */
		p = item / m->per;
		if (last[p] != ULONG_MAX && item <= last[p])
			atomic_long_inc(&m->disorder);
		last[p] = item;
		atomic_long_inc(&m->popped);
	}
	atomic_inc(&m->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void queue_mpmc_every_item_exactly_once(struct kunit *test)
{
	struct mpmc_thread *t = kunit_kcalloc(test, MPMC_P + MPMC_C, sizeof(*t), GFP_KERNEL);
	struct mpmc *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	/* A quarter of the items on one CPU, where every wait is a sleep. */
	unsigned long per = num_online_cpus() > 1 ? MPMC_N : MPMC_N / 4;
	unsigned long n = MPMC_P * per;
	unsigned long until = jiffies + 120 * HZ;
	int i;

	GO3S_ASSERT_NOT_NULL(test, t);
	GO3S_ASSERT_NOT_NULL(test, m);
	m->q = go3s_queue_new(256, GFP_KERNEL);	/* small: laps and full races */
	GO3S_ASSERT_FALSE(test, IS_ERR(m->q));
	m->seen = bitmap_zalloc(n, GFP_KERNEL);
	if (!m->seen) {
		go3s_queue_free(m->q);
		KUNIT_FAIL_AND_ABORT(test, "bitmap_zalloc(%lu) failed", n);
	}
	atomic_set(&m->producers_left, MPMC_P);
	m->per = per;
	for (i = 0; i < MPMC_P + MPMC_C; i++) {
		t[i].m = m;
		t[i].id = i < MPMC_P ? i : i - MPMC_P;
		t[i].task = kthread_create(i < MPMC_P ? mpmc_producer : mpmc_consumer,
					   &t[i], "go3s-mpmc/%d", i);
		if (IS_ERR(t[i].task)) {
			KUNIT_FAIL(test, "kthread_create(): %pe", t[i].task);
			/* Never woken: they end without running their function. */
			while (i--)
				kthread_stop(t[i].task);
			bitmap_free(m->seen);
			go3s_queue_free(m->q);
			return;
		}
		kthread_bind(t[i].task, i % num_online_cpus());
	}
	for (i = 0; i < MPMC_P + MPMC_C; i++)
		wake_up_process(t[i].task);
	while (atomic_read(&m->done) < MPMC_C && time_before(jiffies, until))
		msleep(20);
	for (i = 0; i < MPMC_P + MPMC_C; i++)
		kthread_stop(t[i].task);
	kunit_info(test, "%lu items, %ld pushes found the queue full\n", n,
		   atomic_long_read(&m->full_retries));
	GO3S_EXPECT_EQ(test, atomic_read(&m->done), MPMC_C);
	GO3S_EXPECT_EQ(test, atomic_long_read(&m->dups), 0L);
	GO3S_EXPECT_EQ(test, atomic_long_read(&m->disorder), 0L);
	GO3S_EXPECT_EQ(test, (unsigned long)atomic_long_read(&m->popped), n);
	GO3S_EXPECT_EQ(test, bitmap_weight(m->seen, n), n);
	bitmap_free(m->seen);
	go3s_queue_free(m->q);
}

#define IRQ_ITEMS	64

struct irq_push {
	struct hrtimer timer;
	struct go3s_queue *q;
	unsigned long next;
	int errors;
};

static enum hrtimer_restart irq_push_fn(struct hrtimer *timer)
{
	struct irq_push *x = container_of(timer, struct irq_push, timer);

	if (!in_hardirq() || go3s_queue_push(x->q, (void *)x->next))
		x->errors++;
	if (++x->next == IRQ_ITEMS)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void queue_hardirq_producer(struct kunit *test)
{
	struct irq_push *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	unsigned long want = 0, until = jiffies + 10 * HZ;
	void *v;

	GO3S_ASSERT_NOT_NULL(test, x);
	x->q = go3s_queue_new(IRQ_ITEMS, GFP_KERNEL);
	GO3S_ASSERT_FALSE(test, IS_ERR(x->q));
	hrtimer_init(&x->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	x->timer.function = irq_push_fn;
	hrtimer_start(&x->timer, ns_to_ktime(50 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	while (want < IRQ_ITEMS && time_before(jiffies, until)) {
		if (go3s_queue_pop(x->q, &v)) {
			usleep_range(20, 50);
			continue;
		}
		GO3S_EXPECT_EQ(test, (unsigned long)v, want);
		want++;
	}
	hrtimer_cancel(&x->timer);
	GO3S_EXPECT_EQ(test, want, (unsigned long)IRQ_ITEMS);
	GO3S_EXPECT_EQ(test, x->errors, 0);
	go3s_queue_free(x->q);
}

/* ---- atomic value ------------------------------------------------------ */

static void value_load_store_swap_cas(struct kunit *test)
{
	struct go3s_value v = GO3S_VALUE_INIT(NULL);
	int a, b;

	GO3S_EXPECT_NULL(test, go3s_value_load(&v));
	go3s_value_store(&v, &a);
	GO3S_EXPECT_PTR_EQ(test, go3s_value_load(&v), (void *)&a);
	GO3S_EXPECT_PTR_EQ(test, go3s_value_swap(&v, &b), (void *)&a);
	GO3S_EXPECT_FALSE(test, go3s_value_cas(&v, &a, NULL));
	GO3S_EXPECT_PTR_EQ(test, go3s_value_load(&v), (void *)&b);
	GO3S_EXPECT_TRUE(test, go3s_value_cas(&v, &b, &a));
	rcu_read_lock();
	GO3S_EXPECT_PTR_EQ(test, go3s_value_load_rcu(&v), (void *)&a);
	rcu_read_unlock();
}

struct cfg {
	unsigned long a, not_a;
	struct rcu_head rcu;
};

struct value_race {
	struct go3s_value v;
	atomic_long_t reads, torn;
	bool stop;
};

static int value_reader(void *arg)
{
	struct value_race *r = arg;
	struct cfg *c;

	while (!READ_ONCE(r->stop)) {
		rcu_read_lock();
		c = go3s_value_load_rcu(&r->v);
		if (c->a != ~c->not_a)
			atomic_long_inc(&r->torn);
		rcu_read_unlock();
		atomic_long_inc(&r->reads);
		cond_resched();
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void value_rcu_readers_never_see_freed_objects(struct kunit *test)
{
	struct value_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t[3];
	unsigned long i, until;
	struct cfg *c;

	GO3S_ASSERT_NOT_NULL(test, r);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		KUNIT_FAIL_AND_ABORT(test, "no memory for the first value\n");
	c->not_a = ~0UL;
	go3s_value_store(&r->v, c);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		t[i] = kthread_run(value_reader, r, "go3s-value/%lu", i);
		if (IS_ERR(t[i])) {
			KUNIT_FAIL(test, "kthread_run(): %pe", t[i]);
			WRITE_ONCE(r->stop, true);
			while (i--)
				kthread_stop(t[i]);
			kfree(go3s_value_swap(&r->v, NULL));
			return;
		}
	}
	until = jiffies + HZ / 5;
	for (i = 1; time_before(jiffies, until); i++) {
		c = kmalloc(sizeof(*c), GFP_KERNEL);
		if (!c)
			break;
		c->a = i;
		c->not_a = ~i;
		/* KASAN reports any reader still holding the old one. */
		kfree_rcu((struct cfg *)go3s_value_swap(&r->v, c), rcu);
		cond_resched();
	}
	WRITE_ONCE(r->stop, true);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		kthread_stop(t[i]);
	kunit_info(test, "%lu stores, %ld reads\n", i, atomic_long_read(&r->reads));
	GO3S_EXPECT_GT(test, atomic_long_read(&r->reads), 0L);
	GO3S_EXPECT_EQ(test, atomic_long_read(&r->torn), 0L);
	kfree_rcu((struct cfg *)go3s_value_swap(&r->v, NULL), rcu);
}

static struct kunit_case go3s_queue_cases[] = {
	KUNIT_CASE(queue_checks_and_rounds_size),
	KUNIT_CASE(queue_fifo_full_empty_and_laps),
	KUNIT_CASE_SLOW(queue_mpmc_every_item_exactly_once),
	KUNIT_CASE(queue_hardirq_producer),
	KUNIT_CASE(value_load_store_swap_cas),
	KUNIT_CASE(value_rcu_readers_never_see_freed_objects),
	{}
};

static struct kunit_suite go3s_queue_suite = {
	.name = "go3s_queue",
	.test_cases = go3s_queue_cases,
};

kunit_test_suite(go3s_queue_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_queue: the MPMC queue and the atomic value");
MODULE_VERSION("0.1.0");
