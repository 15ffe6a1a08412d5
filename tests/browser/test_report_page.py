"""`bpcli report` opened in a real browser (issue 11, part 3): headless Chromium loads the page
from disk with the network off, a driver script injected into a copy of it hovers a box, and
the test reads the rendered DOM (boxes drawn, the hover text shown, no script errors) and a
screenshot (not blank).  CI installs Chromium and sets BPCLI_REQUIRE_BROWSER=1, so there the
test cannot skip; elsewhere it skips when no Chromium is installed."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import CONFIGS, run

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
    "google-chrome")
if BROWSER is None:
    if os.environ.get("BPCLI_REQUIRE_BROWSER"):
        raise RuntimeError("BPCLI_REQUIRE_BROWSER is set but no Chromium is installed")
    pytest.skip("no Chromium installed (apt-get install chromium)", allow_module_level=True)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--proxy-server=127.0.0.1:9", "--window-size=1200,1600"]
DRIVER = """<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
window.addEventListener('load', function () {
  var g = document.querySelector('svg g.node');
  g.dispatchEvent(new Event('mouseenter'));
  var box = document.getElementById('hover');
  document.body.setAttribute('data-hover', box.style.display + '|' + box.textContent);
  document.body.setAttribute('data-boxes', document.querySelectorAll('svg g.node').length);
  document.body.setAttribute('data-errors', window.__errors.join(';'));
});
</script>"""


def browse(page, tmp_path, *args):
    profile = tmp_path / "profile"
    r = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *args,
                        page.as_uri()], capture_output=True, text=True, timeout=120)
    return r


def test_the_page_renders_hovers_and_has_no_errors(tmp_path):
    page = tmp_path / "seed.html"
    run("report", "-o", page)
    text = page.read_text()
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")  # self-contained
    driven = tmp_path / "driven.html"
    driven.write_text(text.replace("<head>", "<head>" + DRIVER, 1))
    dom = browse(driven, tmp_path, "--dump-dom", "--virtual-time-budget=3000").stdout
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert 'data-boxes="18"' in body  # 9 leaves, 8 nodes and E, drawn
    hover = re.search(r'data-hover="([^"]*)"', body).group(1)
    assert hover.startswith("block|x = input; value 1")  # the first box's tooltip, shown
    assert 'data-errors=""' in body
    assert dom.count("<details>") == 6  # each param's chain rule, collapsed


def test_a_screenshot_is_not_blank(tmp_path):
    import matplotlib.pyplot as plt

    page = tmp_path / "conv.html"
    run("report", CONFIGS / "conv-two-channels.yaml", "-o", page)
    shot = tmp_path / "shot.png"
    browse(page, tmp_path, f"--screenshot={shot}")
    pixels = plt.imread(shot)[..., :3]
    assert pixels.shape[0] >= 1000
    dark = (pixels.mean(axis=-1) < 0.5).mean()
    assert 0.01 < dark < 0.5  # text and lines on a white page
