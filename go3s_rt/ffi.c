// SPDX-License-Identifier: GPL-2.0
/*
 * FFI helpers: zero-copy views of kernel buffers as Go3s slices and
 * strings, re-slicing with Go's bounds rules, and the way back (kvec,
 * scatterlist). The layouts are in <go3s/ffi.h>. No function here copies
 * data or allocates memory.
 */
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/uio.h>

#include <go3s/compat.h>
#include <go3s/ffi.h>

static void slice_set(struct go3s_slice *s, void *data, u64 len, u64 cap)
{
	s->data = (uintptr_t)data;
	s->len = len;
	s->cap = cap;
}

/**
 * go3s_slice_make - a byte slice over an existing buffer
 * @s: the slice to fill.
 * @buf: the buffer (e.g. from kmalloc), or NULL for a nil slice.
 * @len: length in bytes.
 * @cap: capacity in bytes (the buffer's size), >= @len.
 *
 * Context: any context.
 * Return: 0, or -EINVAL (NULL @s, @len > @cap, or NULL @buf with a
 * non-zero @cap).
 */
int go3s_slice_make(struct go3s_slice *s, void *buf, u64 len, u64 cap)
{
	if (!s || len > cap || (!buf && cap))
		return -EINVAL;
	slice_set(s, buf, len, cap);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_slice_make);

/**
 * go3s_slice_sub - s[lo:hi:max], Go's full slice expression
 * @out: the result (may be @s).
 * @s: the slice.
 * @elem_size: bytes per element, at least 1.
 * @lo: first element.
 * @hi: one past the last element.
 * @max: new capacity bound; pass @s->cap for the two-index form s[lo:hi].
 *
 * Go's rule: 0 <= @lo <= @hi <= @max <= cap(@s). The result shares @s's
 * memory.
 * Context: any context.
 * Return: 0, -ERANGE when the indices are out of range (@out untouched),
 * -EINVAL for NULL pointers or a zero @elem_size.
 */
int go3s_slice_sub(struct go3s_slice *out, const struct go3s_slice *s,
		   u64 elem_size, u64 lo, u64 hi, u64 max)
{
	u64 off;

	if (!out || !s || !elem_size)
		return -EINVAL;
	if (lo > hi || hi > max || max > s->cap)
		return -ERANGE;
	if (check_mul_overflow(lo, elem_size, &off))
		return -ERANGE;
	slice_set(out, s->data ? go3s_slice_ptr(s) + off : NULL, hi - lo,
		  max - lo);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_slice_sub);

/**
 * go3s_slice_index - address of s[i], bounds checked
 * @s: the slice.
 * @elem_size: bytes per element.
 * @i: the index.
 * @elem: where to store the element's address.
 *
 * Context: any context.
 * Return: 0, -ERANGE unless @i < len(@s) (or if @i * @elem_size does not
 * fit in 64 bits), -EINVAL for NULL pointers or a zero @elem_size.
 */
int go3s_slice_index(const struct go3s_slice *s, u64 elem_size, u64 i,
		     void **elem)
{
	u64 off;

	if (!s || !elem || !elem_size)
		return -EINVAL;
	if (i >= s->len || check_mul_overflow(i, elem_size, &off))
		return -ERANGE;
	*elem = go3s_slice_ptr(s) + off;
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_slice_index);

/**
 * go3s_string_make - a string over existing bytes
 * @s: the string to fill.
 * @buf: the bytes (need not be NUL-terminated); NULL only with @len 0.
 * @len: length in bytes.
 *
 * Context: any context.
 * Return: 0, or -EINVAL.
 */
int go3s_string_make(struct go3s_string *s, const char *buf, u64 len)
{
	if (!s || (!buf && len))
		return -EINVAL;
	s->data = (uintptr_t)buf;
	s->len = len;
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_string_make);

/**
 * go3s_slice_from_page - a byte slice over part of one page
 * @s: the slice to fill.
 * @page: a page in the kernel's linear map (not highmem).
 * @off: offset in the page.
 * @len: bytes; @off + @len must not pass the page's end.
 *
 * The capacity runs to the end of the page.
 * Context: any context.
 * Return: 0, -ERANGE if the range leaves the page, -EINVAL for a NULL or
 * highmem page.
 */
int go3s_slice_from_page(struct go3s_slice *s, struct page *page,
			 unsigned int off, unsigned int len)
{
	if (!s || !page || PageHighMem(page))
		return -EINVAL;
	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -ERANGE;
	slice_set(s, page_address(page) + off, len, PAGE_SIZE - off);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_slice_from_page);

/**
 * go3s_slices_from_pages - byte slices over a page array
 * @out: the slices, one per page touched.
 * @max: room in @out.
 * @pages: the pages (not highmem).
 * @npages: how many.
 * @off: offset into the pages, as if they were contiguous: may be past the
 *	first page, at most @npages * PAGE_SIZE.
 * @len: total bytes, from @off on.
 *
 * Pages need not be contiguous, so each page gets a slice of its own.
 * Only the pages the range touches are read.
 * Context: any context.
 * Return: the number of slices filled (0 for @len 0), -ERANGE if @off or
 * the range passes the last page, -ENOSPC if @max is too small, -EINVAL
 * for a NULL @out or @pages, or a NULL or highmem page in the range.
 */
int go3s_slices_from_pages(struct go3s_slice *out, unsigned int max,
			   struct page **pages, unsigned int npages,
			   unsigned int off, u64 len)
{
	unsigned int n = 0, i = off / PAGE_SIZE;
	int ret;

	if (!out || !pages)
		return -EINVAL;
	off %= PAGE_SIZE;
	/* Offset first: the room left is computed only for an offset inside. */
	if (i > npages || (i == npages && off))
		return -ERANGE;
	if (len > ((u64)npages - i) * PAGE_SIZE - off)
		return -ERANGE;
	while (len) {
		unsigned int chunk = min_t(u64, len, PAGE_SIZE - off);

		if (n == max)
			return -ENOSPC;
		ret = go3s_slice_from_page(&out[n++], pages[i++], off, chunk);
		if (ret)
			return ret;
		len -= chunk;
		off = 0;
	}
	return n;
}
EXPORT_SYMBOL_GO3S(go3s_slices_from_pages);

/**
 * go3s_slices_from_sg - byte slices over a scatterlist
 * @out: one slice per entry.
 * @max: room in @out.
 * @sgl: the list (entries in lowmem pages).
 * @nents: entries.
 *
 * Context: any context.
 * Return: slices filled, -ENOSPC if @nents > @max, or -EINVAL (NULL
 * arguments, entries without a page or in highmem).
 */
int go3s_slices_from_sg(struct go3s_slice *out, unsigned int max,
			struct scatterlist *sgl, unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;

	if (!out || !sgl)
		return -EINVAL;
	if (nents > max)
		return -ENOSPC;
	for_each_sg(sgl, sg, nents, i) {
		if (!sg_page(sg) || PageHighMem(sg_page(sg)))
			return -EINVAL;
		slice_set(&out[i], sg_virt(sg), sg->length, sg->length);
	}
	return nents;
}
EXPORT_SYMBOL_GO3S(go3s_slices_from_sg);

/**
 * go3s_slices_from_iter - byte slices over what an iov_iter has left
 * @out: one slice per segment.
 * @max: room in @out.
 * @iter: a kernel-memory iterator (ITER_KVEC or ITER_BVEC); not advanced.
 *
 * User-memory iterators cannot be viewed without copying.
 * Context: any context.
 * Return: slices filled, -EFAULT for a user-memory iterator (ITER_UBUF,
 * ITER_IOVEC), -EOPNOTSUPP for other kinds (ITER_DISCARD, ITER_XARRAY,
 * ITER_FOLIOQ), even when empty; -ENOSPC if @max is too small; -EINVAL
 * for NULL arguments or a highmem page.
 */
int go3s_slices_from_iter(struct go3s_slice *out, unsigned int max,
			  const struct iov_iter *iter)
{
	size_t left, skip;
	unsigned int n = 0, i;

	if (!out || !iter)
		return -EINVAL;
	if (user_backed_iter(iter))
		return -EFAULT;
	if (!iov_iter_is_kvec(iter) && !iov_iter_is_bvec(iter))
		return -EOPNOTSUPP;
	left = iov_iter_count(iter);
	skip = iter->iov_offset;
	for (i = 0; left && i < iter->nr_segs; i++) {
		void *base;
		size_t len;

		if (iov_iter_is_kvec(iter)) {
			base = iter->kvec[i].iov_base;
			len = iter->kvec[i].iov_len;
		} else {
			const struct bio_vec *bv = &iter->bvec[i];

			if (PageHighMem(bv->bv_page))
				return -EINVAL;
			base = page_address(bv->bv_page) + bv->bv_offset;
			len = bv->bv_len;
		}
		if (skip >= len) {
			skip -= len;
			continue;
		}
		if (n == max)
			return -ENOSPC;
		len = min(len - skip, left);
		slice_set(&out[n++], base + skip, len, len);
		left -= len;
		skip = 0;
	}
	return n;
}
EXPORT_SYMBOL_GO3S(go3s_slices_from_iter);

/**
 * go3s_slice_to_kvec - the kvec for a byte slice (e.g. for iov_iter_kvec())
 * @s: the slice.
 * @kv: the kvec to fill.
 *
 * Context: any context.
 * Return: 0, or -EINVAL.
 */
int go3s_slice_to_kvec(const struct go3s_slice *s, struct kvec *kv)
{
	if (!s || !kv)
		return -EINVAL;
	kv->iov_base = go3s_slice_ptr(s);
	kv->iov_len = s->len;
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_slice_to_kvec);

/**
 * go3s_slice_to_sg - a one-entry scatterlist for a byte slice
 * @s: a slice of lowmem (kmalloc, page) memory, not vmalloc.
 * @sg: the entry to initialise.
 *
 * Context: any context.
 * Return: 0, -EINVAL for NULL arguments or memory outside the linear map.
 */
int go3s_slice_to_sg(const struct go3s_slice *s, struct scatterlist *sg)
{
	if (!s || !sg || (s->len && !virt_addr_valid(go3s_slice_ptr(s))))
		return -EINVAL;
	sg_init_one(sg, go3s_slice_ptr(s), s->len);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_slice_to_sg);
