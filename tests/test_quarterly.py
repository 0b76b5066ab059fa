"""The quarterly report: dates, the comparison, and report.docx."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from helpers import SAMPLE_CONFIG

from gpmb_gis._errors import GpmbError
from gpmb_gis.cli import main
from gpmb_gis.quarterly import parse_quarter, previous_quarter, quarter_report_date


def test_quarter_dates():
    assert parse_quarter("2024Q2") == (2024, 2) == parse_quarter("Q2/2024")
    assert quarter_report_date(2024, 2) == dt.date(2024, 6, 20)
    assert quarter_report_date(2024, 4) == dt.date(2024, 12, 20)
    assert previous_quarter(2024, 1) == (2023, 4)
    with pytest.raises(GpmbError):
        parse_quarter("2024Q5")


@pytest.fixture(scope="module")
def quarter_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("q2")
    assert main(["report", "--config", str(SAMPLE_CONFIG), "--quarter", "2024Q2", "--no-maps",
                 "--out", str(out)]) == 0  # fmt: skip
    assert not (out / "maps").exists() and (out / "gpmb.gpkg").exists()  # quick, and a layer
    return out


def test_quarter_report_is_as_of_the_20th_and_compares(quarter_report):
    import docx

    text = "\n".join(p.text for p in docx.Document(quarter_report / "report.docx").paragraphs)
    assert "Quý II năm 2024" in text and "20/06/2024" in text
    assert "quý trước" in text and "KHÓ KHĂN, VƯỚNG MẮC" in text
    assert "Km" in text  # blocked stretches of the roads
    progress = (quarter_report / "tables" / "progress_by_project.csv").read_text()
    assert "2024-06-20" in progress


def test_docx_has_the_commune_and_milestone_tables(quarter_report):
    import docx

    tables = docx.Document(quarter_report / "report.docx").tables
    headers = [[c.text for c in t.rows[0].cells] for t in tables]
    assert ["Xã, thị trấn", "Cần GPMB (ha)", "Đã bàn giao (ha)", "Tỷ lệ (%)"] in headers
    assert ["Dự án", "Mốc", "Mục tiêu", "Thực hiện", "Đánh giá"] in headers


def test_docx_opens_in_libreoffice(quarter_report, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(quarter_report / "report.docx")], check=True, capture_output=True,
                   timeout=180)  # fmt: skip
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000


def test_quarter_and_as_of_together_is_a_usage_error(capsys):
    code = main(["report", "--config", str(SAMPLE_CONFIG), "--quarter", "2024Q2",
                 "--as-of", "2024-06-01"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1
