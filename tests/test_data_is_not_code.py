"""Text from inputs and the config is data: never a template, script or mathtext.

branca renders the output of every folium element once more as a Jinja template, so a value
carrying ``{{ … }}`` that reached the page unescaped would run. Each text field of the inputs
and the config carries template payloads here; the outputs must carry them as literal text and
nothing may run.
"""

from __future__ import annotations

import html
import zipfile

import pytest
from helpers import hand_case, rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress, plot_project
from gpmb_gis.cli import main
from gpmb_gis.maps.charts import plot_commune_bars
from gpmb_gis.maps.static import plain

#: 6*7*1000+1 = 42001: a number that appears nowhere unless a template evaluated it.
EXPR = "{{ 6*7*1000+1 }}"
STATEMENT = "{% if true %}ran{% endif %}"


def _payloads(canary: str) -> dict[str, str]:
    shell = f"{{{{ cycler.__init__.__globals__.os.popen('touch {canary}').read() }}}}"
    return {"expr": EXPR, "statement": STATEMENT, "shell": shell, "quote": "{{ 'a' }}"}


@pytest.fixture
def planted(tmp_path):
    """Every text field holds a template payload; the popen payload would touch the canary."""
    canary = tmp_path / "canary"
    p = _payloads(str(canary))
    text = " ".join(p.values())
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 40, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": f"Xã {p['expr'] if k % 2 else p['statement']}", "SHBANDO": 1,
         "SOTHUA": k, "KHLOAIDAT": f"LUC{p['shell']}", "CHUSUDUNG": text,
         "geometry": rect((k - 1) * 10, -5, k * 10, 15)} for k in range(1, 5)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": f"Xã {p['expr'] if k % 2 else p['statement']}", "Tờ bản đồ": 1, "Số thửa": k,
         "Ngày bàn giao": "01/03/2024", "Ghi chú": text} for k in range(1, 3)])  # fmt: skip
    config = write_config(
        tmp_path,
        f'title = "GPMB {EXPR} $x$"\nprovince = "Lạng Sơn"\nas_of = 2024-06-30\n'
        '[layers]\nparcels = "parcels.gpkg"\nhandovers = "book.csv"\n'
        f'[[projects]]\nid = "X"\nname = "Dự án {EXPR} {STATEMENT} $\\\\frac{{a}}{{b}}$"\n'
        'row = "row.gpkg"\n'
        f'milestones = [{{ date = 2024-12-31, target_pct = 100, label = "{EXPR} 100%" }}]\n',
    )
    return config, canary


def _texts(folder) -> dict[str, str]:
    """Every text the bundle holds: files as text, and the XML inside .xlsx and .docx."""
    texts = {}
    for path in folder.rglob("*"):
        if path.suffix in {".html", ".csv"}:
            texts[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix in {".xlsx", ".docx"}:
            with zipfile.ZipFile(path) as book:
                parts = [n for n in book.namelist() if n.endswith(".xml")]
                texts[str(path)] = " ".join(book.read(n).decode("utf-8", "replace") for n in parts)
    return texts


def test_template_payloads_stay_text_in_every_output(planted, tmp_path):
    config, canary = planted
    out = tmp_path / "out"
    code = main(["report", "--config", str(config), "--out", str(out), "--quarter", "2024Q2",
                 "--include-owner"])  # fmt: skip
    assert code == 0
    assert not canary.exists(), "a template payload ran a shell command"
    texts = _texts(out)
    assert any(p.endswith("X.html") for p in texts) and any(p.endswith(".docx") for p in texts)
    for path, text in texts.items():
        assert "42001" not in text, f"{path}: a template expression was evaluated"
        assert ">ran<" not in text and " ran " not in text, f"{path}: a template statement ran"
    web = html.unescape(texts[str(out / "maps" / "X.html")])
    assert "Dự án {{ 6*7*1000+1 }} {% if true %}ran{% endif %}" in web  # the panel, literal
    assert "{{ 6*7*1000+1 }} 100%" in web  # the milestone label
    assert "os.popen" in texts[str(out / "maps" / "X.html")].replace("\\u0026", "&")


def test_template_payloads_in_web_map_tooltips_are_literal(planted):
    config, canary = planted
    from gpmb_gis.maps.web import web_map

    page = web_map(compute_progress(config), "X", include_owner=True).get_root().render()
    assert not canary.exists()
    assert "42001" not in page
    tooltips = html.unescape(page.encode().decode("unicode_escape", "ignore"))
    assert "Xã {{ 6*7*1000+1 }}" in tooltips and "LUC{{ cycler" in tooltips


def test_dollar_signs_from_data_are_drawn_as_dollars(planted):
    config, _ = planted
    result = compute_progress(config)
    fig, ax = plot_project(result, "X")
    assert r"\$\frac{a}{b}\$" in ax.get_title()
    fig.canvas.draw()  # mathtext would fail or render a fraction; plain text draws as written
    shown, is_math = ax.title._preprocess_math(ax.title.get_text())
    assert not is_math and shown.startswith(f"Dự án {EXPR} {STATEMENT} $\\frac{{a}}{{b}}$\n")
    communes = result.progress_by_commune
    fig, ax = plot_commune_bars(communes.assign(commune="Xã $5$"), project_pct=10.0, title="$t$")
    fig.canvas.draw()
    assert ax.get_yticklabels()[0].get_text() == r"Xã \$5\$"
    assert plain("a$b") == r"a\$b"


def _math_texts(fig) -> list[str]:
    """The texts of a drawn figure that matplotlib would read as mathtext."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t._preprocess_math(t.get_text())[1]]


def test_no_name_from_the_data_is_drawn_as_mathtext(tmp_path):
    config = hand_case(tmp_path)
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "01", "TENXA": "Xã $x^2$ Hợp Thành", "geometry": rect(-10, -10, 50, 40)},
        {"MAXA": "02", "TENXA": "Xã $\\frac{a}{b}$", "geometry": rect(50, -10, 110, 40)},
    ])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True)
    from gpmb_gis.maps.static import plot_overview

    figures = {
        "overview": plot_overview(result)[0],
        "project": plot_project(result, "P")[0],
        "commune": plot_project(result, "P", commune="01")[0],
    }
    for name, fig in figures.items():
        assert _math_texts(fig) == [], name
