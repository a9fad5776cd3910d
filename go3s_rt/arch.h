/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each architecture provides to the scheduler (arch/<arch>/).
 *
 * A goroutine stack is GO3S_STACK_SIZE (THREAD_SIZE) bytes, vmalloc'd (so
 * a guard page sits below it); UML needs it THREAD_SIZE aligned, arm64
 * THREAD_ALIGN aligned (its entry code's overflow check). While a goroutine
 * runs, its worker task "adopts" the stack: task->stack points at it, so
 * the unwinder, object_is_on_stack(), hardened usercopy and KASAN reports
 * see the goroutine's frames as the task's own. UML also derives current
 * and preempt_count from the stack pointer (thread_info at the stack's
 * base), which is why adoption is an arch hook.
 *
 * The stack protector canary is per task on x86_64 (reloaded into %gs:40
 * at every task switch) and on arm64 (STACKPROTECTOR_PER_TASK); adoption
 * also gives the worker the one canary all goroutine frames are built
 * with, since a goroutine may resume on any worker. On arm64 the pointer
 * authentication key that signs return addresses is per task too, and
 * shared by all goroutines the same way. The adopt/return hooks carry no
 * canary check (nor signed return address) themselves.
 *
 * Context switch: go3s_arch_switch() saves the callee-saved registers and
 * the stack pointer of the caller in @from and resumes @to. It is called
 * with interrupts disabled on both sides; the stack adoption happens in
 * the same IRQ-off window, so an interrupt never sees a stack pointer the
 * task does not own.
 */
#ifndef _GO3S_ARCH_H
#define _GO3S_ARCH_H

#include <linux/thread_info.h>
#include <linux/gfp_types.h>
#include <linux/types.h>
#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL
#include <asm/pointer_auth.h>
#endif

struct go3s_g;

#define GO3S_STACK_SIZE		THREAD_SIZE

struct go3s_arch_ctx {
	unsigned long sp;
};

/* What a worker keeps of its own while it lends the task to a G. */
struct go3s_arch_stack_save {
	void *stack;
	unsigned long canary;
#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL
	struct ptrauth_keys_kernel pac_keys;	/* arm64: its return address key */
#endif
};

/* Once, before any goroutine runs. */
void go3s_arch_init(void);

void go3s_arch_switch(struct go3s_arch_ctx *from, struct go3s_arch_ctx *to);

/*
 * Make @ctx resume, on its first switch, in go3s_g_main(@g) with the stack
 * pointer just below @top. go3s_g_main() starts with interrupts disabled.
 */
void go3s_arch_ctx_init(struct go3s_arch_ctx *ctx, void *top, struct go3s_g *g);

/* A GO3S_STACK_SIZE stack, aligned as the architecture needs. */
void *go3s_arch_stack_alloc(gfp_t gfp);

/* Lend current's stack identity to the goroutine stack at @base, and back. */
void go3s_arch_stack_adopt(struct go3s_arch_stack_save *save, void *base);
void go3s_arch_stack_return(struct go3s_arch_stack_save *save, void *base);

/* The word that holds STACK_END_MAGIC in a stack whose base is @base. */
unsigned long *go3s_arch_stack_end(void *base);

/* Entered from go3s_arch_switch() on a new goroutine's first run. */
void go3s_g_main(struct go3s_g *g);

#endif /* _GO3S_ARCH_H */
