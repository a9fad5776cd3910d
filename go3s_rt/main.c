// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_rt: a Go-like runtime for kernel code. Module init and exit only;
 * each unit has its go3s_<unit>_init()/_exit() pair, set up in order here
 * and torn down in exactly the reverse order.
 */
#include <linux/module.h>

#include <go3s/abi.h>

#include "debugfs.h"
#include "version.h"

static int __init go3s_rt_init(void)
{
	go3s_debugfs_init();

	pr_info("runtime %s loaded, ABI %u.%u\n", GO3S_RT_VERSION,
		GO3S_ABI_MAJOR, GO3S_ABI_MINOR);
	return 0;
}

static void __exit go3s_rt_exit(void)
{
	go3s_debugfs_exit();
	pr_info("runtime unloaded\n");
}

module_init(go3s_rt_init);
module_exit(go3s_rt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s runtime: goroutines, channels and isolation domains for kernel code");
MODULE_VERSION(GO3S_RT_VERSION);
