"""The procedure's steps, agencies and legal time limits: by law, by era, in working days."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import hand_case, simple_config
from hypothesis import given, settings
from hypothesis import strategies as st

from gpmb_gis import load_config
from gpmb_gis._errors import ConfigError
from gpmb_gis.procedure import (
    DEFAULT_STEPS,
    Limit,
    Step,
    add_days,
    agency_on,
    due_date,
    is_working_day,
    working_days_between,
)

D = dt.date


def _step(name: str) -> Step:
    return next(s for s in DEFAULT_STEPS if s.name == name)


def test_working_days_skip_weekends_and_vietnams_public_holidays():
    assert not is_working_day(D(2025, 1, 29))  # Tết Ất Tỵ
    assert not is_working_day(D(2024, 9, 2)) and not is_working_day(D(2024, 9, 3))
    assert not is_working_day(D(2024, 12, 1))  # a Sunday
    assert is_working_day(D(2024, 12, 2))
    # Friday 26/4/2024: 29/4 (day off), 30/4 and 1/5 are holidays, 27–28/4 a weekend
    assert add_days(D(2024, 4, 26), 1, working=True) == D(2024, 5, 2)
    assert add_days(D(2024, 4, 26), 1, working=False) == D(2024, 4, 27)
    assert working_days_between(D(2025, 1, 24), D(2025, 2, 5)) == 3  # Tết in between
    assert working_days_between(D(2025, 2, 5), D(2025, 1, 24)) == -3


def test_the_limit_is_that_of_the_law_of_the_day_it_counts_from():
    step = Step("posting", "A", "B", "inventory", Limit(20), Limit(30, working=True))
    assert due_date(step, D(2024, 7, 31)) == D(2024, 8, 20)  # Luật Đất đai 2013: 20 days
    assert due_date(step, D(2024, 8, 1)) == add_days(D(2024, 8, 1), 30, working=True)
    # 30 calendar days end on Saturday 31/8/2024; 2–3/9 are National Day: due Wednesday 4/9
    # (Bộ luật Dân sự 2015, Điều 148 khoản 5)
    assert due_date(_step("payment"), D(2024, 8, 1)) == D(2024, 9, 4)
    assert due_date(_step("payment"), D(2024, 8, 5)) == D(2024, 9, 4)  # a working day
    assert due_date(_step("appraisal"), D(2024, 8, 1)) is None  # not cited: the province's


def test_the_agency_is_that_of_the_steps_day():
    appraisal = _step("appraisal")
    assert agency_on(appraisal, D(2025, 6, 30)) == "Phòng Tài nguyên và Môi trường"
    assert agency_on(appraisal, D(2025, 7, 1)) == "UBND xã"  # the district level ended


def test_a_province_override_replaces_one_step_only(tmp_path):
    hand_case(tmp_path)
    config = simple_config(tmp_path).read_text() + (
        '\n[[procedure]]\nstep = "appraisal"\nagency = "Phòng Nông nghiệp và Môi trường"\n'
        'after = "posting"\nlimit_days = 20\ndays = "working"\n'
        'source = "Quyết định 1019/QĐ-UBND, sửa đổi"\n'
    )
    (tmp_path / "gpmb.toml").write_text(config)
    steps = load_config(tmp_path / "gpmb.toml").procedure
    changed = [s for s, d in zip(steps, DEFAULT_STEPS, strict=True) if s != d]
    assert [s.name for s in changed] == ["appraisal"]
    appraisal = changed[0]
    assert agency_on(appraisal, D(2025, 8, 1)) == "Phòng Nông nghiệp và Môi trường"
    assert due_date(appraisal, D(2025, 1, 24)) == add_days(D(2025, 1, 24), 20, working=True)
    assert appraisal.limit_province.source == "Quyết định 1019/QĐ-UBND, sửa đổi"


@pytest.mark.parametrize(("table", "where"), [
    ('step = "paying"', "procedure[0].step"),
    ('step = "payment"\nlimit_days = -3', "procedure[0].limit_days"),
    ('step = "payment"\ndays = "business"', "procedure[0].days"),
    ('step = "payment"\nafter = "payment"', "procedure[0].after"),
    ('step = "payment"\nlimt_days = 30', "procedure[0].limt_days"),
])  # fmt: skip
def test_a_wrong_procedure_table_is_refused_saying_where(tmp_path, table, where):
    hand_case(tmp_path)
    (tmp_path / "gpmb.toml").write_text(simple_config(tmp_path).read_text()
                                        + f"\n[[procedure]]\n{table}\n")  # fmt: skip
    with pytest.raises(ConfigError, match=where.replace("[", r"\[").replace("]", r"\]")):
        load_config(tmp_path / "gpmb.toml")


def _book(tmp_path, extra: str = "") -> object:
    """The hand case with a book of plan approvals, payments and recovery decisions.

    Parcel 5/1 (Hợp Thành): approved 15/7/2024 (the 2013 law), paid 10/8/2024: on time.
    Parcel 5/2 (Tân Liên): approved 5/8/2024 (the 2024 law), paid 20/9/2024: 16 days late.
    Parcel 5/3 (Tân Liên): approved 20/6/2025, no recovery decision, not paid.
    """
    from helpers import write_book_csv

    config = hand_case(tmp_path)
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Hợp Thành", "Tờ bản đồ": 5, "Số thửa": 1, "Ngày phê duyệt": "15/07/2024",
         "Ngày chi trả": "10/08/2024", "Ngày quyết định thu hồi": "20/07/2024"},
        {"Xã": "Tân Liên", "Tờ bản đồ": 5, "Số thửa": 2, "Ngày phê duyệt": "05/08/2024",
         "Ngày chi trả": "20/09/2024", "Ngày quyết định thu hồi": ""},
        {"Xã": "Tân Liên", "Tờ bản đồ": 5, "Số thửa": 3, "Ngày phê duyệt": "20/06/2025",
         "Ngày chi trả": "", "Ngày quyết định thu hồi": ""},
    ])  # fmt: skip
    text = config.read_text().replace("as_of = 2024-04-01\n", "") + extra
    config.write_text(text)
    return config


def _steps(config, day: str, column: str | None = None) -> dict[tuple[str, str], object]:
    """Each (parcel, step): its status, days late and agency, or the value of ``column``."""
    from gpmb_gis import compute_progress
    from gpmb_gis.deadlines import deadlines_table

    result = compute_progress(config, D.fromisoformat(day), allow_unplaced=True)
    table = deadlines_table(result.inputs, result.config.procedure, result.as_of)
    return {(str(r.parcel), r.step): getattr(r, column) if column else (r.status, r.days_late,
                                                                          r.agency)
            for r in table.itertuples(index=False)}  # fmt: skip


def test_steps_are_on_time_late_overdue_or_not_due_as_of_each_report_date(tmp_path):
    override = ('\n[[procedure]]\nstep = "recovery_decision"\nafter = "plan_approved"\n'
                'limit_days = 10\nsource = "quy trình của tỉnh"\n')  # fmt: skip
    config = _book(tmp_path, override)
    early = _steps(config, "2024-08-12")
    assert early[("1", "payment")] == ("on_time", 0, "Trung tâm Phát triển quỹ đất")
    assert early[("2", "payment")][:2] == ("not_due", 0)  # due 4/9/2024
    assert ("3", "payment") not in early  # not approved yet on that day
    assert early[("2", "recovery_decision")][:2] == ("not_due", 0)  # due 15/8/2024
    later = _steps(config, "2024-10-01")
    assert later[("2", "payment")][:2] == ("late", 16)  # due 4/9, paid 20/9
    assert later[("2", "recovery_decision")][:2] == ("overdue", 47)  # due 15/8/2024
    assert later[("1", "recovery_decision")][:2] == ("on_time", 0)
    # across 1/7/2025: the district's steps are the commune's
    after = _steps(config, "2025-08-01")
    assert after[("3", "payment")][:2] == ("overdue", 11)  # 30 days: Sunday 20/7, due 21/7/2025
    # due 30/6/2025: the district missed it; the commune holds it now
    assert after[("3", "recovery_decision")] == ("overdue", 32, "UBND huyện")
    assert _steps(config, "2025-08-01", "agency_now")[("3", "recovery_decision")] == "UBND xã"
    before = _steps(config, "2025-06-30")
    assert before[("3", "recovery_decision")] == ("not_due", 0, "UBND huyện")


def test_each_agency_is_summed_per_quarter_with_the_land_waiting_on_it(tmp_path):
    from gpmb_gis import compute_progress
    from gpmb_gis.report import write_tables

    override = (
        '\n[[procedure]]\nstep = "recovery_decision"\nafter = "plan_approved"\nlimit_days = 10\n'
    )
    result = compute_progress(_book(tmp_path, override), D(2024, 10, 1), allow_unplaced=True)
    paths = write_tables(result, tmp_path / "out", only=("agency_deadlines", "agencies"))
    import pandas as pd

    agencies = pd.read_csv(paths["agencies"]).set_index(["agency", "quarter"])
    district = agencies.loc[("UBND huyện", "2024Q3")]  # decisions due 25/7 and 15/8/2024
    assert (district.steps_due, district.on_time, district.overdue) == (2, 1, 1)
    assert district.households_waiting == 1
    assert district.area_waiting_m2 == pytest.approx(600.0)  # parcel 5/2: 40–70 m of the ROW
    centre = agencies.loc[("Trung tâm Phát triển quỹ đất", "2024Q3")]  # payments
    assert (centre.steps_due, centre.on_time, centre.late, centre.median_days) == (2, 1, 1, 16)
    steps = pd.read_csv(paths["agency_deadlines"])
    law = "Luật Đất đai {}, Điều {} khoản 1"
    expected = {"quy trình của tỉnh", law.format(2013, 93), law.format(2024, 94)}
    assert set(steps["limit_source"]) == expected


def test_the_index_says_who_is_late_and_which_steps_it_could_judge(tmp_path):
    import html as html_module

    from gpmb_gis import compute_progress
    from gpmb_gis.labels import word
    from gpmb_gis.report import write_report

    override = ('\n[[procedure]]\nstep = "recovery_decision"\nafter = "plan_approved"\n'
                "limit_days = 10\n")  # fmt: skip
    result = compute_progress(_book(tmp_path, override), D(2024, 10, 1), allow_unplaced=True)
    index = write_report(result, tmp_path / "out", maps=False).read_text(encoding="utf-8")
    text = html_module.unescape(index)
    assert word("agencies_title") in text
    assert "Các bước được đánh giá: Quyết định thu hồi đất, Chi trả." in text
    longest = text.split(word("longest_overdue"), 1)[1].split("</table>", 1)[0]
    assert "Quyết định thu hồi đất" in longest and ">47<" in longest and "UBND huyện" in longest
    assert ">15/08/2024<" in longest  # the due day as people write it


def test_gpmb_check_fails_on_a_step_overdue_beyond_the_grace(tmp_path, capsys):
    from gpmb_gis.cli import main

    override = ('\n[[procedure]]\nstep = "recovery_decision"\nafter = "plan_approved"\n'
                "limit_days = 10\n")  # fmt: skip
    config = _book(tmp_path, override)  # parcel 5/2's decision: 47 days overdue on 1/10/2024
    assert main(["check", "--config", str(config), "--as-of", "2024-10-01",
                 "--allow-unplaced"]) == 1  # fmt: skip
    said = capsys.readouterr().out
    assert "overdue: P 5/2: recovery_decision (UBND huyện; now UBND huyện)" in said
    assert "47 calendar days late" in said
    config.write_text(config.read_text() + "\n[deadlines]\ngrace_days = 60\n")
    assert main(["check", "--config", str(config), "--as-of", "2024-10-01",
                 "--allow-unplaced"]) == 0  # fmt: skip
    config.write_text(config.read_text().replace("grace_days = 60", "grace_days = -1"))
    assert main(["check", "--config", str(config), "--as-of", "2024-10-01"]) == 2


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2023, 1, 1), D(2026, 12, 31)), st.integers(0, 90))
def test_working_days_counted_and_added_agree_day_by_day(start, days):
    end = add_days(start, days, working=True)
    assert working_days_between(start, end) == days
    assert days == 0 or is_working_day(end)
    walked = sum(is_working_day(start + dt.timedelta(k)) for k in range(1, (end - start).days + 1))
    assert walked == days
