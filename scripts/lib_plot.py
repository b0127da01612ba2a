"""Shared helpers of the scripts/plot_*.py figures (Debian's python3-matplotlib, Agg backend).

Each plot script reads the CSV that scripts/sweep.sh gathers (one row per point: `point`,
`mapping`, `adc_policy`, `adc_bits`, `energy_*_pj`, ..., `top1` for networks) and/or the
sweep folder, and writes PREFIX.png and PREFIX.svg.
"""

import math
import os
import sys

import matplotlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cimsim_results as results  # noqa: E402  (reads results folders and CSV)

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

# Summary columns of the energy components, in stacking order, with their legend labels.
ENERGY_COMPONENTS = [
    ("energy_adc_pj", "ADC"),
    ("energy_dac_pj", "DAC"),
    ("energy_crossbar_pj", "crossbar cells"),
    ("energy_sample_hold_pj", "sample & hold"),
    ("energy_shift_add_pj", "shift & add"),
    ("energy_buffer_pj", "input buffer"),
    ("energy_partial_sum_pj", "partial sums"),
]
TOTAL_COLUMN = "energy_total_pj"

# One fixed colour per component, so that every figure agrees (tab10, colour-blind friendlier
# than the default cycle for the first entries).
COMPONENT_COLORS = {
    "energy_adc_pj": "#d62728",
    "energy_dac_pj": "#9467bd",
    "energy_crossbar_pj": "#1f77b4",
    "energy_sample_hold_pj": "#17becf",
    "energy_shift_add_pj": "#2ca02c",
    "energy_buffer_pj": "#ff7f0e",
    "energy_partial_sum_pj": "#8c564b",
    "other": "#7f7f7f",
}

# Units of energy, smallest first, as (name, picojoules per unit).
ENERGY_UNITS = [("pJ", 1.0), ("nJ", 1e3), ("µJ", 1e6), ("mJ", 1e9), ("J", 1e12)]
UNIT_ALIASES = {"pj": "pJ", "nj": "nJ", "uj": "µJ", "µj": "µJ", "mj": "mJ", "j": "J"}


def die(message):
    """Prints `<script>: error: message` and exits with status 1."""
    print(f"{os.path.basename(sys.argv[0])}: error: {message}", file=sys.stderr)
    sys.exit(1)


def note(message):
    print(f"{os.path.basename(sys.argv[0])}: {message}")


def setup_style():
    """Large, plain, reproducible figures (fixed SVG ids, no dates in the files)."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 10,
            "axes.grid": True,
            "axes.axisbelow": True,
            "grid.alpha": 0.35,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "cimsim",
            "svg.fonttype": "path",
        }
    )


def read_csv(path):
    """Rows of a CSV as dicts (blank cells as ''), refusing a missing or empty file."""
    if not os.path.isfile(path):
        die(f"{path}: no such file (run scripts/sweep.sh first; it writes DIR/sweep.csv)")
    table = results.read_csv(path)
    rows = [dict(zip(table.columns, cells)) for cells in table.records()]
    if not rows:
        die(f"{path}: no data rows")
    return rows


def require_columns(rows, columns, path):
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        die(f"{path}: missing column(s) {', '.join(missing)}; has: {', '.join(rows[0])}")


def number(row, column, default=None):
    """The float in row[column]; `default` for a blank or absent cell when given."""
    text = (row.get(column) or "").strip()
    if text == "":
        if default is not None:
            return default
        die(f"point {row.get('point', '?')}: column {column} is empty")
    try:
        value = float(text)
    except ValueError:
        die(f"point {row.get('point', '?')}: column {column} = '{text}' is not a number")
    if not math.isfinite(value):
        die(f"point {row.get('point', '?')}: column {column} = '{text}' is not finite")
    return value


def bits_of(row):
    value = number(row, "adc_bits")
    if value != int(value):
        die(f"point {row.get('point', '?')}: adc_bits = {value} is not an integer")
    return int(value)


def config_of(row):
    """(mapping, adc_policy) of a row; '' for a column that is absent."""
    return (row.get("mapping", "") or "", row.get("adc_policy", "") or "")


def config_label(mapping, policy):
    parts = []
    if mapping:
        parts.append(mapping)
    if policy:
        parts.append(f"{policy} ADC")
    return ", ".join(parts) if parts else "all points"


def by_config(rows):
    """{(mapping, policy): {bits: row}} in first-appearance order; warns about duplicates."""
    groups = {}
    for row in rows:
        group = groups.setdefault(config_of(row), {})
        bits = bits_of(row)
        if bits in group:
            note(
                f"warning: points {group[bits].get('point', '?')} and {row.get('point', '?')} "
                f"share {config_label(*config_of(row))} at {bits} bits; plotting the last"
            )
        group[bits] = row
    return groups


def energy_unit(max_pj, requested="auto"):
    """(name, picojoules per unit): the requested unit, or the largest one that keeps the
    biggest value at 1 or more."""
    if requested and requested != "auto":
        name = UNIT_ALIASES.get(requested.lower())
        if name is None:
            die(f"unknown unit '{requested}'; use auto, pJ, nJ, uJ, mJ or J")
        return next(u for u in ENERGY_UNITS if u[0] == name)
    chosen = ENERGY_UNITS[0]
    for unit in ENERGY_UNITS:
        if max_pj >= unit[1]:
            chosen = unit
    return chosen


def describe_run(rows):
    """'sparse_gemm (gemm, cimloop ADC model)' from the first row's columns that exist."""
    row = rows[0]
    name = row.get("experiment") or "sweep"
    extra = []
    if row.get("workload"):
        extra.append(row["workload"])
    if row.get("adc_energy_model"):
        extra.append(f"{row['adc_energy_model']} ADC model")
    if row.get("samples"):
        extra.append(f"{row['samples']} samples")
    return f"{name} ({', '.join(extra)})" if extra else name


def format_energy(value):
    """Short label for a value already in the plot's unit."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def save(fig, prefix):
    """Writes PREFIX.png and PREFIX.svg (folders made as needed) and closes the figure."""
    folder = os.path.dirname(os.path.abspath(prefix))
    os.makedirs(folder, exist_ok=True)
    paths = []
    for ext, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        path = f"{prefix}.{ext}"
        fig.savefig(path, bbox_inches="tight", metadata=metadata)
        paths.append(path)
    plt.close(fig)
    note("wrote " + " and ".join(paths))
    return paths


def add_common_arguments(parser):
    parser.add_argument("--title", help="figure title (default: from the experiment's name)")
