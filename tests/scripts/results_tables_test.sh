#!/usr/bin/env bash
# The results-page scripts on the committed results folders of tests/data/results_tables/ (small,
# some runs missing): each writes exactly the committed expected_*.md. resnet and mapping: pages
# the scripts wrote before they read and wrote through scripts/cimsim_results.py. cnn, vit and
# use_lite: hand-made folders whose figures were checked by hand against the page (a change,
# a per-matrix range, the conversions below 4 bits, where top-1 holds). study: the ViT and USE-lite
# rows of the lead's chip study (summary.csv as written, report.json cut to what the script reads),
# the same rows as in docs/results_vit.md and docs/results_use_lite.md; its section replaces the old
# one and keeps the page's other text. A missing run is a "not run" row, not an error.
# usage: tests/scripts/results_tables_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

python=/usr/bin/python3
data="$src/tests/data/results_tables"
[[ -x "$python" ]] || fail "$python not found"

# expect_same EXPECTED ACTUAL WHAT
expect_same() {
  cmp -s -- "$1" "$2" || {
    diff -u -- "$1" "$2" >&2 || true
    fail "$3: $2 differs from $1"
  }
}

"$python" "$src/scripts/results_table_resnet.py" "$data/resnet" "$work/resnet.md" \
  "$data/resnet/training.json" >"$work/resnet.log" 2>&1 \
  || { cat "$work/resnet.log" >&2; fail "results_table_resnet.py failed"; }
expect_same "$data/expected_resnet.md" "$work/resnet.md" "results_table_resnet.py"
expect_contains "$work/resnet.log" "sparse50/comparison.csv: not in the table" "a missing run is named"
pass "results_table_resnet.py writes the expected page (sparsities 50 and 80 not run)"

"$python" "$src/scripts/results_table_mapping.py" "$data/mapping" "$data/optimize" \
  >"$work/mapping.md" 2>"$work/mapping.log" \
  || { cat "$work/mapping.log" >&2; fail "results_table_mapping.py failed"; }
expect_same "$data/expected_mapping.md" "$work/mapping.md" "results_table_mapping.py"
pass "results_table_mapping.py prints the expected tables (an optimize row, USE-lite cosines)"

# run_page NAME SCRIPT ARGS...: runs a page script, its output and errors in $work/NAME.log.
run_page() {
  local name=$1
  shift
  "$python" "$@" >"$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; fail "$name: $1 failed"; }
}

run_page cnn "$src/scripts/results_table.py" "$data/cnn" "$work/cnn/results.md"
expect_same "$data/expected_cnn.md" "$work/cnn/results.md" "results_table.py"
expect_contains "$work/cnn.log" "sparse50/comparison.csv: not in the table" "a missing run is named"
[[ -s "$work/cnn/figures/cnn_adc_bits.svg" ]] || fail "results_table.py wrote no figure beside its page"
pass "results_table.py writes the expected page and its figure beside it (50 and 70 % not run)"

run_page vit "$src/scripts/results_table_vit.py" "$data/vit" "$work/vit.md"
expect_same "$data/expected_vit.md" "$work/vit.md" "results_table_vit.py"
pass "results_table_vit.py writes the expected page (only 90 % run)"

run_page use_lite "$src/scripts/results_table_use_lite.py" "$data/use_lite" "$work/use_lite.md"
expect_same "$data/expected_use_lite.md" "$work/use_lite.md" "results_table_use_lite.py"
pass "results_table_use_lite.py writes the expected page (90 % and its walden run)"

mkdir -p "$work/docs"
cp "$data/study_page_before.md" "$work/docs/results_vit.md"
run_page study "$src/scripts/results_table_study.py" "$data/study" "$work/docs"
expect_same "$data/expected_study_vit.md" "$work/docs/results_vit.md" "results_table_study.py (ViT)"
expect_same "$data/expected_study_use_lite.md" "$work/docs/results_use_lite.md" \
  "results_table_study.py (USE-lite)"
[[ ! -e "$work/docs/results.md" ]] || fail "results_table_study.py wrote a CNN page without CNN runs"
pass "results_table_study.py writes the ViT and USE-lite sections, keeps the page's other text"

finish
