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
from gpmb_gis._findings import INFO, WARNING, Finding
from gpmb_gis.procedure import (
    Limit,
    Step,
    agency_on,
    due_date,
    limit_on,
    working_days_between,
)
from gpmb_gis.stages import day_number, day_numbers

if TYPE_CHECKING:
    from gpmb_gis.inputs import Inputs

__all__ = ["AGENCY_COLUMNS", "DEADLINE_COLUMNS", "STEP_COLUMNS", "WAITING_COLUMNS",
           "agencies_table", "deadlines_table", "judged_steps", "procedure_findings",
           "unjudged_records", "waiting_on"]  # fmt: skip

#: Each step's date in the book.
STEP_COLUMNS: dict[str, str] = {
    "notice": C.NOTICE_DATE, "inventory": C.INVENTORY_DATE, "posting": C.POSTING_DATE,
    "appraisal_submitted": C.APPRAISAL_SUBMITTED_DATE,
    "appraisal_crops": C.CROPS_APPRAISAL_DATE, "appraisal_structures": C.STRUCTURES_APPRAISAL_DATE,
    "appraisal": C.APPRAISAL_DATE,
    "plan_approved": C.PLAN_APPROVED_DATE,
    "recovery_decision": C.RECOVERY_DECISION_DATE, "payment": C.PAID_DATE,
    "handover": C.HANDOVER_DATE, "enforcement": C.ENFORCEMENT_DECISION_DATE,
}  # fmt: skip

DEADLINE_COLUMNS: tuple[str, ...] = (
    C.PROJECT, C.COMMUNE, "household", C.SHEET, C.PARCEL, "step", "agency", "agency_now",
    "counted_from", "due_date", "done_date", C.STATUS, "days_late", "calendar_days_late",
    "limit_days", "days", "limit_source", "area_m2",
)  # fmt: skip
#: The columns keying each row's household and parcel for :func:`agencies_table` (not written).
_KEYS = ("_household", "_parcel")
#: What a parcel not handed over waits on (the blockers' columns).
WAITING_COLUMNS: tuple[str, ...] = ("waiting_step", "waiting_agency", "overdue_days")
AGENCY_COLUMNS: tuple[str, ...] = (
    "agency", "quarter", "steps_due", "on_time", "late", "overdue", "median_days", "p90_days",
    "households_waiting", "area_waiting_m2",
)  # fmt: skip


#: The steps whose order the stages' check (``stages_out_of_order``) already looks at.
_STAGE_STEPS = frozenset({"inventory", "plan_approved", "payment", "handover"})
#: Records named in a finding that counts many.
_EXAMPLES = 5


def _dated(records: pd.DataFrame) -> set[str]:
    """The steps the book dates: a column of the book, or a date in one.

    A column counts even with no cell filled yet: a payment column where none is paid.
    """
    columns = set(records.attrs.get("columns", ()))
    return {s for s, col in STEP_COLUMNS.items()
            if col in records and (col in columns or records[col].notna().any())}  # fmt: skip


def judged_steps(procedure: tuple[Step, ...], records: pd.DataFrame) -> list[Step]:
    """The steps that can be judged: a limit, and the book dating the step and its earlier one.

    A step whose earlier step the book does not date is not judged, nor one it does not date.
    """
    dated = _dated(records)
    return [s for s in procedure
            if s.after is not None and {s.name, s.after} <= dated and s.has_limit()]  # fmt: skip


def _as_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _days(start: dt.date, end: dt.date, working: bool) -> int:
    return working_days_between(start, end) if working else (end - start).days


def _judge(
    step: Step, starts: list, dones: list, passed: list[bool], as_of: dt.date
) -> dict[str, object] | None:
    """One parcel's step (of one household): counted from its records' earliest start.

    The step is done when every record dates it, on the last day. A record that dates no
    day for it but has passed it (``passed``: it dates a step that counts from it, or its
    parcel is handed over) has done it on a day the book does not give: the step is then
    done no earlier than the last day given, so judged only when that day is already late.
    A step is late or overdue by calendar (``days_late`` counts the limit's days); its
    agency is the one whose step it was on the due day (who missed it), ``agency_now`` the
    one of the day it was done, or of the report date for a step still open (who holds it).
    """
    begun = [d for d in map(_as_date, starts) if d and d <= as_of]
    if not begun:
        return None
    counted_from = min(begun)
    limit = limit_on(step, counted_from)
    due = due_date(step, counted_from)
    if due is None or limit.days is None or (limit.in_force and counted_from < limit.in_force):
        return None  # no limit, or none in force that day (listed by procedure_findings)
    own = [d if d and d <= as_of else None for d in map(_as_date, dones)]
    known = [d for d in own if d is not None]
    finished = all(d is not None or p for d, p in zip(own, passed, strict=True))
    done = max(known) if known and finished else None
    end = done or as_of
    if done is not None and len(known) < len(own) and end <= due:
        return None  # on time by the days given; a record's own day is not known
    late = (end - due).days > 0
    status = ("late" if late else "on_time") if done else ("overdue" if late else "not_due")
    return {"step": step.name, "agency": agency_on(step, due),
            "agency_now": agency_on(step, end), "counted_from": counted_from,
            "due_date": due, "done_date": done, C.STATUS: status,
            "days_late": max(_days(due, end, limit.working), 0) if late else 0,
            "calendar_days_late": (end - due).days if late else 0,
            "limit_days": limit.days, "days": "working" if limit.working else "calendar",
            "limit_source": limit.source}  # fmt: skip


def deadlines_table(
    inputs: Inputs,
    procedure: tuple[Step, ...],
    as_of: dt.date,
    pieces: dict[tuple[str, int], tuple[float, str]] | None = None,
) -> pd.DataFrame:
    """``agency_deadlines.csv``: every judged step of every parcel of every household.

    A parcel's records of one household are judged together (:func:`_judge`). A record is
    judged once per project, with the first parcel it names there, and only where that
    parcel is in the project's right of way (``pieces``). Records no parcel took are not
    judged: the report says how many (:func:`unjudged_records`).

    ``pieces``: each (project, parcel index)'s land in the right of way and commune name; a
    row's ``area_m2`` is its parcel's (NaN without them: not known, never 0) and its commune
    the parcel's (the book's spelling without them). The columns ``_household`` and
    ``_parcel`` key each row's household and parcel for :func:`agencies_table` (not written
    out: the household's key may be made of its owner's name).
    """
    records = inputs.records
    steps = judged_steps(procedure, records)
    rows = _records_of_parcels(inputs, pieces) if steps else None
    if rows is None or not len(rows):
        return pd.DataFrame(columns=[*DEADLINE_COLUMNS, *_KEYS])
    keyed = rows[C.KEY_HOUSEHOLD].fillna("").astype(str) if C.KEY_HOUSEHOLD in rows else (
        pd.Series("", index=rows.index))  # fmt: skip
    parcel = rows["_parcel"].astype(str)
    household = rows[C.PROJECT].astype(str) + "|" + keyed.where(keyed != "", "parcel|" + parcel)
    passed = {name: flags.tolist() for name, flags in _passed(rows, procedure, as_of).items()}
    # plain lists: a step of a parcel at a time, without a frame's cost per look
    wanted = (*STEP_COLUMNS.values(), C.COMMUNE, C.HOUSEHOLD, C.SHEET, C.PARCEL)
    cells = {c: rows[c].tolist() if c in rows else [None] * len(rows) for c in wanted}
    keys, names = keyed.tolist(), household.tolist()
    out = []
    groups = rows.groupby([rows[C.PROJECT], keyed, rows["_parcel"]], sort=False).indices
    for (project, _, k), at in groups.items():
        i = at[0]
        area, commune = (pieces or {}).get((project, int(k)), (float("nan"), None))
        who = {C.PROJECT: project, C.COMMUNE: commune or cells[C.COMMUNE][i],
               "household": cells[C.HOUSEHOLD][i] if keys[i] else None,
               C.SHEET: cells[C.SHEET][i], C.PARCEL: cells[C.PARCEL][i], "area_m2": area,
               "_household": names[i], "_parcel": f"{project}|{k}"}  # fmt: skip
        for step in steps:
            starts, dones = cells[STEP_COLUMNS[step.after]], cells[STEP_COLUMNS[step.name]]
            judged = _judge(step, [starts[j] for j in at], [dones[j] for j in at],
                            [passed[step.name][j] for j in at], as_of)  # fmt: skip
            if judged is not None:
                out.append(who | judged)
    return pd.DataFrame(out, columns=[*DEADLINE_COLUMNS, *_KEYS])


def _passed(
    rows: pd.DataFrame, procedure: tuple[Step, ...], as_of: dt.date
) -> dict[str, np.ndarray]:
    """Per record and step: whether the record has passed the step without dating it.

    It has when it dates a step that counts from it (at any remove: a payment dated says the
    plan was approved), or when its parcel (in its project) is handed over and the handover
    counts from the step: the package counts the parcel as cleared (``parcels.csv``).
    """
    today = day_number(as_of)
    dated = {s.name: (day_numbers(rows[STEP_COLUMNS[s.name]]) <= today)
             if STEP_COLUMNS[s.name] in rows else np.zeros(len(rows), dtype=bool)
             for s in procedure}  # fmt: skip
    handed = pd.Series(dated["handover"], index=rows.index).groupby(
        [rows[C.PROJECT], rows["_parcel"]]).transform("any").to_numpy()  # fmt: skip
    out: dict[str, np.ndarray] = {}
    before_handover: dict[str, bool] = {}
    for step in reversed(procedure):  # a step's followers come after it in the procedure
        later = np.zeros(len(rows), dtype=bool)
        before_handover[step.name] = False
        for follower in (f for f in procedure if f.after == step.name):
            later |= dated[follower.name] | out[follower.name]
            before_handover[step.name] |= follower.name == "handover" or before_handover[
                follower.name]  # fmt: skip
        out[step.name] = later | (handed if before_handover[step.name] else False)
    return out


def _records_of_parcels(
    inputs: Inputs, pieces: dict[tuple[str, int], tuple[float, str]] | None
) -> pd.DataFrame:
    """The records linked to a parcel, each once per project, with its first parcel there.

    With ``pieces``, only links to a parcel in the project's right of way count: a record
    of a book without a project column is linked to every project.
    """
    records, links = inputs.records, inputs.links
    if links is None or not len(links):
        return records.iloc[:0].assign(**{C.PROJECT: None, "_parcel": -1})
    mine = links[[C.RECORD_INDEX, C.PARCEL_INDEX, C.PROJECT]]
    if pieces is not None:
        keys = zip(mine[C.PROJECT], mine[C.PARCEL_INDEX], strict=True)
        mine = mine[[(p, int(k)) in pieces for p, k in keys]]
    mine = mine.drop_duplicates([C.RECORD_INDEX, C.PROJECT])
    linked = records.iloc[mine[C.RECORD_INDEX].to_numpy(dtype=np.int64)].reset_index(drop=True)
    linked.attrs = {}  # the book's headings: not copied again at every step below
    return linked.assign(**{C.PROJECT: mine[C.PROJECT].to_numpy(),
                            "_parcel": mine[C.PARCEL_INDEX].to_numpy(dtype=np.int64)})  # fmt: skip


def unjudged_records(inputs: Inputs, procedure: tuple[Step, ...]) -> int:
    """How many records no parcel took date a step a judged step counts from: not judged."""
    records, links = inputs.records, inputs.links
    starts = [STEP_COLUMNS[s.after] for s in judged_steps(procedure, records) if s.after]
    if not starts or not len(records):
        return 0
    linked = np.isin(np.arange(len(records)), [] if links is None else links[C.RECORD_INDEX])
    return int((~linked & records[starts].notna().any(axis=1).to_numpy()).sum())


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def agencies_table(deadlines: pd.DataFrame) -> pd.DataFrame:
    """``agencies.csv``: per agency and quarter of the due day, the steps due and how they went.

    The steps due, on time, late and overdue are those of the agency whose step it was on
    the due day. ``median_days`` and ``p90_days`` are of the calendar days late of its steps
    late or overdue (whatever the kind of their limit, so that agencies compare). The
    households and land (each once) waiting are those of the overdue steps the agency holds
    now (``agency_now``): after 1/7/2025, the commune's, also for steps due before.
    """
    due = deadlines[deadlines[C.STATUS] != "not_due"]
    if not len(due):
        return pd.DataFrame(columns=list(AGENCY_COLUMNS))
    due = due.assign(quarter=[_quarter(d) for d in due["due_date"]])
    overdue = due[due[C.STATUS] == "overdue"]
    held = overdue.groupby(["agency_now", "quarter"])
    households = held["_household"].nunique()
    area = (overdue.drop_duplicates(["agency_now", "quarter", "_parcel"])
            .groupby(["agency_now", "quarter"])["area_m2"].sum())  # fmt: skip
    out = []
    keys = sorted({*zip(due["agency"], due["quarter"], strict=True), *households.index})
    for agency, quarter in keys:
        group = due[(due["agency"] == agency) & (due["quarter"] == quarter)]
        slow = group.loc[group[C.STATUS].isin(["late", "overdue"]),
                         "calendar_days_late"].to_numpy(float)  # fmt: skip
        out.append({
            "agency": agency, "quarter": quarter, "steps_due": len(group),
            "on_time": int((group[C.STATUS] == "on_time").sum()),
            "late": int((group[C.STATUS] == "late").sum()),
            "overdue": int((group[C.STATUS] == "overdue").sum()),
            "median_days": round(float(np.median(slow)), 1) if len(slow) else 0.0,
            "p90_days": round(float(np.percentile(slow, 90)), 1) if len(slow) else 0.0,
            "households_waiting": int(households.get((agency, quarter), 0)),
            "area_waiting_m2": float(area.get((agency, quarter), 0.0)),
        })  # fmt: skip
    return pd.DataFrame(out, columns=list(AGENCY_COLUMNS))


def waiting_on(
    inputs: Inputs,
    procedure: tuple[Step, ...],
    project: str,
    parcel_index: np.ndarray,
    as_of: dt.date,
) -> pd.DataFrame:
    """What each parcel waits on: the next step after the last one its records have all done.

    Only the steps the book dates are looked at, in the procedure's order, but for the
    enforcement decision, which only some parcels need. A step is done for a parcel when
    every record of it in the project dates it on or before ``as_of``; a step the book left
    blank before a later one done is passed over. ``overdue_days`` is how long the step is
    past its limit (:func:`deadlines_table`'s ``days_late``), NaN when it is not overdue or
    has no limit. A parcel no record names waits on ``not_in_book``: the book must list it
    first.

    Returns
    -------
    DataFrame
        :data:`WAITING_COLUMNS`, one row per entry of ``parcel_index``, in its order.
    """
    records, links = inputs.records, inputs.links
    out = pd.DataFrame({"waiting_step": None, "waiting_agency": None, "overdue_days": np.nan},
                       index=range(len(parcel_index)))  # fmt: skip
    dated = [s for s in procedure if s.name in _dated(records) and s.name != "enforcement"]
    if links is None or not len(links) or not len(parcel_index) or not dated:
        return out
    mine = links.loc[(links[C.PROJECT] == project) & links[C.PARCEL_INDEX].isin(parcel_index),
                     [C.PARCEL_INDEX, C.RECORD_INDEX]]  # fmt: skip
    rows = mine[C.RECORD_INDEX].to_numpy(dtype=np.int64)
    today = day_number(as_of)
    done = pd.DataFrame({s.name: day_numbers(records[STEP_COLUMNS[s.name]].to_numpy()[rows])
                         <= today for s in dated})  # fmt: skip
    done = done.groupby(mine[C.PARCEL_INDEX].to_numpy()).all()  # every record of the parcel
    flags = done.to_numpy()
    last = np.where(flags.any(axis=1), flags.shape[1] - 1 - np.argmax(flags[:, ::-1], axis=1), -1)
    after_last = np.arange(flags.shape[1])[None, :] > last[:, None]
    open_ = ~flags & after_last
    step_at = np.where(open_.any(axis=1), np.argmax(open_, axis=1), -1)
    waiting = dict(zip(done.index, step_at, strict=True))
    by_parcel = mine.groupby(C.PARCEL_INDEX)[C.RECORD_INDEX].agg(list).to_dict()
    for row, parcel in enumerate(parcel_index):
        k = waiting.get(int(parcel), -2)
        if k < 0:
            out.loc[row, "waiting_step"] = "not_in_book" if k == -2 else None
            continue
        step = dated[k]
        out.loc[row, ["waiting_step", "waiting_agency"]] = step.name, agency_on(step, as_of)
        if step.after in STEP_COLUMNS and step.has_limit():
            late = _overdue_days(records.iloc[by_parcel[int(parcel)]], step, procedure, as_of)
            out.loc[row, "overdue_days"] = late
    return out


def _overdue_days(
    group: pd.DataFrame, step: Step, procedure: tuple[Step, ...], as_of: dt.date
) -> float:
    """The days a parcel's step is overdue: its households' longest; NaN when none is.

    Each household is judged as ``agency_deadlines.csv`` judges it.
    """
    group = group.reset_index(drop=True).assign(**{C.PROJECT: "", "_parcel": 0})
    passed = _passed(group, procedure, as_of)[step.name]
    keyed = (group[C.KEY_HOUSEHOLD].fillna("").astype(str) if C.KEY_HOUSEHOLD in group
             else pd.Series("", index=group.index))  # fmt: skip
    starts, dones = (
        group[STEP_COLUMNS[step.after]].tolist(),
        group[STEP_COLUMNS[step.name]].tolist(),
    )
    days = [judged["days_late"] for at in group.groupby(keyed).indices.values()
            if (judged := _judge(step, [starts[j] for j in at], [dones[j] for j in at],
                                 passed[at].tolist(), as_of)) is not None
            and judged[C.STATUS] == "overdue"]  # fmt: skip
    return float(max(days)) if days else float("nan")


def procedure_findings(records: pd.DataFrame, procedure: tuple[Step, ...]) -> list[Finding]:
    """The QA of the procedure's dates in a book.

    - ``steps_out_of_order``: a step dated before the step it follows (the stages among
      themselves are ``stages_out_of_order``'s);
    - ``step_limit_unanchored``: a step with a limit the book dates, counted from a step it
      does not: the step cannot be judged;
    - ``step_before_rule``: records whose step counts from before the rule of its limit took
      effect: not judged, counted once per step.
    """
    dated = _dated(records)
    labels = records[C.RECORD_LABEL].to_numpy() if len(records) else np.array([])
    days = {s: day_numbers(records[STEP_COLUMNS[s]]) for s in dated}
    findings: list[Finding] = []
    for step in procedure:
        if step.after is None or step.name not in dated:
            continue
        if step.after not in dated:
            if step.has_limit():
                params = {"step": step.name, "after": step.after}
                findings.append(Finding(INFO, "step_limit_unanchored", "handovers", step.name,
                                        params=params))  # fmt: skip
            continue
        start, end = days[step.after], days[step.name]
        if not {step.name, step.after} <= _STAGE_STEPS:
            for i in np.flatnonzero(end < start):
                params = {"after": step.after, "after_date": _text(start[i]),
                          "step": step.name, "step_date": _text(end[i])}  # fmt: skip
                findings.append(Finding(WARNING, "steps_out_of_order", "handovers", labels[i],
                                        params=params))  # fmt: skip
        findings += _before_rule(step, start, labels)
    return findings


def _before_rule(step: Step, start: np.ndarray, labels: np.ndarray) -> list[Finding]:
    """The records whose step counts from before its limit's rule took effect, per rule.

    The rule is the limit of the day counted from (:func:`limit_on`), or the province's when
    that day comes before it and the law gives none: either way, the step is not judged.
    """
    early: dict[Limit, list[int]] = {}
    for day_no in np.unique(start[~np.isnan(start)]).astype(int).tolist():
        day = dt.date(1970, 1, 1) + dt.timedelta(days=day_no)
        rule = limit_on(step, day)
        if rule.days is None and step.limit_province is not None:
            rule = step.limit_province  # before the province's rule, and no law's to fall back on
        if rule.days is not None and rule.in_force is not None and day < rule.in_force:
            early.setdefault(rule, []).append(day_no)
    findings = []
    for rule, day_nos in early.items():
        rows = np.flatnonzero(np.isin(start, day_nos))
        params = {"count": len(rows), "step": step.name, "source": rule.source,
                  "in_force": f"{rule.in_force:%d/%m/%Y}",
                  "rows": ", ".join(map(str, labels[rows[:_EXAMPLES]]))}  # fmt: skip
        findings.append(Finding(INFO, "step_before_rule", "handovers", step.name, params=params))
    return findings


def _text(day: float) -> str:
    return f"{dt.date(1970, 1, 1) + dt.timedelta(days=int(day)):%d/%m/%Y}"
