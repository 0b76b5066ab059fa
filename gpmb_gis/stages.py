"""Stages in time: day numbers, the day each record reached each stage, the stage as of a day.

A stage is reached on its date or on the date of any later stage; a record with no date at
all takes its stage from its status, reached at every date (:data:`ALWAYS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import map_unique

__all__ = [
    "ALWAYS",
    "DATED_STAGES",
    "NEVER",
    "REACH_COLUMNS",
    "dates_of",
    "day_number",
    "day_numbers",
    "from_day_number",
    "record_reach_days",
    "stage_at",
    "stage_index_at",
]


#: Day numbers (days since 1970-01-01) standing for "always" and "never".
ALWAYS = np.iinfo(np.int64).min // 2
NEVER = np.iinfo(np.int64).max // 2
#: Stages that have a date, in order; reach columns hold the day each stage was reached.
DATED_STAGES: tuple[str, ...] = C.STAGES[1:]
REACH_COLUMNS: tuple[str, ...] = tuple(f"reach_{s}" for s in DATED_STAGES)


def day_number(date: dt.date | None) -> int:
    """Return the day number of a date (days since 1970-01-01); NEVER for None."""
    if date is None or (isinstance(date, float) and np.isnan(date)) or date is pd.NaT:
        return NEVER
    return (date - dt.date(1970, 1, 1)).days


def from_day_number(day: int) -> dt.date | None:
    """Return the date of a day number; None for ALWAYS and NEVER."""
    if day in (ALWAYS, NEVER):
        return None
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def day_numbers(values: Iterable[object]) -> np.ndarray:
    """Day numbers of many cells at once (each distinct value once); NaN where no date."""
    return np.array(map_unique(values, _day_or_nan), dtype=float)


def _day_or_nan(value: object) -> float:
    return float(day_number(value)) if isinstance(value, dt.date) else np.nan


def dates_of(days: Iterable[float]) -> list[dt.date | None]:
    """Dates of many day numbers at once; None for NaN, ALWAYS and NEVER."""
    return map_unique(days, lambda d: None if d is None or np.isnan(d) else from_day_number(d))


# --- stage dates ---------------------------------------------------------------------------


def record_reach_days(records: pd.DataFrame) -> np.ndarray:
    """Day each record reached each dated stage: an array (records × 4) of day numbers.

    A stage counts as reached when it or any later stage has a date (the stage as of D is the
    latest stage whose date is on or before D). A record with no date at all takes its stage
    from ``status``, reached at every date.
    """
    n = len(records)
    days = np.full((n, len(DATED_STAGES)), NEVER, dtype=np.int64)
    for j, stage in enumerate(DATED_STAGES):
        col = C.STAGE_DATES[stage]
        days[:, j] = map_unique(records[col], day_number)
    undated = (days == NEVER).all(axis=1)
    status = records["status_stage"].to_numpy(dtype=object)
    for i in np.flatnonzero(undated):
        if status[i] in C.STAGES:
            k = C.STAGES.index(status[i])
            days[i, :k] = ALWAYS  # STAGES[1:k+1] reached; columns 0..k-1
    # reached stage s when any later stage is dated: cumulative minimum from the right
    return np.minimum.accumulate(days[:, ::-1], axis=1)[:, ::-1]


def stage_index_at(reach: np.ndarray, day: int) -> np.ndarray:
    """Stage index (0 = not started … 4 = handed over) of each row of reach days as of a day."""
    return (reach <= day).sum(axis=1)


def stage_at(reach: np.ndarray, day: dt.date) -> np.ndarray:
    """Stage index (0 = not started … 4 = handed over) of each row of reach days as of a date.

    Examples
    --------
    >>> reach = np.array([[day_number(dt.date(2024, 5, 1)), NEVER, NEVER, NEVER], [ALWAYS] * 4])
    >>> stage_at(reach, dt.date(2024, 4, 30)).tolist()
    [0, 4]
    >>> stage_at(reach, dt.date(2024, 5, 1)).tolist()
    [1, 4]
    """
    return stage_index_at(reach, day_number(day))
