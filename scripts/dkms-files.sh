#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms.conf's POST_BUILD, POST_INSTALL and POST_REMOVE: what a client
# module builds against, per kernel release, in /usr/lib/go3s-rt/RELEASE/
# (Module.symvers and include/go3s/).
#   dkms-files.sh build DKMS_DIR            (in the build tree) keep
#                                           Module.symvers in DKMS_DIR
#   dkms-files.sh install DKMS_DIR RELEASE  (in the source tree) install
#   dkms-files.sh remove DKMS_DIR RELEASE   remove what install installed
set -eu

dest=${GO3S_DKMS_DEST:-/usr/lib/go3s-rt}
case $1 in
build)
	cp Module.symvers "$2/Module.symvers"
	;;
install)
	rm -rf "${dest:?}/$3"
	mkdir -p "$dest/$3/include/go3s"
	cp "$2/Module.symvers" "$dest/$3/Module.symvers"
	cp include/go3s/*.h "$dest/$3/include/go3s/"
	echo "go3s-rt: client files in $dest/$3"
	;;
remove)
	rm -rf "${dest:?}/$3"
	rmdir "$dest" 2>/dev/null || true
	;;
*)
	echo "usage: $0 build DKMS_DIR | install|remove DKMS_DIR RELEASE" >&2
	exit 1
	;;
esac
