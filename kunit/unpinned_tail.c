// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_unpinned_tail: a client whose go3s_go_unpinned() goroutines are
 * still in its code after the exit's go3s_wg_wait() has returned, loaded
 * by the debug VM's init (scripts/vm/init-test.sh). Each goroutine waits
 * for the exit to open a gate, makes its go3s_wg_done(), then sleeps
 * tail_ms and reads module data: the exit, which waits on the WaitGroup,
 * returns while they sleep. go3s_rt's GOING wait (go3s_rt/owner.c) must
 * keep the module until they are gone, quietly when tail_ms is within its
 * second of grace, with a WARN past it; KASAN reports a goroutine that
 * ran after the module was freed.
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <go3s/go.h>
#include <go3s/wg.h>

#define TAILS	4

static unsigned int tail_ms = 300;
module_param(tail_ms, uint, 0444);
MODULE_PARM_DESC(tail_ms, "How long each goroutine runs on after its go3s_wg_done() (ms)");

static struct go3s_wg gate;	/* the exit opens it */
static struct go3s_wg wg;	/* what the exit waits on */
static atomic_t tails_done = ATOMIC_INIT(0);
static const char tail_word[] = "tail";

static void tail_body(void *arg)
{
	go3s_wg_wait(&gate);
	go3s_wg_done(&wg);
	go3s_sleep((u64)tail_ms * NSEC_PER_MSEC);
	/* Module data and code, after the exit has returned. */
	pr_info("goroutine %ld: %s ran %u ms after its go3s_wg_done() (%d done)\n",
		(long)arg, tail_word, tail_ms, atomic_inc_return(&tails_done));
}

static int __init unpinned_tail_init(void)
{
	long i;
	int ret;

	go3s_wg_init(&gate);
	go3s_wg_init(&wg);
	go3s_wg_add(&gate, 1);
	for (i = 0; i < TAILS; i++) {
		go3s_wg_add(&wg, 1);
		ret = go3s_go_unpinned(tail_body, (void *)i);
		if (ret) {
			go3s_wg_done(&wg);
			go3s_wg_done(&gate);
			go3s_wg_wait(&wg);
			return ret;
		}
	}
	pr_info("%d goroutines, each %u ms past its go3s_wg_done()\n", TAILS, tail_ms);
	return 0;
}

static void __exit unpinned_tail_exit(void)
{
	go3s_wg_done(&gate);
	go3s_wg_wait(&wg);
	pr_info("exit returns, %d of %d tails done\n", atomic_read(&tails_done), TAILS);
}

module_init(unpinned_tail_init);
module_exit(unpinned_tail_exit);

MODULE_DESCRIPTION("go3s test client: unpinned goroutines still running after the exit's WaitGroup wait");
MODULE_LICENSE("GPL");
GO3S_IMPORT_NS();
