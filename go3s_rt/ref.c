// SPDX-License-Identifier: GPL-2.0
/*
 * ref[T]: typed, reference-counted objects; the API is in <go3s/ref.h>,
 * the header layout in <go3s/ffi.h>.
 *
 * Each registered type gets a slab cache whose objects are laid out as
 *	[padding][struct ref_hdr][object]
 * with the object aligned as the type asks; the header always sits just
 * below the object, so it is found without knowing the type.
 *
 * With CONFIG_GO3S_DEBUG, the header's magic turns GO3S_REF_DEAD when the
 * last reference goes and the memory is freed only after an RCU grace
 * period: a put that comes too late reads a dead header and WARNs instead
 * of touching freed memory. Handles that go3s_ref_move() or
 * go3s_ref_drop() emptied hold poison values that every entry point
 * recognises.
 */
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>

#include <go3s/compat.h>
#include <go3s/ffi.h>
#include <go3s/ref.h>

#include "bug.h"
#include "kcompat.h"
#include "sched.h"

struct ref_hdr {
	refcount_t ref;
	atomic_t borrows;	/* debug: > 0 shared, -1 exclusive */
	u32 magic;
	u32 flags;
	struct go3s_type *type;
	struct rcu_head rcu;
};

/* The kernel view of the header must be the ABI's, byte for byte. */
static_assert(sizeof(struct ref_hdr) == sizeof(struct go3s_ref_hdr));
static_assert(offsetof(struct ref_hdr, ref) == offsetof(struct go3s_ref_hdr, refs));
static_assert(offsetof(struct ref_hdr, borrows) == offsetof(struct go3s_ref_hdr, borrows));
static_assert(offsetof(struct ref_hdr, magic) == offsetof(struct go3s_ref_hdr, magic));
static_assert(offsetof(struct ref_hdr, type) == offsetof(struct go3s_ref_hdr, type));
static_assert(offsetof(struct ref_hdr, rcu) == offsetof(struct go3s_ref_hdr, rcu));

/*
 * What a moved or dropped handle points to in a debug build: objects
 * whose header sends every inline get/put to the checked calls here.
 */
static struct ref_sentinel {
	struct ref_hdr h;
	u64 obj;
} moved = { .h.flags = GO3S_REF_F_CHECKED }, dropped = { .h.flags = GO3S_REF_F_CHECKED };

#define REF_MOVED	((void *)&moved.obj)
#define REF_DROPPED	((void *)&dropped.obj)

static const bool debug = IS_ENABLED(CONFIG_GO3S_DEBUG);
static atomic_t cache_seq = ATOMIC_INIT(0);

static struct ref_hdr *hdr_of(const void *obj)
{
	return (struct ref_hdr *)obj - 1;
}

/**
 * go3s_type_register - check a type descriptor and make it usable
 * @t: the descriptor; it must stay in place until go3s_type_unregister().
 *
 * Checks the size and alignment contract (GO3S_TYPE() checks them at
 * build time where the compiler can) and creates the type's slab cache.
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a bad descriptor, -EBUSY if already registered,
 * -ENOMEM.
 */
int go3s_type_register(struct go3s_type *t)
{
	char name[64];
	u32 align;

	if (!t || !t->name || !t->size || t->size > GO3S_TYPE_MAX_SIZE)
		return -EINVAL;
	align = t->align ?: 8;
	if (!is_power_of_2(align) || align > GO3S_TYPE_MAX_ALIGN)
		return -EINVAL;
	if (t->cache)
		return -EBUSY;
	align = max_t(u32, align, __alignof__(struct ref_hdr));
	t->off = round_up(sizeof(struct ref_hdr), align);
	/* Slab names show in /proc/slabinfo; keep them unique. */
	snprintf(name, sizeof(name), "go3s:%s:%d", t->name,
		 atomic_inc_return(&cache_seq));
	t->cache = kmem_cache_create(name, t->off + t->size, align, 0, NULL);
	if (!t->cache)
		return -ENOMEM;
	atomic_long_set(&t->live, 0);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_type_register);

/**
 * go3s_type_unregister - retire a type
 * @t: a registered descriptor.
 *
 * Waits for deferred frees (RCU) of the type's objects first.
 * Context: process context; may sleep.
 * Return: 0, -EINVAL if @t is not registered, -EBUSY while objects of the
 * type are still alive (a leak: the caller must not free @t then).
 */
int go3s_type_unregister(struct go3s_type *t)
{
	if (!t || !t->cache)
		return -EINVAL;
	rcu_barrier();
	if (atomic_long_read(&t->live)) {
		pr_err("type %s: %ld objects still alive\n", t->name,
		       atomic_long_read(&t->live));
		return -EBUSY;
	}
	kmem_cache_destroy(t->cache);
	t->cache = NULL;
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_type_unregister);

/**
 * go3s_ref_new - allocate a zeroed object of a registered type
 * @t: the type.
 * @gfp: allocation flags.
 *
 * Context: any context @gfp allows.
 * Return: the object, holding one reference, or NULL: no memory, or a
 * NULL or unregistered @t (caller bugs: each warns once).
 */
void *go3s_ref_new(struct go3s_type *t, gfp_t gfp)
{
	struct ref_hdr *h;
	void *mem;

	if (GO3S_WARN_ONCE(!t, "go3s: %s of a NULL type at %pS\n",
			   __func__, (void *)_RET_IP_) ||
	    GO3S_WARN_ONCE(!t->cache, "go3s: %s of type %s, not registered, at %pS\n",
			   __func__, t->name ?: "(unnamed)", (void *)_RET_IP_))
		return NULL;
	mem = kmem_cache_zalloc(t->cache, gfp);
	if (!mem)
		return NULL;
	h = mem + t->off - sizeof(*h);
	refcount_set(&h->ref, 1);
	h->magic = GO3S_REF_MAGIC;
	h->flags = debug ? GO3S_REF_F_CHECKED : 0;
	h->type = t;
	atomic_long_inc(&t->live);
	go3s_stat_inc(refs_new);
	return h + 1;
}
EXPORT_SYMBOL_GO3S(go3s_ref_new);

/*
 * Is @obj a live object? A NULL one warns once (bug.h); debug builds say
 * why any other is not, every time, naming the caller.
 */
static bool ref_ok(const void *obj, const char *what, unsigned long ip)
{
	const struct ref_hdr *h;

	if (GO3S_WARN_ONCE(!obj, "go3s: %s of a NULL ref at %pS\n", what, (void *)ip))
		return false;
	if (!debug)
		return true;
	if (WARN(obj == REF_MOVED, "go3s: %s of a moved ref (use after move) at %pS\n",
		 what, (void *)ip))
		return false;
	if (WARN(obj == REF_DROPPED, "go3s: %s of a dropped ref at %pS\n",
		 what, (void *)ip))
		return false;
	h = hdr_of(obj);
	if (h->magic == GO3S_REF_MAGIC)
		return true;
	if (h->magic == GO3S_REF_DEAD)
		WARN(1, "go3s: %s of a %s whose last reference is gone (put below zero?) at %pS\n",
		     what, h->type->name, (void *)ip);
	else
		WARN(1, "go3s: %s of %p, not a ref[T] object, at %pS\n", what,
		     obj, (void *)ip);
	return false;
}

static void ref_free(struct ref_hdr *h)
{
	struct go3s_type *t = h->type;

	kmem_cache_free(t->cache, (void *)(h + 1) - t->off);
	atomic_long_dec(&t->live);
}

static void ref_free_rcu(struct rcu_head *rcu)
{
	ref_free(container_of(rcu, struct ref_hdr, rcu));
}

static void ref_dtor_free_rcu(struct rcu_head *rcu)
{
	struct ref_hdr *h = container_of(rcu, struct ref_hdr, rcu);

	if (h->type->dtor)
		h->type->dtor(h + 1);
	ref_free(h);
}

/**
 * __go3s_ref_get - go3s_ref_get() for checked objects
 * @obj: the object, or a NULL or emptied handle's value.
 *
 * Context: any context except NMI.
 * Return: @obj, or NULL when @obj is not a live object (warns).
 */
void *__go3s_ref_get(void *obj)
{
	if (!ref_ok(obj, "get", _RET_IP_))
		return NULL;
	refcount_inc(&hdr_of(obj)->ref);
	return obj;
}
EXPORT_SYMBOL_GO3S(__go3s_ref_get);

/* The last reference is gone: destroy, now or after a grace period. */
static void ref_release(void *obj, bool rcu, unsigned long ip)
{
	struct ref_hdr *h = hdr_of(obj);

	go3s_stat_inc(refs_freed);
	if (debug) {
		WARN(atomic_read(&h->borrows), "go3s: last %s dropped while borrowed at %pS\n",
		     h->type->name, (void *)ip);
		h->magic = GO3S_REF_DEAD;
	}
	if (rcu) {
		call_rcu(&h->rcu, ref_dtor_free_rcu);
		return;
	}
	if (h->type->dtor)
		h->type->dtor(obj);
	if (debug || !go3s_free_now_ok())
		call_rcu(&h->rcu, ref_free_rcu);
	else
		ref_free(h);
}

static void ref_put(void *obj, bool rcu, unsigned long ip)
{
	if (!ref_ok(obj, rcu ? "put_rcu" : "put", ip))
		return;
	if (refcount_dec_and_test(&hdr_of(obj)->ref))
		ref_release(obj, rcu, ip);
}

/**
 * __go3s_ref_put - go3s_ref_put() for checked objects
 * @obj: the object, or a NULL or emptied handle's value.
 *
 * Context: any context except NMI.
 */
void __go3s_ref_put(void *obj)
{
	ref_put(obj, false, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(__go3s_ref_put);

/**
 * __go3s_ref_release - destroy an object whose count the caller took to 0
 * @obj: the object (inline go3s_ref_put() calls this).
 *
 * A NULL @obj warns once (the NULL check of every ref call) and does
 * nothing, as does, in a debug build, an object that is not live.
 * Context: any context except NMI (the destructor must suit the context).
 */
void __go3s_ref_release(void *obj)
{
	if (ref_ok(obj, "release", _RET_IP_))
		ref_release(obj, false, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(__go3s_ref_release);

/**
 * go3s_ref_put_rcu - drop a reference; destroy after an RCU grace period
 * @obj: a live object.
 *
 * For objects that readers reach under rcu_read_lock(): at zero, the
 * destructor and the free run from an RCU callback.
 * Context: any context except NMI.
 */
void go3s_ref_put_rcu(void *obj)
{
	ref_put(obj, true, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_ref_put_rcu);

/**
 * go3s_ref_count - current reference count
 * @obj: a live object.
 *
 * Context: any context. A snapshot.
 * Return: the count; 0 for a NULL @obj (warns once) or, in a debug build,
 * a moved, dropped or dead one (warns every time). A production build
 * reads a dead object's freed memory: a caller bug.
 */
unsigned int go3s_ref_count(const void *obj)
{
	return ref_ok(obj, "count", _RET_IP_) ? refcount_read(&hdr_of(obj)->ref) : 0;
}
EXPORT_SYMBOL_GO3S(go3s_ref_count);

/**
 * go3s_ref_type - type of an object
 * @obj: a live object.
 *
 * Context: any context.
 * Return: its descriptor; NULL for a NULL @obj (warns once) or, in a debug
 * build, a moved, dropped or dead one (warns every time). A production
 * build reads a dead object's freed memory: a caller bug.
 */
const struct go3s_type *go3s_ref_type(const void *obj)
{
	return ref_ok(obj, "type", _RET_IP_) ? hdr_of(obj)->type : NULL;
}
EXPORT_SYMBOL_GO3S(go3s_ref_type);

/**
 * go3s_ref_borrow - begin shared (read-only) access
 * @obj: a live object.
 *
 * Production builds: returns @obj, no atomics. Debug builds: counts the
 * borrow; warns and returns NULL while the object is borrowed mutably.
 * Context: any context except NMI.
 * Return: @obj as a const pointer, or NULL (see above).
 */
const void *go3s_ref_borrow(void *obj)
{
	struct ref_hdr *h;
	int b;

	if (!debug)
		return obj;
	if (!ref_ok(obj, "borrow", _RET_IP_))
		return NULL;
	h = hdr_of(obj);
	b = atomic_read(&h->borrows);
	do {
		if (WARN(b < 0, "go3s: borrow of a %s while it is borrowed mutably at %pS\n",
			 h->type->name, (void *)_RET_IP_))
			return NULL;
	} while (!atomic_try_cmpxchg(&h->borrows, &b, b + 1));
	return obj;
}
EXPORT_SYMBOL_GO3S(go3s_ref_borrow);

/**
 * go3s_ref_unborrow - end shared access
 * @obj: an object go3s_ref_borrow() returned.
 *
 * Context: any context except NMI.
 */
void go3s_ref_unborrow(void *obj)
{
	struct ref_hdr *h;
	int b;

	if (!debug || !ref_ok(obj, "unborrow", _RET_IP_))
		return;
	h = hdr_of(obj);
	b = atomic_read(&h->borrows);
	do {
		if (WARN(b <= 0, "go3s: unborrow of a %s that is not borrowed at %pS\n",
			 h->type->name, (void *)_RET_IP_))
			return;
	} while (!atomic_try_cmpxchg(&h->borrows, &b, b - 1));
}
EXPORT_SYMBOL_GO3S(go3s_ref_unborrow);

/**
 * go3s_ref_borrow_mut - begin exclusive (read-write) access
 * @obj: a live object.
 *
 * Production builds: returns @obj, no atomics. Debug builds: warns and
 * returns NULL if the object is borrowed in any way (a write while
 * borrowed).
 * Context: any context except NMI.
 * Return: @obj, or NULL (see above).
 */
void *go3s_ref_borrow_mut(void *obj)
{
	struct ref_hdr *h;

	if (!debug)
		return obj;
	if (!ref_ok(obj, "borrow_mut", _RET_IP_))
		return NULL;
	h = hdr_of(obj);
	if (WARN(atomic_cmpxchg(&h->borrows, 0, -1) != 0,
		 "go3s: write to a %s while it is borrowed at %pS\n",
		 h->type->name, (void *)_RET_IP_))
		return NULL;
	return obj;
}
EXPORT_SYMBOL_GO3S(go3s_ref_borrow_mut);

/**
 * go3s_ref_unborrow_mut - end exclusive access
 * @obj: an object go3s_ref_borrow_mut() returned.
 *
 * Context: any context except NMI.
 */
void go3s_ref_unborrow_mut(void *obj)
{
	struct ref_hdr *h;

	if (!debug || !ref_ok(obj, "unborrow_mut", _RET_IP_))
		return;
	h = hdr_of(obj);
	WARN(atomic_cmpxchg(&h->borrows, -1, 0) != -1,
	     "go3s: unborrow_mut of a %s that is not borrowed mutably at %pS\n",
	     h->type->name, (void *)_RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_ref_unborrow_mut);

/**
 * go3s_ref_move - transfer ownership out of a handle
 * @ref: the handle (a variable holding an object pointer).
 *
 * The reference moves to the return value; *@ref becomes invalid (NULL,
 * or a poison value debug builds recognise as a use after move).
 * Context: any context.
 * Return: the object, or NULL if *@ref was not a live object (warns).
 */
void *go3s_ref_move(void **ref)
{
	void *obj;

	if (GO3S_WARN_ONCE(!ref, "go3s: %s(NULL)\n", __func__))
		return NULL;
	obj = *ref;
	if (!ref_ok(obj, "move", _RET_IP_))
		return NULL;
	*ref = debug ? REF_MOVED : NULL;
	return obj;
}
EXPORT_SYMBOL_GO3S(go3s_ref_move);

/**
 * go3s_ref_drop - put the reference a handle holds and empty the handle
 * @ref: the handle.
 *
 * A second drop of the same handle is caught in debug builds.
 * Context: any context except NMI.
 */
void go3s_ref_drop(void **ref)
{
	void *obj;

	if (GO3S_WARN_ONCE(!ref, "go3s: %s(NULL)\n", __func__))
		return;
	obj = *ref;
	if (debug && WARN(obj == REF_DROPPED, "go3s: double drop of a ref at %pS\n",
			  (void *)_RET_IP_))
		return;
	ref_put(obj, false, _RET_IP_);
	*ref = debug ? REF_DROPPED : NULL;
}
EXPORT_SYMBOL_GO3S(go3s_ref_drop);
