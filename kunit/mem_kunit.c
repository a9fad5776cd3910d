// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_mem: arenas and scopes. Alignment and bookkeeping,
 * chunk reuse after a scope, a steady-state loop in a goroutine that
 * calls the page allocator zero times, the goroutine's arena freed at
 * exit, and hard-IRQ allocation from the reserve only.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <go3s/go.h>
#include <go3s/mem.h>
#include <go3s/wg.h>

#include "../go3s_rt/sched.h"
#include "kunit_compat.h"

#define STAT(f)	go3s_stat_sum(offsetof(struct go3s_stats, f))

/* An allocation the case needs: if it fails, free @a before failing. */
static void *must_alloc(struct kunit *test, struct go3s_arena *a, size_t size)
{
	void *p = go3s_arena_alloc(a, size, GFP_KERNEL);

	if (!p) {
		go3s_arena_destroy(a);
		KUNIT_FAIL_AND_ABORT(test, "go3s_arena_alloc(%zu) failed", size);
	}
	return p;
}

static void arena_aligns_and_counts(struct kunit *test)
{
	static const size_t sizes[] = { 1, 17, 4000, 10000, 16 };
	struct go3s_arena a;
	void *p[ARRAY_SIZE(sizes)];
	u64 want = 0;
	int i, j;

	go3s_arena_init(&a);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = must_alloc(test, &a, sizes[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p[i], GO3S_ARENA_ALIGN));
		memset(p[i], i + 1, sizes[i]);
		want += ALIGN(sizes[i], GO3S_ARENA_ALIGN);
	}
	/* No allocation overlaps another. */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < sizes[i]; j++)
			KUNIT_ASSERT_EQ(test, ((u8 *)p[i])[j], (u8)(i + 1));
	KUNIT_EXPECT_EQ(test, a.bytes, want);
	KUNIT_EXPECT_EQ(test, a.allocs, (u64)ARRAY_SIZE(sizes));
	KUNIT_EXPECT_GE(test, a.pages, 2ULL);	/* 10000 B needs its own chunk */
	KUNIT_EXPECT_NULL(test, go3s_arena_alloc(&a, SIZE_MAX / 2, GFP_KERNEL));
	go3s_arena_destroy(&a);
	KUNIT_EXPECT_EQ(test, a.bytes, 0ULL);
	KUNIT_EXPECT_TRUE(test, list_empty(&a.chunks) && list_empty(&a.spare));
}

static void scope_release_reuses_chunks(struct kunit *test)
{
	struct go3s_arena a;
	struct go3s_arena_mark outer, inner;
	u64 pages;
	void *keep;
	int i, round;

	go3s_arena_init(&a);
	keep = must_alloc(test, &a, 100);
	memset(keep, 0x5a, 100);
	go3s_arena_mark(&a, &outer);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 100; i++)
			must_alloc(test, &a, 100);
		go3s_arena_mark(&a, &inner);
		must_alloc(test, &a, 5000);
		go3s_arena_release(&a, &inner);
		go3s_arena_release(&a, &outer);
		KUNIT_EXPECT_EQ(test, a.bytes, (u64)ALIGN(100, GO3S_ARENA_ALIGN));
		if (!round)
			pages = a.pages;
	}
	KUNIT_EXPECT_EQ(test, a.pages, pages);		/* rounds 2, 3 reused */
	KUNIT_EXPECT_NULL(test, memchr_inv(keep, 0x5a, 100));
	go3s_arena_destroy(&a);
}

/* ---- the goroutine's arena --------------------------------------------- */

struct steady {
	struct go3s_wg wg;
	u64 pages_warm, pages_after, bytes_after;
	int failures;
	bool keep_some;
};

static void steady_body(void *arg)
{
	struct steady *s = arg;
	struct go3s_arena_mark m;
	int round, i;

	for (round = 0; round <= 1000; round++) {
		if (go3s_scope_begin(&m)) {
			s->failures++;
			break;
		}
		for (i = 0; i < 50; i++) {
			u8 *p = go3s_alloc(64 + 37 * i);

			if (!p)
				s->failures++;
			else
				p[0] = i;
		}
		go3s_scope_end(&m);
		if (!round)
			s->pages_warm = go3s_self_arena()->pages;
	}
	s->pages_after = go3s_self_arena()->pages;
	s->bytes_after = go3s_self_arena()->bytes;
	if (s->keep_some)		/* left for the exit to free */
		for (i = 0; i < 25; i++)
			go3s_alloc(4096);
	go3s_wg_done(&s->wg);
}

static void steady_state_loop_allocates_nothing(struct kunit *test)
{
	struct steady *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	go3s_wg_init(&s->wg);
	go3s_wg_add(&s->wg, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(steady_body, s), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&s->wg), 0);
	KUNIT_EXPECT_EQ(test, s->failures, 0);
	KUNIT_EXPECT_GT(test, s->pages_warm, 0ULL);
	/* 1000 rounds of 50 allocations after the first: no page allocator. */
	KUNIT_EXPECT_EQ(test, s->pages_after, s->pages_warm);
	KUNIT_EXPECT_EQ(test, s->bytes_after, 0ULL);
}

static void goroutine_arena_freed_at_exit(struct kunit *test)
{
	struct steady *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u64 live, running;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->keep_some = true;
	go3s_wg_init(&s->wg);
	go3s_wg_add(&s->wg, 1);
	running = STAT(spawned) - STAT(exited);

	live = STAT(arena_pages) - STAT(arena_frees);
	KUNIT_ASSERT_EQ(test, go3s_go(steady_body, s), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&s->wg), 0);
	/* go3s_wg_done() ran inside the goroutine: wait for its exit. */
	while (STAT(spawned) - STAT(exited) > running)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, STAT(arena_pages) - STAT(arena_frees), live);
}

static void alloc_outside_goroutine_fails(struct kunit *test)
{
	struct go3s_arena_mark m;

	KUNIT_EXPECT_NULL(test, go3s_self_arena());
	KUNIT_EXPECT_EQ(test, go3s_scope_begin(&m), -EPERM);
	pr_info("GO3S-EXPECT-WARN go3s_alloc\n");
	KUNIT_EXPECT_NULL(test, go3s_alloc(16));
}

/* ---- hard IRQ: the reserve only ---------------------------------------- */

struct irq_arena {
	struct hrtimer timer;
	struct go3s_arena a;
	void *small, *big;
	u64 pages_before, pages_after;
	bool fired;
};

static enum hrtimer_restart irq_arena_fn(struct hrtimer *timer)
{
	struct irq_arena *x = container_of(timer, struct irq_arena, timer);

	x->pages_before = x->a.pages;
	x->small = go3s_arena_alloc(&x->a, 100, GFP_ATOMIC);
	x->big = go3s_arena_alloc(&x->a, 3 * PAGE_SIZE, GFP_ATOMIC);
	x->pages_after = x->a.pages;
	WRITE_ONCE(x->fired, true);
	return HRTIMER_NORESTART;
}

static void hardirq_allocates_from_reserve_only(struct kunit *test)
{
	struct irq_arena *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	unsigned long until = jiffies + 5 * HZ;

	KUNIT_ASSERT_NOT_NULL(test, x);
	go3s_arena_init(&x->a);
	if (go3s_arena_reserve(&x->a, 1024, GFP_KERNEL)) {
		go3s_arena_destroy(&x->a);
		KUNIT_FAIL_AND_ABORT(test, "go3s_arena_reserve() failed");
	}
	hrtimer_init(&x->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	x->timer.function = irq_arena_fn;
	hrtimer_start(&x->timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	while (!READ_ONCE(x->fired) && time_before(jiffies, until))
		usleep_range(500, 1000);
	hrtimer_cancel(&x->timer);
	KUNIT_EXPECT_TRUE(test, x->fired);
	KUNIT_EXPECT_NOT_NULL(test, x->small);		/* from the reserve */
	KUNIT_EXPECT_NULL(test, x->big);		/* nothing that large */
	KUNIT_EXPECT_EQ(test, x->pages_after, x->pages_before);
	go3s_arena_destroy(&x->a);
}

static struct kunit_case go3s_mem_cases[] = {
	KUNIT_CASE(arena_aligns_and_counts),
	KUNIT_CASE(scope_release_reuses_chunks),
	KUNIT_CASE(steady_state_loop_allocates_nothing),
	KUNIT_CASE(goroutine_arena_freed_at_exit),
	KUNIT_CASE(alloc_outside_goroutine_fails),
	KUNIT_CASE(hardirq_allocates_from_reserve_only),
	{}
};

static struct kunit_suite go3s_mem_suite = {
	.name = "go3s_mem",
	.test_cases = go3s_mem_cases,
};

kunit_test_suite(go3s_mem_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_mem: arenas and scopes");
MODULE_VERSION("0.1.0");
