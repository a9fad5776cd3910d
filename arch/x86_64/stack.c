// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 goroutine stack adoption. On x86_64 current and
 * preempt_count are per CPU, so adopting a stack is only task->stack.
 */
#include <linux/sched.h>
#include <linux/sched/task_stack.h>

#include <linux/vmalloc.h>

#include "../../go3s_rt/arch.h"

/* Page alignment is enough here (the aligned vmalloc is not exported). */
void *go3s_arch_stack_alloc(gfp_t gfp)
{
	return __vmalloc(GO3S_STACK_SIZE, gfp);
}

void go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base)
{
	save->stack = current->stack;
	current->stack = base;
}

void go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base)
{
	current->stack = save->stack;
}

unsigned long *go3s_arch_stack_end(void *base)
{
	return base;	/* end_of_stack() with THREAD_INFO_IN_TASK */
}
