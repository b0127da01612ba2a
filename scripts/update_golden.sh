#!/usr/bin/env bash
# Regenerates tests/golden/expected/ from the current build. Run only after checking that a
# change of the numbers is intended, and say why in the commit message.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cimsim=${CIMSIM_BUILD_DIR:-$root/build}/cimsim
exp=$root/configs/experiments/sparse_gemm.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cimsim" run "$exp" --out "$tmp/sws" >/dev/null
"$cimsim" run "$exp" --out "$tmp/base" --set mapping.policy=baseline \
  --set hardware.adc.policy=fixed >/dev/null
cp "$tmp/sws/summary.csv" "$root/tests/golden/expected/sparse_gemm_sws.csv"
cp "$tmp/base/summary.csv" "$root/tests/golden/expected/sparse_gemm_baseline_fixed.csv"
echo "updated $root/tests/golden/expected"
