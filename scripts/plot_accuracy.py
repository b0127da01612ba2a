#!/usr/bin/python3
"""Top-1 accuracy vs ADC resolution, one line per mapping and ADC policy.

    scripts/plot_accuracy.py out/sweep/sweep.csv out/plots/accuracy

Reads the CSV that scripts/sweep.sh gathers (the `top1` column, a fraction, which network
workloads such as mnist_cnn report; `float_top1` is drawn as the float32 reference) and writes
PREFIX.png and PREFIX.svg. A sweep without a `top1` column (e.g. a gemm workload) is an error.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib_plot as lp  # noqa: E402

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="the sweep's combined CSV (scripts/sweep.sh: DIR/sweep.csv)")
    parser.add_argument("prefix", help="output prefix: writes PREFIX.png and PREFIX.svg")
    lp.add_common_arguments(parser)
    args = parser.parse_args()

    lp.setup_style()
    rows = lp.read_csv(args.csv)
    lp.require_columns(rows, ["adc_bits"], args.csv)
    if "top1" not in rows[0]:
        lp.die(f"{args.csv}: no top1 column: this sweep's workload reports no accuracy "
               "(gemm does not; network workloads such as mnist_cnn do)")
    rows = [r for r in rows if (r.get("top1") or "").strip() != ""]
    if not rows:
        lp.die(f"{args.csv}: the top1 column is empty in every row")

    groups = lp.by_config(rows)
    mappings = list(dict.fromkeys(c[0] for c in groups))
    policies = list(dict.fromkeys(c[1] for c in groups))
    colors = lp.plt.rcParams["axes.prop_cycle"].by_key()["color"]

    fig, ax = lp.plt.subplots(figsize=(7.5, 4.8))
    all_bits = set()
    lowest = 100.0
    for config, points in groups.items():
        bits = sorted(points)
        all_bits.update(bits)
        top1 = [100.0 * lp.number(points[b], "top1") for b in bits]
        lowest = min(lowest, min(top1))
        m = mappings.index(config[0])
        p = policies.index(config[1])
        # Lines often coincide: each policy draws thinner, with hollow markers, so that the
        # ones below still show.
        color = colors[m % len(colors)]
        ax.plot(bits, top1, label=lp.config_label(*config), color=color,
                linestyle=LINESTYLES[p % len(LINESTYLES)], marker=MARKERS[p % len(MARKERS)],
                markersize=max(4.0, 9.0 - 2.0 * p), linewidth=max(1.0, 3.0 - 0.8 * p),
                markerfacecolor=color if p == 0 else "white", zorder=3 + p)

    if "float_top1" in rows[0]:
        floats = [lp.number(r, "float_top1", -1.0) for r in rows]
        floats = [f for f in floats if f >= 0]
        if floats:
            reference = 100.0 * max(floats)
            lowest = min(lowest, reference)
            ax.axhline(reference, color="black", linewidth=1, linestyle=":",
                       label=f"float32 reference ({reference:.1f} %)")

    ax.set_xticks(sorted(all_bits))
    ax.set_xlabel("ADC resolution [bits]")
    ax.set_ylabel("Top-1 accuracy [%]")
    ax.set_ylim(max(0.0, lowest - 5.0), 100.8)
    ax.yaxis.set_major_locator(lp.plt.MaxNLocator(integer=True))
    ax.legend(title="mapping, ADC policy", loc="lower right")
    ax.set_title(args.title or f"Top-1 accuracy vs ADC resolution: {lp.describe_run(rows)}")
    fig.tight_layout()
    lp.save(fig, args.prefix)


if __name__ == "__main__":
    main()
