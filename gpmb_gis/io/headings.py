"""A handover book's headings: the heading row found, its columns understood or refused.

A heading row may sit under title rows and under merged group cells ("Ngày" over "Kiểm đếm",
"Bàn giao"); a heading that looks like a key or date column the book lacks is refused, not
guessed, and the other headings not understood are listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gpmb_gis import columns as C
from gpmb_gis import settings
from gpmb_gis._errors import InputError
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis.config import LayerSource
from gpmb_gis.io.aliases import (
    KEY_AND_DATES,
    NUMBER_HEADINGS,
    alias_keys,
    closest_heading,
    column_key,
    match_columns,
)
from gpmb_gis.io.grids import cell_text, is_workbook

__all__ = ["NUMBERING", "check_headings", "find_heading"]

#: A cell of a numbering row under the headings: "(1)", "2", "3".
NUMBERING = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")


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


#: Headings of the book that later capabilities read (the steps' dates): not taken for
#: another column.
_LATER_HEADINGS = frozenset(column_key(h) for h in (
    "Ngày thông báo thu hồi đất", "Ngày niêm yết", "Ngày trình thẩm định", "Ngày thẩm định",
    "Ngày quyết định thu hồi"))  # fmt: skip


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
        if canon in KEY_AND_DATES or canon in C.MONEY_COLUMNS:
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


def check_headings(
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
        if label in matched or column_key(label) in NUMBER_HEADINGS or NUMBERING.match(label):
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
