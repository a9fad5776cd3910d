// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler: one worker kthread (M) per online CPU, each owning a
 * processor (P) with its run queues.
 *
 * Concurrency contract of a P's queues
 *
 *   ring (bounded, GO3S_RUNQ_SIZE):
 *     put:   the owner M only (task context on its CPU: the scheduler loop
 *            or a goroutine it runs). Stores the slot, then publishes
 *            ->tail with a release store.
 *     get:   the owner M, one cmpxchg on ->head.
 *     steal: any other M, takes up to half with one cmpxchg on ->head.
 *            Slots are read before the cmpxchg; a slot cannot be reused
 *            by the owner before ->head moves past it, so a successful
 *            cmpxchg proves the copies were valid.
 *   inbox (llist): push from any context (hard IRQ included, not NMI);
 *            llist_del_all() by the owner M or a thief.
 *   global overflow (llist): push from any context, del_all by any M.
 *
 *   ->idle: the M sets it (then a full barrier) before it re-checks its
 *   queues and sleeps; an enqueuer pushes (a full barrier: llist_add is a
 *   cmpxchg) before it reads ->idle. One of the two always sees the other,
 *   so a wake-up is never lost. Whoever clears ->idle with xchg() owns the
 *   wake-up and the nr_idle decrement.
 *
 * A goroutine only becomes visible in a queue after it has switched out:
 * yield, park and exit are carried out by the M after the switch back.
 */
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/smpboot.h>
#include <kunit/visibility.h>

#include "g.h"
#include "irq.h"
#include "owner.h"
#include "sched.h"
#include "trace.h"

#define GO3S_RUNQ_SIZE	256

struct go3s_p {
	/* Owner and thieves: cmpxchg */
	unsigned int head ____cacheline_aligned_in_smp;
	/* Owner only: release store */
	unsigned int tail ____cacheline_aligned_in_smp;
	struct go3s_g *ring[GO3S_RUNQ_SIZE];

	/* Any context */
	struct llist_head inbox ____cacheline_aligned_in_smp;
	bool idle;			/* A: see the contract above */
	bool kicked;			/* A: woken to look for work elsewhere */
	bool online;			/* A: accepts goroutines */

	/* Owner M only, read racily by stats */
	struct go3s_g *cur ____cacheline_aligned_in_smp;
	struct go3s_arch_ctx m_ctx;
	struct task_struct *m;
	unsigned int cpu;
};

static DEFINE_PER_CPU_SHARED_ALIGNED(struct go3s_p, go3s_p);
static DEFINE_PER_CPU(struct task_struct *, go3s_m_task);
static DEFINE_PER_CPU(u64, go3s_id_seq);
DEFINE_PER_CPU(struct go3s_stats, go3s_stats);

static LLIST_HEAD(go3s_global);
static atomic_t go3s_nr_idle = ATOMIC_INIT(0);
static atomic_t go3s_nr_spinning = ATOMIC_INIT(0);
static bool go3s_shutdown;

static unsigned int spin_us = 20;
module_param(spin_us, uint, 0644);
MODULE_PARM_DESC(spin_us, "How long an idle worker looks for work before it sleeps (us, SMP only)");

bool go3s_stopping(void)
{
	return READ_ONCE(go3s_shutdown);
}

/* ---- the ring ---------------------------------------------------------- */

static bool runq_put(struct go3s_p *p, struct go3s_g *g)
{
	unsigned int t = p->tail;

	/* Pairs with the cmpxchg of ->head in runq_get()/runq_steal(). */
	if (t - smp_load_acquire(&p->head) >= GO3S_RUNQ_SIZE)
		return false;
	WRITE_ONCE(p->ring[t % GO3S_RUNQ_SIZE], g);
	/* Pairs with smp_load_acquire(&->tail) in runq_steal(). */
	smp_store_release(&p->tail, t + 1);
	return true;
}

static struct go3s_g *runq_get(struct go3s_p *p)
{
	/* Pairs with the cmpxchg of ->head by thieves in runq_steal(). */
	unsigned int h = smp_load_acquire(&p->head);
	struct go3s_g *g;

	do {
		if (h == p->tail)
			return NULL;
		g = READ_ONCE(p->ring[h % GO3S_RUNQ_SIZE]);
	} while (!try_cmpxchg(&p->head, &h, h + 1));
	return g;
}

/* Move up to half of @victim's ring into @p's (empty) ring. */
static struct go3s_g *runq_steal(struct go3s_p *p, struct go3s_p *victim)
{
	unsigned int h, t, n, i, mine = p->tail;

	/* Pairs with the cmpxchg of ->head in runq_get()/runq_steal(). */
	h = smp_load_acquire(&victim->head);
	for (;;) {
		/* Pairs with smp_store_release(&->tail) in runq_put(). */
		t = smp_load_acquire(&victim->tail);
		n = t - h;
		n -= n / 2;
		if (!n)
			return NULL;
		if (n > GO3S_RUNQ_SIZE / 2) {
			/* Torn read, h moved on; pairs as above. */
			h = smp_load_acquire(&victim->head);
			continue;
		}
		for (i = 0; i < n; i++)
			WRITE_ONCE(p->ring[(mine + i) % GO3S_RUNQ_SIZE],
				   READ_ONCE(victim->ring[(h + i) % GO3S_RUNQ_SIZE]));
		if (try_cmpxchg(&victim->head, &h, h + n))
			break;
	}
	this_cpu_add(go3s_stats.steals, n);
	/* Run the last one now, publish the others. */
	smp_store_release(&p->tail, mine + n - 1);
	return p->ring[(mine + n - 1) % GO3S_RUNQ_SIZE];
}

/* ---- waking Ms --------------------------------------------------------- */

/*
 * Take @p's M out of idle; the caller then wakes it. ->kicked tells the
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

/* Work was queued where a busy M holds it: let an idle M come and steal. */
static void wakep(void)
{
	int cpu;

	if (!atomic_read(&go3s_nr_idle) || atomic_read(&go3s_nr_spinning))
		return;
	for_each_online_cpu(cpu) {
		struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

		if (p_claim_idle(p)) {
			wake_up_process(p->m);
			return;
		}
	}
}

static void kick(struct go3s_p *p)
{
	if (p_claim_idle(p))
		wake_up_process(p->m);
	else
		wakep();
}

static void global_put(struct go3s_g *g)
{
	llist_add(&g->node, &go3s_global);
}

/* Owner M only: queue @g locally, or globally when the ring is full. */
static void runq_put_any(struct go3s_p *p, struct go3s_g *g)
{
	if (!runq_put(p, g))
		global_put(g);
}

/*
 * Make a RUNNABLE @g run. On its own M (task context) it goes on the local
 * ring; from anywhere else into the inbox of the CPU it last ran on.
 * Context: any context except NMI.
 */
void go3s_ready(struct go3s_g *g)
{
	struct go3s_p *p = raw_cpu_ptr(&go3s_p);

	if (in_task() && p->m == current) {
		runq_put_any(p, g);
		wakep();
		return;
	}
	/* The online check and the push are one RCU read-side section. */
	rcu_read_lock();
	p = per_cpu_ptr(&go3s_p, g->cpu);
	if (READ_ONCE(p->online)) {
		llist_add(&g->node, &p->inbox);
		kick(p);
	} else {
		global_put(g);
		wakep();
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
	/* The M is bound to its CPU, so a stale CPU cannot match current. */
	struct go3s_p *p = raw_cpu_ptr(&go3s_p);

	if (!in_task() || p->m != current)
		return NULL;
	return READ_ONCE(p->cur);
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

/* Switch from @g back to its M, which then carries out @action. */
void go3s_switch_out(struct go3s_g *g, enum go3s_g_action action)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, g->cpu);
	unsigned long flags;

	stack_check(g);
	g->action = action;
	local_irq_save(flags);
	go3s_arch_stack_return(&g->save, g->stack);
	go3s_arch_switch(&g->ctx, &p->m_ctx);
	/* Resumed by run_g(), possibly on another M, with IRQs off. */
	local_irq_restore(flags);
}

/* Undo what a goroutine must not leave behind; say so loudly. */
static void exit_fixup(struct go3s_g *g)
{
	if (go3s_switch_allowed(g, "exit"))
		return;
	if (irqs_disabled())
		local_irq_enable();
	while (rcu_preempt_depth() > 0)
		rcu_read_unlock();
	if (preempt_count())
		preempt_count_set(PREEMPT_ENABLED);
}

void go3s_g_main(struct go3s_g *g)
{
	local_irq_enable();	/* run_g() switched here with IRQs off */
	g->fn(g->arg);
	exit_fixup(g);
	/* The M recycles an exited G: this switch never comes back. */
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
 * go3s_nr_workers - number of worker threads (one per online CPU)
 *
 * Context: any context.
 * Return: the number of online CPUs, each with a worker.
 */
unsigned int go3s_nr_workers(void)
{
	return num_online_cpus();
}
EXPORT_SYMBOL_GO3S(go3s_nr_workers);

/* ---- spawning ---------------------------------------------------------- */

static u64 next_id(void)
{
	return this_cpu_inc_return(go3s_id_seq) * nr_cpu_ids + raw_smp_processor_id();
}

static bool owner_get(struct module *owner)
{
	return owner == THIS_MODULE || try_module_get(owner);
}

static void owner_put(struct module *owner)
{
	if (owner != THIS_MODULE)
		module_put(owner);
}

/* Common head of both spawns: argument and life-cycle checks. */
static int spawn_check(go3s_fn_t fn, struct module *owner)
{
	if (!fn)
		return -EINVAL;
	if (go3s_stopping() || !owner_get(owner))
		return -ESHUTDOWN;
	return 0;
}

/* Common tail of both spawns: @g is prepared, the owner reference taken. */
static void spawn(struct go3s_g *g)
{
	g->id = next_id();
	g->cpu = raw_smp_processor_id();
	go3s_stat_inc(spawned);
	trace_go3s_g_create(g);
	go3s_ready(g);
}

/* See go3s_go() in <go3s/go.h> for the kernel-doc. */
int __go3s_go(go3s_fn_t fn, void *arg, struct module *owner, unsigned long site)
{
	struct go3s_g *g;
	int ret;

	might_sleep();
	ret = spawn_check(fn, owner);
	if (ret)
		return ret;
	g = go3s_g_get(GFP_KERNEL);
	if (!g) {
		owner_put(owner);
		return -ENOMEM;
	}
	go3s_g_prepare(g, fn, arg, owner, site);
	spawn(g);
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_go);

/* See go3s_go_irq() in <go3s/go.h> for the kernel-doc. */
int __go3s_go_irq(go3s_fn_t fn, void *arg, struct module *owner,
		  unsigned long site)
{
	struct go3s_g *g;
	int ret;

	ret = spawn_check(fn, owner);
	if (ret)
		return ret;
	g = go3s_irq_pool_get();
	if (!g) {
		go3s_stat_inc(irq_pool_empty);
		owner_put(owner);
		return -EAGAIN;
	}
	go3s_g_prepare(g, fn, arg, owner, site);
	g->flags |= GO3S_GF_IRQ_POOL;
	go3s_stat_inc(irq_spawned);
	spawn(g);
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_go_irq);

/* ---- the M ------------------------------------------------------------- */

static void g_exited(struct go3s_g *g)
{
	struct module *owner = g->owner;

	trace_go3s_g_exit(g);
	go3s_arena_destroy(&g->arena);	/* all it allocated, in one step */
	/* The dump reads ->owner under RCU; module memory outlives a GP. */
	WRITE_ONCE(g->owner, NULL);
	atomic_set(&g->state, GO3S_G_FREE);
	go3s_stat_inc_m(exited);
	go3s_g_cache_put(g);
	owner_put(owner);
	go3s_owner_exited(owner);
}

static void run_g(struct go3s_p *p, struct go3s_g *g)
{
	atomic_set(&g->state, GO3S_G_RUNNING);
	g->cpu = p->cpu;
	WRITE_ONCE(p->cur, g);
	trace_go3s_g_run(g);

	local_irq_disable();
	go3s_arch_stack_adopt(&g->save, g->stack);
	go3s_arch_switch(&p->m_ctx, &g->ctx);
	/* The G gave the stack back before it switched here. */
	local_irq_enable();

	WRITE_ONCE(p->cur, NULL);
	go3s_stat_inc_m(switches);

	switch (g->action) {
	case GO3S_ACT_YIELD:
		atomic_set(&g->state, GO3S_G_RUNNABLE);
		runq_put_any(p, g);
		break;
	case GO3S_ACT_PARK:
		trace_go3s_g_park(g);
		go3s_stat_inc_m(parks);
		/* Pairs with the cmpxchg in go3s_unpark(). */
		if (atomic_cmpxchg(&g->state, GO3S_G_PARKING,
				   GO3S_G_PARKED) != GO3S_G_PARKING) {
			/* Woken between prepare and now: run it again. */
			atomic_set(&g->state, GO3S_G_RUNNABLE);
			runq_put_any(p, g);
		}
		break;
	case GO3S_ACT_EXIT:
		g_exited(g);
		break;
	}
}

static struct go3s_g *inbox_take(struct go3s_p *p, struct llist_head *from)
{
	struct llist_node *n = llist_del_all(from);
	struct go3s_g *g, *first;

	if (!n)
		return NULL;
	n = llist_reverse_order(n);	/* FIFO */
	first = llist_entry(n, struct go3s_g, node);
	n = n->next;
	while (n) {
		g = llist_entry(n, struct go3s_g, node);
		n = n->next;
		runq_put_any(p, g);
	}
	return first;
}

/* Visit the other online CPUs, starting after our own. */
static struct go3s_g *steal(struct go3s_p *p)
{
	unsigned int n = num_online_cpus(), i, cpu = p->cpu;
	struct go3s_g *g;

	for (i = 0; i < n; i++) {
		struct go3s_p *v;

		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		if (cpu == p->cpu)
			break;
		v = per_cpu_ptr(&go3s_p, cpu);
		g = runq_steal(p, v);
		if (!g)
			g = inbox_take(p, &v->inbox);
		if (g)
			return g;
	}
	return NULL;
}

static struct go3s_g *find_local(struct go3s_p *p)
{
	struct go3s_g *g = runq_get(p);

	if (!g)
		g = inbox_take(p, &p->inbox);
	if (!g)
		g = inbox_take(p, &go3s_global);
	return g;
}

static struct go3s_g *find_runnable(struct go3s_p *p)
{
	struct go3s_g *g = find_local(p);
	u64 until;

	if (g || num_online_cpus() == 1)
		return g;
	g = steal(p);
	if (g || !spin_us)
		return g;

	atomic_inc(&go3s_nr_spinning);
	until = local_clock() + spin_us * NSEC_PER_USEC;
	do {
		cpu_relax();
		g = find_local(p);
		if (!g)
			g = steal(p);
	} while (!g && local_clock() < until && !need_resched());
	atomic_dec(&go3s_nr_spinning);
	/* We found work while others may have queued more: pass it on. */
	if (g)
		wakep();
	return g;
}

static bool p_has_work(struct go3s_p *p)
{
	return READ_ONCE(p->tail) != READ_ONCE(p->head) ||
	       !llist_empty(&p->inbox) || !llist_empty(&go3s_global);
}

/* smpboot: called with preemption disabled, the task state set to sleep. */
static int m_should_run(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

	if (p_has_work(p) || xchg(&p->kicked, false))
		return 1;
	if (!READ_ONCE(p->idle)) {
		WRITE_ONCE(p->idle, true);
		atomic_inc(&go3s_nr_idle);
	}
	/* Pairs with the full barrier of llist_add() in go3s_ready(). */
	smp_mb();
	if (p_has_work(p)) {
		p_claim_idle(p);
		return 1;
	}
	return 0;
}

static void m_run(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	struct go3s_g *g;

	p_claim_idle(p);
	/*
	 * Top up this CPU's IRQ pool at every turn: a goroutine spawned from
	 * an interrupt here may well be run (and recycled) by a thief.
	 */
	go3s_irq_pool_refill();
	while (!kthread_should_park() && !kthread_should_stop()) {
		g = find_runnable(p);
		if (!g)
			break;
		run_g(p, g);
		go3s_irq_pool_refill();
		cond_resched();
	}
}

static void m_setup(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

	p->cpu = cpu;
	p->m = current;
	WRITE_ONCE(p->online, true);
}

/* The CPU goes offline: hand everything queued here to the others. */
static void m_park(unsigned int cpu)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);
	struct go3s_g *g;

	WRITE_ONCE(p->online, false);
	/* Wait out go3s_ready() callers that saw ->online set. */
	synchronize_rcu();
	/* inbox_take() moves all but one into the ring: drain both. */
	while ((g = runq_get(p) ?: inbox_take(p, &p->inbox)))
		global_put(g);
	p_claim_idle(p);
	wakep();
}

static void m_unpark(unsigned int cpu)
{
	WRITE_ONCE(per_cpu_ptr(&go3s_p, cpu)->online, true);
}

static struct smp_hotplug_thread go3s_m_threads = {
	.store			= &go3s_m_task,
	.thread_should_run	= m_should_run,
	.thread_fn		= m_run,
	.setup			= m_setup,
	.park			= m_park,
	.unpark			= m_unpark,
	.thread_comm		= "go3s/%u",
};

/* ---- introspection ----------------------------------------------------- */

/* One go3s_stats field (offsetof(struct go3s_stats, f)) of one CPU. */
u64 go3s_stat_cpu(int cpu, size_t off)
{
	return *(u64 *)((char *)per_cpu_ptr(&go3s_stats, cpu) + off);
}

/* The same field summed over all CPUs. */
u64 go3s_stat_sum(size_t off)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += go3s_stat_cpu(cpu, off);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_stat_sum);

/* Goroutines spawned and not yet exited (exact when nothing is spawning). */
u64 go3s_live(void)
{
	u64 exited = go3s_stat_sum(offsetof(struct go3s_stats, exited));

	return go3s_stat_sum(offsetof(struct go3s_stats, spawned)) - exited;
}

void go3s_sched_info(unsigned int cpu, struct go3s_sched_info *info)
{
	struct go3s_p *p = per_cpu_ptr(&go3s_p, cpu);

	info->running = READ_ONCE(p->cur) ? 1 : 0;
	info->runnable = READ_ONCE(p->tail) - READ_ONCE(p->head);
}

/* For panic/oops notifiers: which goroutine was this CPU running? */
static void print_current(const char *why)
{
	struct go3s_p *p = raw_cpu_ptr(&go3s_p);
	struct go3s_g *g = READ_ONCE(p->cur);

	if (g && p->m == current)
		pr_emerg("%s in goroutine %llu (spawned at %pS) on CPU %u\n",
			 why, g->id, (void *)g->site, p->cpu);
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
	int ret;

	go3s_arch_init();
	ret = smpboot_register_percpu_thread(&go3s_m_threads);

	if (!ret)
		atomic_notifier_chain_register(&panic_notifier_list,
					       &go3s_panic_nb);
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
	smpboot_unregister_percpu_thread(&go3s_m_threads);
}
