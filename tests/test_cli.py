"""The ``gpmb`` command end to end, and its error paths (one line, exit 2)."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from helpers import SAMPLE_CONFIG, rect, write_layer

from gpmb_gis.cli import main

ONE_LINE = r"^gpmb: error: .+: .+ — .+$"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    """The briefing of the bundled sample, once for the module; stdout kept in stdout.txt."""
    out = tmp_path_factory.mktemp("report")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", "--config", str(SAMPLE_CONFIG), "--out", str(out)]) == 0
    (out / "stdout.txt").write_text(printed.getvalue(), encoding="utf-8")
    return out


def test_report_writes_the_bundle(sample_report):
    for name in (
        "index.html",
        "report.xlsx",
        "tables/progress_by_project.csv",
        "tables/progress_by_commune.csv",
        "tables/parcels.csv",
        "tables/qa_issues.csv",
        "tables/milestones.csv",
        "tables/timeseries.csv",
    ):
        assert (sample_report / name).stat().st_size > 0, name
    projects = pd.read_csv(sample_report / "tables/progress_by_project.csv")
    for pid in projects.project:
        png = sample_report / "maps" / f"{pid}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for road in ("QL4B", "CT_HNCL"):  # the map book of each road, and a PNG per page
        assert (sample_report / "maps" / f"{road}_atlas.pdf").read_bytes()[:5] == b"%PDF-"
        assert (sample_report / "maps" / f"{road}_atlas" / "page_01.png").stat().st_size > 0
    assert not (sample_report / "maps" / "TSCA_atlas.pdf").exists()  # no road, no book
    assert (sample_report / "gpmb.gpkg").read_bytes()[:15] == b"SQLite format 3"


def test_sample_communes_add_up_to_projects(sample_report):
    projects = pd.read_csv(sample_report / "tables/progress_by_project.csv").set_index("project")
    communes = pd.read_csv(sample_report / "tables/progress_by_commune.csv")
    sums = communes.groupby("project")[["required_m2", "cleared_m2", "unmapped_m2"]].sum()
    for pid, row in sums.iterrows():
        for col in sums.columns:
            assert row[col] == pytest.approx(projects.loc[pid, col], abs=0.01), (pid, col)


def test_sample_figures_match_an_independent_computation(sample_report):
    """Project figures from the definitions of docs/metrics.md with plain geopandas."""
    folder = SAMPLE_CONFIG.parent
    projects = pd.read_csv(sample_report / "tables/progress_by_project.csv").set_index("project")
    table = pd.read_csv(sample_report / "tables/parcels.csv", dtype={"sheet": str, "parcel": str})
    parcels = gpd.read_file(folder / "parcels.gpkg")
    codes = gpd.read_file(folder / "communes.gpkg").set_index("TENXA")["MAXA"]
    parcels["key"] = (
        parcels.MAXA + "/" + parcels.SHBANDO.astype(str) + "/" + parcels.SOTHUA.astype(str)
    )
    for pid in ("QL4B", "CT_HNCL"):
        row = shapely.union_all(gpd.read_file(folder / f"row_{pid.lower()}.gpkg").geometry)
        mine = table[(table.project == pid) & table.stage.isin(["handed_over", "already_clear"])]
        keys = set(mine.commune.map(codes) + "/" + mine.sheet + "/" + mine.parcel)
        cleared = shapely.union_all(parcels[parcels.key.isin(keys)].intersection(row))
        assert projects.loc[pid, "required_m2"] == pytest.approx(row.area, rel=1e-9)
        assert projects.loc[pid, "cleared_m2"] == pytest.approx(cleared.area, rel=1e-6)


def test_sample_tells_the_seed_story(sample_report):
    milestones = pd.read_csv(sample_report / "tables/milestones.csv")
    ql4b = milestones[milestones.project == "QL4B"].iloc[0]
    assert ql4b.status == "missed" and 95 < ql4b.actual_pct < 100
    expressway = milestones[milestones.project == "CT_HNCL"].set_index("target_pct")
    assert expressway.loc[70.0, "status"] == "met"
    assert expressway.loc[100.0, "status"] == "at_risk"


def test_sample_says_who_is_late_in_the_tables_the_index_and_report_docx(sample_report):
    import docx

    agencies = pd.read_csv(sample_report / "tables/agencies.csv")
    late = agencies.groupby("agency")[["late", "overdue"]].sum()
    assert {"Phòng Tài nguyên và Môi trường", "UBND huyện", "Trung tâm Phát triển quỹ đất"} <= set(
        late.index
    )
    assert (late["late"] > 0).all() and late["overdue"].sum() > 0  # some steps late, as said
    steps = pd.read_csv(sample_report / "tables/agency_deadlines.csv")
    assert {"appraisal", "recovery_decision", "payment"} == set(steps["step"])
    assert (sample_report / "charts/agencies_late.png").stat().st_size > 10_000
    text = "\n".join(p.text for p in docx.Document(sample_report / "report.docx").paragraphs)
    assert "IV. ĐÁNH GIÁ VIỆC CHẤP HÀNH THỜI GIAN CỦA CÁC CƠ QUAN, ĐƠN VỊ" in text
    blockers = pd.read_csv(sample_report / "tables/blockers.csv")
    assert blockers.loc[blockers.kind == "parcel", "waiting_agency"].notna().mean() > 0.8


def test_summary_lines_balance(sample_report):
    lines = [line for line in (sample_report / "stdout.txt").read_text(encoding="utf-8")
             .splitlines() if line.startswith("records:")]  # fmt: skip
    assert len(lines) >= 4
    for line in lines:
        numbers = [int(w) for w in line.replace("(", " ").split() if w.isdigit()]
        assert numbers[0] == numbers[1] + numbers[2], line


def test_no_owner_names_without_the_flag(sample_report):
    import html
    import zipfile

    owners = gpd.read_file(SAMPLE_CONFIG.parent / "parcels.gpkg").CHUSUDUNG
    names = {o for o in owners if o != "UBND xã"}
    for path in sample_report.rglob("*"):
        if path.suffix in (".csv", ".html", ".txt"):
            text = path.read_text(encoding="utf-8")
        elif path.suffix in (".xlsx", ".docx"):  # the XML inside, letters as &#273; unescaped
            with zipfile.ZipFile(path) as book:
                xml = [book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")]
            text = html.unescape(" ".join(xml))
        else:
            continue
        leaked = [name for name in names if name in text]
        assert not leaked, (path, leaked[:3])


def test_module_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "gpmb_gis", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and "report" in proc.stdout


# --- error paths: one line, exit 2, no traceback ------------------------------------------


def copy_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "cao_loc"
    shutil.copytree(SAMPLE_CONFIG.parent, folder)
    return folder / "gpmb.toml"


def edit(config: Path, old: str, new: str) -> Path:
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")
    return config


def assert_one_line_error(capsys, argv, *needles):
    code, _, err = run(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    import re

    assert re.match(ONE_LINE, lines[0]), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_config(tmp_path, capsys):
    assert_one_line_error(
        capsys, ["report", "--config", str(tmp_path / "x.toml")], "config file not found"
    )


def test_unknown_config_key(tmp_path, capsys):
    config = edit(copy_sample(tmp_path), "as_of =", "as_off =")
    assert_one_line_error(capsys, ["report", "--config", str(config)], "as_off", "as_of")


def test_config_path_that_does_not_exist(tmp_path, capsys):
    config = edit(copy_sample(tmp_path), '"parcels.gpkg"', '"thua_dat.gpkg"')
    assert_one_line_error(capsys, ["report", "--config", str(config)], "thua_dat.gpkg")


def test_corrupt_workbook(tmp_path, capsys):
    config = copy_sample(tmp_path)
    (config.parent / "so_theo_doi_ban_giao.xlsx").write_bytes(b"PK\x03\x04broken")
    assert_one_line_error(capsys, ["report", "--config", str(config)], "so_theo_doi_ban_giao.xlsx")


def test_missing_parcel_column(tmp_path, capsys):
    config = copy_sample(tmp_path)
    parcels = gpd.read_file(config.parent / "parcels.gpkg").rename(columns={"SOTHUA": "STT_T"})
    parcels.to_file(config.parent / "parcels.gpkg")
    assert_one_line_error(capsys, ["report", "--config", str(config)], "STT_T", "parcel")


def test_swapped_axes(tmp_path, capsys):
    config = copy_sample(tmp_path)
    parcels = gpd.read_file(config.parent / "parcels.gpkg")
    parcels.geometry = shapely.transform(parcels.geometry.values, lambda xy: xy[:, ::-1])
    parcels.to_file(config.parent / "parcels.gpkg")
    assert_one_line_error(capsys, ["report", "--config", str(config)], "swapped")


def test_empty_layer(tmp_path, capsys):
    config = copy_sample(tmp_path)
    write_layer(config.parent / "row_ql4b.gpkg", [{"geometry": rect(0, 0, 1, 1)}])
    gpd.read_file(config.parent / "row_ql4b.gpkg").iloc[:0].to_file(config.parent / "row_ql4b.gpkg")
    assert_one_line_error(capsys, ["report", "--config", str(config)], "empty")


def test_bad_as_of(capsys):
    assert_one_line_error(
        capsys, ["report", "--config", str(SAMPLE_CONFIG), "--as-of", "31/02/2024"], "as-of"
    )


def test_unknown_command(capsys):
    assert_one_line_error(capsys, ["frobnicate"], "invalid choice")


def test_check_exit_codes(capsys):
    """Exit 1 when a due milestone is missed (QL4B's 31/3), or a step is overdue (a payment
    more than 30 days after its plan's approval); 0 when neither is yet due."""
    assert main(["check", "--config", str(SAMPLE_CONFIG)]) == 1
    assert "missed" in capsys.readouterr().out
    assert main(["check", "--config", str(SAMPLE_CONFIG), "--as-of", "2024-03-01"]) == 1
    said = capsys.readouterr().out
    assert "missed" not in said and "overdue: " in said and "payment (" in said
    # before the first plan was approved (30/10/2023) and the first appraisal was due, nothing
    assert main(["check", "--config", str(SAMPLE_CONFIG), "--as-of", "2023-10-01"]) == 0


def test_static_maps_are_a4_and_not_blank(sample_report):
    import numpy as np
    from PIL import Image

    for name in ("QL4B", "CT_HNCL", "overview"):
        image = Image.open(sample_report / "maps" / f"{name}.png").convert("L")
        assert image.size == (2338, 1654)  # A4 landscape at 200 dpi
        pixels = np.asarray(image, dtype=float)
        assert pixels.std() > 10 and (pixels < 128).mean() > 0.002, name
        assert (sample_report / "maps" / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
    zoomed = list((sample_report / "maps").glob("CT_HNCL_*.png"))
    assert len(zoomed) == 6  # one per commune the expressway crosses


def test_html_maps_for_every_project(sample_report):
    projects = pd.read_csv(sample_report / "tables/progress_by_project.csv").project
    for pid in projects:
        page = (sample_report / "maps" / f"{pid}.html").read_text(encoding="utf-8")
        assert "<script src=" not in page
    index = (sample_report / "index.html").read_text(encoding="utf-8")
    assert "maps/QL4B.html" in index
