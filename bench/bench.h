/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_BENCH_H
#define _GO3S_BENCH_H

#include <linux/completion.h>
#include <linux/types.h>

struct pingpong {
	struct completion ping, pong;
	struct completion done;
	unsigned int rounds;
};

void go3s_bench_report(const char *name, u64 go3s_cns, const char *base,
		       u64 base_cns);
u64 go3s_bench_per_item(u64 ns, u64 n);
u64 go3s_bench_kthread_pingpong(struct pingpong *pp, unsigned int rounds);
void go3s_bench_chan(void);
void go3s_bench_mem(void);
void go3s_bench_sched(void);
#ifdef CONFIG_NET
void go3s_bench_net(bool last);
#else
static inline void go3s_bench_net(bool last) { }
#endif
#ifdef CONFIG_PCI
void go3s_bench_mid(void);
#else
static inline void go3s_bench_mid(void) { }
#endif

#endif /* _GO3S_BENCH_H */
