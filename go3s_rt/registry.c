// SPDX-License-Identifier: GPL-2.0
/*
 * The module registry: ABI checks at registration, debugfs go3s/modules,
 * and draining a module's goroutines when it unregisters.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>

#include <go3s/registry.h>

#include "debugfs.h"
#include "g.h"
#include "registry.h"

static LIST_HEAD(modules);
static DEFINE_MUTEX(modules_lock);	/* protects modules */

struct usage {
	struct module *owner;
	u64 goroutines;
	u64 arena_bytes;
};

/* Under go3s_allg_lock: count @owner's goroutines and their memory. */
static void count_usage(struct go3s_g *g, void *data)
{
	struct usage *u = data;

	if (atomic_read(&g->state) == GO3S_G_FREE || READ_ONCE(g->owner) != u->owner)
		return;
	u->goroutines++;
	u->arena_bytes += READ_ONCE(g->arena.bytes);
}

static struct usage usage_of(struct module *owner)
{
	struct usage u = { .owner = owner };

	go3s_g_for_each(count_usage, &u);
	return u;
}

/**
 * go3s_module_register - register a client module
 * @desc: its descriptor (GO3S_MODULE_DESC()); stays in place until
 *	go3s_module_unregister(). Code built into the kernel has no module:
 *	its goroutines all count as the owner NULL's.
 *
 * The ABI rule: the major must equal the runtime's, the minor must not be
 * newer. A refusal is logged with both versions.
 * Context: process context; may sleep.
 * Return: 0; -EPROTO for an ABI the runtime cannot serve; -EINVAL for a
 * bad descriptor; -EBUSY if @desc or its name is registered already.
 */
int go3s_module_register(struct go3s_module_desc *desc)
{
	struct go3s_module_desc *d;
	int ret = 0;

	if (!desc || !desc->name)
		return -EINVAL;
	if (go3s_abi_check(desc->abi_major, desc->abi_minor)) {
		pr_err("module %s is built for ABI %u.%u; this runtime (%s) serves ABI %u.0 to %u.%u: refused\n",
		       desc->name, desc->abi_major, desc->abi_minor,
		       go3s_rt_version(), GO3S_ABI_MAJOR, GO3S_ABI_MAJOR,
		       GO3S_ABI_MINOR);
		return -EPROTO;
	}
	mutex_lock(&modules_lock);
	list_for_each_entry(d, &modules, node) {
		if (d == desc || !strcmp(d->name, desc->name)) {
			ret = -EBUSY;
			break;
		}
	}
	if (!ret)
		list_add_tail(&desc->node, &modules);
	mutex_unlock(&modules_lock);
	if (!ret)
		pr_info("module %s registered (ABI %u.%u)\n", desc->name,
			desc->abi_major, desc->abi_minor);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_module_register);

/**
 * go3s_module_unregister - unregister a client module, draining it
 * @desc: a registered descriptor.
 *
 * Waits until no goroutine of @desc->owner is left, so the module's code
 * can go away after this returns. (While goroutines live they also hold
 * module references: rmmod is refused until they end.)
 * Context: process context; sleeps, killable.
 * Return: 0; -EINVAL if @desc is not registered; -EINTR if a fatal signal
 * arrived while goroutines were still running (@desc is unregistered
 * anyway).
 */
int go3s_module_unregister(struct go3s_module_desc *desc)
{
	struct go3s_module_desc *d;
	bool found = false;

	if (!desc)
		return -EINVAL;
	mutex_lock(&modules_lock);
	list_for_each_entry(d, &modules, node) {
		if (d == desc) {
			list_del(&d->node);
			found = true;
			break;
		}
	}
	mutex_unlock(&modules_lock);
	if (!found)
		return -EINVAL;
	while (usage_of(desc->owner).goroutines) {
		if (fatal_signal_pending(current))
			return -EINTR;
		usleep_range(5000, 10000);
	}
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_module_unregister);

/* debugfs go3s/modules: one line per registered module. */
int go3s_modules_show(struct seq_file *m, void *unused)
{
	struct go3s_module_desc *d;
	struct usage u;

	seq_puts(m, "module abi goroutines arena_bytes\n");
	mutex_lock(&modules_lock);
	list_for_each_entry(d, &modules, node) {
		u = usage_of(d->owner);
		seq_printf(m, "%s %u.%u %llu %llu\n", d->name, d->abi_major,
			   d->abi_minor, u.goroutines, u.arena_bytes);
	}
	mutex_unlock(&modules_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_modules_show);

DEFINE_SHOW_ATTRIBUTE(go3s_modules);

void go3s_registry_init(void)
{
	debugfs_create_file("modules", 0444, go3s_debugfs_root(), NULL,
			    &go3s_modules_fops);
}
