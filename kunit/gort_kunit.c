// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_gort: the runtime of modules written in Go, driven
 * from C the way gccgo's code calls it. A struct go3s_gort_mod stands
 * for a Go module whose "Go" init and exit functions are C functions;
 * the type descriptors are hand-made with gccgo's layout. The samples
 * (samples/go_*) run the same entry points from real gccgo output in the
 * VMs; this suite pins the details: UTF-8 decoding, slice growth, len()
 * of a channel, select with nil and default cases, a go statement, and
 * that a panic ends only its own goroutine.
 *
 * A case that expects a WARN first logs "GO3S-EXPECT-WARN <regex>".
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/time64.h>

#include <go3s/go.h>
#include <go3s/gort.h>

#include "kunit_compat.h"

static const struct go3s_gort_type int_type = {
	.size = sizeof(s64), .align = 8, .field_align = 8,
	.kind = GO3S_GORT_KIND_INT,
};

static const struct go3s_gort_type string_type = {
	.size = sizeof(struct go3s_string), .align = 8, .field_align = 8,
	.kind = GO3S_GORT_KIND_STRING,
};

static const struct go3s_gort_chantype chan_int_type = {
	.typ = { .size = sizeof(void *), .align = 8, .kind = GO3S_GORT_KIND_CHAN },
	.elem = &int_type,
	.dir = 3,
};

static struct go3s_string gostr(const char *s)
{
	return (struct go3s_string){ .data = (uintptr_t)s, .len = strlen(s) };
}

static void runes_decode_as_go_does(struct kunit *test)
{
	static const struct {
		const char *s;
		s32 rune;
		s64 next;
	} t[] = {
		{ "\xc3\xa9", 0xe9, 2 },		/* é */
		{ "\xe2\x80\x94", 0x2014, 3 },		/* em dash */
		{ "\xf0\x9f\x98\x80", 0x1f600, 4 },	/* emoji */
		{ "\xc0\x80", 0xfffd, 1 },		/* overlong */
		{ "\xed\xa0\x80", 0xfffd, 1 },		/* surrogate */
		{ "\xe2\x80", 0xfffd, 1 },		/* truncated */
		{ "\xe2\x28\xa1", 0xfffd, 1 },		/* bad continuation */
		{ "\xf5\x80\x80\x80", 0xfffd, 1 },	/* past U+10FFFF */
	};
	struct go3s_gort_rune r;
	int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		r = go3s_gort_decoderune(t[i].s, strlen(t[i].s), 0);
		KUNIT_EXPECT_EQ_MSG(test, r.rune, t[i].rune, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, r.next, t[i].next, "case %d", i);
	}
}

static void strings_compare_as_go_does(struct kunit *test)
{
	bool (*streq)(const void *a, const void *b) = go3s_gort_strequal_f.code;
	bool (*eq64)(const void *a, const void *b) = go3s_gort_memequal64_f.code;
	struct go3s_string a = gostr("abc"), b = gostr("abd"), c = gostr("ab");
	s64 x = 7, y = 7;

	KUNIT_EXPECT_EQ(test, go3s_gort_cmpstring("abc", 3, "abd", 3), -1);
	KUNIT_EXPECT_EQ(test, go3s_gort_cmpstring("abc", 3, "ab", 2), 1);
	KUNIT_EXPECT_EQ(test, go3s_gort_cmpstring("ab", 2, "ab", 2), 0);
	KUNIT_EXPECT_FALSE(test, streq(&a, &b));
	KUNIT_EXPECT_FALSE(test, streq(&a, &c));
	b = gostr("abc");
	KUNIT_EXPECT_TRUE(test, streq(&a, &b));
	KUNIT_EXPECT_TRUE(test, eq64(&x, &y));
	y = 8;
	KUNIT_EXPECT_FALSE(test, eq64(&x, &y));
}

/* What the "Go" functions saw, for the case to check afterwards. */
static struct {
	bool nb[3];
	u64 qcount[2];
	s64 got[4];
	bool ok[3];
	struct go3s_gort_selected sel[2];
	struct go3s_gort_nbrecv nbr;
	s64 from_child;
	struct go3s_slice grown;
	bool zeroed, copied, exit_ran, after_panic;
	int panics;
} seen;

static void child(void *arg)
{
	s64 v = 99;

	go3s_gort_chansend1(arg, &v);
}

/* A Go init function: channels, select, a go statement, slices. */
static s64 channels_init(void)
{
	struct go3s_gort_chan *c = go3s_gort_makechan(&chan_int_type, 2);
	struct go3s_gort_chan *u = go3s_gort_makechan(&chan_int_type, 0);
	struct go3s_gort_scase cases[2];
	s64 v, *p, *q;
	int i;

	for (i = 0; i < 3; i++) {
		v = i + 1;
		seen.nb[i] = go3s_gort_selectnbsend(c, &v);
	}
	seen.qcount[0] = READ_ONCE(c->qcount);
	seen.ok[0] = go3s_gort_chanrecv2(c, &seen.got[0]);
	seen.qcount[1] = READ_ONCE(c->qcount);
	/* A send case on a nil channel is never ready. */
	cases[0] = (struct go3s_gort_scase){ NULL, &v };
	cases[1] = (struct go3s_gort_scase){ c, &seen.got[1] };
	seen.sel[0] = go3s_gort_selectgo(cases, NULL, 1, 1, true);
	cases[1].elem = &seen.got[2];
	seen.sel[1] = go3s_gort_selectgo(cases, NULL, 1, 1, false);
	go3s_gort_closechan(c);
	seen.got[3] = -1;
	seen.ok[1] = go3s_gort_chanrecv2(c, &seen.got[3]);
	seen.nbr = go3s_gort_selectnbrecv(&v, c);

	go3s_gort_go(child, u);
	go3s_gort_chanrecv1(u, &seen.from_child);

	p = go3s_gort_makeslice(&int_type, 5, 5);
	seen.zeroed = !memchr_inv(p, 0, 5 * sizeof(*p));
	for (i = 0; i < 5; i++)
		p[i] = i;
	seen.grown = go3s_gort_growslice(&int_type, p, 5, 5, 6);
	q = go3s_slice_ptr(&seen.grown);
	seen.copied = q != p && !memcmp(p, q, 5 * sizeof(*p));
	return 0;
}

static void channels_exit(void)
{
	seen.exit_ran = true;
}

static void go_calls_run_in_goroutines(struct kunit *test)
{
	static struct go3s_gort_mod mod = {
		.desc = GO3S_MODULE_DESC("gort_kunit"),
		.init_fn = channels_init,
		.exit_fn = channels_exit,
	};

	memset(&seen, 0, sizeof(seen));
	KUNIT_ASSERT_EQ(test, go3s_gort_mod_init(&mod), 0);
	KUNIT_EXPECT_TRUE(test, seen.nb[0] && seen.nb[1]);
	KUNIT_EXPECT_FALSE(test, seen.nb[2]);		/* the buffer was full */
	KUNIT_EXPECT_EQ(test, seen.qcount[0], 2);	/* len(ch) */
	KUNIT_EXPECT_EQ(test, seen.qcount[1], 1);
	KUNIT_EXPECT_TRUE(test, seen.ok[0]);
	KUNIT_EXPECT_EQ(test, seen.got[0], 1);
	KUNIT_EXPECT_EQ(test, seen.sel[0].index, 1);
	KUNIT_EXPECT_TRUE(test, seen.sel[0].ok);
	KUNIT_EXPECT_EQ(test, seen.got[1], 2);
	KUNIT_EXPECT_EQ(test, seen.sel[1].index, -1);	/* default */
	KUNIT_EXPECT_FALSE(test, seen.ok[1]);		/* closed, drained */
	KUNIT_EXPECT_EQ(test, seen.got[3], 0);		/* zero value */
	KUNIT_EXPECT_TRUE(test, seen.nbr.selected);
	KUNIT_EXPECT_FALSE(test, seen.nbr.received);
	KUNIT_EXPECT_EQ(test, seen.from_child, 99);
	KUNIT_EXPECT_TRUE(test, seen.zeroed);
	KUNIT_EXPECT_EQ(test, seen.grown.len, 6);	/* gccgo's convention */
	KUNIT_EXPECT_EQ(test, seen.grown.cap, 10);	/* doubled */
	KUNIT_EXPECT_TRUE(test, seen.copied);
	go3s_gort_mod_exit(&mod);
	KUNIT_EXPECT_TRUE(test, seen.exit_ran);
}

static void panicker(void *arg)
{
	go3s_gort_panic(GO3S_GORT_PANIC_INDEX, 7, 3, kunit_ret_ip());
	seen.after_panic = true;
}

static struct go3s_gort_mod panic_mod = {
	.desc = GO3S_MODULE_DESC("gort_kunit_panic"),
};

static s64 panic_init(void)
{
	int i;

	go3s_gort_go(panicker, NULL);
	for (i = 0; i < 1000 && !atomic_read(&panic_mod.panics); i++)
		go3s_sleep(5 * NSEC_PER_MSEC);
	seen.panics = atomic_read(&panic_mod.panics);
	return 0;
}

static void panic_ends_only_its_goroutine(struct kunit *test)
{
	memset(&seen, 0, sizeof(seen));
	panic_mod.init_fn = panic_init;
	pr_info("GO3S-EXPECT-WARN gort_kunit_panic: Go panic: index out of range \\[7\\] with length 3 in panicker\n");
	KUNIT_ASSERT_EQ(test, go3s_gort_mod_init(&panic_mod), 0);
	KUNIT_EXPECT_EQ(test, seen.panics, 1);
	KUNIT_EXPECT_FALSE(test, seen.after_panic);
	go3s_gort_mod_exit(&panic_mod);
}

static s64 init_that_panics(void)
{
	struct go3s_string s = gostr("boom");

	go3s_gort_panic_value(&string_type, &s, kunit_ret_ip());
	seen.after_panic = true;
	return 0;
}

static void panic_in_init_fails_the_load(struct kunit *test)
{
	static struct go3s_gort_mod mod = {
		.desc = GO3S_MODULE_DESC("gort_kunit_init"),
		.init_fn = init_that_panics,
	};

	memset(&seen, 0, sizeof(seen));
	pr_info("GO3S-EXPECT-WARN gort_kunit_init: Go panic: panic: boom in init_that_panics\n");
	KUNIT_EXPECT_EQ(test, go3s_gort_mod_init(&mod), -EFAULT);
	KUNIT_EXPECT_FALSE(test, seen.after_panic);
	KUNIT_EXPECT_EQ(test, atomic_read(&mod.panics), 1);
	KUNIT_EXPECT_EQ(test, go3s_module_unregister(&mod.desc), -EINVAL);
}

static struct kunit_case go3s_gort_cases[] = {
	KUNIT_CASE(runes_decode_as_go_does),
	KUNIT_CASE(strings_compare_as_go_does),
	KUNIT_CASE(go_calls_run_in_goroutines),
	KUNIT_CASE(panic_ends_only_its_goroutine),
	KUNIT_CASE(panic_in_init_fails_the_load),
	{}
};

static struct kunit_suite go3s_gort_suite = {
	.name = "go3s_gort",
	.test_cases = go3s_gort_cases,
};

kunit_test_suite(go3s_gort_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_gort: the runtime of modules written in Go");
MODULE_VERSION("0.1.0");
