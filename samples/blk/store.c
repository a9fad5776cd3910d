// SPDX-License-Identifier: GPL-2.0
/*
 * The page store: the disk's data, one page per PAGE_SIZE of the device,
 * allocated on first write and kept in an xarray (brd keeps its data the
 * same way). A page never written reads as zeroes. Discard and
 * write-zeroes free the pages they cover whole and zero the rest.
 *
 * Concurrency: any number of backend goroutines run requests at once.
 * Readers and writers look a page up and copy under rcu_read_lock(); a
 * page is freed only after it has left the xarray and a grace period has
 * passed, so a copy never touches a freed page. Two requests that overlap
 * and run at once may interleave their data, as on any disk. No copy
 * sleeps or switches goroutines inside the RCU section.
 *
 * The request's memory is reached through go3s's zero-copy views
 * (<go3s/ffi.h>): each bvec segment becomes a slice over its page, and
 * so does the part of the store page it is copied to or from.
 */
#include <linux/blk-mq.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include <go3s/ffi.h>

#include "blk.h"

void blk_store_init(struct blk_store *st)
{
	xa_init(&st->pages);
	atomic_long_set(&st->nr_pages, 0);
}

/* Nothing may use the store any more: no RCU wait is needed. */
void blk_store_destroy(struct blk_store *st)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&st->pages, idx, page)
		__free_page(page);
	xa_destroy(&st->pages);
	atomic_long_set(&st->nr_pages, 0);
}

/* Where @sector is: the page index, and the byte offset in that page. */
static unsigned long page_index(sector_t sector, unsigned int *off)
{
	*off = (sector & (PAGE_SECTORS - 1)) << SECTOR_SHIFT;
	return sector >> PAGE_SECTORS_SHIFT;
}

/*
 * Make sure the page at @idx exists. It may be gone again (a concurrent
 * discard) by the time the caller looks it up: the caller retries.
 * Sleeps: the backend is a goroutine, and GFP_NOIO keeps reclaim from
 * sending I/O back to a block device.
 */
static int store_add_page(struct blk_store *st, unsigned long idx)
{
	struct page *page, *old;

	page = alloc_page(GFP_NOIO | __GFP_ZERO | __GFP_NOWARN);
	if (!page)
		return -ENOMEM;
	old = xa_cmpxchg(&st->pages, idx, NULL, page, GFP_NOIO | __GFP_NOWARN);
	if (old) {
		__free_page(page);
		return xa_is_err(old) ? xa_err(old) : 0;
	}
	atomic_long_inc(&st->nr_pages);
	return 0;
}

/*
 * Copy between the store and @buf (a view of one bvec segment), starting
 * at @sector. Return: 0, or -ENOMEM when a write could not get a page.
 */
static int store_copy(struct blk_store *st, sector_t sector,
		      const struct go3s_slice *buf, bool write)
{
	u64 done = 0;
	int ret;

	while (done < buf->len) {
		struct go3s_slice spg;
		unsigned long idx;
		unsigned int off, n;
		struct page *page;
		void *mem;

		idx = page_index(sector + (done >> SECTOR_SHIFT), &off);
		n = min_t(u64, buf->len - done, PAGE_SIZE - off);
		mem = go3s_slice_ptr(buf) + done;

		ret = 0;
		rcu_read_lock();
		page = xa_load(&st->pages, idx);
		if (page)
			ret = go3s_slice_from_page(&spg, page, off, n);
		if (page && !ret) {
			if (write)
				memcpy(go3s_slice_ptr(&spg), mem, n);
			else
				memcpy(mem, go3s_slice_ptr(&spg), n);
		} else if (!page && !write) {
			memset(mem, 0, n);
		}
		rcu_read_unlock();

		if (ret)
			return ret;
		if (!page && write) {
			ret = store_add_page(st, idx);
			if (ret)
				return ret;
			continue;	/* look it up again */
		}
		done += n;
	}
	return 0;
}

static blk_status_t store_rw(struct blk_store *st, struct request *rq)
{
	bool write = req_op(rq) == REQ_OP_WRITE;
	sector_t sector = blk_rq_pos(rq);
	struct req_iterator iter;
	struct go3s_slice buf;
	struct bio_vec bv;

	/* Single-page segments: each one is a view over part of one page. */
	rq_for_each_segment(bv, rq, iter) {
		if (go3s_slice_from_page(&buf, bv.bv_page, bv.bv_offset,
					 bv.bv_len))
			return BLK_STS_IOERR;
		if (store_copy(st, sector, &buf, write))
			return BLK_STS_IOERR;
		if (!write)
			flush_dcache_page(bv.bv_page);
		sector += bv.bv_len >> SECTOR_SHIFT;
	}
	return BLK_STS_OK;
}

/* Zero part of one page, if it exists: a missing page reads as zeroes. */
static void store_zero_part(struct blk_store *st, unsigned long idx,
			    unsigned int off, unsigned int len)
{
	struct go3s_slice spg;
	struct page *page;

	rcu_read_lock();
	page = xa_load(&st->pages, idx);
	if (page && !go3s_slice_from_page(&spg, page, off, len))
		memset(go3s_slice_ptr(&spg), 0, len);
	rcu_read_unlock();
}

/*
 * Discard and write-zeroes: whole pages leave the store (and are freed
 * after a grace period, as readers may still be copying from them), the
 * partial pages at either end are zeroed in place.
 */
static void store_zero(struct blk_store *st, sector_t sector, u64 nr_sect)
{
	sector_t end = sector + nr_sect;
	unsigned long idx, first, last;
	struct page *page, *tmp;
	unsigned int off, len;
	LIST_HEAD(freed);

	idx = page_index(sector, &off);
	if (off) {
		len = min_t(u64, PAGE_SIZE - off, nr_sect << SECTOR_SHIFT);
		store_zero_part(st, idx, off, len);
		sector += len >> SECTOR_SHIFT;
	}
	first = sector >> PAGE_SECTORS_SHIFT;
	last = end >> PAGE_SECTORS_SHIFT;	/* exclusive */
	if (first < last) {
		xa_for_each_range(&st->pages, idx, page, first, last - 1) {
			if (xa_cmpxchg(&st->pages, idx, page, NULL, 0) != page)
				continue;
			list_add(&page->lru, &freed);
			atomic_long_dec(&st->nr_pages);
		}
		sector = (sector_t)last << PAGE_SECTORS_SHIFT;
	}
	if (sector < end)
		store_zero_part(st, sector >> PAGE_SECTORS_SHIFT, 0,
				(end - sector) << SECTOR_SHIFT);

	if (list_empty(&freed))
		return;
	synchronize_rcu();	/* copies that found these pages are over */
	list_for_each_entry_safe(page, tmp, &freed, lru)
		__free_page(page);
}

/*
 * Run @rq against the store. Called by a backend goroutine: may sleep.
 * FUA needs nothing more than a write (the store is the medium), and a
 * flush finds no volatile cache: every completed write is in the store.
 */
blk_status_t blk_store_exec(struct blk_store *st, struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		return store_rw(st, rq);
	case REQ_OP_FLUSH:
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		store_zero(st, blk_rq_pos(rq), blk_rq_sectors(rq));
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}
