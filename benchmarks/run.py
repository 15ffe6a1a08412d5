"""bpcli's performance, side by side with PyTorch: every row of issue 12's table in one run.

    python benchmarks/run.py                      # every row, as a table
    python benchmarks/run.py --quick --rows mlp   # a smoke test: fewer steps and runs
    python benchmarks/run.py --markdown           # the table as Markdown, naming the machine
    python benchmarks/run.py --readme             # ... and into README's Performance section

Each row first runs both sides once untimed and checks that they computed the same numbers
(a benchmark that compares different computations is worthless), then times them in turns
(bpcli, PyTorch, bpcli, PyTorch, …) and reports the median and the best of each; the ratio is
bpcli's best over PyTorch's best, and the goal is judged on it.

PyTorch is optional, never a dependency of bpcli: install its CPU build with
`pip install torch==2.13.0` (the version the goals were set against).  Without it the rows
time bpcli alone.  The digits row needs scikit-learn for its data: `pip install '.[bench]'`
(without it that row is skipped, saying why).  Both run in float64 (PyTorch's default dtype
is set to it), with their default threads: run it on a quiet machine, since with every core
busy PyTorch's threads wait on each other and its small ops slow down tenfold
(`--torch-threads 1` shows how much; the table's header gives the load before the run).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers beside this script

import bench_rows  # noqa: E402
from bench_util import ROOT, Row, load_torch, machine  # noqa: E402

README = ROOT / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
ROWS = ["mazur", "mlp", "conv", "digits", "startup", "chain"]


def measure(keys: list[str], quick: bool, torch) -> list[Row]:
    """The rows asked for, in the table's order; --quick takes fewer steps and runs."""
    q = quick
    plan = {
        "mazur": lambda: [bench_rows.mazur(5000 if q else 20000, 2 if q else 5, torch)],
        "mlp": lambda: [bench_rows.mlp(200 if q else 2000, 2 if q else 7, torch)],
        "conv": lambda: [bench_rows.conv(5 if q else 30, torch)],
        "digits": lambda: [bench_rows.digits(1 if q else 10, repeat=1 if q else 5, torch=torch)],
        "startup": lambda: [bench_rows.startup(3 if q else 9)],
        "chain": lambda: [bench_rows.chain(10_000, 0.2, 1 if q else 5),
                          bench_rows.chain(100_000, 2.0, 1 if q else 3)],
    }
    rows = []
    for key in ROWS:
        if key in keys:
            print(f"… {key}", file=sys.stderr, flush=True)
            try:
                rows.extend(plan[key]())
            except Exception as e:  # a row that fails says so in the table; the others run
                print(f"{key} failed: {e}", file=sys.stderr)
                said = " ".join(str(e).split())[:300]
                rows.append(Row(key, key, "s", 0.0, skipped=f"failed: {said}"))
    return rows


UNITS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0}


def _time(t, unit: str) -> str:
    if t is None:
        return "—"
    v = t / UNITS[unit]
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def _ms(t) -> str:
    return "—" if t is None else f"{t * 1e3:.3f}"


def _times(times, unit: str) -> str:
    if times is None:
        return "—"
    return f"{_time(times.median, unit)} / {_time(times.best, unit)} {unit}"


def cells(row: Row) -> list[str]:
    """The row's cells: workload, bpcli, reference, ratio (best, median), goal, met, check."""
    if row.skipped:
        what = "failed" if row.skipped.startswith("failed") else "skipped"
        return [row.workload, what, "—", "—", _goal(row) if row.goal else "—", "—", row.skipped]
    ratio = "—" if row.ratio is None else f"{row.ratio:.3g} ({row.median_ratio:.3g})"
    met = {True: "✓", False: "✗", None: "—"}[row.met]
    if row.same is False:
        met = "✗ (not the same numbers)"
    reference = _times(row.theirs, row.unit)
    if row.theirs is not None and row.reference != "PyTorch":
        reference = f"{row.reference}: {reference}"
    return [row.workload, _times(row.ours, row.unit), reference, ratio, _goal(row), met,
            row.check or "—"]


def _goal(row: Row) -> str:
    return f"≤ {row.goal:g} s" if row.absolute else f"≤ {row.goal:.2f}"


HEADER = ["workload", "bpcli median / best", "PyTorch median / best", "ratio best (median)",
          "goal", "met", "same numbers"]


def _runs(row: Row) -> str:
    ours = len(row.ours.runs)
    theirs = len(row.theirs.runs) if row.theirs is not None else ours
    return f"{row.key} {ours}" + (f" (PyTorch {theirs})" if theirs != ours else "")


def markdown(rows: list[Row], where: str) -> str:
    """The table as README shows it, headed by the machine, with the conv row's per-op times."""
    runs = ", ".join(_runs(r) for r in rows if r.ours is not None)
    lines = [f"Measured on {where}. Times are median / best of alternating runs "
             f"(runs a side: {runs}); the ratio is bpcli's best over PyTorch's best (the "
             f"medians' ratio in brackets), and the goal is judged on it.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells(r)) + " |" for r in rows]
    for r in rows:
        if r.details:
            lines += ["", "The conv step op by op (medians, ms; PyTorch's loss is its fused "
                      "softmax and cross-entropy):", "",
                      "| op | bpcli forward | bpcli backward | PyTorch forward | PyTorch backward |",
                      "|---|---|---|---|---|"]
            lines += ["| " + " | ".join([name] + [_ms(t) for t in ts]) + " |"
                      for name, *ts in r.details]
    return "\n".join(lines) + "\n"


def text(rows: list[Row], where: str) -> str:
    """The table for a terminal: a row by its --rows name, its workload and check below."""
    table = [["row"] + HEADER[1:-1]] + [[r.key] + cells(r)[1:-1] for r in rows]
    widths = [max(len(line[k]) for line in table) for k in range(len(table[0]))]
    out = [where, ""]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in table]
    out.append("")
    out += [f"{r.key}: {r.workload}; same numbers: {cells(r)[-1]}" for r in rows]
    for r in rows:
        if r.details:
            out += ["", f"{r.key}, per op (medians, ms): bpcli forward, backward; "
                        "PyTorch forward, backward"]
            out += [f"  {name:14s}" + "".join(f"{_ms(t):>9s}" for t in ts)
                    for name, *ts in r.details]
    return "\n".join(out) + "\n"


def write_readme(table: str) -> None:
    """Put ``table`` between README's benchmark markers, replacing what was there."""
    readme = README.read_text()
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} … {END} section to write into")
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{table}{END}{after}")


def parse_rows(given: list[str] | None) -> list[str]:
    keys = [k for g in (given or [",".join(ROWS)]) for k in re.split(r"[,\s]+", g) if k]
    unknown = [k for k in keys if k not in ROWS]
    if unknown:
        raise SystemExit(f"unknown row {unknown[0]!r}: the rows are {', '.join(ROWS)}")
    return keys


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", action="append", metavar="ROW[,ROW…]",
                    help=f"the rows to run (default: all): {', '.join(ROWS)}")
    ap.add_argument("--quick", action="store_true", help="fewer steps and runs: a smoke test")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--readme", action="store_true",
                    help="also write the Markdown table into README's Performance section")
    ap.add_argument("--torch-threads", type=int, metavar="N",
                    help="PyTorch's intra-op threads (default: PyTorch's own default); on a "
                         "machine others load, its default threads can wait on each other")
    args = ap.parse_args(argv)
    torch = load_torch()
    if torch is not None and args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    where = machine(torch)
    rows = measure(parse_rows(args.rows), args.quick, torch)
    failed = [r.key for r in rows if r.skipped.startswith("failed")]
    if args.markdown or args.readme:
        table = markdown(rows, where)
        sys.stdout.write(table)
        if args.readme and not failed:
            write_readme(table)
    else:
        sys.stdout.write(text(rows, where))
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}" + (" (README left as it was)"
                                                           if args.readme else ""))


if __name__ == "__main__":
    main()
