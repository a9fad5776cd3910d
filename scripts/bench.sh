#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: run go3s_bench built into a UML kernel without debug options
# (native instruction speed, one CPU), then as a module in a VM running the
# stock Debian 6.12 kernel (-smp 4, TCG), then the block sample against brd
# and null_blk with fio in another such VM. Prints the BENCH lines of all.
# GO3S_BENCH_STAGES="uml vm blk" (the default) picks the stages, and
# GO3S_BENCH_ONLY (e.g. "net,sched") the groups the VM stage runs; the line
# count is only checked when all three ran. GO3S_BENCH_APPEND adds to the
# VMs' kernel command line, e.g. "go3s_rt.flight=0 go3s_rt.latency=0" to
# measure what the flight recorder and the histograms cost.
# GO3S_BLK_REPS (default 5) and GO3S_BLK_RUNTIME (default 3 s per cell)
# shorten the blk stage; GO3S_BENCH_APPEND reaches its VM too, and
# GO3S_BLK_AB=PARAM=VALUE adds go3s_blk run with that writable go3s_rt
# parameter, interleaved with the default (BENCH-NOTE ab lines).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

stages=${GO3S_BENCH_STAGES:-uml vm blk}
has_stage() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }
"$GO3S_ROOT/scripts/deps.sh"
bench_lines() { sed -n 's/^.*\(BENCH [a-z_0-9]* go3s_ns=.*\)$/\1/p' "$1"; }
out=$GO3S_OUT/bench
mkdir -p "$out"
: >"$out/bench.txt"

if has_stage uml; then
src=$(go3s_src)
go3s_link_tree "$src"
cfg=$GO3S_ROOT/kunit/bench.kunitconfig
GO3S_KEY_EXTRA=$(basename "$src")
build=$GO3S_CACHE/uml-bench-$(go3s_key "$cfg")
mkdir -p "$build"

go3s_stage "benchmarks in UML ($build)"
(cd "$src" && python3 tools/testing/kunit/kunit.py run --kunitconfig="$cfg" \
	--build_dir="$build" --jobs="$GO3S_JOBS" --timeout=900) \
	>"$out/uml.log" 2>&1 || go3s_die "the UML run failed, see $out/uml.log"
bench_lines "$build/test.log" | tee -a "$out/bench.txt"
go3s_stage_done
fi

kdir=$(go3s_stock_kdir)
if has_stage vm || has_stage blk; then
	go3s_build_modules "$kdir" "$GO3S_OUT/stock"
fi

if has_stage vm; then
go3s_stage "benchmarks in a VM: stock $(go3s_stock_release), 4 CPUs"
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-bench.sh" \
	lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh" \
	lib/go3s/go3s_rt.ko="$GO3S_OUT/stock/src/go3s_rt.ko" \
	lib/go3s/go3s_bench.ko="$GO3S_OUT/stock/src/go3s_bench.ko"
go3s_qemu "$out/vm.log" 900 "$(go3s_stock_vmlinuz)" "$out/initrd.gz" \
	"quiet intel_iommu=on${GO3S_BENCH_ONLY:+ go3s_bench_only=$GO3S_BENCH_ONLY} ${GO3S_BENCH_APPEND:-}" \
	-smp 4 -device intel-iommu,intremap=on \
	-machine kernel-irqchip=split -device edu >/dev/null || true
{ bench_lines "$out/vm.log"; grep -a '^BENCH-NOTE ' "$out/vm.log" || true; } |
	tee -a "$out/bench.txt"
go3s_stage_done
fi

if has_stage blk; then
go3s_stage "block benchmarks in a VM: go3s_blk, brd, null_blk with fio, 4 CPUs"
files=(lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh"
       lib/go3s/go3s_rt.ko="$GO3S_OUT/stock/src/go3s_rt.ko"
       lib/go3s/go3s_blk.ko="$GO3S_OUT/stock/src/samples/blk/go3s_blk.ko")
go3s_blk_files "$(go3s_stock_release)" "$out" files
"$GO3S_ROOT/scripts/vm/mkinitramfs.sh" "$out/blk-initrd.gz" \
	"$GO3S_ROOT/scripts/vm/init-blkbench.sh" "${files[@]}"
# GO3S_BLK_REPS and GO3S_BLK_RUNTIME (seconds per cell), for a quick
# look, reach the VM's /init as environment variables.
go3s_qemu "$out/blk.log" 1800 "$(go3s_stock_vmlinuz)" "$out/blk-initrd.gz" \
	"quiet${GO3S_BLK_REPS:+ GO3S_BLK_REPS=$GO3S_BLK_REPS}${GO3S_BLK_RUNTIME:+ GO3S_BLK_RUNTIME=$GO3S_BLK_RUNTIME}${GO3S_BLK_AB:+ GO3S_BLK_AB=$GO3S_BLK_AB} ${GO3S_BENCH_APPEND:-}" \
	-smp 4 >/dev/null || true
{ bench_lines "$out/blk.log"; grep -a '^BENCH-NOTE ' "$out/blk.log"; } |
	tee -a "$out/bench.txt"
go3s_stage_done
fi

# go3s_bench prints 31 lines (3 of them net), the block benchmark 8 (and 4 notes).
if [ "$stages" = "uml vm blk" ]; then
	[ "$(grep -c '^BENCH ' "$out/bench.txt")" -ge 39 ] ||
		go3s_die "missing BENCH lines (logs in $out)"
fi
