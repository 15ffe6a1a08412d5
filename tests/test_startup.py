"""Start-up: a command imports what it uses and nothing more (issue 12).  `bpcli forward`
needs neither training, the explanations, the other commands nor the picture, page and
document renderers, and its JSON needs no Rich.  Checked by the modules a run leaves in
sys.modules, in a fresh interpreter; how long start-up takes is measured in benchmarks/,
not here."""
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT

# modules `forward` must not import (a prefix covers a package's modules)
NOT_FOR_FORWARD = [
    *(f"bpcli.analysis.{m}" for m in (
        "check", "dp", "elements", "explain", "export", "grads", "marking", "paths", "picture",
        "quiz", "report_page", "save", "sign", "slips", "softmax", "step", "train", "units",
        "work", "worlds")),
    *(f"bpcli.render.{m}" for m in (
        "documents", "graph", "html", "latex", "markdown", "plot", "pytorch", "quiz", "checks",
        "marking", "training")),
    *(f"bpcli.{m}" for m in (
        "outputs", "pictures", "practice", "terminal", "train_options", "training")),
    "rich.progress", "rich.markdown", "rich.syntax", "importlib.metadata", "matplotlib",
    # a layer net's modules, the whole-tensor rules, and what only a data file, a saved
    # file or a misspelt name needs (the standard library's zipfile imports pathlib, urllib
    # and ipaddress; tempfile imports shutil, random, bz2 and lzma)
    "bpcli.nets.layers", "bpcli.nets.layer_file", "bpcli.nets.layer_settings",
    "bpcli.analysis.tensor_rules", "zipfile", "csv", "tempfile", "shutil", "difflib", "pathlib",
    "urllib", "ipaddress", "bz2", "lzma",
]


def imported(*args: str, code: str | None = None) -> set[str]:
    """The modules in sys.modules after ``bpcli ARGS`` (or ``code``) ran in a fresh Python."""
    code = code or ("import contextlib, io, sys\nfrom bpcli.cli import main\n"
                    "with contextlib.redirect_stdout(io.StringIO()):\n"
                    f"    main({list(args)!r}, standalone_mode=False)\n")
    code += "\nprint('\\n'.join(sorted(__import__('sys').modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return set(run.stdout.split())


def among(modules: set[str], prefixes: list[str]) -> list[str]:
    return sorted(m for m in modules for p in prefixes if m == p or m.startswith(p + "."))


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_forward_imports_neither_training_nor_explanations_nor_other_commands(fmt):
    modules = imported("forward", "--format", fmt)
    assert "bpcli.analysis.reports" in modules  # it did run
    assert not among(modules - imported(code="pass"), NOT_FOR_FORWARD)  # (the interpreter's
    # own start-up may import some, e.g. pathlib for an editable install: not forward's doing)


def test_json_needs_no_rich():
    modules = imported("forward", "--format", "json")
    assert "bpcli.render.json" in modules
    assert not among(modules, ["rich", "bpcli.render.table", "bpcli.render.rich_parts"])


def test_a_table_takes_of_rich_what_a_table_needs():
    modules = imported("forward")
    assert {"rich.console", "rich.table"} <= modules
    assert not among(modules, ["bpcli.render.json"])


def test_grad_imports_the_explanations_and_no_training():
    modules = imported("grad", "--wrt", "w1")
    assert {"bpcli.analysis.explain", "bpcli.analysis.paths"} <= modules
    assert not among(modules, ["bpcli.analysis.train", "bpcli.training", "rich.progress"])


def test_import_bpcli_imports_little():
    modules = imported(code="import bpcli")
    assert not among(modules, ["bpcli.api", "bpcli.analysis", "bpcli.nets", "numpy", "rich",
                               "click"])


def test_the_help_and_the_library_still_find_everything():
    """Lazy is not missing: the help lists every command, and `import bpcli` gives its API."""
    import bpcli
    from bpcli.cli import COMMANDS, main

    assert set(COMMANDS) < set(main.commands)
    assert all(getattr(bpcli, name) is not None for name in bpcli.__all__)
    assert bpcli.grad is bpcli.api.grad and bpcli.TrainResult is bpcli.analysis.train.TrainResult


def test_renderers_register_report_types_of_bpcli_analysis():
    """A type a renderer names without importing it (lazydispatch) is a type of the
    analysis: a misspelt name would be a table never found."""
    from bpcli import analysis
    from bpcli.render import documents, json, table

    for dispatcher in (table.renderable, table.explanation, json.document,
                       json.chain_entries, documents.document, documents.explanation):
        for name in dispatcher.pending:
            assert isinstance(getattr(analysis, name), type), name


def test_the_version_is_pyprojects():
    from bpcli import __version__

    project = (ROOT / "pyproject.toml").read_text().split("[project]")[1].split("\n[")[0]
    assert f'\nversion = "{__version__}"\n' in project
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_a_layer_net_and_a_data_file_still_find_their_modules(tmp_path):
    """What forward leaves out is imported when it is needed: a layer net's modules, the
    pools' winners, a CSV's reader."""
    modules = imported("forward", str(ROOT / "configs" / "conv-pool.yaml"), "--format", "json")
    assert {"bpcli.nets.layers", "bpcli.analysis.tensor_rules"} <= modules
    (tmp_path / "d.csv").write_text("x,y\n1,0\n2,1\n")
    net = tmp_path / "n.yaml"
    net.write_text("inputs: {x: 0}\nparams: {w: 1}\ntargets: {y: 0}\nloss: (w * x - y)^2\n"
                   "data: {file: d.csv}\n")
    modules = imported("forward", str(net), "--format", "json")
    assert "csv" in modules and "zipfile" not in modules


@settings(max_examples=400, deadline=None)
@given(st.text("aeilnrsyLAYERS_1 ", max_size=9),
       st.lists(st.text("aeilnrsyLAYERS_1 ", max_size=9), min_size=1, max_size=4),
       st.sampled_from([0.0, 0.5, 0.6, 0.8, 1.0]))
def test_closest_rules_out_by_letters_what_difflib_would(word, choices, cutoff):
    """closest() imports difflib only when its quick test leaves a choice in (loading a
    net asks of each section whether it is 'layers' misspelt): the same answer as before."""
    import difflib

    from bpcli.text import closest

    same_case = [c for c in choices if c.lower() == word.lower()]
    before = same_case[0] if same_case else next(
        iter(difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)), None)
    assert closest(word, choices, cutoff) == before


def test_loading_the_usual_sections_needs_no_difflib():
    assert "difflib" not in imported(code="import bpcli\nbpcli.default()") - imported(code="pass")
