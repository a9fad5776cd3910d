// SPDX-License-Identifier: GPL-2.0
/*
 * A self-test for kernels without KUnit (the stock Debian 6.1, 6.12 and
 * 6.12-rt kernels): at load it runs a few cases through the public API,
 * as a client module does, and prints the results as KTAP (one suite,
 * go3s_selftest). The load fails with -EINVAL if any case failed. The
 * hard-IRQ cases matter most on PREEMPT_RT, where a spinlock_t taken in
 * hard IRQ would sleep. On arm64 and riscv64 three more cases cover the
 * architecture code: the register HAL (system registers, CSRs),
 * goroutines resuming on other worker tasks (per-task stack canary, and
 * pointer authentication key on arm64), and the unwinder walking a
 * goroutine's frame records; a fourth binds an interrupt to goroutines
 * (the HAL's go3s_irq_bind()), which on x86_64 the MID VMs' edu device
 * covers.
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
#include <go3s/hal.h>
#include <go3s/mem.h>
#include <go3s/wg.h>

#if defined(CONFIG_ARM64) || defined(CONFIG_RISCV)
#define ARCH_CASES
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kallsyms.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#endif
#ifdef CONFIG_ARM64
#include <asm/cputype.h>
#include <asm/sysreg.h>
#endif
#ifdef CONFIG_RISCV
#include <asm/csr.h>
#include <asm/sbi.h>
#endif

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

#ifdef CONFIG_ARM64
/* The arm64 HAL: system registers through the allowlist, x86's errnos. */
static const char *hal_sysreg(struct ctx *c)
{
	u64 v = 0, t0 = 0, t1 = 0;

	if (go3s_msr_read(SYS_MIDR_EL1, &v) || v != read_cpuid_id())
		return "MIDR_EL1 not read, or not what read_cpuid_id() says";
	if (go3s_msr_read(SYS_CNTFRQ_EL0, &v) || !v)
		return "CNTFRQ_EL0 not read, or zero";
	if (go3s_msr_read(SYS_CNTVCT_EL0, &t0) || go3s_msr_read(SYS_CNTVCT_EL0, &t1) ||
	    t1 < t0)
		return "CNTVCT_EL0 not read, or went back";
	if (go3s_msr_read(SYS_TCR_EL1, &v) != -EPERM)
		return "TCR_EL1 (not on the allowlist) was read";
	if (go3s_msr_read(SYS_MIDR_EL1, NULL) != -EINVAL)
		return "a NULL value pointer was accepted";
	return NULL;
}

/*
 * The worker task running us, read afresh: the compiler may reuse an
 * earlier read of current (sp_el0) across calls, current being constant
 * for a task, which a goroutine's worker is not.
 */
static unsigned long worker_now(void)
{
	return read_sysreg(sp_el0);
}
#endif

#ifdef CONFIG_RISCV
/*
 * The riscv64 HAL: CSRs through the allowlist, x86's errnos. Whether
 * S-mode may read cycle, instret and hpmcounter3 is the firmware's choice
 * (mcounteren, and perf through SBI for hpmcounter3): a read it forbids
 * traps and must come back as -EIO, not an oops.
 */
static const char *hal_csr(struct ctx *c)
{
	static const struct {
		u32 csr;
		const char *name;
	} counters[] = {
		{ CSR_CYCLE, "cycle" },
		{ CSR_INSTRET, "instret" },
		{ CSR_HPMCOUNTER3, "hpmcounter3" },
	};
	u64 v = 0, t0 = 0, t1 = 0;
	unsigned int i;
	int ret;

	if (go3s_msr_read(CSR_TIME, &t0) || go3s_msr_read(CSR_TIME, &t1) || t1 < t0 ||
	    !t1)
		return "time not read, zero, or went back";
	if (go3s_msr_read(CSR_MARCHID, &v) || v != sbi_get_marchid())
		return "marchid not read, or not what the SBI firmware says";
	if (go3s_msr_read(CSR_MVENDORID, &v) || v != sbi_get_mvendorid())
		return "mvendorid not read, or not what the SBI firmware says";
	if (go3s_msr_read(CSR_MIMPID, &v) || v != sbi_get_mimpid())
		return "mimpid not read, or not what the SBI firmware says";
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		ret = go3s_msr_read(counters[i].csr, &v);
		if (ret && ret != -EIO)
			return "a counter read failed with another errno than -EIO";
		pr_info("    # %s: %s: %d (%llu)\n", __func__, counters[i].name, ret, v);
	}
	if (go3s_msr_read(CSR_SATP, &v) != -EPERM)
		return "satp (not on the allowlist) was read";
	if (go3s_msr_read(CSR_TIME, NULL) != -EINVAL)
		return "a NULL value pointer was accepted";
	return NULL;
}

/*
 * The worker task running us, read afresh from tp: go3s_arch_switch()
 * leaves tp alone, so after a switch it is whichever worker resumed us.
 */
static unsigned long worker_now(void)
{
	unsigned long tp;

	asm volatile("mv %0, tp" : "=r" (tp));
	return tp;
}
#endif

#ifdef ARCH_CASES
#define HOPPERS		16
#define HOPS		40

/*
 * Live frames across a switch: this one has a stack protector canary
 * (the array) and, on arm64, signs its return address with pointer
 * authentication; both are checked when it returns, after go3s_sleep()
 * or msleep() switched the goroutine out; it may have resumed on another
 * worker task, whose own canary (and key) differ from the one it started
 * on.
 */
static noinline int hop(struct ctx *c, int depth, int i)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof(buf), "frame %d %d", depth, i);
	if (depth)
		return hop(c, depth - 1, i) + strlen(buf);
	/* Blocking its worker now and then makes the monitor hand the P on. */
	if (i % 8 == 7)
		msleep(20);
	else
		go3s_sleep(200 * NSEC_PER_USEC);
	r = strlen(buf);
	return r;
}

static void hopper(void *arg)
{
	struct ctx *c = arg;
	unsigned long t;
	int i;

	for (i = 0; i < HOPS; i++) {
		t = worker_now();
		if (hop(c, 3, i) < 4 * 9)
			atomic_inc(&c->bad);
		if (worker_now() != t)
			atomic64_inc(&c->sum);
	}
	go3s_wg_done(&c->wg);
}

/*
 * Goroutines resume on other worker tasks (each with its own stack
 * canary, and pointer authentication key on arm64) and return through
 * frames built before: those must check against what all goroutines
 * share.
 */
static const char *migration(struct ctx *c)
{
	int i;

	go3s_wg_add(&c->wg, HOPPERS);
	for (i = 0; i < HOPPERS; i++)
		if (go3s_go(hopper, c))
			go3s_wg_done(&c->wg);
	if (go3s_wg_wait(&c->wg))
		return "go3s_wg_wait() failed";
	if (atomic_read(&c->bad))
		return "a frame came back wrong";
	pr_info("    # %s: %lld of %d resumptions on another worker task\n", __func__,
		atomic64_read(&c->sum), HOPPERS * HOPS);
	return atomic64_read(&c->sum) ? NULL : "no goroutine changed worker task";
}

/* %ps printed @name, with " [module]" after it for a module's symbol. */
static bool sym_is(const char *sym, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(sym, name, n) && (!sym[n] || sym[n] == ' ');
}

static noinline void unwind_here(struct ctx *c)
{
	unsigned long entries[32];
	unsigned int n, i;
	char sym[KSYM_SYMBOL_LEN];
	bool me = false;

	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (i = 0; i < n; i++) {
		snprintf(sym, sizeof(sym), "%ps", (void *)entries[i]);
		if (sym_is(sym, "unwinder"))
			me = true;
	}
	if (n)
		snprintf(sym, sizeof(sym), "%ps", (void *)entries[n - 1]);
	/* Through the goroutine's function, ending at its first frame. */
	if (!me || n == ARRAY_SIZE(entries) || !sym_is(sym, "go3s_arch_g_start"))
		atomic_inc(&c->bad);
	if (atomic_read(&c->bad))
		for (i = 0; i < n; i++)
			pr_info("    # unwind: %pS\n", (void *)entries[i]);
}

static void unwinder(void *arg)
{
	struct ctx *c = arg;

	unwind_here(c);
	go3s_wg_done(&c->wg);
}

/* Frame records: the unwinder walks a goroutine's frames to its first. */
static const char *goroutine_unwind(struct ctx *c)
{
	go3s_wg_add(&c->wg, 1);
	if (go3s_go(unwinder, c))
		return "spawn failed";
	if (go3s_wg_wait(&c->wg))
		return "go3s_wg_wait() failed";
	return atomic_read(&c->bad) ?
	       "the trace missed the goroutine or did not end at go3s_arch_g_start" : NULL;
}

#define IRQ_RAISES	4

static struct go3s_irq_binding irq_b;
static int irq_line;

/* In hard IRQ, as a device's ack would be: says the line was ours. */
static bool irq_ack(void *arg)
{
	struct ctx *c = arg;

	if (!in_hardirq())
		atomic_inc(&c->bad);
	return true;
}

static void irq_goroutine(void *arg)
{
	struct ctx *c = arg;

	atomic64_inc(&c->sum);
	go3s_wg_done(&c->wg);
}

static enum hrtimer_restart raise(struct hrtimer *t)
{
	struct ctx *c = container_of(t, struct ctx, timer);

	c->irq_ret = generic_handle_irq(irq_line);
	return HRTIMER_NORESTART;
}

/*
 * go3s_irq_bind() on a software interrupt line (the dummy irq chip),
 * raised from a hard hrtimer as a device's line would be from its
 * controller: every raise acks in hard IRQ and runs one goroutine; none
 * after go3s_irq_unbind().
 */
static const char *irq_bind(struct ctx *c)
{
	const char *err = NULL;
	int i, ret;

	irq_line = irq_alloc_desc(NUMA_NO_NODE);
	if (irq_line < 0)
		return "irq_alloc_desc() failed";
	irq_set_chip_and_handler(irq_line, &dummy_irq_chip, handle_simple_irq);
	irq_clear_status_flags(irq_line, IRQ_NOREQUEST);
	irq_b = (struct go3s_irq_binding) {
		.irq = irq_line, .ack = irq_ack, .fn = irq_goroutine, .arg = c,
	};
	ret = go3s_irq_bind(&irq_b, IRQF_NO_THREAD, "go3s_selftest");
	if (ret) {
		irq_free_desc(irq_line);
		return "go3s_irq_bind() failed";
	}
	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	c->timer.function = raise;
	for (i = 0; i < IRQ_RAISES && !err; i++) {
		go3s_wg_add(&c->wg, 1);
		hrtimer_start(&c->timer, ns_to_ktime(100 * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
		if (go3s_wg_wait(&c->wg))
			err = "go3s_wg_wait() failed";
		hrtimer_cancel(&c->timer);
		if (c->irq_ret)
			err = "generic_handle_irq() failed";
	}
	go3s_irq_unbind(&irq_b);
	if (!err && atomic_long_read(&irq_b.spawned) != IRQ_RAISES)
		err = "not one goroutine per interrupt";
	if (!err && (atomic_long_read(&irq_b.fallback) || atomic_read(&c->bad)))
		err = "an interrupt fell back, or its ack ran outside hard IRQ";
	/* Unbound: the line's interrupts reach no handler any more. */
	if (!err) {
		hrtimer_start(&c->timer, 0, HRTIMER_MODE_REL_HARD);
		msleep(20);
		hrtimer_cancel(&c->timer);
		if (atomic64_read(&c->sum) != IRQ_RAISES)
			err = "a goroutine ran for an interrupt after go3s_irq_unbind()";
	}
	irq_free_desc(irq_line);
	return err;
}
#endif

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
#ifdef CONFIG_ARM64
	{ "hal_sysreg", hal_sysreg },
#endif
#ifdef CONFIG_RISCV
	{ "hal_csr", hal_csr },
#endif
#ifdef ARCH_CASES
	{ "migration", migration },
	{ "goroutine_unwind", goroutine_unwind },
	{ "irq_bind", irq_bind },
#endif
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
