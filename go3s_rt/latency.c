// SPDX-License-Identifier: GPL-2.0
/*
 * Latency histograms and their debugfs view, go3s/latency: for each kind
 * (latency.h) the non-empty power-of-two buckets, in total and per CPU.
 *
 * Writers: this_cpu_inc() from any context but NMI (latency.h), on the
 * CPU where the interval ended. The reader sums racily, as go3s/stats
 * does: a snapshot, never a transaction.
 */
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/stringify.h>
#include <kunit/visibility.h>

#include "debugfs.h"
#include "latency.h"

DEFINE_PER_CPU(struct go3s_lat_hist, go3s_lat);
DEFINE_PER_CPU(struct go3s_lat_seq, go3s_lat_seq);
DEFINE_STATIC_KEY_TRUE(go3s_lat_on);

static bool latency = true;
module_param(latency, bool, 0444);
MODULE_PARM_DESC(latency, "Keep the go3s/latency histograms (default on)");

static const char * const kind_names[GO3S_LAT_NR] = {
	[GO3S_LAT_SCHED]	= "sched: runnable -> running (1 in "
				  __stringify(GO3S_LAT_SAMPLE) " sampled)",
	[GO3S_LAT_CHAN]		= "chan: blocked in a channel operation or select (1 in "
				  __stringify(GO3S_LAT_SAMPLE) " sampled)",
	[GO3S_LAT_HANDOFF]	= "handoff: worker blocked or busy -> its P runs again",
};

/*
 * Intervals of @kind counted in @bucket (GO3S_LAT_BUCKETS: in all of
 * them) on @cpu (negative: on every CPU).
 */
u64 go3s_lat_count(enum go3s_lat_kind kind, int cpu, unsigned int bucket)
{
	unsigned int b, lo = bucket, hi = bucket + 1;
	u64 sum = 0;
	int c;

	if (kind >= GO3S_LAT_NR || bucket > GO3S_LAT_BUCKETS)
		return 0;
	if (bucket == GO3S_LAT_BUCKETS) {
		lo = 0;
		hi = GO3S_LAT_BUCKETS;
	}
	for_each_possible_cpu(c) {
		if (cpu >= 0 && c != cpu)
			continue;
		for (b = lo; b < hi; b++)
			sum += READ_ONCE(per_cpu_ptr(&go3s_lat, c)->n[kind][b]);
	}
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_lat_count);

static void show_kind(struct seq_file *m, enum go3s_lat_kind kind)
{
	unsigned int b;
	int cpu;

	seq_printf(m, "%s\n  %-12s %12s", kind_names[kind], "from_ns", "total");
	for_each_online_cpu(cpu)
		seq_printf(m, " %11s%u", "cpu", cpu);
	seq_putc(m, '\n');
	for (b = 0; b < GO3S_LAT_BUCKETS; b++) {
		if (!go3s_lat_count(kind, -1, b))
			continue;
		seq_printf(m, "  %-12llu %12llu", b ? 1ULL << b : 0,
			   go3s_lat_count(kind, -1, b));
		for_each_online_cpu(cpu)
			seq_printf(m, " %12llu", go3s_lat_count(kind, cpu, b));
		seq_putc(m, '\n');
	}
	seq_printf(m, "  %-12s %12llu", "count",
		   go3s_lat_count(kind, -1, GO3S_LAT_BUCKETS));
	for_each_online_cpu(cpu)
		seq_printf(m, " %12llu",
			   go3s_lat_count(kind, cpu, GO3S_LAT_BUCKETS));
	seq_putc(m, '\n');
}

static int go3s_latency_show(struct seq_file *m, void *unused)
{
	enum go3s_lat_kind kind;

	if (!static_branch_likely(&go3s_lat_on)) {
		seq_puts(m, "off (go3s_rt latency=0)\n");
		return 0;
	}
	seq_puts(m, "# bucket: from_ns up to twice that; the last, above\n");
	for (kind = 0; kind < GO3S_LAT_NR; kind++)
		show_kind(m, kind);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(go3s_latency);

void go3s_latency_init(void)
{
	if (!latency)
		static_branch_disable(&go3s_lat_on);
	debugfs_create_file("latency", 0444, go3s_debugfs_root(), NULL,
			    &go3s_latency_fops);
}
