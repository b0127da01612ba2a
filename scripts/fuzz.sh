#!/usr/bin/env bash
# Builds and runs cimsim's libFuzzer harnesses (fuzz/, docs/reliability.md).
#
# usage: scripts/fuzz.sh build                      configure and build build-fuzz/ (clang++-14)
#        scripts/fuzz.sh run [SECONDS] [TARGET...]  fuzz each target for SECONDS (default 30)
#        scripts/fuzz.sh replay [TARGET...]         run every seed and regression input once
#        scripts/fuzz.sh seeds                      rewrite the generated seeds (trace, keras)
#   TARGET: config npy idx keras trace (default: all five)
#   CIMSIM_FUZZ_BUILD_DIR  build folder (default build-fuzz)
#   CIMSIM_FUZZ_CXX        compiler (default clang++-14, else clang++)
#   CIMSIM_FUZZ_PATCH_DIR  patched copies of sources (DIR/sim/x/y.cpp replaces sim/x/y.cpp) to
#                          try a fix in the fuzz build before it goes into the tree
#
# `run` fuzzes one target after the other (each is single-threaded) starting from the committed
# seeds in fuzz/corpus/<target>/ plus what earlier runs found (build-fuzz/corpus/<target>/, not
# committed), prints executions and executions per second per target, and exits non-zero if any
# target crashed, hung, leaked or tripped a sanitizer. Crash inputs are kept in
# build-fuzz/crashes/<target>/; a fixed crash belongs in tests/regressions/<target>/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CIMSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}
all_targets=(config npy idx keras trace onnx tfjs tokenizer)
export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}

die() {
  printf 'fuzz.sh: error: %s\n' "$*" >&2
  exit 2
}

targets_from_args() {
  local t ok
  if (($# == 0)); then
    printf '%s\n' "${all_targets[@]}"
    return
  fi
  for t in "$@"; do
    ok=0
    for a in "${all_targets[@]}"; do [[ "$t" == "$a" ]] && ok=1; done
    ((ok)) || die "unknown target '$t' (targets: ${all_targets[*]})"
    printf '%s\n' "$t"
  done
}

compiler() {
  if [[ -n "${CIMSIM_FUZZ_CXX:-}" ]]; then
    printf '%s\n' "$CIMSIM_FUZZ_CXX"
  elif command -v clang++-14 >/dev/null; then
    printf 'clang++-14\n'
  elif command -v clang++ >/dev/null; then
    printf 'clang++\n'
  else
    die "no clang++: install Debian's clang-14 and libclang-rt-14-dev (scripts/setup.sh)"
  fi
}

build() {
  local cxx
  cxx=$(compiler)
  echo "fuzz.sh: building the harnesses in $build with $cxx"
  cmake -S "$root/fuzz" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCIMSIM_FUZZ_PATCH_DIR="${CIMSIM_FUZZ_PATCH_DIR:-}" >/dev/null
  cmake --build "$build" -j"$(nproc)"
}

# Sanitizer settings of every harness run: any report is fatal, SystemC's known leaks are not
# reported (the harnesses never start SystemC, so none are expected).
sanitizer_env() {
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
  export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
  # The harnesses' files go to a folder of this run's own, removed at the end even after a crash.
  if [[ -z "${CIMSIM_FUZZ_SCRATCH:-}" ]]; then
    local shm=/dev/shm
    [[ -d "$shm" && -w "$shm" ]] || shm=${TMPDIR:-/tmp}
    CIMSIM_FUZZ_SCRATCH=$(mktemp -d "$shm/cimsim-fuzz-run.XXXXXX")
    export CIMSIM_FUZZ_SCRATCH
    trap 'rm -rf -- "$CIMSIM_FUZZ_SCRATCH"' EXIT
  fi
  # Reports name files and lines when a symbolizer is there (Debian's llvm-14 package).
  local symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
  if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" && -x "$symbolizer" ]]; then
    export ASAN_SYMBOLIZER_PATH=$symbolizer
  fi
}

# The value of "stat::NAME: VALUE" in a libFuzzer log.
stat_of() {
  sed -n "s/^stat::$2: *\\([0-9]*\\).*/\\1/p" "$1" | tail -n 1
}

# The first lines of the sanitizer's or libFuzzer's report in a log (the whole log's tail when
# there is none, e.g. a bad option), stack frames cut to the ones in cimsim's own code.
report() {
  awk 'BEGIN { shown = 0 }
       /terminate called|what\(\):|runtime error|==ERROR|ALARM|out-of-memory|SUMMARY|ParseDictionary|Test unit written/ {
         found = 1 }
       /^0x|^Base64|^ *$|^NOTE|Combine libFuzzer/ { next }
       found && shown < 24 && (!/^ *#[0-9]+ / || / cimsim::|\/(sim|models|fuzz)\/[a-z_\/]+\.(cpp|h):/) {
         print "    " substr($0, 1, 240); shown++ }
       END { exit found ? 0 : 1 }' "$1" || tail -n 20 "$1" | sed 's/^/    /'
}

run() {
  local seconds=30
  if (($# > 0)) && [[ "$1" =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
  fi
  local targets
  mapfile -t targets < <(targets_from_args "$@")
  build
  sanitizer_env
  local failed=() t bin log status execs rate units rss dict
  local summary=()
  for t in "${targets[@]}"; do
    bin="$build/fuzz_$t"
    [[ -x "$bin" ]] || die "$bin was not built"
    mkdir -p "$build/corpus/$t" "$build/crashes/$t" "$build/logs"
    log="$build/logs/$t.log"
    dict=()
    [[ -f "$root/fuzz/dict/$t.dict" ]] && dict=(-dict="$root/fuzz/dict/$t.dict")
    echo "fuzz.sh: fuzzing $t for $seconds s (log: $log)"
    status=0
    # New inputs go into the first folder (build-fuzz/corpus/<t>); the seeds stay untouched.
    (cd "$build" && "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
      -rss_limit_mb=2560 -max_len=16384 -artifact_prefix="$build/crashes/$t/" "${dict[@]}" \
      "$build/corpus/$t" "$root/fuzz/corpus/$t") >"$log" 2>&1 || status=$?
    execs=$(stat_of "$log" number_of_executed_units)
    rate=$(stat_of "$log" average_exec_per_sec)
    units=$(stat_of "$log" new_units_added)
    rss=$(stat_of "$log" peak_rss_mb)
    if ((status != 0)); then
      failed+=("$t")
      echo "fuzz.sh: $t FAILED (exit $status); the report:" >&2
      report "$log" >&2
      find "$build/crashes/$t" -type f -printf 'fuzz.sh:   kept %p\n' >&2
    fi
    summary+=("$(printf '%-9s %12s %10s %8s %8s  %s' "$t" "${execs:-?}" "${rate:-?}" \
      "${units:-?}" "${rss:-?}" "$( ((status == 0)) && echo ok || echo FAILED)")")
  done
  echo
  printf '%-9s %12s %10s %8s %8s  %s\n' target executions exec/s "new" "rss MB" result
  printf '%s\n' "${summary[@]}"
  if ((${#failed[@]} > 0)); then
    echo "fuzz.sh: FAILED: ${failed[*]}; reproduce with $build/fuzz_<target> <crash file>" >&2
    exit 1
  fi
  echo "fuzz.sh: ${#targets[@]} targets fuzzed for $seconds s each, no crash"
}

replay() {
  local targets t files status=0
  mapfile -t targets < <(targets_from_args "$@")
  build
  sanitizer_env
  for t in "${targets[@]}"; do
    files=()
    for d in "$root/fuzz/corpus/$t" "$root/tests/regressions/$t"; do
      [[ -d "$d" ]] && while IFS= read -r -d '' f; do files+=("$f"); done \
        < <(find "$d" -type f -print0 | sort -z)
    done
    echo "fuzz.sh: replaying ${#files[@]} inputs through fuzz_$t"
    ((${#files[@]} > 0)) || continue
    "$build/fuzz_$t" -runs=1 "${files[@]}" >"$build/replay-$t.log" 2>&1 || {
      status=1
      echo "fuzz.sh: $t FAILED on a kept input; see $build/replay-$t.log" >&2
      tail -n 40 "$build/replay-$t.log" >&2
    }
  done
  return "$status"
}

seeds() {
  build
  sanitizer_env
  "$build/make_fuzz_seeds" "$root/fuzz/corpus"
}

case "${1:-}" in
  build) build ;;
  run)
    shift
    run "$@"
    ;;
  replay)
    shift
    replay "$@"
    ;;
  seeds) seeds ;;
  -h | --help | "")
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ -n "${1:-}" ]] || exit 2
    ;;
  *) die "unknown command '$1' (build, run, replay, seeds)" ;;
esac
