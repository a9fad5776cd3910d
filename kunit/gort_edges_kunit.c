// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_gort_edges: the run-time errors of the Go shim, its
 * memory helpers and print, driven from C the way gccgo's code calls them.
 *
 * Each error case runs one "Go" function in a goroutine of a Go module
 * (struct go3s_gort_mod): it makes the runtime call that Go forbids (close
 * of a closed channel, make with a bad size, a select of 17 cases...).
 * The goroutine must end there, with one WARN naming the module, Go's
 * message and the Go function, and nothing after the call may run; the
 * module's init goroutine goes on. go3s_gort covers the calls that work.
 *
 * A case that expects a WARN first logs "GO3S-EXPECT-WARN <regex>".
 */
#include <kunit/test.h>
#include <linux/kmsg_dump.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>

#include <go3s/go.h>
#include <go3s/gort.h>

#include "go3s_kunit.h"
#include "kunit_compat.h"

/* reflect.Kind values gort.h has no name for. */
#define KIND_ARRAY	17U
#define KIND_STRUCT	25U

static const struct go3s_gort_type int_type = {
	.size = sizeof(s64), .align = 8, .field_align = 8,
	.kind = GO3S_GORT_KIND_INT,
};

static const struct go3s_gort_chantype chan_int_type = {
	.typ = { .size = sizeof(void *), .align = 8, .kind = GO3S_GORT_KIND_CHAN },
	.elem = &int_type,
	.dir = 3,
};

/* A [2048]byte: too large for a channel element (GO3S_CHAN_MAX_ELEM). */
static const struct go3s_gort_type big_type = {
	.size = 2048, .align = 1, .field_align = 1,
	.kind = KIND_ARRAY,
};

static const struct go3s_gort_chantype chan_big_type = {
	.typ = { .size = sizeof(void *), .align = 8, .kind = GO3S_GORT_KIND_CHAN },
	.elem = &big_type,
	.dir = 3,
};

static const char point_name[] = "main.point";
static const struct go3s_string point_string = {
	.data = (uintptr_t)point_name, .len = sizeof(point_name) - 1,
};

/* struct{ x, y int }: panic(v) names its type. */
static const struct go3s_gort_type point_type = {
	.size = 16, .align = 8, .field_align = 8,
	.kind = KIND_STRUCT,
	.string = &point_string,
};

/* Set by a Go function when the call that must end it returned. */
static bool went_on;

static struct go3s_gort_chan *closed_chan(void)
{
	struct go3s_gort_chan *c = go3s_gort_makechan(&chan_int_type, 1);

	go3s_gort_closechan(c);
	return c;
}

static void close_nil(void *arg)
{
	go3s_gort_closechan(NULL);
	WRITE_ONCE(went_on, true);
}

static void close_closed(void *arg)
{
	go3s_gort_closechan(closed_chan());
	WRITE_ONCE(went_on, true);
}

static void send_closed(void *arg)
{
	s64 v = 1;

	go3s_gort_chansend1(closed_chan(), &v);
	WRITE_ONCE(went_on, true);
}

static void nbsend_closed(void *arg)
{
	s64 v = 1;

	go3s_gort_selectnbsend(closed_chan(), &v);
	WRITE_ONCE(went_on, true);
}

static void select_send_closed(void *arg)
{
	struct go3s_gort_scase sc = { closed_chan(), NULL };
	s64 v = 1;

	sc.elem = &v;
	go3s_gort_selectgo(&sc, NULL, 1, 0, false);
	WRITE_ONCE(went_on, true);
}

static void select_17(void *arg)
{
	struct go3s_gort_scase sc[17] = { };

	go3s_gort_selectgo(sc, NULL, 0, 17, false);
	WRITE_ONCE(went_on, true);
}

static void send_nil(void *arg)
{
	s64 v = 1;

	go3s_gort_chansend1(NULL, &v);
	WRITE_ONCE(went_on, true);
}

static void recv_nil(void *arg)
{
	s64 v;

	go3s_gort_chanrecv1(NULL, &v);
	WRITE_ONCE(went_on, true);
}

static void makechan_negative(void *arg)
{
	go3s_gort_makechan(&chan_int_type, -1);
	WRITE_ONCE(went_on, true);
}

static void makechan_big_elem(void *arg)
{
	go3s_gort_makechan(&chan_big_type, 1);
	WRITE_ONCE(went_on, true);
}

static void makeslice_len_above_cap(void *arg)
{
	go3s_gort_makeslice(&int_type, 6, 5);
	WRITE_ONCE(went_on, true);
}

static void growslice_shrinks(void *arg)
{
	s64 *p = go3s_gort_makeslice(&int_type, 4, 4);

	go3s_gort_growslice(&int_type, p, 4, 4, 3);
	WRITE_ONCE(went_on, true);
}

static void growslice_overflows(void *arg)
{
	s64 *p = go3s_gort_makeslice(&int_type, 4, 4);

	go3s_gort_growslice(&int_type, p, 4, 4, S64_MAX);
	WRITE_ONCE(went_on, true);
}

static void new_too_large(void *arg)
{
	static const struct go3s_gort_type huge_type = {
		.size = GO3S_ARENA_MAX_ALLOC + 1, .align = 8, .field_align = 8,
		.kind = KIND_ARRAY,
	};

	go3s_gort_newobject(&huge_type);
	WRITE_ONCE(went_on, true);
}

static void slice_bounds(void *arg)
{
	go3s_gort_panic(GO3S_GORT_PANIC_SLICE, 5, 2, kunit_ret_ip());
	WRITE_ONCE(went_on, true);
}

static void panic_struct(void *arg)
{
	s64 v[2] = { 1, 2 };

	go3s_gort_panic_value(&point_type, v, kunit_ret_ip());
	WRITE_ONCE(went_on, true);
}

struct gerr_case {
	void (*fn)(void *arg);
	const char *warn;	/* Go's message, a regex */
};

#define GERR(f, msg) { f, "Go panic: " msg " in " #f }

static const struct gerr_case gerr_cases[] = {
	GERR(close_nil, "close of nil channel"),
	GERR(close_closed, "close of closed channel"),
	GERR(send_closed, "send on closed channel"),
	GERR(nbsend_closed, "send on closed channel"),
	GERR(select_send_closed, "send on closed channel"),
	GERR(select_17, "select with more than 16 cases \\(17\\)"),
	GERR(send_nil, "send on nil channel \\(blocks forever\\)"),
	GERR(recv_nil, "receive from nil channel \\(blocks forever\\)"),
	GERR(makechan_negative, "makechan: size out of range \\(-1\\)"),
	GERR(makechan_big_elem, "makechan: element larger than 1024 bytes \\(2048\\)"),
	GERR(makeslice_len_above_cap, "makeslice: len or cap out of range \\(6\\)"),
	GERR(growslice_shrinks, "growslice: len out of range \\(3\\)"),
	GERR(growslice_overflows, "growslice: cap out of range \\(9223372036854775807\\)"),
	GERR(new_too_large, "allocation too large \\(-7\\)"),
	GERR(slice_bounds, "slice bounds out of range \\[5:2\\]"),
	GERR(panic_struct, "panic: a value of type main\\.point"),
};

static void gerr_desc(const struct gerr_case *c, char *desc)
{
	const char *name = c->warn + strlen(c->warn);

	while (name > c->warn && name[-1] != ' ')
		name--;
	strscpy(desc, name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(gerr, gerr_cases, gerr_desc);

static const struct gerr_case *gerr_now;
static int gerr_panics;

static struct go3s_gort_mod gerr_mod = {
	.desc = GO3S_MODULE_DESC("gort_kunit_errors"),
};

/* The init goroutine: start the Go function, wait for its panic. */
static s64 gerr_init(void)
{
	int i;

	go3s_gort_go(gerr_now->fn, NULL);
	for (i = 0; i < 1000 && !atomic_read(&gerr_mod.panics); i++)
		go3s_sleep(5 * NSEC_PER_MSEC);
	/* Nothing may run after the call, even a little later. */
	go3s_sleep(20 * NSEC_PER_MSEC);
	gerr_panics = atomic_read(&gerr_mod.panics);
	return 0;
}

static void error_ends_its_goroutine(struct kunit *test)
{
	const struct gerr_case *c = test->param_value;

	gerr_now = c;
	gerr_panics = -1;
	WRITE_ONCE(went_on, false);
	gerr_mod.init_fn = gerr_init;
	pr_info("GO3S-EXPECT-WARN gort_kunit_errors: %s\n", c->warn);
	GO3S_ASSERT_EQ(test, go3s_gort_mod_init(&gerr_mod), 0);
	GO3S_EXPECT_EQ(test, gerr_panics, 1);
	GO3S_EXPECT_FALSE(test, READ_ONCE(went_on));
	/* The init goroutine is not the one that panicked. */
	GO3S_EXPECT_EQ(test, gerr_mod.ret, 0);
	go3s_gort_mod_exit(&gerr_mod);
}

/* ---- the memory helpers, which need no goroutine ---------------------- */

static void memory_helpers_as_go_uses_them(struct kunit *test)
{
	bool (*eq0)(const void *a, const void *b) = go3s_gort_memequal0_f.code;
	bool (*eq8)(const void *a, const void *b) = go3s_gort_memequal8_f.code;
	bool (*eq16)(const void *a, const void *b) = go3s_gort_memequal16_f.code;
	bool (*eq32)(const void *a, const void *b) = go3s_gort_memequal32_f.code;
	bool (*eq128)(const void *a, const void *b) = go3s_gort_memequal128_f.code;
	u8 a[16], b[16];
	s64 v[6] = { 1, 2, 3, 4, 5, 6 }, w = 9;
	void *slot = NULL;
	int i;

	/* typedmemmove: a value; onto itself it is left alone. */
	go3s_gort_typedmemmove(&int_type, &v[0], &w);
	GO3S_EXPECT_EQ(test, v[0], 9);
	go3s_gort_typedmemmove(&int_type, &v[1], &v[1]);
	GO3S_EXPECT_EQ(test, v[1], 2);

	/* copy(): the smaller length, overlapping like memmove. */
	GO3S_EXPECT_EQ(test, go3s_gort_typedslicecopy(&int_type, &v[1], 5,
						      &v[0], 3), 3);
	GO3S_EXPECT_EQ(test, v[1], 9);
	GO3S_EXPECT_EQ(test, v[2], 2);
	GO3S_EXPECT_EQ(test, v[3], 3);
	GO3S_EXPECT_EQ(test, v[4], 5);
	GO3S_EXPECT_EQ(test, go3s_gort_typedslicecopy(&int_type, v, -1, v, 3), 0);

	go3s_gort_typedmemclr(&int_type, &v[5]);
	GO3S_EXPECT_EQ(test, v[5], 0);
	go3s_gort_memclr(v, 2 * sizeof(v[0]));
	GO3S_EXPECT_EQ(test, v[0], 0);
	GO3S_EXPECT_EQ(test, v[1], 0);
	GO3S_EXPECT_EQ(test, v[2], 2);

	go3s_gort_write_barrier(&slot, &w);
	GO3S_EXPECT_PTR_EQ(test, slot, (void *)&w);

	/* The equal functions compare their own width and no more. */
	for (i = 0; i < 16; i++)
		a[i] = i;
	memcpy(b, a, sizeof(b));
	b[15] = 0xff;
	GO3S_EXPECT_TRUE(test, eq0(a, b));
	GO3S_EXPECT_TRUE(test, eq8(a, b));
	GO3S_EXPECT_TRUE(test, eq16(a, b));
	GO3S_EXPECT_TRUE(test, eq32(a, b));
	GO3S_EXPECT_FALSE(test, eq128(a, b));
	b[0] = 0xff;
	GO3S_EXPECT_FALSE(test, eq8(a, b));
	GO3S_EXPECT_FALSE(test, eq16(a, b));
	GO3S_EXPECT_FALSE(test, eq32(a, b));
	GO3S_EXPECT_TRUE(test, eq0(a, b));
	GO3S_EXPECT_TRUE(test, eq128(a, a));
}

/* ---- print and println: one kernel log line per Go line --------------- */

static u64 print_mark;
static char print_long[170];	/* more than one line holds (GORT_LINE) */

static s64 print_init(void)
{
	static const char x[] = "x=";

	go3s_gort_printlock();
	go3s_gort_printstring((const u8 *)x, sizeof(x) - 1);
	go3s_gort_printint(-5);
	go3s_gort_printsp();
	go3s_gort_printuint(print_mark);
	go3s_gort_printsp();
	go3s_gort_printhex(255);
	go3s_gort_printsp();
	go3s_gort_printbool(true);
	go3s_gort_printsp();
	go3s_gort_printbool(false);
	go3s_gort_printsp();
	go3s_gort_printpointer(&print_mark);
	go3s_gort_printnl();
	go3s_gort_printstring((const u8 *)print_long, sizeof(print_long));
	go3s_gort_printnl();
	go3s_gort_printunlock();
	return 0;
}

/* Is there a kernel log line that contains @want (@end: ends with it)? */
static bool kmsg_has(const char *want, bool end)
{
	static char line[1024];
	struct kmsg_dump_iter iter = { };
	size_t len, n = strlen(want);

	kmsg_dump_rewind(&iter);
	while (kmsg_dump_get_line(&iter, false, line, sizeof(line) - 1, &len)) {
		while (len && line[len - 1] == '\n')
			len--;
		line[len] = '\0';
		if (end ? len >= n && !strcmp(line + len - n, want) : !!strstr(line, want))
			return true;
	}
	return false;
}

static void print_logs_each_line(struct kunit *test)
{
	static struct go3s_gort_mod mod = {
		.desc = GO3S_MODULE_DESC("gort_kunit_print"),
		.init_fn = print_init,
	};
	char *want = kunit_kzalloc(test, 256, GFP_KERNEL);
	int i;

	GO3S_ASSERT_NOT_NULL(test, want);
	print_mark = ktime_get_ns();
	for (i = 0; i < sizeof(print_long); i++)
		print_long[i] = 'a' + i % 26;
	GO3S_ASSERT_EQ(test, go3s_gort_mod_init(&mod), 0);
	go3s_gort_mod_exit(&mod);

	snprintf(want, 256, "gort_kunit_print: x=-5 %llu 0xff true false ",
		 print_mark);
	GO3S_EXPECT_TRUE(test, kmsg_has(want, false));
	/* A full line is logged as it is; the rest goes on the next. */
	snprintf(want, 256, "gort_kunit_print: %.*s", 160, print_long);
	GO3S_EXPECT_TRUE(test, kmsg_has(want, true));
	snprintf(want, 256, "gort_kunit_print: %.*s", 10, print_long + 160);
	GO3S_EXPECT_TRUE(test, kmsg_has(want, true));
}

static struct kunit_case go3s_gort_edges_cases[] = {
	KUNIT_CASE_PARAM(error_ends_its_goroutine, gerr_gen_params),
	KUNIT_CASE(memory_helpers_as_go_uses_them),
	KUNIT_CASE(print_logs_each_line),
	{}
};

static struct kunit_suite go3s_gort_edges_suite = {
	.name = "go3s_gort_edges",
	.test_cases = go3s_gort_edges_cases,
};

kunit_test_suite(go3s_gort_edges_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_gort_edges: the Go shim's run-time errors, memory helpers and print");
MODULE_VERSION("0.1.0");
