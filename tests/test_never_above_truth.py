"""However the book is spoiled, the reported cleared area is never above the truth.

Books are built from the sample's by random corruptions an office makes: key parts dropped
(sheet, commune, project), communes renamed (the 2025 units), an older copy of the sheet
beside the current one. Every project's cleared area, reported with ``--allow-unplaced``,
stays at or below what the sound book gives; and what is lost is said.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from helpers import SAMPLE_CONFIG
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpmb_gis import compute_progress

BOOK = "so_theo_doi_ban_giao.xlsx"
#: Columns of the sample book (1-based): project, commune, sheet; data from this row on.
PROJECT, COMMUNE, SHEET, FIRST_ROW = 2, 3, 4, 9
SPOILS = ("sheet", "commune", "project", "renamed")


@pytest.fixture(scope="module")
def truth():
    return compute_progress(SAMPLE_CONFIG).progress_by_project.set_index("project").cleared_m2


def _spoil(book, spoils: list[tuple[int, str]], old_copy: bool) -> None:
    sheet = book.worksheets[0]
    rows = [r for r in range(FIRST_ROW, sheet.max_row + 1)
            if sheet.cell(r, 5).value not in (None, "")]  # fmt: skip
    for pick, spoil in spoils:
        r = rows[pick % len(rows)]
        if spoil == "renamed":
            sheet.cell(r, COMMUNE).value = "Phường Kỳ Lừa"
        else:
            column = {"sheet": SHEET, "commune": COMMUNE, "project": PROJECT}[spoil]
            sheet.cell(r, column).value = None
    if old_copy:
        older = book.copy_worksheet(sheet)
        older.title = "Tiến độ (cũ)"


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spoils=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(SPOILS)),
                       min_size=1, max_size=60),
       old_copy=st.booleans())  # fmt: skip
def test_a_spoiled_book_never_reports_more_than_the_truth(tmp_path_factory, truth, spoils,
                                                          old_copy):  # fmt: skip
    folder = tmp_path_factory.mktemp("spoiled") / "cao_loc"
    shutil.copytree(SAMPLE_CONFIG.parent, folder)
    book = openpyxl.load_workbook(folder / BOOK)
    _spoil(book, spoils, old_copy)
    book.save(folder / BOOK)
    result = compute_progress(folder / "gpmb.toml", allow_unplaced=True)
    got = result.progress_by_project.set_index("project").cleared_m2
    assert (got <= truth + 1e-6).all(), (got - truth)[got > truth + 1e-6]
    if (got < truth - 1e-6).any():  # something was lost: the headline says so
        assert result.unplaced().records > 0
