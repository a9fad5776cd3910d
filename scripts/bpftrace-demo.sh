#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bpftrace-demo: the bpftrace one-liners of
# Documentation/observability.rst (parks by reason, a histogram of
# channel block time) over samples/channels in the stock 6.12 VM. Not a
# make test stage: bpftrace and LLVM make an initramfs of about 80 MB.
# Needs bpftrace on the host (apt-get install bpftrace).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$GO3S_OUT/bpftrace
mkdir -p "$out"
bt=$(command -v bpftrace) ||
	go3s_die "bpftrace is missing: apt-get install bpftrace (Debian 12 has 0.17)"
kdir=$(go3s_stock_kdir)

go3s_stage "build go3s_rt.ko and the samples against $kdir"
go3s_build_modules "$kdir" "$GO3S_OUT/stock"
go3s_stage_done

go3s_stage "pack an initramfs with bpftrace and its libraries"
files=(lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh"
       lib/go3s/go3s_rt.ko="$GO3S_OUT/stock/src/go3s_rt.ko"
       lib/go3s/go3s_channels.ko="$GO3S_OUT/stock/src/samples/channels/go3s_channels.ko")
go3s_bin_files files "$bt"
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-bpftrace.sh" "${files[@]}"
ls -l "$out/initrd.gz" | sed 's/^/  /'
go3s_stage_done

go3s_stage "boot the stock kernel and run the one-liners"
go3s_qemu "$out/console.log" 900 "$(go3s_stock_vmlinuz)" "$out/initrd.gz" \
	"quiet" -smp 2 >/dev/null || true
sed -n '/^--- /,/^GO3S-END/p' "$out/console.log" | grep -v '^GO3S-END'
grep -q '^GO3S-END' "$out/console.log" ||
	go3s_die "the VM did not complete (console: $out/console.log)"
! grep -q '^GO3S-CHECK fail' "$out/console.log"
