#!/usr/bin/env bash
# Checks the C++ against the committed style files: formatting with clang-format-14
# (.clang-format, --dry-run -Werror: any difference fails) and the library's sources (sim/,
# models/) with clang-tidy-14 (.clang-tidy, every warning an error), in parallel over the build's
# compile_commands.json. Needs a configured build (scripts/build.sh) and the Debian packages
# clang-format-14 and clang-tidy-14.
#
# usage: scripts/lint.sh [--format-only | --tidy-only] [--fix-format]
#   --fix-format  rewrite the files in place instead of checking them (clang-format -i)
# Environment: CIMSIM_BUILD_DIR (default build/), LINT_JOBS (default: every core).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CIMSIM_BUILD_DIR:-$root/build}
[[ "$build" == /* ]] || build="$root/$build"
jobs=${LINT_JOBS:-$(nproc)}
format=1
tidy=1
fix=0
for arg in "$@"; do
  case "$arg" in
    --format-only) tidy=0 ;;
    --tidy-only) format=0 ;;
    --fix-format) fix=1 tidy=0 ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "lint.sh: unknown argument '$arg' (see --help)" >&2
      exit 2
      ;;
  esac
done

die() {
  echo "lint.sh: $*" >&2
  exit 2
}
command -v clang-format-14 >/dev/null || die "clang-format-14 not found: install the Debian package clang-format-14"
command -v run-clang-tidy-14 >/dev/null || die "run-clang-tidy-14 not found: install the Debian package clang-tidy-14"

cd "$root"
status=0
if ((format)); then
  # Every tracked C++ file; the fuzz harnesses and tests follow the same style.
  mapfile -t files < <(git ls-files '*.cpp' '*.h')
  if ((fix)); then
    clang-format-14 -i "${files[@]}"
    echo "lint.sh: formatted ${#files[@]} files"
  elif clang-format-14 --dry-run -Werror "${files[@]}" 2>"$build/lint-format.txt"; then
    echo "lint.sh: format: ${#files[@]} files clean"
  else
    status=1
    echo "lint.sh: format: $(grep ': error: ' "$build/lint-format.txt" | cut -d: -f1 | sort -u | wc -l) of ${#files[@]} files differ, e.g.:" >&2
    head -n 20 "$build/lint-format.txt" >&2
    echo "lint.sh: fix them with scripts/lint.sh --fix-format (full list: $build/lint-format.txt)" >&2
  fi
fi
if ((tidy)); then
  [[ -f "$build/compile_commands.json" ]] || die "no $build/compile_commands.json: run scripts/build.sh first"
  # The library's translation units; headers under sim/ are checked through them
  # (.clang-tidy's HeaderFilterRegex).
  # run-clang-tidy has no warnings-as-errors switch: any warning in its log fails the check, as
  # does a failed run (a file that does not compile, a missing compile database).
  # Not yet checked: files that work in progress is rewriting, each still with a warning in main;
  # they leave this list when that work lands clean (empty now: every file is checked).
  pending=()
  skip=$(printf '%s|' "${pending[@]}")
  skip=${skip%|}
  skip=${skip//./\\.}
  echo "lint.sh: clang-tidy on sim/ and models/${pending[*]:+, not yet on: ${pending[*]}}"
  tidy_status=0
  tidy_start=$SECONDS
  run-clang-tidy-14 -quiet -p "$build" -j "$jobs" "^$root/(?!($skip)\$)(sim|models)/.*\\.cpp\$" \
    >"$build/lint-tidy.txt" 2>&1 || tidy_status=$?
  if ((tidy_status == 0)) && ! grep -qE '(warning|error): ' "$build/lint-tidy.txt"; then
    echo "lint.sh: clang-tidy: clean ($(grep -c '^clang-tidy' "$build/lint-tidy.txt" || true) files, $((SECONDS - tidy_start)) s)"
  else
    status=1
    grep -E '(warning|error): ' "$build/lint-tidy.txt" | sort -u | head -n 40 >&2 || true
    echo "lint.sh: clang-tidy found problems (full log: $build/lint-tidy.txt)" >&2
  fi
fi
exit "$status"
