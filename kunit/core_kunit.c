// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_core: the runtime is up, its versions are what they say
 * and its debugfs view is there. Built as a client of go3s_rt's exports.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include <go3s/abi.h>

#include "../go3s_rt/version.h"
#include "kunit_compat.h"

static void abi_version_packs_major_minor(struct kunit *test)
{
	u32 v = go3s_abi_version();

	KUNIT_EXPECT_EQ(test, GO3S_ABI_VERSION_MAJOR(v), GO3S_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, GO3S_ABI_VERSION_MINOR(v), GO3S_ABI_MINOR);
	KUNIT_EXPECT_EQ(test, GO3S_ABI_VERSION(3, 7), 0x00030007U);
}

static void abi_check_accepts_same_and_older_minor(struct kunit *test)
{
	u32 minor;

	for (minor = 0; minor <= GO3S_ABI_MINOR; minor++)
		KUNIT_EXPECT_EQ(test, go3s_abi_check(GO3S_ABI_MAJOR, minor), 0);
}

static void abi_check_refuses_newer_minor_and_other_major(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, go3s_abi_check(GO3S_ABI_MAJOR, GO3S_ABI_MINOR + 1),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, go3s_abi_check(GO3S_ABI_MAJOR, U32_MAX), -EPROTO);
	KUNIT_EXPECT_EQ(test, go3s_abi_check(GO3S_ABI_MAJOR + 1, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, go3s_abi_check(U32_MAX, GO3S_ABI_MINOR), -EPROTO);
	if (GO3S_ABI_MAJOR > 0)
		KUNIT_EXPECT_EQ(test, go3s_abi_check(GO3S_ABI_MAJOR - 1, 0),
				-EPROTO);
}

static void rt_version_is_semver(struct kunit *test)
{
	const char *v = go3s_rt_version();
	unsigned int a, b, c;
	char tail;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, v);
	n = sscanf(v, "%u.%u.%u%c", &a, &b, &c, &tail);
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_STREQ(test, v, GO3S_RT_VERSION);
}

static void debugfs_has_version_file(struct kunit *test)
{
	struct dentry *dir, *file;

	dir = debugfs_lookup("go3s", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	file = debugfs_lookup("version", dir);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, file);
	if (!IS_ERR_OR_NULL(file)) {
		KUNIT_EXPECT_EQ(test, d_inode(file)->i_mode & 0777, 0444);
		dput(file);
	}
	dput(dir);
}

static void version_show_reports_versions(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	char *expect = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct seq_file m = { .buf = buf, .size = PAGE_SIZE };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	KUNIT_ASSERT_EQ(test, go3s_version_show(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, PAGE_SIZE);
	buf[m.count] = '\0';

	scnprintf(expect, PAGE_SIZE, "runtime: %s\nabi: %u.%u\nkernel: %s\n",
		  go3s_rt_version(), GO3S_ABI_MAJOR, GO3S_ABI_MINOR,
		  init_utsname()->release);
	KUNIT_EXPECT_STREQ(test, buf, expect);
}

static struct kunit_case go3s_core_cases[] = {
	KUNIT_CASE(abi_version_packs_major_minor),
	KUNIT_CASE(abi_check_accepts_same_and_older_minor),
	KUNIT_CASE(abi_check_refuses_newer_minor_and_other_major),
	KUNIT_CASE(rt_version_is_semver),
	KUNIT_CASE(debugfs_has_version_file),
	KUNIT_CASE(version_show_reports_versions),
	{}
};

static struct kunit_suite go3s_core_suite = {
	.name = "go3s_core",
	.test_cases = go3s_core_cases,
};

kunit_test_suite(go3s_core_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_core: runtime versions and debugfs");
MODULE_VERSION(GO3S_RT_VERSION);
