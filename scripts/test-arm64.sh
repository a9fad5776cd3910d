#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The stock arm64 VM: scripts/run.sh --arch arm64 --quiet (Debian 12's
# arm64 6.12 kernel in qemu-system-aarch64, the modules cross-built, the
# samples and the KTAP self-test). Writes "passed failed" to $GO3S_RESULT
# when set.
exec "$(dirname "$0")/run.sh" --arch arm64 --quiet "$@"
