"""Everything over time: cleared curves, the weekly series, stages and the week's changes.

A cleared curve is exact on every date: each disjoint face adds its area on the day it was
handed over. Past weeks are rebuilt from the book's dates on the same overlay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis import stages
from gpmb_gis._errors import ConfigError
from gpmb_gis._text import commune_key, commune_parts
from gpmb_gis.household_counts import HouseholdFigures, commune_units, project_households
from gpmb_gis.labels import word
from gpmb_gis.measure import measure_communes, measure_project, percent, unit_sums
from gpmb_gis.merger import in_units_2025
from gpmb_gis.overlay import ProjectOverlay, Units
from gpmb_gis.stages import stage_at
from gpmb_gis.unit_lookup import code_text, codes_2025, is_code, names_2024, official_kinds

if TYPE_CHECKING:
    from gpmb_gis.inputs import Inputs
    from gpmb_gis.result import ProgressResult


# --- cleared area over time ---------------------------------------------------------------


__all__ = [
    "ClearedCurve",
    "commune_curve",
    "project_curve",
    "stages_table",
    "timeseries_table",
    "week_changes",
]


@dataclass(frozen=True)
class ClearedCurve:
    """Cleared area of one unit as a step function of the day number.

    Each disjoint face adds its area on the day it was handed over (land already clear counts
    from the start), so the curve is exact: the area of a union on every date.
    """

    required_m2: float
    days: np.ndarray
    cumulative_m2: np.ndarray

    def cleared_m2(self, day: dt.date) -> float:
        """Cleared area as of a date (handovers on that date count)."""
        i = np.searchsorted(self.days, stages.day_number(day), side="right")
        return float(self.cumulative_m2[i - 1]) if i > 0 else 0.0

    def cleared_pct(self, day: dt.date) -> float:
        """Cleared % as of a date."""
        if self.required_m2 <= 0:
            return float("nan")
        return 100.0 * self.cleared_m2(day) / self.required_m2

    def reached(self, target_pct: float, until: dt.date | None = None) -> dt.date | None:
        """First date the cleared % reached the target (by ``until``); None when it did not.

        Land clear from the start (no date) reaches a target on no particular day: the first
        dated handover is given, or None when there is none.
        """
        need = self.required_m2 * target_pct / 100.0 - 1e-6
        hit = np.flatnonzero(self.cumulative_m2 >= need)
        if not len(hit):
            return None
        dated = self.days[self.days > stages.ALWAYS]
        day = (
            int(self.days[hit[0]])
            if self.days[hit[0]] > stages.ALWAYS
            else (int(dated[0]) if len(dated) else None)
        )
        found = stages.from_day_number(day) if day is not None else None
        if found is not None and until is not None and found > until:
            return None
        return found


def _curve(required: float, reach_handover: np.ndarray, area: np.ndarray) -> ClearedCurve:
    done = reach_handover < stages.NEVER
    order = np.argsort(reach_handover[done], kind="stable")
    days = reach_handover[done][order]
    cum = np.cumsum(area[done][order])
    if len(days):
        last = np.r_[days[1:] != days[:-1], True]
        days, cum = days[last], cum[last]
    return ClearedCurve(required, days, cum)


def project_curve(ov: ProjectOverlay) -> ClearedCurve:
    """The cleared curve of a whole project."""
    return _curve(ov.required_m2, ov.face_reach[:, -1], ov.face_area)


def commune_curve(ov: ProjectOverlay, commune: str, inputs: Inputs | None = None) -> ClearedCurve:
    """The cleared curve of one commune of a project (by code or name in any spelling).

    A name written with its kind is never a commune of another kind ("Xã Cao Lộc" is not
    Thị trấn Cao Lộc). With the run's ``inputs``, the communes' kinds and official names come
    from the province's lists too, and a unit of 2025 the project's communes became part of is
    found ("Phường Kỳ Lừa": the union of its old communes' land).
    """
    found = _unit_curve(ov.communes, ov, commune, _listed(ov.communes, inputs))
    if found is None and inputs is not None:
        regrouped, _ = in_units_2025(ov, inputs, "")
        found = _unit_curve(regrouped.communes, regrouped, commune)
    if found is not None:
        return found
    raise ConfigError(
        f"projects.{ov.project.id}.milestones",
        f"commune {commune!r} is not crossed by the project",
        f"use one of: {', '.join(ov.communes.names)}",
    )


def _listed(units: Units, inputs: Inputs | None) -> list[tuple[str, str]] | None:
    """Each commune's kind and official name key, from the province's lists; None without."""
    if inputs is None:
        return None
    config = inputs.config
    era = (config.communes or config.parcels).era or 2024
    codes = [code or name for code, name in zip(units.codes, units.names, strict=True)]
    kinds = official_kinds(codes, units.names, config.province, era)
    listed = names_2024(config.province) if era == 2024 else codes_2025(config.province)
    official = [commune_key(listed.get(code_text(c), "")) if is_code(c) else "" for c in codes]
    return list(zip(kinds, official, strict=True))


def _unit_curve(
    units: Units, ov: ProjectOverlay, commune: str, listed: list[tuple[str, str]] | None = None
) -> ClearedCurve | None:
    """The curve of the unit of ``units`` named ``commune`` (code or name), or None."""
    wanted, kind, _ = commune_parts(commune)
    for u, (key, code, name) in enumerate(zip(units.keys, units.codes, units.names, strict=True)):
        other, official = listed[u] if listed else (commune_parts(name)[1], "")
        if kind and other and kind != other:
            continue  # "Xã Cao Lộc" is not Thị trấn Cao Lộc
        if wanted in (key, commune_key(code), commune_key(name), official) or commune == code:
            mine = units.face_unit == u
            return _curve(
                float(units.required_m2[u]),
                ov.face_reach[units.face_index[mine], -1],
                units.face_area[mine],
            )
    return None


def _week_days(
    ov: ProjectOverlay, as_of: dt.date, step_days: int, start: dt.date | None
) -> list[dt.date]:
    """Report dates every ``step_days`` back from ``as_of`` to the first dated step."""
    dated = ov.face_reach[(ov.face_reach > stages.ALWAYS) & (ov.face_reach < stages.NEVER)]
    first = start or (stages.from_day_number(int(dated.min())) if dated.size else None)
    first = min(first or as_of, as_of)
    n = (as_of - first).days // step_days + 1
    return [as_of - dt.timedelta(days=k * step_days) for k in range(n, -1, -1)]


def timeseries_table(
    result: ProgressResult, *, step_days: int = 7, start: dt.date | None = None
) -> pd.DataFrame:
    """``timeseries.csv``: every week up to the report date, per project and per commune.

    Cleared area and %, and each stage's area, rebuilt from the dates in the handover book:
    the row of a past week is what a report as of that day would have said. Weeks are
    counted back from the report date to the first dated step (or ``start``).
    """
    rows = []
    counted = False
    for pid, ov in result.overlays.items():
        units = ov.communes
        households = project_households(ov, result.inputs)
        counted = counted or households is not None
        for day in _week_days(ov, result.as_of, step_days, start):
            figures = households.at(day) if households is not None else None
            stage = stage_at(ov.face_reach, day)
            project = {
                f"{name}_m2": float(ov.face_area[stage >= s].sum())
                for s, name in enumerate(stages.DATED_STAGES, start=1)
            }
            cleared = project[f"{C.HANDED_OVER}_m2"]
            rows.append(
                {
                    C.PROJECT: pid,
                    "date": day,
                    C.CLEARED_M2: cleared,
                    C.CLEARED_PCT: percent(cleared, ov.required_m2),
                    "scope": "project",
                    C.REQUIRED_M2: ov.required_m2,
                    **project,
                    **_over_time(figures.project if figures else None),
                }
            )
            sums = unit_sums(units, stage)
            for u in range(len(units.keys)):
                required = float(units.required_m2[u])
                if required <= 0:
                    continue
                cleared = float(sums[f"{C.HANDED_OVER}_m2"][u])
                rows.append(
                    {
                        C.PROJECT: pid,
                        "date": day,
                        C.CLEARED_M2: cleared,
                        C.CLEARED_PCT: percent(cleared, required),
                        "scope": "commune",
                        C.COMMUNE_CODE: units.codes[u],
                        C.COMMUNE: units.names[u],
                        C.REQUIRED_M2: required,
                        **{f"{n}_m2": float(sums[f"{n}_m2"][u]) for n in stages.DATED_STAGES[:-1]},
                        **_over_time(figures.unit(u) if figures else None),
                    }
                )
    return pd.DataFrame(rows, columns=C.TIMESERIES_COLUMNS + (list(_OVER_TIME) if counted else []))


#: The households' figures ``timeseries.csv`` follows week by week (when the book has any).
_OVER_TIME = ("households_handed_over", C.COMPENSATION_PAID_VND)


def _over_time(figures: dict[str, int] | None) -> dict[str, int]:
    return {} if figures is None else {k: figures[k] for k in _OVER_TIME}


def stages_table(result: ProgressResult) -> pd.DataFrame:
    """``stages.csv``: per project and commune, parcels at each stage as of the report date.

    With the area at each stage or later, and the parcels under enforcement or with a
    complaint.
    """
    parcels = result.parcels
    rows = []
    for (pid, commune), group in [((pid, ""), g) for pid, g in parcels.groupby(C.PROJECT)] + [
        (key, g) for key, g in parcels.groupby([C.PROJECT, C.COMMUNE])
    ]:
        counts = group[C.STAGE].value_counts()
        row = {
            C.PROJECT: pid,
            "scope": "commune" if commune else "project",
            C.COMMUNE: commune,
            "parcels": len(group),
            **{f"parcels_{s}": int(counts.get(s, 0)) for s in (*C.STAGES, C.ALREADY_CLEAR)},
            "parcels_enforcement": int(group[C.ENFORCEMENT].sum()),
            "parcels_complaint": int(group[C.COMPLAINT].sum()),
        }
        source = (
            result.progress_by_project.set_index(C.PROJECT).loc[pid]
            if not commune
            else result.progress_by_commune[
                (result.progress_by_commune[C.PROJECT] == pid)
                & (result.progress_by_commune[C.COMMUNE] == commune)
            ]
        )
        if isinstance(source, pd.DataFrame):
            if not len(source):
                continue
            source = source.iloc[0]
        for col in (C.REQUIRED_M2, "inventoried_m2", "plan_approved_m2", "paid_m2", C.CLEARED_M2):
            row[col] = float(source[col])
        rows.append(row)
    return pd.DataFrame(rows)


def week_changes(result: ProgressResult, days: int = 7) -> pd.DataFrame:
    """What changed since ``days`` ago, per project and commune: hectares, points, parcels.

    Both dates are measured on the same overlay, so the difference is exact.
    """
    before = result.as_of - dt.timedelta(days=days)
    outside = word("outside_communes", result.config.lang)
    unmapped = word("unmapped_land", result.config.lang)
    rows = []
    for pid, ov in result.overlays.items():
        households = project_households(ov, result.inputs)
        now_h, then_h = (
            (households.at(result.as_of), households.at(before)) if households else (None, None)
        )
        now_p, then_p = measure_project(ov, result.as_of), measure_project(ov, before)
        rows.append(_change(pid, "", now_p, then_p) | _moved(now_h, then_h, None))
        unit_of = commune_units(ov, outside)
        then = {_unit(r): r for r in measure_communes(ov, before, outside, unmapped)}
        for r in measure_communes(ov, result.as_of, outside, unmapped):
            if _unit(r) in then:
                u = unit_of.get(_unit(r), -2)
                change = _change(pid, r[C.COMMUNE], r, then[_unit(r)], scope="commune")
                rows.append(change | _moved(now_h, then_h, u))
    table = pd.DataFrame(rows)
    table.attrs["since"] = before
    return table


def _moved(
    now: HouseholdFigures | None, then: HouseholdFigures | None, unit: int | None
) -> dict[str, int]:
    """How many households and how much money moved in a week (the project's, or a unit's)."""
    if now is None or then is None:
        return {}
    a, b = (now.project, then.project) if unit is None else (now.unit(unit), then.unit(unit))
    paid_now, paid_then = a[C.COMPENSATION_PAID_VND], b[C.COMPENSATION_PAID_VND]
    return {
        "households_newly_paid": a["households_paid"] - b["households_paid"],
        "households_newly_handed_over": a["households_handed_over"] - b["households_handed_over"],
        "compensation_paid_change_vnd": None if paid_now is None else paid_now - paid_then,
    }


def _unit(row: dict) -> tuple[object, object]:
    """A commune row's unit: its code and name (a commune may have no name, or no code)."""
    return row[C.COMMUNE_CODE], row[C.COMMUNE]


def _change(
    pid: str, commune: str, now: dict, then: dict, scope: str = "project"
) -> dict[str, object]:
    return {
        C.PROJECT: pid,
        "scope": scope,
        C.COMMUNE: commune,
        C.CLEARED_M2: now[C.CLEARED_M2],
        "cleared_change_m2": now[C.CLEARED_M2] - then[C.CLEARED_M2],
        C.CLEARED_PCT: now[C.CLEARED_PCT],
        "cleared_change_points": now[C.CLEARED_PCT] - then[C.CLEARED_PCT],
        "parcels_newly_cleared": now[C.PARCELS_CLEARED] - then[C.PARCELS_CLEARED],
    }
