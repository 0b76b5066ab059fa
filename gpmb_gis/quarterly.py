"""The quarterly report: dates of a quarter, and ``report.docx`` for the office to sign.

Reports are due before the 20th of the last month of each quarter (the district plan), so a
quarter's report is made as of that day and compared with the previous quarter's.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._errors import GpmbError
from gpmb_gis._text import xml_text
from gpmb_gis.agency_report import AgencySection, agency_section
from gpmb_gis.household_report import billions, household_sentence, whole
from gpmb_gis.labels import format_number, format_pct, stage_name, word
from gpmb_gis.milestones import AT_RISK, ON_TRACK
from gpmb_gis.result import ProgressResult

__all__ = ["REPORT_DAY", "parse_quarter", "previous_quarter", "quarter_report_date", "write_docx"]


REPORT_DAY = 20
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def parse_quarter(text: str) -> tuple[int, int]:
    """``2024Q2`` (or ``Q2/2024``, ``2024-Q2``) → (2024, 2).

    Examples
    --------
    >>> parse_quarter("2024Q2"), parse_quarter("q3/2024")
    ((2024, 2), (2024, 3))
    """
    match = re.fullmatch(r"\s*(\d{4})\s*[-/ ]?\s*[qQ]([1-4])\s*", text) or re.fullmatch(
        r"\s*[qQ]([1-4])\s*[-/ ]?\s*(\d{4})\s*", text
    )
    if not match:
        raise GpmbError("--quarter", f"{text!r} is not a quarter", "write it as 2024Q2")
    a, b = match.groups()
    return (int(a), int(b)) if len(a) == 4 else (int(b), int(a))


def quarter_report_date(year: int, quarter: int) -> dt.date:
    """The 20th of the quarter's last month: the day the quarterly report is made as of."""
    return dt.date(year, 3 * quarter, REPORT_DAY)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    """The quarter before."""
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _cell(table: Any, row: int, col: int, text: str, *, bold: bool = False) -> None:
    cell = table.cell(row, col)
    cell.text = ""
    run = cell.paragraphs[0].add_run(xml_text(text))
    run.bold = bold


def _ha(value: float) -> str:
    return format_number(value / 1e4, 2)


def _pct(value: float) -> str:
    return format_pct(value)  # a % never read above what it is


def _heading(doc: Any, result: ProgressResult, quarter: tuple[int, int] | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=2, cols=2)
    _cell(table, 0, 0, "ỦY BAN NHÂN DÂN ……………", bold=True)
    _cell(table, 0, 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _cell(table, 1, 0, "Số: ……/BC-UBND")
    _cell(table, 1, 1, "Độc lập - Tự do - Hạnh phúc")
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    date = doc.add_paragraph(f"……, ngày …… tháng …… năm {result.as_of.year}")
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("BÁO CÁO\n").bold = True
    period = "" if quarter is None else f" Quý {_ROMAN[quarter[1]]} năm {quarter[0]}"
    title.add_run(
        xml_text(
            f"Kết quả công tác giải phóng mặt bằng{period}\n"
            f"({result.config.title}; số liệu tính đến ngày {result.as_of:%d/%m/%Y})"
        )
    ).bold = True


def _results(doc: Any, result: ProgressResult, previous: ProgressResult | None) -> None:
    doc.add_paragraph().add_run("I. KẾT QUẢ THỰC HIỆN").bold = True
    doubt = result.unplaced().sentence("vi")
    if doubt:  # the figures below may be low: said before them
        doc.add_paragraph().add_run(xml_text(f"Lưu ý: {doubt}.")).bold = True
    before = previous.progress_by_project.set_index(C.PROJECT) if previous is not None else None
    for k, row in enumerate(result.progress_by_project.itertuples(index=False), start=1):
        text = (
            f"{k}. {row.project_name}: diện tích cần giải phóng mặt bằng "
            f"{_ha(row.required_m2)} ha; đã bàn giao {_ha(row.cleared_m2)} ha, đạt "
            f"{_pct(row.cleared_pct)} %"
        )
        if before is not None and row.project in before.index:
            change = row.cleared_pct - before.loc[row.project, C.CLEARED_PCT]
            text += (
                f" (quý trước {_pct(before.loc[row.project, C.CLEARED_PCT])} %, "
                f"tăng {format_number(change, 1)} điểm %)"
            )
        text += f"; {int(row.parcels_cleared)}/{int(row.parcels_affected)} thửa đã bàn giao."
        doc.add_paragraph(xml_text(text))
        if hasattr(row, C.HOUSEHOLDS_AFFECTED):
            doc.add_paragraph(xml_text(_households_text(row._asdict())))
        communes = result.communes_named(row.project)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for col, name in enumerate(
            ("Xã, thị trấn", "Cần GPMB (ha)", "Đã bàn giao (ha)", "Tỷ lệ (%)")
        ):
            _cell(table, 0, col, name, bold=True)
        for c in communes.itertuples(index=False):
            cells = table.add_row().cells
            for col, value in enumerate(
                (c.commune, _ha(c.required_m2), _ha(c.cleared_m2), _pct(c.cleared_pct))
            ):
                cells[col].text = xml_text(value)
        cells = table.add_row().cells
        for col, value in enumerate(
            ("Tổng cộng", _ha(row.required_m2), _ha(row.cleared_m2), _pct(row.cleared_pct))
        ):
            cells[col].text = xml_text(value)
            cells[col].paragraphs[0].runs[0].bold = True


def _households_text(row: dict[str, Any]) -> str:
    """The project's households, money, resettlement, graves and complaints, as reports say.

    A figure the book has no column for is left out.
    """
    n = int(row[C.HOUSEHOLDS_AFFECTED])

    def money(column: str) -> str:
        amount = billions(row[column])
        return "" if amount is None else f", {format_number(amount, 3)} tỷ đồng"

    parts = [
        f"Về hộ dân: đã kiểm đếm {int(row['households_inventoried'])}/{n} hộ",
        f"phê duyệt phương án {int(row['households_plan_approved'])} hộ"
        + money(C.COMPENSATION_APPROVED_VND),
        f"đã chi trả {int(row['households_paid'])} hộ" + money(C.COMPENSATION_PAID_VND),
        household_sentence(row, "vi"),
    ]
    said = {
        "resettlement_households": "tái định cư {} hộ",
        "resettlement_lots_allocated": "đã giao {} lô tái định cư",
        C.GRAVES_TO_MOVE: "mồ mả phải di chuyển {}",
        C.GRAVES_MOVED: "đã di chuyển {}",
        "complaints_received": "đơn thư đã nhận {}",
        "complaints_resolved": "đã giải quyết {}",
        "complaints_open": "còn {}",
        "households_enforced": "cưỡng chế {} hộ",
    }
    parts += [text.format(whole(row[c])) for c, text in said.items() if whole(row[c]) is not None]
    return "; ".join(parts) + "."


def _difficulties(doc: Any, result: ProgressResult) -> None:
    doc.add_paragraph().add_run("II. KHÓ KHĂN, VƯỚNG MẮC").bold = True
    blockers = result.blockers
    for pid, table in blockers.groupby(C.PROJECT, sort=False):
        stretches = table[table["kind"] == "stretch"]
        if len(stretches):
            doc.add_paragraph(
                xml_text(
                    f"- {pid}: còn {len(stretches)} đoạn chưa giải phóng "
                    "xong: "
                    + "; ".join(stretches["label"].head(12))
                    + ("; …" if len(stretches) > 12 else "")
                    + "."
                )
            )
    parcels = result.parcels
    for pid, group in parcels.groupby(C.PROJECT, sort=False):
        open_ = group[~group[C.STAGE].isin([C.HANDED_OVER, C.ALREADY_CLEAR])]
        complaints, enforced = int(open_[C.COMPLAINT].sum()), int(open_[C.ENFORCEMENT].sum())
        if len(open_):
            stages = open_[C.STAGE].value_counts()
            detail = ", ".join(f"{n} thửa {_lower_first(stage_name(s))}" for s, n in stages.items())
            doc.add_paragraph(
                xml_text(
                    f"- {pid}: {len(open_)} thửa chưa bàn giao ({detail}); "
                    f"{complaints} thửa có đơn thư, {enforced} thửa phải cưỡng chế."
                )
            )
    qa = result.qa_in("vi")
    serious = qa[qa[C.SEVERITY].isin(["error", "warning"])]
    if len(serious):
        doc.add_paragraph(
            f"- Dữ liệu cần rà soát ({len(serious)} trường hợp, chi tiết trong "
            "report.xlsx), nhiều nhất:"
        )
        counts = serious.groupby(C.CHECK).size().sort_values(ascending=False)
        for check, n in counts.head(6).items():
            example = serious[serious[C.CHECK] == check].iloc[0]
            doc.add_paragraph(
                xml_text(f"+ {n} trường hợp, ví dụ {example[C.FEATURE]}: {example[C.MESSAGE]}")
            )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _milestones(doc: Any, milestones: pd.DataFrame) -> None:
    doc.add_paragraph().add_run("III. TIẾN ĐỘ THEO KẾ HOẠCH").bold = True
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for col, name in enumerate(("Dự án", "Mốc", "Mục tiêu", "Thực hiện", "Đánh giá")):
        _cell(table, 0, col, name, bold=True)
    for m in milestones.itertuples(index=False):
        cells = table.add_row().cells
        forecast = (
            f" (dự báo {m.forecast_date:%d/%m/%Y})"
            if m.forecast_date and m.status in (ON_TRACK, AT_RISK)
            else ""
        )
        for col, value in enumerate(
            (
                m.project,
                f"{m.label}",
                f"{m.target_pct:g} % trước {m.date:%d/%m/%Y}",
                f"{_pct(m.actual_pct)} %",
                word(m.status, "vi").capitalize() + forecast,
            )
        ):
            cells[col].text = xml_text(value)


def _agencies(doc: Any, section: AgencySection, number: str, chart: Path | None = None) -> None:
    """The section in ``report.docx``: its sentence, the agency table, the longest overdue.

    ``number``: the section's Roman numeral in the report; ``chart``: the chart of steps late
    per agency and quarter, put after the agency table when the file is there.
    """
    from docx.shared import Cm

    doc.add_paragraph().add_run(f"{number}. {word('agencies_title', 'vi').upper()}").bold = True
    doc.add_paragraph(xml_text(section.judged))
    for caption, table in ((None, section.agencies),
                           (word("longest_overdue", "vi"), section.longest)):  # fmt: skip
        if caption is not None:
            doc.add_paragraph().add_run(caption).bold = True
        if not len(table):
            doc.add_paragraph(word("none_due" if caption is None else "none_overdue", "vi"))
            continue
        grid = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for col, name in enumerate(table.columns):
            _cell(grid, 0, col, str(name), bold=True)
        for values in table.itertuples(index=False):
            cells = grid.add_row().cells
            for col, value in enumerate(values):
                cells[col].text = xml_text(_docx_value(value))
        if caption is None and chart is not None and chart.exists():
            doc.add_picture(str(chart), width=Cm(16))


def _docx_value(value: object) -> str:
    """A cell as people read it: dates dd/mm/yyyy, numbers with a decimal comma, blanks blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        return format_number(number, 0 if number.is_integer() or abs(number) >= 100 else 1, "vi")
    return str(value)


def write_docx(
    result: ProgressResult,
    path: str | Path,
    *,
    quarter: tuple[int, int] | None = None,
    previous: ProgressResult | None = None,
) -> Path:
    """Write ``report.docx``: a Vietnamese administrative report for the office to edit and sign.

    Title (of the quarter, or of the report date alone), per-project results against the
    plan's targets with the commune table (and the quarter before, when ``previous`` is
    given), difficulties (blocked stretches, parcels not handed over, complaints, data to
    review), the milestone status, the agencies' keeping to their time limits (the plan's
    III.3), and blanks for the recommendations and signatures.
    """
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    _heading(doc, result, quarter)
    _results(doc, result, previous)
    _difficulties(doc, result)
    _milestones(doc, result.milestones())
    section = agency_section(result, "vi")
    if section is not None:
        _agencies(doc, section, "IV", Path(path).parent / "charts" / "agencies_late.png")
    closing = "V" if section is not None else "IV"
    doc.add_paragraph().add_run(f"{closing}. KIẾN NGHỊ, ĐỀ XUẤT").bold = True
    doc.add_paragraph("(Đơn vị bổ sung.)")
    signature = doc.add_table(rows=1, cols=2)
    _cell(signature, 0, 0, "Nơi nhận:\n- Như trên;\n- Lưu: VT.")
    _cell(signature, 0, 1, "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\n", bold=True)
    path = Path(path)
    doc.save(path)
    return path
