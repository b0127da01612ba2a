#!/usr/bin/env bash
# The test command of the README: installs what is missing (Debian packages, datasets and
# models, checked by sha256), builds everything, checks formatting and clang-tidy
# (scripts/lint.sh) and runs every test with ctest; then, as CI's
# reliability checks (docs/reliability.md), the whole suite again in a second build under
# AddressSanitizer + UndefinedBehaviorSanitizer (scripts/sanitize.sh), and each libFuzzer
# harness for a bounded time (scripts/fuzz.sh run).
#   CIMSIM_TEST_SANITIZE=0     skip the sanitizer build (default 1)
#   CIMSIM_TEST_FUZZ_SECONDS   seconds per fuzz target (default 20; 0 skips fuzzing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
# The committed style files: formatting (.clang-format, 2 s) and clang-tidy on the library
# (.clang-tidy, every warning an error; about 450 CPU-s, 4 min on 2 cores), run here while nothing
# else runs, with one job per core.
"$root/scripts/lint.sh"
build=${CIMSIM_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"

if [[ "${CIMSIM_TEST_SANITIZE:-1}" != 0 ]]; then
  "$root/scripts/sanitize.sh"
fi
fuzz_seconds=${CIMSIM_TEST_FUZZ_SECONDS:-20}
if ((fuzz_seconds > 0)); then
  "$root/scripts/fuzz.sh" run "$fuzz_seconds"
fi
echo "test.sh: all checks passed"
