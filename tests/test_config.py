"""The config file: validation, suggestions, paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gpmb_gis import load_config
from gpmb_gis._errors import ConfigError
from gpmb_gis.chainage import format_chainage, parse_chainage

BASE = """
title = "t"
province = "Lạng Sơn"
as_of = 2024-06-30
[layers]
parcels = "p.gpkg"
[[projects]]
id = "A"
row = "r.gpkg#ROW"
start_chainage = "Km3+700"
station_equations = [["Km10+250", "Km10+300"]]
already_clear_land_use = ["dgt"]
milestones = [
  { date = 2024-03-31, target_pct = 100 },
  { date = "30/06/2024", target_pct = 70, commune = "Hợp Thành" },
]
"""


def write(tmp_path: Path, text: str, files: tuple[str, ...] = ("p.gpkg", "r.gpkg")) -> Path:
    for name in files:
        (tmp_path / name).write_bytes(b"")
    path = tmp_path / "gpmb.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config(tmp_path):
    cfg = load_config(write(tmp_path, BASE))
    assert cfg.crs.to_epsg() == 9215
    assert cfg.as_of == dt.date(2024, 6, 30)
    assert cfg.parcels.path == (tmp_path / "p.gpkg").resolve()
    project = cfg.project("A")
    assert project.row.layer == "ROW" and project.row.path.name == "r.gpkg"
    assert project.start_chainage_m == 3700
    assert project.station_equations == ((10250.0, 10300.0),)
    assert project.already_clear_land_use == ("DGT",)
    assert [m.target_pct for m in project.milestones] == [100, 70]
    assert project.milestones[1].commune == "Hợp Thành"
    assert project.milestones[1].date == dt.date(2024, 6, 30)


def test_crs_overrides_province(tmp_path):
    cfg = load_config(write(tmp_path, BASE.replace('province = "Lạng Sơn"', 'crs = "EPSG:5898"')))
    assert cfg.crs.to_epsg() == 5898


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4756", "EPSG:2263"])
def test_a_run_crs_in_degrees_or_feet_is_refused(tmp_path, crs):
    """Areas are measured in the config's CRS: square degrees or feet would print nonsense."""
    with pytest.raises(ConfigError, match="not a projected coordinate system in metres"):
        load_config(write(tmp_path, BASE.replace('province = "Lạng Sơn"', f'crs = "{crs}"')))


def test_a_layer_may_be_in_degrees(tmp_path):
    text = BASE.replace('parcels = "p.gpkg"', 'parcels = { path = "p.gpkg", crs = "EPSG:4326" }')
    assert load_config(write(tmp_path, text)).parcels.crs == "EPSG:4326"


def test_unknown_key_names_the_closest(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, BASE.replace("as_of", "as_off")))
    assert "as_off" in err.value.where and "as_of" in err.value.todo


def test_unknown_project_key(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, BASE.replace("already_clear_land_use", "already_clear")))
    assert "already_clear" in err.value.where
    assert "already_clear_land_use" in err.value.todo


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="not found") as err:
        load_config(write(tmp_path, BASE, files=("r.gpkg",)))
    assert "layers.parcels" in err.value.where


def test_all_problems_reported_together(tmp_path):
    text = BASE.replace("as_of", "as_off").replace('title = "t"', 'titel = "t"')
    with pytest.raises(ConfigError, match="and 1 more"):
        load_config(write(tmp_path, text))


def test_config_not_found(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "title = "))


def test_bad_date_and_chainage(tmp_path):
    text = BASE.replace("2024-03-31", '"31/02/2024"').replace("Km3+700", "abc")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert "start_chainage" in err.value.line() or "milestones" in err.value.line()


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("Km3+700", 3700),
        ("KM3+700.5", 3700.5),
        ("K3+700", 3700),
        ("3+700", 3700),
        ("Km18", 18000),
        ("km 18 + 050", 18050),
        (250.0, 250.0),
    ],
)
def test_parse_chainage(text, metres):
    assert parse_chainage(text) == metres


def test_format_chainage():
    assert format_chainage(3700) == "Km3+700"
    assert format_chainage(18000) == "Km18+000"
    assert format_chainage(7.2) == "Km0+007"
    assert format_chainage(3700.46, decimals=1) == "Km3+700.5"


def test_field_targets_are_checked_with_a_suggestion(tmp_path):
    path = tmp_path / "gpmb.toml"
    (tmp_path / "p.gpkg").touch()
    (tmp_path / "r.gpkg").touch()
    path.write_text(BASE + '[fields.parcels]\nTong_dien_ = "legal_area"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fields\.parcels\.Tong_dien_: 'legal_area' is not a "
                       r'column name of parcels — write "legal_area_m2"'):  # fmt: skip
        load_config(path)


def test_a_mapping_that_shadows_a_builtin_name_is_noted(tmp_path):
    from helpers import hand_case

    from gpmb_gis import compute_progress

    config = hand_case(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + '\n[fields.parcels]\nKHLOAIDAT = '
                      '"owner"\n', encoding="utf-8")  # fmt: skip
    qa = compute_progress(config).qa_issues
    note = qa[qa.check == "field_shadows_alias"]
    assert len(note) == 1 and "KHLOAIDAT" in note.message.iloc[0]
    assert "land_use" in note.message.iloc[0]


def test_readme_lists_every_field_target_per_layer():
    from gpmb_gis import columns as C

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Column names the config can map") :]
    for layer, targets in C.FIELD_TARGETS.items():
        line = next(t for t in section.splitlines() if t.startswith(f"| `[fields.{layer}]`"))
        assert all(f"`{t}`" in line for t in targets), (layer, line)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", '"2"'])
def test_a_qa_limit_must_be_a_finite_number(tmp_path, value):
    (tmp_path / "p.gpkg").touch()
    (tmp_path / "r.gpkg").touch()
    path = tmp_path / "gpmb.toml"
    path.write_text(BASE + f"[qa]\nmax_unplaced_records_pct = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"qa\.max_unplaced_records_pct: .* such as 2\.0"):
        load_config(path)


def test_a_crosswalk_that_is_not_there_is_named(tmp_path):
    text = BASE.replace("[layers]", '[communes]\ncrosswalk = "xa.csv"\n[layers]')
    with pytest.raises(ConfigError, match=r"communes\.crosswalk: file not found"):
        load_config(write(tmp_path, text))
    (tmp_path / "xa.csv").write_text("commune_2024,commune_2025\n", encoding="utf-8")
    assert load_config(write(tmp_path, text)).crosswalk == (tmp_path / "xa.csv").resolve()
