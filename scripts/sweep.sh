#!/usr/bin/env bash
# Sweeps an experiment over ADC bit-widths (and optionally mapping and ADC policies): each point is
# one `cimsim run` into its own results folder, run in parallel on the local cores (or as a Slurm
# job array), skipped when already complete, then every point's summary.csv is gathered into one
# CSV. docs/workflow.md shows the whole workflow.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/sweep.sh EXPERIMENT.yaml --bits LIST --out DIR [options]

Runs `cimsim run EXPERIMENT --set hardware.adc.bits=B [--set mapping.policy=M]
[--set hardware.adc.policy=P] [--set K=V ...] --out DIR/<point>` for every combination,
then gathers every DIR/<point>/summary.csv into one CSV (default DIR/sweep.csv): the header
once, one row per point, led by a `point` column (and by adc_bits, mapping, adc_policy when a
summary lacks them).

  --bits LIST        ADC bit-widths: 4,6,8 or 1..8 or both (1..4,6,8)            (required)
  --mappings LIST    mapping policies, e.g. baseline,sws     (default: the experiment's)
  --policies LIST    ADC policies, e.g. fixed,capped         (default: the experiment's)
  --plots PREFIX     after gathering, draw PREFIX_{energy,sws_vs_baseline,accuracy,adc_conversions}.{png,svg}
  --set K=V          another override for every point (repeatable)
  --out DIR          sweep folder: DIR/<point>/ results, DIR/logs/<point>.log    (required)
  --csv FILE         the gathered CSV (default: DIR/sweep.csv)
  --jobs N           points run at once (default: nproc)
  --cimsim PATH      the simulator (default: $CIMSIM, else build/cimsim of this repository)
  --force            re-run points that are already complete
  --dry-run          print each point's command and run nothing
  --slurm FILE       write an sbatch job-array script to FILE instead of running anything
  --slurm-opt OPT    an extra `#SBATCH OPT` line for --slurm, e.g. --slurm-opt=--time=00:30:00
  --gather-only      run nothing: gather the points' summary.csv files (after a Slurm array)
  -h, --help         show this help

A point is complete when DIR/<point>/summary.csv exists (cimsim publishes a results folder
atomically, so an existing one is complete); a re-run skips it. Points are named
bits<B>[-<mapping>][-<policy>]; the mapping and policy parts appear when the lists are given.
A failed point is reported by name with the tail of its log and does not stop the others.
Exit status: 0 every point complete, 1 a point failed or is missing, 2 usage error.
EOF
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo_root

die_usage() {
  printf 'sweep.sh: error: %s\n' "$*" >&2
  printf "Try 'scripts/sweep.sh --help'.\n" >&2
  exit 2
}
note() { printf 'sweep.sh: %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------
# Arguments.

experiment=""
bits_spec=""
mappings_spec=""
policies_spec=""
sets=()
out_dir=""
csv_file=""
jobs=""
cimsim="${CIMSIM:-$repo_root/build/cimsim}"
force=0
dry_run=0
slurm_file=""
slurm_opts=()
gather_only=0
plots_prefix=""

need_value() { (($2 >= 2)) || die_usage "$1 needs a value"; }

while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --bits) need_value "$1" $#; bits_spec="$2"; shift 2 ;;
    --bits=*) bits_spec="${1#*=}"; shift ;;
    --mappings) need_value "$1" $#; mappings_spec="$2"; shift 2 ;;
    --mappings=*) mappings_spec="${1#*=}"; shift ;;
    --policies) need_value "$1" $#; policies_spec="$2"; shift 2 ;;
    --policies=*) policies_spec="${1#*=}"; shift ;;
    --set) need_value "$1" $#; sets+=("$2"); shift 2 ;;
    --set=*) sets+=("${1#*=}"); shift ;;
    --out) need_value "$1" $#; out_dir="$2"; shift 2 ;;
    --out=*) out_dir="${1#*=}"; shift ;;
    --csv) need_value "$1" $#; csv_file="$2"; shift 2 ;;
    --csv=*) csv_file="${1#*=}"; shift ;;
    --jobs | -j) need_value "$1" $#; jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --cimsim) need_value "$1" $#; cimsim="$2"; shift 2 ;;
    --cimsim=*) cimsim="${1#*=}"; shift ;;
    --force) force=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    --slurm) need_value "$1" $#; slurm_file="$2"; shift 2 ;;
    --slurm=*) slurm_file="${1#*=}"; shift ;;
    --slurm-opt) need_value "$1" $#; slurm_opts+=("$2"); shift 2 ;;
    --slurm-opt=*) slurm_opts+=("${1#*=}"); shift ;;
    --gather-only) gather_only=1; shift ;;
    --plots) need_value "$1" $#; plots_prefix="$2"; shift 2 ;;
    --plots=*) plots_prefix="${1#*=}"; shift ;;
    --) shift; break ;;
    -*) die_usage "unknown option '$1'" ;;
    *)
      [[ -z "$experiment" ]] || die_usage "more than one experiment: '$experiment' and '$1'"
      experiment="$1"
      shift
      ;;
  esac
done
if (($# > 0)); then
  [[ -z "$experiment" && $# -eq 1 ]] || die_usage "unexpected arguments: $*"
  experiment="$1"
fi

[[ -n "$experiment" ]] || die_usage "no experiment file given"
[[ -n "$bits_spec" ]] || die_usage "--bits is required (e.g. --bits 1..8 or --bits 4,6,8)"
[[ -n "$out_dir" ]] || die_usage "--out DIR is required"
[[ -f "$experiment" ]] || die_usage "experiment file '$experiment' not found"
if [[ -n "$slurm_file" ]] && ((gather_only)); then
  die_usage "--slurm writes a job script and --gather-only gathers its results: use one at a time"
fi
if [[ -z "$jobs" ]]; then
  jobs="$(nproc 2>/dev/null || echo 1)"
fi
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die_usage "--jobs wants a positive integer, not '$jobs'"
for kv in "${sets[@]}"; do
  [[ "$kv" == ?*=* ]] || die_usage "--set wants KEY=VALUE, not '$kv'"
  case "${kv%%=*}" in
    hardware.adc.bits) [[ -z "$bits_spec" ]] || die_usage "--set $kv: use --bits for the ADC bit-widths" ;;
    mapping.policy) [[ -z "$mappings_spec" ]] || die_usage "--set $kv conflicts with --mappings" ;;
    hardware.adc.policy) [[ -z "$policies_spec" ]] || die_usage "--set $kv conflicts with --policies" ;;
  esac
done

# Absolute paths: the commands run from any folder (and, for Slurm, on another node).
abs_path() { realpath -m -- "$1"; }
experiment="$(abs_path "$experiment")"
out_dir="$(abs_path "$out_dir")"
csv_file="$(abs_path "${csv_file:-$out_dir/sweep.csv}")"
if [[ "$cimsim" == */* ]]; then
  cimsim="$(abs_path "$cimsim")"
elif command -v "$cimsim" >/dev/null; then
  cimsim="$(command -v "$cimsim")"
fi
if ((!gather_only && !dry_run)) && [[ -z "$slurm_file" ]]; then
  [[ -x "$cimsim" ]] || die_usage "cimsim '$cimsim' is not an executable (build it, or use --cimsim PATH)"
fi

# "1..4,6,8" -> bits_list=(1 2 3 4 6 8), in the given order, duplicates dropped. (Parsed in this
# shell, not in a subshell, so that a usage error stops the script.)
bits_list=()
parse_bits() {
  local spec="$1" item lo hi b
  local -A seen=()
  local -a items
  IFS=',' read -r -a items <<<"$spec"
  for item in "${items[@]}"; do
    item="${item//[[:space:]]/}"
    if [[ "$item" =~ ^([0-9]+)\.\.([0-9]+)$ ]]; then
      lo=$((10#${BASH_REMATCH[1]}))
      hi=$((10#${BASH_REMATCH[2]}))
      ((lo <= hi)) || die_usage "--bits: empty range '$item'"
      ((hi - lo < 1000)) || die_usage "--bits: range '$item' is too long"
    elif [[ "$item" =~ ^[0-9]+$ ]]; then
      lo=$((10#$item))
      hi=$lo
    else
      die_usage "--bits: '$item' is neither a bit-width nor a range A..B (in '$spec')"
    fi
    for ((b = lo; b <= hi; b++)); do
      [[ -n "${seen[$b]:-}" ]] && continue
      seen[$b]=1
      bits_list+=("$b")
    done
  done
  ((${#bits_list[@]} > 0)) || die_usage "--bits '$spec' names no bit-width"
}

# "baseline, sws" -> names=(baseline sws); names end up in folder names, so they stay plain.
names=()
parse_names() {
  local option="$1" spec="$2" item
  local -A seen=()
  local -a items
  names=()
  IFS=',' read -r -a items <<<"$spec"
  for item in "${items[@]}"; do
    item="${item//[[:space:]]/}"
    [[ -n "$item" ]] || die_usage "$option: empty name in '$spec'"
    [[ "$item" =~ ^[A-Za-z0-9_.+]+$ ]] || die_usage "$option: '$item' is not a plain name"
    [[ -n "${seen[$item]:-}" ]] && continue
    seen[$item]=1
    names+=("$item")
  done
  ((${#names[@]} > 0)) || die_usage "$option '$spec' names nothing"
}

parse_bits "$bits_spec"
mappings=("-")
policies=("-")
if [[ -n "$mappings_spec" ]]; then
  parse_names --mappings "$mappings_spec"
  mappings=("${names[@]}")
fi
if [[ -n "$policies_spec" ]]; then
  parse_names --policies "$policies_spec"
  policies=("${names[@]}")
fi

# ---------------------------------------------------------------------------------------------
# Points, in a fixed order: mapping, then policy, then bits (so a configuration's rows are
# consecutive with the bit-width rising). "-" means "as the experiment says".

point_names=()
point_bits=()
point_mappings=()
point_policies=()
for m in "${mappings[@]}"; do
  for p in "${policies[@]}"; do
    for b in "${bits_list[@]}"; do
      name="bits$b"
      [[ "$m" == "-" ]] || name+="-$m"
      [[ "$p" == "-" ]] || name+="-$p"
      point_names+=("$name")
      point_bits+=("$b")
      point_mappings+=("$m")
      point_policies+=("$p")
    done
  done
done
readonly n_points=${#point_names[@]}

# The overrides of point i, one argument a line.
point_sets() {
  local i="$1" kv
  printf '%s\n' --set "hardware.adc.bits=${point_bits[i]}"
  [[ "${point_mappings[i]}" == "-" ]] || printf '%s\n' --set "mapping.policy=${point_mappings[i]}"
  [[ "${point_policies[i]}" == "-" ]] || printf '%s\n' --set "hardware.adc.policy=${point_policies[i]}"
  for kv in "${sets[@]}"; do printf '%s\n' --set "$kv"; done
}

quote_words() {
  local out="" w
  for w in "$@"; do out+="${out:+ }$(printf '%q' "$w")"; done
  printf '%s' "$out"
}

# ---------------------------------------------------------------------------------------------
# Gathering: one CSV with the union of the summaries' columns (they agree unless the workloads
# differ), led by `point` and by any point parameter a summary lacks.

gather() {
  local i name summary
  local files=() names=() bits=() maps=() pols=()
  for ((i = 0; i < n_points; i++)); do
    name="${point_names[i]}"
    summary="$out_dir/$name/summary.csv"
    [[ -f "$summary" ]] || continue
    files+=("$summary")
    names+=("$name")
    bits+=("${point_bits[i]}")
    maps+=("${point_mappings[i]}")
    pols+=("${point_policies[i]}")
  done
  if ((${#files[@]} == 0)); then
    note "no complete point to gather; $csv_file not written"
    return
  fi
  mkdir -p -- "$(dirname -- "$csv_file")"
  # The point list (name, parameters, summary) goes to scripts/cimsim_results.py, which reads
  # the summaries as CSV (quoted cells and all) and writes the gathered file atomically.
  local points="$csv_file.points.$$"
  for ((i = 0; i < ${#files[@]}; i++)); do
    printf '%s\t%s\t%s\t%s\t%s\n' "${names[i]}" "${bits[i]}" "${maps[i]}" "${pols[i]}" "${files[i]}"
  done >"$points"
  /usr/bin/python3 "$repo_root/scripts/cimsim_results.py" gather-sweep "$points" "$csv_file" || {
    rm -f -- "$points"
    printf 'sweep.sh: error: could not gather the points into %s\n' "$csv_file" >&2
    exit 1
  }
  rm -f -- "$points"
  note "gathered ${#files[@]} of $n_points points into $csv_file"
}

# Lists the points without a summary.csv, with the tail of each log; returns 1 if there are any.
report_missing() {
  local i name log missing=0 what=FAILED
  ((!gather_only)) || what="MISSING (or failed)"
  for ((i = 0; i < n_points; i++)); do
    name="${point_names[i]}"
    [[ -f "$out_dir/$name/summary.csv" ]] && continue
    missing=$((missing + 1))
    log="$out_dir/logs/$name.log"
    if [[ -s "$log" ]]; then
      printf 'sweep.sh: %s point %s; last lines of %s:\n' "$what" "$name" "$log" >&2
      tail -n 15 -- "$log" | sed 's/^/    /' >&2
    else
      printf 'sweep.sh: %s point %s: no results in %s and no log at %s\n' \
        "$what" "$name" "$out_dir/$name" "$log" >&2
    fi
  done
  if ((missing > 0)); then
    printf 'sweep.sh: %d of %d points failed or are missing (re-run the same command to retry them)\n' \
      "$missing" "$n_points" >&2
    return 1
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------
# Slurm: a job-array script whose task k runs point k exactly as a local sweep would.

# shellcheck disable=SC2016,SC2094 # the job script's own expansions stay literal
write_slurm() {
  local i name args
  mkdir -p -- "$(dirname -- "$(abs_path "$slurm_file")")"
  # Slurm does not create the folder of --output: without it the tasks' output is lost.
  mkdir -p -- "$out_dir/logs"
  local sweep_cmd=("$repo_root/scripts/sweep.sh" "$experiment" --bits "$bits_spec")
  [[ -z "$mappings_spec" ]] || sweep_cmd+=(--mappings "$mappings_spec")
  [[ -z "$policies_spec" ]] || sweep_cmd+=(--policies "$policies_spec")
  for kv in "${sets[@]}"; do sweep_cmd+=(--set "$kv"); done
  sweep_cmd+=(--out "$out_dir" --csv "$csv_file" --cimsim "$cimsim" --gather-only)
  {
    printf '#!/usr/bin/env bash\n'
    printf '# Written by scripts/sweep.sh: %d cimsim runs as a Slurm job array (task k = point k).\n' "$n_points"
    printf '# Submit:  sbatch %s\n' "$(quote_words "$(abs_path "$slurm_file")")"
    printf '# Then gather the results into one CSV:\n#   %s\n' "$(quote_words "${sweep_cmd[@]}")"
    printf '#SBATCH --job-name=cimsim-sweep\n'
    printf '#SBATCH --array=0-%d\n' "$((n_points - 1))"
    printf '#SBATCH --ntasks=1\n'
    printf '#SBATCH --cpus-per-task=1\n'
    printf '#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n' "$out_dir"
    for opt in "${slurm_opts[@]}"; do printf '#SBATCH %s\n' "$opt"; done
    printf 'set -euo pipefail\n\n'
    printf 'cimsim=%s\n' "$(quote_words "$cimsim")"
    printf 'experiment=%s\n' "$(quote_words "$experiment")"
    printf 'out_dir=%s\n' "$(quote_words "$out_dir")"
    printf 'force=%d\n' "$force"
    printf 'task="${SLURM_ARRAY_TASK_ID:?run this script with sbatch (SLURM_ARRAY_TASK_ID is not set)}"\n\n'
    printf 'case "$task" in\n'
    for ((i = 0; i < n_points; i++)); do
      mapfile -t args < <(point_sets "$i")
      printf '  %d) point=%s; set -- %s ;;\n' "$i" "$(quote_words "${point_names[i]}")" \
        "$(quote_words "${args[@]}")"
    done
    printf '  *) echo "sweep task $task: no such point (0..%d)" >&2; exit 2 ;;\n' "$((n_points - 1))"
    printf 'esac\n\n'
    cat <<'EOF'
log="$out_dir/logs/$point.log"
mkdir -p -- "$out_dir/logs"
if [[ -f "$out_dir/$point/summary.csv" ]] && ((!force)); then
  echo "sweep point $point: skipped (already complete: $out_dir/$point/summary.csv)"
  exit 0
fi
echo "sweep point $point (task $task): $cimsim run $experiment $* --out $out_dir/$point"
status=0
"$cimsim" run "$experiment" "$@" --out "$out_dir/$point" >"$log" 2>&1 || status=$?
if ((status == 0)) && [[ ! -f "$out_dir/$point/summary.csv" ]]; then
  echo "[sweep] cimsim wrote no summary.csv: outputs.formats must include csv" >>"$log"
  status=1
fi
if ((status != 0)); then
  echo "[sweep] cimsim exited with status $status" >>"$log"
  echo "sweep point $point: FAILED (exit $status); last lines of $log:" >&2
  tail -n 15 -- "$log" | sed 's/^/    /' >&2
  exit "$status"
fi
echo "sweep point $point: done"
EOF
  } >"$slurm_file"
  chmod +x -- "$slurm_file"
  note "wrote $slurm_file: a job array of $n_points points (0-$((n_points - 1)))"
  note "submit it with:  sbatch $(quote_words "$slurm_file")"
  note "then gather with: $(quote_words "${sweep_cmd[@]}")"
}

# ---------------------------------------------------------------------------------------------
# One point (run by xargs in a child bash): NAME then its cimsim arguments.

# shellcheck disable=SC2317 # called through xargs
run_point() {
  local name="$1"
  shift
  local dest="$SWEEP_OUT/$name" log="$SWEEP_OUT/logs/$name.log" status=0
  if [[ -f "$dest/summary.csv" && "$SWEEP_FORCE" != 1 ]]; then
    printf 'sweep.sh: %s: skipped (already complete)\n' "$name"
    return 0
  fi
  printf 'sweep.sh: %s: running\n' "$name"
  {
    printf '[sweep] %s run %s' "$SWEEP_CIMSIM" "$SWEEP_EXPERIMENT"
    printf ' %q' "$@" --out "$dest"
    printf '\n'
  } >"$log"
  "$SWEEP_CIMSIM" run "$SWEEP_EXPERIMENT" "$@" --out "$dest" >>"$log" 2>&1 || status=$?
  if ((status == 0)) && [[ ! -f "$dest/summary.csv" ]]; then
    printf '[sweep] cimsim wrote no summary.csv: outputs.formats must include csv\n' >>"$log"
    status=1
  fi
  if ((status != 0)); then
    printf '[sweep] cimsim exited with status %d\n' "$status" >>"$log"
    printf 'sweep.sh: %s: FAILED (exit %d, log %s)\n' "$name" "$status" "$log"
  else
    printf 'sweep.sh: %s: done\n' "$name"
  fi
  return 0 # a failed point must not stop xargs; the summary below reports it
}

# ---------------------------------------------------------------------------------------------

if [[ -n "$slurm_file" ]]; then
  write_slurm
  exit 0
fi

if ((dry_run)); then
  for ((i = 0; i < n_points; i++)); do
    mapfile -t args < <(point_sets "$i")
    state=""
    [[ -f "$out_dir/${point_names[i]}/summary.csv" ]] && ((!force)) && state="   # complete: skipped"
    printf '%s%s\n' "$(quote_words "$cimsim" run "$experiment" "${args[@]}" --out "$out_dir/${point_names[i]}")" "$state"
  done
  exit 0
fi

if ((!gather_only)); then
  mkdir -p -- "$out_dir/logs"
  note "$n_points point(s) of $(basename -- "$experiment") into $out_dir, $jobs at a time"
  export SWEEP_OUT="$out_dir" SWEEP_CIMSIM="$cimsim" SWEEP_EXPERIMENT="$experiment" SWEEP_FORCE="$force"
  export -f run_point
  # shellcheck disable=SC2016 # `eval "$1"` is expanded by the child bash
  {
    for ((i = 0; i < n_points; i++)); do
      mapfile -t args < <(point_sets "$i")
      # One line per point, every word shell-quoted: xargs passes it to `bash -c` whole.
      printf '%s\0' "run_point $(quote_words "${point_names[i]}" "${args[@]}")"
    done
  } | xargs -0 -n 1 -P "$jobs" bash -c 'eval "$1"' sweep-point || true
fi

gather
status=0
report_missing || status=1
# --plots PREFIX: the figures of the gathered CSV, PREFIX_<figure>.{png,svg}.
if [[ -n "$plots_prefix" ]] && ((status == 0)); then
  mkdir -p -- "$(dirname -- "$plots_prefix")"
  for figure in energy sws_vs_baseline accuracy; do
    /usr/bin/python3 "$repo_root/scripts/plot_$figure.py" "$csv_file" "${plots_prefix}_$figure" ||
      note "plot_$figure.py drew nothing (see its message)"
  done
  /usr/bin/python3 "$repo_root/scripts/plot_adc_conversions.py" "$out_dir" \
    "${plots_prefix}_adc_conversions" || status=1
fi
exit "$status"
