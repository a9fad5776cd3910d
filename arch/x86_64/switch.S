/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Goroutine context switch for x86_64 (also used by UML on x86_64).
 * Only the callee-saved registers and %rsp are switched: everything else
 * is dead across a C call. The stack protector canary is not switched
 * here: on x86_64, go3s_arch_stack_adopt() and go3s_arch_stack_return()
 * (stack.c) give the worker, around each switch, the canary all goroutines
 * share and then its own back; UML has one canary for everything. This
 * function has no canary check of its own.
 */
#include <linux/linkage.h>
#ifndef CONFIG_UML
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>
#endif

#include "kcompat.h"

#define CTX_SP	0	/* offsetof(struct go3s_arch_ctx, sp) */

	.text

/* void go3s_arch_switch(struct go3s_arch_ctx *from, struct go3s_arch_ctx *to) */
SYM_FUNC_START(go3s_arch_switch)
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, CTX_SP(%rdi)
	/*
	 * objtool keeps the frame state across this load: the new stack
	 * holds the same frame (six registers and a return address), as
	 * for __switch_to_asm.
	 */
	movq	CTX_SP(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	RET
SYM_FUNC_END(go3s_arch_switch)

/*
 * First instruction of every goroutine: go3s_arch_ctx_init() leaves the
 * goroutine in %r12 and this address as the return address of the initial
 * frame, so the first go3s_arch_switch() "returns" here. It is reached by
 * RET, never by an indirect branch, hence no ENDBR.
 */
SYM_CODE_START(go3s_arch_g_start)
#ifndef CONFIG_UML
	UNWIND_HINT_END_OF_STACK
	ANNOTATE_NOENDBR
#endif
	movq	%r12, %rdi
	call	go3s_g_main	/* switches away for good at its end */
	ud2
SYM_CODE_END(go3s_arch_g_start)
