/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_DEBUGFS_H
#define _GO3S_DEBUGFS_H

struct dentry;

void go3s_debugfs_init(void);
void go3s_debugfs_exit(void);
struct dentry *go3s_debugfs_root(void);

#endif /* _GO3S_DEBUGFS_H */
