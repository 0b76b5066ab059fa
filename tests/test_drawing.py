"""Parcels from drawings (DGN, DXF): boundary lines and text labels."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from helpers import ORIGIN, REALDATA, write_book_csv, write_config, write_layer
from shapely.geometry import LineString, Point, box

from gpmb_gis import compute_progress
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
