#!/usr/bin/python3
"""Exports the ViT-style encoder of the native `vit` workload (models/vit_fashion/sparse0,
trained by scripts/train_vit.py) to ONNX from its PyTorch definition: models/onnx/vit_fashion.onnx.

    scripts/export_onnx_vit.py [--model models/vit_fashion/sparse0] [--out models/onnx/vit_fashion.onnx]

The module is train_vit.py's VisionTransformer (imported, not copied) carrying the exported
weights (the .npy matrices are K x N, torch's Linear holds N x K). The input is N x 28 x 28
(pixel / 255, batch dimension dynamic); the normalisation with the training set's mean and
standard deviation is part of the graph, as in the PyTorch module. Opset 17, so LayerNorm
exports as one LayerNormalization node. The script checks that torch's logits for the
fixture images are the recorded ones (reference_logits.npy) and that torch's float top-1 on the
full Fashion-MNIST test set is the one model.json records. Needs Debian's python3-torch and
python3-onnx; the tests do not.
"""

import argparse
import json
import pathlib
import sys

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from train_vit import VisionTransformer, evaluate, load_split  # noqa: E402  (same folder)

OPSET = 17  # the first opset with LayerNormalization


def load_native(folder):
    description = json.loads((folder / "model.json").read_text())
    model = VisionTransformer(torch.tensor(description["input_mean"], dtype=torch.float32),
                              torch.tensor(description["input_std"], dtype=torch.float32))
    state = {}
    for name, entry in description["tensors"].items():
        value = torch.from_numpy(np.load(folder / entry["file"]))
        matrix = name.endswith(".weight") and value.dim() == 2
        state[name] = value.t().contiguous() if matrix else value  # K x N -> torch's N x K
    model.load_state_dict(state)
    return model.eval(), description


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=pathlib.Path, default=ROOT / "models" / "vit_fashion" / "sparse0")
    parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models" / "onnx" / "vit_fashion.onnx")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model, description = load_native(args.model)
    images = torch.from_numpy(np.load(args.model / "reference_images.npy"))
    with torch.no_grad():
        logits = model(images).numpy()
    recorded = np.load(args.model / "reference_logits.npy")
    if not np.allclose(logits, recorded, rtol=0, atol=1e-5):
        sys.exit("the rebuilt module does not give the recorded reference logits")
    top1 = evaluate(model, load_split(args.data, "t10k"))
    print(f"torch float top-1: {top1:.4f} (model.json: {description['float_top1']:.4f})")
    if abs(top1 - description["float_top1"]) > 1e-9:
        sys.exit("torch's float top-1 is not the one model.json records")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, images[:1], str(args.out), opset_version=OPSET, input_names=["image"],
                      output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    import onnx
    onnx.checker.check_model(onnx.load(str(args.out)))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
