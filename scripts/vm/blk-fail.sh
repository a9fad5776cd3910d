# SPDX-License-Identifier: GPL-2.0
# Sourced by blk.sh in the debug VM, go3s_blk freshly loaded (no page
# stored yet): failslab and fail_page_alloc during I/O. Both fail only in
# go3s_rt's workers (task-filter, make-it-fail), which run the backend
# goroutines, and failslab only in the xarray's node cache: what a backend
# allocates to store a write. fio writes to pages not stored yet, so each
# write allocates. A write that cannot get its page or node must come back
# as an I/O error; nothing may oops or warn (the host judges the console),
# the disk must work once injection stops, and nothing may leak (the
# kmemleak scan at the end of blk.sh).

fi_dbg=/sys/kernel/debug
fi_budget=1000000000	# "times": counts down once per injected failure
fi_slab=/sys/kernel/slab/radix_tree_node/failslab

# go3s_rt's workers (smpboot threads "go3s/<cpu>[.<n>]"; not the monitor).
blk_mark_workers() {
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" || continue
		case $comm in go3s/[0-9]*) echo "$1" >"$d/make-it-fail" ;; esac
	done
}
blk_injected() { echo $((fi_budget - $(cat $fi_dbg/$1/times))); }

step "failslab (xarray nodes) and fail_page_alloc at 20 % in the workers while fio writes"
# The backends allocate with GFP_NOIO, which may reclaim: fi_arm counts
# sleeping allocations too.
fi_arm $fi_dbg $fi_budget
echo Y >$fi_dbg/failslab/cache-filter
check blk_fail_slab_filter sh -c "echo 1 >$fi_slab"
blk_mark_workers 1
echo 20 >$fi_dbg/failslab/probability
echo 20 >$fi_dbg/fail_page_alloc/probability
fio --name=fs --filename=$dev --direct=1 --ioengine=io_uring $blk_fio_opts --rw=randwrite \
	--bs=4k --iodepth=16 --numjobs=2 --size=2M --offset_increment=2M \
	--continue_on_error=io --group_reporting >/tmp/fio.fs 2>&1
echo 0 >$fi_dbg/failslab/probability
echo 0 >$fi_dbg/fail_page_alloc/probability
blk_mark_workers 0
echo 0 >$fi_slab
echo N >$fi_dbg/failslab/cache-filter
slab_n=$(blk_injected failslab) page_n=$(blk_injected fail_page_alloc)
ioerr_n=$(grep -c 'Input/output error' /tmp/fio.fs)
grep -E 'err=|IOPS=' /tmp/fio.fs | sed 's/^/  /'
cat $bst
echo "  injected: $slab_n xarray node and $page_n page allocations failed;" \
	"fio saw $ioerr_n I/O errors, the driver counted $(bstat errors)"
check blk_fail_injected test $((slab_n + page_n)) -gt 0
check blk_fail_io_errors test "$ioerr_n" -gt 0 -a "$(bstat errors)" -gt 0
check blk_fail_only_io_errors sh -c '! grep -E "error=|err=" /tmp/fio.fs | grep -v "Input/output error" | grep -qv "err= *[05][ :]"'
check blk_fail_then_verify blk_fio fsv --rw=randwrite --bs=4k --iodepth=16 \
	--numjobs=2 --size=2M --offset_increment=2M --verify=crc32c --verify_fatal=1
check blk_fail_rmmod blk_unload
check blk_fail_goroutines_gone test "$(glive)" -eq 0
check insmod_go3s_blk_after_fail insmod go3s_blk.ko size_mb=64
