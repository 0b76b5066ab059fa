"""Chainage: notation, station equations, bins that partition the ROW, blockers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from helpers import ORIGIN, rect, simple_config, write_book_csv, write_config, write_layer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from gpmb_gis import compute_progress
from gpmb_gis._errors import ConfigError, InputError
from gpmb_gis.chainage import (
    Route,
    bin_regions,
    chainage_labels,
    format_chainage,
    route_from_layer,
    runs,
)

X, Y = ORIGIN


# --- arithmetic, worked out by hand ----------------------------------------------------------


def test_forward_and_backward_equations():
    # 1 000 m of line from Km9+900; at Km10+250 the chainage jumps to Km10+300 (50 m gained);
    # at Km10+500 it goes back to Km10+450 (50 m counted twice)
    route = Route.build(LineString([(0, 0), (1000, 0)]), 9900.0,
                        ((10250.0, 10300.0), (10500.0, 10450.0)))  # fmt: skip
    assert list(route.seg_start_d) == [0, 350, 550]
    assert list(route.chainage_at([0, 349, 351, 549, 551, 1000])) == [
        9900, 10249, 10301, 10499, 10451, 10900]  # fmt: skip
    assert route.end_m == 10900
    bins = route.bins(100)
    assert [(b[2], b[3]) for b in bins][:6] == [
        (9900, 10000),
        (10000, 10100),
        (10100, 10200),
        (10200, 10250),
        (10300, 10400),
        (10400, 10500),
    ]
    assert (10450, 10500) in [(b[2], b[3]) for b in bins]  # the stretch counted twice
    assert sum(b[1] - b[0] for b in bins) == pytest.approx(1000)
    assert route.distance_at(10460) == pytest.approx(510)  # its first occurrence


def test_equation_off_the_line_is_refused():
    with pytest.raises(ConfigError, match="not on the line"):
        Route.build(LineString([(0, 0), (100, 0)]), 0.0, ((500.0, 600.0),))


def test_point_chainage_and_side():
    route = Route.build(LineString([(0, 0), (100, 0), (100, 100)]), 3700.0)
    d, offset = route.locate(shapely.points([(50, 10), (50, -5), (110, 50)]))
    assert list(route.chainage_at(d)) == pytest.approx([3750, 3750, 3850])
    assert list(offset) == pytest.approx([10, -5, -10])  # left is positive


def test_runs():
    assert runs(np.array([False, True, True, False, True])) == [(1, 2), (4, 4)]


# --- centrelines ---------------------------------------------------------------------------


def test_centreline_in_pieces_joins_or_says_where_it_breaks():
    joined = gpd.GeoDataFrame(
        geometry=[LineString([(X, Y), (X + 50, Y)]), LineString([(X + 50, Y), (X + 100, Y)])]
    )
    route, _ = route_from_layer(joined, start_m=0.0, equations=(), where="c")
    assert route.line.length == pytest.approx(100)
    assert shapely.get_point(route.line, 0).x == pytest.approx(X)
    broken = gpd.GeoDataFrame(
        geometry=[LineString([(X, Y), (X + 50, Y)]), LineString([(X + 53, Y), (X + 100, Y)])]
    )
    with pytest.raises(InputError, match=r"2 pieces; break of 3\.00 m"):
        route_from_layer(broken, start_m=0.0, equations=(), where="c")


def test_centreline_drawn_backwards_is_reversed_with_a_warning():
    layer = gpd.GeoDataFrame(
        {"Lý trình đầu": ["Km18"], "Lý trình cuối": ["Km3+700"]},
        geometry=[LineString([(X + 100, Y), (X, Y)])],
    )
    layer = layer.rename(
        columns={"Lý trình đầu": "start_chainage", "Lý trình cuối": "end_chainage"}
    )
    route, findings = route_from_layer(layer, start_m=3700.0, equations=(), where="c")
    assert shapely.get_point(route.line, 0).x == pytest.approx(X)
    assert [f.check for f in findings] == ["centerline_reversed"]


# --- bins partition the right of way --------------------------------------------------------


def test_bins_on_a_curve_with_an_interchange_match_the_nearest_point_rule():
    line = LineString([(0, 0), (400, 0), (600, 200), (600, 500), (300, 700)])
    row = shapely.union(line.buffer(30, cap_style="flat"), Point(400, 0).buffer(150))
    route = Route.build(line, 3700.0, ((3950.0, 4000.0), (4400.0, 4350.0)))
    bins = route.bins(100)
    regions = bin_regions(route, bins, row)
    area = shapely.area(regions)
    assert area.sum() == pytest.approx(row.area, rel=1e-9)
    assert shapely.area(shapely.union_all(regions)) == pytest.approx(row.area, rel=1e-9)
    # an independent count on a 1 m grid: every cell centre to the bin of its nearest point
    x0, y0, x1, y1 = row.bounds
    gx, gy = np.meshgrid(np.arange(x0 + 0.5, x1, 1.0), np.arange(y0 + 0.5, y1, 1.0))
    points = shapely.points(gx.ravel(), gy.ravel())
    points = points[shapely.contains(row, points)]
    edges = np.array([b[0] for b in bins] + [bins[-1][1]])
    d = shapely.line_locate_point(line, points)
    counted = np.bincount(np.clip(np.searchsorted(edges, d, side="right") - 1, 0,
                                  len(bins) - 1), minlength=len(bins))  # fmt: skip
    assert np.allclose(area, counted, rtol=0.02)  # the grid's own error at bin edges


def test_bins_of_a_row_along_part_of_a_long_centreline():
    # a phase of a project: 250 m of ROW on a 20 km route; its bins are exact strips
    line = LineString([(0, 0), (20_000, 0)])
    row = shapely.box(5_030, -15, 5_280, 15)
    route = Route.build(line, 0.0)
    bins = route.bins(100)
    area = shapely.area(bin_regions(route, bins, row))
    expected = np.zeros(len(bins))
    expected[50:53] = [70 * 30, 100 * 30, 80 * 30]
    assert area == pytest.approx(expected, abs=1e-6)


@st.composite
def corridors(draw):
    n = draw(st.integers(2, 5))
    pts = draw(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 2000)), min_size=n,
                        max_size=n, unique=True))  # fmt: skip
    line = LineString(pts)
    width = draw(st.floats(5, 80))
    bin_m = draw(st.sampled_from([50.0, 100.0, 250.0]))
    start = draw(st.floats(0, 20000))
    return line, width, bin_m, start


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corridors())
def test_bins_partition_random_corridors(case):
    line, width, bin_m, start = case
    if line.length < 10:
        return
    row = line.buffer(width / 2)
    route = Route.build(line, start)
    regions = bin_regions(route, route.bins(bin_m), row)
    total = shapely.area(regions).sum()
    assert total == pytest.approx(row.area, rel=1e-4)  # the 0.01 %
    assert shapely.area(shapely.union_all(regions)) == pytest.approx(total, rel=1e-6)


# --- the whole run: a parcel across a bin edge, blockers ------------------------------------


def road_case(tmp_path):
    """A straight 400 m road, ROW 20 m wide, bins of 100 m (Km0+000 – Km0+400).

    Parcels (0–400 m along, full width): A 0–150 handed over; B 150–250 paid (blocks
    Km0+100 – Km0+300 alone); C 250–300 and D 300–400 not started (C blocks Km0+200 –
    Km0+300 with B; D blocks Km0+300 – Km0+400 alone).
    """
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, -10, 400, 10)}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": LineString([(X, Y), (X + 400, Y)])}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, -10, 150, 10)},
        {"SHBANDO": 1, "SOTHUA": 2, "geometry": rect(150, -10, 250, 10)},
        {"SHBANDO": 1, "SOTHUA": 3, "geometry": rect(250, 0, 300, 10)},
        {"SHBANDO": 1, "SOTHUA": 4, "geometry": rect(250, -10, 300, 0)},
        {"SHBANDO": 1, "SOTHUA": 5, "geometry": rect(300, -10, 400, 10)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
        {"Tờ bản đồ": 1, "Số thửa": 2, "Ngày chi trả": "01/03/2024"},
        {"Tờ bản đồ": 1, "Số thửa": 4, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    return write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n[[projects]]\n'
        'id = "R"\nrow = "row.gpkg"\ncenterline = "centre.gpkg"\n'
        'start_chainage = "Km0+000"\n',
    )


def test_parcel_straddling_a_bin_edge_is_split(tmp_path):
    result = compute_progress(road_case(tmp_path))
    bins = result.by_chainage("R")
    assert list(bins.required_m2) == pytest.approx([2000] * 4)
    # A (0–150, handed over) fills bin 1 and half of bin 2
    assert list(bins.cleared_m2) == pytest.approx([2000, 1000, 500, 0])
    assert list(bins.paid_m2) == pytest.approx([2000, 2000, 1500, 0])
    parcels = result.parcels.set_index("parcel")
    assert (parcels.loc[1, "from_m"], parcels.loc[1, "to_m"]) == pytest.approx((0, 150))
    assert parcels.loc[1, "side"] == "both"
    assert parcels.loc[3, "side"] == "left" and parcels.loc[4, "side"] == "right"


def test_blockers_by_hand(tmp_path):
    result = compute_progress(road_case(tmp_path))
    blockers = result.blockers
    stretches = blockers[blockers.kind == "stretch"]
    assert list(stretches.label) == ["Km0+100 – Km0+400"]
    assert stretches.length_m.iloc[0] == 300
    ranking = blockers[blockers.kind == "parcel"]
    # B alone blocks Km0+100–200 (100 m) ; D alone blocks Km0+300–400 (100 m); C shares
    completes = dict(zip(ranking.parcel, ranking.completes_m, strict=True))
    assert completes == {"2": 100.0, "5": 100.0, "3": 0.0}
    assert list(ranking.parcel)[-1] == "3"
    project = result.progress_by_project.iloc[0]
    assert project.clean_km == pytest.approx(0.1)
    assert project.longest_cleared == "Km0+000 – Km0+100"


def test_strip_diagram_of_a_long_road_is_split_into_pages(tmp_path):
    """A 60 km road: rows of 5 km, four rows to an A4 landscape page, so three pages."""
    import matplotlib

    matplotlib.use("Agg")
    from gpmb_gis.maps.strip import strip_pages

    line = LineString([(X, Y), (X + 30_000, Y + 500), (X + 59_000, Y)])  # 59.0 km
    write_layer(tmp_path / "row.gpkg", [{"geometry": line.buffer(20, cap_style="flat")}])
    write_layer(tmp_path / "centre.gpkg", [{"geometry": line}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k, "geometry": shapely.intersection(
            line.buffer(30, cap_style="flat"), rect(k * 1000, -3000, (k + 1) * 1000, 3000))}
        for k in range(60)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Tờ bản đồ": 1, "Số thửa": k,
                                            "Ngày bàn giao": "01/03/2024"}
                                           for k in range(0, 60, 2)])  # fmt: skip
    result = compute_progress(simple_config(tmp_path, 'centerline = "centre.gpkg"\n'))
    figures = strip_pages(result, "X")
    assert len(figures) == 3
    assert all(f.get_size_inches() == pytest.approx((11.69, 8.27)) for f in figures)
    assert len(figures[0].axes) == 4
    figures[0].savefig(tmp_path / "strip.png", dpi=60)
    assert (tmp_path / "strip.png").stat().st_size > 10_000


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-5e5, 5e5) | st.integers(-10**6, 10**6).map(lambda v: v / 2),
                max_size=20))  # fmt: skip
def test_chainage_labels_write_whole_metres(values):
    def written(v: float) -> str:  # the notation by hand: whole km, +, three-digit metres
        whole = round(abs(v))  # halves to even
        return f"{'-' if v < 0 else ''}Km{whole // 1000}+{whole % 1000:03d}"

    expected = [written(v) for v in values]
    assert chainage_labels(values) == expected
    assert [format_chainage(v) for v in values] == expected


def test_faces_split_by_bins_whole_within_rounding():
    from gpmb_gis.overlay import unit_parts

    units = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    faces = np.array([
        shapely.Polygon([(0, 0), (10 + 1e-9, 0), (10, 5), (0, 5)]),  # over the edge by rounding
        shapely.box(5, 5, 15, 10),  # across the edge: 25 m² each side
        shapely.box(10, 0, 20, 5),  # whole in the second
    ])  # fmt: skip
    face, unit, area = unit_parts(faces, units, partition=True)
    got = sorted(zip(face.tolist(), unit.tolist(), np.round(area, 6).tolist(), strict=True))
    assert got == [(0, 0, pytest.approx(50.0)), (1, 0, 25.0), (1, 1, 25.0), (2, 1, 50.0)]
    exact = unit_parts(faces, units)
    assert len(exact[0]) == 5  # the exact cut also gives face 0 a sliver in the second bin


def test_faces_across_two_or_three_bins_get_their_exact_parts():
    from gpmb_gis.overlay import unit_parts

    units = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10),
                      shapely.box(20, 0, 30, 10)])  # fmt: skip
    faces = np.array([
        shapely.Polygon([(2, 0), (13, 0), (13, 4), (2, 4)]),  # 32 m² | 12 m²
        shapely.Polygon([(5, 5), (25, 5), (25, 6), (5, 6)]),  # 5 | 10 | 5 m²
        shapely.Polygon([(8, 6), (10, 9), (11, 6)]),  # a triangle: 3 m² | 1.5 m²
    ])  # fmt: skip
    face, unit, area = unit_parts(faces, units, partition=True)
    got = {(f, u): a for f, u, a in zip(face.tolist(), unit.tolist(), area.tolist(), strict=True)}
    assert got == {(0, 0): pytest.approx(32.0), (0, 1): pytest.approx(12.0),
                   (1, 0): pytest.approx(5.0), (1, 1): pytest.approx(10.0),
                   (1, 2): pytest.approx(5.0), (2, 0): pytest.approx(3.0),
                   (2, 1): pytest.approx(1.5)}  # fmt: skip
