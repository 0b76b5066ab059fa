"""Land use written as a code or as its standard name; a clear-land code that matches nothing."""

from __future__ import annotations

import pytest
from helpers import rect, simple_config, write_book_csv, write_layer

from gpmb_gis import compute_progress
from gpmb_gis.land_use import land_use_code


def _case(tmp_path, land_use: str, clear: str):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": 1, "KHLOAIDAT": land_use, "geometry": rect(0, 0, 10, 10)},
        {"SHBANDO": 1, "SOTHUA": 2, "KHLOAIDAT": "Đất ở tại nông thôn",
         "geometry": rect(10, 0, 20, 10)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Tờ bản đồ": 1, "Số thửa": 2, "Trạng thái": ""}])
    return compute_progress(simple_config(tmp_path, f"already_clear_land_use = [{clear}]\n"))


@pytest.mark.parametrize("written", ["DGT", "dgt", "Đất giao thông", "ĐẤT GIAO THÔNG"])
def test_clear_land_matches_the_code_or_its_name(tmp_path, written):
    result = _case(tmp_path, written, '"DGT"')
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(100.0)
    assert "clear_land_use_unmatched" not in set(result.qa_issues.check)


def test_a_clear_land_code_that_matches_no_piece_is_a_warning(tmp_path):
    result = _case(tmp_path, "LUC", '"DGT", "Đất thủy lợi"')
    assert result.progress_by_project.iloc[0].cleared_m2 == 0.0
    qa = result.qa_issues[result.qa_issues.check == "clear_land_use_unmatched"]
    assert len(qa) == 2 and "DGT (Đất giao thông)" in qa.message.iloc[0]
    assert "LUC, ONT" in qa.message.iloc[0]  # the land uses it did find


def test_codes_and_names():
    assert land_use_code("Đất trồng cây lâu năm") == "CLN"
    assert land_use_code("  luc ") == "LUC"
    assert land_use_code("Đất lạ") == "ĐẤT LẠ"


def test_gap_message_gives_coordinates_as_its_feature_column(hand_config):
    qa = compute_progress(hand_config).qa_issues
    gap = qa[qa.check == "gap_in_row"].iloc[0]
    x, y = (part.split("=")[1] for part in gap.feature.split())
    assert f"x={x}, y={y}" in gap.message
