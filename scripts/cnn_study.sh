#!/usr/bin/env bash
# The CNN study of docs/results.md, end to end, from the repository root after scripts/build.sh:
# the four networks (dense, and 50/70/90 % pruned and fine-tuned) on all 10 000 MNIST test images,
# three rows each; the ADC-bit sweeps (1..8 bits, first 200 test images) of every row; then the
# table and figure. A finished run or sweep point is skipped, so an interrupted study resumes by
# running this again. Every simulation runs under nice -n 10 (the machine is shared); run it
# without an outer nice.
#
#   scripts/cnn_study.sh [SPARSITY ...]     (default: 0 50 70 90)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cimsim=${CIMSIM:-build/cimsim}
sparsities=("$@")
((${#sparsities[@]})) || sparsities=(0 50 70 90)

for s in "${sparsities[@]}"; do
  exp=configs/experiments/cnn/sparse$s.yaml
  if [[ -f out/cnn/sparse$s/comparison.csv ]]; then
    echo "cnn_study.sh: out/cnn/sparse$s: skipped (already complete)"
  else
    nice -n 10 "$cimsim" run "$exp" --out "out/cnn/sparse$s"
  fi
done
common=(--bits 1..8 --set compare=null --set workload.samples=200 --jobs 2)
# The variable-resolution gated rows, unsorted and sorted.
for s in "${sparsities[@]}"; do
  nice -n 10 scripts/sweep.sh "configs/experiments/cnn/sparse$s.yaml" "${common[@]}" \
    --mappings baseline,sws --policies capped --out "out/cnn/sweep/sparse$s"
done
# The conventional row: fixed ADCs without power gating.
for s in "${sparsities[@]}"; do
  nice -n 10 scripts/sweep.sh "configs/experiments/cnn/sparse$s.yaml" "${common[@]}" \
    --mappings baseline --policies fixed --set hardware.adc.power_gating=false \
    --out "out/cnn/sweep/sparse${s}_fixed"
done
/usr/bin/python3 scripts/results_table.py
