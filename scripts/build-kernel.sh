#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) a debug test kernel from linux-source-6.12: tinyconfig
# plus scripts/kconfig/debug-<arch>.config.
#   build-kernel.sh [--arch x86_64|arm64|riscv64]
# x86_64 (the default) is native; arm64 and riscv64 are cross-built with
# Debian's gcc-aarch64-linux-gnu and gcc-riscv64-linux-gnu.
# The build lives in ~/.cache/go3s/kernel-debug[-<arch>]-<key>, keyed by
# the source version and the fragment's contents; prints that directory on
# stdout. Cross builds also print their make arguments in
# <dir>/go3s-make-args, one per line, for the modules built against them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=x86_64
case "${1:-}" in
--arch) arch=${2:?--arch needs an architecture} ;;
"") ;;
*) go3s_die "usage: $0 [--arch x86_64|arm64|riscv64]" ;;
esac
case $arch in
x86_64) kargs=() image=bzImage suffix= ;;
arm64) kargs=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) image=Image suffix=-arm64 ;;
riscv64) kargs=(ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-) image=Image suffix=-riscv64 ;;
*) go3s_die "unknown architecture $arch (x86_64, arm64, riscv64)" ;;
esac

frag=$GO3S_ROOT/scripts/kconfig/debug-$arch.config
src=$(go3s_src)
[ -f "$src/.unpacked" ] || go3s_die "kernel source missing: run scripts/deps.sh"
go3s_link_tree "$src"
GO3S_KEY_EXTRA=$(basename "$src")
out=$GO3S_CACHE/kernel-debug$suffix-$(go3s_key "$frag")

# One kernel build at a time (make test's lanes, a user's second shell):
# a second caller waits, then finds the kernel built.
mkdir -p "$GO3S_CACHE"
exec 9>"$GO3S_CACHE/.build-kernel.lock"
flock 9

if [ -f "$out/.go3s-built" ]; then
	echo "$out"
	exit 0
fi

log=$GO3S_CACHE/kernel-debug$suffix.log
echo "building the $arch debug kernel in $out (log: $log); takes ~10 min on 2 cores" >&2
rm -rf "$out"
mkdir -p "$out"
{
	make -C "$src" O="$out" "${kargs[@]}" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag"
	make -C "$src" O="$out" "${kargs[@]}" olddefconfig
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

make -C "$src" O="$out" "${kargs[@]}" -j"$GO3S_JOBS" "$image" modules >>"$log" 2>&1 ||
	go3s_die "building the $arch debug kernel failed, see $log"
make -C "$src" O="$out" "${kargs[@]}" INSTALL_MOD_PATH="$out/modroot" modules_install >>"$log" 2>&1 ||
	go3s_die "installing the $arch debug kernel modules failed, see $log"
printf '%s\n' "${kargs[@]}" >"$out/go3s-make-args"
touch "$out/.go3s-built"
echo "$out"
