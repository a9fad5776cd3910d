/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The product's KUnit checks: GO3S_EXPECT_*() and GO3S_ASSERT_*() are
 * KUnit's KUNIT_EXPECT_*() and KUNIT_ASSERT_*() whose failure message
 * also names the file and line, the expression as written and the
 * goroutine that checked it (0: the test's own kthread), e.g.
 *
 *	# sched_counts: EXPECTATION FAILED at kunit/latency_kunit.c:97
 *	Expected after - before >= 64 * 5, but ...
 *	latency_kunit.c:97: after - before >= 64 * 5 (g 0)
 *
 * so that a failure read in a VM's console, where lines of several suites
 * and goroutines interleave, says where it came from without the source.
 *
 * GO3S_EXPECT_*() may be used from a goroutine the test spawned.
 * GO3S_ASSERT_*() aborts the case and must run in the test's kthread, as
 * KUNIT_ASSERT_*() must: never in a goroutine (whose worker would exit).
 */
#ifndef _GO3S_KUNIT_H
#define _GO3S_KUNIT_H

#include <kunit/test.h>
#include <linux/string.h>

#include <go3s/go.h>

#define GO3S_KUNIT_WHERE		"%s:%d: %s (g %llu)"

/* One condition: KUNIT_<KIND>_<CHECK>_MSG(test, x, ...) */
#define GO3S_KUNIT_CHECK1(kind, check, test, x, text)			\
	KUNIT_##kind##_##check##_MSG(test, x, GO3S_KUNIT_WHERE,		\
				     kbasename(__FILE__), __LINE__, text, \
				     go3s_self_id())
/* Two operands: KUNIT_<KIND>_<CHECK>_MSG(test, a, b, ...) */
#define GO3S_KUNIT_CHECK2(kind, check, test, a, b, text)		\
	KUNIT_##kind##_##check##_MSG(test, a, b, GO3S_KUNIT_WHERE,	\
				     kbasename(__FILE__), __LINE__, text, \
				     go3s_self_id())

#define GO3S_EXPECT_TRUE(test, c) \
	GO3S_KUNIT_CHECK1(EXPECT, TRUE, test, c, #c)
#define GO3S_EXPECT_FALSE(test, c) \
	GO3S_KUNIT_CHECK1(EXPECT, FALSE, test, c, "!(" #c ")")
#define GO3S_EXPECT_NULL(test, p) \
	GO3S_KUNIT_CHECK1(EXPECT, NULL, test, p, #p " == NULL")
#define GO3S_EXPECT_NOT_NULL(test, p) \
	GO3S_KUNIT_CHECK1(EXPECT, NOT_NULL, test, p, #p " != NULL")
#define GO3S_EXPECT_NOT_ERR_OR_NULL(test, p) \
	GO3S_KUNIT_CHECK1(EXPECT, NOT_ERR_OR_NULL, test, p, "!IS_ERR_OR_NULL(" #p ")")
#define GO3S_EXPECT_EQ(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, EQ, test, a, b, #a " == " #b)
#define GO3S_EXPECT_NE(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, NE, test, a, b, #a " != " #b)
#define GO3S_EXPECT_LT(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, LT, test, a, b, #a " < " #b)
#define GO3S_EXPECT_LE(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, LE, test, a, b, #a " <= " #b)
#define GO3S_EXPECT_GT(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, GT, test, a, b, #a " > " #b)
#define GO3S_EXPECT_GE(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, GE, test, a, b, #a " >= " #b)
#define GO3S_EXPECT_PTR_EQ(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, PTR_EQ, test, a, b, #a " == " #b)
#define GO3S_EXPECT_PTR_NE(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, PTR_NE, test, a, b, #a " != " #b)
#define GO3S_EXPECT_STREQ(test, a, b) \
	GO3S_KUNIT_CHECK2(EXPECT, STREQ, test, a, b, "strcmp(" #a ", " #b ") == 0")

#define GO3S_ASSERT_TRUE(test, c) \
	GO3S_KUNIT_CHECK1(ASSERT, TRUE, test, c, #c)
#define GO3S_ASSERT_FALSE(test, c) \
	GO3S_KUNIT_CHECK1(ASSERT, FALSE, test, c, "!(" #c ")")
#define GO3S_ASSERT_NULL(test, p) \
	GO3S_KUNIT_CHECK1(ASSERT, NULL, test, p, #p " == NULL")
#define GO3S_ASSERT_NOT_NULL(test, p) \
	GO3S_KUNIT_CHECK1(ASSERT, NOT_NULL, test, p, #p " != NULL")
#define GO3S_ASSERT_NOT_ERR_OR_NULL(test, p) \
	GO3S_KUNIT_CHECK1(ASSERT, NOT_ERR_OR_NULL, test, p, "!IS_ERR_OR_NULL(" #p ")")
#define GO3S_ASSERT_EQ(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, EQ, test, a, b, #a " == " #b)
#define GO3S_ASSERT_NE(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, NE, test, a, b, #a " != " #b)
#define GO3S_ASSERT_LT(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, LT, test, a, b, #a " < " #b)
#define GO3S_ASSERT_LE(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, LE, test, a, b, #a " <= " #b)
#define GO3S_ASSERT_GT(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, GT, test, a, b, #a " > " #b)
#define GO3S_ASSERT_GE(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, GE, test, a, b, #a " >= " #b)
#define GO3S_ASSERT_PTR_EQ(test, a, b) \
	GO3S_KUNIT_CHECK2(ASSERT, PTR_EQ, test, a, b, #a " == " #b)

#endif /* _GO3S_KUNIT_H */
