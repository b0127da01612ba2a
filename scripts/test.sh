#!/usr/bin/env bash
# The test command of the README: installs what is missing (Debian packages, datasets and
# models, checked by sha256), builds everything and runs every test with ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${CIMSIM_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
