#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the test harness itself: the console judge must pass the
# pass-*.log fixtures and fail every fail-*.log one, and the KTAP it
# extracts must parse with kunit.py. Writes "passed failed" to $GO3S_RESULT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$GO3S_ROOT/scripts/vm/selftest
out=$GO3S_OUT/harness
mkdir -p "$out"
pass=0 fail=0
result() {
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	echo "  $1 harness:$2"
}

for log in "$dir"/*.log; do
	name=$(basename "$log" .log)
	rc=0
	"$GO3S_ROOT/scripts/vm/check-console.py" "$log" --begin GO3S-BEGIN --ktap "$out/$name.ktap" \
		>"$out/$name.out" 2>&1 || rc=$?
	case $name in
	pass-*) [ $rc -eq 0 ] && result ok "$name" || { cat "$out/$name.out"; result fail "$name"; } ;;
	fail-*) [ $rc -eq 1 ] && result ok "$name" || { cat "$out/$name.out"; result fail "$name"; } ;;
	esac
done

# A VM that did not complete: the judge shows how its console ended.
if grep -qx '  tail: Kernel panic - not syncing: Fatal exception' "$out/fail-panic-no-end.out" &&
   [ "$(grep -c '^  tail: ' "$out/fail-panic-no-end.out")" -eq 12 ]; then
	result ok console_tail_when_not_completed
else
	result fail console_tail_when_not_completed
fi

# The fault-injection stage's options: a WARN of the kernel's trace_events
# code and an expected WARN that never came are notes with them, failures
# without; a WARN in go3s code fails either way.
fault=(--expect-optional --allow-warn 'at kernel/trace/trace_events\.c:[0-9]+ event_define_fields')
judge() { "$GO3S_ROOT/scripts/vm/check-console.py" "$dir/$1.log" --begin GO3S-BEGIN "${@:2}" >"$out/$1.out" 2>&1; }
judge fault-allowed "${fault[@]}" && result ok fault_options_allow || result fail fault_options_allow
judge fault-allowed && result fail fault_options_needed || result ok fault_options_needed
judge fault-go3s-warn "${fault[@]}" && result fail fault_options_go3s_warn || result ok fault_options_go3s_warn

# fault-report.py counts the cases of each suite run and gives each leaked
# object an owner: a go3s leak (a frame with no symbol) fails, a KUnit one
# and a kernel one reached from go3s code do not.
rc=0
"$GO3S_ROOT/scripts/vm/fault-report.py" "$dir/fault-report.log" >"$out/fault-report.out" || rc=$?
if [ $rc -eq 1 ] &&
   grep -qx 'figure: 3 KUnit cases run under injection (1 suites, 1 suite runs), 1 failed' "$out/fault-report.out" &&
   grep -qx 'figure: kmemleak: 3 objects: go3s 1, KUnit 1, kernel 1 (1 of them reached from go3s code)' "$out/fault-report.out" &&
   grep -qx 'fail fault:kmemleak_no_go3s_leaks' "$out/fault-report.out"; then
	result ok fault_report_attributes_leaks
else
	cat "$out/fault-report.out"
	result fail fault_report_attributes_leaks
fi

# scripts/cov.py, the coverage stage's: a UML (clang) and a VM (gcc)
# tracefile merged per source line (gcc's lines where gcc built the
# function, its name's line run when clang saw the function entered;
# clang's lines where gcc built nothing), and the gate. A console whose
# gcov dump fails its md5 is an error (1), one without a dump is 2.
cov=$GO3S_ROOT/scripts/cov.py
if "$cov" llvm "$dir/cov-uml.info" "$out/cov-uml.info" &&
   "$cov" report --min 66 --table "$out/cov-files.txt" uml="$out/cov-uml.info" \
	vm="$dir/cov-vm.info" >"$out/cov.out" &&
   grep -qx 'coverage:  66.7% lines  total    (8 of 12; uml 57.1%, vm 44.4%)' "$out/cov.out" &&
   grep -qE '^go3s_rt/a.c +4/7  57.1% +2/7  28.6% +6/10  60.0%$' "$out/cov-files.txt"; then
	result ok cov_merge_per_line
else
	cat "$out/cov.out" "$out/cov-files.txt"
	result fail cov_merge_per_line
fi
"$cov" report --min 67 uml="$out/cov-uml.info" vm="$dir/cov-vm.info" >/dev/null &&
	result fail cov_gate_below || result ok cov_gate_below
rc=0
"$cov" vm "$dir/cov-corrupt.log" "$out" "$out/cov-x.info" 2>/dev/null || rc=$?
[ $rc -eq 1 ] && result ok cov_dump_corrupt || result fail cov_dump_corrupt
rc=0
"$cov" vm "$dir/pass-clean.log" "$out" "$out/cov-x.info" 2>/dev/null || rc=$?
[ $rc -eq 2 ] && result ok cov_dump_missing || result fail cov_dump_missing

# The merged KTAP of a clean log parses to exactly its two passing cases.
src=$(go3s_src)
python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/clean.json" \
	"$out/pass-clean.ktap" >/dev/null 2>&1 || true
got=$("$GO3S_ROOT/scripts/kunit-json.py" "$out/clean.json" | tr '\n' ' ' || true)
want="ok go3s_core.abi_version_packs_major_minor ok go3s_core.abi_check_accepts_same_and_older_minor "
[ "$got" = "$want" ] && result ok ktap_merge_parses || { echo "    got: $got"; result fail ktap_merge_parses; }

# go3s-build (Documentation/go.rst) refuses each Go feature go3s_rt does
# not implement, naming it and the line that uses it: one file per
# feature in scripts/go3s-refused/, whose "// refused: " line says which.
for src in "$GO3S_ROOT"/scripts/go3s-refused/*.go; do
	name=$(basename "$src" .go)
	want=$(sed -n 's|^// refused: ||p' "$src")
	rc=0
	"$GO3S_ROOT/scripts/go3s-build" check "$src" >"$out/go-$name.out" 2>&1 || rc=$?
	if [ $rc -eq 1 ] &&
	   grep -F "Go feature $want is not supported in go3s modules" "$out/go-$name.out" |
	   grep -Eq "^(.*/)?$name\.go:[0-9]+: "; then
		result ok "go_refuses_$name"
	else
		sed 's/^/    /' "$out/go-$name.out"
		result fail "go_refuses_$name"
	fi
done
# The Go samples pass the same check.
for d in "$GO3S_ROOT"/samples/go_*/; do
	name=$(basename "$d")
	"$GO3S_ROOT/scripts/go3s-build" check "$d" >"$out/go-$name.out" 2>&1 &&
		result ok "go_accepts_$name" || { cat "$out/go-$name.out"; result fail "go_accepts_$name"; }
done
# Every go3s_gort_* the table maps a symbol to is exported by go3s_rt, and
# every go3s_gomod_* is a stub go3s-build writes into the module.
missing=
for t in $(awk '!/^#/ && $2 ~ /^go3s_go(rt|mod)_/ { print $2 }' "$GO3S_ROOT/scripts/go3s-symbols" | sort -u); do
	case $t in
	go3s_gort_*)
		grep -q "EXPORT_SYMBOL_GO3S($t)" "$GO3S_ROOT"/go3s_rt/gort*.c && continue
		# GORT_MEMEQUAL(bits) exports go3s_gort_memequal<bits> and its _f.
		bits=${t#go3s_gort_memequal}
		grep -q "^GORT_MEMEQUAL(${bits%_f});" "$GO3S_ROOT"/go3s_rt/gort*.c ||
			missing+=" $t" ;;
	go3s_gomod_*) grep -qw "$t" "$GO3S_ROOT/scripts/go3s-build" || missing+=" $t" ;;
	esac
done
[ -z "$missing" ] && result ok go_symbols_all_implemented || { echo "    missing:$missing"; result fail go_symbols_all_implemented; }


# go3s_qemu boots a VM once more when it never reached /init, and never a
# VM that did unless the emulator killed it: a fake qemu-system-x86_64
# (first boot silent, then one that prints GO3S-BEGIN; or one that
# reaches /init and fails; or one that reaches it and oopses).
fake=$out/fake-qemu
mkdir -p "$fake"
cat >"$fake/qemu-system-x86_64" <<'EOF'
#!/bin/sh
echo run >>"$FAKE_QEMU_RUNS"
while [ $# -gt 0 ]; do
	[ "$1" = -pidfile ] && echo $$ >"$2"
	shift
done
if [ "$FAKE_QEMU_MODE" = fail ]; then
	echo "GO3S-BEGIN fake"
	exit 3
fi
if [ -n "$FAKE_QEMU_OOPS" ] && [ "$(wc -l <"$FAKE_QEMU_RUNS")" -eq 1 ]; then
	cat "$FAKE_QEMU_OOPS"
	exit 0
fi
if [ "$(wc -l <"$FAKE_QEMU_RUNS")" -gt 1 ]; then
	echo "GO3S-BEGIN fake"
	exit 0
fi
echo "Booting from ROM..."
exec sleep 60
EOF
chmod +x "$fake/qemu-system-x86_64"
fake_qemu() {
	rm -f "$out/fake.log" "$out/fake.log.noboot" "$out/fake.log.emulator" "$out/fake.runs"
	: >"$out/fake.runs"
	PATH=$fake:$PATH FAKE_QEMU_RUNS=$out/fake.runs FAKE_QEMU_MODE=$1 GO3S_BOOT_TIMEOUT=2 \
		FAKE_QEMU_OOPS=${2:+$dir/$2} \
		go3s_qemu "$out/fake.log" 30 /dev/null /dev/null "" >/dev/null 2>"$out/fake.err"
}
rc=0
fake_qemu silent || rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <"$out/fake.runs")" -eq 2 ] &&
   grep -q GO3S-BEGIN "$out/fake.log" && grep -q 'Booting from ROM' "$out/fake.log.noboot" &&
   grep -q 'booting it once more' "$out/fake.err"; then
	result ok qemu_boot_retried
else
	result fail qemu_boot_retried
fi
rc=0
fake_qemu fail || rc=$?
if [ $rc -eq 3 ] && [ "$(wc -l <"$out/fake.runs")" -eq 1 ] && [ ! -e "$out/fake.log.noboot" ]; then
	result ok qemu_failed_run_not_retried
else
	result fail qemu_failed_run_not_retried
fi
# A VM that died of a stale int3 after /init (the emulator's fault, a
# fixture cut from a real console) runs once more; one whose int3 is
# still in the text (byte 0xcc before the trap's address) does not.
rc=0
fake_qemu int3 emulator-int3.log || rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <"$out/fake.runs")" -eq 2 ] &&
   grep -q 'Oops: int3' "$out/fake.log.emulator" && ! grep -q 'Oops' "$out/fake.log" &&
   grep -q 'died of a stale int3 (RIP: 0010:sched_clock_cpu+0x9/0x190, byte 66' "$out/fake.err"; then
	result ok qemu_emulator_fault_rerun
else
	cat "$out/fake.err"
	result fail qemu_emulator_fault_rerun
fi
rc=0
fake_qemu int3 emulator-int3-real.log || rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <"$out/fake.runs")" -eq 1 ] && [ ! -e "$out/fake.log.emulator" ] &&
   grep -q 'Oops: int3' "$out/fake.log"; then
	result ok qemu_real_int3_not_rerun
else
	result fail qemu_real_int3_not_rerun
fi

# A hung VM whose NMI panic shows text_poke_bp() waiting for the other
# vCPU (6.1 under TCG, cut from a real console) is the emulator's fault;
# the same panic without text_poke_bp() in its stack is not.
rc=0
"$GO3S_ROOT/scripts/vm/check-console.py" "$dir/emulator-textpoke.log" --emulator-fault \
	>"$out/textpoke.out" 2>&1 || rc=$?
rc2=0
"$GO3S_ROOT/scripts/vm/check-console.py" "$dir/hang-nmi-other.log" --emulator-fault \
	>/dev/null 2>&1 || rc2=$?
if [ $rc -eq 0 ] && [ $rc2 -eq 1 ] && grep -q 'text_poke_bp() for the other' "$out/textpoke.out"; then
	result ok emulator_fault_text_poke_hang
else
	result fail emulator_fault_text_poke_hang
fi

# The hung VM's report (scripts/vm/qmon.py) against a fake QMP server:
# each vCPU's RIP and stack words named from a System.map slid by the
# KASLR offset the console's GO3S-KTEXT line gives, then the NMI.
rm -f "$out/qmp.sock"
python3 "$dir/qmp-fake.py" "$out/qmp.sock" "$out/qmp.calls" >"$out/qmp.out" 2>&1 &
qpid=$!
for i in $(seq 50); do [ -S "$out/qmp.sock" ] && break; sleep 0.1; done
rc=0
"$GO3S_ROOT/scripts/vm/qmon.py" dump "$out/qmp.sock" "$dir/vmlinuz-fake" "$dir/qmon-console.log" \
	>"$out/qmon.out" 2>&1 || rc=$?
wait $qpid || rc=1
if [ $rc -eq 0 ] &&
   grep -qx 'summary: vCPU 0 at RIP=ffffffff82000123 <go3s_fake_spin+0x23>' "$out/qmon.out" &&
   grep -qx 'summary: vCPU 1 at RIP=ffffffff82000210 <go3s_fake_idle+0x10>' "$out/qmon.out" &&
   grep -q '0xffffffff82000305 <go3s_fake_caller+0x5>' "$out/qmon.out" &&
   [ "$(tail -n1 "$out/qmp.calls")" = "inject-nmi " ]; then
	result ok qmon_hung_vm_report
else
	cat "$out/qmon.out"
	result fail qmon_hung_vm_report
fi

# make test's orchestration (scripts/test.sh) with every stage script
# replaced by a fake: each writes "1 0", the fault stage "3 1" and a fail
# line. The build lane must run at SCHED_IDLE while the VM lane runs (the
# debug VM's fake waits for the first check to start), its stages be
# shown and counted after the VM lane's, and the summary must name the
# failed check and repeat its report; GO3S_BG=0 must run and count the
# same.
ft=$out/fake-tree
rm -rf "$ft"
mkdir -p "$ft/scripts"
cp "$GO3S_ROOT/scripts/test.sh" "$GO3S_ROOT/scripts/lib.sh" "$ft/scripts/"
cat >"$ft/scripts/fake-stage" <<'EOF2'
#!/usr/bin/env bash
me=$(basename "$0")
case $me in
build-kernel.sh | cross-stock.sh) echo /nonexistent; exit 0 ;;
deps.sh) exit 0 ;;
esac
echo "$me $*" >>"$FAKE_DIR/ran"
case "$me $*" in
test-vm.sh*)
	if [ "$FAKE_BG" = 1 ]; then
		for i in $(seq 100); do [ -e "$FAKE_DIR/check-started" ] && break; sleep 0.1; done
		[ -e "$FAKE_DIR/check-started" ] && echo concurrent >"$FAKE_DIR/concurrent"
	fi ;;
check.sh*) chrt -p $$ >"$FAKE_DIR/check-started" ;;
test-fault.sh*)
	echo "  fail fault:some_case"
	echo "    report: unexpected WARN: fake_warn"
	[ -n "${GO3S_RESULT:-}" ] && echo "3 1" >"$GO3S_RESULT"
	exit 1 ;;
esac
echo "fake output of $me"
[ -n "${GO3S_RESULT:-}" ] && echo "1 0" >"$GO3S_RESULT"
exit 0
EOF2
chmod +x "$ft/scripts/fake-stage"
for s in deps.sh check.sh test-harness.sh test-uml.sh build-kernel.sh test-vm.sh \
	 test-fault.sh test-mid.sh coverage.sh run.sh test-arm64.sh test-riscv64.sh \
	 test-arch-debug.sh cross-stock.sh test-dkms.sh; do
	ln -s fake-stage "$ft/scripts/$s"
done
fake_make_test() {
	rm -rf "$ft/.out" "$ft/run-$1"
	mkdir -p "$ft/run-$1"
	FAKE_DIR=$ft/run-$1 FAKE_BG=$1 GO3S_BG=$1 GO3S_OUT=$ft/.out \
		bash "$ft/scripts/test.sh" >"$out/fake-test-$1.out" 2>&1
}
rc=0
fake_make_test 1 || rc=$?
o=$out/fake-test-1.out
# 15 stages in the VM lane (the fault stage counts 3 passed, 1 failed),
# 5 in the build lane: 22 passed, 1 failed; 25 banners with the summary's.
if [ $rc -ne 0 ] && [ -e "$ft/run-1/concurrent" ] &&
   grep -q SCHED_IDLE "$ft/run-1/check-started" &&
   [ "$(tail -n1 "$o")" = "22 passed, 1 failed" ] &&
   grep -q 'fault injection (debug VM): fault:some_case' "$o" &&
   grep -qx '      report: unexpected WARN: fake_warn' "$o" &&
   [ "$(grep -c '^==> ' "$o")" -eq 25 ] &&
   grep -A1 '^==> check (stock 6.12 headers) (build lane)' "$o" | grep -q 'fake output of check.sh' &&
   [ "$(grep '^==> ' "$o" | grep -o 'riscv64 debug VM\|DKMS' | tr '\n' ,)" = \
     "riscv64 debug VM,DKMS," ] ||
   { cat "$o"; false; }; then
	result ok make_test_build_lane
else
	result fail make_test_build_lane
fi
rc=0
fake_make_test 0 || rc=$?
if [ $rc -ne 0 ] && [ "$(tail -n1 "$out/fake-test-0.out")" = "22 passed, 1 failed" ] &&
   [ "$(sort "$ft/run-0/ran" | md5sum)" = "$(sort "$ft/run-1/ran" | md5sum)" ]; then
	result ok make_test_one_lane
else
	cat "$out/fake-test-0.out"
	result fail make_test_one_lane
fi
echo "harness: $pass passed, $fail failed"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
