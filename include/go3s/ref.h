/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ref[T]: reference-counted objects with a typed header, borrows and
 * ownership transfer, as compiled Go3s code uses them.
 *
 * A type is described once (struct go3s_type) and registered; objects of
 * it come from go3s_ref_new() with one reference. The header sits in front
 * of the object (see <go3s/ffi.h> for its layout); clients hold plain
 * object pointers:
 *
 *	p = go3s_ref_new(&my_type, GFP_KERNEL);	   count 1
 *	q = go3s_ref_get(p);			   count 2, q == p
 *	go3s_ref_put(q);			   count 1
 *	r = go3s_ref_move(&p);			   p is now invalid
 *	go3s_ref_drop(&r);			   count 0: destructor, free
 *
 * get is one atomic add, saturating like refcount_t (a saturated object
 * is leaked, never freed early), inlined like kref_get(). put from any context except NMI; the
 * destructor then runs in the caller's context. go3s_ref_put_rcu() defers
 * destructor and free past an RCU grace period, for objects readers find
 * under rcu_read_lock().
 *
 * Borrows: go3s_ref_borrow()/go3s_ref_unborrow() bracket shared read
 * access, go3s_ref_borrow_mut()/go3s_ref_unborrow_mut() exclusive access.
 * In a production build (CONFIG_GO3S_DEBUG off) they only return the
 * pointer: no atomics. With CONFIG_GO3S_DEBUG the runtime checks them and
 * also catches a use after move, a double drop and a put below zero: each
 * WARNs with the type's name and the caller, and leaves memory untouched
 * (objects are then freed only after an RCU grace period, so a late put
 * still finds the header).
 *
 * Kernel-doc: the inline functions below; the other functions at their
 * definitions in go3s_rt/ref.c. Documentation/memory.rst renders all of
 * them (make docs).
 */
#ifndef _GO3S_REF_H
#define _GO3S_REF_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include <go3s/ffi.h>

struct kmem_cache;

/**
 * DOC: Bad arguments and dead objects
 *
 * go3s_type_register() returns -EINVAL for a NULL descriptor, a NULL
 * name, a size of 0 or above %GO3S_TYPE_MAX_SIZE, an alignment that is
 * not a power of two or is above %GO3S_TYPE_MAX_ALIGN; -EBUSY if the
 * descriptor is registered already. go3s_type_unregister() returns
 * -EINVAL for a NULL or unregistered descriptor. Neither warns.
 *
 * go3s_ref_new() with a NULL type, or one not registered, is a caller bug:
 * it WARNs once (a check for each) and returns NULL.
 *
 * A NULL object is a caller bug in every call that takes one (get, put,
 * put_rcu, count, type, __go3s_ref_release(), move and drop of a handle
 * holding NULL; in debug builds the borrows and unborrows too): all share
 * one check, which WARNs once, naming the first caller; then get, count,
 * type, move and the borrows return NULL or 0 and the others do nothing.
 * A NULL handle (@ref) in go3s_ref_move() or go3s_ref_drop() WARNs once
 * too and does nothing.
 *
 * "WARNs once" means WARN_ON_ONCE()'s rule: once per check in go3s_rt for
 * as long as go3s_rt stays loaded (once per boot unless it is reloaded),
 * whoever calls; later failures of the same check only return.
 *
 * A dead object, one whose last reference is gone, is freed memory: using
 * it is a caller bug, as for any freed kernel object. A production build
 * cannot detect it (KASAN, where enabled, reports a use after free). A
 * debug build frees objects only after an RCU grace period and marks them
 * dead first: meanwhile get, put (a put below zero), put_rcu, count, type,
 * the borrows, move and drop of a dead object WARN every time with the
 * type's name and the caller, and return NULL or 0 or do nothing. The same holds
 * for a handle emptied by go3s_ref_move() or go3s_ref_drop(), and for a
 * pointer whose header (the bytes just below it, which must be readable)
 * is neither a live nor a dead object's.
 */

/**
 * struct go3s_type - a ref[T] type descriptor
 * @name: for messages and debugfs; must outlive the registration.
 * @size: object size in bytes, 1 to %GO3S_TYPE_MAX_SIZE.
 * @align: object alignment, a power of two from 1 to %GO3S_TYPE_MAX_ALIGN
 *	(0 means 8).
 * @dtor: called once when the last reference goes, before the memory is
 *	freed; may be NULL. Runs in the context of the last put (or from RCU
 *	callback context for go3s_ref_put_rcu()).
 * @cache: private: the slab cache, set by go3s_type_register().
 * @live: private: objects allocated and not yet freed.
 * @off: private: offset of the object from its header.
 */
struct go3s_type {
	const char *name;
	u32 size;
	u32 align;
	void (*dtor)(void *obj);
	struct kmem_cache *cache;
	atomic_long_t live;
	u32 off;
};

#define GO3S_TYPE_MAX_SIZE	BIT(20)
#define GO3S_TYPE_MAX_ALIGN	4096U

/*
 * Describe a type with the compiler's help: size and alignment come from
 * the C type, and a type the descriptor cannot hold fails the build.
 */
#define GO3S_TYPE(type, tname, destructor) {				\
	.name = (tname),						\
	.size = sizeof(type) +						\
		BUILD_BUG_ON_ZERO(sizeof(type) > GO3S_TYPE_MAX_SIZE),	\
	.align = __alignof__(type) +					\
		 BUILD_BUG_ON_ZERO(__alignof__(type) > GO3S_TYPE_MAX_ALIGN), \
	.dtor = (destructor),						\
}

int go3s_type_register(struct go3s_type *t);
int go3s_type_unregister(struct go3s_type *t);

void *go3s_ref_new(struct go3s_type *t, gfp_t gfp);
void *__go3s_ref_get(void *obj);
void __go3s_ref_put(void *obj);
void __go3s_ref_release(void *obj);
void go3s_ref_put_rcu(void *obj);
unsigned int go3s_ref_count(const void *obj);
const struct go3s_type *go3s_ref_type(const void *obj);

const void *go3s_ref_borrow(void *obj);
void go3s_ref_unborrow(void *obj);
void *go3s_ref_borrow_mut(void *obj);
void go3s_ref_unborrow_mut(void *obj);

void *go3s_ref_move(void **ref);
void go3s_ref_drop(void **ref);

/*
 * get and put are inline for production objects: the same cost as
 * kref_get()/kref_put(). An object of a debug runtime carries
 * GO3S_REF_F_CHECKED in its header (and so do the sentinels a moved or
 * dropped handle points to), which sends every call to the checked
 * out-of-line versions.
 */
/**
 * __go3s_ref_hdr - the header in front of a ref[T] object
 * @obj: the object, not NULL.
 *
 * For the inline get and put; a client has no other use for it.
 * Context: any context.
 * Return: the header, 40 bytes below @obj (<go3s/ffi.h>).
 */
static inline struct go3s_ref_hdr *__go3s_ref_hdr(void *obj)
{
	return (struct go3s_ref_hdr *)obj - 1;
}

/**
 * __go3s_ref_checked - must get and put go through the runtime?
 * @obj: the object, or NULL.
 *
 * Context: any context.
 * Return: true for NULL and for any object whose header carries
 * %GO3S_REF_F_CHECKED (a debug runtime's objects, and the sentinels a
 * moved or dropped handle points to).
 */
static inline bool __go3s_ref_checked(void *obj)
{
	return unlikely(!obj || (READ_ONCE(__go3s_ref_hdr(obj)->flags) &
				 GO3S_REF_F_CHECKED));
}

/**
 * go3s_ref_get - take a reference
 * @obj: a live object.
 *
 * One atomic add. Saturates instead of overflowing (refcount_t): the
 * object is then leaked, never freed early. Always inlined (so is
 * go3s_ref_put()): a warning names the caller, whatever the compiler's
 * inlining choices (gcov, for one, makes it keep functions out of line).
 * Context: any context except NMI.
 * Return: @obj, or NULL when @obj is not a live object (warns).
 */
static __always_inline void *go3s_ref_get(void *obj)
{
	if (__go3s_ref_checked(obj))
		return __go3s_ref_get(obj);
	refcount_inc((refcount_t *)&__go3s_ref_hdr(obj)->refs);
	return obj;
}

/**
 * go3s_ref_put - drop a reference; the last one destroys the object
 * @obj: a live object.
 *
 * At zero the type's destructor runs in the caller's context, then the
 * memory is freed.
 * Context: any context except NMI (the destructor must suit the context).
 */
static __always_inline void go3s_ref_put(void *obj)
{
	if (__go3s_ref_checked(obj))
		__go3s_ref_put(obj);
	else if (refcount_dec_and_test((refcount_t *)&__go3s_ref_hdr(obj)->refs))
		__go3s_ref_release(obj);
}

#endif /* _GO3S_REF_H */
