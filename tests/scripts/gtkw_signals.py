#!/usr/bin/python3
"""Checks a GTKWave save file against a VCD: every signal the save file names exists in the VCD
under GTKWave's name for it (scopes joined by dots, from the top scope, with the bit range of
vectors: SystemC.top.gemm.xbar0.input_cycle[31:0]), and the groups are balanced. Prints the
VCD signals the save file does not show (a note, not an error).

usage: gtkw_signals.py WAVES.vcd SAVE.gtkw [--order]

--order also checks the layout of configs/waveform.gtkw: busy and input_cycle first, then one
group per ADC column in numeric column order holding enable, bits, code, then the accumulators.
Exit status: 0 valid, 1 a check failed, 2 usage error.
"""

import re
import sys


def vcd_signals(path):
    """GTKWave names of the VCD's variables, in declaration order."""
    names = []
    scopes = []
    with open(path, encoding="utf-8", errors="replace") as f:
        tokens = []
        for line in f:
            if "$enddefinitions" in line:
                break
            tokens.extend(line.split())
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "$scope":
            scopes.append(tokens[i + 2])
            i += 3
        elif tok == "$upscope":
            scopes.pop()
            i += 1
        elif tok == "$var":
            # $var TYPE WIDTH ID NAME [RANGE] $end
            end = tokens.index("$end", i)
            fields = tokens[i + 1:end]
            width, ref = int(fields[1]), fields[3]
            rng = "".join(fields[4:])
            if not rng and width > 1 and "[" not in ref:
                rng = f"[{width - 1}:0]"
            names.append(".".join(scopes + [ref]) + rng)
            i = end + 1
        else:
            i += 1
    return names


def gtkw_traces(path):
    """[(line number, kind, text)]: kind is 'trace', 'group_begin' or 'group_end'."""
    items = []
    flags = 0
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith(("[", "*", "^")):
                continue  # settings, comments ([*]), zoom and markers, filters
            if line.startswith("@"):
                flags = int(line[1:], 16)
                continue
            if line.startswith("-"):
                if flags & 0x800000:
                    items.append((number, "group_begin", line[1:]))
                elif flags & 0x1000000:
                    items.append((number, "group_end", line[1:]))
                continue  # other blanks and comment traces
            if line.startswith("+{"):
                line = line[line.index("}") + 1:].strip()  # an alias
            if line.startswith(("#{", "(")):
                items.append((number, "unsupported", line))
                continue
            items.append((number, "trace", line))
    return items


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    options = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 2 or any(o != "--order" for o in options):
        print(__doc__, file=sys.stderr)
        return 2
    vcd_path, gtkw_path = args
    available = vcd_signals(vcd_path)
    if not available:
        print(f"{vcd_path}: no $var declarations", file=sys.stderr)
        return 1
    known = set(available)
    items = gtkw_traces(gtkw_path)
    errors = []
    shown = []
    depth = []
    for number, kind, text in items:
        if kind == "trace":
            shown.append(text)
            if text not in known:
                close = [n for n in available if n.split("[")[0] == text.split("[")[0]]
                hint = f" (the VCD has {close[0]})" if close else ""
                errors.append(f"{gtkw_path}:{number}: {text} is not in {vcd_path}{hint}")
        elif kind == "group_begin":
            depth.append(text)
        elif kind == "group_end":
            if not depth or depth[-1] != text:
                errors.append(f"{gtkw_path}:{number}: group end '{text}' matches no open group")
            else:
                depth.pop()
        else:
            errors.append(f"{gtkw_path}:{number}: unsupported trace syntax: {text}")
    if depth:
        errors.append(f"{gtkw_path}: groups left open: {', '.join(depth)}")
    if not shown:
        errors.append(f"{gtkw_path}: names no signal")

    if "--order" in options and shown:
        errors.extend(check_order(items, gtkw_path))

    for e in errors:
        print(e, file=sys.stderr)
    hidden = [n for n in available if n not in set(shown)]
    for n in hidden:
        print(f"note: {n} is in the VCD but not in {gtkw_path}")
    if errors:
        return 1
    print(f"{gtkw_path}: all {len(shown)} signals exist in {vcd_path} "
          f"({len(available)} in the VCD, {len(hidden)} not shown)")
    return 0


def leaf(name):
    return name.split("[")[0].rsplit(".", 1)[-1]


def check_order(items, path):
    """Layout of configs/waveform.gtkw (see the module's doc)."""
    errors = []
    traces = [t for _, k, t in items if k == "trace"]
    if [leaf(t) for t in traces[:2]] != ["busy", "input_cycle"]:
        errors.append(f"{path}: the first signals are not busy, input_cycle: {traces[:2]}")
    # Signals per group, in order.
    groups = []
    current = None
    for _, kind, text in items:
        if kind == "group_begin":
            current = (text, [])
        elif kind == "group_end" and current:
            groups.append(current)
            current = None
        elif kind == "trace" and current:
            current[1].append(text)
    columns = []
    for name, signals in groups:
        found = {re.search(r"\.adc\.col(\d+)\.", s).group(1) for s in signals
                 if re.search(r"\.adc\.col(\d+)\.", s)}
        if found:
            if len(found) != 1:
                errors.append(f"{path}: group '{name}' mixes columns {sorted(found)}")
                continue
            columns.append(int(found.pop()))
            if [leaf(s) for s in signals] != ["enable", "bits", "code"]:
                errors.append(f"{path}: group '{name}' is not enable, bits, code: {signals}")
    if columns != sorted(columns) or len(set(columns)) != len(columns):
        errors.append(f"{path}: column groups are not in numeric order: {columns}")
    if columns and columns != list(range(len(columns))):
        errors.append(f"{path}: column groups skip a column: {columns}")
    if not groups or not all(".acc." in s for s in groups[-1][1]) or not groups[-1][1]:
        errors.append(f"{path}: the last group is not the accumulators")
    return errors


if __name__ == "__main__":
    sys.exit(main(sys.argv))
