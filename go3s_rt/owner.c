// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutines and the life of the module that owns them.
 *
 * A goroutine holds a reference on its owner module (try_module_get() at
 * spawn, module_put() once it exited), so rmmod refuses a module while any
 * of its goroutines lives. A module whose init fails is another matter:
 * do_init_module() frees it whatever its reference count. So each module
 * has a tracker while it is COMING (from its COMING notification to LIVE
 * or GOING): go3s_owner_spawned() counts its goroutines up at spawn, and
 * go3s_owner_exited() counts them down once each has exited and put its
 * reference. The module's GOING notification, which the kernel sends
 * before it frees the module, waits until that count is zero. A module
 * that became LIVE needs no tracker: it only goes away once its reference
 * count is zero, so with no goroutine left that still has to put.
 *
 * Goroutines that are still parked abandon_ms after the wait began are
 * abandoned (GO3S_G_ABANDONED): never run again, G and stack kept, and
 * go3s_rt pinned, so that nothing can reach the freed module through
 * them. Running and runnable goroutines are executing the module's code:
 * those are waited for however long it takes, with a warning every
 * WARN_PERIOD.
 *
 * Module addresses are reused (a module reloaded often lands where it
 * was), so a tracker must not see a late exit hook of an earlier module
 * at the same address: exits_flush().
 *
 * Concurrency: trackers are on an RCU list written under tracks_lock; the
 * spawn and exit hooks only look one up while the list is not empty (a
 * module is being loaded somewhere). Waiters sleep on nr_waiting with
 * wait_var_event(); go3s_owner_exited() says how it pairs with them.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/overflow.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "owner.h"
#include "sched.h"

#define WARN_PERIOD	(10 * HZ)
/* How long a LIVE module's unpinned goroutines may take to finish returning. */
#define UNPINNED_GRACE	HZ
#define SHOW_MAX	16	/* goroutines listed per warning */

static unsigned int abandon_ms = 10000;
module_param(abandon_ms, uint, 0644);
MODULE_PARM_DESC(abandon_ms, "How long a module whose init failed waits for its parked goroutines before they are abandoned (ms)");

struct owner_track {
	struct list_head node;		/* RCU; L: tracks_lock */
	struct module *mod;		/* I */
	atomic_t live;			/* A: spawned, not yet past go3s_owner_exited() */
	int abandoned;			/* the GOING waiter only */
	struct rcu_head rcu;
};

static LIST_HEAD(tracks);
static DEFINE_SPINLOCK(tracks_lock);

/* Goroutines abandoned together: never freed while go3s_rt is loaded. */
struct abandoned {
	struct list_head node;		/* RCU; L: tracks_lock */
	char name[MODULE_NAME_LEN];	/* I: the module, now freed */
	unsigned int nr;		/* I */
	struct go3s_g *g[];		/* I */
};

static LIST_HEAD(abandoned_list);

/* Tasks in owner_wait(), exits_flush() or go3s_owner_drain(). */
static atomic_t nr_waiting = ATOMIC_INIT(0);

/* go3s_owner_exited() calls per CPU: one per exit in the exited statistic. */
static DEFINE_PER_CPU(u64, owner_exits);

static struct owner_track *track_find(struct module *mod)
{
	struct owner_track *t;

	list_for_each_entry_rcu(t, &tracks, node, lockdep_is_held(&tracks_lock))
		if (t->mod == mod)
			return t;
	return NULL;
}

/*
 * The spawn hook, from go3s_g_prepare(), in any context but NMI. A module's
 * tracker is on the list before any of its code runs (the COMING
 * notification precedes its init and its parameters' setters), and each of
 * its goroutines is counted before it can run, so before it can exit.
 */
void go3s_owner_spawned(struct module *owner)
{
	struct owner_track *t;

	if (likely(list_empty(&tracks)) || owner == THIS_MODULE)
		return;
	rcu_read_lock();
	t = track_find(owner);
	if (t)
		atomic_inc(&t->live);
	rcu_read_unlock();
}

/*
 * The exit hook, called by the worker once a goroutine of @owner is gone
 * and its reference on @owner put: after this, nothing of the goroutine
 * touches the module. @owner may be freed by now (when no tracker waits
 * for it); it is only compared, never dereferenced.
 */
void go3s_owner_exited(struct module *owner)
{
	struct owner_track *t;

	if (unlikely(!list_empty(&tracks)) && owner != THIS_MODULE) {
		rcu_read_lock();
		t = track_find(owner);
		if (t)
			atomic_dec(&t->live);
		rcu_read_unlock();
	}
	this_cpu_inc(owner_exits);
	/*
	 * Order the count (and the exited statistic, for the drain) before
	 * reading nr_waiting. Pairs with the barrier after the increment in
	 * waiting_begin(): either we see the waiter, or it sees our update.
	 */
	smp_mb();
	if (unlikely(atomic_read(&nr_waiting)))
		wake_up_var(&nr_waiting);
}

static void waiting_begin(void)
{
	atomic_inc(&nr_waiting);
	/* Pairs with smp_mb() in go3s_owner_exited(). */
	smp_mb__after_atomic();
}

static void waiting_end(void)
{
	atomic_dec(&nr_waiting);
}

static bool exits_done(int cpu, u64 counted)
{
	return READ_ONCE(*per_cpu_ptr(&owner_exits, cpu)) >= counted;
}

/*
 * The last goroutine of an unloaded module may still be between its
 * module_put() and go3s_owner_exited() (a few instructions on its worker,
 * unless the worker is preempted right there) when the module is freed,
 * and a module loaded next may get the same address: that late call
 * would count off one of the newcomer's goroutines. So before a tracker
 * is added, wait until each worker has made the call for every exit it
 * has already counted in the exited statistic (g_exited() counts it
 * before the put, on the same CPU, and calls us once after). Instant
 * unless a worker was preempted there; bounded, so that a change in that
 * accounting shows up as a warning, not as module loading hanging.
 * Only the notifier calls it: unused without CONFIG_MODULES (a 6.1
 * build warns about that without W=1).
 */
static void __maybe_unused exits_flush(void)
{
	unsigned long until = jiffies + WARN_PERIOD;
	int cpu;

	waiting_begin();
	for_each_possible_cpu(cpu) {
		u64 counted = go3s_stat_cpu(cpu, offsetof(struct go3s_stats, exited));

		if (!wait_var_event_timeout(&nr_waiting, exits_done(cpu, counted),
					    max_t(long, until - jiffies, 1))) {
			WARN_ONCE(1, "go3s: CPU %d's worker has not finished a goroutine exit in 10 s\n",
				  cpu);
			break;
		}
	}
	waiting_end();
}

/* ---- going away with goroutines ---------------------------------------- */

struct going {
	struct module *mod;
	struct abandoned *ab;		/* abandon parked goroutines into it */
	unsigned int cap;		/* room in ->ab */
	unsigned int left;		/* goroutines not abandoned */
	unsigned int shown;
	bool show;
};

static void show_g(struct go3s_g *g, int state)
{
	const char *name = state == GO3S_G_ABANDONED ? "abandoned" :
			   go3s_g_state_name(state);

	if (state == GO3S_G_PARKED || state == GO3S_G_ABANDONED)
		pr_warn("  goroutine %llu [%s, %s]: %ps, spawned at %pS\n",
			g->id, name, go3s_wait_reason_name(READ_ONCE(g->wait_reason)),
			g->fn, (void *)g->site);
	else
		pr_warn("  goroutine %llu [%s]: %ps, spawned at %pS\n", g->id,
			name, g->fn, (void *)g->site);
}

/*
 * Freeze parked @g for good, if it is a goroutine of @mod. Called under
 * the all-G lock (go3s_g_for_each()), so @g cannot be freed meanwhile.
 */
static bool abandon(struct go3s_g *g, struct module *mod)
{
	/*
	 * Pairs with the cmpxchg in go3s_unpark(): a wake-up either came
	 * first (we fail and wait on) or finds ABANDONED and does nothing.
	 */
	if (atomic_cmpxchg(&g->state, GO3S_G_PARKED, GO3S_G_ABANDONED) !=
	    GO3S_G_PARKED)
		return false;
	/*
	 * Frozen now, so ->owner is stable. @mod spawns nothing once GOING,
	 * so a goroutine of @mod is one of those we wait for.
	 */
	if (READ_ONCE(g->owner) == mod) {
		/* Nothing may reach the module through @g any more. */
		WRITE_ONCE(g->owner, NULL);
		return true;
	}
	/*
	 * The G was recycled for another module's goroutine between our look
	 * at ->owner and the cmpxchg. Give it back woken: a wake-up may have
	 * been refused meanwhile, and go3s_park() allows spurious ones.
	 */
	atomic_set(&g->state, GO3S_G_RUNNABLE);
	go3s_ready(g);
	return false;
}

static void going_visit(struct go3s_g *g, void *data)
{
	struct going *w = data;
	int state = atomic_read(&g->state);

	if (state == GO3S_G_FREE || state == GO3S_G_ABANDONED ||
	    READ_ONCE(g->owner) != w->mod)
		return;
	if (w->ab && state == GO3S_G_PARKED && w->ab->nr < w->cap &&
	    abandon(g, w->mod)) {
		w->ab->g[w->ab->nr++] = g;
		state = GO3S_G_ABANDONED;
	} else {
		w->left++;
	}
	if (w->show && w->shown++ < SHOW_MAX)
		show_g(g, state);
}

static void show_all(struct module *mod)
{
	struct going w = { .mod = mod, .show = true };

	go3s_g_for_each(going_visit, &w);
	if (w.shown > SHOW_MAX)
		pr_warn("  ... and %u more\n", w.shown - SHOW_MAX);
}

/* Abandon @t's parked goroutines; they keep their module references. */
static void abandon_parked(struct owner_track *t)
{
	int live = atomic_read(&t->live) - t->abandoned;
	struct going w = { .mod = t->mod };
	struct abandoned *ab;
	unsigned int i;

	if (live <= 0)
		return;
	ab = kzalloc(struct_size(ab, g, live), GFP_KERNEL);
	if (!ab)
		return;		/* again at the next round */
	w.ab = ab;
	w.cap = live;
	go3s_g_for_each(going_visit, &w);
	if (!ab->nr) {
		kfree(ab);
		return;
	}
	t->abandoned += ab->nr;
	strscpy(ab->name, module_name(t->mod), sizeof(ab->name));
	/* Their stacks hold go3s_rt's frames: it stays loaded. */
	__module_get(THIS_MODULE);
	spin_lock(&tracks_lock);
	list_add_rcu(&ab->node, &abandoned_list);
	spin_unlock(&tracks_lock);

	WARN(1, "go3s: module %s is freed with %u parked goroutines: abandoned, never run again (memory kept, go3s_rt pinned)\n",
	     ab->name, ab->nr);
	/* An abandoned G is never freed: no lock needed to show it. */
	for (i = 0; i < ab->nr && i < SHOW_MAX; i++)
		show_g(ab->g[i], GO3S_G_ABANDONED);
	if (ab->nr > SHOW_MAX)
		pr_warn("  ... and %u more\n", ab->nr - SHOW_MAX);
}

/*
 * Wait until every goroutine @t counts has exited or is abandoned.
 * Parked ones are abandoned abandon_ms after the start. Unused without
 * CONFIG_MODULES, as exits_flush().
 */
static void __maybe_unused owner_wait(struct owner_track *t)
{
	struct module *mod = t->mod;
	unsigned long deadline = jiffies + msecs_to_jiffies(READ_ONCE(abandon_ms));
	unsigned long next_warn = jiffies + WARN_PERIOD;
	long timeout;

	pr_warn("module %s is going away with %d goroutines: waiting for them to exit (parked ones are abandoned after %u ms)\n",
		module_name(mod), atomic_read(&t->live), READ_ONCE(abandon_ms));
	show_all(mod);
	waiting_begin();
	for (;;) {
		if (time_before(jiffies, deadline))
			timeout = min(deadline, next_warn) - jiffies;
		else
			timeout = min_t(long, HZ, next_warn - jiffies);
		/* Short sleeps: the hung-task detector must not mistake us. */
		if (wait_var_event_timeout(&nr_waiting,
					   atomic_read(&t->live) <= t->abandoned,
					   max(timeout, 1L)))
			break;
		if (time_after_eq(jiffies, deadline))
			abandon_parked(t);
		if (atomic_read(&t->live) <= t->abandoned)
			break;
		if (time_after_eq(jiffies, next_warn)) {
			pr_warn("module %s: still waiting for %d goroutines\n",
				module_name(mod), atomic_read(&t->live) - t->abandoned);
			show_all(mod);
			next_warn = jiffies + WARN_PERIOD;
		}
	}
	waiting_end();
}

/* Goroutines of @mod not exited yet (it holds no tracker: it was LIVE). */
static unsigned int __maybe_unused left_of(struct module *mod)
{
	struct going w = { .mod = mod };

	go3s_g_for_each(going_visit, &w);
	return w.left;
}

/*
 * A LIVE module's exit has returned. Goroutines holding a reference on it
 * cannot exist any more; go3s_go_unpinned() ones can. One that has made
 * its last go3s_wg_done() is still returning through the module's code
 * when the exit's go3s_wg_wait() returns: the pattern go3s_go_unpinned()
 * asks for, so those get UNPINNED_GRACE, quietly. One still there after
 * it was not ended by the exit: a caller bug, but one that would run
 * freed code. Keep the module until they are gone, with a WARN; abandon
 * those still parked abandon_ms after the start, as owner_wait() does.
 */
static void __maybe_unused unpinned_wait(struct module *mod)
{
	unsigned long deadline, next_warn = jiffies + WARN_PERIOD;
	struct owner_track t = { .mod = mod };
	unsigned int left = left_of(mod);

	if (likely(!left))
		return;
	deadline = jiffies + msecs_to_jiffies(READ_ONCE(abandon_ms));
	waiting_begin();
	/* Woken by each exit (go3s_owner_exited() wakes nr_waiting). */
	wait_var_event_timeout(&nr_waiting, !left_of(mod), UNPINNED_GRACE);
	left = left_of(mod);
	if (left) {
		WARN(1, "go3s: module %s's exit returned with %u goroutines (go3s_go_unpinned()) still running: waiting for them\n",
		     module_name(mod), left);
		show_all(mod);
	}
	while ((left = left_of(mod))) {
		wait_var_event_timeout(&nr_waiting, !left_of(mod), HZ / 10);
		if (time_after_eq(jiffies, deadline)) {
			atomic_set(&t.live, left_of(mod) + t.abandoned);
			abandon_parked(&t);
		}
		if (time_after_eq(jiffies, next_warn)) {
			pr_warn("module %s: still waiting for %u goroutines\n",
				module_name(mod), left);
			next_warn = jiffies + WARN_PERIOD;
		}
	}
	waiting_end();
}

static int owner_notify(struct notifier_block *nb, unsigned long state,
			void *data)
{
#ifdef CONFIG_MODULES
	struct module *mod = data;
	struct owner_track *t;

	if (state == MODULE_STATE_COMING) {
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t)
			return notifier_from_errno(-ENOMEM);
		t->mod = mod;
		exits_flush();
		spin_lock(&tracks_lock);
		list_add_rcu(&t->node, &tracks);
		spin_unlock(&tracks_lock);
		return NOTIFY_OK;
	}
	if (state != MODULE_STATE_LIVE && state != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	rcu_read_lock();
	t = track_find(mod);
	rcu_read_unlock();
	if (!t) {		/* LIVE, or LIVE before go3s_rt was loaded */
		if (state == MODULE_STATE_GOING)
			unpinned_wait(mod);
		return NOTIFY_DONE;
	}
	/* Only this notification removes @t, so it stays. */
	if (state == MODULE_STATE_GOING && atomic_read(&t->live))
		owner_wait(t);
	spin_lock(&tracks_lock);
	list_del_rcu(&t->node);
	spin_unlock(&tracks_lock);
	kfree_rcu(t, rcu);
	return NOTIFY_OK;
#else
	return NOTIFY_DONE;	/* no loadable modules: nothing can go */
#endif
}

/* First at GOING: the module's code must still be whole while we wait. */
static struct notifier_block owner_nb = {
	.notifier_call = owner_notify,
	.priority = INT_MAX,
};

/*
 * The module that abandoned @g, for the goroutine dump. Called under the
 * all-G lock for a G in GO3S_G_ABANDONED.
 */
const char *go3s_owner_abandoned_by(struct go3s_g *g)
{
	struct abandoned *ab;
	unsigned int i;

	/* Records are never freed while a G they name exists. */
	list_for_each_entry_rcu(ab, &abandoned_list, node, true)
		for (i = 0; i < ab->nr; i++)
			if (ab->g[i] == g)
				return ab->name;
	return "?";
}

/*
 * Wait until no goroutine is left (go3s_rt's exit, with spawning
 * stopped). Client goroutines pin their modules, which pin go3s_rt, so
 * only go3s_rt's own can be left here.
 */
void go3s_owner_drain(void)
{
	waiting_begin();
	while (!wait_var_event_timeout(&nr_waiting, !go3s_live(), WARN_PERIOD))
		pr_info("waiting for %llu goroutines to exit\n", go3s_live());
	waiting_end();
}

int go3s_owner_init(void)
{
	return register_module_notifier(&owner_nb);
}

void go3s_owner_exit(void)
{
	struct owner_track *t, *tt;
	struct abandoned *ab;

	unregister_module_notifier(&owner_nb);
	/* Modules still COMING do not use go3s_rt: they spawn nothing. */
	list_for_each_entry_safe(t, tt, &tracks, node) {
		list_del_rcu(&t->node);
		kfree_rcu(t, rcu);
	}
	/* Empty: each record pins go3s_rt. */
	while ((ab = list_first_entry_or_null(&abandoned_list,
					      struct abandoned, node))) {
		list_del(&ab->node);
		kfree(ab);
	}
}
