"""`bpcli report` as a file (the browser test is tests/browser): what the page holds, made from
the same reports as the tables, and the command's mistakes."""
import re

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
