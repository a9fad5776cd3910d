// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_fsm: table validation, guards and illegal events, a
 * hook that overruns its timeout (its late result discarded), try_fire()
 * from a hard-IRQ hrtimer, 100 machines driven by 8 goroutines with every
 * transition accounted for, and teardown while hooks run.
 *
 * Every machine comes from new_fsm(), and KUnit destroys it however the
 * case ends; go3s_fsm_destroy() cancels and waits for its hooks. Hooks
 * that wait for the case always poll go3s_fsm_cancelled() or a bounded
 * clock, so a failed case never leaves one behind. Goroutines of the case
 * are joined before it returns (see kunit/chan_test.h).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/random.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <go3s/chan.h>
#include <go3s/fsm.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/fsm.h"
#include "../go3s_rt/sched.h"
#include "kunit_compat.h"

static unsigned int stress_events = 10000;
module_param(stress_events, uint, 0444);
MODULE_PARM_DESC(stress_events, "Events each of the 100 machines of the stress case handles");

KUNIT_DEFINE_ACTION_WRAPPER(fsm_destroy_action, go3s_fsm_destroy, struct go3s_fsm *);

static struct go3s_fsm *new_fsm(struct kunit *test, const struct go3s_fsm_table *t,
				const char *name, void *ctx)
{
	struct go3s_fsm *m = go3s_fsm_create(t, name, ctx);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(m), "go3s_fsm_create: %pe", m);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fsm_destroy_action, m), 0);
	return m;
}

/* Wait (at most 10 s) until @cond holds; false if it never did. */
#define wait_until(cond...) ({						\
	unsigned long __until = jiffies + 10 * HZ;			\
	while (!(cond) && time_before(jiffies, __until))		\
		usleep_range(500, 1000);				\
	(cond);								\
})

/* ---- the test machine: a door ------------------------------------------ */

#define DOOR_STATES(X...)	(X(CLOSED) X(OPEN) X(LOCKED) X(SLOW) X(BROKEN))
#define DOOR_EVENTS(X...)	(X(E_OPEN) X(E_CLOSE) X(E_LOCK) X(E_UNLOCK) X(E_SLOW) X(E_FIX))
GO3S_FSM_ENUM(door_state, DOOR_STATES);
GO3S_FSM_ENUM(door_event, DOOR_EVENTS);

struct door {
	bool allow_open;		/* the guard's answer */
	int close_exit_ret;		/* CLOSED's exit hook returns it */
	int lock_enter_ret;		/* LOCKED's entry hook returns it */
	atomic_t hooks;			/* hooks that ran */
	bool gate;			/* LOCKED's entry hook waits while set */
	bool gate_waiting, gate_saw_cancel;
	/* SLOW's entry hook */
	unsigned int slow_ms;		/* how long it runs, whatever happens */
	bool slow_polls;		/* stop early when cancelled */
	bool slow_started, slow_saw_cancel, slow_returned;
	/* BROKEN -> CLOSED's hook (CLOSED's entry) */
	bool fix_waits_for_slow;
};

static bool door_guard(void *ctx, unsigned int from, unsigned int event)
{
	struct door *d = ctx;

	return READ_ONCE(d->allow_open);
}

static int closed_exit(const struct go3s_fsm_hook *h)
{
	struct door *d = h->ctx;

	atomic_inc(&d->hooks);
	return READ_ONCE(d->close_exit_ret);
}

static int locked_enter(const struct go3s_fsm_hook *h)
{
	struct door *d = h->ctx;
	u64 until = ktime_get_ns() + 5 * NSEC_PER_SEC;

	atomic_inc(&d->hooks);
	while (READ_ONCE(d->gate) && ktime_get_ns() < until) {
		WRITE_ONCE(d->gate_waiting, true);
		if (go3s_fsm_cancelled(h)) {
			WRITE_ONCE(d->gate_saw_cancel, true);
			break;
		}
		go3s_sleep(NSEC_PER_MSEC);
	}
	return READ_ONCE(d->lock_enter_ret);
}

static int slow_enter(const struct go3s_fsm_hook *h)
{
	struct door *d = h->ctx;
	u64 until = ktime_get_ns() + (u64)READ_ONCE(d->slow_ms) * NSEC_PER_MSEC;

	atomic_inc(&d->hooks);
	WRITE_ONCE(d->slow_started, true);
	while (ktime_get_ns() < until) {
		if (go3s_fsm_cancelled(h)) {
			WRITE_ONCE(d->slow_saw_cancel, true);
			if (READ_ONCE(d->slow_polls))
				break;
		}
		go3s_sleep(2 * NSEC_PER_MSEC);
	}
	WRITE_ONCE(d->slow_returned, true);
	return -EIO;		/* late: nobody may ever see it */
}

static int closed_enter(const struct go3s_fsm_hook *h)
{
	struct door *d = h->ctx;
	u64 until = ktime_get_ns() + 5 * NSEC_PER_SEC;

	atomic_inc(&d->hooks);
	if (h->event != E_FIX || !READ_ONCE(d->fix_waits_for_slow))
		return 0;
	/* Let the slow hook's late result reach the runner first. */
	while (!READ_ONCE(d->slow_returned) && ktime_get_ns() < until &&
	       !go3s_fsm_cancelled(h))
		go3s_sleep(NSEC_PER_MSEC);
	go3s_sleep(20 * NSEC_PER_MSEC);
	return 0;
}

static const struct go3s_fsm_state door_states[] = {
	[CLOSED] = { .enter = GO3S_FSM_HOOK(closed_enter, 10000, BROKEN),
		     .exit = GO3S_FSM_HOOK(closed_exit, 10000, BROKEN) },
	[OPEN] = {},
	[LOCKED] = { .enter = GO3S_FSM_HOOK(locked_enter, 10000, BROKEN) },
	[SLOW] = { .enter = GO3S_FSM_HOOK(slow_enter, 50, BROKEN) },
	[BROKEN] = {},
};

static const struct go3s_fsm_trans door_trans[] = {
	GO3S_FSM_T(CLOSED, E_OPEN, OPEN, door_guard),
	GO3S_FSM_T(OPEN, E_CLOSE, CLOSED, NULL),
	GO3S_FSM_T(CLOSED, E_LOCK, LOCKED, NULL),
	GO3S_FSM_T(LOCKED, E_UNLOCK, CLOSED, NULL),
	GO3S_FSM_T(CLOSED, E_SLOW, SLOW, NULL),
	GO3S_FSM_T(BROKEN, E_FIX, CLOSED, NULL),
	GO3S_FSM_T(SLOW, E_FIX, CLOSED, NULL),
};

GO3S_FSM_TABLE(door, DOOR_STATES, DOOR_EVENTS, CLOSED);

/* ---- table validation ---------------------------------------------------- */

static void fsm_table_validation(struct kunit *test)
{
	struct go3s_fsm_trans tr[ARRAY_SIZE(door_trans) + 1];
	struct go3s_fsm_state st[ARRAY_SIZE(door_states)];
	struct go3s_fsm_table t = door_table;
	struct go3s_fsm *m, *m2;

	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&door_table), 0);
	KUNIT_EXPECT_EQ(test, door_table.nr_states, 5);
	KUNIT_EXPECT_EQ(test, door_table.nr_events, 6);
	KUNIT_EXPECT_STREQ(test, door_table.state_names[SLOW], "SLOW");
	KUNIT_EXPECT_STREQ(test, door_table.event_names[E_FIX], "E_FIX");
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(NULL), -EINVAL);

	memcpy(tr, door_trans, sizeof(door_trans));
	memcpy(st, door_states, sizeof(door_states));
	t.trans = tr;
	t.states = st;

	/* A second transition for (CLOSED, E_LOCK). */
	tr[ARRAY_SIZE(door_trans)] = (struct go3s_fsm_trans)GO3S_FSM_T(CLOSED, E_LOCK, OPEN, NULL);
	t.nr_trans = ARRAY_SIZE(tr);
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(go3s_fsm_create(&t, "dup", NULL)));
	/* Out of range: a state, then an event. */
	tr[ARRAY_SIZE(door_trans)] = (struct go3s_fsm_trans)GO3S_FSM_T(OPEN, E_LOCK, 5, NULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	tr[ARRAY_SIZE(door_trans)] = (struct go3s_fsm_trans)GO3S_FSM_T(OPEN, 6, CLOSED, NULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	/* LOCKED unreachable once CLOSED -E_LOCK-> goes elsewhere. */
	t.nr_trans = ARRAY_SIZE(door_trans);
	tr[2].to = OPEN;
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	tr[2].to = LOCKED;
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), 0);
	/* BROKEN is reached only by timeouts: without SLOW's hook, never. */
	st[SLOW].enter.fn = NULL;
	st[CLOSED] = (struct go3s_fsm_state){};
	st[LOCKED] = (struct go3s_fsm_state){};
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	memcpy(st, door_states, sizeof(door_states));
	/* A hook without a timeout, a timeout to nowhere. */
	st[OPEN].enter = (struct go3s_fsm_hook_desc){ .fn = locked_enter };
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	st[OPEN].enter = (struct go3s_fsm_hook_desc)GO3S_FSM_HOOK(locked_enter, 10, 9);
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	st[OPEN].enter = (struct go3s_fsm_hook_desc){};
	/* Counts and the initial state. */
	t.initial = 5;
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	t.initial = CLOSED;
	t.nr_states = GO3S_FSM_MAX_STATES + 1;
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), -EINVAL);
	t.nr_states = door_table.nr_states;
	KUNIT_EXPECT_EQ(test, go3s_fsm_validate(&t), 0);

	/* Names: NULL, empty, too long, taken. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_fsm_create(&door_table, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_fsm_create(&door_table, "", NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_fsm_create(&door_table,
						      "a-name-of-32-characters-is-long!", NULL)),
			-EINVAL);
	m = new_fsm(test, &door_table, "kunit-door", NULL);
	m2 = go3s_fsm_create(&door_table, "kunit-door", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(m2), -EEXIST);
	if (!IS_ERR(m2))
		go3s_fsm_destroy(m2);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), CLOSED);
}

/* ---- guards, illegal events, hook errors -------------------------------- */

static void fsm_guard_and_illegal_events(struct kunit *test)
{
	struct door *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct go3s_fsm_stats st;
	struct go3s_fsm_rec rec;
	struct go3s_chan *w;
	struct go3s_fsm *m;
	bool ok;

	KUNIT_ASSERT_NOT_NULL(test, d);
	m = new_fsm(test, &door_table, "kunit-guard", d);
	w = go3s_fsm_watch(m);
	KUNIT_ASSERT_NOT_NULL(test, w);

	/* The guard refuses: nothing runs, nothing moves. */
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_OPEN), -ECANCELED);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), CLOSED);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->hooks), 0);
	/* No transition: illegal. Out of range: a caller's mistake. */
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_CLOSE), -EPERM);
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_UNLOCK), -EPERM);
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, 6), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_try_fire(m, 100), -EINVAL);
	/* The exit hook fails: the machine stays. */
	d->allow_open = true;
	d->close_exit_ret = -EBUSY;
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_OPEN), -EBUSY);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), CLOSED);
	d->close_exit_ret = 0;
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_OPEN), 0);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), OPEN);
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_CLOSE), 0);
	/* The entry hook fails: the machine has moved, fire() says why. */
	d->lock_enter_ret = -ENXIO;
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_LOCK), -ENXIO);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), LOCKED);
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_LOCK), -EPERM);

	KUNIT_ASSERT_EQ(test, go3s_fsm_get_stats(m, &st), 0);
	KUNIT_EXPECT_EQ(test, st.events, 8ULL);
	KUNIT_EXPECT_EQ(test, st.refused, 1ULL);
	KUNIT_EXPECT_EQ(test, st.illegal, 3ULL);
	KUNIT_EXPECT_EQ(test, st.hook_errors, 2ULL);
	KUNIT_EXPECT_EQ(test, st.moves, 3ULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(m, CLOSED, OPEN), 1ULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(m, OPEN, CLOSED), 1ULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(m, CLOSED, LOCKED), 1ULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(m, LOCKED, CLOSED), 0ULL);

	/* The watch channel saw the three moves, in order. */
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, &ok), 0);
	KUNIT_EXPECT_EQ(test, rec.seq, 1ULL);
	KUNIT_EXPECT_EQ(test, rec.from, CLOSED);
	KUNIT_EXPECT_EQ(test, rec.to, OPEN);
	KUNIT_EXPECT_EQ(test, rec.event, E_OPEN);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, &ok), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, &ok), 0);
	KUNIT_EXPECT_EQ(test, rec.to, LOCKED);
	KUNIT_EXPECT_EQ(test, rec.ret, -ENXIO);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, &ok), -EAGAIN);
	go3s_chan_put(w);
}

/* ---- a hook overruns ---------------------------------------------------- */

static void fsm_hook_timeout_discards_late_result(struct kunit *test)
{
	struct door *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct go3s_fsm_stats st;
	struct go3s_fsm_rec rec;
	struct go3s_chan *w;
	struct go3s_fsm *m;
	u64 t0;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->slow_ms = 300;		/* ignores the cancel, beyond its 50 ms */
	d->fix_waits_for_slow = true;
	m = new_fsm(test, &door_table, "kunit-slow", d);
	w = go3s_fsm_watch(m);
	KUNIT_ASSERT_NOT_NULL(test, w);

	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_SLOW), -ETIMEDOUT);
	t0 = ktime_get_ns() - t0;
	KUNIT_EXPECT_GE(test, t0, 50 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, t0, 300 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), BROKEN);
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(m, SLOW, BROKEN), 1ULL);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(d->slow_returned));
	/*
	 * The next hook waits for the slow one to return: its result (-EIO)
	 * reaches the runner while it waits for this one's, and must not be
	 * taken for it.
	 */
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(m, E_FIX), 0);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(m), CLOSED);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(d->slow_saw_cancel));
	KUNIT_EXPECT_TRUE(test, wait_until(!go3s_fsm_get_stats(m, &st) && st.late == 1));
	KUNIT_EXPECT_EQ(test, st.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, st.hook_errors, 0ULL);

	/* Watched: CLOSED -> SLOW (timed out), SLOW -> BROKEN, BROKEN -> CLOSED. */
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, NULL), 0);
	KUNIT_EXPECT_EQ(test, rec.to, SLOW);
	KUNIT_EXPECT_EQ(test, rec.ret, -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, rec.hook_ns, 50 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, NULL), 0);
	KUNIT_EXPECT_EQ(test, rec.event, GO3S_FSM_TIMEOUT);
	KUNIT_EXPECT_EQ(test, rec.to, BROKEN);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(w, &rec, NULL), 0);
	KUNIT_EXPECT_EQ(test, rec.to, CLOSED);
	KUNIT_EXPECT_EQ(test, rec.ret, 0);
	go3s_chan_put(w);
}

/* ---- try_fire() from a hard-IRQ hrtimer --------------------------------- */

#define IRQ_EVENTS	16
#define IRQ_CAP		4

static const struct go3s_fsm_table door_small = {
	.name = "door_small", .state_names = door_state_names,
	.event_names = door_event_names, .states = door_states,
	.trans = door_trans, .nr_states = ARRAY_SIZE(door_states),
	.nr_events = ARRAY_SIZE(door_event_names), .nr_trans = ARRAY_SIZE(door_trans),
	.initial = CLOSED, .mailbox_cap = IRQ_CAP,
};

struct irq_fire {
	struct hrtimer timer;
	struct go3s_fsm *m;
	bool in_hardirq;
	int queued, full, other;
	struct go3s_wg done;
};

static enum hrtimer_restart irq_fire_fn(struct hrtimer *timer)
{
	struct irq_fire *f = container_of(timer, struct irq_fire, timer);
	int i, ret;

	f->in_hardirq = in_hardirq();
	for (i = 0; i < IRQ_EVENTS; i++) {
		ret = go3s_fsm_try_fire(f->m, i & 1 ? E_LOCK : E_UNLOCK);
		if (!ret)
			f->queued++;
		else if (ret == -EAGAIN)
			f->full++;
		else
			f->other++;
	}
	go3s_wg_done(&f->done);
	return HRTIMER_NORESTART;
}

static void fsm_try_fire_from_hardirq(struct kunit *test)
{
	struct door *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct irq_fire *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct go3s_fsm_stats st;

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->m = new_fsm(test, &door_small, "kunit-irq", d);
	/* Keep the machine busy in LOCKED's entry hook... */
	d->gate = true;
	KUNIT_ASSERT_EQ(test, go3s_fsm_try_fire(f->m, E_LOCK), 0);
	KUNIT_ASSERT_TRUE(test, wait_until(READ_ONCE(d->gate_waiting)));
	/* ...while an interrupt fills its mailbox. */
	go3s_wg_init(&f->done);
	go3s_wg_add(&f->done, 1);
	hrtimer_init(&f->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	f->timer.function = irq_fire_fn;
	hrtimer_start(&f->timer, ns_to_ktime(NSEC_PER_MSEC), HRTIMER_MODE_REL_HARD);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&f->done), 0);
	hrtimer_cancel(&f->timer);
	WRITE_ONCE(d->gate, false);
	KUNIT_EXPECT_TRUE(test, f->in_hardirq);
	KUNIT_EXPECT_EQ(test, f->queued, IRQ_CAP);
	KUNIT_EXPECT_EQ(test, f->full, IRQ_EVENTS - IRQ_CAP);
	KUNIT_EXPECT_EQ(test, f->other, 0);
	KUNIT_EXPECT_TRUE(test, wait_until(!go3s_fsm_get_stats(f->m, &st) &&
					   st.events == 1 + IRQ_CAP));
	KUNIT_EXPECT_EQ(test, st.full, (u64)(IRQ_EVENTS - IRQ_CAP));
	/*
	 * E_LOCK, then E_UNLOCK, E_LOCK, E_UNLOCK, E_LOCK from the interrupt.
	 * @events counts the last one as its handling starts: its move is
	 * counted once LOCKED's entry hook has run, then the state is set.
	 */
	KUNIT_EXPECT_TRUE(test, wait_until(go3s_fsm_count(f->m, CLOSED, LOCKED) == 3 &&
					   go3s_fsm_current(f->m) == LOCKED));
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(f->m, CLOSED, LOCKED), 3ULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_count(f->m, LOCKED, CLOSED), 2ULL);
	KUNIT_EXPECT_EQ(test, go3s_fsm_current(f->m), LOCKED);
	KUNIT_EXPECT_EQ(test, st.illegal, 0ULL);
}

/* ---- 100 machines, 8 goroutines ----------------------------------------- */

#define RING_STATES(X...)	(X(R0) X(R1) X(R2) X(R3))
#define RING_EVENTS(X...)	(X(R_NEXT) X(R_SKIP) X(R_BAD))
GO3S_FSM_ENUM(ring_state, RING_STATES);
GO3S_FSM_ENUM(ring_event, RING_EVENTS);

#define NR_MACHINES	100
#define NR_SENDERS	8

struct ring {
	unsigned int guard_calls;	/* the machine's goroutine only */
	atomic_t hooks;
};

static bool ring_guard(void *ctx, unsigned int from, unsigned int event)
{
	struct ring *r = ctx;

	return ++r->guard_calls % 3;	/* refuses one call in three */
}

static int ring_enter(const struct go3s_fsm_hook *h)
{
	struct ring *r = h->ctx;

	atomic_inc(&r->hooks);
	return 0;
}

static const struct go3s_fsm_state ring_states[] = {
	[R0] = {}, [R1] = {},
	[R2] = { .enter = GO3S_FSM_HOOK(ring_enter, 30000, R0) },
	[R3] = {},
};

static const struct go3s_fsm_trans ring_trans[] = {
	GO3S_FSM_T(R0, R_NEXT, R1, NULL),
	GO3S_FSM_T(R1, R_NEXT, R2, NULL),
	GO3S_FSM_T(R2, R_NEXT, R3, NULL),
	GO3S_FSM_T(R3, R_NEXT, R0, NULL),
	GO3S_FSM_T(R0, R_SKIP, R2, ring_guard),
	GO3S_FSM_T(R2, R_SKIP, R0, NULL),
};

GO3S_FSM_TABLE(ring, RING_STATES, RING_EVENTS, R0);

struct stress {
	struct go3s_fsm *m[NR_MACHINES];
	struct ring r[NR_MACHINES];
	atomic_t ok[NR_MACHINES], eperm[NR_MACHINES], ecanceled[NR_MACHINES];
	atomic_t other[NR_MACHINES];
	unsigned int per_sender;
	struct go3s_wg wg;
};

struct sender {
	struct stress *s;
	unsigned int id;
};

static void sender_body(void *arg)
{
	struct sender *snd = arg;
	struct stress *s = snd->s;
	unsigned int k, i, ev;
	int ret;

	for (k = 0; k < s->per_sender; k++) {
		i = (k + snd->id * 13) % NR_MACHINES;
		ev = get_random_u32_below(8);
		ev = ev < 6 ? R_NEXT : ev == 6 ? R_SKIP : R_BAD;
		ret = go3s_fsm_fire(s->m[i], ev);
		if (!ret)
			atomic_inc(&s->ok[i]);
		else if (ret == -EPERM)
			atomic_inc(&s->eperm[i]);
		else if (ret == -ECANCELED)
			atomic_inc(&s->ecanceled[i]);
		else
			atomic_inc(&s->other[i]);
	}
	go3s_wg_done(&s->wg);
}

/* Every move out of a state is a move into another: check the balance. */
static void check_ring(struct kunit *test, struct stress *s, unsigned int i)
{
	struct go3s_fsm *m = s->m[i];
	struct go3s_fsm_stats st;
	u64 moves = 0, in, out;
	int a, b, final = go3s_fsm_current(m);

	KUNIT_ASSERT_EQ(test, go3s_fsm_get_stats(m, &st), 0);
	KUNIT_EXPECT_EQ(test, st.events, (u64)atomic_read(&s->ok[i]) + atomic_read(&s->eperm[i]) +
			atomic_read(&s->ecanceled[i]) + atomic_read(&s->other[i]));
	KUNIT_EXPECT_EQ(test, st.events, (u64)stress_events);
	KUNIT_EXPECT_EQ(test, st.illegal, (u64)atomic_read(&s->eperm[i]));
	KUNIT_EXPECT_EQ(test, st.refused, (u64)atomic_read(&s->ecanceled[i]));
	KUNIT_EXPECT_EQ(test, st.moves, (u64)atomic_read(&s->ok[i]));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->other[i]), 0);
	KUNIT_EXPECT_EQ(test, st.timeouts + st.hook_errors + st.late, 0ULL);
	for (a = R0; a <= R3; a++) {
		in = 0;
		out = 0;
		for (b = R0; b <= R3; b++) {
			in += go3s_fsm_count(m, b, a);
			out += go3s_fsm_count(m, a, b);
		}
		moves += out;
		KUNIT_EXPECT_EQ_MSG(test, (s64)(in - out), (s64)(a == final) - (a == R0),
				    "machine %u state %d", i, a);
		if (a == R2)
			KUNIT_EXPECT_EQ(test, in, (u64)atomic_read(&s->r[i].hooks));
	}
	KUNIT_EXPECT_EQ(test, moves, st.moves);
}

static void fsm_many_machines_every_move_counted(struct kunit *test)
{
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct sender *snd = kunit_kcalloc(test, NR_SENDERS, sizeof(*snd), GFP_KERNEL);
	char name[GO3S_FSM_NAME_MAX];
	unsigned int i, started = 0;
	u64 t0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, snd);
	KUNIT_ASSERT_EQ(test, stress_events % NR_SENDERS, 0);
	s->per_sender = stress_events / NR_SENDERS * NR_MACHINES;
	for (i = 0; i < NR_MACHINES; i++) {
		snprintf(name, sizeof(name), "kunit-ring-%u", i);
		s->m[i] = new_fsm(test, &ring_table, name, &s->r[i]);
	}
	go3s_wg_init(&s->wg);
	t0 = ktime_get_ns();
	for (i = 0; i < NR_SENDERS; i++) {
		snd[i] = (struct sender){ .s = s, .id = i };
		go3s_wg_add(&s->wg, 1);
		if (go3s_go(sender_body, &snd[i])) {
			go3s_wg_done(&s->wg);
			break;
		}
		started++;
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&s->wg), 0);
	t0 = ktime_get_ns() - t0;
	KUNIT_ASSERT_EQ(test, started, NR_SENDERS);
	kunit_info(test, "%u machines x %u events from %u goroutines: %llu ms, %llu ns/event\n",
		   NR_MACHINES, stress_events, NR_SENDERS, t0 / NSEC_PER_MSEC,
		   t0 / ((u64)NR_MACHINES * stress_events));
	for (i = 0; i < NR_MACHINES; i++)
		check_ring(test, s, i);
	/*
	 * A goroutine that fired, parked and resumed on another worker must
	 * not have written the state of the worker it left (a current kept
	 * from before the park): that worker would be stranded.
	 */
	KUNIT_EXPECT_EQ(test, go3s_sched_stranded(20), 0U);
}

/* ---- teardown while hooks run ------------------------------------------- */

struct blocked_fire {
	struct go3s_fsm *m;
	struct go3s_wg wg;
	int ret;
};

static void blocked_fire_body(void *arg)
{
	struct blocked_fire *b = arg;

	b->ret = go3s_fsm_fire(b->m, E_UNLOCK);
	go3s_wg_done(&b->wg);
}

static bool has_pending(struct go3s_fsm *m)
{
	bool ret;

	spin_lock(&m->lock);
	ret = !list_empty(&m->pending);
	spin_unlock(&m->lock);
	return ret;
}

static void fsm_teardown_while_hooks_run(struct kunit *test)
{
	struct door *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct blocked_fire *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	unsigned int before = go3s_fsm_goroutines();
	struct go3s_chan *w;
	bool ok = true;
	u8 rec[sizeof(struct go3s_fsm_rec)];

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->m = new_fsm(test, &door_table, "kunit-teardown", d);
	w = go3s_fsm_watch(b->m);
	KUNIT_ASSERT_NOT_NULL(test, w);
	/* A hook that overruns and ignores the cancel for 2 s... */
	d->slow_ms = 2000;
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(b->m, E_SLOW), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, go3s_fsm_fire(b->m, E_FIX), 0);
	/* ...one that runs until cancelled, events queued behind it... */
	d->gate = true;
	KUNIT_EXPECT_EQ(test, go3s_fsm_try_fire(b->m, E_LOCK), 0);
	KUNIT_EXPECT_EQ(test, go3s_fsm_try_fire(b->m, E_UNLOCK), 0);
	KUNIT_EXPECT_EQ(test, go3s_fsm_try_fire(b->m, E_LOCK), 0);
	go3s_wg_init(&b->wg);
	go3s_wg_add(&b->wg, 1);
	if (go3s_go(blocked_fire_body, b)) {
		go3s_wg_done(&b->wg);
		KUNIT_FAIL(test, "go3s_go() failed");
		ok = false;
	}
	/* ...and a goroutine waiting in fire(). */
	if (ok)
		ok = wait_until(has_pending(b->m)) && wait_until(READ_ONCE(d->gate_waiting));
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(d->slow_returned));
	KUNIT_EXPECT_GE(test, go3s_fsm_goroutines(), before + 3);

	kunit_release_action(test, fsm_destroy_action, b->m);
	/* destroy waited for both hooks; everything queued got -ESHUTDOWN. */
	KUNIT_EXPECT_TRUE(test, READ_ONCE(d->slow_returned));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(d->gate_saw_cancel));
	KUNIT_EXPECT_EQ(test, go3s_fsm_goroutines(), before);
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&b->wg), 0);
	if (ok)
		KUNIT_EXPECT_EQ(test, b->ret, -ESHUTDOWN);
	/* The watch channel is closed once drained. */
	while (!go3s_chan_try_recv(w, rec, &ok) && ok)
		;
	KUNIT_EXPECT_FALSE(test, ok);
	go3s_chan_put(w);
}

/* ---- DOT and debugfs ---------------------------------------------------- */

#define has(str...)	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, str), "no %s", str)

static void fsm_dot_and_debugfs(struct kunit *test)
{
	struct door *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct seq_file sf = { .buf = buf, .size = PAGE_SIZE };
	struct go3s_fsm *m;
	struct seq_buf sb;

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	d->allow_open = true;
	m = new_fsm(test, &door_table, "kunit-dot", d);
	KUNIT_ASSERT_EQ(test, go3s_fsm_fire(m, E_OPEN), 0);
	KUNIT_ASSERT_EQ(test, go3s_fsm_fire(m, E_LOCK), -EPERM);

	seq_buf_init(&sb, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, go3s_fsm_dot(m, &sb), 0);
	has("digraph \"kunit-dot\" {");
	has("\"CLOSED\" [shape=doublecircle];");
	has("\"OPEN\" [shape=circle, style=filled];");
	has("\"CLOSED\" -> \"OPEN\" [label=\"E_OPEN [guard] (1)\"];");
	has("\"SLOW\" -> \"BROKEN\" [style=dashed, label=\"entry 50ms (0)\"];");
	has("}\n");
	seq_buf_init(&sb, buf, 64);
	KUNIT_EXPECT_EQ(test, go3s_fsm_dot(m, &sb), -EOVERFLOW);

	memset(buf, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, go3s_fsm_show(&sf, NULL), 0);
	has("kunit-dot table=door state=OPEN events=2 moves=1 illegal=1");
	has("kunit-dot CLOSED -E_OPEN-> OPEN 1\n");
	has("kunit-dot OPEN -E_CLOSE-> CLOSED 0\n");
	has("kunit-dot SLOW -timeout(entry)-> BROKEN 0\n");
}

static struct kunit_case go3s_fsm_cases[] = {
	KUNIT_CASE(fsm_table_validation),
	KUNIT_CASE(fsm_guard_and_illegal_events),
	KUNIT_CASE(fsm_hook_timeout_discards_late_result),
	KUNIT_CASE(fsm_try_fire_from_hardirq),
	KUNIT_CASE_SLOW(fsm_many_machines_every_move_counted),
	KUNIT_CASE_SLOW(fsm_teardown_while_hooks_run),
	KUNIT_CASE(fsm_dot_and_debugfs),
	{}
};

static struct kunit_suite go3s_fsm_suite = {
	.name = "go3s_fsm",
	.test_cases = go3s_fsm_cases,
};

kunit_test_suite(go3s_fsm_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_fsm: state machines");
MODULE_VERSION("0.1.0");
