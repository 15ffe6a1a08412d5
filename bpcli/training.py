"""`bpcli train`: the options checked before any training, then the run, with its
progress bar, the signals that stop it, and its results saved, printed and drawn."""
from __future__ import annotations

import signal

import click

from . import analysis, api
from .options import Command, common, load_net, train_settings
from .stdout import console_out
from .terminal import STOPPING, ProgressBar, finish_training, signals_held
from .train_options import check_save, check_train_options, warn_settings


@click.command(cls=Command)
@common
@train_settings
@click.option("--every", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show E every K steps (default: about ten rows).")
@click.option("--save", "save", type=click.Path(dir_okay=False), default=None, metavar="OUT.yaml",
              help="Write the trained network to OUT.yaml (whole or not at all).")
@click.option("--force", is_flag=True,
              help="Let --save replace an existing file other than NET.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, metavar="LOSS.png",
              help="Draw the loss curve to a picture (needs the 'plot' extra: matplotlib).")
@click.pass_context
def train(ctx: click.Context, net: str | None, fmt: str, precision: int, eta: float,
          steps: int | None, epochs: int | None, batch_size: int | None, shuffle: bool,
          seed: int, momentum: float, every: int | None, save: str | None, force: bool,
          plot: str | None) -> None:
    """Train NET's params by gradient descent, w ← w − η·∂E/∂w.

    Shows E at the first step, every K-th and the last (E at step k is the loss of
    that step's forward pass on its batch, before its update), a loss curve, then
    each param's change. Ctrl-C (or SIGTERM, SIGHUP) stops after the current step, shows and
    saves what was reached, and exits with status 130 (143, 129). A train: section in NET
    (eta, steps or epochs, batch_size, momentum, seed, shuffle) gives the options'
    defaults for that net.

    \b
    Example:
      bpcli train configs/xor.yaml --save trained.yaml
    """
    network = load_net(net, needs_params="train")
    check_train_options(steps, epochs, save, plot)
    if save:
        check_save(save, net, force)
        analysis.check_savable(network, save)
    settings = analysis.resolve_settings(network, eta=eta, steps=steps, epochs=epochs,
                                         batch_size=batch_size, shuffle=shuffle, seed=seed,
                                         momentum=momentum)  # options, else the file's
    warn_settings(settings, eta, batch_size, network.samples)
    batch_size, steps, epochs = settings["batch_size"], settings["steps"], settings["epochs"]
    samples = network.samples
    total = analysis.plan_steps(samples.count, batch_size, steps, epochs)[1]
    console = console_out()
    interrupted = []
    # Ctrl-C (or SIGTERM, from `timeout` or a scheduler, or SIGHUP, a terminal closing) sets a
    # flag the loop reads after each step; another changes nothing, so the results are always
    # saved and printed before the exit with status 128 + the first signal's number: 130 for
    # Ctrl-C, 143 for SIGTERM, 129 for SIGHUP.
    previous = {sig: signal.signal(sig, lambda n, _: interrupted.append(n)) for sig in STOPPING}
    try:
        with ProgressBar(console, fmt, total) as progress:
            result = api.train(network, **settings, progress=progress,
                               stop=lambda: bool(interrupted))
        with signals_held():
            finish_training(result, fmt, precision, every, save, plot)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if result.interrupted:
        ctx.exit(128 + interrupted[0])
    if result.halted is not None:  # E not finite: what was kept is shown (and saved), but
        ctx.exit(1)  # the run did not go as asked
