"""cimsim.torch: simulate a torch.nn.Module on crossbars by way of ONNX.

    report = cimsim.torch.simulate(model, torch.zeros(1, 1, 28, 28), "fashion_mnist",
                                   {"mapping.policy": "sws", "workload.samples": 1000})
"""

import os
import pathlib
import tempfile


def export_onnx(model, example_input, path):
    """Exports `model` (eval mode) to ONNX at `path` with a dynamic batch dimension, keeping
    batch normalization for cimsim to fold."""
    import torch

    model.eval()
    torch.onnx.export(model, example_input, os.fspath(path), opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def simulate(model, example_input, dataset="mnist", config=None, out=None):
    """Exports `model` to ONNX (in a temporary file) and runs it as `workload.kind: onnx` on
    `dataset` ("mnist" or "fashion_mnist"; images enter as pixel / 255 in the shape of
    `example_input`). `config` is a dict of dotted keys (e.g. {"mapping.policy": "sws",
    "hardware.adc.bits": 6, "workload.samples": 500}). Returns a cimsim.Report."""
    from . import run

    with tempfile.TemporaryDirectory(prefix="cimsim-torch-") as scratch:
        model_file = pathlib.Path(scratch) / "model.onnx"
        export_onnx(model, example_input, model_file)
        experiment = {"version": 1, "workload": {"kind": "onnx", "model": str(model_file),
                                                 "dataset": dataset}}
        return run(experiment, config, out=out)
