#!/usr/bin/env bash
# Rewrites traces/default/, the programs the default experiment runs (one weight trace per
# variant of configs/experiments/default.yaml: its layers mapped and placed on the SWS chip's
# tiles, docs/trace-format.md), after a change to the mapping, the placement or the trace format.
# tests/scripts/traces_test.sh fails until this has been run and its output committed.
#
#   scripts/update_traces.sh      (from anywhere, after scripts/build.sh)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cimsim=${CIMSIM:-build/cimsim}
"$cimsim" map configs/experiments/default.yaml --out traces/default >/dev/null
echo "update_traces.sh: wrote $(ls traces/default | wc -l) traces in traces/default/"
