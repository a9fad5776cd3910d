/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Go3s module registry: a compiled Go3s module (or any client) says
 * which ABI it was built for before it uses the runtime, and appears in
 * debugfs go3s/modules with its goroutines and their arena memory.
 *
 *	static struct go3s_module_desc desc = GO3S_MODULE_DESC("mymod");
 *	init:	ret = go3s_module_register(&desc);
 *	exit:	go3s_module_unregister(&desc);
 *
 * Kernel-doc for the functions: go3s_rt/registry.c, rendered with
 * Documentation/memory.rst by make docs.
 */
#ifndef _GO3S_REGISTRY_H
#define _GO3S_REGISTRY_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

#include <go3s/abi.h>

/**
 * struct go3s_module_desc - a registered client module
 * @name: shown in go3s/modules.
 * @abi_major: GO3S_ABI_MAJOR the module was compiled with.
 * @abi_minor: GO3S_ABI_MINOR the module was compiled with.
 * @owner: the module (its goroutines are counted by owner).
 * @node: private.
 */
struct go3s_module_desc {
	const char *name;
	u16 abi_major;
	u16 abi_minor;
	struct module *owner;
	struct list_head node;
};

#define GO3S_MODULE_DESC(mname) {			\
	.name = (mname),				\
	.abi_major = GO3S_ABI_MAJOR,			\
	.abi_minor = GO3S_ABI_MINOR,			\
	.owner = THIS_MODULE,				\
}

int go3s_module_register(struct go3s_module_desc *desc);
int go3s_module_unregister(struct go3s_module_desc *desc);

#endif /* _GO3S_REGISTRY_H */
