// SPDX-License-Identifier: GPL-2.0
/*
 * HAL on UML: a user-mode kernel has no model-specific registers.
 */
#include <linux/errno.h>

#include <go3s/compat.h>
#include <go3s/hal.h>

/**
 * go3s_msr_read - model-specific registers do not exist on UML
 * @msr: the register.
 * @val: unused.
 *
 * Context: any context.
 * Return: -EOPNOTSUPP.
 */
int go3s_msr_read(u32 msr, u64 *val)
{
	return -EOPNOTSUPP;
}
EXPORT_SYMBOL_GO3S(go3s_msr_read);
