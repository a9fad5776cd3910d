// SPDX-License-Identifier: GPL-2.0
/*
 * Channel, select and queue costs against the kernel's own mechanisms,
 * in the BENCH line format of bench.c:
 *   chan_buffered  send+receive on a buffered channel vs a spinlocked kfifo
 *   chan_pingpong  unbuffered round trip between two goroutines vs two
 *		    kthreads ping-ponging through completions
 *   queue_mpmc     push+pop vs ptr_ring produce+consume, one thread
 *   queue_mpmc4    the same with 4 producer and 4 consumer threads (SMP)
 *   select2	    a two-case select (one case ready) vs a one-case receive
 */
#include <linux/cpumask.h>
#include <linux/kfifo.h>
#include <linux/kthread.h>
#include <linux/ptr_ring.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/queue.h>
#include <go3s/wg.h>

#include "bench.h"

#define OPS		1000000U
#define ROUNDS		100000U
#define RING		1024U
#define MT_THREADS	4
#define MT_ITEMS	200000U		/* per producer */

/* ---- chan_buffered ------------------------------------------------------ */

static DEFINE_SPINLOCK(fifo_lock);
static DEFINE_KFIFO(fifo, u64, RING);

static void bench_buffered(void)
{
	struct go3s_chan *ch = go3s_chan_new(sizeof(u64), RING, GFP_KERNEL);
	u64 i, v, t0, g, k;

	if (IS_ERR(ch))
		return;
	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		go3s_chan_send(ch, &i);
		go3s_chan_recv(ch, &v, NULL);
	}
	g = ktime_get_ns() - t0;
	go3s_chan_put(ch);

	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		kfifo_in_spinlocked(&fifo, &i, 1, &fifo_lock);
		if (!kfifo_out_spinlocked(&fifo, &v, 1, &fifo_lock))
			break;
	}
	k = ktime_get_ns() - t0;
	go3s_bench_report("chan_buffered", go3s_bench_per_item(g, OPS),
			  "kfifo_spinlocked", go3s_bench_per_item(k, OPS));
}

/* ---- chan_pingpong ------------------------------------------------------ */

struct gping {
	struct go3s_chan *ping, *pong;
	struct go3s_wg wg;
	u64 ns;
};

static void pinger(void *arg)
{
	struct gping *p = arg;
	u64 i, v, t0 = ktime_get_ns();

	for (i = 0; i < ROUNDS; i++) {
		go3s_chan_send(p->ping, &i);
		go3s_chan_recv(p->pong, &v, NULL);
	}
	p->ns = ktime_get_ns() - t0;
	go3s_chan_close(p->ping);
	go3s_wg_done(&p->wg);
}

static void ponger_g(void *arg)
{
	struct gping *p = arg;
	bool ok;
	u64 v;

	while (!go3s_chan_recv(p->ping, &v, &ok) && ok)
		go3s_chan_send(p->pong, &v);
	go3s_wg_done(&p->wg);
}

static void bench_pingpong(void)
{
	struct pingpong *pp = kzalloc(sizeof(*pp), GFP_KERNEL);
	struct gping p = {};
	u64 k;

	p.ping = go3s_chan_new(sizeof(u64), 0, GFP_KERNEL);
	p.pong = go3s_chan_new(sizeof(u64), 0, GFP_KERNEL);
	if (!pp || IS_ERR(p.ping) || IS_ERR(p.pong))
		goto out;
	go3s_wg_init(&p.wg);
	go3s_wg_add(&p.wg, 2);
	if (go3s_go(ponger_g, &p)) {
		kfree(pp);
		return;
	}
	if (go3s_go(pinger, &p)) {
		go3s_chan_close(p.ping);
		go3s_wg_done(&p.wg);
	}
	go3s_wg_wait(&p.wg);
	k = go3s_bench_kthread_pingpong(pp, ROUNDS);
	go3s_bench_report("chan_pingpong", go3s_bench_per_item(p.ns, ROUNDS),
			  "kthread_completion", go3s_bench_per_item(k, ROUNDS));
out:
	if (!IS_ERR_OR_NULL(p.ping))
		go3s_chan_put(p.ping);
	if (!IS_ERR_OR_NULL(p.pong))
		go3s_chan_put(p.pong);
	kfree(pp);
}

/* ---- queue_mpmc --------------------------------------------------------- */

static struct ptr_ring pring;

static void bench_queue(void)
{
	struct go3s_queue *q = go3s_queue_new(RING, GFP_KERNEL);
	unsigned long i;
	u64 t0, g, k;
	void *v;

	if (IS_ERR(q))
		return;
	if (ptr_ring_init(&pring, RING, GFP_KERNEL)) {
		go3s_queue_free(q);
		return;
	}
	t0 = ktime_get_ns();
	for (i = 1; i <= OPS; i++) {
		go3s_queue_push(q, (void *)i);
		go3s_queue_pop(q, &v);
	}
	g = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 1; i <= OPS; i++) {
		ptr_ring_produce(&pring, (void *)i);	/* ptr_ring: no NULLs */
		v = ptr_ring_consume(&pring);
	}
	k = ktime_get_ns() - t0;
	go3s_bench_report("queue_mpmc", go3s_bench_per_item(g, OPS), "ptr_ring",
			  go3s_bench_per_item(k, OPS));
	ptr_ring_cleanup(&pring, NULL);
	go3s_queue_free(q);
}

/* 4 producers and 4 consumers moving MT_ITEMS each through one ring. */
struct mt {
	struct go3s_queue *q;
	bool use_ptr_ring;
	atomic_t left;
	struct completion done;
};

static bool mt_push(struct mt *m, void *v)
{
	return m->use_ptr_ring ? !ptr_ring_produce(&pring, v) :
				 !go3s_queue_push(m->q, v);
}

static bool mt_pop(struct mt *m)
{
	void *v;

	return m->use_ptr_ring ? !!ptr_ring_consume(&pring) :
				 !go3s_queue_pop(m->q, &v);
}

static int mt_producer(void *arg)
{
	struct mt *m = arg;
	unsigned long i;

	for (i = 1; i <= MT_ITEMS; i++)
		while (!mt_push(m, (void *)i))
			cpu_relax();
	if (atomic_dec_and_test(&m->left))
		complete(&m->done);
	return 0;
}

static int mt_consumer(void *arg)
{
	struct mt *m = arg;
	unsigned int n;

	for (n = 0; n < MT_ITEMS; n++)
		while (!mt_pop(m))
			cpu_relax();
	if (atomic_dec_and_test(&m->left))
		complete(&m->done);
	return 0;
}

static u64 mt_run(struct mt *m)
{
	struct task_struct *t[2 * MT_THREADS];
	unsigned int i, n = 0;
	u64 t0;

	atomic_set(&m->left, 2 * MT_THREADS);
	init_completion(&m->done);
	for (i = 0; i < 2 * MT_THREADS; i++) {
		t[i] = kthread_create(i & 1 ? mt_consumer : mt_producer, m,
				      "go3s_mt/%u", i);
		if (IS_ERR(t[i]))
			break;
		kthread_bind(t[i], i % num_online_cpus());
		n++;
	}
	if (n < 2 * MT_THREADS) {
		for (i = 0; i < n; i++)
			kthread_stop(t[i]);
		return 0;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		wake_up_process(t[i]);
	wait_for_completion(&m->done);
	return ktime_get_ns() - t0;
}

static void bench_queue_mt(void)
{
	struct mt m = {};
	u64 g, k;

	if (num_online_cpus() < 2)
		return;		/* spinning threads on one CPU measure nothing */
	m.q = go3s_queue_new(RING, GFP_KERNEL);
	if (IS_ERR(m.q))
		return;
	if (ptr_ring_init(&pring, RING, GFP_KERNEL)) {
		go3s_queue_free(m.q);
		return;
	}
	g = mt_run(&m);
	m.use_ptr_ring = true;
	k = mt_run(&m);
	if (g && k)
		go3s_bench_report("queue_mpmc4",
				  go3s_bench_per_item(g, MT_THREADS * MT_ITEMS),
				  "ptr_ring",
				  go3s_bench_per_item(k, MT_THREADS * MT_ITEMS));
	ptr_ring_cleanup(&pring, NULL);
	go3s_queue_free(m.q);
}

/* ---- select2 ------------------------------------------------------------ */

static void bench_select(void)
{
	struct go3s_chan *a = go3s_chan_new(sizeof(u64), 1, GFP_KERNEL);
	struct go3s_chan *b = go3s_chan_new(sizeof(u64), 1, GFP_KERNEL);
	u64 i, v = 0, t0, s, r;
	struct go3s_select_case c[2] = {
		{ .ch = a, .elem = &v, .dir = GO3S_CHAN_RECV },
		{ .ch = b, .elem = &v, .dir = GO3S_CHAN_RECV },
	};

	if (IS_ERR(a) || IS_ERR(b))
		goto out;
	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		go3s_chan_try_send(b, &i);
		go3s_select(c, 2, GO3S_FOREVER);
	}
	s = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		go3s_chan_try_send(b, &i);
		go3s_chan_recv(b, &v, NULL);
	}
	r = ktime_get_ns() - t0;
	go3s_bench_report("select2", go3s_bench_per_item(s, OPS), "chan_recv",
			  go3s_bench_per_item(r, OPS));
out:
	if (!IS_ERR(a))
		go3s_chan_put(a);
	if (!IS_ERR(b))
		go3s_chan_put(b);
}

void go3s_bench_chan(void)
{
	bench_buffered();
	bench_pingpong();
	bench_queue();
	bench_queue_mt();
	bench_select();
}
