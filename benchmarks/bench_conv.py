"""Time one forward+backward step of the issue's conv stack on a batch of 64 28×28 images:
conv 8@3×3, relu, maxpool 2, conv 16@3×3, relu, maxpool 2, dense 10, softmax cross-entropy.

    .venv/bin/python benchmarks/bench_conv.py [--repeat 30] [NET]

Prints the median and best step time computing every ∂E (as `grad` does) and only the
params' (as `train` does: no ∂E/∂input), and the time per op (forward and backward).
"""
import argparse
import statistics
import time
from pathlib import Path

from bpcli import nets

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "conv-mnist-shape.yaml"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("net", nargs="?", default=str(CONFIG))
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    net = nets.load(args.net)
    print(f"{net.name}: input {'×'.join(map(str, net.input.shape))}; forward+backward step, "
          f"over {args.repeat} runs:")
    for what, wanted in (("every ∂E (as grad)", None), ("params only (as train)", net.params)):
        graph = net.build().compile(wanted=wanted)  # built once, as train does
        vals = graph.initial_values()
        graph.backward(graph.forward(vals))  # warm-up
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            graph.backward(graph.forward(vals))
            times.append(time.perf_counter() - t0)
        print(f"  {what:24s} median {statistics.median(times) * 1e3:5.1f} ms, "
              f"best {min(times) * 1e3:5.1f} ms")
    print("per op, params only:")
    for name, (f, b) in per_op(graph, vals).items():
        print(f"  {name:10s} forward {f * 1e3:6.2f} ms   backward {b * 1e3:6.2f} ms")


def per_op(graph, vals) -> dict:
    """One more pass of a compiled graph, timed node by node: {node name: [forward seconds,
    backward seconds]}."""
    vals = list(vals)
    caches = [None] * len(vals)
    per = {}
    for i, fwd, ins in graph.forward_plan:
        t0 = time.perf_counter()
        vals[i], caches[i] = fwd(*[vals[j] for j in ins])
        per[graph.nodes[i].name or graph.nodes[i].op] = [time.perf_counter() - t0, 0.0]
    grads = [0.0] * len(vals)
    grads[graph.loss] = 1.0
    for i, bwd, ins in graph.backward_plan:
        t0 = time.perf_counter()
        for j, g in zip(ins, bwd(grads[i], caches[i])):
            grads[j] = grads[j] + g
        per[graph.nodes[i].name or graph.nodes[i].op][1] = time.perf_counter() - t0
    return per


if __name__ == "__main__":
    main()
