// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI driver for QEMU's edu device (1234:11e8) that keeps the device in
 * a MID: the device can reach one read-only source page and one
 * read-write destination page, nothing else. Its interrupt is bound
 * through the HAL, so each DMA completion runs as a goroutine. At probe it
 * proves both sides: a DMA into the window arrives, a DMA aimed at a page
 * outside the windows leaves that page unchanged.
 *
 * The driver does not use the DMA API (.driver_managed_dma): the MID is
 * the device's only view of memory.
 */
#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string.h>

#include <go3s/go.h>
#include <go3s/hal.h>
#include <go3s/mid.h>

#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_BUF		0x40000
#define XFER		2048	/* QEMU 7.2 refuses the whole 4 KiB buffer */
#define IOVA_SRC	0x100000
#define IOVA_DST	0x200000

struct edu_mid {
	struct pci_dev *pdev;
	struct go3s_mmio mmio;
	struct go3s_irq_binding irq;
	struct completion done;
	struct go3s_mid *mid;
	u8 *src, *dst;
};

static bool edu_ack(void *arg)
{
	struct edu_mid *e = arg;
	u32 status;

	if (go3s_mmio_read32(&e->mmio, EDU_IRQ_STATUS, &status) || !status)
		return false;
	go3s_mmio_write32(&e->mmio, EDU_IRQ_ACK, status);
	return true;
}

static void edu_done(void *arg)		/* a goroutine */
{
	struct edu_mid *e = arg;

	complete(&e->done);
}

static int edu_dma(struct edu_mid *e, u64 iova, bool to_ram)
{
	reinit_completion(&e->done);
	go3s_mmio_write64(&e->mmio, EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	go3s_mmio_write64(&e->mmio, EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	go3s_mmio_write64(&e->mmio, EDU_DMA_COUNT, XFER);
	go3s_mmio_write64(&e->mmio, EDU_DMA_CMD, 0x1 | 0x4 | (to_ram ? 0x2 : 0));
	return wait_for_completion_timeout(&e->done, 10 * HZ) ? 0 : -ETIMEDOUT;
}

/* Prove the isolation both ways. */
static int edu_selftest(struct edu_mid *e)
{
	u8 *canary = (u8 *)__get_free_page(GFP_KERNEL | GFP_DMA);
	int ret;

	if (!canary)
		return -ENOMEM;
	memset(canary, 0xee, PAGE_SIZE);
	ret = edu_dma(e, IOVA_SRC, false) ?: edu_dma(e, IOVA_DST, true);
	if (ret)
		goto out;
	if (memchr_inv(e->dst, 0xc3, XFER)) {
		pci_err(e->pdev, "DMA into the window: data missing\n");
		ret = -EIO;
		goto out;
	}
	pci_info(e->pdev, "DMA into the window: ok (%d bytes)\n", XFER);
	/* Its physical address, which an unisolated device could write. */
	ret = edu_dma(e, virt_to_phys(canary), true);
	if (ret)
		goto out;
	if (memchr_inv(canary, 0xee, PAGE_SIZE)) {
		pci_err(e->pdev, "DMA outside the windows: MEMORY CHANGED\n");
		ret = -EIO;
		goto out;
	}
	pci_info(e->pdev, "DMA outside the windows: blocked, %llu faults reported\n",
		 go3s_mid_faults(e->mid, NULL));
out:
	free_page((unsigned long)canary);
	return ret;
}

static void edu_teardown(struct edu_mid *e)
{
	/* The vectors were allocated with the MID in place: freed before it. */
	go3s_irq_unbind(&e->irq);
	pci_free_irq_vectors(e->pdev);
	go3s_mid_destroy(e->mid);	/* before the pages go */
	free_page((unsigned long)e->src);
	free_page((unsigned long)e->dst);
	go3s_mmio_unmap(&e->mmio);
	pci_clear_master(e->pdev);
	pci_disable_device(e->pdev);
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_mid *e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	int ret;

	if (!e)
		return -ENOMEM;
	e->pdev = pdev;
	init_completion(&e->done);
	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = go3s_mmio_map(&e->mmio, pdev, 0);
	if (ret)
		goto err_disable;
	e->mid = go3s_mid_create(pdev);
	if (IS_ERR(e->mid)) {
		ret = PTR_ERR(e->mid);
		pci_err(pdev, "no isolation domain (%d): refusing to drive the device\n", ret);
		goto err_unmap;
	}
	/*
	 * Vectors after the MID: where the IOMMU translates MSIs (arm64's
	 * SMMUv3), the doorbell is mapped in the domain current at allocation.
	 */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto err_mid;
	e->irq.irq = pci_irq_vector(pdev, 0);
	e->irq.ack = edu_ack;
	e->irq.fn = edu_done;
	e->irq.arg = e;
	ret = go3s_irq_bind(&e->irq, IRQF_SHARED, "go3s_edu_mid");
	if (ret)
		goto err_vectors;
	e->src = (u8 *)get_zeroed_page(GFP_KERNEL);
	e->dst = (u8 *)get_zeroed_page(GFP_KERNEL);
	ret = -ENOMEM;
	if (!e->src || !e->dst)
		goto err_pages;
	memset(e->src, 0xc3, PAGE_SIZE);
	ret = go3s_mid_map(e->mid, IOVA_SRC, e->src, PAGE_SIZE, GO3S_MID_READ) ?:
	      go3s_mid_map(e->mid, IOVA_DST, e->dst, PAGE_SIZE, GO3S_MID_RW);
	if (ret)
		goto err_pages;
	ret = edu_selftest(e);
	if (ret)
		goto err_pages;
	pci_set_drvdata(pdev, e);
	return 0;

err_pages:
	go3s_irq_unbind(&e->irq);
err_vectors:
	pci_free_irq_vectors(pdev);
err_mid:
	go3s_mid_destroy(e->mid);
	free_page((unsigned long)e->src);
	free_page((unsigned long)e->dst);
err_unmap:
	go3s_mmio_unmap(&e->mmio);
err_disable:
	pci_clear_master(pdev);
	pci_disable_device(pdev);
	return ret;
}

static void edu_remove(struct pci_dev *pdev)
{
	edu_teardown(pci_get_drvdata(pdev));
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "go3s_edu_mid",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.driver_managed_dma = true,
};
module_pci_driver(edu_driver);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample: the edu device isolated in a MID");
MODULE_VERSION("0.1.0");
