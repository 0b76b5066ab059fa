"""The procedure of land recovery as steps: whose each step is, and its legal time limit.

A step is done by an agency and, where the law sets one, within a time limit counted from an
earlier step's date, in calendar days or in working days (weekends and Vietnam's public
holidays skipped, from the kept library ``holidays``). Which law applies follows the date the
limit counts from: Luật Đất đai 2013 before 1 August 2024, Luật Đất đai 2024 (and Nghị định
88/2024/NĐ-CP) from that day. Whose step it is follows the step's date: the district's
agencies before 1 July 2025, the commune's from that day, when the district level ended.

The default (:data:`DEFAULT_STEPS`) judges only the limits this package can cite; every
other limit is left to the province's own procedure (Lạng Sơn: Quyết định 1019/QĐ-UBND of
16/6/2022, amended by Quyết định 2258/QĐ-UBND of 29/12/2023), which a config gives step by
step (``[[procedure]]``: :func:`procedure_from_config`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "AGENCY_CHANGE",
    "DEFAULT_STEPS",
    "LAW_2013_FROM",
    "LAW_2024_FROM",
    "MAX_LIMIT_DAYS",
    "PROCEDURE_KEYS",
    "STEP_NAMES",
    "Limit",
    "Step",
    "add_days",
    "agency_on",
    "due_date",
    "is_working_day",
    "limit_on",
    "procedure_from_config",
    "working_days_between",
]

#: Luật Đất đai 2024 took effect on 1 August 2024 (Luật số 31/2024/QH15, brought forward by
#: Luật số 43/2024/QH15); a limit counted from an earlier day is the 2013 law's.
LAW_2024_FROM = dt.date(2024, 8, 1)
#: From 1 July 2025 local government has two levels: the district's decisions pass to the
#: commune's chairman, and its agencies' steps to the commune's.
AGENCY_CHANGE = dt.date(2025, 7, 1)

#: The steps a config may name, in the order of the procedure.
STEP_NAMES: tuple[str, ...] = (
    "notice", "inventory", "posting", "appraisal_submitted", "appraisal_crops",
    "appraisal_structures", "appraisal", "plan_approved", "recovery_decision", "payment",
    "handover", "enforcement",
)  # fmt: skip
#: Luật Đất đai 2013 took effect on 1 July 2014: a limit it sets is not applied to a step
#: counted from an earlier day.
LAW_2013_FROM = dt.date(2014, 7, 1)


@dataclass(frozen=True)
class Limit:
    """A time limit: ``days`` after the step it counts from, calendar or working days.

    ``days`` None: the law gives none this package can cite; the step is not judged.
    ``in_force``: the day the rule setting it took effect (None: not known); a step counted
    from an earlier day is not judged by it.
    """

    days: int | None
    working: bool = False
    source: str = ""
    in_force: dt.date | None = None


@dataclass(frozen=True)
class Step:
    """A step of the procedure.

    Attributes
    ----------
    name
        One of :data:`STEP_NAMES`.
    agency, agency_2025
        Whose step it is before 1 July 2025, and from that day.
    after
        The step its limit counts from (None: no limit).
    limit_2013, limit_2024
        The limit under each law; the one that applies is the law of the day counted from.
    limit_province
        The province's own limit (a config's ``[[procedure]]``), which applies from the day
        it took effect; before that day, the law's.
    """

    name: str
    agency: str
    agency_2025: str
    after: str | None = None
    limit_2013: Limit = Limit(None)
    limit_2024: Limit = Limit(None)
    limit_province: Limit | None = None

    def has_limit(self) -> bool:
        """Whether any rule gives the step a time limit."""
        limits = (self.limit_2013, self.limit_2024, self.limit_province or Limit(None))
        return any(limit.days is not None for limit in limits)


_CENTRE = "Trung tâm Phát triển quỹ đất"
_LAND_OFFICE = "Phòng Tài nguyên và Môi trường"
_DISTRICT = "UBND huyện"
#: The district's offices that appraise crops and trees, and houses and structures (the plan).
_FARMING_OFFICE = "Phòng Nông nghiệp và Phát triển nông thôn"
_WORKS_OFFICE = "Phòng Kinh tế và Hạ tầng"
_COMMUNE = "UBND xã"
_PROVINCE_TO_SAY = "không có thời hạn trích dẫn được: theo quy trình của tỉnh ([[procedure]])"

#: The default procedure. Limits cited: payment within 30 days of the plan's approval
#: (Luật Đất đai 2013 Điều 93 khoản 1; Luật Đất đai 2024 Điều 94 khoản 1). The others are the
#: province's to give.
DEFAULT_STEPS: tuple[Step, ...] = (
    Step("notice", _DISTRICT, _COMMUNE),
    Step("inventory", _CENTRE, _CENTRE, "notice",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("posting", _CENTRE, _CENTRE, "inventory",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("appraisal_submitted", _CENTRE, _CENTRE, "posting",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("appraisal_crops", _FARMING_OFFICE, _COMMUNE, "appraisal_submitted",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("appraisal_structures", _WORKS_OFFICE, _COMMUNE, "appraisal_submitted",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("appraisal", _LAND_OFFICE, _COMMUNE, "appraisal_submitted",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("plan_approved", _DISTRICT, _COMMUNE, "appraisal",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("recovery_decision", _DISTRICT, _COMMUNE, "plan_approved",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("payment", _CENTRE, _CENTRE, "plan_approved",
         Limit(30, source="Luật Đất đai 2013, Điều 93 khoản 1", in_force=LAW_2013_FROM),
         Limit(30, source="Luật Đất đai 2024, Điều 94 khoản 1", in_force=LAW_2024_FROM)),
    Step("handover", _CENTRE, _CENTRE, "payment",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
    Step("enforcement", _DISTRICT, _COMMUNE, "recovery_decision",
         Limit(None, source=_PROVINCE_TO_SAY), Limit(None, source=_PROVINCE_TO_SAY)),
)  # fmt: skip


def limit_on(step: Step, counted_from: dt.date) -> Limit:
    """The limit of a step whose time counts from ``counted_from``.

    The province's, once in force on that day; else that day's law's.
    """
    province = step.limit_province
    if province is not None and (province.in_force is None or counted_from >= province.in_force):
        return province
    return step.limit_2024 if counted_from >= LAW_2024_FROM else step.limit_2013


def agency_on(step: Step, day: dt.date) -> str:
    """Whose step it is on ``day``.

    The district's agency before 1 July 2025, the commune's from that day.
    """
    return step.agency_2025 if day >= AGENCY_CHANGE else step.agency


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and not a public holiday of Vietnam."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def _days_off(first: dt.date, last: dt.date) -> list[dt.date]:
    """Vietnam's public holidays of the years from ``first`` to ``last``."""
    return sorted(d for year in range(first.year, last.year + 2) for d in _holidays(year))


def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    """The day ``days`` after ``start``, in calendar days or in working days.

    In working days, the first working day after ``start`` is day 1 (numpy's business-day
    arithmetic, with Vietnam's public holidays).

    Examples
    --------
    >>> add_days(dt.date(2025, 1, 24), 3, working=True)  # Friday; Tết 27/1–1/2 is off
    datetime.date(2025, 2, 5)
    >>> add_days(dt.date(2025, 1, 24), 3, working=False)
    datetime.date(2025, 1, 27)
    """
    if not working:
        return start + dt.timedelta(days=days)
    off = _days_off(start, start + dt.timedelta(days=2 * days + 60))
    day = np.busday_offset(start, days, roll="backward", holidays=off)
    return day.astype("datetime64[D]").item()


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to ``end`` (negative when ``end`` comes first)."""
    a, b = (start, end) if end >= start else (end, start)
    one = dt.timedelta(days=1)
    count = int(np.busday_count(a + one, b + one, holidays=_days_off(a, b)))
    return count if end >= start else -count


def due_date(step: Step, counted_from: dt.date) -> dt.date | None:
    """When a step is due, counted from the date of the step it follows; None without limit.

    A limit in calendar days that ends on a weekend or a public holiday ends on the next
    working day (Bộ luật Dân sự 2015, Điều 148 khoản 5).
    """
    limit = limit_on(step, counted_from)
    if limit.days is None:
        return None
    due = add_days(counted_from, limit.days, working=limit.working)
    return due if limit.working or is_working_day(due) else add_days(due, 1, working=True)


# --- the config's [[procedure]] ------------------------------------------------------------

PROCEDURE_KEYS = ("step", "agency", "agency_2025", "after", "limit_days", "days", "source",
                  "in_force_from")  # fmt: skip


def procedure_from_config(
    raw: Any, add_problem: Any, defaults: Sequence[Step] = DEFAULT_STEPS
) -> tuple[Step, ...]:
    """The procedure: the defaults, each step a ``[[procedure]]`` table names replaced by it.

    A table replaces its step's agency (in both eras, unless ``agency_2025`` names the
    one from 1 July 2025), the step its limit counts from (an earlier step), and gives its
    limit: the province's, which applies from ``in_force_from`` (a date; before it, the
    law's). Keys it leaves out keep the default's; a step is named by one table at most.
    ``add_problem(key, what, todo)`` hears what is wrong.
    """
    if raw is None:
        return tuple(defaults)
    if not isinstance(raw, list) or not all(isinstance(t, Mapping) for t in raw):
        add_problem("procedure", "must be tables", 'write [[procedure]] with step = "payment"')
        return tuple(defaults)
    steps = {s.name: s for s in defaults}
    named: set[str] = set()
    for k, table in enumerate(raw):
        where = f"procedure[{k}]"
        unknown = sorted(set(table) - set(PROCEDURE_KEYS))
        if unknown:
            add_problem(f"{where}.{unknown[0]}", "unknown key", f"use {', '.join(PROCEDURE_KEYS)}")
        name = table.get("step")
        if not isinstance(name, str) or name not in steps:
            add_problem(f"{where}.step", f"{name!r} is not a step",
                        f"name one of {', '.join(STEP_NAMES)}")  # fmt: skip
            continue
        if name in named:
            add_problem(f"{where}.step", f"{name!r} is named by an earlier table too",
                        "give each step one [[procedure]] table")  # fmt: skip
            continue
        named.add(name)
        changed = _override(steps[name], table, where, add_problem)
        if changed is not None:
            steps[name] = changed
    return tuple(steps[s.name] for s in defaults)


#: The longest limit a table may give (ten years): a longer one is a typing slip.
MAX_LIMIT_DAYS = 3650


def _table_problems(step: Step, table: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """What is wrong with a step's table, in turn: (key, what, what to do)."""
    after = table.get("after", step.after)
    earlier = STEP_NAMES[: STEP_NAMES.index(step.name)]
    if after is not None and after not in earlier:
        todo = f"name one of {', '.join(earlier)}" if earlier else "leave after out: it is first"
        yield "after", f"{after!r} is not an earlier step", todo
    days = table.get("limit_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 0 <= days <= MAX_LIMIT_DAYS):  # fmt: skip
        yield "limit_days", f"{days!r} is not a number of days", "write 30"
    if table.get("days", "calendar") not in ("calendar", "working"):
        yield "days", f"{table['days']!r} is neither", 'write "calendar" or "working"'
    in_force = table.get("in_force_from")
    if in_force is not None and (not isinstance(in_force, dt.date)
                                 or isinstance(in_force, dt.datetime)):  # fmt: skip
        yield "in_force_from", f"{in_force!r} is not a date", "write in_force_from = 2022-06-16"
    for key in ("agency", "agency_2025", "source"):
        if key in table and not (isinstance(table[key], str) and table[key].strip()):
            yield key, f"{table[key]!r} is not a name", f'write {key} = "…" as text'
    for key in ("days", "source", "in_force_from"):
        if key in table and "limit_days" not in table:
            yield key, "belongs to a limit, and the table gives none", "add limit_days"


def _override(step: Step, table: Mapping[str, Any], where: str, add_problem: Any) -> Step | None:
    problem = next(_table_problems(step, table), None)
    if problem is not None:
        key, what, todo = problem
        add_problem(f"{where}.{key}", what, todo)
        return None
    out = replace(step, after=table.get("after", step.after))
    if "agency" in table:
        out = replace(out, agency=table["agency"].strip(), agency_2025=table["agency"].strip())
    if "agency_2025" in table:
        out = replace(out, agency_2025=table["agency_2025"].strip())
    if "limit_days" in table:
        source = table.get("source", "quy trình của tỉnh")
        limit = Limit(table["limit_days"], table.get("days") == "working", source,
                      table.get("in_force_from"))  # fmt: skip
        out = replace(out, limit_province=limit)
    return out
