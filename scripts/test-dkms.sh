#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS and package stage of make test, on this machine, loading
# nothing:
#   1. dkms add/build/install go3s-rt for the stock 6.1, 6.12 and 6.12-rt
#      headers; a client module (samples/hello, with a Kbuild of its own)
#      builds against /usr/lib/go3s-rt/<release>/ alone; dkms remove
#      leaves nothing behind;
#   2. make deb (lintian-clean); dpkg -i go3s-rt-dkms, whose postinst
#      builds and installs go3s_rt for those kernels; a client builds
#      against it; dpkg --purge leaves nothing behind.
# Refuses to run if go3s-rt is in DKMS or installed already: it would
# remove it. Writes "passed failed" to $GO3S_RESULT when set.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || go3s_die "DKMS and dpkg need root"
out=$GO3S_OUT/dkms
rm -rf "$out"
mkdir -p "$out"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$GO3S_ROOT/dkms.conf")
name=go3s-rt
usrsrc=/usr/src/$name-$ver
files=/usr/lib/go3s-rt
pass=0 fail=0
check() {
	local what=$1
	shift
	if "$@" >>"$out/checks.log" 2>&1; then
		echo "  ok dkms:$what"
		pass=$((pass + 1))
	else
		echo "  fail dkms:$what (log: $out/checks.log)"
		fail=$((fail + 1))
	fi
}
finish() {
	echo "DKMS and package: $pass passed, $fail failed (logs: $out)"
	[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
	[ "$fail" -eq 0 ]
	exit
}

if dkms status -m "$name" | grep -q . || [ -e "$usrsrc" ] ||
   dpkg-query -W -f='${Status}' go3s-rt-dkms 2>/dev/null | grep -q 'ok installed'; then
	echo "  fail dkms:clean_start ($name is in DKMS, $usrsrc or dpkg already: not touching it)"
	fail=1
	finish
fi

releases=()
for f in 6.1 6.12 6.12-rt; do
	kdir=$(go3s_stock_kdir "$f")
	[ -n "$kdir" ] || go3s_die "no $f headers: run scripts/deps.sh"
	releases+=("${kdir##*/linux-headers-}")
done

# Nothing of go3s-rt anywhere DKMS or the package put it.
nothing_left() {
	! dkms status -m "$name" | grep -q . &&
	[ ! -e "$usrsrc" ] && [ ! -e "$files" ] && [ ! -e "/var/lib/dkms/$name" ] &&
	! compgen -G "/lib/modules/*/updates/dkms/go3s_rt.ko*" >/dev/null
}

# installed RELEASE: the module and the client files are in place.
installed() {
	local rel=$1 ko
	ko=$(compgen -G "/lib/modules/$rel/updates/dkms/go3s_rt.ko*") || return 1
	modinfo -F vermagic "$ko" | grep -q "^$rel " &&
	grep -qP '\tgo3s_go_irq\t.*\tGO3S$|\t__go3s_go_irq\t.*\tGO3S$' "$files/$rel/Module.symvers" &&
	[ -f "$files/$rel/include/go3s/go.h" ] && [ -f "$files/$rel/include/go3s/compat.h" ]
}

# client RELEASE TAG: build samples/hello as a driver author would, with
# only the installed files: its own Kbuild, no path into this tree.
client() {
	local rel=$1 dir=$out/client-$1-$2 ko
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$GO3S_ROOT/samples/hello/hello.c" "$dir/"
	cat >"$dir/Kbuild" <<KBUILD
ccflags-y += -I$files/$rel/include
obj-m := go3s_hello.o
go3s_hello-y := hello.o
KBUILD
	make -C "/lib/modules/$rel/build" M="$dir" \
		KBUILD_EXTRA_SYMBOLS="$files/$rel/Module.symvers" modules \
		>"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
	# modpost warns about symbols it cannot resolve: none may be left.
	! grep -E 'WARNING|undefined' "$dir/build.log" &&
	ko=$dir/go3s_hello.ko &&
	modinfo -F depends "$ko" | grep -qx go3s_rt &&
	modinfo -F import_ns "$ko" | grep -qx GO3S &&
	modinfo -F vermagic "$ko" | grep -q "^$rel "
}

echo "DKMS: go3s-rt $ver for ${releases[*]}"
t0=$(date +%s)
# dkms add copies the tree to /usr/src/go3s-rt-VERSION: give it the files
# the package would ship, no build products.
stage=$out/src/$name-$ver
mkdir -p "$stage"
rsync -a --exclude=.git --exclude=/.out --filter=':- .gitignore' \
	"$GO3S_ROOT/" "$stage/"
check add dkms add "$stage"
for rel in "${releases[@]}"; do
	check "build($rel)" dkms build -m "$name" -v "$ver" -k "$rel"
	check "install($rel)" dkms install -m "$name" -v "$ver" -k "$rel"
	check "installed_files($rel)" installed "$rel"
	check "client_builds($rel)" client "$rel" dkms
done
check remove dkms remove -m "$name" -v "$ver" --all
# DKMS 3.0 keeps the copy in /usr/src: the test made it, the test removes it.
rm -rf "$usrsrc"
check nothing_left_after_dkms_remove nothing_left
echo "  (dkms add/build/install/remove: $(( $(date +%s) - t0 ))s)"

t0=$(date +%s)
deb=$(GO3S_OUT=$out "$GO3S_ROOT/scripts/deb.sh" 2>"$out/deb.err")
rc=$?
cat "$out/deb.err" >>"$out/checks.log"
check make_deb_lintian_clean test $rc -eq 0 -a -f "$deb"
if [ $rc -eq 0 ]; then
	check dpkg_install dpkg -i "$deb"
	# The postinst builds for the running and the newest kernel (or, on
	# a host whose running kernel is not installed, for all): the others
	# as a user would add one.
	check package_postinst_built_one sh -c "dkms status -m $name | grep -q ': installed'"
	for rel in "${releases[@]}"; do
		installed "$rel" >/dev/null 2>&1 ||
			dkms install -m "$name" -v "$ver" -k "$rel" >>"$out/checks.log" 2>&1
		check "package_installed($rel)" installed "$rel"
	done
	check "package_client_builds(${releases[0]})" client "${releases[0]}" deb
	check dpkg_purge dpkg --purge go3s-rt-dkms
	check nothing_left_after_purge nothing_left
fi
echo "  (make deb, dpkg -i, --purge: $(( $(date +%s) - t0 ))s)"
# Whatever failed above, leave the machine as it was.
dpkg-query -W go3s-rt-dkms >/dev/null 2>&1 && dpkg --purge go3s-rt-dkms >/dev/null 2>&1
dkms status -m "$name" | grep -q . && dkms remove -m "$name" -v "$ver" --all >/dev/null 2>&1
rm -rf "$usrsrc"
finish
