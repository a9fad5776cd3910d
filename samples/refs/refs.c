// SPDX-License-Identifier: GPL-2.0
/*
 * What compiled Go3s code does with the runtime, written by hand:
 * register with the ABI it was built for, describe a type for ref[T],
 * share an object between goroutines (get, move, borrow, drop), allocate
 * per-goroutine temporaries from arenas inside scopes, and read a kernel
 * buffer through a slice without copying it.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include <go3s/ffi.h>
#include <go3s/go.h>
#include <go3s/mem.h>
#include <go3s/ref.h>
#include <go3s/registry.h>
#include <go3s/wg.h>

#define WORKERS	4
#define BYTES	4096

struct stats {
	u64 sum;		/* written under an exclusive borrow */
	unsigned int workers;
};

static void stats_dtor(void *obj)
{
	struct stats *s = obj;

	pr_info("stats destroyed: %u workers summed %llu\n", s->workers, s->sum);
}

static struct go3s_type stats_type = GO3S_TYPE(struct stats, "stats", stats_dtor);
static struct go3s_module_desc desc = GO3S_MODULE_DESC("go3s_refs");
static struct go3s_wg wg;
static DEFINE_SPINLOCK(stats_lock);

struct job {
	struct stats *stats;	/* the reference this goroutine owns */
	struct go3s_slice data;	/* its quarter of the buffer */
};

static void worker(void *arg)
{
	struct job *job = arg;
	struct stats *st = go3s_ref_move((void **)&job->stats), *w;
	struct go3s_arena_mark m;
	u64 sum = 0, i;
	u8 *b, *tmp;

	/* A temporary, released by the scope without a free per object. */
	if (!go3s_scope_begin(&m)) {
		tmp = go3s_alloc(job->data.len);
		b = go3s_slice_ptr(&job->data);
		if (tmp) {
			memcpy(tmp, b, job->data.len);
			for (i = 0; i < job->data.len; i++)
				sum += tmp[i];
		}
		go3s_scope_end(&m);
	}
	spin_lock(&stats_lock);
	w = go3s_ref_borrow_mut(st);	/* exclusive: checked in debug builds */
	if (w) {
		w->sum += sum;
		w->workers++;
		go3s_ref_unborrow_mut(st);
	}
	spin_unlock(&stats_lock);
	go3s_ref_drop((void **)&st);
	go3s_wg_done(&wg);
}

static int __init go3s_refs_init(void)
{
	static struct job jobs[WORKERS];
	struct go3s_slice all;
	struct stats *st;
	u8 *buf;
	int i, ret;

	ret = go3s_module_register(&desc);
	if (ret)
		return ret;
	ret = go3s_type_register(&stats_type);
	if (ret)
		goto out_unregister;
	buf = kmalloc(BYTES, GFP_KERNEL);
	st = go3s_ref_new(&stats_type, GFP_KERNEL);
	if (!buf || !st) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < BYTES; i++)
		buf[i] = i % 251;
	go3s_slice_make(&all, buf, BYTES, BYTES);
	go3s_wg_init(&wg);
	for (i = 0; i < WORKERS; i++) {
		u64 q = BYTES / WORKERS;

		go3s_slice_sub(&jobs[i].data, &all, 1, i * q, (i + 1) * q, BYTES);
		jobs[i].stats = go3s_ref_get(st);
		go3s_wg_add(&wg, 1);
		if (go3s_go(worker, &jobs[i])) {
			go3s_ref_drop((void **)&jobs[i].stats);
			go3s_wg_done(&wg);
		}
	}
	go3s_wg_wait(&wg);
	{
		const struct stats *ro = go3s_ref_borrow(st);

		pr_info("%u goroutines summed a %d-byte buffer through slices: %llu\n",
			ro->workers, BYTES, ro->sum);
		go3s_ref_unborrow(st);
	}
	go3s_ref_drop((void **)&st);	/* the last reference: destructor */
	kfree(buf);
	return 0;	/* stays registered (go3s/modules) until rmmod */

out_free:
	if (st)
		go3s_ref_put(st);
	kfree(buf);
	go3s_type_unregister(&stats_type);
out_unregister:
	go3s_module_unregister(&desc);
	return ret;
}

static void __exit go3s_refs_exit(void)
{
	go3s_type_unregister(&stats_type);
	go3s_module_unregister(&desc);
}

module_init(go3s_refs_init);
module_exit(go3s_refs_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample client: ref[T], arenas, slices and the module registry");
MODULE_VERSION("0.1.0");
