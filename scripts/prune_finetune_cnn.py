#!/usr/bin/python3
"""Magnitude-prunes the pretrained MNIST CNN and fine-tunes it with the mask held fixed.

    nice -n 10 scripts/prune_finetune_cnn.py                      # 50, 70 and 90 %
    nice -n 10 scripts/prune_finetune_cnn.py --sparsities 90 --epochs 2 --out /tmp/try

Reads the pretrained Keras CNN (npm mnist-react-tfjs@0.1.1, installed by scripts/setup.sh into
data/mnist-cnn) with numpy, rebuilds it in torch and checks that it scores 99.07 % (9907 of the
10 000 MNIST test images). For each sparsity it then zeroes the smallest-magnitude weights of
every kernel, per layer, exactly as cimsim's `prune.sparsity` with `prune.scope: layer` does
(floor(sparsity * n) weights, ties by position in Keras order; biases are kept), fine-tunes on
the 60 000 MNIST training images with the pruned weights held at zero, and writes a model folder
that cimsim's Keras loader reads (`workload.model`): models/mnist_cnn/prunedNN/model.json with
the original topology and one gzip-compressed float32 shard per layer. The fine-tuned float
top-1, the exact zero fraction of every kernel and the settings go to prunedNN/README.md and
prunedNN/finetune.json.

Deterministic: fixed seeds, torch.use_deterministic_algorithms(True), a fixed thread count and
gzip with no time stamp, so the same torch build writes byte-identical folders. Needs Debian's
python3-torch (CPU); the tests do not.
"""

import argparse
import gzip
import hashlib
import json
import math
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEIGHTED = ["conv2d_1", "conv2d_2", "dense_1", "dense_2"]
EXPECTED_DENSE_CORRECT = 9907  # docs/data.md: the float32 reference on the MNIST test set


def read_idx(path, magic):
    raw = path.read_bytes()
    if int.from_bytes(raw[0:4], "big") != magic:
        sys.exit(f"{path}: not an IDX file with magic {magic:#010x}")
    dims = int(raw[3])
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(folder, split):
    images = read_idx(folder / f"{split}-images-idx3-ubyte", 0x803)
    labels = read_idx(folder / f"{split}-labels-idx1-ubyte", 0x801)
    # pixel / 255, N x 28 x 28 x 1: the input the Keras model was trained on.
    return (torch.from_numpy(images.astype(np.float32) / np.float32(255.0)).unsqueeze(-1),
            torch.from_numpy(labels.astype(np.int64)))


def load_keras(folder):
    """model.json and the tensors of its manifest, in Keras layouts, as float32 arrays."""
    model = json.loads((folder / "model.json").read_text())
    tensors = {}
    for group in model["weightsManifest"]:
        raw = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            if entry["dtype"] != "float32":
                sys.exit(f"{folder}: {entry['name']} is {entry['dtype']}, expected float32")
            count = math.prod(entry["shape"])
            tensors[entry["name"]] = np.frombuffer(raw, dtype="<f4", count=count,
                                                   offset=offset).reshape(entry["shape"]).copy()
            offset += 4 * count
        if offset != len(raw):
            sys.exit(f"{folder}: group {group['paths']} holds {len(raw)} bytes, expected {offset}")
    return model, tensors


class KerasCnn(torch.nn.Module):
    """conv 32 3x3 relu, conv 64 3x3 relu, maxpool 2, dropout .25, flatten (HWC), dense 128
    relu, dropout .5, dense 10. Parameters are kept in Keras layouts ([kh, kw, cin, cout],
    [in, out]) so that masks and export need no transposes."""

    def __init__(self, tensors):
        super().__init__()
        self.weights = torch.nn.ParameterDict({
            name.replace("/", "__"): torch.nn.Parameter(torch.from_numpy(value.copy()))
            for name, value in tensors.items()})

    def kernel(self, layer):
        return self.weights[f"{layer}__kernel"]

    def bias(self, layer):
        return self.weights[f"{layer}__bias"]

    def forward(self, images):  # images: N x 28 x 28 x 1
        x = images.permute(0, 3, 1, 2)
        x = F.relu(F.conv2d(x, self.kernel("conv2d_1").permute(3, 2, 0, 1), self.bias("conv2d_1")))
        x = F.relu(F.conv2d(x, self.kernel("conv2d_2").permute(3, 2, 0, 1), self.bias("conv2d_2")))
        x = F.dropout(F.max_pool2d(x, 2), 0.25, self.training)
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras flattens in H, W, C order
        x = F.dropout(F.relu(x @ self.kernel("dense_1") + self.bias("dense_1")), 0.5, self.training)
        return x @ self.kernel("dense_2") + self.bias("dense_2")  # logits; softmax in the loss


def correct_count(net, images, labels, batch=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, len(labels), batch):
            logits = net(images[first:first + batch])
            correct += int((logits.argmax(1) == labels[first:first + batch]).sum())
    return correct


def magnitude_mask(kernel, sparsity):
    """Zero the floor(sparsity * n) smallest magnitudes, ties by position in C order: the rule of
    cimsim's prune_by_magnitude (sim/mapping/prune.cpp) with scope layer."""
    flat = np.abs(kernel.ravel())
    target = math.floor(sparsity * flat.size)
    mask = np.ones(flat.size, dtype=np.float32)
    mask[np.argsort(flat, kind="stable")[:target]] = 0.0
    return mask.reshape(kernel.shape)


def fine_tune(net, masks, images, labels, args, log):
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    # The learning rate falls linearly from --lr to 0 over all steps: large early steps let the
    # surviving weights take over from the pruned ones, small late ones settle them.
    total_steps = args.epochs * math.ceil(len(labels) / args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer,
                                                 lambda step: 1.0 - step / total_steps)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(labels), generator=generator)
        started = time.monotonic()
        total_loss = 0.0
        for step, first in enumerate(range(0, len(labels), args.batch)):
            index = order[first:first + args.batch]
            optimizer.zero_grad()
            loss = F.cross_entropy(net(images[index]), labels[index])
            loss.backward()
            for layer, mask in masks.items():
                net.kernel(layer).grad.mul_(mask)  # pruned weights get no gradient ...
            optimizer.step()
            schedule.step()
            with torch.no_grad():
                for layer, mask in masks.items():
                    net.kernel(layer).mul_(mask)  # ... and stay exactly zero
            total_loss += float(loss)
        log(f"  epoch {epoch + 1}/{args.epochs}: mean training loss "
            f"{total_loss / (step + 1):.4f}, {time.monotonic() - started:.0f} s")


def export(net, topology, folder, extra):
    """A TF.js Keras folder: the original topology, one gzip float32 shard per layer."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    shards = {}
    for number, layer in enumerate(WEIGHTED, start=1):
        name = f"group{number}-shard1of1.gz"
        kernel = net.kernel(layer).detach().numpy().astype("<f4")
        bias = net.bias(layer).detach().numpy().astype("<f4")
        raw = kernel.tobytes() + bias.tobytes()
        # mtime=0: no time stamp in the header, so the same weights give the same bytes.
        shards[name] = gzip.compress(raw, compresslevel=9, mtime=0)
        manifest.append({"paths": [name], "weights": [
            {"name": f"{layer}/kernel", "shape": list(kernel.shape), "dtype": "float32"},
            {"name": f"{layer}/bias", "shape": list(bias.shape), "dtype": "float32"}]})
    for name, data in shards.items():
        (folder / name).write_bytes(data)
    model = {"modelTopology": topology, "weightsManifest": manifest}
    (folder / "model.json").write_text(json.dumps(model, indent=1) + "\n")
    extra["files"] = {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                      for name, data in shards.items()}
    (folder / "finetune.json").write_text(json.dumps(extra, indent=1) + "\n")


def write_readme(folder, info):
    layers = "\n".join(
        f"| {name} | {' x '.join(map(str, layer['shape']))} | {layer['zeros']} of {layer['size']} |"
        f" {100 * layer['zero_fraction']:.4f} % |" for name, layer in info["layers"].items())
    files = "\n".join(f"| {name} | {f['bytes']} | `{f['sha256']}` |"
                      for name, f in info["files"].items())
    s = info["sparsity_pct"]
    (folder / "README.md").write_text(f"""# The MNIST CNN pruned to {s} % and fine-tuned

Written by `scripts/prune_finetune_cnn.py`; settings and hashes in `finetune.json`. Regenerate:

    {info['command']}

- Start: the pretrained CNN of npm mnist-react-tfjs@0.1.1 (float top-1 99.07 %).
- Pruning: every kernel magnitude-pruned per layer to {s} %, as cimsim's `prune.scope: layer`
  (floor(s * n) smallest magnitudes, ties by position); biases kept.
- Fine-tuning: {info['epochs']} epoch(s) over the 60 000 MNIST training images, Adam with a
  learning rate falling linearly from {info['lr']} to 0, batch {info['batch']}, seed
  {info['seed']}, the model's dropout, pruned weights held at zero.
- Float top-1 (torch float32) on the 10 000 MNIST test images: {100 * info['top1_pruned_only']:.2f} %
  pruned only, **{100 * info['top1']:.2f} %** fine-tuned ({info['correct']} correct;
  {info['correct_first_1000']} of the first 1000).

| kernel | shape (Keras layout) | zeros | zero fraction |
|---|---|---|---|
{layers}

Shards are raw little-endian float32 tensors (kernel, then bias, as the manifest lists them),
gzip-compressed; cimsim reads a shard whose name ends in `.gz` through zlib.

| file | bytes | sha256 |
|---|---|---|
{files}
""")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sparsities", default="50,70,90", help="percent, comma separated")
    parser.add_argument("--epochs", type=int, default=1, help="fine-tuning epochs per sparsity")
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="Adam's initial learning rate (falls linearly to 0)")
    parser.add_argument("--batch", type=int, default=128, help="training batch size [images]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (fixed, since float sums depend on it)")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT / "data")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models" / "mnist_cnn")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    def log(message):
        print(message, flush=True)

    topology, tensors = load_keras(args.data / "mnist-cnn")
    train_images, train_labels = load_mnist(args.data / "mnist", "train")
    test_images, test_labels = load_mnist(args.data / "mnist", "t10k")

    dense = KerasCnn(tensors)
    correct = correct_count(dense, test_images, test_labels)
    log(f"dense: {correct} / {len(test_labels)} = {100 * correct / len(test_labels):.2f} % top-1")
    if correct != EXPECTED_DENSE_CORRECT:
        sys.exit(f"the dense CNN scores {correct} correct, expected {EXPECTED_DENSE_CORRECT}: "
                 "the torch network does not match the Keras one")

    for percent in (int(p) for p in args.sparsities.split(",")):
        if not 0 < percent < 100:
            sys.exit(f"--sparsities: {percent} is not a percentage in 1..99")
        torch.manual_seed(args.seed)
        sparsity = percent / 100.0
        masks = {layer: torch.from_numpy(magnitude_mask(tensors[f"{layer}/kernel"], sparsity))
                 for layer in WEIGHTED}
        net = KerasCnn(tensors)
        with torch.no_grad():
            for layer, mask in masks.items():
                net.kernel(layer).mul_(mask)
        pruned_correct = correct_count(net, test_images, test_labels)
        log(f"{percent} %: pruned without fine-tuning {100 * pruned_correct / 1e4:.2f} %")
        fine_tune(net, masks, train_images, train_labels, args, log)
        correct = correct_count(net, test_images, test_labels)
        log(f"{percent} %: fine-tuned {correct} / {len(test_labels)} = "
            f"{100 * correct / len(test_labels):.2f} % top-1")
        layers = {}
        for layer in WEIGHTED:
            kernel = net.kernel(layer).detach().numpy()
            zeros = int((kernel == 0).sum())
            layers[layer] = {"shape": list(kernel.shape), "size": int(kernel.size),
                             "zeros": zeros, "zero_fraction": zeros / kernel.size}
        info = {
            "sparsity_pct": percent, "scope": "layer", "epochs": args.epochs, "lr": args.lr,
            "batch": args.batch, "seed": args.seed, "threads": args.threads,
            "torch": torch.__version__, "optimizer": "Adam",
            "command": (f"nice -n 10 scripts/prune_finetune_cnn.py --sparsities {percent} "
                        f"--epochs {args.epochs} --lr {args.lr} --batch {args.batch} "
                        f"--seed {args.seed} --threads {args.threads}"),
            "top1_pruned_only": pruned_correct / len(test_labels),
            "top1": correct / len(test_labels), "correct": correct,
            # What tests/models/finetuned_cnn_test.cpp checks cimsim's float path against.
            "correct_first_1000": correct_count(net, test_images[:1000], test_labels[:1000]),
            "layers": layers,
        }
        folder = args.out / f"pruned{percent}"
        export(net, topology["modelTopology"], folder, info)
        write_readme(folder, info)
        # The export is what cimsim reads: it must score exactly what the trained net did.
        _, written = load_keras_exported(folder)
        if correct_count(KerasCnn(written), test_images, test_labels) != correct:
            sys.exit(f"{folder}: the exported weights do not reproduce the trained network")
        log(f"{percent} %: wrote {folder}")


def load_keras_exported(folder):
    model = json.loads((folder / "model.json").read_text())
    tensors = {}
    for group in model["weightsManifest"]:
        raw = b"".join(gzip.decompress((folder / p).read_bytes()) for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            count = math.prod(entry["shape"])
            tensors[entry["name"]] = np.frombuffer(raw, dtype="<f4", count=count,
                                                   offset=offset).reshape(entry["shape"]).copy()
            offset += 4 * count
    return model, tensors


if __name__ == "__main__":
    main()
