#!/usr/bin/env bash
# scripts/bench.sh's summary on a hand-made results folder (tests/data/bench_summary: run.json,
# bench.json and the time logs of CNN and ONNX runs, as bench.sh --keep writes them), without
# running any benchmark: each figure is the median of its three runs (the fixture's mean,
# minimum and maximum give other values and verdicts), a 1000-image run is scaled to 10 000
# images with the median of its three start-up runs (9, 4 and 5 s: the first, the mean and the
# maximum give other values), the targets' verdicts are right, the clip kernel's fraction of
# the machine's AND+POPCNT and int8 VNNI rates is right, a skipped benchmark is named with its
# reason, and --help lists every option the script accepts.
# usage: tests/scripts/bench_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

bench="$src/scripts/bench.sh"
"$bench" --summary "$src/tests/data/bench_summary" >"$work/summary.txt" 2>&1 \
  || { cat "$work/summary.txt" >&2; fail "bench.sh --summary failed"; }

# expect_row FIGURE VALUE [VERDICT]: the summary row whose figure is FIGURE (literal text) has
# the value VALUE and, when given, the verdict VERDICT.
expect_row() {
  local line=
  while IFS= read -r row; do
    # the row without its indentation starts with the figure and the column gap
    [[ ${row#"${row%%[! ]*}"} == "$1  "* ]] && { line=$row; break; }
  done <"$work/summary.txt"
  [[ -n $line ]] || { cat "$work/summary.txt" >&2; fail "no row '$1'"; }
  [[ $line == *" $2 "* || $line == *" $2" ]] || fail "row '$1': expected value '$2' in: $line"
  if (($# > 2)); then
    [[ $line == *" $3 "* || $line == *" $3" ]] || fail "row '$1': expected '$3' in: $line"
  fi
  pass "$1: $2 ${3:-}"
}

# Walls 30.0, 12.0, 11.0 s: median 12.0 (mean 17.7 would fail the 15 s target).
expect_row "10 000 images, baseline, capped 8-bit" "12.0 s" PASS
# Walls 16.5, 14.0, 40.0 s: median 16.5 fails (the minimum, 14.0, would pass).
expect_row "10 000 images, sws, capped 8-bit" "16.5 s" FAIL
expect_row "MNIST CNN sws / baseline, capped 8-bit, 10 000 images" "1.38 x" FAIL
# 1000 images in a median 10.0 s, start-up 5.0 s: 5.0 + 5.0 x 9984 / 984 = 55.7 s, under 60 s
# (scaling the whole wall, 100 s, would fail).
expect_row "10 000 images, baseline, capped 4-bit, clipping (estimated from 1000)" "55.7 s" PASS
expect_row "peak memory, CNN baseline, capped 4-bit, clipping" "2148 MiB" FAIL
expect_row "peak memory, CNN baseline, capped 8-bit" "200 MiB" PASS
# ONNX ResNet walls 100.0, 130.0, 125.0 s: median 125.0 fails 120 s (mean and minimum pass);
# the time split is the median of the logs' splits (10/5, 20/10, 30/15 s).
expect_row "10 000 images, baseline" "125.0 s" FAIL
expect_row "time split, baseline" "20.0 s / 10.0 s"
# Medians 800 G bit ops/s, 200 G int8 MAC/s; the clip kernel 100 G cell ops/s of 2-bit cells.
expect_row "machine AND+POPCNT, 1 core" "800 Gbit op/s"
expect_row "clip kernel popcount_convert, AVX-512" "100 Gcell op/s"
expect_contains "$work/summary.txt" "25.0 % of AND+POPCNT, 50.0 % of int8 VNNI (1 core)" \
  "the clip kernel against the machine"
expect_contains "$work/summary.txt" "BM_AnalogBatch" "the skipped benchmark is listed"
expect_contains "$work/summary.txt" "expected the analog kernel" "with the reason it was skipped"
pass "the clip kernel's fractions of the machine's limits and the skipped case"

if "$bench" --summary "$work" >"$work/no_run.txt" 2>&1; then
  fail "bench.sh --summary on a folder without run.json succeeded"
fi
expect_contains "$work/no_run.txt" "has no run.json" "a folder that is not bench.sh's is refused"
pass "a folder without run.json is refused"

"$bench" --help >"$work/help.txt" || fail "bench.sh --help failed"
options=$(grep -oE '^ +--[a-z-]+(\|-h\|--help)?\)' "$bench" | grep -oE -- '--[a-z-]+' | sort -u)
[[ -n $options ]] || fail "no options found in bench.sh's argument parser"
for option in $options; do
  grep -qE -- "^ +$option( |$)" "$work/help.txt" || fail "bench.sh --help does not describe $option"
done
pass "bench.sh --help describes every option ($(echo "$options" | wc -l))"
finish
