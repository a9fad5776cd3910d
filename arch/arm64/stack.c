// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 goroutine stacks and their adoption. current is sp_el0 and
 * preempt_count lives in the task (THREAD_INFO_IN_TASK), so adopting a
 * stack is task->stack plus the two per-task secrets goroutine frames
 * are built with:
 *
 * - the stack protector canary: with STACKPROTECTOR_PER_TASK gcc checks
 *   each frame against current->stack_canary (read through sp_el0). As on
 *   x86_64, all goroutines share one canary, go3s_canary, given to the
 *   worker while a goroutine runs: a goroutine may resume on any worker.
 * - the pointer authentication key (ARM64_PTR_AUTH_KERNEL): each task has
 *   its own kernel APIA key, which cpu_switch_to() installs from
 *   task->thread.keys_kernel. A return address signed on one worker would
 *   not authenticate on another, so all goroutines share one key too,
 *   go3s_pac_keys, installed (with an ISB) while a goroutine runs.
 *
 * Both hooks run with IRQs off, between their caller's signing and its
 * authentication under one key: they are leaves with no canary check and
 * no signed return address of their own (__go3s_no_pac), so changing the
 * key and the canary under their own feet is harmless.
 *
 * Stack placement: THREAD_ALIGN aligned, for the entry code's overflow
 * check (arch/vmap_stack.c allocates them).
 */
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/stackprotector.h>
#include <asm/pointer_auth.h>

#include "../../go3s_rt/arch.h"

/* Neither sign nor authenticate this function's return address. */
#ifdef CONFIG_CC_IS_GCC
#define __go3s_no_pac	__attribute__((target("branch-protection=none")))
#else
#define __go3s_no_pac
#endif

#ifdef CONFIG_STACKPROTECTOR_PER_TASK
static unsigned long go3s_canary;
#endif
#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL
static struct ptrauth_keys_kernel go3s_pac_keys;
#endif

void go3s_arch_init(void)
{
#ifdef CONFIG_STACKPROTECTOR_PER_TASK
	go3s_canary = get_random_canary();
#endif
#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL
	ptrauth_keys_init_kernel(&go3s_pac_keys);
#endif
}

void __no_stack_protector __go3s_no_pac
go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base)
{
	save->stack = current->stack;
	current->stack = base;
#ifdef CONFIG_STACKPROTECTOR_PER_TASK
	save->canary = current->stack_canary;
	current->stack_canary = go3s_canary;
#endif
#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL
	save->pac_keys = current->thread.keys_kernel;
	current->thread.keys_kernel = go3s_pac_keys;
	ptrauth_thread_switch_kernel(current);
#endif
}

void __no_stack_protector __go3s_no_pac
go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base)
{
	current->stack = save->stack;
#ifdef CONFIG_STACKPROTECTOR_PER_TASK
	current->stack_canary = save->canary;
#endif
#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL
	current->thread.keys_kernel = save->pac_keys;
	ptrauth_thread_switch_kernel(current);
#endif
}

unsigned long *go3s_arch_stack_end(void *base)
{
	return base;	/* end_of_stack() with THREAD_INFO_IN_TASK */
}
