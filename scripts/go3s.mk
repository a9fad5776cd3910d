# SPDX-License-Identifier: GPL-2.0
#
# The Kbuild of a kernel module written in Go is one line:
#	include $(src)/../../scripts/go3s.mk
# (the path to this file). Next to it: go3s.manifest (the module's name,
# description, init and exit functions) and the package's *.go files.
# scripts/go3s-build compiles them with gccgo and the kernel's
# code-generation flags into go3s_go.o, refuses Go features go3s_rt does
# not implement, and writes the module's C part, go3s_gomod.c.
# Documentation/go.rst says more.

go3s-dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
go3s-mod := $(shell sed -n 's/^module[[:space:]]*//p' $(src)/go3s.manifest)

ccflags-y += -I$(go3s-dir)/include -D'pr_fmt(fmt)=KBUILD_MODNAME ": " fmt'
obj-m := $(go3s-mod).o
$(go3s-mod)-y := go3s_go.o go3s_gomod.o
targets += go3s_go.o go3s_gomod.c
clean-files := go3s_gomod.c

quiet_cmd_go3s_build = GO3S    $@
      cmd_go3s_build = $(PYTHON3) $(go3s-dir)/scripts/go3s-build compile \
			--cflags '$(KBUILD_CFLAGS) $(if $(CONFIG_KASAN),$(CFLAGS_KASAN))' \
			--obj $@ \
			--c $(obj)/go3s_gomod.c $(src)

$(obj)/go3s_go.o: $(wildcard $(src)/*.go) $(src)/go3s.manifest \
		  $(go3s-dir)/scripts/go3s-build $(go3s-dir)/scripts/go3s-symbols FORCE
	$(call if_changed,go3s_build)

# Written with go3s_go.o.
$(obj)/go3s_gomod.c: $(obj)/go3s_go.o
	@:
