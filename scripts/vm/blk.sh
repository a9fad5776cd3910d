# SPDX-License-Identifier: GPL-2.0
# Sourced by samples.sh: the go3s_blk RAM disk under fio, ext4, discard
# and write-zeroes, backpressure (a frontend channel of capacity 1, the
# scheduler's path), request timeouts, the token bucket, and rmmod while
# fio runs. go3s_rt must be loaded.
#
# blk_debug=1 (the debug VM, init-test.sh: KASAN, lockdep, kmemleak, where
# I/O is ~10 times slower) runs less of each and leaves out the timed
# checks (token bucket, timeouts), and adds failslab and fail_page_alloc
# in the backends during writes, then a kmemleak scan.

dev=/dev/go3s_blk0
bst=/sys/kernel/debug/go3s_blk/stats
bstat() { sed -n "s/^$1: //p" $bst; }
glive() { sed -n 's/^live: //p' /sys/kernel/debug/go3s/stats; }
ncpu=$(grep -c ^processor /proc/cpuinfo)
blk_debug=${blk_debug:-0}
blk_t0=$(cut -d. -f1 /proc/uptime)
# A kernel without System V IPC and timerfd (the debug kernel): see
# scripts/vm/fio-preload.c; fio's jobs run as threads there, so that they
# share nothing across a fork.
blk_fio_opts=
if [ -f fio-preload.so ]; then
	export LD_PRELOAD=/lib/go3s/fio-preload.so
	blk_fio_opts=--thread
fi
# The stock kernel has ext4 as modules, the debug kernel built in.
for m in crc16 mbcache jbd2 crc32c_generic ext4; do
	[ ! -f kmod/$m.ko ] || insmod kmod/$m.ko
done
# blk_mb STOCK DEBUG: a size in MiB for this VM.
blk_mb() { if [ "$blk_debug" = 1 ]; then echo "$2"; else echo "$1"; fi; }
busybox mkdir -p /mnt /etc
busybox ln -sf /proc/mounts /etc/mtab

# blk_fio NAME ARGS...: fio on the disk (O_DIRECT, io_uring); succeeds only
# if fio exits 0 and its summary says err= 0.
blk_fio() {
	n=$1
	shift
	fio --name="$n" --filename=$dev --direct=1 --ioengine=io_uring \
		--group_reporting $blk_fio_opts "$@" >/tmp/fio.$n 2>&1
	rc=$?
	grep -E 'err=|IOPS=|error|verify' /tmp/fio.$n | head -n 8 | sed 's/^/  /'
	[ $rc -eq 0 ] && grep -q 'err= 0' /tmp/fio.$n && return 0
	echo "  fio exited with $rc:"
	grep -vE '^ *(lat|clat|slat|bw|iops|cpu|IO depths|submit|complete|issued|latency|clat percentiles|\|) ' \
		/tmp/fio.$n | tail -n 12 | sed 's/^/  | /'
	return 1
}
blk_fio_fails() { ! blk_fio "$@"; }
# blk_terse FIELD NAME: a field of fio's terse (--minimal) output.
blk_terse() { grep '^3;' /tmp/fio.$2 | cut -d';' -f"$1"; }
# blk_within VALUE TARGET PERCENT
blk_within() { [ $(($1 * 100)) -ge $(($2 * (100 - $3))) ] && [ $(($1 * 100)) -le $(($2 * (100 + $3))) ]; }
blk_unload() {
	i=0
	while ! rmmod go3s_blk 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! grep -q '^go3s_blk ' /proc/modules
}

step "insmod go3s_blk.ko size_mb=64"
check insmod_go3s_blk insmod go3s_blk.ko size_mb=64
check blk_device_exists test -b $dev
check blk_hw_queue_per_cpu test "$(ls /sys/block/go3s_blk0/mq | wc -l)" -eq "$ncpu"
check blk_fua_advertised grep -q 1 /sys/block/go3s_blk0/queue/fua
cat $bst
# add_disk() opened it to scan for partitions: the pipeline ran and ended.
check blk_pipeline_ends_on_close test "$(bstat running)" -eq 0 -a "$(bstat starts)" -ge 1
check blk_no_goroutines_while_closed test "$(glive)" -eq 0

if [ "$blk_debug" = 1 ] && [ -d /sys/kernel/debug/failslab ]; then
	. ./blk-fail.sh
fi

step "fio: randwrite then verify (crc32c), 4k and 64k, iodepth 32, numjobs 4"
sz=$(blk_mb 4 1)
check blk_fio_verify_4k blk_fio v4k --rw=randwrite --bs=4k --iodepth=32 \
	--numjobs=4 --size=${sz}M --offset_increment=${sz}M --verify=crc32c \
	--verify_fatal=1 --fsync=64
sz=$(blk_mb 8 2)
check blk_fio_verify_64k blk_fio v64k --rw=randwrite --bs=64k --iodepth=32 \
	--numjobs=4 --size=${sz}M --offset_increment=${sz}M --verify=crc32c \
	--verify_fatal=1 --sync=dsync
cat $bst
check blk_flushes_reached_backend test "$(bstat flushes)" -gt 0
check blk_fua_writes_reached_backend test "$(bstat fua)" -gt 0
check blk_no_request_errors test "$(bstat errors)" -eq 0

step "discard and write-zeroes"
check blk_fio_fill blk_fio fill --rw=write --bs=64k --size=12M
p0=$(bstat pages)
check blk_discard blkdiscard -o 0 -l 4194304 $dev
check blk_discard_frees_pages test "$(bstat pages)" -eq $((p0 - 1024))
check blk_discard_reads_zeroes busybox cmp -s -n 4194304 $dev /dev/zero
check blk_write_zeroes blkzeroout -z -o 8388608 -l 4194304 $dev
check blk_write_zeroes_reads_zeroes busybox cmp -s -n 4194304 $dev /dev/zero 8388608 0
# Part of one page: the rest of the page must stay as it was.
busybox dd if=$dev of=/tmp/p0 bs=512 skip=8192 count=8 2>/dev/null
check blk_write_zeroes_partial blkzeroout -z -o $((4194304 + 512)) -l 1024 $dev
busybox dd if=$dev of=/tmp/p1 bs=512 skip=8192 count=8 2>/dev/null
{ head -c 512 /tmp/p0; head -c 1024 /dev/zero; tail -c 2560 /tmp/p0; } >/tmp/pexp
check blk_write_zeroes_partial_keeps_rest busybox cmp -s /tmp/p1 /tmp/pexp
check blk_discards_counted test "$(bstat discards)" -gt 0 -a "$(bstat write_zeroes)" -gt 0

step "mkfs.ext4, mount, write a tree, umount, mount, read it back, fsck.ext4 -f"
check blk_mkfs_ext4 mkfs.ext4 -q -F $dev
check blk_mount_ext4 mount -t ext4 $dev /mnt
for d in 1 2 3 4; do
	busybox mkdir -p /mnt/d$d/sub
	for f in 1 2 3 4 5 6; do
		head -c $((d * f * 7001 + 1)) /dev/urandom >/mnt/d$d/f$f
		head -c $((f * 513)) /dev/urandom >/mnt/d$d/sub/g$f
	done
done
busybox cp /bin/busybox /mnt/d1/busybox
(cd /mnt && busybox find . -type f | busybox sort | busybox xargs busybox md5sum) >/tmp/sums
check blk_tree_written test "$(wc -l </tmp/sums)" -eq 49
check blk_umount_ext4 umount /mnt
check blk_mount_ext4_again mount -t ext4 -o ro $dev /mnt
check blk_tree_reads_back sh -c 'cd /mnt && busybox md5sum -c -s /tmp/sums'
check blk_umount_ext4_again umount /mnt
fsck.ext4 -f -n $dev >/tmp/fsck.out 2>&1
rc=$?
sed 's/^/  /' /tmp/fsck.out
check blk_fsck_ext4_clean test $rc -eq 0

step "rmmod while fio runs: refused while the disk is open, then clean"
fio --name=busy --filename=$dev --direct=1 --ioengine=io_uring $blk_fio_opts --rw=randrw \
	--bs=4k --iodepth=32 --numjobs=2 --size=16M --time_based --runtime=4 \
	--group_reporting >/tmp/fio.busy 2>&1 &
pid=$!
# fio takes a while to start (its libraries, KASAN in the debug VM, a
# loaded host): wait until its job writes, up to 60 s (20 s was once too
# short for the 6.12-rt VM on a busy host). Not merely until the disk is
# open: fio opens and closes it once while it sets up, and the last close
# stops the pipeline (seen once: no goroutines at the check below).
w0=$(bstat writes)
i=0
while [ "$(bstat writes)" -le "$w0" ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "  fio's job was writing after $((i / 10)).$((i % 10)) s"
# The goroutines first: with two VMs on a loaded host, a 2 s job once
# ended between the refused rmmod and this look.
check blk_goroutines_while_open test "$(glive)" -gt 1
check blk_rmmod_refused_while_fio_runs sh -c '! rmmod go3s_blk 2>/dev/null'
wait $pid
rc=$?
grep -E 'err=|IOPS=' /tmp/fio.busy | sed 's/^/  /'
check blk_fio_busy_ok sh -c "test $rc -eq 0 && grep -q 'err= 0' /tmp/fio.busy"
check blk_busy_went_direct test "$(bstat direct)" -gt 0
check blk_rmmod_after_fio blk_unload
check blk_goroutines_gone test "$(glive)" -eq 0
check blk_device_gone test ! -e $dev

step "through the scheduler (direct=0), a frontend channel of capacity 1 (and depth 8): every request completes"
check insmod_go3s_blk_chan_cap_1 insmod go3s_blk.ko size_mb=64 chan_cap=1 depth=8 direct=0
sz=$(blk_mb 2 1)
check blk_cap1_fio_verify_4k blk_fio cap1 --rw=randwrite --bs=4k --iodepth=32 \
	--numjobs=4 --size=${sz}M --offset_increment=${sz}M --verify=crc32c --verify_fatal=1
cat $bst
check blk_cap1_backpressure_seen test "$(bstat busy)" -gt 0 -a "$(bstat reruns)" -gt 0
check blk_cap1_nothing_refused_left test "$(bstat refused)" -eq 0
check blk_cap1_none_direct test "$(bstat direct)" -eq 0
check rmmod_go3s_blk_cap1 blk_unload

if [ "$blk_debug" = 1 ]; then
	check blk_goroutines_gone_at_end test "$(glive)" -eq 0
	# kmemleak reports objects older than 5 s: those of blk-fail.sh are.
	kml=/sys/kernel/debug/kmemleak
	echo scan >$kml
	echo scan >$kml
	check blk_kmemleak_clean sh -c "! grep -q 'unreferenced object' $kml"
	echo "blk.sh: $(($(cut -d. -f1 /proc/uptime) - blk_t0)) s"
	unset LD_PRELOAD
	return 0
fi

step "token bucket: mbps=8, then iops=300"
check insmod_go3s_blk_mbps insmod go3s_blk.ko size_mb=64 mbps=8
blk_fio tb --rw=write --bs=64k --iodepth=8 --size=24M --minimal >/dev/null
bw=$(blk_terse 48 tb)
echo "  measured $bw KiB/s for 8192 KiB/s"
check blk_mbps_within_10_percent blk_within "${bw:-0}" 8192 10
check rmmod_go3s_blk_mbps blk_unload
check insmod_go3s_blk_iops insmod go3s_blk.ko size_mb=64 iops=300
blk_fio ti --rw=randread --bs=4k --iodepth=8 --size=3600k --minimal >/dev/null
iops=$(blk_terse 8 ti)
echo "  measured $iops IOPS for 300"
check blk_iops_within_10_percent blk_within "${iops:-0}" 300 10
check rmmod_go3s_blk_iops blk_unload

step "request timeouts: mbps=1, timeout_ms=1000, 1 MiB writes queue up and time out"
check insmod_go3s_blk_timeout insmod go3s_blk.ko size_mb=64 mbps=1 timeout_ms=1000
check blk_timeouts_fail_io blk_fio_fails to --rw=write --bs=1M --iodepth=16 --size=8M
cat $bst
check blk_timeouts_counted test "$(bstat timeouts)" -gt 0
check rmmod_go3s_blk_timeout blk_unload
check blk_goroutines_gone_at_end test "$(glive)" -eq 0
echo "blk.sh: $(($(cut -d. -f1 /proc/uptime) - blk_t0)) s"
unset LD_PRELOAD
