// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler: a processor (P) per online CPU with its run queues, and
 * worker kthreads (M) bound to that CPU that run its goroutines. Usually
 * one M holds the P and the others sleep; when the holder blocks in the
 * kernel or runs one goroutine too long, the monitor (monitor.c) takes the
 * P from it and a spare M of the same CPU carries on with the queue, as
 * Go hands off the P of an M in a system call.
 *
 */

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/smpboot.h>
#include <kunit/visibility.h>

#include "g.h"
#include "irq.h"
#include "latency.h"
#include "owner.h"
#include "runq.h"
#include "sched.h"
#include "trace.h"

DEFINE_PER_CPU_SHARED_ALIGNED(struct go3s_p, go3s_p);
DEFINE_PER_CPU(struct go3s_stats, go3s_stats);

static atomic_t go3s_nr_idle = ATOMIC_INIT(0);
static bool go3s_shutdown;

/* Sets of per-CPU workers: set 0 at load, the others on demand. */
static struct smp_hotplug_thread go3s_m_threads[GO3S_M_MAX];
static char go3s_m_comm[GO3S_M_MAX][TASK_COMM_LEN];
static unsigned int go3s_msets;		/* A; written under go3s_mset_lock */
static DEFINE_MUTEX(go3s_mset_lock);

bool go3s_stopping(void)
{
	return READ_ONCE(go3s_shutdown);
}

/* ---- workers and their P ----------------------------------------------- */

/* The M that @current is, among @p's; NULL if current is no worker of @p. */
static struct go3s_m *m_find(struct go3s_p *p)
{
	struct go3s_m *m = p_owner(p, atomic_long_read(&p->status));
	unsigned int i;

	if (m && m->task == current)
		return m;
	/* Sets are registered in order: the tasks are contiguous. */
	for (i = 0; i < GO3S_M_MAX && p->ms[i].task; i++)
		if (p->ms[i].task == current)
			return &p->ms[i];
	return NULL;
}

/*
 * The M the caller runs on, or NULL outside a worker. A worker is bound to
 * its CPU, so a stale CPU number cannot make another task match.
 */
static struct go3s_m *this_m(void)
{
	if (!in_task())
		return NULL;
	return m_find(raw_cpu_ptr(&go3s_p));
}

static bool p_owned_by(struct go3s_p *p, struct go3s_m *m)
{
	return p_owner(p, atomic_long_read(&p->status)) == m;
}

/* From the loop only: take a P nobody holds. */
static bool p_acquire(struct go3s_p *p, struct go3s_m *m)
{
	unsigned long st = atomic_long_read(&p->status);

	if (st & P_OWNER_MASK)
		return false;
	return atomic_long_try_cmpxchg(&p->status, &st, st | (m->idx + 1));
}

/* From the loop only: give up the P this M holds. */
static void p_release(struct go3s_p *p, struct go3s_m *m)
{
	unsigned long st = atomic_long_read(&p->status);

	while (p_owner(p, st) == m &&
	       !atomic_long_try_cmpxchg(&p->status, &st,
					st & ~(P_OWNER_MASK | P_RUNNING)))
		;
}

/* ---- waking Ms --------------------------------------------------------- */

/*
 * Take @p's owner out of idle; the caller then wakes it. ->kicked tells the
 * M to run its loop (and steal) even if its own queues are empty.
 */
static bool p_claim_idle(struct go3s_p *p)
{
	if (!READ_ONCE(p->idle) || !xchg(&p->idle, false))
		return false;
	atomic_dec(&go3s_nr_idle);
	WRITE_ONCE(p->kicked, true);
	return true;
}

/* Wake a worker of @p that holds no goroutine (other than @not). */
bool go3s_p_wake_spare(struct go3s_p *p, struct go3s_m *not)
{
	unsigned int i;

	for (i = 0; i < GO3S_M_MAX && p->ms[i].task; i++) {
		struct go3s_m *s = &p->ms[i];

		if (s == not || READ_ONCE(s->tainted) || READ_ONCE(s->curg))
			continue;
		wake_up_process(s->task);
		return true;
	}
	return false;
}

/* An idle P's owner sleeps in its loop; it cannot lose the P meanwhile. */
static void p_wake(struct go3s_p *p)
{
	struct go3s_m *m = p_owner(p, atomic_long_read(&p->status));

	if (m)
		wake_up_process(m->task);
	else
		go3s_p_wake_spare(p, NULL);
}

/*
 * Work was queued where a busy M holds it: let an idle M come and steal.
 * The caller queued it before; the barrier pairs with the one in
 * m_should_run() between setting ->idle and looking at every P.
 */
void go3s_wakep(void)
{
	int cpu;

	smp_mb();	/* pairs with smp_mb() in m_should_run() */
	if (!atomic_read(&go3s_nr_idle) || atomic_read(&go3s_nr_spinning))
		return;
	for_each_online_cpu(cpu) {
		struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

		if (p_claim_idle(p)) {
			p_wake(p);
			return;
		}
	}
}

static void kick(struct go3s_p *p)
{
	if (p_claim_idle(p)) {
		p_wake(p);
		return;
	}
	go3s_blockwatch_kick(p);
	go3s_wakep();
}

static void inbox_put(struct go3s_p *p, struct go3s_g *g)
{
	llist_add(&g->node, &p->inbox);
	kick(p);
}

/*
 * Queue a RUNNABLE @g on @m's P: as runnext (@next) or at the ring's tail;
 * in the inbox if @m does not hold its P (any more). Preemption is off so
 * that no other M of this CPU can take the P and use the ring meanwhile.
 */
static void p_put(struct go3s_m *m, struct go3s_g *g, bool next)
{
	struct go3s_p *p = m->p;

	preempt_disable();
	if (unlikely(!p_owned_by(p, m))) {
		inbox_put(p, g);
		preempt_enable();
		return;
	}
	if (next) {
		g = xchg(&p->runnext, g);
		if (!g) {
			preempt_enable();
			return;
		}
	}
	go3s_runq_put_any(p, g);
	preempt_enable();
	go3s_wakep();
}

/*
 * Make a RUNNABLE @g run. From a goroutine or worker it goes to this
 * worker's P, as runnext (Go's: it runs next, on this CPU); from anywhere
 * else into the inbox of the CPU it last ran on.
 * Context: any context except NMI.
 */
void go3s_ready(struct go3s_g *g)
{
	struct go3s_m *m = this_m();
	struct go3s_p *p;

	WRITE_ONCE(g->ready_ns, go3s_lat_now_sampled(GO3S_LAT_SCHED));
	/*
	 * Only from the goroutine or worker itself: an interrupt or softirq
	 * (a socket callback, a timer) that merely landed on a worker must not
	 * use its runnext, which nobody is woken to look at if that worker is
	 * on its way to sleep (6.12-rt: tcp_echo's accept loop stayed
	 * runnable for minutes). The inbox path kicks.
	 */
	if (m && !in_interrupt()) {
		p_put(m, g, true);
		return;
	}
	/* The online check and the push are one RCU read-side section. */
	rcu_read_lock();
	p = per_cpu_ptr(&go3s_p, g->cpu);
	if (READ_ONCE(p->online)) {
		inbox_put(p, g);
	} else {
		go3s_runq_global_put(g);
		go3s_wakep();
	}
	rcu_read_unlock();
}

/* ---- the G side -------------------------------------------------------- */

/**
 * go3s_self - the goroutine running this code
 *
 * Context: any context.
 * Return: the running goroutine, or NULL when called outside one
 * (including from an interrupt that hit a goroutine).
 */
struct go3s_g *go3s_self(void)
{
	struct go3s_m *m = this_m();

	return m ? READ_ONCE(m->curg) : NULL;
}
EXPORT_SYMBOL_GO3S(go3s_self);

/**
 * go3s_self_id - id of the running goroutine
 *
 * Context: any context.
 * Return: the goroutine's id (unique while the runtime is loaded, never 0),
 * or 0 outside a goroutine.
 */
u64 go3s_self_id(void)
{
	struct go3s_g *g = go3s_self();

	return g ? g->id : 0;
}
EXPORT_SYMBOL_GO3S(go3s_self_id);

/**
 * go3s_self_arg - the argument the running goroutine was spawned with
 *
 * Context: any context.
 * Return: the @arg given to go3s_go(), or NULL outside a goroutine.
 */
void *go3s_self_arg(void)
{
	struct go3s_g *g = go3s_self();

	return g ? g->arg : NULL;
}
EXPORT_SYMBOL_GO3S(go3s_self_arg);

static void stack_check(struct go3s_g *g)
{
	if (unlikely(!go3s_g_stack_ok(g)))
		WARN(1, "go3s: goroutine %llu (spawned at %pS) overran its stack\n",
		     g->id, (void *)g->site);
}

/* @m is about to switch to @g (IRQs off, or @m in its loop). */
static void g_start(struct go3s_m *m, struct go3s_g *g)
{
	go3s_g_set_state(g, GO3S_G_RUNNABLE, GO3S_G_RUNNING);
	g->cpu = m->p->cpu;
	g->m = m;
	WRITE_ONCE(m->curg, g);
	go3s_stat_inc_m(switches);
	go3s_lat_since(GO3S_LAT_SCHED, READ_ONCE(g->ready_ns));
	trace_go3s_g_run(g);
}

static void g_exited(struct go3s_g *g)
{
	struct module *owner = g->owner;
	bool pinned = !(g->flags & GO3S_GF_UNPINNED);

	trace_go3s_g_exit(g);
	go3s_arena_destroy(&g->arena);	/* all it allocated, in one step */
	/* The dump reads ->owner under RCU; module memory outlives a GP. */
	WRITE_ONCE(g->owner, NULL);
	go3s_g_set_state(g, GO3S_G_RUNNING, GO3S_G_FREE);
	go3s_stat_inc_m(exited);
	go3s_g_cache_put(g);
	if (owner != THIS_MODULE && pinned)
		module_put(owner);
	go3s_owner_exited(owner);
}

/*
 * Carry out what the goroutine @m switched away from asked for, now that
 * its stack is no longer in use. Runs in @m's loop or in the goroutine @m
 * switched to, with interrupts enabled.
 */
static void finish_switch(struct go3s_m *m)
{
	struct go3s_g *g = m->prev;

	if (!g)
		return;
	m->prev = NULL;
	switch (g->action) {
	case GO3S_ACT_YIELD:
		trace_go3s_g_yield(g);
		go3s_g_set_state(g, GO3S_G_RUNNING, GO3S_G_RUNNABLE);
		WRITE_ONCE(g->ready_ns, go3s_lat_now_sampled(GO3S_LAT_SCHED));
		p_put(m, g, false);
		break;
	case GO3S_ACT_PARK:
		trace_go3s_g_park(g);
		go3s_stat_inc_m(parks);
		/* Pairs with the cmpxchg in go3s_unpark(). */
		if (atomic_cmpxchg(&g->state, GO3S_G_PARKING,
				   GO3S_G_PARKED) != GO3S_G_PARKING) {
			/* Woken between prepare and now: run it again. */
			go3s_g_set_state(g, GO3S_G_RUNNING, GO3S_G_RUNNABLE);
			WRITE_ONCE(g->ready_ns, go3s_lat_now_sampled(GO3S_LAT_SCHED));
			p_put(m, g, false);
		}
		break;
	case GO3S_ACT_EXIT:
		g_exited(g);
		break;
	}
}

/*
 * The goroutine to switch to straight from the one leaving @m, without a
 * detour through @m's loop: only from @m's own P, and not when the loop
 * has something to do (fairness, rescheduling, parking, a pool to fill).
 * Interrupts are off.
 */
static struct go3s_g *direct_next(struct go3s_m *m)
{
	struct go3s_p *p = m->p;
	unsigned long st = atomic_long_read(&p->status);
	struct go3s_g *g;

	if (p_owner(p, st) != m || m->tainted || need_resched() ||
	    kthread_should_park() || go3s_fair_turn(st) ||
	    go3s_irq_pool_level(p->cpu) < go3s_irq_pool_size() / 2)
		return NULL;
	g = go3s_runq_get(p);
	if (!g)
		return NULL;
	/* The tick moves on; fails if the monitor took the P meanwhile. */
	if (!atomic_long_try_cmpxchg(&p->status, &st, st + P_TICK)) {
		llist_add(&g->node, &p->inbox);
		return NULL;
	}
	return g;
}

/*
 * Switch from @g, which then has @action carried out: straight to the next
 * goroutine of its P if there is one, else to its M's loop.
 *
 * An exiting goroutine's last frames (go3s_g_main() and this one) never
 * unwind, and its stack is reused as it is: so this frame carries no KASAN
 * redzones (no instrumentation), which would otherwise be left behind.
 */
void __no_sanitize_address
go3s_switch_out(struct go3s_g *g, enum go3s_g_action action)
{
	struct go3s_m *m = g->m;
	struct go3s_g *next;
	unsigned long flags;

	stack_check(g);
	g->action = action;
	local_irq_save(flags);
	m->prev = g;
	next = direct_next(m);
	go3s_arch_stack_return(&g->save, g->stack);
	if (next) {
		g_start(m, next);
		go3s_arch_stack_adopt(&next->save, next->stack);
		go3s_arch_switch(&g->ctx, &next->ctx);
	} else {
		WRITE_ONCE(m->curg, NULL);
		go3s_arch_switch(&g->ctx, &m->ctx);
	}
	/* Resumed, possibly on another M, with IRQs off. */
	local_irq_restore(flags);
	finish_switch(g->m);
}

/*
 * Undo what a goroutine must not leave behind; say so loudly. A lock it
 * left held stays held by the worker's task (lockdep would refuse every
 * later switch there): that worker retires and a spare takes its P.
 */
static void exit_fixup(struct go3s_g *g)
{
	if (go3s_switch_allowed(g, "exit"))
		return;
#ifdef CONFIG_LOCKDEP
	if (lockdep_depth(current))
		WRITE_ONCE(g->m->tainted, true);
#endif
	if (irqs_disabled())
		local_irq_enable();
	while (rcu_preempt_depth() > 0)
		rcu_read_unlock();
	if (preempt_count())
		preempt_count_set(PREEMPT_ENABLED);
}

void go3s_g_main(struct go3s_g *g)
{
	local_irq_enable();	/* switched here with IRQs off */
	finish_switch(g->m);
	g->fn(g->arg);
	exit_fixup(g);
	/* The G is recycled once off its stack: this switch never returns. */
	go3s_switch_out(g, GO3S_ACT_EXIT);
}

/**
 * go3s_yield - let other runnable goroutines run
 *
 * Puts the calling goroutine at the tail of its worker's run queue. Outside
 * a goroutine it is cond_resched(). A yield that the switch checks refuse
 * (see <go3s/go.h>) returns at once, after a WARN.
 * Context: process context.
 */
void go3s_yield(void)
{
	struct go3s_g *g = go3s_self();

	if (!g) {
		cond_resched();
		return;
	}
	if (!go3s_switch_allowed(g, "yield"))
		return;
	go3s_switch_out(g, GO3S_ACT_YIELD);
}
EXPORT_SYMBOL_GO3S(go3s_yield);

/**
 * go3s_exit - end the calling goroutine now
 *
 * Like returning from the goroutine's function. Outside a goroutine it is a
 * caller bug: it warns and returns.
 * Context: goroutine.
 */
void go3s_exit(void)
{
	struct go3s_g *g = go3s_self();

	if (WARN_ON_ONCE(!g))
		return;
	exit_fixup(g);
	g->flags |= GO3S_GF_DIRTY_STACK;
	go3s_switch_out(g, GO3S_ACT_EXIT);	/* never comes back */
}
EXPORT_SYMBOL_GO3S(go3s_exit);

/**
 * go3s_nr_workers - number of processors (one per online CPU)
 *
 * Each processor has a worker thread running its goroutines, and spare
 * workers that take over when that one blocks in the kernel.
 * Context: any context.
 * Return: the number of online CPUs, each with its processor.
 */
unsigned int go3s_nr_workers(void)
{
	return num_online_cpus();
}
EXPORT_SYMBOL_GO3S(go3s_nr_workers);

/* ---- the M ------------------------------------------------------------- */

/*
 * Run @g on @m, which holds its P. Returns whether @m still holds the P
 * afterwards: the monitor may have handed it to a spare meanwhile.
 */
static bool run_g(struct go3s_m *m, struct go3s_g *g)
{
	struct go3s_p *p = m->p;
	unsigned long st = atomic_long_read(&p->status);

	/* In its loop only the owner changes ->status. */
	atomic_long_set(&p->status, st + P_TICK + P_RUNNING);
	g_start(m, g);

	local_irq_disable();
	go3s_arch_stack_adopt(&g->save, g->stack);
	go3s_arch_switch(&m->ctx, &g->ctx);
	/* The last G to run gave the stack back before it switched here. */
	local_irq_enable();

	st = atomic_long_read(&p->status);
	while (p_owner(p, st) == m &&
	       !atomic_long_try_cmpxchg(&p->status, &st, st & ~P_RUNNING))
		;
	finish_switch(m);
	return p_owner(p, st) == m;
}

/*
 * smpboot: called with preemption disabled, the task state set to sleep.
 * An M without a P takes it if nobody holds it; the P's owner goes idle
 * only after it has looked at every P once more behind a full barrier
 * (Go's findRunnable "delicate dance"), so that no queued goroutine is
 * left while Ms sleep.
 */
static int m_should_run(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	struct go3s_m *m = m_find(p);

	if (!m || m->tainted)
		return 0;
	if (!p_owned_by(p, m)) {
		if (!READ_ONCE(p->online) || !p_acquire(p, m))
			return 0;
		/* A P handed off (monitor.c) is running again. */
		if (READ_ONCE(p->handoff_t0))
			go3s_lat_since(GO3S_LAT_HANDOFF, xchg(&p->handoff_t0, 0));
	}
	if (go3s_p_has_work(p) || xchg(&p->kicked, false))
		return 1;
	if (!READ_ONCE(p->idle)) {
		WRITE_ONCE(p->idle, true);
		atomic_inc(&go3s_nr_idle);
	}
	/* Pairs with the smp_mb() in go3s_wakep() and llist_add() in kick(). */
	smp_mb();
	if (go3s_runq_any_work(p)) {
		p_claim_idle(p);
		return 1;
	}
	return 0;
}

static void m_run(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	struct go3s_m *m = m_find(p);
	struct go3s_g *g;

	if (!m || !p_owned_by(p, m))
		return;
	p_claim_idle(p);
	go3s_irq_pool_refill();
	while (!kthread_should_park() && !kthread_should_stop()) {
		g = go3s_runq_find(p);
		if (!g)
			break;
		if (!run_g(m, g))
			return;		/* a spare holds the P now */
		if (unlikely(m->tainted)) {
			go3s_stat_inc(tainted);
			p_release(p, m);
			if (!go3s_p_wake_spare(p, m))
				go3s_monitor_want_mset();
			return;
		}
		go3s_irq_pool_refill();
		if (need_resched())
			cond_resched();
	}
}

static void m_setup(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	struct go3s_m *m = m_find(p);

	p->cpu = cpu;
	if (m)
		go3s_blockwatch_register(m);
	WRITE_ONCE(p->online, true);
}

/* In the worker, as it stops for good (module unload). */
static void m_cleanup(unsigned int cpu, bool online)
{
	struct go3s_m *m = m_find(per_cpu_ptr(&go3s_p, cpu));

	if (m)
		go3s_blockwatch_unregister(m);
}

/*
 * The CPU goes offline: each of its Ms parks in turn. The one that holds
 * the P (or finds it free) hands everything queued here to the others; an
 * M still running a goroutine parks (and drains) when that one switches.
 */
static void m_park(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	struct go3s_m *m = m_find(p);
	struct go3s_g *g;

	WRITE_ONCE(p->online, false);
	/* Wait out go3s_ready() callers that saw ->online set. */
	synchronize_rcu();
	if (!m || (!p_owned_by(p, m) && !p_acquire(p, m)))
		return;
	/* go3s_runq_inbox_take() moves all but one into the ring: drain both. */
	while ((g = go3s_runq_get(p) ?: go3s_runq_inbox_take(p, &p->inbox)))
		go3s_runq_global_put(g);
	p_release(p, m);
	p_claim_idle(p);
	go3s_wakep();
}

static void m_unpark(unsigned int cpu)
{
	WRITE_ONCE(per_cpu_ptr(&go3s_p, cpu)->online, true);
}

/* The number of worker sets: workers per CPU, spares included. */
unsigned int go3s_nr_msets(void)
{
	return READ_ONCE(go3s_msets);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_nr_msets);

/*
 * Start one more worker on every CPU (from the monitor's work item, or at
 * load): up to GO3S_M_MAX per CPU. Returns 0, -ENOSPC at the limit, or the
 * error of smpboot_register_percpu_thread().
 */
int go3s_mset_add(void)
{
	struct smp_hotplug_thread *t;
	unsigned int k;
	int ret = -ENOSPC;

	mutex_lock(&go3s_mset_lock);
	k = go3s_msets;
	if (k < GO3S_M_MAX && !go3s_stopping()) {
		t = &go3s_m_threads[k];
		if (k)
			snprintf(go3s_m_comm[k], TASK_COMM_LEN, "go3s/%%u.%u", k);
		else
			strscpy(go3s_m_comm[k], "go3s/%u", TASK_COMM_LEN);
		*t = (struct smp_hotplug_thread) {
			.store			= &go3s_p.ms[k].task,
			.thread_should_run	= m_should_run,
			.thread_fn		= m_run,
			.setup			= m_setup,
			.cleanup		= m_cleanup,
			.park			= m_park,
			.unpark			= m_unpark,
			.thread_comm		= go3s_m_comm[k],
		};
		ret = smpboot_register_percpu_thread(t);
		if (!ret)
			WRITE_ONCE(go3s_msets, k + 1);
	}
	mutex_unlock(&go3s_mset_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_mset_add);

/* ---- introspection ----------------------------------------------------- */

/*
 * Workers that look runnable (TASK_RUNNING) but are on no runqueue and on
 * no CPU: what a stale current's state written back leaves (see the
 * "current is the worker" rule in Documentation/goroutines.rst). Sampled
 * twice, @gap_ms apart, so that a worker passing through a wake-up is not
 * counted. For KUnit.
 */
static bool m_stranded(struct go3s_m *m)
{
	struct task_struct *t = m->task;

#ifdef CONFIG_SMP
	if (READ_ONCE(t->on_cpu))
		return false;
#endif
	return READ_ONCE(t->__state) == TASK_RUNNING && !READ_ONCE(t->on_rq);
}

unsigned int go3s_sched_stranded(unsigned int gap_ms)
{
	struct go3s_m *seen[16];
	unsigned int n = 0, k = 0, i;
	int cpu;

	for_each_online_cpu(cpu) {
		struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

		for (i = 0; i < GO3S_M_MAX && p->ms[i].task; i++)
			if (m_stranded(&p->ms[i]) && k < ARRAY_SIZE(seen))
				seen[k++] = &p->ms[i];
	}
	if (k)
		msleep(gap_ms);
	for (i = 0; i < k; i++)
		n += m_stranded(seen[i]);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_sched_stranded);

void go3s_sched_info(unsigned int cpu, struct go3s_sched_info *info)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	unsigned int i;

	info->running = 0;
	for (i = 0; i < GO3S_M_MAX && p->ms[i].task; i++)
		info->running += !!READ_ONCE(p->ms[i].curg);
	info->runnable = READ_ONCE(p->tail) - READ_ONCE(p->head) +
			 !!READ_ONCE(p->runnext);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_sched_info);

/* For panic/oops notifiers: which goroutine was this CPU running? */
static void print_current(const char *why)
{
	struct go3s_g *g = go3s_self();

	if (g)
		pr_emerg("%s in goroutine %llu (spawned at %pS) on CPU %d\n",
			 why, g->id, (void *)g->site, g->cpu);
}

static int go3s_panic_notify(struct notifier_block *nb, unsigned long ev,
			     void *data)
{
	print_current("go3s: the panic happened");
	return NOTIFY_DONE;
}

static struct notifier_block go3s_panic_nb = {
	.notifier_call = go3s_panic_notify,
};

int go3s_sched_init(void)
{
	int cpu, i, ret;

	for_each_possible_cpu(cpu) {
		struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

		p->cpu = cpu;
		for (i = 0; i < GO3S_M_MAX; i++) {
			p->ms[i].p = p;
			p->ms[i].idx = i;
		}
	}
	/* kcompat.h lets arm64 and riscv64 kernels without either load. */
	if (!IS_ENABLED(CONFIG_PREEMPT_COUNT) && !IS_ENABLED(CONFIG_LOCKDEP))
		pr_notice("no preempt count (PREEMPT_COUNT) nor lockdep: a goroutine switching with a spinlock held goes unseen\n");
	go3s_arch_init();
	go3s_blockwatch_init();
	ret = go3s_mset_add();
	if (ret)
		goto out_blockwatch;
	ret = go3s_monitor_init();
	if (ret) {
		smpboot_unregister_percpu_thread(&go3s_m_threads[0]);
		go3s_msets = 0;
		goto out_blockwatch;
	}
	atomic_notifier_chain_register(&panic_notifier_list, &go3s_panic_nb);
	return 0;

out_blockwatch:
	go3s_blockwatch_exit();
	return ret;
}

/* Refuse new goroutines; main.c then waits for the live ones to end. */
void go3s_sched_stop(void)
{
	WRITE_ONCE(go3s_shutdown, true);
}

/* Called once no goroutine is left. */
void go3s_sched_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &go3s_panic_nb);
	go3s_monitor_exit();
	mutex_lock(&go3s_mset_lock);
	while (go3s_msets)
		smpboot_unregister_percpu_thread(&go3s_m_threads[--go3s_msets]);
	mutex_unlock(&go3s_mset_lock);
	go3s_blockwatch_exit();
}
