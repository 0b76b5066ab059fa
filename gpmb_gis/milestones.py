"""Milestones: met or missed when due, on track or at risk when ahead (``docs/metrics.md``).

The actual % on any date, the date a target was reached and the trend of the last weeks all
come from the unit's cleared curve (:class:`gpmb_gis.timeline.ClearedCurve`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.config import Milestone
from gpmb_gis.timeline import ClearedCurve, commune_curve, project_curve

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = [
    "AT_RISK",
    "FORECAST_WINDOW_DAYS",
    "MET",
    "MISSED",
    "ON_TRACK",
    "evaluate",
    "forecast_date",
    "milestone_table",
    "print_milestones",
    "recent_rate_m2_per_day",
]


FORECAST_WINDOW_DAYS = 28
MET, MISSED, ON_TRACK, AT_RISK = "met", "missed", "on_track", "at_risk"


def recent_rate_m2_per_day(curve: ClearedCurve, as_of: dt.date) -> float:
    """Cleared area per day over the 28 days before the report date."""
    before = curve.cleared_m2(as_of - dt.timedelta(days=FORECAST_WINDOW_DAYS))
    return (curve.cleared_m2(as_of) - before) / FORECAST_WINDOW_DAYS


def forecast_date(curve: ClearedCurve, as_of: dt.date, target_pct: float) -> dt.date | None:
    """When the trend of the last 28 days reaches the target; None when it never does."""
    now = curve.cleared_m2(as_of)
    need = curve.required_m2 * target_pct / 100.0
    if now >= need - 1e-6:
        return curve.reached(target_pct, until=as_of) or as_of
    rate = recent_rate_m2_per_day(curve, as_of)
    if rate <= 0:
        return None
    days = int(np.ceil((need - now) / rate))
    return as_of + dt.timedelta(days=days)


def evaluate(milestone: Milestone, curve: ClearedCurve, as_of: dt.date) -> dict[str, object]:
    """Status of one milestone as of a date."""
    due = milestone.date <= as_of
    actual = curve.cleared_pct(milestone.date if due else as_of)
    forecast = forecast_date(curve, as_of, milestone.target_pct)
    if due:
        status = MET if actual >= milestone.target_pct - 1e-9 else MISSED
    else:
        status = ON_TRACK if forecast is not None and forecast <= milestone.date else AT_RISK
    return {
        **_row(milestone, actual, status, forecast, curve, as_of),
        **_rates(milestone, curve, as_of),
    }


def _rates(milestone: Milestone, curve: ClearedCurve, as_of: dt.date) -> dict[str, float]:
    """The pace needed to reach the target by its date, and the pace of the last 4 weeks."""
    recent = recent_rate_m2_per_day(curve, as_of) * 7
    required = curve.required_m2
    out = {
        "recent_ha_per_week": recent / 1e4,
        "recent_pct_per_week": 100 * recent / required if required else float("nan"),
        "needed_ha_per_week": float("nan"),
        "needed_pct_per_week": float("nan"),
    }
    weeks = (milestone.date - as_of).days / 7
    left = required * milestone.target_pct / 100 - curve.cleared_m2(as_of)
    if weeks > 0 and required:
        needed = max(left, 0.0) / weeks
        out["needed_ha_per_week"] = needed / 1e4
        out["needed_pct_per_week"] = 100 * needed / required
    return out


def _row(
    milestone: Milestone,
    actual: float,
    status: str,
    forecast: dt.date | None,
    curve: ClearedCurve,
    as_of: dt.date,
) -> dict[str, object]:
    return {
        "scope": milestone.commune or "project",
        "label": milestone.label,
        "date": milestone.date,
        "target_pct": milestone.target_pct,
        "actual_pct": actual,
        "status": status,
        "forecast_date": forecast,
        "reached_date": curve.reached(milestone.target_pct, until=as_of),
    }


def milestone_table(result: ProgressResult) -> pd.DataFrame:
    """``milestones.csv``: every milestone of every project as of the report date."""
    rows = []
    for pid, ov in result.overlays.items():
        for milestone in ov.project.milestones:
            curve = (
                commune_curve(ov, milestone.commune, result.inputs)
                if milestone.commune
                else project_curve(ov)
            )
            rows.append({C.PROJECT: pid, **evaluate(milestone, curve, result.as_of)})
    return pd.DataFrame(rows, columns=C.MILESTONE_COLUMNS)


def print_milestones(table: pd.DataFrame) -> None:
    """Print the milestone table for a terminal or a scheduled job's log."""
    for row in table.itertuples(index=False):
        forecast = f" forecast {row.forecast_date:%d/%m/%Y}" if row.forecast_date else ""
        print(
            f"{row.project:10} {row.scope:12} {row.date:%d/%m/%Y} target {row.target_pct:5.1f} %"
            f" actual {row.actual_pct:5.1f} %  {row.status}{forecast}  {row.label}"
        )
