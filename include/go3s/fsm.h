/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State machines: a transition table declared once, machines that run it
 * to completion one event at a time, entry and exit hooks that run as
 * goroutines under a timeout each.
 *
 * Declaring a table (the enums and the name tables come from one list, so
 * they cannot drift apart):
 *
 *	#define LINK_STATES(X...)	(X(L_DOWN) X(L_UP) X(L_FAILED))
 *	#define LINK_EVENTS(X...)	(X(E_UP) X(E_DOWN))
 *	GO3S_FSM_ENUM(link_state, LINK_STATES);
 *	GO3S_FSM_ENUM(link_event, LINK_EVENTS);
 *
 *	static const struct go3s_fsm_state link_states[] = {
 *		[L_UP] = { .enter = GO3S_FSM_HOOK(link_up, 500, L_FAILED) },
 *		[L_DOWN] = {}, [L_FAILED] = {},
 *	};
 *	static const struct go3s_fsm_trans link_trans[] = {
 *		GO3S_FSM_T(L_DOWN, E_UP, L_UP, NULL),
 *		GO3S_FSM_T(L_UP, E_DOWN, L_DOWN, NULL),
 *		GO3S_FSM_T(L_FAILED, E_DOWN, L_DOWN, NULL),
 *	};
 *	GO3S_FSM_TABLE(link, LINK_STATES, LINK_EVENTS, L_DOWN);
 *
 * GO3S_FSM_TABLE() checks at build time what C can check: the counts
 * against GO3S_FSM_MAX_*, that the state array has one entry per state,
 * that the initial state exists. go3s_fsm_create() checks the rest and
 * refuses, with a message naming the culprit: a transition out of range,
 * two transitions for the same (state, event), a hook without a timeout
 * or with a timeout state out of range, a state no path reaches.
 *
 * Running a machine:
 *	m = go3s_fsm_create(&link_table, "eth0", ctx);
 *	ret = go3s_fsm_fire(m, E_UP);		process context: waits
 *	ret = go3s_fsm_try_fire(m, E_DOWN);	any context: queues
 *	go3s_fsm_destroy(m);
 *
 * Events go through a mailbox channel and are handled one at a time, in
 * order, by the machine's goroutine (run to completion). For an event:
 *   1. no transition for (state, event): -EPERM, counted ("illegal");
 *   2. the transition's guard, called with preemption off (it must not
 *	block); false: -ECANCELED, counted ("refused"), nothing else runs;
 *   3. the state's exit hook; an error keeps the machine where it was;
 *   4. the machine enters the target state (counted, traced, watched);
 *   5. the target's entry hook; its error is what fire() returns.
 * Each hook runs as a goroutine of the module that created the machine,
 * and has its own timeout. A hook that overruns it is cancelled
 * (go3s_fsm_cancelled() turns true; the hook should poll it and return),
 * its result is discarded whenever it comes, the machine goes to the
 * hook's timeout state (no hook runs on that move) and the event returns
 * -ETIMEDOUT.
 *
 * Observing: go3s_fsm_watch() (a channel of struct go3s_fsm_rec), the
 * tracepoint go3s:go3s_fsm_transition, debugfs go3s/fsm (each machine,
 * its state and a count per transition) and go3s/fsm.dot (Graphviz).
 *
 * Kernel-doc for every function: go3s_rt/fsm.c and go3s_rt/fsm_table.c,
 * rendered with Documentation/fsm.rst by make docs.
 */
#ifndef _GO3S_FSM_H
#define _GO3S_FSM_H

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/stringify.h>
#include <linux/types.h>

#include <go3s/compat.h>

struct go3s_chan;
struct go3s_fsm;
struct seq_buf;

#define GO3S_FSM_MAX_STATES	64U
#define GO3S_FSM_MAX_EVENTS	64U
#define GO3S_FSM_MAX_TRANS	1024U
#define GO3S_FSM_NAME_MAX	32U	/* a machine's name, NUL included */
#define GO3S_FSM_TIMEOUT	0xffffU	/* event of a move made by a timeout */

/**
 * struct go3s_fsm_hook - what a running hook knows
 * @machine: the machine.
 * @ctx: the machine's context (go3s_fsm_create()'s @ctx).
 * @from: the state the transition leaves.
 * @to: the state it enters.
 * @event: the event that caused it.
 * @exit: true for the exit hook of @from, false for the entry hook of @to.
 *
 * Read-only for the hook; valid until the hook returns.
 */
struct go3s_fsm_hook {
	struct go3s_fsm *machine;
	void *ctx;
	u16 from, to, event;
	bool exit;
};

typedef int (*go3s_fsm_hook_fn)(const struct go3s_fsm_hook *h);
typedef bool (*go3s_fsm_guard_fn)(void *ctx, unsigned int from,
				  unsigned int event);

/**
 * struct go3s_fsm_hook_desc - an entry or exit hook of a state
 * @fn: the hook; NULL for none. Returns 0 or a negative errno.
 * @timeout_ms: how long it may run; 1 or more when @fn is set.
 * @on_timeout: the state the machine goes to when @fn overruns.
 */
struct go3s_fsm_hook_desc {
	go3s_fsm_hook_fn fn;
	unsigned int timeout_ms;
	unsigned int on_timeout;
};

#define GO3S_FSM_HOOK(f, ms, st) { .fn = (f), .timeout_ms = (ms), .on_timeout = (st) }

/**
 * struct go3s_fsm_state - the hooks of one state
 * @enter: runs when the machine enters the state by a transition.
 * @exit: runs before the machine leaves it by a transition.
 */
struct go3s_fsm_state {
	struct go3s_fsm_hook_desc enter;
	struct go3s_fsm_hook_desc exit;
};

/**
 * struct go3s_fsm_trans - one transition
 * @from: the state it leaves.
 * @event: the event that triggers it.
 * @to: the state it enters (may be @from: the hooks still run).
 * @guard: NULL, or called with preemption disabled before anything else
 *	happens; returning false refuses the event (-ECANCELED).
 */
struct go3s_fsm_trans {
	u16 from, event, to;
	go3s_fsm_guard_fn guard;
};

#define GO3S_FSM_T(f, e, t, g) { .from = (f), .event = (e), .to = (t), .guard = (g) }

/**
 * struct go3s_fsm_table - a machine type; GO3S_FSM_TABLE() fills it
 * @name: the table's name (DOT graph, debugfs).
 * @state_names: one name per state.
 * @event_names: one name per event.
 * @states: one &struct go3s_fsm_state per state.
 * @trans: the transitions.
 * @nr_states: number of states.
 * @nr_events: number of events.
 * @nr_trans: number of transitions.
 * @initial: the state a new machine starts in (no hook runs for it).
 * @mailbox_cap: events a machine queues before try_fire() says -EAGAIN
 *	(0: 64).
 * @watch_cap: transitions the watch channel holds before it drops them
 *	(0: 64).
 */
struct go3s_fsm_table {
	const char *name;
	const char *const *state_names;
	const char *const *event_names;
	const struct go3s_fsm_state *states;
	const struct go3s_fsm_trans *trans;
	u16 nr_states, nr_events, nr_trans;
	u16 initial;
	unsigned int mailbox_cap;
	unsigned int watch_cap;
};

/**
 * struct go3s_fsm_rec - one move of a machine, as the watch channel gives it
 * @seq: the machine's move counter (1, 2, ...); a gap means moves dropped
 *	because the watch channel was full.
 * @hook_ns: time spent in the exit and entry hooks of this move.
 * @from: the state left.
 * @to: the state entered.
 * @event: the event, or %GO3S_FSM_TIMEOUT for a move a hook timeout made.
 * @ret: what the event returned (0, a hook's error, -ETIMEDOUT).
 */
struct go3s_fsm_rec {
	u64 seq;
	u64 hook_ns;
	u16 from, to, event;
	s16 ret;
};

/**
 * struct go3s_fsm_stats - a machine's counters
 * @events: events taken from the mailbox (legal or not), counted when
 *	their handling starts, before the hooks of the move they cause run.
 * @moves: state changes, timeout moves included.
 * @illegal: events with no transition from the current state (-EPERM).
 * @refused: events a guard refused (-ECANCELED).
 * @hook_errors: hooks that returned an error in time, or could not start.
 * @timeouts: hooks that overran their timeout.
 * @late: results of overrun hooks that came afterwards (discarded).
 * @full: try_fire() calls refused because the mailbox was full.
 * @watch_dropped: moves the watch channel had no room for.
 */
struct go3s_fsm_stats {
	u64 events, moves, illegal, refused, hook_errors, timeouts, late;
	u64 full, watch_dropped;
};

/*
 * An X-macro list is written LIST(X...) (X(A) X(B) ...): the parentheses
 * and the variadic parameter keep checkpatch --strict quiet; the
 * helpers below take the parentheses off again.
 */
#define __GO3S_FSM_ENUM_ONE(x)		x,
#define __GO3S_FSM_NAME_ONE(x)		__stringify(x),
#define __GO3S_FSM_EXPAND(x...)		x
#define __GO3S_FSM_UNPAREN(x...)	x
#define __GO3S_FSM_LIST(LIST, one)	__GO3S_FSM_EXPAND(__GO3S_FSM_UNPAREN LIST(one))

/* enum @type with the members of the X-macro list @LIST, in order. */
#define GO3S_FSM_ENUM(type, LIST)	enum type { __GO3S_FSM_LIST(LIST, __GO3S_FSM_ENUM_ONE) }

/*
 * static const struct go3s_fsm_table @tbl##_table, from the X-macro lists
 * @STATES and @EVENTS (the ones given to GO3S_FSM_ENUM(), so the names are
 * in enum order), the arrays @tbl##_states[] (one struct go3s_fsm_state
 * per state) and @tbl##_trans[] defined before it, and the initial state
 * @init; checked at build time as far as C allows.
 */
#define GO3S_FSM_TABLE(tbl, STATES, EVENTS, init)				\
	static const char *const tbl##_state_names[] = {			\
		__GO3S_FSM_LIST(STATES, __GO3S_FSM_NAME_ONE) };			\
	static const char *const tbl##_event_names[] = {			\
		__GO3S_FSM_LIST(EVENTS, __GO3S_FSM_NAME_ONE) };			\
	enum { tbl##_initial = (init) };					\
	static_assert(ARRAY_SIZE(tbl##_state_names) <= GO3S_FSM_MAX_STATES,	\
		      "too many states");					\
	static_assert(ARRAY_SIZE(tbl##_event_names) <= GO3S_FSM_MAX_EVENTS,	\
		      "too many events");					\
	static_assert(ARRAY_SIZE(tbl##_states) == ARRAY_SIZE(tbl##_state_names), \
		      "the state array needs one entry per state");		\
	static_assert(ARRAY_SIZE(tbl##_trans) >= 1 &&				\
		      ARRAY_SIZE(tbl##_trans) <= GO3S_FSM_MAX_TRANS,		\
		      "1 to GO3S_FSM_MAX_TRANS transitions");			\
	static_assert((unsigned int)tbl##_initial < ARRAY_SIZE(tbl##_state_names), \
		      "the initial state is not a state");			\
	static const struct go3s_fsm_table tbl##_table = {			\
		.name = #tbl,							\
		.state_names = tbl##_state_names,				\
		.event_names = tbl##_event_names,				\
		.states = tbl##_states,					\
		.trans = tbl##_trans,						\
		.nr_states = ARRAY_SIZE(tbl##_state_names),			\
		.nr_events = ARRAY_SIZE(tbl##_event_names),			\
		.nr_trans = ARRAY_SIZE(tbl##_trans),				\
		.initial = tbl##_initial,					\
	}

struct go3s_fsm *__go3s_fsm_create(const struct go3s_fsm_table *t,
				   const char *name, void *ctx,
				   struct module *owner);

/**
 * go3s_fsm_create - start a machine running table @t
 * @t: the table; it must outlive the machine.
 * @name: the machine's name, unique among live machines, shorter than
 *	%GO3S_FSM_NAME_MAX (copied).
 * @ctx: passed to the guards and hooks.
 *
 * Validates @t (see the top of this file; a refusal is logged), starts
 * the machine's goroutine in @t->initial and lists it in debugfs. Hooks
 * run as goroutines of THIS_MODULE: it cannot be unloaded while one runs.
 * Context: process context; may sleep.
 * Return: the machine, or ERR_PTR(-EINVAL) for a bad table or name,
 * ERR_PTR(-EEXIST) for a name in use, ERR_PTR(-ENOMEM), or the error of
 * go3s_go(). Never NULL.
 */
#define go3s_fsm_create(t, name, ctx) __go3s_fsm_create(t, name, ctx, THIS_MODULE)

int go3s_fsm_validate(const struct go3s_fsm_table *t);
void go3s_fsm_destroy(struct go3s_fsm *m);
int go3s_fsm_fire(struct go3s_fsm *m, unsigned int event);
int go3s_fsm_try_fire(struct go3s_fsm *m, unsigned int event);
int go3s_fsm_current(struct go3s_fsm *m);
bool go3s_fsm_cancelled(const struct go3s_fsm_hook *h);
struct go3s_chan *go3s_fsm_watch(struct go3s_fsm *m);
int go3s_fsm_get_stats(struct go3s_fsm *m, struct go3s_fsm_stats *st);
u64 go3s_fsm_count(struct go3s_fsm *m, unsigned int from, unsigned int to);
int go3s_fsm_dot(struct go3s_fsm *m, struct seq_buf *s);

#endif /* _GO3S_FSM_H */
