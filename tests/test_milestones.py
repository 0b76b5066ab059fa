"""Milestones on hand-built histories: met, missed, on track, at risk (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import day, rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress
from gpmb_gis.milestones import milestone_table
from gpmb_gis.timeline import timeseries_table


def history(tmp_path, handovers: dict[int, str], milestones: str, as_of: str = "2024-06-30"):
    """A ROW of 10 parcels of 100 m² each (1 000 m²); parcel k handed over on handovers[k].

    Parcels 1–5 lie in commune West, 6–10 in East.
    """
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": k, "geometry": rect((k - 1) * 10, 0, k * 10, 10)}
        for k in range(1, 11)])  # fmt: skip
    write_layer(tmp_path / "communes.gpkg", [
        {"TENXA": "West", "geometry": rect(-10, -10, 50, 20)},
        {"TENXA": "East", "geometry": rect(50, -10, 110, 20)}])  # fmt: skip
    book = [{"Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": d} for k, d in handovers.items()]
    book.append({"Tờ bản đồ": 1, "Số thửa": 10, "Ngày kiểm đếm": "01/01/2024"})  # not handed over
    write_book_csv(tmp_path / "book.csv", book)
    config = write_config(tmp_path, f'province = "Lạng Sơn"\nas_of = {as_of}\n[layers]\n'
                          'parcels = "parcels.gpkg"\ncommunes = "communes.gpkg"\n'
                          'handovers = "book.csv"\n[[projects]]\nid = "P"\nrow = "row.gpkg"\n'
                          f"milestones = [{milestones}]\n")  # fmt: skip
    return milestone_table(compute_progress(config))


def test_reached_late_is_missed_with_the_date_it_was_reached(tmp_path):
    table = history(tmp_path, {1: "01/03/2024", 2: "01/03/2024", 3: "01/03/2024",
                               4: "15/04/2024", 5: "15/04/2024"},
                    "{ date = 2024-03-31, target_pct = 50 }")  # fmt: skip
    row = table.iloc[0]
    assert row.status == "missed"
    assert row.actual_pct == pytest.approx(30.0)  # as of 31/3, not as of the report date
    assert row.reached_date == dt.date(2024, 4, 15)


def test_no_progress_at_all_is_at_risk_without_a_forecast(tmp_path):
    row = history(tmp_path, {}, "{ date = 2024-12-29, target_pct = 100 }").iloc[0]
    assert row.status == "at_risk" and row.forecast_date is None
    assert row.actual_pct == 0
    assert row.needed_pct_per_week == pytest.approx(100 / 26)  # 182 days = 26 weeks
    assert row.recent_pct_per_week == 0


def test_already_above_the_target_is_on_track(tmp_path):
    row = history(tmp_path, {k: "01/02/2024" for k in range(1, 6)},
                  "{ date = 2024-12-31, target_pct = 40 }").iloc[0]  # fmt: skip
    assert row.status == "on_track"
    assert row.forecast_date == dt.date(2024, 2, 1) == row.reached_date
    assert row.needed_pct_per_week == 0


def test_steady_progress_forecast(tmp_path):
    # one parcel a week in June (10 % a week): 40 % on 30/6; the last four weeks gave 40 points
    # (10 %/week), so 100 % is six weeks after 30/6: 11/08/2024
    weekly = {1: "07/06/2024", 2: "14/06/2024", 3: "21/06/2024", 4: "28/06/2024"}
    table = history(tmp_path, weekly, "{ date = 2024-08-31, target_pct = 100 }, "
                    "{ date = 2024-07-31, target_pct = 100 }")  # fmt: skip
    assert list(table.forecast_date) == [dt.date(2024, 8, 11)] * 2
    assert list(table.status) == ["on_track", "at_risk"]
    assert table.recent_pct_per_week.iloc[0] == pytest.approx(10.0)


def test_commune_milestone(tmp_path):
    table = history(tmp_path, {k: "01/03/2024" for k in range(1, 6)},
                    '{ date = 2024-03-31, target_pct = 100, commune = "West" }, '
                    '{ date = 2024-03-31, target_pct = 100, commune = "East" }')  # fmt: skip
    assert list(table.scope) == ["West", "East"]
    assert list(table.status) == ["met", "missed"]
    assert list(table.actual_pct) == pytest.approx([100, 0])


def test_a_report_as_of_a_past_date_says_what_it_said_then(tmp_path):
    history(tmp_path, {1: "01/03/2024", 2: "15/04/2024", 3: "20/05/2024"},
            "{ date = 2024-12-31, target_pct = 100 }")  # fmt: skip
    config = tmp_path / "gpmb.toml"
    later = compute_progress(config, day("30/06/2024"))
    then = compute_progress(config, day("21/04/2024"))
    series = timeseries_table(later)
    series = series[(series.scope == "project") & (series.date == dt.date(2024, 4, 21))]
    assert series.cleared_m2.iloc[0] == then.progress_by_project.cleared_m2.iloc[0] == 200
    assert then.parcels.set_index("parcel").loc[3, "handover_date"] is None
    west = then.progress_by_commune.set_index("commune").loc["West"]
    assert west.cleared_m2 == pytest.approx(200)
    assert isinstance(then.qa_issues, pd.DataFrame)
