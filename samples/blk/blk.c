// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_blk: a RAM disk (/dev/go3s_blk0) on blk-mq whose requests flow
 * through go3s channels to goroutines. This file is the blk-mq side: the
 * module and its parameters, the tag set (one hardware queue per CPU),
 * the disk, queue_rq, completion and timeouts.
 *
 * queue_rq never waits: it starts the request and try_sends it to the
 * pipeline (pipeline.c). A full channel is backpressure: queue_rq returns
 * BLK_STS_DEV_RESOURCE, blk-mq keeps the request, and the scheduler
 * goroutine re-runs the hardware queues once it has made room.
 *
 * The goroutines exist while the disk is open. Each holds a reference on
 * this module, and an open block device holds one too (fops.owner), so
 * the first open starts the pipeline and the last release stops it:
 * rmmod is refused while the disk is in use and works once it is closed.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include <go3s/chan.h>
#include <go3s/compat.h>

#include "blk.h"

static unsigned long size_mb = 256;
module_param(size_mb, ulong, 0444);
MODULE_PARM_DESC(size_mb, "Size of the disk in MiB (default 256)");

unsigned long blk_mbps;
module_param_named(mbps, blk_mbps, ulong, 0444);
MODULE_PARM_DESC(mbps, "Bandwidth limit in MiB/s, 0: none (default)");

unsigned long blk_iops;
module_param_named(iops, blk_iops, ulong, 0444);
MODULE_PARM_DESC(iops, "Requests per second limit, 0: none (default)");

unsigned int blk_chan_cap = 256;
module_param_named(chan_cap, blk_chan_cap, uint, 0444);
MODULE_PARM_DESC(chan_cap, "Capacity of each frontend channel (default 256)");

unsigned int blk_depth = 128;
module_param_named(depth, blk_depth, uint, 0444);
MODULE_PARM_DESC(depth, "Requests the scheduler lets run at once (default 128)");

unsigned int blk_backends;
module_param_named(backends, blk_backends, uint, 0444);
MODULE_PARM_DESC(backends, "Backend goroutines, 0: one per online CPU (default)");

bool blk_direct = true;
module_param_named(direct, blk_direct, bool, 0644);
MODULE_PARM_DESC(direct, "Let queue_rq hand a request straight to its CPU's backend when the scheduler would not hold it back (default Y)");

static unsigned int hw_depth = 64;
module_param(hw_depth, uint, 0444);
MODULE_PARM_DESC(hw_depth, "Tags per hardware queue (default 64)");

static unsigned int timeout_ms = 30000;
module_param(timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms, "Request timeout in ms (default 30000)");

static struct blk_dev *blk_dev;

static blk_status_t blk_queue_rq(struct blk_mq_hw_ctx *hctx,
				 const struct blk_mq_queue_data *bd)
{
	struct blk_dev *dev = hctx->queue->queuedata;
	struct blk_pipe *pipe = READ_ONCE(dev->pipe);
	struct request *rq = bd->rq;
	struct blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	bool was_refused = cmd->refused;
	unsigned long state;
	int ret;

	/* Every submitter has the disk open, so the pipeline runs. */
	if (unlikely(!pipe))
		return BLK_STS_IOERR;

	blk_mq_start_request(rq);
	state = ((atomic_long_read(&cmd->state) & ~CMD_MASK) + CMD_MASK + 1) |
		CMD_QUEUED;
	atomic_long_set(&cmd->state, state);
	/* Once sent, the request belongs to the pipeline: set this first. */
	cmd->refused = false;
	cmd->cpu = raw_smp_processor_id();
	ret = blk_pipe_submit(pipe, rq, state);
	if (!ret) {
		if (was_refused)
			atomic_dec(&dev->refused);
		return BLK_STS_OK;
	}
	/* Take it back, unless the timeout handler already completed it. */
	if (atomic_long_cmpxchg(&cmd->state, state, state & ~CMD_MASK) != state) {
		if (was_refused)
			atomic_dec(&dev->refused);
		return BLK_STS_OK;
	}
	if (ret == -EAGAIN) {
		cmd->refused = true;
		if (!was_refused)
			atomic_inc(&dev->refused);
		atomic_long_inc(&dev->stats.busy);
		return BLK_STS_DEV_RESOURCE;
	}
	if (was_refused)
		atomic_dec(&dev->refused);
	return BLK_STS_IOERR;
}

static void blk_complete(struct request *rq)
{
	struct blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, cmd->status);
}

/*
 * A request still waiting in a channel (the token bucket holds it back,
 * say) fails with BLK_STS_TIMEOUT; the message left behind is dropped by
 * whoever receives it (its generation is old). A request a backend is
 * running finishes in a moment: give it more time.
 */
static enum blk_eh_timer_return blk_timeout(struct request *rq)
{
	struct blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	unsigned long state = atomic_long_read(&cmd->state);
	struct blk_dev *dev = rq->q->queuedata;

	if ((state & CMD_MASK) != CMD_QUEUED ||
	    atomic_long_cmpxchg(&cmd->state, state, state & ~CMD_MASK) != state)
		return BLK_EH_RESET_TIMER;
	atomic_long_inc(&dev->stats.timeouts);
	cmd->status = BLK_STS_TIMEOUT;
	blk_mq_complete_request(rq);
	return BLK_EH_DONE;
}

static int blk_init_request(struct blk_mq_tag_set *set, struct request *rq,
			    unsigned int hctx_idx, unsigned int numa_node)
{
	struct blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	atomic_long_set(&cmd->state, CMD_IDLE);
	cmd->refused = false;
	cmd->status = BLK_STS_OK;
	return 0;
}

static const struct blk_mq_ops mq_ops = {
	.queue_rq	= blk_queue_rq,
	.complete	= blk_complete,
	.timeout	= blk_timeout,
	.init_request	= blk_init_request,
};

/* Both run with disk->open_mutex held (bdev_open(), bdev_release()). */
static int blk_open(struct gendisk *disk, blk_mode_t mode)
{
	struct blk_dev *dev = disk->private_data;
	int ret;

	lockdep_assert_held(&disk->open_mutex);
	if (dev->openers++)
		return 0;
	ret = blk_pipe_start(dev);
	if (ret)
		dev->openers--;
	return ret;
}

static void blk_release(struct gendisk *disk)
{
	struct blk_dev *dev = disk->private_data;
	struct request_queue *q = disk->queue;

	lockdep_assert_held(&disk->open_mutex);
	if (--dev->openers)
		return;
	/* Every request completes (the pipeline still runs), none starts. */
	blk_mq_freeze_queue(q);
	blk_mq_quiesce_queue(q);
	blk_pipe_stop(dev);
	blk_mq_unquiesce_queue(q);
	blk_mq_unfreeze_queue(q);
}

static const struct block_device_operations blk_fops = {
	.owner		= THIS_MODULE,
	.open		= blk_open,
	.release	= blk_release,
};

static int blk_stats_show(struct seq_file *m, void *v)
{
	struct blk_dev *dev = m->private;
	struct blk_stats *s = &dev->stats;

	seq_printf(m, "busy: %ld\nreruns: %ld\nthrottled: %ld\n",
		   atomic_long_read(&s->busy), atomic_long_read(&s->reruns),
		   atomic_long_read(&s->throttled));
	seq_printf(m, "timeouts: %ld\nstale: %ld\nerrors: %ld\n",
		   atomic_long_read(&s->timeouts), atomic_long_read(&s->stale),
		   atomic_long_read(&s->errors));
	seq_printf(m, "reads: %ld\nwrites: %ld\nfua: %ld\nflushes: %ld\n",
		   atomic_long_read(&s->reads), atomic_long_read(&s->writes),
		   atomic_long_read(&s->fua), atomic_long_read(&s->flushes));
	seq_printf(m, "discards: %ld\nwrite_zeroes: %ld\n",
		   atomic_long_read(&s->discards),
		   atomic_long_read(&s->write_zeroes));
	seq_printf(m, "direct: %ld\nremote: %ld\n",
		   atomic_long_read(&s->direct), atomic_long_read(&s->remote));
	seq_printf(m, "starts: %ld\nrefused: %d\nrunning: %d\npages: %ld\n",
		   atomic_long_read(&s->starts), atomic_read(&dev->refused),
		   READ_ONCE(dev->pipe) ? 1 : 0,
		   atomic_long_read(&dev->store.nr_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(blk_stats);

static int blk_check_params(void)
{
	if (!size_mb || size_mb > (ULONG_MAX >> 20) >> SECTOR_SHIFT ||
	    !blk_depth || blk_depth > GO3S_CHAN_MAX_CAP ||
	    blk_chan_cap > GO3S_CHAN_MAX_CAP || !hw_depth || !timeout_ms ||
	    blk_backends > 1024 || blk_mbps > (U64_MAX >> 20)) {
		pr_err("invalid module parameters\n");
		return -EINVAL;
	}
	return 0;
}

static int blk_add_disk(struct blk_dev *dev)
{
	struct queue_limits lim = {
		.logical_block_size	= SECTOR_SIZE,
		.physical_block_size	= PAGE_SIZE,
		.max_hw_discard_sectors	= UINT_MAX >> SECTOR_SHIFT,
		.max_write_zeroes_sectors = UINT_MAX >> SECTOR_SHIFT,
		.discard_granularity	= PAGE_SIZE,
		.features		= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA,
	};
	struct gendisk *disk;
	int ret;

	disk = blk_mq_alloc_disk(&dev->set, &lim, dev);
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	/*
	 * Complete where the backend runs (a goroutine, process context)
	 * rather than by IPI on the submitting CPU; rq_affinity in sysfs
	 * turns it back on.
	 */
	blk_queue_flag_clear(QUEUE_FLAG_SAME_COMP, disk->queue);
	disk->fops = &blk_fops;
	disk->private_data = dev;
	strscpy(disk->disk_name, "go3s_blk0", sizeof(disk->disk_name));
	set_capacity(disk, (sector_t)size_mb << (20 - SECTOR_SHIFT));
	dev->disk = disk;
	ret = add_disk(disk);
	if (ret) {
		put_disk(disk);
		dev->disk = NULL;
	}
	return ret;
}

static int __init blk_init(void)
{
	struct blk_dev *dev;
	int ret;

	ret = blk_check_params();
	if (ret)
		return ret;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	blk_store_init(&dev->store);

	dev->set.ops = &mq_ops;
	dev->set.nr_hw_queues = nr_cpu_ids;
	dev->set.queue_depth = hw_depth;
	dev->set.numa_node = NUMA_NO_NODE;
	dev->set.cmd_size = sizeof(struct blk_cmd);
	dev->set.flags = BLK_MQ_F_SHOULD_MERGE;
	dev->set.timeout = msecs_to_jiffies(timeout_ms);
	dev->set.driver_data = dev;
	ret = blk_mq_alloc_tag_set(&dev->set);
	if (ret)
		goto err_free;

	ret = blk_add_disk(dev);
	if (ret)
		goto err_tags;
	dev->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, dev->debugfs, dev, &blk_stats_fops);
	blk_dev = dev;
	pr_info("%s: %lu MiB, %u hardware queues, chan_cap %u, depth %u, mbps %lu, iops %lu, direct %d\n",
		dev->disk->disk_name, size_mb, dev->set.nr_hw_queues,
		blk_chan_cap, blk_depth, blk_mbps, blk_iops, blk_direct);
	return 0;

err_tags:
	blk_mq_free_tag_set(&dev->set);
err_free:
	kfree(dev);
	return ret;
}

static void __exit blk_exit(void)
{
	struct blk_dev *dev = blk_dev;

	debugfs_remove_recursive(dev->debugfs);
	del_gendisk(dev->disk);
	/* Nobody has the disk open (it pins this module): nothing runs. */
	blk_pipe_stop(dev);
	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->set);
	blk_store_destroy(&dev->store);
	kfree(dev);
}

module_init(blk_init);
module_exit(blk_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample client: a blk-mq RAM disk whose requests flow through channels");
MODULE_VERSION("0.1.0");
