#!/usr/bin/python3
"""Exports the pretrained MNIST CNN (npm mnist-react-tfjs@0.1.1, data/mnist-cnn) to ONNX from a
plain PyTorch definition (Conv2d, Linear) carrying its weights: models/onnx/mnist_cnn.onnx.

    scripts/export_onnx_cnn.py [--keras data/mnist-cnn] [--out models/onnx/mnist_cnn.onnx]

The module is the Keras model layer for layer: conv 32 3x3 relu, conv 64 3x3 relu, max-pool 2,
flatten in Keras's H, W, C order (a permute before the flatten, so the first dense layer keeps
the Keras row order and its crossbar rows are the native run's), dense 128 relu, dense 10 and
the Keras model's softmax. The input is N x 1 x 28 x 28 (pixel / 255), the batch dimension
dynamic. The script checks torch's float top-1 on the MNIST test set against the native float
reference (9907 of 10 000, docs/data.md) and writes the model with opset 13. Needs Debian's
python3-torch and python3-onnx; the tests do not.
"""

import argparse
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from prune_finetune_cnn import load_keras, load_mnist  # noqa: E402  (same folder)

EXPECTED_CORRECT = 9907  # the native float32 reference on the MNIST test set (docs/data.md)


class MnistCnn(torch.nn.Module):
    def __init__(self, tensors):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3)
        self.conv2 = torch.nn.Conv2d(32, 64, 3)
        self.fc1 = torch.nn.Linear(12 * 12 * 64, 128)
        self.fc2 = torch.nn.Linear(128, 10)
        with torch.no_grad():
            for conv, name in ((self.conv1, "conv2d_1"), (self.conv2, "conv2d_2")):
                # Keras [kh, kw, cin, cout] -> torch [cout, cin, kh, kw]
                conv.weight.copy_(torch.from_numpy(tensors[f"{name}/kernel"]).permute(3, 2, 0, 1))
                conv.bias.copy_(torch.from_numpy(tensors[f"{name}/bias"]))
            for fc, name in ((self.fc1, "dense_1"), (self.fc2, "dense_2")):
                fc.weight.copy_(torch.from_numpy(tensors[f"{name}/kernel"]).t())  # [in, out] -> [out, in]
                fc.bias.copy_(torch.from_numpy(tensors[f"{name}/bias"]))

    def forward(self, x):  # x: N x 1 x 28 x 28
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = x.permute(0, 2, 3, 1).flatten(1)  # Keras flattens in H, W, C order
        x = F.relu(self.fc1(x))
        return F.softmax(self.fc2(x), dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keras", type=pathlib.Path, default=ROOT / "data" / "mnist-cnn")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models" / "onnx" / "mnist_cnn.onnx")
    args = parser.parse_args()
    torch.manual_seed(0)
    _, tensors = load_keras(args.keras)
    net = MnistCnn(tensors).eval()
    images, labels = load_mnist(ROOT / "data" / "mnist", "t10k")
    images = images.permute(0, 3, 1, 2)
    with torch.no_grad():
        correct = int((net(images).argmax(1) == labels).sum())
    print(f"torch float top-1: {correct} of {len(labels)}")
    if correct != EXPECTED_CORRECT:
        sys.exit(f"expected {EXPECTED_CORRECT} correct (the native float reference)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(net, images[:1], str(args.out), opset_version=13, input_names=["image"],
                      output_names=["probabilities"],
                      dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}})
    import onnx
    onnx.checker.check_model(onnx.load(str(args.out)))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
