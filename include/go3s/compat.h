/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where go3s differs by kernel version, as far as client modules see it.
 * What only the runtime needs is in go3s_rt/kcompat.h. Supported: 6.1 LTS
 * and 6.12 (PREEMPT_RT included); the version tests name the release that
 * changed each interface.
 *
 * Linux 6.13 turned symbol namespaces from bare identifiers into string
 * literals (EXPORT_SYMBOL_NS_GPL(sym, "NS"), MODULE_IMPORT_NS("NS")).
 * The runtime exports with EXPORT_SYMBOL_GO3S(); clients say
 * GO3S_IMPORT_NS(); once at file scope.
 *
 * GO3S_MAX_PAGE_ORDER is the largest order the page allocator hands out:
 * MAX_PAGE_ORDER since 6.8; MAX_ORDER from 6.4 (inclusive); MAX_ORDER - 1
 * before 6.4, when MAX_ORDER was an exclusive bound.
 *
 * PCI_IRQ_INTX (6.8) was PCI_IRQ_LEGACY before: older kernels get the
 * new name, for clients that bind interrupts (<go3s/hal.h>).
 */
#ifndef _GO3S_COMPAT_H
#define _GO3S_COMPAT_H

#include <linux/version.h>

/* Also for assembly: the release is at least @a.@b. */
#define GO3S_KERNEL_AT_LEAST(a, b) \
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0) >= \
	 KERNEL_VERSION(a, b, 0))

#ifndef __ASSEMBLY__
#include <linux/export.h>
#include <linux/mmzone.h>
#include <linux/module.h>

#if GO3S_KERNEL_AT_LEAST(6, 13)
#define EXPORT_SYMBOL_GO3S(sym)	EXPORT_SYMBOL_NS_GPL(sym, "GO3S")
#define GO3S_IMPORT_NS()	MODULE_IMPORT_NS("GO3S")
#else
#define EXPORT_SYMBOL_GO3S(sym)	EXPORT_SYMBOL_NS_GPL(sym, GO3S)
#define GO3S_IMPORT_NS()	MODULE_IMPORT_NS(GO3S)
#endif

#if GO3S_KERNEL_AT_LEAST(6, 8)
#define GO3S_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif GO3S_KERNEL_AT_LEAST(6, 4)
#define GO3S_MAX_PAGE_ORDER	MAX_ORDER
#else
#define GO3S_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

#if !GO3S_KERNEL_AT_LEAST(6, 8)
#include <linux/pci.h>
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#endif
#endif

#endif /* !__ASSEMBLY__ */
#endif /* _GO3S_COMPAT_H */
