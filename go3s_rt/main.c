// SPDX-License-Identifier: GPL-2.0
/*
 * go3s_rt: a Go-like runtime for kernel code. Module init and exit only;
 * each unit has its go3s_<unit>_init()/_exit() pair, set up in order here
 * and torn down in exactly the reverse order.
 */
#include <linux/module.h>

#include <go3s/abi.h>

#include "debugfs.h"
#include "fsm.h"
#include "g.h"
#include "irq.h"
#include "net.h"
#include "../mid/mid.h"
#include "owner.h"
#include "registry.h"
#include "sched.h"
#include "stats.h"
#include "version.h"

static int __init go3s_rt_init(void)
{
	int ret;

	go3s_debugfs_init();
	ret = go3s_owner_init();
	if (ret)
		goto err_owner;
	ret = go3s_irq_init();
	if (ret)
		goto err_irq;
	ret = go3s_sched_init();
	if (ret)
		goto err_sched;
	go3s_stats_init();
	go3s_registry_init();
	go3s_fsm_init();
	ret = go3s_net_init();
	if (ret)
		goto err_net;
	go3s_mid_init();

	pr_info("runtime %s loaded, ABI %u.%u, %u workers\n", GO3S_RT_VERSION,
		GO3S_ABI_MAJOR, GO3S_ABI_MINOR, go3s_nr_workers());
	return 0;

err_net:
	go3s_sched_stop();
	go3s_sched_exit();
err_sched:
	go3s_irq_exit();
err_irq:
	go3s_owner_exit();
err_owner:
	go3s_g_exit();
	go3s_debugfs_exit();
	return ret;
}

static void __exit go3s_rt_exit(void)
{
	go3s_net_exit();
	go3s_sched_stop();
	go3s_owner_drain();
	go3s_sched_exit();
	go3s_irq_exit();
	go3s_owner_exit();
	go3s_g_exit();
	go3s_debugfs_exit();
	pr_info("runtime unloaded\n");
}

module_init(go3s_rt_init);
module_exit(go3s_rt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s runtime: goroutines, channels and isolation domains for kernel code");
MODULE_VERSION(GO3S_RT_VERSION);
