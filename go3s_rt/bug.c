// SPDX-License-Identifier: GPL-2.0
/*
 * Caller-bug sites: see bug.h. A site that fired is put on a lock-free
 * list, so the KUnit suites can re-arm every site without knowing them.
 * Both calls are safe in any context, NMI included (one xchg, one
 * llist_add()).
 */
#include <kunit/visibility.h>

#include "bug.h"

static LLIST_HEAD(fired);

/* Is this the first failed check at @site since load (or the last rearm)? */
bool go3s_bug_first(struct go3s_bug_site *site)
{
	if (atomic_read(&site->fired) || atomic_xchg(&site->fired, 1))
		return false;
	llist_add(&site->node, &fired);
	return true;
}

/* Let every site WARN again: for the tests that expect a given WARN. */
void go3s_bug_rearm(void)
{
	struct llist_node *list = llist_del_all(&fired);
	struct go3s_bug_site *site, *next;

	llist_for_each_entry_safe(site, next, list, node)
		atomic_set(&site->fired, 0);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_bug_rearm);
