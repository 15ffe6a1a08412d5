"""`bpcli report` as a file (the browser test is tests/browser): what the page holds, made from
the same reports as the tables, and the command's mistakes."""
import re

import pytest

from conftest import CONFIGS, run


def test_the_page_holds_the_file_the_picture_the_tables_and_the_chains(tmp_path):
    page = tmp_path / "mazur.html"
    assert run("report", CONFIGS / "mazur-2-2-2.yaml", "-o", page).stdout == f"wrote {page}\n"
    text = page.read_text()
    import html
    assert html.escape((CONFIGS / "mazur-2-2-2.yaml").read_text()) in text  # the file, whole
    assert text.count('<g class="node') == 4 + 8 + 2 + 8 + 1  # inputs, params, targets, nodes, E
    assert text.count("<details>") == 8 and "∂E/∂w5" in text
    assert "0.082167" in text  # Mazur's published ∂E/∂w5 = 0.082167041
    assert "<script>" in text and "<style>" in text and not re.search(r'src="http', text)


def test_mistakes(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("")
    assert "exists; pass --force" in run("report", "-o", page, code=2).stderr
    assert run("report", "-o", page, "--force").exit_code == 0
    assert "name a file ending in .html" in run("report", "-o", tmp_path / "a.txt", code=2).stderr
    r = run("report", "-o", tmp_path / "no" / "a.html", code=2)
    assert "cannot write into" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_after_train_save_the_page_has_the_loss_curve(tmp_path):
    import bpcli
    from bpcli.analysis.save import history_comment, read_history

    saved = tmp_path / "xor-trained.yaml"
    run("train", CONFIGS / "xor.yaml", "--steps", "300", "--save", saved)
    history = [h["loss"] for h in __import__("json").loads(
        run("train", CONFIGS / "xor.yaml", "--steps", "300", "--format", "json").stdout)["history"]]
    values, every = read_history(saved.read_text())
    assert every == 1 and values == [float(f"{e:.6g}") for e in history]
    assert bpcli.load(saved).params  # the comment lines leave the file loadable
    page = tmp_path / "p.html"
    run("report", saved, "-o", page)
    curve = re.search(r'<svg class="loss-curve".*?points="([^"]*)"', page.read_text(), re.S)
    assert curve and len(curve.group(1).split()) == 300
    assert "loss-curve" not in (run("report", "-o", tmp_path / "q.html") and
                                (tmp_path / "q.html").read_text())  # an untrained net: none
    long = history_comment([1.0 / k for k in range(1, 5001)])
    values, every = read_history(long)
    assert every == 3 and len(values) == 1667 and values[1] == pytest.approx(0.25)
