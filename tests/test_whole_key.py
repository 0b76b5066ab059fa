"""A record matches only on its whole key: never on the part of it that is left (DESIGN §4).

Four parcels numbered 585 on sheets 1–4 of commune 01, one 10 × 10 m each, across a 40 × 10 m
right of way: each case names "parcel 585" without the whole key, and none may count.
"""

from __future__ import annotations

import pytest
from helpers import rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress
from gpmb_gis._errors import InputError


def _case(tmp_path, book: list[dict], projects: tuple[str, ...] = ("X",)):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 40, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": k, "SOTHUA": 585, "geometry": rect(10 * (k - 1), 0, 10 * k, 10)}
        for k in (1, 2, 3, 4)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", book)
    text = 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
    text += 'handovers = "book.csv"\n'
    for pid in projects:
        text += f'[[projects]]\nid = "{pid}"\nrow = "row.gpkg"\n'
    return compute_progress(write_config(tmp_path, text))


def _errors(result, check: str):
    qa = result.qa_issues
    return qa[(qa.check == check) & (qa.severity == "error")]


def test_book_without_a_sheet_column_is_refused_naming_its_headings(tmp_path):
    with pytest.raises(InputError, match=r"no record gives the sheet.*headings found: Xã, Số thửa"):
        _case(tmp_path, [{"Xã": "01", "Số thửa": 585, "Ngày bàn giao": "01/03/2024"}])


def test_record_with_a_blank_sheet_matches_nothing(tmp_path):
    book = [
        {"Xã": "01", "Tờ bản đồ": 2, "Số thửa": 585, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "01", "Tờ bản đồ": "", "Số thửa": 585, "Ngày bàn giao": "01/03/2024"},
    ]
    result = _case(tmp_path, book)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(100.0)  # sheet 2 only
    assert len(_errors(result, "record_no_sheet")) == 1


def test_record_without_a_commune_matches_nothing_when_the_parcels_carry_one(tmp_path):
    book = [
        {"Xã": "01", "Tờ bản đồ": 2, "Số thửa": 585, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "", "Tờ bản đồ": 1, "Số thửa": 585, "Ngày bàn giao": "01/03/2024"},
    ]
    result = _case(tmp_path, book)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(100.0)  # sheet 2 only
    assert "01 / tờ 1 / thửa 585" in _errors(result, "record_no_commune").message.iloc[0]


def test_book_without_a_commune_is_refused(tmp_path):
    with pytest.raises(InputError, match="no record gives the commune"):
        _case(tmp_path, [{"Tờ bản đồ": 1, "Số thửa": 585, "Ngày bàn giao": "01/03/2024"}])


def test_renamed_commune_is_not_matched_on_sheet_and_parcel(tmp_path):
    book = [{"Xã": "Xã Đồng Đăng", "Tờ bản đồ": k, "Số thửa": 585, "Ngày bàn giao": "01/03/2024"}
            for k in (1, 2)]  # fmt: skip
    result = _case(tmp_path, book)
    assert result.progress_by_project.iloc[0].cleared_m2 == 0.0
    assert len(_errors(result, "record_commune_unknown")) == 2


def test_row_without_project_in_a_book_that_names_projects_matches_nothing(tmp_path):
    book = [{"Dự án": "X", "Xã": "01", "Tờ bản đồ": 1, "Số thửa": 585,
             "Ngày bàn giao": "01/03/2024"},
            {"Dự án": "", "Xã": "01", "Tờ bản đồ": 2, "Số thửa": 585,
             "Ngày bàn giao": "01/03/2024"}]  # fmt: skip
    result = _case(tmp_path, book, projects=("X", "Y"))
    by_project = result.progress_by_project.set_index("project").cleared_m2
    assert by_project["X"] == pytest.approx(100.0) and by_project["Y"] == 0.0
    assert len(_errors(result, "record_no_project")) == 1


def test_one_parcel_drawn_twice_shares_its_record_and_says_so(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 7, "geometry": rect(0, 0, 10, 10)},
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 7, "geometry": rect(10, 0, 20, 10)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Xã": "01", "Tờ bản đồ": 1, "Số thửa": 7,
                                           "Ngày bàn giao": "01/03/2024"}])  # fmt: skip
    config = write_config(tmp_path, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                          'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n'
                          '[[projects]]\nid = "X"\nrow = "row.gpkg"\n')  # fmt: skip
    result = compute_progress(config)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(200.0)
    assert "record_key_repeated" in set(result.qa_issues.check)


def test_communes_that_differ_by_a_tone_mark_are_two(tmp_path):
    """Hòa An and Hóa An fold to one spelling; their records never cross (placement aside)."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "CL01", "TENXA": "Xã Hòa An", "geometry": rect(-5, -5, 10, 15)},
        {"MAXA": "CL02", "TENXA": "Xã Hóa An", "geometry": rect(10, -5, 25, 15)}])  # fmt: skip
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "CL01", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)},
        {"MAXA": "CL02", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(10, 0, 20, 10)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Xã Hoà An", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "Hoa An", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"}])  # fmt: skip
    config = write_config(tmp_path, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                          'parcels = "parcels.gpkg"\ncommunes = "communes.gpkg"\n'
                          'handovers = "book.csv"\n[[projects]]\nid = "X"\n'
                          'row = "row.gpkg"\n')  # fmt: skip
    result = compute_progress(config)
    communes = result.progress_by_commune.set_index("commune_code")
    assert communes.loc["CL01", "cleared_m2"] == pytest.approx(100.0)  # "Hoà" is "Hòa"
    assert communes.loc["CL02", "cleared_m2"] == 0.0  # not "Hóa"
    assert len(_errors(result, "record_commune_unknown")) == 1  # "Hoa An": which one?


@pytest.mark.parametrize(
    ("layer", "written", "cleared"),
    [
        (("Xã Hòa An", "Xã Hóa An"), "Xã Hóa An", {"Xã Hòa An": 0.0, "Xã Hóa An": 100.0}),
        (("Thị trấn Alpha", "Xã Alpha"), "Xã Alpha", {"Thị trấn Alpha": 0.0, "Xã Alpha": 100.0}),
        (("Thị trấn Alpha", "Xã Alpha"), "Alpha", {"Thị trấn Alpha": 0.0, "Xã Alpha": 0.0}),
    ],
)
def test_communes_told_apart_without_a_communes_layer(tmp_path, layer, written, cleared):
    """The parcels' own names tell two communes apart where they fold to one spelling."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": name, "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(10 * k, 0, 10 * k + 10, 10)}
        for k, name in enumerate(layer)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Xã": written, "Tờ bản đồ": 1, "Số thửa": 1,
                                           "Ngày bàn giao": "01/03/2024"}])  # fmt: skip
    config = write_config(tmp_path, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                          'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n[[projects]]\n'
                          'id = "X"\nrow = "row.gpkg"\n')  # fmt: skip
    result = compute_progress(config)
    communes = result.progress_by_commune.set_index("commune").cleared_m2
    assert {name: communes[name] for name in layer} == pytest.approx(cleared)
