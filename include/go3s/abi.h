/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go3s ABI: the version contract between go3s_rt and its clients.
 *
 * A client (a compiled Go3s module or a C driver) is built against one
 * GO3S_ABI_MAJOR.GO3S_ABI_MINOR. The runtime accepts a client whose major
 * equals its own and whose minor is not newer than its own: minors only add.
 *
 * Kernel-doc for the functions: go3s_rt/version.c, rendered with
 * Documentation/abi.rst by make docs.
 */
#ifndef _GO3S_ABI_H
#define _GO3S_ABI_H

#include <linux/types.h>

#include <go3s/compat.h>

#define GO3S_ABI_MAJOR	0
#define GO3S_ABI_MINOR	1

/* Pack a major/minor pair into the u32 go3s_abi_version() returns. */
#define GO3S_ABI_VERSION(major, minor)	(((u32)(major) << 16) | (u16)(minor))
#define GO3S_ABI_VERSION_MAJOR(v)	((u16)((v) >> 16))
#define GO3S_ABI_VERSION_MINOR(v)	((u16)(v))

u32 go3s_abi_version(void);
int go3s_abi_check(u32 major, u32 minor);
const char *go3s_rt_version(void);

#endif /* _GO3S_ABI_H */
