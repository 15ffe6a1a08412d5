"""`bpcli export`: the network, its data and its training run as a script for a framework."""
from __future__ import annotations

import click

from . import analysis
from .options import UserError, check_output, load_net, train_settings
from .render.pytorch import script


@click.command()
@click.argument("net", required=False, metavar="[NET]")
@click.option("--to", "target", type=click.Choice(["pytorch"]), default="pytorch",
              show_default=True, help="The framework the script is for.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              metavar="FILE.py", help="The script to write.")
@click.option("--force", is_flag=True, help="Replace FILE.py if it exists.")
@train_settings
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
