// SPDX-License-Identifier: GPL-2.0
/*
 * State machines: each machine is one goroutine (the runner) that takes
 * events from its mailbox channel and handles them one at a time (run to
 * completion). Each hook runs as a goroutine of its own, which the runner
 * waits for in a select with the hook's timeout.
 *
 * Concurrency contract:
 *   go3s_fsm_try_fire(): any context but NMI; a non-blocking channel send
 *	of the event, nothing else.
 *   go3s_fsm_fire(): process context. The request lives on the caller's
 *	stack and is listed on ->pending before its event is sent. The runner
 *	answers under ->lock, and only if it finds the request still listed
 *	(by comparing pointers, never dereferencing a stale one); the caller
 *	leaves only after taking ->lock and seeing the answer, or after
 *	unlisting itself (a killed task). So nothing writes to a dead frame.
 *   Hooks: a hook run (struct hook_run) is listed on ->hooks for as long as
 *	its goroutine lives. The runner and destroy cancel it under ->lock,
 *	found by its sequence number. Its result travels on ->results tagged
 *	with that number: a result the runner is not waiting for is late, and
 *	discarded.
 *   go3s_fsm_destroy(): marks ->stopping under ->lock, closes the mailbox
 *	(fire() now fails), then ->stop (the runner stops waiting for its
 *	hook, answers what is still queued with -ESHUTDOWN, closes ->results
 *	and ends), cancels every hook and waits until ->live, a count of the
 *	runner, the hooks, the fire() callers inside and destroy itself,
 *	reaches zero. A fire() or try_fire() that starts after destroy has
 *	begun is a caller bug (a use after free), as for any object.
 */
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include <go3s/chan.h>
#include <go3s/fsm.h>
#include <go3s/go.h>

#include "bug.h"
#include "fsm.h"
#include "g.h"
#include "trace.h"

struct fsm_req {
	struct list_head node;		/* L: on ->pending */
	struct go3s_g *g;		/* the waiting goroutine, or NULL... */
	struct task_struct *task;	/* ...and then the waiting task */
	int ret;			/* L */
	bool done;			/* L */
};

struct fsm_msg {
	u32 event;
	u32 pad;
	struct fsm_req *req;		/* NULL for try_fire(): nobody waits */
};

struct hook_result {
	u64 seq;
	int ret;
	u32 pad;
};

struct hook_run {
	struct go3s_fsm_hook pub;
	go3s_fsm_hook_fn fn;
	u64 seq;
	bool cancelled;			/* L; the hook reads it racily */
	struct list_head node;		/* L: on ->hooks */
};

#define FSM_DEFAULT_CAP		64U
#define FSM_RESULTS_CAP		4U

/* Counters only the machine's goroutine writes (R in fsm.h). */
static inline void inc(u64 *c)
{
	WRITE_ONCE(*c, *c + 1);
}

/* Runners and hooks alive, for the KUnit suite's leak checks. */
static atomic_t fsm_goroutines = ATOMIC_INIT(0);

unsigned int go3s_fsm_goroutines(void)
{
	return atomic_read(&fsm_goroutines);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_fsm_goroutines);

static void fsm_put_live(struct go3s_fsm *m)
{
	if (atomic_dec_and_test(&m->live))
		go3s_wg_done(&m->gone);
}

static void hook_body(void *arg)
{
	struct hook_run *h = arg;
	struct go3s_fsm *m = h->pub.machine;
	struct hook_result r = { .seq = h->seq };

	r.ret = h->fn(&h->pub);
	/* -EPIPE once the runner has gone: nobody wants the result then. */
	go3s_chan_send(m->results, &r);
	spin_lock(&m->lock);
	list_del(&h->node);
	spin_unlock(&m->lock);
	kfree(h);
	atomic_dec(&fsm_goroutines);
	fsm_put_live(m);
}

/* Cancel the hook run number @seq, or every hook run if @seq is 0. */
static void cancel_hooks(struct go3s_fsm *m, u64 seq)
{
	struct hook_run *h;

	spin_lock(&m->lock);
	list_for_each_entry(h, &m->hooks, node)
		if (!seq || h->seq == seq)
			WRITE_ONCE(h->cancelled, true);
	spin_unlock(&m->lock);
}

/*
 * Run hook @hd as a goroutine and wait for it, at most its timeout.
 * Return: the hook's result; -ETIMEDOUT with *@overran set when it
 * overran; -ESHUTDOWN when the machine is being destroyed; -ENOMEM or
 * go3s_go()'s error when it could not start. Adds the time to *@hook_ns.
 */
static int run_hook(struct go3s_fsm *m, const struct go3s_fsm_hook_desc *hd,
		    const struct go3s_fsm_hook *info, u64 *hook_ns, bool *overran)
{
	struct hook_result r;
	struct go3s_select_case c[2] = {
		{ .ch = m->results, .elem = &r, .dir = GO3S_CHAN_RECV },
		{ .ch = m->stop, .dir = GO3S_CHAN_RECV },
	};
	ktime_t t0 = ktime_get();
	ktime_t deadline = ktime_add_ms(t0, hd->timeout_ms);
	struct hook_run *h;
	bool stopping;
	s64 left;
	u64 seq;
	int ret;

	*overran = false;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		inc(&m->st.hook_errors);
		return -ENOMEM;
	}
	h->pub = *info;
	h->fn = hd->fn;
	seq = ++m->hook_seq;
	h->seq = seq;
	spin_lock(&m->lock);
	stopping = m->stopping;
	if (!stopping)
		list_add_tail(&h->node, &m->hooks);
	spin_unlock(&m->lock);
	if (stopping) {
		kfree(h);
		return -ESHUTDOWN;
	}
	atomic_inc(&m->live);
	atomic_inc(&fsm_goroutines);
	ret = __go3s_go(hook_body, h, m->owner, (unsigned long)hd->fn);
	if (ret) {
		atomic_dec(&fsm_goroutines);
		spin_lock(&m->lock);
		list_del(&h->node);
		spin_unlock(&m->lock);
		kfree(h);
		fsm_put_live(m);	/* never the last: the runner holds one */
		inc(&m->st.hook_errors);
		return ret;
	}
	/* From here on @h may be freed at any time: only @seq identifies it. */
	for (;;) {
		left = ktime_to_ns(ktime_sub(deadline, ktime_get()));
		ret = go3s_select(c, ARRAY_SIZE(c), left > 0 ? left : GO3S_NOWAIT);
		if (ret == 0 && c[0].ok) {
			if (r.seq == seq) {
				ret = r.ret;
				if (ret)
					inc(&m->st.hook_errors);
				break;
			}
			inc(&m->st.late);
			continue;
		}
		cancel_hooks(m, seq);
		if (ret == -ETIMEDOUT || ret == -EAGAIN) {
			*overran = true;
			inc(&m->st.timeouts);
			ret = -ETIMEDOUT;
		} else {
			ret = -ESHUTDOWN;
		}
		break;
	}
	*hook_ns += ktime_to_ns(ktime_sub(ktime_get(), t0));
	return ret;
}

/* Enter @to, counting the move in ->counts[@slot]. */
static void fsm_enter(struct go3s_fsm *m, unsigned int to, unsigned int slot)
{
	inc(&m->counts[slot]);
	inc(&m->st.moves);
	WRITE_ONCE(m->state, to);
}

/* Report a finished move: tracepoint and watch channel. */
static void fsm_emit(struct go3s_fsm *m, unsigned int from, unsigned int to,
		     unsigned int ev, u64 hook_ns, int ret)
{
	const struct go3s_fsm_table *t = m->t;
	struct go3s_fsm_rec rec = {
		.seq = ++m->seq, .hook_ns = hook_ns, .from = from, .to = to,
		.event = ev, .ret = ret,
	};

	trace_go3s_fsm_transition(m->name, t->state_names[from],
				  t->state_names[to],
				  ev == GO3S_FSM_TIMEOUT ? "timeout" : t->event_names[ev],
				  hook_ns, ret);
	if (go3s_chan_try_send(m->watch, &rec) == -EAGAIN)
		inc(&m->st.watch_dropped);
}

/* A hook of state @s overran: go where the table says, running no hook. */
static int fsm_timeout(struct go3s_fsm *m, unsigned int s, bool exit)
{
	const struct go3s_fsm_state *st = &m->t->states[s];
	unsigned int to = exit ? st->exit.on_timeout : st->enter.on_timeout;

	fsm_enter(m, to, fsm_timeout_slot(m->t, s, exit));
	fsm_emit(m, s, to, GO3S_FSM_TIMEOUT, 0, -ETIMEDOUT);
	return -ETIMEDOUT;
}

/* Handle one event, to completion. Runs on the machine's goroutine. */
static int fsm_handle(struct go3s_fsm *m, unsigned int ev)
{
	const struct go3s_fsm_table *t = m->t;
	unsigned int s = m->state, idx;
	const struct go3s_fsm_trans *tr;
	struct go3s_fsm_hook info;
	bool overran, ok;
	u64 hook_ns = 0;
	int ret = 0;

	inc(&m->st.events);
	idx = m->index[s * t->nr_events + ev];
	if (!idx) {
		inc(&m->st.illegal);
		return -EPERM;
	}
	tr = &t->trans[idx - 1];
	if (tr->guard) {
		/* A guard must not block: make any attempt show. */
		preempt_disable();
		ok = (*tr->guard)(m->ctx, s, ev);	/* guard() is a macro */
		preempt_enable();
		if (!ok) {
			inc(&m->st.refused);
			return -ECANCELED;
		}
	}
	info = (struct go3s_fsm_hook){
		.machine = m, .ctx = m->ctx, .from = s, .to = tr->to,
		.event = ev, .exit = true,
	};
	if (t->states[s].exit.fn) {
		ret = run_hook(m, &t->states[s].exit, &info, &hook_ns, &overran);
		if (overran)
			return fsm_timeout(m, s, true);
		if (ret)
			return ret;
	}
	fsm_enter(m, tr->to, idx - 1);
	overran = false;
	if (t->states[tr->to].enter.fn) {
		info.exit = false;
		ret = run_hook(m, &t->states[tr->to].enter, &info, &hook_ns, &overran);
	}
	fsm_emit(m, s, tr->to, ev, hook_ns, ret);
	if (overran)
		return fsm_timeout(m, tr->to, false);
	return ret;
}

/* Answer fire()'s request @req, if its caller still waits. */
static void fsm_reply(struct go3s_fsm *m, struct fsm_req *req, int ret)
{
	struct fsm_req *r;

	if (!req)
		return;
	spin_lock(&m->lock);
	list_for_each_entry(r, &m->pending, node) {
		if (r != req)
			continue;
		list_del_init(&r->node);
		r->ret = ret;
		r->done = true;
		if (r->g)
			go3s_unpark(r->g);
		else
			wake_up_process(r->task);
		break;
	}
	spin_unlock(&m->lock);
}

static void runner(void *arg)
{
	struct go3s_fsm *m = arg;
	struct hook_result r;
	struct fsm_msg msg;
	struct go3s_select_case c[3] = {
		{ .ch = m->mailbox, .elem = &msg, .dir = GO3S_CHAN_RECV },
		{ .ch = m->results, .elem = &r, .dir = GO3S_CHAN_RECV },
		{ .ch = m->stop, .dir = GO3S_CHAN_RECV },
	};
	bool ok;
	int ret;

	WRITE_ONCE(m->runner_id, go3s_self_id());
	for (;;) {
		ret = go3s_select(c, ARRAY_SIZE(c), GO3S_FOREVER);
		if (ret == 1 && c[1].ok) {
			inc(&m->st.late);
			continue;
		}
		if (ret != 0 || !c[0].ok)
			break;
		if (READ_ONCE(m->stopping))
			ret = -ESHUTDOWN;
		else
			ret = fsm_handle(m, msg.event);
		fsm_reply(m, msg.req, ret);
	}
	/* Destroy closed the mailbox before ->stop: this loop ends. */
	while (!go3s_chan_recv(m->mailbox, &msg, &ok) && ok)
		fsm_reply(m, msg.req, -ESHUTDOWN);
	go3s_chan_close(m->results);
	atomic_dec(&fsm_goroutines);
	fsm_put_live(m);
}

/* Is the caller @m's own goroutine or one of its hooks? */
static bool fsm_inside(struct go3s_fsm *m)
{
	void *arg = go3s_self_arg();
	struct hook_run *h;
	bool found = false;

	if (!go3s_self())
		return false;
	if (go3s_self_id() == READ_ONCE(m->runner_id))
		return true;
	spin_lock(&m->lock);
	list_for_each_entry(h, &m->hooks, node)
		found |= arg == h;
	spin_unlock(&m->lock);
	return found;
}

static int fsm_check(struct go3s_fsm *m, unsigned int event, const char *fn)
{
	if (GO3S_WARN_ONCE(IS_ERR_OR_NULL(m), "go3s: %s on a NULL or ERR_PTR machine\n", fn))
		return -EINVAL;
	return event < m->t->nr_events ? 0 : -EINVAL;
}

/**
 * go3s_fsm_fire - handle event @event and wait for the outcome
 * @m: the machine.
 * @event: the event, from the table's event enum.
 *
 * Queues @event behind the events already in the mailbox (waiting while
 * the mailbox is full) and waits until the machine has handled it: the
 * guard, the exit hook, the move and the entry hook. A goroutine parks, a
 * task sleeps (killable). A hook of @m must not call this (it would wait
 * for itself until its own timeout): hooks queue events with
 * go3s_fsm_try_fire().
 * Context: process context; sleeps.
 * Return: 0, or the entry hook's error, after the move; -EPERM for an event
 * with no transition from the current state (counted); -ECANCELED when the
 * guard refused it; the exit hook's error (the machine stays); -ETIMEDOUT
 * when a hook overran (the machine is in the hook's timeout state);
 * -ESHUTDOWN when @m is being destroyed; -EINTR when a task was killed
 * (the event is still handled); -EINVAL for an @event out of range or a
 * NULL @m (a caller bug: warns once); -EPERM from interrupt context and
 * -EDEADLK from @m's own goroutine or hooks (caller bugs: warn once).
 */
int go3s_fsm_fire(struct go3s_fsm *m, unsigned int event)
{
	struct fsm_req req = { .g = go3s_self(), .task = current };
	struct fsm_msg msg = { .event = event, .req = &req };
	int ret = fsm_check(m, event, __func__);

	if (ret)
		return ret;
	if (GO3S_WARN_ONCE(!in_task(), "go3s: %s from interrupt context\n", __func__))
		return -EPERM;
	if (GO3S_WARN_ONCE(fsm_inside(m), "go3s: %s: machine %s fired from its own hook\n",
			   __func__, m->name))
		return -EDEADLK;
	spin_lock(&m->lock);
	if (m->stopping) {
		spin_unlock(&m->lock);
		return -ESHUTDOWN;
	}
	list_add_tail(&req.node, &m->pending);
	/* destroy waits for us to leave: we touch @m until the end. */
	atomic_inc(&m->live);
	spin_unlock(&m->lock);

	ret = go3s_chan_send(m->mailbox, &msg);
	if (ret) {
		/* Not queued: the runner cannot have seen it. */
		spin_lock(&m->lock);
		list_del(&req.node);
		spin_unlock(&m->lock);
		fsm_put_live(m);
		return ret == -EPIPE ? -ESHUTDOWN : ret;
	}

	spin_lock(&m->lock);
	while (!req.done) {
		if (req.g) {
			go3s_park_prepare(GO3S_WAIT_FSM);
			spin_unlock(&m->lock);
			ret = go3s_park();
		} else {
			set_current_state(TASK_KILLABLE);
			spin_unlock(&m->lock);
			schedule();
			if (fatal_signal_pending(current))
				ret = -EINTR;
		}
		spin_lock(&m->lock);
		if (ret && !req.done) {
			list_del(&req.node);
			req.ret = ret;
			break;
		}
	}
	spin_unlock(&m->lock);
	/*
	 * Only a task sets its state back. A goroutine may have resumed on
	 * another worker: a current read before go3s_park() (the compiler may
	 * keep it) would be the worker it left, asleep by now, and writing
	 * TASK_RUNNING there strands that worker off every runqueue.
	 */
	if (!req.g)
		__set_current_state(TASK_RUNNING);
	ret = req.ret;
	fsm_put_live(m);	/* the last touch of @m */
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_fsm_fire);

/**
 * go3s_fsm_try_fire - queue event @event without waiting
 * @m: the machine.
 * @event: the event.
 *
 * One non-blocking send on the mailbox: no allocation, no sleep. The
 * outcome (a move, -EPERM, -ECANCELED...) is counted and can be watched,
 * but not returned.
 * Context: any context except NMI, hard IRQ included.
 * Return: 0 once queued; -EAGAIN when the mailbox is full (counted as
 * "full"); -ESHUTDOWN when @m is being destroyed; -EINVAL for an @event
 * out of range or a NULL @m (a caller bug: warns once).
 */
int go3s_fsm_try_fire(struct go3s_fsm *m, unsigned int event)
{
	struct fsm_msg msg = { .event = event };
	int ret = fsm_check(m, event, __func__);

	if (ret)
		return ret;
	ret = go3s_chan_try_send(m->mailbox, &msg);
	if (ret == -EAGAIN)
		atomic64_inc(&m->full);
	return ret == -EPIPE ? -ESHUTDOWN : ret;
}
EXPORT_SYMBOL_GO3S(go3s_fsm_try_fire);

/**
 * go3s_fsm_cancelled - has this hook run been cancelled?
 * @h: what the hook was given.
 *
 * True once the hook overran its timeout or the machine is being
 * destroyed: the hook should stop and return; its result is discarded.
 * Context: any context; meant for the hook itself.
 * Return: true when cancelled (and for a NULL @h, a caller bug: warns once).
 */
bool go3s_fsm_cancelled(const struct go3s_fsm_hook *h)
{
	if (GO3S_WARN_ONCE(!h, "go3s: %s(NULL)\n", __func__))
		return true;
	return READ_ONCE(container_of(h, struct hook_run, pub)->cancelled);
}
EXPORT_SYMBOL_GO3S(go3s_fsm_cancelled);

/**
 * go3s_fsm_current - the state a machine is in
 * @m: the machine.
 *
 * A snapshot: the machine may move on at once. During a move the new state
 * shows as soon as it is entered, while its entry hook runs.
 * Context: any context.
 * Return: the state, or -EINVAL for a NULL @m (a caller bug: warns once).
 */
int go3s_fsm_current(struct go3s_fsm *m)
{
	if (GO3S_WARN_ONCE(IS_ERR_OR_NULL(m), "go3s: %s on a NULL or ERR_PTR machine\n",
			   __func__))
		return -EINVAL;
	return READ_ONCE(m->state);
}
EXPORT_SYMBOL_GO3S(go3s_fsm_current);

/**
 * go3s_fsm_watch - the channel of a machine's moves
 * @m: the machine.
 *
 * Each move, timeout moves included, is sent as a &struct go3s_fsm_rec
 * once its entry hook is done; when the channel is full the move is
 * dropped (counted as "watch_dropped", and ->seq shows the gap). Closed
 * when @m is destroyed.
 * Context: any context.
 * Return: a new reference to the channel (release it with go3s_chan_put()),
 * or NULL for a NULL @m (a caller bug: warns once).
 */
struct go3s_chan *go3s_fsm_watch(struct go3s_fsm *m)
{
	if (GO3S_WARN_ONCE(IS_ERR_OR_NULL(m), "go3s: %s on a NULL or ERR_PTR machine\n",
			   __func__))
		return NULL;
	return go3s_chan_get(m->watch);
}
EXPORT_SYMBOL_GO3S(go3s_fsm_watch);

struct go3s_fsm *__go3s_fsm_create(const struct go3s_fsm_table *t,
				   const char *name, void *ctx,
				   struct module *owner)
{
	struct go3s_fsm *m, *o;
	int ret;

	ret = go3s_fsm_validate(t);
	if (ret)
		return ERR_PTR(ret);
	if (!name || !*name || strnlen(name, GO3S_FSM_NAME_MAX) >= GO3S_FSM_NAME_MAX)
		return ERR_PTR(-EINVAL);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->t = t;
	m->ctx = ctx;
	m->owner = owner;
	strscpy(m->name, name, sizeof(m->name));
	m->state = t->initial;
	spin_lock_init(&m->lock);
	INIT_LIST_HEAD(&m->pending);
	INIT_LIST_HEAD(&m->hooks);
	go3s_wg_init(&m->gone);
	go3s_wg_add(&m->gone, 1);
	atomic_set(&m->live, 2);	/* the runner, and destroy */
	m->index = kcalloc(t->nr_states * t->nr_events, sizeof(*m->index), GFP_KERNEL);
	m->counts = kcalloc(t->nr_trans + 2 * t->nr_states, sizeof(*m->counts),
			    GFP_KERNEL);
	ret = -ENOMEM;
	if (!m->index || !m->counts)
		goto err;
	fsm_index_build(t, m->index);
	m->mailbox = go3s_chan_new(sizeof(struct fsm_msg), t->mailbox_cap ?: FSM_DEFAULT_CAP,
				   GFP_KERNEL);
	m->results = go3s_chan_new(sizeof(struct hook_result), FSM_RESULTS_CAP, GFP_KERNEL);
	m->stop = go3s_chan_new(0, 0, GFP_KERNEL);
	m->watch = go3s_chan_new(sizeof(struct go3s_fsm_rec), t->watch_cap ?: FSM_DEFAULT_CAP,
				 GFP_KERNEL);
	if (IS_ERR(m->mailbox) || IS_ERR(m->results) || IS_ERR(m->stop) || IS_ERR(m->watch))
		goto err;

	mutex_lock(&fsm_mutex);
	list_for_each_entry(o, &fsm_list, node) {
		if (!strcmp(o->name, m->name)) {
			mutex_unlock(&fsm_mutex);
			ret = -EEXIST;
			goto err;
		}
	}
	atomic_inc(&fsm_goroutines);
	ret = go3s_go(runner, m);
	if (ret) {
		atomic_dec(&fsm_goroutines);
		mutex_unlock(&fsm_mutex);
		goto err;
	}
	list_add_tail(&m->node, &fsm_list);
	mutex_unlock(&fsm_mutex);
	return m;

err:
	if (!IS_ERR_OR_NULL(m->watch))
		go3s_chan_put(m->watch);
	if (!IS_ERR_OR_NULL(m->stop))
		go3s_chan_put(m->stop);
	if (!IS_ERR_OR_NULL(m->results))
		go3s_chan_put(m->results);
	if (!IS_ERR_OR_NULL(m->mailbox))
		go3s_chan_put(m->mailbox);
	kfree(m->counts);
	kfree(m->index);
	kfree(m);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GO3S(__go3s_fsm_create);

/**
 * go3s_fsm_destroy - stop a machine and free it
 * @m: the machine; NULL or an ERR_PTR() does nothing.
 *
 * Events still queued are answered with -ESHUTDOWN (fire() callers
 * waiting for them return it), the hook running (and any overran one still
 * running) is cancelled, and the watch channel is closed. Returns once the
 * machine's goroutine, every hook goroutine and every fire() caller have
 * left, so the hooks' context can go: a hook that never returns keeps this
 * waiting. The caller makes sure no fire() or try_fire() starts once this
 * has begun (stop the interrupts that call try_fire() first).
 * Must not be called from @m's own hooks or guards (a caller bug: warns
 * once and leaves @m alone).
 * Context: process context; sleeps.
 */
void go3s_fsm_destroy(struct go3s_fsm *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	if (GO3S_WARN_ONCE(fsm_inside(m), "go3s: %s: machine %s destroyed from its own hook\n",
			   __func__, m->name))
		return;
	might_sleep();
	mutex_lock(&fsm_mutex);
	list_del(&m->node);
	mutex_unlock(&fsm_mutex);
	spin_lock(&m->lock);
	m->stopping = true;
	spin_unlock(&m->lock);
	go3s_chan_close(m->mailbox);
	go3s_chan_close(m->stop);
	cancel_hooks(m, 0);
	fsm_put_live(m);
	/*
	 * A goroutine parks here rather than block its worker: with every
	 * worker of a CPU blocked in a destroy, the runners they wait for
	 * would have none left to run on (seen: 64 connections of
	 * samples/tcp_echo closing at once). A killed task, or a goroutine
	 * that may not switch, still has to wait: the goroutines use @m.
	 */
	while (go3s_wg_wait(&m->gone))
		usleep_range(1000, 2000);
	go3s_chan_close(m->watch);
	go3s_chan_put(m->watch);
	go3s_chan_put(m->stop);
	go3s_chan_put(m->results);
	go3s_chan_put(m->mailbox);
	kfree(m->counts);
	kfree(m->index);
	kfree(m);
}
EXPORT_SYMBOL_GO3S(go3s_fsm_destroy);
