/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit interfaces the suites use that older kernels lack, for the 6.1
 * UML build (scripts/test-uml.sh with GO3S_UML_SERIES=6.1). Each test
 * names the release that brought the interface; the suites are written
 * against the newer form.
 */
#ifndef _GO3S_KUNIT_COMPAT_H
#define _GO3S_KUNIT_COMPAT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/slab.h>

#include <go3s/compat.h>

/*
 * Test attributes (6.6): before, a slow case runs like any other. (The
 * PCI suites that also use KUNIT_CASE_PARAM_ATTR() are not in the UML
 * build, which has no PCI.)
 */
#if !GO3S_KERNEL_AT_LEAST(6, 6)
#define KUNIT_CASE_SLOW(test_name)	KUNIT_CASE(test_name)
#endif

/* KUNIT_ASSERT_FAILURE() became KUNIT_FAIL_AND_ABORT() in 6.8. */
#ifndef KUNIT_FAIL_AND_ABORT
#define KUNIT_FAIL_AND_ABORT(test, fmt, ...) \
	KUNIT_ASSERT_FAILURE(test, fmt, ##__VA_ARGS__)
#endif

/* 6.8 */
#ifndef KUNIT_DEFINE_ACTION_WRAPPER
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in)				\
	{							\
		orig((arg_type)in);				\
	}
#endif

/*
 * Deferred actions (6.4), on top of the test-managed resources that 6.1
 * has: the resource's free function runs the action, at the end of the
 * case or when released early.
 */
#if !GO3S_KERNEL_AT_LEAST(6, 4)
typedef void (kunit_action_t)(void *);

struct go3s_kunit_action {
	kunit_action_t *fn;
	void *ctx;
};

static inline void go3s_kunit_action_free(struct kunit_resource *res)
{
	struct go3s_kunit_action *a = res->data;

	a->fn(a->ctx);
	kfree(a);
}

static inline int kunit_add_action_or_reset(struct kunit *test,
					    kunit_action_t *fn, void *ctx)
{
	struct go3s_kunit_action *a = kmalloc(sizeof(*a), GFP_KERNEL);

	if (a) {
		a->fn = fn;
		a->ctx = ctx;
		if (kunit_alloc_resource(test, NULL, go3s_kunit_action_free,
					 GFP_KERNEL, a))
			return 0;
		kfree(a);
	}
	fn(ctx);
	return -ENOMEM;
}

static inline bool go3s_kunit_action_match(struct kunit *test,
					   struct kunit_resource *res,
					   void *data)
{
	struct go3s_kunit_action *a = res->data, *want = data;

	return res->free == go3s_kunit_action_free && a->fn == want->fn &&
	       a->ctx == want->ctx;
}

static inline void kunit_release_action(struct kunit *test,
					kunit_action_t *fn, void *ctx)
{
	struct go3s_kunit_action want = { .fn = fn, .ctx = ctx };
	struct kunit_resource *res;

	res = kunit_find_resource(test, go3s_kunit_action_match, &want);
	if (res) {
		kunit_remove_resource(test, res);
		kunit_put_resource(res);
	}
}
#endif

/*
 * A return address inside the caller, as Go code hands go3s_gort_panic()
 * one. Not _THIS_IP_: GCC may place that label at the function's first
 * byte (riscv64 does), which %pB, reading return addresses, names as the
 * function before it.
 */
static noinline unsigned long __maybe_unused kunit_ret_ip(void)
{
	return _RET_IP_;
}

#endif /* _GO3S_KUNIT_COMPAT_H */
