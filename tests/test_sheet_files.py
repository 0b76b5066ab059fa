"""Plain sheet files read raw and checked as one give what each file read on its own gives."""

from __future__ import annotations

import sqlite3
import struct
import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from helpers import CRS, ORIGIN, files_read, poly, rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress, load_config, sheet_files
from gpmb_gis.inputs import read_layers


def _sheet(folder, relative: str, rows: list[dict], crs: str = CRS) -> None:
    path = folder / "dia_chinh" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    write_layer(path, rows, crs)


def _sheets(folder):
    """Sheets of every kind along a 1 km road: plain ones and each way of not being plain."""
    _sheet(folder, "Hop Thanh/To 1.gpkg", [
        {"SOTHUA": k, "CHUSUDUNG": "Nguyễn Văn An", "geometry": rect(10 * k, 0, 10 * k + 10, 20)}
        for k in range(5)
    ])  # fmt: skip
    counted = gpd.GeoDataFrame(
        {"SOTHUA": pd.array([1, None, 3], dtype="Int64"),
         "CHUSUDUNG": ["Lò Thị Bình", None, "Hoàng Văn Cường"]},
        geometry=[rect(50, 0, 60, 20), rect(60, 0, 70, 20), rect(70, 0, 80, 20)], crs=CRS,
    )  # fmt: skip
    (folder / "dia_chinh" / "Hop Thanh").mkdir(parents=True, exist_ok=True)
    counted.to_file(folder / "dia_chinh" / "Hop Thanh" / "To 2.gpkg")
    _sheet(folder, "Hop Thanh/To 3.gpkg", [  # TCVN3 read as Latin-1
        {"SOTHUA": 1, "CHUSUDUNG": "Hîp Thµnh", "geometry": rect(100, 0, 120, 20)},
    ])  # fmt: skip
    _sheet(folder, "Hop Thanh/To 4.gpkg", [  # a bow tie, repaired
        {"SOTHUA": 1, "geometry": poly([(150, 0), (170, 20), (170, 0), (150, 20)])},
        {"SOTHUA": 2, "geometry": rect(170, 0, 190, 20)},
    ])  # fmt: skip
    _sheet(folder, "Tan Lien/To 5.gpkg", [  # with heights
        {"SOTHUA": 1, "geometry": shapely.force_3d(rect(200, 0, 220, 20), 12.5)},
    ])  # fmt: skip
    _sheet(folder, "Tan Lien/To 6.gpkg", [  # its own commune is another
        {"TENXA": "Hợp Thành", "SOTHUA": 1, "geometry": rect(250, 0, 270, 20)},
        {"TENXA": None, "SOTHUA": 2, "geometry": rect(270, 0, 290, 20)},
    ])  # fmt: skip
    _sheet(folder, "bo_sung/them.gpkg", [  # no commune or sheet in the path
        {"SOTHUA": 9, "geometry": rect(300, 0, 320, 20)},
    ])  # fmt: skip
    nfd = unicodedata.normalize("NFD", "Đặng Thị Hoa")
    _sheet(folder, "Tan Lien/To 7.gpkg", [
        {"SOTHUA": 1, "CHUSUDUNG": nfd, "geometry": rect(350, 0, 370, 20)},
    ])  # fmt: skip
    other_zone = gpd.GeoSeries([rect(400, 0, 420, 20), rect(420, 0, 440, 20)], crs=CRS)
    _sheet(folder, "Tan Lien/To 8.gpkg", [
        {"SOTHUA": k + 1, "geometry": g} for k, g in enumerate(other_zone.to_crs(9216))
    ], crs="EPSG:9216")  # fmt: skip
    _sheet(folder, "Tan Lien/To 10.gpkg", [  # near the road, touching it nowhere
        {"SOTHUA": 1, "geometry": rect(500, 21, 520, 40)},
    ])  # fmt: skip
    _sheet(folder, "Tan Lien/To 11.gpkg", [  # far away
        {"SOTHUA": 1, "geometry": rect(3000, 0, 3020, 20)},
    ])  # fmt: skip
    _sheet(folder, "Tan Lien/To 12.gpkg", [  # one touching, one not, one without a shape
        {"SOTHUA": 1, "geometry": rect(600, 0, 620, 20)},
        {"SOTHUA": 2, "geometry": rect(620, 30, 640, 40)},
        {"SOTHUA": 3, "geometry": None},
    ])  # fmt: skip
    return _road_and_config(folder)


def _road_and_config(folder, extra: str = ""):
    """A 1 km right of way, a one-record book, and the config of the sheets of ``dia_chinh``."""
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 1000, 20)}])
    write_book_csv(folder / "book.csv", [{"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1}])
    return write_config(
        folder,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = { paths = ["dia_chinh/**/*.gpkg"], path_pattern = "{commune}/To {sheet}.gpkg"'
        f'{extra} }}\nhandovers = "book.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )


def _read(config_path, monkeypatch, *, raw: bool):
    """The merged layer and its tally, read with plain files raw (or every file alone)."""
    config = load_config(config_path)
    layers = read_layers(config)
    with monkeypatch.context() as patch:
        if not raw:
            patch.setattr(sheet_files, "_may_be_plain", lambda file: False)
        parcels = sheet_files.read_files(config, layers.rows, layers.tally)
    return parcels, layers.tally


def test_plain_files_read_together_give_what_each_read_alone_gives(tmp_path, monkeypatch):
    config = _sheets(tmp_path)
    opened = files_read(monkeypatch)
    together, tally = _read(config, monkeypatch, raw=True)
    raw_reads = list(opened)
    alone, tally_alone = _read(config, monkeypatch, raw=False)
    # the plain files were read raw only; the others raw, then on their own
    for name in ("To 1.gpkg", "To 2.gpkg", "To 6.gpkg", "To 8.gpkg", "To 12.gpkg", "them.gpkg"):
        assert raw_reads.count(name) == 1, name
    for name in ("To 3.gpkg", "To 4.gpkg", "To 5.gpkg", "To 7.gpkg"):
        assert raw_reads.count(name) == 2, name
    assert "To 11.gpkg" not in opened
    pd.testing.assert_frame_equal(together, alone)
    assert tally.read == tally_alone.read and tally.used == tally_alone.used
    assert tally.in_layer == tally_alone.in_layer
    assert tally.findings == tally_alone.findings
    checks = {f.check for f in tally.findings}
    assert {"legacy_encoding", "geometry_repaired", "z_dropped", "commune_not_the_paths",
            "path_pattern_unmatched"} <= checks  # fmt: skip
    assert "Đặng Thị Hoa" in set(together["owner"])  # NFD text put in NFC by its own read


def test_a_file_in_another_zone_is_read_in_the_projects(tmp_path, monkeypatch):
    config = _sheets(tmp_path)
    together, _ = _read(config, monkeypatch, raw=True)
    moved = together[together["source_file"].str.endswith("To 8.gpkg")].geometry
    assert moved.crs == CRS
    assert moved.total_bounds[0] == pytest.approx(ORIGIN[0] + 400, abs=1e-3)


def _blob(geom) -> bytes:
    """A GeoPackage geometry: header (little-endian, no envelope, srs 9215), then WKB."""
    return b"GP\x00\x01" + struct.pack("<i", 9215) + shapely.to_wkb(geom, byte_order=1)


def _edit(path, *statements) -> None:
    """Edit a GeoPackage with SQLite alone, as a tool that does not keep its index would."""
    with sqlite3.connect(path) as con:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            con.execute(f'DROP TRIGGER "{name}"')
        for sql, *args in statements:
            con.execute(sql, args)
    con.close()


def _odd_sheets(folder):
    """Sheets a review found the two reads told apart: each must be read as on its own."""
    sheet = folder / "dia_chinh" / "Hop Thanh"
    sheet.mkdir(parents=True)
    write_layer(sheet / "To 1.gpkg", [{"SOTHUA": k, "geometry": rect(10 * k, 0, 10 * k + 10, 20)}
                                     for k in range(3)])  # fmt: skip
    # parcel 2 redrawn down the road by a tool that left the index as it was
    _edit(
        sheet / "To 1.gpkg",
        ('UPDATE "To 1" SET geom = ? WHERE fid = 2', _blob(rect(500, 0, 510, 20))),
    )
    write_layer(sheet / "To 2.gpkg", [
        {"SOTHUA": k, "geometry": rect(40 + 10 * k, 0, 50 + 10 * k, 20)} for k in range(2)
    ])  # fmt: skip
    broken = _blob(rect(40, 0, 50, 20))[:-20]  # a shape cut short
    _edit(sheet / "To 2.gpkg", ('UPDATE "To 2" SET geom = ? WHERE fid = 1', broken))
    dated = gpd.GeoDataFrame({"SOTHUA": [1], "NGAY": pd.to_datetime(["2024-03-01 08:30"])},
                             geometry=[rect(100, 0, 110, 20)], crs=CRS)  # fmt: skip
    dated.to_file(sheet / "To 3.gpkg")
    write_layer(sheet / "To 4.gpkg", [{"SOTHUA": 1, "_row": 7, "geometry": rect(120, 0, 130, 20)}])
    write_layer(
        sheet / "To 5.gpkg",
        [{"SOTHUA": 1, "GHICHU": "Ng\x00uyen", "geometry": rect(140, 0, 150, 20)}],
    )
    for n, numbers in ((13, [14, 14]), (14, [14, None])):  # a NULL makes the other's numbers 14.0
        sheets_of = gpd.GeoDataFrame(
            {"SOTHUA": [1, 2], "SHBANDO": pd.array(numbers, dtype="Int64")},
            geometry=[rect(40 * n, 0, 40 * n + 10, 20), rect(40 * n + 10, 0, 40 * n + 20, 20)],
            crs=CRS,
        )  # fmt: skip
        sheets_of.to_file(sheet / f"To {n}.gpkg")
    return _road_and_config(folder, ", skip_unreadable = true")


def test_sheets_a_review_told_apart_are_read_as_on_their_own(tmp_path, monkeypatch):
    config = _odd_sheets(tmp_path)
    together, tally = _read(config, monkeypatch, raw=True)
    alone, tally_alone = _read(config, monkeypatch, raw=False)
    pd.testing.assert_frame_equal(together, alone)
    assert tally.findings == tally_alone.findings
    assert (tally.read, tally.in_layer) == (tally_alone.read, tally_alone.in_layer)
    differ = [f for f in tally.findings if f.check == "sheet_not_the_paths"]
    assert [f.params["own"] for f in differ] == ["14"]  # as To 13.gpkg's own read writes it
    assert [f.feature for f in tally.findings if f.check == "file_unreadable"] == [
        "dia_chinh/Hop Thanh/To 2.gpkg"
    ]


def test_a_sheet_whose_index_lost_its_shapes_is_read_whole(tmp_path):
    from test_sheets import _files

    config = _files(tmp_path)
    sheet = tmp_path / "dia_chinh" / "Tan Lien" / "To 3.gpkg"
    with sqlite3.connect(sheet) as con:
        con.execute('DELETE FROM "rtree_To 3_geom"')
    con.close()
    result = compute_progress(config)
    assert "dia_chinh/Tan Lien/To 3.gpkg" in set(result.inputs.parcels["source_file"])
    assert result.progress_by_project.loc[0, "required_m2"] == pytest.approx(2000.0)


def test_a_sheet_in_a_crs_of_no_authority_is_judged_by_its_index(tmp_path):
    from pyproj import CRS as PROJ_CRS
    from test_sheets import _files

    config = _files(tmp_path)
    sheet = tmp_path / "dia_chinh" / "Tan Lien" / "To 3.gpkg"
    custom = PROJ_CRS.from_proj4(
        "+proj=tmerc +lat_0=0 +lon_0=107.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        "+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,"
        "-0.00427372,0.252906278 +units=m +no_defs"
    )
    moved = gpd.read_file(sheet).to_crs(custom)
    sheet.unlink()
    moved.to_file(sheet)
    with sqlite3.connect(sheet) as con:
        assert con.execute("SELECT s.organization FROM gpkg_contents c JOIN gpkg_spatial_ref_sys s "
                           "USING (srs_id)").fetchone()[0] != "EPSG"  # fmt: skip
        # a writer that left the contents table's extent 3 km away
        con.execute("UPDATE gpkg_contents SET min_x = min_x + 3000, max_x = max_x + 3000")
    con.close()
    result = compute_progress(config)
    assert "dia_chinh/Tan Lien/To 3.gpkg" in set(result.inputs.parcels["source_file"])
