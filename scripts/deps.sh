#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package go3s_rt needs to build, test and benchmark.
# Idempotent: installs only what is missing; safe to run on every invocation.
set -euo pipefail

PKGS=(
	build-essential bc bison flex cpio kmod xz-utils zstd rsync python3
	libelf-dev libssl-dev dwarves
	linux-headers-6.12-amd64 linux-image-6.12-amd64 linux-source-6.12
	qemu-system-x86 busybox-static
	sparse clang lld llvm fio e2fsprogs util-linux
	coccinelle python3-sphinx
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

# linux-source ships as a tarball: unpack it once into the cache.
CACHE=${GO3S_CACHE:-$HOME/.cache/go3s}
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || { echo "deps: $tarball not found" >&2; exit 1; }
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 | tr -c "A-Za-z0-9.+\n-" _)
src="$CACHE/src/$ver"
if [ ! -f "$src/.unpacked" ]; then
	echo "deps: unpacking $tarball ($ver) into $src"
	rm -rf "$src" "$CACHE/src/linux-source-6.12"
	mkdir -p "$CACHE/src"
	tar -C "$CACHE/src" -xf "$tarball"
	mv "$CACHE/src/linux-source-6.12" "$src"
	touch "$src/.unpacked"
fi
