"""`bpcli graph` and `bpcli report`: a net's computation drawn, alone (SVG, Graphviz,
Mermaid, PNG) or in a self-contained HTML page with its tables and chain rules."""
from __future__ import annotations

import importlib.util
import os

import click

from . import analysis, api, nets
from .options import Command, UserError, check_output, load_net, precision_option
from .render.graph import FORMATS as GRAPH_FORMATS
from .render.graph import PICTURES as GRAPH_PICTURES
from .render.html import page as html_page
from .stdout import warn


@click.command(cls=Command)
@click.argument("net", required=False, metavar="[NET]")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              metavar="FILE", help="Where to draw it; the format from the suffix: .svg, .dot "
                                   "(Graphviz), .mmd (Mermaid) or .png (the plot extra).")
@click.option("--wrt", default=None, metavar="NAME",
              help="Highlight every path from E down to NAME (nets written as equations).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def graph(net: str | None, out: str, wrt: str | None, force: bool) -> None:
    """Draw NET's computation: a box per name with its expression, value and ∂E, an edge
    per use labelled with its local factor (a layer net: a box per layer).

    NET is a network file (default: the embedded seed net). No system program is needed:
    bpcli lays the SVG out itself.

    \b
    Example:
      bpcli graph -o seed.svg --wrt w1
      bpcli graph configs/conv-pool.yaml -o stack.mmd
    """
    suffix = os.path.splitext(out)[1].lower()
    if suffix not in GRAPH_FORMATS and suffix not in GRAPH_PICTURES:
        raise UserError(f"-o {out}: name a file ending in " + ", ".join(
            [*GRAPH_FORMATS, *GRAPH_PICTURES]) + " (the format comes from the suffix)")
    if suffix in GRAPH_PICTURES and importlib.util.find_spec("matplotlib") is None:
        raise UserError(f"-o {out}: a .png needs matplotlib, which is not installed: pip "
                        "install 'bpcli[plot]' (or draw .svg, which needs nothing)")
    check_output(out, force)
    p = api.picture(load_net(net), wrt)
    for w in p.warnings:
        warn(w)
    if suffix in GRAPH_PICTURES:
        GRAPH_PICTURES[suffix](out, p)
    else:
        analysis.write_text(out, GRAPH_FORMATS[suffix](p))
    click.echo(f"wrote {out}" + (f" ({p.note})" if p.note else ""))


@click.command(cls=Command)
@click.argument("net", required=False, metavar="[NET]")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              metavar="FILE.html", help="The page to write.")
@click.option("--force", is_flag=True, help="Replace FILE.html if it exists.")
@precision_option
def report(net: str | None, out: str, force: bool, precision: int) -> None:
    """Write one self-contained HTML page about NET, to mail or publish: the network file,
    the computation as a picture (hover a box for its numbers), the forward and gradient
    tables, and each param's chain rule, collapsed. No network access is needed to view it.

    NET is a network file (default: the embedded seed net).

    \b
    Example:
      bpcli report configs/mazur-2-2-2.yaml -o mazur.html
    """
    if not out.lower().endswith((".html", ".htm")):
        raise UserError(f"-o {out}: name a file ending in .html")
    check_output(out, force)
    network = load_net(net)
    source = (nets.default_text() if net is None else network.to_yaml() if net == "-"
              else open(net, encoding="utf-8").read())
    where = "the default net" if net is None else net
    r = analysis.report_page.report_page(network, source, where)
    for w in r.warnings:
        warn(w)
    analysis.write_text(out, html_page(r.title, r.source, r.picture, r.forward, r.grad,
                                       r.chains, precision, r.history, r.every))
    click.echo(f"wrote {out}")
