/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Goroutine context switch for arm64. Only what AAPCS64 makes
 * callee-saved is switched: x19-x28, the frame pointer x29, the link
 * register x30 and sp. d8-d15 are callee-saved too, but the kernel is
 * built with -mgeneral-regs-only: kernel C code never touches the FP/SIMD
 * registers outside kernel_neon_begin()/end(), which a goroutine cannot
 * switch across (it disables preemption).
 *
 * Pointer authentication (ARM64_PTR_AUTH_KERNEL, pac-ret): this function
 * is a leaf and does not sign its return address. The x30 it saves is the
 * plain return address into its caller; the caller's own return address,
 * signed with sp as the modifier, stays in the caller's frame on its own
 * stack and is authenticated there, against that same sp, when the caller
 * returns. The APIA key those frames were signed with is the one all
 * goroutines share while they run (stack.c), so a goroutine may resume on
 * another worker task, whose own key differs.
 *
 * BTI: it is only reached by BL; SYM_FUNC_START adds the BTI C landing
 * pad when the kernel has ARM64_BTI_KERNEL. Shadow call stacks are not
 * supported (kcompat.h refuses SHADOW_CALL_STACK): x18 is not switched.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>
#include <asm/brk-imm.h>

#include "kcompat.h"

#define CTX_SP	0	/* offsetof(struct go3s_arch_ctx, sp) */

	.text

/* void go3s_arch_switch(struct go3s_arch_ctx *from, struct go3s_arch_ctx *to) */
SYM_FUNC_START(go3s_arch_switch)
	/* The frame layout is struct switch_frame in frame.c. */
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]
	ldr	x9, [x1, #CTX_SP]
	mov	sp, x9
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
SYM_FUNC_END(go3s_arch_switch)

/*
 * First instruction of every goroutine: go3s_arch_ctx_init() leaves the
 * goroutine in x19, this address in x30 and, in x29, the final frame
 * record at the top of the stack, so the first go3s_arch_switch()
 * "returns" here. It is reached by RET, never by BR/BLR, so it needs no
 * BTI landing pad; it authenticates nothing and signs nothing (it never
 * returns): go3s_g_main() signs its own return address here on entry.
 */
SYM_CODE_START(go3s_arch_g_start)
	mov	x0, x19
	bl	go3s_g_main	/* switches away for good at its end */
	brk	#BUG_BRK_IMM
SYM_CODE_END(go3s_arch_g_start)
