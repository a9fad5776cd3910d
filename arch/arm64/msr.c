// SPDX-License-Identifier: GPL-2.0
/*
 * HAL on arm64: the counterpart of x86's MSR reads is reading system
 * registers. go3s_msr_read() takes a register's encoding as <asm/sysreg.h>
 * spells it (SYS_MIDR_EL1, ...: sys_reg(op0, op1, CRn, CRm, op2), which
 * fits in 32 bits) and reads only those on the allowlist. MRS encodes the
 * register in the instruction, hence one case per register.
 */
#include <linux/errno.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

#include <go3s/compat.h>
#include <go3s/hal.h>

/**
 * go3s_msr_read - read a system register on this CPU (arm64)
 * @msr: the register's encoding, SYS_<NAME> from <asm/sysreg.h>; must be
 *	on the allowlist: MIDR_EL1, MPIDR_EL1, REVIDR_EL1, CTR_EL0,
 *	CNTFRQ_EL0, CNTVCT_EL0 (after an ISB, so not read early),
 *	ID_AA64PFR0_EL1, ID_AA64ISAR0_EL1, ID_AA64ISAR1_EL1 and
 *	ID_AA64MMFR0_EL1. All of them are readable at EL1 on every arm64 CPU.
 * @val: the value read.
 *
 * The errno contract is x86's; -EIO (a faulting read there) does not
 * occur, as no register on the allowlist traps at EL1.
 * Context: any context (it reads the current CPU's register).
 * Return: 0, -EPERM if @msr is not allowed, -EINVAL for a NULL @val.
 */
int go3s_msr_read(u32 msr, u64 *val)
{
	if (!val)
		return -EINVAL;
	switch (msr) {
	case SYS_MIDR_EL1:
		*val = read_sysreg_s(SYS_MIDR_EL1);
		break;
	case SYS_MPIDR_EL1:
		*val = read_sysreg_s(SYS_MPIDR_EL1);
		break;
	case SYS_REVIDR_EL1:
		*val = read_sysreg_s(SYS_REVIDR_EL1);
		break;
	case SYS_CTR_EL0:
		*val = read_sysreg_s(SYS_CTR_EL0);
		break;
	case SYS_CNTFRQ_EL0:
		*val = read_sysreg_s(SYS_CNTFRQ_EL0);
		break;
	case SYS_CNTVCT_EL0:
		isb();
		*val = read_sysreg(cntvct_el0);
		break;
	case SYS_ID_AA64PFR0_EL1:
		*val = read_sysreg_s(SYS_ID_AA64PFR0_EL1);
		break;
	case SYS_ID_AA64ISAR0_EL1:
		*val = read_sysreg_s(SYS_ID_AA64ISAR0_EL1);
		break;
	case SYS_ID_AA64ISAR1_EL1:
		*val = read_sysreg_s(SYS_ID_AA64ISAR1_EL1);
		break;
	case SYS_ID_AA64MMFR0_EL1:
		*val = read_sysreg_s(SYS_ID_AA64MMFR0_EL1);
		break;
	default:
		return -EPERM;
	}
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_msr_read);
