// SPDX-License-Identifier: GPL-2.0
/*
 * The go3s/ directory in debugfs. Units add their own files under
 * go3s_debugfs_root(); removing the directory removes them all.
 *
 * As everywhere in the kernel, a debugfs failure is not a runtime failure:
 * the runtime works without it, so errors are not propagated.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "debugfs.h"
#include "version.h"

static struct dentry *go3s_dir;

DEFINE_SHOW_ATTRIBUTE(go3s_version);

struct dentry *go3s_debugfs_root(void)
{
	return go3s_dir;
}

void go3s_debugfs_init(void)
{
	go3s_dir = debugfs_create_dir("go3s", NULL);
	debugfs_create_file("version", 0444, go3s_dir, NULL, &go3s_version_fops);
}

void go3s_debugfs_exit(void)
{
	debugfs_remove(go3s_dir);
	go3s_dir = NULL;
}
