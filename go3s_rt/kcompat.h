/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel interfaces that differ between the releases go3s_rt supports
 * (6.1 LTS and 6.12, PREEMPT_RT included), used inside the runtime only;
 * what client modules see is in <go3s/compat.h>. Each test names the
 * release that changed the interface; the newer form is the one the code
 * is written against.
 */
#ifndef _GO3S_KCOMPAT_H
#define _GO3S_KCOMPAT_H

#include <go3s/compat.h>

/*
 * Kconfig says so in-tree; out of tree (DKMS) this does. Debian's arm64
 * and riscv64 kernels (PREEMPT_VOLUNTARY, no PREEMPT_DYNAMIC) have
 * neither: there the runtime loads with that check weakened and says so
 * (go3s_sched_init()).
 */
#if !defined(CONFIG_PREEMPT_COUNT) && !defined(CONFIG_LOCKDEP) && \
	!defined(CONFIG_ARM64) && !defined(CONFIG_RISCV)
#error "go3s_rt needs CONFIG_PREEMPT_COUNT or lockdep to see held spinlocks"
#endif
#if !defined(CONFIG_X86_64) && !defined(CONFIG_ARM64) && \
	!(defined(CONFIG_RISCV) && defined(CONFIG_64BIT))
#error "go3s_rt has a context switch for x86_64, arm64 and riscv64 only"
#endif
/*
 * Each goroutine would need a shadow call stack of its own, and the
 * register that points at it switched (x18 on arm64, gp on riscv64).
 */
#ifdef CONFIG_SHADOW_CALL_STACK
#error "go3s_rt does not support SHADOW_CALL_STACK: see Documentation/arch.rst"
#endif

#ifdef __ASSEMBLY__

/* 6.4 renamed objtool's UNWIND_HINT_EMPTY to UNWIND_HINT_END_OF_STACK. */
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML) && !GO3S_KERNEL_AT_LEAST(6, 4)
#include <asm/unwind_hints.h>
#define UNWIND_HINT_END_OF_STACK	UNWIND_HINT_EMPTY
#endif

#else /* !__ASSEMBLY__ */

#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/preempt.h>
#include <linux/string_helpers.h>
#include <linux/trace.h>

/*
 * trace_array_get_by_name() takes the event systems to give the instance
 * since 6.7 (NULL: all of them); before, an instance always has them all.
 */
static inline struct trace_array *
go3s_trace_array_get(const char *name, const char *systems)
{
#if GO3S_KERNEL_AT_LEAST(6, 7)
	return trace_array_get_by_name(name, systems);
#else
	return trace_array_get_by_name(name);
#endif
}

/* 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>. */
#if GO3S_KERNEL_AT_LEAST(6, 12)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * May memory be freed here? On PREEMPT_RT the slab allocator takes
 * sleeping locks: not in hard IRQ, nor with preemption or interrupts
 * disabled (a raw spinlock held). Such frees go through RCU instead,
 * whose call_rcu() and kvfree_rcu() are safe there.
 */
static inline bool go3s_free_now_ok(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible();
}

/* <linux/string_choices.h> (6.2+) defines it the same way. */
#ifndef str_write_read
#define str_write_read(v)	str_read_write(!(v))
#endif

/*
 * An unmanaged paging domain for @dev: iommu_paging_domain_alloc() since
 * 6.11 returns an ERR_PTR; iommu_domain_alloc(bus) before returns NULL.
 */
static inline struct iommu_domain *go3s_iommu_domain_alloc(struct device *dev)
{
#if GO3S_KERNEL_AT_LEAST(6, 11)
	return iommu_paging_domain_alloc(dev);
#else
	struct iommu_domain *domain = iommu_domain_alloc(dev->bus);

	return domain ?: ERR_PTR(-ENOMEM);
#endif
}

/* iommu_map() takes a gfp since 6.3; before, it always used GFP_KERNEL. */
static inline int go3s_iommu_map(struct iommu_domain *domain, unsigned long iova,
				 phys_addr_t paddr, size_t size, int prot)
{
#if GO3S_KERNEL_AT_LEAST(6, 3)
	return iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL);
#else
	return iommu_map(domain, iova, paddr, size, prot);
#endif
}

/*
 * DMA ownership of @dev. The per-device calls came in 6.2; before, only
 * the group could be claimed, which is the same thing for the
 * one-device groups a MID accepts.
 */
static inline int go3s_iommu_claim_dma_owner(struct device *dev, void *owner)
{
#if GO3S_KERNEL_AT_LEAST(6, 2)
	return iommu_device_claim_dma_owner(dev, owner);
#else
	struct iommu_group *group = iommu_group_get(dev);
	int ret;

	if (!group)
		return -ENODEV;
	ret = iommu_group_claim_dma_owner(group, owner);
	iommu_group_put(group);
	return ret;
#endif
}

static inline void go3s_iommu_release_dma_owner(struct device *dev)
{
#if GO3S_KERNEL_AT_LEAST(6, 2)
	iommu_device_release_dma_owner(dev);
#else
	struct iommu_group *group = iommu_group_get(dev);

	if (group) {
		iommu_group_release_dma_owner(group);
		iommu_group_put(group);
	}
#endif
}

#endif /* !__ASSEMBLY__ */
#endif /* _GO3S_KCOMPAT_H */
