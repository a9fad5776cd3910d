/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Goroutines: stackful coroutines run by go3s_rt's per-CPU workers.
 *
 * A goroutine runs @fn(@arg) on a stack of its own (THREAD_SIZE bytes,
 * with a guard page below) and may yield, sleep, park on go3s primitives
 * and call sleeping kernel functions. Scheduling is cooperative: a
 * goroutine runs until it yields, parks or returns; when it blocks in the
 * kernel, or runs for more than busy_ms (10 ms), the runtime's monitor
 * hands the goroutines queued behind it to a spare worker, so nothing
 * waits behind it (Documentation/goroutines.rst).
 *
 * Rules: no goroutine switch (yield, sleep, park, return) while holding a
 * spinlock, a mutex or any other lock, inside an RCU read-side section, or
 * with interrupts or preemption disabled. The runtime checks each switch:
 * a violation is reported with a WARN naming the goroutine's spawn site,
 * and the switch is refused (the goroutine keeps running).
 *
 * current is the worker thread, and a goroutine may resume on another
 * worker after any call that may switch: never use across such a call a
 * current read before it (the compiler may keep it for the whole function),
 * nor per-task state (memalloc scopes, a block plug, signals).
 *
 * Each goroutine holds a reference on the module that spawned it: that
 * module cannot be unloaded (rmmod says it is in use) until all of its
 * goroutines have returned.
 *
 * A module whose init fails is freed by the kernel whatever its reference
 * count. go3s_rt then keeps the failing insmod waiting until the module's
 * goroutines have exited (a warning lists them, with their functions and
 * spawn sites). Those still parked go3s_rt.abandon_ms (default 10 s) later
 * are abandoned: they never run again, their memory is kept and go3s_rt
 * can no longer be unloaded; a WARN names them. So before an init returns
 * an error, it should end the goroutines it spawned (close their channels,
 * wait for them on a WaitGroup).
 *
 * Kernel-doc: go3s_go() and go3s_go_irq() below; the other functions at
 * their definitions in go3s_rt/sched.c and go3s_rt/park.c.
 * Documentation/goroutines.rst renders all of them (make docs).
 */
#ifndef _GO3S_GO_H
#define _GO3S_GO_H

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/types.h>

#include <go3s/compat.h>

struct go3s_g;
typedef void (*go3s_fn_t)(void *arg);

int __go3s_go(go3s_fn_t fn, void *arg, struct module *owner,
	      unsigned long site);
int __go3s_go_irq(go3s_fn_t fn, void *arg, struct module *owner,
		  unsigned long site);
int __go3s_go_unpinned(go3s_fn_t fn, void *arg, struct module *owner,
		       unsigned long site);

/**
 * go3s_go - spawn a goroutine running @fn(@arg)
 * @fn: the goroutine's body; it ends by returning (or go3s_exit()).
 * @arg: passed to @fn, and available as go3s_self_arg().
 *
 * Records THIS_MODULE as the owner and the call site for the goroutine dump.
 * The goroutine holds a reference on its owner until it returns. Spawned
 * from a module init that then fails, it delays the failing insmod until
 * it returns, or is abandoned if still parked after go3s_rt.abandon_ms
 * (see the top of this file).
 * Context: process context; may sleep (allocates a stack if the per-CPU
 * cache is empty).
 * Return: 0, -EINVAL for a NULL @fn, -ENOMEM, or -ESHUTDOWN while the
 * runtime or the owner module is going away.
 */
#define go3s_go(fn, arg)	__go3s_go(fn, arg, THIS_MODULE, _THIS_IP_)

/**
 * go3s_go_irq - spawn a goroutine from any context, hard IRQ included
 * @fn: the goroutine's body.
 * @arg: passed to @fn.
 *
 * Takes a goroutine from the calling CPU's preallocated pool (module
 * parameter go3s_rt.irq_pool); never allocates or sleeps. Not NMI-safe.
 * Context: any context except NMI.
 * Return: 0, -EINVAL for a NULL @fn, -EAGAIN when the pool is empty
 * (counted in go3s/stats), -ESHUTDOWN while the runtime is going away.
 */
#define go3s_go_irq(fn, arg)	__go3s_go_irq(fn, arg, THIS_MODULE, _THIS_IP_)

/**
 * go3s_go_unpinned - spawn a goroutine that does not pin its module
 * @fn: the goroutine's body.
 * @arg: passed to @fn.
 *
 * As go3s_go(), but the goroutine holds no reference on THIS_MODULE, so
 * rmmod is not refused while it runs: for a server's long-lived
 * goroutines (an accept loop, one per connection) that the module's exit
 * ends, the way an exit stops its kthreads. The exit must make each of
 * them return (close its sockets or channels, then wait on a WaitGroup
 * whose go3s_wg_done() is the goroutine's last call) before it returns
 * itself. The module is kept (its GOING notification waits) until every
 * such goroutine is gone: one still returning after its last
 * go3s_wg_done() is waited for quietly for up to a second; one still
 * running or parked after that was not ended by the exit, and gets a
 * WARN naming it; those still parked go3s_rt.abandon_ms after the exit
 * are abandoned, as for a module whose init failed.
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a NULL @fn, -ENOMEM, or -ESHUTDOWN while the
 * runtime or the module is going away (its exit has run).
 */
#define go3s_go_unpinned(fn, arg) \
	__go3s_go_unpinned(fn, arg, THIS_MODULE, _THIS_IP_)

struct go3s_g *go3s_self(void);
u64 go3s_self_id(void);
void *go3s_self_arg(void);
void go3s_yield(void);
int go3s_sleep(u64 ns);
void go3s_exit(void);
unsigned int go3s_nr_workers(void);

#endif /* _GO3S_GO_H */
