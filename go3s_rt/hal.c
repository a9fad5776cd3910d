// SPDX-License-Identifier: GPL-2.0
/*
 * HAL, the parts common to every architecture: MMIO regions over PCI BARs
 * with bounds checks, and interrupts bound to goroutines. MSRs are in
 * arch/<arch>/msr.c.
 */
#include <linux/io.h>
#include <linux/pci.h>

#include <go3s/compat.h>
#include <go3s/hal.h>

/**
 * go3s_mmio_map - map a memory BAR of a PCI device
 * @m: the region to fill.
 * @pdev: the device, enabled.
 * @bar: the BAR number (0-5), a memory BAR.
 *
 * Context: process context; sleeps.
 * Return: 0, -EINVAL (bad arguments, an I/O or empty BAR), -ENOMEM,
 * -ENODEV in a kernel without PCI.
 */
int go3s_mmio_map(struct go3s_mmio *m, struct pci_dev *pdev, int bar)
{
	if (!m || !pdev || bar < 0 || bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	if (!IS_ENABLED(CONFIG_PCI))
		return -ENODEV;
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, bar))
		return -EINVAL;
#ifdef CONFIG_PCI
	m->base = pci_iomap(pdev, bar, 0);
#endif
	if (!m->base)
		return -ENOMEM;
	m->len = pci_resource_len(pdev, bar);
	m->pdev = pdev;
	m->bar = bar;
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_map);

/**
 * go3s_mmio_unmap - unmap a region
 * @m: the region, or one go3s_mmio_map() failed on (nothing happens).
 *
 * Context: process context.
 */
void go3s_mmio_unmap(struct go3s_mmio *m)
{
	if (!m || !m->base)
		return;
#ifdef CONFIG_PCI
	pci_iounmap(m->pdev, m->base);
#endif
	m->base = NULL;
	m->len = 0;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_unmap);

static int mmio_check(struct go3s_mmio *m, u64 off, unsigned int width,
		      const void *val)
{
	if (!m || !m->base || !val)
		return -EINVAL;
	if (off >= m->len || m->len - off < width)
		return -ERANGE;
	if (!IS_ALIGNED(off, width))
		return -EINVAL;
	return 0;
}

/**
 * go3s_mmio_read8 - read 8 bits from a region
 * @m: the region.
 * @off: byte offset, a multiple of 1.
 * @val: the value read.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned,
 * unmapped or @val is NULL.
 */
int go3s_mmio_read8(struct go3s_mmio *m, u64 off, u8 *val)
{
	int ret = mmio_check(m, off, sizeof(*val), val);

	if (!ret)
		*val = readb(m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_read8);

/**
 * go3s_mmio_write8 - write 8 bits to a region
 * @m: the region.
 * @off: byte offset, a multiple of 1.
 * @val: the value.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned or
 * unmapped.
 */
int go3s_mmio_write8(struct go3s_mmio *m, u64 off, u8 val)
{
	int ret = mmio_check(m, off, sizeof(val), &val);

	if (!ret)
		writeb(val, m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_write8);

/**
 * go3s_mmio_read16 - read 16 bits from a region
 * @m: the region.
 * @off: byte offset, a multiple of 2.
 * @val: the value read.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned,
 * unmapped or @val is NULL.
 */
int go3s_mmio_read16(struct go3s_mmio *m, u64 off, u16 *val)
{
	int ret = mmio_check(m, off, sizeof(*val), val);

	if (!ret)
		*val = readw(m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_read16);

/**
 * go3s_mmio_write16 - write 16 bits to a region
 * @m: the region.
 * @off: byte offset, a multiple of 2.
 * @val: the value.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned or
 * unmapped.
 */
int go3s_mmio_write16(struct go3s_mmio *m, u64 off, u16 val)
{
	int ret = mmio_check(m, off, sizeof(val), &val);

	if (!ret)
		writew(val, m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_write16);

/**
 * go3s_mmio_read32 - read 32 bits from a region
 * @m: the region.
 * @off: byte offset, a multiple of 4.
 * @val: the value read.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned,
 * unmapped or @val is NULL.
 */
int go3s_mmio_read32(struct go3s_mmio *m, u64 off, u32 *val)
{
	int ret = mmio_check(m, off, sizeof(*val), val);

	if (!ret)
		*val = readl(m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_read32);

/**
 * go3s_mmio_write32 - write 32 bits to a region
 * @m: the region.
 * @off: byte offset, a multiple of 4.
 * @val: the value.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned or
 * unmapped.
 */
int go3s_mmio_write32(struct go3s_mmio *m, u64 off, u32 val)
{
	int ret = mmio_check(m, off, sizeof(val), &val);

	if (!ret)
		writel(val, m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_write32);

/**
 * go3s_mmio_read64 - read 64 bits from a region
 * @m: the region.
 * @off: byte offset, a multiple of 8.
 * @val: the value read.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned,
 * unmapped or @val is NULL.
 */
int go3s_mmio_read64(struct go3s_mmio *m, u64 off, u64 *val)
{
	int ret = mmio_check(m, off, sizeof(*val), val);

	if (!ret)
		*val = readq(m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_read64);

/**
 * go3s_mmio_write64 - write 64 bits to a region
 * @m: the region.
 * @off: byte offset, a multiple of 8.
 * @val: the value.
 *
 * Context: any context.
 * Return: 0, -ERANGE if the access leaves the BAR, -EINVAL if unaligned or
 * unmapped.
 */
int go3s_mmio_write64(struct go3s_mmio *m, u64 off, u64 val)
{
	int ret = mmio_check(m, off, sizeof(val), &val);

	if (!ret)
		writeq(val, m->base + off);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mmio_write64);

static irqreturn_t bound_irq(int irq, void *data)
{
	struct go3s_irq_binding *b = data;

	if (b->ack && !b->ack(b->arg))
		return IRQ_NONE;
	if (__go3s_go_irq(b->fn, b->arg, b->owner, b->site))
		atomic_long_inc(&b->fallback);
	else
		atomic_long_inc(&b->spawned);
	return IRQ_HANDLED;
}

/* See go3s_irq_bind() in <go3s/hal.h> for the kernel-doc. */
int __go3s_irq_bind(struct go3s_irq_binding *b, unsigned long flags,
		    const char *name, struct module *owner, unsigned long site)
{
	if (!b || !b->fn || !name)
		return -EINVAL;
	b->owner = owner;
	b->site = site;
	atomic_long_set(&b->spawned, 0);
	atomic_long_set(&b->fallback, 0);
	return request_irq(b->irq, bound_irq, flags, name, b);
}
EXPORT_SYMBOL_GO3S(__go3s_irq_bind);

/**
 * go3s_irq_unbind - stop spawning goroutines for an interrupt
 * @b: a bound binding.
 *
 * Goroutines already spawned keep running.
 * Context: process context; sleeps (waits for a running handler).
 */
void go3s_irq_unbind(struct go3s_irq_binding *b)
{
	if (b)
		free_irq(b->irq, b);
}
EXPORT_SYMBOL_GO3S(go3s_irq_unbind);
