/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_VERSION_H
#define _GO3S_VERSION_H

struct seq_file;

#define GO3S_RT_VERSION	"0.1.0"

int go3s_version_show(struct seq_file *m, void *unused);

#endif /* _GO3S_VERSION_H */
