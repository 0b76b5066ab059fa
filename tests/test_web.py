"""Web maps: self-contained, private, escaped — and opened in a real headless browser."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from helpers import rect, simple_config, write_book_csv, write_layer

from gpmb_gis import compute_progress
from gpmb_gis.maps.web import save_web_map, web_map

PAYLOAD = "<img src=x onerror=\"document.title='pwned'\">"
TEMPLATE = "${document.title='pwned2'}`\\"
OWNER = "Nguyễn Văn Bí Mật"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Twelve parcels along a ROW; attribute values that try to run code."""
    folder = tmp_path_factory.mktemp("hostile")
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 120, 10)}])
    write_layer(folder / "parcels.gpkg", [
        {"TENXA": PAYLOAD if k == 1 else TEMPLATE, "SHBANDO": 1, "SOTHUA": k,
         "KHLOAIDAT": PAYLOAD, "CHUSUDUNG": OWNER,
         "geometry": rect((k - 1) * 10, -5, k * 10, 15)} for k in range(1, 13)])  # fmt: skip
    write_book_csv(folder / "book.csv", [{"Xã": PAYLOAD if k == 1 else TEMPLATE, "Tờ bản đồ": 1,
                                          "Số thửa": k, "Ngày bàn giao": "01/03/2024"}
                                         for k in range(1, 7)])  # fmt: skip
    return compute_progress(simple_config(folder))


def test_self_contained_by_default(hostile, tmp_path):
    page = save_web_map(web_map(hostile, "X"), tmp_path / "m.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet[^>]+href=\"?https?:", page)
    assert "cdn.jsdelivr" not in page and "bootstrap" not in page.lower()
    assert "L.version" in page or '"1.9.3"' in page or "1.9.3" in page


def test_cdn_keeps_the_links(hostile, tmp_path):
    page = save_web_map(web_map(hostile, "X", cdn=True), tmp_path / "m.html", cdn=True)
    assert re.search(r'<script src="https://[^"]*leaflet', page.read_text(encoding="utf-8"))


def test_values_are_escaped_and_owner_absent(hostile, tmp_path):
    page = save_web_map(web_map(hostile, "X"), tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "${document" not in page
    assert "Bí Mật" not in page and "B\\u00ed M\\u1eadt" not in page
    with_owner = save_web_map(web_map(hostile, "X", include_owner=True),
                              tmp_path / "o.html").read_text(encoding="utf-8")  # fmt: skip
    assert "B\\u00ed M\\u1eadt" in with_owner or "Bí Mật" in with_owner


def _chromium(args: list[str], page) -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={page.parent / 'profile'}", "--proxy-server=127.0.0.1:9",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000", *args,
         page.as_uri()], capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return proc.stdout


def test_renders_offline_in_a_browser_and_runs_nothing_injected(hostile, tmp_path):
    page = save_web_map(web_map(hostile, "X"), tmp_path / "m.html")
    dom = _chromium(["--dump-dom"], page)
    assert "leaflet-container" in dom  # Leaflet ran, from the page itself (network is off)
    assert 'data-gpmb-parcels="12"' in dom  # every affected parcel was drawn
    assert dom.count("gpmb-box") >= 2  # the panel and the legend
    assert "<title>pwned" not in dom  # neither payload set the title
    assert '<img src="x"' not in dom and "<img src=x" not in dom
