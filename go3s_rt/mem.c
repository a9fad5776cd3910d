// SPDX-License-Identifier: GPL-2.0
/*
 * Arenas and scopes; the contract is in <go3s/mem.h>.
 *
 * An arena is a list of page-allocator chunks, the newest first, with a
 * bump pointer into the newest. Releasing to a mark moves the chunks added
 * since the mark to ->spare, where the next growth finds them: that is
 * what makes a steady-state loop allocation-free. Allocations are aligned
 * to GO3S_ARENA_ALIGN; what is left in a chunk when the next allocation
 * does not fit is not used again until a release.
 *
 * Sizes are checked against GO3S_ARENA_MAX_ALLOC before any rounding, and
 * chunks against ->limit with overflow-checked sums, so no size a caller
 * passes can wrap around into a small one.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/preempt.h>

#include <go3s/compat.h>
#include <go3s/mem.h>

#include "bug.h"
#include "g.h"
#include "sched.h"

struct chunk {
	struct list_head node;
	unsigned int order;
	char data[] __aligned(GO3S_ARENA_ALIGN);
};

/* A chunk of GO3S_MAX_PAGE_ORDER holds the largest allocation. */
static_assert(offsetof(struct chunk, data) <= 64);
static_assert(IS_ALIGNED(GO3S_ARENA_MAX_ALLOC, GO3S_ARENA_ALIGN));

static size_t chunk_room(unsigned int order)
{
	return (PAGE_SIZE << order) - offsetof(struct chunk, data);
}

static unsigned int chunk_order(size_t size)
{
	return get_order(size_add(size, offsetof(struct chunk, data)));
}

static struct chunk *chunk_alloc(struct go3s_arena *a, unsigned int order,
				 gfp_t gfp)
{
	struct page *page;
	struct chunk *c;
	size_t held;

	if (order > GO3S_MAX_PAGE_ORDER ||
	    check_add_overflow(a->held, PAGE_SIZE << order, &held) ||
	    held > a->limit)
		return NULL;
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	c = page_address(page);
	c->order = order;
	a->held = held;
	a->pages++;
	go3s_stat_inc(arena_pages);
	return c;
}

/* Make the newest chunk one with room for @size. */
static bool arena_grow(struct go3s_arena *a, size_t size, gfp_t gfp)
{
	unsigned int order = chunk_order(size);
	struct chunk *c;

	list_for_each_entry(c, &a->spare, node) {
		if (c->order >= order) {
			list_move(&c->node, &a->chunks);
			goto use;
		}
	}
	/* In hard IRQ only the reserve may be used. */
	if (in_hardirq() || in_nmi())
		return false;
	c = chunk_alloc(a, order, gfp);
	if (!c)
		return false;
	list_add(&c->node, &a->chunks);
use:
	a->cur = c->data;
	a->left = chunk_room(c->order);
	return true;
}

static void arena_reset(struct go3s_arena *a)
{
	INIT_LIST_HEAD(&a->chunks);
	INIT_LIST_HEAD(&a->spare);
	a->cur = NULL;
	a->left = 0;
	a->held = 0;
	a->bytes = 0;
	a->allocs = 0;
	a->pages = 0;
}

/**
 * go3s_arena_init - initialise an empty arena
 * @a: the arena.
 *
 * Its ->limit is %GO3S_ARENA_LIMIT.
 * Context: any context.
 */
void go3s_arena_init(struct go3s_arena *a)
{
	if (GO3S_WARN_ONCE(!a, "go3s: %s(NULL)\n", __func__))
		return;
	arena_reset(a);
	a->limit = GO3S_ARENA_LIMIT;
}
EXPORT_SYMBOL_GO3S(go3s_arena_init);

/**
 * __go3s_arena_alloc - go3s_arena_alloc() when the current chunk is full
 * @a: the arena.
 * @size: bytes.
 * @gfp: flags for the page allocator.
 *
 * Context: as go3s_arena_alloc().
 * Return: as go3s_arena_alloc().
 */
void *__go3s_arena_alloc(struct go3s_arena *a, size_t size, gfp_t gfp)
{
	if (GO3S_WARN_ONCE(!a, "go3s: allocation from a NULL arena\n"))
		return NULL;
	if (size > GO3S_ARENA_MAX_ALLOC)
		return NULL;
	size = ALIGN(size ?: 1, GO3S_ARENA_ALIGN);
	if (size > a->left && !arena_grow(a, size, gfp))
		return NULL;
	return go3s_arena_alloc(a, size, gfp);	/* fits now */
}
EXPORT_SYMBOL_GO3S(__go3s_arena_alloc);

/**
 * go3s_arena_reserve - set chunks aside for later (e.g. hard-IRQ) use
 * @a: the arena.
 * @bytes: how much the reserve must be able to hand out in one chunk.
 * @gfp: allocation flags.
 *
 * Context: any context @gfp allows, except hard IRQ.
 * Return: 0; -ENOMEM for no memory, @bytes above %GO3S_ARENA_MAX_ALLOC or
 * beyond the arena's ->limit; -EINVAL for a NULL @a or a call in hard IRQ
 * (caller bugs: each warns once).
 */
int go3s_arena_reserve(struct go3s_arena *a, size_t bytes, gfp_t gfp)
{
	struct chunk *c;

	if (GO3S_WARN_ONCE(!a, "go3s: reserve in a NULL arena\n") ||
	    GO3S_WARN_ONCE(in_hardirq(), "go3s: arena reserve in hard IRQ\n"))
		return -EINVAL;
	if (bytes > GO3S_ARENA_MAX_ALLOC)
		return -ENOMEM;
	c = chunk_alloc(a, chunk_order(ALIGN(bytes ?: 1, GO3S_ARENA_ALIGN)), gfp);
	if (!c)
		return -ENOMEM;
	list_add(&c->node, &a->spare);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_arena_reserve);

/**
 * go3s_arena_mark - remember the arena's current state
 * @a: the arena.
 * @m: where to keep the mark.
 *
 * A NULL @a or @m warns once; with a NULL @a, *@m becomes the empty mark.
 * Context: any context.
 */
void go3s_arena_mark(struct go3s_arena *a, struct go3s_arena_mark *m)
{
	if (GO3S_WARN_ONCE(!a || !m, "go3s: %s(%p, %p)\n", __func__, a, m)) {
		if (m)
			*m = (struct go3s_arena_mark){};
		return;
	}
	m->chunk = list_first_entry_or_null(&a->chunks, struct chunk, node);
	m->cur = a->cur;
	m->left = a->left;
	m->bytes = a->bytes;
}
EXPORT_SYMBOL_GO3S(go3s_arena_mark);

/**
 * go3s_arena_release - free everything allocated since a mark
 * @a: the arena.
 * @m: a mark of @a, not older than a mark already released.
 *
 * Chunks added since the mark are kept as spares for reuse. A NULL @a or
 * @m warns once and releases nothing; a mark that is not @a's warns once
 * and releases everything.
 * Context: any context.
 */
void go3s_arena_release(struct go3s_arena *a, const struct go3s_arena_mark *m)
{
	static const struct go3s_arena_mark empty;
	struct chunk *c;

	if (GO3S_WARN_ONCE(!a || !m, "go3s: %s(%p, %p)\n", __func__, a, m))
		return;
	while ((c = list_first_entry_or_null(&a->chunks, struct chunk, node)) &&
	       c != m->chunk)
		list_move(&c->node, &a->spare);
	/* Not a mark of this arena: everything is released. */
	if (GO3S_WARN_ONCE(m->chunk && !c, "go3s: release to a mark not of this arena\n"))
		m = &empty;
	a->cur = m->cur;
	a->left = m->left;
	a->bytes = m->bytes;
}
EXPORT_SYMBOL_GO3S(go3s_arena_release);

/**
 * go3s_arena_destroy - free every chunk, leaving an empty arena
 * @a: the arena, or NULL (nothing happens).
 *
 * The arena keeps its ->limit and can be used again.
 * Context: any context except hard IRQ and NMI.
 */
void go3s_arena_destroy(struct go3s_arena *a)
{
	struct chunk *c, *tmp;

	if (!a)
		return;
	list_splice_init(&a->chunks, &a->spare);
	list_for_each_entry_safe(c, tmp, &a->spare, node) {
		__free_pages(virt_to_page(c), c->order);
		go3s_stat_inc(arena_frees);
	}
	arena_reset(a);
}
EXPORT_SYMBOL_GO3S(go3s_arena_destroy);

/**
 * go3s_self_arena - the running goroutine's arena
 *
 * Context: any context.
 * Return: the arena, or NULL outside a goroutine.
 */
struct go3s_arena *go3s_self_arena(void)
{
	struct go3s_g *g = go3s_self();

	return g ? &g->arena : NULL;
}
EXPORT_SYMBOL_GO3S(go3s_self_arena);

/**
 * go3s_alloc - allocate from the running goroutine's arena
 * @size: bytes.
 *
 * Freed when the goroutine exits, or by go3s_scope_end().
 * Context: a goroutine, process context; may sleep (GFP_KERNEL). Under a
 * spinlock use go3s_arena_alloc(go3s_self_arena(), size, GFP_ATOMIC).
 * Return: 16-byte aligned memory, or NULL as go3s_arena_alloc(), and
 * outside a goroutine (a caller bug: warns once).
 */
void *go3s_alloc(size_t size)
{
	struct go3s_arena *a = go3s_self_arena();

	if (GO3S_WARN_ONCE(!a, "go3s: %s outside a goroutine\n", __func__))
		return NULL;
	return go3s_arena_alloc(a, size, GFP_KERNEL);
}
EXPORT_SYMBOL_GO3S(go3s_alloc);

/**
 * go3s_scope_begin - mark the running goroutine's arena
 * @m: the mark, for go3s_scope_end().
 *
 * Context: a goroutine.
 * Return: 0, -EPERM outside a goroutine, -EINVAL for a NULL @m (a caller
 * bug: warns once).
 */
int go3s_scope_begin(struct go3s_arena_mark *m)
{
	struct go3s_arena *a = go3s_self_arena();

	if (!a)
		return -EPERM;
	if (GO3S_WARN_ONCE(!m, "go3s: %s(NULL)\n", __func__))
		return -EINVAL;
	go3s_arena_mark(a, m);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_scope_begin);

/**
 * go3s_scope_end - free what the goroutine allocated since go3s_scope_begin()
 * @m: the mark go3s_scope_begin() set.
 *
 * Outside a goroutine it warns once and does nothing; a NULL @m warns
 * once (go3s_arena_release()).
 * Context: the goroutine that set the mark.
 */
void go3s_scope_end(const struct go3s_arena_mark *m)
{
	struct go3s_arena *a = go3s_self_arena();

	if (!GO3S_WARN_ONCE(!a, "go3s: %s outside a goroutine\n",
			    __func__))
		go3s_arena_release(a, m);
}
EXPORT_SYMBOL_GO3S(go3s_scope_end);
