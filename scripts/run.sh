#!/usr/bin/env bash
# The run command of the README: installs what is missing, builds, and runs the default
# experiment (or the experiment given as first argument; further arguments go to `cimsim run`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${CIMSIM_BUILD_DIR:-$root/build}
experiment=${1:-$root/configs/experiments/default.yaml}
shift || true
exec "$build/cimsim" run "$experiment" "$@"
