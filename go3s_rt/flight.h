/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_FLIGHT_H
#define _GO3S_FLIGHT_H

void go3s_flight_init(void);
void go3s_flight_exit(void);

#endif /* _GO3S_FLIGHT_H */
