// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_lifetime: what comes and goes with modules and CPUs.
 * The goroutine dump names each goroutine's function (its spawn site may
 * be freed __init code), the IRQ spawn pools exist only for online CPUs,
 * and a stack left mid-frame by go3s_exit() comes back clean. What
 * happens to goroutines whose module's init fails is tested in the debug
 * VM with the go3s_initfail client (scripts/vm/init-test.sh): KUnit
 * cannot load and fail a module.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kasan.h>
#include <linux/preempt.h>
#include <linux/sched/task_stack.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include <go3s/go.h>
#include <go3s/wg.h>

#include "../go3s_rt/irq.h"
#include "../go3s_rt/sched.h"
#include "../go3s_rt/stats.h"
#include "kunit_compat.h"

#define STAT(f)	go3s_stat_sum(offsetof(struct go3s_stats, f))

#define DUMP_SIZE	(64 * PAGE_SIZE)

/*
 * Print @fn into @buf (DUMP_SIZE bytes). Only expectations: it runs while
 * a goroutine of the case waits, which must be let go whatever happens.
 */
static char *show(struct kunit *test, char *buf,
		  int (*fn)(struct seq_file *, void *))
{
	struct seq_file m = { .buf = buf, .size = DUMP_SIZE - 1 };

	KUNIT_EXPECT_EQ(test, fn(&m, NULL), 0);
	KUNIT_EXPECT_LT(test, m.count, m.size);
	buf[min(m.count, m.size)] = '\0';
	return buf;
}

struct gate {
	struct go3s_wg open, done;
};

static void lifetime_gated_body(void *arg)
{
	struct gate *g = arg;

	go3s_wg_wait(&g->open);
	go3s_wg_done(&g->done);
}

/* Go's "created by": the dump says what a goroutine runs, not only where it came from. */
static void dump_names_function(struct kunit *test)
{
	struct gate *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	char *buf = kunit_kzalloc(test, DUMP_SIZE, GFP_KERNEL);
	unsigned long until = jiffies + 10 * HZ;
	const char *want = "\tfunction lifetime_gated_body";
	char *dump, *fn, *site, where[64];

	/* Everything that can fail before the goroutine exists. */
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	go3s_wg_init(&g->open);
	go3s_wg_init(&g->done);
	go3s_wg_add(&g->open, 1);
	go3s_wg_add(&g->done, 1);
	KUNIT_ASSERT_EQ(test, go3s_go(lifetime_gated_body, g), 0);
	do {
		usleep_range(2000, 5000);
		dump = show(test, buf, go3s_goroutines_show);
		fn = strstr(dump, want);
	} while (!fn && time_before(jiffies, until));
	KUNIT_EXPECT_NOT_NULL_MSG(test, fn, "%s", dump);
	if (fn) {
		/* On the next line, as in Go: where it was spawned. */
		snprintf(where, sizeof(where), "\n\tspawned at %s+", __func__);
		site = strchr(fn, '\n');
		KUNIT_EXPECT_NOT_NULL(test, site);
		if (site)
			KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(site, where), "%s", dump);
	}
	go3s_wg_done(&g->open);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&g->done), 0);
}

/*
 * go3s_go() pins the module (rmmod is refused while the goroutine runs);
 * go3s_go_unpinned() does not, and is counted. Built in (UML), there is
 * no module to pin: only the count is checked there.
 */
static void unpinned_goroutine_holds_no_module_reference(struct kunit *test)
{
	struct gate *g = kunit_kzalloc(test, 2 * sizeof(*g), GFP_KERNEL);
	u64 unpinned = STAT(unpinned);
	int ret, ret2 = -1;
	int refs[3] = {};

	KUNIT_ASSERT_NOT_NULL(test, g);
	for (ret = 0; ret < 2; ret++) {
		go3s_wg_init(&g[ret].open);
		go3s_wg_init(&g[ret].done);
		go3s_wg_add(&g[ret].open, 1);
		go3s_wg_add(&g[ret].done, 1);
	}
#ifdef MODULE
	refs[0] = module_refcount(THIS_MODULE);
#endif
	ret = go3s_go_unpinned(lifetime_gated_body, &g[0]);
	KUNIT_EXPECT_EQ(test, ret, 0);
#ifdef MODULE
	refs[1] = module_refcount(THIS_MODULE);
#endif
	if (!ret) {
		ret2 = go3s_go(lifetime_gated_body, &g[1]);
		KUNIT_EXPECT_EQ(test, ret2, 0);
	}
#ifdef MODULE
	refs[2] = module_refcount(THIS_MODULE);
#endif
	KUNIT_EXPECT_EQ(test, STAT(unpinned) - unpinned, ret ? 0 : 1);
	go3s_wg_done(&g[0].open);
	go3s_wg_done(&g[1].open);
	if (!ret)
		KUNIT_EXPECT_EQ(test, go3s_wg_wait(&g[0].done), 0);
	if (!ret2)
		KUNIT_EXPECT_EQ(test, go3s_wg_wait(&g[1].done), 0);
	KUNIT_EXPECT_EQ(test, refs[1], refs[0]);
#ifdef MODULE
	KUNIT_EXPECT_EQ(test, refs[2], refs[1] + 1);
#endif
	KUNIT_EXPECT_EQ(test, go3s_go_unpinned(NULL, NULL), -EINVAL);
}

/* A CPU's pool is filled when it comes online and freed when it goes. */
static void irq_pool_follows_cpu_hotplug(struct kunit *test)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	unsigned int size = go3s_irq_pool_size();
	int ret;

	if (num_online_cpus() < 2 || !cpu)
		kunit_skip(test, "needs a second CPU to take offline");
	KUNIT_ASSERT_GT(test, size, 0U);
	ret = remove_cpu(cpu);
	if (ret)
		kunit_skip(test, "CPU %u cannot go offline (%d)", cpu, ret);
	KUNIT_EXPECT_EQ(test, go3s_irq_pool_level(cpu), 0U);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	/* The online callback has run by now: nothing spawns meanwhile. */
	KUNIT_EXPECT_EQ(test, go3s_irq_pool_level(cpu), size);
}

/*
 * go3s_exit() from deep inside leaves the KASAN redzones of the frames it
 * never returned from in the stack's shadow. The next goroutine on that G
 * must not inherit them: code that writes the stack without instrumented
 * prologues (exception entry pushing pt_regs, say) would then trip over
 * them. Checked on the shadow itself, through the public
 * kasan_mem_to_shadow().
 */
struct recycle {
	struct go3s_wg wg;
	struct go3s_g *exited_g, *g;
	unsigned long stale;		/* poisoned shadow bytes below us */
};

static noinline void redzoned_deep(int depth)
{
	char buf[64];

	memset(buf, depth, sizeof(buf));
	if (depth)
		redzoned_deep(depth - 1);
	else
		go3s_exit();
	barrier_data(buf);
}

static void exit_deep_body(void *arg)
{
	struct recycle *r = arg;

	r->exited_g = go3s_self();
	go3s_wg_done(&r->wg);
	redzoned_deep(8);
}

#ifdef CONFIG_KASAN_STACK
/* Not instrumented: it reads shadow memory itself. */
static __no_sanitize_address unsigned long stale_shadow_below_us(void)
{
	const u8 *s = kasan_mem_to_shadow(task_stack_page(current));
	const u8 *end = kasan_mem_to_shadow(__builtin_frame_address(0) - 256);
	unsigned long n = 0;

	for (; s < end; s++)
		n += *s != 0;
	return n;
}
#else
static unsigned long stale_shadow_below_us(void)
{
	return 0;	/* the case is skipped */
}
#endif

static void check_stack_body(void *arg)
{
	struct recycle *r = arg;

	r->g = go3s_self();
	r->stale = stale_shadow_below_us();
	go3s_wg_done(&r->wg);
}

static void exited_stack_comes_back_clean(struct kunit *test)
{
	struct recycle *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i, reused = 0;
	unsigned long stale = 0, until;
	u64 exited;

	if (!IS_ENABLED(CONFIG_KASAN_STACK))
		kunit_skip(test, "needs KASAN stack instrumentation");
	KUNIT_ASSERT_NOT_NULL(test, r);
	go3s_wg_init(&r->wg);
	/*
	 * Spawned from here, both go to this CPU's worker and its G cache
	 * (LIFO): the checker mostly gets the G the exiter just left.
	 */
	migrate_disable();
	for (i = 0; i < 64; i++) {
		exited = STAT(exited);
		go3s_wg_add(&r->wg, 1);
		if (go3s_go(exit_deep_body, r)) {
			go3s_wg_done(&r->wg);
			break;
		}
		go3s_wg_wait(&r->wg);
		until = jiffies + 10 * HZ;
		while (STAT(exited) == exited && time_before(jiffies, until))
			usleep_range(100, 200);
		usleep_range(500, 1000);	/* the worker recycles it */
		go3s_wg_add(&r->wg, 1);
		if (go3s_go(check_stack_body, r)) {
			go3s_wg_done(&r->wg);
			break;
		}
		go3s_wg_wait(&r->wg);
		if (r->g == r->exited_g) {
			reused++;
			stale += r->stale;
		}
	}
	migrate_enable();
	KUNIT_EXPECT_EQ(test, i, 64U);
	KUNIT_EXPECT_GT_MSG(test, reused, 0U, "no exited G was reused: nothing checked");
	KUNIT_EXPECT_EQ_MSG(test, stale, 0UL, "poisoned shadow bytes on %u reused stacks",
			    reused);
	kunit_info(test, "%u of 64 checkers reused the exiter's G\n", reused);
}

static struct kunit_case go3s_lifetime_cases[] = {
	KUNIT_CASE(dump_names_function),
	KUNIT_CASE_SLOW(irq_pool_follows_cpu_hotplug),
	KUNIT_CASE(exited_stack_comes_back_clean),
	KUNIT_CASE(unpinned_goroutine_holds_no_module_reference),
	{}
};

static struct kunit_suite go3s_lifetime_suite = {
	.name = "go3s_lifetime",
	.test_cases = go3s_lifetime_cases,
};

kunit_test_suite(go3s_lifetime_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_lifetime: goroutines and IRQ pools across module and CPU life cycles");
MODULE_VERSION("0.1.0");
