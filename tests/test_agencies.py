"""Who is late, where it shows: the blockers' step and agency, report.docx, the chart, the QA."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import pytest
from helpers import ORIGIN, rect, write_book_csv, write_config, write_layer
from shapely.geometry import LineString

from gpmb_gis import compute_progress, load_config
from gpmb_gis._errors import ConfigError
from gpmb_gis.labels import word
from gpmb_gis.procedure import agency_on

D = dt.date
CENTRE = "Trung tâm Phát triển quỹ đất"


def _road(tmp_path, book: list[dict], extra: str = "") -> object:
    """A road 100 × 20 m along x, four parcels of 25 m (sheet 1, parcels 1–4), and a book."""
    write_layer(tmp_path / "row.gpkg", [{"name": "row", "geometry": rect(0, 0, 100, 20)}])
    x, y = ORIGIN
    centre = LineString([(x, y + 10), (x + 100, y + 10)])
    write_layer(tmp_path / "centre.gpkg", [{"name": "c", "geometry": centre}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k + 1, "KHLOAIDAT": "LUC", "geometry": rect(25 * k, 0,
                                                                             25 * k + 25, 20)}
        for k in range(4)
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", book)
    return write_config(
        tmp_path,
        'province = "Lạng Sơn"\n[layers]\nparcels = "parcels.gpkg"\nhandovers = "book.csv"\n'
        '[[projects]]\nid = "R"\nrow = "row.gpkg"\ncenterline = "centre.gpkg"\n'
        'start_chainage = "Km0+000"\nchainage_bin_m = 25\n' + extra,
    )


#: Parcel 1 handed over; 2 approved 5/8/2024 and not paid (due 4/9/2024); 3 paid, not handed
#: over; 4 in no record.
ROAD_BOOK = [
    {"Tờ bản đồ": 1, "Số thửa": 1, "Ngày phê duyệt": "01/07/2024", "Ngày chi trả": "15/07/2024",
     "Ngày bàn giao": "01/08/2024"},
    {"Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "05/08/2024", "Ngày chi trả": "",
     "Ngày bàn giao": ""},
    {"Tờ bản đồ": 1, "Số thửa": 3, "Ngày phê duyệt": "01/07/2024", "Ngày chi trả": "20/07/2024",
     "Ngày bàn giao": ""},
]  # fmt: skip


def test_each_blocking_parcel_names_the_step_and_agency_it_waits_on(tmp_path):
    result = compute_progress(_road(tmp_path, ROAD_BOOK), D(2024, 10, 1), allow_unplaced=True)
    parcels = result.blockers[result.blockers["kind"] == "parcel"].set_index("parcel")
    parcels.index = parcels.index.astype(int)
    assert sorted(parcels.index) == [2, 3, 4]
    assert parcels.loc[2, "waiting_step"] == "payment"
    assert parcels.loc[2, "waiting_agency"] == CENTRE
    assert parcels.loc[2, "overdue_days"] == 27  # due 4/9/2024, 27 days before 1/10/2024
    assert parcels.loc[3, "waiting_step"] == "handover"
    assert pd.isna(parcels.loc[3, "overdue_days"])  # handover has no limit by default
    assert parcels.loc[4, "waiting_step"] == "not_in_book"  # the book must list it first
    assert pd.isna(parcels.loc[4, "waiting_agency"])
    assert result.blockers[result.blockers["kind"] == "stretch"]["waiting_step"].isna().all()


def test_the_blockers_table_of_the_index_words_the_step(tmp_path):
    from gpmb_gis.report import write_report

    result = compute_progress(_road(tmp_path, ROAD_BOOK), D(2024, 10, 1), allow_unplaced=True)
    index = write_report(result, tmp_path / "out", maps=False).read_text(encoding="utf-8")
    blocking = html.unescape(index.split(word("blocking_parcels"), 1)[1].split("</table>")[0])
    assert "Chi trả" in blocking and CENTRE in blocking and ">27<" in blocking
    assert word("step_not_in_book") in blocking and "Bàn giao mặt bằng" in blocking


def _late_book(tmp_path) -> object:
    """The road with a recovery decision 47 days overdue on 1/10/2024 (parcel 2)."""
    book = [dict(r, **{"Ngày quyết định thu hồi": d})
            for r, d in zip(ROAD_BOOK, ("05/07/2024", "", "20/07/2024"), strict=True)]  # fmt: skip
    extra = ('[[procedure]]\nstep = "recovery_decision"\nafter = "plan_approved"\n'
             'limit_days = 10\n')  # fmt: skip
    return _road(tmp_path, book, extra)


def test_report_docx_of_every_report_has_the_agencies_section_and_chart(tmp_path):
    import docx

    from gpmb_gis.cli import main

    out = tmp_path / "out"
    assert main(["report", "--config", str(_late_book(tmp_path)), "--as-of", "2024-10-01",
                 "--allow-unplaced", "--out", str(out)]) == 0  # fmt: skip
    document = docx.Document(out / "report.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "IV. ĐÁNH GIÁ VIỆC CHẤP HÀNH THỜI GIAN CỦA CÁC CƠ QUAN, ĐƠN VỊ" in text
    assert "V. KIẾN NGHỊ, ĐỀ XUẤT" in text
    title = next(p.text for p in document.paragraphs if "Kết quả công tác" in p.text)
    assert "Quý" not in title and "01/10/2024" in title  # a report of its date, not a quarter
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    agencies = tables["Cơ quan, đơn vị"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in agencies.rows[1:]}
    # decisions due 11/7 (parcels 1 and 3) and 15/8/2024: on time, 9 days late, overdue
    assert rows["UBND huyện"][:6] == ["UBND huyện", "Quý 3/2024", "3", "1", "1", "1"]
    longest = tables["Mã dự án"]
    assert [c.text for c in longest.rows[1].cells][-3:] == ["15/08/2024", "47", "ngày"]
    assert document.inline_shapes, "the chart of steps late is in the section"
    import openpyxl

    sheets = openpyxl.load_workbook(out / "report.xlsx", read_only=True).sheetnames
    assert {"Cơ quan", "Thời hạn từng bước"} <= set(sheets)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "charts/agencies_late.png" in index and (out / "charts" / "agencies_late.png").exists()


def test_the_chart_stacks_each_agencys_late_and_overdue_steps_per_quarter():
    from gpmb_gis.maps.charts import plot_agencies
    from gpmb_gis.maps.draw import pyplot

    agencies = pd.DataFrame({
        "agency": ["A", "A", "B"], "quarter": ["2024Q3", "2024Q4", "2024Q4"],
        "late": [3, 1, 2], "overdue": [0, 4, 5],
    })  # fmt: skip
    fig, ax = plot_agencies(agencies, title="t")
    heights: dict[float, float] = {}
    hatched = 0.0
    for bar in ax.patches:
        heights[bar.get_x()] = heights.get(bar.get_x(), 0.0) + bar.get_height()
        hatched += bar.get_height() if bar.get_hatch() else 0.0
    assert sorted(heights.values()) == [3, 12]  # 2024Q3: 3 late; 2024Q4: 1 + 4 + 2 + 5
    assert hatched == 9
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Quý 3/2024", "Quý 4/2024"]
    pyplot().close(fig)


def test_qa_lists_steps_out_of_order_unanchored_limits_and_steps_before_their_rule(tmp_path):
    book = [
        {"Tờ bản đồ": 1, "Số thửa": 1, "Ngày trình thẩm định": "10/07/2024",
         "Ngày thẩm định": "01/07/2024", "Ngày phê duyệt": "05/07/2024",
         "Ngày chi trả": "01/08/2024", "Ngày quyết định thu hồi": "06/07/2024"},
        {"Tờ bản đồ": 1, "Số thửa": 2, "Ngày trình thẩm định": "", "Ngày thẩm định": "",
         "Ngày phê duyệt": "01/03/2014", "Ngày chi trả": "01/04/2014",
         "Ngày quyết định thu hồi": ""},
    ]  # fmt: skip
    extra = ('[[procedure]]\nstep = "recovery_decision"\nafter = "notice"\nlimit_days = 10\n'
             '[[procedure]]\nstep = "appraisal"\nlimit_days = 30\n'
             'in_force_from = 2024-07-05\n')  # fmt: skip
    result = compute_progress(_road(tmp_path, book, extra), D(2024, 10, 1), allow_unplaced=True)
    qa = result.qa_issues
    order = qa[qa["check"] == "steps_out_of_order"]
    assert order["message"].tolist() == [
        "Các bước sai thứ tự: Trình thẩm định phương án 10/07/2024 nhưng Thẩm định phương án "
        "01/07/2024"
    ]
    assert order["severity"].tolist() == ["warning"]
    unanchored = qa[qa["check"] == "step_limit_unanchored"]["message"].tolist()
    assert unanchored == [
        "Quyết định thu hồi đất có thời hạn tính từ ngày Thông báo thu hồi đất, nhưng sổ không "
        "ghi ngày đó: bước này không được đánh giá"
    ]
    before = qa[qa["check"] == "step_before_rule"].set_index("feature")["message"]
    assert before["payment"].startswith("1 bản ghi: Chi trả tính từ trước ngày 01/07/2014")
    assert "01/07/2024" not in before.get("appraisal", "")  # counted from 10/07: in force
    steps = result.deadlines()["agency_deadlines"]
    assert set(steps["step"]) == {"payment", "appraisal"}  # 2014's payment is not judged
    assert len(steps[steps["step"] == "payment"]) == 1


def test_a_province_names_the_agency_of_2025_and_when_its_rule_took_effect(tmp_path):
    extra = (
        '[[procedure]]\nstep = "appraisal"\nagency = "Phòng Tài nguyên và Môi trường"\n'
        'agency_2025 = "Phòng Kinh tế xã"\nlimit_days = 30\nin_force_from = 2022-06-16\n'
    )
    steps = load_config(_road(tmp_path, ROAD_BOOK, extra)).procedure
    appraisal = next(s for s in steps if s.name == "appraisal")
    assert agency_on(appraisal, D(2025, 6, 30)) == "Phòng Tài nguyên và Môi trường"
    assert agency_on(appraisal, D(2025, 7, 1)) == "Phòng Kinh tế xã"
    assert appraisal.limit_province.in_force == D(2022, 6, 16)
    assert appraisal.after == "appraisal_submitted"  # the default's, as the table is silent
    bad = _road(tmp_path, ROAD_BOOK, '[[procedure]]\nstep = "appraisal"\n'
                                     'in_force_from = "16/6/2022"\n')  # fmt: skip
    with pytest.raises(ConfigError, match=r"procedure\[0\]\.in_force_from"):
        load_config(bad)


def test_a_book_splitting_the_appraisal_by_component_judges_each_agency(tmp_path):
    book = [dict(r, **{"Ngày trình thẩm định": "01/06/2024",
                       "Ngày thẩm định cây cối, hoa màu": crops,
                       "Ngày thẩm định nhà, vật kiến trúc": houses,
                       "Ngày thẩm định": "20/06/2024"})
            for r, crops, houses in zip(ROAD_BOOK, ("10/06/2024", "05/07/2024", ""),
                                        ("12/06/2024", "", ""), strict=True)]  # fmt: skip
    extra = "".join(f'[[procedure]]\nstep = "{s}"\nlimit_days = 15\n'
                    for s in ("appraisal_crops", "appraisal_structures"))  # fmt: skip
    result = compute_progress(_road(tmp_path, book, extra), D(2024, 10, 1), allow_unplaced=True)
    steps = result.deadlines()["agency_deadlines"]
    steps = {(str(r.parcel), r.step): (r.status, r.days_late, r.agency)
             for r in steps.itertuples(index=False)}  # fmt: skip
    farming, works = "Phòng Nông nghiệp và Phát triển nông thôn", "Phòng Kinh tế và Hạ tầng"
    # 15 days from 1/6/2024 end on Sunday 16/6: due Monday 17/6
    assert steps[("1", "appraisal_crops")] == ("on_time", 0, farming)
    assert steps[("2", "appraisal_crops")] == ("late", 18, farming)
    assert steps[("3", "appraisal_crops")] == ("overdue", 106, farming)
    assert steps[("1", "appraisal_structures")] == ("on_time", 0, works)
    assert steps[("2", "appraisal_structures")][:2] == ("overdue", 106)
    assert not result.qa_issues["check"].isin(["book_column_unknown"]).any()


def test_a_parcel_waits_after_its_last_step_done_by_every_record(tmp_path):
    book = [
        {"Tờ bản đồ": 1, "Số thửa": 2, "Ngày niêm yết": "", "Ngày phê duyệt": "05/08/2024",
         "Ngày chi trả": "", "Ngày bàn giao": ""},  # posting blank, approved: waits on payment
        {"Tờ bản đồ": 1, "Số thửa": 3, "Ngày niêm yết": "01/06/2024",
         "Ngày phê duyệt": "01/07/2024", "Ngày chi trả": "20/07/2024", "Ngày bàn giao": ""},
        {"Tờ bản đồ": 1, "Số thửa": 3, "Ngày niêm yết": "01/06/2024",
         "Ngày phê duyệt": "01/07/2024", "Ngày chi trả": "", "Ngày bàn giao": ""},
        {"Tờ bản đồ": 1, "Số thửa": 4, "Ngày niêm yết": "01/06/2024", "Ngày phê duyệt": "",
         "Ngày chi trả": "", "Ngày bàn giao": ""},
    ]  # fmt: skip
    result = compute_progress(_road(tmp_path, book), D(2024, 10, 1), allow_unplaced=True)
    parcels = result.blockers[result.blockers["kind"] == "parcel"]
    waiting = dict(zip(parcels["parcel"].astype(int), parcels["waiting_step"], strict=True))
    assert waiting[2] == "payment"  # not the posting the book left blank
    assert waiting[3] == "payment"  # one of its two records is not paid yet
    assert waiting[4] == "plan_approved"
    days = dict(zip(parcels["parcel"].astype(int), parcels["overdue_days"], strict=True))
    assert days[3] == 62  # due 31/7/2024, and one record is not paid on 1/10/2024
    assert days[2] == 27
    assert agency_on(next(s for s in result.config.procedure if s.name == "plan_approved"),
                     D(2024, 10, 1)) == parcels.set_index(parcels["parcel"].astype(int)).loc[
        4, "waiting_agency"]  # fmt: skip


def _deadlines(config, day: str) -> pd.DataFrame:
    result = compute_progress(config, D.fromisoformat(day), allow_unplaced=True)
    return result.deadlines()["agency_deadlines"]


def test_a_households_parcels_in_two_rounds_are_judged_apart(tmp_path):
    """A household's parcel paid in 14 days, and its other parcel approved months later."""
    book = [
        {"Mã hộ": "H1", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": "15/03/2024", "Ngày bàn giao": "20/03/2024"},
        {"Mã hộ": "H1", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "01/10/2024",
         "Ngày chi trả": "", "Ngày bàn giao": ""},
    ]  # fmt: skip
    steps = _deadlines(_road(tmp_path, book), "2024-10-15").set_index("parcel")
    steps.index = steps.index.astype(int)
    assert steps.loc[1, "status"] == "on_time"
    assert (steps.loc[2, "status"], steps.loc[2, "due_date"]) == ("not_due", D(2024, 10, 31))


@pytest.mark.parametrize(("paid", "expected"), [
    ("15/03/2024", []),  # on time by the day given; the other row's own day is not known
    ("15/05/2024", [["payment", "late", D(2024, 5, 15)]]),  # late whatever that day was
])  # fmt: skip
def test_a_parcel_written_twice_and_handed_over_is_judged_only_when_surely_late(
    tmp_path, paid, expected
):
    """One row approved and never paid; the other paid and handed over: the parcel is paid."""
    book = [
        {"Tờ bản đồ": 1, "Số thửa": 1, "Ngày phê duyệt": "01/03/2024", "Ngày chi trả": "",
         "Ngày bàn giao": ""},
        {"Tờ bản đồ": 1, "Số thửa": 1, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": paid, "Ngày bàn giao": "20/05/2024"},
    ]  # fmt: skip
    steps = _deadlines(_road(tmp_path, book), "2024-10-15")
    assert steps[["step", "status", "done_date"]].values.tolist() == expected


def test_records_no_parcel_took_are_not_judged_and_the_section_says_how_many(tmp_path):
    from gpmb_gis.agency_report import agency_section

    book = [*ROAD_BOOK, {"Tờ bản đồ": 9, "Số thửa": 99, "Ngày phê duyệt": "01/03/2024",
                         "Ngày chi trả": "", "Ngày bàn giao": ""}]  # fmt: skip
    result = compute_progress(_road(tmp_path, book), D(2024, 10, 15), allow_unplaced=True)
    steps = result.deadlines()["agency_deadlines"]
    assert "99" not in steps["parcel"].astype(str).tolist()
    assert "1 bản ghi không ghép được với thửa nào" in agency_section(result, "vi").judged


def test_a_province_rule_applies_from_its_day_and_the_law_before(tmp_path):
    extra = ('[[procedure]]\nstep = "payment"\nlimit_days = 10\n'
             'in_force_from = 2024-07-01\nsource = "QĐ tỉnh"\n')  # fmt: skip
    steps = _deadlines(_road(tmp_path, ROAD_BOOK, extra), "2024-10-01").set_index("parcel")
    steps.index = steps.index.astype(int)
    # approved 1/7/2024: the province's 10 days (due 11/7), paid 15/7: 4 days late
    assert steps.loc[1, ["status", "days_late", "limit_source"]].tolist() == ["late", 4, "QĐ tỉnh"]
    config = _road(tmp_path, [dict(ROAD_BOOK[1], **{"Ngày phê duyệt": "05/03/2024"})], extra)
    early = _deadlines(config, "2024-10-01")  # approved before the rule: the law's 30 days
    assert early[["status", "limit_source"]].values.tolist() == [
        ["overdue", "Luật Đất đai 2013, Điều 93 khoản 1"]
    ]


def test_a_step_due_on_friday_is_overdue_on_saturday_by_no_working_day(tmp_path):
    extra = ('[[procedure]]\nstep = "payment"\nlimit_days = 10\ndays = "working"\n'
             'source = "QĐ tỉnh"\n')  # fmt: skip
    book = [{"Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "04/10/2024", "Ngày chi trả": "",
             "Ngày bàn giao": ""}]  # fmt: skip
    config = _road(tmp_path, book, extra)
    friday = _deadlines(config, "2024-10-18")
    assert friday[["due_date", "status"]].values.tolist() == [[D(2024, 10, 18), "not_due"]]
    saturday = _deadlines(config, "2024-10-19")
    assert saturday[["status", "days_late", "calendar_days_late"]].values.tolist() == [
        ["overdue", 0, 1]
    ]
    monday = _deadlines(config, "2024-10-21")
    assert monday[["status", "days_late", "calendar_days_late"]].values.tolist() == [
        ["overdue", 1, 3]
    ]


@pytest.mark.parametrize(("table", "where"), [
    ('step = "inventory"\nafter = "handover"\nlimit_days = 5', "procedure[0].after"),
    ('step = "notice"\nafter = "inventory"', "procedure[0].after"),
    ('step = ["payment"]', "procedure[0].step"),
    ('step = "payment"\nlimit_days = 99999999999', "procedure[0].limit_days"),
    ('step = "payment"\nagency = 5', "procedure[0].agency"),
    ('step = "payment"\nsource = "QĐ"', "procedure[0].source"),
    ('step = "payment"\n[[procedure]]\nstep = "payment"', "procedure[1].step"),
])  # fmt: skip
def test_a_procedure_table_that_cannot_be_meant_is_refused(tmp_path, table, where):
    config = _road(tmp_path, ROAD_BOOK, f"[[procedure]]\n{table}\n")
    with pytest.raises(ConfigError, match=where.replace("[", r"\[").replace("]", r"\]")):
        load_config(config)


def test_a_book_dating_no_step_with_a_limit_says_so(tmp_path):
    from gpmb_gis.report import write_report

    book = [{"Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/08/2024"}]
    result = compute_progress(_road(tmp_path, book), D(2024, 10, 1), allow_unplaced=True)
    index = write_report(result, tmp_path / "out", maps=False).read_text(encoding="utf-8")
    section = html.unescape(index.split(word("agencies_title"), 1)[1])
    assert word("nothing_judged") in section and word("none_overdue") in section


def _two_roads(tmp_path, book: list[dict]) -> object:
    """Roads A (x 0–50) and B (x 50–100) over the four parcels of :func:`_road`."""
    _road(tmp_path, book)
    write_layer(tmp_path / "row_a.gpkg", [{"name": "a", "geometry": rect(0, 0, 50, 20)}])
    write_layer(tmp_path / "row_b.gpkg", [{"name": "b", "geometry": rect(50, 0, 100, 20)}])
    return write_config(
        tmp_path,
        'province = "Lạng Sơn"\n[layers]\nparcels = "parcels.gpkg"\nhandovers = "book.csv"\n'
        '[[projects]]\nid = "A"\nrow = "row_a.gpkg"\n[[projects]]\nid = "B"\nrow = "row_b.gpkg"\n',
    )


def test_a_book_without_a_project_column_judges_each_record_under_its_parcels_road(tmp_path):
    book = [
        {"Mã hộ": "H1", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": ""},
        {"Mã hộ": "H2", "Tờ bản đồ": 1, "Số thửa": 4, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": ""},
    ]  # fmt: skip
    result = compute_progress(_two_roads(tmp_path, book), D(2024, 10, 15), allow_unplaced=True)
    steps = result.deadlines()["agency_deadlines"]
    assert sorted(zip(steps["project"], steps["household"], strict=True)) == [
        ("A", "H1"), ("B", "H2")
    ]  # fmt: skip
    agencies = result.deadlines()["agencies"]
    assert agencies[["steps_due", "overdue", "households_waiting"]].sum().tolist() == [2, 2, 2]
    assert agencies["area_waiting_m2"].sum() == pytest.approx(1000.0)  # 2 × 25 × 20 m


def test_households_and_land_waiting_are_counted_once_by_the_packages_keys(tmp_path):
    """H5 written two ways owns parcels 2 and 3; H6 shares parcel 3: 2 households, 2 parcels."""
    book = [
        {"Mã hộ": "H5", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": ""},
        {"Mã hộ": " h5 ", "Tờ bản đồ": 1, "Số thửa": 3, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": ""},
        {"Mã hộ": "H6", "Tờ bản đồ": "01", "Số thửa": 3, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": ""},
    ]  # fmt: skip
    result = compute_progress(_road(tmp_path, book), D(2024, 10, 15), allow_unplaced=True)
    row = result.deadlines()["agencies"].iloc[0]
    assert (row.overdue, row.households_waiting) == (3, 2)
    assert row.area_waiting_m2 == pytest.approx(1000.0)  # parcels 2 and 3, each once


def test_a_blocker_is_overdue_as_long_as_its_longest_waiting_household(tmp_path):
    """Parcel 2 is H3's (paid on time) and H4's (approved 1/6/2024, unpaid)."""
    book = [
        {"Mã hộ": "H3", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "01/03/2024",
         "Ngày chi trả": "10/03/2024", "Ngày bàn giao": ""},
        {"Mã hộ": "H4", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "01/06/2024",
         "Ngày chi trả": "", "Ngày bàn giao": ""},
    ]  # fmt: skip
    result = compute_progress(_road(tmp_path, book), D(2024, 10, 15), allow_unplaced=True)
    steps = result.deadlines()["agency_deadlines"].set_index("household")
    assert steps.loc["H4", "days_late"] == 106 and steps.loc["H3", "status"] == "on_time"
    blockers = result.blockers[result.blockers["kind"] == "parcel"]
    parcel_2 = blockers[blockers["parcel"].astype(int) == 2].iloc[0]
    assert (parcel_2.waiting_step, parcel_2.overdue_days) == ("payment", 106)


def test_the_land_waiting_is_on_the_agency_that_holds_the_step_now(tmp_path):
    """A recovery decision due 30/6/2025 and still open on 1/8/2025: missed by the district,
    held by the commune."""
    book = [{"Tờ bản đồ": 1, "Số thửa": 2, "Ngày phê duyệt": "20/06/2025",
             "Ngày quyết định thu hồi": "", "Ngày chi trả": "", "Ngày bàn giao": ""}]  # fmt: skip
    extra = '[[procedure]]\nstep = "recovery_decision"\nlimit_days = 10\n'
    result = compute_progress(_road(tmp_path, book, extra), D(2025, 8, 1), allow_unplaced=True)
    agencies = result.deadlines()["agencies"].set_index("agency")
    district, commune = agencies.loc["UBND huyện"], agencies.loc["UBND xã"]
    assert (district.overdue, district.households_waiting) == (1, 0)
    assert (commune.steps_due, commune.households_waiting) == (0, 1)
    assert commune.area_waiting_m2 == pytest.approx(500.0)
