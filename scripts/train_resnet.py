#!/usr/bin/python3
"""Trains a small ResNet-style CNN on Fashion-MNIST, prunes it by magnitude to 50 / 80 / 90 % with
fine-tuning, and exports the four networks to ONNX for cimsim's `workload.kind: onnx`:
models/onnx/resnet_fashion/sparse{0,50,80,90}.onnx and training.json (settings, torch float top-1
on the 10 000 test images, zero fraction of every weight).

    nice -n 10 scripts/train_resnet.py [--out models/onnx/resnet_fashion]
        [--data /usr/share/datasets/fashion-mnist] [--epochs 3] [--fine-tune-epochs 1]

The network (19 810 parameters): a 3x3 stem conv (8 channels), then three residual stages of one
basic block each (two 3x3 convs with batch normalization; 8, 16 and 32 channels, the last two
entered with stride 2 and a strided 1x1 conv + batch normalization on the shortcut), global
average pooling and a linear layer to 10 classes. The input is N x 1 x 28 x 28 as pixel / 255
(no mean or std: then no crossbar layer sees negative inputs, which cimsim's network runner
needs to be the same for all layers). Batch normalization is exported as BatchNormalization
nodes (training=PRESERVE on the eval-mode module), which cimsim folds into the preceding
convolution when it loads the model.

Pruning zeroes the floor(s * n) smallest magnitudes of every conv and linear weight (ties by
position) and keeps them zero through fine-tuning (Adam, learning rate falling to 0). Fixed seeds
and one thread, so a run is repeatable on the same torch build. Needs Debian's python3-torch
and python3-onnx; the tests do not.
"""

import argparse
import gzip
import json
import math
import pathlib
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parent.parent
BATCH = 128
LR = 3e-3
FINE_TUNE_LR = 1e-3
SPARSITIES = (50, 80, 90)
SEED = 1


def read_idx(path):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(folder, prefix):
    images = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.stages = nn.Sequential(Block(8, 8, 1), Block(8, 16, 2), Block(16, 32, 2))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):  # x: N x 1 x 28 x 28, pixel / 255
        x = F.relu(self.bn(self.stem(x)))
        x = self.stages(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)  # exported as GlobalAveragePool + Flatten
        return self.fc(x)

    def weights(self):
        return [m.weight for m in self.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def run_epochs(model, train, epochs, lr, generator, masks=None, label=""):
    images, labels = train
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(images) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / steps)
    for epoch in range(epochs):
        start = time.time()
        order = torch.randperm(len(images), generator=generator)
        model.train()
        total = 0.0
        for first in range(0, len(images), BATCH):
            index = order[first:first + BATCH]
            loss = F.cross_entropy(model(images[index]), labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            if masks is not None:
                with torch.no_grad():
                    for weight, mask in masks:
                        weight.mul_(mask)
            total += loss.item() * len(index)
        print(f"{label} epoch {epoch + 1}/{epochs}: loss {total / len(images):.4f} "
              f"({time.time() - start:.0f} s)", flush=True)


@torch.no_grad()
def correct_count(model, test):
    model.eval()
    images, labels = test
    correct = 0
    for first in range(0, len(images), 1000):
        correct += (model(images[first:first + 1000]).argmax(1) == labels[first:first + 1000]).sum().item()
    return int(correct)


@torch.no_grad()
def prune(model, percent):
    masks = []
    for weight in model.weights():
        flat = weight.abs().flatten().numpy()
        mask = torch.ones(flat.size)
        mask[torch.from_numpy(np.argsort(flat, kind="stable")[:math.floor(flat.size * percent / 100)])] = 0
        mask = mask.view_as(weight)
        weight.mul_(mask)
        masks.append((weight, mask))
    return masks


def export(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), str(path), opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    import onnx  # noqa: PLC0415  (only needed here)
    ops = [n.op_type for n in onnx.load(str(path)).graph.node]
    if "BatchNormalization" not in ops:
        sys.exit(f"{path}: batch normalization was folded by the exporter; cimsim should fold it")
    return ops


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models" / "onnx" / "resnet_fashion")
    parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--fine-tune-epochs", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(SEED)
    train = load_split(args.data, "train")
    test = load_split(args.data, "t10k")
    model = ResNet()
    print(f"{sum(p.numel() for p in model.parameters())} parameters", flush=True)
    run_epochs(model, train, args.epochs, LR, generator, label="dense")
    dense_state = {k: v.clone() for k, v in model.state_dict().items()}
    args.out.mkdir(parents=True, exist_ok=True)
    record = {"command": "nice -n 10 scripts/train_resnet.py " + " ".join(sys.argv[1:]),
              "torch": torch.__version__, "seed": SEED, "batch": BATCH, "epochs": args.epochs,
              "lr": LR, "fine_tune_epochs": args.fine_tune_epochs, "fine_tune_lr": FINE_TUNE_LR,
              "dataset": "fashion_mnist", "input": "N x 1 x 28 x 28, pixel / 255",
              "models": {}}
    for percent in (0, *SPARSITIES):
        model.load_state_dict(dense_state)
        if percent:
            masks = prune(model, percent)
            run_epochs(model, train, args.fine_tune_epochs, FINE_TUNE_LR, generator, masks,
                       label=f"{percent} %")
        correct = correct_count(model, test)
        path = args.out / f"sparse{percent}.onnx"
        ops = export(model, path)
        zeros = {f"{i}": float((w == 0).float().mean()) for i, w in enumerate(model.weights())}
        record["models"][f"sparse{percent}"] = {
            "file": path.name, "torch_float_correct": correct, "torch_float_top1": correct / len(test[1]),
            "zero_fraction_per_weight": zeros, "operators": sorted(set(ops))}
        print(f"sparse{percent}: torch float top-1 {100 * correct / len(test[1]):.2f} % "
              f"({correct} of {len(test[1])})", flush=True)
    (args.out / "training.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
