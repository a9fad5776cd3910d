// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_ffi: the ABI layouts byte for byte, re-slicing by Go's
 * bounds rules, and zero-copy views of kmalloc'd buffers, pages, page
 * arrays, scatterlists and iov_iters (and back).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include <go3s/compat.h>
#include <go3s/ffi.h>

#include "kunit_compat.h"

static void abi_layout_is_fixed(struct kunit *test)
{
	/* What Documentation/abi.rst specifies (also static_asserts). */
	KUNIT_EXPECT_EQ(test, sizeof(struct go3s_slice), 24UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct go3s_slice, len), 8UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct go3s_slice, cap), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct go3s_string), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct go3s_string, len), 8UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct go3s_error), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct go3s_error, msg), 8UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct go3s_ref_hdr), 40UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct go3s_ref_hdr, type), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct go3s_ref_hdr, rcu), 24UL);
	KUNIT_EXPECT_EQ(test, __alignof__(struct go3s_slice), 8UL);
}

static void reslice_follows_go_bounds(struct kunit *test)
{
	u32 *buf = kunit_kcalloc(test, 100, sizeof(u32), GFP_KERNEL);
	struct go3s_slice s, t, keep;
	void *e;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, go3s_slice_make(&s, buf, 50, 100), 0);
	s.len = 50;		/* elements of 4 bytes from here on */
	s.cap = 100;
	KUNIT_ASSERT_EQ(test, go3s_slice_sub(&t, &s, 4, 10, 20, s.cap), 0);
	KUNIT_EXPECT_PTR_EQ(test, go3s_slice_ptr(&t), (void *)&buf[10]);
	KUNIT_EXPECT_EQ(test, t.len, 10ULL);
	KUNIT_EXPECT_EQ(test, t.cap, 90ULL);
	/* Up to cap, not only len: s[10:60] is legal in Go. */
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 4, 10, 60, s.cap), 0);
	/* Three-index form limits the capacity. */
	KUNIT_ASSERT_EQ(test, go3s_slice_sub(&t, &s, 4, 0, 5, 8), 0);
	KUNIT_EXPECT_EQ(test, t.cap, 8ULL);
	keep = t;
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 4, 20, 10, s.cap), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 4, 0, 101, 101), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 4, 0, 9, 8), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 4, U64_MAX, U64_MAX, U64_MAX), -ERANGE);
	KUNIT_EXPECT_EQ(test, memcmp(&t, &keep, sizeof(t)), 0);	/* untouched */
	KUNIT_EXPECT_EQ(test, go3s_slice_sub(&t, &s, 0, 0, 1, 1), -EINVAL);

	KUNIT_ASSERT_EQ(test, go3s_slice_index(&s, 4, 49, &e), 0);
	KUNIT_EXPECT_PTR_EQ(test, e, (void *)&buf[49]);
	KUNIT_EXPECT_EQ(test, go3s_slice_index(&s, 4, 50, &e), -ERANGE);
	*(u32 *)e = 7;			/* zero copy: the buffer sees it */
	KUNIT_EXPECT_EQ(test, buf[49], 7U);

	KUNIT_EXPECT_EQ(test, go3s_slice_make(&t, buf, 101, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_slice_make(&t, NULL, 0, 0), 0);	/* nil */
	KUNIT_EXPECT_NULL(test, go3s_slice_ptr(&t));
}

static void string_views_bytes(struct kunit *test)
{
	static const char msg[] = "hello, go3s";
	struct go3s_string s;

	KUNIT_ASSERT_EQ(test, go3s_string_make(&s, msg, 5), 0);
	KUNIT_EXPECT_PTR_EQ(test, go3s_string_ptr(&s), (const char *)msg);
	KUNIT_EXPECT_EQ(test, s.len, 5ULL);
	KUNIT_EXPECT_EQ(test, go3s_string_make(&s, NULL, 1), -EINVAL);
}

static void views_of_pages(struct kunit *test)
{
	struct page *pages[3];
	struct go3s_slice s[4];
	int i, n;

	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			KUNIT_FAIL_AND_ABORT(test, "alloc_page() failed");
		}
	}
	KUNIT_ASSERT_EQ(test, go3s_slice_from_page(&s[0], pages[0], 100, 200), 0);
	KUNIT_EXPECT_PTR_EQ(test, go3s_slice_ptr(&s[0]), page_address(pages[0]) + 100);
	KUNIT_EXPECT_EQ(test, s[0].cap, (u64)PAGE_SIZE - 100);
	KUNIT_EXPECT_EQ(test, go3s_slice_from_page(&s[0], pages[0], 100, PAGE_SIZE),
			-ERANGE);

	n = go3s_slices_from_pages(s, ARRAY_SIZE(s), pages, 3, 100, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, s[0].len, (u64)PAGE_SIZE - 100);
	KUNIT_EXPECT_EQ(test, s[1].len, (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s[2].len, 100ULL);
	KUNIT_EXPECT_PTR_EQ(test, go3s_slice_ptr(&s[2]), page_address(pages[2]));
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(s, 2, pages, 3, 100, 2 * PAGE_SIZE),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_pages(s, 4, pages, 3, 1, 3 * PAGE_SIZE),
			-ERANGE);
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

static void views_of_sg_and_iter(struct kunit *test)
{
	char *a = kunit_kzalloc(test, 300, GFP_KERNEL);
	char *b = kunit_kzalloc(test, 500, GFP_KERNEL);
	struct scatterlist sg[2], one;
	struct go3s_slice s[3];
	struct kvec kv[3];
	struct iov_iter it;
	void *v;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	v = vmalloc(64);
	KUNIT_ASSERT_NOT_NULL(test, v);
	/* KUnit frees it however the case ends. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, v), 0);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], a, 300);
	sg_set_buf(&sg[1], b, 500);
	KUNIT_ASSERT_EQ(test, go3s_slices_from_sg(s, 3, sg, 2), 2);
	KUNIT_EXPECT_PTR_EQ(test, go3s_slice_ptr(&s[0]), (void *)a);
	KUNIT_EXPECT_EQ(test, s[1].len, 500ULL);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_sg(s, 1, sg, 2), -ENOSPC);

	kv[0] = (struct kvec){ .iov_base = a, .iov_len = 300 };
	kv[1] = (struct kvec){ .iov_base = b, .iov_len = 500 };
	iov_iter_kvec(&it, ITER_SOURCE, kv, 2, 800);
	iov_iter_advance(&it, 310);		/* into the second segment */
	KUNIT_ASSERT_EQ(test, go3s_slices_from_iter(s, 3, &it), 1);
	KUNIT_EXPECT_PTR_EQ(test, go3s_slice_ptr(&s[0]), (void *)(b + 10));
	KUNIT_EXPECT_EQ(test, s[0].len, 490ULL);
	iov_iter_ubuf(&it, ITER_DEST, (void __user *)0x10000, 16);
	KUNIT_EXPECT_EQ(test, go3s_slices_from_iter(s, 3, &it), -EFAULT);

	/* And back. */
	KUNIT_ASSERT_EQ(test, go3s_slice_to_kvec(&s[0], &kv[2]), 0);
	KUNIT_EXPECT_PTR_EQ(test, kv[2].iov_base, (void *)(b + 10));
	KUNIT_ASSERT_EQ(test, go3s_slice_to_sg(&s[0], &one), 0);
	KUNIT_EXPECT_PTR_EQ(test, sg_virt(&one), (void *)(b + 10));
	KUNIT_EXPECT_EQ(test, one.length, 490U);
	go3s_slice_make(&s[1], v, 64, 64);
	KUNIT_EXPECT_EQ(test, go3s_slice_to_sg(&s[1], &one), -EINVAL);	/* vmalloc */
}

static struct kunit_case go3s_ffi_cases[] = {
	KUNIT_CASE(abi_layout_is_fixed),
	KUNIT_CASE(reslice_follows_go_bounds),
	KUNIT_CASE(string_views_bytes),
	KUNIT_CASE(views_of_pages),
	KUNIT_CASE(views_of_sg_and_iter),
	{}
};

static struct kunit_suite go3s_ffi_suite = {
	.name = "go3s_ffi",
	.test_cases = go3s_ffi_cases,
};

kunit_test_suite(go3s_ffi_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_ffi: the FFI ABI and zero-copy views");
MODULE_VERSION("0.1.0");
