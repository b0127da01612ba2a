#!/usr/bin/env bash
# scripts/sweep.sh on the sparse gemm experiment with the real simulator: 2 bit-widths x 2
# mappings run as 4 points and gather into one CSV; a re-run skips every point and touches no
# results folder, and after a point's folder is deleted runs only that point; --gather-only rebuilds the same CSV; a point that cimsim refuses (17-bit ADCs)
# is reported by name with its log, the others survive, and the exit status is non-zero.
# usage: tests/scripts/sweep_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

sweep="$src/scripts/sweep.sh"
experiment="$src/configs/experiments/sparse_gemm.yaml"
out="$work/sweep"
points=(bits2-baseline bits4-baseline bits2-sws bits4-sws)

# --- 1. Four points, one CSV -----------------------------------------------------------------
status=0
"$sweep" "$experiment" --bits 2,4 --mappings baseline,sws --out "$out" --jobs 2 \
  --cimsim "$cimsim" >"$work/run1.txt" 2>&1 || status=$?
((status == 0)) || { cat "$work/run1.txt" >&2; fail "first sweep exited $status"; }
for p in "${points[@]}"; do
  [[ -s "$out/$p/summary.csv" && -s "$out/$p/report.json" ]] || fail "point $p has no results"
  [[ -s "$out/logs/$p.log" ]] || fail "point $p has no log"
  expect_contains "$work/run1.txt" "$p: done" "point $p ran"
done
n_dirs=$(find "$out" -mindepth 1 -maxdepth 1 -type d -name 'bits*' | wc -l)
((n_dirs == 4)) || fail "expected 4 point folders, found $n_dirs"
pass "4 points ran into their own folders, with logs"

csv="$out/sweep.csv"
[[ -s "$csv" ]] || fail "no gathered CSV at $csv"
n_lines=$(wc -l <"$csv")
((n_lines == 5)) || { cat "$csv" >&2; fail "expected a header and 4 rows, got $n_lines lines"; }
header="$(head -n 1 "$csv")"
[[ "$header" == point,* ]] || fail "the CSV does not start with the point column: $header"
for column in point mapping adc_policy adc_bits energy_adc_pj energy_dac_pj energy_crossbar_pj \
  energy_sample_hold_pj energy_shift_add_pj energy_buffer_pj energy_partial_sum_pj \
  energy_total_pj adc_conversions cycles latency_ns; do
  [[ ",$header," == *",$column,"* ]] || fail "the CSV has no column $column: $header"
done
[[ $(grep -c '^point,' "$csv") == 1 ]] || fail "the header appears more than once"
# Each row's point name agrees with its mapping and bit-width columns.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { want = "bits" $c["adc_bits"] "-" $c["mapping"]
    if ($c["point"] != want) { print "row " NR ": point " $c["point"] " but " want; bad = 1 }
    if ($c["energy_total_pj"] + 0 <= 0) { print "row " NR ": no energy"; bad = 1 } }
  END { exit bad }' "$csv" || fail "rows disagree with their points"
for p in "${points[@]}"; do grep -q "^$p," "$csv" || fail "no row for $p"; done
# SWS converts fewer times than the baseline at the same bit-width (the sweep kept them apart).
conv() { awk -F, -v p="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["point"] == p { print $c["adc_conversions"] }' "$csv"; }
(($(conv bits4-sws) < $(conv bits4-baseline))) || fail "sws does not convert less than baseline"
pass "the CSV has the header once, 4 rows and the expected columns"

# --- 2. A re-run skips everything and changes no results folder ----------------------------------
stamp() {
  local p
  for p in "${points[@]}"; do
    stat -c '%n %i %y' "$out/$p" "$out/$p/summary.csv" "$out/$p/report.json" "$out/logs/$p.log"
  done
}
before="$(stamp)"
cp "$csv" "$work/first.csv"
sleep 1.1 # so that any rewrite would show in the timestamps
status=0
"$sweep" "$experiment" --bits 2,4 --mappings baseline,sws --out "$out" --jobs 2 \
  --cimsim "$cimsim" >"$work/run2.txt" 2>&1 || status=$?
((status == 0)) || { cat "$work/run2.txt" >&2; fail "re-run exited $status"; }
for p in "${points[@]}"; do expect_contains "$work/run2.txt" "$p: skipped" "re-run of $p"; done
if grep -q ': running' "$work/run2.txt"; then fail "the re-run ran a point: $(cat "$work/run2.txt")"; fi
[[ "$(stamp)" == "$before" ]] || fail "the re-run touched a results folder or log"
cmp -s "$csv" "$work/first.csv" || fail "the re-run gathered a different CSV"
pass "a re-run skips all 4 points, timestamps unchanged"

# A point whose results are gone (a run killed before its folder appeared) is the only one a
# re-run runs; the others keep their folders untouched and the CSV comes out the same.
rm -rf -- "${out:?}/bits4-sws"
status=0
"$sweep" "$experiment" --bits 2,4 --mappings baseline,sws --out "$out" --jobs 2 \
  --cimsim "$cimsim" >"$work/run2b.txt" 2>&1 || status=$?
((status == 0)) || { cat "$work/run2b.txt" >&2; fail "re-run after a lost point exited $status"; }
expect_contains "$work/run2b.txt" "bits4-sws: done" "the missing point ran again"
for p in bits2-baseline bits4-baseline bits2-sws; do
  expect_contains "$work/run2b.txt" "$p: skipped" "complete point $p was skipped"
done
[[ -s "$out/bits4-sws/summary.csv" ]] || fail "the missing point has no results after the re-run"
cmp -s "$csv" "$work/first.csv" || fail "re-running the missing point gathered a different CSV"
pass "a re-run completes only the missing point"

rm -f "$csv"
"$sweep" "$experiment" --bits 2,4 --mappings baseline,sws --out "$out" --gather-only \
  >"$work/gather.txt" 2>&1 || fail "--gather-only failed: $(cat "$work/gather.txt")"
cmp -s "$csv" "$work/first.csv" || fail "--gather-only gathered a different CSV"
pass "--gather-only rebuilds the same CSV"

# --- 3. A failing point is named, the others survive ------------------------------------------------
out2="$work/failing"
status=0
"$sweep" "$experiment" --bits 4,17 --mappings baseline --set hardware.adc.policy=fixed \
  --out "$out2" --cimsim "$cimsim" >"$work/run3.txt" 2>&1 || status=$?
((status != 0)) || { cat "$work/run3.txt" >&2; fail "a sweep with a failing point exited 0"; }
expect_contains "$work/run3.txt" "FAILED point bits17-baseline" "the failed point is named"
expect_contains "$work/run3.txt" "hardware.adc.bits=17" "the failure shows the log's tail"
expect_contains "$work/run3.txt" "cimsim exited with status" "the failure shows cimsim's status"
[[ -s "$out2/logs/bits17-baseline.log" ]] || fail "the failed point's log is not kept"
[[ ! -e "$out2/bits17-baseline" ]] || fail "the failed point left a results folder"
[[ -s "$out2/bits4-baseline/summary.csv" ]] || fail "the good point did not survive"
[[ $(wc -l <"$out2/sweep.csv") == 2 ]] || fail "the CSV should hold the one good point"
grep -q '^bits4-baseline,.*,fixed,4,' "$out2/sweep.csv" || fail "the --set passthrough was lost"
pass "bits17 fails by name with its log, bits4 survives, exit status $status"

# --- 4. Usage errors ----------------------------------------------------------------------------------
status=0
"$sweep" "$experiment" --bits 2,x --out "$work/bad" --cimsim "$cimsim" >"$work/bad.txt" 2>&1 || status=$?
((status == 2)) || fail "a bad --bits exited $status, not 2"
[[ ! -e "$work/bad" ]] || fail "a bad --bits still ran something"
"$sweep" "$experiment" --bits 1..3,8 --mappings sws --out "$work/dry" --cimsim "$cimsim" \
  --dry-run >"$work/dry.txt"
[[ $(grep -c -- '--set hardware.adc.bits=' "$work/dry.txt") == 4 ]] || fail "--bits 1..3,8 is not 4 points"
[[ ! -e "$work/dry" ]] || fail "--dry-run ran something"
pass "usage errors exit 2; --bits 1..3,8 gives 4 points"

finish
