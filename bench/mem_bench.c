// SPDX-License-Identifier: GPL-2.0
/*
 * ref[T], arena and slice costs against the kernel's own mechanisms, in
 * the BENCH line format of bench.c:
 *   ref_getput   go3s_ref_get + go3s_ref_put vs kref_get + kref_put
 *   arena_alloc  arena allocations of mixed sizes, released by a scope,
 *		  vs kmalloc + kfree of the same sizes
 *   slice_view   a slice over an existing 4 KiB buffer vs kmemdup of it
 */
#include <linux/kref.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include <go3s/ffi.h>
#include <go3s/mem.h>
#include <go3s/ref.h>

#include "bench.h"

#define OPS		1000000U
#define BATCH		64U
#define VIEW_BYTES	4096U

struct obj {
	struct kref kref;
	u64 payload[4];
};

static struct go3s_type obj_type = GO3S_TYPE(struct obj, "bench_obj", NULL);

static void obj_release(struct kref *k)
{
	kfree(container_of(k, struct obj, kref));
}

static void bench_ref(void)
{
	struct obj *k = kzalloc(sizeof(*k), GFP_KERNEL);
	struct obj *g;
	u64 i, t0, gt, kt;

	if (!k || go3s_type_register(&obj_type)) {
		kfree(k);
		return;
	}
	g = go3s_ref_new(&obj_type, GFP_KERNEL);
	if (!g)
		goto out;
	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		go3s_ref_get(g);
		go3s_ref_put(g);
	}
	gt = ktime_get_ns() - t0;
	kref_init(&k->kref);
	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		kref_get(&k->kref);
		kref_put(&k->kref, obj_release);
	}
	kt = ktime_get_ns() - t0;
	go3s_bench_report("ref_getput", go3s_bench_per_item(gt, OPS), "kref",
			  go3s_bench_per_item(kt, OPS));
	go3s_ref_put(g);
out:
	kref_put(&k->kref, obj_release);
	go3s_type_unregister(&obj_type);
}

static size_t size_of(unsigned int i)
{
	return 16 + (i * 40) % 500;	/* 16..515 bytes, mixed */
}

static void bench_arena(void)
{
	struct go3s_arena_mark m;
	struct go3s_arena a;
	void *p[BATCH];
	unsigned int i, j;
	u64 t0, gt, kt;

	go3s_arena_init(&a);
	t0 = ktime_get_ns();
	for (i = 0; i < OPS / BATCH; i++) {
		go3s_arena_mark(&a, &m);
		for (j = 0; j < BATCH; j++)
			p[j] = go3s_arena_alloc(&a, size_of(j), GFP_KERNEL);
		go3s_arena_release(&a, &m);
	}
	gt = ktime_get_ns() - t0;
	go3s_arena_destroy(&a);
	t0 = ktime_get_ns();
	for (i = 0; i < OPS / BATCH; i++) {
		for (j = 0; j < BATCH; j++)
			p[j] = kmalloc(size_of(j), GFP_KERNEL);
		for (j = 0; j < BATCH; j++)
			kfree(p[j]);
	}
	kt = ktime_get_ns() - t0;
	go3s_bench_report("arena_alloc", go3s_bench_per_item(gt, OPS),
			  "kmalloc_kfree", go3s_bench_per_item(kt, OPS));
}

static void bench_slice(void)
{
	u8 *buf = kzalloc(VIEW_BYTES, GFP_KERNEL);
	struct go3s_slice s;
	u64 i, t0, gt, kt;
	void *copy;

	if (!buf)
		return;
	t0 = ktime_get_ns();
	for (i = 0; i < OPS; i++) {
		go3s_slice_make(&s, buf, VIEW_BYTES, VIEW_BYTES);
		barrier_data(&s);
	}
	gt = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < OPS / 16; i++) {
		copy = kmemdup(buf, VIEW_BYTES, GFP_KERNEL);
		barrier_data(copy);
		kfree(copy);
	}
	kt = ktime_get_ns() - t0;
	go3s_bench_report("slice_view", go3s_bench_per_item(gt, OPS), "kmemdup_4k",
			  go3s_bench_per_item(kt, OPS / 16));
	kfree(buf);
}

void go3s_bench_mem(void)
{
	bench_ref();
	bench_arena();
	bench_slice();
}
