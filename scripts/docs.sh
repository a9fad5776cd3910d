#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make docs [STEP...]: check the kernel-doc and render Documentation/.
#   wall  the kernel's scripts/kernel-doc -none -Wall over every header and
#         source file of the runtime; any warning fails
#   api   scripts/kdoc-api.py: every function include/go3s/ declares has
#         one kernel-doc comment with Context: and Return: (none for void),
#         pulled into Documentation/ and named by its header
#   cases every "``go3s_<suite>`` (N cases)" in Documentation/*.rst names
#         as many cases as the suite's go3s_<suite>_cases[] array holds
#   rst   kernel-doc -rst of each file into .out/docs/kernel-doc/ (plain
#         text, readable without sphinx)
#   html  sphinx-build -W (the kernel's kernel-doc extension, in place from
#         the unpacked linux-source) into .out/docs/html/index.html
# No STEP: all five. Prints "ok docs:STEP" or "fail docs:STEP" per step and
# exits non-zero if any failed. Logs: .out/docs/STEP.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(go3s_src)
kdoc=$src/scripts/kernel-doc
[ -x "$kdoc" ] || go3s_die "$kdoc not found: run scripts/deps.sh"
out=$GO3S_OUT/docs
mkdir -p "$out"
cd "$GO3S_ROOT"
mapfile -t files < <(ls include/go3s/*.h go3s_rt/*.[ch] mid/*.[ch] arch/*/*.c)

step_wall() {
	"$kdoc" -none -Wall "${files[@]}" >"$out/wall.log" 2>&1 &&
		[ ! -s "$out/wall.log" ]
}

step_api() {
	python3 scripts/kdoc-api.py "$kdoc" "$GO3S_ROOT" >"$out/api.log" 2>&1
}

step_cases() {
	local doc suite n have bad=0
	while IFS=: read -r doc suite n; do
		have=$(awk -v arr="${suite}_cases" '
			$0 ~ "kunit_case " arr "\\[\\] = \\{" { on = 1; next }
			on && /^};/ { exit }
			on && /KUNIT_CASE/ { n++ }
			END { print n + 0 }' kunit/*.c)
		echo "$doc: $suite: $n cases documented, $have in kunit/"
		[ "$n" -eq "$have" ] || bad=1
	done < <(grep -Eo '``go3s_[a-z0-9_]+`` \([0-9]+ cases?\)' Documentation/*.rst |
		 sed -E 's/^([^:]*):``([a-z0-9_]+)`` \(([0-9]+) .*/\1:\2:\3/')
	return $bad
}

step_rst() {
	local f o
	rm -rf "$out/kernel-doc"
	for f in "${files[@]}"; do
		o=$out/kernel-doc/${f%.*}.${f##*.}.rst
		mkdir -p "$(dirname "$o")"
		"$kdoc" -rst "$f" >"$o" 2>>"$out/rst.log" || return 1
		[ -s "$o" ] || rm "$o"
	done
}

step_html() {
	command -v sphinx-build >/dev/null ||
		{ echo "sphinx-build not found: run scripts/deps.sh"; return 1; }
	# -E: re-read every page, so a changed header is always re-rendered.
	GO3S_KSRC=$src sphinx-build -E -W --keep-going -q -b html \
		-d "$out/doctrees" Documentation "$out/html"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(wall api cases rst html)
failed=0
for s in "${steps[@]}"; do
	declare -F "step_$s" >/dev/null || go3s_die "unknown step $s"
	: >"$out/$s.log"
	if "step_$s" >>"$out/$s.log" 2>&1; then
		echo "  ok docs:$s"
	else
		echo "  fail docs:$s"
		sed 's/^/    /' "$out/$s.log" | tail -n 40
		failed=$((failed + 1))
	fi
done
[ " ${steps[*]} " != *" html "* ] || [ "$failed" -ne 0 ] ||
	echo "docs: $out/html/index.html, plain text in $out/kernel-doc/"
[ "$failed" -eq 0 ]
