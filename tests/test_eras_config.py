"""Eras in the config: each book's and layer's era, several books, and the report's era."""

from __future__ import annotations

import pytest
from helpers import rect, write_book_csv, write_config, write_layer

from gpmb_gis import ConfigError, InputError, compute_progress, load_config


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


def _divided_case(folder, *, layer: bool, polygons: bool, extra: str = ""):
    """Xã Bính Xá (06622) was divided between Xã Đình Lập (06613) and Xã Kiên Mộc (06625).
    Parcels 1/1 (0–50, handed over) and 1/2 (50–100); the new boundary runs at x = 60."""
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(folder / "parcels.gpkg", [
        {"MAXA": "06622", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 50, 20)},
        {"MAXA": "06622", "SHBANDO": 1, "SOTHUA": 2, "geometry": rect(50, 0, 100, 20)},
    ])  # fmt: skip
    write_layer(folder / "old.gpkg", [
        {"MAXA": "06622", "TENXA": "Xã Bính Xá", "geometry": rect(-10, -10, 110, 30)},
    ])  # fmt: skip
    write_layer(folder / "new.gpkg", [
        {"MAXA": "06613", "TENXA": "Xã Đình Lập", "geometry": rect(-10, -10, 60, 30)},
        {"MAXA": "06625", "TENXA": "Kiên Mộc", "geometry": rect(60, -10, 110, 30)},
    ])  # fmt: skip
    write_book_csv(folder / "book.csv", [_record("06622", 1)])
    lines = ['parcels = "parcels.gpkg"', 'handovers = "book.csv"']
    lines += ['communes = "old.gpkg"'] if polygons else []
    lines += ['communes_2025 = "new.gpkg"'] if layer else []
    return write_config(
        folder,
        f'province = "Lạng Sơn"\nas_of = 2024-06-30\n{extra}\n[layers]\n'
        + "\n".join(lines)
        + '\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )


@pytest.mark.parametrize("polygons", [True, False])
def test_a_divided_communes_land_is_split_by_the_new_boundaries(tmp_path, polygons):
    result = compute_progress(_divided_case(tmp_path, layer=True, polygons=polygons))
    new = result.progress_by_commune_2025.set_index("commune_2025")
    assert new.loc["Xã Đình Lập", "required_m2"] == pytest.approx(1200.0, abs=0.01)
    assert new.loc["Xã Đình Lập", "cleared_m2"] == pytest.approx(1000.0, abs=0.01)
    assert new.loc["Xã Kiên Mộc", "required_m2"] == pytest.approx(800.0, abs=0.01)
    assert new.loc["Xã Kiên Mộc", "cleared_m2"] == pytest.approx(0.0, abs=0.01)
    assert new["required_m2"].sum() == pytest.approx(2000.0, abs=0.01)
    assert set(new["old_communes"]) == {"Xã Bính Xá" if polygons else "06622"}
    assert new.loc["Xã Đình Lập", "commune_2025_code"] == "06613"
    assert new.loc["Xã Kiên Mộc", "parcels_affected"] == 1  # 1/2: its larger part is there


def test_a_divided_commune_without_the_new_boundaries_stops_the_run(tmp_path):
    with pytest.raises(InputError) as caught:
        compute_progress(_divided_case(tmp_path, layer=False, polygons=True))
    message = str(caught.value)
    assert "Xã Bính Xá" in message and "Xã Kiên Mộc" in message
    assert "communes_2025" in message


def test_the_divided_commune_error_is_a_sentence_at_the_command_line(tmp_path):
    import subprocess
    import sys

    config = _divided_case(tmp_path, layer=False, polygons=True)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gpmb_gis",
            "report",
            "--config",
            str(config),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("gpmb: error: project X: Xã Bính Xá")
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_users_crosswalk_giving_one_unit_needs_no_boundaries(tmp_path):
    (tmp_path / "walk.csv").write_text(
        "commune_2024_code,commune_2025_code,commune_2025\n06622,06625,Xã Kiên Mộc\n",
        encoding="utf-8",
    )
    config = _divided_case(
        tmp_path, layer=False, polygons=True, extra='[communes]\ncrosswalk = "walk.csv"'
    )
    result = compute_progress(config)
    assert result.progress_by_commune_2025["commune_2025"].tolist() == ["Xã Kiên Mộc"]
