/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic memory: arenas (page-backed bump allocation, freed in one
 * step) and scopes (release everything allocated since a mark).
 *
 * Every goroutine owns an arena: go3s_alloc() allocates from it, and it is
 * freed when the goroutine exits; go3s_scope_begin()/go3s_scope_end()
 * bracket temporary allocations. Outside goroutines, embed a struct
 * go3s_arena and use the go3s_arena_*() calls with explicit gfp flags.
 *
 * Chunks a scope releases are kept for reuse, so a loop that allocates
 * inside a scope stops calling the page allocator after its first pass:
 * the counters (per arena, and arena_* in go3s/stats) prove it. In hard
 * IRQ (or with a gfp that cannot sleep and no chunk to spare) an arena
 * allocates only from what go3s_arena_reserve() set aside.
 *
 * An arena belongs to one context at a time: no locking.
 *
 * Limits: one allocation (and one go3s_arena_reserve()) is at most
 * %GO3S_ARENA_MAX_ALLOC bytes, what one chunk of GO3S_MAX_PAGE_ORDER holds
 * (4 MiB less 64 bytes with 4 KiB pages). An arena holds at most ->limit
 * bytes of chunks, in use and spare together: %GO3S_ARENA_LIMIT from
 * go3s_arena_init() (a goroutine's arena too). The owner may change
 * ->limit at any time; lowering it frees nothing, it only stops growth.
 * Beyond either limit an allocation returns NULL and go3s_arena_reserve()
 * -ENOMEM, whatever the size asked for: sizes near SIZE_MAX cannot wrap.
 *
 * Kernel-doc: go3s_arena_alloc() below; the other functions at their
 * definitions in go3s_rt/mem.c. Documentation/memory.rst renders all of
 * them (make docs).
 */
#ifndef _GO3S_MEM_H
#define _GO3S_MEM_H

#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mmzone.h>
#include <linux/types.h>
#include <asm/page.h>

#include <go3s/compat.h>

struct go3s_arena {
	struct list_head chunks;	/* in use, newest first */
	struct list_head spare;		/* free, kept for reuse (the reserve) */
	char *cur;			/* next free byte in the newest chunk */
	size_t left;			/* bytes free after cur, aligned */
	size_t held;			/* bytes of chunks held, in use and spare */
	size_t limit;			/* most bytes of chunks it may hold */
	u64 bytes;			/* bytes handed out and not released */
	u64 allocs;			/* allocations, ever */
	u64 pages;			/* page allocator calls, ever */
};

/* Where a scope began: go3s_scope_end() returns the arena to it. */
struct go3s_arena_mark {
	void *chunk;
	char *cur;
	size_t left;
	u64 bytes;
};

#define GO3S_ARENA_ALIGN	16U
/* The largest allocation: a chunk of GO3S_MAX_PAGE_ORDER less its header. */
#define GO3S_ARENA_MAX_ALLOC	((PAGE_SIZE << GO3S_MAX_PAGE_ORDER) - 64)
/* The default limit on the chunks one arena holds. */
#define GO3S_ARENA_LIMIT	((size_t)64 << 20)

/**
 * DOC: Bad arguments
 *
 * A size above %GO3S_ARENA_MAX_ALLOC, or one the arena's ->limit does not
 * leave room for, is not a bug: go3s_arena_alloc() and go3s_alloc()
 * return NULL, go3s_arena_reserve() -ENOMEM. A size of 0 allocates
 * %GO3S_ARENA_ALIGN bytes.
 *
 * A NULL arena or mark is a caller bug. The call WARNs once and does
 * nothing: go3s_arena_alloc() returns NULL, go3s_arena_reserve() and
 * go3s_scope_begin() -EINVAL; go3s_arena_mark() with a NULL arena sets the
 * mark to the empty mark. go3s_arena_destroy(NULL) does nothing and does
 * not warn, like kfree(NULL). go3s_alloc() and go3s_scope_end() outside a
 * goroutine WARN once too (NULL, nothing); go3s_scope_begin() there only
 * returns -EPERM. go3s_arena_reserve() from hard IRQ WARNs once and
 * returns -EINVAL. go3s_arena_release() to a mark that is not one of the
 * arena's (or is older than a mark it was already released to) WARNs
 * once and releases everything.
 *
 * "WARNs once" means WARN_ON_ONCE()'s rule: once per check in go3s_rt for
 * as long as go3s_rt stays loaded (once per boot unless it is reloaded),
 * whoever calls; later failures of the same check only return.
 *
 * An arena that go3s_arena_init() never saw, or one already destroyed and
 * then freed, is a caller bug the runtime cannot detect.
 */

void go3s_arena_init(struct go3s_arena *a);
void *__go3s_arena_alloc(struct go3s_arena *a, size_t size, gfp_t gfp);
int go3s_arena_reserve(struct go3s_arena *a, size_t bytes, gfp_t gfp);
void go3s_arena_mark(struct go3s_arena *a, struct go3s_arena_mark *m);
void go3s_arena_release(struct go3s_arena *a, const struct go3s_arena_mark *m);
void go3s_arena_destroy(struct go3s_arena *a);

void *go3s_alloc(size_t size);
int go3s_scope_begin(struct go3s_arena_mark *m);
void go3s_scope_end(const struct go3s_arena_mark *m);
struct go3s_arena *go3s_self_arena(void);

/**
 * go3s_arena_alloc - allocate from an arena
 * @a: the arena.
 * @size: bytes; rounded up to %GO3S_ARENA_ALIGN.
 * @gfp: flags for the page allocator, should the arena need a chunk.
 *
 * Inline bump allocation; __go3s_arena_alloc() takes over when the
 * current chunk is full. The memory is not zeroed and is freed by
 * go3s_arena_release() to an earlier mark or go3s_arena_destroy(), never
 * one by one.
 * Context: any context @gfp allows; in hard IRQ, only chunks reserved
 * with go3s_arena_reserve() are used.
 * Return: 16-byte aligned memory, or NULL: no memory, @size above
 * %GO3S_ARENA_MAX_ALLOC or beyond the arena's ->limit, nothing reserved in
 * hard IRQ, or a NULL @a (a caller bug: warns once).
 */
static inline void *go3s_arena_alloc(struct go3s_arena *a, size_t size,
				     gfp_t gfp)
{
	size_t sz = size ?: 1;
	char *p;

	/* ->left is aligned: what fits before rounding fits after it. */
	if (unlikely(!a || sz > a->left))
		return __go3s_arena_alloc(a, size, gfp);
	sz = ALIGN(sz, GO3S_ARENA_ALIGN);
	p = a->cur;
	a->cur += sz;
	a->left -= sz;
	a->bytes += sz;
	a->allocs++;
	return p;
}

#endif /* _GO3S_MEM_H */
