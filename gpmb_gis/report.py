"""The briefing bundle: tables (CSV, XLSX), maps and ``index.html`` in one folder."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._text import xml_text
from gpmb_gis.agency_report import agency_html, agency_section
from gpmb_gis.columns import COMMUNE_COLUMNS, PROJECT_COLUMNS
from gpmb_gis.household_report import BILLIONS, billions, households_table, human
from gpmb_gis.labels import (
    format_number,
    format_pct,
    heading,
    pct_shown,
    stage_name,
    word,
)
from gpmb_gis.outdir import file_stem
from gpmb_gis.palette import STATUS_TINTS
from gpmb_gis.pictures import (
    write_atlases,
    write_charts,
    write_maps,
    write_strips,
    write_web_maps,
)
from gpmb_gis.qa_words import check_title, layer_word, qa_counts, records_lines
from gpmb_gis.result import ProgressResult, commune_columns
from gpmb_gis.timeline import stages_table, timeseries_table, week_changes

__all__ = [
    "format_number",
    "safe_text",
    "summary_lines",
    "write_index",
    "write_qa_page",
    "write_report",
    "write_tables",
    "write_xlsx",
]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_M2 = (
    C.REQUIRED_M2,
    C.CLEARED_M2,
    C.UNMAPPED_M2,
    "inventoried_m2",
    "plan_approved_m2",
    "paid_m2",
    "handed_over_m2",
)


def safe_text(value: Any) -> Any:
    r"""Text that a spreadsheet would run as a formula is written with a leading apostrophe.

    A line break inside a cell is written as ``\n`` (which a CSV writer quotes; a lone
    ``\r`` it does not), and each line that starts like a formula is guarded too.

    Examples
    --------
    >>> safe_text("=SUM(A1)"), safe_text("LUC\r=cmd|' /C calc'!A0")
    ("'=SUM(A1)", "LUC\n'=cmd|' /C calc'!A0")
    """
    if not isinstance(value, str):
        return value
    if "\r" in value or "\n" in value:
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(safe_text(line) for line in lines)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _safe_frame(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(safe_text)
    return out


def write_tables(
    result: ProgressResult,
    out_dir: Path,
    lang: str | None = None,
    *,
    only: tuple[str, ...] | None = None,
) -> dict[str, Path]:
    """Write the CSV tables of ``tables/`` (UTF-8, full precision); ``only`` names a subset."""
    tables = out_dir / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    frames = {
        "progress_by_project": _with_others(result.progress_by_project, PROJECT_COLUMNS),
        "progress_by_commune": _with_others(
            result.progress_by_commune, commune_columns(result.report_era())
        ),
        "progress_by_commune_2025": result.progress_by_commune_2025,
        "parcels": result.parcels,
        "qa_issues": result.qa_in(lang or result.config.lang),
        "progress_by_chainage": result.progress_by_chainage,
        "blockers": result.blockers,
        "milestones": result.milestones(),
        "stages": stages_table(result),
        "week_changes": week_changes(result),
        "timeseries": timeseries_table(result),
        **result.deadlines(),
    }
    paths = {}
    for name, frame in frames.items():
        if only is not None and name not in only:
            continue
        path = tables / f"{name}.csv"
        _safe_frame(frame).to_csv(path, index=False, encoding="utf-8")
        paths[name] = path
    return paths


def _agencies_section(result: ProgressResult, out_dir: Path, lang: str) -> list[str]:
    """Who is late (the plan's III.3): :func:`gpmb_gis.agency_report.agency_html`."""
    section = agency_section(result, lang)
    if section is None:
        return []
    chart = (out_dir / "charts" / "agencies_late.png").exists()
    return agency_html(section, lambda t: _html_table(t, lang), lang, chart=chart)


def _with_others(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A table in its columns' order, then the others it has (road, households)."""
    return table.reindex(columns=[*columns, *(c for c in table.columns if c not in columns)])


def _human(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Round for people: m² → ha to 2 decimals, % to 1, headings and stage names in words."""
    out = table.copy()
    for col in out.columns:
        if col == C.STAGE:
            out[col] = [stage_name(s, lang) if isinstance(s, str) else s for s in out[col]]
        elif col in ("side", C.SEVERITY):
            key = "side" if col == "side" else "severity"
            out[col] = [word(f"{key}_{v}", lang) if isinstance(v, str) and v else v
                        for v in out[col]]  # fmt: skip
        elif col in ("step", "waiting_step"):
            out[col] = [word(f"step_{v}", lang) if isinstance(v, str) and v else v
                        for v in out[col]]  # fmt: skip
        elif col in (C.CHECK, C.LAYER) and C.MESSAGE in out:  # the QA table, for people
            out[col] = [check_title(v, lang) if col == C.CHECK else layer_word(v, lang)
                        for v in out[col]]  # fmt: skip
        elif col in _M2:
            out[col] = (out[col] / 1e4).round(2)
        elif col == C.CLEARED_PCT:
            out[col] = [pct_shown(float(v), 1) for v in out[col]]
        elif col in (C.AFFECTED_M2, C.AREA_M2):
            out[col] = pd.to_numeric(out[col], errors="coerce").round(1)
    return out.rename(columns={c: heading(c, lang) for c in out.columns})


def _totals_row(result: ProgressResult, project: str | None, lang: str) -> dict[str, Any]:
    table = result.progress_by_project
    rows = table if project is None else table[table[C.PROJECT] == project]
    required = float(rows[C.REQUIRED_M2].sum())
    cleared = float(rows[C.CLEARED_M2].sum())
    total = {
        C.PROJECT: word("total", lang),
        C.REQUIRED_M2: required,
        C.CLEARED_M2: cleared,
        C.CLEARED_PCT: 100 * cleared / required if required else math.nan,
        C.UNMAPPED_M2: float(rows[C.UNMAPPED_M2].sum()),
        C.PARCELS_AFFECTED: int(rows[C.PARCELS_AFFECTED].sum()),
        C.PARCELS_CLEARED: int(rows[C.PARCELS_CLEARED].sum()),
    }
    for col in ("inventoried_m2", "plan_approved_m2", "paid_m2"):
        if col in rows:
            total[col] = float(rows[col].sum())
    return total


#: Headings of money in billions of đồng, shown to 3 decimals.
_BILLION_HEADINGS = frozenset(heading(c, lang) for c in BILLIONS.values() for lang in ("vi", "en"))


def _write_sheet(book: Any, title: str, table: pd.DataFrame, *, total_rows: int = 0) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title=title[:31])
    ws.append(list(table.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in table.itertuples(index=False):
        ws.append([_xlsx_value(v) for v in values])
    last, n_columns = len(table) + 1, max(len(table.columns), 1)  # ws.max_row scans every cell
    for row in ws.iter_rows(min_row=2, max_row=last, max_col=n_columns):
        for cell in row:
            if cell.data_type == "f":  # text that reads like a formula stays text
                cell.data_type = "s"
    for row in ws.iter_rows(min_row=last - total_rows + 1, max_row=last, max_col=n_columns):
        for cell in row:
            cell.font = Font(bold=True)
    for i, name in enumerate(table.columns, start=1):
        fmt = "0.0" if "%" in str(name) else ("#,##0.00" if "(ha)" in str(name) else None)
        if str(name) in _BILLION_HEADINGS:
            fmt = "#,##0.000"
        width = max(10, min(45, len(str(name)) + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "A2"


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, str):
        return xml_text(value)  # a formula-like text is kept as text by _write_sheet
    if hasattr(value, "item"):
        return value.item()
    return value


def write_xlsx(result: ProgressResult, path: Path, lang: str) -> Path:
    """Write ``report.xlsx``: every table, Vietnamese headings, ha and %, totals rows."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    projects = result.progress_by_project[PROJECT_COLUMNS].drop(columns=[C.AS_OF])
    total = pd.DataFrame([_totals_row(result, None, lang)]).reindex(columns=projects.columns)
    _write_sheet(
        book, word("by_project", lang), _human(pd.concat([projects, total]), lang), total_rows=1
    )
    sheets = [("by_commune", result.communes_named())]
    if result.report_era() == "both":
        sheets.append(("by_commune_2024", result.progress_by_commune))
    for sheet, table in sheets:
        communes = table[COMMUNE_COLUMNS].drop(columns=[C.AS_OF])
        parts = []
        for pid, group in communes.groupby(C.PROJECT, sort=False):
            parts.append(group)
            row = _totals_row(result, str(pid), lang)
            row[C.COMMUNE] = f"{word('total', lang)} {pid}"
            row[C.PROJECT] = pid
            parts.append(pd.DataFrame([row]).reindex(columns=communes.columns))
        _write_sheet(book, word(sheet, lang), _human(pd.concat(parts) if parts else communes, lang))
    households = households_table(result, lang)
    if households is not None:
        _write_sheet(book, word("households", lang), human(households, lang), total_rows=1)
    if len(result.progress_by_chainage):
        chainage = result.progress_by_chainage.drop(columns=["from_m", "to_m", C.AS_OF])
        _write_sheet(book, word("by_chainage", lang), _human(chainage, lang))
        blockers = result.blockers.drop(columns=["from_m", "to_m"])
        _write_sheet(book, word("blockers", lang), _human(blockers, lang))
    milestones = result.milestones()
    _write_sheet(book, word("milestones", lang), _human(milestones, lang))
    tables = result.deadlines()
    if len(tables["agency_deadlines"]):
        _write_sheet(book, word("agencies_sheet", lang), _human(tables["agencies"], lang))
        _write_sheet(book, word("agency_steps_sheet", lang),
                     _human(tables["agency_deadlines"], lang))  # fmt: skip
    _write_sheet(book, word("stages", lang), _human(stages_table(result), lang))
    _write_sheet(book, word("parcels", lang), _human(result.parcels, lang))
    _write_sheet(book, word("qa", lang), _human(result.qa_in(lang), lang))
    doubt = result.unplaced().sentence(lang)
    if doubt:  # beside the headline: a note under the project table, in red
        from openpyxl.styles import Font

        sheet = book[word("by_project", lang)[:31]]
        cell = sheet.cell(sheet.max_row + 2, 1, xml_text(f"⚠ {doubt}"))
        cell.font = Font(bold=True, color="B00000")
    book.save(path)
    return path


def summary_lines(result: ProgressResult) -> list[str]:
    """One ``records: N read = M used + K listed`` line per layer.

    A layer read only near the right of way says how many features the whole file holds.
    """
    in_layer = result.inputs.in_layer if result.inputs is not None else {}

    def whole(layer: str) -> str:
        n = in_layer.get(layer)
        return "" if n is None else f"; those touching a right of way, of {n} in the layer"

    lines = [
        f"records: {r.read} read = {r.used} used + {r.listed} listed  ({r.layer}{whole(r.layer)})"
        for r in result.records.itertuples(index=False)
    ]
    doubt = result.unplaced().sentence("en")
    return [*lines, f"warning: {doubt} (qa_issues.csv lists each)"] if doubt else lines


def _doubt_banner(result: ProgressResult, lang: str) -> list[str]:
    """A banner above the headline when records with dates could not be placed."""
    doubt = result.unplaced().sentence(lang)
    return [f"<p class='doubt' role='alert'>⚠ {html.escape(doubt)}</p>"] if doubt else []


def _html_table(
    table: pd.DataFrame,
    lang: str,
    *,
    total: dict[str, Any] | None = None,
    decimals: dict[str, int] | None = None,
) -> str:
    """An HTML table of a result table: human units, numbers right-aligned, all escaped.

    ``decimals``: the decimals of columns shown otherwise than by their unit.
    """
    if total is not None:
        table = pd.concat([table, pd.DataFrame([total]).reindex(columns=table.columns)])
    decimals = {
        c: (decimals or {}).get(c, 1 if c == C.CLEARED_PCT else 2 if c in _M2 else 0)
        for c in table.columns
    }
    numeric = {c: pd.api.types.is_numeric_dtype(table[c]) for c in table.columns}
    human = _human(table, lang)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in human.columns)
    body = []
    for i, values in enumerate(human.itertuples(index=False)):
        cells = "".join(
            f"<td class='n'>{html.escape(format_number(v, decimals[c], lang))}</td>"
            if numeric[c]
            else f"<td>{html.escape(_text(v))}</td>"
            for c, v in zip(table.columns, values, strict=True)
        )
        last = total is not None and i == len(human) - 1
        body.append(f"<tr class='total'>{cells}</tr>" if last else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


_CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:1rem;
color:#222;max-width:1200px}table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}
td.n{text-align:right;white-space:nowrap}tr.total td{font-weight:bold;background:#fafafa}
.wrap{overflow-x:auto}img{max-width:100%;
border:1px solid #ddd}h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}
.note{color:#555;font-size:.85rem}.doubt{background:#FDECEA;border-left:4px solid #D55E00;
padding:.5rem .75rem;font-weight:bold}"""


def write_index(result: ProgressResult, out_dir: Path, files: Sequence[Path], lang: str) -> Path:
    """Write ``index.html``: headline tables, record accounting, QA counts and links."""
    esc = html.escape
    title = f"{word('report_title', lang)} — {result.config.title}"
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(word('as_of', lang))}: <b>{result.as_of:%d/%m/%Y}</b></p>",
        *_doubt_banner(result, lang),
        *_changes_section(result, lang),
        *_milestones_section(result, out_dir, lang),
        f"<h2>{esc(word('by_project', lang))}</h2><div class='wrap'>",
        _html_table(result.progress_by_project[PROJECT_COLUMNS].drop(columns=[C.AS_OF]), lang),
        "</div>",
        *_households_section(result, lang),
    ]
    for pid, group in result.communes_named().groupby(C.PROJECT, sort=False):
        parts.append(f"<h2>{esc(word('by_commune', lang))}: {esc(str(pid))}</h2>")
        total = _totals_row(result, str(pid), lang)
        total[C.PROJECT], total[C.COMMUNE] = pid, word("total", lang)
        table = _html_table(group.drop(columns=[C.AS_OF]), lang, total=total)
        parts.append(f"<div class='wrap'>{table}</div>")
        web = out_dir / "maps" / f"{file_stem(pid)}.html"
        if web.exists():
            rel = esc(web.relative_to(out_dir).as_posix())
            parts.append(f"<p><a href='{rel}'>{esc(word('web_map', lang))}</a></p>")
        for png in (
            out_dir / "maps" / f"{file_stem(pid)}.png",
            out_dir / "charts" / f"{file_stem(pid)}_communes.png",
            out_dir / "charts" / f"{file_stem(pid)}_funnel.png",
        ):
            if png.exists():
                rel = esc(png.relative_to(out_dir).as_posix())
                parts.append(
                    f"<p><a href='{rel}'><img src='{rel}' alt='{esc(str(pid))}' "
                    "loading='lazy'></a></p>"
                )
    parts += _blockers_section(result, out_dir, lang)
    parts += _agencies_section(result, out_dir, lang)
    parts.append(f"<h2>{esc(word('records', lang))}</h2><ul>")
    parts += [f"<li>{esc(line)}</li>" for line in records_lines(result, lang)]
    parts.append(f"</ul><h2>{esc(word('qa', lang))}</h2>")
    parts.append("<div class='wrap'>" + _html_table(qa_counts(result, lang), lang) + "</div>")
    parts.append(f"<h2>{esc(word('files', lang))}</h2><ul>")
    for path in files:
        rel = esc(path.relative_to(out_dir).as_posix())
        parts.append(f"<li><a href='{rel}'>{rel}</a></li>")
    parts.append(f"</ul><p class='note'>gpmb_gis · {dt.date.today():%d/%m/%Y}</p>")
    parts.append("</body></html>")
    path = out_dir / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _households_section(result: ProgressResult, lang: str) -> list[str]:
    """Households and money beside the hectares, when the book has them."""
    table = households_table(result, lang)
    if table is None:
        return []
    total = table.iloc[-1].to_dict()
    shown = _html_table(
        table.iloc[:-1], lang, total=total, decimals=dict.fromkeys(BILLIONS.values(), 3)
    )
    return [f"<h2>{html.escape(word('households', lang))}</h2><div class='wrap'>{shown}</div>"]


def _changes_section(result: ProgressResult, lang: str) -> list[str]:
    """``index.html`` opens with what changed since last week."""
    esc = html.escape
    changes = week_changes(result)
    since = changes.attrs["since"]
    parts = [
        f"<h2>{esc(word('this_week', lang))} ({since:%d/%m/%Y} → {result.as_of:%d/%m/%Y})</h2><ul>"
    ]
    for row in changes[changes["scope"] == "project"].itertuples(index=False):
        moved = changes[
            (changes[C.PROJECT] == row.project)
            & (changes["scope"] == "commune")
            & (changes["cleared_change_m2"] > 0.005)
        ]
        where = "; ".join(
            f"{c} +{format_number(m / 1e4, 2, lang)} ha ({_signed(p, 1, lang)} "
            f"{word('points', lang)})"
            for c, m, p in zip(
                moved[C.COMMUNE],
                moved["cleared_change_m2"],
                moved["cleared_change_points"],
                strict=True,
            )
        )
        parts.append(
            f"<li><b>{esc(str(row.project))}</b>: {format_pct(row.cleared_pct, lang)} % "
            f"({_signed(row.cleared_change_points, 1, lang)} {esc(word('points', lang))}, "
            f"{_signed(row.cleared_change_m2 / 1e4, 2, lang)} ha, "
            f"{int(row.parcels_newly_cleared)} {esc(word('newly_handed_over', lang))}"
            + _households_moved(row, lang)
            + ")"
            + (f" — {esc(where)}" if where else "")
            + "</li>"
        )
    parts.append("</ul>")
    return parts


def _households_moved(row: Any, lang: str) -> str:
    """A week's households and money: ", 3 hộ mới bàn giao, +1,250 tỷ đồng chi trả"."""
    if not hasattr(row, "households_newly_handed_over"):
        return ""
    money = billions(row.compensation_paid_change_vnd)
    if money is None:  # the book gives no payments: households only
        new = html.escape(word("households_new", lang))
        return f", +{int(row.households_newly_handed_over)} {new}"
    text = word("households_moved", lang).format(
        handed=int(row.households_newly_handed_over), money=_signed(money, 3, lang)
    )
    return ", " + html.escape(text)


def _signed(value: float, decimals: int, lang: str) -> str:
    text = format_number(abs(value), decimals, lang)
    return f"+{text}" if value >= 0 else f"−{text}"


def _milestones_section(result: ProgressResult, out_dir: Path, lang: str) -> list[str]:
    """The milestone table, each row coloured by its status, and the burn-up charts."""
    esc = html.escape
    table = result.milestones()
    # the milestone table's columns, without those the page shows elsewhere or in hectares
    shown_elsewhere = ("scope", "reached_date", "needed_ha_per_week", "recent_ha_per_week")
    head = [c for c in C.MILESTONE_COLUMNS if c not in shown_elsewhere]
    names = [heading(h, lang) for h in head]
    rows = []
    for r in table.itertuples(index=False):
        cells = [
            esc(str(r.project)),
            esc(str(r.label)),
            f"{r.date:%d/%m/%Y}",
            format_number(r.target_pct, 0, lang),
            format_pct(r.actual_pct, lang),
            esc(word(r.status, lang)),
            f"{r.forecast_date:%d/%m/%Y}" if r.forecast_date else "—",
            format_number(r.needed_pct_per_week, 1, lang),
            format_number(r.recent_pct_per_week, 1, lang),
        ]
        tds = "".join(f"<td>{c}</td>" for c in cells)
        rows.append(f"<tr style='background:{STATUS_TINTS.get(r.status, '#fff')}'>{tds}</tr>")
    ths = "".join(f"<th>{esc(n)}</th>" for n in names)
    parts = [
        f"<h2>{esc(word('milestones', lang))}</h2><div class='wrap'><table><thead><tr>"
        f"{ths}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    ]
    for pid in result.overlays:
        png = out_dir / "charts" / f"{file_stem(pid)}_burnup.png"
        if png.exists():
            rel = esc(png.relative_to(out_dir).as_posix())
            parts.append(
                f"<p><a href='{rel}'><img src='{rel}' alt='{esc(str(pid))}' loading='lazy'></a></p>"
            )
    return parts


def _blockers_section(result: ProgressResult, out_dir: Path, lang: str) -> list[str]:
    """``index.html``: for each road, what blocks it — stretches, parcels, clean km."""
    esc = html.escape
    parts: list[str] = []
    projects = result.progress_by_project.set_index(C.PROJECT)
    for pid, table in result.blockers.groupby(C.PROJECT, sort=False):
        row = projects.loc[pid]
        parts.append(f"<h2>{esc(word('what_blocks', lang))}: {esc(str(pid))}</h2>")
        parts.append(
            f"<p>{esc(word('clean_km', lang))}: <b>{format_number(row['clean_km'], 1, lang)}</b>"
            f" km · {esc(word('longest_cleared', lang))}: <b>{esc(str(row['longest_cleared']))}"
            f"</b> ({format_number(row['longest_cleared_m'], 0, lang)} m) · "
            f"{esc(word('blocked', lang))}: <b>{int(row['blocked_stretches'])}</b></p>"
        )
        strip = out_dir / "charts" / f"{file_stem(pid)}_strip.png"
        if strip.exists():
            rel = esc(strip.relative_to(out_dir).as_posix())
            parts.append(
                f"<p><a href='{rel}'><img src='{rel}' alt='{esc(str(pid))}' loading='lazy'></a></p>"
            )
        stretches = table[table["kind"] == "stretch"][
            ["label", "length_m", "uncleared_m2", "parcels"]
        ]
        parts.append(f"<div class='wrap'>{_html_table(stretches, lang)}</div>")
        parcels = table[table["kind"] == "parcel"].head(15)[
            [
                "commune",
                "sheet",
                "parcel",
                "label",
                "side",
                "uncleared_m2",
                "completes_m",
                "waiting_step",
                "waiting_agency",
                "overdue_days",
            ]
        ]
        parts.append(f"<h3>{esc(word('blocking_parcels', lang))}</h3>")
        parts.append(f"<div class='wrap'>{_html_table(parcels, lang)}</div>")
    return parts


def write_qa_page(result: ProgressResult, out_dir: Path, lang: str | None = None) -> Path:
    """Write ``qa.html``: record accounting, counts per check, and every finding."""
    lang = lang or result.config.lang
    esc = html.escape
    qa = result.qa_in(lang)
    title = f"{word('qa', lang)} — {result.config.title}"
    counts = qa_counts(result, lang)
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1><h2>{esc(word('records', lang))}</h2><ul>",
        *[f"<li>{esc(line)}</li>" for line in records_lines(result, lang)],
        "</ul>",
        f"<div class='wrap'>{_html_table(counts, lang)}</div>",
        f"<div class='wrap'>{_html_table(qa, lang)}</div>",
        "</body></html>",
    ]
    path = out_dir / "qa.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_report(
    result: ProgressResult,
    out_dir: str | Path,
    *,
    lang: str | None = None,
    maps: bool = True,
    cdn: bool = False,
    include_owner: bool = False,
    also: Sequence[Callable[[Path], Path]] = (),
) -> Path:
    """Write the whole briefing into a folder and return the path of ``index.html``.

    The briefing is built in a folder beside ``out_dir`` and moved in place when complete
    (see :mod:`gpmb_gis.outdir`): ``out_dir`` may not hold the inputs, a second run into it
    at the same time stops, and a run that fails leaves the previous briefing whole.

    Parameters
    ----------
    result
        What :func:`gpmb_gis.compute_progress` returned.
    out_dir
        The folder; created when missing.
    lang
        ``vi`` (default from the config) or ``en``.
    maps
        Draw the maps and charts (PNG, PDF, HTML).
    cdn
        HTML maps load Leaflet from the web instead of carrying it.
    include_owner
        Owner names in the HTML maps' tooltips and in `gpmb.gpkg`'s pieces (the tables follow
        ``result``).
    also
        More writers, each given the folder being built and returning the file it wrote
        (the quarterly ``report.docx``); their files are linked from ``index.html`` too.

    Examples
    --------
    >>> index = gg.write_report(result, tmp_path / "briefing", maps=False)
    >>> index.name
    'index.html'
    """
    from gpmb_gis.outdir import output_folder
    from gpmb_gis.qgis_layers import write_gpkg

    lang = lang or result.config.lang
    with output_folder(out_dir, result.config.input_paths()) as out:
        files = list(write_tables(result, out, lang).values())
        files.append(write_xlsx(result, out / "report.xlsx", lang))
        files.append(write_gpkg(result, out / "gpmb.gpkg", lang, include_owner=include_owner))
        if maps:
            files += write_maps(result, out, lang)
            files += write_atlases(result, out, lang)
            files += write_strips(result, out, lang)
            files += write_charts(result, out, lang)
            files += write_web_maps(result, out, lang, include_owner=include_owner, cdn=cdn)
        files += [write(out) for write in also]
        index = write_index(result, out, files, lang)
    return Path(out_dir).resolve() / index.relative_to(out)
