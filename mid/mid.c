// SPDX-License-Identifier: GPL-2.0
/*
 * MID: an IOMMU paging domain per PCI device, holding only the windows the
 * owner maps. The model and its limits are in Documentation/mid.rst.
 *
 * Setting up: the group must hold this device alone (a shared group would
 * share the domain); DMA ownership is claimed with the MID as owner token,
 * which fails while a driver uses the DMA API on the device; then a
 * paging domain from iommu_paging_domain_alloc() is attached in place of
 * the default one. Destroying does the reverse, and the device is back on
 * its default domain.
 *
 * Locking: mids_lock protects the list of MIDs; mid->lock the windows;
 * mid->fault_lock the fault record. The handler runs in IRQ context, hard
 * IRQ even on PREEMPT_RT for drivers whose fault interrupt is not threaded,
 * so fault_lock is a raw spinlock and nothing under it sleeps on RT.
 *
 * The owner's fault callback runs without fault_lock (it may call
 * go3s_mid_faults()), so the handler counts itself in ->in_callback and
 * go3s_mid_destroy() waits for that count to drop to zero before it frees
 * anything: once it returns, the callback is neither running nor called
 * again, and the owner may free the callback's argument or unload. The
 * last callback to end completes ->idle (complete() takes raw locks only;
 * a wait queue's spinlock_t would sleep in hard IRQ on RT).
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <go3s/compat.h>
#include <go3s/mid.h>

#include "debugfs.h"
#include "kcompat.h"
#include "mid.h"

struct mid_window {
	struct list_head node;
	u64 iova;
	size_t size;
	phys_addr_t phys;
	unsigned int perm;
};

struct go3s_mid {
	struct pci_dev *pdev;
	struct iommu_domain *domain;
	unsigned int caps;
	struct mutex lock;		/* protects windows */
	struct list_head windows;
	raw_spinlock_t fault_lock;	/* protects the fields below */
	u64 nr_faults;
	struct go3s_mid_fault last;
	void (*on_fault)(void *arg);
	void *on_fault_arg;
	unsigned int in_callback;	/* handlers calling on_fault */
	struct completion *idle;	/* destroy waits for in_callback == 0 */
	u64 msi_start, msi_end;		/* the MSI cookie's IOVAs, if any */
	struct dentry *file;
	struct list_head node;		/* mids, under mids_lock */
};

static LIST_HEAD(mids);
static DEFINE_MUTEX(mids_lock);
static struct dentry *mid_dir;

static int count_dev(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * Where the IOMMU translates MSI writes too (arm64's SMMUv3: a
 * software-managed MSI region, IOMMU_RESV_SW_MSI), the interrupt
 * controller's doorbell must be mapped in the device's domain, or every
 * MSI faults. As VFIO does, the MID's domain gets an MSI cookie at the
 * region's base: the MSI layer then maps the doorbell there when the
 * driver allocates its vectors with the MID in place. Windows may not
 * overlap the region. x86's IOMMUs have a plain MSI region: no cookie.
 */
static int mid_msi_cookie(struct go3s_mid *mid, struct device *dev)
{
	struct iommu_resv_region *r, *next;
	struct iommu_group *group;
	LIST_HEAD(resv);
	int ret;

	/*
	 * The group's list, not the device's: iommu_get_resv_regions() is
	 * not exported before 6.2, iommu_get_group_resv_regions() is, and
	 * its entries are copies the caller frees with kfree().
	 */
	group = iommu_group_get(dev);
	if (!group)
		return -ENODEV;
	ret = iommu_get_group_resv_regions(group, &resv);
	iommu_group_put(group);
	if (ret)
		goto out;
	list_for_each_entry(r, &resv, list) {
		if (r->type != IOMMU_RESV_SW_MSI || !r->length)
			continue;
		/*
		 * Behind this IOMMU (SMMUv3; virtio-iommu when its device
		 * reports no MSI bypass region) an MSI's doorbell
		 * is an IOVA mapped when the vector was allocated, in the
		 * domain attached then: vectors allocated before the MID
		 * would fault in its domain and never arrive.
		 */
		if (mid->pdev->msi_enabled || mid->pdev->msix_enabled) {
			pci_info(mid->pdev, "go3s: MSI vectors allocated before the MID would not reach the CPU: no MID\n");
			ret = -EBUSY;
			break;
		}
		ret = iommu_get_msi_cookie(mid->domain, r->start);
		if (!ret) {
			mid->msi_start = r->start;
			mid->msi_end = r->start + r->length - 1;
		}
		break;
	}
out:
	list_for_each_entry_safe(r, next, &resv, list)
		kfree(r);
	return ret;
}

/* The IOMMU driver reports a blocked access (only some drivers do). */
static int mid_fault(struct iommu_domain *domain, struct device *dev,
		     unsigned long iova, int flags, void *token)
{
	struct go3s_mid *mid = token;
	void (*fn)(void *arg);
	unsigned long irqflags;
	void *arg;

	raw_spin_lock_irqsave(&mid->fault_lock, irqflags);
	mid->nr_faults++;
	mid->last.iova = iova;
	mid->last.write = flags & IOMMU_FAULT_WRITE;
	mid->last.when = ktime_get();
	fn = mid->on_fault;
	arg = mid->on_fault_arg;
	if (fn)
		mid->in_callback++;
	raw_spin_unlock_irqrestore(&mid->fault_lock, irqflags);
	if (fn) {
		fn(arg);
		raw_spin_lock_irqsave(&mid->fault_lock, irqflags);
		if (!--mid->in_callback && mid->idle)
			complete(mid->idle);
		/* The last touch: go3s_mid_destroy() takes the lock after. */
		raw_spin_unlock_irqrestore(&mid->fault_lock, irqflags);
	}
	return -EOPNOTSUPP;	/* not handled: the IOMMU driver logs it too */
}

/* Wait until no fault callback runs; on_fault is NULL already. */
static void callbacks_wait(struct go3s_mid *mid)
{
	DECLARE_COMPLETION_ONSTACK(idle);
	unsigned long flags;
	bool busy;

	raw_spin_lock_irqsave(&mid->fault_lock, flags);
	busy = mid->in_callback;
	if (busy)
		mid->idle = &idle;
	raw_spin_unlock_irqrestore(&mid->fault_lock, flags);
	if (!busy)
		return;
	wait_for_completion(&idle);
	/* The handler that completed @idle still held the lock. */
	raw_spin_lock_irqsave(&mid->fault_lock, flags);
	mid->idle = NULL;
	raw_spin_unlock_irqrestore(&mid->fault_lock, flags);
}

static int mid_show(struct seq_file *m, void *unused)
{
	struct go3s_mid *mid = m->private;
	struct go3s_mid_fault last;
	struct mid_window *w;
	u64 n = go3s_mid_faults(mid, &last);

	seq_printf(m, "device: %s\n", pci_name(mid->pdev));
	seq_printf(m, "noexec: %s\n",
		   (mid->caps & GO3S_MID_CAP_NOEXEC) ? "enforced" : "not supported");
	seq_printf(m, "faults: %llu\n", n);
	if (n)
		seq_printf(m, "last_fault: iova %#llx %s, %lld ms ago\n", last.iova,
			   str_write_read(last.write),
			   ktime_ms_delta(ktime_get(), last.when));
	mutex_lock(&mid->lock);
	list_for_each_entry(w, &mid->windows, node)
		seq_printf(m, "window: iova %#llx size %#zx perm %c%c%c\n", w->iova,
			   w->size, (w->perm & GO3S_MID_READ) ? 'r' : '-',
			   (w->perm & GO3S_MID_WRITE) ? 'w' : '-',
			   (w->perm & GO3S_MID_NOEXEC) ? '-' : 'x');
	mutex_unlock(&mid->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mid);

/**
 * go3s_mid_create - isolate a PCI device in a domain of its own
 * @pdev: the device; its driver must not use the DMA API on it (set
 *	.driver_managed_dma), or it must have no driver.
 *
 * After this, the device can reach nothing until go3s_mid_map().
 * Allocate the device's MSI or MSI-X vectors after this call and free
 * them before go3s_mid_destroy(): behind an IOMMU that translates MSI
 * writes (a software MSI region: arm64's SMMUv3) a vector's doorbell is
 * mapped in the domain attached when it is allocated.
 * Context: process context; sleeps.
 * Return: the MID, or ERR_PTR: -EINVAL (NULL @pdev), -ENODEV (no IOMMU
 * translates for the device), -EBUSY (its IOMMU group has other devices,
 * it has a MID already, or it has MSI or MSI-X enabled behind an IOMMU
 * that translates MSI writes), -EPERM (a driver uses the DMA API on it),
 * -ENOMEM, or what the IOMMU driver returned.
 */
struct go3s_mid *go3s_mid_create(struct pci_dev *pdev)
{
	struct iommu_group *group;
	struct go3s_mid *mid, *m;
	unsigned int ndev = 0;
	int ret;

	if (!pdev)
		return ERR_PTR(-EINVAL);
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		pci_info(pdev, "go3s: no IOMMU translates for this device: no MID\n");
		return ERR_PTR(-ENODEV);
	}
	/*
	 * Only for a clear message and errno: a device can join the group
	 * between this count and the attach below. iommu_attach_device()
	 * counts again under the group's mutex and refuses (-EINVAL) a group
	 * of more than one device, and the ownership claim is atomic on the
	 * group, so the race changes the errno, never the isolation. A device
	 * joining after the attach is attached to the MID's domain by the
	 * IOMMU core, and no DMA API driver can bind it (the group is owned).
	 */
	iommu_group_for_each_dev(group, &ndev, count_dev);
	iommu_group_put(group);
	if (ndev != 1) {
		pci_info(pdev, "go3s: IOMMU group shared with %u other devices: no MID\n",
			 ndev - 1);
		return ERR_PTR(-EBUSY);
	}
	mid = kzalloc(sizeof(*mid), GFP_KERNEL);
	if (!mid)
		return ERR_PTR(-ENOMEM);
	mid->pdev = pdev;
	mutex_init(&mid->lock);
	INIT_LIST_HEAD(&mid->windows);
	raw_spin_lock_init(&mid->fault_lock);

	mutex_lock(&mids_lock);
	list_for_each_entry(m, &mids, node) {
		if (m->pdev == pdev) {
			pci_info(pdev, "go3s: device has a MID already\n");
			ret = -EBUSY;
			goto err_unlock;
		}
	}
	ret = go3s_iommu_claim_dma_owner(&pdev->dev, mid);
	if (ret) {
		pci_info(pdev, "go3s: cannot take DMA ownership (%d): is a DMA API driver bound?\n",
			 ret);
		goto err_unlock;
	}
	mid->domain = go3s_iommu_domain_alloc(&pdev->dev);
	if (IS_ERR(mid->domain)) {
		ret = PTR_ERR(mid->domain);
		goto err_owner;
	}
	iommu_set_fault_handler(mid->domain, mid_fault, mid);
	ret = mid_msi_cookie(mid, &pdev->dev);
	if (ret)
		goto err_domain;
	ret = iommu_attach_device(mid->domain, &pdev->dev);
	if (ret)
		goto err_domain;
	if (device_iommu_capable(&pdev->dev, IOMMU_CAP_NOEXEC))
		mid->caps |= GO3S_MID_CAP_NOEXEC;
	pci_dev_get(pdev);
	list_add(&mid->node, &mids);
	mid->file = debugfs_create_file(pci_name(pdev), 0444, mid_dir, mid,
					&mid_fops);
	mutex_unlock(&mids_lock);
	return mid;

err_domain:
	iommu_domain_free(mid->domain);
err_owner:
	go3s_iommu_release_dma_owner(&pdev->dev);
err_unlock:
	mutex_unlock(&mids_lock);
	kfree(mid);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GO3S(go3s_mid_create);

/**
 * go3s_mid_destroy - unmap everything and give the device back its domain
 * @mid: the MID, or NULL.
 *
 * The device must be quiet (no DMA in flight), and its MSI or MSI-X
 * vectors freed (go3s_mid_create()): afterwards it uses its default DMA
 * domain again. Waits for a fault callback (go3s_mid_on_fault())
 * that is running: once this returns, the callback is not running and is
 * never called again for this MID. So the callback must not call this on
 * its own MID.
 * Context: process context; sleeps.
 */
void go3s_mid_destroy(struct go3s_mid *mid)
{
	struct mid_window *w, *tmp;

	if (!mid)
		return;
	go3s_mid_on_fault(mid, NULL, NULL);
	mutex_lock(&mids_lock);
	list_del(&mid->node);
	debugfs_remove(mid->file);
	mutex_unlock(&mids_lock);
	iommu_detach_device(mid->domain, &mid->pdev->dev);
	/*
	 * No new fault is reported against the domain once the device has
	 * left it. A handler reporting from hard IRQ context is an RCU
	 * reader: wait for those, then for callbacks (from threaded IRQ
	 * handlers too) that took fault_lock before on_fault was cleared.
	 */
	synchronize_rcu();
	callbacks_wait(mid);
	go3s_iommu_release_dma_owner(&mid->pdev->dev);
	iommu_domain_free(mid->domain);
	list_for_each_entry_safe(w, tmp, &mid->windows, node)
		kfree(w);
	pci_dev_put(mid->pdev);
	kfree(mid);
}
EXPORT_SYMBOL_GO3S(go3s_mid_destroy);

/**
 * go3s_mid_map - let the device reach a buffer at an IOVA
 * @mid: the MID.
 * @iova: device address, page aligned, inside the domain's aperture.
 * @buf: the buffer: page aligned, in the kernel's linear map (kmalloc,
 *	alloc_pages), not vmalloc.
 * @size: bytes, a multiple of PAGE_SIZE.
 * @perm: GO3S_MID_READ and/or GO3S_MID_WRITE, optionally GO3S_MID_NOEXEC.
 *
 * Context: process context; sleeps.
 * Return: 0; -EINVAL (alignment, size, buffer or permission bits);
 * -ERANGE (outside the aperture); -EEXIST (overlaps a window, or the
 * MSI region where the IOMMU translates MSIs: arm64's SMMUv3);
 * -EOPNOTSUPP (NOEXEC where the IOMMU cannot enforce it); -ENOMEM.
 */
int go3s_mid_map(struct go3s_mid *mid, u64 iova, void *buf, size_t size,
		 unsigned int perm)
{
	struct iommu_domain_geometry *geo;
	struct mid_window *w, *new;
	int prot = 0, ret;

	if (!mid || !buf || !size || !PAGE_ALIGNED(iova) || !PAGE_ALIGNED(size) ||
	    !PAGE_ALIGNED(buf) || !(perm & GO3S_MID_RW) ||
	    (perm & ~(GO3S_MID_RW | GO3S_MID_NOEXEC)))
		return -EINVAL;
	if (!virt_addr_valid(buf) || !virt_addr_valid(buf + size - 1))
		return -EINVAL;
	if ((perm & GO3S_MID_NOEXEC) && !(mid->caps & GO3S_MID_CAP_NOEXEC))
		return -EOPNOTSUPP;
	geo = &mid->domain->geometry;
	if (iova + size < iova || iova < geo->aperture_start ||
	    iova + size - 1 > geo->aperture_end)
		return -ERANGE;
	if (mid->msi_end && iova <= mid->msi_end && iova + size - 1 >= mid->msi_start)
		return -EEXIST;
	if (perm & GO3S_MID_READ)
		prot |= IOMMU_READ;
	if (perm & GO3S_MID_WRITE)
		prot |= IOMMU_WRITE;
	if (perm & GO3S_MID_NOEXEC)
		prot |= IOMMU_NOEXEC;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->iova = iova;
	new->size = size;
	new->phys = virt_to_phys(buf);
	new->perm = perm;

	mutex_lock(&mid->lock);
	list_for_each_entry(w, &mid->windows, node) {
		if (iova < w->iova + w->size && w->iova < iova + size) {
			ret = -EEXIST;
			goto err;
		}
	}
	ret = go3s_iommu_map(mid->domain, iova, new->phys, size, prot);
	if (ret)
		goto err;
	list_add(&new->node, &mid->windows);
	mutex_unlock(&mid->lock);
	return 0;
err:
	mutex_unlock(&mid->lock);
	kfree(new);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mid_map);

/**
 * go3s_mid_unmap - remove a window
 * @mid: the MID.
 * @iova: the window's start, as mapped.
 * @size: the window's size, as mapped.
 *
 * When this returns, the IOTLB no longer holds the window.
 * Context: process context; sleeps.
 * Return: 0, -ENOENT if no window matches exactly, -EINVAL, -EIO if the
 * IOMMU unmapped less than the window.
 */
int go3s_mid_unmap(struct go3s_mid *mid, u64 iova, size_t size)
{
	struct mid_window *w;
	int ret = -ENOENT;

	if (!mid)
		return -EINVAL;
	mutex_lock(&mid->lock);
	list_for_each_entry(w, &mid->windows, node) {
		if (w->iova == iova && w->size == size) {
			ret = iommu_unmap(mid->domain, iova, size) == size ? 0 : -EIO;
			list_del(&w->node);
			kfree(w);
			break;
		}
	}
	mutex_unlock(&mid->lock);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mid_unmap);

/**
 * go3s_mid_query - what the device reaches at an IOVA
 * @mid: the MID.
 * @iova: the device address.
 * @phys: if not NULL, the physical address the IOMMU's page table gives.
 * @perm: if not NULL, the window's permissions.
 *
 * Context: process context; sleeps.
 * Return: 0, -ENOENT outside every window, -EINVAL.
 */
int go3s_mid_query(struct go3s_mid *mid, u64 iova, phys_addr_t *phys,
		   unsigned int *perm)
{
	struct mid_window *w;
	int ret = -ENOENT;

	if (!mid)
		return -EINVAL;
	mutex_lock(&mid->lock);
	list_for_each_entry(w, &mid->windows, node) {
		if (iova >= w->iova && iova - w->iova < w->size) {
			if (phys)
				*phys = iommu_iova_to_phys(mid->domain, iova);
			if (perm)
				*perm = w->perm;
			ret = 0;
			break;
		}
	}
	mutex_unlock(&mid->lock);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_mid_query);

/**
 * go3s_mid_caps - what the device's IOMMU enforces
 * @mid: the MID.
 *
 * Context: any context.
 * Return: GO3S_MID_CAP_* bits.
 */
unsigned int go3s_mid_caps(struct go3s_mid *mid)
{
	return mid ? mid->caps : 0;
}
EXPORT_SYMBOL_GO3S(go3s_mid_caps);

/**
 * go3s_mid_faults - faults the IOMMU driver reported for this MID
 * @mid: the MID.
 * @last: if not NULL, the last one (zeroed if none).
 *
 * Only some IOMMU drivers report faults to domain handlers (see
 * Documentation/mid.rst); the others block the access and log it.
 * Context: any context except NMI.
 * Return: the number of faults reported.
 */
u64 go3s_mid_faults(struct go3s_mid *mid, struct go3s_mid_fault *last)
{
	unsigned long flags;
	u64 n;

	if (!mid)
		return 0;
	raw_spin_lock_irqsave(&mid->fault_lock, flags);
	n = mid->nr_faults;
	if (last)
		*last = mid->last;
	raw_spin_unlock_irqrestore(&mid->fault_lock, flags);
	return n;
}
EXPORT_SYMBOL_GO3S(go3s_mid_faults);

/**
 * go3s_mid_on_fault - call @fn on every reported fault
 * @mid: the MID.
 * @fn: called from the IOMMU's fault context (often hard IRQ), e.g. to
 *	spawn a goroutine with go3s_go_irq(); NULL to stop.
 * @arg: passed to @fn.
 *
 * A call already running when this replaces @fn may still finish after
 * it returns; go3s_mid_destroy() waits for it.
 * Context: any context except NMI.
 * Return: 0, or -EINVAL.
 */
int go3s_mid_on_fault(struct go3s_mid *mid, void (*fn)(void *arg), void *arg)
{
	unsigned long flags;

	if (!mid)
		return -EINVAL;
	raw_spin_lock_irqsave(&mid->fault_lock, flags);
	mid->on_fault = fn;
	mid->on_fault_arg = arg;
	raw_spin_unlock_irqrestore(&mid->fault_lock, flags);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_mid_on_fault);

void go3s_mid_init(void)
{
	mid_dir = debugfs_create_dir("mid", go3s_debugfs_root());
}
