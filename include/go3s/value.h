/* SPDX-License-Identifier: GPL-2.0 */
/*
 * go3s_value: Go's atomic.Value for kernel code, a pointer-sized cell that
 * is loaded and stored atomically from any context, NMI included.
 *
 * Two ways to use it:
 *  - a plain value (a pointer to something that never goes away, or an
 *    integer cast to a pointer): go3s_value_store()/go3s_value_load();
 *  - an RCU-protected object: readers call go3s_value_load_rcu() under
 *    rcu_read_lock(); the writer publishes with go3s_value_swap() and
 *    frees the old object after a grace period (kfree_rcu(),
 *    synchronize_rcu()), as for any RCU pointer.
 * Stores publish what the writer wrote into the object first (release);
 * loads see it (dependency ordering, as rcu_dereference()).
 *
 * Bad arguments: these are inline single instructions that work from NMI,
 * so they check nothing. A NULL @v is a caller bug that oopses, as for
 * any kernel object passed as NULL; any value, NULL included, may be
 * stored.
 *
 * Documentation/channels.rst renders the kernel-doc below (make docs).
 */
#ifndef _GO3S_VALUE_H
#define _GO3S_VALUE_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>

struct go3s_value {
	void __rcu *p;
};

#define GO3S_VALUE_INIT(ptr)	{ .p = RCU_INITIALIZER(ptr) }

/**
 * go3s_value_load - load the value
 * @v: the cell.
 *
 * For values that stay valid without RCU (see the top of this file).
 * Context: any context.
 * Return: the last value stored.
 */
static inline void *go3s_value_load(const struct go3s_value *v)
{
	return rcu_dereference_raw(v->p);
}

/**
 * go3s_value_load_rcu - load an RCU-protected value
 * @v: the cell.
 *
 * Context: any context, inside rcu_read_lock() (lockdep checks it).
 * Return: the last value stored, valid until rcu_read_unlock().
 */
static inline void *go3s_value_load_rcu(const struct go3s_value *v)
{
	return rcu_dereference(v->p);
}

/**
 * go3s_value_store - store a value
 * @v: the cell.
 * @val: the new value.
 *
 * Context: any context.
 */
static inline void go3s_value_store(struct go3s_value *v, void *val)
{
	rcu_assign_pointer(v->p, val);
}

/**
 * go3s_value_swap - store a value and return the previous one
 * @v: the cell.
 * @val: the new value.
 *
 * Fully ordered. With RCU readers, free the returned object only after a
 * grace period.
 * Context: any context.
 * Return: the value replaced.
 */
static inline void *go3s_value_swap(struct go3s_value *v, void *val)
{
	return unrcu_pointer(xchg(&v->p, RCU_INITIALIZER(val)));
}

/**
 * go3s_value_cas - store @new if the value is still @old
 * @v: the cell.
 * @old: the value expected.
 * @new: the value to store.
 *
 * Fully ordered when it succeeds.
 * Context: any context.
 * Return: true if @new was stored.
 */
static inline bool go3s_value_cas(struct go3s_value *v, void *old, void *new)
{
	return unrcu_pointer(cmpxchg(&v->p, RCU_INITIALIZER(old),
				     RCU_INITIALIZER(new))) == old;
}

#endif /* _GO3S_VALUE_H */
