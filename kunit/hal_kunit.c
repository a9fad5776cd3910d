// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite go3s_hal: the HAL and MID checks that need no device (UML
 * and VM). MMIO bounds against a fake BAR (plain memory), MSRs (system
 * registers, CSRs) through the allowlist, and MID argument checks.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#ifdef CONFIG_ARM64
#include <asm/cputype.h>
#endif
#ifdef CONFIG_RISCV
#include <asm/sbi.h>
#endif

#include <go3s/compat.h>
#include <go3s/hal.h>
#include <go3s/mid.h>

#include "kunit_compat.h"

static void mmio_refuses_out_of_bounds(struct kunit *test)
{
	u64 *mem = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct go3s_mmio m = {};
	u64 v64;
	u32 v32;
	u16 v16;
	u8 v8;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, go3s_mmio_read32(&m, 0, &v32), -EINVAL);	/* unmapped */
	KUNIT_EXPECT_EQ(test, go3s_mmio_map(&m, NULL, 0), -EINVAL);
	/* A 64-byte "BAR" of ordinary memory: the checks are what we test. */
	m.base = (void __iomem *)mem;
	m.len = 64;
	/*
	 * Except where MMIO is emulated (UML with virtio PCI, which 6.1's
	 * kunit.py forces): there, accessors WARN on memory no device
	 * registered, so only the refusals below, which touch nothing, run.
	 */
	if (!IS_ENABLED(CONFIG_INDIRECT_IOMEM) ||
	    IS_ENABLED(CONFIG_INDIRECT_IOMEM_FALLBACK)) {
		KUNIT_EXPECT_EQ(test, go3s_mmio_write64(&m, 56, 0x1122334455667788ULL), 0);
		KUNIT_EXPECT_EQ(test, go3s_mmio_read64(&m, 56, &v64), 0);
		KUNIT_EXPECT_EQ(test, v64, 0x1122334455667788ULL);
		KUNIT_EXPECT_EQ(test, go3s_mmio_read32(&m, 60, &v32), 0);
		KUNIT_EXPECT_EQ(test, v32, 0x11223344U);
		KUNIT_EXPECT_EQ(test, go3s_mmio_read16(&m, 62, &v16), 0);
		KUNIT_EXPECT_EQ(test, go3s_mmio_read8(&m, 63, &v8), 0);
		KUNIT_EXPECT_EQ(test, v8, 0x11);
	}
	KUNIT_EXPECT_EQ(test, go3s_mmio_read64(&m, 60, &v64), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_mmio_read32(&m, 64, &v32), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_mmio_write8(&m, 64, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_mmio_write32(&m, U64_MAX - 1, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, go3s_mmio_read32(&m, 2, &v32), -EINVAL);	/* unaligned */
	KUNIT_EXPECT_EQ(test, go3s_mmio_read32(&m, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, mem[0], 0ULL);		/* nothing else written */
}

/*
 * The register reads through the allowlist, per architecture: x86's MSRs,
 * arm64's system registers, riscv64's CSRs (arch/<arch>/), each with the
 * same errnos: -EPERM off the allowlist, -EINVAL for a NULL value.
 */
#if defined(CONFIG_UML)
static void msr_allowlist(struct kunit *test)
{
	u64 v = 0;

	KUNIT_EXPECT_EQ(test, go3s_msr_read(0x1b, &v), -EOPNOTSUPP);
}
#elif defined(CONFIG_X86_64)
static void msr_allowlist(struct kunit *test)
{
	u64 v = 0;

	KUNIT_ASSERT_EQ(test, go3s_msr_read(0x1b, &v), 0);	/* IA32_APIC_BASE */
	KUNIT_EXPECT_EQ(test, v & 0xfffff000ULL, 0xfee00000ULL);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(0x3a, &v), -EPERM);	/* not allowed */
	KUNIT_EXPECT_EQ(test, go3s_msr_read(0xc0000080, &v), -EPERM);	/* EFER */
	KUNIT_EXPECT_EQ(test, go3s_msr_read(0x1b, NULL), -EINVAL);
}
#elif defined(CONFIG_ARM64)
static void msr_allowlist(struct kunit *test)
{
	u64 v = 0, t0 = 0, t1 = 0;

	KUNIT_ASSERT_EQ(test, go3s_msr_read(SYS_MIDR_EL1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)read_cpuid_id());
	KUNIT_ASSERT_EQ(test, go3s_msr_read(SYS_CNTFRQ_EL0, &v), 0);
	KUNIT_EXPECT_NE(test, v, 0ULL);
	KUNIT_ASSERT_EQ(test, go3s_msr_read(SYS_CNTVCT_EL0, &t0), 0);
	KUNIT_ASSERT_EQ(test, go3s_msr_read(SYS_CNTVCT_EL0, &t1), 0);
	KUNIT_EXPECT_GE(test, t1, t0);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(SYS_TCR_EL1, &v), -EPERM);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(SYS_SCTLR_EL1, &v), -EPERM);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(SYS_MIDR_EL1, NULL), -EINVAL);
}
#elif defined(CONFIG_RISCV)
static void msr_allowlist(struct kunit *test)
{
	u64 v = 0, t0 = 0, t1 = 0;
	int ret;

	KUNIT_ASSERT_EQ(test, go3s_msr_read(CSR_TIME, &t0), 0);
	KUNIT_ASSERT_EQ(test, go3s_msr_read(CSR_TIME, &t1), 0);
	KUNIT_EXPECT_GE(test, t1, t0);
	KUNIT_EXPECT_NE(test, t1, 0ULL);
	KUNIT_ASSERT_EQ(test, go3s_msr_read(CSR_MARCHID, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)sbi_get_marchid());
	/* The firmware may forbid the counter: a trap is -EIO, never an oops. */
	ret = go3s_msr_read(CSR_HPMCOUNTER3, &v);
	KUNIT_EXPECT_TRUE(test, ret == 0 || ret == -EIO);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(CSR_SATP, &v), -EPERM);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(CSR_SSTATUS, &v), -EPERM);
	KUNIT_EXPECT_EQ(test, go3s_msr_read(CSR_TIME, NULL), -EINVAL);
}
#endif

static void mid_checks_arguments(struct kunit *test)
{
	u8 buf[16];

	KUNIT_EXPECT_EQ(test, PTR_ERR(go3s_mid_create(NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_map(NULL, 0, buf, PAGE_SIZE, GO3S_MID_RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_unmap(NULL, 0, PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_query(NULL, 0, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, go3s_mid_faults(NULL, NULL), 0ULL);
	KUNIT_EXPECT_EQ(test, go3s_mid_caps(NULL), 0U);
	KUNIT_EXPECT_EQ(test, go3s_mid_on_fault(NULL, NULL, NULL), -EINVAL);
	go3s_mid_destroy(NULL);
}

static struct kunit_case go3s_hal_cases[] = {
	KUNIT_CASE(mmio_refuses_out_of_bounds),
	KUNIT_CASE(msr_allowlist),
	KUNIT_CASE(mid_checks_arguments),
	{}
};

static struct kunit_suite go3s_hal_suite = {
	.name = "go3s_hal",
	.test_cases = go3s_hal_cases,
};

kunit_test_suite(go3s_hal_suite);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite go3s_hal: MMIO, MSR and MID checks");
MODULE_VERSION("0.1.0");
