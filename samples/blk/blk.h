/* SPDX-License-Identifier: GPL-2.0 */
/*
 * go3s_blk: a blk-mq RAM disk whose requests flow through go3s channels.
 *
 *   queue_rq --try_send--> front[class] --> scheduler --> be[cpu] --> backend
 *   (blk-mq, any context)  (one per ioprio   (one        (one channel per
 *        |                  class)            goroutine)   backend goroutine,
 *        +------- direct: nothing queued, no bucket ----->  one per CPU)
 *
 * blk.c is the blk-mq glue (module, tag set, disk, queue_rq, timeouts),
 * pipeline.c the goroutines (scheduler with queue-depth limit and token
 * bucket, backends), store.c the pages that hold the data.
 * Documentation/block.rst describes the design.
 */
#ifndef _GO3S_BLK_H
#define _GO3S_BLK_H

#include <linux/atomic.h>
#include <linux/blk-mq.h>
#include <linux/ktime.h>
#include <linux/xarray.h>

#include <go3s/wg.h>

struct go3s_chan;

/* Frontend channels, one per ioprio class, served in this order. */
enum blk_prio {
	BLK_PRIO_RT,
	BLK_PRIO_BE,		/* also IOPRIO_CLASS_NONE */
	BLK_PRIO_IDLE,
	BLK_PRIO_NR,
};

/*
 * Per-request driver data (blk_mq_rq_to_pdu()). ->state is a generation
 * count shifted left by 2 and one of the CMD_* values below. queue_rq
 * bumps the generation and sets CMD_QUEUED; exactly one of a backend
 * (cmpxchg to CMD_RUNNING) and the timeout handler (cmpxchg to CMD_IDLE)
 * takes a queued request. A message still in a channel for a request that
 * timed out, and was perhaps reused since, carries an old generation: the
 * cmpxchg fails and the message is dropped.
 */
#define CMD_IDLE	0UL
#define CMD_QUEUED	1UL
#define CMD_RUNNING	2UL
#define CMD_MASK	3UL

struct blk_cmd {
	atomic_long_t state;
	blk_status_t status;		/* set by whoever completes it */
	bool refused;			/* refused by queue_rq, not sent since */
	unsigned int cpu;		/* queue_rq ran here: picks the backend */
};

/* What travels through the channels. */
struct blk_msg {
	struct request *rq;
	unsigned long state;		/* ->state when it was queued */
};

/* Where the data lives: one page per PAGE_SIZE, allocated on first write. */
struct blk_store {
	struct xarray pages;		/* page index -> struct page * */
	atomic_long_t nr_pages;
};

/* A token bucket kept as a virtual clock (pipeline.c). Scheduler only. */
struct blk_bucket {
	u64 rate;			/* units per second, 0: unlimited */
	ktime_t tat;			/* when it would be full again */
};

struct blk_stats {
	atomic_long_t busy;		/* queue_rq returned DEV_RESOURCE */
	atomic_long_t reruns;		/* hw queues re-run by the scheduler */
	atomic_long_t throttled;	/* scheduler waits for tokens */
	atomic_long_t timeouts;		/* requests failed by .timeout */
	atomic_long_t stale;		/* messages for timed-out requests */
	atomic_long_t errors;		/* requests completed with an error */
	atomic_long_t starts;		/* pipelines started (first open) */
	atomic_long_t direct;		/* sent by queue_rq straight to a backend */
	atomic_long_t remote;		/* run on another CPU than submitted on */
	/* Requests the backends ran, by kind (FUA writes also count as writes). */
	atomic_long_t reads, writes, fua, flushes, discards, write_zeroes;
};

/* A backend goroutine and its channel (scheduler or queue_rq -> it). */
struct blk_backend {
	struct go3s_chan *ch;
	struct blk_pipe *pipe;
	unsigned int cpu;		/* where it was spawned, and serves */
};

/* One pipeline, alive from the disk's first open to its last release. */
struct blk_pipe {
	struct go3s_chan *front[BLK_PRIO_NR];	/* queue_rq -> scheduler */
	struct go3s_chan *room;			/* backends -> waiting scheduler */
	struct blk_backend *be;			/* nr_be of them */
	unsigned int nr_be;
	struct go3s_wg running;			/* scheduler and backends */
	atomic_t inflight;	/* dispatched, not finished: <= depth */
	atomic_t waiting;	/* the scheduler waits on room */
	atomic_t stalled;	/* queue_rq found a front channel full */
	struct blk_bucket bytes, ops;		/* scheduler only */
	struct blk_dev *dev;
};

struct blk_dev {
	struct blk_mq_tag_set set;
	struct gendisk *disk;
	struct blk_pipe *pipe;		/* open_mutex; read by queue_rq */
	unsigned int openers;		/* disk->open_mutex */
	atomic_t refused;		/* requests refused, not sent since */
	struct blk_store store;
	struct blk_stats stats;
	struct dentry *debugfs;
};

/* Module parameters (blk.c). */
extern unsigned int blk_chan_cap, blk_depth, blk_backends;
extern bool blk_direct;
extern unsigned long blk_mbps, blk_iops;

/* pipeline.c */
int blk_pipe_start(struct blk_dev *dev);
void blk_pipe_stop(struct blk_dev *dev);
int blk_pipe_submit(struct blk_pipe *pipe, struct request *rq,
		    unsigned long state);

/* store.c */
void blk_store_init(struct blk_store *st);
void blk_store_destroy(struct blk_store *st);
blk_status_t blk_store_exec(struct blk_store *st, struct request *rq);

#endif /* _GO3S_BLK_H */
