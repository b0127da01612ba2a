#!/usr/bin/env bash
# The reference pages cannot drift from the code: docs/config.md is exactly what
# `cimsim validate --print-schema` prints, and every key of report.json and every column of
# summary.csv that runs of a matrix, a network and the USE-lite workload write, and every key of
# the USE-lite run's fidelity.json, is listed in its section of docs/report.md.
# usage: tests/scripts/docs_test.sh CIMSIM SOURCE_DIR
# shellcheck source=tests/scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

"$cimsim" validate --print-schema >"$work/config.md" || fail "cimsim validate --print-schema failed"
if ! cmp -s "$work/config.md" "$src/docs/config.md"; then
  { diff -u "$src/docs/config.md" "$work/config.md" || true; } | head -n 40 >&2
  fail "docs/config.md differs from the schema: regenerate it with build/cimsim validate --print-schema > docs/config.md"
fi
pass "docs/config.md is the schema's --print-schema output"

cd "$src"
"$cimsim" run configs/experiments/sparse_gemm.yaml --out "$work/gemm" >"$work/gemm.txt" 2>&1 \
  || fail "cimsim run sparse_gemm: $(cat "$work/gemm.txt")"
"$cimsim" run configs/experiments/mnist_cnn_smoke.yaml --set workload.samples=4 \
  --set workload.calibration_samples=10 --out "$work/cnn" >"$work/cnn.txt" 2>&1 \
  || fail "cimsim run mnist_cnn_smoke: $(cat "$work/cnn.txt")"
"$cimsim" run configs/experiments/use_lite/sparse90.yaml --set workload.samples=2 --set compare=null \
  --out "$work/use_lite" >"$work/use_lite.txt" 2>&1 \
  || fail "cimsim run use_lite: $(cat "$work/use_lite.txt")"
[[ -f "$work/use_lite/fidelity.json" ]] || fail "the USE-lite run wrote no fidelity.json"
/usr/bin/python3 - "$src/docs/report.md" "$work/gemm" "$work/cnn" "$work/use_lite" <<'PY' || fail "docs/report.md misses keys (above)"
import csv
import json
import pathlib
import re
import sys

doc = pathlib.Path(sys.argv[1]).read_text()
report_part, rest = doc.split("## summary.csv", 1)
summary_part, fidelity_part = rest.split("## fidelity.json", 1)

def names(text):
    """Every `name` in backticks; <placeholder> segments match any one key segment."""
    return [re.compile("^" + re.sub(r"<[^>]+>", "[^.]+", re.escape(name)) + "$")
            for name in re.findall(r"`([^`\s]+)`", text)]

report_names, summary_names = names(report_part), names(summary_part)
fidelity_names = names(fidelity_part)

def documented(key, patterns):
    return any(p.match(key) for p in patterns)

def keys(node, path=""):
    if isinstance(node, dict):
        for name, value in node.items():
            yield from keys(value, f"{path}.{name}" if path else name)
    elif isinstance(node, list):
        for value in node:
            yield from keys(value, path + "[]")
    else:
        yield path

missing = set()
for folder in map(pathlib.Path, sys.argv[2:]):
    report = json.loads((folder / "report.json").read_text())
    for key in keys(report):
        # layers[] and totals keys are documented relative to their prefix.
        relative = re.sub(r"^(layers\[\]|totals)\.", "", key)
        if not documented(key, report_names) and not documented(relative, report_names):
            missing.add(f"report.json: {key}")
    if (folder / "fidelity.json").is_file():
        for key in keys(json.loads((folder / "fidelity.json").read_text())):
            if not documented(key, fidelity_names):
                missing.add(f"fidelity.json: {key}")
    with (folder / "summary.csv").open(newline="") as handle:
        for column in next(csv.reader(handle)):
            if not documented(column, summary_names):
                missing.add(f"summary.csv: {column}")
for item in sorted(missing):
    print(f"not in docs/report.md: {item}", file=sys.stderr)
sys.exit(1 if missing else 0)
PY
pass "every report.json key and summary.csv column of a gemm, a CNN and a USE-lite run, and every fidelity.json key, is in docs/report.md"

finish
