// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_sched: goroutines, workers, parking, timers, IRQ spawn,
 * the switch checks and the goroutine dump. Built as a client of go3s_rt.
 *
 * Cases that make the runtime WARN on purpose log "GO3S-EXPECT-WARN <regex>"
 * first; the VM harness then requires exactly that WARN (and its call trace
 * must show the goroutine's own frames).
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/vmalloc.h>

#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/g.h"
#include "../go3s_rt/irq.h"
#include "../go3s_rt/sched.h"
#include "../go3s_rt/stats.h"
#include "kunit_compat.h"

#define STAT(f)	go3s_stat_sum(offsetof(struct go3s_stats, f))

/* ---- identity ---------------------------------------------------------- */

struct ident {
	struct go3s_wg wg;
	bool has_self;
	void *arg;
	u64 id;
};

static void ident_body(void *arg)
{
	struct ident *c = arg;

	c->has_self = !!go3s_self();
	c->arg = go3s_self_arg();
	c->id = go3s_self_id();
	go3s_wg_done(&c->wg);
}

static void self_is_null_outside_goroutines(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, go3s_self());
	KUNIT_EXPECT_EQ(test, go3s_self_id(), 0ULL);
	KUNIT_EXPECT_NULL(test, go3s_self_arg());
	KUNIT_EXPECT_GE(test, go3s_nr_workers(), 1U);
}

static void spawn_passes_arg_and_identity(struct kunit *test)
{
	struct ident a = {}, b = {};

	go3s_wg_init(&a.wg);
	go3s_wg_init(&b.wg);
	go3s_wg_add(&a.wg, 1);
	go3s_wg_add(&b.wg, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(ident_body, &a), 0);
	if (go3s_go(ident_body, &b)) {
		/* Not an ASSERT: @a lives on this stack until its goroutine is done. */
		go3s_wg_wait(&a.wg);
		KUNIT_FAIL_AND_ABORT(test, "go3s_go failed");
	}
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&a.wg), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&b.wg), 0);
	KUNIT_EXPECT_TRUE(test, a.has_self);
	KUNIT_EXPECT_PTR_EQ(test, a.arg, (void *)&a);
	KUNIT_EXPECT_PTR_EQ(test, b.arg, (void *)&b);
	KUNIT_EXPECT_NE(test, a.id, 0ULL);
	KUNIT_EXPECT_NE(test, a.id, b.id);
}

static void spawn_rejects_null_fn(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, go3s_go(NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_go_irq(NULL, NULL), -EINVAL);
}

/* ---- many goroutines --------------------------------------------------- */

#define MANY		100000
#define WAVE		1000

struct many {
	struct go3s_wg wg;
	u8 *hits;
	atomic_t ran;
};

struct many_slot {
	struct many *m;
	unsigned int i;
};

static void many_body(void *arg)
{
	struct many_slot *s = arg;

	s->m->hits[s->i]++;
	atomic_inc(&s->m->ran);
	go3s_wg_done(&s->m->wg);
}

static void hundred_thousand_run_exactly_once(struct kunit *test)
{
	struct many_slot *slots;
	struct many m = {};
	unsigned int i, j;
	u64 spawned = STAT(spawned);

	m.hits = vzalloc(MANY);
	slots = kvcalloc(WAVE, sizeof(*slots), GFP_KERNEL);
	/* A failing case must leave nothing behind (fault injection). */
	if (!m.hits || !slots) {
		kvfree(slots);
		vfree(m.hits);
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	}
	go3s_wg_init(&m.wg);
	for (i = 0; i < MANY; i += WAVE) {
		go3s_wg_add(&m.wg, WAVE);
		for (j = 0; j < WAVE; j++) {
			slots[j] = (struct many_slot){ .m = &m, .i = i + j };
			if (go3s_go(many_body, &slots[j]))
				go3s_wg_done(&m.wg);
		}
		if (go3s_wg_wait(&m.wg)) {
			KUNIT_FAIL(test, "go3s_wg_wait failed");
			break;
		}
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&m.ran), MANY);
	for (i = 0; i < MANY; i++)
		if (m.hits[i] != 1)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, MANY, "goroutine %u ran %u times", i,
			    i < MANY ? m.hits[i] : 1);
	KUNIT_EXPECT_GE(test, STAT(spawned) - spawned, (u64)MANY);
	kvfree(slots);
	vfree(m.hits);
}

/* ---- yield ------------------------------------------------------------- */

#define YIELDS	100

struct yield_log {
	struct go3s_wg wg;
	atomic_t n;
	char log[2 * YIELDS];
};

struct yielder {
	struct yield_log *l;
	char name;
};

static void yield_body(void *arg)
{
	struct yielder *y = arg;
	int i;

	for (i = 0; i < YIELDS; i++) {
		y->l->log[atomic_inc_return(&y->l->n) - 1] = y->name;
		go3s_yield();
	}
	go3s_wg_done(&y->l->wg);
}

static void yields_interleave_fifo(struct kunit *test)
{
	struct yield_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct yielder a = { .l = l, .name = 'a' }, b = { .l = l, .name = 'b' };
	int i, na = 0, nb = 0;

	KUNIT_ASSERT_NOT_NULL(test, l);
	go3s_wg_init(&l->wg);
	go3s_wg_add(&l->wg, 2);
	KUNIT_ASSERT_EQ(test, go3s_go(yield_body, &a), 0);
	if (go3s_go(yield_body, &b)) {
		/* Not an ASSERT: @a (this stack) and @l must outlive a's goroutine. */
		go3s_wg_done(&l->wg);
		go3s_wg_wait(&l->wg);
		KUNIT_FAIL_AND_ABORT(test, "go3s_go failed");
	}
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&l->wg), 0);
	KUNIT_ASSERT_EQ(test, atomic_read(&l->n), 2 * YIELDS);
	for (i = 0; i < 2 * YIELDS; i++) {
		na += l->log[i] == 'a';
		nb += l->log[i] == 'b';
	}
	KUNIT_EXPECT_EQ(test, na, YIELDS);
	KUNIT_EXPECT_EQ(test, nb, YIELDS);
	/* One worker: a yield hands over to the other goroutine, in order. */
	if (num_online_cpus() == 1)
		for (i = 2; i < 2 * YIELDS; i++)
			KUNIT_ASSERT_EQ_MSG(test, l->log[i], l->log[i - 2],
					    "not FIFO at %d", i);
}

/* ---- sleep ------------------------------------------------------------- */

#define SLEEPERS	100
#define SLEEP_MS	20

struct sleeper {
	struct go3s_wg *wg;
	s64 slept_ns;
	int ret;
};

static void sleep_body(void *arg)
{
	struct sleeper *s = arg;
	ktime_t t0 = ktime_get();

	s->ret = go3s_sleep(SLEEP_MS * NSEC_PER_MSEC);
	s->slept_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	go3s_wg_done(s->wg);
}

static void sleeps_park_instead_of_blocking(struct kunit *test)
{
	struct sleeper *s = kunit_kcalloc(test, SLEEPERS, sizeof(*s), GFP_KERNEL);
	struct go3s_wg wg;
	ktime_t t0;
	s64 total;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	go3s_wg_init(&wg);
	go3s_wg_add(&wg, SLEEPERS);
	t0 = ktime_get();
	for (i = 0; i < SLEEPERS; i++) {
		s[i].wg = &wg;
		/* Not an ASSERT: the others must not outlive @wg. */
		if (go3s_go(sleep_body, &s[i])) {
			KUNIT_FAIL(test, "go3s_go failed");
			s[i].slept_ns = SLEEP_MS * NSEC_PER_MSEC;
			go3s_wg_done(&wg);
		}
	}
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&wg), 0);
	total = ktime_ms_delta(ktime_get(), t0);
	for (i = 0; i < SLEEPERS; i++) {
		KUNIT_EXPECT_EQ(test, s[i].ret, 0);
		KUNIT_EXPECT_GE(test, s[i].slept_ns, SLEEP_MS * NSEC_PER_MSEC);
	}
	/* Blocking sleeps on even 4 workers would take >= 500 ms. */
	KUNIT_EXPECT_LT(test, total, (s64)SLEEPERS * SLEEP_MS / 8);
}

static void sleep_outside_goroutine_sleeps(struct kunit *test)
{
	ktime_t t0 = ktime_get();

	KUNIT_EXPECT_EQ(test, go3s_sleep(2 * NSEC_PER_MSEC), 0);
	KUNIT_EXPECT_GE(test, ktime_to_ns(ktime_sub(ktime_get(), t0)),
			2LL * NSEC_PER_MSEC);
}

/* A stray go3s_unpark() (a late waker) does not cut a sleep short. */
struct stray {
	struct go3s_g *g;
	struct go3s_wg gate, done;
	s64 slept_ns;
	int started, woke, ret;
};

static void stray_sleep_body(void *arg)
{
	struct stray *s = arg;
	ktime_t t0 = ktime_get();

	s->g = go3s_self();
	/* Publishes ->g; pairs with the case's smp_load_acquire(). */
	smp_store_release(&s->started, 1);
	s->ret = go3s_sleep(SLEEP_MS * NSEC_PER_MSEC);
	s->slept_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	/* Publishes ->ret and ->slept_ns; pairs with the case's acquire. */
	smp_store_release(&s->woke, 1);
	/* Keep the G ours until the case stops unparking it. */
	go3s_wg_wait(&s->gate);
	go3s_wg_done(&s->done);
}

static void sleep_survives_stray_unparks(struct kunit *test)
{
	struct stray *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned long until = jiffies + 10 * HZ;
	unsigned int stray = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	go3s_wg_init(&s->gate);
	go3s_wg_init(&s->done);
	go3s_wg_add(&s->gate, 1);
	go3s_wg_add(&s->done, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(stray_sleep_body, s), 0);
	/* Both pair with stray_sleep_body()'s smp_store_release(). */
	while (!smp_load_acquire(&s->started) && time_before(jiffies, until))
		usleep_range(100, 200);
	/* As above. */
	while (smp_load_acquire(&s->started) && !smp_load_acquire(&s->woke) &&
	       time_before(jiffies, until)) {
		stray += go3s_unpark(s->g);
		usleep_range(500, 1000);
	}
	go3s_wg_done(&s->gate);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&s->done), 0);
	KUNIT_EXPECT_EQ(test, s->ret, 0);
	/* Not vacuous: some unparks found it asleep and woke it. */
	KUNIT_EXPECT_GT(test, stray, 0U);
	KUNIT_EXPECT_GE(test, s->slept_ns, SLEEP_MS * NSEC_PER_MSEC);
	kunit_info(test, "%u stray unparks during a %d ms sleep", stray, SLEEP_MS);
}

/* ---- WaitGroup --------------------------------------------------------- */

struct nest {
	struct go3s_wg outer, inner;
	atomic_t children;
	int wait_ret;
};

static void nest_child(void *arg)
{
	struct nest *n = arg;

	go3s_sleep(NSEC_PER_MSEC);
	atomic_inc(&n->children);
	go3s_wg_done(&n->inner);
}

static void nest_parent(void *arg)
{
	struct nest *n = arg;
	int i;

	for (i = 0; i < 10; i++) {
		go3s_wg_add(&n->inner, 1);
		if (go3s_go(nest_child, n))
			go3s_wg_done(&n->inner);
	}
	n->wait_ret = go3s_wg_wait(&n->inner);	/* parks this goroutine */
	go3s_wg_done(&n->outer);
}

static void waitgroup_parks_goroutines(struct kunit *test)
{
	struct nest *n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, n);
	go3s_wg_init(&n->outer);
	go3s_wg_init(&n->inner);
	go3s_wg_add(&n->outer, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(nest_parent, n), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&n->outer), 0);
	KUNIT_EXPECT_EQ(test, n->wait_ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&n->children), 10);
	KUNIT_EXPECT_EQ(test, atomic_read(&n->inner.count), 0);
}

/*
 * A goroutine frees its WaitGroup as soon as go3s_wg_wait() returns, while
 * the goroutine that brought the count to zero is still in go3s_wg_done():
 * KASAN reports any touch of the freed WaitGroup after the wait.
 */
#define WG_ROUNDS	2000

struct wg_churn {
	struct go3s_wg done;
	unsigned int rounds, failed;
};

static void churn_done_body(void *arg)
{
	go3s_wg_done(arg);
}

static void churn_body(void *arg)
{
	struct wg_churn *c = arg;
	unsigned int i;

	for (i = 0; i < WG_ROUNDS; i++) {
		struct go3s_wg *wg = kmalloc(sizeof(*wg), GFP_KERNEL);

		if (!wg) {
			c->failed++;
			continue;
		}
		go3s_wg_init(wg);
		go3s_wg_add(wg, 1);
		if (go3s_go(churn_done_body, wg))
			go3s_wg_done(wg);
		if (go3s_wg_wait(wg))
			c->failed++;
		kfree(wg);
		c->rounds++;
	}
	go3s_wg_done(&c->done);
}

static void waitgroup_freed_right_after_wait(struct kunit *test)
{
	struct wg_churn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	go3s_wg_init(&c->done);
	go3s_wg_add(&c->done, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(churn_body, c), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&c->done), 0);
	KUNIT_EXPECT_EQ(test, c->failed, 0U);
	KUNIT_EXPECT_EQ(test, c->rounds, WG_ROUNDS);
}

static void waitgroup_refuses_negative_count(struct kunit *test)
{
	struct go3s_wg wg;

	go3s_wg_init(&wg);
	pr_info("GO3S-EXPECT-WARN go3s_wg_add\n");
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), 0);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);	/* zero: no wait */
}

/* ---- the switch checks ------------------------------------------------- */

struct refused {
	struct go3s_wg wg;
	int ret;
	bool continued;
};

static DEFINE_SPINLOCK(refused_lock);

static void refused_spin_body(void *arg)
{
	struct refused *r = arg;

	spin_lock(&refused_lock);
	go3s_yield();			/* refused: we keep running */
	r->continued = true;
	spin_unlock(&refused_lock);
	go3s_wg_done(&r->wg);
}

static void refused_rcu_body(void *arg)
{
	struct refused *r = arg;

	rcu_read_lock();
	r->ret = go3s_sleep(NSEC_PER_MSEC);
	r->continued = true;
	rcu_read_unlock();
	go3s_wg_done(&r->wg);
}

static void refused_irq_body(void *arg)
{
	struct refused *r = arg;

	local_irq_disable();
	go3s_yield();
	r->continued = true;
	local_irq_enable();
	go3s_wg_done(&r->wg);
}

static int run_refused(struct kunit *test, go3s_fn_t fn, const char *expect)
{
	struct refused r = {};
	u64 refused = STAT(refused);

	/* Without a preempt count (or lockdep), spinlocks and RCU leave no trace. */
	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT) && !IS_ENABLED(CONFIG_LOCKDEP) &&
	    fn != refused_irq_body)
		kunit_skip(test, "needs CONFIG_PREEMPT_COUNT or lockdep");

	go3s_wg_init(&r.wg);
	go3s_wg_add(&r.wg, 1);
	pr_info("GO3S-EXPECT-WARN %s\n", expect);
	KUNIT_ASSERT_EQ(test, go3s_go(fn, &r), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&r.wg), 0);
	KUNIT_EXPECT_TRUE(test, r.continued);
	KUNIT_EXPECT_GE(test, STAT(refused) - refused, 1ULL);
	return r.ret;
}

/*
 * The expected WARN's trace must show the goroutine's function. Without a
 * preempt count (UML before 6.12) lockdep is what sees the lock, and the
 * reason reads "while holding a lock".
 */
static void switch_refused_under_spinlock(struct kunit *test)
{
	run_refused(test, refused_spin_body,
		    "(?s)tried to yield (with preemption disabled|while holding a lock).*refused_spin_body");
}

static void switch_refused_in_rcu_section(struct kunit *test)
{
	int ret = run_refused(test, refused_rcu_body,
			      "(?s)tried to sleep (inside an RCU|with preemption|while holding a lock).*refused_rcu_body");

	KUNIT_EXPECT_EQ(test, ret, -EDEADLK);
}

static void switch_refused_with_irqs_off(struct kunit *test)
{
	run_refused(test, refused_irq_body,
		    "(?s)tried to yield with interrupts disabled.*refused_irq_body");
}

/* ---- exit -------------------------------------------------------------- */

struct exiter {
	bool before, after_exit, after_call;
};

static noinline void exit_deep(struct exiter *e)
{
	char buf[64];	/* a KASAN-redzoned frame left behind by go3s_exit() */

	memset(buf, 0x5a, sizeof(buf));
	e->before = buf[3] == 0x5a;
	go3s_exit();
	e->after_exit = true;
}

static void exit_body(void *arg)
{
	struct exiter *e = arg;

	exit_deep(e);
	e->after_call = true;
}

static void exit_ends_goroutine_mid_stack(struct kunit *test)
{
	struct exiter *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	struct many_slot *slots = kunit_kcalloc(test, 64, sizeof(*slots), GFP_KERNEL);
	u64 exited = STAT(exited);
	unsigned long until = jiffies + 10 * HZ;
	struct many m = { .hits = kunit_kzalloc(test, 64, GFP_KERNEL) };
	int i;

	/* Everything that can fail before the first goroutine exists. */
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, slots);
	KUNIT_ASSERT_NOT_NULL(test, m.hits);
	KUNIT_ASSERT_EQ(test, go3s_go(exit_body, e), 0);
	while (STAT(exited) == exited && time_before(jiffies, until))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE(test, e->before);
	KUNIT_EXPECT_FALSE(test, e->after_exit);
	KUNIT_EXPECT_FALSE(test, e->after_call);

	/* Reuse the stacks, the exited one among them. */
	go3s_wg_init(&m.wg);
	go3s_wg_add(&m.wg, 64);
	for (i = 0; i < 64; i++) {
		slots[i] = (struct many_slot){ .m = &m, .i = i };
		/* Not an ASSERT: the others must not outlive @m (this stack). */
		if (go3s_go(many_body, &slots[i])) {
			KUNIT_FAIL(test, "go3s_go failed");
			go3s_wg_done(&m.wg);
		}
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&m.wg), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&m.ran), 64);
}

/* ---- hard-IRQ spawn ---------------------------------------------------- */

struct irq_ctx {
	struct hrtimer timer;
	struct go3s_wg done;		/* goroutines finished */
	struct go3s_wg gate;		/* holds them until released */
	bool in_hardirq, self_null, g_in_task, g_has_self;
	int max, spawned, err;
	atomic_t ran;
};

static void irq_body(void *arg)
{
	struct irq_ctx *c = arg;

	c->g_in_task = in_task();
	c->g_has_self = !!go3s_self();
	go3s_wg_wait(&c->gate);
	atomic_inc(&c->ran);
	go3s_wg_done(&c->done);
}

static enum hrtimer_restart irq_timer_fn(struct hrtimer *t)
{
	struct irq_ctx *c = container_of(t, struct irq_ctx, timer);
	int ret;

	c->in_hardirq = in_hardirq();
	c->self_null = !go3s_self();
	while (c->spawned < c->max) {
		ret = go3s_go_irq(irq_body, c);
		if (ret) {
			c->err = ret;
			break;
		}
		c->spawned++;
	}
	go3s_wg_done(&c->done);		/* the callback itself */
	return HRTIMER_NORESTART;
}

/* Fire one hard-IRQ hrtimer that tries @max IRQ spawns; wait for it. */
static void irq_fire(struct kunit *test, struct irq_ctx *c, int max)
{
	c->max = max;
	c->spawned = 0;
	c->err = 0;
	go3s_wg_init(&c->done);
	go3s_wg_add(&c->done, 1 + max);
	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	c->timer.function = irq_timer_fn;
	hrtimer_start(&c->timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	/* The spawns that did not happen will not call done. */
	while (atomic_read(&c->done.count) > max)
		usleep_range(1000, 2000);
	hrtimer_cancel(&c->timer);
	go3s_wg_add(&c->done, -(max - c->spawned));
}

static void irq_spawn_from_hardirq_timer(struct kunit *test)
{
	struct irq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u64 irq_spawned = STAT(irq_spawned);

	KUNIT_ASSERT_NOT_NULL(test, c);
	go3s_wg_init(&c->gate);		/* open */
	irq_fire(test, c, 1);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&c->done), 0);
	KUNIT_EXPECT_TRUE(test, c->in_hardirq);
	KUNIT_EXPECT_TRUE(test, c->self_null);
	KUNIT_EXPECT_EQ(test, c->spawned, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ran), 1);
	KUNIT_EXPECT_TRUE(test, c->g_in_task);
	KUNIT_EXPECT_TRUE(test, c->g_has_self);
	KUNIT_EXPECT_EQ(test, STAT(irq_spawned) - irq_spawned, 1ULL);
}

static void irq_pool_empty_is_eagain_then_refills(struct kunit *test)
{
	struct irq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int size = go3s_irq_pool_size();
	u64 empty = STAT(irq_pool_empty);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_GT(test, size, 0);
	go3s_wg_init(&c->gate);
	go3s_wg_add(&c->gate, 1);	/* closed: the pool drains */
	irq_fire(test, c, 4 * size);
	KUNIT_EXPECT_EQ(test, c->err, -EAGAIN);
	KUNIT_EXPECT_GE(test, c->spawned, 1);
	KUNIT_EXPECT_LE(test, c->spawned, size);
	KUNIT_EXPECT_GE(test, STAT(irq_pool_empty) - empty, 1ULL);
	go3s_wg_done(&c->gate);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&c->done), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ran), c->spawned);

	/* The workers that ran them refilled their pools. */
	atomic_set(&c->ran, 0);
	irq_fire(test, c, 1);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&c->done), 0);
	KUNIT_EXPECT_EQ(test, c->spawned, 1);
}

/* ---- work stealing ----------------------------------------------------- */

struct spread {
	struct go3s_wg wg;
	unsigned long *cpus;
	atomic_t ran;
};

/* Keep the worker busy (not parked, not sleeping) for @us. */
static void busy_us(unsigned int us)
{
	ktime_t end = ktime_add_us(ktime_get(), us);

	while (ktime_before(ktime_get(), end))
		cpu_relax();
}

static void spread_leaf(void *arg)
{
	struct spread *s = arg;

	set_bit(raw_smp_processor_id(), s->cpus);
	busy_us(200);
	atomic_inc(&s->ran);
	go3s_wg_done(&s->wg);
}

static void spread_root(void *arg)
{
	struct spread *s = arg;
	int i;

	/* All on this worker's run queue; it stays busy, the others steal. */
	for (i = 0; i < 200; i++)
		if (go3s_go(spread_leaf, s))
			go3s_wg_done(&s->wg);
	busy_us(2000);
	go3s_wg_done(&s->wg);
}

static void idle_workers_steal(struct kunit *test)
{
	struct spread *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u64 steals = STAT(steals);

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->cpus = bitmap_zalloc(nr_cpu_ids, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->cpus);
	go3s_wg_init(&s->wg);
	go3s_wg_add(&s->wg, 201);
	if (go3s_go(spread_root, s)) {
		bitmap_free(s->cpus);
		KUNIT_FAIL_AND_ABORT(test, "go3s_go failed");
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&s->wg), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->ran), 200);
	KUNIT_EXPECT_GE(test, bitmap_weight(s->cpus, nr_cpu_ids), 2U);
	KUNIT_EXPECT_GT(test, STAT(steals), steals);
	bitmap_free(s->cpus);
}

/* ---- CPU hotplug ------------------------------------------------------- */

#define HOT_GOROUTINES	500

struct hot {
	struct go3s_wg wg;
	atomic_t ran;
};

static void hot_body(void *arg)
{
	struct hot *h = arg;
	int i;

	for (i = 0; i < 20; i++) {
		go3s_sleep(200 * NSEC_PER_USEC);
		go3s_yield();
	}
	atomic_inc(&h->ran);
	go3s_wg_done(&h->wg);
}

static int hot_spawner(void *arg)
{
	struct hot *h = arg;
	int i;

	for (i = 0; i < HOT_GOROUTINES; i++)
		if (go3s_go(hot_body, h))
			go3s_wg_done(&h->wg);
	go3s_wg_done(&h->wg);		/* the spawner */
	return 0;
}

/* Goroutines queued and parked on a CPU that goes offline all finish. */
static void cpu_offline_hands_goroutines_over(struct kunit *test)
{
	struct hot *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	unsigned int cpu = cpumask_last(cpu_online_mask);
	unsigned long until = jiffies + 60 * HZ;
	struct task_struct *t;
	int ret;

	if (num_online_cpus() < 2 || !cpu)
		kunit_skip(test, "needs a second CPU to take offline");
	KUNIT_ASSERT_NOT_NULL(test, h);
	go3s_wg_init(&h->wg);
	go3s_wg_add(&h->wg, HOT_GOROUTINES + 1);
	t = kthread_run_on_cpu(hot_spawner, h, cpu, "go3s_hot/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	usleep_range(2000, 3000);
	ret = remove_cpu(cpu);
	KUNIT_EXPECT_EQ(test, ret, 0);
	/* A lost goroutine must fail the case, not hang the VM. */
	while (atomic_read(&h->wg.count) && time_before(jiffies, until))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->wg.count), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->ran), HOT_GOROUTINES);
	if (!ret)
		KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, cpu_online(cpu));
}

/* ---- storm: kthreads on every CPU and IRQs spawn at once --------------- */

#define STORM_PER_THREAD	5000

struct storm {
	struct go3s_wg wg;
	atomic_t ran, spawned;
	struct hrtimer timer;
	atomic_t ticks;
	bool stop;
};

static void storm_body(void *arg)
{
	struct storm *s = arg;

	atomic_inc(&s->ran);
	if (atomic_read(&s->ran) % 7 == 0)
		go3s_yield();
	go3s_wg_done(&s->wg);
}

static int storm_thread(void *arg)
{
	struct storm *s = arg;
	int i;

	for (i = 0; i < STORM_PER_THREAD; i++) {
		go3s_wg_add(&s->wg, 1);
		if (go3s_go(storm_body, s))
			go3s_wg_done(&s->wg);
		else
			atomic_inc(&s->spawned);
	}
	go3s_wg_done(&s->wg);		/* this thread */
	return 0;
}

static enum hrtimer_restart storm_tick(struct hrtimer *t)
{
	struct storm *s = container_of(t, struct storm, timer);

	go3s_wg_add(&s->wg, 1);
	if (go3s_go_irq(storm_body, s))
		go3s_wg_done(&s->wg);
	else
		atomic_inc(&s->spawned);
	if (READ_ONCE(s->stop) || atomic_inc_return(&s->ticks) >= 500) {
		go3s_wg_done(&s->wg);	/* the timer */
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void spawn_storm_accounts_for_every_goroutine(struct kunit *test)
{
	struct storm *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int cpu, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	go3s_wg_init(&s->wg);
	go3s_wg_add(&s->wg, 1);		/* the timer */
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	s->timer.function = storm_tick;
	hrtimer_start(&s->timer, ns_to_ktime(50 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		go3s_wg_add(&s->wg, 1);
		t = kthread_run_on_cpu(storm_thread, s, cpu, "go3s_storm/%u");
		if (IS_ERR(t))
			go3s_wg_done(&s->wg);
		else
			n++;
	}
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&s->wg), 0);
	WRITE_ONCE(s->stop, true);
	hrtimer_cancel(&s->timer);
	KUNIT_EXPECT_EQ(test, n, num_online_cpus());
	KUNIT_EXPECT_GE(test, atomic_read(&s->spawned), (int)n * STORM_PER_THREAD);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->ran), atomic_read(&s->spawned));
}

/* ---- observability ----------------------------------------------------- */

struct parked {
	struct go3s_wg gate, done;
	u64 id;
	bool released;
};

/* A kunit action: also runs when an ASSERT ends the case early. */
static void parked_release(void *arg)
{
	struct parked *p = arg;

	if (!p->released) {
		p->released = true;
		go3s_wg_done(&p->gate);
	}
	go3s_wg_wait(&p->done);
}

static void parked_body(void *arg)
{
	struct parked *p = arg;

	p->id = go3s_self_id();
	go3s_wg_wait(&p->gate);
	go3s_wg_done(&p->done);
}

static char *show(struct kunit *test, int (*fn)(struct seq_file *, void *))
{
	char *buf = kunit_kzalloc(test, 64 * PAGE_SIZE, GFP_KERNEL);
	struct seq_file m = { .buf = buf, .size = 64 * PAGE_SIZE - 1 };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, fn(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	buf[m.count] = '\0';
	return buf;
}

static void dump_shows_parked_goroutine(struct kunit *test)
{
	struct parked *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	unsigned long until = jiffies + 10 * HZ;
	char want[64], site[64], *dump;

	KUNIT_ASSERT_NOT_NULL(test, p);
	go3s_wg_init(&p->gate);
	go3s_wg_init(&p->done);
	go3s_wg_add(&p->gate, 1);
	go3s_wg_add(&p->done, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(parked_body, p), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, parked_release, p), 0);
	do {
		usleep_range(5000, 10000);
		snprintf(want, sizeof(want), "goroutine %llu [waiting, waitgroup,",
			 READ_ONCE(p->id));
		dump = show(test, go3s_goroutines_show);
	} while (!strstr(dump, want) && time_before(jiffies, until));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(dump, want), "%s", dump);
	/* The spawn site is this function, in this module. */
	snprintf(site, sizeof(site), "spawned at %s+", __func__);
	KUNIT_EXPECT_NOT_NULL(test, strstr(dump, site));
	KUNIT_EXPECT_NOT_NULL(test, strstr(dump, " owner "));

	dump = show(test, go3s_stats_show);
	KUNIT_EXPECT_NOT_NULL(test, strstr(dump, "cpu spawned exited switches"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(dump, "\nlive: "));

	kunit_release_action(test, parked_release, p);
	KUNIT_EXPECT_TRUE(test, p->released);
}

struct traced {
	struct go3s_wg wg;
	bool has_body, has_main;
	unsigned int nr;
};

static noinline void trace_body(void *arg)
{
	struct traced *t = arg;
	char *sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	unsigned long entries[32];
	char self[64];
	unsigned int i;

	snprintf(self, sizeof(self), "%s+", __func__);
	t->nr = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (i = 0; sym && i < t->nr; i++) {
		sprint_symbol(sym, entries[i]);
		t->has_body |= !!strstr(sym, self);
		t->has_main |= !!strstr(sym, "go3s_g_main+");
	}
	kfree(sym);
	go3s_wg_done(&t->wg);
}

/* The unwinder walks a goroutine's stack: traces, WARNs and KASAN too. */
static void stack_trace_shows_goroutine_frames(struct kunit *test)
{
	struct traced *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned long here[4];

	/* UML without frame pointers saves no reliable entry for anyone. */
	if (!stack_trace_save(here, ARRAY_SIZE(here), 0))
		kunit_skip(test, "this kernel saves no stack traces");
	KUNIT_ASSERT_NOT_NULL(test, t);
	go3s_wg_init(&t->wg);
	go3s_wg_add(&t->wg, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(trace_body, t), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&t->wg), 0);
	KUNIT_EXPECT_GT(test, t->nr, 1U);
	KUNIT_EXPECT_TRUE(test, t->has_body);
	KUNIT_EXPECT_TRUE(test, t->has_main);
}

/* ---- the first frame keeps the ABI's stack alignment -------------------- */

struct aligned_probe {
	struct go3s_wg wg;
	unsigned long misalign;
};

/*
 * A local the compiler must place 16-byte aligned. Built for an ABI whose
 * stack is 16-byte aligned at every call (UML: the host's), the compiler
 * trusts %rsp and does not realign, so a goroutine entered with a
 * misaligned stack shows here (and faults in any movaps spill: 6.1's UML
 * stack_trace_save()). The kernel proper is built for 8 bytes, where the
 * compiler realigns and the check holds whatever the first frame did.
 */
static noinline unsigned long aligned_probe_offset(void)
{
	u8 buf[16] __aligned(16);
	unsigned long addr = (unsigned long)buf;

	/* Or the compiler folds the test to 0 from the alignment it knows. */
	OPTIMIZER_HIDE_VAR(addr);
	return addr & 15;
}

static void aligned_probe_body(void *arg)
{
	struct aligned_probe *a = arg;

	a->misalign = aligned_probe_offset();
	go3s_wg_done(&a->wg);
}

static void goroutine_stack_keeps_abi_alignment(struct kunit *test)
{
	struct aligned_probe *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->misalign = ~0UL;
	go3s_wg_init(&a->wg);
	go3s_wg_add(&a->wg, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(aligned_probe_body, a), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&a->wg), 0);
	KUNIT_EXPECT_EQ(test, a->misalign, 0UL);
}

static struct kunit_case go3s_sched_cases[] = {
	KUNIT_CASE(self_is_null_outside_goroutines),
	KUNIT_CASE(spawn_passes_arg_and_identity),
	KUNIT_CASE(spawn_rejects_null_fn),
	KUNIT_CASE_SLOW(hundred_thousand_run_exactly_once),
	KUNIT_CASE(yields_interleave_fifo),
	KUNIT_CASE(sleeps_park_instead_of_blocking),
	KUNIT_CASE(sleep_outside_goroutine_sleeps),
	KUNIT_CASE(sleep_survives_stray_unparks),
	KUNIT_CASE(waitgroup_parks_goroutines),
	KUNIT_CASE(waitgroup_refuses_negative_count),
	KUNIT_CASE(waitgroup_freed_right_after_wait),
	KUNIT_CASE(switch_refused_under_spinlock),
	KUNIT_CASE(switch_refused_in_rcu_section),
	KUNIT_CASE(switch_refused_with_irqs_off),
	KUNIT_CASE(exit_ends_goroutine_mid_stack),
	KUNIT_CASE(irq_spawn_from_hardirq_timer),
	KUNIT_CASE(irq_pool_empty_is_eagain_then_refills),
	KUNIT_CASE(idle_workers_steal),
	KUNIT_CASE_SLOW(spawn_storm_accounts_for_every_goroutine),
	KUNIT_CASE_SLOW(cpu_offline_hands_goroutines_over),
	KUNIT_CASE(dump_shows_parked_goroutine),
	KUNIT_CASE(stack_trace_shows_goroutine_frames),
	KUNIT_CASE(goroutine_stack_keeps_abi_alignment),
	{}
};

static struct kunit_suite go3s_sched_suite = {
	.name = "go3s_sched",
	.test_cases = go3s_sched_cases,
};

kunit_test_suite(go3s_sched_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_sched: goroutines and their scheduler");
MODULE_VERSION("0.1.0");
