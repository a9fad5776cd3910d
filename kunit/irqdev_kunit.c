// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_irqdev: go3s_go_irq() from a real device interrupt.
 * QEMU's edu device (1234:11e8) raises its interrupt when its register
 * 0x60 is written; our handler acknowledges it and spawns a goroutine.
 * Built where the kernel has PCI; skipped where there is no edu device.
 * The suite binds edu to a driver of its own for its run: on arm64 and
 * riscv64 (device tree) a device's INTx line is mapped only when a driver
 * binds it, so pdev->irq of an unbound device is 0.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>

#include <go3s/go.h>

#include "kunit_compat.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define ROUNDS			100

struct irqdev {
	struct pci_dev *pdev;
	void __iomem *mmio;
	struct completion ran;
	atomic_t irqs, spawn_failed;
	bool g_in_task, g_has_self;
	u32 value;
};

static struct pci_dev *edu_pdev;

static int irqdev_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	edu_pdev = pci_dev_get(pdev);
	return 0;
}

static void irqdev_remove(struct pci_dev *pdev)
{
	pci_dev_put(edu_pdev);
	edu_pdev = NULL;
}

static const struct pci_device_id irqdev_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{}
};

static struct pci_driver irqdev_driver = {
	.name = "go3s_irqdev",
	.id_table = irqdev_ids,
	.probe = irqdev_probe,
	.remove = irqdev_remove,
};

/* Registered for the suite's run only: later suites may bind edu. */
static int irqdev_suite_init(struct kunit_suite *suite)
{
	return pci_register_driver(&irqdev_driver);
}

static void irqdev_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&irqdev_driver);
}

static void irqdev_body(void *arg)
{
	struct irqdev *d = arg;

	d->g_in_task = in_task();
	d->g_has_self = !!go3s_self();
	complete(&d->ran);
}

static irqreturn_t irqdev_handler(int irq, void *arg)
{
	struct irqdev *d = arg;
	u32 status = ioread32(d->mmio + EDU_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	iowrite32(status, d->mmio + EDU_IRQ_ACK);
	atomic_inc(&d->irqs);
	if (go3s_go_irq(irqdev_body, d)) {
		atomic_inc(&d->spawn_failed);
		complete(&d->ran);
	}
	return IRQ_HANDLED;
}

static void device_interrupt_spawns_goroutines(struct kunit *test)
{
	struct irqdev *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	int i, ret;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->pdev = pci_dev_get(edu_pdev);
	if (!d->pdev)
		kunit_skip(test, "no edu device");
	ret = pci_enable_device(d->pdev);
	if (ret)
		goto put;
	d->mmio = pci_iomap(d->pdev, 0, 0);
	if (!d->mmio) {
		ret = -ENOMEM;
		goto disable;
	}
	init_completion(&d->ran);
	ret = request_irq(d->pdev->irq, irqdev_handler, IRQF_SHARED,
			  "go3s_irqdev", d);
	if (ret)
		goto unmap;

	for (i = 0; i < ROUNDS; i++) {
		reinit_completion(&d->ran);
		iowrite32(1, d->mmio + EDU_IRQ_RAISE);
		if (!wait_for_completion_timeout(&d->ran, 5 * HZ))
			break;
	}
	free_irq(d->pdev->irq, d);
unmap:
	pci_iounmap(d->pdev, d->mmio);
disable:
	pci_disable_device(d->pdev);
put:
	pci_dev_put(d->pdev);
	/* Nothing of the device is held past here, whatever failed. */
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test, i, ROUNDS);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->irqs), ROUNDS);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->spawn_failed), 0);
	KUNIT_EXPECT_TRUE(test, d->g_in_task);
	KUNIT_EXPECT_TRUE(test, d->g_has_self);
}

static struct kunit_case go3s_irqdev_cases[] = {
	KUNIT_CASE(device_interrupt_spawns_goroutines),
	{}
};

static struct kunit_suite go3s_irqdev_suite = {
	.name = "go3s_irqdev",
	.suite_init = irqdev_suite_init,
	.suite_exit = irqdev_suite_exit,
	.test_cases = go3s_irqdev_cases,
};

kunit_test_suite(go3s_irqdev_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_irqdev: goroutines spawned from a device interrupt");
MODULE_VERSION("0.1.0");
