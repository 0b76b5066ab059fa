"""Communes of two eras in the tables: each commune's unit of 2025, and the 2025 table."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import SAMPLE_CONFIG, day, rect, simple_config, write_book_csv, write_layer

from gpmb_gis import compute_progress


def test_two_communes_merged_into_one_unit_have_one_row_of_their_union(hand_config):
    """The hand case: West is Hợp Thành, East Tân Liên; both became Phường Kỳ Lừa."""
    result = compute_progress(hand_config, day("01/06/2024"))
    communes = result.progress_by_commune.set_index("commune")
    assert communes.loc["Xã Hợp Thành", "commune_2025"] == "Phường Kỳ Lừa"
    assert communes.loc["Xã Tân Liên", "commune_2025_code"] == "06187"
    new = result.progress_by_commune_2025
    assert new["commune_2025"].tolist() == ["Phường Kỳ Lừa"]
    assert new.loc[0, "old_communes"] == "Xã Hợp Thành; Xã Tân Liên"
    assert new.loc[0, "required_m2"] == pytest.approx(2000.0, abs=0.01)
    assert new.loc[0, "cleared_m2"] == pytest.approx(1400.0, abs=0.01)  # A ∪ D, and C's DGT
    assert new.loc[0, "unmapped_m2"] == pytest.approx(200.0, abs=0.01)


def test_without_commune_polygons_land_of_two_old_communes_counts_once(tmp_path):
    """A (0–40) and D (30–50) in Hợp Thành, B (40–70) in Tân Liên: 40–50 is in both old
    communes (each is the union of its parcels), once in Phường Kỳ Lừa."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": "Hợp Thành", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 40, 20)},
        {"TENXA": "Tân Liên", "SHBANDO": 1, "SOTHUA": 2, "geometry": rect(40, 0, 70, 20)},
        {"TENXA": "Hợp Thành", "SHBANDO": 1, "SOTHUA": 3, "geometry": rect(30, 0, 50, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "Tân Liên", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    result = compute_progress(simple_config(tmp_path))
    old = result.progress_by_commune.set_index("commune")
    assert old.loc["Hợp Thành", "required_m2"] == pytest.approx(1000.0)
    assert old.loc["Tân Liên", "required_m2"] == pytest.approx(600.0)
    new = result.progress_by_commune_2025.set_index("commune_2025")
    assert new.loc["Phường Kỳ Lừa", "required_m2"] == pytest.approx(1400.0)  # not 1 600
    assert new.loc["Phường Kỳ Lừa", "cleared_m2"] == pytest.approx(1400.0)
    assert new["required_m2"].sum() == pytest.approx(2000.0)  # with the 600 m² in no parcel


def test_a_name_found_in_two_old_districts_is_not_guessed(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": "Hồng Phong", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 100, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Hồng Phong", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    result = compute_progress(simple_config(tmp_path))
    assert result.progress_by_commune["commune_2025"].tolist() == [""]
    new = result.progress_by_commune_2025
    assert new["commune_2025_code"].tolist() == [""]
    assert new["commune_2025"].tolist() == ["(chưa rõ xã sau 1/7/2025)"]
    assert new["old_communes"].tolist() == ["Hồng Phong"]


def test_the_2025_rows_add_up_to_each_project_on_the_sample():
    result = compute_progress(SAMPLE_CONFIG)
    totals = result.progress_by_commune_2025.groupby("project")[["required_m2", "cleared_m2"]]
    project = result.progress_by_project.set_index("project")
    for pid, sums in totals.sum().iterrows():
        assert sums["required_m2"] == pytest.approx(project.loc[pid, "required_m2"], abs=0.01)
        assert sums["cleared_m2"] == pytest.approx(project.loc[pid, "cleared_m2"], abs=0.01)


def _merged_case(tmp_path, book):
    """Hợp Thành's parcels 1/1 (0–40) and 1/5 (70–80), Tân Liên's 1/2 (40–70) and 1/5 (80–90):
    both communes became Phường Kỳ Lừa on 1 July 2025."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": "Hợp Thành", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 40, 20)},
        {"TENXA": "Tân Liên", "SHBANDO": 1, "SOTHUA": 2, "geometry": rect(40, 0, 70, 20)},
        {"TENXA": "Hợp Thành", "SHBANDO": 1, "SOTHUA": 5, "geometry": rect(70, 0, 80, 20)},
        {"TENXA": "Tân Liên", "SHBANDO": 1, "SOTHUA": 5, "geometry": rect(80, 0, 90, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", book)
    return compute_progress(simple_config(tmp_path), allow_unplaced=True)


def test_a_record_naming_the_new_unit_joins_the_old_communes_parcel(tmp_path):
    result = _merged_case(tmp_path, [
        {"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "Phường Kỳ Lừa", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(1400.0)
    old = result.progress_by_commune.set_index("commune")
    assert old.loc["Tân Liên", "cleared_m2"] == pytest.approx(600.0)
    checks = result.qa_issues.set_index("check")
    assert "book_communes_2025" in checks.index
    assert "record_commune_unknown" not in checks.index
    assert result.unplaced().records == 0


def test_a_key_two_merged_communes_hold_is_listed_not_joined(tmp_path):
    result = _merged_case(tmp_path, [
        {"Xã": "Kỳ Lừa", "Tờ bản đồ": 1, "Số thửa": 5, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(0.0)
    row = result.qa_issues[result.qa_issues["check"] == "ambiguous_after_merger"]
    assert len(row) == 1
    message = row["message"].iloc[0]
    assert message.endswith("Hợp Thành / tờ 1 / thửa 5; Tân Liên / tờ 1 / thửa 5")  # its holders
    records = result.records.set_index("layer").loc["handovers"]
    assert records["read"] == records["used"] + records["listed"] == 1


def test_a_new_unit_none_of_the_parcels_communes_joined_stays_unknown(tmp_path):
    result = _merged_case(tmp_path, [
        {"Xã": "Xã Đồng Đăng", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(0.0)
    assert "record_commune_unknown" in set(result.qa_issues["check"])


def test_a_new_unit_of_another_kind_is_not_the_old_commune_of_its_name(tmp_path):
    """Xã Cao Lộc (2025: Thanh Lòa, Thạch Đạn, Lộc Yên) is not Thị trấn Cao Lộc (→ Kỳ Lừa)."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": "Thị trấn Cao Lộc", "SHBANDO": 3, "SOTHUA": 1, "geometry": rect(0, 0, 50, 20)},
        {"TENXA": "Xã Lộc Yên", "SHBANDO": 3, "SOTHUA": 1, "geometry": rect(50, 0, 90, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Xã Cao Lộc", "Tờ bản đồ": 3, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    result = compute_progress(simple_config(tmp_path))
    old = result.progress_by_commune.set_index("commune")
    assert old.loc["Xã Lộc Yên", "cleared_m2"] == pytest.approx(800.0)
    assert old.loc["Thị trấn Cao Lộc", "cleared_m2"] == pytest.approx(0.0)


def test_an_ambiguous_record_is_held_by_the_gate(tmp_path):
    from gpmb_gis import InputError
    from gpmb_gis.unplaced import check_unplaced

    result = _merged_case(tmp_path, [
        {"Xã": "Kỳ Lừa", "Tờ bản đồ": 1, "Số thửa": 5, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    assert result.unplaced().records == 1
    with pytest.raises(InputError, match="could not be placed"):
        check_unplaced(result, allow=False)  # 1 of 2 records: over the 2 % limit


def test_what_if_takes_a_new_unit_and_refuses_what_changes_nothing(tmp_path):
    from gpmb_gis import InputError, what_if

    result = _merged_case(tmp_path, [
        {"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    plan = what_if(result, pd.DataFrame({"commune": ["Phường Kỳ Lừa"], "sheet": [1],
                                         "parcel": [2]}), day("30/06/2024"))  # fmt: skip
    assert plan.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(1400.0)
    with pytest.raises(InputError, match="name no parcel"):
        what_if(result, pd.DataFrame({"commune": ["Xã Đồng Đăng"], "sheet": [1],
                                      "parcel": [2]}), day("30/06/2024"))  # fmt: skip


def test_a_users_crosswalk_overrides_and_completes_the_official_one(tmp_path):
    """Hồng Phong is a name of two old districts: the user's crosswalk says which unit."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": "Hồng Phong", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 100, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Xã Đồng Đăng", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    (tmp_path / "xa.csv").write_text("Xã cũ,Mã xã mới,Xã mới\nXã Hồng Phong,06184,Xã Đồng Đăng\n",
                                     encoding="utf-8")  # fmt: skip
    config = simple_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "[layers]", '[communes]\ncrosswalk = "xa.csv"\n[layers]'
    )
    config.write_text(text, encoding="utf-8")
    result = compute_progress(config)
    assert result.progress_by_commune["commune_2025"].tolist() == ["Xã Đồng Đăng"]
    new = result.progress_by_commune_2025
    assert new["commune_2025_code"].tolist() == ["06184"]
    assert new.loc[0, "cleared_m2"] == pytest.approx(2000.0)  # the 2025 book's record joined


def test_a_crosswalk_without_the_needed_columns_is_refused(tmp_path):
    from gpmb_gis import InputError
    from gpmb_gis.units import read_crosswalk

    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="headings found: a, b"):
        read_crosswalk(tmp_path / "x.csv")


def _in_era(hand_config, era: str, **changes):
    import dataclasses

    from gpmb_gis import load_config

    config = dataclasses.replace(load_config(hand_config), report_communes=era, **changes)
    return compute_progress(config, day("01/06/2024"))


def test_the_reports_name_communes_in_the_reports_era(hand_config, tmp_path):
    from gpmb_gis.report import write_index, write_xlsx

    old = _in_era(hand_config, "2024")
    assert old.communes_named()["commune"].tolist() == ["Xã Hợp Thành", "Xã Tân Liên"]
    assert "commune_2024" not in old.progress_by_commune
    new = _in_era(hand_config, "2025")
    named = new.communes_named()
    assert named["commune"].tolist() == ["Phường Kỳ Lừa (Hợp Thành, Tân Liên)"]
    assert named["commune_code"].tolist() == ["06187"]
    assert named["cleared_m2"].sum() == pytest.approx(1400.0, abs=0.01)
    assert new.progress_by_commune["commune_2024"].tolist() == ["Xã Hợp Thành", "Xã Tân Liên"]
    labels = new.commune_labels(["01", "02", ""], ["Xã Hợp Thành", "Xã Tân Liên", "Xã Song Giáp"])
    assert labels == ["P. Kỳ Lừa (Hợp Thành)", "P. Kỳ Lừa (Tân Liên)", "Xã Song Giáp"]
    both = _in_era(hand_config, "both")
    import openpyxl

    book = openpyxl.load_workbook(write_xlsx(both, tmp_path / "r.xlsx", "vi"))
    assert book.sheetnames[1:3] == ["Tiến độ theo xã", "Theo xã trước 1-7-2025"]
    cells = [c.value for row in book["Tiến độ theo xã"].iter_rows() for c in row]
    assert "Phường Kỳ Lừa (Hợp Thành, Tân Liên)" in cells
    assert "Xã Tân Liên" in [c.value for r in book["Theo xã trước 1-7-2025"].iter_rows() for c in r]
    html = write_index(both, tmp_path, [], "vi").read_text(encoding="utf-8")
    assert "Phường Kỳ Lừa (Hợp Thành, Tân Liên)" in html


def test_a_milestone_may_name_a_unit_of_2025(hand_config):
    from gpmb_gis import load_config
    from gpmb_gis.config import Milestone

    project = load_config(hand_config).projects[0]
    target = Milestone(day("30/06/2024"), 70.0, "70 % Kỳ Lừa", commune="Phường Kỳ Lừa")
    import dataclasses

    result = _in_era(
        hand_config,
        "2025",
        projects=(dataclasses.replace(project, milestones=(target,)),),
    )
    row = result.milestones().iloc[0]
    assert row["scope"] == "Phường Kỳ Lừa"
    assert row["actual_pct"] == pytest.approx(70.0)  # 1 400 of 2 000 m²
    assert row["reached_date"] == day("01/05/2024")  # D handed over: A ∪ D and C's DGT


def test_commune_labels_on_a_map_are_drawn_as_written_never_as_mathtext(tmp_path):
    import gpmb_gis as gg

    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 100, 20)},
    ])  # fmt: skip
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "01", "TENXA": "Xã $\\frac{a}{b}$", "geometry": rect(-10, -10, 110, 30)},
    ])  # fmt: skip
    write_book_csv(
        tmp_path / "book.csv", [{"Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"}]
    )
    config = simple_config(tmp_path, "").read_text(encoding="utf-8")
    config = config.replace(
        'parcels = "parcels.gpkg"\n', 'parcels = "parcels.gpkg"\ncommunes = "communes.gpkg"\n'
    )
    (tmp_path / "gpmb.toml").write_text(config, encoding="utf-8")
    result = compute_progress(tmp_path / "gpmb.toml")
    fig, ax = gg.plot_project(result, "X")
    labels = [t.get_text() for t in ax.texts if "frac" in t.get_text()]
    assert labels == ["Xã \\$\\frac{a}{b}\\$"]
    fig.canvas.draw()  # drawn without parsing it
