#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# arm64-stock.sh: Debian 12's stock arm64 6.12 kernel, its headers and an
# arm64 busybox, for cross-building go3s_rt and booting it in
# qemu-system-aarch64. Prints the directory they are unpacked in:
#   usr/src/linux-headers-<release>   KDIR (ARCH=arm64)
#   boot/vmlinuz-<release>            the kernel QEMU boots
#   bin/busybox                       static, for the initramfs
#
# Nothing is installed system-wide and dpkg's architectures stay as they
# are: a private apt configuration (its own sources list, restricted to
# [arch=arm64] and built from the host's own Debian mirrors, its own state
# and cache under $GO3S_CACHE/arm64/apt) lists and downloads the packages,
# and dpkg-deb -x unpacks them into $GO3S_CACHE/arm64/<versions>. That
# directory is keyed by the package versions: a new kernel upload gets a
# new one, and a missing one is rebuilt from nothing. The package lists
# are refreshed once a day; offline, the newest unpacked tree is used.
#
# The headers' scripts/ (fixdep, modpost, ...) are arm64 binaries; they
# are pointed at the host's amd64 linux-kbuild of the same version, which
# scripts/deps.sh installs with the amd64 headers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=6.12
base=$GO3S_CACHE/arm64
apt_dir=$base/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,sources.d,prefs.d} "$apt_dir"/state

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
list=$apt_dir/sources.list
sources | grep -E ' bookworm(-updates|-security)?$' | sort -u |
	sed 's/^\([^ ]*\) \(.*\)$/deb [arch=arm64 signed-by=\/usr\/share\/keyrings\/debian-archive-keyring.gpg] \1 \2 main/' >"$list.new"
[ -s "$list.new" ] || go3s_die "arm64: no Debian 12 (bookworm) source in /etc/apt"
mv "$list.new" "$list"
: >"$apt_dir/state/status"

apt_opts=(-o "APT::Architecture=arm64" -o "APT::Architectures::=arm64"
	  -o "Dir::Etc::SourceList=$list" -o "Dir::Etc::SourceParts=$apt_dir/sources.d"
	  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/prefs.d"
	  -o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/lists"
	  -o "Dir::State::status=$apt_dir/state/status"
	  -o "Dir::Cache=$apt_dir/cache" -o "Dir::Cache::Archives=$apt_dir/archives"
	  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -q)

newest_tree() { ls -d "$base"/6.12* 2>/dev/null | sort -V | tail -n1; }

stamp=$apt_dir/lists/.updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ] || ! cmp -s "$list" "$apt_dir/lists/.sources"; then
	if apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1; then
		cp "$list" "$apt_dir/lists/.sources"
		touch "$stamp"
	elif [ -n "$(newest_tree)" ]; then
		echo "arm64: apt-get update failed (offline?): using $(newest_tree)" >&2
		newest_tree
		exit 0
	else
		cat "$apt_dir/update.log" >&2
		go3s_die "arm64: apt-get update failed"
	fi
fi

candidate() {
	apt-cache "${apt_opts[@]}" policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' || true
}
# linux-image-6.12-arm64 depends on the versioned image: its ABI name.
abi=$(apt-cache "${apt_opts[@]}" depends "linux-image-$series-arm64" 2>/dev/null |
	sed -n "s/^ *Depends: linux-image-\\($series[^ ]*\\)-arm64\$/\\1/p" | head -n1)
[ -n "$abi" ] || go3s_die "arm64: no linux-image-$series-arm64 in the Debian 12 lists"
rel=$abi-arm64
pkgs=("linux-image-$rel-unsigned" "linux-headers-$rel" "linux-headers-$abi-common"
      busybox-static)
key=$abi
for p in "${pkgs[@]}"; do
	v=$(candidate "$p")
	[ -n "$v" ] || go3s_die "arm64: package $p not found"
	key+="_$(echo "$p=$v" | sha256sum | cut -c1-4)"
done
tree=$base/$key
if [ -f "$tree/.unpacked" ]; then
	echo "$tree"
	exit 0
fi

# The amd64 kbuild tools of the same kernel version.
kbuild=/usr/lib/linux-kbuild-$abi
[ -d "$kbuild/scripts" ] ||
	go3s_die "arm64: $kbuild is missing (linux-kbuild-$abi, amd64: scripts/deps.sh)"

echo "arm64: downloading ${pkgs[*]}" >&2
dl=$(mktemp -d)
trap 'rm -rf "$dl"' EXIT
(cd "$dl" && apt-get "${apt_opts[@]}" download "${pkgs[@]}" >&2)
rm -rf "$tree"
mkdir -p "$tree"
for deb in "$dl"/*.deb; do
	dpkg-deb -x "$deb" "$tree"
done
# The headers include /usr/src/linux-headers-<abi>-common/Makefile and
# both directories link scripts/ and tools/ to linux-kbuild-<abi> (arm64
# binaries there): point the first at the tree's copy, the links at the
# host's amd64 tools.
hdr=$tree/usr/src/linux-headers-$rel
common=$tree/usr/src/linux-headers-$abi-common
sed -i "s|^include /usr/src/|include $tree/usr/src/|" "$hdr/Makefile"
for l in scripts tools; do
	ln -sfn "$kbuild/$l" "$hdr/$l"
	ln -sfn "$kbuild/$l" "$common/$l"
done
[ -x "$hdr/scripts/basic/fixdep" ] || go3s_die "arm64: $hdr/scripts has no host fixdep"
[ -f "$tree/boot/vmlinuz-$rel" ] || go3s_die "arm64: no vmlinuz-$rel in the image package"
[ -x "$tree/bin/busybox" ] || go3s_die "arm64: no busybox in busybox-static"
touch "$tree/.unpacked"
# Older trees of other versions go.
for d in "$base"/6.12*; do
	[ "$d" = "$tree" ] || rm -rf "$d"
done
echo "$tree"
