/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the state machines, shared by fsm.c (the machine and its
 * goroutines) and fsm_table.c (validation, debugfs, DOT).
 *
 * Locking legend for struct go3s_fsm:
 *   I: set at creation, then read-only.
 *   R: written by the machine's goroutine only (WRITE_ONCE); read by
 *	anyone with READ_ONCE (a racy snapshot: debugfs, stats).
 *   L: ->lock.
 *   A: atomic.
 *   M: fsm_mutex (the list of machines).
 */
#ifndef _GO3S_FSM_INTERNAL_H
#define _GO3S_FSM_INTERNAL_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include <go3s/fsm.h>
#include <go3s/wg.h>

struct go3s_fsm {
	const struct go3s_fsm_table *t;		/* I */
	void *ctx;				/* I */
	struct module *owner;			/* I: hooks run as its goroutines */
	char name[GO3S_FSM_NAME_MAX];		/* I */
	struct go3s_chan *mailbox;		/* I: struct fsm_msg */
	struct go3s_chan *results;		/* I: struct hook_result */
	struct go3s_chan *stop;			/* I: closed by destroy */
	struct go3s_chan *watch;		/* I: struct go3s_fsm_rec */
	u16 *index;				/* I: [state][event]: trans + 1 */
	u64 *counts;				/* R: per trans, then 2 per state */
	unsigned int state;			/* R */
	u64 seq;				/* R: moves */
	u64 hook_seq;				/* R: hooks started */
	u64 runner_id;				/* R: its goroutine id */
	struct go3s_fsm_stats st;		/* R, but full (A) */
	atomic64_t full;			/* A: try_fire() found no room */
	bool stopping;				/* L: destroy has begun */

	spinlock_t lock;			/* protects the L fields */
	struct list_head pending;		/* L: fire() callers waiting */
	struct list_head hooks;			/* L: hook goroutines alive */

	atomic_t live;				/* A: runner + hooks + destroy */
	struct go3s_wg gone;			/* live reached zero */
	struct list_head node;			/* M */
};

/* Index in ->counts of the timeout move out of @state's entry/exit hook. */
static inline unsigned int fsm_timeout_slot(const struct go3s_fsm_table *t,
					    unsigned int state, bool exit)
{
	return t->nr_trans + 2 * state + exit;
}

extern struct mutex fsm_mutex;
extern struct list_head fsm_list;

struct seq_file;

void fsm_index_build(const struct go3s_fsm_table *t, u16 *index);
void go3s_fsm_init(void);

int go3s_fsm_show(struct seq_file *s, void *unused);
unsigned int go3s_fsm_goroutines(void);

#endif /* _GO3S_FSM_INTERNAL_H */
