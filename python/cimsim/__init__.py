"""cimsim from Python: run experiments, multiply matrices on simulated crossbars, and simulate
PyTorch models, with the command line's validation and error texts.

    import cimsim
    report = cimsim.run("configs/experiments/sparse_gemm.yaml", {"mapping.policy": "baseline"})
    y, report = cimsim.matmul(x, w, mapping="sws", adc_policy="capped", adc_bits=8)
    report = cimsim.torch.simulate(module, example_input, "mnist", {"mapping.policy": "sws"})

Build with scripts/build.sh, then put build/python on PYTHONPATH (README, "Your own model").
"""

import json
import os
import pathlib
import tempfile

from ._core import ConfigError, DataError, SimulationError
from ._core import run as _run

__all__ = ["run", "matmul", "Report", "ConfigError", "DataError", "SimulationError", "torch"]


class Report:
    """The numbers of a run's report.json as Python values.

    `report.json` is the whole report (a plain dict, no pandas); `report.totals`, `report.layers`
    and `report.accuracy` are its parts; `report.folder` is the results folder and
    `report.energy_pj` the total energy by component [pJ]."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.json = json.loads((self.folder / "report.json").read_text())

    @property
    def totals(self):
        return self.json["totals"]

    @property
    def layers(self):
        return self.json["layers"]

    @property
    def accuracy(self):
        return self.json.get("accuracy")

    @property
    def energy_pj(self):
        return self.totals["energy_pj"]

    def to_dict(self):
        return json.loads(json.dumps(self.json))

    def __getitem__(self, key):
        return self.json[key]

    def __repr__(self):
        total = self.energy_pj.get("total")
        return f"Report({str(self.folder)!r}, total energy {total} pJ)"


def _overrides(overrides):
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [f"{key}={_yaml_value(value)}" for key, value in overrides.items()]
    return list(overrides)


def _yaml_value(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    return str(value)


def run(experiment, overrides=None, out=None):
    """Runs an experiment: a YAML file's path, or a dict with the file's keys (relative paths in
    a dict are taken from the current folder). `overrides` is a dict {"dotted.key": value} or a
    list of "key=value" strings, as --set. Returns a Report; raises ConfigError (a ValueError)
    for what the command line refuses with exit 2, DataError and SimulationError for exit 1."""
    extra = _overrides(overrides)
    if out is not None:
        extra.append(f"outputs.dir={os.fspath(out)}")
    if isinstance(experiment, dict):
        # JSON is YAML; the file sits in the current folder so that relative paths keep meaning.
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix=".cimsim-", dir=os.getcwd(),
                                         delete=False) as handle:
            json.dump(experiment, handle)
            path = handle.name
        try:
            return Report(_run(path, extra))
        finally:
            os.unlink(path)
    return Report(_run(os.fspath(experiment), extra))


_HARDWARE_KEYS = {
    "mapping": "mapping.policy",
    "adc_policy": "hardware.adc.policy",
    "adc_bits": "hardware.adc.bits",
    "preset": "hardware.preset",
    "weight_bits": "quant.weight_bits",
    "input_bits": "quant.input_bits",
}


def matmul(x, w, out=None, **hardware):
    """y = x @ w on simulated crossbars. x: T x K, w: K x N numpy arrays (integers are taken as
    already quantized, floats are quantized). Keyword arguments: mapping, adc_policy, adc_bits,
    preset, weight_bits, input_bits, or any dotted key with '__' for '.' (hardware__adc__bits=6).
    Returns (y as a numpy int64 array, Report)."""
    import numpy as np

    x = np.ascontiguousarray(x)
    w = np.ascontiguousarray(w)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"matmul: x {x.shape} and w {w.shape} are not T x K and K x N")
    overrides = {}
    for key, value in hardware.items():
        overrides[_HARDWARE_KEYS.get(key, key.replace("__", "."))] = value
    with tempfile.TemporaryDirectory(prefix="cimsim-matmul-") as scratch:
        scratch = pathlib.Path(scratch)
        np.save(scratch / "x.npy", x)
        np.save(scratch / "w.npy", w)
        (scratch / "matmul.yaml").write_text(json.dumps({
            "version": 1,
            "workload": {"kind": "gemm", "weights": "w.npy", "inputs": "x.npy"},
            "outputs": {"formats": ["json", "csv", "npy"]}}))
        folder = pathlib.Path(out) if out is not None else scratch / "out"
        report = run(scratch / "matmul.yaml", overrides, out=folder)
        y = np.load(folder / "outputs.npy")
        if out is None:  # the report's numbers are kept in memory; the folder goes
            report.json = report.to_dict()
    return y, report


from . import torch  # noqa: E402,F401  (cimsim.torch; imports torch only when used)
