"""`bpcli export`: the network, its data and its training run as a script for a framework."""
from __future__ import annotations

import click

from . import analysis
from .options import UserError, check_output, finite_eta, load_net
from .render.pytorch import script


@click.command()
@click.argument("net", required=False, metavar="[NET]")
@click.option("--to", "target", type=click.Choice(["pytorch"]), default="pytorch",
              show_default=True, help="The framework the script is for.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              metavar="FILE.py", help="The script to write.")
@click.option("--force", is_flag=True, help="Replace FILE.py if it exists.")
@click.option("--eta", type=float, default=None, metavar="ETA", callback=finite_eta,
              help="η (default: the train: section's, else 0.5).")
@click.option("--steps", type=click.IntRange(min=0), default=None, metavar="N",
              help="Steps of gradient descent (default: the train: section's, else 100).")
@click.option("--epochs", type=click.IntRange(min=0), default=None, metavar="E",
              help="Or passes over the data set, in batches.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, metavar="B",
              help="Samples a step (default: the whole set).")
@click.option("--shuffle/--no-shuffle", default=None,
              help="Draw each epoch's order anew, as train does (default: shuffle).")
@click.option("--seed", type=click.IntRange(min=0), default=None, metavar="S",
              help="The seed of the shuffled order (default 0).")
@click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=None,
              metavar="MU", help="Momentum μ (default 0).")
def export(net, target, out, force, eta, steps, epochs, batch_size, shuffle, seed, momentum):
    """Write NET, its data and the run `bpcli train` would make of it as a runnable
    PyTorch script: the same network (equations as a forward of torch ops, layers as modules
    in PyTorch's layout), weights, loss, batches in the same shuffled order, momentum and
    steps. Run on its own it prints the same E at every step as `bpcli train`.

    NET is a network file (default: the embedded seed net). The training options default
    to the file's train: section, as for `bpcli train`.

    \b
    Example:
      bpcli export configs/xor.yaml --to pytorch -o xor.py && python xor.py
    """
    if not out.endswith(".py"):
        raise UserError(f"-o {out}: name a Python file ending in .py")
    if steps is not None and epochs is not None:
        raise UserError("give --steps or --epochs, not both")
    check_output(out, force)
    network = load_net(net, needs_params="export")
    x = analysis.export.export(network, eta=eta, steps=steps, epochs=epochs,
                               batch_size=batch_size, shuffle=shuffle, seed=seed,
                               momentum=momentum)
    analysis.write_text(out, script(x))
    click.echo(f"wrote {out}; run it with: python {out}")
