// SPDX-License-Identifier: GPL-2.0
/*
 * The first frame of a goroutine on x86_64 (native and UML).
 */
#include <linux/align.h>

#include "../../go3s_rt/arch.h"

void go3s_arch_g_start(void);

/*
 * What go3s_arch_switch() pops: r15 r14 r13 r12 rbx rbp, then returns to
 * go3s_arch_g_start with %rsp at the frame's end. That end is the 16-byte
 * aligned top of the stack, so that go3s_arch_g_start's call enters
 * go3s_g_main() with %rsp + 8 16-byte aligned, as the psABI wants. The
 * kernel proper is built for 8-byte alignment (no SSE) and never cared;
 * UML is built with the host's ABI, and gcc there spills with movaps to
 * the stack: a frame one word lower made stack_trace_save() fault in
 * 6.1's UML build (lockdep, the first lock a goroutine took).
 */
struct switch_frame {
	unsigned long r15, r14, r13, r12, rbx, rbp;
	unsigned long ret;
};

void go3s_arch_ctx_init(struct go3s_arch_ctx *ctx, void *top, struct go3s_g *g)
{
	struct switch_frame *f;

	f = (struct switch_frame *)(ALIGN_DOWN((unsigned long)top, 16) -
				    sizeof(*f));
	*f = (struct switch_frame) {
		.r12 = (unsigned long)g,
		.ret = (unsigned long)go3s_arch_g_start,
	};
	ctx->sp = (unsigned long)f;
}
