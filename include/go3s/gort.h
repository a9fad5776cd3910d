/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gort: the runtime of kernel modules written in Go (Documentation/go.rst).
 *
 * gccgo compiles a Go package into an object that calls Go's runtime
 * (runtime.makechan, runtime.selectgo, __go_go, ...). scripts/go3s-build
 * renames each of those calls to the go3s_gort_*() function below that
 * implements it on go3s_rt (scripts/go3s-symbols is the table), refuses
 * the package if it calls anything else, and generates the module's C
 * part: a struct go3s_gort_mod, module init and exit calling
 * go3s_gort_mod_init() and go3s_gort_mod_exit(), and the stubs through
 * which Go code reaches go3s_gort_panic().
 *
 * Every line of Go runs in a goroutine: module init runs the package's
 * init function in one and waits for it, module exit its exit function.
 * So a Go panic (a failed bounds, nil or divide check, panic()) always has
 * a goroutine to end: it WARNs, naming the Go function and source line,
 * and that goroutine exits (go3s_exit()); the others carry on.
 *
 * Memory: new(T), make([]T) and append() allocate from the module's arena,
 * zeroed, and nothing is freed before the module unloads (there is no
 * GC: the write-barrier flag gccgo tests stays 0). A goroutine's own arena
 * would be freed when it exits, and Go code keeps using what another
 * goroutine allocated (a closure's variables, a go statement's
 * arguments): the module's arena is the one whose lifetime covers every
 * goroutine that can reach the memory.
 *
 * The structures below are gccgo 12's (Go 1.18) layouts, which compiled
 * Go code reads inline: static_assert()s pin them.
 *
 * Kernel-doc for the functions: go3s_rt/gort.c, go3s_rt/gort_chan.c and
 * go3s_rt/gort_mem.c, rendered with Documentation/go.rst by make docs.
 */
#ifndef _GO3S_GORT_H
#define _GO3S_GORT_H

#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include <go3s/compat.h>
#include <go3s/ffi.h>
#include <go3s/mem.h>
#include <go3s/registry.h>

/* A Go type descriptor (gccgo's runtime._type): compiler-generated data. */
struct go3s_gort_type {
	u64 size;
	u64 ptrdata;
	u32 hash;
	u8 tflag;
	u8 align;
	u8 field_align;
	u8 kind;		/* GO3S_GORT_KIND_*, with flag bits above 31 */
	const void *equal;	/* a Go func value: func(p, q unsafe.Pointer) bool */
	const u8 *gcdata;
	const struct go3s_string *string;
	const void *uncommon;
	const struct go3s_gort_type *ptr_to_this;
};

/* runtime.chantype: a channel type. */
struct go3s_gort_chantype {
	struct go3s_gort_type typ;
	const struct go3s_gort_type *elem;
	u64 dir;
};

#define GO3S_GORT_KIND_MASK	31U
#define GO3S_GORT_KIND_BOOL	1U
#define GO3S_GORT_KIND_INT	2U
#define GO3S_GORT_KIND_INT64	6U
#define GO3S_GORT_KIND_UINT	7U
#define GO3S_GORT_KIND_UINTPTR	12U
#define GO3S_GORT_KIND_CHAN	18U
#define GO3S_GORT_KIND_STRING	24U
#define GO3S_GORT_KIND_UNSAFE_POINTER	26U

/*
 * A Go channel value points here. len(ch) and cap(ch) are compiled inline
 * as loads of the first two words (runtime.hchan's qcount and dataqsiz).
 */
struct go3s_gort_chan {
	u64 qcount;		/* elements buffered, after the latest operation */
	u64 dataqsiz;		/* capacity */
	struct go3s_chan *ch;
	u32 elem_size;
	struct list_head node;	/* the module's channels, put at unload */
};

/* runtime.scase: one case of a select (sends first, then receives). */
struct go3s_gort_scase {
	struct go3s_gort_chan *c;
	void *elem;
};

/* What runtime.selectgo returns: the case chosen, and recvOK. */
struct go3s_gort_selected {
	s64 index;
	bool ok;
};

/* runtime.selectnbrecv's two results, returned in one register. */
struct go3s_gort_nbrecv {
	bool selected;
	bool received;
};

/* runtime.decoderune's results. */
struct go3s_gort_rune {
	s32 rune;
	s64 next;
};

/* A Go func value: what a func variable points to (the closure). */
struct go3s_gort_func {
	const void *code;
};

static_assert(sizeof(struct go3s_gort_type) == 64);
static_assert(offsetof(struct go3s_gort_type, hash) == 16);
static_assert(offsetof(struct go3s_gort_type, kind) == 23);
static_assert(offsetof(struct go3s_gort_type, equal) == 24);
static_assert(offsetof(struct go3s_gort_type, ptr_to_this) == 56);
static_assert(offsetof(struct go3s_gort_chantype, elem) == 64);
static_assert(offsetof(struct go3s_gort_chan, qcount) == 0);
static_assert(offsetof(struct go3s_gort_chan, dataqsiz) == 8);
static_assert(sizeof(struct go3s_gort_scase) == 16);

/*
 * Why a Go goroutine stopped early: the checks gccgo compiles in, each
 * reported through its own stub in the module (scripts/go3s-build).
 */
enum go3s_gort_panic_kind {
	GO3S_GORT_PANIC_INDEX,		/* index out of range */
	GO3S_GORT_PANIC_SLICE,		/* slice bounds out of range */
	GO3S_GORT_PANIC_DIVIDE,		/* integer divide by zero */
	GO3S_GORT_PANIC_SHIFT,		/* negative shift amount */
	GO3S_GORT_PANIC_NIL,		/* nil pointer dereference */
	GO3S_GORT_PANIC_GO_NIL,		/* go of a nil func value */
	GO3S_GORT_PANIC_MAKESLICE,	/* make([]T) length or capacity out of range */
	GO3S_GORT_PANIC_VALUE,		/* panic(v) */
	GO3S_GORT_PANIC_RUNTIME,	/* the runtime refused (message given) */
};

/*
 * The state of a module written in Go, in the module (go3s-build's
 * generated C part fills in the first three fields). The others are the
 * runtime's (L: @lock).
 */
struct go3s_gort_mod {
	struct go3s_module_desc desc;
	s64 (*init_fn)(void);		/* the package's init function, or NULL */
	void (*exit_fn)(void);		/* its exit function, or NULL */
	struct mutex lock;
	struct go3s_arena arena;	/* L: new, make, append */
	struct list_head chans;		/* L: every channel made */
	struct completion done;		/* the init or exit goroutine ended */
	int ret;			/* what it returned; -EFAULT: it panicked */
	atomic_t panics;		/* goroutines ended by a panic */
};

int go3s_gort_mod_init(struct go3s_gort_mod *mod);
void go3s_gort_mod_exit(struct go3s_gort_mod *mod);

/*
 * The panics: called from the module's stubs, which gccgo calls as
 * functions that never return; the nil check's handler is called
 * directly (gccgo expects it to return). None of them returns.
 */
void go3s_gort_panic(enum go3s_gort_panic_kind kind, s64 a, s64 b,
		     unsigned long ip);
void go3s_gort_panic_nilcheck(const void *ubsan_data, const void *ptr);
void go3s_gort_panic_value(const struct go3s_gort_type *t, const void *v,
			   unsigned long ip);

/* Goroutines. */
void *go3s_gort_go(void (*fn)(void *), void *arg);

/* Channels and select. */
struct go3s_gort_chan *go3s_gort_makechan(const struct go3s_gort_chantype *t,
					  s64 size);
void go3s_gort_chansend1(struct go3s_gort_chan *c, const void *elem);
void go3s_gort_chanrecv1(struct go3s_gort_chan *c, void *elem);
bool go3s_gort_chanrecv2(struct go3s_gort_chan *c, void *elem);
void go3s_gort_closechan(struct go3s_gort_chan *c);
bool go3s_gort_selectnbsend(struct go3s_gort_chan *c, const void *elem);
struct go3s_gort_nbrecv go3s_gort_selectnbrecv(void *elem,
					       struct go3s_gort_chan *c);
struct go3s_gort_selected go3s_gort_selectgo(struct go3s_gort_scase *cases,
					     u16 *order, s64 nsends,
					     s64 nrecvs, bool block);

/* Memory. */
void *go3s_gort_newobject(const struct go3s_gort_type *t);
void *go3s_gort_makeslice(const struct go3s_gort_type *t, s64 len, s64 cap);
struct go3s_slice go3s_gort_growslice(const struct go3s_gort_type *t,
				      void *old, s64 old_len, s64 old_cap,
				      s64 cap);
void go3s_gort_typedmemmove(const struct go3s_gort_type *t, void *dst,
			    const void *src);
s64 go3s_gort_typedslicecopy(const struct go3s_gort_type *t, void *dst,
			     s64 dst_len, const void *src, s64 src_len);
void go3s_gort_typedmemclr(const struct go3s_gort_type *t, void *p);
void go3s_gort_memclr(void *p, u64 n);
void go3s_gort_write_barrier(void **dst, void *val);
void go3s_gort_register_gc_roots(void *roots);
extern const u32 go3s_gort_write_barrier_flag[4];

/* Strings. */
struct go3s_string go3s_gort_slicebytetostring(void *buf, const u8 *p,
					       s64 n);
struct go3s_slice go3s_gort_stringtoslicebyte(void *buf, const u8 *p, s64 n);
struct go3s_gort_rune go3s_gort_decoderune(const u8 *s, s64 len, s64 k);
s64 go3s_gort_cmpstring(const u8 *a, s64 alen, const u8 *b, s64 blen);

/* Equality, and the func values and type descriptors that name them. */
bool go3s_gort_memequal(const void *a, const void *b, u64 size);
extern const struct go3s_gort_func go3s_gort_memequal0_f;
extern const struct go3s_gort_func go3s_gort_memequal8_f;
extern const struct go3s_gort_func go3s_gort_memequal16_f;
extern const struct go3s_gort_func go3s_gort_memequal32_f;
extern const struct go3s_gort_func go3s_gort_memequal64_f;
extern const struct go3s_gort_func go3s_gort_memequal128_f;
extern const struct go3s_gort_func go3s_gort_strequal_f;
extern const struct go3s_gort_type go3s_gort_type_unsafe_pointer;

/* print and println. */
void go3s_gort_printlock(void);
void go3s_gort_printunlock(void);
void go3s_gort_printint(s64 v);
void go3s_gort_printuint(u64 v);
void go3s_gort_printhex(u64 v);
void go3s_gort_printbool(bool v);
void go3s_gort_printpointer(const void *p);
void go3s_gort_printstring(const u8 *p, s64 len);
void go3s_gort_printsp(void);
void go3s_gort_printnl(void);

#endif /* _GO3S_GORT_H */
