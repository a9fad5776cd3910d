// SPDX-License-Identifier: GPL-2.0
/*
 * HAL on riscv64: the counterpart of x86's MSR reads is reading control
 * and status registers. go3s_msr_read() takes a CSR's number as
 * <asm/csr.h> spells it (CSR_TIME, ...) and reads only those on the
 * allowlist. CSRR encodes the register in the instruction, hence one case
 * per register.
 *
 * The counters (time, cycle, instret, hpmcounter3) are read with CSRR,
 * under an exception table entry (csr_read.S): whether S-mode may read them is the
 * firmware's choice (mcounteren; for hpmcounter3, whether perf started it
 * through SBI) and the hart's (which counters it has), and a read either
 * forbids traps as an illegal instruction, which the fixup turns into
 * -EIO, as a faulting RDMSR is on x86. The machine-level identification
 * registers (mvendorid, marchid, mimpid) cannot be read from S-mode at
 * all: they come from the kernel's copies of what the SBI firmware
 * reported for this CPU.
 */
#include <linux/errno.h>
#include <linux/smp.h>
#include <asm/csr.h>
#include <asm/sbi.h>

#include <go3s/compat.h>
#include <go3s/hal.h>

#include "csr_read.h"

/**
 * go3s_msr_read - read a control and status register on this CPU (riscv64)
 * @msr: the register's number, CSR_<NAME> from <asm/csr.h>; must be on
 *	the allowlist: CSR_TIME, CSR_CYCLE, CSR_INSTRET and CSR_HPMCOUNTER3
 *	(the unprivileged counters, read with CSRR), CSR_MVENDORID,
 *	CSR_MARCHID and CSR_MIMPID (machine-level: the values the SBI
 *	firmware reported for this CPU at boot, as S-mode cannot read them).
 * @val: the value read.
 *
 * The errno contract is x86's: a counter the firmware does not let S-mode
 * read (mcounteren) traps, and that is -EIO; @val is then 0.
 * Context: any context (it reads the current CPU's register).
 * Return: 0, -EPERM if @msr is not allowed, -EIO if the read trapped,
 * -EINVAL for a NULL @val.
 */
int go3s_msr_read(u32 msr, u64 *val)
{
	if (!val)
		return -EINVAL;
	switch (msr) {
	case CSR_TIME:
		return go3s_csr_read_time(val);
	case CSR_CYCLE:
		return go3s_csr_read_cycle(val);
	case CSR_INSTRET:
		return go3s_csr_read_instret(val);
	case CSR_HPMCOUNTER3:
		return go3s_csr_read_hpmcounter3(val);
	case CSR_MVENDORID:
		*val = riscv_cached_mvendorid(raw_smp_processor_id());
		return 0;
	case CSR_MARCHID:
		*val = riscv_cached_marchid(raw_smp_processor_id());
		return 0;
	case CSR_MIMPID:
		*val = riscv_cached_mimpid(raw_smp_processor_id());
		return 0;
	default:
		return -EPERM;
	}
}
EXPORT_SYMBOL_GO3S(go3s_msr_read);
