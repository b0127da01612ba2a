#!/usr/bin/python3
"""Trains the ViT-style encoder that cimsim's `vit` workload runs, on Fashion-MNIST, and exports
it dense and magnitude-pruned to 50 / 80 / 90 % unstructured sparsity (fine-tuned with fixed
masks) under models/vit_fashion/sparse{0,50,80,90}/.

Architecture (BERT's operator set on images; 104 970 parameters): the 28 x 28 image, normalised
with the training set's pixel mean and standard deviation, is cut into 16 patches of 7 x 7 (row-
major patches, row-major pixels within a patch); a linear patch embedding (49 -> 64) plus learned
positions gives 16 tokens; two pre-LayerNorm encoder blocks, each x += O(MHSA(LN1(x))) with 4
heads of 16 and x += FFN2(GELU(FFN1(LN2(x)))) with 256 hidden units; a final LayerNorm, the mean
over the 16 tokens, and a linear classifier head (64 -> 10). LayerNorm eps 1e-5, exact (erf) GELU.

Pruning is per weight matrix (patch embedding, Q, K, V, O, FFN1, FFN2 of each block and the
head; biases, positions and LayerNorm parameters stay dense), iterative: 50 % from the dense
model, 80 % from the 50 % one, 90 % from the 80 % one, each followed by fine-tuning in which the
pruned weights stay zero.

Each variant folder holds model.json (architecture, tensor files and shapes, float top-1 on the
full test set), one little-endian float32 .npy per tensor (matrices K x N: inputs x outputs, as
the crossbars hold them), and a small fixture for cimsim's tests: reference_images.npy (the first
8 test images as pixel / 255) and reference_logits.npy (this model's logits for them).

Deterministic: fixed seeds, deterministic algorithms and one CPU thread, so re-running gives the
same files. About 20 minutes on one core of the 2-core reference machine.

Usage: scripts/train_vit.py [--out models/vit_fashion] [--data /usr/share/datasets/fashion-mnist]
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
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = 2024
IMAGE = 28
PATCH = 7
DIM = 64
HEADS = 4
BLOCKS = 2
FFN = 256
CLASSES = 10
LN_EPS = 1e-5
BATCH = 128
DENSE_EPOCHS = 3
FINE_TUNE_EPOCHS = 1
DENSE_LR = 2e-3       # AdamW peak learning rate, cosine decay to 0 over the run
FINE_TUNE_LR = 5e-4
WEIGHT_DECAY = 0.05
SPARSITIES = (50, 80, 90)
FIXTURE_IMAGES = 8


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
    return torch.from_numpy(images), torch.from_numpy(labels)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(DIM, eps=LN_EPS)
        self.q = nn.Linear(DIM, DIM)
        self.k = nn.Linear(DIM, DIM)
        self.v = nn.Linear(DIM, DIM)
        self.o = nn.Linear(DIM, DIM)
        self.ln2 = nn.LayerNorm(DIM, eps=LN_EPS)
        self.ffn1 = nn.Linear(DIM, FFN)
        self.ffn2 = nn.Linear(FFN, DIM)
        self.gelu = nn.GELU()

    def forward(self, x):
        b, t, _ = x.shape
        h = self.ln1(x)
        split = lambda y: y.view(b, t, HEADS, DIM // HEADS).transpose(1, 2)  # b, heads, t, dh
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = q @ k.transpose(-1, -2) / math.sqrt(DIM // HEADS)
        attended = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, DIM)
        x = x + self.o(attended)
        return x + self.ffn2(self.gelu(self.ffn1(self.ln2(x))))


class VisionTransformer(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean, self.std = mean, std
        tokens = (IMAGE // PATCH) ** 2
        self.patch_embed = nn.Linear(PATCH * PATCH, DIM)
        self.positions = nn.Parameter(torch.randn(tokens, DIM) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.final_ln = nn.LayerNorm(DIM, eps=LN_EPS)
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, images):  # images: b x 28 x 28, pixel / 255
        b = images.shape[0]
        x = (images - self.mean) / self.std
        grid = IMAGE // PATCH
        patches = x.view(b, grid, PATCH, grid, PATCH).permute(0, 1, 3, 2, 4)
        x = self.patch_embed(patches.reshape(b, grid * grid, PATCH * PATCH)) + self.positions
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_ln(x).mean(dim=1))

    def matrices(self):
        """The crossbar weight matrices by export name (torch layout: out x in)."""
        out = {"patch_embed": self.patch_embed.weight}
        for i, block in enumerate(self.blocks):
            for name in ("q", "k", "v", "o", "ffn1", "ffn2"):
                out[f"blocks.{i}.{name}"] = getattr(block, name).weight
        out["head"] = self.head.weight
        return out


def run_epochs(model, train, epochs, lr, generator, masks=None, label=""):
    images, labels = train
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    steps = epochs * math.ceil(len(images) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1.0 + math.cos(math.pi * step / steps)))
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        start = time.time()
        order = torch.randperm(len(images), generator=generator)
        model.train()
        total = 0.0
        for first in range(0, len(images), BATCH):
            index = order[first:first + BATCH]
            loss = loss_fn(model(images[index]), labels[index])
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
def evaluate(model, test):
    model.eval()
    images, labels = test
    correct = 0
    for first in range(0, len(images), 1000):
        logits = model(images[first:first + 1000])
        correct += (logits.argmax(dim=1) == labels[first:first + 1000]).sum().item()
    return correct / len(images)


@torch.no_grad()
def prune(model, percent):
    """Zeroes the smallest `percent` % of magnitudes of every weight matrix (ties by position,
    as cimsim's prune.sparsity does) and returns the masks that keep them zero."""
    masks = []
    for weight in model.matrices().values():
        flat = weight.abs().flatten()
        count = round(flat.numel() * percent / 100)
        order = np.argsort(flat.numpy(), kind="stable")
        mask = torch.ones(flat.numel())
        mask[torch.from_numpy(order[:count])] = 0.0
        mask = mask.view_as(weight)
        weight.mul_(mask)
        masks.append((weight, mask))
    return masks


def export(model, folder, sparsity, top1, test):
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {}

    def save(name, value):
        array = np.ascontiguousarray(value.detach().numpy().astype("<f4"))
        np.save(folder / f"{name}.npy", array)
        tensors[name] = {"file": f"{name}.npy", "shape": list(array.shape)}

    # Crossbar matrices as K x N (inputs x outputs): the transpose of torch's Linear weight.
    save("patch_embed.weight", model.patch_embed.weight.T)
    save("patch_embed.bias", model.patch_embed.bias)
    save("positions", model.positions)
    for i, block in enumerate(model.blocks):
        for name in ("ln1", "ln2"):
            save(f"blocks.{i}.{name}.weight", getattr(block, name).weight)
            save(f"blocks.{i}.{name}.bias", getattr(block, name).bias)
        for name in ("q", "k", "v", "o", "ffn1", "ffn2"):
            save(f"blocks.{i}.{name}.weight", getattr(block, name).weight.T)
            save(f"blocks.{i}.{name}.bias", getattr(block, name).bias)
    save("final_ln.weight", model.final_ln.weight)
    save("final_ln.bias", model.final_ln.bias)
    save("head.weight", model.head.weight.T)
    save("head.bias", model.head.bias)

    model.eval()
    with torch.no_grad():
        images = test[0][:FIXTURE_IMAGES]
        np.save(folder / "reference_images.npy", images.numpy().astype("<f4"))
        np.save(folder / "reference_logits.npy", model(images).numpy().astype("<f4"))
    zeros = sum(int((w == 0).sum()) for w in model.matrices().values())
    weights = sum(w.numel() for w in model.matrices().values())
    description = {
        "format": "cimsim-vit",
        "version": 1,
        "dataset": "fashion_mnist",
        "image": [IMAGE, IMAGE],
        "patch": PATCH,
        "dim": DIM,
        "heads": HEADS,
        "blocks": BLOCKS,
        "ffn": FFN,
        "classes": CLASSES,
        "layer_norm_eps": LN_EPS,
        "pooling": "mean",
        "input_mean": float(np.float32(model.mean)),
        "input_std": float(np.float32(model.std)),
        "sparsity_percent": sparsity,
        "matrix_zeros": zeros,
        "matrix_weights": weights,
        "parameters": sum(p.numel() for p in model.parameters()),
        "float_top1": top1,
        "trained_by": "scripts/train_vit.py",
        "tensors": tensors,
    }
    (folder / "model.json").write_text(json.dumps(description, indent=2) + "\n")
    print(f"wrote {folder}: float top-1 {100 * top1:.2f} %, {zeros} of {weights} matrix weights "
          f"zero", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models" / "vit_fashion")
    parser.add_argument("--data", type=pathlib.Path,
                        default=pathlib.Path("/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)

    train = load_split(args.data, "train")
    test = load_split(args.data, "t10k")
    mean = float(np.float32(train[0].mean()))
    std = float(np.float32(train[0].std()))
    model = VisionTransformer(torch.tensor(mean, dtype=torch.float32),
                              torch.tensor(std, dtype=torch.float32))
    print(f"{sum(p.numel() for p in model.parameters())} parameters; input mean {mean:.6f}, "
          f"std {std:.6f}", flush=True)

    run_epochs(model, train, DENSE_EPOCHS, DENSE_LR, generator, label="dense")
    results = {0: evaluate(model, test)}
    export(model, args.out / "sparse0", 0, results[0], test)
    for percent in SPARSITIES:
        masks = prune(model, percent)
        pruned_only = evaluate(model, test)
        run_epochs(model, train, FINE_TUNE_EPOCHS, FINE_TUNE_LR, generator, masks,
                   label=f"sparse{percent}")
        results[percent] = evaluate(model, test)
        print(f"sparse{percent}: {100 * pruned_only:.2f} % after pruning, "
              f"{100 * results[percent]:.2f} % after fine-tuning", flush=True)
        export(model, args.out / f"sparse{percent}", percent, results[percent], test)
    for percent, top1 in results.items():
        print(f"sparsity {percent:2d} %: float top-1 {100 * top1:.2f} % (torch, 10 000 test images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
