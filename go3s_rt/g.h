/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The goroutine (G): its states, its stack and what the scheduler keeps.
 *
 * Field rules (legend as in kernel/workqueue.c):
 *   I: set at spawn, read-only while the G lives
 *   G: written only by the G itself or by the M running it
 *   A: atomic / READ_ONCE-WRITE_ONCE, any context
 *   L: go3s_allg_lock
 */
#ifndef _GO3S_G_H
#define _GO3S_G_H

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/module.h>

#include <go3s/go.h>
#include <go3s/mem.h>

#include "arch.h"

/*
 * Parking is two-phase, like set_current_state() + schedule(): the G
 * publishes itself where a waker will find it after go3s_park_prepare()
 * (RUNNING -> PARKING), then go3s_park() switches to the M, which moves
 * PARKING -> PARKED. go3s_unpark() turns PARKING back into RUNNING (the G
 * then does not sleep at all) or PARKED into RUNNABLE (and queues it), so
 * a wake-up is never lost and no lock is held across the switch.
 */
enum go3s_g_state {
	GO3S_G_FREE,		/* cached, not a goroutine right now */
	GO3S_G_RUNNABLE,	/* in a run queue */
	GO3S_G_RUNNING,		/* on an M */
	GO3S_G_PARKING,		/* on an M, about to park */
	GO3S_G_PARKED,		/* waiting; go3s_unpark() makes it runnable */
	GO3S_G_NR_STATES,
};

enum go3s_wait_reason {
	GO3S_WAIT_NONE,
	GO3S_WAIT_SLEEP,
	GO3S_WAIT_WAITGROUP,
	GO3S_WAIT_CHAN_SEND,
	GO3S_WAIT_CHAN_RECV,
	GO3S_WAIT_SELECT,
	GO3S_WAIT_TEST,
	GO3S_WAIT_FSM,
	GO3S_WAIT_NET,
	GO3S_WAIT_NR,
};

/* What the M does once the G has switched back to it. */
enum go3s_g_action {
	GO3S_ACT_YIELD,		/* requeue at the tail */
	GO3S_ACT_PARK,		/* PARKING -> PARKED, unless woken meanwhile */
	GO3S_ACT_EXIT,		/* recycle */
};

/* flags */
#define GO3S_GF_IRQ_POOL	BIT(0)	/* I: came from an IRQ pool */
#define GO3S_GF_WARNED		BIT(1)	/* G: already warned about a switch */
#define GO3S_GF_DIRTY_STACK	BIT(2)	/* G: left by go3s_exit() mid-stack */
#define GO3S_GF_UNPINNED	BIT(3)	/* I: holds no reference on its owner */

struct go3s_m;

struct go3s_g {
	struct go3s_arch_ctx ctx;		/* G */
	struct llist_node node;			/* A: inbox, pools */
	atomic_t state;				/* A: enum go3s_g_state */
	u8 action;				/* G */
	u8 wait_reason;				/* G, read racily by the dump */
	u16 flags;
	int cpu;				/* G: P it last ran on */
	struct go3s_m *m;			/* G: the M running it */
	u64 id;					/* I */
	go3s_fn_t fn;				/* I */
	void *arg;				/* I */
	struct module *owner;			/* I, NULLed at exit (dump) */
	unsigned long site;			/* I */
	ktime_t wait_since;			/* G */
	struct hrtimer timer;			/* G: go3s_sleep() */
	struct go3s_arena arena;		/* G: go3s_alloc() */
	void *stack;				/* I: lowest address */
	struct go3s_arch_stack_save save;	/* G: the M's stack */
	struct list_head allg;			/* L */
	struct rcu_head rcu;			/* freed after a GP (monitor) */
};

/*
 * Every change of ->state goes through here (Go's casgstatus): debug builds
 * check that @g was in @old and warn once on an illegal transition.
 */
static inline void go3s_g_set_state(struct go3s_g *g, int old, int new)
{
#ifdef CONFIG_GO3S_DEBUG
	int was = atomic_cmpxchg(&g->state, old, new);

	WARN_ONCE(was != old, "go3s: goroutine %llu went %d -> %d but was %d\n",
		  g->id, old, new, was);
#else
	atomic_set(&g->state, new);
#endif
}

/* sched.c: the G side of the scheduler */
struct go3s_g *go3s_self(void);
void go3s_ready(struct go3s_g *g);
void go3s_switch_out(struct go3s_g *g, enum go3s_g_action action);

/* g.c: allocation, per-CPU caches, the list of all Gs */
struct go3s_g *go3s_g_alloc(gfp_t gfp);
void go3s_g_free(struct go3s_g *g);
struct go3s_g *go3s_g_get(gfp_t gfp);
void go3s_g_cache_put(struct go3s_g *g);
void go3s_g_prepare(struct go3s_g *g, go3s_fn_t fn, void *arg,
		    struct module *owner, unsigned long site);
bool go3s_g_stack_ok(struct go3s_g *g);
void go3s_g_for_each(void (*cb)(struct go3s_g *g, void *data), void *data);
void go3s_g_exit(void);

/* park.c: parking, timers, the switch checks */
void go3s_park_prepare(enum go3s_wait_reason reason);
int go3s_park(void);
void go3s_park_cancel(void);
bool go3s_unpark(struct go3s_g *g);
bool go3s_switch_allowed(struct go3s_g *g, const char *what);
enum hrtimer_restart go3s_g_timer_fn(struct hrtimer *timer);

const char *go3s_wait_reason_name(unsigned int reason);
const char *go3s_g_state_name(unsigned int state);

#endif /* _GO3S_G_H */
