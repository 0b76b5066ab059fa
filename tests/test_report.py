"""The briefing bundle: safe text, private data, human tables."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest
from helpers import rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress, write_report
from gpmb_gis.labels import heading, stage_name
from gpmb_gis.report import safe_text

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_config(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 10, 10)}])
    write_layer(
        tmp_path / "parcels.gpkg",
        [
            {
                "TENXA": HOSTILE,
                "SHBANDO": 1,
                "SOTHUA": 1,
                "KHLOAIDAT": "=1+2",
                "CHUSUDUNG": "Nguyễn Văn Bí Mật",
                "geometry": rect(0, 0, 10, 10),
            }
        ],
    )
    write_book_csv(
        tmp_path / "book.csv",
        [{"Xã": HOSTILE, "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"}],
    )
    return write_config(
        tmp_path,
        'title = "<b>t</b>"\nprovince = "Lạng Sơn"\n'
        'as_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        'handovers = "book.csv"\n[[projects]]\nid = "P"\nrow = "row.gpkg"\n',
    )


def test_safe_text():
    assert safe_text("=SUM(A1)") == "'=SUM(A1)" and safe_text("@x") == "'@x"
    assert safe_text("Hợp Thành") == "Hợp Thành" and safe_text(-3) == -3


def test_html_is_escaped_and_owner_absent(hostile_config, tmp_path):
    index = write_report(compute_progress(hostile_config), tmp_path / "out", maps=False)
    html = index.read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;img src=x" in html
    assert "<b>t</b>" not in html
    for path in (tmp_path / "out").rglob("*.csv"):
        assert "Bí Mật" not in path.read_text(encoding="utf-8")


def test_owner_only_when_asked(hostile_config):
    result = compute_progress(hostile_config, include_owner=True)
    assert result.parcels["owner"].tolist() == ["Nguyễn Văn Bí Mật"]


def test_xlsx_has_vietnamese_headings_rounding_totals_and_no_formulas(hostile_config, tmp_path):
    write_report(compute_progress(hostile_config), tmp_path / "out", maps=False)
    book = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")
    sheet = book["Tiến độ theo dự án"]
    headings = [c.value for c in sheet[1]]
    assert "Diện tích cần GPMB (ha)" in headings and "Tỷ lệ (%)" in headings
    values = dict(zip(headings, [c.value for c in sheet[2]], strict=True))
    assert values["Diện tích cần GPMB (ha)"] == pytest.approx(0.01)
    assert values["Tỷ lệ (%)"] == 100.0
    assert sheet.cell(sheet.max_row, 1).value == "Tổng cộng"
    parcels = book["Danh sách thửa"]
    for row in parcels.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    land_use = [c.value for c in parcels[2]]
    assert "=1+2" in land_use  # kept as text, as written: no formula, no visible apostrophe
    with zipfile.ZipFile(tmp_path / "out" / "report.xlsx") as xlsx:
        assert not any("<f>" in xlsx.read(n).decode() for n in xlsx.namelist()
                       if n.startswith("xl/worksheets/"))  # fmt: skip


def test_csv_keeps_full_precision(hostile_config, tmp_path):
    write_report(compute_progress(hostile_config), tmp_path / "out", maps=False)
    table = pd.read_csv(tmp_path / "out" / "tables" / "progress_by_project.csv")
    assert table.required_m2.iloc[0] == pytest.approx(100.0, abs=1e-9)


def test_import_is_light():
    code = (
        "import sys, gpmb_gis; bad = [m for m in ('matplotlib', 'folium') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_english_report_words_the_checks_in_english(hand_config, tmp_path):
    from helpers import write_book_csv

    write_book_csv(
        hand_config.parent / "book.csv",
        [{"Xã": "Hợp Thành", "Tờ bản đồ": 9, "Số thửa": 99, "Ngày bàn giao": "01/03/2024"}],
    )
    write_report(compute_progress(hand_config), tmp_path / "out", lang="en", maps=False)
    qa = pd.read_csv(tmp_path / "out" / "tables" / "qa_issues.csv")
    assert qa.message.str.contains("No parcel").any()
    vi = compute_progress(hand_config).qa_issues
    assert vi.message.str.contains("Không có thửa").any()


def test_stages_are_words_in_the_workbook(hand_config, tmp_path):
    write_report(compute_progress(hand_config), tmp_path / "out", maps=False)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")["Danh sách thửa"]
    headings = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(headings) if h == heading("stage", "vi"))
    stages = {row[column].value for row in sheet.iter_rows(min_row=2)}
    assert stages and not stages & {"not_started", "paid", "handed_over", "already_clear"}
    assert stage_name("handed_over", "vi") in stages
