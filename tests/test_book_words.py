"""Words and dates offices write in their books: read as meant, never as a step not done."""

from __future__ import annotations

import pytest
from helpers import rect, simple_config, write_book_csv, write_layer

from gpmb_gis import compute_progress
from gpmb_gis.io.aliases import parse_status, status_flags


@pytest.mark.parametrize(
    ("written", "stage"),
    [
        ("Đã BG", "handed_over"),
        ("BG xong", "handed_over"),
        ("KĐ", "inventoried"),
        ("Đã PD", "plan_approved"),
        ("Đã CT", "paid"),
        ("Đang lập phương án", "inventoried"),
        ("đang thẩm định", "inventoried"),
        ("Đang chi trả", "plan_approved"),
        ("Đang bàn giao", "paid"),
        ("Chưa BG", "paid"),
        ("Khiếu nại", None),
        ("Cưỡng chế kiểm đếm", None),
        ("CTXH", None),  # an abbreviation counts as a whole word only
    ],
)
def test_status_words_of_real_books(written, stage):
    assert parse_status(written) == stage


def test_flags_in_the_status_column():
    assert status_flags("Khiếu nại") == (False, True)
    assert status_flags("Cưỡng chế kiểm đếm") == (True, False)
    assert status_flags("Đã bàn giao") == (False, False)


def _case(tmp_path, book: list[dict], legal: float = 200.0):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 30, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k, "DIENTICH": legal if k == 1 else 100.0,
         "geometry": rect(10 * (k - 1), 0, 10 * k, 10)} for k in (1, 2, 3)])  # fmt: skip
    if book:  # else the test wrote book.csv itself
        write_book_csv(tmp_path / "book.csv", book)
    return compute_progress(simple_config(tmp_path))


def test_complaint_and_enforcement_words_set_their_flags(tmp_path):
    result = _case(tmp_path, [
        {"Tờ bản đồ": 1, "Số thửa": 1, "Trạng thái": "Khiếu nại"},
        {"Tờ bản đồ": 1, "Số thửa": 2, "Trạng thái": "Cưỡng chế kiểm đếm"},
        {"Tờ bản đồ": 1, "Số thửa": 3, "Trạng thái": "Đã BG"}])  # fmt: skip
    parcels = result.parcels.set_index("parcel")
    assert bool(parcels.loc[1, "complaint"]) and not bool(parcels.loc[1, "enforcement"])
    assert bool(parcels.loc[2, "enforcement"]) and not bool(parcels.loc[2, "complaint"])
    assert parcels.loc[3, "stage"] == "handed_over"
    assert "unknown_status" not in set(result.qa_issues.check)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(100.0)


@pytest.mark.parametrize("written", ["01/01/1900", "31/12/1899", "01/01/2031"])
def test_an_implausible_date_is_an_error_not_a_handover(tmp_path, written):
    result = _case(tmp_path, [
        {"Tờ bản đồ": 1, "Số thửa": 1, "Ngày kiểm đếm": "01/02/2024",
         "Ngày bàn giao": written}])  # fmt: skip
    assert result.progress_by_project.iloc[0].cleared_m2 == 0.0
    assert result.parcels.set_index("parcel").loc[1, "stage"] == "inventoried"
    error = result.qa_issues[result.qa_issues.check == "date_implausible"]
    assert len(error) == 1 and error.severity.iloc[0] == "error"


def test_a_negative_legal_area_is_listed(tmp_path):
    result = _case(tmp_path, [{"Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"}],
                   legal=-250.0)  # fmt: skip
    assert "legal_area_negative" in set(result.qa_issues.check)


@pytest.mark.parametrize(
    "written",
    ["Không bàn giao", "not handed over", "sắp bàn giao", "Dự kiến bàn giao 12/2024",
     "Đã bàn giao?", "không đồng ý bàn giao", "Bàn giao chưa xong", "handover pending"],
)  # fmt: skip
def test_denied_planned_or_asked_steps_are_not_done(written):
    assert parse_status(written) not in ("handed_over", "paid")


def test_a_clause_that_denies_a_later_step_keeps_the_earlier_one():
    assert parse_status("Đã kiểm đếm, chưa chi trả") == "inventoried"
    assert parse_status("Đã bàn giao cho chủ đầu tư") == "handed_over"


def test_legal_areas_a_spreadsheet_turned_into_dates_are_listed(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 30, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k, "DIENTICH": area, "geometry": rect(10 * (k - 1), 0, 10 * k, 10)}
        for k, area in ((1, "01/06/8434"), (2, "1.234,5"), (3, "về sau"))])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Tờ bản đồ": 1, "Số thửa": 1, "Trạng thái": ""}])
    qa = compute_progress(simple_config(tmp_path)).qa_issues.set_index("check")
    assert "01/06/8434" in qa.loc["legal_area_is_date", "message"]
    assert "về sau" in qa.loc["legal_area_unreadable", "message"]
    assert "parcel 2" in qa.loc["legal_area_mismatch", "feature"]  # 1 234.5 m² read, 100 drawn


@pytest.mark.parametrize("suffix", ["gpkg", "shp"])
def test_a_record_naming_a_parcel_without_a_shape_is_not_outside_the_row(tmp_path, suffix):
    import geopandas as gpd
    from shapely.geometry import Polygon

    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    shapes = [rect(0, 0, 10, 10), None, Polygon()]
    gpd.GeoDataFrame(
        [{"SHBANDO": 1, "SOTHUA": k + 1, "geometry": g} for k, g in enumerate(shapes)],
        geometry="geometry",
        crs="EPSG:9215",
    ).to_file(tmp_path / f"parcels.{suffix}")
    book = [{"Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": "01/03/2024"} for k in (1, 2, 3)]
    write_book_csv(tmp_path / "book.csv", book)
    config = simple_config(tmp_path)
    config.write_text(config.read_text().replace("parcels.gpkg", f"parcels.{suffix}"))
    result = compute_progress(config)
    qa = result.qa_issues
    shapeless = qa[qa.check.isin(["record_parcel_no_shape", "geometry_empty"])]
    assert "record_outside_row" not in set(qa.check)
    assert len(shapeless) >= 2 and result.unplaced().records >= 1


@pytest.mark.parametrize(
    ("written", "stage"),
    [("Hoàn thành kiểm đếm", "inventoried"), ("Hoàn thành chi trả", "paid"),
     ("Đã hoàn thành phê duyệt PA", "plan_approved"), ("Hoàn thành", "handed_over"),
     ("Ko BG", None), ("K BG", None), ("Kg bàn giao", None), ("Vận động bàn giao", None),
     ("Cam kết bàn giao", None), ("Hẹn bàn giao", None), ("Đề nghị bàn giao", None),
     ("Hủy bàn giao", None), ("Dừng bàn giao", None), ("Chậm bàn giao", None),
     ("BG tạm", None), ("Bàn giao một phần", None), ("BG: chưa", None),
     ("Bàn giao - không", None), ("Bàn giao trước 31/12", None),
     ("BG trong tháng 12/2024", None), ("Đã nhận tiền nhưng chưa bàn giao", "paid")],
)  # fmt: skip
def test_what_offices_write_for_a_step_not_done(written, stage):
    assert parse_status(written) == stage


PLANNED = [
    "Dự kiến ngày 15 tháng 5 năm 2024",
    "hẹn ngày 1 tháng 4 năm 2024",
    "2024-05-15 (dự kiến)",
]


@pytest.mark.parametrize("written", PLANNED)
def test_a_planned_date_is_not_a_handover(tmp_path, written):
    result = _case(tmp_path, [{"Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": written}])
    assert result.progress_by_project.iloc[0].cleared_m2 == 0.0
    assert "date_unparseable" in set(result.qa_issues.check)


def test_an_unknown_status_is_a_doubt_beside_the_figure(tmp_path):
    result = _case(tmp_path, [{"Tờ bản đồ": 1, "Số thửa": 1, "Trạng thái": "Đã GPMB"},
                              {"Tờ bản đồ": 1, "Số thửa": 2, "Trạng thái": "Đã BG"}])  # fmt: skip
    assert result.unplaced().records == 1
    assert "could not be placed or read" in result.unplaced().sentence("en")


def test_a_section_row_written_otherwise_still_heads_its_commune(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": name, "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(x, 0, x + 10, 10)}
        for name, x in (("Xã Alpha", 0), ("Xã Beta", 10))])  # fmt: skip
    (tmp_path / "book.csv").write_text(
        "STT,Xã,Tờ bản đồ,Số thửa,Ngày bàn giao\nI. Xã Alpha,,,,\n1,,1,1,01/03/2024\n"
        "II/ Xã Beta,,,,\n2,,1,1,\nIII,Xã Gamma (3 thửa),,,\n3,,1,1,01/03/2024\n",
        encoding="utf-8")  # fmt: skip
    result = compute_progress(simple_config(tmp_path))
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(100.0)  # Alpha only
    assert (result.qa_issues.check == "section_row").sum() == 3


def test_rows_under_the_total_row_are_the_footer_not_records(tmp_path):
    (tmp_path / "book.csv").write_text(
        "Tờ bản đồ,Số thửa,Ngày bàn giao,Trạng thái\n1,1,01/03/2024,\nTổng cộng,,,\n"
        ',,"Cao Lộc, ngày 30 tháng 6 năm 2024",GIÁM ĐỐC\n,,,Nguyễn Văn A\n',
        encoding="utf-8",
    )  # fmt: skip
    result = _case(tmp_path, [])
    assert result.unplaced().records == 0
    assert (result.qa_issues.check == "footer_row").sum() == 2
