/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HAL: bounds-checked MMIO over a PCI BAR, MSR reads through an
 * allowlist, and interrupts turned into goroutines.
 *
 * MMIO accessors refuse an offset whose access would leave the BAR
 * (-ERANGE) or is not naturally aligned (-EINVAL) instead of touching
 * memory they were not given. They may be called from any context.
 *
 * Kernel-doc: go3s_irq_bind() below; the other functions at their
 * definitions in go3s_rt/hal.c and arch/x86_64/msr.c (arch/arm64/msr.c on
 * arm64, arch/riscv64/csr.c on riscv64). Documentation/mid.rst renders
 * all of them (make docs).
 */
#ifndef _GO3S_HAL_H
#define _GO3S_HAL_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/types.h>

#include <go3s/go.h>

struct pci_dev;

/**
 * struct go3s_mmio - a mapped PCI BAR
 * @base: the mapping.
 * @len: the BAR's length in bytes.
 * @pdev: the device.
 * @bar: the BAR number.
 */
struct go3s_mmio {
	void __iomem *base;
	resource_size_t len;
	struct pci_dev *pdev;
	int bar;
};

int go3s_mmio_map(struct go3s_mmio *m, struct pci_dev *pdev, int bar);
void go3s_mmio_unmap(struct go3s_mmio *m);
int go3s_mmio_read8(struct go3s_mmio *m, u64 off, u8 *val);
int go3s_mmio_read16(struct go3s_mmio *m, u64 off, u16 *val);
int go3s_mmio_read32(struct go3s_mmio *m, u64 off, u32 *val);
int go3s_mmio_read64(struct go3s_mmio *m, u64 off, u64 *val);
int go3s_mmio_write8(struct go3s_mmio *m, u64 off, u8 val);
int go3s_mmio_write16(struct go3s_mmio *m, u64 off, u16 val);
int go3s_mmio_write32(struct go3s_mmio *m, u64 off, u32 val);
int go3s_mmio_write64(struct go3s_mmio *m, u64 off, u64 val);

int go3s_msr_read(u32 msr, u64 *val);

#ifdef CONFIG_ARM64
/*
 * On arm64 go3s_msr_read() takes a system register's SYS_<NAME> encoding
 * from <asm/sysreg.h>, which has no name for the virtual counter.
 */
#include <asm/sysreg.h>
#ifndef SYS_CNTVCT_EL0
#define SYS_CNTVCT_EL0		sys_reg(3, 3, 14, 0, 2)
#endif
#endif
#ifdef CONFIG_RISCV
/* On riscv64 go3s_msr_read() takes a CSR's number, CSR_<NAME>. */
#include <asm/csr.h>
#endif

/**
 * struct go3s_irq_binding - an interrupt that spawns a goroutine
 * @irq: the Linux IRQ number.
 * @ack: called first, in hard IRQ: return false if the interrupt is not
 *	the device's (shared line), true after acknowledging it.
 * @fn: the goroutine's body.
 * @arg: for @ack and @fn.
 * @spawned: goroutines spawned.
 * @fallback: interrupts that found the IRQ pool empty (no goroutine ran).
 * @owner: private: the module that bound it.
 * @site: private: where it was bound.
 */
struct go3s_irq_binding {
	unsigned int irq;
	bool (*ack)(void *arg);
	go3s_fn_t fn;
	void *arg;
	atomic_long_t spawned;
	atomic_long_t fallback;
	struct module *owner;
	unsigned long site;
};

int __go3s_irq_bind(struct go3s_irq_binding *b, unsigned long flags,
		    const char *name, struct module *owner, unsigned long site);
void go3s_irq_unbind(struct go3s_irq_binding *b);

/**
 * go3s_irq_bind - run a goroutine for every interrupt of @b->irq
 * @b: the binding, with @irq, @ack, @fn and @arg filled in.
 * @flags: request_irq() flags (IRQF_SHARED for a shared line).
 * @name: shown in /proc/interrupts.
 *
 * The handler acks the device through @b->ack, then spawns @b->fn(@b->arg)
 * with go3s_go_irq() (no allocation). When the pool is empty it counts
 * the interrupt in @b->fallback instead.
 * Context: process context; sleeps.
 * Return: 0, -EINVAL for a bad binding, or request_irq()'s error.
 */
#define go3s_irq_bind(b, flags, name) \
	__go3s_irq_bind(b, flags, name, THIS_MODULE, _THIS_IP_)

#endif /* _GO3S_HAL_H */
