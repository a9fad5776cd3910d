// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_ref: ref[T] type registration, get/put with exactly one
 * destruction under concurrent get/put from every CPU and a hard IRQ,
 * saturation, RCU-deferred puts, and (CONFIG_GO3S_DEBUG) each misuse
 * caught with its WARN and no memory touched.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <go3s/compat.h>
#include <go3s/ffi.h>
#include <go3s/ref.h>

#include "go3s_kunit.h"
#include "kunit_compat.h"

struct thing {
	u64 a, b;
	u8 pad[40];
};

struct aligned_thing {
	u32 x;
	u8 line[64] __aligned(64);
};

static atomic_t dtor_calls;
static void *dtor_last;

static void thing_dtor(void *obj)
{
	dtor_last = obj;
	atomic_inc(&dtor_calls);
}

static struct go3s_type thing_type = GO3S_TYPE(struct thing, "thing", thing_dtor);

static struct go3s_ref_hdr *abi_hdr(void *obj)
{
	return (struct go3s_ref_hdr *)obj - 1;
}

static int ref_suite_init(struct kunit_suite *suite)
{
	return go3s_type_register(&thing_type);
}

static void ref_suite_exit(struct kunit_suite *suite)
{
	go3s_type_unregister(&thing_type);
}

static int ref_init(struct kunit *test)
{
	atomic_set(&dtor_calls, 0);
	dtor_last = NULL;
	return 0;
}

static void types_are_checked(struct kunit *test)
{
	struct go3s_type bad = { .name = "bad", .size = 8 };
	struct go3s_type al = GO3S_TYPE(struct aligned_thing, "aligned", NULL);
	void *p;

	GO3S_EXPECT_EQ(test, go3s_type_register(NULL), -EINVAL);
	bad.size = 0;
	GO3S_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad.size = GO3S_TYPE_MAX_SIZE + 1;
	GO3S_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad.size = 8;
	bad.align = 3;
	GO3S_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad.align = 2 * GO3S_TYPE_MAX_ALIGN;
	GO3S_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	GO3S_EXPECT_EQ(test, go3s_type_register(&thing_type), -EBUSY);
	GO3S_EXPECT_EQ(test, go3s_type_unregister(&bad), -EINVAL);

	/* The compiler's size and alignment, and objects aligned to it. */
	GO3S_EXPECT_EQ(test, al.size, (u32)sizeof(struct aligned_thing));
	GO3S_EXPECT_EQ(test, al.align, 64U);
	GO3S_ASSERT_EQ(test, go3s_type_register(&al), 0);
	/* @al lives on this stack: no ASSERT until it is unregistered. */
	p = go3s_ref_new(&al, GFP_KERNEL);
	GO3S_EXPECT_NOT_NULL(test, p);
	if (p) {
		GO3S_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, 64));
		GO3S_EXPECT_PTR_EQ(test, go3s_ref_type(p), (const struct go3s_type *)&al);
		GO3S_EXPECT_EQ(test, go3s_type_unregister(&al), -EBUSY);	/* alive */
		go3s_ref_put(p);
	}
	GO3S_EXPECT_EQ(test, go3s_type_unregister(&al), 0);
}

static void get_put_destroys_once(struct kunit *test)
{
	struct thing *t = go3s_ref_new(&thing_type, GFP_KERNEL);

	GO3S_ASSERT_NOT_NULL(test, t);
	GO3S_EXPECT_EQ(test, t->a + t->b, 0ULL);		/* zeroed */
	GO3S_EXPECT_EQ(test, go3s_ref_count(t), 1U);
	GO3S_EXPECT_EQ(test, abi_hdr(t)->magic, GO3S_REF_MAGIC);
	GO3S_EXPECT_PTR_EQ(test, go3s_ref_get(t), (void *)t);
	GO3S_EXPECT_EQ(test, go3s_ref_count(t), 2U);
	GO3S_EXPECT_EQ(test, abi_hdr(t)->refs, 2U);	/* the ABI's view */
	go3s_ref_put(t);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 0);
	go3s_ref_put(t);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
	GO3S_EXPECT_PTR_EQ(test, dtor_last, (void *)t);
	rcu_barrier();		/* debug builds free after a grace period */
	GO3S_EXPECT_EQ(test, atomic_long_read(&thing_type.live), 0L);
}

/* Concurrent gets and puts from a kthread per CPU and a hard IRQ. */
#define RACE_LOOPS	100000
#define IRQ_LOOPS	1000

struct race {
	struct thing *t;
	struct hrtimer timer;
	atomic_t running;
	int irq_rounds;
	bool final_put;		/* each thread holds a reference to drop */
};

static int race_thread(void *arg)
{
	struct race *r = arg;
	int i;

	for (i = 0; i < RACE_LOOPS; i++) {
		go3s_ref_get(r->t);
		go3s_ref_put(r->t);
		if (!(i % 1024))
			cond_resched();
	}
	if (r->final_put)
		go3s_ref_put(r->t);
	atomic_dec(&r->running);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static enum hrtimer_restart race_irq(struct hrtimer *timer)
{
	struct race *r = container_of(timer, struct race, timer);
	int i;

	for (i = 0; i < IRQ_LOOPS; i++) {
		go3s_ref_get(r->t);
		go3s_ref_put(r->t);
	}
	if (++r->irq_rounds == 20)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(NSEC_PER_MSEC));
	return HRTIMER_RESTART;
}

static void concurrent_get_put_destroys_once(struct kunit *test)
{
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t[8];
	int n = min_t(int, num_online_cpus(), ARRAY_SIZE(t)), i, started;

	GO3S_ASSERT_NOT_NULL(test, r);
	r->t = go3s_ref_new(&thing_type, GFP_KERNEL);
	GO3S_ASSERT_NOT_NULL(test, r->t);
	n = max(n, 4);		/* 4 threads even on one CPU */
	atomic_set(&r->running, n);
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	r->timer.function = race_irq;
	for (i = 0; i < n; i++) {
		t[i] = kthread_create(race_thread, r, "go3s-ref/%d", i);
		if (IS_ERR(t[i])) {
			KUNIT_FAIL(test, "kthread_create(): %pe", t[i]);
			/* Never woken: they end without running race_thread(). */
			while (i--)
				kthread_stop(t[i]);
			go3s_ref_put(r->t);
			return;
		}
		kthread_bind(t[i], i % num_online_cpus());
	}
	hrtimer_start(&r->timer, ns_to_ktime(NSEC_PER_MSEC), HRTIMER_MODE_REL_HARD);
	for (i = 0; i < n; i++)
		wake_up_process(t[i]);
	while (atomic_read(&r->running) || hrtimer_active(&r->timer))
		msleep(20);
	for (i = 0; i < n; i++)
		kthread_stop(t[i]);
	GO3S_EXPECT_EQ(test, r->irq_rounds, 20);
	GO3S_EXPECT_EQ(test, go3s_ref_count(r->t), 1U);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 0);

	/* Now n holders drop at once: exactly one destruction. */
	for (i = 1; i < n; i++)
		go3s_ref_get(r->t);
	atomic_set(&r->running, n);
	r->final_put = true;
	for (i = 0; i < n; i++) {
		t[i] = kthread_run(race_thread, r, "go3s-ref/%d", i);
		if (IS_ERR(t[i])) {
			KUNIT_FAIL(test, "kthread_run(): %pe", t[i]);
			break;
		}
	}
	/* The references of threads that did not start are dropped here. */
	for (started = i; i < n; i++) {
		atomic_dec(&r->running);
		go3s_ref_put(r->t);
	}
	while (atomic_read(&r->running))
		msleep(20);
	for (i = 0; i < started; i++)
		kthread_stop(t[i]);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

static void count_saturates_and_leaks(struct kunit *test)
{
	struct thing *t = go3s_ref_new(&thing_type, GFP_KERNEL);

	GO3S_ASSERT_NOT_NULL(test, t);
	abi_hdr(t)->refs = INT_MAX;
	pr_info("GO3S-EXPECT-WARN refcount_t: saturated\n");
	GO3S_EXPECT_PTR_EQ(test, go3s_ref_get(t), (void *)t);
	GO3S_EXPECT_GE(test, go3s_ref_count(t), (unsigned int)INT_MAX);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 0);
	/* Saturated objects leak by design; the test frees this one itself. */
	abi_hdr(t)->refs = 1;
	go3s_ref_put(t);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

static void put_rcu_waits_for_readers(struct kunit *test)
{
	struct thing *t = go3s_ref_new(&thing_type, GFP_KERNEL);

	GO3S_ASSERT_NOT_NULL(test, t);
	rcu_read_lock();
	go3s_ref_put_rcu(t);
	/* No grace period can end inside this section. */
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 0);
	GO3S_EXPECT_EQ(test, READ_ONCE(t->a), 0ULL);
	rcu_read_unlock();
	rcu_barrier();
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

static void move_and_borrow_in_production_terms(struct kunit *test)
{
	void *p = go3s_ref_new(&thing_type, GFP_KERNEL);
	void *q;

	GO3S_ASSERT_NOT_NULL(test, p);
	q = go3s_ref_move(&p);
	GO3S_EXPECT_NOT_NULL(test, q);
	GO3S_EXPECT_EQ(test, go3s_ref_count(q), 1U);	/* moved, not copied */
	GO3S_EXPECT_PTR_NE(test, p, q);		/* the source is emptied */
	GO3S_EXPECT_PTR_EQ(test, go3s_ref_borrow(q), (const void *)q);
	go3s_ref_unborrow(q);
	GO3S_EXPECT_PTR_EQ(test, go3s_ref_borrow_mut(q), q);
	go3s_ref_unborrow_mut(q);
	if (!IS_ENABLED(CONFIG_GO3S_DEBUG))	/* borrows cost nothing */
		GO3S_EXPECT_EQ(test, abi_hdr(q)->borrows, 0);
	go3s_ref_drop(&q);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

/* ---- CONFIG_GO3S_DEBUG: misuse is caught ------------------------------- */

static void debug_catches_use_after_move(struct kunit *test)
{
	void *p = go3s_ref_new(&thing_type, GFP_KERNEL);
	void *q;

	if (!IS_ENABLED(CONFIG_GO3S_DEBUG))
		kunit_skip(test, "needs CONFIG_GO3S_DEBUG");
	GO3S_ASSERT_NOT_NULL(test, p);
	q = go3s_ref_move(&p);
	pr_info("GO3S-EXPECT-WARN (?s)get of a moved ref \\(use after move\\) at %s\n", __func__);
	GO3S_EXPECT_NULL(test, go3s_ref_get(p));
	GO3S_EXPECT_EQ(test, go3s_ref_count(q), 1U);	/* untouched */
	go3s_ref_drop(&q);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

static void debug_catches_write_while_borrowed(struct kunit *test)
{
	struct thing *t = go3s_ref_new(&thing_type, GFP_KERNEL);

	if (!IS_ENABLED(CONFIG_GO3S_DEBUG))
		kunit_skip(test, "needs CONFIG_GO3S_DEBUG");
	GO3S_ASSERT_NOT_NULL(test, t);
	GO3S_ASSERT_NOT_NULL(test, go3s_ref_borrow(t));
	GO3S_ASSERT_NOT_NULL(test, go3s_ref_borrow(t));
	GO3S_EXPECT_EQ(test, abi_hdr(t)->borrows, 2);
	pr_info("GO3S-EXPECT-WARN write to a thing while it is borrowed at %s\n", __func__);
	GO3S_EXPECT_NULL(test, go3s_ref_borrow_mut(t));
	go3s_ref_unborrow(t);
	go3s_ref_unborrow(t);
	GO3S_ASSERT_NOT_NULL(test, go3s_ref_borrow_mut(t));
	pr_info("GO3S-EXPECT-WARN borrow of a thing while it is borrowed mutably at %s\n",
		__func__);
	GO3S_EXPECT_NULL(test, go3s_ref_borrow(t));
	go3s_ref_unborrow_mut(t);
	GO3S_EXPECT_EQ(test, abi_hdr(t)->borrows, 0);
	go3s_ref_put(t);
}

static void debug_catches_double_drop(struct kunit *test)
{
	void *p = go3s_ref_new(&thing_type, GFP_KERNEL);

	if (!IS_ENABLED(CONFIG_GO3S_DEBUG))
		kunit_skip(test, "needs CONFIG_GO3S_DEBUG");
	GO3S_ASSERT_NOT_NULL(test, p);
	go3s_ref_drop(&p);
	pr_info("GO3S-EXPECT-WARN double drop of a ref at %s\n", __func__);
	go3s_ref_drop(&p);
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

static void debug_catches_put_below_zero(struct kunit *test)
{
	void *p = go3s_ref_new(&thing_type, GFP_KERNEL);
	void *copy = p;

	if (!IS_ENABLED(CONFIG_GO3S_DEBUG))
		kunit_skip(test, "needs CONFIG_GO3S_DEBUG");
	GO3S_ASSERT_NOT_NULL(test, p);
	/* Inside one RCU section the deferred free cannot have happened. */
	rcu_read_lock();
	go3s_ref_put(p);
	pr_info("GO3S-EXPECT-WARN put of a thing whose last reference is gone %s at %s\n",
		"\\(put below zero\\?\\)", __func__);
	go3s_ref_put(copy);
	rcu_read_unlock();
	GO3S_EXPECT_EQ(test, atomic_read(&dtor_calls), 1);
}

static struct kunit_case go3s_ref_cases[] = {
	KUNIT_CASE(types_are_checked),
	KUNIT_CASE(get_put_destroys_once),
	KUNIT_CASE_SLOW(concurrent_get_put_destroys_once),
	KUNIT_CASE(count_saturates_and_leaks),
	KUNIT_CASE(put_rcu_waits_for_readers),
	KUNIT_CASE(move_and_borrow_in_production_terms),
	KUNIT_CASE(debug_catches_use_after_move),
	KUNIT_CASE(debug_catches_write_while_borrowed),
	KUNIT_CASE(debug_catches_double_drop),
	KUNIT_CASE(debug_catches_put_below_zero),
	{}
};

static struct kunit_suite go3s_ref_suite = {
	.name = "go3s_ref",
	.suite_init = ref_suite_init,
	.suite_exit = ref_suite_exit,
	.init = ref_init,
	.test_cases = go3s_ref_cases,
};

kunit_test_suite(go3s_ref_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_ref: ref[T] objects");
MODULE_VERSION("0.1.0");
