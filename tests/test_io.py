"""Reading layers and handover books as offices keep them."""

from __future__ import annotations

import datetime as dt
import unicodedata

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from helpers import CRS, REALDATA, rect, write_layer
from pyproj import CRS as ProjCRS  # noqa: N811

from gpmb_gis import columns as C
from gpmb_gis._errors import CRSError, InputError
from gpmb_gis.config import LayerSource
from gpmb_gis.io.aliases import match_columns, parse_flag, parse_status
from gpmb_gis.io.book import read_handovers
from gpmb_gis.io.vector import read_layer

TM3 = ProjCRS.from_epsg(9215)


def office_book(path, *, total=True):
    """A book like an office's: title rows, merged "Ngày" heading, numbering, sections."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ỦY BAN NHÂN DÂN HUYỆN CAO LỘC"])
    ws.merge_cells("A1:H1")
    ws.append(["BẢNG THEO DÕI BÀN GIAO MẶT BẰNG"])
    ws.append([])
    ws.append(
        [
            "STT",
            "Xã",
            "Tờ bản đồ",
            "Số thửa",
            "Ngày",
            None,
            None,
            None,
            "Trạng thái",
            "Cưỡng chế",
            "Ghi chú",
        ]
    )
    ws.append([None, None, None, None, "Kiểm đếm", "Phê duyệt", "Chi trả", "Bàn giao"])
    for col in "ABCDIJK":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("E4:H4")
    ws.append([f"({i})" for i in range(1, 12)])
    ws.append(["I. Xã Hợp Thành"])
    ws.append(
        [
            1,
            None,
            "05",
            12,
            "01/02/2024",
            dt.datetime(2024, 2, 20),
            45350,
            "2024-03-10",
            "Đã bàn giao",
            "x",
            None,
        ]
    )
    ws.append(
        [
            2,
            unicodedata.normalize("NFD", "xã hợp thành"),
            5,
            "013",
            None,
            None,
            None,
            None,
            "đã kiểm đếm",
            None,
            '=HYPERLINK("x")',
        ]
    )
    ws.append([3, "HOP THANH", 6, 1, "31/02/2024", None, None, None, None, "có", None])
    ws.append([None, None, None, None, None])
    if total:
        ws.append(["Tổng cộng", None, None, "3 thửa"])
    wb.save(path)
    return path


def test_office_book(tmp_path):
    records, findings, read = read_handovers(LayerSource(office_book(tmp_path / "b.xlsx")))
    assert read == 5  # section, three records, total row (blank and numbering rows are not)
    assert list(records[C.SOURCE_ROW]) == [8, 9, 10]
    first = records.iloc[0]
    assert first[C.COMMUNE] == "Xã Hợp Thành"  # from the section row
    assert first[C.INVENTORY_DATE] == dt.date(2024, 2, 1)
    assert first[C.PLAN_APPROVED_DATE] == dt.date(2024, 2, 20)
    assert first[C.PAID_DATE] == dt.date(2024, 2, 28)  # Excel serial 45350
    assert first[C.HANDOVER_DATE] == dt.date(2024, 3, 10)
    assert first[C.ENFORCEMENT] is True or first[C.ENFORCEMENT] == True  # noqa: E712
    assert records.iloc[1]["status_stage"] == C.INVENTORIED
    assert records.iloc[2][C.INVENTORY_DATE] is None
    checks = {f.check for f in findings}
    assert {"section_row", "total_row", "date_unparseable"} <= checks
    bad = next(f for f in findings if f.check == "date_unparseable")
    assert bad.feature == "row 10" and bad.params["value"] == "31/02/2024"


def test_book_csv_with_semicolons(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("Số tờ;Số thửa;Ngày bàn giao\n01;7;05/03/2024\n", encoding="utf-8-sig")
    records, _, read = read_handovers(LayerSource(path))
    assert read == 1 and records.iloc[0][C.HANDOVER_DATE] == dt.date(2024, 3, 5)


def test_book_without_parcel_column_lists_columns_and_nearest(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("Tờ bản đồ,So thua dat,Ngày bàn giao\n1,2,05/03/2024\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_handovers(LayerSource(path))
    assert "So thua dat" in err.value.what and "nearest" in err.value.what


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(InputError, match="cannot be opened"):
        read_handovers(LayerSource(path))


def test_sheet_by_name(tmp_path):
    path = office_book(tmp_path / "b.xlsx")
    with pytest.raises(InputError, match="no sheet"):
        read_handovers(LayerSource(path, layer="Nope"))


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Đã bàn giao mặt bằng", C.HANDED_OVER),
        ("ĐÃ NHẬN TIỀN", C.PAID),
        ("đã phê duyệt phương án", C.PLAN_APPROVED),
        ("Chưa kiểm đếm", C.NOT_STARTED),
        ("handed over", C.HANDED_OVER),
        (unicodedata.normalize("NFD", "đã chi trả"), C.PAID),
        ("???", None),
    ],
)
def test_parse_status(text, stage):
    assert parse_status(text) == stage


def test_parse_flag():
    assert parse_flag("x") is True and parse_flag("Có") is True and parse_flag(None) is False
    assert parse_flag("Đơn ngày 12/5") is True and parse_flag("Không") is False
    assert parse_flag(2) is None


def test_aliases_and_field_mapping():
    names = ["SHBANDO", "So_thua", "Loại đất", "DienTich", "Chu_SD", "weird"]
    mapped = match_columns(names, "parcels", {"weird": "commune"})
    assert mapped == {
        "SHBANDO": "sheet",
        "So_thua": "parcel",
        "Loại đất": "land_use",
        "DienTich": "legal_area_m2",
        "Chu_SD": "owner",
        "weird": "commune",
    }


def test_layer_without_crs_takes_the_config_crs(tmp_path):
    path = write_layer(
        tmp_path / "p.geojson", [{"SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}], crs=None
    )
    gdf, _ = read_layer(LayerSource(path), layer="parcels", project_crs=TM3)
    assert gdf.crs.to_epsg() == 9215 and gdf.area.iloc[0] == pytest.approx(100)


def test_layer_in_another_zone_is_brought_into_the_project_zone(tmp_path):
    src = gpd.GeoDataFrame({"SOTHUA": [1]}, geometry=[rect(0, 0, 100, 100)], crs=CRS)
    src.to_crs(3405).to_file(tmp_path / "p.gpkg")
    gdf, _ = read_layer(LayerSource(tmp_path / "p.gpkg"), layer="parcels", project_crs=TM3)
    assert gdf.crs.to_epsg() == 9215
    assert gdf.area.iloc[0] == pytest.approx(10_000, rel=1e-3)


def test_degrees_without_crs_is_an_error(tmp_path):
    wgs = gpd.GeoDataFrame({"SOTHUA": [1]}, geometry=[rect(0, 0, 10, 10)], crs=CRS).to_crs(4326)
    path = tmp_path / "p.geojson"
    wgs.set_crs(None, allow_override=True).to_file(path)
    path.write_text(path.read_text().replace('"crs"', '"_crs"'))
    with pytest.raises(CRSError, match="degrees"):
        read_layer(LayerSource(path, crs="EPSG:9215"), layer="parcels", project_crs=TM3)


def test_empty_layer(tmp_path):
    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"SOTHUA": []}, geometry=[], crs=CRS).to_file(path)
    with pytest.raises(InputError, match="empty"):
        read_layer(LayerSource(path), layer="parcels", project_crs=TM3)


def test_not_a_gis_file(tmp_path):
    path = tmp_path / "p.gpkg"
    path.write_text("hello")
    with pytest.raises(InputError, match="cannot be read"):
        read_layer(LayerSource(path), layer="parcels", project_crs=TM3)


def _tcvn3_shapefile(tmp_path, cpg=None):
    path = tmp_path / "p.shp"
    write_layer(path, [{"TENXA": "x" * 12, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}])
    dbf = tmp_path / "p.dbf"
    raw = dbf.read_bytes().replace(b"x" * 12, b"H\xeep Th\xb5nh".ljust(12))
    dbf.write_bytes(raw)
    if cpg is None:
        (tmp_path / "p.cpg").unlink(missing_ok=True)
    else:
        (tmp_path / "p.cpg").write_text(cpg)
    return path


def test_declared_tcvn3_is_converted(tmp_path):
    path = _tcvn3_shapefile(tmp_path)
    gdf, _ = read_layer(LayerSource(path, encoding="tcvn3"), layer="parcels", project_crs=TM3)
    assert gdf["commune"].iloc[0].strip() == "Hợp Thành"


def test_undeclared_tcvn3_is_detected_and_reported(tmp_path):
    path = _tcvn3_shapefile(tmp_path, cpg="ISO-8859-1")
    gdf, findings = read_layer(LayerSource(path), layer="parcels", project_crs=TM3)
    assert gdf["commune"].iloc[0].strip() == "Hợp Thành"
    assert any(f.check == "legacy_encoding" and f.params["encoding"] == "tcvn3" for f in findings)


def test_layer_text_in_nfd_is_read_as_nfc(tmp_path):
    """A commune typed in decomposed Unicode, among composed and ASCII cells and a blank."""
    nfd = unicodedata.normalize("NFD", "Hợp Thành")
    rows = [{"MAXA": value, "SOTHUA": k, "geometry": rect(10 * k, 0, 10 * k + 10, 10)}
            for k, value in enumerate([nfd, "Hợp Thành", "HOP THANH", None])]  # fmt: skip
    gdf, _ = read_layer(LayerSource(write_layer(tmp_path / "p.gpkg", rows)), layer="parcels",
                        project_crs=TM3)  # fmt: skip
    assert nfd != "Hợp Thành"
    assert gdf["commune"].tolist()[:3] == ["Hợp Thành", "Hợp Thành", "HOP THANH"]
    assert gdf["commune"].isna().tolist() == [False, False, False, True]


def test_real_quang_ngai_esri_json():
    path = REALDATA / "quangngai_parcels_esrijson_REDACTED.json"
    if not path.exists():
        pytest.skip("shared/realdata not present")
    gdf, _ = read_layer(LayerSource(path), layer="parcels", project_crs=ProjCRS.from_epsg(5898))
    assert len(gdf) == 3774
    assert {"sheet", "parcel", "legal_area_m2", "land_use"} <= set(gdf.columns)
    assert gdf.crs.to_epsg() == 5898


def test_legacy_xls_book_with_merged_heading(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("Sổ bàn giao")
    ws.write_merge(0, 0, 0, 5, "BẢNG THEO DÕI")
    for c, name in enumerate(["Tờ bản đồ", "Số thửa"]):
        ws.write_merge(2, 3, c, c, name)
    ws.write_merge(2, 2, 2, 3, "Ngày")
    ws.write(3, 2, "Chi trả")
    ws.write(3, 3, "Bàn giao")
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    ws.write(4, 0, "07")
    ws.write(4, 1, 12)
    ws.write(4, 2, dt.datetime(2024, 2, 1), date_style)
    ws.write(4, 3, "05/03/2024")
    path = tmp_path / "b.xls"
    book.save(str(path))
    records, findings, read = read_handovers(LayerSource(path))
    assert read == 1 and not findings
    rec = records.iloc[0]
    assert rec[C.PAID_DATE] == dt.date(2024, 2, 1)
    assert rec[C.HANDOVER_DATE] == dt.date(2024, 3, 5)
    assert rec[C.SOURCE_ROW] == 5


@pytest.mark.parametrize(
    ("driver", "suffix"),
    [
        ("GPKG", ".gpkg"),
        ("ESRI Shapefile", ".shp"),
        ("GeoJSON", ".geojson"),
        ("FlatGeobuf", ".fgb"),
        ("MapInfo File", ".tab"),
        ("KML", ".kml"),
        ("DXF", ".dxf"),
        ("DGN", ".dgn"),
    ],
)
def test_vector_formats(tmp_path, driver, suffix):
    import pyogrio

    gdf = gpd.GeoDataFrame(
        {"SOTHUA": [1, 2]}, geometry=[rect(0, 0, 10, 10), rect(10, 0, 30, 10)], crs=CRS
    )
    if driver == "KML":
        gdf = gdf.to_crs(4326)
    if driver in ("DXF", "DGN"):
        gdf = gdf[["geometry"]]
    path = tmp_path / f"p{suffix}"
    options = {"BOUNDS": "300000,800000,700000,2700000"} if driver == "MapInfo File" else {}
    pyogrio.write_dataframe(gdf, path, driver=driver, layer_options=options)
    out, _ = read_layer(
        LayerSource(path, crs="EPSG:9215" if driver in ("DXF", "DGN") else None),
        layer="parcels",
        project_crs=TM3,
    )
    # KML stores degrees and MapInfo integer coordinates: both round a little
    rel = 1e-4 if driver in ("KML", "MapInfo File") else 1e-6
    assert sorted(np.round(out.area, 3)) == pytest.approx([100, 200], rel=rel)


def test_book_with_a_sheet_per_project(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Tổng hợp"
    wb.active.append(["Báo cáo tổng hợp", "xem các trang sau"])
    for name, parcel in (("QL4B", 1), ("Cao tốc", 2)):
        ws = wb.create_sheet(name)
        ws.append(["Tờ bản đồ", "Số thửa", "Ngày bàn giao"])
        ws.append([1, parcel, "01/03/2024"])
    wb.save(tmp_path / "b.xlsx")
    records, findings, read = read_handovers(LayerSource(tmp_path / "b.xlsx"))
    assert read == 2
    assert list(records[C.SOURCE_SHEET]) == ["QL4B", "Cao tốc"]
    assert list(records[C.RECORD_LABEL]) == ["QL4B!2", "Cao tốc!2"]
    assert [f.check for f in findings] == ["sheet_skipped"]


def test_cpg_that_lies_is_read_byte_by_byte(tmp_path):
    # the .cpg says UTF-8 over TCVN3 bytes: read again as bytes, TCVN3 detected and converted
    path = _tcvn3_shapefile(tmp_path, cpg="UTF-8")
    gdf, findings = read_layer(LayerSource(path), layer="parcels", project_crs=TM3)
    assert gdf["commune"].iloc[0].strip() == "Hợp Thành"
    assert {"encoding_declared_wrong", "legacy_encoding"} <= {f.check for f in findings}


def test_book_in_tcvn3_bytes_headings_included(tmp_path):
    # "Xã,Số thửa,Trạng thái" / "Hợp Thành,12,Đã bàn giao" typed in a .VnTime font
    heading = b"X\xb8,S\xe8 th\xf6a,Tr\xb9ng th\xb8i\n"
    row = b"H\xeep Th\xb5nh,12,\xa7\xb7 b\xb5n giao\n"
    (tmp_path / "b.csv").write_bytes(heading + row)
    records, findings, _ = read_handovers(LayerSource(tmp_path / "b.csv"))
    assert records.iloc[0][C.COMMUNE] == "Hợp Thành"
    assert records.iloc[0]["status_stage"] == C.HANDED_OVER
    assert any(f.check == "legacy_encoding" for f in findings)


def _cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters precomposed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_book_in_windows_1258(tmp_path):
    text = "Xã,Số thửa,Trạng thái\nHợp Thành,12,Đã bàn giao\n"
    (tmp_path / "b.csv").write_bytes(_cp1258(text))
    records, _, _ = read_handovers(LayerSource(tmp_path / "b.csv"))
    assert records.iloc[0][C.COMMUNE] == "Hợp Thành"
    assert records.iloc[0]["status_stage"] == C.HANDED_OVER


def test_book_text_in_nfd_is_read_as_nfc(tmp_path):
    """A commune typed in decomposed Unicode in one row of a UTF-8 book, composed in another."""
    nfd = unicodedata.normalize("NFD", "Hợp Thành")
    text = f"Xã,Số thửa,Trạng thái\n{nfd},12,Đã bàn giao\nHợp Thành,13,Đã bàn giao\n"
    (tmp_path / "b.csv").write_text(text, encoding="utf-8")
    records, _, _ = read_handovers(LayerSource(tmp_path / "b.csv"))
    assert nfd != "Hợp Thành"
    assert records[C.COMMUNE].tolist() == ["Hợp Thành", "Hợp Thành"]


@pytest.mark.parametrize(("text", "stage"), [("Chưa bàn giao", C.PAID), ("chưa chi trả",
                                             C.PLAN_APPROVED), ("Đã BGMB", C.HANDED_OVER),
                                             ("Chưa phê duyệt", C.INVENTORIED)])  # fmt: skip
def test_not_yet_statuses(text, stage):
    assert parse_status(text) == stage


def test_dates_and_numbers_written_in_words():
    from gpmb_gis._dates import parse_date
    from gpmb_gis._text import number_key

    assert parse_date("Ngày 15 tháng 3 năm 2024") == dt.date(2024, 3, 15)
    assert number_key("Thửa 12") == "12" and number_key("Tờ số 05") == "5"
