/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints go3s:go3s_g_{create,run,park,yield,wake,exit,busy},
 * go3s:go3s_p_handoff, go3s:go3s_chan_{block,unblock,op} and
 * go3s:go3s_fsm_transition, for perf, bpftrace and scripts/go3s-trace:
 * e.g. perf record -e 'go3s:*' or
 * bpftrace -e 'tracepoint:go3s:go3s_g_park { @[args->reason] = count(); }'
 * Fields are only ever added (tools name them), never renamed or removed.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM go3s

#if !defined(_GO3S_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GO3S_TRACE_H

#include <linux/tracepoint.h>
#include <go3s/compat.h>

#include "g.h"

DECLARE_EVENT_CLASS(go3s_g_event,
		    TP_PROTO(struct go3s_g *g),
		    TP_ARGS(g),
		    TP_STRUCT__entry(__field(u64, id)
				     __field(unsigned long, site)
				     __field(int, cpu)
				     __field(int, reason)
				     __field(unsigned long, fn)),
		    TP_fast_assign(__entry->id = g->id;
				   __entry->site = g->site;
				   __entry->cpu = g->cpu;
				   __entry->reason = g->wait_reason;
				   __entry->fn = (unsigned long)g->fn;),
		    TP_printk("g=%llu cpu=%d reason=%d fn=%ps site=%pS",
			      __entry->id, __entry->cpu, __entry->reason,
			      (void *)__entry->fn, (void *)__entry->site));

#define GO3S_G_EVENT(name) \
	DEFINE_EVENT(go3s_g_event, name, TP_PROTO(struct go3s_g *g), TP_ARGS(g))

GO3S_G_EVENT(go3s_g_create);
GO3S_G_EVENT(go3s_g_run);
/* From the worker, once @g has switched away to park (reason) or yield. */
GO3S_G_EVENT(go3s_g_park);
GO3S_G_EVENT(go3s_g_yield);
GO3S_G_EVENT(go3s_g_exit);

/*
 * @g, parked for ->reason, is made runnable by goroutine @waker (0: a
 * task, a timer or an interrupt). The fields of go3s_g_event, and waker.
 */
TRACE_EVENT(go3s_g_wake,
	    TP_PROTO(struct go3s_g *g, u64 waker),
	    TP_ARGS(g, waker),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(unsigned long, site)
			     __field(int, cpu)
			     __field(int, reason)
			     __field(unsigned long, fn)
			     __field(u64, waker)),
	    TP_fast_assign(__entry->id = g->id;
			   __entry->site = g->site;
			   __entry->cpu = g->cpu;
			   __entry->reason = g->wait_reason;
			   __entry->fn = (unsigned long)g->fn;
			   __entry->waker = waker;),
	    TP_printk("g=%llu cpu=%d reason=%d waker=%llu fn=%ps site=%pS",
		      __entry->id, __entry->cpu, __entry->reason,
		      __entry->waker, (void *)__entry->fn,
		      (void *)__entry->site));

/* The monitor saw goroutine @g run for @ran_ns without a switch. */
TRACE_EVENT(go3s_g_busy,
	    TP_PROTO(struct go3s_g *g, u64 ran_ns),
	    TP_ARGS(g, ran_ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(unsigned long, site)
			     __field(u64, ran_ns)),
	    TP_fast_assign(__entry->id = g->id;
			   __entry->site = g->site;
			   __entry->ran_ns = ran_ns;),
	    TP_printk("g=%llu ran_ns=%llu site=%pS", __entry->id,
		      __entry->ran_ns, (void *)__entry->site));

/* The monitor took CPU @cpu's P from worker @m (blocked, or busy). */
TRACE_EVENT(go3s_p_handoff,
	    TP_PROTO(unsigned int cpu, unsigned int m, bool blocked),
	    TP_ARGS(cpu, m, blocked),
	    TP_STRUCT__entry(__field(unsigned int, cpu)
			     __field(unsigned int, m)
			     __field(bool, blocked)),
	    TP_fast_assign(__entry->cpu = cpu;
			   __entry->m = m;
			   __entry->blocked = blocked;),
	    TP_printk("cpu=%u m=%u %s", __entry->cpu, __entry->m,
		      __entry->blocked ? "blocked" : "busy"));

/* A channel operation or select blocks: @ch is its first case's channel. */
TRACE_EVENT(go3s_chan_block,
	    TP_PROTO(const void *ch, unsigned int ncases, u64 gid),
	    TP_ARGS(ch, ncases, gid),
	    TP_STRUCT__entry(__field(const void *, ch)
			     __field(unsigned int, ncases)
			     __field(u64, gid)),
	    TP_fast_assign(__entry->ch = ch;
			   __entry->ncases = ncases;
			   __entry->gid = gid;),
	    TP_printk("chan=%p cases=%u g=%llu", __entry->ch, __entry->ncases,
		      __entry->gid));

/* ...and unblocks: @ret is the case chosen, or a negative errno. */
TRACE_EVENT(go3s_chan_unblock,
	    TP_PROTO(const void *ch, int ret, u64 gid),
	    TP_ARGS(ch, ret, gid),
	    TP_STRUCT__entry(__field(const void *, ch)
			     __field(int, ret)
			     __field(u64, gid)),
	    TP_fast_assign(__entry->ch = ch;
			   __entry->ret = ret;
			   __entry->gid = gid;),
	    TP_printk("chan=%p ret=%d g=%llu", __entry->ch, __entry->ret,
		      __entry->gid));

/*
 * A channel operation completed: @dir (enum go3s_chan_dir: 1 send, 2 receive) on @ch, done by
 * or for goroutine @gid (0: a task). A blocked operation completes in its
 * partner's context: the event is where the partner runs.
 */
TRACE_EVENT(go3s_chan_op,
	    TP_PROTO(const void *ch, int dir, u64 gid),
	    TP_ARGS(ch, dir, gid),
	    TP_STRUCT__entry(__field(const void *, ch)
			     __field(int, dir)
			     __field(u64, gid)),
	    TP_fast_assign(__entry->ch = ch;
			   __entry->dir = dir;
			   __entry->gid = gid;),
	    TP_printk("chan=%p dir=%s g=%llu", __entry->ch,
		      __entry->dir == 1 ? "send" : "recv", __entry->gid));

/*
 * State machine @machine moved from @from to @to on @event ("timeout" for
 * a hook timeout); its hooks took @hook_ns; the event returns @ret.
 */
/* __assign_str() lost its source argument in 6.10. */
#ifndef GO3S_FSM_ASSIGN_STRS
#if GO3S_KERNEL_AT_LEAST(6, 10)
#define GO3S_FSM_ASSIGN_STRS do {		\
		__assign_str(machine);		\
		__assign_str(from);		\
		__assign_str(to);		\
		__assign_str(event);		\
	} while (0)
#else
#define GO3S_FSM_ASSIGN_STRS do {		\
		__assign_str(machine, machine);	\
		__assign_str(from, from);	\
		__assign_str(to, to);		\
		__assign_str(event, event);	\
	} while (0)
#endif
#endif

TRACE_EVENT(go3s_fsm_transition,
	    TP_PROTO(const char *machine, const char *from, const char *to,
		     const char *event, u64 hook_ns, int ret),
	    TP_ARGS(machine, from, to, event, hook_ns, ret),
	    TP_STRUCT__entry(__string(machine, machine)
			     __string(from, from)
			     __string(to, to)
			     __string(event, event)
			     __field(u64, hook_ns)
			     __field(int, ret)),
	    TP_fast_assign(GO3S_FSM_ASSIGN_STRS;
			   __entry->hook_ns = hook_ns;
			   __entry->ret = ret;),
	    TP_printk("machine=%s from=%s to=%s event=%s hook_ns=%llu ret=%d",
		      __get_str(machine), __get_str(from), __get_str(to),
		      __get_str(event), __entry->hook_ns, __entry->ret));

#endif /* _GO3S_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
