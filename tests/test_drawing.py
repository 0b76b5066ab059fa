"""Parcels from drawings (DGN, DXF): boundary lines and text labels."""

from __future__ import annotations

import unicodedata

import geopandas as gpd
import pyogrio
import pytest
from helpers import ORIGIN, REALDATA, files_read, write_book_csv, write_config, write_layer
from shapely.geometry import LineString, Point, box

from gpmb_gis import GpmbError, InputError, compute_progress
from gpmb_gis._drawing import polygons_from_drawing

X, Y = ORIGIN


def drawing() -> gpd.GeoDataFrame:
    """Two 10 × 10 m parcels drawn as loose boundary segments, labelled inside."""
    lines = [
        LineString([(X, Y), (X + 20, Y)]),
        LineString([(X + 20, Y), (X + 20, Y + 10)]),
        LineString([(X + 20, Y + 10), (X, Y + 10)]),
        LineString([(X, Y + 10), (X, Y)]),
        LineString([(X + 10, Y - 1), (X + 10, Y + 11)]),
    ]  # overshoots, as drawn
    texts = [
        (X + 5, Y + 5, "12"),
        (X + 5, Y + 3, "LUC"),
        (X + 15, Y + 5, "013"),
        (X + 15, Y + 3, "ONT+CLN"),
        (X + 50, Y + 50, "stray"),
    ]
    rows = [{"Text": None, "geometry": g} for g in lines]
    rows += [{"Text": t, "geometry": Point(x, y)} for x, y, t in texts]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:9215")


def test_lines_and_labels_become_parcels():
    polys, findings = polygons_from_drawing(drawing(), "parcels")
    polys = polys.sort_values("parcel").reset_index(drop=True)
    assert list(polys.parcel) == ["013", "12"]
    assert list(polys.land_use) == ["ONT+CLN", "LUC"]
    assert list(polys.area) == pytest.approx([100, 100])
    skipped = next(f for f in findings if f.check == "drawing_elements_skipped")
    assert skipped.count == 1 and skipped.listed  # the stray label
    assert polys.attrs["records_read"] == 10


def test_closed_shapes_become_polygons():
    ring = LineString(box(X, Y, X + 10, Y + 10).exterior.coords)
    gdf = gpd.GeoDataFrame(
        {"Text": [None, "7"]}, geometry=[ring, Point(X + 5, Y + 5)], crs="EPSG:9215"
    )
    polys, _ = polygons_from_drawing(gdf, "parcels")
    assert len(polys) == 1 and polys.parcel.iloc[0] == "7"
    assert polys.area.iloc[0] == pytest.approx(100)


def test_drawing_through_the_whole_run(tmp_path):
    drawing().to_file(tmp_path / "parcels.gpkg")
    write_layer(tmp_path / "row.gpkg", [{"geometry": box(X, Y, X + 20, Y + 5)}])
    write_book_csv(tmp_path / "book.csv", [{"Số thửa": "12", "Ngày bàn giao": "01/03/2024"}])
    cfg = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n[[projects]]\n'
        'id = "P"\nrow = "row.gpkg"\n',
    )
    result = compute_progress(cfg)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(50)
    records = result.records.set_index("layer")
    assert records.loc["parcels", "read"] == 10
    assert records.loc["parcels", "listed"] == 1


def test_real_dgn_reads_without_error():
    path = REALDATA / "dgn_v7_dgnlib" / "tag.dgn"
    if not path.exists():
        pytest.skip("shared/realdata not present")
    gdf = pyogrio.read_dataframe(path)
    polys, _ = polygons_from_drawing(gdf, "parcels")
    assert len(polys) >= 2 and polys.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert polys.attrs["records_read"] == len(gdf)


def test_lines_beside_closed_shapes_are_read_as_drawn():
    # one parcel drawn as a shape, two beside it as loose lines: all three are parcels
    gdf = drawing()
    gdf.loc[len(gdf)] = {"Text": None, "geometry": box(X + 20, Y, X + 30, Y + 10)}
    gdf.loc[len(gdf)] = {"Text": "14", "geometry": Point(X + 25, Y + 5)}
    polys, findings = polygons_from_drawing(gdf, "parcels")
    polys = polys.sort_values("parcel").reset_index(drop=True)
    assert list(polys.parcel) == ["013", "12", "14"]
    assert list(polys.area) == pytest.approx([100, 100, 100])
    built = next(f for f in findings if f.check == "drawing_polygonized")
    assert built.params == {"lines": 5, "shapes": 1, "polygons": 3}


def test_a_face_with_two_numbers_keeps_none_and_a_number_in_no_face_is_listed():
    gdf = drawing().iloc[[0, 1, 2, 3, 5, 7]]  # no middle line: one 20 × 10 face, labels 12, 013
    gdf.loc[99] = {"Text": "45", "geometry": Point(X + 50, Y + 50)}
    polys, findings = polygons_from_drawing(gdf.reset_index(drop=True), "parcels")
    assert len(polys) == 1 and polys.parcel.isna().all()  # never the one that happens first
    two = next(f for f in findings if f.check == "drawing_face_labels")
    assert two.params == {"labels": "013, 12"} and two.area_m2 == pytest.approx(200)
    outside = next(f for f in findings if f.check == "drawing_label_outside")
    assert outside.params == {"label": "45"} and outside.listed
    assert outside.feature == f"45 ({X + 50:.1f}, {Y + 50:.1f})"
    # every element is used or listed, once
    listed = sum(f.count for f in findings if f.listed)
    assert polys.attrs["records_used"] + listed == polys.attrs["records_read"] == 7


def _dxf(path, lines, texts) -> None:
    """A drawing as AutoCAD writes it (R12 entities): polylines on RANH, texts on SO_THUA."""
    out = ["0", "SECTION", "2", "ENTITIES"]
    for points in lines:
        out += ["0", "LWPOLYLINE", "8", "RANH", "90", str(len(points)), "70", "0"]
        for x, y in points:
            out += ["10", f"{X + x:.3f}", "20", f"{Y + y:.3f}"]
    for x, y, text in texts:
        out += ["0", "TEXT", "8", "SO_THUA", "10", f"{X + x:.3f}", "20", f"{Y + y:.3f}"]
        out += ["30", "0.0", "40", "1.0", "1", text]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*out, "0", "ENDSEC", "0", "EOF"]) + "\n")


def test_sheets_drawn_in_cad_files_take_their_sheet_from_the_path(tmp_path, monkeypatch):
    # sheet 12 of Hợp Thành: a closed outline 0–20 × 0–10, a loose line at x = 10
    _dxf(
        tmp_path / "dia_chinh" / "Hop Thanh" / "To 12.dxf",
        [[(0, 0), (20, 0), (20, 10), (0, 10), (0, 0)], [(10, -1), (10, 11)]],
        [(5, 5, "1"), (15, 5, "2"), (15, 3, "BHK")],
    )
    # a DGN sheet 3 km away: its header says where it is, so it is never read
    far = gpd.GeoDataFrame(
        geometry=[LineString([(X + 3000, Y), (X + 3020, Y)]), box(X + 3000, Y, X + 3010, Y + 10)]
    )
    pyogrio.write_dataframe(
        far, tmp_path / "dia_chinh" / "Hop Thanh" / "To 40.dgn", driver="DGN"
    )  # no CRS, as DGN v7
    write_layer(tmp_path / "row.gpkg", [{"geometry": box(X, Y, X + 20, Y + 5)}])
    write_book_csv(
        tmp_path / "book.csv",
        [{"Xã": "Hợp Thành", "Tờ bản đồ": 12, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"}],
    )
    cfg = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = { paths = ["dia_chinh/**/*.dxf", "dia_chinh/**/*.dgn"], '
        'path_pattern = "{commune}/To {sheet}" }\n'
        'handovers = "book.csv"\n[[projects]]\nid = "P"\nrow = "row.gpkg"\n',
    )
    opened = files_read(monkeypatch)
    result = compute_progress(cfg)
    assert opened == ["To 12.dxf"]
    parcels = result.parcels.sort_values("parcel")
    assert parcels[["sheet", "parcel"]].astype(str).values.tolist() == [["12", "1"], ["12", "2"]]
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(50)
    assert result.inputs.in_layer["parcels"] == 5 + 2  # the far sheet's elements, from its header


@pytest.mark.parametrize(
    ("text", "number", "use"),
    [
        ("45", "45", None),
        ("ONT+CLN", None, "ONT+CLN"),
        ("45/LUC", "45", "LUC"),
        ("45\\PLUC\\P1234.5", "45", "LUC"),  # MTEXT lines: number, land use, area
        ("45\n1234,5", "45", None),
        ("12/45", None, None),  # two numbers: neither
        ("45/1200", None, None),  # an area without decimals is a number too: neither
        ("45/đất ở", None, None),  # a part that is no label
        ("Km3+700", None, None),
    ],
)
def test_a_label_may_hold_number_land_use_and_area(text, number, use):
    from gpmb_gis._drawing import _label

    assert _label(text) == (number, use)


def test_a_parcel_drawn_inside_another_is_a_hole_of_it():
    outer = LineString(box(X, Y - 20, X + 100, Y + 40).exterior.coords)
    inner = LineString(box(X + 40, Y, X + 60, Y + 20).exterior.coords)
    gdf = gpd.GeoDataFrame(
        {"Text": [None, None, "1", "2"]},
        geometry=[outer, inner, Point(X + 10, Y + 30), Point(X + 50, Y + 10)],
        crs="EPSG:9215",
    )
    polys, _ = polygons_from_drawing(gdf, "parcels")
    areas = dict(zip(polys.parcel, polys.area, strict=True))
    assert areas == pytest.approx({"1": 6000 - 400, "2": 400})


def _sheets_config(folder):
    write_layer(folder / "row.gpkg", [{"geometry": box(X, Y, X + 20, Y + 5)}])
    write_book_csv(
        folder / "book.csv",
        [{"Xã": "Hợp Thành", "Tờ bản đồ": 12, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"}],
    )
    _dxf(
        folder / "dia_chinh" / "Hop Thanh" / "To 12.dxf",
        [[(0, 0), (20, 0), (20, 10), (0, 10), (0, 0)], [(10, -1), (10, 11)]],
        [(5, 5, "1"), (15, 5, "2")],
    )
    return write_config(
        folder,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = { paths = ["dia_chinh/**/*.dxf"], path_pattern = "{commune}/To {sheet}" }\n'
        'handovers = "book.csv"\n[[projects]]\nid = "P"\nrow = "row.gpkg"\n',
    )


def test_a_cad_sheet_away_from_the_row_is_no_error_even_empty_or_without_shapes(tmp_path):
    cfg = _sheets_config(tmp_path)
    _dxf(tmp_path / "dia_chinh" / "Hop Thanh" / "To 40.dxf", [], [(3000, 5, "7")])  # text only
    _dxf(tmp_path / "dia_chinh" / "Hop Thanh" / "To 41.dxf", [], [])  # nothing drawn yet
    result = compute_progress(cfg)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(50)
    empty = result.qa_issues[result.qa_issues["check"] == "file_empty"]
    assert empty["feature"].tolist() == ["dia_chinh/Hop Thanh/To 41.dxf"]
    assert result.inputs.in_layer["parcels"] == 4 + 1  # the far sheet's text is counted


def test_a_cad_sheet_over_the_row_without_shapes_names_itself(tmp_path):
    cfg = _sheets_config(tmp_path)
    _dxf(tmp_path / "dia_chinh" / "Hop Thanh" / "To 13.dxf", [], [(5, 2, "7")])  # text only
    with pytest.raises(InputError, match=r"To 13\.dxf.*no polygon"):
        compute_progress(cfg)


def test_only_the_named_cad_layers_hold_boundaries_and_labels(tmp_path):
    cfg = _sheets_config(tmp_path)
    sheet = tmp_path / "dia_chinh" / "Hop Thanh" / "To 12.dxf"
    text = sheet.read_text()
    # a house outline inside parcel 1 and a grid line across both, on layers of their own
    house = ["0", "LWPOLYLINE", "8", "NHA", "90", "5", "70", "0"]
    for x, y in [(2, 2), (6, 2), (6, 8), (2, 8), (2, 2)]:
        house += ["10", f"{X + x:.3f}", "20", f"{Y + y:.3f}"]
    grid = ["0", "LINE", "8", "LUOI", "10", f"{X - 5:.3f}", "20", f"{Y + 3:.3f}"]
    grid += ["11", f"{X + 25:.3f}", "21", f"{Y + 3:.3f}"]
    sheet.write_text(text.replace("0\nENDSEC", "\n".join([*house, *grid, "0", "ENDSEC"]), 1))
    drawn = compute_progress(cfg)
    assert drawn.progress_by_project.iloc[0].cleared_m2 < 50  # the house and grid cut parcel 2
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            'path_pattern = "{commune}/To {sheet}"',
            'path_pattern = "{commune}/To {sheet}", cad_layers = ["RANH", "so_thua"]',
        ),
        encoding="utf-8",
    )
    named = compute_progress(cfg)
    assert named.progress_by_project.iloc[0].cleared_m2 == pytest.approx(50)
    skipped = named.qa_issues[named.qa_issues["check"] == "drawing_elements_skipped"]
    assert skipped["message"].iloc[0].startswith("2 ")  # the house and the grid line, listed


def test_a_label_inside_shapes_drawn_one_in_another_is_the_innermosts():
    gdf = gpd.GeoDataFrame(
        {"Text": [None, None, "1", "3"]},
        geometry=[
            box(X, Y, X + 20, Y + 10),
            box(X + 12, Y + 2, X + 17, Y + 8),
            Point(X + 5, Y + 5),
            Point(X + 14, Y + 5),
        ],
        crs="EPSG:9215",
    )  # DGN shapes, no line: one polygon each
    polys, findings = polygons_from_drawing(gdf, "parcels")
    assert sorted(polys.parcel) == ["1", "3"]
    assert not [f for f in findings if f.check == "drawing_face_labels"]


@pytest.mark.parametrize(
    ("cad_layers", "error"),
    [
        ('["NHA"]', r"To 12\.dxf: cad_layers \['NHA'\] names none of the drawing's layers"),
        ("[true]", r"cad_layers: must be a list of layer names or level numbers"),
        ('[""]', r"cad_layers: must be a list of layer names or level numbers"),
    ],
)
def test_cad_layers_that_name_nothing_are_refused(tmp_path, cad_layers, error):
    cfg = _sheets_config(tmp_path)
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            'path_pattern = "{commune}/To {sheet}"',
            f'path_pattern = "{{commune}}/To {{sheet}}", cad_layers = {cad_layers}',
        ),
        encoding="utf-8",
    )
    with pytest.raises(GpmbError, match=error):
        compute_progress(cfg)


def test_layer_names_compare_as_written_in_any_form():
    from gpmb_gis._drawing import _layer_key

    decomposed = unicodedata.normalize("NFD", "RANH THỬA")  # as macOS writes it
    assert decomposed != "RANH THỬA" and _layer_key("ranh thửa ") == _layer_key(decomposed)
    assert _layer_key("010") == _layer_key(10)


def test_a_record_whose_parcel_is_in_a_far_cad_sheet_is_outside_the_row(tmp_path):
    cfg = _sheets_config(tmp_path)
    _dxf(
        tmp_path / "dia_chinh" / "Hop Thanh" / "To 40.dxf",
        [[(3000, 0), (3010, 0), (3010, 10), (3000, 10), (3000, 0)]],
        [(3005, 5, "1")],
    )
    with open(tmp_path / "book.csv", "a", encoding="utf-8") as book:
        book.write("Hợp Thành,40,1,01/03/2024\n")
    result = compute_progress(cfg)
    far = result.qa_issues[result.qa_issues["feature"] == "row 3"]
    assert far["check"].tolist() == ["record_outside_row"]  # found in the far sheet, not "no such"
