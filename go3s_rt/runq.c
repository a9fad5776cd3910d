// SPDX-License-Identifier: GPL-2.0
/*
 * Run queues: each P's ring, runnext and inbox, the global overflow
 * queue, and how an M finds its next goroutine (local, stolen, spinning).
 *
 * Concurrency contract of a P's queues
 *
 *   ring (bounded, GO3S_RUNQ_SIZE):
 *     put:   the owner M only: from its loop, or from a goroutine it runs
 *            with preemption disabled and ->status saying it still owns
 *            the P. All Ms of a P share its CPU, so with preemption off no
 *            other M can be half-way through a put (see p_put()). Stores
 *            the slot, then publishes ->tail with a release store.
 *     get:   the owner M, one cmpxchg on ->head.
 *     steal: any other M, takes up to half with one cmpxchg on ->head.
 *            Slots are read before the cmpxchg; a slot cannot be reused
 *            by the owner before ->head moves past it, so a successful
 *            cmpxchg proves the copies were valid.
 *   runnext: put by the owner with xchg(); taken with xchg() by the owner,
 *            and by the monitor, which moves a runnext stuck behind a
 *            blocked or busy goroutine to the inbox.
 *   inbox (llist): push from any context (hard IRQ included, not NMI);
 *            llist_del_all() by the owner M or a thief.
 *   global overflow (llist): push from any context, del_all by any M.
 *
 *   ->idle: the owner M sets it (then a full barrier) before it re-checks
 *   every P's queues and sleeps; an enqueuer queues, then (a full barrier)
 *   reads ->idle and the idle count. One of the two always sees the other,
 *   so a wake-up is never lost. Whoever clears ->idle with xchg() owns the
 *   wake-up and the nr_idle decrement.
 *
 * A goroutine only becomes visible in a queue after it has switched out:
 * yield, park and exit are carried out by the next context to run on the
 * M (finish_switch()): the M's loop, or the goroutine the M switched to
 * directly.
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/llist.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>

#include "runq.h"

static LLIST_HEAD(go3s_global);
atomic_t go3s_nr_spinning = ATOMIC_INIT(0);

static unsigned int spin_us = 20;
module_param(spin_us, uint, 0644);
MODULE_PARM_DESC(spin_us, "How long an idle worker looks for work before it sleeps (us, SMP only)");

/* Move up to half of @victim's ring into @p's (empty) ring. */
static struct go3s_g *runq_steal(struct go3s_p *p, struct go3s_p *victim)
{
	unsigned int h, t, n, i, mine = p->tail;

	/* Pairs with the cmpxchg of ->head in go3s_runq_get()/runq_steal(). */
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

/* Anything queued on @p, or globally: the monitor asks this too. */
bool go3s_p_has_work(struct go3s_p *p)
{
	return go3s_ring_has_work(p) || READ_ONCE(p->runnext) ||
	       !llist_empty(&go3s_global);
}

void go3s_runq_global_put(struct go3s_g *g)
{
	llist_add(&g->node, &go3s_global);
}

/* Queue @g on @p's ring, or globally when the ring is full. @p is ours. */
void go3s_runq_put_any(struct go3s_p *p, struct go3s_g *g)
{
	if (!go3s_runq_put(p, g))
		go3s_runq_global_put(g);
}

struct go3s_g *go3s_runq_inbox_take(struct go3s_p *p, struct llist_head *from)
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
		go3s_runq_put_any(p, g);
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
			g = go3s_runq_inbox_take(p, &v->inbox);
		if (g)
			return g;
	}
	return NULL;
}

static struct go3s_g *find_local(struct go3s_p *p)
{
	struct go3s_g *g = NULL;

	/*
	 * Now and then the inbox, the global queue and the ring go before
	 * runnext (Go: 1 in 61), so that neither those queues nor the ring
	 * behind a pair handing off to each other through runnext starve.
	 */
	if (go3s_fair_turn(atomic_long_read(&p->status)))
		g = go3s_runq_inbox_take(p, &p->inbox) ?:
		    go3s_runq_inbox_take(p, &go3s_global) ?:
		    go3s_runq_get_ring(p);
	if (!g)
		g = go3s_runq_get(p);
	if (!g)
		g = go3s_runq_inbox_take(p, &p->inbox);
	if (!g)
		g = go3s_runq_inbox_take(p, &go3s_global);
	return g;
}

struct go3s_g *go3s_runq_find(struct go3s_p *p)
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
		go3s_wakep();
	return g;
}

/* Work an idle M of @p could take: its own, global, or another P's. */
bool go3s_runq_any_work(struct go3s_p *p)
{
	int cpu;

	if (go3s_p_has_work(p))
		return true;
	for_each_online_cpu(cpu)
		if (go3s_ring_has_work(per_cpu_ptr(&go3s_p, cpu)))
			return true;
	return false;
}

