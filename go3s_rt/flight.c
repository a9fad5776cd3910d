// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder (Go 1.25's runtime/trace.FlightRecorder): a tracefs
 * instance named go3s that records go3s:* events from load to unload,
 * always on unless go3s_rt.flight=0. An enabled event costs a ring buffer
 * reservation each time it fires, which a goroutine switch or a channel
 * operation would feel: by default (flight=1) it records the events that
 * are rare by nature and tell what went wrong (a goroutine busy too long,
 * a P handed off, state machine transitions); flight=2, or writing 1 to
 * its events/go3s/enable, records every go3s:* event (the timeline
 * scripts/go3s-trace draws). Its ring buffer is bounded, the
 * kernel's per-CPU trace buffer size (trace_buf_size=, 1.4 MB per CPU by
 * default; buffer_size_kb in the instance changes it) and overwrites its
 * oldest events, so it always holds the last moments before a problem.
 *
 * debugfs go3s/flight links to the instance's directory: after a problem
 *	echo 1 > /sys/kernel/debug/go3s/flight/snapshot
 *	cat /sys/kernel/debug/go3s/flight/snapshot
 * freezes a copy while recording goes on (scripts/go3s-trace --snapshot
 * does the same and converts it for Perfetto).
 *
 * The events cost what any enabled tracepoint costs: a ring buffer
 * reservation per event. Kernels without tracing have no instance; the
 * runtime then runs without the recorder and says so.
 */
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/trace.h>
#include <linux/trace_events.h>

#include "debugfs.h"
#include "flight.h"
#include "kcompat.h"

static unsigned int flight = 1;
module_param(flight, uint, 0444);
MODULE_PARM_DESC(flight, "Flight recorder (the go3s trace instance): 0 off, 1 rare events (default), 2 every go3s:* event");

/* What flight=1 records: events that do not fire on any fast path. */
static const char * const rare_events[] = {
	"go3s_g_busy", "go3s_p_handoff", "go3s_fsm_transition",
};

#ifdef CONFIG_EVENT_TRACING

static struct trace_array *flight_tr;

void go3s_flight_init(void)
{
	unsigned int i;
	int ret = 0;

	if (!flight)
		return;
	flight_tr = go3s_trace_array_get("go3s", "go3s");
	if (!flight_tr) {
		pr_info("no flight recorder: this kernel has no trace instances\n");
		return;
	}
	if (flight >= 2)
		ret = trace_array_set_clr_event(flight_tr, "go3s", NULL, true);
	for (i = 0; flight < 2 && i < ARRAY_SIZE(rare_events) && !ret; i++)
		ret = trace_array_set_clr_event(flight_tr, "go3s",
						rare_events[i], true);
	if (ret) {
		pr_warn("no flight recorder: enabling go3s:* failed: %d\n", ret);
		go3s_flight_exit();
		return;
	}
	/* Where tracefs sits in debugfs (its automount), next to go3s/. */
	debugfs_create_symlink("flight", go3s_debugfs_root(),
			       "../tracing/instances/go3s");
}

/* Once no goroutine is left: the last events are in. */
void go3s_flight_exit(void)
{
	if (!flight_tr)
		return;
	trace_array_set_clr_event(flight_tr, "go3s", NULL, false);
	trace_array_put(flight_tr);
	/* -EBUSY while someone reads it: the instance then stays, as tracefs. */
	trace_array_destroy(flight_tr);
	flight_tr = NULL;
}

#else /* !CONFIG_EVENT_TRACING: no instances, no event enabling */

void go3s_flight_init(void)
{
	if (flight)
		pr_info("no flight recorder: this kernel has no event tracing\n");
}

void go3s_flight_exit(void)
{
}

#endif /* CONFIG_EVENT_TRACING */
