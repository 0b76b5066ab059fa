"""Plain sheet files read raw and checked as one give what each file read on its own gives."""

from __future__ import annotations

import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from helpers import CRS, ORIGIN, files_read, poly, rect, write_book_csv, write_config, write_layer

from gpmb_gis import load_config, sheet_files
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
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 1000, 20)}])
    write_book_csv(folder / "book.csv", [{"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1}])
    return write_config(
        folder,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = { paths = ["dia_chinh/**/*.gpkg"], path_pattern = "{commune}/To {sheet}.gpkg" }'
        '\nhandovers = "book.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
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
