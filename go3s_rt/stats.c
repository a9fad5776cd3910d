// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler's counters summed over CPUs, and its debugfs views:
 * go3s/stats (counters per CPU and in total) and go3s/goroutines (every
 * live goroutine, like Go's goroutine profile: id, state, wait reason and
 * for how long, owner, spawn site).
 * Both read racily, as /proc does: a snapshot, not a transaction.
 */
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>

#include "debugfs.h"
#include "g.h"
#include "irq.h"
#include "owner.h"
#include "sched.h"
#include "stats.h"

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

#define FIELD(f)	{ #f, offsetof(struct go3s_stats, f) }

static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	FIELD(spawned), FIELD(exited), FIELD(switches), FIELD(steals),
	FIELD(parks), FIELD(unparks), FIELD(irq_spawned),
	FIELD(irq_pool_empty), FIELD(refused), FIELD(chan_sends),
	FIELD(chan_recvs), FIELD(chan_blocks), FIELD(selects), FIELD(refs_new),
	FIELD(refs_freed), FIELD(arena_pages), FIELD(arena_frees),
	FIELD(handoffs), FIELD(block_handoffs), FIELD(busy), FIELD(no_spare),
	FIELD(kicks), FIELD(tainted), FIELD(unpinned),
};

int go3s_stats_show(struct seq_file *m, void *unused)
{
	u64 total[ARRAY_SIZE(stat_fields)] = {};
	unsigned int running = 0, runnable = 0;
	struct go3s_sched_info info;
	int cpu, i;

	seq_puts(m, "cpu");
	for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
		seq_printf(m, " %s", stat_fields[i].name);
	seq_puts(m, " running runnable irq_pool\n");

	for_each_possible_cpu(cpu) {
		go3s_sched_info(cpu, &info);
		seq_printf(m, "%d", cpu);
		for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
			u64 v = go3s_stat_cpu(cpu, stat_fields[i].off);

			total[i] += v;
			seq_printf(m, " %llu", v);
		}
		seq_printf(m, " %u %u %u\n", info.running, info.runnable,
			   go3s_irq_pool_level(cpu));
		running += info.running;
		runnable += info.runnable;
	}
	seq_puts(m, "total");
	for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
		seq_printf(m, " %llu", total[i]);
	seq_printf(m, " %u %u -\n", running, runnable);
	seq_printf(m, "live: %llu\n", total[0] - total[1]);
	seq_printf(m, "workers: %u\n", go3s_nr_workers());
	seq_printf(m, "workers_per_cpu: %u (limit %u)\n", go3s_nr_msets(),
		   GO3S_M_MAX);
	seq_printf(m, "monitor_us: %u\n", go3s_monitor_period_us());
	seq_printf(m, "block_watch: %s\n", go3s_blockwatch_enabled() ?
		   "preempt notifiers (a blocked worker's P is handed off at once)" :
		   "none (CONFIG_PREEMPT_NOTIFIERS unset: the monitor hands it off)");
	seq_printf(m, "irq_pool_size: %u\n", go3s_irq_pool_size());
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_stats_show);

/*
 * Like Go's traceback header: the function a goroutine runs and where it
 * was spawned. Both are addresses printed through kallsyms, which only
 * looks them up among the loaded modules and never reads the code: once
 * a module's __init section (or the module) is freed, they print as raw
 * addresses, which is why the function is shown as well as the site.
 */
static void dump_one(struct go3s_g *g, void *data)
{
	struct seq_file *m = data;
	int state = atomic_read(&g->state);
	struct module *owner;

	if (state == GO3S_G_FREE)
		return;
	seq_printf(m, "goroutine %llu [%s", g->id, state == GO3S_G_ABANDONED ?
		   "abandoned" : go3s_g_state_name(state));
	if (state == GO3S_G_PARKED)
		seq_printf(m, ", %s, %lld ms",
			   go3s_wait_reason_name(READ_ONCE(g->wait_reason)),
			   ktime_ms_delta(ktime_get(), READ_ONCE(g->wait_since)));
	else if (state == GO3S_G_ABANDONED)
		seq_printf(m, ", %s", go3s_wait_reason_name(READ_ONCE(g->wait_reason)));
	if (state == GO3S_G_RUNNING &&
	    READ_ONCE(per_cpu_ptr(&go3s_p, READ_ONCE(g->cpu))->mon_busy_id) == g->id)
		seq_puts(m, ", busy");
	seq_puts(m, "]:");
	if (state == GO3S_G_ABANDONED) {
		seq_printf(m, " owner %s (freed)", go3s_owner_abandoned_by(g));
	} else {
		/* Module memory outlives an RCU grace period after its last put. */
		rcu_read_lock();
		owner = READ_ONCE(g->owner);
		seq_printf(m, " owner %s", owner ? module_name(owner) : "kernel");
		rcu_read_unlock();
	}
	if (READ_ONCE(g->arena.allocs))
		seq_printf(m, " arena %llu B %llu allocs %llu pages",
			   READ_ONCE(g->arena.bytes), READ_ONCE(g->arena.allocs),
			   READ_ONCE(g->arena.pages));
	seq_printf(m, " cpu %d%s\n\tfunction %ps\n\tspawned at %pS\n",
		   READ_ONCE(g->cpu), (g->flags & GO3S_GF_IRQ_POOL) ? " (irq)" : "",
		   READ_ONCE(g->fn), (void *)READ_ONCE(g->site));
}

int go3s_goroutines_show(struct seq_file *m, void *unused)
{
	go3s_g_for_each(dump_one, m);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_goroutines_show);

DEFINE_SHOW_ATTRIBUTE(go3s_stats);
DEFINE_SHOW_ATTRIBUTE(go3s_goroutines);

void go3s_stats_init(void)
{
	debugfs_create_file("stats", 0444, go3s_debugfs_root(), NULL,
			    &go3s_stats_fops);
	debugfs_create_file("goroutines", 0444, go3s_debugfs_root(), NULL,
			    &go3s_goroutines_fops);
}
