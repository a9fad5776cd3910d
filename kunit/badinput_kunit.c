// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_badinput: every export of <go3s/chan.h>, <go3s/mem.h>,
 * <go3s/ffi.h>, <go3s/wg.h>, <go3s/queue.h> and <go3s/ref.h> fed NULL,
 * zero and huge sizes, out-of-range values, and closed and released
 * objects where those are defined. Each call must give the errno (or the
 * neutral value) its header documents, and only the WARNs it documents.
 *
 * A case that expects a WARN first logs "GO3S-EXPECT-WARN <regex>"; the
 * VM harness (scripts/vm/check-console.py) then requires exactly one WARN
 * matching it, and fails the run on any WARN nobody expected. The checks
 * that "WARN once" fire once per check site while go3s_rt is loaded, so
 * expect_warn() re-arms them first (go3s_bug_rearm()), and the suite
 * re-arms them when it ends, for the suites that run after it. A second
 * call through an already fired site must stay silent: the harness would
 * see it as an unexpected WARN.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/gfp.h>
#include <linux/kernel.h>	/* snprintf(): <linux/sprintf.h> from 6.8 */
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/stdarg.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include <go3s/chan.h>
#include <go3s/ffi.h>
#include <go3s/go.h>
#include <go3s/mem.h>
#include <go3s/queue.h>
#include <go3s/ref.h>
#include <go3s/wg.h>

#include "../go3s_rt/bug.h"
#include "kunit_compat.h"

/* Declare the WARN the next call must give (and re-arm the once sites). */
static __printf(1, 2) void expect_warn(const char *fmt, ...)
{
	char regex[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(regex, sizeof(regex), fmt, ap);
	va_end(ap);
	go3s_bug_rearm();
	pr_info("GO3S-EXPECT-WARN %s\n", regex);
}

KUNIT_DEFINE_ACTION_WRAPPER(chan_put_action, go3s_chan_put, struct go3s_chan *);
KUNIT_DEFINE_ACTION_WRAPPER(queue_free_action, go3s_queue_free, struct go3s_queue *);
KUNIT_DEFINE_ACTION_WRAPPER(arena_destroy_action, go3s_arena_destroy, struct go3s_arena *);
KUNIT_DEFINE_ACTION_WRAPPER(page_free_action, __free_page, struct page *);

static struct go3s_chan *new_chan(struct kunit *test, size_t size, unsigned int cap)
{
	struct go3s_chan *ch = go3s_chan_new(size, cap, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ch));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, chan_put_action, ch), 0);
	return ch;
}

/* ---- channels ------------------------------------------------------------ */

static void chan_new_sizes(struct kunit *test)
{
	struct go3s_chan *ch;

	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(GO3S_CHAN_MAX_ELEM + 1, 1, GFP_KERNEL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(SIZE_MAX, 1, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(8, GO3S_CHAN_MAX_CAP + 1, GFP_KERNEL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(8, UINT_MAX, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_chan_new(SIZE_MAX, UINT_MAX, GFP_KERNEL)), -EINVAL);
	/* The limits themselves, and zero sizes, are valid. */
	ch = new_chan(test, GO3S_CHAN_MAX_ELEM, 1);
	KUNIT_EXPECT_EQ(test, go3s_chan_cap(ch), 1U);
	ch = new_chan(test, 0, 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_cap(ch), 0U);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, NULL), -EAGAIN);
}

/* Every channel call shares one NULL check: one WARN for all of them. */
static void chan_null_warns_once(struct kunit *test)
{
	struct go3s_select_case c = { .dir = GO3S_CHAN_RECV };
	u64 v = 1;
	bool ok = true;

	expect_warn("operation on a NULL channel at %s", __func__);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(NULL, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(NULL, &v, &ok), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_send(NULL, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(NULL, &v, &ok), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(NULL), -EINVAL);
	KUNIT_EXPECT_NULL(test, go3s_chan_get(NULL));
	KUNIT_EXPECT_EQ(test, go3s_chan_len(NULL), 0U);
	KUNIT_EXPECT_EQ(test, go3s_chan_cap(NULL), 0U);
	go3s_chan_put(NULL);
	/* Untouched by the failed calls. */
	KUNIT_EXPECT_EQ(test, v, 1ULL);
	KUNIT_EXPECT_TRUE(test, ok);
	/* In a select, a NULL channel is Go's nil channel: never ready. */
	KUNIT_EXPECT_EQ(test, go3s_select(&c, 1, GO3S_NOWAIT), -EAGAIN);
	KUNIT_EXPECT_EQ(test, go3s_select(&c, 1, 1000), -ETIMEDOUT);
}

static void chan_null_elem(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 1);
	u64 v = 7;

	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_send(ch, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_len(ch), 0U);
	KUNIT_ASSERT_EQ(test, go3s_chan_try_send(ch, &v), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_chan_len(ch), 1U);
	v = 0;
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, &v, NULL), 0);	/* @ok may be NULL */
	KUNIT_EXPECT_EQ(test, v, 7ULL);
}

static void select_bad_cases(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 1);
	struct go3s_select_case c[GO3S_SELECT_MAX + 1];
	static const u8 bad_dirs[] = { 0, 3, 255 };
	u64 v = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		c[i] = (struct go3s_select_case){ .ch = ch, .elem = &v,
						  .dir = GO3S_CHAN_RECV };
	KUNIT_EXPECT_EQ(test, go3s_select(NULL, 1, GO3S_NOWAIT), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_select(c, 0, GO3S_NOWAIT), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_select(c, 0, GO3S_FOREVER), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_select(c, GO3S_SELECT_MAX + 1, GO3S_NOWAIT), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_select(c, UINT_MAX, GO3S_NOWAIT), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_dirs); i++) {
		c[0].dir = bad_dirs[i];
		KUNIT_EXPECT_EQ(test, go3s_select(c, 1, GO3S_NOWAIT), -EINVAL);
	}
	c[0] = (struct go3s_select_case){ .ch = ch, .dir = GO3S_CHAN_SEND };
	KUNIT_EXPECT_EQ(test, go3s_select(c, 1, GO3S_NOWAIT), -EINVAL);	/* NULL elem */
	KUNIT_EXPECT_EQ(test, go3s_chan_len(ch), 0U);
	c[0].elem = &v;
	KUNIT_EXPECT_EQ(test, go3s_select(c, GO3S_SELECT_MAX, GO3S_NOWAIT), 0);
}

static void chan_closed(struct kunit *test)
{
	struct go3s_chan *ch = new_chan(test, sizeof(u64), 2);
	struct go3s_select_case c = { .ch = ch, .dir = GO3S_CHAN_SEND };
	u64 v = 5;
	bool ok;

	KUNIT_ASSERT_EQ(test, go3s_chan_try_send(ch, &v), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(ch), 0);
	KUNIT_EXPECT_EQ(test, go3s_chan_close(ch), -EALREADY);
	KUNIT_EXPECT_EQ(test, go3s_chan_try_send(ch, &v), -EPIPE);
	KUNIT_EXPECT_EQ(test, go3s_chan_send(ch, &v), -EPIPE);
	c.elem = &v;
	KUNIT_EXPECT_EQ(test, go3s_select(&c, 1, GO3S_FOREVER), 0);
	KUNIT_EXPECT_FALSE(test, c.ok);
	/* Buffered elements still come out, then zeroes with ok == false. */
	v = 0;
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 5ULL);
	v = ~0ULL;
	KUNIT_EXPECT_EQ(test, go3s_chan_try_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	v = ~0ULL;
	KUNIT_EXPECT_EQ(test, go3s_chan_recv(ch, &v, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	KUNIT_EXPECT_EQ(test, go3s_chan_len(ch), 0U);
}

/*
 * Debug builds keep a released channel in quarantine for an RCU grace
 * period: every call on it WARNs, naming the caller, and fails. Inside one
 * RCU read-side section the channel cannot have been freed yet; nothing
 * in that section may sleep, so the results are checked after it.
 */
static void chan_released_is_quarantined(struct kunit *test)
{
	struct go3s_chan *ch = go3s_chan_new(sizeof(u64), 4, GFP_KERNEL);
	struct go3s_select_case c = { .ch = ch, .dir = GO3S_CHAN_RECV };
	int ret[8] = {}, sel;
	unsigned int len, cap;
	void *got;
	char re[160];
	u64 v = 3;
	bool ok;

	if (!IS_ENABLED(CONFIG_GO3S_DEBUG)) {
		if (!IS_ERR(ch))
			go3s_chan_put(ch);
		kunit_skip(test, "needs CONFIG_GO3S_DEBUG");
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(ch));
	KUNIT_ASSERT_EQ(test, go3s_chan_try_send(ch, &v), 0);
	c.elem = &v;
	snprintf(re, sizeof(re), "operation on a released channel at %s.*last put at %s",
		 __func__, __func__);

	rcu_read_lock();
	go3s_chan_put(ch);
	expect_warn("%s", re);
	ret[0] = go3s_chan_try_send(ch, &v);
	expect_warn("%s", re);
	ret[1] = go3s_chan_try_recv(ch, &v, &ok);
	/*
	 * The blocking forms fail before they could sleep; without the
	 * quarantine they would block in this RCU section: not tried then.
	 */
	if (ret[0] == -EINVAL && ret[1] == -EINVAL) {
		expect_warn("%s", re);
		ret[2] = go3s_chan_send(ch, &v);
		expect_warn("%s", re);
		ret[3] = go3s_chan_recv(ch, &v, &ok);
	}
	expect_warn("%s", re);
	ret[4] = go3s_chan_close(ch);
	expect_warn("%s", re);
	len = go3s_chan_len(ch);
	expect_warn("%s", re);
	cap = go3s_chan_cap(ch);
	expect_warn("%s", re);
	got = go3s_chan_get(ch);
	/* A second put drops nothing (no refcount underflow). */
	expect_warn("%s", re);
	go3s_chan_put(ch);
	/* select's check names go3s_select; its trace names us. */
	expect_warn("(?s)operation on a released channel at .*%s", __func__);
	sel = go3s_select(&c, 1, GO3S_NOWAIT);
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, ret[0], -EINVAL);
	KUNIT_EXPECT_EQ(test, ret[1], -EINVAL);
	KUNIT_EXPECT_EQ(test, ret[2], -EINVAL);
	KUNIT_EXPECT_EQ(test, ret[3], -EINVAL);
	KUNIT_EXPECT_EQ(test, ret[4], -EINVAL);
	KUNIT_EXPECT_EQ(test, len, 0U);
	KUNIT_EXPECT_EQ(test, cap, 0U);
	KUNIT_EXPECT_NULL(test, got);
	KUNIT_EXPECT_EQ(test, sel, -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 3ULL);
}

/* ---- arenas ------------------------------------------------------------- */

static struct go3s_arena *new_arena(struct kunit *test)
{
	struct go3s_arena *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	go3s_arena_init(a);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, arena_destroy_action, a), 0);
	return a;
}

/* Sizes that used to wrap around: NULL, and no page allocator call. */
static void arena_huge_sizes(struct kunit *test)
{
	static const size_t huge[] = {
		SIZE_MAX, SIZE_MAX - 15, SIZE_MAX - GO3S_ARENA_ALIGN, SIZE_MAX / 2,
		GO3S_ARENA_MAX_ALLOC + 1, (size_t)PAGE_SIZE << (GO3S_MAX_PAGE_ORDER + 1),
	};
	struct go3s_arena *a = new_arena(test);
	u64 pages, bytes;
	int i;

	KUNIT_EXPECT_EQ(test, a->limit, GO3S_ARENA_LIMIT);
	for (i = 0; i < ARRAY_SIZE(huge); i++)
		KUNIT_EXPECT_NULL(test, go3s_arena_alloc(a, huge[i], GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, a->pages, 0ULL);
	/* Again with a chunk in place, where the inline path runs first. */
	KUNIT_ASSERT_NOT_NULL(test, go3s_arena_alloc(a, 16, GFP_KERNEL));
	pages = a->pages;
	bytes = a->bytes;
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		KUNIT_EXPECT_NULL(test, go3s_arena_alloc(a, huge[i], GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, __go3s_arena_alloc(a, huge[i], GFP_KERNEL));
		KUNIT_EXPECT_EQ(test, go3s_arena_reserve(a, huge[i], GFP_KERNEL), -ENOMEM);
	}
	KUNIT_EXPECT_EQ(test, a->pages, pages);
	KUNIT_EXPECT_EQ(test, a->bytes, bytes);
	/* Size 0 is one aligned unit. */
	KUNIT_EXPECT_NOT_NULL(test, go3s_arena_alloc(a, 0, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, a->bytes, bytes + GO3S_ARENA_ALIGN);
}

static void arena_limit_holds(struct kunit *test)
{
	struct go3s_arena *a = new_arena(test);
	int i, got = 0;

	a->limit = 4 * PAGE_SIZE;
	for (i = 0; i < 64; i++) {
		if (!go3s_arena_alloc(a, PAGE_SIZE, GFP_KERNEL))
			break;
		got++;
	}
	KUNIT_EXPECT_GT(test, got, 0);
	KUNIT_EXPECT_LT(test, got, 64);
	KUNIT_EXPECT_LE(test, a->held, a->limit);
	KUNIT_EXPECT_EQ(test, go3s_arena_reserve(a, 16, GFP_KERNEL), -ENOMEM);
	a->limit = SIZE_MAX;		/* no wrap in held + chunk either */
	KUNIT_EXPECT_EQ(test, go3s_arena_reserve(a, 16, GFP_KERNEL), 0);
	KUNIT_EXPECT_NOT_NULL(test, go3s_arena_alloc(a, PAGE_SIZE, GFP_KERNEL));
	/* Destroyed, the arena is empty, keeps its limit and works again. */
	a->limit = 4 * PAGE_SIZE;
	go3s_arena_destroy(a);
	KUNIT_EXPECT_EQ(test, a->held, (size_t)0);
	KUNIT_EXPECT_EQ(test, a->limit, (size_t)(4 * PAGE_SIZE));
	KUNIT_EXPECT_NOT_NULL(test, go3s_arena_alloc(a, 100, GFP_KERNEL));
}

static void arena_null_args(struct kunit *test)
{
	struct go3s_arena *a = new_arena(test), *b = new_arena(test);
	struct go3s_arena_mark m = { .chunk = (void *)1 }, mb;

	expect_warn("go3s_arena_init\\(NULL\\)");
	go3s_arena_init(NULL);
	expect_warn("allocation from a NULL arena");
	KUNIT_EXPECT_NULL(test, go3s_arena_alloc(NULL, 16, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, __go3s_arena_alloc(NULL, 16, GFP_KERNEL));	/* once */
	expect_warn("reserve in a NULL arena");
	KUNIT_EXPECT_EQ(test, go3s_arena_reserve(NULL, 16, GFP_KERNEL), -EINVAL);
	expect_warn("go3s_arena_mark\\(");
	go3s_arena_mark(NULL, &m);
	KUNIT_EXPECT_NULL(test, m.chunk);		/* the empty mark */
	KUNIT_EXPECT_EQ(test, m.left, (size_t)0);
	expect_warn("go3s_arena_mark\\(");
	go3s_arena_mark(a, NULL);
	expect_warn("go3s_arena_release\\(");
	go3s_arena_release(NULL, &m);
	KUNIT_ASSERT_NOT_NULL(test, go3s_arena_alloc(a, 64, GFP_KERNEL));
	expect_warn("go3s_arena_release\\(");
	go3s_arena_release(a, NULL);
	KUNIT_EXPECT_EQ(test, a->bytes, 64ULL);		/* nothing released */
	go3s_arena_destroy(NULL);			/* like kfree(NULL): silent */
	/* Another arena's mark: warns once, releases everything. */
	KUNIT_ASSERT_NOT_NULL(test, go3s_arena_alloc(b, 16, GFP_KERNEL));
	go3s_arena_mark(b, &mb);
	expect_warn("release to a mark not of this arena");
	go3s_arena_release(a, &mb);
	KUNIT_EXPECT_EQ(test, a->bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, b->bytes, 16ULL);
}

struct galloc {
	struct go3s_wg wg;
	void *huge[4];
	void *zero;
	size_t limit;
	u64 pages_before, pages_after;
	int scope_null;
};

static void galloc_body(void *arg)
{
	struct galloc *g = arg;
	struct go3s_arena *a = go3s_self_arena();

	g->limit = a->limit;
	g->pages_before = a->pages;
	g->huge[0] = go3s_alloc(SIZE_MAX);
	g->huge[1] = go3s_alloc(SIZE_MAX - 15);
	g->huge[2] = go3s_alloc(GO3S_ARENA_MAX_ALLOC + 1);
	g->huge[3] = go3s_arena_alloc(a, SIZE_MAX - 15, GFP_ATOMIC);
	g->pages_after = a->pages;
	g->zero = go3s_alloc(0);
	g->scope_null = go3s_scope_begin(NULL);
	go3s_wg_done(&g->wg);
}

/* go3s_alloc(SIZE_MAX - 15) in a goroutine used to exhaust memory. */
static void alloc_in_goroutine(struct kunit *test)
{
	struct galloc *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	struct go3s_arena_mark m = {};
	int i;

	KUNIT_ASSERT_NOT_NULL(test, g);
	go3s_wg_init(&g->wg);
	go3s_wg_add(&g->wg, 1);
	expect_warn("go3s_scope_begin\\(NULL\\)");
	KUNIT_ASSERT_EQ(test, go3s_go(galloc_body, g), 0);
	KUNIT_ASSERT_EQ(test, go3s_wg_wait(&g->wg), 0);
	for (i = 0; i < ARRAY_SIZE(g->huge); i++)
		KUNIT_EXPECT_NULL(test, g->huge[i]);
	KUNIT_EXPECT_EQ(test, g->pages_after, g->pages_before);
	KUNIT_EXPECT_NOT_NULL(test, g->zero);
	KUNIT_EXPECT_EQ(test, g->limit, GO3S_ARENA_LIMIT);
	KUNIT_EXPECT_EQ(test, g->scope_null, -EINVAL);

	/* Outside a goroutine. */
	KUNIT_EXPECT_NULL(test, go3s_self_arena());
	KUNIT_EXPECT_EQ(test, go3s_scope_begin(&m), -EPERM);	/* no WARN */
	KUNIT_EXPECT_EQ(test, go3s_scope_begin(NULL), -EPERM);
	expect_warn("go3s_alloc outside a goroutine");
	KUNIT_EXPECT_NULL(test, go3s_alloc(16));
	KUNIT_EXPECT_NULL(test, go3s_alloc(SIZE_MAX));		/* once */
	expect_warn("go3s_scope_end outside a goroutine");
	go3s_scope_end(&m);
}

/* ---- FFI ------------------------------------------------------------------ */

static struct page **two_pages(struct kunit *test)
{
	/* Exactly two entries, so KASAN sees any read past them. */
	struct page **pages = kunit_kmalloc_array(test, 2, sizeof(*pages), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < 2; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, page_free_action,
								pages[i]), 0);
	}
	return pages;
}

static void slices_from_pages_ranges(struct kunit *test)
{
	struct page **pages = two_pages(test);
	struct go3s_slice out[4] = {};
	const unsigned int end = 2 * PAGE_SIZE;

	/* Offsets past the array: -ERANGE, whatever the length. */
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, end + 1, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, end + 1, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, end + PAGE_SIZE, 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, UINT_MAX, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, UINT_MAX, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, UINT_MAX, U64_MAX),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 0, 0, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 0, 1, 0), -ERANGE);
	/* Lengths past the end. */
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, 0, end + 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, PAGE_SIZE + 10,
						     PAGE_SIZE - 9), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, 0, U64_MAX), -ERANGE);
	/* Nothing was filled by the failures. */
	KUNIT_EXPECT_EQ(test, out[0].data, 0ULL);
	/* The edges are valid. */
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, end, 0), 0);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 0, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, PAGE_SIZE + 10,
						     PAGE_SIZE - 10), 1);
	KUNIT_EXPECT_EQ(test, out[0].len, (u64)(PAGE_SIZE - 10));
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, pages, 2, 0, end), 2);
	/* Other bad arguments. */
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 1, pages, 2, 0, end), -ENOSPC);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 0, pages, 2, 0, 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(NULL, 4, pages, 2, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(out, 4, NULL, 2, 0, 1), -EINVAL);
}

static void slices_from_iter_kinds(struct kunit *test)
{
	struct go3s_slice out[2];
	struct iov_iter it;
	struct xarray xa;
	struct kvec kv[2];
	char buf[32];

	iov_iter_discard(&it, ITER_DEST, 64);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 2, &it), -EOPNOTSUPP);
	iov_iter_discard(&it, ITER_DEST, 0);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 2, &it), -EOPNOTSUPP);
	xa_init(&xa);
	iov_iter_xarray(&it, ITER_SOURCE, &xa, 0, 0);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 2, &it), -EOPNOTSUPP);
	iov_iter_ubuf(&it, ITER_DEST, (void __user *)PAGE_SIZE, 16);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 2, &it), -EFAULT);
	kv[0] = (struct kvec){ .iov_base = buf, .iov_len = 16 };
	kv[1] = (struct kvec){ .iov_base = buf + 16, .iov_len = 16 };
	iov_iter_kvec(&it, ITER_SOURCE, kv, 2, 32);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 1, &it), -ENOSPC);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 2, &it), 2);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(NULL, 2, &it), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(out, 2, NULL), -EINVAL);
}

static void slice_helpers(struct kunit *test)
{
	struct go3s_slice s, t = {};
	struct go3s_string str;
	struct scatterlist sg[2];
	struct kvec kv;
	struct page *pg = two_pages(test)[0];
	void *vbuf, *e = NULL;
	u64 buf[4];

	KUNIT_EXPECT_EQ(test, go3s_slice_make(NULL, buf, 1, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_make(&s, buf, 5, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_make(&s, NULL, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_make(&s, NULL, 0, 0), 0);	/* nil slice */
	KUNIT_ASSERT_EQ(test, go3s_slice_make(&s, buf, 4, 4), 0);

	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 0, 0, 1, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(NULL, &s, 8, 0, 1, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, NULL, 8, 0, 1, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 8, 2, 1, 4), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 8, 0, 5, 5), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 8, 0, 1, 5), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 8, U64_MAX, U64_MAX, U64_MAX), -ERANGE);
	KUNIT_EXPECT_EQ(test, t.data, 0ULL);				/* untouched */

	KUNIT_EXPECT_EQ(test, go3s_slice_index(&s, 8, 4, &e), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_index(&s, 8, U64_MAX, &e), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_index(&s, 0, 0, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_index(NULL, 8, 0, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_index(&s, 8, 0, NULL), -EINVAL);
	/* An index whose byte offset does not fit in 64 bits. */
	KUNIT_ASSERT_EQ(test, go3s_slice_make(&t, buf, U64_MAX, U64_MAX), 0);
	KUNIT_EXPECT_EQ(test, go3s_slice_index(&t, 16, U64_MAX / 8, &e), -ERANGE);
	KUNIT_EXPECT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&s, &t, 16, U64_MAX / 8, U64_MAX / 8, U64_MAX / 8),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, s.len, 4ULL);				/* untouched */

	KUNIT_EXPECT_EQ(test, go3s_string_make(NULL, "x", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_string_make(&str, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_string_make(&str, NULL, 0), 0);

	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(NULL, pg, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(&t, NULL, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(&t, pg, PAGE_SIZE + 1, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(&t, pg, 1, PAGE_SIZE), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(&t, pg, UINT_MAX, UINT_MAX), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(&t, pg, PAGE_SIZE, 0), 0);

	sg_init_table(sg, 2);				/* entries without pages */
	KUNIT_EXPECT_EQ(test, go3s_slices_from_sg(&t, 2, sg, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_sg(&t, 1, sg, 2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_sg(NULL, 1, sg, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_sg(&t, 1, NULL, 1), -EINVAL);

	KUNIT_EXPECT_EQ(test, go3s_slice_to_kvec(NULL, &kv), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_to_kvec(&s, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_to_sg(NULL, sg), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_to_sg(&s, NULL), -EINVAL);
	vbuf = vmalloc(64);
	KUNIT_ASSERT_NOT_NULL(test, vbuf);
	KUNIT_EXPECT_EQ(test, go3s_slice_make(&t, vbuf, 64, 64), 0);
	KUNIT_EXPECT_EQ(test, go3s_slice_to_sg(&t, sg), -EINVAL);	/* not lowmem */
	vfree(vbuf);
}

/* ---- WaitGroup -------------------------------------------------------------- */

static void wg_counter_range(struct kunit *test)
{
	struct go3s_wg wg;

	go3s_wg_init(&wg);
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, INT_MAX), 0);
	expect_warn("WaitGroup counter overflow");
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, 1), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, INT_MAX), -EOVERFLOW);	/* once */
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), INT_MAX);		/* no wrap */
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, -INT_MAX), 0);
	KUNIT_ASSERT_EQ(test, atomic_read(&wg.count), 0);	/* or the wait hangs */
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&wg), 0);
	expect_warn("negative WaitGroup counter");
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, -1), -EINVAL);
	go3s_wg_done(&wg);						/* once */
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, INT_MIN), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&wg.count), 0);
	KUNIT_EXPECT_EQ(test, go3s_wg_add(&wg, 0), 0);
}

static void wg_null(struct kunit *test)
{
	expect_warn("go3s_wg_init\\(NULL\\)");
	go3s_wg_init(NULL);
	expect_warn("go3s_wg_add on a NULL WaitGroup");
	KUNIT_EXPECT_EQ(test, go3s_wg_add(NULL, 1), -EINVAL);
	go3s_wg_done(NULL);						/* once */
	expect_warn("go3s_wg_wait on a NULL WaitGroup");
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(NULL), -EINVAL);
}

/* ---- queue ---------------------------------------------------------------- */

static void queue_bad_args(struct kunit *test)
{
	struct go3s_queue *q;
	void *v = (void *)1;

	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_queue_new(0, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_queue_new(1, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_queue_new(GO3S_QUEUE_MAX + 1, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_queue_new(UINT_MAX, GFP_KERNEL)), -EINVAL);
	q = go3s_queue_new(2, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(q));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, queue_free_action, q), 0);

	KUNIT_EXPECT_EQ(test, go3s_queue_pop(q, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, go3s_queue_push(q, NULL), 0);		/* NULL is a value */
	KUNIT_EXPECT_EQ(test, go3s_queue_push(q, v), 0);
	KUNIT_EXPECT_EQ(test, go3s_queue_push(q, v), -ENOSPC);
	KUNIT_EXPECT_EQ(test, go3s_queue_len(q), 2U);

	expect_warn("go3s_queue_push on a NULL queue");
	KUNIT_EXPECT_EQ(test, go3s_queue_push(NULL, v), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_queue_push(NULL, v), -EINVAL);	/* once */
	expect_warn("go3s_queue_pop\\(");
	KUNIT_EXPECT_EQ(test, go3s_queue_pop(NULL, &v), -EINVAL);
	expect_warn("go3s_queue_pop\\(");
	KUNIT_EXPECT_EQ(test, go3s_queue_pop(q, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_queue_len(q), 2U);			/* nothing popped */
	expect_warn("go3s_queue_len\\(NULL\\)");
	KUNIT_EXPECT_EQ(test, go3s_queue_len(NULL), 0U);
	expect_warn("go3s_queue_size\\(NULL\\)");
	KUNIT_EXPECT_EQ(test, go3s_queue_size(NULL), 0U);
	go3s_queue_free(NULL);						/* silent */
}

/* ---- ref[T] --------------------------------------------------------------- */

struct bad_obj {
	u64 a;
};

static void ref_types(struct kunit *test)
{
	struct go3s_type t = GO3S_TYPE(struct bad_obj, "badinput_obj", NULL);
	struct go3s_type bad;

	KUNIT_EXPECT_EQ(test, go3s_type_register(NULL), -EINVAL);
	bad = t;
	bad.name = NULL;
	KUNIT_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad = t;
	bad.size = 0;
	KUNIT_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad.size = GO3S_TYPE_MAX_SIZE + 1;
	KUNIT_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad.size = U32_MAX;
	KUNIT_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad = t;
	bad.align = 24;
	KUNIT_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	bad.align = GO3S_TYPE_MAX_ALIGN * 2;
	KUNIT_EXPECT_EQ(test, go3s_type_register(&bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_type_unregister(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_type_unregister(&t), -EINVAL);	/* not registered */

	expect_warn("go3s_ref_new of a NULL type at %s", __func__);
	KUNIT_EXPECT_NULL(test, go3s_ref_new(NULL, GFP_KERNEL));
	expect_warn("go3s_ref_new of type badinput_obj, not registered, at %s", __func__);
	KUNIT_EXPECT_NULL(test, go3s_ref_new(&t, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, go3s_ref_new(&t, GFP_KERNEL));	/* once */

	KUNIT_ASSERT_EQ(test, go3s_type_register(&t), 0);
	KUNIT_EXPECT_EQ(test, go3s_type_register(&t), -EBUSY);
	KUNIT_EXPECT_EQ(test, go3s_type_unregister(&t), 0);
	KUNIT_EXPECT_EQ(test, go3s_type_unregister(&t), -EINVAL);
}

/* One NULL check serves every ref call: one WARN, then quiet failures. */
static void ref_null_warns_once(struct kunit *test)
{
	void *p = NULL;

	expect_warn("count of a NULL ref at %s", __func__);
	KUNIT_EXPECT_EQ(test, go3s_ref_count(NULL), 0U);
	KUNIT_EXPECT_NULL(test, go3s_ref_type(NULL));
	KUNIT_EXPECT_NULL(test, go3s_ref_get(NULL));
	go3s_ref_put(NULL);
	go3s_ref_put_rcu(NULL);
	KUNIT_EXPECT_NULL(test, __go3s_ref_get(NULL));
	__go3s_ref_put(NULL);
	__go3s_ref_release(NULL);
	KUNIT_EXPECT_NULL(test, go3s_ref_borrow(NULL));
	go3s_ref_unborrow(NULL);
	KUNIT_EXPECT_NULL(test, go3s_ref_borrow_mut(NULL));
	go3s_ref_unborrow_mut(NULL);
	KUNIT_EXPECT_NULL(test, go3s_ref_move(&p));
	go3s_ref_drop(&p);
	expect_warn("go3s_ref_move\\(NULL\\)");
	KUNIT_EXPECT_NULL(test, go3s_ref_move(NULL));
	expect_warn("go3s_ref_drop\\(NULL\\)");
	go3s_ref_drop(NULL);
}

/* Debug builds: a dead object is caught until its RCU grace period ends. */
static void ref_dead_object(struct kunit *test)
{
	struct go3s_type t = GO3S_TYPE(struct bad_obj, "badinput_obj", NULL);
	const struct go3s_type *type;
	unsigned int count;
	void *p;

	if (!IS_ENABLED(CONFIG_GO3S_DEBUG))
		kunit_skip(test, "needs CONFIG_GO3S_DEBUG");
	KUNIT_ASSERT_EQ(test, go3s_type_register(&t), 0);
	p = go3s_ref_new(&t, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	if (p) {
		rcu_read_lock();
		go3s_ref_put(p);
		expect_warn("count of a badinput_obj whose last reference is gone .* at %s",
			    __func__);
		count = go3s_ref_count(p);
		expect_warn("type of a badinput_obj whose last reference is gone .* at %s",
			    __func__);
		type = go3s_ref_type(p);
		rcu_read_unlock();
		KUNIT_EXPECT_EQ(test, count, 0U);
		KUNIT_EXPECT_NULL(test, type);
	}
	KUNIT_EXPECT_EQ(test, go3s_type_unregister(&t), 0);
}

static int badinput_suite_init(struct kunit_suite *suite)
{
	go3s_bug_rearm();
	return 0;
}

/* The suites after this one expect their own WARNs. */
static void badinput_suite_exit(struct kunit_suite *suite)
{
	go3s_bug_rearm();
}

static struct kunit_case go3s_badinput_cases[] = {
	KUNIT_CASE(chan_new_sizes),
	KUNIT_CASE(chan_null_warns_once),
	KUNIT_CASE(chan_null_elem),
	KUNIT_CASE(select_bad_cases),
	KUNIT_CASE(chan_closed),
	KUNIT_CASE(chan_released_is_quarantined),
	KUNIT_CASE(arena_huge_sizes),
	KUNIT_CASE(arena_limit_holds),
	KUNIT_CASE(arena_null_args),
	KUNIT_CASE(alloc_in_goroutine),
	KUNIT_CASE(slices_from_pages_ranges),
	KUNIT_CASE(slices_from_iter_kinds),
	KUNIT_CASE(slice_helpers),
	KUNIT_CASE(wg_counter_range),
	KUNIT_CASE(wg_null),
	KUNIT_CASE(queue_bad_args),
	KUNIT_CASE(ref_types),
	KUNIT_CASE(ref_null_warns_once),
	KUNIT_CASE(ref_dead_object),
	{}
};

static struct kunit_suite go3s_badinput_suite = {
	.name = "go3s_badinput",
	.suite_init = badinput_suite_init,
	.suite_exit = badinput_suite_exit,
	.test_cases = go3s_badinput_cases,
};

kunit_test_suite(go3s_badinput_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_badinput: bad input to every go3s export");
MODULE_VERSION("0.1.0");
