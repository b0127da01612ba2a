#!/usr/bin/env bash
# scripts/sweep.sh --slurm: the job-array script is valid bash with one array task per point,
# and task k runs exactly the cimsim command of point k (checked with a fake cimsim that logs its
# arguments and writes a summary.csv); a complete point is skipped, a task out of range fails,
# and --gather-only gathers the array's results. No Slurm is needed.
# usage: tests/scripts/sweep_slurm_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

sweep="$src/scripts/sweep.sh"
experiment="$src/configs/experiments/sparse_gemm.yaml"
out="$work/out dir" # a space, to check the quoting
job="$work/job.sbatch"

fake="$work/fake-cimsim"
cat >"$fake" <<'EOF'
#!/usr/bin/env bash
# Logs its arguments one per line (so that quoting shows) and publishes a results folder.
printf 'FAKE-CIMSIM'; printf ' <%s>' "$@"; printf '\n'
out="" bits=0
while (($#)); do
  [[ "$1" == --out ]] && out="$2"
  [[ "$1" == hardware.adc.bits=* ]] && bits="${1#*=}"
  shift
done
mkdir -p -- "$out"
printf 'experiment,adc_bits\nfake,%s\n' "$bits" >"$out/summary.csv"
EOF
chmod +x "$fake"

# 3 bit-widths x 2 mappings x 1 policy = 6 points, with a passthrough --set holding a space.
"$sweep" "$experiment" --bits 2..3,6 --mappings baseline,sws --policies capped \
  --set 'name=my sweep' --out "$out" --cimsim "$fake" --slurm "$job" \
  --slurm-opt=--time=00:10:00 >"$work/write.txt" 2>&1 || fail "--slurm failed: $(cat "$work/write.txt")"
[[ -x "$job" ]] || fail "no executable job script at $job"
[[ ! -e "$out/bits2-baseline-capped" ]] || fail "--slurm ran a point"
pass "--slurm wrote $job without running anything"

bash -n "$job" || fail "the job script is not valid bash"
grep -qx '#SBATCH --array=0-5' "$job" || fail "no '#SBATCH --array=0-5' line: $(grep SBATCH "$job")"
grep -qx '#SBATCH --time=00:10:00' "$job" || fail "--slurm-opt line missing"
# Every #SBATCH line comes before the first command (sbatch stops reading them there).
awk '/^#SBATCH/ { if (seen_cmd) bad = 1 } !/^#/ && NF { seen_cmd = 1 } END { exit bad }' "$job" \
  || fail "an #SBATCH line follows a command"
pass "bash -n passes; --array=0-5 for 6 points"

points=(bits2-baseline-capped bits3-baseline-capped bits6-baseline-capped
  bits2-sws-capped bits3-sws-capped bits6-sws-capped)
for k in "${!points[@]}"; do
  p="${points[k]}"
  bits="${p#bits}"
  bits="${bits%%-*}"
  mapping="$(cut -d- -f2 <<<"$p")"
  SLURM_ARRAY_TASK_ID=$k bash "$job" >"$work/task$k.txt" 2>&1 || fail "task $k failed: $(cat "$work/task$k.txt")"
  log="$out/logs/$p.log"
  [[ -f "$log" ]] || fail "task $k wrote no log at $log"
  want="FAKE-CIMSIM <run> <$experiment> <--set> <hardware.adc.bits=$bits> <--set> <mapping.policy=$mapping> <--set> <hardware.adc.policy=capped> <--set> <name=my sweep> <--out> <$out/$p>"
  got="$(grep '^FAKE-CIMSIM' "$log")"
  [[ "$got" == "$want" ]] || fail "task $k ran
  $got
instead of
  $want"
  [[ -f "$out/$p/summary.csv" ]] || fail "task $k: no results"
done
pass "each of the 6 tasks runs its point's exact cimsim command"

# The same commands as a local sweep would run (--dry-run prints them).
"$sweep" "$experiment" --bits 2..3,6 --mappings baseline,sws --policies capped \
  --set 'name=my sweep' --out "$work/local" --cimsim "$fake" --dry-run >"$work/dry.txt"
[[ $(wc -l <"$work/dry.txt") == 6 ]] || fail "--dry-run printed $(wc -l <"$work/dry.txt") commands"
grep -qF -- "--set hardware.adc.bits=6 --set mapping.policy=sws --set hardware.adc.policy=capped --set name=my\\ sweep --out $work/local/bits6-sws-capped" "$work/dry.txt" \
  || fail "the local sweep's command differs: $(cat "$work/dry.txt")"
pass "the local sweep's commands match"

# A complete point is skipped; a task id out of range or missing fails.
SLURM_ARRAY_TASK_ID=0 bash "$job" >"$work/again.txt" 2>&1 || fail "re-running task 0 failed"
expect_contains "$work/again.txt" "skipped" "a complete point"
status=0
SLURM_ARRAY_TASK_ID=6 bash "$job" >"$work/bad.txt" 2>&1 || status=$?
((status != 0)) || fail "task 6 of 6 points exited 0"
status=0
env -u SLURM_ARRAY_TASK_ID bash "$job" >"$work/none.txt" 2>&1 || status=$?
((status != 0)) || fail "the script without SLURM_ARRAY_TASK_ID exited 0"
pass "a complete point is skipped; out-of-range and missing task ids fail"

# A failing point under Slurm: its task exits non-zero with the log's tail.
printf '#!/usr/bin/env bash\necho "cimsim: configuration error: refused" >&2\nexit 2\n' >"$fake"
rm -rf -- "$out/bits3-sws-capped"
status=0
SLURM_ARRAY_TASK_ID=4 bash "$job" >"$work/fail.txt" 2>&1 || status=$?
((status == 2)) || fail "a failing task exited $status, not cimsim's 2"
expect_contains "$work/fail.txt" "bits3-sws-capped: FAILED" "the failing task names its point"
expect_contains "$work/fail.txt" "configuration error: refused" "the failing task shows the log"
pass "a failing task exits with cimsim's status and shows the log's tail"

# --gather-only gathers what the array produced and names what is missing.
status=0
"$sweep" "$experiment" --bits 2..3,6 --mappings baseline,sws --policies capped \
  --set 'name=my sweep' --out "$out" --gather-only >"$work/gather.txt" 2>&1 || status=$?
((status == 1)) || fail "--gather-only with a missing point exited $status, not 1"
expect_contains "$work/gather.txt" "bits3-sws-capped" "the missing point is named"
csv="$out/sweep.csv"
[[ $(wc -l <"$csv") == 6 ]] || fail "expected a header and 5 rows: $(cat "$csv")"
[[ "$(head -n 1 "$csv")" == "point,mapping,adc_policy,experiment,adc_bits" ]] \
  || fail "leading columns: $(head -n 1 "$csv")"
grep -qx 'bits6-sws-capped,sws,capped,fake,6' "$csv" || fail "row of bits6-sws-capped: $(cat "$csv")"
pass "--gather-only gathers 5 rows (mapping and policy added as leading columns) and names the missing one"

finish
