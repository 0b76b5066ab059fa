"""Who is late, as the reports show it.

The tables of :mod:`gpmb_gis.deadlines` for a run, and the section "Đánh giá việc chấp hành
thời gian của các cơ quan, đơn vị" (the plan's III.3): the agency table (per agency and
quarter), the ten steps overdue longest, and which steps of the procedure the book let the
report judge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.deadlines import STEP_COLUMNS, judged_steps
from gpmb_gis.labels import heading, word

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["AgencySection", "agency_section"]

#: How many of the steps overdue longest the section lists.
LONGEST = 10


class AgencySection:
    """What the section shows: its sentence of steps judged, and its two tables (worded)."""

    def __init__(self, judged: str, agencies: pd.DataFrame, longest: pd.DataFrame) -> None:
        self.judged = judged
        self.agencies = agencies
        self.longest = longest


def agency_section(result: ProgressResult, lang: str) -> AgencySection | None:
    """The section's content; None when the book dates no step that has a limit."""
    if result.inputs is None:
        return None
    judged = judged_steps(result.config.procedure, result.inputs.records)
    if not judged:
        return None
    tables = result.deadlines()
    names = [word(f"step_{s.name}", lang) for s in judged]
    missing = [word(f"step_{s}", lang) for s in STEP_COLUMNS if s not in {j.name for j in judged}]
    sentence = word("steps_judged", lang).format(judged=", ".join(names),
                                                 missing=", ".join(missing) or "—")  # fmt: skip
    steps = tables["agency_deadlines"]
    overdue = steps[steps[C.STATUS] == "overdue"].sort_values("days_late", ascending=False)
    longest = overdue.head(LONGEST)[[C.PROJECT, C.COMMUNE, C.SHEET, C.PARCEL, "step", "agency",
                                     "due_date", "days_late"]]  # fmt: skip
    longest = longest.assign(step=[word(f"step_{s}", lang) for s in longest["step"]])
    return AgencySection(sentence, _worded(tables["agencies"], lang), _worded(longest, lang))


def _worded(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    return table.rename(columns={c: heading(c, lang) for c in table.columns})
