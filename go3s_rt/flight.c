// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder (Go 1.25's runtime/trace.FlightRecorder): a tracefs
 * instance named go3s that records every go3s:* event from load to unload,
 * always on unless go3s_rt.flight=0. Its ring buffer is bounded, the
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

static bool flight = true;
module_param(flight, bool, 0444);
MODULE_PARM_DESC(flight, "Record go3s:* events into the go3s trace instance (default on)");

#ifdef CONFIG_EVENT_TRACING

static struct trace_array *flight_tr;

void go3s_flight_init(void)
{
	int ret;

	if (!flight)
		return;
	flight_tr = go3s_trace_array_get("go3s", "go3s");
	if (!flight_tr) {
		pr_info("no flight recorder: this kernel has no trace instances\n");
		return;
	}
	ret = trace_array_set_clr_event(flight_tr, "go3s", NULL, true);
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
