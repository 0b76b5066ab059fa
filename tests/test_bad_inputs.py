"""The bad-input corpus: each case is a flaw found in real files, built in code, with the
behaviour expected of it written next to it.

Either a clear error — exit 2, one line ``gpmb: error: <where>: <what> — <what to do>`` that
names the file, row or column — or a repair / a row in ``qa_issues.csv``. Never a traceback,
never a silent drop: every case also checks that ``records: N read = M used + K listed``
balances.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from helpers import ORIGIN, poly, rect
from pyproj import Transformer
from shapely.geometry import GeometryCollection, LineString

from gpmb_gis.cli import main

X, Y = ORIGIN


@dataclass
class Dataset:
    """A small good dataset; each case spoils one thing. ROW 0–100 × 0–20 m."""

    parcels: list[dict[str, Any]] = field(default_factory=lambda: [
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 1, "DIENTICH": 800.0, "KHLOAIDAT": "LUC",
         "geometry": rect(0, -10, 40, 30)},
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 2, "DIENTICH": 1200.0, "KHLOAIDAT": "ONT",
         "geometry": rect(40, -10, 70, 30)},
        {"MAXA": "02", "SHBANDO": 2, "SOTHUA": 3, "DIENTICH": 1200.0, "KHLOAIDAT": "CLN",
         "geometry": rect(70, -10, 100, 30)},
    ])  # fmt: skip
    communes: list[dict[str, Any]] = field(default_factory=lambda: [
        {"MAXA": "01", "TENXA": "Xã Hợp Thành", "geometry": rect(-50, -50, 70, 80)},
        {"MAXA": "02", "TENXA": "Xã Tân Liên", "geometry": rect(70, -50, 150, 80)},
    ])  # fmt: skip
    book: list[dict[str, Any]] = field(default_factory=lambda: [
        {"Xã": "Hợp Thành", "Tờ bản đồ": "01", "Số thửa": "1", "Ngày bàn giao": "01/03/2024"},
        {"Xã": "Tân Liên", "Tờ bản đồ": "2", "Số thửa": "3", "Ngày chi trả": "10/02/2024"},
    ])  # fmt: skip
    row: shapely.Geometry = field(default_factory=lambda: rect(0, 0, 100, 20))
    parcels_crs: str | None = "EPSG:9215"
    config_extra: str = ""
    layers_extra: str = ""
    parcels_file: str = "parcels.gpkg"

    def write(self, folder: Path) -> Path:
        gpd.GeoDataFrame(self.parcels, geometry="geometry", crs=self.parcels_crs).to_file(
            folder / self.parcels_file
        )
        gpd.GeoDataFrame(self.communes, geometry="geometry", crs="EPSG:9215").to_file(
            folder / "communes.gpkg"
        )
        gpd.GeoDataFrame({"name": ["row"]}, geometry=[self.row], crs="EPSG:9215").to_file(
            folder / "row.gpkg"
        )
        pd.DataFrame(self.book).to_csv(folder / "book.csv", index=False)
        config = folder / "gpmb.toml"
        config.write_text(
            f'province = "Lạng Sơn"\nas_of = 2024-06-30\n{self.config_extra}\n[layers]\n'
            f'parcels = "{self.parcels_file}"\ncommunes = "communes.gpkg"\n'
            f'handovers = "book.csv"\n{self.layers_extra}\n[[projects]]\nid = "P"\n'
            'row = "row.gpkg"\nalready_clear_land_use = ["DGT"]\n',
            encoding="utf-8",
        )
        return config


def run(config: Path, out: Path, capsys, *flags: str) -> tuple[int, str, str]:
    code = main(["report", "--config", str(config), "--out", str(out), *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expect_error(tmp_path, capsys, data: Dataset, *needles: str, config: Path | None = None):
    config = config or data.write(tmp_path)
    code, _, err = run(config, tmp_path / "out", capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert re.match(r"^gpmb: error: .+: .+ — .+$", lines[0]), lines[0]
    assert "Traceback" not in err and "internal" not in lines[0], lines[0]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, lines[0])


def expect_qa(tmp_path, capsys, data: Dataset, check: str, feature: str | None = None,
              *flags: str) -> pd.DataFrame:  # fmt: skip
    config = data.write(tmp_path)
    code, out, err = run(config, tmp_path / "out", capsys, *flags)
    assert code == 0, err
    for line in out.splitlines():
        if line.startswith("records:"):
            n = [int(w) for w in line.replace("(", " ").split() if w.isdigit()]
            assert n[0] == n[1] + n[2], line
    qa = pd.read_csv(tmp_path / "out" / "tables" / "qa_issues.csv", dtype=str)
    rows = qa[qa.check == check]
    assert len(rows), f"{check} not in {sorted(set(qa.check))}"
    if feature:
        assert rows.feature.str.contains(feature, regex=False).any(), list(rows.feature)
    return qa


# --- geometry -------------------------------------------------------------------------------


def test_bow_tie_parcel_is_repaired_and_listed(tmp_path, capsys):
    """Bow-tie (self-crossing) parcel: made valid with make_valid, area before/after listed."""
    data = Dataset()
    data.parcels[0]["geometry"] = poly([(0, -10), (40, 30), (40, -10), (0, 30), (0, -10)])
    qa = expect_qa(tmp_path, capsys, data, "geometry_repaired", "parcel 1")
    assert "Self-intersection" in qa[qa.check == "geometry_repaired"].message.iloc[0]


def test_spike_ring_is_repaired_and_the_spike_listed(tmp_path, capsys):
    """A ring with a spike (out and back along one line): the spike is dropped and listed."""
    data = Dataset()
    data.parcels[0]["geometry"] = poly(
        [(0, -10), (20, -10), (20, -30), (20, -10), (40, -10), (40, 30), (0, 30), (0, -10)]
    )
    qa = expect_qa(tmp_path, capsys, data, "geometry_repaired", "parcel 1")
    assert "line" in qa[qa.check == "geometry_repaired"].message.iloc[0]


def test_sliver_collapsed_by_precision_is_listed_not_used(tmp_path, capsys):
    """A parcel collapsed to a line by coordinate rounding has no area: listed, not used."""
    data = Dataset()
    data.parcels.append(
        {
            "MAXA": "01",
            "SHBANDO": 1,
            "SOTHUA": 9,
            "geometry": poly([(10, 5), (20, 5), (30, 5), (10, 5)]),
        }
    )
    expect_qa(tmp_path, capsys, data, "geometry_no_area", "parcel 9")


def test_geometry_collection_is_reduced_to_its_polygon(tmp_path, capsys):
    """A collection of a polygon and a stray line: the polygon is kept, the line listed."""
    data = Dataset()
    data.parcels[0]["geometry"] = GeometryCollection(
        [rect(0, -10, 40, 30), LineString([(X, Y), (X - 5, Y - 5)])]
    )
    data.parcels_file = "parcels.geojson"
    expect_qa(tmp_path, capsys, data, "collection_reduced", "parcel 1")


def test_z_coordinates_are_dropped(tmp_path, capsys):
    """3-D parcels (Z from a survey): Z dropped, noted."""
    data = Dataset()
    data.parcels[0]["geometry"] = shapely.force_3d(rect(0, -10, 40, 30), 125.0)
    expect_qa(tmp_path, capsys, data, "z_dropped")


def test_multipart_parcel(tmp_path, capsys):
    """A parcel drawn as two separate polygons: used as drawn, flagged."""
    data = Dataset()
    data.parcels[2]["geometry"] = shapely.union(rect(70, -10, 100, 30), rect(120, 0, 130, 10))
    expect_qa(tmp_path, capsys, data, "parcel_multipart", "parcel 3")


# --- coverage in the right of way ----------------------------------------------------------


def test_overlapping_pair(tmp_path, capsys):
    """Two parcels digitised over each other: the pair and the shared area, counted once."""
    data = Dataset()
    data.parcels[1]["geometry"] = rect(35, -10, 70, 30)
    qa = expect_qa(tmp_path, capsys, data, "parcels_overlap", "parcel 1")
    assert float(qa[qa.check == "parcels_overlap"].area_m2.iloc[0]) == pytest.approx(100)


def test_two_centimetre_gap(tmp_path, capsys):
    """A 2 cm gap between neighbours: a sliver gap with its width and place."""
    data = Dataset()
    data.parcels[1]["geometry"] = rect(40.02, -10, 70, 30)
    qa = expect_qa(tmp_path, capsys, data, "gap_sliver")
    gap = qa[qa.check == "gap_sliver"]
    assert float(gap.area_m2.iloc[0]) == pytest.approx(0.4, rel=1e-6)
    assert "0.020" in gap.message.iloc[0]


# --- keys and areas ------------------------------------------------------------------------


def test_repeated_key(tmp_path, capsys):
    """Two parcels share a sheet/parcel number: listed; a record for it applies to both."""
    data = Dataset()
    data.parcels[1]["SOTHUA"] = 1
    expect_qa(tmp_path, capsys, data, "parcel_key_repeated", "parcel 1")
    qa = pd.read_csv(tmp_path / "out" / "tables" / "qa_issues.csv")
    assert "record_key_repeated" in set(qa.check)


def test_commune_mismatch(tmp_path, capsys):
    """A parcel says commune 02 but lies in commune 01."""
    data = Dataset()
    data.parcels[0]["MAXA"] = "02"
    # the book's record names commune 01: it no longer names the parcel, and says so
    qa = expect_qa(tmp_path, capsys, data, "commune_mismatch", "parcel 1", "--allow-unplaced")
    assert "record_no_parcel" in set(qa.check)


def test_parcel_outside_every_commune(tmp_path, capsys):
    """A parcel in the right of way but outside all commune boundaries."""
    data = Dataset(row=rect(0, 0, 200, 20))
    data.parcels.append(
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 7, "geometry": rect(160, 0, 170, 20)}
    )
    expect_qa(tmp_path, capsys, data, "parcel_outside_communes", "parcel 7")


def test_legal_area_mismatch(tmp_path, capsys):
    """Legal area 1 000 m² on a parcel drawn at 1 600 m²: beyond the 5 % tolerance."""
    data = Dataset()
    data.parcels[0]["DIENTICH"] = 1000.0
    expect_qa(tmp_path, capsys, data, "legal_area_mismatch", "parcel 1")


# --- the handover book ---------------------------------------------------------------------


def test_record_with_no_parcel_names_the_closest(tmp_path, capsys):
    """Sheet 1, parcel 12 does not exist: listed, with the existing keys it may have meant."""
    data = Dataset()
    data.book.append({"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 12})
    qa = expect_qa(tmp_path, capsys, data, "record_no_parcel", "row 4")
    assert "tờ 1 / thửa 1" in qa[qa.check == "record_no_parcel"].message.iloc[0]


def test_impossible_date(tmp_path, capsys):
    """31/02/2024: the cell as written is listed; the record is used without that date."""
    data = Dataset()
    data.book[0]["Ngày kiểm đếm"] = "31/02/2024"
    qa = expect_qa(tmp_path, capsys, data, "date_unparseable", "row 2")
    assert "31/02/2024" in qa[qa.check == "date_unparseable"].message.iloc[0]


def test_date_in_2042(tmp_path, capsys):
    """A handover dated 2042 (a typo for 2024): implausible, and not counted."""
    data = Dataset()
    data.book[1]["Ngày bàn giao"] = "15/03/2042"
    expect_qa(tmp_path, capsys, data, "date_implausible", "row 3")


def test_stages_out_of_order(tmp_path, capsys):
    """Paid on 10/02 but inventoried on 01/04: stages out of order."""
    data = Dataset()
    data.book[1]["Ngày kiểm đếm"] = "01/04/2024"
    expect_qa(tmp_path, capsys, data, "stages_out_of_order", "row 3")


def test_nfd_status_text_is_understood(tmp_path, capsys):
    """Status typed in decomposed Unicode (NFD): read like any other; no finding."""
    data = Dataset()
    data.book[1].pop("Ngày chi trả")
    data.book[1]["Trạng thái"] = unicodedata.normalize("NFD", "Đã bàn giao mặt bằng")
    config = data.write(tmp_path)
    assert run(config, tmp_path / "out", capsys)[0] == 0
    parcels = pd.read_csv(tmp_path / "out" / "tables" / "parcels.csv")
    assert (parcels.stage == "handed_over").sum() == 2


def test_unknown_status_word(tmp_path, capsys):
    """A status the package does not know: flagged with the text as written."""
    data = Dataset()
    data.book[1]["Trạng thái"] = "đang xem xét"
    expect_qa(tmp_path, capsys, data, "unknown_status", "row 3")


def test_unknown_project(tmp_path, capsys):
    """A record for a project not in the config: listed, with the known ids."""
    data = Dataset()
    data.book[0]["Dự án"] = "QL1A"
    expect_qa(tmp_path, capsys, data, "record_unknown_project", "row 2", "--allow-unplaced")


def test_record_for_a_parcel_outside_the_row(tmp_path, capsys):
    """A record for a parcel that the right of way does not touch: listed."""
    data = Dataset()
    data.parcels.append(
        {"MAXA": "02", "SHBANDO": 2, "SOTHUA": 8, "geometry": rect(100, 50, 110, 60)}
    )
    data.book.append(
        {"Xã": "Tân Liên", "Tờ bản đồ": 2, "Số thửa": 8, "Ngày bàn giao": "01/03/2024"}
    )
    expect_qa(tmp_path, capsys, data, "record_outside_row", "row 4")


def test_total_row_is_skipped_and_said(tmp_path, capsys):
    """A total row at the bottom of the book: skipped, listed."""
    data = Dataset()
    data.book.append({"Xã": "Tổng cộng", "Số thửa": "2 thửa"})
    expect_qa(tmp_path, capsys, data, "total_row", "row 4")


# --- text encodings --------------------------------------------------------------------------


def _shapefile_with_tcvn3(data: Dataset, folder: Path, cpg: str | None) -> None:
    data.parcels_file = "parcels.shp"
    for p in data.parcels:
        p["TENXA"] = "x" * 12
    data.parcels[0]["MAXA"] = None
    config = data.write(folder)
    dbf = folder / "parcels.dbf"
    dbf.write_bytes(dbf.read_bytes().replace(b"x" * 12, b"H\xeep Th\xb5nh".ljust(12), 1))
    (folder / "parcels.cpg").unlink(missing_ok=True)
    if cpg:
        (folder / "parcels.cpg").write_text(cpg)
    return config


def test_tcvn3_without_declaration(tmp_path, capsys):
    """TCVN3 bytes and no encoding declared: detected, converted, reported."""
    config = _shapefile_with_tcvn3(Dataset(), tmp_path, cpg="ISO-8859-1")
    code, _, err = run(config, tmp_path / "out", capsys)
    assert code == 0, err
    qa = pd.read_csv(tmp_path / "out" / "tables" / "qa_issues.csv")
    assert "legacy_encoding" in set(qa.check)


def test_cpg_that_lies(tmp_path, capsys):
    """A .cpg that says UTF-8 over TCVN3 bytes: read byte by byte, converted, reported."""
    config = _shapefile_with_tcvn3(Dataset(), tmp_path, cpg="UTF-8")
    code, _, err = run(config, tmp_path / "out", capsys)
    assert code == 0, err
    qa = pd.read_csv(tmp_path / "out" / "tables" / "qa_issues.csv")
    assert {"legacy_encoding", "encoding_declared_wrong"} <= set(qa.check)


# --- coordinates: clear errors -------------------------------------------------------------


def _transform(data: Dataset, fn) -> None:
    for p in data.parcels:
        p["geometry"] = shapely.transform(p["geometry"], fn)


def test_utm48_labelled_as_tm3(tmp_path, capsys):
    """Coordinates in UTM 48N in a file that says TM-3: error naming UTM zone 48N."""
    data = Dataset()
    to_utm = Transformer.from_crs(9215, 3405, always_xy=True)
    _transform(data, lambda xy: pd.DataFrame(to_utm.transform(xy[:, 0], xy[:, 1])).T.values)
    expect_error(tmp_path, capsys, data, "parcels.gpkg", "UTM zone 48N", "EPSG:3405")


def test_swapped_x_and_y(tmp_path, capsys):
    """X holds the northing, as in survey tables: error naming the swap."""
    data = Dataset()
    _transform(data, lambda xy: xy[:, ::-1])
    expect_error(tmp_path, capsys, data, "parcels.gpkg", "swapped")


def test_degrees_without_crs(tmp_path, capsys):
    """Longitude/latitude in a file without a CRS: error saying degrees, how to declare."""
    data = Dataset()
    to_wgs = Transformer.from_crs(9215, 4326, always_xy=True)
    _transform(data, lambda xy: pd.DataFrame(to_wgs.transform(xy[:, 0], xy[:, 1])).T.values)
    data.parcels_crs = None
    expect_error(tmp_path, capsys, data, "parcels.gpkg", "degrees", "EPSG:4326")


# --- files and config: clear errors --------------------------------------------------------


def test_empty_layer(tmp_path, capsys):
    """A parcels layer with no feature."""
    data = Dataset()
    config = data.write(tmp_path)
    gpd.read_file(tmp_path / "parcels.gpkg").iloc[:0].to_file(tmp_path / "parcels.gpkg")
    expect_error(tmp_path, capsys, data, "parcels.gpkg", "empty", config=config)


def test_missing_column_lists_columns_and_nearest(tmp_path, capsys):
    """No parcel-number column: the message lists the columns found and the nearest one."""
    data = Dataset()
    for p in data.parcels:
        p["SO_THUA_DAT"] = p.pop("SOTHUA")
    expect_error(tmp_path, capsys, data, "parcels.gpkg", "SO_THUA_DAT", "nearest")


def test_corrupt_workbook(tmp_path, capsys):
    """A .xlsx that is not a workbook: error saying to save it again."""
    data = Dataset()
    config = data.write(tmp_path)
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04\x14\x00 broken")
    config.write_text(
        config.read_text(encoding="utf-8").replace("book.csv", "book.xlsx"), encoding="utf-8"
    )
    expect_error(tmp_path, capsys, data, "book.xlsx", "save it again", config=config)


def test_unknown_config_key(tmp_path, capsys):
    """A misspelt key: error naming it and the closest valid one."""
    data = Dataset(config_extra='titel = "x"')
    expect_error(tmp_path, capsys, data, "titel", "title")


def test_config_path_that_does_not_exist(tmp_path, capsys):
    """A layer path that does not exist: error naming the key and the file."""
    data = Dataset(layers_extra="")
    config = data.write(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace('"row.gpkg"', '"duong.gpkg"'), encoding="utf-8"
    )
    expect_error(tmp_path, capsys, data, "duong.gpkg", "not found", config=config)


def test_the_corpus_is_at_least_twenty_cases():
    cases = [
        name
        for name in globals()
        if name.startswith("test_") and name != "test_the_corpus_is_at_least_twenty_cases"
    ]
    assert len(cases) >= 20


def test_row_declared_in_the_wrong_zone(tmp_path, capsys):
    """A ROW whose .prj says UTM 48N over TM-3 numbers lands ~280 km away: error."""
    data = Dataset()
    config = data.write(tmp_path)
    row = gpd.read_file(tmp_path / "row.gpkg").set_crs(3405, allow_override=True)
    row.to_file(tmp_path / "row.gpkg")
    expect_error(tmp_path, capsys, data, "row.gpkg", "km from every parcel", config=config)


def test_real_quang_ngai_parcels(tmp_path, capsys):
    """The real Quảng Ngãi file as published (Esri JSON, WGS 84): repeated keys, overlapping
    pairs and the invalid polygon are all reported; every parcel is accounted for."""
    from helpers import REALDATA

    path = REALDATA / "quangngai_parcels_esrijson_REDACTED.json"
    if not path.exists():
        pytest.skip("shared/realdata not present")
    parcels = gpd.read_file(path).to_crs(5898)
    gpd.GeoDataFrame(geometry=[shapely.box(*parcels.total_bounds)], crs=5898).to_file(
        tmp_path / "row.gpkg"
    )
    config = tmp_path / "gpmb.toml"
    config.write_text(
        f'province = "Quảng Ngãi"\n[layers]\nparcels = "{path}"\n'
        '[[projects]]\nid = "ALL"\nrow = "row.gpkg"\n',
        encoding="utf-8",
    )
    assert main(["qa", "--config", str(config), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "records: 3774 read = 3774 used + 0 listed  (parcels)" in out
    qa = pd.read_csv(tmp_path / "out" / "tables" / "qa_issues.csv")
    counts = qa.check.value_counts()
    assert counts["geometry_repaired"] == 1
    assert counts["parcels_overlap"] >= 100
    repeated = qa[qa.check == "parcel_key_repeated"].message.str.extract(r"^(\d+)")[0]
    assert repeated.astype(int).sum() == 421


def test_parcels_layer_that_is_a_table(tmp_path, capsys):
    """The handover book named as the parcels layer: a table has no geometry."""
    data = Dataset()
    config = data.write(tmp_path)
    pd.DataFrame({"Số thửa": [1]}).to_excel(tmp_path / "table.xlsx", index=False)
    config.write_text(config.read_text(encoding="utf-8").replace('"parcels.gpkg"',
                      '"table.xlsx"'), encoding="utf-8")  # fmt: skip
    expect_error(tmp_path, capsys, data, "table.xlsx", "no geometry", config=config)


def test_parcels_as_points(tmp_path, capsys):
    """Parcel centroids instead of parcels: no area to measure."""
    data = Dataset()
    for p in data.parcels:
        p["geometry"] = p["geometry"].centroid
    expect_error(tmp_path, capsys, data, "parcels.gpkg", "no polygon", "Point")


def test_row_drawn_as_a_line(tmp_path, capsys):
    """A right of way given as its centreline: no area."""
    data = Dataset()
    data.row = LineString([(X, Y + 10), (X + 100, Y + 10)])
    expect_error(tmp_path, capsys, data, "row.gpkg", "no polygon", "LineString")
