// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime and ABI versions: what a client checks before it relies on us.
 */
#include <linux/errno.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#include <kunit/visibility.h>

#include <go3s/abi.h>

#include "version.h"

/**
 * go3s_abi_version - ABI version of the loaded runtime
 *
 * Context: Any context.
 * Return: GO3S_ABI_VERSION(major, minor) of the runtime, which may differ
 * from the GO3S_ABI_MAJOR/GO3S_ABI_MINOR the caller was compiled with.
 */
u32 go3s_abi_version(void)
{
	return GO3S_ABI_VERSION(GO3S_ABI_MAJOR, GO3S_ABI_MINOR);
}
EXPORT_SYMBOL_GO3S(go3s_abi_version);

/**
 * go3s_abi_check - may a client built for @major.@minor use this runtime?
 * @major: GO3S_ABI_MAJOR the client was compiled with.
 * @minor: GO3S_ABI_MINOR the client was compiled with.
 *
 * Majors must match exactly; a client may be older (smaller minor) than the
 * runtime, never newer, because minors only add symbols and fields.
 *
 * Context: Any context.
 * Return: 0 when compatible, -EPROTO when not.
 */
int go3s_abi_check(u32 major, u32 minor)
{
	if (major != GO3S_ABI_MAJOR || minor > GO3S_ABI_MINOR)
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_abi_check);

/**
 * go3s_rt_version - release string of the loaded runtime
 *
 * Context: Any context.
 * Return: a static NUL-terminated string such as "0.1.0" (MODULE_VERSION).
 */
const char *go3s_rt_version(void)
{
	return GO3S_RT_VERSION;
}
EXPORT_SYMBOL_GO3S(go3s_rt_version);

/*
 * debugfs go3s/version: one "key: value" per line, stable for scripts.
 * Exported for the go3s_core KUnit suite only.
 */
int go3s_version_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "runtime: %s\n", GO3S_RT_VERSION);
	seq_printf(m, "abi: %u.%u\n", GO3S_ABI_MAJOR, GO3S_ABI_MINOR);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_version_show);
