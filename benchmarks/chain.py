"""Write an equation net that is one long chain: the loading and graph-building benchmark.

    python benchmarks/chain.py 10000 > chain.yaml
    bpcli forward chain.yaml --format json

Node k is ``n{k}: tanh(w * n{k-1} + b)`` (n0 is the input x), the loss ``(n{N} - y)^2``:
N named nodes, each three ops deep on the one before, two params shared by all.
"""
import sys


def chain_yaml(n: int) -> str:
    """The YAML text of a chain of ``n`` named nodes."""
    lines = [f"# a chain of {n} nodes (benchmarks/chain.py)",
             "inputs: {x: 0.5}", "params: {w: 0.9, b: 0.1}", "targets: {y: 0.2}", "nodes:",
             "  n1: tanh(w * x + b)"]
    lines += [f"  n{k}: tanh(w * n{k - 1} + b)" for k in range(2, n + 1)]
    lines.append(f"loss: (n{n} - y)^2")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(chain_yaml(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
