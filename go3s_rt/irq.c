// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU pools of ready-made goroutines for go3s_go_irq().
 *
 * Concurrency contract: a CPU's pool is touched only on that CPU with
 * interrupts disabled: go3s_go_irq() takes from it in any context (hard
 * IRQ included; not NMI), its worker refills it in process context. So no
 * atomics and no locks, and a hard-IRQ spawn never allocates or sleeps.
 * A pooled G that exits goes back to the ordinary cache; the worker of a
 * CPU whose pool ran low tops it up after each goroutine it ran.
 */
#include <linux/irqflags.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "g.h"
#include "irq.h"

#define IRQ_POOL_MAX	1024

static unsigned int irq_pool = 32;
module_param(irq_pool, uint, 0444);
MODULE_PARM_DESC(irq_pool, "Goroutines per CPU ready for go3s_go_irq() (max 1024)");

struct irq_pool {
	unsigned int nr;
	struct go3s_g **g;
};

static DEFINE_PER_CPU(struct irq_pool, go3s_irq_pools);

struct go3s_g *go3s_irq_pool_get(void)
{
	struct go3s_g *g = NULL;
	struct irq_pool *pool;
	unsigned long flags;

	local_irq_save(flags);
	pool = this_cpu_ptr(&go3s_irq_pools);
	if (pool->nr)
		g = pool->g[--pool->nr];
	local_irq_restore(flags);
	return g;
}

static bool pool_push(struct irq_pool *pool, struct go3s_g *g)
{
	unsigned long flags;
	bool done = false;

	local_irq_save(flags);
	if (pool->nr < irq_pool) {
		pool->g[pool->nr++] = g;
		done = true;
	}
	local_irq_restore(flags);
	return done;
}

/* Process context, on the pool's CPU (a bound worker). */
void go3s_irq_pool_refill(void)
{
	struct irq_pool *pool = raw_cpu_ptr(&go3s_irq_pools);
	struct go3s_g *g;

	while (READ_ONCE(pool->nr) < irq_pool) {
		g = go3s_g_get(GFP_KERNEL);
		if (!g)
			return;
		if (!pool_push(pool, g)) {
			go3s_g_cache_put(g);
			return;
		}
	}
}

unsigned int go3s_irq_pool_level(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&go3s_irq_pools, cpu)->nr);
}

unsigned int go3s_irq_pool_size(void)
{
	return irq_pool;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_irq_pool_size);

int go3s_irq_init(void)
{
	int cpu;

	irq_pool = min(irq_pool, IRQ_POOL_MAX);
	for_each_possible_cpu(cpu) {
		struct irq_pool *pool = per_cpu_ptr(&go3s_irq_pools, cpu);

		pool->g = kcalloc(irq_pool, sizeof(*pool->g), GFP_KERNEL);
		if (!pool->g && irq_pool)
			goto fail;
		while (pool->nr < irq_pool) {
			struct go3s_g *g = go3s_g_alloc(GFP_KERNEL);

			if (!g)
				goto fail;
			pool->g[pool->nr++] = g;
		}
	}
	return 0;
fail:
	go3s_irq_exit();
	return -ENOMEM;
}

void go3s_irq_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct irq_pool *pool = per_cpu_ptr(&go3s_irq_pools, cpu);

		while (pool->nr)
			go3s_g_free(pool->g[--pool->nr]);
		kfree(pool->g);
		pool->g = NULL;
	}
}
