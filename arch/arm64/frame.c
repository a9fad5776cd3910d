// SPDX-License-Identifier: GPL-2.0
/*
 * The first frame of a goroutine on arm64.
 */
#include <linux/align.h>
#include <asm/ptrace.h>

#include "../../go3s_rt/arch.h"

void go3s_arch_g_start(void);

/* What go3s_arch_switch() pops (switch.S), lowest address first. */
struct switch_frame {
	unsigned long x29, x30;
	unsigned long x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
};

/*
 * The stack ends, as a task's does, with a struct pt_regs whose
 * stackframe[] is a zeroed frame record: go3s_arch_g_start enters
 * go3s_g_main() with x29 pointing at it, so that go3s_g_main()'s frame
 * record links to it. arm64's unwinder stops cleanly there: it ends a walk
 * at task_pt_regs(task)->stackframe, and task->stack is this stack while
 * the goroutine runs (go3s_arch_stack_adopt()). go3s_rt/g.c reserves at
 * least a struct pt_regs above @top. Below it, switch_frame ends 16-byte
 * aligned, as sp must be at any access.
 */
void go3s_arch_ctx_init(struct go3s_arch_ctx *ctx, void *top, struct go3s_g *g)
{
	unsigned long end = ALIGN((unsigned long)top, GO3S_STACK_SIZE);
	struct pt_regs *regs = (struct pt_regs *)end - 1;
	unsigned long below = (unsigned long)regs;
	struct switch_frame *f;

	if ((unsigned long)top < below)
		below = (unsigned long)top;
	regs->stackframe[0] = 0;
	regs->stackframe[1] = 0;
	f = (struct switch_frame *)ALIGN_DOWN(below, 16) - 1;
	*f = (struct switch_frame) {
		.x29 = (unsigned long)regs->stackframe,
		.x30 = (unsigned long)go3s_arch_g_start,
		.x19 = (unsigned long)g,
	};
	ctx->sp = (unsigned long)f;
}
