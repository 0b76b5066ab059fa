"""Handover books: the heading row, the columns, and one record per parcel row.

A book is a sheet of a workbook or a CSV file (:mod:`gpmb_gis.io.grids`). Its heading row is
found among the first rows, its columns are recognised by alias (:mod:`gpmb_gis.io.aliases`),
headings that cannot be placed are refused, and rows that are not records (numbering,
sections, totals, blanks) are skipped.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis import settings
from gpmb_gis._errors import InputError
from gpmb_gis._findings import ERROR, INFO, WARNING, Finding
from gpmb_gis._text import (
    fold,
)
from gpmb_gis.config import LayerSource
from gpmb_gis.io.aliases import (
    ALIASES,
    KEY_AND_DATES,
    NUMBER_HEADINGS,
    alias_keys,
    closest_heading,
    column_key,
    match_columns,
    nearest_column,
    parse_flag,
    parse_status,
    status_flags,
)
from gpmb_gis.io.grids import cell_text, fix_grid_text, is_workbook, read_grids

__all__ = ["empty_handovers", "find_heading", "read_handovers"]


ALIASES["handovers"][C.INVENTORY_DATE] += ("Ngày Kiểm đếm",)
_TOTAL_WORDS = ("tong cong", "tong", "cong", "total", "sum")


def _header_labels(grid: list[list[Any]], row: int) -> list[str]:
    """Labels of a heading row, joined with the row above when that row is a merged group."""
    width = max(len(r) for r in grid[max(0, row - 1) : row + 1])
    cells = [cell_text(grid[row][c]) if c < len(grid[row]) else "" for c in range(width)]
    if row == 0:
        return cells
    above = [cell_text(grid[row - 1][c]) if c < len(grid[row - 1]) else "" for c in range(width)]
    labels = []
    for top, cell in zip(above, cells, strict=True):
        if top and cell and top != cell:
            labels.append(f"{top} {cell}")
        else:
            labels.append(cell or top)
    return labels


def find_heading(
    grid: list[list[Any]],
    fields: Mapping[str, str] | None = None,
) -> tuple[int, list[str], dict[str, str]]:
    """Find the heading row of a handover book.

    Returns the 0-based row index, the column labels, and label → canonical name. Heading
    rows with merged group cells above ("Ngày" over "Kiểm đếm", "Bàn giao") are read as one
    label per column ("Ngày Kiểm đếm"); a column whose joined label means nothing keeps its
    own.
    """
    best: tuple[int, int, list[str], dict[str, str]] = (-1, 0, [], {})
    for row in range(min(len(grid), settings.HEADER_SCAN_ROWS)):
        joined = _header_labels(grid, row)
        alone = [cell_text(c) for c in grid[row]] + [""] * (len(joined) - len(grid[row]))
        labels = [
            lab if match_columns([lab], "handovers", fields) else alone[i]
            for i, lab in enumerate(joined)
        ]
        matched = match_columns(labels, "handovers", fields)
        score = len(set(matched.values()))
        if score > best[1]:
            best = (row, score, labels, matched)
    return best[0], best[2], best[3]


_NUMBERING = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")
_SECTION = re.compile(r"^\s*(?:[IVXLC]+|\d+|[A-Z])\s*[.)\-:/]\s*(.+)$")


def _is_blank_row(cells: list[Any]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _is_numbering_row(cells: list[Any]) -> bool:
    texts = [cell_text(c) for c in cells if cell_text(c)]
    return len(texts) >= 3 and all(_NUMBERING.match(t.replace(".0", "")) for t in texts)


def _total_row(cells: list[Any]) -> bool:
    """A total row: its first words say "Tổng cộng", "Cộng" or "Total"."""
    seen = 0
    for cell in cells:
        text = cell_text(cell)
        if text:
            if _total_text(text):
                return True
            seen += 1
            if seen == 2:
                break
    return False


@functools.lru_cache(maxsize=4096)
def _total_text(text: str) -> bool:
    if text[0].isdigit():  # the row number or a parcel number: the common case
        return False
    folded = fold(text)
    word = next(
        (w for w in _TOTAL_WORDS if folded == w or folded.startswith((w + " ", w + ":"))), None
    )
    if word != "cong":
        return word is not None
    # "Cộng" is a total; "Công Sơn" (a commune) folds to the same letters, "Cong" alone is
    # one when typed without marks
    said = unicodedata.normalize("NFC", text.strip().lower())
    return said.startswith("cộng") or folded in ("cong", "cong:")


def _section_commune(cells: list[Any]) -> str | None:
    """A row such as "I. Xã Hợp Thành" (or "II | Xã Beta | (5 thửa)") that heads a commune."""
    texts = list(dict.fromkeys(cell_text(c) for c in cells if cell_text(c)))
    if not texts or len(texts) > 4:
        return None
    names = []
    for text in texts:
        match = _SECTION.match(text)
        name = (match.group(1) if match else text).strip()
        if re.match(r"^(xa|phuong|thi tran|tt)\b", fold(name)):
            names.append(name)
    return names[0] if len(names) == 1 else None


def _each(values: list[Any], fn: Callable[[Any], Any], cache: dict[Any, Any]) -> list[Any]:
    """``[fn(v) for v in values]``, worked out once per distinct hashable value."""
    try:
        for value in set(values).difference(cache):
            cache[value] = fn(value)
        return [cache[value] for value in values]
    except TypeError:  # an unhashable value among them: each one worked out
        return [fn(value) for value in values]


def _date_or_problem(raw: Any) -> tuple[Any, str | None]:
    from gpmb_gis._dates import DateParseError, parse_date

    try:
        return parse_date(raw), None
    except DateParseError as exc:
        return None, str(exc)


class _BookReader:
    """Turns the data rows of a handover book into records and findings."""

    def __init__(
        self, source: LayerSource, labels: list[str], matched: dict[str, str], sheet: str | None
    ) -> None:
        self.source = source
        self.sheet = sheet
        #: the workbook sheet read, named after a project in a book of one sheet per project
        self.title = ""
        self.index = {canon: labels.index(label) for label, canon in matched.items()}
        self.findings: list[Finding] = []
        self.finding_rows: list[int] = []  # the Excel row of each finding
        self.section: str | None = None
        self.after_total = False
        # a book repeats its dates, statuses and flags: each distinct cell is read once
        self._dates: dict[Any, tuple[Any, str | None]] = {}
        self._statuses: dict[Any, str | None] = {}
        self._flags: dict[Any, bool | None] = {}

    def label(self, excel_row: int) -> str:
        """A row as the user finds it: ``row 17``, or ``QL4B!17`` in a book of several sheets."""
        return f"{self.sheet}!{excel_row}" if self.sheet else f"row {excel_row}"

    def listed(self, severity: str, check: str, excel_row: int, **params: Any) -> None:
        self.note(severity, check, excel_row, listed=True, **params)

    def note(
        self, severity: str, check: str, excel_row: int, *, listed: bool = False, **params: Any
    ) -> None:
        self.findings.append(
            Finding(
                severity,
                check,
                "handovers",
                feature=self.label(excel_row),
                params=params,
                listed=listed,
            )
        )
        self.finding_rows.append(excel_row)

    def read(self, grid: list[list[Any]], head: int) -> tuple[dict[str, list[Any]], int]:
        """The records below the heading row, as columns; and the number of data rows read.

        Rows that are not records (a total, a commune section, a row without a parcel
        number) are listed as they come; the records' cells are then parsed column by column,
        each distinct cell once, and their findings put back in row order.
        """
        read, rows, excel_rows, sections = 0, [], [], []
        at_parcel = self.index[C.PARCEL]
        for r in range(head + 1, len(grid)):
            cells = grid[r]
            parcel = cells[at_parcel] if at_parcel < len(cells) else None
            numbered = cell_text(parcel) != ""  # a numbered row is not blank
            if (not numbered and _is_blank_row(cells)) or (
                r == head + 1 and _is_numbering_row(cells)
            ):
                continue
            read += 1
            if not numbered or _total_row(cells):
                self._non_record(cells, r + 1)
                continue
            rows.append(cells)
            excel_rows.append(r + 1)
            sections.append(self.section)
        columns = self._columns(rows, excel_rows, sections)
        # in row order, as a row-by-row reading gives them (sorted() keeps a row's own order)
        order = sorted(range(len(self.findings)), key=self.finding_rows.__getitem__)
        self.findings = [self.findings[k] for k in order]
        return columns, read

    def _columns(
        self, rows: list[list[Any]], excel_rows: list[int], sections: list[str | None]
    ) -> dict[str, list[Any]]:
        width = min(map(len, rows), default=0)

        def column(canon: str) -> list[Any]:
            i = self.index.get(canon)
            if i is None:
                return [None] * len(rows)
            if i < width:
                return list(map(operator.itemgetter(i), rows))
            return [cells[i] if i < len(cells) else None for cells in rows]

        prefix = f"{self.sheet}!" if self.sheet else "row "  # as self.label gives it
        out: dict[str, list[Any]] = {
            C.SOURCE_ROW: excel_rows,
            C.SOURCE_SHEET: [self.sheet or self.title] * len(rows),
            C.RECORD_LABEL: [f"{prefix}{x}" for x in excel_rows],
        }
        for canon in (C.PROJECT, C.COMMUNE, C.SHEET, C.PARCEL, C.OWNER, C.NOTE, C.LAND_USE):
            out[canon] = column(canon)  # text is NFC since fix_grid_text
        written = [cell_text(c) for c in out[C.COMMUNE]]
        out[C.COMMUNE] = [
            c if text else (self.source.commune or section)
            for c, text, section in zip(out[C.COMMUNE], written, sections, strict=True)
        ]
        for canon in C.DATE_COLUMNS:
            raw = column(canon)
            parsed = _each(raw, _date_or_problem, self._dates)
            out[canon] = [date for date, _ in parsed]
            for k in [k for k, (_, problem) in enumerate(parsed) if problem is not None]:
                self.note(
                    WARNING,
                    "date_unparseable",
                    excel_rows[k],
                    column=canon,
                    value=cell_text(raw[k]),
                    reason=parsed[k][1],
                )
        status = column(C.STATUS)
        out[C.STATUS] = texts = [cell_text(v) for v in status]
        out["status_stage"] = stages = _each(status, parse_status, self._statuses)
        said = _each(status, status_flags, {})  # "Khiếu nại" in the status column
        for k in [k for k, stage in enumerate(stages) if stage is None and texts[k]]:
            if not any(said[k]):
                self.note(WARNING, "unknown_status", excel_rows[k], value=texts[k])
        for j, canon in enumerate((C.ENFORCEMENT, C.COMPLAINT)):
            raw = column(canon)
            flags = _each(raw, parse_flag, self._flags)
            for k in [k for k, flag in enumerate(flags) if flag is None]:
                self.note(
                    WARNING, "unknown_flag", excel_rows[k], column=canon, value=cell_text(raw[k])
                )
            out[canon] = [bool(flag) or s[j] for flag, s in zip(flags, said, strict=True)]
        return out

    def _non_record(self, cells: list[Any], excel_row: int) -> None:
        if _total_row(cells):
            self.after_total = True
            self.listed(
                INFO,
                "total_row",
                excel_row,
                text=" | ".join(cell_text(c) for c in cells if cell_text(c))[:80],
            )
            return None
        section = _section_commune(cells)
        if section:
            self.section = section
            self.listed(INFO, "section_row", excel_row, commune=section)
            return None
        text = " | ".join(cell_text(c) for c in cells if cell_text(c))[:80]
        says = self._says_a_step(cells)
        if self.after_total and not says:  # the place, date and signatures under the total
            self.listed(INFO, "footer_row", excel_row, text=text)
            return None
        # a row that dates a step or gives a status is a record that cannot be placed
        self.section = None  # nor may the records below it take the commune of a section above
        self.listed(ERROR if says else WARNING, "record_no_parcel_number", excel_row, text=text)
        return None

    def _says_a_step(self, cells: list[Any]) -> bool:
        """Whether a row's date cells hold a date, or its status cell a stage."""
        for canon in (*C.DATE_COLUMNS, C.STATUS):
            i = self.index.get(canon)
            if i is None or i >= len(cells) or not cell_text(cells[i]):
                continue
            if canon == C.STATUS:
                if parse_status(cells[i]) is not None:
                    return True
            elif _date_or_problem(cells[i])[0] is not None:
                return True
        return False


def empty_handovers() -> pd.DataFrame:
    """A handover table with no record (for a config without a handover book)."""
    return pd.DataFrame(columns=list(C.HANDOVER_COLUMNS))


def read_handovers(
    source: LayerSource,
    *,
    fields: Mapping[str, str] | None = None,
    strict: bool = True,
) -> tuple[pd.DataFrame, list[Finding], int]:
    """Read a handover book (.xlsx, .xls, .csv) as offices keep it.

    Parameters
    ----------
    source
        The book; ``source.layer`` names the sheet, ``source.commune`` the commune of a book
        that holds one commune only.
    fields
        Extra column names from the config's ``[fields.handovers]``.
    strict
        Refuse a heading that looks like a key or date column the book lacks; otherwise it
        is listed, unused.

    Returns
    -------
    (DataFrame, list of Finding, int)
        One row per record with canonical columns and ``source_row`` (the row number as Excel
        shows it); what was noticed; and the number of data rows read (records plus listed
        rows such as the total row).

    Raises
    ------
    InputError
        When the book cannot be opened, has no heading row, or lacks the parcel number.
    """
    grids = read_grids(source)
    findings: list[Finding] = []
    for grid, sheet in grids:
        findings += fix_grid_text(grid, source.encoding, f"sheet {sheet}")
    if all(not grid or all(_is_blank_row(r) for r in grid) for grid, _ in grids):
        raise InputError(
            source.label(),
            "the handover book is empty",
            "check the file and the sheet named in the config",
        )
    books = [(grid, sheet, find_heading(grid, fields)) for grid, sheet in grids]
    usable = [b for b in books if b[2][0] >= 0 and C.PARCEL in b[2][2].values()]
    if not usable:
        grid, sheet, (head, labels, matched) = books[0]
        found = [lab for lab in (labels or [cell_text(c) for c in grid[0]]) if lab]
        near = nearest_column(C.PARCEL, "handovers", found)
        hint = f"; nearest: {near!r}" if near else ""
        raise InputError(
            f"{source.label()} (sheet {sheet})",
            f"no column for 'parcel' (columns found: {', '.join(found[:15])}{hint})",
            'rename the column to "Số thửa" or map it under [fields.handovers]'
            ' as "<column>" = "parcel"',
        )
    says = {*C.DATE_COLUMNS, C.STATUS}
    dated = [b for b in usable if says & set(b[2][2].values())]
    if dated:  # a summary sheet of parcels without dates beside the book: not the book
        usable = dated
    for _, sheet, (_, labels, matched) in usable:
        findings += _check_headings(source, sheet, labels, matched, strict=strict)
    for _, sheet, _ in [b for b in books if b not in usable]:
        findings.append(
            Finding(INFO, "sheet_skipped", "handovers", f"sheet {sheet}", params={"sheet": sheet})
        )
    records: dict[str, list[Any]] = {name: [] for name in C.HANDOVER_COLUMNS}
    read = 0
    for grid, sheet, (head, labels, matched) in usable:
        reader = _BookReader(source, labels, matched, sheet if len(usable) > 1 else None)
        if is_workbook(source):
            reader.title = sheet
        columns, rows = reader.read(grid, head)
        read += rows
        for name in C.HANDOVER_COLUMNS:
            records[name] += columns[name]
        findings += reader.findings
    table = (
        pd.DataFrame(records, columns=list(C.HANDOVER_COLUMNS))
        if records[C.SOURCE_ROW]
        else empty_handovers()
    )
    table.attrs["headings"] = [lab for _, _, (_, labels, _) in usable for lab in labels if lab]
    return table, findings, read


#: Headings of the book that later capabilities read (households, money, step dates): not
#: taken for another column.
_LATER_HEADINGS = frozenset(column_key(h) for h in (
    "Mã hộ", "Số tiền BT, HT được duyệt (đồng)", "Số tiền đã chi trả (đồng)", "Tái định cư",
    "Số lô TĐC", "Mồ mả phải di chuyển", "Mồ mả đã di chuyển", "Ngày nhận đơn",
    "Ngày giải quyết đơn", "Ngày thông báo thu hồi đất", "Ngày niêm yết",
    "Ngày trình thẩm định", "Ngày thẩm định", "Ngày quyết định thu hồi"))  # fmt: skip


def _like_a_date_column(label: str, alias: str) -> bool:
    """Whether a date heading ("Ngày giao đất") is close to a known date heading's alias."""
    import difflib

    key, known = column_key(label), column_key(alias)
    if not key.startswith("ngay") or key in _LATER_HEADINGS or not known.startswith("ngay"):
        return False
    return difflib.SequenceMatcher(None, key, known).ratio() >= 0.7


def _one_column_each(where: str, labels: list[str], *, strict: bool) -> None:
    """Refuse two columns that read as the same key or date column.

    A planned and an actual handover date under one merged "Ngày bàn giao", say: which one
    is meant is not guessed.
    """
    if not strict:
        return
    seen: dict[str, list[int]] = {}
    for k, label in enumerate(labels):
        canon = alias_keys("handovers").get(column_key(label)) if label else None
        if canon in KEY_AND_DATES:
            seen.setdefault(canon, []).append(k)
    for canon, columns in seen.items():
        if len(columns) > 1:
            which = ", ".join(f"column {k + 1} ({labels[k]!r})" for k in columns)
            raise InputError(
                where,
                f"{which} all read as {canon}: which one holds it is not guessed",
                "give the columns headings of their own (e.g. "
                f'"{labels[columns[0]]} thực tế") and map the one to use under '
                "[fields.handovers]",
            )


def _check_headings(
    source: LayerSource,
    sheet: str,
    labels: list[str],
    matched: dict[str, str],
    *,
    strict: bool = True,
) -> list[Finding]:
    """List the headings not understood; refuse a book that lost a key or date column.

    A heading that starts with a known one whose column the book lacks ("Ngày bàn giao MB"
    beside no "Ngày bàn giao") is an error, not a guess; a book without any date or status
    column is an error too. Other unknown headings are listed with the closest known name.
    """
    found = [lab for lab in labels if lab]
    where = f"{source.label()} (sheet {sheet})" if is_workbook(source) else source.label()
    have = set(matched.values())
    if not have & {*C.DATE_COLUMNS, C.STATUS}:
        raise InputError(
            where,
            "no column of handover dates or status was understood "
            f"(headings found: {', '.join(found[:20])})",
            'name the column "Ngày bàn giao" (or "Trạng thái"), or map it under '
            '[fields.handovers] as "<heading>" = "handover_date"',
        )
    _one_column_each(where, labels, strict=strict)
    findings = []
    for label in found:
        if label in matched or column_key(label) in NUMBER_HEADINGS or _NUMBERING.match(label):
            continue
        near = closest_heading(label)
        if (
            strict
            and near
            and near[1] not in have
            and ((near[2] and near[1] in KEY_AND_DATES) or _like_a_date_column(label, near[0]))
        ):
            raise InputError(
                where,
                f"the heading {label!r} is not understood; it looks like "
                f"{near[0]!r} ({near[1]}), which the book has no column for",
                f'map it under [fields.handovers] as "{label}" = "{near[1]}", or rename it',
            )
        closest = f"{near[0]} ({near[1]})" if near else "—"
        findings.append(
            Finding(
                WARNING,
                "book_column_unknown",
                "handovers",
                f"sheet {sheet}",
                params={"column": label, "closest": closest},
            )
        )
    return findings
