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

# The merged KTAP of a clean log parses to exactly its two passing cases.
src=$(go3s_src)
python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/clean.json" \
	"$out/pass-clean.ktap" >/dev/null 2>&1 || true
got=$("$GO3S_ROOT/scripts/kunit-json.py" "$out/clean.json" | tr '\n' ' ' || true)
want="ok go3s_core.abi_version_packs_major_minor ok go3s_core.abi_check_accepts_same_and_older_minor "
[ "$got" = "$want" ] && result ok ktap_merge_parses || { echo "    got: $got"; result fail ktap_merge_parses; }

echo "harness: $pass passed, $fail failed"
[ -n "${GO3S_RESULT:-}" ] && echo "$pass $fail" >"$GO3S_RESULT"
[ "$fail" -eq 0 ]
