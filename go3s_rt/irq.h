/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GO3S_IRQ_H
#define _GO3S_IRQ_H

struct go3s_g;

struct go3s_g *go3s_irq_pool_get(void);
void go3s_irq_pool_refill(void);
unsigned int go3s_irq_pool_level(unsigned int cpu);
unsigned int go3s_irq_pool_size(void);
int go3s_irq_init(void);
void go3s_irq_exit(void);

#endif /* _GO3S_IRQ_H */
