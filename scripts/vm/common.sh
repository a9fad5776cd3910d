# SPDX-License-Identifier: GPL-2.0
# Sourced first by every VM /init: mounts, and the step/check helpers.
# Each check prints "GO3S-CHECK ok|fail <name>" for the host to count.

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
cd /lib/go3s || exit 1

step() { echo; echo "--- $*"; }
check() {
	name=$1
	shift
	if "$@"; then echo "GO3S-CHECK ok $name"; else echo "GO3S-CHECK fail $name"; fi
}
