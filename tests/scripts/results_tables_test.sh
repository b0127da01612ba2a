#!/usr/bin/env bash
# scripts/results_table_resnet.py and scripts/results_table_mapping.py on the committed results
# folders of tests/data/results_tables/ (report.json, comparison.csv, fidelity.json and an
# optimize search, some runs missing): each writes exactly the committed expected_*.md, which the
# scripts wrote before they read and wrote through scripts/cimsim_results.py. A missing run is a
# "not run" row, not an error.
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

finish
