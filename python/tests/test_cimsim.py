"""Tests of the cimsim Python package (run by ctest as python.cimsim, PYTHONPATH=build/python)."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

import cimsim

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPARSE = ROOT / "configs" / "experiments" / "sparse_gemm.yaml"


def test_matmul_at_lossless_adcs_is_the_exact_product():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, size=(6, 70), dtype=np.uint8)
    w = rng.integers(-127, 128, size=(70, 9), dtype=np.int8)
    w[rng.random(w.shape) < 0.5] = 0
    y, report = cimsim.matmul(x, w, mapping="sws", adc_policy="lossless")
    np.testing.assert_array_equal(y, x.astype(np.int64) @ w.astype(np.int64))
    assert report.energy_pj["total"] > 0
    assert report.totals["adc"]["conversions"] > 0
    assert isinstance(report.to_dict(), dict)


def test_run_takes_a_path_or_a_dict_and_gives_the_report(tmp_path, monkeypatch):
    report = cimsim.run(SPARSE, {"mapping.policy": "baseline", "hardware.adc.policy": "fixed"},
                        out=tmp_path / "a")
    assert (tmp_path / "a" / "report.json").exists()
    assert report.layers[0]["crossbars"] == 15  # README: the baseline mapping uses 15
    monkeypatch.chdir(ROOT / "configs" / "experiments")  # a dict's paths are the current folder's
    same = cimsim.run({"version": 1, "workload": {
        "kind": "gemm", "weights": "data/sparse90_weights.npy", "inputs": "data/sparse90_inputs.npy"},
        "mapping": {"policy": "baseline"}, "hardware": {"adc": {"policy": "fixed"}}},
        out=tmp_path / "b")
    assert same.totals == report.totals


def test_errors_are_the_command_lines(tmp_path):
    with pytest.raises(cimsim.ConfigError) as raised:
        cimsim.run(SPARSE, ["hardware.adc.bitz=3"], out=tmp_path / "x")
    cli = subprocess.run([os.environ.get("CIMSIM_BINARY", str(ROOT / "build" / "cimsim")),
                          "validate", str(SPARSE), "--set", "hardware.adc.bitz=3"],
                         capture_output=True, text=True)
    assert cli.returncode == 2
    assert str(raised.value) in cli.stderr
    assert "did you mean 'hardware.adc.bits'" in str(raised.value)
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage")
    with pytest.raises(cimsim.DataError, match="not a valid ONNX model"):
        cimsim.run({"version": 1, "workload": {"kind": "onnx", "model": str(bad)}}, out=tmp_path / "y")


def test_torch_module_simulates_through_onnx(tmp_path):
    import torch  # Debian's python3-torch (scripts/setup.sh): a missing torch fails, not skips

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 4, 5, stride=3)
            self.bn = torch.nn.BatchNorm2d(4)
            self.fc = torch.nn.Linear(4 * 8 * 8, 10)

        def forward(self, x):
            return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))

    torch.manual_seed(0)
    report = cimsim.torch.simulate(Tiny(), torch.zeros(1, 1, 28, 28), "mnist",
                                   {"workload.samples": 20, "workload.calibration_samples": 20},
                                   out=tmp_path / "t")
    assert report.accuracy["samples"] == 20
    assert len(report.layers) == 2
