/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Goroutine context switch for riscv64. Only what the psABI makes
 * callee-saved among the integer registers is switched: s0-s11 (s0 is the
 * frame pointer), ra and sp. fs0-fs11 are callee-saved too, but kernel C
 * code is built without floating point (-march without F/D) and touches
 * FP or vector registers only between kernel_fpu_begin()/end() or
 * kernel_vector_begin()/end(), which disable preemption, where a
 * goroutine may not switch.
 *
 * tp is current, the worker task, and is never switched: a goroutine that
 * resumes on another worker runs with that worker's tp, as current must
 * say. gp holds __global_pointer$, the same for every task (no shadow call
 * stack: kcompat.h refuses SHADOW_CALL_STACK, which would keep it in gp).
 * sstatus.SUM, which __switch_to() saves per task, is clear here: a
 * goroutine never switches inside a user access window.
 */
#include <linux/linkage.h>

#include "kcompat.h"

#define CTX_SP		0	/* offsetof(struct go3s_arch_ctx, sp) */
/* struct switch_frame in frame.c: ra, s0-s11, one word to keep 16-byte alignment. */
#define FRAME_SIZE	(14 * 8)

	.text

/* void go3s_arch_switch(struct go3s_arch_ctx *from, struct go3s_arch_ctx *to) */
SYM_FUNC_START(go3s_arch_switch)
	addi	sp, sp, -FRAME_SIZE
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	sd	sp, CTX_SP(a0)
	ld	sp, CTX_SP(a1)
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, FRAME_SIZE
	ret
SYM_FUNC_END(go3s_arch_switch)

/*
 * First instruction of every goroutine: go3s_arch_ctx_init() leaves the
 * goroutine in s1, this address in ra and 0 in s0, so the first
 * go3s_arch_switch() "returns" here. go3s_g_main()'s frame record then
 * holds a zero frame pointer, where riscv's unwinder stops (as it does at
 * a kernel thread's first frame, whose s0 copy_thread() zeroes).
 */
SYM_CODE_START(go3s_arch_g_start)
	mv	a0, s1
	call	go3s_g_main	/* switches away for good at its end */
	ebreak			/* no bug table entry: "Kernel BUG" */
SYM_CODE_END(go3s_arch_g_start)
