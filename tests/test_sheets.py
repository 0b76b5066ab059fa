"""A cadastre in many files, per commune and per map sheet, read as one layer."""

from __future__ import annotations

import geopandas as gpd
import pytest
from helpers import CRS, ORIGIN, files_read, rect, write_book_csv, write_config, write_layer

from gpmb_gis import InputError, compute_progress


def _files(folder, *, far: bool = False, extra: str = "", pattern="{commune}/To {sheet}.gpkg"):
    """Hop Thanh sheet 12: parcels 1 (0–50) and 2 (50–60); Tan Lien sheet 3: parcel 1 (60–100),
    drawn over 50–60 too (the border). ``far``: a sheet 3 km away, touching no right of way."""
    (folder / "dia_chinh" / "Hop Thanh").mkdir(parents=True)
    (folder / "dia_chinh" / "Tan Lien").mkdir(parents=True)
    write_layer(folder / "dia_chinh" / "Hop Thanh" / "To 12.gpkg", [
        {"SOTHUA": 1, "geometry": rect(0, 0, 50, 20)},
        {"SOTHUA": 2, "geometry": rect(50, 0, 60, 20)},
    ])  # fmt: skip
    write_layer(folder / "dia_chinh" / "Tan Lien" / "To 3.gpkg", [
        {"SOTHUA": 1, "geometry": rect(50, 0, 100, 20)},
    ])  # fmt: skip
    if far:
        write_layer(folder / "dia_chinh" / "Tan Lien" / "To 9.gpkg", [
            {"SOTHUA": k, "geometry": rect(3000 + 10 * k, 0, 3010 + 10 * k, 20)} for k in range(5)
        ])  # fmt: skip
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_book_csv(folder / "book.csv", [
        {"Xã": "Hợp Thành", "Tờ bản đồ": 12, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "Tân Liên", "Tờ bản đồ": 3, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    return write_config(
        folder,
        f'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        f'parcels = {{ paths = ["dia_chinh/**/*.gpkg"], path_pattern = "{pattern}"{extra} }}\n'
        'handovers = "book.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )


def test_the_folder_and_the_file_name_give_commune_and_sheet(tmp_path):
    result = compute_progress(_files(tmp_path))
    communes = result.progress_by_commune.set_index("commune")
    # the border 50–60 is in both files (both communes), handed over with Tân Liên's parcel
    assert communes["required_m2"].round(2).to_dict() == {"Hop Thanh": 1200.0, "Tan Lien": 1000.0}
    assert communes["cleared_m2"].round(2).to_dict() == {"Hop Thanh": 1200.0, "Tan Lien": 1000.0}
    # and once in the project
    assert result.progress_by_project.loc[0, "required_m2"] == pytest.approx(2000.0)
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(2000.0)
    parcels = result.inputs.parcels
    assert sorted(set(parcels["source_file"])) == [
        "dia_chinh/Hop Thanh/To 12.gpkg",
        "dia_chinh/Tan Lien/To 3.gpkg",
    ]
    assert result.inputs.read["parcels"] == 3
    overlap = result.qa_issues[result.qa_issues["feature"].str.contains("To 12.gpkg: ")]
    assert len(overlap)  # the border overlap names the file of each parcel


def test_a_features_own_commune_beats_the_folders_and_is_listed(tmp_path):
    config = _files(tmp_path)
    write_layer(tmp_path / "dia_chinh" / "Tan Lien" / "To 3.gpkg", [
        {"TENXA": "Hợp Thành", "SOTHUA": 1, "geometry": rect(50, 0, 100, 20)},
    ])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True)
    row = result.qa_issues[result.qa_issues["check"] == "commune_not_the_paths"]
    assert row["feature"].tolist() == ["dia_chinh/Tan Lien/To 3.gpkg"]
    assert "Hợp Thành" in row["message"].iloc[0] and "Tan Lien" in row["message"].iloc[0]
    assert "Tan Lien" not in set(result.progress_by_commune["commune"])


def test_a_file_outside_every_right_of_way_is_not_read(tmp_path, monkeypatch):
    opened = files_read(monkeypatch)
    result = compute_progress(_files(tmp_path, far=True))
    assert sorted(opened) == ["To 12.gpkg", "To 3.gpkg"]  # not To 9.gpkg
    assert result.inputs.in_layer["parcels"] == 3 + 5  # its features are counted from its header


def test_a_corrupt_file_among_good_ones_names_itself(tmp_path):
    config = _files(tmp_path)
    (tmp_path / "dia_chinh" / "Tan Lien" / "To 4.gpkg").write_bytes(b"not a geopackage")
    with pytest.raises(InputError) as caught:
        compute_progress(config)
    message = str(caught.value)
    assert message.startswith("dia_chinh/Tan Lien/To 4.gpkg: ")
    assert "skip_unreadable" in message and ": To 4.gpkg:" not in message  # named once


def test_a_corrupt_file_may_be_listed_and_skipped(tmp_path):
    config = _files(tmp_path, extra=", skip_unreadable = true")
    (tmp_path / "dia_chinh" / "Tan Lien" / "To 4.gpkg").write_bytes(b"not a geopackage")
    result = compute_progress(config)
    row = result.qa_issues[result.qa_issues["check"] == "file_unreadable"]
    assert row["feature"].tolist() == ["dia_chinh/Tan Lien/To 4.gpkg"]
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(2000.0)
    accounts = result.records.set_index("layer").loc["parcels"]
    assert accounts["read"] == accounts["used"] + accounts["listed"]  # the file is no record
    assert "records_unaccounted" not in set(result.qa_issues["check"])


def test_an_empty_sheet_file_is_said_not_an_error(tmp_path):
    import geopandas as gpd

    config = _files(tmp_path)
    empty = gpd.GeoDataFrame({"SOTHUA": []}, geometry=[], crs="EPSG:9215")
    empty.to_file(tmp_path / "dia_chinh" / "Tan Lien" / "To 5.gpkg")
    result = compute_progress(config)
    assert "file_empty" in set(result.qa_issues["check"])


def test_a_file_the_pattern_does_not_fit_is_listed_and_side_files_are_no_layers(tmp_path):
    import shutil

    config = _files(tmp_path)
    shutil.copy(
        tmp_path / "dia_chinh" / "Tan Lien" / "To 3.gpkg", tmp_path / "dia_chinh" / "x.gpkg"
    )
    (tmp_path / "dia_chinh" / "Tan Lien" / "To 3.cpg").write_text("UTF-8")
    result = compute_progress(config, allow_unplaced=True)
    row = result.qa_issues[result.qa_issues["check"] == "path_pattern_unmatched"]
    assert row["feature"].tolist() == ["dia_chinh/x.gpkg"]
    assert "To 3.cpg" not in " ".join(result.qa_issues["feature"])


@pytest.mark.parametrize(
    ("paths", "where"),
    [
        ('paths = ["nowhere/*.gpkg"]', "layers.parcels.paths"),
        ('paths = ["dia_chinh/**/*.gpkg"], path = "row.gpkg"', "layers.parcels"),
        ('paths = ["dia_chinh/**/*.gpkg"], path_pattern = "To.gpkg"', "path_pattern"),
        ('paths = ["dia_chinh/**/*.gpkg"], path_pattern = "{commune}/To {sheet}.shp"', "fits none"),
    ],
)
def test_many_files_are_checked_in_the_config(tmp_path, paths, where):
    from gpmb_gis import ConfigError, load_config

    _files(tmp_path)
    config = write_config(
        tmp_path,
        f'province = "Lạng Sơn"\n[layers]\nparcels = {{ {paths} }}\n'
        '[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert where in str(caught.value)


def test_a_record_whose_parcel_is_in_another_file_away_from_the_row_is_outside_it(tmp_path):
    config = _files(tmp_path, far=True)
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "Tân Liên", "Tờ bản đồ": 9, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"},
    ])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True)
    checks = result.qa_issues["check"].tolist()
    assert "record_outside_row" in checks and "record_no_parcel" not in checks


def test_a_read_of_many_files_says_how_many_touch_a_right_of_way(tmp_path, capsys):
    config = _files(tmp_path)
    for k in range(20):  # sheets 3 km away: never read
        write_layer(tmp_path / "dia_chinh" / "Tan Lien" / f"To {20 + k}.gpkg", [
            {"SOTHUA": 1, "geometry": rect(3000 + 30 * k, 0, 3020 + 30 * k, 20)},
        ])  # fmt: skip
    result = compute_progress(config)
    assert "parcels: 22 files, 2 touch a right of way" in capsys.readouterr().err
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(2000.0)


def test_a_sheet_whose_contents_tables_are_stale_is_judged_by_its_index(tmp_path):
    import sqlite3

    config = _files(tmp_path)
    sheet = tmp_path / "dia_chinh" / "Tan Lien" / "To 3.gpkg"
    con = sqlite3.connect(sheet)  # a writer that left the extent and the count behind
    x = ORIGIN[0]
    con.execute("UPDATE gpkg_contents SET min_x = ?, max_x = ?", (x + 2000, x + 2010))
    con.execute("UPDATE gpkg_ogr_contents SET feature_count = 0")
    con.commit()
    con.close()
    result = compute_progress(config)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(100 * 20)
    assert "file_empty" not in set(result.qa_issues["check"])


def test_a_sheet_in_metres_of_another_zone_names_itself(tmp_path):
    config = _files(tmp_path)
    sheet = tmp_path / "dia_chinh" / "Tan Lien" / "To 3.gpkg"
    utm = gpd.read_file(sheet).to_crs(3405).set_crs(CRS, allow_override=True)  # UTM, mislabelled
    utm.to_file(sheet, engine="pyogrio")
    with pytest.raises(InputError, match=r"To 3\.gpkg: .*probably .*EPSG:3405"):
        compute_progress(config)
