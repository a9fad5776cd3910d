// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutine memory: each G is a kmalloc'd struct go3s_g plus a vmalloc'd
 * stack of THREAD_SIZE bytes (vmalloc leaves a guard page below it). The
 * pair is allocated once and recycled through a small per-CPU cache, so a
 * spawn in steady state does not touch the allocator.
 * Every allocated G is on go3s_allg until it is freed; the goroutine dump
 * walks that list.
 *
 * Goroutines often exit on another CPU than the one that spawns (thieves
 * run them), so per-CPU caches would drain on one side and overflow on the
 * other. As Go does, a full cache moves half of itself to a global list
 * and an empty one takes a batch from it; only those batch moves take a
 * lock. The global list keeps at most g_cache_max goroutines.
 *
 * Cache contract: only process context touches a CPU's cache, with
 * preemption disabled; hard-IRQ spawns use the separate pools in irq.c.
 */
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "g.h"
#include "owner.h"

#define G_CACHE_SIZE	64
#define G_CACHE_BATCH	(G_CACHE_SIZE / 2)

static unsigned int g_cache_max = 1024;
module_param(g_cache_max, uint, 0644);
MODULE_PARM_DESC(g_cache_max, "Free goroutines (with stacks) kept beyond the per-CPU caches");

/*
 * The top of each stack stays free, as task_pt_regs() expects one there;
 * arm64's unwinder ends at the frame record inside it (arch/arm64/frame.c),
 * so there it is exactly a struct pt_regs. riscv64's is larger than 256
 * bytes.
 */
#if defined(CONFIG_ARM64) || defined(CONFIG_RISCV)
#define STACK_TOP_RESERVE	sizeof(struct pt_regs)
#else
#define STACK_TOP_RESERVE	256
#endif

struct g_cache {
	unsigned int nr;
	struct go3s_g *g[G_CACHE_SIZE];
};

static DEFINE_PER_CPU(struct g_cache, go3s_g_cache);

/*
 * Free Gs linked through ->node, LIFO. The per-CPU caches refill and
 * spill here with preemption disabled (get_cpu_ptr()), so the lock is a
 * raw spinlock: a spinlock_t sleeps on PREEMPT_RT. It is held for at most
 * G_CACHE_BATCH list operations.
 */
static struct llist_node *go3s_free_list;
static unsigned int go3s_free_nr;
static DEFINE_RAW_SPINLOCK(go3s_free_lock);
static LIST_HEAD(go3s_allg);
static DEFINE_SPINLOCK(go3s_allg_lock);

struct go3s_g *go3s_g_alloc(gfp_t gfp)
{
	struct go3s_g *g;

	g = kzalloc(sizeof(*g), gfp);
	if (!g)
		return NULL;
	g->stack = go3s_arch_stack_alloc(gfp);
	if (!g->stack) {
		kfree(g);
		return NULL;
	}
	hrtimer_init(&g->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	g->timer.function = go3s_g_timer_fn;
	go3s_arena_init(&g->arena);
	atomic_set(&g->state, GO3S_G_FREE);

	spin_lock(&go3s_allg_lock);
	list_add_tail(&g->allg, &go3s_allg);
	spin_unlock(&go3s_allg_lock);
	return g;
}

static void g_destroy(struct go3s_g *g)
{
	vfree(g->stack);
	/* The monitor may be reading it (under RCU). */
	kfree_rcu(g, rcu);
}

void go3s_g_free(struct go3s_g *g)
{
	spin_lock(&go3s_allg_lock);
	list_del(&g->allg);
	spin_unlock(&go3s_allg_lock);
	g_destroy(g);
}

/* Refill an empty per-CPU cache from the global list. */
static void cache_refill(struct g_cache *c)
{
	struct llist_node *n;

	raw_spin_lock(&go3s_free_lock);
	while (c->nr < G_CACHE_BATCH && (n = go3s_free_list)) {
		go3s_free_list = n->next;
		go3s_free_nr--;
		c->g[c->nr++] = llist_entry(n, struct go3s_g, node);
	}
	raw_spin_unlock(&go3s_free_lock);
}

/* Move half of a full per-CPU cache to the global list, or say no. */
static bool cache_spill(struct g_cache *c)
{
	bool done = false;

	raw_spin_lock(&go3s_free_lock);
	if (go3s_free_nr + G_CACHE_BATCH <= g_cache_max) {
		while (c->nr > G_CACHE_SIZE - G_CACHE_BATCH) {
			struct go3s_g *g = c->g[--c->nr];

			g->node.next = go3s_free_list;
			go3s_free_list = &g->node;
			go3s_free_nr++;
		}
		done = true;
	}
	raw_spin_unlock(&go3s_free_lock);
	return done;
}

static struct go3s_g *cache_get(void)
{
	struct g_cache *c;
	struct go3s_g *g = NULL;

	c = get_cpu_ptr(&go3s_g_cache);
	if (!c->nr && READ_ONCE(go3s_free_nr))
		cache_refill(c);
	if (c->nr)
		g = c->g[--c->nr];
	put_cpu_ptr(&go3s_g_cache);
	return g;
}

/* A free G from the caches, else a new one. */
struct go3s_g *go3s_g_get(gfp_t gfp)
{
	return cache_get() ?: go3s_g_alloc(gfp);
}

/*
 * A goroutine that called go3s_exit() from deep inside left the KASAN
 * redzones of its unreturned frames on its stack; the next goroutine to
 * run there would trip over them. The kernel clears a reused task stack
 * with kasan_unpoison_task_stack(), which is not exported, and the shadow
 * helpers modules could call are mm-private. So under stack
 * instrumentation such a stack is not reused: it goes back to vmalloc,
 * which poisons it, and a fresh one (unpoisoned by vmalloc) takes its
 * place. Only go3s_exit() makes a stack dirty, so this is rare.
 * Process context.
 */
static bool stack_renew(struct go3s_g *g)
{
	void *stack;

	if (!IS_ENABLED(CONFIG_KASAN_STACK) ||
	    !(g->flags & GO3S_GF_DIRTY_STACK))
		return true;
	stack = go3s_arch_stack_alloc(GFP_KERNEL);
	if (!stack)
		return false;
	vfree(g->stack);
	g->stack = stack;
	g->flags &= ~GO3S_GF_DIRTY_STACK;
	return true;
}

/* Process context: give back a G whose goroutine exited, or a spare one. */
void go3s_g_cache_put(struct go3s_g *g)
{
	struct g_cache *c;

	if (!stack_renew(g)) {
		go3s_g_free(g);
		return;
	}

	c = get_cpu_ptr(&go3s_g_cache);
	if (c->nr == G_CACHE_SIZE)
		cache_spill(c);
	if (c->nr < G_CACHE_SIZE) {
		c->g[c->nr++] = g;
		g = NULL;
	}
	put_cpu_ptr(&go3s_g_cache);
	if (g)
		go3s_g_free(g);
}

/* Turn a free G into a runnable goroutine that will call @fn(@arg). */
void go3s_g_prepare(struct go3s_g *g, go3s_fn_t fn, void *arg,
		    struct module *owner, unsigned long site)
{
	void *top = g->stack + GO3S_STACK_SIZE - STACK_TOP_RESERVE;

	g->flags = 0;
	g->fn = fn;
	g->arg = arg;
	g->owner = owner;
	g->site = site;
	go3s_owner_spawned(owner);
	g->wait_reason = GO3S_WAIT_NONE;
	*go3s_arch_stack_end(g->stack) = STACK_END_MAGIC;
	go3s_arch_ctx_init(&g->ctx, top, g);
	atomic_set(&g->state, GO3S_G_RUNNABLE);
}

bool go3s_g_stack_ok(struct go3s_g *g)
{
	return *go3s_arch_stack_end(g->stack) == STACK_END_MAGIC;
}

/* Call @cb on every allocated G, under a spinlock: @cb must not sleep. */
void go3s_g_for_each(void (*cb)(struct go3s_g *g, void *data), void *data)
{
	struct go3s_g *g;

	spin_lock(&go3s_allg_lock);
	list_for_each_entry(g, &go3s_allg, allg)
		cb(g, data);
	spin_unlock(&go3s_allg_lock);
}

void go3s_g_exit(void)
{
	struct go3s_g *g, *tmp;
	LIST_HEAD(leaked);
	int cpu;

	for_each_possible_cpu(cpu) {
		struct g_cache *c = per_cpu_ptr(&go3s_g_cache, cpu);

		while (c->nr)
			go3s_g_free(c->g[--c->nr]);
	}
	while (go3s_free_list) {
		g = llist_entry(go3s_free_list, struct go3s_g, node);
		go3s_free_list = go3s_free_list->next;
		go3s_g_free(g);
	}
	go3s_free_nr = 0;
	/* Anything left is a G nobody returned: report it, free it. */
	spin_lock(&go3s_allg_lock);
	list_splice_init(&go3s_allg, &leaked);
	spin_unlock(&go3s_allg_lock);
	list_for_each_entry_safe(g, tmp, &leaked, allg) {
		WARN(1, "go3s: goroutine %llu (spawned at %pS) leaked in state %s\n",
		     g->id, (void *)g->site,
		     go3s_g_state_name(atomic_read(&g->state)));
		list_del(&g->allg);
		g_destroy(g);
	}
}
