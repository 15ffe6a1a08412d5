"""The package's layout holds: imports run one way, load → build → run → explain → render,
no cycles, no bpcli import hidden in a function, no private name used across modules, and
no module or function that grew too long to read.

A module imported later rather than at once (bpcli.lazy: a package's LAZY table, the
commands' table) is named in a string, "bpcli.analysis.train": such a string counts here as
an import of that module, under the same rules."""
import ast
import importlib
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bpcli"

# The layers, lowest first: a module may import from its own layer and the ones below.
LAYERS = [
    ("bpcli.version", "bpcli.errors", "bpcli.text", "bpcli.budget", "bpcli.lazy"),  # words, errors, limits
    ("bpcli.symbolic",),  # expression trees and their printing
    ("bpcli.engine",),  # the graph and the ops with all their rules
    ("bpcli.io",),  # YAML with lines, data files, atomic writes
    ("bpcli.nets",),  # the Net protocol, equation and layer nets
    ("bpcli.analysis",),  # runs, reports, explanations, training, check, saving
    ("bpcli.render",),  # tables and documents of the reports
    ("bpcli.api", "bpcli"),  # the library as `import bpcli` gives it
    ("bpcli.cli", "bpcli.options", "bpcli.practice", "bpcli.outputs", "bpcli.terminal", "bpcli.train_options",
     "bpcli.__main__", "bpcli.stdout", "bpcli.training", "bpcli.pictures"),  # Click, the terminal
]
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 60
OPTIONAL = {"matplotlib"}  # may be imported inside a function: an optional extra
LATER = re.compile(r"bpcli(\.\w+)+")  # a string naming a module to import later


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _layer(module):
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return best[0]


def _imports(name, path):
    """(imported bpcli module, line, inside a function?, names taken from it) of a module,
    imports to come (a string naming a module) too."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    modules = {m for m, _ in _modules()}
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inside = {id(n) for f in functions for n in ast.walk(f)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("bpcli",) or alias.name in OPTIONAL:
                    yield alias.name, node.lineno, id(node) in inside, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("bpcli"):
                continue
            names = [a.name for a in node.names]
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
            for t in submodules or [target]:
                yield t, node.lineno, id(node) in inside, [n for n in names
                                                            if f"{target}.{n}" not in modules]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and LATER.fullmatch(node.value)):
            assert node.value in modules, f"{path.name}:{node.lineno}: no module {node.value}"
            yield node.value, node.lineno, id(node) in inside, []


def _upward(name, path):
    return [f"{path.name}:{line}: {name} (layer {_layer(name)}) imports {target} (layer "
            f"{_layer(target)})" for target, line, _, _ in _imports(name, path)
            if target not in OPTIONAL and _layer(target) > _layer(name)]


def test_imports_run_one_way():
    broken = [b for name, path in _modules() for b in _upward(name, path)]
    assert not broken, "\n".join(broken)


def test_an_import_to_come_is_held_to_the_same_rules(tmp_path):
    """A module named in a string (a LAZY table, a command's module) is an import: one to
    a higher layer is caught, and so is one hidden in a function."""
    path = tmp_path / "fake.py"
    path.write_text('LAZY = {"train": "bpcli.training"}\n\n\ndef f():\n'
                    '    return "bpcli.analysis.train"\n')
    assert [(t, inside) for t, _, inside, _ in _imports("bpcli.analysis.fake", path)] == [
        ("bpcli.training", False), ("bpcli.analysis.train", True)]
    assert len(_upward("bpcli.analysis.fake", path)) == 1


def test_modules_are_imported_later_only_through_bpcli_lazy():
    """importlib.import_module is called in bpcli.lazy alone, whose callers name the
    modules in strings this test reads."""
    dynamic = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
               for name, path in _modules() if name != "bpcli.lazy"
               for node in ast.walk(ast.parse(path.read_text()))
               if (isinstance(node, ast.Attribute) and node.attr == "import_module")
               or (isinstance(node, ast.Name) and node.id == "__import__")]
    assert not dynamic, "\n".join(dynamic)


def test_every_lazy_name_is_there():
    """Each name of a package's LAZY table, and of the commands', is found where it says."""
    from bpcli.cli import COMMANDS, main

    for name, path in _modules():
        if "LAZY =" in path.read_text():
            module = importlib.import_module(name)
            for key in module.LAZY:
                assert getattr(module, key) is not None, (name, key)
            assert set(module.__all__) <= set(dir(module)) | set(module.LAZY), name
    for command in COMMANDS:
        assert main.commands[command].name == command


def test_no_import_cycles():
    graph = {name: {t for t, _, _, _ in _imports(name, path) if t != name}
             for name, path in _modules()}
    done, trail = set(), []

    def visit(m):
        if m in trail:
            pytest.fail("import cycle: " + " → ".join(trail[trail.index(m):] + [m]))
        if m in done or m not in graph:
            return
        trail.append(m)
        for t in sorted(graph[m]):
            visit(t)
        trail.pop()
        done.add(m)

    for m in graph:
        visit(m)


def test_no_bpcli_import_inside_a_function():
    hidden = [f"{path.relative_to(PACKAGE.parent)}:{line}: {target}"
              for name, path in _modules()
              for target, line, inside, _ in _imports(name, path)
              if inside and target not in OPTIONAL]
    assert not hidden, "\n".join(hidden)


def test_no_private_name_across_modules():
    private = []
    for name, path in _modules():
        for target, line, _, names in _imports(name, path):
            private += [f"{path.relative_to(PACKAGE.parent)}:{line}: {n} from {target}"
                        for n in names if n.startswith("_") and n != "__version__"]
        for node in ast.walk(ast.parse(path.read_text())):  # module._private
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id not in ("self", "cls")):
                private.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: "
                               f"{node.value.id}.{node.attr}")
    assert not private, "\n".join(private)


def test_the_engine_does_not_know_the_expression_parser():
    for name, path in _modules():
        if _layer(name) <= _layer("bpcli.engine"):
            assert not any(t.startswith("bpcli.nets") for t, _, _, _ in _imports(name, path)), name


def test_modules_and_functions_stay_short():
    long = []
    for name, path in _modules():
        text = path.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES and "long because" not in (ast.get_docstring(node) or ""):
                    long.append(f"{name}.{node.name}: {n} lines")
    assert not long, "\n".join(long)


def test_renderers_read_reports_only():
    """Rendering formats a report: it calls neither the engine nor a net, and takes from the
    analysis only the types of its reports."""
    for name, path in _modules():
        if not name.startswith("bpcli.render"):
            continue
        for target, _, _, names in _imports(name, path):
            assert not target.startswith(("bpcli.engine", "bpcli.nets", "bpcli.symbolic")), name
            if target.startswith("bpcli.analysis"):
                module = importlib.import_module(target)
                called = [n for n in names if not isinstance(getattr(module, n), type)]
                assert not called, (name, called)
