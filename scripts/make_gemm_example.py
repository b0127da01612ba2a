#!/usr/bin/python3
"""Writes the small matrix workloads under configs/experiments/data/ (run by hand; outputs are
committed). A 90 % unstructured-sparse 8-bit weight matrix with Laplacian-like magnitudes, as
pruned DNN layers have, and ReLU-like 8-bit inputs. Deterministic: seed 2024."""
import pathlib

import numpy as np

out = pathlib.Path(__file__).resolve().parent.parent / "configs" / "experiments" / "data"
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(2024)

k, n, t = 300, 40, 12
weights = np.clip(np.round(rng.laplace(0.0, 18.0, size=(k, n))), -127, 127).astype(np.int8)
weights[rng.random((k, n)) < 0.9] = 0
inputs = np.clip(np.round(rng.exponential(40.0, size=(t, k))), 0, 255).astype(np.uint8)
inputs[rng.random((t, k)) < 0.5] = 0
np.save(out / "sparse90_weights.npy", weights)
np.save(out / "sparse90_inputs.npy", inputs)
np.save(out / "sparse90_expected.npy", inputs.astype(np.int64) @ weights.astype(np.int64))
print(f"wrote {out}: weights {weights.shape}, inputs {inputs.shape}")
