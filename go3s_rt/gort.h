/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gort internals: what the files of the Go modules' runtime share
 * (gort.c: goroutines, module life, panics, print; gort_chan.c: channels
 * and select; gort_mem.c: memory, strings, equality). <go3s/gort.h> is
 * the interface; Documentation/go.rst the design.
 */
#ifndef _GO3S_GORT_INT_H
#define _GO3S_GORT_INT_H

#include <linux/delay.h>

#include <go3s/gort.h>

#define GORT_LINE	160	/* bytes of one print/println line */

/*
 * A goroutine running Go code: the argument of its go3s goroutine.
 * Only its own goroutine touches it.
 */
struct gort_g {
	struct go3s_gort_mod *mod;
	void (*fn)(void *arg);		/* a gccgo thunk, or NULL: init/exit */
	void *arg;
	bool is_exit;			/* runs the module's exit function */
	unsigned int line_len;
	char line[GORT_LINE];		/* print/println, until a newline */
};

struct gort_g *gort_self(void);
void *gort_alloc(struct go3s_gort_mod *mod, u64 size, unsigned long ip);
void gort_throw_msg(const char *msg, long err, unsigned long ip);

/*
 * Panic the running Go goroutine with a runtime error: it ends there.
 * gort_throw_msg() returns only outside a Go goroutine (a C caller's
 * bug, already WARNed): that task then sleeps for good rather than go
 * on as if the call had worked.
 */
static inline void __noreturn gort_throw(const char *msg, long err,
					 unsigned long ip)
{
	gort_throw_msg(msg, err, ip);
	for (;;)
		msleep(MSEC_PER_SEC);
}

#endif /* _GO3S_GORT_INT_H */
