"""Who is late: each step of the procedure judged against its time limit, and each agency.

For every household (or parcel, in a book without households) of a project and every step
that has a limit (:mod:`gpmb_gis.procedure`) and whose earlier step the book dates, the step
is due on the limit's day: ``on_time`` or ``late`` when the book dates it, ``overdue`` or
``not_due`` on the report date when it does not. A household's step counts from its earliest
record of the earlier step and is done when its last record is: its lateness is never
understated. Days are the limit's: calendar or working.

``agency_deadlines.csv`` lists every judged step; ``agencies.csv`` sums them per agency and
quarter of the due day.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.procedure import Step, agency_on, due_date, limit_on, working_days_between

if TYPE_CHECKING:
    from gpmb_gis.inputs import Inputs

__all__ = ["AGENCY_COLUMNS", "DEADLINE_COLUMNS", "STEP_COLUMNS", "agencies_table",
           "deadlines_table", "judged_steps"]  # fmt: skip

#: Each step's date in the book.
STEP_COLUMNS: dict[str, str] = {
    "notice": C.NOTICE_DATE, "inventory": C.INVENTORY_DATE, "posting": C.POSTING_DATE,
    "appraisal": C.APPRAISAL_DATE, "plan_approved": C.PLAN_APPROVED_DATE,
    "recovery_decision": C.RECOVERY_DECISION_DATE, "payment": C.PAID_DATE,
    "handover": C.HANDOVER_DATE, "enforcement": C.ENFORCEMENT_DECISION_DATE,
}  # fmt: skip

DEADLINE_COLUMNS: tuple[str, ...] = (
    C.PROJECT, C.COMMUNE, "household", C.SHEET, C.PARCEL, "step", "agency", "counted_from",
    "due_date", "done_date", C.STATUS, "days_late", "limit_days", "days", "limit_source",
    "area_m2",
)  # fmt: skip
AGENCY_COLUMNS: tuple[str, ...] = (
    "agency", "quarter", "steps_due", "on_time", "late", "overdue", "median_days", "p90_days",
    "households_waiting", "area_waiting_m2",
)  # fmt: skip


def judged_steps(procedure: tuple[Step, ...], records: pd.DataFrame) -> list[Step]:
    """The steps that can be judged: a limit, and the book dating the step and its earlier one.

    A step whose earlier step the book does not date is not judged, nor one it does not date.
    """
    dated = {s for s, col in STEP_COLUMNS.items() if col in records and records[col].notna().any()}
    return [
        s for s in procedure
        if s.after is not None and s.name in dated and s.after in dated
        and (limit_on(s, dt.date(2000, 1, 1)).days is not None
             or limit_on(s, dt.date(2100, 1, 1)).days is not None)
    ]  # fmt: skip


def _as_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _days(start: dt.date, end: dt.date, working: bool) -> int:
    return working_days_between(start, end) if working else (end - start).days


def _judge(step: Step, starts: list, dones: list, as_of: dt.date) -> dict[str, object] | None:
    """One household's (or parcel's) step: counted from its earliest start, done at its last."""
    begun = [d for d in map(_as_date, starts) if d is not None and d <= as_of]
    if not begun:
        return None
    counted_from = min(begun)
    limit = limit_on(step, counted_from)
    due = due_date(step, counted_from)
    if due is None or limit.days is None:
        return None
    done_dates = [_as_date(d) for d in dones]
    done = max(done_dates) if done_dates and all(d is not None and d <= as_of
                                                 for d in done_dates) else None  # fmt: skip
    if done is not None:
        late = _days(due, done, limit.working)
        status, days_late = ("late", late) if late > 0 else ("on_time", 0)
    elif as_of > due:
        status, days_late = "overdue", _days(due, as_of, limit.working)
    else:
        status, days_late = "not_due", 0
    # whose step: the agency of the day it was done, or of today for a step still open
    return {"step": step.name, "agency": agency_on(step, done or as_of),
            "counted_from": counted_from, "due_date": due, "done_date": done, C.STATUS: status,
            "days_late": days_late, "limit_days": limit.days,
            "days": "working" if limit.working else "calendar",
            "limit_source": limit.source}  # fmt: skip


def deadlines_table(
    inputs: Inputs,
    procedure: tuple[Step, ...],
    as_of: dt.date,
    piece_area: dict[tuple[str, int], float] | None = None,
) -> pd.DataFrame:
    """``agency_deadlines.csv``: every judged step of every household (or parcel).

    ``piece_area``: each (project, parcel index)'s land in the right of way; a row's
    ``area_m2`` is its household's (NaN without it: not known, never 0).
    """
    records, links = inputs.records, inputs.links
    steps = judged_steps(procedure, records)
    if not steps or links is None or not len(links):
        return pd.DataFrame(columns=list(DEADLINE_COLUMNS))
    mine = links[[C.RECORD_INDEX, C.PARCEL_INDEX, C.PROJECT]].drop_duplicates()
    rows = records.iloc[mine[C.RECORD_INDEX].to_numpy(dtype=np.int64)].reset_index(drop=True)
    rows[C.PROJECT] = mine[C.PROJECT].to_numpy()
    rows["_parcel"] = mine[C.PARCEL_INDEX].to_numpy()
    household = (
        rows[C.KEY_HOUSEHOLD] if C.KEY_HOUSEHOLD in rows else pd.Series("", index=rows.index)
    )
    keyed = household.fillna("").astype(str)
    unit = keyed.where(keyed != "", "parcel|" + rows[C.RECORD_LABEL].astype(str))
    out = []
    for (project, _), group in rows.groupby([rows[C.PROJECT], unit], sort=False):
        first = group.iloc[0]
        who = {C.PROJECT: project, C.COMMUNE: first.get(C.COMMUNE),
               "household": first.get(C.HOUSEHOLD) if keyed.loc[group.index[0]] else None,
               C.SHEET: first.get(C.SHEET), C.PARCEL: first.get(C.PARCEL),
               "area_m2": float("nan") if piece_area is None else sum(
                   piece_area.get((project, int(k)), 0.0) for k in set(group["_parcel"]) if k >= 0
               )}  # fmt: skip
        for step in steps:
            judged = _judge(step, group[STEP_COLUMNS[step.after]].tolist(),
                            group[STEP_COLUMNS[step.name]].tolist(), as_of)  # fmt: skip
            if judged is not None:
                out.append(who | judged)
    return pd.DataFrame(out, columns=list(DEADLINE_COLUMNS))


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def agencies_table(deadlines: pd.DataFrame) -> pd.DataFrame:
    """``agencies.csv``: per agency and quarter of the due day, the steps due and how they went.

    ``median_days`` and ``p90_days`` are of the days late of the steps late or overdue; the
    households and land (each once) waiting on an overdue step.
    """
    due = deadlines[deadlines[C.STATUS] != "not_due"]
    if not len(due):
        return pd.DataFrame(columns=list(AGENCY_COLUMNS))
    due = due.assign(quarter=[_quarter(d) for d in due["due_date"]])
    out = []
    for (agency, quarter), group in due.groupby(["agency", "quarter"], sort=True):
        slow = group.loc[group[C.STATUS].isin(["late", "overdue"]), "days_late"].to_numpy(float)
        waiting = group[group[C.STATUS] == "overdue"]
        who = waiting["household"].fillna(waiting[C.SHEET].astype(str) + "/"
                                          + waiting[C.PARCEL].astype(str))  # fmt: skip
        keys = dict(zip(zip(waiting[C.PROJECT], who, strict=True), waiting["area_m2"],
                        strict=True))  # fmt: skip
        out.append({
            "agency": agency, "quarter": quarter, "steps_due": len(group),
            "on_time": int((group[C.STATUS] == "on_time").sum()),
            "late": int((group[C.STATUS] == "late").sum()), "overdue": len(waiting),
            "median_days": float(np.median(slow)) if len(slow) else 0.0,
            "p90_days": float(np.percentile(slow, 90)) if len(slow) else 0.0,
            "households_waiting": len(keys),
            "area_waiting_m2": float(sum(keys.values())),
        })  # fmt: skip
    return pd.DataFrame(out, columns=list(AGENCY_COLUMNS))
