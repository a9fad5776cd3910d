/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where go3s differs by kernel version.
 *
 * Linux 6.13 turned symbol namespaces from bare identifiers into string
 * literals (EXPORT_SYMBOL_NS_GPL(sym, "NS"), MODULE_IMPORT_NS("NS")).
 * The runtime exports with EXPORT_SYMBOL_GO3S(); clients say
 * GO3S_IMPORT_NS(); once at file scope.
 */
#ifndef _GO3S_COMPAT_H
#define _GO3S_COMPAT_H

#include <linux/export.h>
#include <linux/module.h>
#include <linux/version.h>

#if KERNEL_VERSION(6, 13, 0) <= \
	KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0)
#define EXPORT_SYMBOL_GO3S(sym)	EXPORT_SYMBOL_NS_GPL(sym, "GO3S")
#define GO3S_IMPORT_NS()	MODULE_IMPORT_NS("GO3S")
#else
#define EXPORT_SYMBOL_GO3S(sym)	EXPORT_SYMBOL_NS_GPL(sym, GO3S)
#define GO3S_IMPORT_NS()	MODULE_IMPORT_NS(GO3S)
#endif

#endif /* _GO3S_COMPAT_H */
