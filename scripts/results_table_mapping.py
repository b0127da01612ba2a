#!/usr/bin/python3
"""Prints the tables of docs/results_mapping.md from the mapping study's results folders.

Usage: scripts/results_table_mapping.py [OUT_DIR [OPT_DIR]]   (default out/mapping out/optimize)

OUT_DIR holds one folder per experiment of configs/experiments/mapping/ (written by
`build/cimsim run configs/experiments/mapping/NAME.yaml --out OUT_DIR/NAME`), each with one
subfolder per compare variant. Reads each variant's report.json (energies in pJ, printed in uJ;
crossbars; input-buffer reads; top-1) and, for USE-lite, fidelity.json (mean cosine of the
sentence embeddings against the float encoder).

OPT_DIR holds `cimsim optimize` searches (`--out OPT_DIR/NAME` for
configs/experiments/optimize/NAME.yaml); where one is complete (optimize.json), its chosen
configuration's test-set run (OPT_DIR/NAME/test/points/<id>/) is printed as the row
`optimize (chosen)` of that network.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cimsim_results as results  # noqa: E402  (reads results folders, writes CSV and Markdown)

VARIANTS = ["baseline_fixed", "baseline_capped", "sws_capped", "sws_shared_capped",
            "sws_packed_capped"]
STUDY = [("MNIST CNN", "cnn", [0, 50, 70, 90]),
         ("ViT (Fashion-MNIST)", "vit", [0, 50, 80, 90]),
         ("USE-lite matrices", "use_lite", [0, 50, 80, 90])]
PJ_PER_UJ = 1e6
HEADER = ["network", "sparsity", "variant", "ADC energy [uJ]", "change",
          "share of SWS's ADC saving", "total energy [uJ]", "change", "crossbars",
          "input-buffer reads", "top-1 / embedding cosine"]
SUMMARY_HEADER = ["network", "sparsity", "sws_packed: share of SWS's ADC saving",
                  "crossbars <= baseline", "least total energy of all five"]


def pad(cells):
    """A row of the first table from its first cells, the rest empty."""
    return cells + [""] * (len(HEADER) - len(cells))


def load_report(folder: pathlib.Path) -> dict:
    """The figures of one run (a results folder) that the table shows."""
    report = results.read_report(folder)
    totals = report["totals"]
    row = {
        "adc": totals["energy_pj"]["adc"] / PJ_PER_UJ,
        "total": totals["energy_pj"]["total"] / PJ_PER_UJ,
        "crossbars": totals["crossbars"],
        "reads": totals["counts"]["input_buffer_reads"],
        "samples": None,
        "quality": "-",
    }
    accuracy = report.get("accuracy")
    if accuracy and accuracy.get("top1") is not None:
        row["quality"] = f"{100 * accuracy['top1']:.2f} %"
        row["samples"] = accuracy.get("samples")
    if (folder / "fidelity.json").exists():
        row["quality"] = f"cos {results.read_fidelity(folder)['embedding_cosine_mean']:.6f}"
    return row


def cells(title, sparsity, variant, r, ref, share):
    return [title, f"{sparsity} %", variant, f"{r['adc']:.1f}",
            f"{100 * (r['adc'] / ref['adc'] - 1):+.1f} %", share, f"{r['total']:.1f}",
            f"{100 * (r['total'] / ref['total'] - 1):+.1f} %", f"{r['crossbars']}",
            f"{r['reads']:.4g}", r["quality"]]


def main() -> int:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out/mapping")
    opt = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "out/optimize")
    table = []
    summary = []
    for title, prefix, sparsities in STUDY:
        for sparsity in sparsities:
            name = f"{prefix}{sparsity}"
            folder = out / name
            if not folder.exists():
                table.append(pad([title, f"{sparsity} %", "(not run)"]))
                continue
            rows = {v: load_report(folder / v) for v in VARIANTS}
            ref = rows["baseline_fixed"]
            sws_saving = ref["adc"] - rows["sws_capped"]["adc"]
            for v in VARIANTS:
                r = rows[v]
                share = "-"
                if v in ("sws_shared_capped", "sws_packed_capped", "baseline_capped") and sws_saving > 0:
                    share = f"{100 * (ref['adc'] - r['adc']) / sws_saving:.1f} %"
                table.append(cells(title, sparsity, v, r, ref, share))
            samples = rows["baseline_fixed"]["samples"]
            table.append(pad(["", "", f"`build/cimsim run configs/experiments/mapping/{name}.yaml --out "
                              f"out/mapping/{name}`{'' if samples is None else f' ({samples} samples)'}"]))
            tests = sorted((opt / name / "test" / "points").glob("*/report.json"))
            if (opt / name / "optimize.json").exists() and len(tests) == 1:
                r = load_report(tests[0].parent)
                share = f"{100 * (ref['adc'] - r['adc']) / sws_saving:.1f} %"
                table.append(cells(title, sparsity, "optimize (chosen)", r, ref, share))
                table.append(pad(["", "", f"`build/cimsim --threads 2 optimize configs/experiments/optimize/"
                                  f"{name}.yaml --out out/optimize/{name} --chosen configs/experiments/"
                                  f"optimize/{name}_chosen.yaml`, then `build/cimsim run configs/"
                                  f"experiments/optimize/{name}_chosen.yaml` ({r['samples']} samples)"]))
            packed = rows["sws_packed_capped"]
            best_other = min(rows[v]["total"] for v in VARIANTS if v != "sws_packed_capped")
            share = 100 * (ref["adc"] - packed["adc"]) / sws_saving if sws_saving > 0 else 0
            summary.append([title, f"{sparsity} %", f"{share:.1f} %",
                            "yes" if packed["crossbars"] <= ref["crossbars"] else "no",
                            "yes" if packed["total"] < best_other else "no"])
    lines = results.markdown_table(HEADER, table) + [""] + results.markdown_table(SUMMARY_HEADER, summary)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
