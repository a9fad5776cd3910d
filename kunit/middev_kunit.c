// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_middev: MIDs against real DMA, from QEMU's edu device
 * (1234:11e8), under whichever IOMMU the VM has (intel-iommu, amd-iommu,
 * virtio-iommu). The edu DMA engine copies between its 4 KiB buffer at
 * device address 0x40000 and any bus address; its completion interrupt
 * is bound through the HAL, so each completion runs as a goroutine.
 *
 * Every blocked DMA is proven by memory: the bytes it aimed at are
 * checked unchanged, never by a fault log (the IOMMU drivers QEMU offers
 * on x86 do not report faults to domain handlers).
 *
 * Device addresses stay below 256 MiB: edu masks DMA addresses to 28 bits.
 * Transfers move XFER bytes between edu's buffer and the IOVA.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <go3s/go.h>
#include <go3s/hal.h>
#include <go3s/mid.h>

#include "kunit_compat.h"

static bool require_iommu;
module_param(require_iommu, bool, 0444);
MODULE_PARM_DESC(require_iommu, "Fail, not skip, when the edu device has no IOMMU");

static unsigned int random_targets = 10000;
module_param(random_targets, uint, 0444);
MODULE_PARM_DESC(random_targets, "DMAs to random addresses in the stress case");

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_CMD_IRQ	0x4
#define EDU_BUF		0x40000	/* the device's own buffer */
#define EDU_BUF_SIZE	4096
/*
 * QEMU 7.2's edu rejects a transfer covering its whole buffer (an
 * off-by-one in its range check aborts the VM), so move half of it.
 */
#define XFER		2048
#define IOVA_MAX	BIT_ULL(28)

#define IOVA_SRC	0x100000ULL	/* windows used by the cases */
#define IOVA_DST	0x200000ULL
#define IOVA_CANARY	0x400000ULL	/* canaries mapped once, then unmapped */

struct edu {
	struct pci_dev *pdev;
	struct go3s_mmio mmio;
	struct go3s_irq_binding irq;
	struct completion done;
	struct go3s_mid *mid;
	bool irq_bound, vectors, enabled;
};

static bool edu_ack(void *arg)
{
	struct edu *e = arg;
	u32 status;

	if (go3s_mmio_read32(&e->mmio, EDU_IRQ_STATUS, &status) || !status)
		return false;
	go3s_mmio_write32(&e->mmio, EDU_IRQ_ACK, status);
	return true;
}

/* Runs as a goroutine, spawned by the interrupt. */
static void edu_completion(void *arg)
{
	struct edu *e = arg;

	complete(&e->done);
}

/*
 * The interrupt: allocated after go3s_mid_create() and freed before
 * go3s_mid_destroy(). Behind an SMMU the MSI doorbell is an IOVA mapped
 * in the domain attached when the vector is allocated (mid.h).
 */
static void edu_irq_on(struct kunit *test, struct edu *e)
{
	KUNIT_ASSERT_EQ(test, pci_alloc_irq_vectors(e->pdev, 1, 1,
						    PCI_IRQ_MSI | PCI_IRQ_INTX), 1);
	e->irq.irq = pci_irq_vector(e->pdev, 0);
	e->irq.ack = edu_ack;
	e->irq.fn = edu_completion;
	e->irq.arg = e;
	e->vectors = true;
	KUNIT_ASSERT_EQ(test, go3s_irq_bind(&e->irq, IRQF_SHARED, "go3s_middev"), 0);
	e->irq_bound = true;
}

static void edu_irq_off(struct edu *e)
{
	if (e->irq_bound)
		go3s_irq_unbind(&e->irq);
	e->irq_bound = false;
	if (e->vectors)
		pci_free_irq_vectors(e->pdev);
	e->vectors = false;
}

/* Ends a case's MID, the interrupt first. */
static void edu_mid_end(struct edu *e)
{
	edu_irq_off(e);
	go3s_mid_destroy(e->mid);
	e->mid = NULL;
}

static void edu_close(struct edu *e)
{
	edu_mid_end(e);
	if (e->pdev && e->enabled) {
		go3s_mmio_unmap(&e->mmio);
		pci_clear_master(e->pdev);
		pci_disable_device(e->pdev);
	}
	pci_dev_put(e->pdev);
}

static void edu_exit(struct kunit_resource *res)
{
	edu_close(res->data);
}

/*
 * The suite binds edu to a driver of its own, as a real user would. That
 * matters: some IOMMUs (virtio-iommu, through ACPI VIOT) only set a device
 * up when a driver binds it. driver_managed_dma: the MID, not the DMA
 * API, owns the device's DMA.
 */
static struct pci_dev *edu_pdev;

static int middev_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	edu_pdev = pci_dev_get(pdev);
	return 0;
}

static void middev_remove(struct pci_dev *pdev)
{
	pci_dev_put(edu_pdev);
	edu_pdev = NULL;
}

static const struct pci_device_id middev_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{}
};

static struct pci_driver middev_driver = {
	.name = "go3s_middev",
	.id_table = middev_ids,
	.probe = middev_probe,
	.remove = middev_remove,
	.driver_managed_dma = true,
};

static int middev_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&middev_driver);
}

static void middev_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&middev_driver);
}

/* The edu device, enabled, with its interrupt bound and a fresh MID. */
static struct edu *edu_open(struct kunit *test)
{
	struct edu *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->pdev = pci_dev_get(edu_pdev);
	if (!e->pdev)
		kunit_skip(test, "no edu device");
	kunit_alloc_resource(test, NULL, edu_exit, GFP_KERNEL, e);
	KUNIT_ASSERT_EQ(test, pci_enable_device(e->pdev), 0);
	e->enabled = true;
	pci_set_master(e->pdev);
	KUNIT_ASSERT_EQ(test, go3s_mmio_map(&e->mmio, e->pdev, 0), 0);
	KUNIT_ASSERT_EQ(test, go3s_mmio_read32(&e->mmio, EDU_ID, &id), 0);
	KUNIT_ASSERT_EQ(test, id & 0xffff, 0xedU);
	init_completion(&e->done);
	e->mid = go3s_mid_create(e->pdev);
	if (PTR_ERR_OR_ZERO(e->mid) == -ENODEV && !require_iommu) {
		e->mid = NULL;
		kunit_skip(test, "no IOMMU for the edu device");
	}
	if (IS_ERR(e->mid)) {
		KUNIT_FAIL(test, "go3s_mid_create: %ld", PTR_ERR(e->mid));
		e->mid = NULL;
		kunit_skip(test, "no MID");
	}
	edu_irq_on(test, e);
	return e;
}

/* One DMA between edu's buffer and @iova; waits for its interrupt. */
static int edu_dma(struct edu *e, u64 iova, u32 len, bool to_ram)
{
	u64 cmd = EDU_CMD_START | EDU_CMD_IRQ | (to_ram ? EDU_CMD_TO_RAM : 0);

	reinit_completion(&e->done);
	go3s_mmio_write64(&e->mmio, EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	go3s_mmio_write64(&e->mmio, EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	go3s_mmio_write64(&e->mmio, EDU_DMA_COUNT, len);
	go3s_mmio_write64(&e->mmio, EDU_DMA_CMD, cmd);
	return wait_for_completion_timeout(&e->done, 10 * HZ) ? 0 : -ETIMEDOUT;
}

static void *page_buf(struct kunit *test, unsigned int order, gfp_t extra, u8 fill)
{
	struct page *p = alloc_pages(GFP_KERNEL | extra, order);
	void *v;

	KUNIT_ASSERT_NOT_NULL(test, p);
	v = page_address(p);
	memset(v, fill, PAGE_SIZE << order);
	return v;
}

static void free_buf(void *v, unsigned int order)
{
	free_pages((unsigned long)v, order);
}

/* Put @fill into edu's buffer through a read-only source window. */
static void edu_load(struct kunit *test, struct edu *e, u8 fill)
{
	u8 *src = page_buf(test, 0, 0, fill);

	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_SRC, src, PAGE_SIZE,
					   GO3S_MID_READ), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_SRC, XFER, false), 0);
	KUNIT_ASSERT_EQ(test, go3s_mid_unmap(e->mid, IOVA_SRC, PAGE_SIZE), 0);
	free_buf(src, 0);
}

/* Does the device's IOMMU translate MSI writes (a software MSI window)? */
static bool iommu_translates_msi(struct pci_dev *pdev)
{
	struct iommu_resv_region *r, *next;
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	LIST_HEAD(resv);
	bool sw_msi = false;

	if (!group)
		return false;
	if (!iommu_get_group_resv_regions(group, &resv))
		list_for_each_entry(r, &resv, list)
			sw_msi |= r->type == IOMMU_RESV_SW_MSI;
	iommu_group_put(group);
	list_for_each_entry_safe(r, next, &resv, list)
		kfree(r);
	return sw_msi;
}

/*
 * MSI vectors allocated before the MID: behind an IOMMU that translates
 * MSI writes their doorbell is not in the MID's domain, and
 * go3s_mid_create() refuses (-EBUSY) rather than isolate a device whose
 * interrupts would be lost; elsewhere (x86's interrupt remapping) the
 * order does not matter.
 */
static void msi_before_mid(struct kunit *test)
{
	struct edu *e = edu_open(test);
	bool translated = iommu_translates_msi(e->pdev);
	struct go3s_mid *mid;

	edu_mid_end(e);
	if (pci_alloc_irq_vectors(e->pdev, 1, 1, PCI_IRQ_MSI) != 1)
		kunit_skip(test, "no MSI for edu");
	e->vectors = true;
	mid = go3s_mid_create(e->pdev);
	kunit_info(test, "MSI writes %stranslated by the IOMMU: go3s_mid_create() %d\n",
		   translated ? "" : "not ", PTR_ERR_OR_ZERO(mid));
	if (translated) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(mid), -EBUSY);
	} else {
		KUNIT_EXPECT_FALSE(test, IS_ERR(mid));
		e->mid = IS_ERR(mid) ? NULL : mid;
		edu_mid_end(e);
	}
}

static void misuse_is_refused(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *buf = page_buf(test, 1, 0, 0);
	void *vbuf = vmalloc(PAGE_SIZE);
	unsigned int perm;
	phys_addr_t phys;
	u64 end;

	KUNIT_ASSERT_NOT_NULL(test, vbuf);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_mid_create(NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_mid_create(e->pdev)), -EBUSY);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_DST + 1, buf, PAGE_SIZE,
					   GO3S_MID_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, buf + 8, PAGE_SIZE,
					   GO3S_MID_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, buf, 100, GO3S_MID_RW),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, buf, PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, vbuf, PAGE_SIZE,
					   GO3S_MID_RW), -EINVAL);
	end = iommu_get_domain_for_dev(&e->pdev->dev)->geometry.aperture_end;
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, end & PAGE_MASK, buf,
					   2 * PAGE_SIZE, GO3S_MID_RW), -ERANGE);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, buf, 2 * PAGE_SIZE,
					   GO3S_MID_RW), 0);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_DST + PAGE_SIZE, buf,
					   PAGE_SIZE, GO3S_MID_READ), -EEXIST);
	if (!(go3s_mid_caps(e->mid) & GO3S_MID_CAP_NOEXEC))
		KUNIT_EXPECT_EQ(test, go3s_mid_map(e->mid, IOVA_SRC, buf, PAGE_SIZE,
						   GO3S_MID_READ | GO3S_MID_NOEXEC),
				-EOPNOTSUPP);
	KUNIT_ASSERT_EQ(test, go3s_mid_query(e->mid, IOVA_DST + PAGE_SIZE + 5,
					     &phys, &perm), 0);
	KUNIT_EXPECT_EQ(test, phys, virt_to_phys(buf) + PAGE_SIZE + 5);
	KUNIT_EXPECT_EQ(test, perm, (unsigned int)GO3S_MID_RW);
	KUNIT_EXPECT_EQ(test, go3s_mid_query(e->mid, IOVA_SRC, NULL, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, go3s_mid_unmap(e->mid, IOVA_DST, PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, go3s_mid_unmap(e->mid, IOVA_DST, 2 * PAGE_SIZE), 0);
	vfree(vbuf);
	free_buf(buf, 1);
}

static void dma_into_window_arrives(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *dst = page_buf(test, 0, 0, 0);

	edu_load(test, e, 0x5a);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, dst, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(dst, 0x5a, XFER));
	KUNIT_EXPECT_NULL(test, memchr_inv(dst + XFER, 0, PAGE_SIZE - XFER));
	KUNIT_EXPECT_GE(test, atomic_long_read(&e->irq.spawned), 2L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&e->irq.fallback), 0L);
	edu_mid_end(e);
	free_buf(dst, 0);
}

/*
 * Where a stray DMA aims to hit the canary @buf: its physical address,
 * which without isolation (an identity mapping) is where it sits, when
 * edu can emit it (x86: GFP_DMA RAM lies below 16 MiB). Where RAM starts
 * above edu's 28 bits (arm64's virt machine: at 1 GiB), an IOVA at which
 * @buf was mapped, read by the device (so the IOTLB holds it) and
 * unmapped: reachable only through a stale translation.
 */
static u64 canary_target(struct kunit *test, struct edu *e, void *buf,
			 unsigned int slot)
{
	u64 iova = IOVA_CANARY + (u64)slot * PAGE_SIZE;

	if (virt_to_phys(buf) < IOVA_MAX)
		return virt_to_phys(buf);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, iova, buf, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e, iova, 64, false), 0);
	KUNIT_ASSERT_EQ(test, go3s_mid_unmap(e->mid, iova, PAGE_SIZE), 0);
	return iova;
}

static void dma_outside_windows_is_blocked(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *canary = page_buf(test, 0, GFP_DMA, 0xaa);
	u64 target = canary_target(test, e, canary, 0);

	edu_load(test, e, 0x11);
	/* Without isolation this would hit the canary. */
	KUNIT_ASSERT_EQ(test, edu_dma(e, target, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(canary, 0xaa, PAGE_SIZE));
	/* Nor can the device read it. */
	KUNIT_ASSERT_EQ(test, edu_dma(e, target, XFER, false), 0);
	free_buf(canary, 0);
	canary = page_buf(test, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, canary, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr(canary, 0xaa, XFER));
	edu_mid_end(e);
	free_buf(canary, 0);
}

static void dma_past_window_end_is_blocked(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *two = page_buf(test, 1, 0, 0xcc);	/* only the first page mapped */

	edu_load(test, e, 0x22);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, two, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	/* Half of the transfer lands in the window, half past its end. */
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST + PAGE_SIZE - XFER / 2, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(two, 0xcc, PAGE_SIZE - XFER / 2));
	KUNIT_EXPECT_NULL(test, memchr_inv(two + PAGE_SIZE - XFER / 2, 0x22, XFER / 2));
	KUNIT_EXPECT_NULL(test, memchr_inv(two + PAGE_SIZE, 0xcc, PAGE_SIZE));
	edu_mid_end(e);
	free_buf(two, 1);
}

static void readonly_window_refuses_device_writes(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *ro = page_buf(test, 0, 0, 0x77);

	edu_load(test, e, 0x33);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, ro, PAGE_SIZE,
					   GO3S_MID_READ), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(ro, 0x77, PAGE_SIZE));
	edu_mid_end(e);
	free_buf(ro, 0);
}

static void dma_after_unmap_is_blocked(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *dst = page_buf(test, 0, 0, 0);

	edu_load(test, e, 0x44);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, dst, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(dst, 0x44, XFER));
	KUNIT_ASSERT_EQ(test, go3s_mid_unmap(e->mid, IOVA_DST, PAGE_SIZE), 0);
	edu_load(test, e, 0x45);
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(dst, 0x44, XFER));
	edu_mid_end(e);
	free_buf(dst, 0);
}

static void dma_after_destroy_is_blocked(struct kunit *test)
{
	struct edu *e = edu_open(test);
	u8 *dst = page_buf(test, 0, 0, 0);
	struct iommu_domain *dom;

	edu_load(test, e, 0x66);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, dst, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	edu_mid_end(e);
	/* Back on the default domain, where that IOVA means nothing. */
	dom = iommu_get_domain_for_dev(&e->pdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, dom);
	if (dom->type == IOMMU_DOMAIN_IDENTITY) {
		free_buf(dst, 0);
		kunit_skip(test, "default domain is identity: a stray DMA would hit RAM");
	}
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, IOVA_DST), 0ULL);
	edu_irq_on(test, e);	/* its MSI doorbell in the default domain */
	KUNIT_ASSERT_EQ(test, edu_dma(e, IOVA_DST, XFER, true), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(dst, 0, PAGE_SIZE));
	free_buf(dst, 0);
}

/* ---- the fault callback against destroy ------------------------------- */

struct slow_fault {
	struct pci_dev *pdev;
	struct iommu_domain *domain;
	struct go3s_mid *mid;
	struct completion entered, release, reported, destroyed;
	bool returned, destroy_saw_return;
};

static void slow_fault_cb(void *arg)
{
	struct slow_fault *f = arg;

	complete(&f->entered);
	wait_for_completion(&f->release);
	WRITE_ONCE(f->returned, true);
}

/* Report a fault as an IOMMU driver would (QEMU's x86 ones do not). */
static int fault_reporter(void *arg)
{
	struct slow_fault *f = arg;

	report_iommu_fault(f->domain, &f->pdev->dev, IOVA_DST, IOMMU_FAULT_WRITE);
	complete(&f->reported);
	return 0;
}

static int mid_destroyer(void *arg)
{
	struct slow_fault *f = arg;

	go3s_mid_destroy(f->mid);
	f->destroy_saw_return = READ_ONCE(f->returned);
	complete(&f->destroyed);
	return 0;
}

/*
 * The handler calls the owner's callback without its lock; destroy must
 * not free the MID (or return, letting the owner free the callback's
 * argument) while that call runs.
 */
static void destroy_waits_for_fault_callback(struct kunit *test)
{
	struct slow_fault *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct edu *e = edu_open(test);
	struct task_struct *t;
	bool entered, early = false;

	KUNIT_ASSERT_NOT_NULL(test, f);
	init_completion(&f->entered);
	init_completion(&f->release);
	init_completion(&f->reported);
	init_completion(&f->destroyed);
	f->pdev = e->pdev;
	f->domain = iommu_get_domain_for_dev(&e->pdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, f->domain);
	KUNIT_ASSERT_EQ(test, go3s_mid_on_fault(e->mid, slow_fault_cb, f), 0);
	t = kthread_run(fault_reporter, f, "go3s_fault");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* From here on the reporter runs: release it whatever happens. */
	entered = wait_for_completion_timeout(&f->entered, 10 * HZ);
	KUNIT_EXPECT_TRUE(test, entered);
	KUNIT_EXPECT_EQ(test, go3s_mid_faults(e->mid, NULL), 1ULL);
	if (entered) {
		f->mid = e->mid;
		e->mid = NULL;
		t = kthread_run(mid_destroyer, f, "go3s_destroy");
		KUNIT_EXPECT_FALSE(test, IS_ERR(t));
		if (IS_ERR(t)) {
			e->mid = f->mid;
			f->mid = NULL;
		} else {
			/* The callback is blocked: destroy must be too. */
			early = wait_for_completion_timeout(&f->destroyed, HZ);
			KUNIT_EXPECT_FALSE_MSG(test, early,
					       "destroy returned while the callback ran");
		}
	}
	complete(&f->release);
	wait_for_completion(&f->reported);
	if (f->mid) {
		if (!early)
			wait_for_completion(&f->destroyed);
		KUNIT_EXPECT_TRUE(test, f->destroy_saw_return);
	}
}

#define CANARIES	8
/*
 * The stress case runs in rounds, each a KUnit case of its own: every
 * DMA takes 100 ms of the guest's (warped) clock, and one case must stay
 * under KUnit's 300 s timeout and the 120 s hung-task check on insmod.
 */
#define ROUNDS		10

static const unsigned int rounds[ROUNDS] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static void round_desc(const unsigned int *r, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %u of %u", *r + 1, ROUNDS);
}

KUNIT_ARRAY_PARAM(rounds, rounds, round_desc);

static void random_dma_targets_change_nothing_outside(struct kunit *test)
{
	unsigned int n = DIV_ROUND_UP(random_targets, ROUNDS);
	struct edu *e = edu_open(test);
	u8 *win = page_buf(test, 0, 0, 0);
	u8 *canary[CANARIES];
	u64 target[CANARIES];
	unsigned int i, hits = 0, blocked = 0;
	u64 iova;

	for (i = 0; i < CANARIES; i++) {
		canary[i] = page_buf(test, 0, GFP_DMA, 0xa0 + i);
		target[i] = canary_target(test, e, canary[i], i);
	}
	edu_load(test, e, 0x99);
	KUNIT_ASSERT_EQ(test, go3s_mid_map(e->mid, IOVA_DST, win, PAGE_SIZE,
					   GO3S_MID_RW), 0);
	for (i = 0; i < n; i++) {
		u32 r = get_random_u32();

		/* Half aim at the canaries, half anywhere. */
		if (r & 1)
			iova = target[(r >> 1) % CANARIES];
		else
			iova = get_random_u32_below(IOVA_MAX) & ~63ULL;
		if (!(i % 16))
			iova = IOVA_DST + ((r >> 8) % 64) * 64;
		if (edu_dma(e, iova, 64, true))
			break;
		if (iova >= IOVA_DST && iova < IOVA_DST + PAGE_SIZE)
			hits++;
		else
			blocked++;
	}
	kunit_info(test, "%u DMAs: %u into the window, %u elsewhere (blocked)\n",
		   i, hits, blocked);
	KUNIT_EXPECT_EQ(test, i, n);
	for (i = 0; i < CANARIES; i++) {
		KUNIT_EXPECT_NULL(test, memchr_inv(canary[i], 0xa0 + i, PAGE_SIZE));
		free_buf(canary[i], 0);
	}
	/* The window got exactly what was aimed at it: 0x99 or untouched 0. */
	for (i = 0; i < PAGE_SIZE; i++)
		if (win[i] != 0 && win[i] != 0x99)
			break;
	KUNIT_EXPECT_EQ(test, i, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_GT(test, hits, 0U);
	edu_mid_end(e);
	free_buf(win, 0);
}

static struct kunit_case go3s_middev_cases[] = {
	KUNIT_CASE(misuse_is_refused),
	KUNIT_CASE(msi_before_mid),
	KUNIT_CASE(dma_into_window_arrives),
	KUNIT_CASE(dma_outside_windows_is_blocked),
	KUNIT_CASE(dma_past_window_end_is_blocked),
	KUNIT_CASE(readonly_window_refuses_device_writes),
	KUNIT_CASE(dma_after_unmap_is_blocked),
	KUNIT_CASE(dma_after_destroy_is_blocked),
	KUNIT_CASE(destroy_waits_for_fault_callback),
	KUNIT_CASE_PARAM_ATTR(random_dma_targets_change_nothing_outside,
			      rounds_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite go3s_middev_suite = {
	.name = "go3s_middev",
	.suite_init = middev_suite_init,
	.suite_exit = middev_suite_exit,
	.test_cases = go3s_middev_cases,
};

kunit_test_suite(go3s_middev_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_middev: MIDs against the edu device's DMA");
MODULE_VERSION("0.1.0");
