#!/usr/bin/python3
"""Writes the chip study of issue 17 ("The whole chip: what SWS costs") into docs/results.md (the
MNIST CNN), docs/results_vit.md (the ViT) and docs/results_use_lite.md (the USE-lite matrices),
as the generated section "chip study" of each page, from the results folders that
scripts/study.sh writes (out/study/<network><sparsity>_<chip>, one per file of
configs/experiments/study/). Every block names the command that reproduces it. Figures are per
inference (image or sentence); the busiest resource is the chip statistic with the highest
utilization over the simulated inferences (report: totals.chip.statistics).

Usage: scripts/results_table_study.py [OUT_DIR [DOCS_DIR]]"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cimsim_results as results  # noqa: E402  (reads results folders, writes Markdown)

root = pathlib.Path(__file__).resolve().parent.parent
out_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "out" / "study"
docs_dir = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else root / "docs"

NETWORKS = (  # (file prefix, page, title, sparsities, unit, has top-1)
    ("cnn", "results.md", "the MNIST CNN (all 10 000 test images)", (0, 50, 70, 90), "image", True),
    ("vit", "results_vit.md", "the ViT (all 10 000 Fashion-MNIST test images)", (0, 50, 80, 90),
     "image", True),
    ("use_lite", "results_use_lite.md", "the USE-lite matrices (the 40 test sentences)",
     (0, 50, 80, 90), "sentence", False),
)
CHIPS = (("isaac", "ISAAC-style"), ("sws_chip", "SWS chip"))
MAPPINGS = ("baseline_fixed", "baseline_capped", "sws", "sws_shared")
SCHEDULES = ("sequential", "pipelined")
RESOURCES = (  # summary column -> name in the table
    ("chip.adc_pool.busiest_utilization", "ADC pool"),
    ("chip.input_buffer.busiest_utilization", "input buffer"),
    ("chip.interconnect.utilization", "interconnect"),
    ("chip.accumulator.utilization", "accumulator"),
)
HEADER = ["sparsity", "chip", "mapping", "schedule", "ADC [uJ]", "dynamic [uJ]", "static [uJ]",
          "total [uJ]", "area [mm^2]", "crossbars", "tiles", "latency [us]", "throughput [1/s]",
          "TOPS/W", "TOPS/mm^2", "busiest resource", "top-1 (integer-ideal)"]


def number(text, digits=4):
    value = float(text)
    return f"{value:.{digits}g}" if abs(value) < 1e6 else f"{value:.4e}"


def busiest(summary):
    name, value = max(((label, float(summary.get(column) or 0.0)) for column, label in RESOURCES),
                      key=lambda item: item[1])
    return f"{name} {100 * value:.1f} %"


def row(sparsity, chip_label, mapping, schedule, summary, report, has_top1):
    per = float(summary["samples"]) if summary.get("samples") else float(report["totals"]["inferences"])
    uj = lambda pj: number(float(pj) / per / 1e6)  # noqa: E731  pJ over the run -> uJ per inference
    total = float(summary["energy_total_pj"])
    static = float(summary["energy_leakage_pj"])
    performance = report["totals"]["performance"]
    top1 = (f"{100 * float(summary['top1']):.2f} % ({100 * float(summary['ideal_top1']):.2f} %)"
            if has_top1 else "-")
    return [f"{sparsity} %", chip_label, mapping, schedule, uj(summary["energy_adc_pj"]),
            uj(total - static), uj(static), uj(total),
            number(float(summary["area_total_um2"]) / 1e6), summary["crossbars"], summary["tiles"],
            number(float(summary["inference_latency_ns"]) / 1e3),
            number(float(summary["throughput_per_s"])), number(performance["tops_per_w"], 3),
            number(performance["tops_per_mm2"], 3), busiest(summary), top1]


COST_HEADER = ["sparsity", "chip", "schedule", "mapping", "ADC energy", "total energy", "area",
               "latency", "throughput", "busiest resource"]


# What the tables showed when they were first generated (commit of this text; the tables above
# are regenerated, this reading is not: re-read it when the model changes).
FINDINGS = {
    "cnn": [
        "**What SWS costs on the CNN.** On the SWS chip `sws` converts 18 % (dense), 40 % (50 %), "
        "56 % (70 %) and 54 % (90 %) less ADC energy than the unsorted capped baseline. Its "
        "sections use a few columns of each crossbar, so they free the tiles' shared ADC pools "
        "(where a pool stays the busiest resource, it falls from 74-99 % to 40-52 % busy) and "
        "one image takes 0.22-0.60x "
        "the baseline's latency at every sparsity. What it pays is crossbars: 8.5x the "
        "baseline's at 0 %, 4.3x at 50 %, 2.6x at 70 % and 0.97x at 90 %, and with them area, "
        "input gathers over the interconnect (the busiest resource of the dense runs and the "
        "50 % pipelined run) and static power. So total energy rises by 105 % (dense) and 28 % "
        "(50 %) and falls by 16-19 % at 70 and 90 %: on this chip sorting pays in energy from "
        "about 70 % sparsity and in time everywhere. `sws_shared` keeps the baseline's area "
        "(x 0.93-1.00; x 0.53 at 90 %) and latency (ADC-pool bound, x 0.92-1.00) and saves 2-3 % "
        "(0 and 50 %), 12-13 % (70 %) and 36 % (90 %) of the total energy. On the ISAAC-style "
        "chip the capped ADCs already remove 75 % (dense) to 97 % (90 %) of the fixed ADCs' "
        "energy and sorting changes the rest by at most 2 %; the chip's static power (eDRAM "
        "buffers, routers) dominates the total, so `sws`, with 1.7-14x the tiles, costs +75 % "
        "(90 %) to +1600 % (dense) total energy, and `sws_shared` saves energy only at 90 % "
        "(-28 %, 0.7x the tiles). Pipelined, the ISAAC-style baseline's first image takes "
        "longer than sequential (1544 against 1003 us: its 7 tiles are shared by the layers and "
        "later images queue in arrival order), which is why `sws` shows x 0.65 latency there.",
    ],
    "vit": [
        "**What SWS costs on the ViT.** Its matrices have at most 256 inputs, so per-output "
        "sorting keeps little ADC energy in hand (sws: -1 to -10 % against the capped baseline) "
        "and multiplies the crossbars by 7.4-16x: on the SWS chip that buys latency (one image "
        "in 0.21-0.42x the baseline's time, the interconnect becoming the busiest resource) for "
        "8x the area and +30 to +50 % total energy; on the ISAAC-style chip, whose static power "
        "per tile dominates, it costs 11 to 16x the total energy (and is faster only when "
        "pipelined, where the baseline's one tile serves every layer). `sws_shared` "
        "keeps the baseline's area and energy within a few percent.",
    ],
    "use_lite": [
        "**What SWS costs on the USE-lite matrices.** On the SWS chip `sws` cuts the ADC energy "
        "by 21 % (dense) to 74 % (90 %) against the capped baseline, but needs 2.2-9x the "
        "crossbars, and every section gathers its own inputs over the chip's one 64 B/ns bus: "
        "the interconnect is busy 96-100 % of the time, so latency grows 1.4-14x and pipelined "
        "throughput falls to 0.1-0.4x; total energy falls only at 80-90 % sparsity in sequential "
        "order (-19 and -38 %) and at 90 % pipelined (-13 %). `sws_shared` keeps the baseline's area and gives -9 to -39 % total energy at 80-90 "
        "%. On the ISAAC-style chip sorting saves at most 5 % of the (capped) ADC energy and its "
        "extra tiles' static power costs +240 to +1300 % total energy.",
    ],
}


def change(new, old):
    return f"{100 * (new / old - 1):+.1f} %" if old else "-"


def ratio(new, old):
    return f"x {new / old:.2f}" if old else "-"


def cost_rows(sparsity, chip_label, schedule, folder):
    """Sorting against the unsorted capped baseline on the same chip and schedule."""
    base = results.read_summary(folder / f"baseline_capped_{schedule}").rows[0]
    rows = []
    for mapping in ("sws", "sws_shared"):
        s = results.read_summary(folder / f"{mapping}_{schedule}").rows[0]
        value = lambda row, key: float(row[key])  # noqa: E731
        rows.append([f"{sparsity} %", chip_label, schedule, mapping,
                     change(value(s, "energy_adc_pj"), value(base, "energy_adc_pj")),
                     change(value(s, "energy_total_pj"), value(base, "energy_total_pj")),
                     ratio(value(s, "area_total_um2"), value(base, "area_total_um2")),
                     ratio(value(s, "inference_latency_ns"), value(base, "inference_latency_ns")),
                     ratio(value(s, "throughput_per_s"), value(base, "throughput_per_s")),
                     busiest(s) + " (baseline: " + busiest(base) + ")"])
    return rows


def section(prefix, title, sparsities, unit, has_top1):
    lines = [f"## The whole chip: what SWS costs in time, area and energy ({title})", "",
             f"Generated by `scripts/results_table_study.py` from `scripts/study.sh`'s runs; per "
             f"{unit}: energy in uJ (dynamic, static and their total), latency of one {unit} "
             f"(first input in, last output out) in us, throughput in {unit}s/s, chip area of the "
             f"tiles used in mm^2, TOPS/W and TOPS/mm^2 at 2 operations per multiply-accumulate. "
             f"The busiest resource is the chip statistic with the highest utilization. Chips: "
             f"`configs/hardware/isaac.yaml` with differential 2-bit cells (ISAAC-style) and "
             f"`configs/hardware/sws_chip.yaml` (SWS chip); `baseline_fixed` is the conventional "
             f"macro (unsorted, fixed 8-bit ADCs, no power gating), the others have capped "
             f"8-bit ADCs with power gating.", ""]
    rows = []
    costs = []
    commands = []
    for sparsity in sparsities:
        for chip, chip_label in CHIPS:
            name = f"{prefix}{sparsity}_{chip}"
            folder = out_dir / name
            if not (folder / "comparison.csv").is_file():
                continue
            for schedule in SCHEDULES:
                for mapping in MAPPINGS:
                    variant = folder / f"{mapping}_{schedule}"
                    summary = results.read_summary(variant).rows[0]
                    report = results.read_report(variant)
                    rows.append(row(sparsity, chip_label, mapping, schedule, summary, report,
                                    has_top1))
            for schedule in SCHEDULES:
                costs += cost_rows(sparsity, chip_label, schedule, folder)
            rows.append(["", "", f"`build/cimsim run configs/experiments/study/{name}.yaml --out "
                                 f"out/study/{name}`"] + [""] * (len(HEADER) - 3))
            commands.append(name)
    if not commands:
        return None
    missing = [f"{prefix}{s}_{chip}" for s in sparsities for chip, _ in CHIPS
               if f"{prefix}{s}_{chip}" not in commands]
    if missing:
        lines += ["Not run yet: " + ", ".join(f"`{m}`" for m in missing) +
                  " (`scripts/study.sh " + " ".join(missing) + "`).", ""]
    return (lines + results.markdown_table(HEADER, rows) +
            ["", "### What sorting costs and saves", "",
             f"`sws` and `sws_shared` against `baseline_capped` (the same capped gated ADCs without "
             f"sorting) on the same chip and schedule, per {unit}: energy changes, and area, "
             f"latency and throughput as ratios (x 2.00 = twice the baseline's).", ""] +
            results.markdown_table(COST_HEADER, costs) + [""] + FINDINGS.get(prefix, []))


written = 0
for prefix, page, title, sparsities, unit, has_top1 in NETWORKS:
    lines = section(prefix, title, sparsities, unit, has_top1)
    if lines is None:
        print(f"results_table_study.py: no runs for {prefix} in {out_dir}", file=sys.stderr)
        continue
    results.write_section(docs_dir / page, "chip study", lines)
    print(f"wrote the chip study into {docs_dir / page}")
    written += 1
sys.exit(0 if written else 1)
