#!/usr/bin/python3
"""Baseline vs SWS side by side: ADC energy and total energy per run, grouped bars per ADC
bit-width, with the reduction of SWS against the baseline annotated in %.

    scripts/plot_sws_vs_baseline.py out/sweep/sweep.csv out/plots/sws_vs_baseline
    scripts/plot_sws_vs_baseline.py sweep.csv out/cmp --baseline baseline:fixed --sws sws:capped

Reads the CSV that scripts/sweep.sh gathers and writes PREFIX.png and PREFIX.svg. Each side is
a mapping, optionally with an ADC policy (MAPPING:POLICY). Without a policy, a mapping swept
under several policies is compared as the baseline under `fixed` and SWS under `capped` (else
the first policy of the CSV); the legend says which.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib_plot as lp  # noqa: E402

PREFERRED_POLICY = {"baseline": "fixed"}
DEFAULT_PREFERRED = "capped"


def pick(groups, spec, role):
    """{bits: row} and a label for `MAPPING[:POLICY]` among the sweep's configurations."""
    mapping, _, policy = spec.partition(":")
    candidates = [c for c in groups if c[0] == mapping and (not policy or c[1] == policy)]
    if not candidates:
        known = ", ".join(sorted({f"{m}:{p}" if p else m for m, p in groups})) or "none"
        lp.die(f"--{role} {spec}: no such points in the sweep; it has: {known}")
    if len(candidates) > 1:
        preferred = PREFERRED_POLICY.get(mapping, DEFAULT_PREFERRED)
        chosen = next((c for c in candidates if c[1] == preferred), candidates[0])
        others = ", ".join(c[1] for c in candidates if c != chosen)
        lp.note(f"--{role} {mapping}: using ADC policy {chosen[1]} (also swept: {others}; "
                f"choose with --{role} {mapping}:POLICY)")
    else:
        chosen = candidates[0]
    return groups[chosen], lp.config_label(*chosen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="the sweep's combined CSV (scripts/sweep.sh: DIR/sweep.csv)")
    parser.add_argument("prefix", help="output prefix: writes PREFIX.png and PREFIX.svg")
    parser.add_argument("--baseline", default="baseline", metavar="MAPPING[:POLICY]",
                        help="the reference side (default: baseline)")
    parser.add_argument("--sws", default="sws", metavar="MAPPING[:POLICY]",
                        help="the compared side (default: sws)")
    parser.add_argument("--unit", default="auto", help="auto (default), pJ, nJ, uJ, mJ or J")
    lp.add_common_arguments(parser)
    args = parser.parse_args()

    lp.setup_style()
    rows = lp.read_csv(args.csv)
    lp.require_columns(rows, ["adc_bits", "mapping", "energy_adc_pj", lp.TOTAL_COLUMN], args.csv)
    groups = lp.by_config(rows)
    base, base_label = pick(groups, args.baseline, "baseline")
    sws, sws_label = pick(groups, args.sws, "sws")
    bits = sorted(set(base) & set(sws))
    if not bits:
        lp.die(f"{args.csv}: {base_label} and {sws_label} share no ADC bit-width "
               f"({sorted(base)} vs {sorted(sws)})")
    dropped = sorted(set(base) ^ set(sws))
    if dropped:
        lp.note(f"bit-widths swept on one side only, left out: {dropped}")

    panels = [("energy_adc_pj", "ADC energy"), (lp.TOTAL_COLUMN, "Total energy")]
    panel_width = max(4.8, 1.4 + 0.7 * len(bits))
    fig, axes = lp.plt.subplots(1, 2, figsize=(2 * panel_width, 5.0))
    width = 0.38
    for ax, (column, title) in zip(axes, panels):
        b_vals = [lp.number(base[b], column) for b in bits]
        s_vals = [lp.number(sws[b], column) for b in bits]
        unit, scale = lp.energy_unit(max(b_vals + s_vals), args.unit)
        x = list(range(len(bits)))
        ax.bar([i - width / 2 for i in x], [v / scale for v in b_vals], width,
               label=base_label, color="#7f7f7f")
        ax.bar([i + width / 2 for i in x], [v / scale for v in s_vals], width,
               label=sws_label, color="#1f77b4")
        top = max(b_vals + s_vals) / scale
        # The change, centred over each pair of bars.
        for i, b_val, s_val in zip(x, b_vals, s_vals):
            if b_val > 0:
                change = 100.0 * (s_val - b_val) / b_val
                text = f"{change:+.0f} %".replace("-", "\u2212")
                color = "#2ca02c" if change <= 0 else "#d62728"
            else:
                text, color = "n/a", "black"
            ax.annotate(text, (i, max(b_val, s_val) / scale), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9,
                        fontweight="bold", color=color)
        ax.set_ylim(0, top * 1.15)
        ax.set_xticks(x, [str(b) for b in bits])
        ax.set_xlabel("ADC resolution [bits]")
        ax.set_ylabel(f"{title} per run [{unit}]")
        ax.set_title(title)
        ax.grid(axis="x", visible=False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle(args.title or f"Baseline vs SWS: {lp.describe_run(rows)}")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False,
               bbox_to_anchor=(0.5, 0.0),
               title=f"labels: change of {sws_label} against {base_label}")
    lp.save(fig, args.prefix)


if __name__ == "__main__":
    main()
