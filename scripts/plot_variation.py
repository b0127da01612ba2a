#!/usr/bin/python3
"""Top-1 accuracy and clipped conversions vs programming-variation strength.

    scripts/plot_variation.py out/noise/variation.csv docs/figures/variation

Reads the CSV that scripts/variation_sweep.sh gathers (one row per experiment, mapping, sigma and
seed: columns experiment, mapping, device_variation_sigma, seed, top1, ideal_top1,
clipped_conversions, adc_conversions) and draws one column of panels per experiment (dense,
90 % sparse, 90 % sparse and fine-tuned): top-1 [%] against sigma with one line per mapping (the mean over seeds, the range
over seeds as a band when there are several) and each mapping's integer-ideal top-1 dashed, and
below it the share of conversions that clipped. Writes PREFIX.png and PREFIX.svg.
"""

import argparse
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib_plot as lp  # noqa: E402

MARKERS = ["o", "s", "^", "D"]
TITLES = {
    "variation_dense": "dense CNN",
    "variation_sparse90": "CNN pruned to 90 % (no fine-tuning)",
    "variation_finetuned90": "CNN pruned to 90 %, fine-tuned",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="scripts/variation_sweep.sh's gathered CSV")
    parser.add_argument("prefix", help="output prefix: writes PREFIX.png and PREFIX.svg")
    lp.add_common_arguments(parser)
    args = parser.parse_args()

    lp.setup_style()
    rows = lp.read_csv(args.csv)
    lp.require_columns(rows, ["experiment", "mapping", "device_variation_sigma", "seed", "top1",
                              "ideal_top1", "clipped_conversions", "adc_conversions"], args.csv)
    # {experiment: {mapping: {sigma: [rows over seeds]}}}
    data = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for row in rows:
        sigma = lp.number(row, "device_variation_sigma")
        data[row["experiment"]][row["mapping"]][sigma].append(row)
    experiments = list(data)
    colors = lp.plt.rcParams["axes.prop_cycle"].by_key()["color"]

    fig, axes = lp.plt.subplots(2, len(experiments), figsize=(6.0 * len(experiments), 7.5),
                                squeeze=False, sharex=True,
                                gridspec_kw={"height_ratios": [2.2, 1.0]})
    for e, experiment in enumerate(experiments):
        top, bottom = axes[0][e], axes[1][e]
        values = []
        for m, (mapping, by_sigma) in enumerate(data[experiment].items()):
            sigmas = sorted(by_sigma)
            color = colors[m % len(colors)]
            top1 = [[100.0 * lp.number(r, "top1") for r in by_sigma[s]] for s in sigmas]
            means = [sum(v) / len(v) for v in top1]
            values += [x for v in top1 for x in v]
            seeds = max(len(v) for v in top1)
            label = mapping + (f" (mean of up to {seeds} seeds, band: their range)"
                               if seeds > 1 else "")
            top.plot(sigmas, means, color=color, marker=MARKERS[m % len(MARKERS)], label=label)
            if seeds > 1:
                top.fill_between(sigmas, [min(v) for v in top1], [max(v) for v in top1],
                                 color=color, alpha=0.2, linewidth=0)
            ideal = 100.0 * lp.number(by_sigma[sigmas[0]][0], "ideal_top1")
            values.append(ideal)
            top.axhline(ideal, color=color, linestyle="--", linewidth=1,
                        label=f"{mapping} integer-ideal ({ideal:.1f} %)")
            clipped = [sum(100.0 * lp.number(r, "clipped_conversions")
                           / max(1.0, lp.number(r, "adc_conversions")) for r in by_sigma[s])
                       / len(by_sigma[s]) for s in sigmas]
            bottom.plot(sigmas, clipped, color=color, marker=MARKERS[m % len(MARKERS)],
                        label=mapping)
        samples = rows[0].get("samples", "")
        top.set_title(f"{TITLES.get(experiment, experiment)}, {samples} test images")
        # At least 4 percentage points of range, so that one image (0.2 pp of 500) looks small.
        low, high = min(values), max(values)
        pad = max(0.5, (4.0 - (high - low)) / 2.0)
        top.set_ylim(max(0.0, low - pad), min(100.0, high + pad))
        top.set_ylabel("Top-1 accuracy [%]")
        top.legend(loc="lower left", fontsize="small")
        bottom.set_xlabel("programming variation sigma (relative, gaussian)")
        bottom.set_ylabel("clipped conversions [%]")
        bottom.legend(loc="upper left", fontsize="small")
    fig.suptitle(args.title or "MNIST CNN under conductance variation\n(capped 8-bit ADCs, "
                 "baseline vs sorted weight sectioning)")
    fig.tight_layout()
    lp.save(fig, args.prefix)


if __name__ == "__main__":
    main()
