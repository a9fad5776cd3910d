#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make trace [SAMPLE=name]: run one sample (channels by default) in the
# stock 6.12 VM with the go3s:* tracepoints recorded, and turn the
# recording into .out/trace/trace.json (ui.perfetto.dev) and
# .out/trace/trace.svg with scripts/go3s-trace.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sample=${1:-channels}
out=$GO3S_OUT/trace
mkdir -p "$out"
kdir=$(go3s_stock_kdir)
[ -n "$kdir" ] || go3s_die "no 6.12 headers: run scripts/deps.sh"

go3s_stage "build go3s_rt.ko and the samples against $kdir"
go3s_build_modules "$kdir" "$GO3S_OUT/stock"
ko=$GO3S_OUT/stock/src/samples/$sample/go3s_$sample.ko
[ -e "$ko" ] || go3s_die "no sample $sample ($ko)"
go3s_stage_done

go3s_stage "record go3s:* while go3s_$sample runs (stock VM, 2 CPUs)"
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-trace.sh" \
	lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh" \
	lib/go3s/go3s_rt.ko="$GO3S_OUT/stock/src/go3s_rt.ko" \
	"lib/go3s/go3s_$sample.ko=$ko"
go3s_qemu "$out/console.log" 600 "$(go3s_stock_vmlinuz)" "$out/initrd.gz" \
	"quiet sample=$sample" -smp 2 >/dev/null || true
grep '^GO3S-CHECK ' "$out/console.log" | sed 's/^GO3S-CHECK /  /'
grep -q '^GO3S-END' "$out/console.log" ||
	go3s_die "the VM did not complete (console: $out/console.log)"
sed -n '/^GO3S-TRACE-BEGIN/,/^GO3S-TRACE-END/{/^GO3S-TRACE-/d;p}' \
	"$out/console.log" >"$out/trace.txt"
go3s_stage_done

go3s_stage "convert ($out/trace.txt)"
"$GO3S_ROOT/scripts/go3s-trace" convert "$out/trace.txt" -o "$out" \
	--title "go3s_$sample in the stock 6.12 VM (2 CPUs, TCG)"
go3s_stage_done
