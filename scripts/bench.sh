#!/usr/bin/env bash
# Performance figures of cimsim (docs/performance.md): builds the Google Benchmark binary and the
# simulator, runs the kernel, macro, BERT-layer and machine-limit benchmarks (one core's int32
# multiply-add, AND+POPCNT and int8 VNNI rates), then the pretrained MNIST CNN end to end under
# baseline and sws with capped 8-bit ADCs, capped 4-bit ADCs (columns clip) and Gaussian device
# variation (the analog kernel), and the ONNX ResNet, each timed with its peak memory; every
# figure is the median of --repeat runs. Ends with the kernels against the machine's measured
# limits and one table of figures, units and targets (PASS/FAIL), printed by
# scripts/bench_summary.py from the raw results. Tracing is off throughout.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/bench.sh [--samples N|all] [--clip-samples N|all] [--analog-samples N|all]
                        [--no-clip] [--no-analog] [--repeat N] [--build-dir DIR] [--no-build]
                        [--filter REGEX] [--no-cnn] [--no-onnx] [--no-micro] [--keep DIR]
       scripts/bench.sh --summary DIR
       scripts/bench.sh --help

Builds cimsim_bench and cimsim (Release) and prints performance figures with units:
one core's measured limits (int32 multiply-add, 64-bit AND+POPCNT and AVX-512 VPOPCNTQ in bit
operations/s, int8 AVX-512 VNNI in MAC/s); crossbar column-sum throughput and the batched clip
and analog kernels (cell operations/s) with their fraction of those limits; 128x128 macro
MVMs/s; a BERT-base-sized layer (768x3072, 128 tokens, 90 % sparse) mapped and simulated (s);
the MNIST CNN end to end (images/s, baseline and sws: capped 8-bit ADCs, capped 4-bit ADCs that
clip, and Gaussian device variation of sigma 0.1); the ONNX ResNet-style CNN on Fashion-MNIST
(images/s, baseline and sws, and the split of its time between crossbar layers and digital
operators); and the peak memory of each.

  --samples N   MNIST test images per CNN run (default: all = 10000)
  --clip-samples N    images of the clipping runs (capped 4-bit ADCs; default: --samples)
  --analog-samples N  images of the device-variation runs (gaussian, sigma 0.1; default: 200)
  --no-clip     skip the clipping CNN runs
  --no-analog   skip the device-variation CNN runs
  --repeat N    runs of every figure; the median is reported (default: 3)
  --build-dir D build directory (default: $CIMSIM_BUILD_DIR or build/)
  --no-build    use the binaries already in the build directory
  --filter RE   only the Google Benchmark cases matching RE (default: all)
  --no-cnn      skip the end-to-end CNN runs
  --no-onnx     skip the end-to-end ONNX ResNet runs (models/onnx/resnet_fashion/sparse0.onnx)
  --no-micro    skip the Google Benchmark binary
  --keep DIR    keep the raw results (run.json, benchmark JSON, time logs, CNN results) in DIR
  --summary DIR print the summary of the raw results kept in DIR (--keep); runs nothing
  --help        show this help

A run shorter than 10 000 images is scaled to the full test set: a 16-image run's start-up (the
median of --repeat such runs) plus the per-image time of the measured run. Targets (issue 19,
2-core machine, 10 000 MNIST test images): CNN with capped 8-bit ADCs < 15 s per mapping and
sws no slower than 1.3x baseline; capped 4-bit ADCs (clipping) < 60 s; Gaussian variation sigma
0.1 < 120 s. ONNX ResNet full test set < 120 s per mapping; BERT-sized layer < 10 s; peak
memory < 2 GiB. Exit status is 0 even when a target fails (the table says so); 1 when a run
fails, 2 for bad arguments.
EOF
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CIMSIM_BUILD_DIR:-$root/build}
samples=all
clip_samples=
analog_samples=200
do_clip=1
do_analog=1
repeat=3
do_build=1
do_cnn=1
do_onnx=1
do_micro=1
filter=
keep=
summary=

while (($#)); do
  case $1 in
    --samples) samples=${2:?--samples needs a value}; shift 2 ;;
    --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
    --clip-samples) clip_samples=${2:?--clip-samples needs a value}; shift 2 ;;
    --analog-samples) analog_samples=${2:?--analog-samples needs a value}; shift 2 ;;
    --no-clip) do_clip=0; shift ;;
    --no-analog) do_analog=0; shift ;;
    --build-dir) build=${2:?--build-dir needs a value}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --filter) filter=${2:?--filter needs a value}; shift 2 ;;
    --no-cnn) do_cnn=0; shift ;;
    --no-onnx) do_onnx=0; shift ;;
    --no-micro) do_micro=0; shift ;;
    --keep) keep=${2:?--keep needs a value}; shift 2 ;;
    --summary) summary=${2:?--summary needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'bench.sh: unknown argument %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
if [[ -n $summary ]]; then
  [[ -f $summary/run.json ]] ||
    { echo "bench.sh: $summary has no run.json (not a folder of bench.sh --keep)" >&2; exit 2; }
  exec python3 "$root/scripts/bench_summary.py" "$summary"
fi
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --repeat takes a positive integer" >&2; exit 2; }
clip_samples=${clip_samples:-$samples}
for value in "$samples" "$clip_samples" "$analog_samples"; do
  [[ $value == all || $value =~ ^[1-9][0-9]*$ ]] ||
    { echo "bench.sh: --samples, --clip-samples and --analog-samples take a positive integer or 'all'" >&2; exit 2; }
done
[[ $build == /* ]] || build=$PWD/$build

note() { printf 'bench.sh: %s\n' "$*" >&2; }
command -v python3 >/dev/null || { note "python3 is required (scripts/setup.sh installs it)"; exit 1; }

if [[ -n $keep ]]; then
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/cimsim-bench.XXXXXX")
  trap 'rm -rf -- "$work"' EXIT
fi

# --- build ---------------------------------------------------------------------------------
if ((do_build)); then
  note "building cimsim_bench and cimsim in $build"
  export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target cimsim_bench cimsim -j"$(nproc)" >"$work/build.log" 2>&1 ||
    { tail -30 "$work/build.log" >&2; note "build failed"; exit 1; }
fi
bench_bin=$build/bench/cimsim_bench
cimsim_bin=$build/cimsim

# --- peak memory and wall time of one command -----------------------------------------------
# GNU time (package `time`) when present; otherwise a python3 wrapper that reads the children's
# rusage, which gives the same figures (ru_maxrss is the kernel's high-water mark of the
# resident set). Writes "wall_s max_rss_kib user_s sys_s" to $1, runs the rest; stdout and
# stderr go to $2.
measure() {
  local result=$1 log=$2
  shift 2
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v -o "$result.time" "$@" >"$log" 2>&1 || return 1
    awk -F': ' '
      /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + p[i] }
      /Maximum resident set size/ { rss = $2 }
      /User time \(seconds\)/ { user = $2 }
      /System time \(seconds\)/ { sys = $2 }
      END { printf "%s %s %s %s\n", s, rss, user, sys }' "$result.time" >"$result"
  else
    python3 - "$result" "$log" "$@" <<'PY'
import resource, subprocess, sys, time
out, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
start = time.monotonic()
with open(log, "w") as f:
    rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write(f"{wall} {r.ru_maxrss} {r.ru_utime} {r.ru_stime}\n")
sys.exit(rc)
PY
  fi
}

# Other work on the machine inflates wall times: say so when the load is already high.
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }'; then
  note "warning: load average $load on $(nproc) cores before the runs; wall times will be inflated"
fi

# --- Google Benchmark ---------------------------------------------------------------------
if ((do_micro)); then
  [[ -x $bench_bin ]] || { note "no $bench_bin (build it, or drop --no-build)"; exit 1; }
  args=(--benchmark_repetitions="$repeat" --benchmark_display_aggregates_only=true
        --benchmark_out="$work/bench.json" --benchmark_out_format=json)
  [[ -n $filter ]] && args+=(--benchmark_filter="$filter")
  note "running $bench_bin (median of $repeat)"
  measure "$work/bench.measure" "$work/bench.log" "$bench_bin" "${args[@]}" ||
    { cat "$work/bench.log" >&2; note "cimsim_bench failed"; exit 1; }
  if ((repeat > 1)); then
    grep -E '_median|^Benchmark|^-+$' "$work/bench.log" || true
  else
    grep -E '^BM_|^Benchmark|^-+$' "$work/bench.log" || true
  fi
fi

# --- MNIST CNN end to end -----------------------------------------------------------------
if ((do_cnn)); then
  [[ -x $cimsim_bin ]] || { note "no $cimsim_bin (build it, or drop --no-build)"; exit 1; }
  cat >"$work/cnn.yaml" <<'EOF'
version: 1
workload: {kind: mnist_cnn}
mapping: {policy: sws}
hardware: {adc: {policy: capped, bits: 8}}
EOF
  # Variants: name, samples, and the settings on top of cnn.yaml. adc8 is the exact path
  # (capped 8-bit: no column clips); adc4 has capped 4-bit ADCs, below most columns' lossless
  # width, so columns clip (the split kernel); var01 has Gaussian programming variation of
  # sigma 0.1 (the analog kernel) with capped 8-bit ADCs.
  variants=("adc8 $samples" "adc4 $clip_samples --set hardware.adc.bits=4"
            "var01 $analog_samples --set hardware.device.variation.kind=gaussian --set hardware.device.variation.sigma=0.1")
  ((do_clip)) || variants=("${variants[0]}" "${variants[2]}")
  ((do_analog)) || unset 'variants[-1]'
  for entry in "${variants[@]}"; do
    read -r variant n extra <<<"$entry"
    read -r -a extra_args <<<"${extra:-}"
    for policy in baseline sws; do
      tag=${variant}_$policy
      for ((i = 1; i <= repeat; ++i)); do
        note "CNN $variant $policy, $n images, run $i of $repeat"
        measure "$work/cnn_${tag}_$i.measure" "$work/cnn_${tag}_$i.log" \
          "$cimsim_bin" run "$work/cnn.yaml" --set mapping.policy="$policy" \
          --set workload.samples="$n" "${extra_args[@]}" --out "$work/cnn_${tag}_$i" ||
          { cat "$work/cnn_${tag}_$i.log" >&2; note "CNN run failed"; exit 1; }
        [[ -n $keep ]] || rm -rf -- "$work/cnn_${tag}_$i"
      done
      # A shorter run is scaled to the full test set; one batch of 16 images measures the
      # start-up (loading, calibration, mapping) that does not scale with the image count, as
      # often as the run itself (the median: one noisy start-up moved a 200-image estimate by
      # a third).
      if [[ $n != all ]] && ((n < 10000 && n > 16)); then
        for ((i = 1; i <= repeat; ++i)); do
          note "CNN $variant $policy, 16 images (start-up for the estimate), run $i of $repeat"
          measure "$work/cnn_${tag}_startup_$i.measure" "$work/cnn_${tag}_startup_$i.log" \
            "$cimsim_bin" run "$work/cnn.yaml" --set mapping.policy="$policy" \
            --set workload.samples=16 "${extra_args[@]}" --out "$work/cnn_${tag}_startup_$i" ||
            { cat "$work/cnn_${tag}_startup_$i.log" >&2; note "CNN run failed"; exit 1; }
          [[ -n $keep ]] || rm -rf -- "$work/cnn_${tag}_startup_$i"
        done
      fi
    done
  done
fi

# --- ONNX ResNet end to end (issue 18) ----------------------------------------------------
if ((do_onnx)); then
  [[ -x $cimsim_bin ]] || { note "no $cimsim_bin (build it, or drop --no-build)"; exit 1; }
  cat >"$work/onnx.yaml" <<EOF
version: 1
workload: {kind: onnx, model: $root/models/onnx/resnet_fashion/sparse0.onnx, dataset: fashion_mnist}
mapping: {policy: sws}
hardware: {adc: {policy: capped, bits: 8}}
EOF
  for policy in baseline sws; do
    for ((i = 1; i <= repeat; ++i)); do
      note "ONNX ResNet $policy, $samples images, run $i of $repeat"
      measure "$work/onnx_${policy}_$i.measure" "$work/onnx_${policy}_$i.log" \
        "$cimsim_bin" run "$work/onnx.yaml" --set mapping.policy="$policy" \
        --set workload.samples="$samples" --out "$work/onnx_${policy}_$i" ||
        { cat "$work/onnx_${policy}_$i.log" >&2; note "ONNX run failed"; exit 1; }
      [[ -n $keep ]] || rm -rf -- "$work/onnx_${policy}_$i"
    done
    if [[ $samples != all ]] && ((samples < 10000 && samples > 16)); then
      for ((i = 1; i <= repeat; ++i)); do
        note "ONNX ResNet $policy, 16 images (start-up for the estimate), run $i of $repeat"
        measure "$work/onnx_${policy}_startup_$i.measure" "$work/onnx_${policy}_startup_$i.log" \
          "$cimsim_bin" run "$work/onnx.yaml" --set mapping.policy="$policy" \
          --set workload.samples=16 --out "$work/onnx_${policy}_startup_$i" ||
          { cat "$work/onnx_${policy}_startup_$i.log" >&2; note "ONNX run failed"; exit 1; }
        [[ -n $keep ]] || rm -rf -- "$work/onnx_${policy}_startup_$i"
      done
    fi
  done
fi

# --- summary ------------------------------------------------------------------------------
# The settings and the machine beside the raw results, so that the folder describes itself
# (--summary DIR prints its summary again).
mhz=$(awk -F: '/^cpu MHz/ { s += $2; n++ } END { if (n) printf "%.0f", s / n; else print 0 }' /proc/cpuinfo)
flags=$(awk -F: '/^flags/ { print $2; exit }' /proc/cpuinfo | xargs)
json_bool() { if (($1)); then echo true; else echo false; fi; }
cat >"$work/run.json" <<EOF
{"repeat": $repeat, "samples": "$samples", "cores": $(nproc), "mhz": $mhz, "flags": "$flags",
 "micro": $(json_bool "$do_micro"), "cnn": $(json_bool "$do_cnn"), "onnx": $(json_bool "$do_onnx"),
 "load_before": "$load", "load_after": "$(cut -d' ' -f1 /proc/loadavg)"}
EOF
python3 "$root/scripts/bench_summary.py" "$work"
