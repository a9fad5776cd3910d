# SPDX-License-Identifier: GPL-2.0
#
# go3s_rt: the Makefile for people. Kbuild holds what kbuild builds.
#
#   make            build go3s_rt.ko (and the KUnit modules if KDIR has KUnit)
#                   and the samples against KDIR
#   make run        build, boot the stock Debian 6.12 kernel in QEMU, load
#                   go3s_rt and samples/hello, show what they print, unload
#                   (ARCH=arm64 or ARCH=riscv64: that kernel, cross-built)
#   make test       every test: check, KUnit on UML, debug VM, stock VM
#   make check      sparse (C=2), W=1, checkpatch --strict, kernel-doc and
#                   coccicheck; any warning fails
#   make docs       check the kernel-doc and render Documentation/ with it
#                   into .out/docs/html (scripts/docs.sh)
#   make coccicheck the kernel's semantic patches over the tree (report)
#   make coverage   line coverage of go3s_rt/, mid/ and arch/ per file and in
#                   total: KUnit on UML (clang) and the debug and MID VMs
#                   (gcov), merged (scripts/coverage.sh)
#   make bench      benchmarks against kernel baselines, in UML and a VM
#   make trace      run samples/channels (SAMPLE=name: another) in the stock
#                   VM with go3s:* recorded: .out/trace/trace.json for
#                   ui.perfetto.dev and .out/trace/trace.svg (go3s-trace)
#   make bpftrace-demo  the two bpftrace one-liners of
#                   Documentation/observability.rst in the stock VM
#                   (optional: bpftrace and LLVM make a ~80 MB initramfs)
#   make install    install the modules into KDIR's release and run depmod
#   make deb        the Debian source package and go3s-rt-dkms, lintian
#                   checked, in .out/deb (scripts/deb.sh)

ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/include/config/auto.conf),)
ifeq ($(shell uname -r | cut -d. -f1-2),6.12)
KDIR ?= /lib/modules/$(shell uname -r)/build
endif
endif
# The plain 6.12 headers, not the PREEMPT_RT ones (make KDIR=... for those).
KDIR ?= $(lastword $(sort $(filter-out %-rt-amd64,$(wildcard /usr/src/linux-headers-6.12*-amd64))))

# The KUnit suites are modules only where the target kernel has KUnit.
KUNIT_M := $(if $(shell grep -s '^CONFIG_KUNIT=[ym]' $(KDIR)/include/config/auto.conf),m)
# GO3S_DEBUG=1 builds the runtime with its debug checks (CONFIG_GO3S_DEBUG);
# the test harness does, production builds should not.
# GO3S_GCOV=1 profiles go3s_rt and the suites with gcov (Kbuild), for
# make test's coverage in the debug and MID VMs.
KBUILD_ARGS := CONFIG_GO3S=m CONFIG_GO3S_KUNIT_TEST=$(KUNIT_M) CONFIG_GO3S_BENCH=m \
	       CONFIG_GO3S_DEBUG=$(if $(GO3S_DEBUG),y) GO3S_GCOV=$(GO3S_GCOV)
SAMPLES := $(wildcard samples/*/Kbuild)

.PHONY: all modules samples clean install run test check coverage bench deps \
	docs coccicheck deb trace bpftrace-demo print-kdir

all: modules samples

deps:
	scripts/deps.sh

modules:
	@test -n "$(KDIR)" || { echo "no KDIR: run scripts/deps.sh"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

# Kbuild does not track KBUILD_EXTRA_SYMBOLS: a sample linked against an
# older Module.symvers would keep stale symbol CRCs: rerun its modpost.
samples: modules
	@set -e; for s in $(dir $(SAMPLES)); do \
		find $$s -name Module.symvers ! -newer Module.symvers -delete; \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/$$s \
			KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules; \
	done

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules_install
	depmod -a $(shell cat $(KDIR)/include/config/kernel.release)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	@for s in $(dir $(SAMPLES)); do $(MAKE) -C $(KDIR) M=$(CURDIR)/$$s clean; done
	rm -rf .out

# make run ARCH=arm64 (or riscv64): the same on Debian's stock arm64
# (riscv64) kernel in qemu-system-aarch64 (riscv64), cross-built
# (Documentation/arch.rst).
run:
	scripts/run.sh $(if $(filter arm64 riscv64,$(ARCH)),--arch $(ARCH))

# For scripts/go3s-build: the kernel the samples are built against.
print-kdir:
	@echo $(KDIR)

test:
	scripts/test.sh

check:
	scripts/check.sh $(KDIR)

docs:
	scripts/docs.sh

coccicheck:
	scripts/coccicheck.sh

coverage:
	scripts/coverage.sh

bench:
	scripts/bench.sh

trace:
	scripts/trace.sh $(SAMPLE)

bpftrace-demo:
	scripts/bpftrace-demo.sh

deb:
	scripts/deb.sh
