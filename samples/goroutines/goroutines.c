// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutines from a driver's point of view: fan out work, join it with a
 * WaitGroup, and keep one goroutine alive for hold_ms, during which the
 * module cannot be unloaded (the goroutine holds a reference on it).
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <go3s/go.h>
#include <go3s/wg.h>

#define WORKERS	8

static unsigned int hold_ms = 2000;
module_param(hold_ms, uint, 0444);
MODULE_PARM_DESC(hold_ms, "How long the last goroutine lives after load (ms)");

static struct go3s_wg wg;
static atomic64_t sum;

static void square(void *arg)
{
	long n = (long)arg;

	go3s_sleep(NSEC_PER_MSEC);	/* parks: the worker runs the others */
	atomic64_add(n * n, &sum);
	go3s_wg_done(&wg);
}

static void holder(void *arg)
{
	go3s_sleep((u64)hold_ms * NSEC_PER_MSEC);
	pr_info("last goroutine (%llu) done after %u ms\n", go3s_self_id(),
		hold_ms);
}

static int __init go3s_goroutines_init(void)
{
	long i;
	int ret;

	go3s_wg_init(&wg);
	for (i = 1; i <= WORKERS; i++) {
		go3s_wg_add(&wg, 1);
		ret = go3s_go(square, (void *)i);
		if (ret) {
			go3s_wg_done(&wg);
			go3s_wg_wait(&wg);
			return ret;
		}
	}
	ret = go3s_wg_wait(&wg);
	if (ret)
		return ret;
	pr_info("%d goroutines on %u workers: sum of squares 1..%d = %lld\n",
		WORKERS, go3s_nr_workers(), WORKERS, atomic64_read(&sum));
	return go3s_go(holder, NULL);
}

static void __exit go3s_goroutines_exit(void)
{
	pr_info("unloaded: no goroutine of ours is left\n");
}

module_init(go3s_goroutines_init);
module_exit(go3s_goroutines_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample client: goroutines, a WaitGroup and module ownership");
MODULE_VERSION("0.1.0");
