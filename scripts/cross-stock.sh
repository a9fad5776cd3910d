#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cross-stock.sh ARCH: a stock Debian 6.12 kernel for ARCH, its headers and
# a static busybox, for cross-building go3s_rt and booting it in QEMU.
#   arm64    Debian 12's (bookworm) arm64 kernel
#   riscv64  Debian 13's (trixie) riscv64 kernel: Debian 12 has none
# Prints the directory they are unpacked in:
#   usr/src/linux-headers-<release>   KDIR (ARCH=arm64 or ARCH=riscv)
#   boot/vmlinuz-<release>            the kernel QEMU boots (arm64)
#   boot/vmlinux-<release>            the same (riscv64: an Image with an
#                                     EFI stub, which QEMU's virt boots)
#   bin/busybox                       static, for the initramfs
#
# Nothing is installed system-wide and dpkg's architectures stay as they
# are: a private apt configuration (its own sources list, restricted to
# the target architecture and built from the host's own Debian mirrors,
# its own state and cache under $GO3S_CACHE/ARCH/apt) lists and downloads
# the packages, and dpkg-deb -x unpacks them into $GO3S_CACHE/ARCH/<key>.
# That directory is keyed by the package versions: a new kernel upload
# gets a new one, and a missing one is rebuilt from nothing. The package
# lists are refreshed once a day; offline, the newest unpacked tree is
# used.
#
# The headers' scripts/ (fixdep, modpost, ...) are target binaries; they
# are pointed at amd64 build tools of the same kernel version:
# - arm64: the host's linux-kbuild-<abi>, which scripts/deps.sh installs
#   with the amd64 headers (the same Debian 12 package);
# - riscv64: Debian 13's amd64 linux-kbuild-<abi>, fetched and unpacked
#   with the rest. Its programs are built against Debian 13's glibc:
#   those needing a newer glibc than the host's (modpost asks for 2.38's
#   __isoc23_strtoul) are replaced by the same programs from the host's
#   linux-kbuild of the same upstream version (Debian 12's build of the
#   same source); without one, the script stops and says so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-}
series=6.12
case $arch in
arm64) suites='bookworm(-updates|-security)?' debarch=arm64 meta=linux-image-$series-arm64 ;;
# trixie's main suite only: its kernel moves at point releases, and a
# host on Debian 12 lists no trixie-security mirror of its own.
riscv64) suites='bookworm' debarch=riscv64 meta=linux-image-riscv64 ;;
*) go3s_die "usage: $0 arm64|riscv64" ;;
esac
base=$GO3S_CACHE/$arch
apt_dir=$base/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,sources.d,prefs.d} "$apt_dir"/state
# Its apt state is rewritten at every call: one caller at a time (make
# test's two lanes both use the arm64 tree).
exec 9>"$base/.lock"
flock 9

# The host's Debian mirrors (deb822 .sources or one-line lists): only
# their URIs and suites are reused, so no mirror is named here.
sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\)[[:space:]]\+\([^[:space:]]*\)[[:space:]]\+.*main.*/\2 \3/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^$/ { flush() } /^Types:/ { t = $0 ~ /deb( |$)/ }
		     /^URIs:/ { u = $2 } /^Suites:/ { s = ""; for (i = 2; i <= NF; i++) s = s " " $i }
		     /^Components:/ { c = $0 ~ /main/ }
		     function flush(  n, a, i) { if (t && c && u != "") { n = split(s, a, " ");
			for (i = 1; i <= n; i++) print u, a[i] } t = c = 0; u = s = "" }
		     END { flush() }' "$f"
	done
}
# riscv64 also lists amd64, for Debian 13's amd64 linux-kbuild.
archs=$debarch
[ "$arch" != riscv64 ] || archs=riscv64,amd64
list=$apt_dir/sources.list
sources | grep -E " $suites\$" | sort -u |
	{ if [ "$arch" = riscv64 ]; then sed 's/ bookworm$/ trixie/'; else cat; fi; } |
	sed "s/^\\([^ ]*\\) \\(.*\\)\$/deb [arch=$archs signed-by=\\/usr\\/share\\/keyrings\\/debian-archive-keyring.gpg] \\1 \\2 main/" >"$list.new"
[ -s "$list.new" ] || go3s_die "$arch: no Debian 12 (bookworm) source in /etc/apt"
mv "$list.new" "$list"
: >"$apt_dir/state/status"

apt_opts=(-o "APT::Architecture=$debarch" -o "APT::Architectures::=$debarch"
	  -o "Dir::Etc::SourceList=$list" -o "Dir::Etc::SourceParts=$apt_dir/sources.d"
	  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/prefs.d"
	  -o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/lists"
	  -o "Dir::State::status=$apt_dir/state/status"
	  -o "Dir::Cache=$apt_dir/cache" -o "Dir::Cache::Archives=$apt_dir/archives"
	  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -q)
[ "$arch" != riscv64 ] || apt_opts+=(-o "APT::Architectures::=amd64")

newest_tree() { ls -d "$base"/6.12* 2>/dev/null | sort -V | tail -n1; }

stamp=$apt_dir/lists/.updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ] || ! cmp -s "$list" "$apt_dir/lists/.sources"; then
	if apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1; then
		cp "$list" "$apt_dir/lists/.sources"
		touch "$stamp"
	elif [ -n "$(newest_tree)" ]; then
		echo "$arch: apt-get update failed (offline?): using $(newest_tree)" >&2
		newest_tree
		exit 0
	else
		cat "$apt_dir/update.log" >&2
		go3s_die "$arch: apt-get update failed"
	fi
fi

candidate() {
	apt-cache "${apt_opts[@]}" policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' || true
}
# The image metapackage depends on the versioned image: its ABI name.
abi=$(apt-cache "${apt_opts[@]}" depends "$meta" 2>/dev/null |
	sed -n "s/^ *Depends: linux-image-\\($series[^ ]*\\)-$debarch\$/\\1/p" | head -n1)
[ -n "$abi" ] || go3s_die "$arch: no $meta in the Debian lists"
rel=$abi-$debarch
if [ "$arch" = arm64 ]; then
	pkgs=("linux-image-$rel-unsigned" "linux-headers-$rel" "linux-headers-$abi-common"
	      busybox-static)
else
	pkgs=("linux-image-$rel" "linux-headers-$rel" "linux-headers-$abi-common"
	      busybox-static "linux-kbuild-$abi:amd64")
fi
key=$abi
for p in "${pkgs[@]}"; do
	v=$(candidate "$p")
	[ -n "$v" ] || go3s_die "$arch: package $p not found"
	key+="_$(echo "$p=$v" | sha256sum | cut -c1-4)"
done
tree=$base/$key
if [ -f "$tree/.unpacked" ]; then
	echo "$tree"
	exit 0
fi

# The amd64 kbuild tools of the same kernel version: the host's (arm64),
# or Debian 13's, unpacked into the tree (riscv64).
kbuild=/usr/lib/linux-kbuild-$abi
if [ "$arch" = arm64 ]; then
	[ -d "$kbuild/scripts" ] ||
		go3s_die "arm64: $kbuild is missing (linux-kbuild-$abi, amd64: scripts/deps.sh)"
else
	kbuild=$tree$kbuild
fi

echo "$arch: downloading ${pkgs[*]}" >&2
dl=$(mktemp -d)
trap 'rm -rf "$dl"' EXIT
(cd "$dl" && apt-get "${apt_opts[@]}" download "${pkgs[@]}" >&2)
rm -rf "$tree"
mkdir -p "$tree"
for deb in "$dl"/*.deb; do
	dpkg-deb -x "$deb" "$tree"
done

# riscv64: Debian 13's programs that need a newer glibc than the host's
# (GLIBC_x.y versions beyond the host's) give way to the host's
# linux-kbuild of the same upstream version, built from the same source.
glibc_too_new() {
	local need have
	need=$(objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' |
		sort -uV | tail -n1)
	have=$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)
	[ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -n1)" != "$have" ]
}
if [ "$arch" = riscv64 ]; then
	upstream=${abi%%+*}
	host_kbuild=$(ls -d /usr/lib/linux-kbuild-"$upstream"+* 2>/dev/null | head -n1 || true)
	while read -r f; do
		file -b "$f" | grep -q '^ELF' || continue
		glibc_too_new "$f" || continue
		rel_f=${f#"$kbuild"/}
		[ -n "$host_kbuild" ] && [ -x "$host_kbuild/$rel_f" ] ||
			go3s_die "riscv64: $rel_f of linux-kbuild-$abi needs a newer glibc than the host's, and no host linux-kbuild-$upstream+* has it (install Debian 12's linux-kbuild of upstream $upstream, or build scripts/ from linux-source $upstream)"
		cp "$host_kbuild/$rel_f" "$f"
		echo "riscv64: $rel_f from $host_kbuild (Debian 13's needs a newer glibc)" >&2
	done < <(find "$kbuild/scripts" -type f -perm -u+x)
fi

# The headers include /usr/src/linux-headers-<abi>-common/Makefile and
# both directories link scripts/ and tools/ to linux-kbuild-<abi> (target
# binaries there): point the first at the tree's copy, the links at the
# amd64 tools.
hdr=$tree/usr/src/linux-headers-$rel
common=$tree/usr/src/linux-headers-$abi-common
sed -i "s|^include /usr/src/|include $tree/usr/src/|" "$hdr/Makefile"
for l in scripts tools; do
	ln -sfn "$kbuild/$l" "$hdr/$l"
	ln -sfn "$kbuild/$l" "$common/$l"
done
[ -x "$hdr/scripts/basic/fixdep" ] || go3s_die "$arch: $hdr/scripts has no host fixdep"
{ "$hdr/scripts/basic/fixdep" 2>&1 || true; } | grep -q Usage ||
	go3s_die "$arch: $hdr/scripts/basic/fixdep does not run here"
[ -f "$tree/boot/vmlinuz-$rel" ] || [ -f "$tree/boot/vmlinux-$rel" ] ||
	go3s_die "$arch: no vmlinuz-$rel in the image package"
# Debian 13's busybox-static is in /usr/bin (merged /usr).
if [ ! -e "$tree/bin/busybox" ] && [ -x "$tree/usr/bin/busybox" ]; then
	mkdir -p "$tree/bin"
	ln -s ../usr/bin/busybox "$tree/bin/busybox"
fi
[ -x "$tree/bin/busybox" ] || go3s_die "$arch: no busybox in busybox-static"
touch "$tree/.unpacked"
# Older trees of other versions go.
for d in "$base"/6.12*; do
	[ "$d" = "$tree" ] || rm -rf "$d"
done
echo "$tree"
