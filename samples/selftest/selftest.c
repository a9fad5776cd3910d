// SPDX-License-Identifier: GPL-2.0
/*
 * A self-test for kernels without KUnit (the stock Debian 6.1, 6.12 and
 * 6.12-rt kernels): at load it runs a few cases through the public API,
 * as a client module does, and prints the results as KTAP (one suite,
 * go3s_selftest). The load fails with -EINVAL if any case failed. The
 * hard-IRQ cases matter most on PREEMPT_RT, where a spinlock_t taken in
 * hard IRQ would sleep.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/slab.h>

#include <go3s/abi.h>
#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/mem.h>
#include <go3s/wg.h>

#define SPAWNS		64
#define PINGS		1000

struct ctx {
	struct go3s_wg wg;
	struct go3s_wg gate;
	struct go3s_chan *ch;
	struct go3s_chan *back;
	atomic64_t sum;
	atomic_t bad;
	struct hrtimer timer;
	int in_hardirq;
	int irq_ret;
	int send_ret;
};

/* Each case returns NULL when it passed, else what went wrong. */
typedef const char *(*case_fn)(struct ctx *c);

static const char *abi(struct ctx *c)
{
	if (go3s_abi_check(GO3S_ABI_MAJOR, GO3S_ABI_MINOR))
		return "the runtime refused our own ABI";
	if (!go3s_abi_check(GO3S_ABI_MAJOR + 1, 0))
		return "the runtime accepted another major ABI";
	return NULL;
}

static struct ctx *spawn_ctx;

static void add_arg(void *arg)
{
	atomic64_add((long)arg, &spawn_ctx->sum);
	go3s_wg_done(&spawn_ctx->wg);
}

/* Spawn from a task, join with a task sleeping on the WaitGroup. */
static const char *spawn_join(struct ctx *c)
{
	long i;

	spawn_ctx = c;
	go3s_wg_add(&c->wg, SPAWNS);
	for (i = 1; i <= SPAWNS; i++)
		if (go3s_go(add_arg, (void *)i))
			go3s_wg_done(&c->wg);
	if (go3s_wg_wait(&c->wg))
		return "go3s_wg_wait() failed";
	return atomic64_read(&c->sum) == SPAWNS * (SPAWNS + 1) / 2 ?
	       NULL : "wrong sum";
}

static void sleeper(void *arg)
{
	struct ctx *c = arg;
	ktime_t t0 = ktime_get();

	if (go3s_sleep(5 * NSEC_PER_MSEC) ||
	    ktime_us_delta(ktime_get(), t0) < 5 * USEC_PER_MSEC)
		atomic_inc(&c->bad);
	go3s_wg_done(&c->wg);
}

/* A goroutine parks on the WaitGroup until sleepers (parked on hrtimers) end. */
static void joiner(void *arg)
{
	struct ctx *c = arg;

	if (go3s_wg_wait(&c->wg))
		atomic_inc(&c->bad);
	go3s_wg_done(&c->gate);
}

static const char *sleep_and_park(struct ctx *c)
{
	int i;

	go3s_wg_add(&c->gate, 1);
	go3s_wg_add(&c->wg, 4);
	for (i = 0; i < 4; i++)
		if (go3s_go(sleeper, c))
			go3s_wg_done(&c->wg);
	if (go3s_go(joiner, c)) {
		go3s_wg_wait(&c->wg);
		return "spawn failed";
	}
	if (go3s_wg_wait(&c->gate))
		return "go3s_wg_wait() failed";
	return atomic_read(&c->bad) ? "a sleep returned early or failed" : NULL;
}

static void pinger(void *arg)
{
	struct ctx *c = arg;
	bool ok;
	int i, v;

	for (i = 0; i < PINGS; i++) {
		if (go3s_chan_send(c->ch, &i) || go3s_chan_recv(c->back, &v, &ok) ||
		    !ok || v != i + 1) {
			atomic_inc(&c->bad);
			break;
		}
	}
	go3s_chan_close(c->ch);
	go3s_wg_done(&c->wg);
}

static void ponger(void *arg)
{
	struct ctx *c = arg;
	bool ok;
	int v;

	while (!go3s_chan_recv(c->ch, &v, &ok) && ok) {
		v++;
		if (go3s_chan_send(c->back, &v)) {
			atomic_inc(&c->bad);
			break;
		}
	}
	go3s_wg_done(&c->wg);
}

/* Unbuffered round trips between two goroutines, then close. */
static const char *chan_pingpong(struct ctx *c)
{
	go3s_wg_add(&c->wg, 2);
	if (go3s_go(ponger, c)) {
		go3s_wg_add(&c->wg, -2);
		return "spawn failed";
	}
	if (go3s_go(pinger, c)) {
		go3s_chan_close(c->ch);
		go3s_wg_done(&c->wg);
	}
	if (go3s_wg_wait(&c->wg))
		return "go3s_wg_wait() failed";
	return atomic_read(&c->bad) ? "a message was lost or wrong" : NULL;
}

/* A receive that waits until its deadline, from a plain task. */
static const char *select_timeout(struct ctx *c)
{
	struct go3s_select_case sc = { .ch = c->back, .dir = GO3S_CHAN_RECV };
	ktime_t t0 = ktime_get();
	int v, r;

	sc.elem = &v;
	r = go3s_select(&sc, 1, 2 * NSEC_PER_MSEC);
	if (r != -ETIMEDOUT)
		return "go3s_select() did not time out";
	if (ktime_us_delta(ktime_get(), t0) < 2 * USEC_PER_MSEC)
		return "go3s_select() timed out early";
	return NULL;
}

static void from_irq(void *arg)
{
	struct ctx *c = arg;
	bool ok;
	int v;

	/* What the hard-IRQ handler sent is there. */
	if (go3s_chan_try_recv(c->ch, &v, &ok) || !ok || v != 42)
		atomic_inc(&c->bad);
	go3s_wg_done(&c->wg);
}

static enum hrtimer_restart fire(struct hrtimer *t)
{
	struct ctx *c = container_of(t, struct ctx, timer);
	int v = 42;

	c->in_hardirq = in_hardirq();
	c->send_ret = go3s_chan_try_send(c->ch, &v);
	c->irq_ret = go3s_go_irq(from_irq, c);
	if (c->irq_ret)
		go3s_wg_done(&c->wg);
	go3s_wg_done(&c->wg);	/* the hard-IRQ WaitGroup path */
	return HRTIMER_NORESTART;
}

/*
 * From a hard hrtimer (hard IRQ on PREEMPT_RT too): a channel try_send,
 * an IRQ-pool spawn and a WaitGroup done that wakes a sleeping task.
 */
static const char *hardirq(struct ctx *c)
{
	go3s_wg_add(&c->wg, 2);
	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	c->timer.function = fire;
	hrtimer_start(&c->timer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);
	if (go3s_wg_wait(&c->wg)) {
		hrtimer_cancel(&c->timer);
		return "go3s_wg_wait() failed";
	}
	/* The callback may still be on its way out after its last done. */
	hrtimer_cancel(&c->timer);
	if (!c->in_hardirq)
		return "the timer did not run in hard IRQ";
	if (c->send_ret)
		return "go3s_chan_try_send() failed in hard IRQ";
	if (c->irq_ret)
		return "go3s_go_irq() failed";
	return atomic_read(&c->bad) ? "the goroutine did not get the element" : NULL;
}

static void blocker(void *arg)
{
	struct ctx *c = arg;
	struct go3s_arena_mark m;
	int i;

	msleep(20);		/* blocks its worker: the others go on */
	if (go3s_scope_begin(&m)) {
		atomic_inc(&c->bad);
	} else {
		for (i = 0; i < 100; i++)
			if (!go3s_alloc(1024))
				atomic_inc(&c->bad);
		go3s_scope_end(&m);
	}
	go3s_wg_done(&c->wg);
}

/* Goroutines that sleep in the kernel and allocate from their arenas. */
static const char *blocking_and_arena(struct ctx *c)
{
	int i;

	go3s_wg_add(&c->wg, 8);
	for (i = 0; i < 8; i++)
		if (go3s_go(blocker, c))
			go3s_wg_done(&c->wg);
	if (go3s_wg_wait(&c->wg))
		return "go3s_wg_wait() failed";
	return atomic_read(&c->bad) ? "an arena allocation failed" : NULL;
}

static const struct {
	const char *name;
	case_fn fn;
	bool chans;
} cases[] = {
	{ "abi", abi },
	{ "spawn_join", spawn_join },
	{ "sleep_and_park", sleep_and_park },
	{ "chan_pingpong", chan_pingpong, true },
	{ "select_timeout", select_timeout, true },
	{ "hardirq_spawn_send_done", hardirq, true },
	{ "blocking_and_arena", blocking_and_arena },
};

static const char *run(int i)
{
	struct ctx *c;
	const char *err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return "out of memory";
	go3s_wg_init(&c->wg);
	go3s_wg_init(&c->gate);
	if (cases[i].chans) {
		/* One slot, so the hard-IRQ case's try_send finds room. */
		c->ch = go3s_chan_new(sizeof(int), cases[i].fn == hardirq, GFP_KERNEL);
		c->back = go3s_chan_new(sizeof(int), 0, GFP_KERNEL);
		if (IS_ERR(c->ch) || IS_ERR(c->back)) {
			err = "go3s_chan_new() failed";
			goto out;
		}
	}
	err = cases[i].fn(c);
out:
	if (!IS_ERR_OR_NULL(c->ch))
		go3s_chan_put(c->ch);
	if (!IS_ERR_OR_NULL(c->back))
		go3s_chan_put(c->back);
	kfree(c);
	return err;
}

static int __init go3s_selftest_init(void)
{
	unsigned int i, failed = 0;
	const char *err;

	pr_info("KTAP version 1\n");
	pr_info("1..1\n");
	pr_info("    KTAP version 1\n");
	pr_info("    # Subtest: go3s_selftest\n");
	pr_info("    1..%zu\n", ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		err = run(i);
		if (err) {
			failed++;
			pr_info("    # %s: %s\n", cases[i].name, err);
		}
		pr_info("    %sok %u %s\n", err ? "not " : "", i + 1, cases[i].name);
	}
	pr_info("# go3s_selftest: pass:%zu fail:%u\n", ARRAY_SIZE(cases) - failed,
		failed);
	pr_info("%sok 1 go3s_selftest\n", failed ? "not " : "");
	return failed ? -EINVAL : 0;
}

static void __exit go3s_selftest_exit(void)
{
}

module_init(go3s_selftest_init);
module_exit(go3s_selftest_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s self-test for kernels without KUnit: prints KTAP");
MODULE_VERSION("0.1.0");
