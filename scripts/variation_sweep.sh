#!/usr/bin/env bash
# The programming-variation experiment of docs/nonidealities.md: the MNIST CNN, dense and 90 %
# sparse, mapped unsorted (baseline) and with sorted weight sectioning (sws), both on capped 8-bit
# ADCs, at each variation strength sigma and seed. Each (experiment, sigma, seed) is one
# scripts/sweep.sh call (its points are the two mappings), so an interrupted run resumes where it
# stopped; at the end every point's summary row is gathered into one CSV for
# scripts/plot_variation.py.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/variation_sweep.sh [--sigmas LIST] [--seeds LIST] [--out DIR] [--jobs N]
                                  [--samples N] [--experiments LIST]

  --sigmas LIST       relative variation sigmas (default 0,0.02,0.05,0.1,0.2,0.3,0.5,1)
  --seeds LIST        device seeds (default 1)
  --experiments LIST  files under configs/experiments/noise/ without .yaml
                      (default variation_dense,variation_sparse90; variation_finetuned90 is
                      the fine-tuned 90 % network on all 10 000 test images)
  --samples N         test images per run (default: the experiment's, 500)
  --out DIR           sweep folder (default out/noise); gathered CSV: DIR/variation.csv
  --jobs N            points run at once (default 1: each run already uses every core)
  --gather-only       run nothing: gather the complete points of these lists into the CSV
USAGE
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sigmas="0,0.02,0.05,0.1,0.2,0.3,0.5,1"
seeds="1"
experiments="variation_dense,variation_sparse90"
samples=""
out_dir="out/noise"
jobs=1
gather_only=0
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --sigmas) sigmas="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --experiments) experiments="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --gather-only) gather_only=1; shift ;;
    *) printf 'variation_sweep.sh: unknown argument %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

IFS=',' read -r -a sigma_list <<<"$sigmas"
IFS=',' read -r -a seed_list <<<"$seeds"
IFS=',' read -r -a experiment_list <<<"$experiments"
extra=()
[[ -z "$samples" ]] || extra+=(--set "workload.samples=$samples")

status=0
for name in "${experiment_list[@]}"; do
  ((gather_only)) && break
  experiment="$repo_root/configs/experiments/noise/$name.yaml"
  [[ -f "$experiment" ]] || { printf 'variation_sweep.sh: no %s\n' "$experiment" >&2; exit 2; }
  for seed in "${seed_list[@]}"; do
    for sigma in "${sigma_list[@]}"; do
      "$repo_root/scripts/sweep.sh" "$experiment" --bits 8 --mappings baseline,sws \
        --set "hardware.device.variation.sigma=$sigma" --set "seed=$seed" "${extra[@]}" \
        --jobs "$jobs" --out "$out_dir/$name/seed$seed/sigma$sigma" || status=1
    done
  done
done

# One CSV of every point's rows under the union of the headers (sweep.sh already added the
# point column), through scripts/cimsim_results.py: quoted cells stay one cell.
mkdir -p "$out_dir"
csv="$out_dir/variation.csv"
parts=()
for name in "${experiment_list[@]}"; do
  for seed in "${seed_list[@]}"; do
    for sigma in "${sigma_list[@]}"; do
      parts+=("$out_dir/$name/seed$seed/sigma$sigma/sweep.csv")
    done
  done
done
rows=$(/usr/bin/python3 "$repo_root/scripts/cimsim_results.py" concat "$csv" "${parts[@]}") || exit 1
printf 'variation_sweep.sh: gathered %s rows into %s\n' "$rows" "$csv"
exit "$status"
