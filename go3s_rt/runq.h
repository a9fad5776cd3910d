/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A P's run queues (see the contract at the top of runq.c): the owner's
 * fast paths inline, the rest in runq.c.
 */
#ifndef _GO3S_RUNQ_H
#define _GO3S_RUNQ_H

#include "g.h"
#include "sched.h"

/* Every so many goroutines a P looks at its inbox and the global queue first. */
#define GO3S_FAIR_TICKS	61

/* Is the next goroutine a P with status @st starts a fairness turn? */
static inline bool go3s_fair_turn(unsigned long st)
{
	return !((st / P_TICK + 1) % GO3S_FAIR_TICKS);
}

static inline bool go3s_runq_put(struct go3s_p *p, struct go3s_g *g)
{
	unsigned int t = p->tail;

	/* Pairs with the cmpxchg of ->head in go3s_runq_get()/runq_steal(). */
	if (t - smp_load_acquire(&p->head) >= GO3S_RUNQ_SIZE)
		return false;
	WRITE_ONCE(p->ring[t % GO3S_RUNQ_SIZE], g);
	/* Pairs with smp_load_acquire(&->tail) in runq_steal(). */
	smp_store_release(&p->tail, t + 1);
	return true;
}

/* The ring's head: the owner with one cmpxchg; NULL when empty. */
static inline struct go3s_g *go3s_runq_get_ring(struct go3s_p *p)
{
	/* Pairs with the cmpxchg of ->head by thieves in runq_steal(). */
	unsigned int h = smp_load_acquire(&p->head);
	struct go3s_g *g;

	do {
		if (h == READ_ONCE(p->tail))
			return NULL;
		g = READ_ONCE(p->ring[h % GO3S_RUNQ_SIZE]);
	} while (!try_cmpxchg(&p->head, &h, h + 1));
	return g;
}

/* runnext, else the ring's head. */
static inline struct go3s_g *go3s_runq_get(struct go3s_p *p)
{
	struct go3s_g *g = NULL;

	if (READ_ONCE(p->runnext))
		g = xchg(&p->runnext, NULL);
	return g ?: go3s_runq_get_ring(p);
}

static inline bool go3s_ring_has_work(struct go3s_p *p)
{
	return READ_ONCE(p->tail) != READ_ONCE(p->head) || !llist_empty(&p->inbox);
}

bool go3s_p_has_work(struct go3s_p *p);
void go3s_runq_global_put(struct go3s_g *g);
void go3s_runq_put_any(struct go3s_p *p, struct go3s_g *g);
struct go3s_g *go3s_runq_inbox_take(struct go3s_p *p, struct llist_head *from);
struct go3s_g *go3s_runq_find(struct go3s_p *p);
bool go3s_runq_any_work(struct go3s_p *p);

extern atomic_t go3s_nr_spinning;

#endif /* _GO3S_RUNQ_H */
