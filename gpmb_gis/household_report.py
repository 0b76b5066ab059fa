"""The households' part of the report, laid out as the province's progress reports are.

Per project, then per commune, with a total row computed from the projects (never typed):
households at each step, money approved and paid in billions of đồng (to 3 decimals, from
the exact sums in đồng), resettlement, graves, complaints and enforcement, and the sentence
a report writes: "đã bàn giao 120/134 hộ, 15,40/17,20 ha (89,5 %)".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.labels import format_number, format_pct, heading, word
from gpmb_gis.result import ProgressResult

__all__ = [
    "BILLIONS",
    "billions",
    "household_sentence",
    "households_table",
    "human",
    "whole",
]

#: The money columns of the table, in billions of đồng (to 3 decimals).
BILLIONS = {C.COMPENSATION_APPROVED_VND: "compensation_approved_bn",
            C.COMPENSATION_PAID_VND: "compensation_paid_bn"}  # fmt: skip
_COUNTS = [c for c in C.HOUSEHOLD_FIGURES if c not in BILLIONS]
_SUMMARY = "summary"


def households_table(result: ProgressResult, lang: str) -> pd.DataFrame | None:
    """The households' table; None when the book says nothing of households.

    Columns as :mod:`gpmb_gis.columns` names them. Rows: each project, then its communes;
    the last row, the projects' total (a household of two projects counts in each).
    """
    projects = result.progress_by_project
    if C.HOUSEHOLDS_AFFECTED not in projects:
        return None
    communes = result.progress_by_commune
    rows = []
    for project in projects.to_dict("records"):
        rows.append(_row(project, project[C.PROJECT], "", lang))
        mine = communes[communes[C.PROJECT] == project[C.PROJECT]]
        rows += [_row(c, project[C.PROJECT], c[C.COMMUNE], lang) for c in mine.to_dict("records")]
    total = {c: None if projects[c].isna().all() else int(projects[c].sum())
             for c in C.HOUSEHOLD_FIGURES}  # fmt: skip
    total[C.REQUIRED_M2] = float(projects[C.REQUIRED_M2].sum())
    total[C.CLEARED_M2] = float(projects[C.CLEARED_M2].sum())
    rows.append(_row(total, word("total", lang), "", lang))
    return pd.DataFrame(rows)


def _row(figures: dict, project: str, commune: str, lang: str) -> dict[str, object]:
    out: dict[str, object] = {C.PROJECT: project, C.COMMUNE: commune}
    out.update({c: whole(figures[c]) for c in _COUNTS})
    out.update({name: billions(figures[c]) for c, name in BILLIONS.items()})
    out[_SUMMARY] = household_sentence(figures, lang)
    return out


def whole(value: object) -> int | None:
    """A figure as a whole number; None for one the book gives no column for (blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)  # type: ignore[call-overload]


def billions(dong: object) -> float | None:
    """Whole đồng in billions, rounded half up to 3 decimals (from the exact sum).

    None for a blank.
    """
    amount = whole(dong)
    if amount is None:
        return None
    value = Decimal(amount) / Decimal(10**9)
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def household_sentence(figures: dict, lang: str) -> str:
    """What a report writes of a project or commune: households and hectares handed over.

    Examples
    --------
    >>> household_sentence({"households_handed_over": 120, "households_affected": 134,
    ...                     "cleared_m2": 154_000.0, "required_m2": 172_000.0}, "vi")
    'đã bàn giao 120/134 hộ, 15,40/17,20 ha (89,5 %)'
    """
    cleared, required = float(figures[C.CLEARED_M2]), float(figures[C.REQUIRED_M2])
    pct = 100 * cleared / required if required > 0 else float("nan")
    return word("households_sentence", lang).format(
        handed=int(figures["households_handed_over"]),
        households=int(figures[C.HOUSEHOLDS_AFFECTED]),
        cleared=format_number(cleared / 1e4, 2, lang),
        required=format_number(required / 1e4, 2, lang),
        pct=format_pct(pct, lang),
    )


def human(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table with headings in the report's language."""
    return table.rename(columns={c: heading(c, lang) for c in table.columns})
