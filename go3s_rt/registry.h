/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_REGISTRY_INT_H
#define _GO3S_REGISTRY_INT_H

struct seq_file;

int go3s_modules_show(struct seq_file *m, void *unused);
void go3s_registry_init(void);

#endif /* _GO3S_REGISTRY_INT_H */
