#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The stock riscv64 VM: scripts/run.sh --arch riscv64 --quiet (Debian 13's
# riscv64 6.12 kernel in qemu-system-riscv64, the modules cross-built, the
# samples and the KTAP self-test). Writes "passed failed" to $GO3S_RESULT
# when set.
exec "$(dirname "$0")/run.sh" --arch riscv64 --quiet "$@"
