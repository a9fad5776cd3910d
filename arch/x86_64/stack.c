// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 goroutine stack adoption. On x86_64 current and preempt_count
 * are per CPU, so adopting a stack is task->stack, and the canary.
 *
 * Stack protector: gcc checks each frame against %gs:40, which the kernel
 * reloads from task->stack_canary at every task switch. A goroutine's frames
 * must check against one value on whichever worker it resumes, also after
 * its worker task was switched out and back in (a goroutine may sleep in
 * kernel code). So while a goroutine runs, its worker's canary (task field
 * and %gs:40) is go3s_canary, shared by all goroutines, and the worker's own
 * comes back when the goroutine switches out. Both hooks run with IRQs off
 * and have no canary check of their own.
 */
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/stackprotector.h>

#include <linux/vmalloc.h>

#include "../../go3s_rt/arch.h"

/* Page alignment is enough here (the aligned vmalloc is not exported). */
void *go3s_arch_stack_alloc(gfp_t gfp)
{
	return __vmalloc(GO3S_STACK_SIZE, gfp);
}

#ifdef CONFIG_STACKPROTECTOR
static unsigned long go3s_canary;

static __always_inline void canary_set(unsigned long canary)
{
	current->stack_canary = canary;
	this_cpu_write(fixed_percpu_data.stack_canary, canary);
}

void go3s_arch_init(void)
{
	go3s_canary = get_random_canary();
}
#else
static __always_inline void canary_set(unsigned long canary)
{
}

void go3s_arch_init(void)
{
}
#endif

void __no_stack_protector
go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base)
{
	save->stack = current->stack;
	current->stack = base;
#ifdef CONFIG_STACKPROTECTOR
	save->canary = current->stack_canary;
	canary_set(go3s_canary);
#endif
}

void __no_stack_protector
go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base)
{
	current->stack = save->stack;
	canary_set(save->canary);
}

unsigned long *go3s_arch_stack_end(void *base)
{
	return base;	/* end_of_stack() with THREAD_INFO_IN_TASK */
}
