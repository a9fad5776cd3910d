/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loopback is down in a fresh kernel until someone brings it up: the
 * network KUnit suite and the network benchmarks (bench/) both need it.
 */
#ifndef _GO3S_KUNIT_LOOPBACK_H
#define _GO3S_KUNIT_LOOPBACK_H

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

/* Bring init_net's loopback up; 0 or dev_change_flags()'s error. */
static inline int go3s_test_lo_up(void)
{
	struct net_device *lo = init_net.loopback_dev;
	int ret = 0;

	rtnl_lock();
	if (!(lo->flags & IFF_UP))
		ret = dev_change_flags(lo, lo->flags | IFF_UP, NULL);
	rtnl_unlock();
	return ret;
}

#endif /* _GO3S_KUNIT_LOOPBACK_H */
