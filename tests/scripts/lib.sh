# shellcheck shell=bash disable=SC2034 # the variables are for the tests that source this
# Helpers of the tests/scripts/*.sh tests (sourced). Each test takes the cimsim binary and the
# source folder: `bash tests/scripts/NAME.sh build/cimsim .` (as ctest runs them).
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 CIMSIM SOURCE_DIR" >&2
  exit 2
fi
cimsim="$(realpath -- "$1")"
src="$(realpath -- "$2")"
test_name="$(basename -- "$0" .sh)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cimsim-$test_name.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
checks=0
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree

fail() {
  printf '%s: FAIL: %s\n' "$test_name" "$*" >&2
  exit 1
}
pass() {
  checks=$((checks + 1))
  printf '%s: ok: %s\n' "$test_name" "$*"
}
# expect_contains FILE TEXT WHAT
expect_contains() {
  grep -qF -- "$2" "$1" || {
    printf '%s: --- %s ---\n' "$test_name" "$1" >&2
    cat -- "$1" >&2
    fail "$3: no '$2' in $1"
  }
}
finish() {
  printf '%s: all %d checks passed\n' "$test_name" "$checks"
}
