"""Time gradient-descent training of the seed net: the compute of `bpcli train --steps N`,
without interpreter start-up and imports.

    .venv/bin/python benchmarks/bench_train.py [--steps 10000] [--repeat 5] [NET]

Prints the best and median of --repeat runs, and the time per step.
"""
import argparse
import statistics
import time

from bpcli import netfile
from bpcli.train import train


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("net", nargs="?", help="network file (default: the seed net)")
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    net = netfile.load(args.net) if args.net else netfile.load_default()
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = train(net, eta=0.5, steps=args.steps)  # builds the graph once, then runs it
        times.append(time.perf_counter() - t0)
    best, median = min(times), statistics.median(times)
    print(f"{net.name or net.path}: {args.steps} steps, best {best:.3f} s, median {median:.3f} s "
          f"({best / args.steps * 1e6:.1f} µs/step); final E = {result.final_loss:.6g}")


if __name__ == "__main__":
    main()
