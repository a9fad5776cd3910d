// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_latency: the go3s/latency histograms count what the
 * runtime did. Known work (spawns and yields, a receive blocked for a
 * known time, a worker blocked in the kernel past busy_ms) must show up
 * in the right histogram, in a bucket at least as high as the time it was
 * made to take; per-CPU counts add up to the total.
 */
#include <kunit/test.h>
#include <linux/delay.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/chan.h"
#include "../go3s_rt/latency.h"
#include "../go3s_rt/sched.h"
#include "../go3s_rt/stats.h"
#include "go3s_kunit.h"
#include "kunit_compat.h"

#define ALL	GO3S_LAT_BUCKETS
#define STAT(f)	go3s_stat_sum(offsetof(struct go3s_stats, f))

/* Intervals of @kind counted in buckets @from and above, on every CPU. */
static u64 count_from(enum go3s_lat_kind kind, unsigned int from)
{
	u64 n = 0;

	for (; from < GO3S_LAT_BUCKETS; from++)
		n += go3s_lat_count(kind, -1, from);
	return n;
}

static void latency_buckets_are_powers_of_two(struct kunit *test)
{
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(0), 0U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(1), 0U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(2), 1U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(3), 1U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(1023), 9U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(1024), 10U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(NSEC_PER_SEC), 29U);
	GO3S_EXPECT_EQ(test, go3s_lat_bucket(U64_MAX), GO3S_LAT_BUCKETS - 1);
	/* Out of range: nothing. */
	GO3S_EXPECT_EQ(test, go3s_lat_count(GO3S_LAT_NR, -1, 0), 0ULL);
	GO3S_EXPECT_EQ(test, go3s_lat_count(GO3S_LAT_SCHED, -1, ALL + 1), 0ULL);
}

#define NR_G	64
#define YIELDS	4

static void yielder(void *arg)
{
	int i;

	for (i = 0; i < YIELDS; i++)
		go3s_yield();
	go3s_wg_done(arg);
}

/*
 * Every start of a goroutine, first or after a yield, is an interval; one
 * in GO3S_LAT_SAMPLE on each CPU is measured: with r starts on a CPU, at
 * least (r - GO3S_LAT_SAMPLE + 1) / GO3S_LAT_SAMPLE of them.
 */
static void latency_sched_samples_starts(struct kunit *test)
{
	u64 before = go3s_lat_count(GO3S_LAT_SCHED, -1, ALL), after, percpu = 0;
	u64 starts = NR_G * (YIELDS + 1);
	u64 least = (starts - (GO3S_LAT_SAMPLE - 1) * num_possible_cpus()) /
		    GO3S_LAT_SAMPLE;
	struct go3s_wg wg;
	int i, cpu;

	go3s_wg_init(&wg);
	go3s_wg_add(&wg, NR_G);
	for (i = 0; i < NR_G; i++)
		if (go3s_go(yielder, &wg))
			go3s_wg_done(&wg);
	GO3S_ASSERT_EQ(test, go3s_wg_wait(&wg), 0);
	after = go3s_lat_count(GO3S_LAT_SCHED, -1, ALL);
	GO3S_EXPECT_GE(test, after - before, least);
	/* ...and at most one more per CPU: sampled, not every one. */
	GO3S_EXPECT_LE(test, after - before,
		       starts / GO3S_LAT_SAMPLE + num_possible_cpus());

	for_each_possible_cpu(cpu)
		percpu += go3s_lat_count(GO3S_LAT_SCHED, cpu, ALL);
	/* Nothing else runs goroutines now: the sums agree. */
	GO3S_EXPECT_EQ(test, percpu, go3s_lat_count(GO3S_LAT_SCHED, -1, ALL));
	kunit_info(test, "%llu intervals measured of %llu starts (at least %llu)\n",
		   after - before, starts, least);
}

#define BLOCK_MS	2
/* The bucket that BLOCK_MS and longer fall in, or above. */
#define BLOCK_BUCKET	(ilog2(BLOCK_MS * NSEC_PER_MSEC))

struct rx {
	struct go3s_chan *ch;
	struct go3s_wg done;
	unsigned int n;
	u64 sum;
};

static void receiver(void *arg)
{
	struct rx *rx = arg;
	unsigned int i;
	u64 v;

	for (i = 0; i < rx->n; i++)
		if (!go3s_chan_recv(rx->ch, &v, NULL))
			rx->sum += v;
	go3s_wg_done(&rx->done);
}

/*
 * Receives blocked for BLOCK_MS land at BLOCK_BUCKET or above. One in
 * GO3S_LAT_SAMPLE per CPU counts: with GO3S_LAT_SAMPLE receives per
 * possible CPU, at least one does, wherever the receiver runs.
 */
static void latency_chan_block_time(struct kunit *test)
{
	u64 before = count_from(GO3S_LAT_CHAN, BLOCK_BUCKET), v;
	struct rx rx = { .n = GO3S_LAT_SAMPLE * num_possible_cpus() };
	unsigned int i, j;

	rx.ch = go3s_chan_new(sizeof(u64), 0, GFP_KERNEL);
	GO3S_ASSERT_NOT_ERR_OR_NULL(test, rx.ch);
	go3s_wg_init(&rx.done);
	go3s_wg_add(&rx.done, 1);
	if (go3s_go(receiver, &rx)) {
		go3s_chan_put(rx.ch);
		KUNIT_FAIL_AND_ABORT(test, "could not spawn the receiver");
	}
	for (v = 1; v <= rx.n; v++) {
		/* Send only once it is blocked, then BLOCK_MS later. */
		for (j = 0; j < 5000 && !go3s_chan_nr_waiting(rx.ch, GO3S_CHAN_RECV); j++)
			usleep_range(100, 200);
		GO3S_EXPECT_EQ(test, go3s_chan_nr_waiting(rx.ch, GO3S_CHAN_RECV), 1U);
		msleep(BLOCK_MS);
		GO3S_EXPECT_EQ(test, go3s_chan_send(rx.ch, &v), 0);
	}
	GO3S_EXPECT_EQ(test, go3s_wg_wait(&rx.done), 0);
	go3s_chan_put(rx.ch);

	i = rx.n;
	GO3S_EXPECT_EQ(test, rx.sum, (u64)i * (i + 1) / 2);
	GO3S_EXPECT_GE(test, count_from(GO3S_LAT_CHAN, BLOCK_BUCKET) - before, 1ULL);
}

static void blocker(void *arg)
{
	msleep(100);	/* well past the monitor's busy_ms (10) */
	go3s_wg_done(arg);
}

/*
 * A worker blocked in the kernel past busy_ms loses its P even with
 * nothing queued (monitor.c), and a spare, or the worker once back,
 * takes it: one handoff interval of at least busy_ms.
 */
static void latency_handoff_after_block(struct kunit *test)
{
	u64 before = go3s_lat_count(GO3S_LAT_HANDOFF, -1, ALL);
	u64 handoffs = STAT(handoffs) + STAT(block_handoffs);
	u64 from10 = count_from(GO3S_LAT_HANDOFF, ilog2(10 * NSEC_PER_MSEC));
	struct go3s_wg wg;
	int i;

	go3s_wg_init(&wg);
	go3s_wg_add(&wg, 1);
	GO3S_ASSERT_EQ(test, go3s_go(blocker, &wg), 0);
	GO3S_ASSERT_EQ(test, go3s_wg_wait(&wg), 0);
	handoffs = STAT(handoffs) + STAT(block_handoffs) - handoffs;
	GO3S_EXPECT_GE(test, handoffs, 1ULL);
	/* A worker takes the P in its loop, maybe just after the wait. */
	for (i = 0; i < 50 && go3s_lat_count(GO3S_LAT_HANDOFF, -1, ALL) == before; i++)
		msleep(20);
	GO3S_EXPECT_GE(test, go3s_lat_count(GO3S_LAT_HANDOFF, -1, ALL) - before, 1ULL);
	GO3S_EXPECT_GE(test, count_from(GO3S_LAT_HANDOFF, ilog2(10 * NSEC_PER_MSEC)) - from10,
		       1ULL);
	kunit_info(test, "%llu handoffs, %llu handoff intervals\n", handoffs,
		   go3s_lat_count(GO3S_LAT_HANDOFF, -1, ALL) - before);
}

static struct kunit_case latency_cases[] = {
	KUNIT_CASE(latency_buckets_are_powers_of_two),
	KUNIT_CASE(latency_sched_samples_starts),
	KUNIT_CASE(latency_chan_block_time),
	KUNIT_CASE(latency_handoff_after_block),
	{}
};

static struct kunit_suite latency_suite = {
	.name = "go3s_latency",
	.test_cases = latency_cases,
};

kunit_test_suite(latency_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the go3s_rt latency histograms");
MODULE_VERSION("0.1.0");
