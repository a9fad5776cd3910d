// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 goroutine stack adoption. current is tp (the worker task, which
 * go3s_arch_switch() never changes) and preempt_count lives in the task
 * (THREAD_INFO_IN_TASK), so adopting a stack is task->stack and the stack
 * protector canary:
 *
 * - task->stack: the unwinder's and object_is_on_stack()'s idea of the
 *   stack, and on_thread_stack(), by which an interrupt taken on the
 *   goroutine stack moves to the CPU's IRQ stack (IRQ_STACKS) as it would
 *   from a task stack.
 * - the canary: with STACKPROTECTOR_PER_TASK gcc checks each frame
 *   against current->stack_canary, read at a fixed offset from tp
 *   (-mstack-protector-guard=tls, -mstack-protector-guard-reg=tp). As on
 *   x86_64 and arm64, all goroutines share one canary, go3s_canary, given
 *   to the worker while a goroutine runs: a goroutine may resume on any
 *   worker. Both hooks run with IRQs off and have no canary check of their
 *   own.
 *
 * Stacks are THREAD_ALIGN aligned, for the entry code's overflow check
 * (arch/vmap_stack.c allocates them).
 */
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/stackprotector.h>

#include "../../go3s_rt/arch.h"

#ifdef CONFIG_STACKPROTECTOR_PER_TASK
static unsigned long go3s_canary;
#endif

void go3s_arch_init(void)
{
#ifdef CONFIG_STACKPROTECTOR_PER_TASK
	go3s_canary = get_random_canary();
#endif
}

void __no_stack_protector
go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base)
{
	save->stack = current->stack;
	current->stack = base;
#ifdef CONFIG_STACKPROTECTOR_PER_TASK
	save->canary = current->stack_canary;
	current->stack_canary = go3s_canary;
#endif
}

void __no_stack_protector
go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base)
{
	current->stack = save->stack;
#ifdef CONFIG_STACKPROTECTOR_PER_TASK
	current->stack_canary = save->canary;
#endif
}

unsigned long *go3s_arch_stack_end(void *base)
{
	return base;	/* end_of_stack() with THREAD_INFO_IN_TASK */
}
