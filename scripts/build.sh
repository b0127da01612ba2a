#!/usr/bin/env bash
# Configures and builds cimsim (Release, ccache when present) into build/ or $CIMSIM_BUILD_DIR.
# Extra arguments go to cmake's configure step, e.g. -DCIMSIM_SANITIZE=ON.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CIMSIM_BUILD_DIR:-$root/build}
export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
