/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduler internals shared by sched.c (processors, workers, the run
 * loop), monitor.c (Go's sysmon: handoff of blocked or busy workers) and
 * the debugfs views.
 *
 * Field rules (legend as in kernel/workqueue.c):
 *   I: set once, before the object is used
 *   O: the P's owner M, with preemption disabled when it may be running a G
 *   M: the M itself
 *   A: atomic / READ_ONCE-WRITE_ONCE, any context
 *   S: the monitor thread only
 */
#ifndef _GO3S_SCHED_H
#define _GO3S_SCHED_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "arch.h"

struct go3s_g;
struct task_struct;

#define GO3S_RUNQ_SIZE	256
/* Workers per CPU: the first, plus spares created on demand. */
#define GO3S_M_MAX	8

/*
 * A P's ->status word: who owns it and what it does, changed only by
 * cmpxchg, so that the monitor can take a P away from a worker exactly
 * when that worker is still running the goroutine it saw (Go's retake()).
 *   bits 0-3  owner: index + 1 of the M holding the P, 0 for none
 *   bit 4     the owner is running a goroutine (not in its loop)
 *   bits 5-   schedtick: + 1 at every goroutine the owner starts
 * Only an M in its loop (bit 4 clear) takes or gives up its P; the monitor
 * only ever clears the owner of a P whose bit 4 is set.
 */
#define P_OWNER_MASK	0xfUL
#define P_RUNNING	BIT(4)
#define P_TICK		BIT(5)

struct go3s_m {
	struct task_struct *task;	/* I: smpboot stores it */
	struct go3s_g *curg;		/* M, read racily: the G it runs */
	struct go3s_g *prev;		/* M: switched away from, to finish */
	struct go3s_arch_ctx ctx;	/* M: its own scheduler context */
	struct go3s_p *p;		/* I: the P of its CPU */
	unsigned int idx;		/* I */
	bool tainted;			/* M: a G left a lock held here */
#ifdef CONFIG_PREEMPT_NOTIFIERS
	struct preempt_notifier pn;	/* M: blockwatch.c */
#endif
};

struct go3s_p {
	/* Owner and thieves: cmpxchg */
	unsigned int head ____cacheline_aligned_in_smp;
	/* Owner only: release store */
	unsigned int tail ____cacheline_aligned_in_smp;
	struct go3s_g *runnext;			/* O put, anyone xchg */
	struct go3s_g *ring[GO3S_RUNQ_SIZE];

	/* Any context */
	struct llist_head inbox ____cacheline_aligned_in_smp;
	bool idle;			/* A: see sched.c */
	bool kicked;			/* A: woken to look for work elsewhere */
	bool online;			/* A: accepts goroutines */

	atomic_long_t status ____cacheline_aligned_in_smp; /* A: see above */
	unsigned int cpu;		/* I */

	/* A worker of this P blocked while running a goroutine (blockwatch.c) */
	struct irq_work block_work;	/* I: raised by the worker's own CPU */
	call_single_data_t block_csd;	/* I: sent from other CPUs */
	unsigned long block_csd_busy;	/* A: bit 0 owns block_csd */
	unsigned long block_status;	/* A: ->status when it blocked */
	struct go3s_m *blocked_m;	/* A: that worker, until it runs again */
	u64 block_since;		/* A: when (latency.h's clock) */
	/* A: when the worker that lost the P stalled, until a worker takes it */
	u64 handoff_t0;

	/* The monitor's view of this P */
	unsigned long mon_status;	/* S: ->status when first seen */
	u64 mon_since;			/* S: when, ns */
	u64 mon_busy_id;		/* S, read by the dump: busy G's id */

	struct go3s_m ms[GO3S_M_MAX];	/* I ->task by smpboot */
};

DECLARE_PER_CPU_SHARED_ALIGNED(struct go3s_p, go3s_p);

static inline struct go3s_m *p_owner(struct go3s_p *p, unsigned long st)
{
	unsigned long idx = st & P_OWNER_MASK;

	return idx ? &p->ms[idx - 1] : NULL;
}

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
	u64 handoffs;		/* Ps the monitor took from a blocked or busy worker */
	u64 block_handoffs;	/* Ps taken at once as their worker blocked */
	u64 busy;		/* goroutines seen running > busy_ms */
	u64 no_spare;		/* handoffs that found no spare worker */
	u64 kicks;		/* idle workers woken to take queued work */
	u64 tainted;		/* workers retired: a goroutine left a lock */
	u64 unpinned;		/* goroutines spawned by go3s_go_unpinned() */
};

DECLARE_PER_CPU(struct go3s_stats, go3s_stats);

#define go3s_stat_inc(field)	this_cpu_inc(go3s_stats.field)
/*
 * For the counters only workers write, from their own (CPU-bound) tasks:
 * several workers share a CPU and preempt each other, so this is the
 * preemption-safe form (one instruction on x86).
 */
#define go3s_stat_inc_m(field)	this_cpu_inc(go3s_stats.field)
/* With interrupts off (under an irqsave lock), the same holds. */
#define go3s_stat_inc_irqoff(field)	__this_cpu_inc(go3s_stats.field)

struct go3s_sched_info {
	u64 live;
	unsigned int running;
	unsigned int runnable;
};

void go3s_sched_info(unsigned int cpu, struct go3s_sched_info *info);
unsigned int go3s_sched_stranded(unsigned int gap_ms);
u64 go3s_live(void);
u64 go3s_stat_cpu(int cpu, size_t off);
u64 go3s_stat_sum(size_t off);
bool go3s_stopping(void);

/* sched.c, for the monitor */
bool go3s_p_has_work(struct go3s_p *p);
bool go3s_p_wake_spare(struct go3s_p *p, struct go3s_m *not);
void go3s_wakep(void);
unsigned int go3s_nr_msets(void);
int go3s_mset_add(void);

/* monitor.c */
int go3s_monitor_init(void);
void go3s_monitor_exit(void);
void go3s_monitor_want_mset(void);
bool go3s_p_retake(struct go3s_p *p, struct go3s_m *m, unsigned long st,
		   bool blocked, bool at_block, u64 stalled_ns);

/* blockwatch.c */
void go3s_blockwatch_init(void);
void go3s_blockwatch_exit(void);
void go3s_blockwatch_register(struct go3s_m *m);
void go3s_blockwatch_unregister(struct go3s_m *m);
void go3s_blockwatch_kick(struct go3s_p *p);
bool go3s_blockwatch_enabled(void);
unsigned int go3s_monitor_period_us(void);
u64 go3s_monitor_busy_ns(void);

int go3s_sched_init(void);
void go3s_sched_stop(void);
void go3s_sched_exit(void);

#endif /* _GO3S_SCHED_H */
