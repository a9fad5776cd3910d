// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_fault: a helper of the fault-injection VM (scripts/test-fault.sh),
 * not part of go3s_rt.
 *
 * With task-filter=Y, failslab and fail_page_alloc fail only tasks whose
 * make-it-fail is set. A KUnit case runs in a kthread of its own
 * ("kunit_try_catch_thread"), and kthreads do not inherit make-it-fail
 * from the task that asked for them: kthreadd forks every kthread, and a
 * child copies its parent's flag. So setting it on insmod reaches the
 * suite's setup but none of its cases. This module sets make-it-fail on
 * each case's kthread as it starts the case (a kprobe on KUnit's
 * kunit_try_run_case()), so injection covers the case body, its suite's
 * init and exit, and nothing else: KUnit's cleanup runs in another kthread
 * and is left alone, so a failed case can still release what it holds.
 * At unload it prints how many case threads it marked, and how many had
 * the flag already (inherited: expected 0).
 *
 * With case_nth=N (a module parameter) it instead gives each case thread
 * a fail-nth of N: the case's Nth fault-injection point fails, whatever
 * the rates. When that thread exits it prints whether the point was
 * reached, so a sweep over N knows when it has passed the case's last one.
 *
 * With init_nth=N, the next module init to run gets a fail-nth of N,
 * counted from its entry (a kretprobe on do_one_initcall()), so the Nth
 * fault-injection point of the init itself fails: the module loader's
 * points before it, whose number varies from load to load, do not shift
 * it. At the init's return it prints whether the point was reached and
 * what the init returned, and clears what is left of the fail-nth.
 */
#include <linux/atomic.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

static unsigned int case_nth;
module_param(case_nth, uint, 0644);
MODULE_PARM_DESC(case_nth, "Fail the Nth fault-injection point of each KUnit case (0: use make-it-fail)");

static atomic_t marked, inherited;
static struct task_struct *nth_task;	/* the case thread given a fail-nth */

static int case_starts(struct kprobe *p, struct pt_regs *regs)
{
	unsigned int nth = READ_ONCE(case_nth);

	if (nth) {
		current->fail_nth = nth;
		WRITE_ONCE(nth_task, current);
		return 0;
	}
	if (current->make_it_fail)
		atomic_inc(&inherited);
	current->make_it_fail = 1;
	atomic_inc(&marked);
	return 0;
}

static struct kprobe case_probe = {
	.symbol_name	= "kunit_try_run_case",
	.pre_handler	= case_starts,
};

/* A case thread ends in do_exit(), whether its case returned or aborted. */
static int task_exits(struct kprobe *p, struct pt_regs *regs)
{
	if (current != READ_ONCE(nth_task))
		return 0;
	WRITE_ONCE(nth_task, NULL);
	if (current->fail_nth)
		pr_info("case thread: fail-nth %u not reached\n", READ_ONCE(case_nth));
	else
		pr_info("case thread: fail-nth %u hit\n", READ_ONCE(case_nth));
	return 0;
}

static struct kprobe exit_probe = {
	.symbol_name	= "do_exit",
	.pre_handler	= task_exits,
};

static unsigned int init_nth;
module_param(init_nth, uint, 0644);
MODULE_PARM_DESC(init_nth, "Fail the Nth fault-injection point of the next module init (once)");

struct initcall_call {
	initcall_t fn;
	unsigned int nth;
};

static int initcall_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct initcall_call *c = (struct initcall_call *)ri->data;

	c->nth = xchg(&init_nth, 0);
	if (!c->nth)
		return 1;		/* no return handler */
	c->fn = (initcall_t)regs_get_kernel_argument(regs, 0);
	current->fail_nth = c->nth;
	return 0;
}

static int initcall_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct initcall_call *c = (struct initcall_call *)ri->data;
	int ret = regs_return_value(regs);

	if (current->fail_nth)
		pr_info("initcall %ps: fail-nth %u not reached, returned %d\n",
			c->fn, c->nth, ret);
	else
		pr_info("initcall %ps: fail-nth %u hit, returned %d\n",
			c->fn, c->nth, ret);
	current->fail_nth = 0;
	return 0;
}

static struct kretprobe initcall_probe = {
	.kp.symbol_name	= "do_one_initcall",
	.entry_handler	= initcall_entry,
	.handler	= initcall_return,
	.data_size	= sizeof(struct initcall_call),
	.maxactive	= 4,
};

static struct kprobe *probes[] = { &case_probe, &exit_probe };

static int __init go3s_fault_init(void)
{
	int ret = register_kprobes(probes, ARRAY_SIZE(probes));

	if (ret)
		return ret;
	ret = register_kretprobe(&initcall_probe);
	if (ret)
		unregister_kprobes(probes, ARRAY_SIZE(probes));
	return ret;
}

static void __exit go3s_fault_exit(void)
{
	unregister_kretprobe(&initcall_probe);
	unregister_kprobes(probes, ARRAY_SIZE(probes));
	pr_info("marked %d KUnit case threads, %d had make-it-fail already\n",
		atomic_read(&marked), atomic_read(&inherited));
}

module_init(go3s_fault_init);
module_exit(go3s_fault_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Fault-injection VM helper: make-it-fail for KUnit case threads");
MODULE_VERSION("0.1.0");
