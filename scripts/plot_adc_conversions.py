#!/usr/bin/python3
"""ADC conversions by resolution: one stacked bar per sweep point, one segment per bit-width.

    scripts/plot_adc_conversions.py out/sweep out/plots/conversions

Reads `totals.adc.conversions_by_bits` (bit-width -> count) from each point's report.json in
the sweep folder that scripts/sweep.sh wrote, and writes PREFIX.png and PREFIX.svg. The points
and their order come from the sweep's CSV (DIR/sweep.csv, or --csv FILE) when there is one,
else from every DIR/*/report.json.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib_plot as lp  # noqa: E402
from matplotlib.ticker import EngFormatter  # noqa: E402


def natural_key(text):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def list_points(sweep_dir, csv_path):
    """Point folder names, in the CSV's order when it has a `point` column."""
    if csv_path and os.path.isfile(csv_path):
        table = lp.results.read_csv(csv_path)
        if table.rows and "point" in table.columns:
            return [r["point"] for r in table.rows if r.get("point")]
        lp.note(f"{csv_path} has no point column; listing {sweep_dir} instead")
    names = [n for n in os.listdir(sweep_dir)
             if not n.startswith(".") and os.path.isfile(os.path.join(sweep_dir, n, "report.json"))]
    return sorted(names, key=natural_key)


def short_count(value):
    """1548000000 -> '1.55G': three significant digits."""
    for divisor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= divisor:
            return f"{value / divisor:.3g}{suffix}"
    return f"{value:.0f}"


def conversions_of(path):
    """({bits: count}, experiment name) from a report.json, or None (with a note) when it has
    no conversions by bits."""
    try:
        report = lp.results.read_report(os.path.dirname(path))
    except (OSError, ValueError) as err:
        lp.note(f"warning: {path}: unreadable ({err}); point left out")
        return None
    by_bits = report.get("totals", {}).get("adc", {}).get("conversions_by_bits")
    if not isinstance(by_bits, dict):
        lp.note(f"warning: {path}: no totals.adc.conversions_by_bits; point left out")
        return None
    out = {}
    for key, count in by_bits.items():
        try:
            bits = int(key)
            out[bits] = out.get(bits, 0) + float(count)
        except (TypeError, ValueError):
            lp.die(f"{path}: conversions_by_bits has '{key}': {count!r}, not bit-width: count")
    return out, report.get("experiment")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir", help="the sweep folder (scripts/sweep.sh --out DIR)")
    parser.add_argument("prefix", help="output prefix: writes PREFIX.png and PREFIX.svg")
    parser.add_argument("--csv", help="the sweep's CSV giving the points' order "
                        "(default: SWEEP_DIR/sweep.csv when it exists)")
    parser.add_argument("--log", action="store_true", help="logarithmic count axis")
    lp.add_common_arguments(parser)
    args = parser.parse_args()

    lp.setup_style()
    if not os.path.isdir(args.sweep_dir):
        lp.die(f"{args.sweep_dir}: no such folder (the --out DIR of scripts/sweep.sh)")
    csv_path = args.csv or os.path.join(args.sweep_dir, "sweep.csv")
    if args.csv and not os.path.isfile(args.csv):
        lp.die(f"{args.csv}: no such file")
    points = []
    experiments = []
    for name in list_points(args.sweep_dir, csv_path):
        path = os.path.join(args.sweep_dir, name, "report.json")
        if not os.path.isfile(path):
            lp.note(f"warning: {path}: missing (outputs.formats without json?); point left out")
            continue
        found = conversions_of(path)
        if found is not None:
            points.append((name, found[0]))
            experiments.append(found[1])
    if not points:
        lp.die(f"{args.sweep_dir}: no point with a report.json giving conversions_by_bits")

    all_bits = sorted({b for _, counts in points for b in counts})
    cmap = lp.plt.get_cmap("viridis")
    colors = {b: cmap(i / max(1, len(all_bits) - 1) * 0.92) for i, b in enumerate(all_bits)}

    n = len(points)
    fig, ax = lp.plt.subplots(figsize=(max(6.5, 1.6 + 0.55 * n), 5.2))
    x = list(range(n))
    bottom = [0.0] * n
    for b in all_bits:
        heights = [counts.get(b, 0.0) for _, counts in points]
        ax.bar(x, heights, 0.72, bottom=bottom, color=colors[b], label=f"{b} bit",
               edgecolor="white", linewidth=0.4)
        bottom = [lo + h for lo, h in zip(bottom, heights)]
    formatter = EngFormatter(sep="")
    if not args.log:
        for xi, total in zip(x, bottom):
            ax.annotate(short_count(total), (xi, total), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8)
        ax.set_ylim(0, max(bottom) * 1.08)
    else:
        ax.set_yscale("log")
    ax.yaxis.set_major_formatter(formatter)
    ax.set_xticks(x, [name for name, _ in points], rotation=55, ha="right",
                  rotation_mode="anchor")
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_xlabel("sweep point")
    ax.set_ylabel("ADC conversions per run [count]")
    ax.grid(axis="x", visible=False)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], title="resolution", loc="center left",
              bbox_to_anchor=(1.0, 0.5), frameon=False)
    names = sorted({e for e in experiments if e})
    what = ", ".join(names) if names else os.path.basename(os.path.normpath(args.sweep_dir))
    ax.set_title(args.title or f"ADC conversions by resolution: {what}")
    fig.tight_layout()
    lp.save(fig, args.prefix)


if __name__ == "__main__":
    main()
