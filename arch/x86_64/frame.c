// SPDX-License-Identifier: GPL-2.0
/*
 * The first frame of a goroutine on x86_64 (native and UML).
 */
#include <linux/align.h>

#include "../../go3s_rt/arch.h"

void go3s_arch_g_start(void);

/* What go3s_arch_switch() pops: r15 r14 r13 r12 rbx rbp, then returns. */
struct switch_frame {
	unsigned long r15, r14, r13, r12, rbx, rbp;
	unsigned long ret;
	unsigned long pad;	/* %rsp + 8 is 16-byte aligned at the call */
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
