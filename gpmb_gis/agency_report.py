"""Who is late, as the reports show it.

The tables of :mod:`gpmb_gis.deadlines` for a run, and the section "Đánh giá việc chấp hành
thời gian của các cơ quan, đơn vị" (the plan's III.3): the agency table (per agency and
quarter), the ten steps overdue longest, and which steps of the procedure the book let the
report judge.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.deadlines import STEP_COLUMNS, judged_steps, unjudged_records
from gpmb_gis.labels import heading, quarter_label, word

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["AgencySection", "agency_html", "agency_section"]

#: How many of the steps overdue longest the section lists.
LONGEST = 10


class AgencySection:
    """What the section shows: its sentence of steps judged, and its two tables (worded)."""

    def __init__(self, judged: str, agencies: pd.DataFrame, longest: pd.DataFrame) -> None:
        self.judged = judged
        self.agencies = agencies
        self.longest = longest


def agency_section(result: ProgressResult, lang: str) -> AgencySection | None:
    """The section's content; None without a book read.

    When the book dates no step that has a limit, the section says so, with empty tables.
    """
    if result.inputs is None:
        return None
    judged = judged_steps(result.config.procedure, result.inputs.records)
    tables = result.deadlines()
    if not judged:
        empty = pd.DataFrame()
        return AgencySection(word("nothing_judged", lang), empty, empty)
    names = [word(f"step_{s.name}", lang) for s in judged]
    missing = [word(f"step_{s}", lang) for s in STEP_COLUMNS if s not in {j.name for j in judged}]
    sentence = word("steps_judged", lang).format(judged=", ".join(names),
                                                 missing=", ".join(missing) or "—")  # fmt: skip
    unjudged = unjudged_records(result.inputs, result.config.procedure)
    if unjudged:  # their steps are not in the tables: said beside them
        sentence += " " + word("records_unjudged", lang).format(count=unjudged)
    steps = tables["agency_deadlines"]
    overdue = steps[steps[C.STATUS] == "overdue"].sort_values("days_late", ascending=False)
    longest = overdue.head(LONGEST)[[C.PROJECT, C.COMMUNE, "household", C.SHEET, C.PARCEL,
                                     "step", "agency", "agency_now", "due_date", "days_late",
                                     "days"]]  # fmt: skip
    longest = longest.assign(step=[word(f"step_{s}", lang) for s in longest["step"]],
                             days=[word(f"days_{d}", lang) for d in longest["days"]],
                             due_date=[f"{d:%d/%m/%Y}" for d in longest["due_date"]])  # fmt: skip
    agencies = tables["agencies"]
    agencies = agencies.assign(quarter=[quarter_label(q, lang) for q in agencies["quarter"]])
    return AgencySection(sentence, _worded(agencies, lang), _worded(longest, lang))


def _worded(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    return table.rename(columns={c: heading(c, lang) for c in table.columns})


def agency_html(
    section: AgencySection,
    table_html: Callable[[pd.DataFrame], str],
    lang: str,
    *,
    chart: bool,
) -> list[str]:
    """The section in ``index.html``, each table drawn by ``table_html`` (escaped there).

    ``chart``: whether ``charts/agencies_late.png`` is there to show after the agency table.
    """
    picture = (f"<p><a href='charts/agencies_late.png'><img src='charts/agencies_late.png' "
               f"alt='{html.escape(word('agencies_chart', lang))}' loading='lazy'></a></p>"
               if chart else "")  # fmt: skip

    def table_or(table: pd.DataFrame, empty: str) -> str:
        if not len(table):
            return f"<p>{html.escape(word(empty, lang))}</p>"
        return f"<div class='wrap'>{table_html(table)}</div>"

    return [f"<h2>{html.escape(word('agencies_title', lang))}</h2>",
            f"<p class='note'>{html.escape(section.judged)}</p>",
            table_or(section.agencies, "none_due"), picture,
            f"<h3>{html.escape(word('longest_overdue', lang))}</h3>",
            table_or(section.longest, "none_overdue")]  # fmt: skip
