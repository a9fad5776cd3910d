// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler latencies against the kernel's own, in the BENCH line format
 * of bench.c:
 *   wake_latency_p50/_p99  a goroutine readied (an unbuffered channel
 *		    send) until it runs, while 1000 other goroutines keep
 *		    every worker busy, vs wake_up_process() to a sleeping
 *		    kthread until it runs, under the same load
 *   blocked_handoff  a goroutine blocks in msleep() until the goroutine
 *		    queued behind it runs (monitor + spare worker), vs a
 *		    kthread that blocks until another one on its CPU runs
 *   spawn_parallel  every CPU spawns goroutines at once, vs every CPU
 *		    queueing work items at once (per item, wall clock)
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "bench.h"

#define WAKES		2000U
#define LOAD_G		1000U
#define HANDOFFS	10U
#define SPAWN_PER_CPU	20000U
#define WAVE		256U

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Percentile @pct of @n samples, in 1/100 ns (sorts @s). */
static u64 pctl(u64 *s, unsigned int n, unsigned int pct)
{
	sort(s, n, sizeof(u64), cmp_u64, NULL);
	return s[min(n - 1, n * pct / 100)] * 100;
}

/* ---- wake_latency ------------------------------------------------------- */

struct wake {
	struct go3s_chan *req, *ack;
	struct go3s_wg wg, load;
	bool stop;
	u64 t0;
	u64 *lat;
	/* the kthread baseline */
	struct task_struct *sleeper;
	struct completion back;
	bool kt_stop;
};

static void load_body(void *arg)
{
	struct wake *w = arg;

	while (!READ_ONCE(w->stop))
		go3s_yield();
	go3s_wg_done(&w->load);
}

static void waiter_body(void *arg)
{
	struct wake *w = arg;
	unsigned int i;
	u64 v;

	for (i = 0; i < WAKES; i++) {
		if (go3s_chan_recv(w->req, &v, NULL))
			break;
		w->lat[i] = ktime_get_ns() - w->t0;
		go3s_chan_send(w->ack, &v);
	}
	go3s_wg_done(&w->wg);
}

static void waker_body(void *arg)
{
	struct wake *w = arg;
	unsigned int i;
	u64 v = 0;

	for (i = 0; i < WAKES; i++) {
		w->t0 = ktime_get_ns();
		if (go3s_chan_send(w->req, &v) || go3s_chan_recv(w->ack, &v, NULL))
			break;
	}
	go3s_wg_done(&w->wg);
}

static int sleeper_thread(void *arg)
{
	struct wake *w = arg;
	unsigned int i = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(w->kt_stop))
			break;
		if (READ_ONCE(w->t0)) {
			__set_current_state(TASK_RUNNING);
			w->lat[i++] = ktime_get_ns() - w->t0;
			WRITE_ONCE(w->t0, 0);
			complete(&w->back);
			continue;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void bench_wake_latency(void)
{
	struct wake *w = kzalloc(sizeof(*w), GFP_KERNEL);
	u64 g50, g99, k50, k99;
	unsigned int i;

	if (!w)
		return;
	w->lat = kvcalloc(WAKES, sizeof(u64), GFP_KERNEL);
	w->req = go3s_chan_new(sizeof(u64), 0, GFP_KERNEL);
	w->ack = go3s_chan_new(sizeof(u64), 0, GFP_KERNEL);
	if (!w->lat || IS_ERR(w->req) || IS_ERR(w->ack))
		goto out;
	go3s_wg_init(&w->load);
	go3s_wg_init(&w->wg);
	go3s_wg_add(&w->load, LOAD_G);
	for (i = 0; i < LOAD_G; i++)
		if (go3s_go(load_body, w))
			go3s_wg_done(&w->load);
	go3s_wg_add(&w->wg, 2);
	if (go3s_go(waiter_body, w))
		go3s_wg_done(&w->wg);
	if (go3s_go(waker_body, w))
		go3s_wg_done(&w->wg);
	go3s_wg_wait(&w->wg);
	g50 = pctl(w->lat, WAKES, 50);
	g99 = pctl(w->lat, WAKES, 99);

	/* The kthread, under the same load. */
	init_completion(&w->back);
	w->t0 = 0;
	w->sleeper = kthread_run(sleeper_thread, w, "go3s_sleeper");
	if (IS_ERR(w->sleeper))
		goto stop_load;
	for (i = 0; i < WAKES; i++) {
		WRITE_ONCE(w->t0, ktime_get_ns());
		wake_up_process(w->sleeper);
		wait_for_completion(&w->back);
	}
	WRITE_ONCE(w->kt_stop, true);
	kthread_stop(w->sleeper);
	k50 = pctl(w->lat, WAKES, 50);
	k99 = pctl(w->lat, WAKES, 99);
	go3s_bench_report("wake_latency_p50", g50, "wake_up_process", k50);
	go3s_bench_report("wake_latency_p99", g99, "wake_up_process", k99);
stop_load:
	WRITE_ONCE(w->stop, true);
	go3s_wg_wait(&w->load);
out:
	if (!IS_ERR_OR_NULL(w->req))
		go3s_chan_put(w->req);
	if (!IS_ERR_OR_NULL(w->ack))
		go3s_chan_put(w->ack);
	kvfree(w->lat);
	kfree(w);
}

/* ---- blocked_handoff ---------------------------------------------------- */

struct handoff {
	struct go3s_wg wg;
	u64 t0, t1;
	/* the kthread baseline */
	wait_queue_head_t wq;
	bool go;
	struct completion ran;
};

static void next_body(void *arg)
{
	struct handoff *h = arg;

	h->t1 = ktime_get_ns();
	go3s_wg_done(&h->wg);
}

static void blocker_body(void *arg)
{
	struct handoff *h = arg;

	/* The next one waits right behind this one, on this worker. */
	if (go3s_go(next_body, h))
		go3s_wg_done(&h->wg);
	h->t0 = ktime_get_ns();
	msleep(20);
	go3s_wg_done(&h->wg);
}

static int runner_thread(void *arg)
{
	struct handoff *h = arg;

	wait_event(h->wq, READ_ONCE(h->go));
	h->t1 = ktime_get_ns();
	complete(&h->ran);
	return 0;
}

static void bench_blocked_handoff(void)
{
	struct handoff *h = kzalloc(sizeof(*h), GFP_KERNEL);
	u64 g[HANDOFFS], k[HANDOFFS];
	struct task_struct *t;
	unsigned int i, n = 0;

	if (!h)
		return;
	init_waitqueue_head(&h->wq);
	for (i = 0; i < HANDOFFS; i++) {
		go3s_wg_init(&h->wg);
		go3s_wg_add(&h->wg, 2);
		if (go3s_go(blocker_body, h))
			break;
		go3s_wg_wait(&h->wg);
		g[i] = h->t1 - h->t0;

		/* A kthread blocks; another on its CPU runs next. */
		WRITE_ONCE(h->go, false);
		init_completion(&h->ran);
		t = kthread_create(runner_thread, h, "go3s_runner");
		if (IS_ERR(t))
			break;
		kthread_bind(t, raw_smp_processor_id());
		migrate_disable();
		wake_up_process(t);
		usleep_range(1000, 2000);	/* it now waits in wait_event() */
		WRITE_ONCE(h->go, true);
		h->t0 = ktime_get_ns();
		wake_up(&h->wq);
		msleep(20);
		migrate_enable();
		wait_for_completion(&h->ran);
		k[i] = h->t1 > h->t0 ? h->t1 - h->t0 : 0;
		n++;
	}
	if (n == HANDOFFS)
		go3s_bench_report("blocked_handoff", pctl(g, n, 50), "kthread_block",
				  pctl(k, n, 50));
	kfree(h);
}

/* ---- spawn_parallel ----------------------------------------------------- */

struct par {
	atomic_t left;
	struct completion done, start;
	bool use_wq;
};

struct par_cpu {
	struct par *p;
	struct go3s_wg wg;
	atomic_t works;
	struct completion works_done;
	struct work_struct *w;
};

static void par_g(void *arg)
{
	go3s_wg_done(arg);
}

static void par_work(struct work_struct *work)
{
	struct par_cpu *c = *(struct par_cpu **)(work + 1);

	if (atomic_dec_and_test(&c->works))
		complete(&c->works_done);
}

static int par_thread(void *arg)
{
	struct par_cpu *c = arg;
	unsigned int i, j;

	wait_for_completion(&c->p->start);
	if (c->p->use_wq) {
		for (i = 0; i < SPAWN_PER_CPU; i++)
			queue_work_on(raw_smp_processor_id(), system_wq,
				      (void *)c->w + i * (sizeof(*c->w) + sizeof(c)));
		wait_for_completion(&c->works_done);
	} else {
		go3s_wg_init(&c->wg);
		for (i = 0; i < SPAWN_PER_CPU; i += WAVE) {
			go3s_wg_add(&c->wg, WAVE);
			for (j = 0; j < WAVE; j++)
				if (go3s_go(par_g, &c->wg))
					go3s_wg_done(&c->wg);
			go3s_wg_wait(&c->wg);
		}
	}
	if (atomic_dec_and_test(&c->p->left))
		complete(&c->p->done);
	return 0;
}

/* Run one round on every online CPU; returns the wall time in ns. */
static u64 par_round(struct par *p, struct par_cpu *cs, bool use_wq)
{
	unsigned int cpu, n = 0;
	u64 t0;

	p->use_wq = use_wq;
	atomic_set(&p->left, num_online_cpus());
	init_completion(&p->done);
	init_completion(&p->start);
	for_each_online_cpu(cpu) {
		struct par_cpu *c = &cs[n++];
		struct task_struct *t;
		unsigned int i;

		c->p = p;
		atomic_set(&c->works, SPAWN_PER_CPU);
		init_completion(&c->works_done);
		for (i = 0; use_wq && i < SPAWN_PER_CPU; i++) {
			struct work_struct *w = (void *)c->w +
						i * (sizeof(*c->w) + sizeof(c));

			INIT_WORK(w, par_work);
			*(struct par_cpu **)(w + 1) = c;
		}
		t = kthread_create_on_cpu(par_thread, c, cpu, "go3s_par/%u");
		if (IS_ERR(t))
			return 0;
		wake_up_process(t);
	}
	t0 = ktime_get_ns();
	complete_all(&p->start);
	wait_for_completion(&p->done);
	return ktime_get_ns() - t0;
}

static void bench_spawn_parallel(void)
{
	unsigned int cpus = num_online_cpus(), i;
	struct par p = {};
	struct par_cpu *cs;
	u64 g, k;

	if (cpus < 2)
		return;
	cs = kcalloc(cpus, sizeof(*cs), GFP_KERNEL);
	if (!cs)
		return;
	for (i = 0; i < cpus; i++) {
		cs[i].w = kvcalloc(SPAWN_PER_CPU, sizeof(*cs[i].w) + sizeof(cs),
				   GFP_KERNEL);
		if (!cs[i].w)
			goto out;
	}
	g = par_round(&p, cs, false);
	k = par_round(&p, cs, true);
	if (g && k)
		go3s_bench_report("spawn_parallel",
				  go3s_bench_per_item(g, (u64)cpus * SPAWN_PER_CPU),
				  "queue_work_on",
				  go3s_bench_per_item(k, (u64)cpus * SPAWN_PER_CPU));
out:
	for (i = 0; i < cpus; i++)
		kvfree(cs[i].w);
	kfree(cs);
}

void go3s_bench_sched(void)
{
	bench_wake_latency();
	bench_blocked_handoff();
	bench_spawn_parallel();
}
