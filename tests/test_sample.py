"""The synthetic dataset: deterministic, and the bundled copy is what the generator makes."""

from __future__ import annotations

import hashlib

from helpers import SAMPLE_CONFIG

from gpmb_gis.sample import write_sample


def digests(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "README.md"
    }


def test_same_seed_same_bytes(tmp_path):
    a = write_sample(tmp_path / "a", n_parcels=600).parent
    b = write_sample(tmp_path / "b", n_parcels=600).parent
    assert digests(a) == digests(b)
    c = write_sample(tmp_path / "c", n_parcels=600, seed=7).parent
    assert digests(c)["parcels.gpkg"] != digests(a)["parcels.gpkg"]


def test_bundled_sample_is_the_generators(tmp_path):
    fresh = write_sample(tmp_path / "cao_loc").parent
    assert digests(fresh) == digests(SAMPLE_CONFIG.parent), "run `make sample` and commit"


def test_sample_says_it_is_synthetic():
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    assert "Synthetic" in text and "NOT official" in text
    readme = (SAMPLE_CONFIG.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()


def test_the_sample_communes_are_cao_locs_22_of_2024_with_their_official_codes():
    import geopandas as gpd

    from gpmb_gis.units import units

    communes = gpd.read_file(SAMPLE_CONFIG.parent / "communes.gpkg")
    official = units(2024, "Lạng Sơn")
    official = official[official["district"] == "Huyện Cao Lộc"].set_index("code")["commune"]
    assert len(communes) == 22 == len(official)
    assert dict(zip(communes["MAXA"], communes["TENXA"], strict=True)) == official.to_dict()


def test_the_sample_book_of_2025_names_new_units_and_the_run_reports_both_eras():
    import openpyxl

    from gpmb_gis import compute_progress

    book = openpyxl.load_workbook(SAMPLE_CONFIG.parent / "so_theo_doi_ban_giao.xlsx")
    assert book.sheetnames == ["Tiến độ GPMB", "CCN sau 1-7-2025"]
    written = {str(r[2]).upper() for r in book["CCN sau 1-7-2025"].iter_rows(values_only=True)}
    assert "PHƯỜNG KỲ LỪA" in written
    result = compute_progress(SAMPLE_CONFIG)
    assert result.report_era() == "both"
    matched = result.qa_issues.set_index("check").loc["book_communes_2025", "message"]
    assert "41" in matched  # records matched through their unit of 2025
    assert "ambiguous_after_merger" not in set(result.qa_issues["check"])
    named = result.communes_named("CCN_HT1")["commune"].tolist()
    assert named == ["Phường Kỳ Lừa (Hợp Thành)"]
