#!/usr/bin/env bash
# configs/experiments/waveform.yaml validates and runs; its VCD converts with vcd2fst (GTKWave's
# own parser) and traces exactly top.gemm.xbar0; every signal that configs/waveform.gtkw names
# exists in that VCD, in the documented layout (busy, input_cycle, per-column groups of
# enable/bits/code in column order, accumulators). Needs vcd2fst (Debian package gtkwave).
# The values in a waveform are checked at hand-computed times by tests/hw/chip_waveform_test.cpp
# (ChipWaveform.TileAndMacroSignalsFollowTheHandComputedSchedule); this test checks the file and
# the save file that views it.
# usage: tests/scripts/waveform_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

experiment="$src/configs/experiments/waveform.yaml"
save_file="$src/configs/waveform.gtkw"
python=/usr/bin/python3
command -v vcd2fst >/dev/null || fail "vcd2fst not found: install the Debian package gtkwave"
[[ -x "$python" ]] || fail "$python not found"

"$cimsim" validate "$experiment" >"$work/validate.txt" 2>&1 \
  || fail "cimsim validate: $(cat "$work/validate.txt")"
"$cimsim" validate "$experiment" --print >"$work/resolved.yaml" 2>&1
grep -q 'enabled: true' "$work/resolved.yaml" || fail "outputs.vcd.enabled is not true"
pass "the experiment validates with the VCD enabled"

out="$work/waveform"
"$cimsim" run "$experiment" --out "$out" >"$work/run.txt" 2>&1 \
  || fail "cimsim run: $(cat "$work/run.txt")"
vcd="$out/waves.vcd"
[[ -s "$vcd" ]] || fail "no VCD at $vcd: $(ls -la "$out")"
grep -q '^[$]scope module xbar0 [$]end' "$vcd" || fail "the VCD has no xbar0 scope"
[[ $(grep -c '^[$]scope module xbar[0-9]* [$]end' "$vcd") == 1 ]] || fail "the VCD traces more than xbar0"
[[ $(grep -c '^#' "$vcd") -gt 10 ]] || fail "the VCD has almost no time steps"
pass "the run writes a VCD of top.gemm.xbar0 alone"

# vcd2fst accepts almost anything, so the FST is read back (fst2vcd): GTKWave's parser must see
# the same signals and the same time steps as the VCD has.
vcd2fst "$vcd" "$work/waves.fst" >"$work/vcd2fst.txt" 2>&1 || fail "vcd2fst: $(cat "$work/vcd2fst.txt")"
[[ -s "$work/waves.fst" ]] || fail "vcd2fst wrote an empty file"
fst2vcd "$work/waves.fst" >"$work/roundtrip.vcd" 2>"$work/fst2vcd.txt" || fail "fst2vcd: $(cat "$work/fst2vcd.txt")"
n_vars=$(grep -c '[$]var' "$vcd")
[[ $(grep -c '[$]var' "$work/roundtrip.vcd") == "$n_vars" ]] || fail "vcd2fst kept $(grep -c '[$]var' "$work/roundtrip.vcd") of $n_vars signals"
cmp -s <(grep '^#' "$vcd") <(grep '^#' "$work/roundtrip.vcd") || fail "vcd2fst changed the time steps"
pass "vcd2fst converts the VCD; read back, it has the same $n_vars signals and time steps"

"$python" "$src/tests/scripts/gtkw_signals.py" "$vcd" "$save_file" --order >"$work/check.txt" 2>&1 \
  || { cat "$work/check.txt" >&2; fail "configs/waveform.gtkw does not match the VCD"; }
cat "$work/check.txt"
"$python" "$src/tests/scripts/gtkw_signals.py" "$work/roundtrip.vcd" "$save_file" >"$work/check2.txt" 2>&1 \
  || { cat "$work/check2.txt" >&2; fail "configs/waveform.gtkw does not match the FST read back"; }
pass "every signal of configs/waveform.gtkw exists in the VCD (and its FST), in the documented layout"

# The checker itself catches a wrong name (GTKWave drops a signal it cannot find, silently).
sed 's/input_cycle\[31:0\]/input_cycle/' "$save_file" >"$work/bad.gtkw"
if "$python" "$src/tests/scripts/gtkw_signals.py" "$vcd" "$work/bad.gtkw" >/dev/null 2>&1; then
  fail "the checker accepted a signal name without its bit range"
fi
pass "the checker rejects a misspelt signal"

finish
