// SPDX-License-Identifier: GPL-2.0
/*
 * Spawning: go3s_go() from process context (a G from the caches, see
 * g.c) and go3s_go_irq() from any context but NMI (a G from this CPU's
 * preallocated pool, see irq.c). Both pin the owner module, give the G a
 * unique id and make it runnable on this CPU's P (go3s_ready(), which
 * puts it in runnext when a goroutine spawns it).
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "g.h"
#include "irq.h"
#include "sched.h"
#include "trace.h"

static DEFINE_PER_CPU(u64, go3s_id_seq);

/* Unique: the CPU number is read on the CPU whose counter was bumped. */
static u64 next_id(void)
{
	u64 id;

	preempt_disable();
	id = this_cpu_inc_return(go3s_id_seq) * nr_cpu_ids + smp_processor_id();
	preempt_enable();
	return id;
}

/* Common head of both spawns: argument and life-cycle checks. */
static int spawn_check(go3s_fn_t fn, struct module *owner)
{
	if (!fn)
		return -EINVAL;
	if (go3s_stopping())
		return -ESHUTDOWN;
	if (owner != THIS_MODULE && !try_module_get(owner))
		return -ESHUTDOWN;
	return 0;
}

static void spawn_fail(struct module *owner)
{
	if (owner != THIS_MODULE)
		module_put(owner);
}

/* Common tail of both spawns: @g is prepared, the owner reference taken. */
static void spawn(struct go3s_g *g)
{
	g->id = next_id();
	g->cpu = raw_smp_processor_id();
	go3s_stat_inc(spawned);
	trace_go3s_g_create(g);
	go3s_ready(g);
}

/* See go3s_go() in <go3s/go.h> for the kernel-doc. */
int __go3s_go(go3s_fn_t fn, void *arg, struct module *owner, unsigned long site)
{
	struct go3s_g *g;
	int ret;

	might_sleep();
	ret = spawn_check(fn, owner);
	if (ret)
		return ret;
	g = go3s_g_get(GFP_KERNEL);
	if (!g) {
		spawn_fail(owner);
		return -ENOMEM;
	}
	go3s_g_prepare(g, fn, arg, owner, site);
	spawn(g);
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_go);

/* See go3s_go_unpinned() in <go3s/go.h> for the kernel-doc. */
int __go3s_go_unpinned(go3s_fn_t fn, void *arg, struct module *owner,
		       unsigned long site)
{
	struct go3s_g *g;

	might_sleep();
	if (!fn)
		return -EINVAL;
	if (go3s_stopping())
		return -ESHUTDOWN;
#ifdef CONFIG_MODULES
	/* Its exit has run: nothing of it may start now. */
	if (owner && READ_ONCE(owner->state) == MODULE_STATE_GOING)
		return -ESHUTDOWN;
#endif
	g = go3s_g_get(GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	go3s_g_prepare(g, fn, arg, owner, site);
	g->flags |= GO3S_GF_UNPINNED;
	go3s_stat_inc(unpinned);
	spawn(g);
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_go_unpinned);

/* See go3s_go_irq() in <go3s/go.h> for the kernel-doc. */
int __go3s_go_irq(go3s_fn_t fn, void *arg, struct module *owner,
		  unsigned long site)
{
	struct go3s_g *g;
	int ret;

	ret = spawn_check(fn, owner);
	if (ret)
		return ret;
	g = go3s_irq_pool_get();
	if (!g) {
		go3s_stat_inc(irq_pool_empty);
		spawn_fail(owner);
		return -EAGAIN;
	}
	go3s_g_prepare(g, fn, arg, owner, site);
	g->flags |= GO3S_GF_IRQ_POOL;
	go3s_stat_inc(irq_spawned);
	spawn(g);
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_go_irq);
