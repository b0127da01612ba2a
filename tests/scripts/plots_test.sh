#!/usr/bin/env bash
# The scripts/plot_*.py figures, on the committed tiny sweep tests/data/plots/sweep/ (a
# sweep.csv and each point's report.json) and tests/data/plots/variation.csv (plot_variation.py):
# each writes a non-empty PNG and SVG. Bad input (a
# CSV without the needed column, a missing file) fails with a message, not a traceback.
# Needs /usr/bin/python3 with matplotlib (Debian package python3-matplotlib).
# usage: tests/scripts/plots_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

python=/usr/bin/python3
fixture="$src/tests/data/plots/sweep"
csv="$fixture/sweep.csv"
[[ -x "$python" ]] || fail "$python not found"
"$python" -c 'import matplotlib' 2>/dev/null \
  || fail "$python has no matplotlib: install the Debian package python3-matplotlib"
[[ -s "$csv" ]] || fail "fixture $csv missing"

# expect_figure PREFIX: PREFIX.png is a PNG and PREFIX.svg an SVG, both non-trivial.
expect_figure() {
  local png="$1.png" svg="$1.svg"
  [[ -s "$png" ]] || fail "no $png"
  [[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "$png is not a PNG"
  (($(stat -c %s "$png") > 10000)) || fail "$png is suspiciously small"
  [[ -s "$svg" ]] || fail "no $svg"
  grep -q '<svg' "$svg" || fail "$svg is not an SVG"
  "$python" -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$svg" \
    || fail "$svg is not well-formed XML"
  (($(stat -c %s "$svg") > 10000)) || fail "$svg is suspiciously small"
}

# run_plot NAME ARGS...: runs scripts/NAME with ARGS, failing on a non-zero exit.
run_plot() {
  local name="$1"
  shift
  "$python" "$src/scripts/$name" "$@" >"$work/$name.txt" 2>&1 \
    || { cat "$work/$name.txt" >&2; fail "$name $* failed"; }
}

out="$work/figs"
run_plot plot_energy.py "$csv" "$out/energy"
expect_figure "$out/energy"
run_plot plot_energy.py "$csv" "$out/energy_uj" --unit uJ --title "fixed unit"
expect_figure "$out/energy_uj"
pass "plot_energy.py writes PNG and SVG"

run_plot plot_accuracy.py "$csv" "$out/accuracy"
expect_figure "$out/accuracy"
pass "plot_accuracy.py writes PNG and SVG"

run_plot plot_sws_vs_baseline.py "$csv" "$out/sws_vs_baseline"
expect_figure "$out/sws_vs_baseline"
expect_contains "$work/plot_sws_vs_baseline.py.txt" "using ADC policy fixed" "the baseline's policy is announced"
run_plot plot_sws_vs_baseline.py "$csv" "$out/sws_fixed" --baseline baseline:capped --sws sws:fixed
expect_figure "$out/sws_fixed"
pass "plot_sws_vs_baseline.py writes PNG and SVG"

run_plot plot_adc_conversions.py "$fixture" "$out/conversions"
expect_figure "$out/conversions"
# Without a sweep.csv, the points come from the folders.
mkdir -p "$work/nocsv"
cp -r "$fixture"/bits* "$work/nocsv/"
run_plot plot_adc_conversions.py "$work/nocsv" "$out/conversions_nocsv" --log
expect_figure "$out/conversions_nocsv"
pass "plot_adc_conversions.py writes PNG and SVG"

run_plot plot_variation.py "$src/tests/data/plots/variation.csv" "$out/variation"
expect_figure "$out/variation"
pass "plot_variation.py writes PNG and SVG"

# Bad input: a clear error, exit 1, no traceback.
# The fixture without its accuracy columns, as a gemm sweep has.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) drop[i] = ($i ~ /top1$|^samples$/) }
  { line = ""; for (i = 1; i <= NF; i++) if (!drop[i]) line = line (line == "" ? "" : ",") $i
    print line }' "$csv" >"$work/no_top1.csv"
if head -n 1 "$work/no_top1.csv" | grep -q top1; then fail "top1 not dropped"; fi
expect_error() {
  local what="$1" text="$2"
  shift 2
  local status=0
  "$python" "$@" >"$work/err.txt" 2>&1 || status=$?
  ((status == 1)) || { cat "$work/err.txt" >&2; fail "$what: exit $status, not 1"; }
  expect_contains "$work/err.txt" "$text" "$what"
  if grep -q Traceback "$work/err.txt"; then fail "$what: a traceback: $(cat "$work/err.txt")"; fi
}
expect_error "accuracy without top1" "no top1 column" \
  "$src/scripts/plot_accuracy.py" "$work/no_top1.csv" "$out/x"
expect_error "a missing CSV" "no such file" "$src/scripts/plot_energy.py" "$work/none.csv" "$out/x"
expect_error "an unknown --sws mapping" "no such points" \
  "$src/scripts/plot_sws_vs_baseline.py" "$csv" "$out/x" --sws nosuch
expect_error "an unknown unit" "unknown unit" "$src/scripts/plot_energy.py" "$csv" "$out/x" --unit kWh
expect_error "variation without device columns" "device_variation_sigma" \
  "$src/scripts/plot_variation.py" "$csv" "$out/x"
pass "bad input fails with a message"

finish
