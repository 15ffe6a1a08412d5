"""The nets benchmarks/run.py times that are not in configs/, written as bpcli files.

    python benchmarks/workloads.py > benchmarks/moons-mlp.yaml    # how that file was made

- micrograd's demo net: a 2-16-16-1 ReLU MLP on 100 make_moons-like points (numpy, seeded:
  scikit-learn is not needed), mean squared error against labels ±1, full batch;
- sklearn's 8×8 digits: conv 8@3×3 padding 1 → relu → maxpool 2 → dense 10, softmax
  cross-entropy fused from the logits (no softmax layer), read from an .npz written beside it.

ReLU's derivative at 0 is taken as PyTorch takes it (`grad_at_zero: 0`): a blank patch of a
digit gives a conv output of exactly 0 while the biases are 0, and the two sides must compute
the same numbers.
"""
import sys

import numpy as np

MOONS = {"samples": 100, "noise": 0.1, "seed": 0}
MLP_ETA = 0.1


def moons(samples: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, as sklearn's make_moons draws them: points (samples × 2),
    rounded to 6 decimals, and labels −1 (upper moon) / +1 (lower moon)."""
    rng = np.random.default_rng(seed)
    n_out = samples // 2
    n_in = samples - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)])
    x = np.round(x + rng.normal(0.0, noise, x.shape), 6)
    y = np.concatenate([-np.ones(n_out), np.ones(n_in)])
    order = rng.permutation(samples)
    return x[order], y[order]


def moons_yaml() -> str:
    """benchmarks/moons-mlp.yaml: the MLP and its data, inline."""
    x, y = moons(**MOONS)
    lines = ["# micrograd's demo net, a 2-16-16-1 ReLU MLP, on 100 make_moons-like points",
             "# (noise 0.1): the second row of benchmarks/run.py.  Written by",
             "# `python benchmarks/workloads.py > benchmarks/moons-mlp.yaml`.",
             "name: 2-16-16-1 ReLU MLP on 100 moons points",
             "seed: 0",
             "layers:",
             "  - {type: dense, name: fc1, units: 16}",
             "  - {type: relu, grad_at_zero: 0}",
             "  - {type: dense, name: fc2, units: 16}",
             "  - {type: relu, grad_at_zero: 0}",
             "  - {type: dense, name: fc3, units: 1}",
             "loss: {type: mse}",
             f"train: {{eta: {MLP_ETA}, steps: 100}}",
             "data:",
             "  input:"]
    lines += [f"    - [{a:.6f}, {b:.6f}]" for a, b in x]
    lines.append("  target: [" + ", ".join(f"[{int(t)}]" for t in y) + "]")
    return "\n".join(lines) + "\n"


def digits_yaml(data_file: str = "digits.npz") -> str:
    """The digits net; its data, arrays `input` (N×1×8×8, pixels / 16) and `target` (class
    indices), in ``data_file`` beside it."""
    return "\n".join([
        "name: sklearn digits, conv 8@3×3 pad 1 → relu → maxpool 2 → dense 10",
        "seed: 0",
        f"data: {{file: {data_file}}}",
        "layers:",
        "  - {type: conv2d, name: conv1, filters: 8, kernel: 3, padding: 1}",
        "  - {type: relu, grad_at_zero: 0}",
        "  - {type: maxpool, size: 2}",
        "  - {type: flatten}",
        "  - {type: dense, name: fc1, units: 10}",
        "loss: {type: cross_entropy}",
    ]) + "\n"


if __name__ == "__main__":
    sys.stdout.write(moons_yaml())
