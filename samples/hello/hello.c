// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest go3s_rt client: check the ABI, log what the runtime says.
 */
#include <linux/module.h>

#include <go3s/abi.h>

static int __init go3s_hello_init(void)
{
	u32 v = go3s_abi_version();
	int ret;

	ret = go3s_abi_check(GO3S_ABI_MAJOR, GO3S_ABI_MINOR);
	if (ret) {
		pr_err("built for ABI %u.%u, runtime has %u.%u: %d\n",
		       GO3S_ABI_MAJOR, GO3S_ABI_MINOR,
		       GO3S_ABI_VERSION_MAJOR(v), GO3S_ABI_VERSION_MINOR(v), ret);
		return ret;
	}
	pr_info("hello from a go3s client: runtime %s, ABI %u.%u\n",
		go3s_rt_version(), GO3S_ABI_VERSION_MAJOR(v),
		GO3S_ABI_VERSION_MINOR(v));
	return 0;
}

static void __exit go3s_hello_exit(void)
{
	pr_info("goodbye from a go3s client\n");
}

module_init(go3s_hello_init);
module_exit(go3s_hello_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample client: checks the ABI and greets the runtime");
MODULE_VERSION("0.1.0");
