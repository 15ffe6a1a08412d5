"""Time gradient-descent training: the compute of `bpcli train`, without interpreter
start-up and imports.

    .venv/bin/python benchmarks/bench_train.py [--steps 10000] [--repeat 5] [NET]
    .venv/bin/python benchmarks/bench_train.py configs/bars.yaml --epochs 30 --batch-size 30

The first times 10 000 steps of the seed net; the second the image task of README
(300 steps of 30 images). Prints the best and median of --repeat runs, the time per
step, the final E and, for a classification set, the training accuracy reached.
"""
import argparse
import statistics
import time

from bpcli import nets
from bpcli.analysis.train import train


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("net", nargs="?", help="network file (default: the seed net)")
    ap.add_argument("--eta", type=float, default=0.5)
    ap.add_argument("--steps", type=int, default=None, help="default 10000 unless --epochs")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.steps is None and args.epochs is None:
        args.steps = 10000
    net = nets.load(args.net) if args.net else nets.load_default()
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = train(net, eta=args.eta, steps=args.steps, epochs=args.epochs,
                       batch_size=args.batch_size)  # builds the graph once, then runs it
        times.append(time.perf_counter() - t0)
    best, median = min(times), statistics.median(times)
    reached = ""
    if result.accuracy is not None:
        reached = f", accuracy {result.accuracy[0]:.0%} -> {result.accuracy[1]:.0%}"
    print(f"{net.name or net.path}: {result.steps} steps, best {best:.3f} s, median {median:.3f} s "
          f"({best / result.steps * 1e6:.1f} µs/step); final E = {result.final_loss:.6g}{reached}")


if __name__ == "__main__":
    main()
