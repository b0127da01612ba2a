#!/usr/bin/env bash
# Builds cimsim with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ (or $1) and
# runs the whole test suite there (ctest: the GoogleTest cases, the golden runs of the binary and
# the script tests, which run the instrumented binary too). Any sanitizer report is fatal: ASan
# and UBSan halt on the first error and LeakSanitizer fails a process that leaks at exit. Known
# leaks of SystemC itself are suppressed by fuzz/lsan.supp (docs/reliability.md says why).
#
# usage: scripts/sanitize.sh [BUILD_DIR] [-- extra ctest arguments]
#   CIMSIM_SANITIZE_BUILD_TYPE  CMake build type (default RelWithDebInfo: symbolized reports)
#   CIMSIM_SANITIZE_JOBS        build and ctest parallelism (default nproc)
#   CIMSIM_SANITIZE_EXCLUDE     ctest -E regex of tests not run here (default: the one below;
#                               set it to "" to run every test)
#
# Two tests are left out by default: TraceCli.{Interrupted,Terminated}RunSaysSoAndLeavesNoResults
# interrupt a running simulation (SIGINT, SIGTERM), and the C++ exception that unwinds it meets a known ASan/SystemC limitation.
# After SystemC 2.3.4 has switched between its coroutines, ASan no longer knows the main stack's
# bounds. It says so itself ("ASan is ignoring requested __asan_handle_no_return: stack ... top:
# 0x000000000000 ... False positive error reports may follow"), cannot clear the unwound
# frames' redzones, and then reports its own sigaltstack() call as a stack-buffer-overflow. The
# tests run in the normal build (scripts/test.sh); docs/reliability.md has the details.
#
# Also left out by default: the tests whose names end in OnTheFullTestSet. They run the same code
# as the smaller CNN and ViT tests, only over all 10 000 test images, which takes 10+ CPU-minutes
# each under ASan and would put CI's 90-minute limit at risk. CIMSIM_SANITIZE_EXCLUDE="" runs them
# (the first full sanitizer run did: docs/reliability.md).
#
# And, for the same reason, six end-to-end tests that repeat whole runs many times over (45 to
# 115 s each under ASan, a third of the suite together): three of the optimizer's searches
# (OptimizeCli.StaysWithinItsBudget... still runs a whole search, its resume and its chosen file
# here), the CNN's sweep of ADC widths, the run at several batch sizes, and the CNN on every kernel
# in turn. What they run, ASan sees in the tests that stay: the searches' stages in the remaining
# search, each kernel against the reference on random layers (KernelEquivalence, AnalogBatch), the
# CNN's runs in CnnGolden and ChipCli's other tests. They run in the normal build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-asan
if (($# > 0)) && [[ "$1" != "--" ]]; then
  build=$1
  shift
fi
[[ "${1:-}" == "--" ]] && shift
build_type=${CIMSIM_SANITIZE_BUILD_TYPE:-RelWithDebInfo}
heavy='^OptimizeCli\.(SlurmArraysCarryEveryStageAndTheSearchGoesOnFromTheirFolders|CrossbarBudgetKeepsTheChoiceWithinItsBound|UseLiteSearchKeepsTheEmbeddingCosineWithinItsBudget)$'
heavy+='|^CnnGolden\.LosslessAdcsMatchTheIntegerIdealAndLowBitsCostAccuracy$'
heavy+='|^ChipCli\.TheBatchSizeChangesNoReportedTime$|^NonidealGolden\.AllOffCnnIsTheIdealRunBitForBitOnEveryKernel$'
exclude=${CIMSIM_SANITIZE_EXCLUDE-^TraceCli\.(Interrupted|Terminated)RunSaysSoAndLeavesNoResults\$|OnTheFullTestSet\$|$heavy}
jobs=${CIMSIM_SANITIZE_JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}

# Fatal reports everywhere, also for the test discovery (gtest_discover_tests runs the test
# binary at build time) and for the cimsim binary that golden and script tests start.
# abort_on_error=0 keeps the exit code non-zero without a core dump; UBSan has no recover
# anyway (-fno-sanitize-recover=undefined in cmake/Warnings.cmake), halt_on_error makes sure.
# detect_stack_use_after_return must stay off: SystemC runs each SC_THREAD on its own coroutine
# stack (QuickThreads), and Debian's libsystemc does not tell ASan about those stack switches,
# so ASan's fake stack frames end up freed under a suspended thread (SEGV in sc_core::wait).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:check_initialization_order=1:strict_init_order=1:strict_string_checks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:report_error_type=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"

start=$(date +%s)
echo "sanitize.sh: configuring $build ($build_type, -DCIMSIM_SANITIZE=ON)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="$build_type" -DCIMSIM_SANITIZE=ON \
  -DCIMSIM_BUILD_BENCHMARKS=OFF -DCIMSIM_BUILD_TESTS=ON >/dev/null
echo "sanitize.sh: building with $jobs jobs"
cmake --build "$build" -j"$jobs"
built=$(date +%s)

echo "sanitize.sh: running ctest under ASan+UBSan+LSan"
status=0
exclude_args=()
if [[ -n "$exclude" ]]; then
  exclude_args=(-E "$exclude")
  echo "sanitize.sh: not run here (see the comment at the top of this script): $exclude"
fi
ctest --test-dir "$build" --output-on-failure -j"$jobs" "${exclude_args[@]}" "$@" || status=$?
end=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
if ((status != 0)); then
  echo "sanitize.sh: FAILED (ctest exit $status); sanitizer reports are in the output above" >&2
  exit "$status"
fi
echo "sanitize.sh: all tests passed under AddressSanitizer + UndefinedBehaviorSanitizer"
