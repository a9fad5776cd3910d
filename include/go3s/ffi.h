/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Go3s FFI ABI: what compiled Go3s code and go3s_rt agree on byte for
 * byte. Fixed-width types only, explicit padding, and a static_assert on
 * every size and offset, so a change that moves a byte fails the build.
 * Documentation/abi.rst is the specification; GO3S_ABI_MAJOR/MINOR in
 * <go3s/abi.h> version it (a module registers with the version it was
 * compiled against: <go3s/registry.h>).
 *
 * Pointers are carried as __u64 (go3s_rt is 64-bit only); the accessors
 * below convert.
 *
 * Kernel-doc: the accessors below; the other functions at their
 * definitions in go3s_rt/ffi.c. Documentation/abi.rst renders all of them
 * (make docs).
 */
#ifndef _GO3S_FFI_H
#define _GO3S_FFI_H

/**
 * DOC: Bad arguments
 *
 * The slice and string helpers check every argument and never WARN: a bad
 * argument is an errno, and nothing outside the memory the caller
 * described is read or written. NULL pointers (and a zero element size)
 * give -EINVAL; indices, offsets and lengths out of range, or whose
 * products or sums would not fit in 64 bits, give -ERANGE; too small an
 * output array gives -ENOSPC; go3s_slices_from_iter() gives -EFAULT for
 * user-memory iterators and -EOPNOTSUPP for kinds it cannot view
 * (ITER_DISCARD, ITER_XARRAY, ITER_FOLIOQ). Where the caller passes an
 * array with its length (@pages and @npages, @out and @max, @sgl and
 * @nents), the runtime trusts the length: a shorter array is a caller
 * bug, as is a slice or string whose fields do not describe real memory.
 */

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* []T: @len and @cap count elements; the element size is the compiler's. */
struct go3s_slice {
	__u64 data;		/* address of element 0, 0 for a nil slice */
	__u64 len;
	__u64 cap;
};

/* string: immutable bytes, not NUL-terminated. */
struct go3s_string {
	__u64 data;
	__u64 len;
};

/* error: 0 is nil; otherwise a negative errno and an optional message. */
struct go3s_error {
	__s32 code;
	__u32 _pad;		/* zero */
	__u64 msg;		/* const char *, static storage, or 0 */
};

/* The header in front of every ref[T] object (<go3s/ref.h>). */
struct go3s_ref_hdr {
	__u32 refs;		/* atomic, refcount_t semantics */
	__s32 borrows;		/* debug builds: >0 shared, -1 exclusive */
	__u32 magic;		/* GO3S_REF_MAGIC while live */
	__u32 flags;
	__u64 type;		/* const struct go3s_type * */
	__u64 rcu[2];		/* struct rcu_head, for deferred frees */
};

#define GO3S_REF_MAGIC		0x67337266U	/* "g3rf" */
/* flags: the runtime checks this object (debug build): no inline get/put. */
#define GO3S_REF_F_CHECKED	0x1U
#define GO3S_REF_DEAD		0x64656164U	/* "dead": freed (debug) */

static_assert(sizeof(struct go3s_slice) == 24);
static_assert(offsetof(struct go3s_slice, data) == 0);
static_assert(offsetof(struct go3s_slice, len) == 8);
static_assert(offsetof(struct go3s_slice, cap) == 16);
static_assert(sizeof(struct go3s_string) == 16);
static_assert(offsetof(struct go3s_string, data) == 0);
static_assert(offsetof(struct go3s_string, len) == 8);
static_assert(sizeof(struct go3s_error) == 16);
static_assert(offsetof(struct go3s_error, code) == 0);
static_assert(offsetof(struct go3s_error, _pad) == 4);
static_assert(offsetof(struct go3s_error, msg) == 8);
static_assert(sizeof(struct go3s_ref_hdr) == 40);
static_assert(offsetof(struct go3s_ref_hdr, refs) == 0);
static_assert(offsetof(struct go3s_ref_hdr, borrows) == 4);
static_assert(offsetof(struct go3s_ref_hdr, magic) == 8);
static_assert(offsetof(struct go3s_ref_hdr, flags) == 12);
static_assert(offsetof(struct go3s_ref_hdr, type) == 16);
static_assert(offsetof(struct go3s_ref_hdr, rcu) == 24);

/**
 * go3s_slice_ptr - the data pointer of a slice
 * @s: the slice.
 *
 * Context: any context.
 * Return: the address of element 0, NULL for a nil slice.
 */
static inline void *go3s_slice_ptr(const struct go3s_slice *s)
{
	return (void *)(uintptr_t)s->data;
}

/**
 * go3s_string_ptr - the bytes of a string
 * @s: the string.
 *
 * Context: any context.
 * Return: the first byte, NULL for the empty string.
 */
static inline const char *go3s_string_ptr(const struct go3s_string *s)
{
	return (const char *)(uintptr_t)s->data;
}

struct page;
struct scatterlist;
struct iov_iter;
struct kvec;

int go3s_slice_make(struct go3s_slice *s, void *buf, u64 len, u64 cap);
int go3s_slice_sub(struct go3s_slice *out, const struct go3s_slice *s,
		   u64 elem_size, u64 lo, u64 hi, u64 max);
int go3s_slice_index(const struct go3s_slice *s, u64 elem_size, u64 i,
		     void **elem);
int go3s_string_make(struct go3s_string *s, const char *buf, u64 len);
int go3s_slice_from_page(struct go3s_slice *s, struct page *page,
			 unsigned int off, unsigned int len);
int go3s_slices_from_pages(struct go3s_slice *out, unsigned int max,
			   struct page **pages, unsigned int npages,
			   unsigned int off, u64 len);
int go3s_slices_from_sg(struct go3s_slice *out, unsigned int max,
			struct scatterlist *sgl, unsigned int nents);
int go3s_slices_from_iter(struct go3s_slice *out, unsigned int max,
			  const struct iov_iter *iter);
int go3s_slice_to_kvec(const struct go3s_slice *s, struct kvec *kv);
int go3s_slice_to_sg(const struct go3s_slice *s, struct scatterlist *sg);

#endif /* _GO3S_FFI_H */
