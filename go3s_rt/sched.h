/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_SCHED_H
#define _GO3S_SCHED_H

#include <linux/percpu.h>
#include <linux/types.h>

/* Per-CPU event counters, summed by go3s/stats. */
struct go3s_stats {
	u64 spawned;
	u64 exited;
	u64 switches;
	u64 steals;		/* goroutines taken from other CPUs */
	u64 parks;
	u64 unparks;
	u64 irq_spawned;
	u64 irq_pool_empty;
	u64 refused;		/* switches refused by the safety checks */
	u64 chan_sends;		/* elements sent (taken or buffered) */
	u64 chan_recvs;		/* elements received */
	u64 chan_blocks;	/* channel operations and selects that blocked */
	u64 selects;		/* go3s_select() calls with several cases */
	u64 refs_new;		/* ref[T] objects allocated */
	u64 refs_freed;		/* ref[T] objects whose last reference went */
	u64 arena_pages;	/* page allocator calls the arenas made */
	u64 arena_frees;	/* chunks they gave back to it */
};

DECLARE_PER_CPU(struct go3s_stats, go3s_stats);

#define go3s_stat_inc(field)	this_cpu_inc(go3s_stats.field)
/*
 * For the counters only a worker writes, from its own (CPU-bound) task:
 * no IRQ touches them, so the cheaper non-atomic form is exact.
 */
#define go3s_stat_inc_m(field)	__this_cpu_inc(go3s_stats.field)
/* With interrupts off (under an irqsave lock), the same holds. */
#define go3s_stat_inc_irqoff(field)	__this_cpu_inc(go3s_stats.field)

struct go3s_sched_info {
	u64 live;
	unsigned int running;
	unsigned int runnable;
};

void go3s_sched_info(unsigned int cpu, struct go3s_sched_info *info);
u64 go3s_live(void);
u64 go3s_stat_cpu(int cpu, size_t off);
u64 go3s_stat_sum(size_t off);
bool go3s_stopping(void);

int go3s_sched_init(void);
void go3s_sched_stop(void);
void go3s_sched_exit(void);

#endif /* _GO3S_SCHED_H */
