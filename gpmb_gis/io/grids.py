"""Workbooks and CSV files as grids of cells: the sheets to read, their text decoded.

Excel (.xlsx, .xls) and CSV come in as lists of rows; a legacy-encoded sheet (TCVN3, VNI) is
decoded as a layer's columns are.
"""

from __future__ import annotations

import csv
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd

from gpmb_gis._errors import InputError
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis._text import (
    LEGACY_ENCODINGS,
    best_decoding,
    decode_legacy,
    fold,
    guess_column_encoding,
    in_nfc,
    joined_text,
    looks_legacy,
    nfc,
)
from gpmb_gis.config import LayerSource

# --- handover books -------------------------------------------------------------------------


__all__ = ["Grid", "cell_text", "fix_grid_text", "is_workbook", "read_grids"]


def _grids_xlsx(path: Path, sheet: str | None) -> list[tuple[list[list[Any]], str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            path.name,
            f"the workbook cannot be opened ({type(exc).__name__}: {exc})",
            "open it in Excel and save it again as .xlsx",
        ) from exc
    names = [_pick_sheet(book.sheetnames, sheet, path)] if sheet else book.sheetnames
    return [_sheet_grid_xlsx(book[name]) for name in names]


class Grid(list):
    """A sheet's cells, row by row, and the cells a merged range filled.

    ``filled``: the (row, column) cells (0-based) that took the value of a merged range's
    first cell, so that an amount written once is counted once.
    """

    filled: set[tuple[int, int]]

    def __init__(self, rows: Any = ()) -> None:
        super().__init__(rows)
        self.filled = set()


def _sheet_grid_xlsx(ws: Any) -> tuple[list[list[Any]], str]:
    grid = Grid(list(row) for row in ws.iter_rows(values_only=True))
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, rng.max_col):
                if c < len(grid[r]):
                    grid[r][c] = top
                    if (r, c) != (rng.min_row - 1, rng.min_col - 1):
                        grid.filled.add((r, c))
    return grid, ws.title


def _grids_xls(path: Path, sheet: str | None) -> list[tuple[list[list[Any]], str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(path, formatting_info=True)
    except Exception as exc:  # xlrd raises XLRDError and struct errors on broken files
        raise InputError(
            path.name,
            f"the .xls workbook cannot be opened ({exc})",
            "open it in Excel and save it again (as .xlsx if you can)",
        ) from exc
    names = [_pick_sheet(book.sheet_names(), sheet, path)] if sheet else book.sheet_names()
    return [_sheet_grid_xls(book, name) for name in names]


def _sheet_grid_xls(book: Any, name: str) -> tuple[list[list[Any]], str]:
    import xlrd

    ws = book.sheet_by_name(name)
    grid = Grid()
    for r in range(ws.nrows):
        row = []
        for c in range(ws.ncols):
            cell = ws.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                row.append(None)
            else:
                row.append(cell.value)
        grid.append(row)
    for r0, r1, c0, c1 in ws.merged_cells:
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[r][c] = grid[r0][c0]
                if (r, c) != (r0, c0):
                    grid.filled.add((r, c))
    return grid, name


def _grid_csv(path: Path, encoding: str | None) -> tuple[list[list[Any]], str]:
    raw = path.read_bytes()
    if encoding in LEGACY_ENCODINGS:
        text = raw.decode("latin1")  # byte for byte; the legacy decoding comes after
    elif encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                path.name,
                f"cannot be read as {encoding} text ({exc})",
                "save it as UTF-8 or declare its encoding",
            ) from exc
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin1")
            if best_decoding([c for row in _csv_rows(text) for c in row]) == "cp1258":
                text = raw.decode("cp1258", errors="replace")  # Vietnamese Windows
    rows = _csv_rows(text, path.name)
    return [[cell or None for cell in row] for row in rows], path.name  # "" → None


def _csv_rows(text: str, label: str = "") -> list[list[str]]:
    """The rows of CSV text (a quoted cell may hold line breaks); an unreadable one is an error."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(StringIO(text, newline=""), dialect))
    except csv.Error as exc:  # a cell over the reader's limit, a NUL byte, a broken quote
        raise InputError(
            label or "CSV",
            f"cannot be read as a table ({exc})",
            "open it in Excel and save it again as CSV UTF-8 or .xlsx",
        ) from exc


def fix_grid_text(
    grid: list[list[Any]],
    declared: str | None,
    label: str,
) -> list[Finding]:
    """Decode TCVN3/VNI text in a book's cells (declared, or detected), and normalise to NFC."""
    cells = [c for row in grid for c in row if isinstance(c, str) and not c.isascii()]
    encoding = (
        declared
        if declared in LEGACY_ENCODINGS
        else guess_column_encoding(pd.Series(cells, dtype=object))
    )
    findings = []
    if encoding and declared not in LEGACY_ENCODINGS:
        example = next((c for c in cells if looks_legacy(c)), "")
        findings.append(
            Finding(
                WARNING,
                "legacy_encoding",
                "handovers",
                label,
                params={"column": label, "encoding": encoding, "example": example[:40]},
            )
        )
    if not encoding and in_nfc(joined_text(cells)):
        return findings  # every cell is NFC already
    for row in grid:
        for k, cell in enumerate(row):
            if isinstance(cell, str):
                if encoding:
                    row[k] = decode_legacy(cell, encoding)
                elif not cell.isascii():  # ASCII text is NFC already
                    row[k] = nfc(cell)
    return findings


def _pick_sheet(names: list[str], wanted: str | None, path: Path) -> str:
    if wanted is None:
        return names[0]
    for name in names:
        if name == wanted or fold(name) == fold(wanted):
            return name
    raise InputError(
        f"{path.name}#{wanted}", "no sheet of that name", f"use one of: {', '.join(names)}"
    )


def is_workbook(source: LayerSource) -> bool:
    """Whether a book is a workbook of named sheets (.xlsx, .xlsm, .xls), not a CSV file."""
    return source.path.suffix.lower() in (".xlsx", ".xlsm", ".xls")


def read_grids(source: LayerSource) -> list[tuple[list[list[Any]], str]]:
    """Read a table file as grids of cells, one per sheet (merged cells filled in: :class:`Grid`).

    The sheet named in the source, or every sheet of a workbook when none is named.
    """
    suffix = source.path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _grids_xlsx(source.path, source.layer)
    if suffix == ".xls":
        return _grids_xls(source.path, source.layer)
    if suffix in (".csv", ".txt", ".tsv"):
        return [_grid_csv(source.path, source.encoding)]
    raise InputError(
        source.label(),
        f"handover books must be .xlsx, .xls or .csv, not {suffix}",
        "save the book as .xlsx",
    )


def cell_text(value: Any) -> str:
    """A cell as text, trimmed (blank for an empty cell)."""
    return "" if value is None else str(value).strip()
