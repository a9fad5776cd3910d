// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_registry: ABI checks when a module registers (older,
 * newer, other major), go3s/modules with goroutine counts and arena
 * memory, and unregistering while goroutines still run (it drains them).
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <go3s/go.h>
#include <go3s/mem.h>
#include <go3s/registry.h>
#include <go3s/wg.h>

#include "../go3s_rt/registry.h"
#include "kunit_compat.h"

static void abi_versions_are_checked(struct kunit *test)
{
	struct go3s_module_desc d = GO3S_MODULE_DESC("go3s-test-abi");

	d.abi_major = GO3S_ABI_MAJOR + 1;
	KUNIT_EXPECT_EQ(test, go3s_module_register(&d), -EPROTO);
	d.abi_major = GO3S_ABI_MAJOR;
	d.abi_minor = GO3S_ABI_MINOR + 1;		/* newer than us */
	KUNIT_EXPECT_EQ(test, go3s_module_register(&d), -EPROTO);
	if (GO3S_ABI_MINOR > 0) {
		d.abi_minor = GO3S_ABI_MINOR - 1;	/* older: fine */
		KUNIT_EXPECT_EQ(test, go3s_module_register(&d), 0);
		KUNIT_EXPECT_EQ(test, go3s_module_unregister(&d), 0);
	}
	d.abi_minor = GO3S_ABI_MINOR;
	KUNIT_ASSERT_EQ(test, go3s_module_register(&d), 0);
	KUNIT_EXPECT_EQ(test, go3s_module_register(&d), -EBUSY);
	KUNIT_EXPECT_EQ(test, go3s_module_unregister(&d), 0);
	KUNIT_EXPECT_EQ(test, go3s_module_unregister(&d), -EINVAL);
	d.name = NULL;
	KUNIT_EXPECT_EQ(test, go3s_module_register(&d), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_module_register(NULL), -EINVAL);
}

struct worker {
	struct go3s_wg gate, started;
	atomic_t finished;
	unsigned int sleep_ms;
};

static void worker_body(void *arg)
{
	struct worker *w = arg;

	go3s_alloc(1000);
	go3s_wg_done(&w->started);
	go3s_wg_wait(&w->gate);
	go3s_sleep((u64)w->sleep_ms * NSEC_PER_MSEC);
	atomic_inc(&w->finished);
}

/* @buf: a page, allocated before the case spawns anything. */
static char *show_modules(char *buf)
{
	struct seq_file m = { .buf = buf, .size = PAGE_SIZE - 1 };

	go3s_modules_show(&m, NULL);
	buf[m.count] = '\0';
	return buf;
}

static void modules_file_and_draining_unregister(struct kunit *test)
{
	struct go3s_module_desc d = GO3S_MODULE_DESC("go3s-test-mod");
	struct worker *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	char *text = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	char want[80];
	int i, ret;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, text);
	KUNIT_ASSERT_EQ(test, go3s_module_register(&d), 0);
	go3s_wg_init(&w->gate);
	go3s_wg_init(&w->started);
	go3s_wg_add(&w->gate, 1);
	w->sleep_ms = 50;
	for (i = 0; i < 3; i++) {
		/*
		 * No ASSERT from here to the unregister: @d lives on this
		 * stack, and the goroutines wait for the gate.
		 */
		go3s_wg_add(&w->started, 1);
		ret = go3s_go(worker_body, w);
		if (ret) {
			go3s_wg_done(&w->started);
			KUNIT_FAIL(test, "go3s_go(): %d", ret);
			break;
		}
	}
	KUNIT_EXPECT_EQ(test, go3s_wg_wait(&w->started), 0);
	if (i == 3) {
		/* 3 goroutines, each with 1000 B rounded up to 1008 B of arena. */
		snprintf(want, sizeof(want), "go3s-test-mod %u.%u 3 3024\n",
			 GO3S_ABI_MAJOR, GO3S_ABI_MINOR);
		show_modules(text);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, want), "%s", text);
	}

	go3s_wg_done(&w->gate);
	/* Returns only once the goroutines have ended. */
	KUNIT_EXPECT_EQ(test, go3s_module_unregister(&d), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&w->finished), i);
	KUNIT_EXPECT_NULL(test, strstr(show_modules(text), "go3s-test-mod"));
}

static struct kunit_case go3s_registry_cases[] = {
	KUNIT_CASE(abi_versions_are_checked),
	KUNIT_CASE(modules_file_and_draining_unregister),
	{}
};

static struct kunit_suite go3s_registry_suite = {
	.name = "go3s_registry",
	.test_cases = go3s_registry_cases,
};

kunit_test_suite(go3s_registry_suite);

GO3S_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_registry: the Go3s module registry");
MODULE_VERSION("0.1.0");
