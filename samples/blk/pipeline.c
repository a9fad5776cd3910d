// SPDX-License-Identifier: GPL-2.0
/*
 * The pipeline: goroutines and the channels between them.
 *
 *   front[RT|BE|IDLE]  blk_msg, capacity chan_cap: queue_rq try_sends, the
 *                      scheduler receives. Full: queue_rq returns
 *                      BLK_STS_DEV_RESOURCE (blk.c).
 *   be[i].ch           blk_msg, capacity depth: the scheduler (or queue_rq,
 *                      directly) -> backend i. Backend i is spawned on CPU
 *                      i and serves the requests submitted on the CPUs i,
 *                      i + nr_be, ...
 *   room               0-byte elements, capacity 1: a backend tells the
 *                      scheduler, waiting at the queue-depth limit, that a
 *                      request finished.
 *
 * The scheduler takes the highest-priority request that is ready (RT,
 * then BE, then IDLE), waits for the token buckets (mbps, iops) and for
 * fewer than depth requests in flight (->inflight; it waits on room),
 * and hands the request to the backend of the CPU that submitted it.
 *
 * The direct path: when no token bucket is set, every front channel is
 * empty and fewer than depth requests are in flight, the scheduler would
 * hand a request on at once. queue_rq then does that itself: it counts
 * the request in ->inflight and try_sends it to the submitting CPU's
 * backend, which sits on the same CPU. Nothing crosses CPUs, and a
 * backend woken for one request finds the rest of blk-mq's batch queued
 * behind it. A message sent directly is checked and completed exactly as
 * one the scheduler sent; module parameter direct=0 turns the path off.
 *
 * Every message in a backend channel is counted in ->inflight (at most
 * depth), so a send to one (capacity depth) never waits.
 *
 * Re-running the hardware queues: queue_rq sets ->stalled when a front
 * channel was full. The scheduler, having made room by receiving, clears
 * it and re-runs the hardware queues (blk_mq_run_hw_queues(), no delay).
 * queue_rq sets the flag before trying the send a second time, and the
 * scheduler clears it after its receive, so one of the two sees the
 * other: the channel lock orders the failed send before the receive that
 * made room, and the flag's store comes before the send, its exchange
 * after the receive. One race is left, and it belongs to blk-mq: the
 * re-run may come before blk-mq has put the refused request back on its
 * dispatch list, and then finds nothing to do. So while requests refused
 * by queue_rq have not been taken yet (dev->refused), the scheduler
 * waits on idle front channels for at most REFUSED_RECHECK_NS and then
 * re-runs the queues again. Nothing ever polls while nothing is refused.
 *
 * Stopping (blk_pipe_stop(), last release of the disk): the queue is
 * frozen first, so no request is in the pipeline, and quiesced, so
 * queue_rq sends nothing more. Closing the front channels ends the
 * scheduler, which closes the backend channels, which ends the backends;
 * a WaitGroup joins them.
 */
#include <linux/blk-mq.h>
#include <linux/cpumask.h>
#include <linux/ioprio.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#include "blk.h"

/* How far ahead of its rate a token bucket lets requests go. */
#define BUCKET_BURST_NS		(2 * NSEC_PER_MSEC)
/* While a refused request waits, re-run the queues this often when idle. */
#define REFUSED_RECHECK_NS	NSEC_PER_MSEC

/*
 * Token buckets as a virtual clock (GCRA): ->tat is when the bucket would
 * be empty again. A request may go while ->tat is at most BUCKET_BURST_NS
 * ahead of now; it then moves ->tat by its cost, n / rate seconds. The
 * long-run rate is exact (no rounding accumulates between requests), the
 * burst bounded.
 */
static void bucket_init(struct blk_bucket *b, u64 rate)
{
	b->rate = rate;
	b->tat = ktime_get();
}

/* How long to wait before @b lets a request go; 0: now. */
static u64 bucket_wait(const struct blk_bucket *b, ktime_t now)
{
	s64 ahead;

	if (!b->rate)
		return 0;
	ahead = ktime_to_ns(ktime_sub(b->tat, now));
	return ahead > (s64)BUCKET_BURST_NS ? ahead - BUCKET_BURST_NS : 0;
}

static void bucket_charge(struct blk_bucket *b, ktime_t now, u64 n)
{
	if (!b->rate)
		return;
	if (ktime_before(b->tat, now))
		b->tat = now;
	b->tat = ktime_add_ns(b->tat,
			      mul_u64_u64_div_u64(n, NSEC_PER_SEC, b->rate));
}

/* Sleep (the goroutine parks) until both buckets let @rq go. */
static void throttle(struct blk_pipe *p, struct request *rq)
{
	u64 bytes = 0;
	ktime_t now;

	if (!p->bytes.rate && !p->ops.rate)
		return;
	if (req_op(rq) == REQ_OP_READ || req_op(rq) == REQ_OP_WRITE)
		bytes = blk_rq_bytes(rq);
	for (;;) {
		u64 wait;

		now = ktime_get();
		wait = max(bucket_wait(&p->bytes, now), bucket_wait(&p->ops, now));
		if (!wait)
			break;
		atomic_long_inc(&p->dev->stats.throttled);
		go3s_sleep(wait);
	}
	bucket_charge(&p->bytes, now, bytes);
	bucket_charge(&p->ops, now, 1);
}

static void rerun_queues(struct blk_pipe *p)
{
	atomic_long_inc(&p->dev->stats.reruns);
	blk_mq_run_hw_queues(p->dev->disk->queue, true);
}

/* Room was made in a front channel: let blk-mq send what it kept. */
static void kick_if_stalled(struct blk_pipe *p)
{
	/* Full barrier; pairs with smp_mb__after_atomic() in blk_pipe_submit(). */
	if (atomic_xchg(&p->stalled, 0))
		rerun_queues(p);
}

/*
 * The next request, highest priority first. @live holds the front
 * channels still open (a closed and drained one becomes NULL).
 * Return: 0 with *@m filled, -EAGAIN to call again, -ETIMEDOUT after an
 * idle recheck, -EPIPE once every front channel is closed and drained.
 */
static int sched_next(struct blk_pipe *p, struct go3s_chan **live,
		      struct blk_msg *m)
{
	struct go3s_select_case cases[BLK_PRIO_NR];
	unsigned int prio[BLK_PRIO_NR];
	unsigned int i, n = 0;
	s64 timeout;
	bool ok;
	int ret;

	/*
	 * The length is read without the lock: a channel seen empty here
	 * is waited on by the select below, closed or not.
	 */
	for (i = 0; i < BLK_PRIO_NR; i++) {
		if (!live[i] || !go3s_chan_len(live[i]) ||
		    go3s_chan_try_recv(live[i], m, &ok))
			continue;
		if (ok)
			return 0;
		live[i] = NULL;
	}
	for (i = 0; i < BLK_PRIO_NR; i++) {
		if (!live[i])
			continue;
		cases[n] = (struct go3s_select_case){ .ch = live[i], .elem = m,
						      .dir = GO3S_CHAN_RECV };
		prio[n++] = i;
	}
	if (!n)
		return -EPIPE;

	/* Nothing ready: make sure blk-mq has nothing left to send first. */
	kick_if_stalled(p);
	timeout = atomic_read(&p->dev->refused) ? REFUSED_RECHECK_NS :
						  GO3S_FOREVER;
	ret = go3s_select(cases, n, timeout);
	if (ret == -ETIMEDOUT)
		return ret;
	if (ret < 0)
		return -EAGAIN;
	if (cases[ret].ok)
		return 0;
	live[prio[ret]] = NULL;
	return -EAGAIN;
}

/* A message for a request that timed out (and was maybe reused since). */
static bool msg_stale(const struct blk_msg *m)
{
	struct blk_cmd *cmd = blk_mq_rq_to_pdu(m->rq);

	return atomic_long_read(&cmd->state) != m->state;
}

/*
 * The queue-depth limit. ->waiting is set before ->inflight is read again
 * and a backend decrements ->inflight before it reads ->waiting (both with
 * full barriers), so either the scheduler sees the room or the backend
 * sees the waiter and sends on room. A token left over from an earlier
 * wait only makes the loop look again.
 */
static void wait_for_room(struct blk_pipe *p)
{
	while (atomic_read(&p->inflight) >= blk_depth) {
		atomic_set(&p->waiting, 1);
		/* Pairs with atomic_dec_return() in backend(). */
		smp_mb__after_atomic();
		if (atomic_read(&p->inflight) < blk_depth)
			break;
		go3s_chan_recv(p->room, NULL, NULL);
	}
	atomic_set(&p->waiting, 0);
	atomic_inc(&p->inflight);
}

/* A request left ->inflight: wake the scheduler if it waits for room. */
static void put_inflight(struct blk_pipe *p)
{
	/* Fully ordered; pairs with smp_mb__after_atomic() in wait_for_room(). */
	if (atomic_dec_return(&p->inflight) < blk_depth &&
	    atomic_read(&p->waiting))
		go3s_chan_try_send(p->room, NULL);
}

/* The backend that serves the CPU on which queue_rq sent @rq. */
static struct blk_backend *backend_of(struct blk_pipe *p, struct request *rq)
{
	struct blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	return &p->be[cmd->cpu % p->nr_be];
}

static void scheduler(void *arg)
{
	struct blk_pipe *p = arg;
	struct go3s_chan *live[BLK_PRIO_NR];
	struct blk_msg m;
	unsigned int i;
	int ret;

	memcpy(live, p->front, sizeof(live));
	for (;;) {
		ret = sched_next(p, live, &m);
		if (ret == -EPIPE)
			break;
		if (ret == -ETIMEDOUT)
			rerun_queues(p);
		if (ret)
			continue;
		kick_if_stalled(p);
		if (msg_stale(&m)) {
			atomic_long_inc(&p->dev->stats.stale);
			continue;
		}
		throttle(p, m.rq);
		wait_for_room(p);
		/* Counted in ->inflight: there is room, nothing waits. */
		if (go3s_chan_try_send(backend_of(p, m.rq)->ch, &m))
			WARN_ON_ONCE(1);
	}
	for (i = 0; i < p->nr_be; i++)
		go3s_chan_close(p->be[i].ch);
	go3s_wg_done(&p->running);
}

static void count_op(struct blk_stats *s, struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		atomic_long_inc(&s->reads);
		break;
	case REQ_OP_WRITE:
		atomic_long_inc(&s->writes);
		if (rq->cmd_flags & REQ_FUA)
			atomic_long_inc(&s->fua);
		break;
	case REQ_OP_FLUSH:
		atomic_long_inc(&s->flushes);
		break;
	case REQ_OP_DISCARD:
		atomic_long_inc(&s->discards);
		break;
	case REQ_OP_WRITE_ZEROES:
		atomic_long_inc(&s->write_zeroes);
		break;
	default:
		break;
	}
}

static void backend(void *arg)
{
	struct blk_backend *be = arg;
	struct blk_pipe *p = be->pipe;
	struct blk_msg m;
	bool ok;

	while (!go3s_chan_recv(be->ch, &m, &ok) && ok) {
		struct blk_cmd *cmd = blk_mq_rq_to_pdu(m.rq);
		unsigned long gen = m.state & ~CMD_MASK;

		/* Ours unless the timeout handler took it first. */
		if (atomic_long_cmpxchg(&cmd->state, m.state,
					gen | CMD_RUNNING) == m.state) {
			if (raw_smp_processor_id() != cmd->cpu)
				atomic_long_inc(&p->dev->stats.remote);
			count_op(&p->dev->stats, m.rq);
			cmd->status = blk_store_exec(&p->dev->store, m.rq);
			if (cmd->status)
				atomic_long_inc(&p->dev->stats.errors);
			atomic_long_set(&cmd->state, gen | CMD_IDLE);
			blk_mq_complete_request(m.rq);
		} else {
			atomic_long_inc(&p->dev->stats.stale);
		}
		put_inflight(p);
	}
	go3s_wg_done(&p->running);
}

/*
 * The direct path (see the top of this file). The front channels are
 * looked at without their locks: a request the scheduler receives a
 * moment later may be overtaken by this one, as by any request that
 * reached blk-mq first.
 */
static bool submit_direct(struct blk_pipe *p, const struct blk_msg *m)
{
	unsigned int i;

	if (!READ_ONCE(blk_direct) || p->bytes.rate || p->ops.rate)
		return false;
	for (i = 0; i < BLK_PRIO_NR; i++)
		if (go3s_chan_len(p->front[i]))
			return false;
	if (atomic_inc_return(&p->inflight) > blk_depth) {
		put_inflight(p);
		return false;
	}
	if (go3s_chan_try_send(backend_of(p, m->rq)->ch, m)) {
		/* Closed (never while queue_rq runs) or a caller bug. */
		WARN_ON_ONCE(1);
		put_inflight(p);
		return false;
	}
	atomic_long_inc(&p->dev->stats.direct);
	return true;
}

/**
 * blk_pipe_submit - hand a started request to the scheduler
 * @p: the pipeline.
 * @rq: the request; its blk_cmd ->state is already @state.
 * @state: the generation and CMD_QUEUED, as the message carries it.
 *
 * The request goes straight to a backend when the scheduler would not hold
 * it back (see the top of this file), else to the scheduler.
 * Context: any context (queue_rq): it never waits.
 * Return: 0, -EAGAIN when the front channel of @rq's class is full (the
 * scheduler will re-run the hardware queues), -EPIPE when the pipeline is
 * stopping.
 */
int blk_pipe_submit(struct blk_pipe *p, struct request *rq,
		    unsigned long state)
{
	struct blk_msg m = { .rq = rq, .state = state };
	struct go3s_chan *ch;
	int ret;

	if (submit_direct(p, &m))
		return 0;
	switch (IOPRIO_PRIO_CLASS(req_get_ioprio(rq))) {
	case IOPRIO_CLASS_RT:
		ch = p->front[BLK_PRIO_RT];
		break;
	case IOPRIO_CLASS_IDLE:
		ch = p->front[BLK_PRIO_IDLE];
		break;
	default:
		ch = p->front[BLK_PRIO_BE];
		break;
	}
	ret = go3s_chan_try_send(ch, &m);
	if (ret != -EAGAIN)
		return ret;
	atomic_set(&p->stalled, 1);
	/* Pairs with the atomic_xchg() in kick_if_stalled(). */
	smp_mb__after_atomic();
	return go3s_chan_try_send(ch, &m);
}

static void pipe_free(struct blk_pipe *p)
{
	unsigned int i;

	for (i = 0; i < BLK_PRIO_NR; i++)
		go3s_chan_put(p->front[i]);
	for (i = 0; i < p->nr_be; i++)
		go3s_chan_put(p->be[i].ch);
	go3s_chan_put(p->room);
	kfree(p->be);
	kfree(p);
}

/*
 * Close the front channels and wait for every goroutine to end. A task
 * with a fatal signal pending (a process killed while it held the disk
 * open) gets -ERESTARTSYS from go3s_wg_wait() at once; the goroutines
 * only have empty channels to drain, so it waits a tick and asks again.
 */
static void pipe_join(struct blk_pipe *p)
{
	unsigned int i;

	for (i = 0; i < BLK_PRIO_NR; i++)
		go3s_chan_close(p->front[i]);
	while (go3s_wg_wait(&p->running))
		schedule_timeout_uninterruptible(1);
}

static int pipe_spawn(struct blk_pipe *p, go3s_fn_t fn, void *arg)
{
	int ret;

	go3s_wg_add(&p->running, 1);
	ret = go3s_go(fn, arg);
	if (ret)
		go3s_wg_done(&p->running);
	return ret;
}

/* On be->cpu: a goroutine spawned outside a goroutine starts there. */
static long spawn_backend(void *arg)
{
	struct blk_backend *be = arg;

	return pipe_spawn(be->pipe, backend, be);
}

/**
 * blk_pipe_start - create the channels and start the goroutines
 * @dev: the device; its pipeline is not running.
 *
 * Context: process context, disk->open_mutex held (first open).
 * Return: 0, -ENOMEM, or go3s_go()'s error.
 */
int blk_pipe_start(struct blk_dev *dev)
{
	unsigned int i, n = min(blk_backends ?: num_online_cpus(), nr_cpu_ids);
	struct blk_pipe *p;
	int ret = -ENOMEM;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->dev = dev;
	go3s_wg_init(&p->running);
	bucket_init(&p->bytes, (u64)blk_mbps << 20);
	bucket_init(&p->ops, blk_iops);
	for (i = 0; i < BLK_PRIO_NR; i++) {
		p->front[i] = go3s_chan_new(sizeof(struct blk_msg), blk_chan_cap,
					    GFP_KERNEL);
		if (IS_ERR(p->front[i])) {
			p->front[i] = NULL;
			goto err_free;
		}
	}
	p->room = go3s_chan_new(0, 1, GFP_KERNEL);
	if (IS_ERR(p->room)) {
		p->room = NULL;
		goto err_free;
	}
	p->be = kcalloc(n, sizeof(*p->be), GFP_KERNEL);
	if (!p->be)
		goto err_free;
	for (; p->nr_be < n; p->nr_be++) {
		struct blk_backend *be = &p->be[p->nr_be];

		be->ch = go3s_chan_new(sizeof(struct blk_msg), blk_depth,
				       GFP_KERNEL);
		if (IS_ERR(be->ch)) {
			be->ch = NULL;
			goto err_free;
		}
		be->pipe = p;
		be->cpu = p->nr_be;
	}

	ret = pipe_spawn(p, scheduler, p);
	for (i = 0; i < n && !ret; i++) {
		/* Anywhere will do if that CPU is offline (or goes now). */
		if (cpu_online(i))
			ret = work_on_cpu(i, spawn_backend, &p->be[i]);
		else
			ret = spawn_backend(&p->be[i]);
	}
	if (ret) {
		/* Closing front ends the scheduler, which ends the backends. */
		pipe_join(p);
		pipe_free(p);
		return ret;
	}
	atomic_long_inc(&dev->stats.starts);
	WRITE_ONCE(dev->pipe, p);
	return 0;

err_free:
	pipe_free(p);
	return ret;
}

/**
 * blk_pipe_stop - drain and end the pipeline
 * @dev: the device; its queue is frozen and quiesced, so no request is
 *	in the pipeline and queue_rq does not run.
 *
 * Context: process context, may sleep.
 */
void blk_pipe_stop(struct blk_dev *dev)
{
	struct blk_pipe *p = dev->pipe;

	if (!p)
		return;
	WRITE_ONCE(dev->pipe, NULL);
	pipe_join(p);
	pipe_free(p);
}
