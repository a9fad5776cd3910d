/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Goroutines and the life of the module that owns them: see owner.c.
 */
#ifndef _GO3S_OWNER_H
#define _GO3S_OWNER_H

#include <linux/types.h>

#include "g.h"

struct module;

/*
 * A parked goroutine whose module was freed under it: it is never made
 * runnable again (go3s_unpark() only wakes PARKING and PARKED goroutines)
 * and its G and stack are kept. Outside enum go3s_g_state on purpose: no
 * other code has to handle it.
 */
#define GO3S_G_ABANDONED	(GO3S_G_NR_STATES + 1)

void go3s_owner_spawned(struct module *owner);
void go3s_owner_exited(struct module *owner);
const char *go3s_owner_abandoned_by(struct go3s_g *g);
void go3s_owner_drain(void);
int go3s_owner_init(void);
void go3s_owner_exit(void);

#endif /* _GO3S_OWNER_H */
