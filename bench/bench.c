// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_bench: goroutine costs against the kernel's own mechanisms, measured
 * in the same run. Runs every benchmark @runs times at load and prints one
 * line per measurement, with the medians of those runs:
 *
 *   BENCH <name> go3s_ns=<f> base=<baseline> base_ns=<f> speedup=<f>
 *	   runs=<n> min=<f> max=<f> env=<e>
 *
 * speedup is the ratio of the medians (base / go3s); min and max are
 * go3s's. env is "uml" in a UML kernel, "vm" otherwise. Nothing here
 * asserts a speed: scripts/bench.sh collects the lines.
 */
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include <go3s/go.h>
#include <go3s/wg.h>

#include "bench.h"

static unsigned int batch = 100000;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "Items per spawn batch (goroutines and work items)");

#define WAVE		512	/* goroutines in flight: stacks are real memory */
#define KTHREADS	200
#define SWITCHES	100000
#define IRQ_ROUNDS	2000

static const char *env = IS_ENABLED(CONFIG_UML) ? "uml" : "vm";

static unsigned int runs = 5;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "Runs of every benchmark; each line gives their median (1-9)");

#define MAX_LINES	40
#define MAX_RUNS	9

/* The samples of one BENCH line, in units of 1/100 ns. */
static struct bench_line {
	const char *name, *base;
	unsigned int n;
	u64 g[MAX_RUNS], b[MAX_RUNS];
} lines[MAX_LINES];
static unsigned int nr_lines;

/* Record one run's measurement; go3s_bench_print() reports the medians. */
void go3s_bench_report(const char *name, u64 go3s_cns, const char *base, u64 base_cns)
{
	struct bench_line *l;
	unsigned int i;

	for (i = 0; i < nr_lines && strcmp(lines[i].name, name); i++)
		;
	if (i == MAX_LINES)
		return;
	l = &lines[i];
	if (i == nr_lines) {
		nr_lines++;
		l->name = name;
		l->base = base;
	}
	if (l->n < MAX_RUNS) {
		l->g[l->n] = go3s_cns;
		l->b[l->n++] = base_cns;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void print_line(struct bench_line *l)
{
	u64 g, b, speedup;

	sort(l->g, l->n, sizeof(u64), cmp_u64, NULL);
	sort(l->b, l->n, sizeof(u64), cmp_u64, NULL);
	g = l->g[l->n / 2];
	b = l->b[l->n / 2];
	speedup = g ? div64_u64(b * 100, g) : 0;
	pr_info("BENCH %s go3s_ns=%llu.%02llu base=%s base_ns=%llu.%02llu speedup=%llu.%02llu runs=%u min=%llu.%02llu max=%llu.%02llu env=%s\n",
		l->name, g / 100, g % 100, l->base, b / 100, b % 100,
		speedup / 100, speedup % 100, l->n, l->g[0] / 100,
		l->g[0] % 100, l->g[l->n - 1] / 100, l->g[l->n - 1] % 100, env);
}

u64 go3s_bench_per_item(u64 ns, u64 n)
{
	return div64_u64(ns * 100, n);
}

/* ---- spawn: goroutine spawn+run+exit vs queue_work+run ---------------- */

static struct go3s_wg wg;

static void empty_g(void *arg)
{
	go3s_wg_done(&wg);
}

static u64 spawn_goroutines(unsigned int n)
{
	unsigned int i, wave;
	u64 t0 = ktime_get_ns();

	go3s_wg_init(&wg);
	for (i = 0; i < n; i += wave) {
		wave = min(n - i, WAVE);
		go3s_wg_add(&wg, wave);
		for (unsigned int j = 0; j < wave; j++)
			if (go3s_go(empty_g, NULL))
				go3s_wg_done(&wg);
		go3s_wg_wait(&wg);
	}
	return ktime_get_ns() - t0;
}

struct work_batch {
	atomic_t left;
	struct completion done;
	struct work_struct w[];
};

static struct work_batch *wb;

static void empty_work(struct work_struct *w)
{
	if (atomic_dec_and_test(&wb->left))
		complete(&wb->done);
}

static u64 queue_works(unsigned int n)
{
	unsigned int i;
	u64 t0;

	atomic_set(&wb->left, n);
	init_completion(&wb->done);
	for (i = 0; i < n; i++)
		INIT_WORK(&wb->w[i], empty_work);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		queue_work(system_wq, &wb->w[i]);
	wait_for_completion(&wb->done);
	return ktime_get_ns() - t0;
}

static void bench_spawn(void)
{
	u64 g, w;

	wb = kvzalloc(struct_size(wb, w, batch), GFP_KERNEL);
	if (!wb)
		return;
	spawn_goroutines(WAVE);		/* warm the stack caches */
	g = spawn_goroutines(batch);
	w = queue_works(batch);
	go3s_bench_report("spawn", go3s_bench_per_item(g, batch), "queue_work",
			  go3s_bench_per_item(w, batch));
	kvfree(wb);
}

/* ---- spawn_kthread: the same against kthread_run ---------------------- */

static atomic_t kt_left;
static DECLARE_COMPLETION(kt_done);

static int empty_kthread(void *arg)
{
	if (atomic_dec_and_test(&kt_left))
		complete(&kt_done);
	return 0;
}

static void bench_spawn_kthread(void)
{
	unsigned int i;
	u64 t0, k, g;

	g = spawn_goroutines(KTHREADS);
	atomic_set(&kt_left, KTHREADS);
	reinit_completion(&kt_done);
	t0 = ktime_get_ns();
	for (i = 0; i < KTHREADS; i++)
		if (IS_ERR(kthread_run(empty_kthread, NULL, "go3s_bench/%u", i)))
			empty_kthread(NULL);
	wait_for_completion(&kt_done);
	k = ktime_get_ns() - t0;
	go3s_bench_report("spawn_kthread", go3s_bench_per_item(g, KTHREADS),
			  "kthread_run", go3s_bench_per_item(k, KTHREADS));
}

/* ---- switch: a goroutine yield vs a kthread completion ping-pong ------ */

static void yielder(void *arg)
{
	unsigned int i;

	for (i = 0; i < SWITCHES; i++)
		go3s_yield();
	go3s_wg_done(&wg);
}

static int ponger(void *arg)
{
	struct pingpong *pp = arg;
	unsigned int i;

	for (i = 0; i < pp->rounds; i++) {
		wait_for_completion(&pp->ping);
		complete(&pp->pong);
	}
	complete(&pp->done);
	return 0;
}

/*
 * @rounds round trips between this task and a kthread through two
 * completions, both on this CPU. Returns the time taken in ns.
 */
u64 go3s_bench_kthread_pingpong(struct pingpong *pp, unsigned int rounds)
{
	struct task_struct *t;
	unsigned int i;
	u64 t0, k;

	init_completion(&pp->ping);
	init_completion(&pp->pong);
	init_completion(&pp->done);
	pp->rounds = rounds;
	t = kthread_create(ponger, pp, "go3s_pong");
	if (IS_ERR(t))
		return 0;
	kthread_bind(t, raw_smp_processor_id());
	migrate_disable();	/* both on this CPU */
	wake_up_process(t);
	t0 = ktime_get_ns();
	for (i = 0; i < rounds; i++) {
		complete(&pp->ping);
		wait_for_completion(&pp->pong);
	}
	k = ktime_get_ns() - t0;
	migrate_enable();
	wait_for_completion(&pp->done);
	return k;
}

static void bench_switch(void)
{
	struct pingpong *pp = kzalloc(sizeof(*pp), GFP_KERNEL);
	u64 t0, g, k;

	if (!pp)
		return;
	go3s_wg_init(&wg);
	go3s_wg_add(&wg, 2);
	t0 = ktime_get_ns();
	if (go3s_go(yielder, NULL))
		go3s_wg_done(&wg);
	if (go3s_go(yielder, NULL))
		go3s_wg_done(&wg);
	go3s_wg_wait(&wg);
	g = ktime_get_ns() - t0;

	k = go3s_bench_kthread_pingpong(pp, SWITCHES);
	kfree(pp);
	/* A yield is one switch away and one back; so is a round trip. */
	go3s_bench_report("switch", go3s_bench_per_item(g, 2ULL * SWITCHES),
			  "kthread_completion",
			  go3s_bench_per_item(k, 2ULL * SWITCHES));
}

/* ---- irq_spawn: hard-IRQ spawn to running vs queue_work from the IRQ -- */

struct irq_bench {
	struct hrtimer timer;
	struct work_struct work;
	struct completion ran;
	bool use_go3s;
	u64 fired, started;
};

static struct irq_bench ib;

static void irq_g(void *arg)
{
	ib.started = ktime_get_ns();
	complete(&ib.ran);
}

static void irq_work(struct work_struct *w)
{
	ib.started = ktime_get_ns();
	complete(&ib.ran);
}

static enum hrtimer_restart irq_fire(struct hrtimer *t)
{
	ib.fired = ktime_get_ns();
	if (!ib.use_go3s)
		queue_work(system_wq, &ib.work);
	else if (go3s_go_irq(irq_g, NULL))
		complete(&ib.ran);	/* pool empty: counted as 0 */
	return HRTIMER_NORESTART;
}

static u64 irq_rounds(bool use_go3s)
{
	u64 sum = 0;
	unsigned int i;

	ib.use_go3s = use_go3s;
	for (i = 0; i < IRQ_ROUNDS; i++) {
		reinit_completion(&ib.ran);
		ib.started = 0;
		hrtimer_start(&ib.timer, ns_to_ktime(20 * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
		wait_for_completion(&ib.ran);
		if (ib.started)
			sum += ib.started - ib.fired;
	}
	return sum;
}

static void bench_irq_spawn(void)
{
	u64 g, w;

	init_completion(&ib.ran);
	INIT_WORK(&ib.work, irq_work);
	hrtimer_init(&ib.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	ib.timer.function = irq_fire;
	g = irq_rounds(true);
	w = irq_rounds(false);
	hrtimer_cancel(&ib.timer);
	flush_work(&ib.work);
	go3s_bench_report("irq_spawn", go3s_bench_per_item(g, IRQ_ROUNDS),
			  "queue_work_from_irq",
			  go3s_bench_per_item(w, IRQ_ROUNDS));
}

static int __init go3s_bench_init(void)
{
	unsigned int r, i;

	runs = clamp(runs, 1U, (unsigned int)MAX_RUNS);
	pr_info("running on %u workers, batch %u, %u runs\n", go3s_nr_workers(),
		batch, runs);
	for (r = 0; r < runs; r++) {
		bench_spawn();
		bench_spawn_kthread();
		bench_switch();
		bench_irq_spawn();
		go3s_bench_chan();
		go3s_bench_mem();
		go3s_bench_mid();
		go3s_bench_sched();
		go3s_bench_net(r == runs - 1);
	}
	for (i = 0; i < nr_lines; i++)
		print_line(&lines[i]);
	pr_info("BENCH-DONE\n");
	return 0;
}

static void __exit go3s_bench_exit(void)
{
}

module_init(go3s_bench_init);
module_exit(go3s_bench_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s benchmarks against kernel baselines");
MODULE_VERSION("0.1.0");
