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
from gpmb_gis._errors import InputError
from gpmb_gis._findings import ERROR, INFO, WARNING, Finding
from gpmb_gis._text import fold, number_key, without_names
from gpmb_gis.config import LayerSource
from gpmb_gis.io.aliases import (
    ALIASES,
    nearest_column,
    parse_flag,
    parse_status,
    parse_yes,
    status_flags,
)
from gpmb_gis.io.amounts import (
    MOST_COUNT,
    MOST_LOTS,
    AmountError,
    money_unit,
    parse_amount,
    parse_count,
)
from gpmb_gis.io.grids import cell_text, fix_grid_text, is_workbook, read_grids
from gpmb_gis.io.headings import NUMBERING, check_headings, find_heading

__all__ = ["empty_handovers", "read_handovers"]


ALIASES["handovers"][C.INVENTORY_DATE] += ("Ngày Kiểm đếm",)
_TOTAL_WORDS = ("tong cong", "tong", "cong", "total", "sum")


_SECTION = re.compile(r"^\s*(?:[IVXLC]+|\d+|[A-Z])\s*[.)\-:/]\s*(.+)$")


def _is_blank_row(cells: list[Any]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _is_numbering_row(cells: list[Any]) -> bool:
    texts = [cell_text(c) for c in cells if cell_text(c)]
    return len(texts) >= 3 and all(NUMBERING.match(t.replace(".0", "")) for t in texts)


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
        #: each money column's unit (đồng each), None when its heading says none
        self.units = {
            canon: money_unit(label) for label, canon in matched.items() if canon in C.MONEY_COLUMNS
        }
        self.headings = {canon: label for label, canon in matched.items()}
        #: cells of merged ranges past their first (:class:`~gpmb_gis.io.grids.Grid`)
        self.filled: set[tuple[int, int]] = set()
        #: records whose resettlement draw date could not be read
        self.undrawn: set[int] = set()

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
        read, rows, excel_rows, sections, parts = 0, [], [], [], []
        at_parcel = self.index[C.PARCEL]
        self.filled = getattr(grid, "filled", set())
        for canon, said in list(self.units.items()):
            at = self.index[canon]
            if said is None and head > 0 and at < len(grid[head - 1]):  # a heading over two rows
                self.units[canon] = money_unit(cell_text(grid[head - 1][at]))
            if self.units[canon] is None:
                self.note(INFO, "amount_unit_assumed", head + 1, column=self.headings[canon])
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
            listed = self._parcel_list(cells, r + 1)
            read += len(listed) - 1  # a row listing parcels: a record each
            for n, (sheet, number) in enumerate(listed):
                rows.append(cells if number is None else _with_cell(cells, at_parcel, number))
                excel_rows.append(r + 1)
                sections.append(self.section)
                parts.append((n, len(listed), sheet, number))
        columns = self._columns(rows, excel_rows, sections, parts)
        # in row order, as a row-by-row reading gives them (sorted() keeps a row's own order)
        order = sorted(range(len(self.findings)), key=self.finding_rows.__getitem__)
        self.findings = [self.findings[k] for k in order]
        return columns, read

    def _parcel_list(self, cells: list[Any], excel_row: int) -> list[tuple[Any, Any]]:
        """The parcels a row names, as (sheet, number) pairs.

        ``[(None, None)]`` for one number written as today; the pairs of a list ("12/45,
        12/46", "45; 46") or of a sheet/number ("12/45"). A list whose sheet differs from
        the row's sheet cell is not split: said, not guessed.
        """
        at = self.index[C.PARCEL]
        listed = _parcels_listed(cells[at] if at < len(cells) else None)
        if listed is None:
            return [(None, None)]
        at_sheet = self.index.get(C.SHEET)
        own = number_key(cells[at_sheet]) if at_sheet is not None and at_sheet < len(cells) else ""
        if own and any(sheet is not None and number_key(sheet) != own for sheet, _ in listed):
            self.note(WARNING, "parcel_list_sheet_differs", excel_row, parcels=cell_text(cells[at]),
                      sheet=cell_text(cells[at_sheet]))  # fmt: skip
            return [(None, None)]
        return listed

    def _columns(
        self,
        rows: list[list[Any]],
        excel_rows: list[int],
        sections: list[str | None],
        parts: list[tuple[int, int, Any, Any]],
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
            C.RECORD_LABEL: [
                f"{prefix}{x}"
                + (f" ({'' if sheet is None else f'{sheet}/'}{number})" if of > 1 else "")
                for x, (_, of, sheet, number) in zip(excel_rows, parts, strict=True)
            ],
        }
        for canon in (C.PROJECT, C.COMMUNE, C.SHEET, C.PARCEL, C.OWNER, C.NOTE, C.LAND_USE,
                      C.HOUSEHOLD, C.HOUSEHOLD_NUMBER):  # fmt: skip
            out[canon] = column(canon)  # text is NFC since fix_grid_text
        listed_sheets = [sheet for _, _, sheet, _ in parts]
        out[C.SHEET] = [
            own if sheet is None else sheet
            for own, sheet in zip(out[C.SHEET], listed_sheets, strict=True)
        ]
        written = [cell_text(c) for c in out[C.COMMUNE]]
        out[C.COMMUNE] = [
            c if text else (self.source.commune or section)
            for c, text, section in zip(out[C.COMMUNE], written, sections, strict=True)
        ]
        marked = [False] * len(rows)  # enforcement marked ("x") in a column of its dates
        for canon in (*C.DATE_COLUMNS, *C.HOUSEHOLD_DATE_COLUMNS, *C.STEP_DATE_COLUMNS):
            raw = column(canon)
            parsed = _each(raw, _date_or_problem, self._dates)
            out[canon] = [date for date, _ in parsed]
            for k in [k for k, (_, problem) in enumerate(parsed) if problem is not None]:
                if canon in _ENFORCEMENT_DATES and parse_yes(raw[k]):
                    marked[k] = True
                    continue
                self.note(
                    WARNING,
                    "date_unparseable",
                    excel_rows[k],
                    column=canon,
                    value=without_names(cell_text(raw[k])),
                    reason=without_names(re.sub(r"'[^']*'", "…", str(parsed[k][1]))),
                )
                if canon == C.RESETTLEMENT_DATE:
                    self.undrawn.add(k)  # lots of an unread draw date: not counted as given
        status = column(C.STATUS)
        out[C.STATUS] = texts = [cell_text(v) for v in status]
        out["status_stage"] = stages = _each(status, parse_status, self._statuses)
        said = _each(status, status_flags, {})  # "Khiếu nại" in the status column
        for k in [k for k, stage in enumerate(stages) if stage is None and texts[k]]:
            if not any(said[k]):
                self.note(WARNING, "unknown_status", excel_rows[k], value=without_names(texts[k]))
        for j, canon in enumerate((C.ENFORCEMENT, C.COMPLAINT)):
            raw = column(canon)
            flags = _each(raw, parse_flag, self._flags)
            for k in [k for k, flag in enumerate(flags) if flag is None]:
                self.note(
                    WARNING,
                    "unknown_flag",
                    excel_rows[k],
                    column=canon,
                    value=without_names(cell_text(raw[k])),
                )
            out[canon] = [bool(flag) or s[j] for flag, s in zip(flags, said, strict=True)]
        out[C.ENFORCEMENT] = [a or b for a, b in zip(out[C.ENFORCEMENT], marked, strict=True)]
        self._household_columns(out, column, excel_rows, parts)
        return out

    def _household_columns(
        self,
        out: dict[str, list[Any]],
        column: Callable[[str], list[Any]],
        excel_rows: list[int],
        parts: list[tuple[int, int, Any, Any]],
    ) -> None:
        """Money, counts and the resettlement flag; a row's amount once, on its first record.

        An amount in a merged range is counted on the range's first row only: a household's
        money written once across its parcels' rows.
        """
        raw = column(C.RESETTLEMENT)
        flags = _each(raw, parse_yes, {})
        for k in [k for k, flag in enumerate(flags) if flag is None]:
            self.note(WARNING, "unknown_flag", excel_rows[k], column=C.RESETTLEMENT,
                      value=without_names(cell_text(raw[k])))  # fmt: skip
        out[C.RESETTLEMENT] = [bool(flag) for flag in flags]
        for canon in (*C.MONEY_COLUMNS, *C.COUNT_COLUMNS):
            at = self.index.get(canon)
            once = [
                part[0] == 0 and (at is None or (x - 1, at) not in self.filled)
                for x, part in zip(excel_rows, parts, strict=True)
            ]
            read = functools.partial(parse_amount, unit=self.units.get(canon) or 1)
            most = MOST_LOTS if canon == C.RESETTLEMENT_LOTS else MOST_COUNT
            parse = read if canon in C.MONEY_COLUMNS else functools.partial(parse_count, most=most)
            values: list[Any] = []
            for k, value in enumerate(column(canon)):
                try:
                    values.append(parse(value) if once[k] else None)
                except AmountError as exc:
                    values.append(None)
                    self.note(WARNING, "amount_unreadable", excel_rows[k], column=canon,
                              value=without_names(cell_text(value)),
                              reason=without_names(str(exc)))  # fmt: skip
            out[canon] = values
        out[C.RESETTLEMENT_LOTS] = [
            None if k in self.undrawn else v for k, v in enumerate(out[C.RESETTLEMENT_LOTS])
        ]

    def _non_record(self, cells: list[Any], excel_row: int) -> None:
        if _total_row(cells):
            self.after_total = True
            self.listed(INFO, "total_row", excel_row, text=self._row_text(cells))
            return None
        section = _section_commune(cells)
        if section:
            self.section = section
            self.listed(INFO, "section_row", excel_row, commune=section)
            return None
        text = self._row_text(cells)
        says = self._says_a_step(cells)
        if self.after_total and not says:  # the place, date and signatures under the total
            self.listed(INFO, "footer_row", excel_row, text=text)
            return None
        # a row that dates a step or gives a status is a record that cannot be placed
        self.section = None  # nor may the records below it take the commune of a section above
        self.listed(ERROR if says else WARNING, "record_no_parcel_number", excel_row, text=text)
        return None

    def _row_text(self, cells: list[Any]) -> str:
        """A row quoted in the QA table: its cells but the owner's, names left out."""
        owner = self.index.get(C.OWNER)
        texts = [cell_text(c) for i, c in enumerate(cells) if i != owner and cell_text(c)]
        return without_names(" | ".join(texts))[:80]

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


#: Columns of enforcement dates, where a mark ("x") says enforcement without a date.
_ENFORCEMENT_DATES = (C.ENFORCED_INVENTORY_DATE, C.ENFORCED_RECOVERY_DATE)


def _with_cell(cells: list[Any], at: int, value: Any) -> list[Any]:
    out = list(cells)
    out[at] = value
    return out


_LIST_MARKS = re.compile(r"\s*(?:[,;+&]|\bvà\b|\band\b)\s*", re.IGNORECASE)
_SHEET_SLASH_PARCEL = re.compile(r"(\d+[a-z]?)\s*/\s*(\d+[a-z]?)", re.IGNORECASE)
_PARCEL_NUMBER = re.compile(r"\d+[a-z]?", re.IGNORECASE)


def _parcels_listed(cell: Any) -> list[tuple[str | None, str]] | None:
    """The (sheet, parcel) pairs a parcel cell lists, or None for one number written as today.

    Examples
    --------
    >>> _parcels_listed("12/45, 12/46"), _parcels_listed("45; 46"), _parcels_listed("45")
    ([('12', '45'), ('12', '46')], [(None, '45'), (None, '46')], None)
    >>> _parcels_listed("12/45"), _parcels_listed("thửa 45 và 46"), _parcels_listed(45.0)
    ([('12', '45')], None, None)
    """
    if not isinstance(cell, str):
        return None
    parts = [p for p in _LIST_MARKS.split(cell.strip()) if p]
    if len(parts) < 2 and "/" not in cell:
        return None
    out: list[tuple[str | None, str]] = []
    for part in parts:
        if (pair := _SHEET_SLASH_PARCEL.fullmatch(part)) is not None:
            out.append((pair.group(1), pair.group(2)))
        elif _PARCEL_NUMBER.fullmatch(part):
            out.append((None, part))
        else:
            return None  # not a list of numbers: read as written
    return out


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
        findings += check_headings(source, sheet, labels, matched, strict=strict)
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
    for column in (*C.MONEY_COLUMNS, *C.COUNT_COLUMNS):  # whole numbers, exact: not floats
        table[column] = pd.Series(records[column], index=table.index, dtype=object)
    # tuples: pandas deep-copies a frame's attrs at every step, and a tuple of text is quick
    table.attrs["headings"] = tuple(lab for *_, (_, labels, _) in usable for lab in labels if lab)
    # the columns the book has, even where no cell is filled yet (a payment column, none paid)
    table.attrs["columns"] = tuple(sorted({c for *_, (_, _, m) in usable for c in m.values()}))
    return table, findings, read
