// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_initfail: a client whose init fails while its goroutines live,
 * loaded by the debug VM's init (scripts/vm/init-test.sh). The kernel
 * frees a module whose init failed whatever its reference count; without
 * go3s_rt's GOING wait (go3s_rt/owner.c) the first goroutine to wake runs
 * freed code. Its init spawns
 *   - SLEEPERS goroutines that sleep 300 ms, then use module data;
 *   - WAITERS goroutines parked on a channel an hrtimer closes after
 *     close_ms;
 *   - with forever=1, one goroutine parked on a channel nobody closes, and
 *     one sleeping forever_ms, longer than go3s_rt.abandon_ms: both are
 *     abandoned, and the sleeper's timer later fires on an abandoned
 *     goroutine, which must not run;
 * and returns -EINVAL.
 */
#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <go3s/chan.h>
#include <go3s/go.h>

#define SLEEPERS	4
#define WAITERS		4

static unsigned int close_ms = 600;
module_param(close_ms, uint, 0444);
MODULE_PARM_DESC(close_ms, "When the hrtimer closes the waiters' channel (ms)");

static bool forever;
module_param(forever, bool, 0444);
MODULE_PARM_DESC(forever, "Also spawn goroutines parked for longer than go3s_rt.abandon_ms");

static unsigned int forever_ms = 5000;
module_param(forever_ms, uint, 0444);
MODULE_PARM_DESC(forever_ms, "How long the forever=1 sleeper sleeps (ms)");

static struct go3s_chan *late;
static struct hrtimer close_timer;
static atomic_t woken = ATOMIC_INIT(0);

static void sleep_300ms(void *arg)
{
	ktime_t t0 = ktime_get();

	go3s_sleep(300 * NSEC_PER_MSEC);
	pr_info("sleeper %ld woke after %lld ms (%d woken)\n", (long)arg,
		ktime_ms_delta(ktime_get(), t0), atomic_inc_return(&woken));
}

static enum hrtimer_restart close_late(struct hrtimer *timer)
{
	go3s_chan_close(late);
	go3s_chan_put(late);
	return HRTIMER_NORESTART;
}

static void wait_for_close(void *arg)
{
	struct go3s_chan *ch = arg;
	bool ok = true;
	u32 v;

	go3s_chan_recv(ch, &v, &ok);
	go3s_chan_put(ch);
	/* Nothing of ours may run after the last goroutine: not the timer. */
	hrtimer_cancel(&close_timer);
	pr_info("waiter woke, channel %s (%d woken)\n", ok ? "open" : "closed",
		atomic_inc_return(&woken));
}

static void parked_forever(void *arg)
{
	struct go3s_chan *ch = arg;
	bool ok;
	u32 v;

	go3s_chan_recv(ch, &v, &ok);
	pr_err("an abandoned goroutine ran: received from a channel nobody closes\n");
}

static void sleeps_too_long(void *arg)
{
	go3s_sleep((u64)forever_ms * NSEC_PER_MSEC);
	pr_err("an abandoned goroutine ran: its sleep ended\n");
}

static int __init go3s_initfail_init(void)
{
	struct go3s_chan *never;
	long i;

	late = go3s_chan_new(sizeof(u32), 0, GFP_KERNEL);
	if (IS_ERR(late))
		return PTR_ERR(late);
	for (i = 0; i < SLEEPERS; i++)
		go3s_go(sleep_300ms, (void *)i);
	for (i = 0; i < WAITERS; i++)
		if (go3s_go(wait_for_close, go3s_chan_get(late)))
			go3s_chan_put(late);
	hrtimer_init(&close_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	close_timer.function = close_late;
	hrtimer_start(&close_timer, ms_to_ktime(close_ms), HRTIMER_MODE_REL);

	if (forever) {
		never = go3s_chan_new(sizeof(u32), 0, GFP_KERNEL);
		if (!IS_ERR(never)) {
			if (go3s_go(parked_forever, go3s_chan_get(never)))
				go3s_chan_put(never);
			go3s_chan_put(never);
		}
		go3s_go(sleeps_too_long, NULL);
	}
	pr_info("init fails now, with its goroutines running\n");
	return -EINVAL;
}

static void __exit go3s_initfail_exit(void)
{
}

module_init(go3s_initfail_init);
module_exit(go3s_initfail_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s test client: init fails while its goroutines live");
MODULE_VERSION("0.1.0");
