// SPDX-License-Identifier: GPL-2.0
/*
 * Block watch: a worker that blocks in the kernel while it runs a
 * goroutine (a mutex, msleep, a GFP_KERNEL allocation) gives up its P at
 * once, instead of at the monitor's next look or two (monitor.c), so the
 * goroutines queued behind it go on within microseconds. Go does the
 * same for a system call it knows will block (entersyscallblock()).
 *
 * Each worker registers a preempt notifier on itself. Its sched_out hook
 * runs in __schedule() with the runqueue lock held and interrupts off, so
 * it only notes what it saw and raises an irq_work on the same CPU; the
 * irq_work (hard IRQ, IRQ_WORK_HARD_IRQ also on PREEMPT_RT) then takes the
 * P with the monitor's go3s_p_retake() if work is queued there. Work that
 * arrives later for a P whose worker is still blocked does the same check
 * in an IPI to that CPU (go3s_blockwatch_kick(), from sched.c's kick()).
 *
 * A preemption (the worker stays runnable) is not a block: a goroutine
 * that computes keeps its P until the monitor finds it busy.
 *
 * Concurrency: ->block_status and ->blocked_m are written by the P's
 * workers in sched_out/sched_in (on the P's CPU) and read by the irq_work
 * on that CPU (or the IPI kick() sends) and by kick() anywhere, racily: the irq_work acts only
 * through the cmpxchg of ->status in go3s_p_retake(), which fails if the
 * worker moved on, and it re-checks that the worker is still not running.
 *
 * Kernels without CONFIG_PREEMPT_NOTIFIERS (it comes with KVM; UML has
 * none) rely on the monitor alone; go3s/stats says which.
 */
#include <kunit/visibility.h>
#include <linux/irq_work.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include "latency.h"
#include "runq.h"
#include "sched.h"

bool go3s_blockwatch_enabled(void)
{
	return IS_ENABLED(CONFIG_PREEMPT_NOTIFIERS);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_blockwatch_enabled);

#ifdef CONFIG_PREEMPT_NOTIFIERS

/* Hard IRQ on the P's CPU: hand the P to a spare if work waits on it. */
static void block_check(struct go3s_p *p)
{
	unsigned long st = READ_ONCE(p->block_status);
	struct go3s_m *m = READ_ONCE(p->blocked_m);
	u64 since = READ_ONCE(p->block_since);

	if (!m || p_owner(p, st) != m || task_is_running(m->task) ||
	    !go3s_p_has_work(p))
		return;
	go3s_p_retake(p, m, st, true, true, since ? local_clock() - since : 0);
}

static void block_workfn(struct irq_work *work)
{
	block_check(container_of(work, struct go3s_p, block_work));
}

static void block_csdfn(void *info)
{
	struct go3s_p *p = info;

	clear_bit(0, &p->block_csd_busy);
	/*
	 * Pairs with the ordering of test_and_set_bit() in
	 * go3s_blockwatch_kick(): a kick that found the bit still set queued
	 * its work before, and block_check() now sees it.
	 */
	smp_mb__after_atomic();
	block_check(p);
}

static struct go3s_m *pn_to_m(struct preempt_notifier *pn)
{
	return container_of(pn, struct go3s_m, pn);
}

/* Under the runqueue lock, interrupts off: note, and defer the rest. */
static void m_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	struct go3s_m *m = pn_to_m(pn);
	struct go3s_p *p = m->p;
	unsigned long st;

	if (task_is_running(current))
		return;		/* preempted, not blocked */
	st = atomic_long_read(&p->status);
	if (p_owner(p, st) != m || !(st & P_RUNNING))
		return;		/* in its loop, or without the P */
	WRITE_ONCE(p->block_status, st);
	WRITE_ONCE(p->block_since, go3s_lat_now());
	WRITE_ONCE(p->blocked_m, m);
	if (go3s_p_has_work(p))
		irq_work_queue(&p->block_work);
}

static void m_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct go3s_m *m = pn_to_m(pn);

	if (READ_ONCE(m->p->blocked_m) == m)
		WRITE_ONCE(m->p->blocked_m, NULL);
}

static struct preempt_ops go3s_pn_ops = {
	.sched_in	= m_sched_in,
	.sched_out	= m_sched_out,
};

/* From the worker itself, before it runs anything (smpboot's setup). */
void go3s_blockwatch_register(struct go3s_m *m)
{
	preempt_notifier_init(&m->pn, &go3s_pn_ops);
	preempt_notifier_register(&m->pn);
}

/*
 * From the worker itself as it stops (smpboot's cleanup): the notifier
 * must not fire on the exiting task's last switch, after the module that
 * holds the hooks may be gone.
 */
void go3s_blockwatch_unregister(struct go3s_m *m)
{
	preempt_notifier_unregister(&m->pn);
}

/*
 * Work was queued on @p: if its worker is blocked, let the P go now. An
 * IPI to the P's CPU (irq_work_queue_on() is not exported).
 *
 * smp_call_function_single_async() leaves serialising a csd to its
 * callers: its own busy check is not atomic, and two kicks at once (two
 * CPUs, or a task and an interrupt on one) could queue the csd twice. That
 * corrupts the target CPU's IPI list, which also carries the scheduler's
 * remote wake-ups: a worker was seen stuck in TASK_WAKING for good, and
 * rmmod then waited on it in kthread_stop(). The bit makes one kick own the
 * csd until its handler starts; test_and_set_bit() is fully ordered, so
 * work queued before a kick that finds the bit set is seen by that
 * handler.
 */
void go3s_blockwatch_kick(struct go3s_p *p)
{
	if (!READ_ONCE(p->blocked_m) || !READ_ONCE(p->online))
		return;
	if (test_and_set_bit(0, &p->block_csd_busy))
		return;
	if (smp_call_function_single_async(p->cpu, &p->block_csd))
		clear_bit(0, &p->block_csd_busy);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_blockwatch_kick);

void go3s_blockwatch_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

		p->block_work = IRQ_WORK_INIT_HARD(block_workfn);
		INIT_CSD(&p->block_csd, block_csdfn, p);
		p->block_csd_busy = 0;
	}
	preempt_notifier_inc();
}

static void block_flush(void *unused)
{
}

/* After every worker has stopped. */
void go3s_blockwatch_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		irq_work_sync(&per_cpu_ptr(&go3s_p, cpu)->block_work);
	/* Kicks sent before are ahead of this in every CPU's IPI queue. */
	on_each_cpu(block_flush, NULL, true);
	preempt_notifier_dec();
}

#else /* !CONFIG_PREEMPT_NOTIFIERS */

void go3s_blockwatch_register(struct go3s_m *m) { }
void go3s_blockwatch_unregister(struct go3s_m *m) { }
void go3s_blockwatch_kick(struct go3s_p *p) { }
EXPORT_SYMBOL_IF_KUNIT(go3s_blockwatch_kick);
void go3s_blockwatch_init(void) { }
void go3s_blockwatch_exit(void) { }

#endif /* CONFIG_PREEMPT_NOTIFIERS */
