// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutine stacks aligned to THREAD_ALIGN (2 * THREAD_SIZE), for arm64
 * and riscv64. Under VMAP_STACK both detect a kernel stack overflow in
 * their exception entry by testing bit THREAD_SHIFT of sp, which is clear
 * anywhere on a task stack because task stacks are THREAD_ALIGN aligned.
 * A goroutine stack must obey: an exception (an interrupt, a WARN's
 * breakpoint) taken on a stack with that bit set panics ("kernel stack
 * overflow").
 *
 * The aligned vmalloc (__vmalloc_node_range) is not exported, so
 * go3s_arch_stack_alloc() maps its own pages with vmap(): VM_IOREMAP
 * aligns the area to its size rounded up to a power of two, so one page
 * more than THREAD_SIZE gets THREAD_ALIGN. The stack is the area's first
 * THREAD_SIZE bytes; the extra page above its top is unused. The page
 * below the stack is never mapped (another area's guard page or a hole),
 * so an overflow faults, and the entry check sees the overflowed sp's bit
 * set. VM_MAP_PUT_PAGES hands the pages to the area: vfree() frees them.
 */
#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/thread_info.h>
#include <linux/vmalloc.h>

#include "../go3s_rt/arch.h"

#define STACK_PAGES	(THREAD_SIZE / PAGE_SIZE + 1)
static_assert((PAGE_SIZE << order_base_2(STACK_PAGES)) >= THREAD_ALIGN);

void *go3s_arch_stack_alloc(gfp_t gfp)
{
	struct page **pages;
	unsigned int i;
	void *stack;

	pages = kmalloc_array(STACK_PAGES, sizeof(*pages), gfp);
	if (!pages)
		return NULL;
	for (i = 0; i < STACK_PAGES; i++) {
		pages[i] = alloc_page(gfp);
		if (!pages[i])
			goto fail;
	}
	stack = vmap(pages, STACK_PAGES, VM_MAP | VM_MAP_PUT_PAGES | VM_IOREMAP,
		     PAGE_KERNEL);
	if (!stack)
		goto fail;
	if (WARN_ON_ONCE(!IS_ALIGNED((unsigned long)stack, THREAD_ALIGN))) {
		vfree(stack);
		return NULL;
	}
	return stack;
fail:
	while (i--)
		__free_page(pages[i]);
	kfree(pages);
	return NULL;
}
