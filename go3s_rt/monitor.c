// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor: go3s's sysmon. One kthread wakes every monitor_us while
 * goroutines run (backing off to 10 ms while none does) and looks at each
 * P. Scheduling is cooperative, so a goroutine that blocks in an ordinary
 * kernel call (a mutex, msleep, a GFP_KERNEL allocation) blocks its
 * worker, and one that computes for long keeps it; the monitor makes sure
 * nothing queued behind either one waits:
 *
 *  - A P whose ->status has not changed since the last look runs the same
 *    goroutine as then. If work is queued there, an idle worker on another
 *    CPU is woken to steal it, and a runnext goroutine (which thieves leave
 *    to the owner) is moved to the inbox, where they look.
 *  - If that goroutine's worker is blocked in the kernel (its task is not
 *    running), or the goroutine has run for busy_ms, and work is queued,
 *    the P is taken from the worker (a cmpxchg of ->status, which fails if
 *    the worker moved on meanwhile) and a spare worker of the same CPU
 *    carries on with the queue (Go's retake() and handoffp()). A worker
 *    blocked for busy_ms loses even an empty P, so that a spare can steal
 *    for Ps whose workers are all blocked. With no spare sleeping, one
 *    more worker per CPU is started, up to GO3S_M_MAX.
 *  - A goroutine seen running for busy_ms without a switch is counted
 *    (busy), traced (go3s:go3s_g_busy) and marked in the goroutine dump.
 *
 * Concurrency: the monitor reads other CPUs' P and M state racily and acts
 * only through cmpxchg/xchg (->status, ->runnext) and wake-ups; it reads a
 * goroutine only under rcu_read_lock() (struct go3s_g is freed after a
 * grace period). Its own fields in struct go3s_p (S:) are its alone.
 */
#include <kunit/visibility.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "g.h"
#include "latency.h"
#include "sched.h"
#include "trace.h"

static unsigned int monitor_us = 1000;
module_param(monitor_us, uint, 0644);
MODULE_PARM_DESC(monitor_us, "Monitor period while goroutines run (us, 50-10000)");

static unsigned int busy_ms = 10;
module_param(busy_ms, uint, 0644);
MODULE_PARM_DESC(busy_ms, "A goroutine running this long without a switch is busy (ms)");

#define MON_MAX_NS	(10 * NSEC_PER_MSEC)

static struct task_struct *go3s_mon;

/* The monitor counts for the CPU it looked at; only it writes these. */
static struct go3s_stats *cpu_stats(struct go3s_p *p)
{
	return per_cpu_ptr(&go3s_stats, p->cpu);
}

static struct work_struct go3s_mset_work;

static void mset_workfn(struct work_struct *work)
{
	int ret = go3s_mset_add();

	if (ret && ret != -ENOSPC)
		pr_warn_ratelimited("could not start spare workers: %d\n", ret);
}

/* Ask for one more worker per CPU, unless at the limit. */
void go3s_monitor_want_mset(void)
{
	if (go3s_nr_msets() < GO3S_M_MAX && !go3s_stopping())
		queue_work(system_unbound_wq, &go3s_mset_work);
}

unsigned int go3s_monitor_period_us(void)
{
	return clamp(READ_ONCE(monitor_us), 50U, 10000U);
}

/* How long a goroutine may run before the monitor may take its P, in ns. */
u64 go3s_monitor_busy_ns(void)
{
	return (u64)READ_ONCE(busy_ms) * NSEC_PER_MSEC;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_monitor_busy_ns);

/*
 * Take @p from @m, which still runs what it ran at @st, stalled for
 * @stalled_ns (blocked or busy) as far as the caller knows; wake a spare.
 * From the monitor, or (@at_block) from @p's CPU in hard IRQ as its
 * worker blocked (blockwatch.c). Returns whether the P was taken.
 */
bool go3s_p_retake(struct go3s_p *p, struct go3s_m *m, unsigned long st,
		   bool blocked, bool at_block, u64 stalled_ns)
{
	unsigned long none = st & ~(P_OWNER_MASK | P_RUNNING);
	u64 now = go3s_lat_now();
	bool spare;

	if (!atomic_long_try_cmpxchg(&p->status, &st, none))
		return false;
	trace_go3s_p_handoff(p->cpu, m->idx, blocked);
	/* The handoff latency ends where a worker takes @p (sched.c). */
	if (now)
		WRITE_ONCE(p->handoff_t0, now - min(stalled_ns, now - 1));
	spare = go3s_p_wake_spare(p, m);
	if (!spare)
		go3s_monitor_want_mset();
	if (at_block) {
		/* Hard IRQ on p->cpu; the monitor never writes this one. */
		__this_cpu_inc(go3s_stats.block_handoffs);
	} else {
		p->mon_status = none;
		cpu_stats(p)->handoffs++;
		if (!spare)
			cpu_stats(p)->no_spare++;
	}
	return true;
}

/* Work waits on @p with nobody to run it: let thieves have it, runnext too. */
static void offer_work(struct go3s_p *p)
{
	struct go3s_g *next = xchg(&p->runnext, NULL);

	if (next)
		llist_add(&next->node, &p->inbox);
	cpu_stats(p)->kicks++;
	go3s_wakep();
}

/* Look at @p once; returns whether it runs a goroutine. */
static bool look_at(struct go3s_p *p, u64 now)
{
	unsigned long st = atomic_long_read(&p->status);
	struct go3s_m *m = p_owner(p, st);
	struct go3s_g *g;
	bool blocked, busy, has_work;
	u64 ran;

	if (!m) {
		/* Taken from its worker and not picked up yet? */
		if (READ_ONCE(p->online) && go3s_p_has_work(p)) {
			offer_work(p);
			if (!go3s_p_wake_spare(p, NULL))
				go3s_monitor_want_mset();
		}
		return false;
	}
	if (st != p->mon_status || !(st & P_RUNNING)) {
		p->mon_status = st;
		p->mon_since = now;
		WRITE_ONCE(p->mon_busy_id, 0);
		return st & P_RUNNING;
	}
	/* The same goroutine has run since p->mon_since at least. */
	ran = now - p->mon_since;
	blocked = !task_is_running(m->task);
	busy = ran >= go3s_monitor_busy_ns();
	g = READ_ONCE(m->curg);
	if (busy && !blocked && g && !p->mon_busy_id) {
		WRITE_ONCE(p->mon_busy_id, g->id);
		cpu_stats(p)->busy++;
		trace_go3s_g_busy(g, ran);
	}
	has_work = go3s_p_has_work(p);
	if (has_work)
		offer_work(p);
	/*
	 * As Go's retake(): a P with work goes to a spare at once; an idle P
	 * is taken from a worker blocked for busy_ms too, so that it can
	 * steal for the others when every P is stuck in a blocked worker.
	 */
	if (blocked ? has_work || busy : busy && has_work)
		go3s_p_retake(p, m, st, blocked, false, ran);
	return true;
}

static int monitor_fn(void *unused)
{
	u64 period = go3s_monitor_period_us() * NSEC_PER_USEC;

	while (!kthread_should_stop()) {
		u64 now = ktime_get_ns();
		bool active = false;
		ktime_t t;
		int cpu;

		rcu_read_lock();
		for_each_online_cpu(cpu)
			active |= look_at(per_cpu_ptr(&go3s_p, cpu), now);
		rcu_read_unlock();

		if (active)
			period = go3s_monitor_period_us() * NSEC_PER_USEC;
		else
			period = min(period * 2, MON_MAX_NS);
		t = ns_to_ktime(period);
		set_current_state(TASK_IDLE);
		if (!kthread_should_stop())
			schedule_hrtimeout_range(&t, period / 8, HRTIMER_MODE_REL);
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

int go3s_monitor_init(void)
{
	INIT_WORK(&go3s_mset_work, mset_workfn);
	go3s_mon = kthread_run(monitor_fn, NULL, "go3s/mon");
	return PTR_ERR_OR_ZERO(go3s_mon);
}

void go3s_monitor_exit(void)
{
	kthread_stop(go3s_mon);
	cancel_work_sync(&go3s_mset_work);
}
