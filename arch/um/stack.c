// SPDX-License-Identifier: GPL-2.0
/*
 * UML goroutine stack adoption. UML finds current_thread_info() (and with
 * it current and preempt_count) by masking the stack pointer, and its IRQ
 * entry copies thread_info through task->stack. So the goroutine stack
 * carries a thread_info at its base: adoption copies the worker's in and
 * points task->stack at it, return copies it back (flags may have changed
 * meanwhile). Interrupts are off throughout, as the arch contract says.
 */
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/thread_info.h>

#include <linux/vmalloc.h>

#include "../../go3s_rt/arch.h"

/* current_thread_info() masks %rsp: the stack must be THREAD_SIZE aligned. */
void *go3s_arch_stack_alloc(gfp_t gfp)
{
	return __vmalloc_node(GO3S_STACK_SIZE, THREAD_SIZE, gfp, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base)
{
	struct thread_info *ti = base;

	save->stack = current->stack;
	*ti = *(struct thread_info *)save->stack;
	current->stack = ti;
}

void go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base)
{
	struct thread_info *ti = save->stack;

	*ti = *(struct thread_info *)base;
	current->stack = ti;
}

unsigned long *go3s_arch_stack_end(void *base)
{
	return (unsigned long *)((struct thread_info *)base + 1);
}
