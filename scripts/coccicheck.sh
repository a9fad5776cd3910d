#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's coccicheck (MODE=report) over a copy of the tree: every
# semantic patch in the 6.12 source's scripts/coccinelle/, one make
# coccicheck COCCI=<patch> each. Prints each report about our files and
# exits non-zero if there is any, or if a semantic patch failed to run.
#
# Two patches need OCaml scripting, which needs an OCaml compiler (the
# ocaml package, ten times coccinelle's size): null/badzero.cocci and
# api/check_bq27xxx_data.cocci. Without one they are listed as skipped.
# badzero (a pointer compared with 0) is what sparse, run by check.sh,
# reports as "Using plain integer as NULL pointer"; the other concerns one
# battery driver.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(go3s_src)
out=$GO3S_OUT/cocci
command -v spatch >/dev/null || go3s_die "spatch not found: run scripts/deps.sh"
[ -f "$src/scripts/coccicheck" ] || go3s_die "no $src/scripts/coccicheck: run scripts/deps.sh"

# A copy, so files not yet in git are checked too. spatch finds the files
# to parse with git grep inside a git work tree, which skips ignored
# directories such as .out/: --use-coccigrep makes it scan every file.
mkdir -p "$out"
rsync -a --delete --exclude=.git --filter=':- .gitignore' \
	--exclude=/.out "$GO3S_ROOT/" "$out/src/"
: >"$out/coccicheck.log"
has_ocaml=$(command -v ocamlfind >/dev/null && command -v ocamlopt >/dev/null && echo y || true)
ran=0 skipped=() failed=()
while read -r cocci; do
	name=${cocci#"$src/scripts/coccinelle/"}
	if [ -z "$has_ocaml" ] && grep -q '^@script:ocaml' "$cocci"; then
		skipped+=("$name")
		continue
	fi
	ran=$((ran + 1))
	make -s -C "$src" M="$out/src" coccicheck MODE=report COCCI="$cocci" \
		J="$GO3S_JOBS" SPFLAGS=--use-coccigrep >>"$out/coccicheck.log" 2>&1 ||
		failed+=("$name")
done < <(find "$src/scripts/coccinelle" -name '*.cocci' -type f | sort)

grep "^$out/src/" "$out/coccicheck.log" | sed "s|^$out/src/||" >"$out/reports" || true
sed 's/^/    /' "$out/reports"
for f in "${failed[@]}"; do
	echo "    coccicheck failed to run $f (see $out/coccicheck.log)"
done
[ ${#skipped[@]} -eq 0 ] ||
	echo "    skipped (OCaml scripting, no OCaml compiler): ${skipped[*]}"
echo "    coccicheck: $ran semantic patches, $(wc -l <"$out/reports") reports"
[ ! -s "$out/reports" ] && [ ${#failed[@]} -eq 0 ]
