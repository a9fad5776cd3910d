// SPDX-License-Identifier: GPL-2.0
/*
 * mid_map: map + unmap of one 4 KiB window in a MID against
 * dma_map_single + dma_unmap_single of the same page through the device's
 * default DMA domain. Needs QEMU's edu device behind an IOMMU (make bench
 * boots the VM with intel-iommu); prints nothing otherwise.
 */
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/pci.h>
#include <linux/timekeeping.h>

#include <go3s/mid.h>

#include "bench.h"

#define MAPS	20000U
#define IOVA	0x100000ULL

void go3s_bench_mid(void)
{
	struct pci_dev *pdev = pci_get_device(0x1234, 0x11e8, NULL);
	void *page = (void *)__get_free_page(GFP_KERNEL);
	struct go3s_mid *mid;
	u64 t0, g = 0, k;
	dma_addr_t addr;
	unsigned int i;

	if (!pdev || !page)
		goto out;
	/* The default domain first: the MID takes the device over. */
	t0 = ktime_get_ns();
	for (i = 0; i < MAPS; i++) {
		addr = dma_map_single(&pdev->dev, page, PAGE_SIZE, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(&pdev->dev, addr))
			goto out;
		dma_unmap_single(&pdev->dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL);
	}
	k = ktime_get_ns() - t0;
	mid = go3s_mid_create(pdev);
	if (IS_ERR(mid))
		goto out;
	t0 = ktime_get_ns();
	for (i = 0; i < MAPS; i++) {
		if (go3s_mid_map(mid, IOVA, page, PAGE_SIZE, GO3S_MID_RW) ||
		    go3s_mid_unmap(mid, IOVA, PAGE_SIZE))
			break;
	}
	g = ktime_get_ns() - t0;
	go3s_mid_destroy(mid);
	if (i == MAPS)
		go3s_bench_report("mid_map", go3s_bench_per_item(g, MAPS),
				  "dma_map_single", go3s_bench_per_item(k, MAPS));
out:
	free_page((unsigned long)page);
	pci_dev_put(pdev);
}
