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
#include <linux/string.h>
#include <linux/thread_info.h>

#include <linux/vmalloc.h>

#include "../../go3s_rt/arch.h"

/* current_thread_info() masks %rsp: the stack must be THREAD_SIZE aligned. */
void *go3s_arch_stack_alloc(gfp_t gfp)
{
	return __vmalloc_node(GO3S_STACK_SIZE, THREAD_SIZE, gfp, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

/* All of UML runs in one host thread: one stack protector canary. */
void go3s_arch_init(void)
{
}

/*
 * aux_fp_regs (512 bytes) only serves user processes (userspace()); a
 * worker kthread never uses it, so only the fields before it travel.
 */
#define TI_LIVE_SIZE	offsetof(struct thread_info, aux_fp_regs)

void go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base)
{
	save->stack = current->stack;
	memcpy(base, save->stack, TI_LIVE_SIZE);
	current->stack = base;
}

void go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base)
{
	memcpy(save->stack, base, TI_LIVE_SIZE);
	current->stack = save->stack;
}

unsigned long *go3s_arch_stack_end(void *base)
{
	return (unsigned long *)((struct thread_info *)base + 1);
}
