"""Maps and pages people can read: each says what its scope holds, in the report's language.

Hand-built cases whose figures are known: the hand case of ``helpers.hand_case`` (West 0–50 m:
800 m² handed over on 01/03/2024; East 50–100 m: 400 m² paid, 400 m² already clear, 200 m² in
no parcel; report of 01/04/2024) and a straight 2 km road.
"""

from __future__ import annotations

import html
import re

import matplotlib
import pytest
import shapely
from helpers import ORIGIN, hand_case, rect, simple_config, write_book_csv, write_layer
from shapely.geometry import LineString

from gpmb_gis import columns as C
from gpmb_gis import compute_progress, plot_project
from gpmb_gis.labels import format_pct, stage_name, word
from gpmb_gis.maps.web import _panel
from gpmb_gis.qa_words import check_title
from gpmb_gis.report import write_report

matplotlib.use("Agg")


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_commune_map_gives_the_communes_figures_not_the_projects(tmp_path):
    result = compute_progress(hand_case(tmp_path), allow_unplaced=True)
    _, ax = plot_project(result, "P", commune="Xã Tân Liên")
    assert "Xã Tân Liên" in ax.get_title()
    assert "40,0 % đã bàn giao (0,04 / 0,10 ha)" in ax.get_title()  # the East half alone
    assert _legend(ax)[:3] == [
        f"{stage_name(C.PAID)}: 0,04 ha",
        f"{stage_name(C.ALREADY_CLEAR)}: 0,04 ha",
        f"{stage_name('unmapped')}: 0,02 ha",
    ]
    _, ax = plot_project(result, "P")  # the whole project: both halves, no stage twice
    project = result.progress_by_project.iloc[0]
    assert f"{format_pct(project[C.CLEARED_PCT])} %" in ax.get_title()
    assert _legend(ax)[:4] == [
        f"{stage_name(C.PAID)}: 0,06 ha",  # parcel B, 40–70 m (D over 40–50 m counts once)
        f"{stage_name(C.HANDED_OVER)}: 0,08 ha",
        f"{stage_name(C.ALREADY_CLEAR)}: 0,04 ha",
        f"{stage_name('unmapped')}: 0,02 ha",
    ]
    with pytest.raises(ValueError, match="no commune"):
        plot_project(result, "P", commune="Xã Không Có")


def test_a_commune_without_a_polygon_is_zoomed_to_its_pieces(tmp_path):
    config = hand_case(tmp_path)
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "01", "TENXA": "Xã Hợp Thành", "geometry": rect(-10, -10, 50, 40)}])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True)
    named = result.by_commune("P")[C.COMMUNE].tolist()
    outside = word("outside_communes")
    assert outside in named
    _, ax = plot_project(result, "P", commune="Xã Hợp Thành")
    x0, x1 = ax.get_xlim()
    assert x1 - x0 < 60 and x1 < ORIGIN[0] + 60  # West only: the first 50 m
    # without a communes layer, a commune is where its parcels are
    config.write_text(config.read_text().replace('communes = "communes.gpkg"\n', ""))
    result = compute_progress(config, allow_unplaced=True)
    _, ax = plot_project(result, "P", commune="02")  # parcels B (40–70 m) and C (70–90 m)
    x0, x1 = ax.get_xlim()
    assert x0 > ORIGIN[0] + 30 and x1 < ORIGIN[0] + 100


def _road(tmp_path, handed_over: int = 15, parcels: int = 15):
    """A straight 2 km road; parcels of 100 m from 0 (15: to 1500 m, then land in no parcel),
    the first ``handed_over`` of them handed over."""
    x, y = ORIGIN
    line = LineString([(x, y), (x + 2000, y)])
    write_layer(tmp_path / "row.gpkg", [{"geometry": line.buffer(15, cap_style="flat")}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": line}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k, "geometry": rect(k * 100, -20, (k + 1) * 100, 20)}
        for k in range(parcels)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": "01/03/2024"}
        for k in range(handed_over)])  # fmt: skip
    return compute_progress(simple_config(tmp_path, 'centerline = "centre.gpkg"\n'))


def test_the_strip_legend_lists_what_the_page_shows(tmp_path):
    from gpmb_gis.maps.strip import plot_strip

    result = _road(tmp_path)
    fig, _ = plot_strip(result, "X")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [stage_name(C.HANDED_OVER), stage_name("unmapped"), word("blocked")]


def test_a_commune_of_no_name_nor_code_is_one_unknown_commune_listed_once(tmp_path):
    config = hand_case(tmp_path)
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "01", "TENXA": "Xã Hợp Thành", "geometry": rect(-10, -10, 50, 40)},
        {"MAXA": None, "TENXA": None, "geometry": rect(50, -10, 80, 40)},
        {"MAXA": "", "TENXA": " ", "geometry": rect(80, -10, 110, 40)}])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True)
    communes = result.by_commune("P").set_index(C.COMMUNE)[C.REQUIRED_M2]
    assert communes.to_dict() == {"Xã Hợp Thành": 1000.0, word("commune_unknown"): 1000.0}
    assert "commune_unnamed" in result.qa_issues[C.CHECK].tolist()
    index = write_report(result, tmp_path / "out", maps=False).read_text(encoding="utf-8")
    changes = index.split(word("this_week"), 1)[1].split("</ul>", 1)[0]
    assert changes.count("<li><b>P</b>") == 1


def test_the_web_panel_says_what_each_figure_is(tmp_path):
    result = compute_progress(hand_case(tmp_path), allow_unplaced=True)
    panel = html.unescape(_panel(result, "P", "vi"))
    pct = format_pct(result.progress_by_project.iloc[0][C.CLEARED_PCT])
    assert f"{word('cleared_of')} <b>{pct} %</b>" in panel
    assert re.search(r"<th>[^<]+</th><th>[^<]*%[^<]*</th>", panel)  # the commune table's heads


def test_a_percent_is_never_shown_above_what_it_is(tmp_path):
    config = hand_case(tmp_path)
    # a right of way over parcel C (already clear, 70–90 m) and 0.008 m beyond: 99.96 % clear
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(70, 0, 90.008, 20)}])
    result = compute_progress(config, allow_unplaced=True)
    pct = float(result.progress_by_project.iloc[0][C.CLEARED_PCT])
    assert 99.95 < pct < 99.97  # shown as 100,0 when rounded to the nearest
    index = write_report(result, tmp_path / "out", maps=False).read_text(encoding="utf-8")
    assert "99,9" in index and "100,0" not in index
    _, ax = plot_project(result, "P")
    assert "99,9 %" in ax.get_title()
    assert shapely.area(result.overlays["P"].row) == pytest.approx(400.16)


def test_the_index_speaks_the_reports_language(tmp_path):
    result = _road(tmp_path, handed_over=14)  # parcel 14 blocks 1400–1500 m, both sides
    index = write_report(result, tmp_path / "out", maps=False).read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "|", index))
    cells = {c.strip() for c in text.split("|")}
    assert word("side_both") in cells and not {"left", "right", "both"} & cells
    assert "records:" not in text and f"{word('layer_parcels')}: đọc" in text
    for check in set(result.qa_issues[C.CHECK]):
        assert check_title(check) in cells, check
    assert not {"error", "warning", "info"} & cells
    from gpmb_gis.report import write_qa_page

    qa = write_qa_page(result, tmp_path / "out").read_text(encoding="utf-8")
    qa_cells = {c.strip() for c in html.unescape(re.sub(r"<[^>]+>", "|", qa)).split("|")}
    assert word("layer_row").format(project="X") in qa_cells and "row:X" not in qa_cells
    assert not {"parcels", "handovers"} & qa_cells  # (codes stay in their own column)


def test_a_road_seen_whole_is_a_ribbon_and_its_labels_never_overlap(tmp_path):
    from matplotlib.text import Text

    from gpmb_gis.maps.ribbon import map_scale
    from gpmb_gis.maps.static import plot_overview

    result = _road(tmp_path, handed_over=7)  # 0–700 m handed over; 700–1500 m not started
    fig, ax = plot_project(result, "X")  # 2 km on A4: about 1:12 000, too small for parcels
    assert map_scale(ax) > 10_000
    legend = _legend(ax)
    assert legend[:3] == [f"100 % {word('cleared_of')}", f"0–25 % {word('cleared_of')}",
                          word("blocked")]  # fmt: skip
    assert not any(stage_name(s) in " ".join(legend) for s in C.STAGES)
    for draw in (lambda: plot_project(result, "X"), lambda: plot_overview(result)):
        fig, ax = draw()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        shown = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
                 and t.axes is ax and t is not ax.title]  # fmt: skip
        boxes = [t.get_window_extent(renderer) for t in shown]
        for i, a in enumerate(boxes):
            assert not any(a.overlaps(b) for b in boxes[i + 1 :]), shown[i].get_text()
        # the scale bar and its length sit under the map, not over the road
        bar = [t for t in shown if t.get_text().endswith(("km", " m"))]
        assert bar and all(b.get_window_extent(renderer).y1 < ax.bbox.y0 for b in bar)


def test_a_right_of_way_in_no_commune_of_the_layer_still_gets_its_web_map(tmp_path):
    from gpmb_gis.maps.web import web_map

    config = hand_case(tmp_path)
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "09", "TENXA": "Xã Xa", "geometry": rect(50_000, 0, 51_000, 1000)}])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True)
    html_text = web_map(result, "P").get_root().render()
    assert "Xã Xa" not in html_text and len(html_text) > 10_000


def test_the_map_book_follows_the_road_page_by_page(tmp_path):
    from gpmb_gis.maps.atlas import atlas_figures, atlas_pages
    from gpmb_gis.pictures import write_atlases

    result = _road(tmp_path, handed_over=7)
    pages = atlas_pages(result, "X", 2000)
    # whole bins, in order, each once: the pages' figures add up to the road's
    held = [k for p in pages for k in range(p.first_bin, p.last_bin + 1)]
    assert held == list(range(len(result.overlays["X"].bins)))
    assert [p.from_m for p in pages[1:]] == [p.to_m for p in pages[:-1]]
    assert pages[0].from_m == 0 and pages[-1].to_m == pytest.approx(2000)
    assert all(abs(p.angle_deg) < 1e-6 for p in pages)  # an east-running road: pages unturned
    across = 11.69 * 0.70 * 0.0254 * 2000  # the map's ground width at 1:2 000
    assert all(p.to_m - p.from_m <= across * 0.9 for p in pages)
    figures = atlas_figures(result, "X", 2000)
    assert len(figures) == len(pages) + 1  # the key map first
    texts = [t.get_text() for t in figures[1].texts]
    assert any("Km0+000 – Km0+" in t and "1:2.000" in t for t in texts)
    legend = [t.get_text() for t in figures[1].legends[0].get_texts()]
    assert legend == [stage_name(C.HANDED_OVER)]  # the first page: 0–300 m, all handed over
    written = write_atlases(result, tmp_path / "out", "vi")
    pdf = tmp_path / "out" / "maps" / "X_atlas.pdf"
    assert pdf in written and pdf.read_bytes().count(b"/Type /Page\n") + pdf.read_bytes().count(
        b"/Type /Page "
    ) >= len(figures)
    assert len([p for p in written if p.suffix == ".png"]) == len(figures)


def test_a_page_of_a_road_running_north_is_turned_and_so_is_its_north_arrow(tmp_path):
    from gpmb_gis.maps.atlas import atlas_figures, atlas_pages

    x, y = ORIGIN
    line = LineString([(x, y), (x, y + 1000)])
    write_layer(tmp_path / "row.gpkg", [{"geometry": line.buffer(15, cap_style="flat")}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": line}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": 1, "geometry": rect(-20, 0, 20, 1000)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Tờ bản đồ": 1, "Số thửa": 1,
                                            "Trạng thái": "Đã kiểm đếm"}])  # fmt: skip
    result = compute_progress(simple_config(tmp_path, 'centerline = "centre.gpkg"\n'))
    pages = atlas_pages(result, "X", 2000)
    assert all(p.angle_deg == pytest.approx(90.0) for p in pages)
    fig = atlas_figures(result, "X", 2000)[1]
    from matplotlib.text import Annotation

    arrow = next(t for t in fig.axes[0].texts if isinstance(t, Annotation) and t.arrowprops)
    (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
    assert x1 > x0 and abs(y1 - y0) < 1e-6  # the road runs north, to the right: so does north
    north = next(t for t in fig.axes[0].texts if t.get_text() == "N")
    assert north.get_position()[0] > x1  # "N" at the arrow's head


def test_the_atlas_scale_is_a_scale(tmp_path):
    from gpmb_gis import load_config
    from gpmb_gis._errors import ConfigError

    hand_case(tmp_path)
    config = simple_config(tmp_path, "").read_text()
    (tmp_path / "gpmb.toml").write_text(config + "\n[maps]\natlas_scale = 1000\n")
    assert load_config(tmp_path / "gpmb.toml").atlas_scale == 1000
    for bad in ('"1:2000"', "0", "2000.5", "true"):
        (tmp_path / "gpmb.toml").write_text(config + f"\n[maps]\natlas_scale = {bad}\n")
        with pytest.raises(ConfigError, match="atlas_scale"):
            load_config(tmp_path / "gpmb.toml")


def test_the_web_map_opens_on_the_ribbon_and_links_its_communes(tmp_path):
    from test_web import _chromium

    from gpmb_gis.maps.web import save_web_map, web_map

    result = _six_km(tmp_path)
    page = save_web_map(web_map(result, "X"), tmp_path / "m.html")
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"<a href='#' class='gpmb-zoom' data-b='([^']+)'>([^<]*(?:<[^a][^<]*)*)</a>",
                       text)  # fmt: skip
    assert len(links) == 2 and all(len(b.split(",")) == 4 for b, _ in links)
    assert "Xã &lt;b&gt;Một&lt;/b&gt;" in text and "Xã <b>Một</b>" not in text
    assert "tile.openstreetmap.org" in text  # the basemap is offered, off
    dom = _chromium(["--dump-dom", "--window-size=412,800"], page)
    if not dom:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    assert 'data-gpmb-view="ribbon"' in dom and 'data-gpmb-parcels="60"' in dom


def test_the_readmes_pictures_are_in_docs():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]+\]\((docs/img/[^)]+)\)", readme)
    assert len(pictures) == 5
    for picture in pictures:
        assert (root / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture


def _six_km(tmp_path):
    """A 6 km road in two communes: "Xã <b>Một</b>" 0–3 km, handed over to 2 km; "Xã Hai"
    3–6 km, nothing handed over."""
    x, y = ORIGIN
    line = LineString([(x, y), (x + 6000, y)])
    write_layer(tmp_path / "row.gpkg", [{"geometry": line.buffer(15, cap_style="flat")}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": line}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01" if k < 30 else "02", "SHBANDO": 1, "SOTHUA": k,
         "geometry": rect(k * 100, -20, (k + 1) * 100, 20)} for k in range(60)])  # fmt: skip
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "01", "TENXA": "Xã <b>Một</b>", "geometry": rect(-100, -500, 3000, 500)},
        {"MAXA": "02", "TENXA": "Xã Hai", "geometry": rect(3000, -500, 6100, 500)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "01", "Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": "01/03/2024"}
        for k in range(20)])  # fmt: skip
    config = simple_config(tmp_path, 'centerline = "centre.gpkg"\n')
    layers = 'handovers = "book.csv"\ncommunes = "communes.gpkg"'
    config.write_text(config.read_text().replace('handovers = "book.csv"', layers))
    return compute_progress(config, allow_unplaced=True)


def test_a_map_keys_what_its_view_shows_and_marks_beside_the_road(tmp_path):
    from gpmb_gis.maps.static import _half_width

    result = _six_km(tmp_path)
    _, ax = plot_project(result, "X", commune="Xã Hai")  # 3 km: the ribbon, nothing cleared
    assert _legend(ax)[:2] == [f"0–25 % {word('cleared_of')}", word("blocked")]
    (tmp_path / "full").mkdir()
    full = _road(tmp_path / "full", handed_over=20, parcels=20)  # a road cleared whole
    from gpmb_gis.maps.web import web_map

    assert word("blocked") not in html.unescape(web_map(full, "X").get_root().render())
    # a right of way of 300 m along a centreline of 1.5 km: the mark goes beyond its 20 m
    x, y = ORIGIN
    line = LineString([(x, y), (x + 1500, y)])
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, -20, 300, 20)}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": line}])
    short = compute_progress(simple_config(tmp_path, 'centerline = "centre.gpkg"\n'),
                             allow_unplaced=True)  # fmt: skip
    assert _half_width(short.overlays["X"]) >= 20.0


def test_the_land_outside_every_commune_is_keyed_as_its_own(tmp_path):
    config = hand_case(tmp_path)
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "01", "TENXA": "Xã Hợp Thành", "geometry": rect(-10, -10, 50, 40)}])  # fmt: skip
    import geopandas as gpd

    parcels = gpd.read_file(tmp_path / "parcels.gpkg")
    parcels.loc[parcels["SOTHUA"] == 1, "KHLOAIDAT"] = "DGT"  # already clear, West
    parcels.to_file(tmp_path / "parcels.gpkg")
    result = compute_progress(config, allow_unplaced=True)
    outside = word("outside_communes")
    _, ax = plot_project(result, "P", commune=outside)
    shown = [t for t in _legend(ax) if t.endswith(" ha")]
    total = sum(float(t.rsplit(": ", 1)[1].split()[0].replace(",", ".")) for t in shown)
    assert total == pytest.approx(0.10)  # the East half's 1000 m², and nothing of the West's


def test_the_overview_frames_a_road_outside_every_commune_too(tmp_path):
    from gpmb_gis.maps.static import plot_overview

    config = hand_case(tmp_path)
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "09", "TENXA": "Xã Xa", "geometry": rect(5000, 5000, 6000, 6000)}])  # fmt: skip
    _, ax = plot_overview(compute_progress(config, allow_unplaced=True))
    x0, x1 = ax.get_xlim()
    assert x0 <= ORIGIN[0] and x1 >= ORIGIN[0] + 6000


def _line_road(tmp_path, coords, handed_over, extra: str = "", width: float = 15):
    """A road along ``coords`` (offsets from ORIGIN), parcels of its right of way cut every
    100 m along x, the first ``handed_over`` of them handed over."""
    x, y = ORIGIN
    line = LineString([(x + a, y + b) for a, b in coords])
    row = line.buffer(width, cap_style="flat")
    write_layer(tmp_path / "row.gpkg", [{"geometry": row}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": line}])
    x0, y0, x1, y1 = row.bounds
    cuts = [shapely.intersection(row, shapely.box(x + k, y0 - 1, x + k + 100, y1 + 1))
            for k in range(int(x0 - x) - 100, int(x1 - x) + 100, 100)]  # fmt: skip
    cuts = [c for c in cuts if c.area > 0]
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k, "geometry": c} for k, c in enumerate(cuts)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": "01/03/2024"} for k in handed_over
    ] or [{"Tờ bản đồ": 1, "Số thửa": 0, "Trạng thái": "Đã kiểm đếm"}])  # fmt: skip
    return compute_progress(simple_config(tmp_path, f'centerline = "centre.gpkg"\n{extra}'),
                            allow_unplaced=True)  # fmt: skip


def test_a_blocked_stretch_is_placed_by_its_bins_after_a_station_equation_going_back(tmp_path):
    from gpmb_gis.maps.ribbon import blocked_runs
    from gpmb_gis.qgis_layers import layer_frames

    # 1 200 m of line; at 600 m the chainage Km0+600 is Km0+400 again: 400–500 occurs twice
    result = _line_road(tmp_path, [(0, 0), (1200, 0)], [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11],
                        'station_equations = [["Km0+600", "Km0+400"]]\n')  # fmt: skip
    runs = blocked_runs(result, "X")
    assert [(a, b) for a, b, _ in runs] == [(600.0, 700.0)]  # the parcel 600–700 m along
    line = layer_frames(result)["blocked_stretches"].geometry.iat[0]
    assert shapely.get_coordinates(line)[:, 0].min() == pytest.approx(ORIGIN[0] + 600)


def test_a_road_with_a_bend_writes_its_layers(tmp_path):
    from gpmb_gis.qgis_layers import write_gpkg

    result = _line_road(tmp_path, [(0, 0), (300, 0), (600, 200)], [0, 1])
    path = write_gpkg(result, tmp_path / "g.gpkg")
    bins = gpd_read(path, "chainage_bins")
    assert len(bins) == len(result.overlays["X"].bins)
    assert shapely.area(bins.geometry).sum() == pytest.approx(result.overlays["X"].required_m2)


def gpd_read(path, layer):
    import pyogrio

    return pyogrio.read_dataframe(path, layer=layer)


def test_a_page_says_when_the_right_of_way_is_wider_than_it(tmp_path):
    from gpmb_gis.maps.atlas import atlas_figures

    result = _line_road(tmp_path, [(0, 0), (600, 0)], [0], width=150)  # 300 m wide
    pages = atlas_figures(result, "X", 1000)  # a page's map: 185 m of ground up and down
    assert any("⚠" in t.get_text() for fig in pages[1:] for t in fig.texts)
    (tmp_path / "n").mkdir()
    narrow = atlas_figures(_line_road(tmp_path / "n", [(0, 0), (600, 0)], [0]), "X", 1000)
    assert not any("⚠" in t.get_text() for fig in narrow[1:] for t in fig.texts)


def test_a_map_book_page_too_small_for_a_bin_is_refused(tmp_path):
    from gpmb_gis import load_config
    from gpmb_gis._errors import ConfigError

    hand_case(tmp_path)
    config = simple_config(tmp_path, "chainage_bin_m = 1000\n").read_text()
    (tmp_path / "gpmb.toml").write_text(config + "\n[maps]\natlas_scale = 2000\n")
    with pytest.raises(ConfigError, match="atlas_scale = 5400"):
        load_config(tmp_path / "gpmb.toml")


def test_web_tooltips_write_numbers_and_dates_as_the_report_reads(tmp_path):
    import datetime as dt

    from gpmb_gis.maps.web import _properties

    row = {C.AFFECTED_M2: 1500.04, C.HANDOVER_DATE: dt.date(2024, 3, 1), C.STAGE: C.PAID}
    props = _properties(row, "vi", include_owner=False)
    assert props["a"] == "1.500,0" and props["d"] == "01/03/2024"
    assert _properties(row, "en", include_owner=False)["a"] == "1,500.0"


def test_every_check_has_a_short_name_in_vietnamese():
    from gpmb_gis.labels import QA_MESSAGES
    from gpmb_gis.qa_words import CHECK_TITLES_VI

    assert set(QA_MESSAGES) == set(CHECK_TITLES_VI)
    assert all(title and title[0].isupper() for title in CHECK_TITLES_VI.values())
