/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_EXPORT_H
#define _GO3S_EXPORT_H

#include <linux/export.h>
#include <linux/version.h>

/* Export into the GO3S namespace; 6.13 takes the namespace as a string. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define GO3S_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, "GO3S")
#else
#define GO3S_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, GO3S)
#endif

#endif /* _GO3S_EXPORT_H */
