"""Eras in the config: each book's and layer's era, several books, and the report's era."""

from __future__ import annotations

import pytest
from helpers import rect, write_book_csv, write_config, write_layer

from gpmb_gis import ConfigError, compute_progress, load_config


def _two_merged_communes(folder, books: str, extra: str = ""):
    """Lộc Yên (06211 in 2024) has parcel 1/1 (0–50), Thạch Đạn (06199) parcel 1/2 (50–100);
    both became Xã Cao Lộc, whose code in 2025 is 06211 again."""
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(folder / "parcels.gpkg", [
        {"MAXA": "06211", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 50, 20)},
        {"MAXA": "06199", "SHBANDO": 1, "SOTHUA": 2, "geometry": rect(50, 0, 100, 20)},
    ])  # fmt: skip
    return write_config(
        folder,
        f'province = "Lạng Sơn"\nas_of = 2024-06-30\n{extra}\n[layers]\n'
        f'parcels = "parcels.gpkg"\nhandovers = {books}\n[[projects]]\nid = "X"\n'
        'row = "row.gpkg"\n',
    )


def _record(commune: str, parcel: int) -> dict[str, object]:
    return {"Xã": commune, "Tờ bản đồ": 1, "Số thửa": parcel, "Ngày bàn giao": "01/03/2024"}


def test_the_reused_code_06211_is_loc_yen_in_2024_and_xa_cao_loc_in_2025(tmp_path):
    """Parcel 1/2 is Thạch Đạn's: a book of 2025 writing 06211 (Xã Cao Lộc) reaches it, a book
    of 2024 writing 06211 (Lộc Yên) does not."""
    write_book_csv(tmp_path / "old.csv", [_record("06211", 1), _record("06211", 2)])
    write_book_csv(tmp_path / "new.csv", [_record("06211", 2)])
    books = '[{ path = "old.csv", era = 2024 }, { path = "new.csv", era = 2025 }]'
    result = compute_progress(_two_merged_communes(tmp_path, books))
    communes = result.progress_by_commune.set_index("commune")
    assert communes.loc["06211", "cleared_m2"] == pytest.approx(1000.0)  # by the 2024 book
    assert communes.loc["06199", "cleared_m2"] == pytest.approx(1000.0)  # by the 2025 book
    errors = result.qa("error")
    assert errors["feature"].str.startswith("old.csv").tolist() == [True]  # 06211 1/2 of 2024
    assert set(result.progress_by_commune["commune_2025"]) == {"Xã Cao Lộc"}


def test_a_2024_book_writing_a_code_of_2025_only_is_told_so(tmp_path):
    write_book_csv(tmp_path / "book.csv", [_record("06286", 1)])  # Xã Khánh Khê, 2025 only
    result = compute_progress(_two_merged_communes(tmp_path, '"book.csv"'))
    assert result.progress_by_project.loc[0, "cleared_m2"] == 0.0
    notes = result.qa_issues.set_index("check")
    assert "06286" in notes.loc["commune_other_era", "message"]
    assert "era = 2025" in notes.loc["commune_other_era", "message"]


def test_a_book_naming_both_eras_is_read_and_noted(tmp_path):
    write_book_csv(tmp_path / "book.csv", [_record("06211", 1), _record("Xã Cao Lộc", 2)])
    result = compute_progress(_two_merged_communes(tmp_path, '"book.csv"'))
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(2000.0)
    mixed = result.qa_issues[result.qa_issues["check"] == "book_mixes_eras"]
    assert mixed["severity"].tolist() == ["warning"]
    assert "1" in mixed["message"].iloc[0] and "era = 2025" in mixed["message"].iloc[0]


def test_a_book_of_2024_never_reads_a_unit_of_2025(tmp_path):
    write_book_csv(tmp_path / "book.csv", [_record("Xã Cao Lộc", 2)])
    books = '{ path = "book.csv", era = 2024 }'
    result = compute_progress(_two_merged_communes(tmp_path, books))
    assert result.progress_by_project.loc[0, "cleared_m2"] == 0.0
    assert "record_commune_unknown" in set(result.qa("error")["check"])


def test_a_book_of_2025_names_no_parcel_through_a_unit_none_of_the_communes_joined(tmp_path):
    write_book_csv(tmp_path / "book.csv", [_record("06187", 2), _record("Phường Kỳ Lừa", 1)])
    books = '{ path = "book.csv", era = 2025 }'
    result = compute_progress(_two_merged_communes(tmp_path, books))
    assert result.progress_by_project.loc[0, "cleared_m2"] == 0.0
    assert result.qa("error")["check"].tolist() == ["record_commune_unknown"] * 2


def test_two_books_read_with_their_records_told_apart(tmp_path):
    write_book_csv(tmp_path / "a.csv", [_record("06211", 1)])
    write_book_csv(tmp_path / "b.csv", [_record("06199", 2)])
    result = compute_progress(_two_merged_communes(tmp_path, '["a.csv", "b.csv"]'))
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(2000.0)
    assert result.inputs.read["handovers"] == 2
    assert sorted(result.inputs.records["book"]) == ["a.csv", "b.csv"]


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('parcels = { path = "parcels.gpkg", era = 2023 }', "layers.parcels.era"),
        ('parcels = { path = "parcels.gpkg", layer = "a", sheet = "b" }', "layers.parcels"),
        ('parcels = "parcels.gpkg"\nreport_communes = "2026"', "report_communes"),
        ('parcels = "parcels.gpkg"\nhandovers = ["book.csv", "book.csv"]', "layers.handovers[1]"),
    ],
)
def test_eras_and_books_are_checked_in_the_config(tmp_path, line, where):
    write_layer(tmp_path / "parcels.gpkg", [{"SOTHUA": 1, "geometry": rect(0, 0, 1, 1)}])
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 1, 1)}])
    write_book_csv(tmp_path / "book.csv", [_record("06211", 1)])
    path = write_config(
        tmp_path,
        f'province = "Lạng Sơn"\n[layers]\n{line}\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert where in str(caught.value)


def test_the_report_era_follows_the_date_unless_the_config_says(tmp_path):
    import datetime as dt

    write_layer(tmp_path / "parcels.gpkg", [{"SOTHUA": 1, "geometry": rect(0, 0, 1, 1)}])
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 1, 1)}])
    write_book_csv(tmp_path / "book.csv", [_record("06211", 1)])
    text = (
        'province = "Lạng Sơn"\nTOP\n[layers]\nparcels = "parcels.gpkg"\n'
        'handovers = { path = "book.csv", sheet = "x" }\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n'
    )
    config = load_config(write_config(tmp_path, text.replace("TOP", "")))
    assert config.handovers.layer == "x"
    assert config.report_era(dt.date(2025, 6, 30)) == "2024"
    assert config.report_era(dt.date(2025, 7, 1)) == "both"
    config = load_config(write_config(tmp_path, text.replace("TOP", 'report_communes = "2025"')))
    assert config.report_era(dt.date(2024, 1, 1)) == "2025"
