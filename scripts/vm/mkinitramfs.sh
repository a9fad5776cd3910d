#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh OUT.cpio.gz INIT [DEST=SRC ...]
# A busybox initramfs: INIT becomes /init, each SRC is copied to DEST.
# GO3S_BUSYBOX: another static busybox (the arm64 or riscv64 VM's), not
# /bin/busybox.
set -euo pipefail

out=$1 init=$2
shift 2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/go3s}
busybox=${GO3S_BUSYBOX:-/bin/busybox}
cp "$busybox" "$root/bin/busybox"
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi
for applet in sh mount umount insmod rmmod lsmod cat echo grep sed dmesg \
	      poweroff sleep ls mkdir head tail wc tr cut; do
	ln -s busybox "$root/bin/$applet"
done
cp "$init" "$root/init"
chmod 755 "$root/init"
for spec in "$@"; do
	dest=${spec%%=*} src=${spec#*=}
	mkdir -p "$root/$(dirname "$dest")"
	cp "$src" "$root/$dest"
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
