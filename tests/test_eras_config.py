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


def test_a_code_of_the_other_era_only_is_told_so_and_a_code_of_both_is_not(tmp_path):
    """06226 (Hợp Thành) is a code of 2024 only; 06286 (Khánh Khê) is a code of both eras:
    neither is a commune of the run, and only the first is told to be of the other era."""
    write_book_csv(tmp_path / "book.csv", [_record("06226", 1), _record("06286", 2)])
    books = '{ path = "book.csv", era = 2025 }'
    result = compute_progress(_two_merged_communes(tmp_path, books), allow_unplaced=True)
    assert result.progress_by_project.loc[0, "cleared_m2"] == 0.0
    notes = result.qa_issues.set_index("check")
    assert "06226" in notes.loc["commune_other_era", "message"]
    assert "06286" not in notes.loc["commune_other_era", "message"]


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
    both = 'report_communes = "both"'
    with pytest.raises(InputError) as caught:
        compute_progress(_divided_case(tmp_path, layer=False, polygons=True, extra=both))
    message = str(caught.value)
    assert "Xã Bính Xá" in message and "Xã Kiên Mộc" in message
    assert "communes_2025" in message


def test_the_divided_commune_error_is_a_sentence_at_the_command_line(tmp_path):
    import subprocess
    import sys

    config = _divided_case(tmp_path, layer=False, polygons=True, extra='report_communes = "2025"')
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


def test_a_report_of_2024_puts_a_divided_commune_without_boundaries_in_the_unknown_row(tmp_path):
    result = compute_progress(_divided_case(tmp_path, layer=False, polygons=True))
    assert result.report_era() == "2024"  # as of 30/6/2024, no report_communes
    rows = result.progress_by_commune_2025
    assert rows["commune_2025"].tolist() == ["(chưa rõ xã sau 1/7/2025)"]
    assert rows["old_communes"].tolist() == ["Xã Bính Xá"]


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


def _kinds_case(
    folder, book: str, extra: str = "", codes=("06187", "06211", "06199"), kindless=False
):
    """TT Cao Lộc (06187) has 5/12 at 0–40, Lộc Yên (06211) 5/12 at 40–80, Thạch Đạn (06199)
    1/2 at 80–100; Lộc Yên and Thạch Đạn became Xã Cao Lộc, TT Cao Lộc Phường Kỳ Lừa.
    ``kindless``: the communes layer writes "Cao Lộc", "Lộc Yên", "Thạch Đạn"."""
    names = {"06187": "Thị trấn Cao Lộc", "06211": "Xã Lộc Yên", "06199": "Xã Thạch Đạn"}
    if kindless:
        names = {c: n.split(" ", 1)[1].replace("trấn ", "") for c, n in names.items()}
    spans = {"06187": (0, 40, 5, 12), "06211": (40, 80, 5, 12), "06199": (80, 100, 1, 2)}
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(folder / "parcels.gpkg", [
        {"MAXA": c, "SHBANDO": spans[c][2], "SOTHUA": spans[c][3],
         "geometry": rect(spans[c][0], 0, spans[c][1], 20)} for c in codes])  # fmt: skip
    write_layer(folder / "communes.gpkg", [
        {"MAXA": c, "TENXA": names[c], "geometry": rect(spans[c][0], -10, spans[c][1], 30)}
        for c in codes])  # fmt: skip
    return write_config(
        folder,
        f'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        f'communes = "communes.gpkg"\nhandovers = {book}\n[[projects]]\nid = "X"\n'
        f'row = "row.gpkg"\n{extra}',
    )


def _cleared(result) -> dict[str, float]:
    table = result.progress_by_commune.set_index("commune")["cleared_m2"]
    return {k: round(v, 2) for k, v in table.items() if v}


@pytest.mark.parametrize("kindless", [False, True])
@pytest.mark.parametrize("era", ["", ", era = 2024"])
def test_a_written_kind_is_never_taken_for_another_kind(tmp_path, era, kindless):
    """ "Xã Cao Lộc" is no commune of 2024 here: never Thị trấn Cao Lộc's parcel 5/12, also
    when the communes layer writes it "Cao Lộc" (the lists say 06187 is a town)."""
    write_book_csv(tmp_path / "b.csv", [_record("Xã Cao Lộc", 12) | {"Tờ bản đồ": 5}])
    config = _kinds_case(tmp_path, f'{{ path = "b.csv"{era} }}', kindless=kindless)
    result = compute_progress(config, allow_unplaced=True)
    loc_yen = "Lộc Yên" if kindless else "Xã Lộc Yên"
    if era:  # a book of 2024: the record names no commune of the run
        assert _cleared(result) == {}
        assert "record_commune_unknown" in set(result.qa("error")["check"])
    else:  # no era: the unit of 2025, whose only 5/12 is Lộc Yên's
        assert _cleared(result) == {loc_yen: 800.0}


def test_a_written_kind_naming_no_commune_of_either_era_names_no_parcel(tmp_path):
    write_book_csv(tmp_path / "b.csv", [_record("Xã Cao Lộc", 12) | {"Tờ bản đồ": 5}])
    config = _kinds_case(tmp_path, '"b.csv"', codes=("06187",))
    result = compute_progress(config, allow_unplaced=True)
    assert _cleared(result) == {}


@pytest.mark.parametrize("kindless", [False, True])
def test_a_milestone_naming_the_new_xa_cao_loc_is_not_thi_tran_cao_loc(tmp_path, kindless):
    write_book_csv(tmp_path / "b.csv", [_record("06199", 2)])
    milestone = (
        'milestones = [{ date = 2024-12-31, target_pct = 30, label = "m", commune = "Xã Cao Lộc" }]'
    )
    result = compute_progress(_kinds_case(tmp_path, '"b.csv"', milestone, kindless=kindless))
    row = result.milestones().iloc[0]
    assert row["actual_pct"] == pytest.approx(100 * 400 / 1200)  # Lộc Yên ∪ Thạch Đạn


@pytest.mark.parametrize("polygons", [True, False])
@pytest.mark.parametrize(
    ("west", "east", "expected"),
    [
        # a gap 55–65: its 200 m² of parcel 1/2 go to the unknown row, never to a unit
        (55, 65, {"Xã Đình Lập": (1100, 1000), "Xã Kiên Mộc": (700, 0), "?": (200, 0)}),
        # an overlap 50–70: it stays with the unit of the lower code (Đình Lập, 06613)
        (70, 50, {"Xã Đình Lập": (1400, 1000), "Xã Kiên Mộc": (600, 0)}),
    ],
)
def test_new_boundaries_with_gaps_or_overlaps_never_count_land_twice(
    tmp_path, polygons, west, east, expected
):
    config = _divided_case(tmp_path, layer=True, polygons=polygons)
    write_layer(tmp_path / "new.gpkg", [
        {"MAXA": "06613", "TENXA": "Xã Đình Lập", "geometry": rect(-10, -10, west, 30)},
        {"MAXA": "06625", "TENXA": "Xã Kiên Mộc", "geometry": rect(east, -10, 110, 30)},
    ])  # fmt: skip
    result = compute_progress(config)
    rows = result.progress_by_commune_2025
    columns = (rows[c] for c in ("commune_2025", "required_m2", "cleared_m2"))
    got = {
        ("?" if name.startswith("(") else name): (round(req, 2), round(done, 2))
        for name, req, done in zip(*columns, strict=True)
    }
    assert got == expected
    assert (rows["cleared_m2"] <= rows["required_m2"] + 0.01).all()
    overlap = result.qa_issues[result.qa_issues["check"] == "communes_2025_overlap"]
    assert overlap["area_m2"].round(2).tolist() == ([] if west < east else [800.0])


def test_a_new_boundary_not_in_the_lists_or_in_doubt_is_the_unknown_unit(tmp_path):
    config = _divided_case(tmp_path, layer=True, polygons=True)
    write_layer(tmp_path / "new.gpkg", [
        {"MAXA": "06625", "TENXA": "Xã Đình Lập", "geometry": rect(-10, -10, 60, 30)},
        {"MAXA": "", "TENXA": "Kien Moc", "geometry": rect(60, -10, 80, 30)},
        {"MAXA": "", "TENXA": "Xã Thiên Hà", "geometry": rect(80, -10, 110, 30)},
    ])  # fmt: skip
    result = compute_progress(config)
    rows = result.progress_by_commune_2025.set_index("commune_2025")["required_m2"]
    assert rows["Xã Kiên Mộc"] == pytest.approx(400.0)  # "Kien Moc": the one unit so named
    assert rows["(chưa rõ xã sau 1/7/2025)"] == pytest.approx(1600.0)  # in doubt, not listed
    checks = result.qa_issues["check"].tolist()
    assert checks.count("communes_2025_conflict") == 1
    assert checks.count("communes_2025_unknown") == 1


@pytest.mark.parametrize(
    ("era", "commune", "cleared"),
    [
        (", era = 2024", "06211", {"06211": 1000.0}),  # Lộc Yên: part of Xã Cao Lộc
        (", era = 2024", "06226", {"06187": 1000.0}),  # Hợp Thành: part of Phường Kỳ Lừa
        (", era = 2024", "Xã Lộc Yên", {"06211": 1000.0}),
        (", era = 2025", "06211", {"06211": 1000.0}),
        (", era = 2025", "6211", {"06211": 1000.0}),  # the code read as a number
        (", era = 2025", "Xã Cao Lộc", {"06211": 1000.0}),
        (", era = 2025", "Hợp Thành", {"06187": 1000.0}),  # an old commune kept: its unit
        (", era = 2025", "Thị trấn Cao Lộc", {"06187": 1000.0}),  # not Xã Cao Lộc
        ("", "06211", {}),  # a code of both eras in a book that does not say: listed
        ("", "Xã Hợp Thành", {"06187": 1000.0}),  # no unit of 2025: a commune of 2024
    ],
)
def test_a_book_on_layers_of_2025_reads_codes_in_its_own_era(tmp_path, era, commune, cleared):
    """The parcels are units of 2025: 06211 Xã Cao Lộc (0–50), 06187 Phường Kỳ Lừa (50–100),
    each with a parcel 1/1."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "06211", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 50, 20)},
        {"MAXA": "06187", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(50, 0, 100, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "b.csv", [_record(commune, 1)])
    config = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = { path = "parcels.gpkg", era = 2025 }\n'
        f'handovers = {{ path = "b.csv"{era} }}\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )
    result = compute_progress(config, allow_unplaced=True)
    assert _cleared(result) == cleared
    if not cleared:
        assert "commune_other_era" in set(result.qa_issues["check"])


def test_a_record_of_xa_cong_son_is_no_total_row(tmp_path):
    """ "Công Sơn" folds to the letters of "Cộng" (a total): it is a commune, read as one."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "Công Sơn", "SHBANDO": 9, "SOTHUA": 9, "geometry": rect(0, 0, 100, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "b.csv", [_record("CÔNG SƠN", 9) | {"Tờ bản đồ": 9}])
    config = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        'handovers = "b.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )
    result = compute_progress(config)
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(2000.0)
    assert "total_row" not in set(result.qa_issues["check"])


def test_the_new_boundaries_columns_may_be_mapped_in_the_config(tmp_path):
    config = _divided_case(
        tmp_path, layer=True, polygons=True, extra='[fields.communes_2025]\nTEN_DVHC = "commune"'
    )
    write_layer(tmp_path / "new.gpkg", [
        {"TEN_DVHC": "Xã Đình Lập", "geometry": rect(-10, -10, 60, 30)},
        {"TEN_DVHC": "Xã Kiên Mộc", "geometry": rect(60, -10, 110, 30)},
    ])  # fmt: skip
    result = compute_progress(config)
    rows = result.progress_by_commune_2025.set_index("commune_2025")["required_m2"]
    assert rows.to_dict() == pytest.approx({"Xã Đình Lập": 1200.0, "Xã Kiên Mộc": 800.0})


def test_a_code_read_as_a_number_is_its_commune(tmp_path):
    write_book_csv(tmp_path / "b.csv", [_record("6211", 12) | {"Tờ bản đồ": 5}])
    result = compute_progress(_kinds_case(tmp_path, '{ path = "b.csv", era = 2024 }'))
    assert _cleared(result) == {"Xã Lộc Yên": 800.0}
    assert "commune_other_era" not in set(result.qa_issues["check"])


@pytest.mark.parametrize("polygons", [True, False])
def test_new_boundaries_of_other_units_or_unnamed_never_take_a_divided_communes_land(
    tmp_path, polygons
):
    """Bính Xá was divided between Đình Lập and Kiên Mộc: land inside Xã Cao Lộc's boundary
    (40–55), an unknown unit's (55–60) or no boundary goes to the unknown row; new units
    written by code alone stay two units."""
    config = _divided_case(tmp_path, layer=True, polygons=polygons)
    write_book_csv(tmp_path / "book.csv", [_record("06622", 1), _record("06622", 2)])
    write_layer(tmp_path / "new.gpkg", [
        {"MAXA": "06613", "TENXA": None, "geometry": rect(-10, -10, 40, 30)},
        {"MAXA": "06211", "TENXA": "Xã Cao Lộc", "geometry": rect(40, -10, 55, 30)},
        {"MAXA": "", "TENXA": "Xã Thiên Hà", "geometry": rect(55, -10, 58, 30)},
        {"MAXA": "06625", "TENXA": "", "geometry": rect(60, -10, 110, 30)},
    ])  # fmt: skip
    result = compute_progress(config)
    rows = result.progress_by_commune_2025.set_index("commune_2025")
    assert rows["required_m2"].round(2).to_dict() == {
        "Xã Đình Lập": 800.0, "Xã Kiên Mộc": 800.0, "(chưa rõ xã sau 1/7/2025)": 400.0
    }  # fmt: skip
    assert rows["cleared_m2"].sum() == pytest.approx(2000.0, abs=0.01)
    assert (rows["cleared_m2"] <= rows["required_m2"] + 0.01).all()


@pytest.mark.parametrize("unnamed_first", [True, False])
def test_a_commune_drawn_in_two_features_one_unnamed_is_one_commune(tmp_path, unnamed_first):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 50, 20)},
        {"SHBANDO": 1, "SOTHUA": 2, "geometry": rect(50, 0, 100, 20)},
    ])  # fmt: skip
    features = [
        {"MAXA": "06211", "TENXA": "", "geometry": rect(30, -10, 50, 30)},
        {"MAXA": "06211", "TENXA": "Xã Lộc Yên", "geometry": rect(-10, -10, 30, 30)},
    ]
    write_layer(
        tmp_path / "communes.gpkg",
        (features if unnamed_first else features[::-1])
        + [{"MAXA": "06199", "TENXA": "Xã Thạch Đạn", "geometry": rect(50, -10, 110, 30)}],
    )
    write_book_csv(tmp_path / "b.csv", [_record("Lộc Yên", 1), _record("Thạch Đạn", 2)])
    config = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        'communes = "communes.gpkg"\nhandovers = "b.csv"\n[[projects]]\nid = "X"\n'
        'row = "row.gpkg"\n',
    )
    result = compute_progress(config)
    assert _cleared(result) == {"Xã Lộc Yên": 1000.0, "Xã Thạch Đạn": 1000.0}


def test_a_layers_name_is_not_overridden_by_the_lists_name_of_its_code(tmp_path):
    """A feature coded 06211 (Lộc Yên) but named Thạch Đạn: a record "Lộc Yên" is not
    matched to it through the lists."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "06211", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 100, 20)},
    ])  # fmt: skip
    write_layer(tmp_path / "communes.gpkg", [
        {"MAXA": "06211", "TENXA": "Xã Thạch Đạn", "geometry": rect(-10, -10, 110, 30)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "b.csv", [_record("Lộc Yên", 1)])
    config = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        'communes = "communes.gpkg"\nhandovers = "b.csv"\n[[projects]]\nid = "X"\n'
        'row = "row.gpkg"\n',
    )
    result = compute_progress(config, allow_unplaced=True)
    assert _cleared(result) == {}


def test_a_right_of_way_no_parcel_covers_has_its_2025_row_without_a_communes_layer(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(200, 0, 220, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "06211", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 100, 20)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "b.csv", [_record("06211", 1)])
    config = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        'handovers = "b.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n',
    )
    result = compute_progress(config, allow_unplaced=True)
    rows = result.progress_by_commune_2025
    assert rows["required_m2"].sum() == pytest.approx(400.0)  # all of it land in no parcel
    assert rows["cleared_m2"].sum() == 0.0
