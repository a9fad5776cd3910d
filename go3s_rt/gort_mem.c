// SPDX-License-Identifier: GPL-2.0
/*
 * gort: memory, strings and equality for kernel modules written in Go
 * (Documentation/go.rst).
 *
 * new(T), make([]T), append() and string conversions allocate zeroed
 * memory from the module's arena (struct go3s_gort_mod), under its mutex:
 * any goroutine of the module may allocate, and Go code hands memory
 * from one goroutine to another. Nothing is freed before the module
 * unloads. Without a GC there are no write barriers: the flag gccgo tests
 * before each pointer store is constant and 0.
 */
#include <linux/overflow.h>
#include <linux/string.h>

#include <go3s/gort.h>

#include "gort.h"

/*
 * Allocate @size zeroed bytes for the running Go goroutine's module. Out
 * of memory (or past the arena's limit), the goroutine panics.
 */
void *gort_alloc(struct go3s_gort_mod *mod, u64 size, unsigned long ip)
{
	void *p;

	if (size > GO3S_ARENA_MAX_ALLOC)
		gort_throw("allocation too large", -E2BIG, ip);
	mutex_lock(&mod->lock);
	p = go3s_arena_alloc(&mod->arena, size, GFP_KERNEL);
	mutex_unlock(&mod->lock);
	if (!p)
		gort_throw("out of memory", -ENOMEM, ip);
	memset(p, 0, size);
	return p;
}

static struct go3s_gort_mod *self_mod(void)
{
	struct gort_g *g = gort_self();

	return !WARN_ON_ONCE(!g) ? g->mod : NULL;
}

/**
 * go3s_gort_newobject - new(T), and any variable that escapes to the heap
 * @t: the type.
 *
 * Context: Go code.
 * Return: zeroed memory for one T, from the module's arena; the caller
 * panics when out of memory.
 */
void *go3s_gort_newobject(const struct go3s_gort_type *t)
{
	struct go3s_gort_mod *mod = self_mod();

	return mod ? gort_alloc(mod, t->size, _RET_IP_) : NULL;
}
EXPORT_SYMBOL_GO3S(go3s_gort_newobject);

/**
 * go3s_gort_makeslice - make([]T, len, cap)
 * @t: the element type.
 * @len: the length.
 * @cap: the capacity.
 *
 * A negative @len, a @len above @cap or a size that overflows panics.
 * Context: Go code.
 * Return: the zeroed backing array.
 */
void *go3s_gort_makeslice(const struct go3s_gort_type *t, s64 len, s64 cap)
{
	struct go3s_gort_mod *mod = self_mod();
	u64 bytes;

	if (!mod)
		return NULL;
	if (len < 0 || len > cap || check_mul_overflow((u64)cap, t->size, &bytes))
		gort_throw("makeslice: len or cap out of range", len, _RET_IP_);
	return gort_alloc(mod, bytes, _RET_IP_);
}
EXPORT_SYMBOL_GO3S(go3s_gort_makeslice);

/**
 * go3s_gort_growslice - append() past a slice's capacity
 * @t: the element type.
 * @old: the old backing array.
 * @old_len: the old length.
 * @old_cap: the old capacity.
 * @cap: the length the append needs.
 *
 * Grows as Go does (double below 256 elements, then by a quarter) into a
 * new array from the module's arena and copies the old elements; the old
 * array stays allocated until the module unloads.
 * Context: Go code.
 * Return: the new slice, whose length is @cap (gccgo's convention).
 */
struct go3s_slice go3s_gort_growslice(const struct go3s_gort_type *t,
				      void *old, s64 old_len, s64 old_cap,
				      s64 cap)
{
	struct go3s_gort_mod *mod = self_mod();
	struct go3s_slice s = { };
	s64 newcap = old_cap;
	u64 bytes;
	void *p;

	if (!mod)
		return s;
	if (cap < old_len || old_len < 0)
		gort_throw("growslice: len out of range", cap, _RET_IP_);
	if (cap > 2 * old_cap) {
		newcap = cap;
	} else {
		while (newcap < cap)
			newcap = newcap < 256 ? 2 * newcap : newcap + newcap / 4;
	}
	if (check_mul_overflow((u64)newcap, t->size, &bytes))
		gort_throw("growslice: cap out of range", cap, _RET_IP_);
	p = gort_alloc(mod, bytes, _RET_IP_);
	if (old_len)
		memcpy(p, old, old_len * t->size);
	s.data = (uintptr_t)p;
	s.len = cap;
	s.cap = newcap;
	return s;
}
EXPORT_SYMBOL_GO3S(go3s_gort_growslice);

/**
 * go3s_gort_typedmemmove - copy a value of type T
 * @t: the type.
 * @dst: the destination.
 * @src: the source; may overlap @dst.
 *
 * Context: any context.
 */
void go3s_gort_typedmemmove(const struct go3s_gort_type *t, void *dst,
			    const void *src)
{
	if (dst != src)
		memmove(dst, src, t->size);
}
EXPORT_SYMBOL_GO3S(go3s_gort_typedmemmove);

/**
 * go3s_gort_typedslicecopy - copy(dst, src) for elements of type T
 * @t: the element type.
 * @dst: the destination array.
 * @dst_len: its length.
 * @src: the source array; may overlap @dst.
 * @src_len: its length.
 *
 * Context: any context.
 * Return: the number of elements copied, the smaller length.
 */
s64 go3s_gort_typedslicecopy(const struct go3s_gort_type *t, void *dst,
			     s64 dst_len, const void *src, s64 src_len)
{
	s64 n = min(dst_len, src_len);

	if (n > 0 && dst != src)
		memmove(dst, src, n * t->size);
	return max_t(s64, n, 0);
}
EXPORT_SYMBOL_GO3S(go3s_gort_typedslicecopy);

/**
 * go3s_gort_typedmemclr - zero a value of type T
 * @t: the type.
 * @p: the value.
 *
 * Context: any context.
 */
void go3s_gort_typedmemclr(const struct go3s_gort_type *t, void *p)
{
	memset(p, 0, t->size);
}
EXPORT_SYMBOL_GO3S(go3s_gort_typedmemclr);

/**
 * go3s_gort_memclr - zero memory (memclrNoHeapPointers, memclrHasPointers)
 * @p: the memory.
 * @n: bytes.
 *
 * Context: any context.
 */
void go3s_gort_memclr(void *p, u64 n)
{
	memset(p, 0, n);
}
EXPORT_SYMBOL_GO3S(go3s_gort_memclr);

/**
 * go3s_gort_write_barrier - a pointer store with the GC's write barrier
 * @dst: where to store.
 * @val: the pointer.
 *
 * gccgo calls it only when the write-barrier flag is set, and the flag
 * (go3s_gort_write_barrier_flag) is always 0: a plain store, in case.
 * Context: any context.
 */
void go3s_gort_write_barrier(void **dst, void *val)
{
	*dst = val;
}
EXPORT_SYMBOL_GO3S(go3s_gort_write_barrier);

/**
 * go3s_gort_register_gc_roots - a package's globals that hold pointers
 * @roots: gccgo's list of them.
 *
 * There is no GC to tell: nothing to do.
 * Context: Go code (package initialization).
 */
void go3s_gort_register_gc_roots(void *roots)
{
}
EXPORT_SYMBOL_GO3S(go3s_gort_register_gc_roots);

/* runtime.writeBarrier: {enabled, pad, needed, cgo, alignme}, never set. */
const u32 go3s_gort_write_barrier_flag[4];
EXPORT_SYMBOL_GO3S(go3s_gort_write_barrier_flag);

/* ---- strings ------------------------------------------------------------ */

/*
 * The bytes of a string(b) or []byte(s) conversion, copied into the
 * calling module's arena; NULL for none (n <= 0: Go's empty value) or
 * outside Go code. @ip names the conversion's caller in the arena.
 */
static void *gort_copy_bytes(const u8 *p, s64 n, unsigned long ip)
{
	struct go3s_gort_mod *mod = self_mod();
	void *d;

	if (!mod || n <= 0)
		return NULL;
	d = gort_alloc(mod, n, ip);
	memcpy(d, p, n);
	return d;
}

/**
 * go3s_gort_slicebytetostring - string(b) for a []byte b
 * @buf: gccgo's stack buffer for short strings, or NULL (unused).
 * @p: the bytes.
 * @n: how many.
 *
 * Context: Go code.
 * Return: a copy in the module's arena.
 */
struct go3s_string go3s_gort_slicebytetostring(void *buf, const u8 *p, s64 n)
{
	void *d = gort_copy_bytes(p, n, _RET_IP_);

	return (struct go3s_string){ .data = (uintptr_t)d, .len = d ? n : 0 };
}
EXPORT_SYMBOL_GO3S(go3s_gort_slicebytetostring);

/**
 * go3s_gort_stringtoslicebyte - []byte(s)
 * @buf: gccgo's stack buffer for short strings, or NULL (unused).
 * @p: the string's bytes.
 * @n: how many.
 *
 * Context: Go code.
 * Return: a copy in the module's arena, as a slice of @n bytes.
 */
struct go3s_slice go3s_gort_stringtoslicebyte(void *buf, const u8 *p, s64 n)
{
	void *d = gort_copy_bytes(p, n, _RET_IP_);

	return (struct go3s_slice){ .data = (uintptr_t)d, .len = d ? n : 0, .cap = d ? n : 0 };
}
EXPORT_SYMBOL_GO3S(go3s_gort_stringtoslicebyte);

/**
 * go3s_gort_decoderune - decode the UTF-8 rune at s[k] (for range s)
 * @s: the string's bytes.
 * @len: its length.
 * @k: the index of the rune's first byte; s[k] is not ASCII.
 *
 * Invalid or truncated sequences decode as U+FFFD, one byte long, as in Go.
 * Context: any context.
 * Return: the rune and the index after it.
 */
struct go3s_gort_rune go3s_gort_decoderune(const u8 *s, s64 len, s64 k)
{
	struct go3s_gort_rune r = { .rune = 0xfffd, .next = k + 1 };
	static const s32 min_of[] = { 0, 0, 0x80, 0x800, 0x10000 };
	u8 c = s[k];
	int n, i;
	s32 v;

	if (c >= 0xf0 && c < 0xf5)
		n = 4;
	else if (c >= 0xe0 && c < 0xf0)
		n = 3;
	else if (c >= 0xc2 && c < 0xe0)
		n = 2;
	else
		return r;
	v = c & (0x7f >> n);
	if (k + n > len)
		return r;
	for (i = 1; i < n; i++) {
		if ((s[k + i] & 0xc0) != 0x80)
			return r;
		v = (v << 6) | (s[k + i] & 0x3f);
	}
	if (v < min_of[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return r;
	r.rune = v;
	r.next = k + n;
	return r;
}
EXPORT_SYMBOL_GO3S(go3s_gort_decoderune);

/**
 * go3s_gort_cmpstring - compare two strings (<, <=, >, >=)
 * @a: the first string's bytes.
 * @alen: its length.
 * @b: the second string's bytes.
 * @blen: its length.
 *
 * Context: any context.
 * Return: -1, 0 or 1, bytewise.
 */
s64 go3s_gort_cmpstring(const u8 *a, s64 alen, const u8 *b, s64 blen)
{
	int c = memcmp(a, b, min(alen, blen));

	if (c)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}
EXPORT_SYMBOL_GO3S(go3s_gort_cmpstring);

/* ---- equality: what type descriptors and == on arrays and structs use --- */

/**
 * go3s_gort_memequal - compare @size bytes
 * @a: one value.
 * @b: the other.
 * @size: bytes.
 *
 * Context: any context.
 * Return: true if equal.
 */
bool go3s_gort_memequal(const void *a, const void *b, u64 size)
{
	return a == b || !memcmp(a, b, size);
}
EXPORT_SYMBOL_GO3S(go3s_gort_memequal);

/*
 * The equal functions of type descriptors, reached through their func
 * values (gccgo passes the closure in %r10; these need none). Go code
 * only calls them for map keys and interface values, which go3s-build
 * refuses; the descriptors must still link.
 */
static bool memequal0(const void *a, const void *b)
{
	return true;
}

static bool memequal8(const void *a, const void *b)
{
	return go3s_gort_memequal(a, b, 1);
}

static bool memequal16(const void *a, const void *b)
{
	return go3s_gort_memequal(a, b, 2);
}

static bool memequal32(const void *a, const void *b)
{
	return go3s_gort_memequal(a, b, 4);
}

static bool memequal64(const void *a, const void *b)
{
	return go3s_gort_memequal(a, b, 8);
}

static bool memequal128(const void *a, const void *b)
{
	return go3s_gort_memequal(a, b, 16);
}

static bool strequal(const void *a, const void *b)
{
	const struct go3s_string *x = a, *y = b;

	return x->len == y->len &&
	       go3s_gort_memequal(go3s_string_ptr(x), go3s_string_ptr(y), x->len);
}

const struct go3s_gort_func go3s_gort_memequal0_f = { memequal0 };
EXPORT_SYMBOL_GO3S(go3s_gort_memequal0_f);
const struct go3s_gort_func go3s_gort_memequal8_f = { memequal8 };
EXPORT_SYMBOL_GO3S(go3s_gort_memequal8_f);
const struct go3s_gort_func go3s_gort_memequal16_f = { memequal16 };
EXPORT_SYMBOL_GO3S(go3s_gort_memequal16_f);
const struct go3s_gort_func go3s_gort_memequal32_f = { memequal32 };
EXPORT_SYMBOL_GO3S(go3s_gort_memequal32_f);
const struct go3s_gort_func go3s_gort_memequal64_f = { memequal64 };
EXPORT_SYMBOL_GO3S(go3s_gort_memequal64_f);
const struct go3s_gort_func go3s_gort_memequal128_f = { memequal128 };
EXPORT_SYMBOL_GO3S(go3s_gort_memequal128_f);
const struct go3s_gort_func go3s_gort_strequal_f = { strequal };
EXPORT_SYMBOL_GO3S(go3s_gort_strequal_f);

/* ---- type descriptors of package unsafe --------------------------------- */

static const u8 unsafe_pointer_gcdata = 1;
static const char unsafe_pointer_name[] = "unsafe.Pointer";
static const struct go3s_string unsafe_pointer_string = {
	.data = (uintptr_t)unsafe_pointer_name,
	.len = sizeof(unsafe_pointer_name) - 1,
};

/* unsafe.Pointer..d: pointer-sized, compared as 64 bits, held directly. */
const struct go3s_gort_type go3s_gort_type_unsafe_pointer = {
	.size = sizeof(void *),
	.ptrdata = sizeof(void *),
	.hash = 0x75fb4d0a,
	.align = __alignof__(void *),
	.field_align = __alignof__(void *),
	.kind = GO3S_GORT_KIND_UNSAFE_POINTER | 32,	/* kindDirectIface */
	.equal = &go3s_gort_memequal64_f,
	.gcdata = &unsafe_pointer_gcdata,
	.string = &unsafe_pointer_string,
};
EXPORT_SYMBOL_GO3S(go3s_gort_type_unsafe_pointer);
