/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_STATS_H
#define _GO3S_STATS_H

#include <kunit/visibility.h>

struct seq_file;

int go3s_stats_show(struct seq_file *m, void *unused);
int go3s_goroutines_show(struct seq_file *m, void *unused);
void go3s_stats_init(void);

#endif /* _GO3S_STATS_H */
