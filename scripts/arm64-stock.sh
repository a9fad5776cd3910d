#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian 12's stock arm64 6.12 kernel, headers and busybox:
# scripts/cross-stock.sh arm64, which prints where they are.
exec "$(dirname "$0")/cross-stock.sh" arm64 "$@"
