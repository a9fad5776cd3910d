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
#include <linux/types.h>

struct go3s_arena {
	struct list_head chunks;	/* in use, newest first */
	struct list_head spare;		/* free, kept for reuse (the reserve) */
	char *cur;			/* next free byte in the newest chunk */
	size_t left;			/* bytes free after cur */
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
 * Return: 16-byte aligned memory, or NULL (no memory, @size too big for
 * one chunk of MAX_PAGE_ORDER, or nothing reserved in hard IRQ).
 */
static inline void *go3s_arena_alloc(struct go3s_arena *a, size_t size,
				     gfp_t gfp)
{
	size_t sz = ALIGN(size ?: 1, GO3S_ARENA_ALIGN);
	char *p;

	if (unlikely(!a || sz > a->left))
		return __go3s_arena_alloc(a, size, gfp);
	p = a->cur;
	a->cur += sz;
	a->left -= sz;
	a->bytes += sz;
	a->allocs++;
	return p;
}

#endif /* _GO3S_MEM_H */
