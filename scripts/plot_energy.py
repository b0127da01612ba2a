#!/usr/bin/python3
"""Energy per run vs ADC resolution, stacked by component, one panel per mapping (and ADC
policy when a sweep has several).

    scripts/plot_energy.py out/sweep/sweep.csv out/plots/energy [--unit nJ]

Reads the CSV that scripts/sweep.sh gathers and writes PREFIX.png and PREFIX.svg. The energies
are those of the whole run (every input of the experiment), as summary.csv reports them; a
segment "other" shows any part of energy_total_pj that the listed components do not explain.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib_plot as lp  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="the sweep's combined CSV (scripts/sweep.sh: DIR/sweep.csv)")
    parser.add_argument("prefix", help="output prefix: writes PREFIX.png and PREFIX.svg")
    parser.add_argument("--unit", default="auto", help="auto (default), pJ, nJ, uJ, mJ or J")
    lp.add_common_arguments(parser)
    args = parser.parse_args()

    lp.setup_style()
    rows = lp.read_csv(args.csv)
    columns = [c for c, _ in lp.ENERGY_COMPONENTS]
    lp.require_columns(rows, ["adc_bits", lp.TOTAL_COLUMN], args.csv)
    present = [(c, label) for c, label in lp.ENERGY_COMPONENTS if c in rows[0]]
    if not present:
        lp.die(f"{args.csv}: none of the energy columns {', '.join(columns)}")

    groups = lp.by_config(rows)
    # Stacked values per panel, and "other" = total - sum of components (e.g. leakage).
    panels = []
    max_total = 0.0
    for config, points in groups.items():
        bits = sorted(points)
        stacks = {c: [lp.number(points[b], c, 0.0) for b in bits] for c, _ in present}
        totals = [lp.number(points[b], lp.TOTAL_COLUMN) for b in bits]
        other = []
        for i, total in enumerate(totals):
            rest = total - sum(stacks[c][i] for c, _ in present)
            other.append(rest if rest > 1e-6 * max(total, 1e-30) else 0.0)
        panels.append((config, bits, stacks, other, totals))
        max_total = max(max_total, max(totals))
    show_other = any(v > 0 for p in panels for v in p[3])
    unit, scale = lp.energy_unit(max_total, args.unit)

    # Layout: with several ADC policies, one row per mapping and one column per policy;
    # otherwise one panel per mapping, three to a row.
    mappings = list(dict.fromkeys(c[0] for c, *_ in panels))
    policies = list(dict.fromkeys(c[1] for c, *_ in panels))
    if len(policies) > 1:
        nrows, ncols = len(mappings), len(policies)
        slots = [mappings.index(c[0]) * ncols + policies.index(c[1]) for c, *_ in panels]
    else:
        ncols = min(len(panels), 3)
        nrows = (len(panels) + ncols - 1) // ncols
        slots = list(range(len(panels)))
    fig, axes = lp.plt.subplots(
        nrows, ncols, figsize=(max(5.0, 4.6 * ncols) + 1.6, 4.0 * nrows + 0.8),
        sharey=True, squeeze=False,
    )
    used = set(slots)
    for k, (config, bits, stacks, other, totals) in zip(slots, panels):
        ax = axes[k // ncols][k % ncols]
        x = list(range(len(bits)))
        bottom = [0.0] * len(bits)
        segments = [(c, label, stacks[c]) for c, label in present]
        if show_other:
            segments.append(("other", "other (total - listed)", other))
        for column, label, values in segments:
            heights = [v / scale for v in values]
            ax.bar(x, heights, 0.7, bottom=bottom, label=label,
                   color=lp.COMPONENT_COLORS.get(column), edgecolor="white", linewidth=0.5)
            bottom = [b + h for b, h in zip(bottom, heights)]
        for xi, total in zip(x, totals):
            ax.annotate(lp.format_energy(total / scale), (xi, total / scale),
                        xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, [str(b) for b in bits])
        ax.set_xlabel("ADC resolution [bits]")
        ax.set_title(lp.config_label(*config))
        ax.grid(axis="x", visible=False)
        if k % ncols == 0:
            ax.set_ylabel(f"Energy per run [{unit}]")
        ax.tick_params(labelleft=True)
    for k in range(nrows * ncols):
        if k not in used:
            axes[k // ncols][k % ncols].set_visible(False)
    # Headroom for the total labels.
    first_ax = axes[slots[0] // ncols][slots[0] % ncols]
    first_ax.set_ylim(0, max_total / scale * 1.1)

    first = axes[slots[0] // ncols][slots[0] % ncols]
    handles, labels = first.get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], title="component", loc="center left",
               bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle(args.title or f"Energy per run by component: {lp.describe_run(rows)}")
    fig.tight_layout()
    lp.save(fig, args.prefix)


if __name__ == "__main__":
    main()
