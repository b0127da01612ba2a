#!/usr/bin/env bash
# The traces the default experiment runs (traces/default/) are what the mapping code makes of it
# today: `cimsim map` on configs/experiments/default.yaml writes the same traces, byte for byte
# once decompressed (the gzip wrapper may differ between zlib builds; the trace may not). Each
# is readable and shows its placement in `cimsim trace inspect`. Fix a failure with
# scripts/update_traces.sh.
# usage: tests/scripts/traces_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

cd "$src"
"$cimsim" map configs/experiments/default.yaml --out "$work/default" >"$work/map.txt" 2>&1 \
  || fail "cimsim map default.yaml: $(tail -n 5 "$work/map.txt")"
made=$(cd "$work/default" && ls)
committed=$(cd traces/default && ls)
[[ "$made" == "$committed" ]] \
  || fail "traces/default holds [$committed], the default experiment's variants are [$made]; run scripts/update_traces.sh"
for trace in $made; do
  if ! cmp -s <(gzip -dc "$work/default/$trace") <(gzip -dc "traces/default/$trace"); then
    fail "traces/default/$trace is not what the mapping code writes today; run scripts/update_traces.sh and commit"
  fi
  "$cimsim" trace inspect "traces/default/$trace" >"$work/inspect.txt" 2>&1 \
    || fail "cimsim trace inspect traces/default/$trace: $(tail -n 3 "$work/inspect.txt")"
  expect_contains "$work/inspect.txt" "a pool of 64 ADCs per tile" "$trace: the SWS chip's placement"
  pass "traces/default/$trace is up to date and shows its placement"
done
finish
