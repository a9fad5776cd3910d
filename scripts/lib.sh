# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the go3s_rt scripts. Source it; do not run it.

GO3S_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO3S_CACHE=${GO3S_CACHE:-$HOME/.cache/go3s}
GO3S_OUT=${GO3S_OUT:-$GO3S_ROOT/.out}
GO3S_JOBS=${GO3S_JOBS:-$(nproc)}
export GO3S_ROOT GO3S_CACHE GO3S_OUT

# The unpacked linux-source-SERIES tree (scripts/deps.sh creates it):
# 6.12 (the default) in src/<version>, 6.1 in src-6.1/<version>.
go3s_src() {
	local series=${1:-6.12} dir=$GO3S_CACHE/src ver
	[ "$series" = 6.12 ] || dir=$GO3S_CACHE/src-$series
	ver=$(dpkg-query -W -f='${Version}' "linux-source-$series" | tr -c 'A-Za-z0-9.+\n-' _)
	echo "$dir/$ver"
}

# The stock Debian kernels the VMs boot, by flavour: 6.12 (the default),
# 6.1 (Debian 12's own LTS) and 6.12-rt (PREEMPT_RT). go3s_stock_kdir
# [FLAVOUR] prints the newest headers directory of FLAVOUR whose image is
# installed too (else the newest headers): the running kernel's build
# directory first when it is a plain 6.12.
go3s_stock_kdir() {
	local flavour=${1:-6.12} pat d
	if [ "$flavour" = 6.12 ] && [ -d "/lib/modules/$(uname -r)/build" ] &&
	   [ "$(uname -r | cut -d. -f1-2)" = 6.12 ] && [[ $(uname -r) != *-rt-* ]]; then
		echo "/lib/modules/$(uname -r)/build"
		return
	fi
	case $flavour in
	6.12) pat='/usr/src/linux-headers-6.12*-amd64' ;;
	6.1) pat='/usr/src/linux-headers-6.1.0-*-amd64' ;;
	6.12-rt) pat='/usr/src/linux-headers-6.12*-rt-amd64' ;;
	*) go3s_die "unknown kernel flavour $flavour (6.12, 6.1, 6.12-rt)" ;;
	esac
	local -a dirs=()
	for d in $pat; do
		[ -d "$d" ] || continue
		# 6.12 and 6.1 are the plain flavours: not the -rt- ones.
		[[ $flavour == *-rt || $d != *-rt-* ]] || continue
		dirs+=("$d")
	done
	[ ${#dirs[@]} -gt 0 ] || return 0
	for d in $(printf '%s\n' "${dirs[@]}" | sort -rV); do
		if [ -e "/boot/vmlinuz-${d##*/linux-headers-}" ]; then
			echo "$d"
			return
		fi
	done
	printf '%s\n' "${dirs[@]}" | sort -V | tail -n1
}
go3s_stock_release() { basename "$(go3s_stock_kdir "$@")" | sed 's/^linux-headers-//'; }
go3s_stock_vmlinuz() { echo "/boot/vmlinuz-$(go3s_stock_release "$@")"; }

# Print a stage banner and remember when it started.
go3s_stage() {
	GO3S_STAGE_NAME=$1
	GO3S_STAGE_T0=$(date +%s)
	printf '\n==> %s\n' "$1"
}
go3s_stage_done() {
	printf '<== %s: done in %ss\n' "$GO3S_STAGE_NAME" $(( $(date +%s) - GO3S_STAGE_T0 ))
}

go3s_die() { echo "error: $*" >&2; exit 1; }

# Short content hash of files (and extra strings) for cache keys.
go3s_key() { { cat "$@"; echo "$GO3S_KEY_EXTRA"; } | sha256sum | cut -c1-12; }

# go3s_qemu LOG TIMEOUT KERNEL INITRD APPEND [extra qemu args...]
# Boots a q35 VM under TCG (KVM is not usable on our machines) with the
# console on stdio; the console is copied to LOG. Returns qemu's status,
# 124 on timeout. With GO3S_ARCH=arm64 the VM is qemu-system-aarch64's
# virt machine (GO3S_QEMU_MACHINE adds options, e.g. ",iommu=smmuv3")
# with -cpu max: pointer authentication, with QEMU's cheaper
# implementation-defined algorithm (the architected QARMA is slow under
# TCG). With GO3S_ARCH=riscv64 it is qemu-system-riscv64's virt machine,
# OpenSBI (Debian's opensbi package) as its firmware, and a CPU without
# programmable counters (pmu-num=0), on which reading hpmcounter3 traps:
# the CSR HAL's -EIO (arch/riscv64/csr.c) is tested so.
go3s_qemu() {
	local log=$1 tmo=$2 kernel=$3 initrd=$4 append=$5
	local -a vm=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -parallel none)
	local console=ttyS0
	shift 5
	case ${GO3S_ARCH:-x86_64} in
	arm64)
		vm=(qemu-system-aarch64 -machine "virt,accel=tcg${GO3S_QEMU_MACHINE:-}"
		    -cpu max,pauth-impdef=on)
		console=ttyAMA0
		;;
	riscv64)
		vm=(qemu-system-riscv64 -machine "virt,accel=tcg${GO3S_QEMU_MACHINE:-}"
		    -cpu rv64,pmu-num=0 -bios default)
		;;
	esac
	# The emulator itself (TCG) now and then hangs or oopses while the
	# kernel boots, before anything of ours runs (seen: an int3 left by a
	# static key's patching at 3 s, a 6.1 boot silent for 15 min). A VM
	# that has not reached /init (every init prints GO3S-BEGIN first)
	# within GO3S_BOOT_TIMEOUT seconds (default 180) is stopped and booted
	# once more; its log is kept as LOG.noboot. A VM that reached /init
	# is run again only if it died of the emulator's fault (a stale int3,
	# or hung in text_poke_bp()'s IPI wait: check-console.py
	# --emulator-fault), its log kept as LOG.emulator; whatever else it
	# met is its result.
	#
	# A VM still running 30 s before its timeout has hung: scripts/vm/
	# qmon.py dumps its vCPUs' registers and stacks through QEMU's QMP
	# socket into LOG.hang, says where each vCPU was ("report:" lines,
	# which make test's summary repeats) and, on x86_64, injects an NMI:
	# with unknown_nmi_panic the kernel panics and prints the stack it
	# interrupted. The VM then counts as timed out (status 124).
	local boot=${GO3S_BOOT_TIMEOUT:-180} try t pid rc fault qmp wd
	local hang_at=$(( tmo > 60 ? tmo - 30 : tmo / 2 ))
	[ "${GO3S_ARCH:-x86_64}" != x86_64 ] || append="unknown_nmi_panic $append"
	# TCG runs a debug kernel tens of times slower than hardware while
	# its clocks keep the host's time: RCU's stall warning comes after
	# 100 s, not the kernels' 21 (syzkaller's configs for emulated VMs
	# go further, to 300). A CPU that never leaves its critical section
	# is still reported, and a VM that hangs is stopped and dumped.
	append="rcupdate.rcu_cpu_stall_timeout=100 $append"
	for try in 1 2; do
		rm -f "$log.pid" "$log.hang"
		: >"$log"
		qmp=$(mktemp -u "${TMPDIR:-/tmp}/go3s-qmp.XXXXXX")
		(timeout --foreground -k 5 "$tmo" "${vm[@]}" -m 2G \
			-nographic -no-reboot -serial stdio -monitor none \
			-qmp "unix:$qmp,server=on,wait=off" \
			-display none -pidfile "$log.pid" \
			-kernel "$kernel" -initrd "$initrd" \
			-append "console=$console panic=-1 $append" "$@" </dev/null 2>&1 |
			sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$log"
		 exit "${PIPESTATUS[0]}") &
		pid=$!
		(sleep "$hang_at"
		 [ -S "$qmp" ] && "$GO3S_ROOT/scripts/vm/qmon.py" dump "$qmp" "$kernel" "$log" \
			>"$log.hang" 2>&1) &
		wd=$!
		t=0
		while kill -0 "$pid" 2>/dev/null && ! grep -aq GO3S-BEGIN "$log" &&
		      [ "$t" -lt "$boot" ]; do
			sleep 1
			t=$((t + 1))
		done
		if [ "$try" = 2 ] || grep -aq GO3S-BEGIN "$log"; then
			rc=0
			wait "$pid" || rc=$?
			go3s_qemu_unwatch "$wd" "$qmp"
			# (qmon.py could not reach a VM that ended just then:
			# no vCPU dumped, no hang.)
			if grep -q '^--- vCPU' "$log.hang" 2>/dev/null; then
				rc=124
				echo "  note: the VM hung: its vCPUs' registers and stacks are in $log.hang" >&2
				sed -n 's/^summary: /  report: the hung VM'"'"'s /p' "$log.hang" >&2
			fi
			[ "$try" = 1 ] && fault=$("$GO3S_ROOT/scripts/vm/check-console.py" \
				"$log" --emulator-fault) || return $rc
			mv "$log" "$log.emulator"
			[ ! -e "$log.hang" ] || mv "$log.hang" "$log.emulator.hang"
			echo "  note: the VM died of $fault: the emulator's fault ($log.emulator); running it once more" >&2
			continue
		fi
		if kill -0 "$pid" 2>/dev/null && [ -s "$log.pid" ]; then
			kill "$(cat "$log.pid")" 2>/dev/null || true
		fi
		wait "$pid" || true
		go3s_qemu_unwatch "$wd" "$qmp"
		mv "$log" "$log.noboot"
		echo "  note: the VM did not reach /init within ${boot} s (an emulator hang or crash while booting: $log.noboot); booting it once more" >&2
	done
}

# go3s_judge_vm LOG BASE CHECK-PREFIX [CASE-PREFIX]: judge a debug or MID
# VM's console (scripts/vm/check-console.py: the checks made in the VM,
# kernel reports, completion; the kernel's own boot reports, before
# GO3S-BEGIN, are notes) and, with CASE-PREFIX, the KUnit cases it ran
# (BASE.ktap parsed by kunit.py into BASE.json). Prints "  ok|fail
# <prefix><name>" per check and case, console checks named "vm:<check>"
# with CHECK-PREFIX put before (or, ending in "=", in place of "vm:"),
# and adds to the caller's pass and fail.
go3s_judge_vm() {
	local log=$1 base=$2 cpre=$3 kpre=${4:-} judge st rest
	judge=$("$GO3S_ROOT/scripts/vm/check-console.py" "$log" --begin GO3S-BEGIN \
		--ktap "$base.ktap") || true
	while read -r st rest; do
		case $st in
		ok | fail)
			if [ "${cpre%=}" != "$cpre" ]; then
				rest=${cpre%=}${rest#vm:}
			else
				rest=$cpre$rest
			fi
			echo "  $st $rest"
			go3s_judge_count "$st" ;;
		*) [ -z "$st" ] || echo "  $st $rest" ;;
		esac
	done <<<"$judge"
	[ -n "$kpre" ] || return 0
	python3 "$(go3s_src)/tools/testing/kunit/kunit.py" parse --json="$base.json" \
		"$base.ktap" >"$base.parse.log" 2>&1 || true
	grep -a 'Testing complete' "$base.parse.log" | sed 's/^/  /' || true
	while read -r st rest; do
		echo "  $st $kpre$rest"
		go3s_judge_count "$st"
	done < <("$GO3S_ROOT/scripts/kunit-json.py" "$base.json")
}
go3s_judge_count() {
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

# go3s_qemu_unwatch PID SOCKET: stop go3s_qemu's hang watcher (a subshell
# and its sleep) once the VM has ended.
go3s_qemu_unwatch() {
	local kids
	kids=$(pgrep -P "$1" || true)
	kill "$1" 2>/dev/null || true
	[ -z "$kids" ] || kill $kids 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	rm -f "$2"
}

# go3s_build_modules KDIR OUTDIR [MAKE-ARGS...]: build go3s_rt, its KUnit
# modules (if KDIR has KUnit) and the samples in a private copy of the
# sources, so builds for different kernels never share objects.
go3s_build_modules() {
	local kdir=$1 out=$2
	shift 2
	mkdir -p "$out"
	# Build products (whatever .gitignore names) stay in the copy and
	# are never copied from the work tree.
	rsync -a --delete --exclude=.git --filter=':- .gitignore' \
		"$GO3S_ROOT/" "$out/src/" >/dev/null
	make -C "$out/src" KDIR="$kdir" "$@" all >"$out/build.log" 2>&1 || {
		cat "$out/build.log" >&2
		return 1
	}
}

# Link the project into the kernel source as drivers/go3s (kunit.py has no
# out-of-tree mode). Every script that builds from the tree calls this
# first, so the link always points at the running checkout and never
# dangles (Kconfig has no optional source).
# Under a lock: make test's two lanes may come here at once.
go3s_link_tree() {
	local src=$1
	(
		flock 8
		ln -sfn "$GO3S_ROOT" "$src/drivers/go3s"
		grep -q 'drivers/go3s/Kconfig' "$src/drivers/Kconfig" ||
			echo 'source "drivers/go3s/Kconfig"' >>"$src/drivers/Kconfig"
		grep -q 'CONFIG_GO3S' "$src/drivers/Makefile" ||
			echo 'obj-$(CONFIG_GO3S) += go3s/' >>"$src/drivers/Makefile"
	) 8>"$src/.go3s-link.lock"
}

# go3s_sample_files OUTDIR ARRAY: append initramfs specs for samples.sh and
# every sample module built in OUTDIR to the named array.
go3s_sample_files() {
	local -n _files=$2
	local ko
	_files+=(lib/go3s/samples.sh="$GO3S_ROOT/scripts/vm/samples.sh"
		 lib/go3s/observe.sh="$GO3S_ROOT/scripts/vm/observe.sh"
		 lib/go3s/edu_pm.sh="$GO3S_ROOT/scripts/vm/edu_pm.sh"
		 lib/go3s/tcp_echo.sh="$GO3S_ROOT/scripts/vm/tcp_echo.sh"
		 lib/go3s/common.sh="$GO3S_ROOT/scripts/vm/common.sh")
	for ko in "$1"/src/samples/*/*.ko; do
		_files+=("lib/go3s/$(basename "$ko")=$ko")
	done
}

# go3s_bin_files ARRAY PROGRAM...: append to the named array each PROGRAM
# (a path) as bin/NAME, with the shared libraries ldd names for it.
go3s_bin_files() {
	local -n _bin=$1
	local path lib
	shift
	for path in "$@"; do
		_bin+=("bin/$(basename "$path")=$path")
		for lib in $(ldd "$path" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\).*/\1/p'); do
			_bin+=("${lib#/}=$lib")
		done
	done
}

# go3s_perf_files ARRAY: Debian's perf (linux-perf, 6.1: it counts
# tracepoints on 6.12 too) as bin/perf with its libraries, for the stock
# VM's perf stat checks (scripts/vm/observe.sh).
go3s_perf_files() {
	local perf
	perf=$(ls /usr/bin/perf_[0-9]* 2>/dev/null | sort -V | tail -n1 || true)
	[ -n "$perf" ] || perf=$(command -v perf) ||
		go3s_die "perf is missing: run scripts/deps.sh (linux-perf)"
	# /usr/bin/perf may be Debian's wrapper script around perf_<version>.
	case $(file -L "$perf") in *ELF*) ;; *) false ;; esac ||
		go3s_die "$perf is not the perf binary"
	go3s_bin_files "$1" "$perf"
	# Under the name the checks call.
	local -n _pf=$1
	[ "$(basename "$perf")" = perf ] || _pf+=("bin/perf=$perf")
}

# go3s_blk_tools ARRAY: append to the named array what the block sample's
# tests run in a VM: fio, mkfs.ext4, fsck.ext4 and util-linux's blkdiscard
# (for -z) with their shared libraries (ldd; blkdiscard as blkzeroout, as
# busybox's sh would run its own blkdiscard applet, which has no -z),
# /etc/mke2fs.conf, and the test scripts. Needs fio and e2fsprogs.
go3s_blk_tools() {
	local -n _bt=$1
	local m path
	command -v fio >/dev/null || go3s_die "fio is missing: run scripts/deps.sh"
	for m in fio:fio mkfs.ext4:mke2fs fsck.ext4:e2fsck blkzeroout:blkdiscard; do
		path=$(PATH=$PATH:/sbin:/usr/sbin command -v "${m#*:}") ||
			go3s_die "${m#*:} is missing: run scripts/deps.sh"
		go3s_bin_files "$1" "$path"
		# Under the name the tests call (blkdiscard as blkzeroout).
		[ "$(basename "$path")" = "${m%%:*}" ] ||
			_bt+=("bin/${m%%:*}=$path")
	done
	_bt+=(etc/mke2fs.conf=/etc/mke2fs.conf
	      lib/go3s/blk.sh="$GO3S_ROOT/scripts/vm/blk.sh"
	      lib/go3s/blk-fail.sh="$GO3S_ROOT/scripts/vm/blk-fail.sh")
}

# go3s_blk_files KREL OUTDIR ARRAY: go3s_blk_tools, and KREL's ext4, brd
# and null_blk modules and their dependencies, uncompressed into
# OUTDIR/kmod (busybox insmod reads plain .ko files): for a VM of the
# stock kernel KREL.
go3s_blk_files() {
	local rel=$1 kmod=$2/kmod
	local -n _bf=$3
	local m src name
	rm -rf "$kmod"
	mkdir -p "$kmod"
	for m in lib/crc16 fs/mbcache fs/jbd2/jbd2 crypto/crc32c_generic \
		 fs/ext4/ext4 drivers/block/brd fs/configfs/configfs \
		 drivers/block/null_blk/null_blk; do
		src=$(ls "/lib/modules/$rel/kernel/$m".ko* 2>/dev/null | head -n1)
		[ -n "$src" ] || go3s_die "no $m module for $rel"
		name=$(basename "$m").ko
		case $src in
		*.xz) xz -dc "$src" >"$kmod/$name" ;;
		*.zst) zstd -qdc "$src" >"$kmod/$name" ;;
		*) cp "$src" "$kmod/$name" ;;
		esac
		_bf+=("lib/go3s/kmod/$name=$kmod/$name")
	done
	go3s_blk_tools _bf
}
