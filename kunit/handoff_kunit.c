// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_handoff: nothing waits behind a goroutine that blocks
 * in the kernel or runs too long (the monitor, spare workers, runnext and
 * the switch on an expired timeout). Built as a client of go3s_rt.
 *
 * The durations are module parameters: the debug VM (TCG, KASAN, lockdep)
 * is 20-50 times slower than UML, so it passes longer blocks; each case
 * checks an order of events (work done while the blocker still blocks),
 * never a wall-clock bound, and reports the times it saw.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/wait.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/g.h"
#include "../go3s_rt/sched.h"
#include "../go3s_rt/stats.h"
#include "kunit_compat.h"

#define STAT(f)	go3s_stat_sum(offsetof(struct go3s_stats, f))

static unsigned int block_ms = 200;
module_param(block_ms, uint, 0444);
MODULE_PARM_DESC(block_ms, "How long a goroutine blocks in the kernel");

static unsigned int nr_after = 10000;
module_param(nr_after, uint, 0444);
MODULE_PARM_DESC(nr_after, "Goroutines spawned behind a blocked one");

static unsigned int poll_ms = 2000;
module_param(poll_ms, uint, 0444);
MODULE_PARM_DESC(poll_ms, "How long a goroutine polls select with tiny timeouts");

#define WAVE	500

/* ---- a goroutine blocks in an ordinary kernel call ---------------------- */

enum block_kind { BLOCK_MSLEEP, BLOCK_MUTEX, BLOCK_WAIT_EVENT };

struct blocker {
	enum block_kind kind;
	struct mutex mutex;		/* held by holder_thread() */
	wait_queue_head_t wq;
	bool released;
	struct completion holder_ready, holder_done;
	struct go3s_wg started, done;
	bool returned;			/* the blocked goroutine came back */
	ktime_t t_returned;
};

static void blocker_body(void *arg)
{
	struct blocker *b = arg;

	go3s_wg_done(&b->started);
	switch (b->kind) {
	case BLOCK_MSLEEP:
		msleep(block_ms);
		break;
	case BLOCK_MUTEX:
		mutex_lock(&b->mutex);
		mutex_unlock(&b->mutex);
		break;
	case BLOCK_WAIT_EVENT:
		wait_event(b->wq, READ_ONCE(b->released));
		break;
	}
	b->t_returned = ktime_get();
	WRITE_ONCE(b->returned, true);
	go3s_wg_done(&b->done);
}

/* Holds the mutex, or raises the event, block_ms after it starts. */
static int holder_thread(void *arg)
{
	struct blocker *b = arg;

	if (b->kind == BLOCK_MUTEX)
		mutex_lock(&b->mutex);
	complete(&b->holder_ready);
	msleep(block_ms);
	if (b->kind == BLOCK_MUTEX) {
		mutex_unlock(&b->mutex);
	} else {
		WRITE_ONCE(b->released, true);
		wake_up(&b->wq);
	}
	complete(&b->holder_done);	/* the case may free @b now */
	return 0;
}

struct after {
	struct go3s_wg wg;
	atomic_t ran;
};

static void after_body(void *arg)
{
	struct after *a = arg;

	atomic_inc(&a->ran);
	go3s_wg_done(&a->wg);
}

/* Spawn nr_after goroutines in waves; returns when all have run. */
static void spawn_after(struct kunit *test, struct after *a)
{
	unsigned int i, j;

	go3s_wg_init(&a->wg);
	for (i = 0; i < nr_after; i += WAVE) {
		unsigned int n = min_t(unsigned int, WAVE, nr_after - i);

		go3s_wg_add(&a->wg, n);
		for (j = 0; j < n; j++)
			if (go3s_go(after_body, a))
				go3s_wg_done(&a->wg);
		KUNIT_ASSERT_EQ(test, go3s_wg_wait(&a->wg), 0);
	}
}

static void run_blocker(struct kunit *test, enum block_kind kind)
{
	struct blocker *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct after *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct task_struct *holder = NULL;
	u64 handoffs = STAT(handoffs), at_block = STAT(block_handoffs);
	ktime_t t0;
	s64 us;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, a);
	b->kind = kind;
	mutex_init(&b->mutex);
	init_waitqueue_head(&b->wq);
	init_completion(&b->holder_ready);
	init_completion(&b->holder_done);
	go3s_wg_init(&b->started);
	go3s_wg_init(&b->done);
	go3s_wg_add(&b->started, 1);
	go3s_wg_add(&b->done, 1);
	if (kind != BLOCK_MSLEEP) {
		holder = kthread_run(holder_thread, b, "go3s-holder");
		KUNIT_ASSERT_FALSE(test, IS_ERR(holder));
		wait_for_completion(&b->holder_ready);
	}
	if (go3s_go(blocker_body, b)) {
		if (holder)
			wait_for_completion(&b->holder_done);
		KUNIT_FAIL_AND_ABORT(test, "could not spawn the blocker");
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&b->started), 0);

	t0 = ktime_get();
	spawn_after(test, a);
	us = ktime_us_delta(ktime_get(), t0);

	KUNIT_EXPECT_EQ(test, atomic_read(&a->ran), (int)nr_after);
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(b->returned),
			       "%u goroutines needed %lld us, more than the %u ms block",
			       nr_after, us, block_ms);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&b->done), 0);
	if (holder)
		wait_for_completion(&b->holder_done);
	handoffs = STAT(handoffs) - handoffs;
	at_block = STAT(block_handoffs) - at_block;
	kunit_info(test, "%u goroutines ran in %lld us while one blocked %u ms; handoffs: %llu by the monitor, %llu as it blocked\n",
		   nr_after, us, block_ms, handoffs, at_block);
	if (num_online_cpus() == 1)
		KUNIT_EXPECT_GT(test, handoffs + at_block, 0ULL);
}

/*
 * With preempt notifiers (blockwatch.c), a worker that blocks while work
 * is queued on its P gives the P up as it blocks, not at the monitor's
 * next look. The blocker queues goroutines on its own P, then blocks only
 * if the case's premise still holds at that moment:
 *  - it still owns its P: the monitor takes the P of a goroutine that has
 *    run for busy_ms with work queued, which a slow emulated CPU reaches
 *    while spawning, and the at-block path then has nothing to take;
 *  - work is still queued: runnext (the goroutine spawned last), which
 *    thieves leave to the owner, or at least QUICK_MIN_QUEUED on the ring,
 *    which the other CPUs' thieves may empty before the block;
 *  - it has run for less than half of busy_ms, so that the monitor cannot
 *    take the P for "busy" between that check and the block.
 * An attempt with no handoff at the block while the monitor made one is
 * not counted either: the monitor may have been first. Up to QUICK_TRIES
 * attempts; the first that counts decides.
 */
#define NR_QUEUED		256
#define QUICK_TRIES		50
#define QUICK_MIN_QUEUED	4

struct quick {
	struct go3s_wg queued, done;
	atomic_t ran_while_blocked;
	unsigned int spawned, queued_at_block;
	s64 spawn_us;
	bool owned, next, blocking, premise;
};

static void queued_body(void *arg)
{
	struct quick *q = arg;

	if (READ_ONCE(q->blocking))
		atomic_inc(&q->ran_while_blocked);
	go3s_wg_done(&q->queued);
}

static void quick_blocker_body(void *arg)
{
	struct quick *q = arg;
	u64 budget = go3s_monitor_busy_ns() / 4;
	u64 t0 = ktime_get_ns();
	struct go3s_sched_info info;
	struct go3s_m *m;
	unsigned long st;
	unsigned int i;

	/* From a goroutine: they queue on this P, behind us. */
	for (i = 0; i < NR_QUEUED && ktime_get_ns() - t0 < budget; i++) {
		go3s_wg_add(&q->queued, 1);
		if (go3s_go(queued_body, q))
			go3s_wg_done(&q->queued);
	}
	m = go3s_self()->m;
	st = atomic_long_read(&m->p->status);
	q->spawned = i;
	go3s_sched_info(m->p->cpu, &info);
	q->queued_at_block = info.runnable;
	q->spawn_us = div_u64(ktime_get_ns() - t0, NSEC_PER_USEC);
	q->owned = p_owner(m->p, st) == m && (st & P_RUNNING);
	q->next = READ_ONCE(m->p->runnext);
	q->premise = q->owned &&
		     (q->next || q->queued_at_block >= QUICK_MIN_QUEUED) &&
		     q->spawn_us * NSEC_PER_USEC < 2 * budget;
	if (q->premise) {
		WRITE_ONCE(q->blocking, true);
		msleep(block_ms);
		WRITE_ONCE(q->blocking, false);
	}
	go3s_wg_done(&q->done);
}

static void blocked_worker_hands_off_at_once(struct kunit *test)
{
	struct quick *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	unsigned int try;

	if (!go3s_blockwatch_enabled())
		kunit_skip(test, "no preempt notifiers: the monitor hands off");
	KUNIT_ASSERT_NOT_NULL(test, q);
	for (try = 1; try <= QUICK_TRIES; try++) {
		u64 at_block = STAT(block_handoffs), handoffs = STAT(handoffs);

		memset(q, 0, sizeof(*q));
		go3s_wg_init(&q->queued);
		go3s_wg_init(&q->done);
		go3s_wg_add(&q->done, 1);
		if (go3s_go(quick_blocker_body, q))
			KUNIT_FAIL_AND_ABORT(test, "could not spawn the blocker");
		KUNIT_ASSERT_EQ(test, go3s_wg_wait(&q->done), 0);
		KUNIT_ASSERT_EQ(test, go3s_wg_wait(&q->queued), 0);
		at_block = STAT(block_handoffs) - at_block;
		handoffs = STAT(handoffs) - handoffs;
		kunit_info(test, "try %u: %u spawned in %lld us; at the block %s its P, %u queued (runnext %s): %s; %d ran while it blocked; handoffs: %llu as it blocked, %llu by the monitor\n",
			   try, q->spawned, q->spawn_us,
			   q->owned ? "owned" : "had lost", q->queued_at_block,
			   q->next ? "set" : "empty",
			   q->premise ? "blocked" : "premise failed, did not block",
			   atomic_read(&q->ran_while_blocked), at_block, handoffs);
		if (!q->premise || (!at_block && handoffs))
			continue;
		KUNIT_EXPECT_GT(test, at_block, 0ULL);
		KUNIT_EXPECT_GT(test, atomic_read(&q->ran_while_blocked), 0);
		return;
	}
	KUNIT_FAIL(test, "%u tries: never blocked owning its P, work queued, the monitor idle",
		   QUICK_TRIES);
}

static void blocked_in_msleep_does_not_stall(struct kunit *test)
{
	run_blocker(test, BLOCK_MSLEEP);
}

static void blocked_on_mutex_does_not_stall(struct kunit *test)
{
	run_blocker(test, BLOCK_MUTEX);
}

static void blocked_in_wait_event_does_not_stall(struct kunit *test)
{
	run_blocker(test, BLOCK_WAIT_EVENT);
}

/* ---- every worker blocks at once ---------------------------------------- */

struct gate {
	wait_queue_head_t wq;
	bool open;
	atomic_t blocked;
	struct go3s_wg done;
};

static void gate_body(void *arg)
{
	struct gate *g = arg;

	atomic_inc(&g->blocked);
	wait_event(g->wq, READ_ONCE(g->open));
	go3s_wg_done(&g->done);
}

static char *show(struct kunit *test, int (*fn)(struct seq_file *, void *))
{
	char *buf = kunit_kzalloc(test, 64 * PAGE_SIZE, GFP_KERNEL);
	struct seq_file m = { .buf = buf, .size = 64 * PAGE_SIZE - 1 };

	if (buf && !fn(&m, NULL) && m.count < m.size)
		buf[m.count] = '\0';
	return buf ?: "";
}

/* Start @n more blockers; wait until @total are blocked. */
static void start_blockers(struct kunit *test, struct gate *g, unsigned int n,
			   unsigned int total)
{
	unsigned long until = jiffies + 20 * HZ;
	unsigned int i;

	go3s_wg_add(&g->done, n);
	for (i = 0; i < n; i++) {
		if (go3s_go(gate_body, g)) {
			/* The case fails; the gate still opens at its end. */
			KUNIT_FAIL(test, "could not spawn blocker %u", i);
			go3s_wg_add(&g->done, -(int)(n - i));
			return;
		}
	}
	/* Each needs a worker of its own: spares start as they block. */
	while (atomic_read(&g->blocked) < total && time_before(jiffies, until))
		usleep_range(5000, 6000);
}

/*
 * Twice as many goroutines as CPUs block in wait_event(): spares take
 * over and quick goroutines still run. Then every worker up to the limit
 * blocks: no more spares start, and all resumes once they are released.
 */
static void every_worker_blocks_at_once(struct kunit *test)
{
	struct gate *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	struct after *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	unsigned int cpus = num_online_cpus();
	unsigned int saved = nr_after;

	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_ASSERT_NOT_NULL(test, a);
	init_waitqueue_head(&g->wq);
	go3s_wg_init(&g->done);

	start_blockers(test, g, 2 * cpus, 2 * cpus);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->blocked), 2 * cpus);
	nr_after = 1000;
	spawn_after(test, a);
	nr_after = saved;
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ran), 1000);
	KUNIT_EXPECT_GE(test, go3s_nr_msets(), 2U);

	/* Now all of them: one per worker the limit allows, in all. */
	start_blockers(test, g, (GO3S_M_MAX - 2) * cpus, GO3S_M_MAX * cpus);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->blocked), GO3S_M_MAX * cpus);
	if (atomic_read(&g->blocked) != GO3S_M_MAX * cpus) {
		kunit_info(test, "stats:\n%s", show(test, go3s_stats_show));
		kunit_info(test, "goroutines:\n%s", show(test, go3s_goroutines_show));
	}
	KUNIT_EXPECT_EQ(test, go3s_nr_msets(), (unsigned int)GO3S_M_MAX);
	kunit_info(test, "%u goroutines blocked %u workers per CPU (limit %u), no_spare %llu\n",
		   atomic_read(&g->blocked), go3s_nr_msets(), GO3S_M_MAX,
		   STAT(no_spare));

	WRITE_ONCE(g->open, true);
	wake_up_all(&g->wq);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&g->done), 0);
	/* And the runtime is usable again. */
	nr_after = 1000;
	atomic_set(&a->ran, 0);
	spawn_after(test, a);
	nr_after = saved;
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ran), 1000);
}

/* ---- select with tiny timeouts ------------------------------------------ */

struct poll {
	struct go3s_chan *ch;
	bool stop;
	u64 polls, timeouts, got, sent;
	atomic_t others_ran;
	struct go3s_wg wg;
};

/* Polls @ch with 1-8 us timeouts, as a busy state machine would. */
static void poller_body(void *arg)
{
	struct poll *p = arg;
	u64 end = ktime_get_ns() + (u64)poll_ms * NSEC_PER_MSEC;
	int v;

	while (ktime_get_ns() < end) {
		struct go3s_select_case c = {
			.ch = p->ch, .dir = GO3S_CHAN_RECV, .elem = &v,
		};
		int r = go3s_select(&c, 1, 1000 * (1 + get_random_u32_below(8)));

		p->polls++;
		if (r == 0)
			p->got++;
		else if (r == -ETIMEDOUT)
			p->timeouts++;
	}
	WRITE_ONCE(p->stop, true);
	/* Let a partner blocked in send finish. */
	go3s_chan_close(p->ch);
	go3s_wg_done(&p->wg);
}

static void partner_body(void *arg)
{
	struct poll *p = arg;
	int v = 0;

	/* Now and then it is late, so the poller's timeouts expire. */
	while (!READ_ONCE(p->stop) && !go3s_chan_send(p->ch, &v))
		if (!(++p->sent % 16))
			go3s_sleep(20 * NSEC_PER_USEC);
	go3s_wg_done(&p->wg);
}

static void other_body(void *arg)
{
	struct poll *p = arg;
	int i;

	for (i = 0; i < 10; i++)
		go3s_yield();
	atomic_inc(&p->others_ran);
	go3s_wg_done(&p->wg);
}

static void select_polling_keeps_others_moving(struct kunit *test)
{
	struct poll *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->ch = go3s_chan_new(sizeof(int), 0, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p->ch));
	go3s_wg_init(&p->wg);
	go3s_wg_add(&p->wg, 1002);
	if (go3s_go(poller_body, p)) {
		/* Nobody will receive: let the partner's send fail at once. */
		KUNIT_FAIL(test, "could not spawn the poller");
		WRITE_ONCE(p->stop, true);
		go3s_chan_close(p->ch);
		go3s_wg_done(&p->wg);
	}
	for (i = 0; i < 1000; i++)
		if (go3s_go(other_body, p))
			go3s_wg_done(&p->wg);
	if (go3s_go(partner_body, p))
		go3s_wg_done(&p->wg);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&p->wg), 0);
	go3s_chan_put(p->ch);

	kunit_info(test, "%llu polls in %u ms: %llu received, %llu timed out; partner sent %llu; %d others ran\n",
		   p->polls, poll_ms, p->got, p->timeouts, p->sent,
		   atomic_read(&p->others_ran));
	KUNIT_EXPECT_EQ(test, atomic_read(&p->others_ran), 1000);
	/* The pair kept going: at least one message per 10 ms. */
	KUNIT_EXPECT_GE(test, p->got, (u64)poll_ms / 10);
	KUNIT_EXPECT_GT(test, p->timeouts, 0ULL);
}

/* ---- a goroutine that runs too long ------------------------------------- */

struct hog {
	struct go3s_wg wg;
	bool hog_done;
	bool child_ran_first;
};

static void child_body(void *arg)
{
	struct hog *h = arg;

	h->child_ran_first = !READ_ONCE(h->hog_done);
	go3s_wg_done(&h->wg);
}

static void hog_body(void *arg)
{
	struct hog *h = arg;
	u64 end;

	/* The child goes to this P's runnext, right behind the hog. */
	if (go3s_go(child_body, h))
		go3s_wg_done(&h->wg);
	end = ktime_get_ns() + 5ULL * block_ms * NSEC_PER_MSEC / 4;
	/* Kernel code that computes for long calls cond_resched(). */
	while (ktime_get_ns() < end)
		cond_resched();
	WRITE_ONCE(h->hog_done, true);
	go3s_wg_done(&h->wg);
}

static void busy_goroutine_is_noticed(struct kunit *test)
{
	struct hog *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	u64 busy = STAT(busy);

	KUNIT_ASSERT_NOT_NULL(test, h);
	go3s_wg_init(&h->wg);
	go3s_wg_add(&h->wg, 2);
	KUNIT_ASSERT_EQ(test, go3s_go(hog_body, h), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&h->wg), 0);
	KUNIT_EXPECT_TRUE(test, h->child_ran_first);
	KUNIT_EXPECT_GT(test, STAT(busy), busy);
}

/*
 * ---- no goroutine runs twice at once, across handoffs and hotplug ------
 * The runtime asserts it: in debug builds every state change is checked
 * (go3s_g_set_state()), so a goroutine started while it runs elsewhere
 * WARNs, and the harness fails on any WARN it was not told to expect.
 */

#define CHURN_G		64
#define CHURN_ROUNDS	100

struct churn {
	struct go3s_wg wg;
	atomic_t rounds;
};

struct churn_slot {
	struct churn *c;
	unsigned int i;
};

static void churn_body(void *arg)
{
	struct churn_slot *s = arg;
	struct churn *c = s->c;
	int r;

	for (r = 0; r < CHURN_ROUNDS; r++) {
		switch (r % 4) {
		case 0:
			go3s_yield();
			break;
		case 1:
			go3s_sleep(20 * NSEC_PER_USEC);
			break;
		case 2:
			usleep_range(200, 400);	/* blocks the worker */
			break;
		default:
			break;
		}
		atomic_inc(&c->rounds);
	}
	go3s_wg_done(&c->wg);
}

static void no_goroutine_on_two_workers(struct kunit *test)
{
	struct churn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct churn_slot *s = kunit_kcalloc(test, CHURN_G, sizeof(*s), GFP_KERNEL);
	unsigned int cpu = cpumask_last(cpu_online_mask);
	int i, ret = -ENODEV;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, s);
	go3s_wg_init(&c->wg);
	go3s_wg_add(&c->wg, CHURN_G);
	for (i = 0; i < CHURN_G; i++) {
		s[i] = (struct churn_slot){ .c = c, .i = i };
		if (go3s_go(churn_body, &s[i]))
			go3s_wg_done(&c->wg);
	}
	/* A CPU goes away and comes back while workers hand off. */
	if (num_online_cpus() > 1 && cpu) {
		usleep_range(5000, 6000);
		ret = remove_cpu(cpu);
		KUNIT_EXPECT_EQ(test, ret, 0);
		usleep_range(5000, 6000);
		if (!ret)
			KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	}
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&c->wg), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->rounds), CHURN_G * CHURN_ROUNDS);
	kunit_info(test, "hotplug %s, handoffs so far %llu\n",
		   ret ? "skipped" : "done", STAT(handoffs));
}

/* ---- yielders do not starve the inbox or the global queue ------------- */

#define YIELDERS	400

struct starve {
	struct go3s_wg wg;
	bool stop;
	bool late_ran;
};

static void spin_yield_body(void *arg)
{
	struct starve *s = arg;

	while (!READ_ONCE(s->stop))
		go3s_yield();
	go3s_wg_done(&s->wg);
}

static void late_body(void *arg)
{
	struct starve *s = arg;

	WRITE_ONCE(s->late_ran, true);
	go3s_wg_done(&s->wg);
}

/*
 * 400 goroutines yield to each other forever (ring and global queue full);
 * one spawned later, from outside, waits in the inbox: 1 pick in 61 looks
 * there first, so it runs.
 */
static void yielders_do_not_starve_the_inbox(struct kunit *test)
{
	struct starve *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned long until;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	go3s_wg_init(&s->wg);
	go3s_wg_add(&s->wg, YIELDERS + 1);
	for (i = 0; i < YIELDERS; i++)
		if (go3s_go(spin_yield_body, s))
			go3s_wg_done(&s->wg);
	msleep(20);
	if (go3s_go(late_body, s))
		go3s_wg_done(&s->wg);
	until = jiffies + 10 * HZ;
	while (!READ_ONCE(s->late_ran) && time_before(jiffies, until))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(s->late_ran));
	WRITE_ONCE(s->stop, true);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&s->wg), 0);
}

/* ---- kicks of a blocked worker's P from everywhere at once -------------- */

/*
 * Work queued on a P whose worker is blocked makes kick() send an IPI
 * (go3s_blockwatch_kick()). Kicks come from every CPU and from interrupts
 * at once; the P's one csd must never be queued twice, which would corrupt
 * the target CPU's IPI list (remote wake-ups included). Afterwards every
 * CPU must still answer a synchronous cross call and wake a thread.
 */
struct kickstorm {
	struct go3s_p *p;		/* the blocked goroutine's P */
	struct hrtimer timer;
	struct go3s_wg done;
	atomic_t kicks;
	bool blocking, stop;
};

static void kick_blocker_body(void *arg)
{
	struct kickstorm *k = arg;

	WRITE_ONCE(k->p, go3s_self()->m->p);
	WRITE_ONCE(k->blocking, true);
	msleep(block_ms);
	WRITE_ONCE(k->blocking, false);
	go3s_wg_done(&k->done);
}

static enum hrtimer_restart kick_timer_fn(struct hrtimer *t)
{
	struct kickstorm *k = container_of(t, struct kickstorm, timer);

	if (READ_ONCE(k->stop))
		return HRTIMER_NORESTART;
	go3s_blockwatch_kick(k->p);
	atomic_inc(&k->kicks);
	hrtimer_forward_now(t, ns_to_ktime(20 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int kick_thread_fn(void *arg)
{
	struct kickstorm *k = arg;

	while (!kthread_should_stop()) {
		if (READ_ONCE(k->blocking)) {
			go3s_blockwatch_kick(k->p);
			atomic_inc(&k->kicks);
		}
		cond_resched();
	}
	return 0;
}

static void cross_call_fn(void *arg)
{
	atomic_inc(arg);
}

static void kicks_from_everywhere_at_once(struct kunit *test)
{
	struct kickstorm *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	struct task_struct **threads;
	unsigned long until = jiffies + 20 * HZ;
	atomic_t calls = ATOMIC_INIT(0);
	unsigned int cpu, n = 0;

	if (!go3s_blockwatch_enabled())
		kunit_skip(test, "no preempt notifiers: no kicks");
	threads = kunit_kcalloc(test, nr_cpu_ids, sizeof(*threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	go3s_wg_init(&k->done);
	go3s_wg_add(&k->done, 1);
	if (go3s_go(kick_blocker_body, k))
		KUNIT_FAIL_AND_ABORT(test, "could not spawn the blocker");
	while (!READ_ONCE(k->blocking) && time_before(jiffies, until))
		usleep_range(100, 200);
	KUNIT_ASSERT_TRUE(test, READ_ONCE(k->blocking));

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		threads[cpu] = kthread_create_on_cpu(kick_thread_fn, k, cpu,
						     "go3s_kick/%u");
		if (!IS_ERR(threads[cpu])) {
			wake_up_process(threads[cpu]);
			n++;
		} else {
			threads[cpu] = NULL;
		}
	}
	cpus_read_unlock();
	hrtimer_init(&k->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	k->timer.function = kick_timer_fn;
	hrtimer_start(&k->timer, ns_to_ktime(20 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);

	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&k->done), 0);
	WRITE_ONCE(k->stop, true);
	hrtimer_cancel(&k->timer);
	for_each_possible_cpu(cpu)
		if (threads[cpu])
			kthread_stop(threads[cpu]);

	/* Every CPU's IPI list still works. */
	cpus_read_lock();
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, smp_call_function_single(cpu, cross_call_fn,
							       &calls, 1), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&calls), (int)num_online_cpus());
	cpus_read_unlock();
	kunit_info(test, "%d kicks from %u threads and a timer while the worker blocked %u ms\n",
		   atomic_read(&k->kicks), n, block_ms);
	KUNIT_EXPECT_GT(test, atomic_read(&k->kicks), 0);
	KUNIT_EXPECT_EQ(test, n, num_online_cpus());
}

/* ---- a goroutine exits holding a lock ----------------------------------- */

#ifdef CONFIG_LOCKDEP
static struct lock_class_key leak_key;
static struct lockdep_map leak_map =
	STATIC_LOCKDEP_MAP_INIT("go3s_leaked_lock", &leak_key);

static void leak_body(void *arg)
{
	lock_map_acquire(&leak_map);	/* and never released */
}
#endif

struct small {
	struct go3s_wg wg;
	atomic_t ran;
};

static void small_body(void *arg)
{
	struct small *s = arg;

	go3s_yield();
	go3s_sleep(10 * NSEC_PER_USEC);
	atomic_inc(&s->ran);
	go3s_wg_done(&s->wg);
}

/*
 * The lock stays held by the worker's task, so lockdep would refuse every
 * later switch on that worker: the worker retires and a spare takes its
 * P. The lock is never released, so this runs only where the suite is
 * built in (UML) and no worker ever exits.
 */
static void worker_left_holding_a_lock_retires(struct kunit *test)
{
#ifdef CONFIG_LOCKDEP
	struct small *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u64 tainted = STAT(tainted), refused;
	unsigned long until = jiffies + 10 * HZ;
	int i;

	if (!IS_BUILTIN(CONFIG_GO3S_KUNIT_TEST))
		kunit_skip(test, "leaks a lock for good: built-in runs only");
	KUNIT_ASSERT_NOT_NULL(test, s);
	pr_info("GO3S-EXPECT-WARN (?s)tried to exit while holding a lock.*go3s_g_main\n");
	KUNIT_ASSERT_EQ(test, go3s_go(leak_body, NULL), 0);
	while (STAT(tainted) == tainted && time_before(jiffies, until))
		usleep_range(1000, 2000);
	KUNIT_ASSERT_EQ(test, STAT(tainted), tainted + 1);

	refused = STAT(refused);
	go3s_wg_init(&s->wg);
	go3s_wg_add(&s->wg, 100);
	for (i = 0; i < 100; i++)
		if (go3s_go(small_body, s))
			go3s_wg_done(&s->wg);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&s->wg), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->ran), 100);
	KUNIT_EXPECT_EQ(test, STAT(refused), refused);
#else
	kunit_skip(test, "needs lockdep to see the lock");
#endif
}

static struct kunit_case go3s_handoff_cases[] = {
	KUNIT_CASE_SLOW(blocked_in_msleep_does_not_stall),
	KUNIT_CASE_SLOW(blocked_on_mutex_does_not_stall),
	KUNIT_CASE_SLOW(blocked_in_wait_event_does_not_stall),
	KUNIT_CASE_SLOW(blocked_worker_hands_off_at_once),
	KUNIT_CASE_SLOW(select_polling_keeps_others_moving),
	KUNIT_CASE_SLOW(busy_goroutine_is_noticed),
	KUNIT_CASE_SLOW(no_goroutine_on_two_workers),
	KUNIT_CASE_SLOW(every_worker_blocks_at_once),
	KUNIT_CASE_SLOW(kicks_from_everywhere_at_once),
	KUNIT_CASE(yielders_do_not_starve_the_inbox),
	KUNIT_CASE(worker_left_holding_a_lock_retires),
	{}
};

static struct kunit_suite go3s_handoff_suite = {
	.name = "go3s_handoff",
	.test_cases = go3s_handoff_cases,
};

kunit_test_suite(go3s_handoff_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_handoff: blocked and busy goroutines hand their worker's queue over");
MODULE_VERSION("0.1.0");
