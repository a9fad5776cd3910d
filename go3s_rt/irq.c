// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU pools of ready-made goroutines for go3s_go_irq().
 *
 * Concurrency contract: a CPU's pool is touched only on that CPU with
 * interrupts disabled: go3s_go_irq() takes from it in any context (hard
 * IRQ included; not NMI), its worker refills it in process context, and
 * the CPU hotplug callbacks (which run on the CPU going up or down) fill
 * and empty it. So no atomics and no locks, and a hard-IRQ spawn never
 * allocates or sleeps. A pooled G that exits goes back to the ordinary
 * cache; the worker of a CPU whose pool ran low tops it up after each
 * goroutine it ran.
 *
 * Only online CPUs have a pool: it is allocated and filled when the CPU
 * comes up (CPUHP_AP_ONLINE_DYN, after its worker started) and freed when
 * it goes down, before its worker parks. In between, the worker may find
 * no pool (->g NULL, ->cap 0): its refill then does nothing.
 */
#include <linux/cpuhotplug.h>
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
	unsigned int nr;		/* Gs in ->g */
	unsigned int cap;		/* size of ->g, 0 while offline */
	struct go3s_g **g;
};

static DEFINE_PER_CPU(struct irq_pool, go3s_irq_pools);
static enum cpuhp_state irq_pool_state;

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
	if (pool->nr < pool->cap) {
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

	while (READ_ONCE(pool->nr) < READ_ONCE(pool->cap)) {
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
EXPORT_SYMBOL_IF_KUNIT(go3s_irq_pool_level);

unsigned int go3s_irq_pool_size(void)
{
	return irq_pool;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_irq_pool_size);

/* Detach @pool's array (with its Gs) on this CPU; the caller frees it. */
static struct go3s_g **pool_take(struct irq_pool *pool, unsigned int *nr)
{
	struct go3s_g **g;
	unsigned long flags;

	local_irq_save(flags);
	g = pool->g;
	*nr = pool->nr;
	pool->g = NULL;
	pool->nr = 0;
	pool->cap = 0;
	local_irq_restore(flags);
	return g;
}

static void pool_free(struct go3s_g **g, unsigned int nr)
{
	while (nr)
		go3s_g_free(g[--nr]);
	kfree(g);
}

/*
 * CPU hotplug, CPUHP_AP_ONLINE_DYN: runs in @cpu's hotplug thread, bound to
 * @cpu, as it comes up (and for each online CPU at init).
 */
static int irq_pool_online(unsigned int cpu)
{
	struct irq_pool *pool = per_cpu_ptr(&go3s_irq_pools, cpu);
	struct go3s_g **g;
	unsigned long flags;
	unsigned int nr;

	if (!irq_pool)
		return 0;
	g = kcalloc(irq_pool, sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	for (nr = 0; nr < irq_pool; nr++) {
		g[nr] = go3s_g_alloc(GFP_KERNEL);
		if (!g[nr]) {
			pool_free(g, nr);
			return -ENOMEM;
		}
	}
	local_irq_save(flags);
	pool->g = g;
	pool->nr = nr;
	pool->cap = irq_pool;
	local_irq_restore(flags);
	return 0;
}

/* The same as @cpu goes down (and for each online CPU at exit). */
static int irq_pool_offline(unsigned int cpu)
{
	struct go3s_g **g;
	unsigned int nr;

	g = pool_take(per_cpu_ptr(&go3s_irq_pools, cpu), &nr);
	pool_free(g, nr);
	return 0;
}

int go3s_irq_init(void)
{
	int ret;

	irq_pool = min(irq_pool, IRQ_POOL_MAX);
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "go3s/irq_pool:online",
				irq_pool_online, irq_pool_offline);
	if (ret < 0)
		return ret;
	irq_pool_state = ret;
	return 0;
}

void go3s_irq_exit(void)
{
	cpuhp_remove_state(irq_pool_state);
}
