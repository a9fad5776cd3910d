/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CSR HAL's counter readers (csr_read.S): 0 and the value, or -EIO
 * and 0 if the read trapped.
 */
#ifndef _GO3S_RISCV64_CSR_READ_H
#define _GO3S_RISCV64_CSR_READ_H

#include <linux/types.h>

int go3s_csr_read_time(u64 *val);
int go3s_csr_read_cycle(u64 *val);
int go3s_csr_read_instret(u64 *val);
int go3s_csr_read_hpmcounter3(u64 *val);

#endif /* _GO3S_RISCV64_CSR_READ_H */
