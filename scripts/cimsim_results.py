#!/usr/bin/python3
"""cimsim's results, read and written one way.

Every script that gathers results (scripts/sweep.sh, scripts/variation_sweep.sh), turns them
into a page (scripts/results_table*.py) or a figure (scripts/plot_*.py, through lib_plot.py)
reads results folders and CSV through this module and writes
CSV and Markdown through it: CSV by Python's csv module (a cell with a comma or a quote is quoted),
files atomically (a temporary file renamed into place), Markdown tables with their cells escaped.
Cells read from CSV stay the text cimsim wrote (no float round trip), so a gathered CSV repeats
every number exactly. A table is a Table: its columns in order and its rows as dicts of text.
Standard library only (csv, json): nothing here needs more.

As a command (for the shell scripts):
  cimsim_results.py gather-sweep POINTS.tsv OUT.csv
      POINTS.tsv: one line per point, tab-separated: name, adc_bits, mapping, adc_policy, path of
      its summary.csv ("-" for a parameter the point does not set). OUT.csv gets the union of
      the summaries' columns, led by `point` and by any point parameter a summary lacks.
  cimsim_results.py concat OUT.csv IN.csv...
      the rows of every IN.csv under the union of their headers (missing IN files are skipped).
"""
import csv
import io
import json
import os
import pathlib
import sys
import tempfile

POINT_PARAMETERS = ("adc_bits", "mapping", "adc_policy")


# ---- reading -----------------------------------------------------------------------------------

class Table:
    """Columns in order and rows as {column: text}; a cell a row lacks reads as ""."""

    def __init__(self, columns=(), rows=()):
        self.columns = list(columns)
        self.rows = [dict(r) for r in rows]

    def __len__(self):
        return len(self.rows)

    def records(self):
        """Each row as a list of cells in column order."""
        return [[row.get(c, "") for c in self.columns] for row in self.rows]


def read_csv(path):
    """A CSV file as a Table of strings, exactly as written (blank lines skipped)."""
    with open(path, newline="", encoding="utf-8") as handle:
        records = [r for r in csv.reader(handle) if r]
    if not records:
        return Table()
    columns = records[0]
    return Table(columns, (dict(zip(columns, r)) for r in records[1:]))


def read_summary(folder):
    """The one-row summary.csv of a results folder."""
    return read_csv(pathlib.Path(folder) / "summary.csv")


def read_report(folder):
    """report.json of a results folder, as a dict."""
    return json.loads((pathlib.Path(folder) / "report.json").read_text(encoding="utf-8"))


def comparison_rows(folder):
    """{variant: {column: text}} from comparison.csv of a comparison's results folder, in order."""
    return {row["variant"]: row for row in read_csv(pathlib.Path(folder) / "comparison.csv").rows}


def read_fidelity(folder):
    """fidelity.json of a results folder (USE-lite, ViT), as a dict."""
    return json.loads((pathlib.Path(folder) / "fidelity.json").read_text(encoding="utf-8"))


# ---- combining ---------------------------------------------------------------------------------

def union_columns(tables):
    """The columns of all tables in order of first appearance."""
    columns = []
    for table in tables:
        columns += [c for c in table.columns if c not in columns]
    return columns


def concat(tables):
    """Rows of every table under the union of their columns; absent cells empty."""
    tables = list(tables)
    return Table(union_columns(tables), (row for t in tables for row in t.rows))


def gather_points(points):
    """One table of sweep points.

    points: (name, {parameter: value}, summary table) per point. The result is led by `point`,
    then by each parameter of POINT_PARAMETERS that some summary lacks (filled from the point's
    value, "-" meaning not set), then the summaries' columns.
    """
    lead = []
    rows = []
    for name, parameters, summary in points:
        added = {"point": name}
        for key in POINT_PARAMETERS:
            value = parameters.get(key, "-")
            if key not in summary.columns and (key == "adc_bits" or value != "-"):
                added[key] = value
                if key not in lead:
                    lead.append(key)
        rows.append(Table(summary.columns, ({**row, **added} for row in summary.rows)))
    lead = ["point"] + [k for k in POINT_PARAMETERS if k in lead]
    table = concat(rows)
    return Table(lead + [c for c in table.columns if c not in lead], table.rows)


# ---- writing -----------------------------------------------------------------------------------

def write_text(path, text):
    """Writes `text` to `path` atomically: a reader sees the old file or the whole new one."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


SECTION_BEGIN = "<!-- generated section: {} -->"
SECTION_END = "<!-- end of generated section: {} -->"


def _sections(text):
    """{name: the whole marked block} of the generated sections in a page's text."""
    found = {}
    for line in text.splitlines():
        if line.startswith("<!-- generated section: ") and line.endswith(" -->"):
            name = line[len("<!-- generated section: "):-len(" -->")]
            begin = text.index(line)
            end_marker = SECTION_END.format(name)
            end = text.index(end_marker, begin) + len(end_marker)
            found[name] = text[begin:end]
    return found


def write_page(path, text):
    """Writes a generated results page, keeping the sections other scripts generated into it.

    A section is a block between SECTION_BEGIN and SECTION_END markers with its name; one that
    the old page holds and `text` lacks is appended to `text`, so the scripts that write one page
    and the ones that write a section of it can run in any order.
    """
    path = pathlib.Path(path)
    old = path.read_text() if path.is_file() else ""
    kept = [block for name, block in _sections(old).items() if name not in _sections(text)]
    write_text(path, text.rstrip("\n") + "".join("\n\n" + block for block in kept) + "\n")


def write_section(path, name, lines):
    """Puts `lines` into the page at `path` as the generated section `name`: in place of the
    section's old text, or appended when the page has none."""
    path = pathlib.Path(path)
    old = path.read_text() if path.is_file() else ""
    block = "\n".join([SECTION_BEGIN.format(name)] + list(lines) + [SECTION_END.format(name)])
    sections = _sections(old)
    if name in sections:
        text = old.replace(sections[name], block)
    else:
        text = old.rstrip("\n") + "\n\n" + block + "\n"
    write_text(path, text)


def csv_text(table):
    """A table as CSV text: a header, one line per row, cells quoted where they must be."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.records())
    return out.getvalue()


def write_csv(table, path):
    write_text(path, csv_text(table))


def markdown_cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_row(cells):
    """One table line: "| a | b |", an empty cell as "| |"."""
    return "|" + "".join(f" {markdown_cell(c)} |" if str(c) else " |" for c in cells)


def markdown_table(header, rows):
    """The lines of a Markdown table: the header, its rule, then one line per row of cells."""
    return [markdown_row(header), "|" + "---|" * len(header)] + [markdown_row(r) for r in rows]


# ---- command line ------------------------------------------------------------------------------

def _gather_sweep(points_tsv, out_csv):
    points = []
    for line in pathlib.Path(points_tsv).read_text().splitlines():
        name, bits, mapping, policy, summary = line.split("\t")
        parameters = {"adc_bits": bits, "mapping": mapping, "adc_policy": policy}
        points.append((name, parameters, read_csv(summary)))
    write_csv(gather_points(points), out_csv)


def _concat(out_csv, inputs):
    tables = [read_csv(p) for p in inputs if pathlib.Path(p).is_file()]
    write_csv(concat(tables), out_csv)
    return sum(len(t) for t in tables)


def main(argv):
    usage = __doc__[__doc__.index("As a command"):]
    if len(argv) == 3 and argv[0] == "gather-sweep":
        _gather_sweep(argv[1], argv[2])
        return 0
    if len(argv) >= 2 and argv[0] == "concat":
        print(_concat(argv[1], argv[2:]))
        return 0
    print("usage:\n" + usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
