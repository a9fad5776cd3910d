/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_MID_INT_H
#define _GO3S_MID_INT_H

void go3s_mid_init(void);

#endif /* _GO3S_MID_INT_H */
