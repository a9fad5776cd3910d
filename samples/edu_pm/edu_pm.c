// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI driver for QEMU's edu device (1234:11e8) with runtime PM
 * (autosuspend), whose runtime_suspend and runtime_resume callbacks drive
 * a go3s state machine:
 *
 *	ACTIVE -SUSPEND-> SUSPENDING -DONE-> SUSPENDED -RESUME-> RESUMING -DONE-> ACTIVE
 *
 * SUSPENDING's entry hook quiesces the device (waits for its DMA engine to
 * stop, saves its registers); RESUMING's restores them and checks the
 * device answers. Each hook runs as a goroutine under a 200 ms timeout: an
 * overrun moves the machine to ERROR and the callback returns -EBUSY, so
 * the PM core keeps the device active and tries again later (from ERROR,
 * RECOVER goes through RESUMING back to ACTIVE first).
 *
 * edu has no power states: the quiesce hook clobbers the saved registers
 * to stand for the context a real device loses, and the restore hook
 * checks they come back.
 *
 * Module parameters: slow_hooks=N makes the next N quiesce hooks take
 * slow_ms (default 1000) unless cancelled. dma_bits (default 28, edu's
 * own mask) is the DMA mask asked for: a machine whose RAM edu cannot
 * reach with 28 bits and no IOMMU to remap it (riscv64's virt, RAM at
 * 2 GiB) runs edu with a wider dma_mask property and says so here. Each write of N to the device's
 * sysfs file "io" does N DMA round trips (RAM -> edu -> RAM), each holding
 * a runtime PM reference; reading it gives "ok <n> errors <n>".
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/string.h>

#include <go3s/fsm.h>
#include <go3s/go.h>

#define EDU_LIVENESS	0x04
#define EDU_STATUS	0x20
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_START	0x1
#define EDU_DMA_TO_RAM	0x2
#define EDU_BUF		0x40000
#define XFER		1024
#define HOOK_MS		200

static unsigned int slow_hooks;
module_param(slow_hooks, uint, 0644);
MODULE_PARM_DESC(slow_hooks, "Make the next N quiesce hooks slow (the timeout path)");

static unsigned int slow_ms = 1000;
module_param(slow_ms, uint, 0644);
MODULE_PARM_DESC(slow_ms, "How long a slow hook takes unless cancelled");

static unsigned int dma_bits = 28;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA address bits (QEMU edu's dma_mask property; 28 by default)");

static unsigned int autosuspend_ms = 100;
module_param(autosuspend_ms, uint, 0444);
MODULE_PARM_DESC(autosuspend_ms, "Initial autosuspend delay");

#define PM_STATES(X...)	(X(ACTIVE) X(SUSPENDING) X(SUSPENDED) X(RESUMING) X(ERROR))
#define PM_EVENTS(X...)	(X(SUSPEND) X(DONE) X(RESUME) X(RECOVER) X(ABORT))
GO3S_FSM_ENUM(edu_pm_state, PM_STATES);
GO3S_FSM_ENUM(edu_pm_event, PM_EVENTS);

struct edu_pm {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct go3s_fsm *fsm;
	u8 *buf;			/* XFER out, XFER back */
	dma_addr_t buf_dma;
	struct mutex io_lock;		/* one I/O at a time */
	u64 saved[3];			/* DMA src, dst, count */
	u32 saved_status;
	unsigned long io_ok, io_err;
};

static int edu_dma_idle(struct edu_pm *e, const struct go3s_fsm_hook *h)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (!(readl(e->regs + EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		if (h && go3s_fsm_cancelled(h))
			return -ECANCELED;
		usleep_range(500, 1000);
	}
	return -ETIMEDOUT;
}

/* SUSPENDING's entry hook: stop DMA, save the registers, lose them. */
static int edu_quiesce(const struct go3s_fsm_hook *h)
{
	struct edu_pm *e = h->ctx;
	unsigned int left, n;
	int ret;

	n = READ_ONCE(slow_hooks);
	if (n && cmpxchg(&slow_hooks, n, n - 1) == n) {
		for (left = slow_ms; left; left -= min(left, 10U)) {
			if (go3s_fsm_cancelled(h)) {
				pci_info(e->pdev, "quiesce: cancelled after %u ms\n",
					 slow_ms - left);
				return -ECANCELED;
			}
			usleep_range(10000, 11000);
		}
	}
	ret = edu_dma_idle(e, h);
	if (ret)
		return ret;
	e->saved[0] = readq(e->regs + EDU_DMA_SRC);
	e->saved[1] = readq(e->regs + EDU_DMA_DST);
	e->saved[2] = readq(e->regs + EDU_DMA_COUNT);
	e->saved_status = readl(e->regs + EDU_STATUS);
	writeq(0, e->regs + EDU_DMA_SRC);
	writeq(0, e->regs + EDU_DMA_DST);
	writeq(0, e->regs + EDU_DMA_COUNT);
	return 0;
}

/* RESUMING's entry hook: restore the registers, check the device. */
static int edu_restore(const struct go3s_fsm_hook *h)
{
	struct edu_pm *e = h->ctx;
	u32 probe = 0x5a5a0000 | (u32)h->event;

	writeq(e->saved[0], e->regs + EDU_DMA_SRC);
	writeq(e->saved[1], e->regs + EDU_DMA_DST);
	writeq(e->saved[2], e->regs + EDU_DMA_COUNT);
	writel(e->saved_status & 0x80, e->regs + EDU_STATUS);
	if (readq(e->regs + EDU_DMA_SRC) != e->saved[0] ||
	    readq(e->regs + EDU_DMA_COUNT) != e->saved[2])
		return -EIO;
	writel(probe, e->regs + EDU_LIVENESS);
	return readl(e->regs + EDU_LIVENESS) == ~probe ? 0 : -EIO;
}

static const struct go3s_fsm_state edu_pm_states[] = {
	[ACTIVE] = {},
	[SUSPENDING] = { .enter = GO3S_FSM_HOOK(edu_quiesce, HOOK_MS, ERROR) },
	[SUSPENDED] = {},
	[RESUMING] = { .enter = GO3S_FSM_HOOK(edu_restore, HOOK_MS, ERROR) },
	[ERROR] = {},
};

static const struct go3s_fsm_trans edu_pm_trans[] = {
	GO3S_FSM_T(ACTIVE, SUSPEND, SUSPENDING, NULL),
	GO3S_FSM_T(SUSPENDING, DONE, SUSPENDED, NULL),
	GO3S_FSM_T(SUSPENDING, ABORT, ACTIVE, NULL),
	GO3S_FSM_T(SUSPENDED, RESUME, RESUMING, NULL),
	GO3S_FSM_T(RESUMING, DONE, ACTIVE, NULL),
	GO3S_FSM_T(ERROR, RECOVER, RESUMING, NULL),
};

GO3S_FSM_TABLE(edu_pm, PM_STATES, PM_EVENTS, ACTIVE);

/* From ERROR (a hook overran), back to ACTIVE through RESUMING. */
static int edu_recover(struct edu_pm *e)
{
	if (go3s_fsm_current(e->fsm) != ERROR)
		return 0;
	pci_info(e->pdev, "recovering from ERROR\n");
	return go3s_fsm_fire(e->fsm, RECOVER) ?: go3s_fsm_fire(e->fsm, DONE);
}

static int edu_runtime_suspend(struct device *dev)
{
	struct edu_pm *e = dev_get_drvdata(dev);
	int ret;

	ret = edu_recover(e) ?: go3s_fsm_fire(e->fsm, SUSPEND);
	if (ret == -ETIMEDOUT)
		pci_warn(e->pdev, "runtime suspend: quiesce overran %u ms, machine in ERROR: -EBUSY\n",
			 HOOK_MS);
	else if (ret && go3s_fsm_current(e->fsm) == SUSPENDING)
		go3s_fsm_fire(e->fsm, ABORT);
	if (ret) {
		/* A new expiry time: the PM core tries again after the delay. */
		pm_runtime_mark_last_busy(dev);
		return -EBUSY;
	}
	return go3s_fsm_fire(e->fsm, DONE);
}

static int edu_runtime_resume(struct device *dev)
{
	struct edu_pm *e = dev_get_drvdata(dev);
	int ret;

	ret = go3s_fsm_fire(e->fsm, RESUME) ?: go3s_fsm_fire(e->fsm, DONE);
	if (ret == -ETIMEDOUT)
		ret = edu_recover(e);
	if (ret)
		pci_err(e->pdev, "runtime resume failed: %d\n", ret);
	return ret;
}

/* One round trip: XFER bytes to the device's buffer and back. */
static int edu_io_once(struct edu_pm *e, unsigned int n)
{
	int ret, dir;

	ret = pm_runtime_resume_and_get(&e->pdev->dev);
	if (ret)
		return ret;
	ret = edu_recover(e);
	if (ret)
		goto out;
	memset(e->buf, n & 0xff, XFER);
	memset(e->buf + XFER, 0, XFER);
	for (dir = 0; dir < 2 && !ret; dir++) {
		writeq(dir ? EDU_BUF : e->buf_dma, e->regs + EDU_DMA_SRC);
		writeq(dir ? e->buf_dma + XFER : EDU_BUF, e->regs + EDU_DMA_DST);
		writeq(XFER, e->regs + EDU_DMA_COUNT);
		writeq(EDU_DMA_START | (dir ? EDU_DMA_TO_RAM : 0), e->regs + EDU_DMA_CMD);
		ret = edu_dma_idle(e, NULL);
	}
	if (!ret && memcmp(e->buf, e->buf + XFER, XFER))
		ret = -EIO;
out:
	pm_runtime_mark_last_busy(&e->pdev->dev);
	pm_runtime_put_autosuspend(&e->pdev->dev);
	return ret;
}

static ssize_t io_store(struct device *dev, struct device_attribute *attr,
			const char *buf, size_t count)
{
	struct edu_pm *e = dev_get_drvdata(dev);
	unsigned int n, i;
	int ret;

	ret = kstrtouint(buf, 0, &n);
	if (ret)
		return ret;
	mutex_lock(&e->io_lock);
	for (i = 0; i < n; i++) {
		ret = edu_io_once(e, i);
		if (ret) {
			e->io_err++;
			pci_err(e->pdev, "I/O %u failed: %d\n", i, ret);
		} else {
			e->io_ok++;
		}
	}
	mutex_unlock(&e->io_lock);
	return count;
}

static ssize_t io_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edu_pm *e = dev_get_drvdata(dev);

	return sysfs_emit(buf, "ok %lu errors %lu\n", e->io_ok, e->io_err);
}
static DEVICE_ATTR_RW(io);

static struct attribute *edu_pm_attrs[] = {
	&dev_attr_io.attr,
	NULL
};
ATTRIBUTE_GROUPS(edu_pm);

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_pm *e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	char name[GO3S_FSM_NAME_MAX];
	int ret;

	if (!e)
		return -ENOMEM;
	e->pdev = pdev;
	mutex_init(&e->io_lock);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), "go3s_edu_pm");
	if (ret)
		return ret;
	e->regs = pcim_iomap_table(pdev)[0];
	pci_set_master(pdev);
	if (dma_bits < 28 || dma_bits > 64)
		return -EINVAL;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return ret;
	e->buf = dmam_alloc_coherent(&pdev->dev, 2 * XFER, &e->buf_dma, GFP_KERNEL);
	if (!e->buf)
		return -ENOMEM;
	snprintf(name, sizeof(name), "edu_pm:%s", pci_name(pdev));
	e->fsm = go3s_fsm_create(&edu_pm_table, name, e);
	if (IS_ERR(e->fsm))
		return PTR_ERR(e->fsm);
	pci_set_drvdata(pdev, e);

	pm_runtime_set_autosuspend_delay(&pdev->dev, autosuspend_ms);
	pm_runtime_use_autosuspend(&pdev->dev);
	pm_runtime_mark_last_busy(&pdev->dev);
	/* The PCI core took a reference for the probe: ours to drop. */
	pm_runtime_put_autosuspend(&pdev->dev);
	pci_info(pdev, "runtime PM through state machine %s (autosuspend %u ms)\n",
		 name, autosuspend_ms);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_pm *e = pci_get_drvdata(pdev);

	/* Back to active (the machine resumes it), as the PCI core expects. */
	pm_runtime_get_sync(&pdev->dev);
	pm_runtime_dont_use_autosuspend(&pdev->dev);
	go3s_fsm_destroy(e->fsm);
}

static const struct dev_pm_ops edu_pm_ops = {
	RUNTIME_PM_OPS(edu_runtime_suspend, edu_runtime_resume, NULL)
};

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "go3s_edu_pm",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.driver.pm = pm_ptr(&edu_pm_ops),
	.dev_groups = edu_pm_groups,
};
module_pci_driver(edu_driver);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample: edu with runtime PM driven by a state machine");
MODULE_VERSION("0.1.0");
