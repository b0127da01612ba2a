#!/usr/bin/env bash
# The chip study of issue 17 (docs/results.md, docs/results_vit.md, docs/results_use_lite.md,
# section "The whole chip"), end to end, from the repository root after scripts/build.sh: every
# experiment of configs/experiments/study/ (the CNN dense and 50/70/90 %, the ViT and the USE-lite
# matrices at 0/50/80/90 %, each on the ISAAC-style chip and on the SWS chip; four mappings, each
# sequential and pipelined) on its full test set, then the tables. A finished experiment is
# skipped, so an interrupted study resumes by running this again. Runs under nice -n 10.
#
#   scripts/study.sh [NAME ...]    (default: every file of configs/experiments/study/, by name)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cimsim=${CIMSIM:-build/cimsim}
names=("$@")
if ((${#names[@]} == 0)); then
  for f in configs/experiments/study/*.yaml; do names+=("$(basename "$f" .yaml)"); done
fi
for name in "${names[@]}"; do
  if [[ -f out/study/$name/comparison.csv ]]; then
    echo "study.sh: out/study/$name: skipped (already complete)"
    continue
  fi
  nice -n 10 "$cimsim" run "configs/experiments/study/$name.yaml" --out "out/study/$name"
done
/usr/bin/python3 scripts/results_table_study.py
