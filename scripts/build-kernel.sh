#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the x86_64 debug test kernel: tinyconfig plus
# scripts/kconfig/debug-x86_64.config, from linux-source-6.12.
# The build lives in ~/.cache/go3s/kernel-debug-<key>, keyed by the source
# version and the fragment's contents; prints that directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frag=$GO3S_ROOT/scripts/kconfig/debug-x86_64.config
src=$(go3s_src)
[ -f "$src/.unpacked" ] || go3s_die "kernel source missing: run scripts/deps.sh"
go3s_link_tree "$src"
GO3S_KEY_EXTRA=$(basename "$src")
out=$GO3S_CACHE/kernel-debug-$(go3s_key "$frag")

if [ -f "$out/.go3s-built" ]; then
	echo "$out"
	exit 0
fi

log=$GO3S_CACHE/kernel-debug.log
echo "building the debug kernel in $out (log: $log); takes ~10 min on 2 cores" >&2
rm -rf "$out"
mkdir -p "$out"
{
	make -C "$src" O="$out" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag"
	make -C "$src" O="$out" olddefconfig
} >"$log" 2>&1 || go3s_die "configuring the debug kernel failed, see $log"

# Every option the fragment asks for must survive olddefconfig.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		grep -q "^$opt=" "$out/.config" && { echo "config: $opt still set" >&2; bad=1; } ;;
	CONFIG_*) grep -qx "$line" "$out/.config" || { echo "config: $line not applied" >&2; bad=1; } ;;
	esac
done <"$frag"
[ $bad -eq 0 ] || go3s_die "the debug kernel config lost options (see above)"

make -C "$src" O="$out" -j"$GO3S_JOBS" bzImage modules >>"$log" 2>&1 ||
	go3s_die "building the debug kernel failed, see $log"
make -C "$src" O="$out" INSTALL_MOD_PATH="$out/modroot" modules_install >>"$log" 2>&1 ||
	go3s_die "installing the debug kernel modules failed, see $log"
touch "$out/.go3s-built"
echo "$out"
