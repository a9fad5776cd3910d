// SPDX-License-Identifier: GPL-2.0
/*
 * HAL on x86_64: reading model-specific registers. Only registers on the
 * allowlist can be read, through rdmsr_safe (a #GP becomes an error).
 */
#include <asm/msr.h>
#include <asm/msr-index.h>

#include <go3s/compat.h>
#include <go3s/hal.h>

static const u32 msr_allowed[] = {
	MSR_IA32_APICBASE,	/* 0x1b */
	MSR_IA32_TSC,		/* 0x10 */
	MSR_IA32_MISC_ENABLE,	/* 0x1a0 */
	0xfe,			/* IA32_MTRRCAP */
};

/**
 * go3s_msr_read - read a model-specific register on this CPU
 * @msr: the register; must be on the allowlist (APIC base, TSC, misc
 *	enable, MTRR capabilities).
 * @val: the value read.
 *
 * Context: any context (it reads the current CPU's register).
 * Return: 0, -EPERM if @msr is not allowed, -EIO if the read faulted,
 * -EINVAL for a NULL @val.
 */
int go3s_msr_read(u32 msr, u64 *val)
{
	unsigned int i;

	if (!val)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(msr_allowed); i++)
		if (msr_allowed[i] == msr)
			return rdmsrl_safe(msr, val) ? -EIO : 0;
	return -EPERM;
}
EXPORT_SYMBOL_GO3S(go3s_msr_read);
