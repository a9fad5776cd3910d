// SPDX-License-Identifier: GPL-2.0
/*
 * gort: goroutines, module life, panics and print for kernel modules
 * written in Go (Documentation/go.rst).
 *
 * Every line of Go runs in a goroutine whose argument is a struct gort_g:
 * the module's init and exit functions (module init and exit wait for
 * them) and every go statement's function. So a panic always ends a
 * goroutine, never the task that loads or unloads the module.
 *
 * Goroutines of go statements and of the init function are owned by the
 * Go module: rmmod is refused while one lives. The exit goroutine runs
 * while the module is going away, when it can no longer be pinned: it is
 * go3s_rt's own, and module exit waits for it without a timeout, so the
 * module's code outlives it.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/gort.h>

#include "g.h"
#include "gort.h"

static void gort_start(void *arg);
static void gort_mod_start(void *arg);

static bool is_gort(struct go3s_g *g)
{
	return g && (g->fn == gort_start || g->fn == gort_mod_start);
}

/* The running goroutine's Go state; NULL outside Go code. */
struct gort_g *gort_self(void)
{
	struct go3s_g *g = go3s_self();

	return is_gort(g) ? g->arg : NULL;
}

static void line_flush(struct gort_g *g)
{
	if (!g->line_len)
		return;
	pr_info("%s: %.*s\n", g->mod->desc.name, g->line_len, g->line);
	g->line_len = 0;
}

/*
 * The last thing a Go goroutine does. For the init and exit goroutines,
 * completing ->done lets module init or exit go on: the module (and @mod
 * in it) may be gone as soon as complete() returns.
 */
static void gort_end(struct gort_g *g)
{
	struct go3s_gort_mod *mod = g->mod;
	bool signal = !g->fn;

	line_flush(g);
	kfree(g);
	if (signal)
		complete(&mod->done);
}

static void gort_start(void *arg)
{
	struct gort_g *g = arg;

	g->fn(g->arg);
	gort_end(g);
}

static void gort_mod_start(void *arg)
{
	struct gort_g *g = arg;
	struct go3s_gort_mod *mod = g->mod;

	if (g->is_exit) {
		mod->exit_fn();
		mod->ret = 0;
	} else {
		mod->ret = mod->init_fn();
	}
	gort_end(g);
}

static struct gort_g *gort_g_new(struct go3s_gort_mod *mod)
{
	struct gort_g *g = kzalloc(sizeof(*g), GFP_KERNEL);

	if (g)
		g->mod = mod;
	return g;
}

/*
 * Run the init or exit function in a goroutine and wait for it. The wait
 * for the exit function cannot be cut short: the module is freed next.
 */
static int run_mod_fn(struct go3s_gort_mod *mod, bool is_exit)
{
	struct gort_g *g = gort_g_new(mod);
	int ret;

	if (!g)
		return -ENOMEM;
	g->is_exit = is_exit;
	reinit_completion(&mod->done);
	if (is_exit)
		ret = go3s_go(gort_mod_start, g);
	else
		ret = __go3s_go(gort_mod_start, g, mod->desc.owner, _RET_IP_);
	if (ret) {
		kfree(g);
		return ret;
	}
	if (is_exit) {
		wait_for_completion(&mod->done);
	} else if (wait_for_completion_killable(&mod->done)) {
		/* The module's GOING notification waits for the goroutine. */
		return -EINTR;
	}
	return mod->ret;
}

static void mod_free(struct go3s_gort_mod *mod)
{
	struct go3s_gort_chan *c, *n;

	list_for_each_entry_safe(c, n, &mod->chans, node)
		go3s_chan_put(c->ch);
	INIT_LIST_HEAD(&mod->chans);
	go3s_arena_destroy(&mod->arena);
}

/**
 * go3s_gort_mod_init - module init of a module written in Go
 * @mod: the module's state (in the C part go3s-build writes).
 *
 * Registers the module (go3s/modules), then runs its init function in a
 * goroutine the module owns and waits for it. If init fails, waits until
 * the goroutines it started have ended before it frees their memory.
 * Context: module init; sleeps, killable.
 * Return: what the init function returned (0 or a negative errno);
 * -EFAULT if it panicked; -EINTR if a fatal signal cut the wait short;
 * -ENOMEM; -EPROTO or -EBUSY from go3s_module_register().
 */
int go3s_gort_mod_init(struct go3s_gort_mod *mod)
{
	int ret;

	if (WARN_ON_ONCE(!mod))
		return -EINVAL;
	mutex_init(&mod->lock);
	go3s_arena_init(&mod->arena);
	INIT_LIST_HEAD(&mod->chans);
	init_completion(&mod->done);
	atomic_set(&mod->panics, 0);
	ret = go3s_module_register(&mod->desc);
	if (ret)
		return ret;
	if (!mod->init_fn)
		return 0;
	ret = run_mod_fn(mod, false);
	if (!ret)
		return 0;
	/* Its goroutines may still use the arena and the channels. */
	if (go3s_module_unregister(&mod->desc))
		pr_warn("%s: init failed and was killed waiting for its goroutines: arena and channels leaked\n",
			mod->desc.name);
	else
		mod_free(mod);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_gort_mod_init);

/**
 * go3s_gort_mod_exit - module exit of a module written in Go
 * @mod: the module's state, as go3s_gort_mod_init() left it.
 *
 * Runs the exit function in a goroutine and waits for it (a panic there
 * is reported and the unload goes on), unregisters the module, puts every
 * channel it made and frees its arena. rmmod only gets here when none of
 * the module's goroutines is left.
 * Context: module exit; sleeps.
 */
void go3s_gort_mod_exit(struct go3s_gort_mod *mod)
{
	int ret;

	if (WARN_ON_ONCE(!mod))
		return;
	if (mod->exit_fn) {
		ret = run_mod_fn(mod, true);
		if (ret)
			pr_warn("%s: exit function failed (%d)\n",
				mod->desc.name, ret);
	}
	go3s_module_unregister(&mod->desc);
	mod_free(mod);
}
EXPORT_SYMBOL_GO3S(go3s_gort_mod_exit);

/**
 * go3s_gort_go - Go's go statement (gccgo's __go_go)
 * @fn: the thunk gccgo made for the statement; it calls the function.
 * @arg: the thunk's argument block.
 *
 * Starts a goroutine owned by the calling Go goroutine's module. A spawn
 * that fails (no memory, module going away) panics the caller.
 * Context: Go code (a gort goroutine).
 * Return: an opaque non-NULL value (gccgo ignores it).
 */
void *go3s_gort_go(void (*fn)(void *), void *arg)
{
	struct gort_g *self = gort_self(), *g;
	int ret;

	if (WARN_ON_ONCE(!self))
		return NULL;
	g = gort_g_new(self->mod);
	if (!g)
		gort_throw("go statement: out of memory", -ENOMEM, _RET_IP_);
	g->fn = fn;
	g->arg = arg;
	ret = __go3s_go(gort_start, g, self->mod->desc.owner, _RET_IP_);
	if (!ret)
		return g;
	kfree(g);
	gort_throw("go statement: cannot start a goroutine", ret, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_gort_go);

/* ---- panics ------------------------------------------------------------ */

static const char *const panic_msg[] = {
	[GO3S_GORT_PANIC_INDEX] = "index out of range",
	[GO3S_GORT_PANIC_SLICE] = "slice bounds out of range",
	[GO3S_GORT_PANIC_DIVIDE] = "integer divide by zero",
	[GO3S_GORT_PANIC_SHIFT] = "negative shift amount",
	[GO3S_GORT_PANIC_NIL] = "invalid memory address or nil pointer dereference",
	[GO3S_GORT_PANIC_GO_NIL] = "go of nil func value",
	[GO3S_GORT_PANIC_MAKESLICE] = "makeslice: len or cap out of range",
	[GO3S_GORT_PANIC_VALUE] = "panic",
	[GO3S_GORT_PANIC_RUNTIME] = "runtime error",
};

/*
 * End the running Go goroutine after a panic. Only Go code, which always
 * runs in a gort goroutine, calls the entry points that panic; a C caller
 * elsewhere is a bug, with no goroutine to end: after the WARN this
 * returns, and the caller (gort_throw(), a module's stub) sleeps for good
 * rather than go on as if the call had worked.
 */
static void gort_die(const char *msg, const char *detail, unsigned long ip)
{
	/*
	 * @ip is a return address: gccgo calls the panic entry points as
	 * functions that never return, so the call may be the Go function's
	 * last instruction and @ip the next function's first. %pB names the
	 * caller, as a backtrace does.
	 */
	struct gort_g *g = gort_self();
	const char *name = g ? g->mod->desc.name : "?";

	WARN(1, "%s: Go panic: %s%s in %pB\n", name, msg, detail ?: "",
	     (void *)ip);
	if (!g)
		return;
	atomic_inc(&g->mod->panics);
	if (!g->fn)
		g->mod->ret = -EFAULT;
	gort_end(g);
	go3s_exit();
}

void gort_throw_msg(const char *msg, long err, unsigned long ip)
{
	char detail[32];

	snprintf(detail, sizeof(detail), " (%ld)", err);
	gort_die(msg, err ? detail : NULL, ip);
}

/**
 * go3s_gort_panic - a failed run-time check in Go code
 * @kind: which check.
 * @a: the index or bound at fault, for index and slice checks.
 * @b: the length or other bound, for index and slice checks.
 * @ip: an address in the Go function (the stub's return address).
 *
 * WARNs, naming the module, the check and the Go function, and ends the
 * goroutine (go3s_exit()): it does not return, except outside a Go
 * goroutine (a caller bug). For the init function's goroutine, module
 * init then fails with -EFAULT.
 * Context: Go code.
 */
void go3s_gort_panic(enum go3s_gort_panic_kind kind, s64 a, s64 b,
		     unsigned long ip)
{
	char detail[64] = "";

	if (kind == GO3S_GORT_PANIC_INDEX)
		snprintf(detail, sizeof(detail), " [%lld] with length %lld",
			 a, b);
	else if (kind == GO3S_GORT_PANIC_SLICE)
		snprintf(detail, sizeof(detail), " [%lld:%lld]", a, b);
	if (kind > GO3S_GORT_PANIC_RUNTIME)
		kind = GO3S_GORT_PANIC_RUNTIME;
	gort_die(panic_msg[kind], detail, ip);
}
EXPORT_SYMBOL_GO3S(go3s_gort_panic);

/* What -fsanitize=null passes: __ubsan_handle_type_mismatch_v1's data. */
struct gort_ubsan_mismatch {
	const char *file;
	u32 line;
	u32 column;
	const void *type;
	u8 log_alignment;
	u8 type_check_kind;
};

/**
 * go3s_gort_panic_nilcheck - a nil pointer dereference in Go code
 * @ubsan_data: the source location gccgo's -fsanitize=null recorded.
 * @ptr: the pointer, nil.
 *
 * Called instead of __ubsan_handle_type_mismatch_v1() (the Go object is
 * built with -fsanitize=null): as go3s_gort_panic(), with the Go source
 * file and line. Does not return.
 * Context: Go code.
 */
void go3s_gort_panic_nilcheck(const void *ubsan_data, const void *ptr)
{
	unsigned long ip = _RET_IP_;
	const struct gort_ubsan_mismatch *d = ubsan_data;
	char detail[96] = "";

	if (d && d->file)
		snprintf(detail, sizeof(detail), " at %s:%u", d->file, d->line);
	gort_die(panic_msg[GO3S_GORT_PANIC_NIL], detail, ip);
}
EXPORT_SYMBOL_GO3S(go3s_gort_panic_nilcheck);

/**
 * go3s_gort_panic_value - Go's panic(v)
 * @t: the dynamic type of v.
 * @v: the value (gccgo's interface data word).
 * @ip: an address in the Go function.
 *
 * Shows v when it is a string or an integer, else its type; as
 * go3s_gort_panic() otherwise. Does not return.
 * Context: Go code.
 */
void go3s_gort_panic_value(const struct go3s_gort_type *t, const void *v,
			   unsigned long ip)
{
	const struct go3s_string *s = v;
	char detail[96] = ": nil";

	switch (t ? t->kind & GO3S_GORT_KIND_MASK : 0) {
	case 0:
		break;
	case GO3S_GORT_KIND_STRING:
		snprintf(detail, sizeof(detail), ": %.*s",
			 (int)min_t(u64, s->len, 64), go3s_string_ptr(s));
		break;
	case GO3S_GORT_KIND_INT ... GO3S_GORT_KIND_UINTPTR:
		/* Not pointer-shaped: v points to the value. */
		if (t->size == 8)
			snprintf(detail, sizeof(detail), ": %lld",
				 *(const s64 *)v);
		break;
	default:
		if (t->string)
			snprintf(detail, sizeof(detail), ": a value of type %.*s",
				 (int)min_t(u64, t->string->len, 64),
				 go3s_string_ptr(t->string));
	}
	gort_die(panic_msg[GO3S_GORT_PANIC_VALUE], detail, ip);
}
EXPORT_SYMBOL_GO3S(go3s_gort_panic_value);

/* ---- print and println ------------------------------------------------- */

static void line_add(const char *s, size_t n)
{
	struct gort_g *g = gort_self();
	const char *nl;
	size_t seg;

	if (WARN_ON_ONCE(!g))
		return;
	while (n) {
		nl = memchr(s, '\n', n);
		seg = nl ? nl - s : n;
		seg = min(seg, sizeof(g->line) - g->line_len);
		memcpy(g->line + g->line_len, s, seg);
		g->line_len += seg;
		s += seg;
		n -= seg;
		if (g->line_len == sizeof(g->line) || (n && *s == '\n')) {
			line_flush(g);
			if (n && *s == '\n') {
				s++;
				n--;
			}
		}
	}
}

static void line_printf(const char *fmt, ...) __printf(1, 2);
static void line_printf(const char *fmt, ...)
{
	char buf[32];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	line_add(buf, n);
}

/**
 * go3s_gort_printlock - start a print or println statement
 *
 * Each goroutine collects its own line; a newline logs it (pr_info(),
 * prefixed with the module's name), so there is nothing to lock.
 * Context: Go code.
 */
void go3s_gort_printlock(void)
{
}
EXPORT_SYMBOL_GO3S(go3s_gort_printlock);

/**
 * go3s_gort_printunlock - end a print or println statement
 *
 * Context: Go code.
 */
void go3s_gort_printunlock(void)
{
}
EXPORT_SYMBOL_GO3S(go3s_gort_printunlock);

/**
 * go3s_gort_printint - print a signed integer
 * @v: the value.
 *
 * Context: Go code.
 */
void go3s_gort_printint(s64 v)
{
	line_printf("%lld", v);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printint);

/**
 * go3s_gort_printuint - print an unsigned integer
 * @v: the value.
 *
 * Context: Go code.
 */
void go3s_gort_printuint(u64 v)
{
	line_printf("%llu", v);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printuint);

/**
 * go3s_gort_printhex - print an integer in hexadecimal
 * @v: the value.
 *
 * Context: Go code.
 */
void go3s_gort_printhex(u64 v)
{
	line_printf("0x%llx", v);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printhex);

/**
 * go3s_gort_printbool - print a bool
 * @v: the value.
 *
 * Context: Go code.
 */
void go3s_gort_printbool(bool v)
{
	if (v)
		line_add("true", 4);
	else
		line_add("false", 5);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printbool);

/**
 * go3s_gort_printpointer - print a pointer (hashed, as %p does)
 * @p: the pointer.
 *
 * Context: Go code.
 */
void go3s_gort_printpointer(const void *p)
{
	line_printf("%p", p);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printpointer);

/**
 * go3s_gort_printstring - print a string
 * @p: its bytes.
 * @len: how many.
 *
 * Context: Go code.
 */
void go3s_gort_printstring(const u8 *p, s64 len)
{
	if (len > 0)
		line_add(p, len);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printstring);

/**
 * go3s_gort_printsp - print the space println puts between operands
 *
 * Context: Go code.
 */
void go3s_gort_printsp(void)
{
	line_add(" ", 1);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printsp);

/**
 * go3s_gort_printnl - end the line: log it
 *
 * Context: Go code.
 */
void go3s_gort_printnl(void)
{
	line_add("\n", 1);
}
EXPORT_SYMBOL_GO3S(go3s_gort_printnl);
