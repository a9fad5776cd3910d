#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package go3s_rt needs to build, test and benchmark.
# Idempotent: installs only what is missing; safe to run on every invocation.
set -euo pipefail

PKGS=(
	build-essential bc bison flex cpio kmod xz-utils zstd rsync python3 procps
	libelf-dev libssl-dev dwarves
	linux-headers-6.12-amd64 linux-image-6.12-amd64 linux-source-6.12
	linux-source-6.1
	linux-headers-amd64 linux-image-amd64	# Debian 12's 6.1 LTS
	linux-headers-6.12-rt-amd64 linux-image-6.12-rt-amd64
	dkms dh-dkms debhelper lintian
	qemu-system-x86 busybox-static
	sparse clang lld llvm fio e2fsprogs util-linux linux-perf file
	gccgo-12	# modules written in Go (scripts/go3s-build)
	coccinelle python3-sphinx
	# arm64 and riscv64: cross compilers and the VMs (scripts/cross-stock.sh
	# fetches their kernels itself, privately); OpenSBI is riscv64's firmware
	gcc-aarch64-linux-gnu gccgo-12-aarch64-linux-gnu qemu-system-arm
	gcc-riscv64-linux-gnu gccgo-12-riscv64-linux-gnu qemu-system-misc opensbi
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# linux-source ships as a tarball: unpack each once into the cache, 6.12
# in src/<version> (the UML, debug and check builds), 6.1 in
# src-6.1/<version> (the 6.1 UML build). scripts/lib.sh's go3s_src names
# them.
CACHE=${GO3S_CACHE:-$HOME/.cache/go3s}
for series in 6.12 6.1; do
	tarball=/usr/src/linux-source-$series.tar.xz
	[ -f "$tarball" ] || { echo "deps: $tarball not found" >&2; exit 1; }
	ver=$(dpkg-query -W -f='${Version}' "linux-source-$series" | tr -c "A-Za-z0-9.+\n-" _)
	dir=$CACHE/src
	[ "$series" = 6.12 ] || dir=$CACHE/src-$series
	src="$dir/$ver"
	if [ ! -f "$src/.unpacked" ]; then
		echo "deps: unpacking $tarball ($ver) into $src"
		rm -rf "$src" "$dir/linux-source-$series"
		mkdir -p "$dir"
		tar -C "$dir" -xf "$tarball"
		mv "$dir/linux-source-$series" "$src"
		touch "$src/.unpacked"
	fi
done
