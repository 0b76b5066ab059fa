"""Households, money, resettlement, graves, complaints and enforcement as of a day.

A project's households are those with a parcel in its right of way (a record of the book
linked to a parcel the right of way crosses). A household is at a stage when all its parcels
in the project are; it counts once in the project and once in each commune it has land in
(``households_in_other_communes`` says how many of a commune's also count elsewhere). Money,
lots, graves and complaints are the book's rows': each row counts once, in the commune of its
parcel's largest piece, so that the communes add up to the project. Money is summed exactly,
in whole đồng; approved money counts from the day its record's plan is approved, paid money
from the day it is paid; lots from the day they are drawn or handed (undated: from the
start).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis import stages
from gpmb_gis._arrays import present
from gpmb_gis.households import has_households
from gpmb_gis.inputs import Inputs
from gpmb_gis.overlay import ProjectOverlay
from gpmb_gis.stages import day_number, day_numbers, stage_at

__all__ = [
    "SHARED",
    "HouseholdFigures",
    "ProjectHouseholds",
    "commune_units",
    "household_figures",
    "project_households",
]

#: A commune row's column: of its households, how many also have land in another commune.
SHARED = "households_in_other_communes"


class HouseholdFigures:
    """A project's household figures as of a day: its own, and each commune unit's.

    Attributes
    ----------
    project
        The project row's figures (:data:`gpmb_gis.columns.HOUSEHOLD_FIGURES`).
    by_unit
        Each commune unit's (its index in the project's communes; -1: outside them all),
        with :data:`SHARED`.
    """

    def __init__(self, project: dict[str, int], by_unit: dict[int, dict[str, int]]) -> None:
        self.project = project
        self.by_unit = by_unit

    def unit(self, u: int) -> dict[str, int]:
        """A commune unit's figures (zeros for a unit with no household)."""
        return self.by_unit.get(u, {**dict.fromkeys(C.HOUSEHOLD_FIGURES, 0), SHARED: 0})


def commune_units(ov: ProjectOverlay, outside_label: str) -> dict[tuple[str, str], int]:
    """Each commune row's unit, by its (code, name): -1 for the land outside every commune."""
    units = ov.communes
    unit_of = {(c, n): u for u, (c, n) in enumerate(zip(units.codes, units.names, strict=True))}
    unit_of[("", outside_label)] = -1
    return unit_of


def household_figures(ov: ProjectOverlay, inputs: Inputs, day: dt.date) -> HouseholdFigures | None:
    """The project's household figures as of ``day``.

    None when the book says nothing of households: the tables are then as without them.
    """
    households = project_households(ov, inputs)
    return None if households is None else households.at(day)


def project_households(ov: ProjectOverlay, inputs: Inputs) -> ProjectHouseholds | None:
    """A project's households, ready to be counted at any day; None without any."""
    records = inputs.records
    if C.KEY_HOUSEHOLD not in records or not has_households(records):
        return None
    return ProjectHouseholds(ov, inputs)


class ProjectHouseholds:
    """A project's households and its records' values, worked out once for every day asked.

    Each (record, piece) pair of the project joins a record of the book to a piece of its
    parcel in the right of way.
    """

    def __init__(self, ov: ProjectOverlay, inputs: Inputs) -> None:
        records = inputs.records
        pairs = _record_pieces(ov, inputs)
        keys = records[C.KEY_HOUSEHOLD].fillna("").to_numpy(dtype=object)
        pairs = pairs[keys[pairs["record"].to_numpy()] != ""]
        self.record = pairs["record"].to_numpy()
        self.piece = pairs["piece"].to_numpy()
        self.household = keys[self.record]
        self.piece_reach = ov.pieces[list(stages.REACH_COLUMNS)].to_numpy()
        self.record_reach = inputs.record_reach
        self.values = _record_values(records)
        main = _main_unit(ov, pairs)
        self.records, self.main_unit = main.index.to_numpy(), main.to_numpy()
        in_units = pd.DataFrame({"household": self.household,
                                 "unit": ov.piece_unit[self.piece]}).drop_duplicates()  # fmt: skip
        self.units = {int(u): g["household"].to_numpy() for u, g in in_units.groupby("unit")}
        self.shared = set(
            in_units.groupby("household")["unit"].nunique().loc[lambda n: n > 1].index
        )

    def at(self, day: dt.date) -> HouseholdFigures:
        """The figures as of ``day``."""
        piece_stage = stage_at(self.piece_reach, day)
        stage = pd.Series(piece_stage[self.piece]).groupby(self.household).min()
        rows = _as_of(self.values, self.record_reach, day)
        flagged = {  # households with any record flagged
            flag: set(self.household[rows[flag][self.record]])
            for flag in ("enforced", "resettlement")
        }
        project = _figures(stage, flagged, self.records, rows)
        by_unit = {}
        for u, names in self.units.items():
            figures = _figures(stage[names], flagged, self.records[self.main_unit == u], rows)
            figures[SHARED] = len(set(names) & self.shared)
            by_unit[u] = figures
        return HouseholdFigures(project, by_unit)


def _record_pieces(ov: ProjectOverlay, inputs: Inputs) -> pd.DataFrame:
    """The (record, piece) pairs of the project.

    Each record linked to a parcel, with each piece of that parcel in the right of way.
    """
    links = inputs.links[inputs.links[C.PROJECT] == ov.project.id]
    pieces = pd.DataFrame(
        {C.PARCEL_INDEX: ov.pieces[C.PARCEL_INDEX].to_numpy(), "piece": np.arange(len(ov.pieces))}
    )
    pairs = (
        links[[C.RECORD_INDEX, C.PARCEL_INDEX]].astype(np.int64).merge(pieces, on=C.PARCEL_INDEX)
    )
    return pd.DataFrame(
        {"record": pairs[C.RECORD_INDEX].to_numpy(), "piece": pairs["piece"].to_numpy()}
    )


def _main_unit(ov: ProjectOverlay, pairs: pd.DataFrame) -> pd.Series:
    """Each record's commune unit: that of its parcel's largest piece in the project."""
    area = shapely.area(ov.pieces.geometry.to_numpy())[pairs["piece"].to_numpy()]
    order = np.lexsort((-area, pairs["record"].to_numpy()))
    first = pairs.iloc[order].drop_duplicates("record")
    return pd.Series(ov.piece_unit[first["piece"].to_numpy()], index=first["record"].to_numpy())


def _record_values(records: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each record's numbers (Python integers: exact whatever the sum), days and flags."""

    def number(column: str) -> np.ndarray:
        return np.array([int(v) if present(v) else 0 for v in records[column]], dtype=object)

    def flag(column: str) -> np.ndarray:
        return records[column].fillna(False).astype(bool).to_numpy()

    values = {c: number(c) for c in (*C.MONEY_COLUMNS, *C.COUNT_COLUMNS)}
    values.update({c: day_numbers(records[c]) for c in C.HOUSEHOLD_DATE_COLUMNS})
    values.update({c: flag(c) for c in (C.COMPLAINT, C.ENFORCEMENT, C.RESETTLEMENT)})
    values["row"] = (
        records[C.BOOK].astype(str) + "#" + records[C.SOURCE_ROW].astype(str)
    ).to_numpy()
    return values


def _as_of(values: dict[str, np.ndarray], reach: np.ndarray, day: dt.date) -> dict[str, np.ndarray]:
    """Each record's values as of ``day``: money counted by then, lots, complaints, flags."""
    today = day_number(day)
    stage = stage_at(reach, day) if len(reach) else np.zeros(0, dtype=np.int64)
    zero = np.zeros(len(stage), dtype=object)
    lots_day = values[C.RESETTLEMENT_DATE]
    received = values[C.COMPLAINT_DATE]
    enforced = np.fmin(values[C.ENFORCED_INVENTORY_DATE], values[C.ENFORCED_RECOVERY_DATE])
    approved, paid = values[C.COMPENSATION_APPROVED_VND], values[C.COMPENSATION_PAID_VND]
    out = dict(values)
    out.update({
        C.COMPENSATION_APPROVED_VND: np.where(stage >= 2, approved, zero),
        C.COMPENSATION_PAID_VND: np.where(stage >= 3, paid, zero),
        "lots": np.where(np.isnan(lots_day) | (lots_day <= today),
                         values[C.RESETTLEMENT_LOTS], zero),
        "received": (received <= today) | (np.isnan(received) & values[C.COMPLAINT]),
        "resolved": values[C.COMPLAINT_RESOLVED_DATE] <= today,
        "enforced": (enforced <= today) | (np.isnan(enforced) & values[C.ENFORCEMENT]),
    })  # fmt: skip
    return out


def _figures(
    stage: pd.Series, flagged: dict[str, set], records: np.ndarray, rows: dict[str, np.ndarray]
) -> dict[str, int]:
    """The figures of some households (``stage``: each one's stage) and some records.

    ``flagged``: the households enforced, and those to resettle.
    """
    names = set(stage.index)
    complaint_rows = rows["row"][records]
    received = set(complaint_rows[rows["received"][records]])
    resolved = set(complaint_rows[rows["resolved"][records]]) & received
    out = {
        C.HOUSEHOLDS_AFFECTED: len(names),
        "households_inventoried": int((stage >= 1).sum()),
        "households_plan_approved": int((stage >= 2).sum()),
        "households_paid": int((stage >= 3).sum()),
        "households_handed_over": int((stage >= 4).sum()),
        "resettlement_households": len(names & flagged["resettlement"]),
        "resettlement_lots_allocated": sum(rows["lots"][records], 0),
        "complaints_received": len(received),
        "complaints_resolved": len(resolved),
        "complaints_open": len(received) - len(resolved),
        "households_enforced": len(names & flagged["enforced"]),
    }
    for column in (*C.MONEY_COLUMNS, C.GRAVES_TO_MOVE, C.GRAVES_MOVED, C.INFRASTRUCTURE_TO_MOVE,
                   C.INFRASTRUCTURE_MOVED):  # fmt: skip
        out[column] = sum(rows[column][records], 0)
    return {k: int(out[k]) for k in C.HOUSEHOLD_FIGURES}
