/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reporting caller bugs.
 *
 * An argument check that a production build can afford (a NULL pointer,
 * a counter out of range) reports with GO3S_WARN_ONCE(): a WARN the first
 * time the check fails at that call site, then only the errno, whoever
 * the later callers are. That is WARN_ON_ONCE()'s rule: once per call
 * site in go3s_rt for as long as go3s_rt stays loaded (once per boot
 * unless it is reloaded). Unlike WARN_ON_ONCE(), the KUnit suites can
 * re-arm the sites (go3s_bug_rearm()), so a case can expect its WARN
 * whatever ran before it.
 *
 * The debug build's checks of freed objects (released channels, dead or
 * moved ref[T] objects) WARN on every offence, naming the caller.
 */
#ifndef _GO3S_BUG_H
#define _GO3S_BUG_H

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/llist.h>

struct go3s_bug_site {
	atomic_t fired;
	struct llist_node node;		/* on the fired list, for rearming */
};

bool go3s_bug_first(struct go3s_bug_site *site);
void go3s_bug_rearm(void);

/*
 * WARN(@cond, @fmt, ...) the first time @cond holds at this site.
 * Return: @cond, every time.
 */
#define GO3S_WARN_ONCE(cond, fmt, ...) ({				\
	static struct go3s_bug_site __go3s_site;			\
	bool __go3s_c = !!(cond);					\
									\
	if (unlikely(__go3s_c) && go3s_bug_first(&__go3s_site))	\
		WARN(1, fmt, ##__VA_ARGS__);				\
	unlikely(__go3s_c);						\
})

#endif /* _GO3S_BUG_H */
