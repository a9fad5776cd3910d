/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CSR HAL's counter reads (csr.c): CSRR encodes the register in the
 * instruction, so one reader per CSR. A read the hart or the firmware
 * forbids in S-mode traps as an illegal instruction; the exception table
 * sends it to the reader's fixup.
 */
#include <linux/errno.h>
#include <linux/linkage.h>
#include <asm/asm-extable.h>
#include <asm/csr.h>

/* int go3s_csr_read_<name>(u64 *val): 0 and the value, or -EIO and 0. */
.macro csr_reader name, csr
SYM_FUNC_START(go3s_csr_read_\name)
1:	csrr	a1, \csr
	sd	a1, 0(a0)
	li	a0, 0
	ret
2:	sd	zero, 0(a0)
	li	a0, -EIO
	ret
	_asm_extable	1b, 2b
SYM_FUNC_END(go3s_csr_read_\name)
.endm

	.text
	csr_reader time, CSR_TIME
	csr_reader cycle, CSR_CYCLE
	csr_reader instret, CSR_INSTRET
	csr_reader hpmcounter3, CSR_HPMCOUNTER3
