/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histograms (Go's /sched/latencies:seconds): per-CPU counters in
 * power-of-two buckets of nanoseconds, summed only when go3s/latency is
 * read. Recording is one this_cpu_inc(), preemption- and IRQ-safe, no
 * lock; the whole of it sits behind a static key (module parameter
 * latency, on by default).
 *
 * A goroutine switch is a few hundred cycles, and two clock reads would be
 * a good part of that: the scheduling latency and the channel block time
 * are sampled, one interval in GO3S_LAT_SAMPLE on each CPU, as Go samples
 * its scheduling latency (gTrackingPeriod). Handoffs (rare) all count.
 */
#ifndef _GO3S_LATENCY_H
#define _GO3S_LATENCY_H

#include <linux/bitops.h>
#include <linux/jump_label.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/types.h>

enum go3s_lat_kind {
	GO3S_LAT_SCHED,		/* runnable -> running */
	GO3S_LAT_CHAN,		/* a channel operation or select blocked */
	GO3S_LAT_HANDOFF,	/* worker blocked or busy -> a spare has its P */
	GO3S_LAT_NR,
};

/* Bucket b counts [2^b, 2^(b+1)) ns (bucket 0 also 0 ns); the last, more. */
#define GO3S_LAT_BUCKETS	32
/* One scheduling latency or channel block interval in this many counts. */
#define GO3S_LAT_SAMPLE		8

struct go3s_lat_hist {
	u64 n[GO3S_LAT_NR][GO3S_LAT_BUCKETS];
};

/* Per kind, so that one kind's intervals never shadow another's. */
struct go3s_lat_seq {
	unsigned int n[GO3S_LAT_NR];
};

DECLARE_PER_CPU(struct go3s_lat_hist, go3s_lat);
DECLARE_PER_CPU(struct go3s_lat_seq, go3s_lat_seq);
DECLARE_STATIC_KEY_TRUE(go3s_lat_on);

static inline unsigned int go3s_lat_bucket(u64 ns)
{
	return ns ? min_t(unsigned int, fls64(ns) - 1, GO3S_LAT_BUCKETS - 1) : 0;
}

/* Now, in the clock the histograms use (sched_clock: cheap, any context). */
static inline u64 go3s_lat_now(void)
{
	return static_branch_likely(&go3s_lat_on) ? local_clock() : 0;
}

/* go3s_lat_now() for one call in GO3S_LAT_SAMPLE of @kind on this CPU, else 0. */
static inline u64 go3s_lat_now_sampled(enum go3s_lat_kind kind)
{
	if (!static_branch_likely(&go3s_lat_on) ||
	    this_cpu_inc_return(go3s_lat_seq.n[kind]) % GO3S_LAT_SAMPLE)
		return 0;
	return local_clock();
}

/*
 * Count an interval that began at @t0 (go3s_lat_now()); a @t0 of 0 means
 * the recording was off then. Clocks of two CPUs may disagree by a little:
 * a negative interval counts as 0.
 */
static inline void go3s_lat_since(enum go3s_lat_kind kind, u64 t0)
{
	s64 d;

	if (!static_branch_likely(&go3s_lat_on) || !t0)
		return;
	d = local_clock() - t0;
	this_cpu_inc(go3s_lat.n[kind][go3s_lat_bucket(max_t(s64, d, 0))]);
}

u64 go3s_lat_count(enum go3s_lat_kind kind, int cpu, unsigned int bucket);
void go3s_latency_init(void);

#endif /* _GO3S_LATENCY_H */
