/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MID: memory isolation domains. A MID gives one PCI device an IOMMU
 * paging domain of its own in which only the windows mapped here exist,
 * with the permissions given; any other DMA from the device is blocked by
 * the IOMMU. Without an IOMMU the API says so (-ENODEV): isolation is
 * never faked.
 *
 * A driver that uses a MID does not use the DMA API for that device: it
 * sets .driver_managed_dma in its struct pci_driver, so the kernel's
 * default DMA domain is not attached while the MID exists. It allocates
 * the device's MSI vectors after go3s_mid_create() and frees them before
 * go3s_mid_destroy(): behind an IOMMU that translates MSI writes (arm64's
 * SMMUv3) a doorbell is mapped in the domain of its allocation.
 *
 * Granularity: IOVAs, buffers and sizes are multiples of PAGE_SIZE; the
 * API refuses anything else (-EINVAL) rather than rounding silently.
 *
 * Context: go3s_mid_create(), go3s_mid_destroy(), go3s_mid_map(),
 * go3s_mid_unmap() and go3s_mid_query() take mutexes and sleep: process
 * context only. go3s_mid_caps() may be called from any context,
 * go3s_mid_faults() and go3s_mid_on_fault() from any context but NMI.
 *
 * Kernel-doc for every function (context, each return value): mid/mid.c,
 * rendered with Documentation/mid.rst by make docs.
 */
#ifndef _GO3S_MID_H
#define _GO3S_MID_H

#include <linux/ktime.h>
#include <linux/types.h>

struct go3s_mid;
struct pci_dev;

/* Permissions, from the device's side. */
#define GO3S_MID_READ		0x1	/* the device may read the window */
#define GO3S_MID_WRITE		0x2	/* the device may write it */
/* ...and may not execute from it, where the IOMMU enforces that. */
#define GO3S_MID_NOEXEC		0x4
#define GO3S_MID_RW		(GO3S_MID_READ | GO3S_MID_WRITE)

/* go3s_mid_caps() */
#define GO3S_MID_CAP_NOEXEC	0x1	/* GO3S_MID_NOEXEC is enforced */

/**
 * struct go3s_mid_fault - one fault the IOMMU driver reported
 * @iova: the faulting address.
 * @write: true for a write by the device.
 * @when: ktime_get() when the handler ran.
 */
struct go3s_mid_fault {
	u64 iova;
	bool write;
	ktime_t when;
};

struct go3s_mid *go3s_mid_create(struct pci_dev *pdev);
void go3s_mid_destroy(struct go3s_mid *mid);
int go3s_mid_map(struct go3s_mid *mid, u64 iova, void *buf, size_t size,
		 unsigned int perm);
int go3s_mid_unmap(struct go3s_mid *mid, u64 iova, size_t size);
int go3s_mid_query(struct go3s_mid *mid, u64 iova, phys_addr_t *phys,
		   unsigned int *perm);
unsigned int go3s_mid_caps(struct go3s_mid *mid);
u64 go3s_mid_faults(struct go3s_mid *mid, struct go3s_mid_fault *last);
int go3s_mid_on_fault(struct go3s_mid *mid, void (*fn)(void *arg), void *arg);

#endif /* _GO3S_MID_H */
