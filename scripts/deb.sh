#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make deb: the Debian source package (debian/, native) and go3s-rt-dkms,
# built from a clean copy of the tree in .out/deb/, then checked with
# lintian (any error or warning fails). Prints the .deb's path last.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$GO3S_OUT/deb
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$GO3S_ROOT/dkms.conf")
deb_ver=$(dpkg-parsechangelog -l "$GO3S_ROOT/debian/changelog" -S Version)
[ "$ver" = "$deb_ver" ] ||
	go3s_die "dkms.conf says $ver, debian/changelog $deb_ver"
grep -q "usr/src/go3s-rt-$ver/" "$GO3S_ROOT/debian/go3s-rt-dkms.install" ||
	go3s_die "debian/go3s-rt-dkms.install does not install into go3s-rt-$ver"

rm -rf "$out"
mkdir -p "$out"
src=$out/go3s-rt-$ver
rsync -a --exclude=.git --exclude=/.out --filter=':- .gitignore' \
	"$GO3S_ROOT/" "$src/"
(cd "$src" && dpkg-buildpackage -us -uc -tc) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	go3s_die "dpkg-buildpackage failed, see $out/build.log"
}
changes=$out/go3s-rt_${ver}_$(dpkg --print-architecture).changes
rc=0
lintian --fail-on error,warning "$changes" >"$out/lintian.log" 2>&1 || rc=$?
sed 's/^/  lintian: /' "$out/lintian.log" >&2
[ $rc -eq 0 ] || go3s_die "lintian found problems (see above)"
echo "$out/go3s-rt-dkms_${ver}_all.deb"
