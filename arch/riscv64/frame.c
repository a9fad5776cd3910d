// SPDX-License-Identifier: GPL-2.0
/*
 * The first frame of a goroutine on riscv64.
 */
#include <linux/align.h>

#include "../../go3s_rt/arch.h"

void go3s_arch_g_start(void);

/* What go3s_arch_switch() pops (switch.S), lowest address first. */
struct switch_frame {
	unsigned long ra;
	unsigned long s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	unsigned long pad;	/* the psABI keeps sp 16-byte aligned */
};

/*
 * The switch "returns" to go3s_arch_g_start with sp at the frame's end,
 * the 16-byte aligned top of the stack, s1 = @g and s0 = 0: the frame
 * pointer riscv's unwinder (walk_stackframe()) ends a walk at, as
 * fp_is_valid() fails for it. So a trace from a goroutine reads fn <-
 * go3s_g_main <- go3s_arch_g_start, and ends there. go3s_rt/g.c keeps a
 * struct pt_regs free above @top, where task_pt_regs() looks.
 */
void go3s_arch_ctx_init(struct go3s_arch_ctx *ctx, void *top, struct go3s_g *g)
{
	struct switch_frame *f;

	f = (struct switch_frame *)ALIGN_DOWN((unsigned long)top, 16) - 1;
	*f = (struct switch_frame) {
		.ra = (unsigned long)go3s_arch_g_start,
		.s0 = 0,
		.s1 = (unsigned long)g,
	};
	ctx->sp = (unsigned long)f;
}
