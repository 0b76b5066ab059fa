"""Households, money, resettlement, graves, complaints and enforcement as of a day.

A project's households are those with a parcel in its right of way (a record of the book
linked to a parcel the right of way crosses). A household is at a stage when all its records
of the project's parcels are (its own records: a parcel shared with another household does not
carry it along); it counts once in the project and once in each commune it has land in
(``households_in_other_communes`` says how many of a commune's also count elsewhere).

Money, lots, graves and infrastructure are the book's rows': a row counts once when any of its
parcels is in the project, in the commune of its first such parcel's largest piece, so that the
communes add up to the project. A complaint is a household's received date, counted once.
Money is summed exactly, in whole đồng; approved money counts from the day its row's plan is
approved, paid money from the day it is paid; lots from the day they are drawn (undated lots
only in a book that dates none). A figure whose column the book lacks is left blank.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
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

    def __init__(
        self,
        project: dict[str, int | None],
        by_unit: dict[int, dict[str, int | None]],
        shown: set[str] | None = None,
    ) -> None:
        self.project = project
        self.by_unit = by_unit
        self.shown = set(C.HOUSEHOLD_FIGURES) if shown is None else shown

    def unit(self, u: int) -> dict[str, int | None]:
        """A commune unit's figures.

        Zeros for a unit with no household; blank for a figure the book has no column for.
        """
        none = {k: (0 if k in self.shown else None) for k in C.HOUSEHOLD_FIGURES}
        return self.by_unit.get(u, {**none, SHARED: 0})


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
    """A project's households and its rows' values, worked out once for every day asked.

    Each (record, piece) pair of the project joins a record of the book to a piece of its
    parcel in the right of way.
    """

    def __init__(self, ov: ProjectOverlay, inputs: Inputs) -> None:
        records = inputs.records
        pairs = _record_pieces(ov, inputs)
        keys = records[C.KEY_HOUSEHOLD].fillna("").to_numpy(dtype=object)
        pairs = pairs[keys[pairs["record"].to_numpy()] != ""]
        self.record = pairs["record"].to_numpy()
        self.household = keys[self.record]
        self.record_reach = inputs.record_reach
        self.values = _record_values(records)
        self.shown = _shown(records)
        unit = ov.piece_unit[pairs["piece"].to_numpy()]
        in_units = pd.DataFrame({"household": self.household, "unit": unit}).drop_duplicates()
        self.units = {int(u): g["household"].to_numpy() for u, g in in_units.groupby("unit")}
        shared = in_units.groupby("household")["unit"].nunique()
        self.shared = set(shared[shared > 1].index)
        self.rows = _linked_rows(ov, pairs, records, keys, _row_projects(inputs, records))

    def at(self, day: dt.date) -> HouseholdFigures:
        """The figures as of ``day``."""
        today = day_number(day)
        record_stage = stage_at(self.record_reach[self.record], day)
        stage = pd.Series(record_stage).groupby(self.household).min()
        rows = _rows_as_of(self.rows, self.values, self.record_reach, day)
        linked = self.values
        flagged = {
            "enforced": set(self.household[_enforced(linked, today)[self.record]]),
            "resettlement": set(self.household[linked[C.RESETTLEMENT][self.record]]),
        }
        complaints = _complaints(rows)
        project = _figures(stage, flagged, rows, np.ones(len(rows["unit"]), dtype=bool))
        project.update(_complaint_counts(complaints, None))
        by_unit = {}
        for u, names in self.units.items():
            figures = _figures(stage[names], flagged, rows, rows["unit"] == u)
            figures.update(_complaint_counts(complaints, u))
            figures[SHARED] = len(set(names) & self.shared)
            by_unit[u] = figures
        shown = {u: _blank_unshown(f, self.shown) for u, f in by_unit.items()}
        return HouseholdFigures(_blank_unshown(project, self.shown), shown, self.shown)


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


def _row_projects(inputs: Inputs, records: pd.DataFrame) -> np.ndarray:
    """The one project each book row's money, lots and counts go to.

    The first project (in the config's order) of the row's first record linked to any: a row
    listing parcels of two projects counts its amount once.
    """
    row_of = _row_ids(records)
    order = {p.id: k for k, p in enumerate(inputs.config.projects)}
    links = inputs.links.assign(rank=inputs.links[C.PROJECT].map(order).fillna(len(order)))
    links = links.assign(row=row_of[links[C.RECORD_INDEX].to_numpy(dtype=np.int64)])
    first = links.sort_values(["row", C.RECORD_INDEX, "rank"], kind="stable").drop_duplicates("row")
    owner = np.full(int(row_of.max()) + 1 if len(row_of) else 0, "", dtype=object)
    owner[first["row"].to_numpy(dtype=np.int64)] = first[C.PROJECT].to_numpy()
    return owner


def _row_ids(records: pd.DataFrame) -> np.ndarray:
    """Each record's book row, as a number: the records a row lists share it."""
    return pd.factorize(records[C.BOOK].astype(str) + "#" + records[C.SOURCE_ROW].astype(str))[0]


def _linked_rows(
    ov: ProjectOverlay,
    pairs: pd.DataFrame,
    records: pd.DataFrame,
    keys: np.ndarray,
    owner: np.ndarray,
) -> dict[str, np.ndarray]:
    """The book's rows with a parcel in the project.

    Each one's first linked record, its commune unit (that record's largest piece's) and its
    household; and each record's row (``row_of``).
    """
    row_of = _row_ids(records)
    area = shapely.area(ov.pieces.geometry.to_numpy())[pairs["piece"].to_numpy()]
    order = np.lexsort((-area, pairs["record"].to_numpy()))
    best = pairs.iloc[order].drop_duplicates("record")  # each record's largest piece
    first = pd.DataFrame({"row": row_of[best["record"].to_numpy()], "record": best["record"],
                          "unit": ov.piece_unit[best["piece"].to_numpy()]})  # fmt: skip
    first = first.sort_values(["row", "record"], kind="stable").drop_duplicates("row")
    first = first[owner[first["row"].to_numpy()] == ov.project.id]  # its amount is this one's
    linked = first["row"].to_numpy()
    return {
        "row_of": row_of,
        "row": linked,
        "record": first["record"].to_numpy(),
        "unit": first["unit"].to_numpy(),
        "household": keys[first["record"].to_numpy()],
    }


def _record_values(records: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each record's numbers (Python integers: exact whatever the sum), days and flags."""

    def number(column: str) -> np.ndarray:
        return np.array([int(v) if present(v) else 0 for v in records[column]], dtype=object)

    def flag(column: str) -> np.ndarray:
        return records[column].fillna(False).astype(bool).to_numpy()

    values = {c: number(c) for c in (*C.MONEY_COLUMNS, *C.COUNT_COLUMNS)}
    values.update({c: day_numbers(records[c]) for c in C.HOUSEHOLD_DATE_COLUMNS})
    values.update({c: flag(c) for c in (C.COMPLAINT, C.ENFORCEMENT, C.RESETTLEMENT)})
    return values


def _shown(records: pd.DataFrame) -> set[str]:
    """The figures the book has a column for (the others are left blank, not zero)."""
    filled = {
        c
        for c in C.HOUSEHOLD_RECORD_COLUMNS
        if c != C.RESETTLEMENT and records[c].map(present).any()
    }
    filled |= {c for c in (C.COMPLAINT, C.ENFORCEMENT, C.RESETTLEMENT)
               if records[c].fillna(False).astype(bool).any()}  # fmt: skip
    source = {
        C.COMPENSATION_APPROVED_VND: {C.COMPENSATION_APPROVED_VND},
        C.COMPENSATION_PAID_VND: {C.COMPENSATION_PAID_VND},
        "resettlement_households": {C.RESETTLEMENT},
        "resettlement_lots_allocated": {C.RESETTLEMENT_LOTS},
        C.GRAVES_TO_MOVE: {C.GRAVES_TO_MOVE}, C.GRAVES_MOVED: {C.GRAVES_MOVED},
        C.INFRASTRUCTURE_TO_MOVE: {C.INFRASTRUCTURE_TO_MOVE},
        C.INFRASTRUCTURE_MOVED: {C.INFRASTRUCTURE_MOVED},
        "complaints_received": {C.COMPLAINT_DATE, C.COMPLAINT},
        "complaints_resolved": {C.COMPLAINT_DATE, C.COMPLAINT},
        "complaints_open": {C.COMPLAINT_DATE, C.COMPLAINT},
        "households_enforced": {C.ENFORCED_INVENTORY_DATE, C.ENFORCED_RECOVERY_DATE,
                                C.ENFORCEMENT},
    }  # fmt: skip
    return {f for f in C.HOUSEHOLD_FIGURES if f not in source or source[f] & filled}


def _blank_unshown(figures: dict[str, int | None], shown: set[str]) -> dict[str, int | None]:
    """The figures in their columns' order, blank where the book has no column for them."""
    order = [k for k in (*C.HOUSEHOLD_FIGURES, SHARED) if k in figures]
    return {k: (figures[k] if k in shown or k == SHARED else None) for k in order}


def _enforced(values: dict[str, np.ndarray], today: int) -> np.ndarray:
    """Records under enforcement by ``today``: a dated order, or the column's mark undated."""
    days = np.fmin(values[C.ENFORCED_INVENTORY_DATE], values[C.ENFORCED_RECOVERY_DATE])
    return (days <= today) | (np.isnan(days) & values[C.ENFORCEMENT])


def _rows_as_of(
    rows: dict[str, np.ndarray], values: dict[str, np.ndarray], reach: np.ndarray, day: dt.date
) -> dict[str, np.ndarray]:
    """Each linked row's values as of ``day``: money counted by then, lots, counts, complaints."""
    today = day_number(day)
    records, row_of = rows["record"], rows["row_of"]
    n = int(row_of.max()) + 1 if len(row_of) else 0

    def total(column: str) -> np.ndarray:  # the row's records together (its amount is on one)
        sums = np.zeros(n, dtype=object)
        np.add.at(sums, row_of, values[column])
        return sums[rows["row"]]

    stage = stage_at(reach[records], day) if len(records) else np.zeros(0, dtype=np.int64)
    zero = np.zeros(len(records), dtype=object)
    drawn = values[C.RESETTLEMENT_DATE]
    dated_book = bool((~np.isnan(drawn)).any())  # a book that dates its draws: undated, not yet
    lots_in = (drawn[records] <= today) | (np.isnan(drawn[records]) & (not dated_book))
    received = values[C.COMPLAINT_DATE][records]
    dated = {h for h, d in zip(rows["household"], received, strict=True) if not np.isnan(d)}
    out = {c: total(c) for c in (C.GRAVES_TO_MOVE, C.GRAVES_MOVED, C.INFRASTRUCTURE_TO_MOVE,
                                 C.INFRASTRUCTURE_MOVED)}  # fmt: skip
    out.update({
        "unit": rows["unit"],
        C.COMPENSATION_APPROVED_VND: np.where(stage >= 2, total(C.COMPENSATION_APPROVED_VND), zero),
        C.COMPENSATION_PAID_VND: np.where(stage >= 3, total(C.COMPENSATION_PAID_VND), zero),
        "lots": np.where(lots_in, total(C.RESETTLEMENT_LOTS), zero),
        # a complaint: the household's received date (or its mark, when it dates none), once
        "complaint": [
            (h, d if not np.isnan(d) else "mark")
            if (d <= today) or (np.isnan(d) and values[C.COMPLAINT][r] and h not in dated)
            else None
            for h, d, r in zip(rows["household"], received, records, strict=True)
        ],
        "resolved": values[C.COMPLAINT_RESOLVED_DATE][records] <= today,
    })  # fmt: skip
    return out


def _figures(
    stage: pd.Series, flagged: dict[str, set], rows: dict[str, np.ndarray], mine: np.ndarray
) -> dict[str, int | None]:
    """The figures of some households (``stage``: each one's stage) and some rows (``mine``).

    ``flagged``: the households enforced, and those to resettle.
    """
    names = set(stage.index)
    out = {
        C.HOUSEHOLDS_AFFECTED: len(names),
        "households_inventoried": int((stage >= 1).sum()),
        "households_plan_approved": int((stage >= 2).sum()),
        "households_paid": int((stage >= 3).sum()),
        "households_handed_over": int((stage >= 4).sum()),
        "resettlement_households": len(names & flagged["resettlement"]),
        "resettlement_lots_allocated": sum(rows["lots"][mine], 0),
        "households_enforced": len(names & flagged["enforced"]),
    }
    for column in (*C.MONEY_COLUMNS, C.GRAVES_TO_MOVE, C.GRAVES_MOVED, C.INFRASTRUCTURE_TO_MOVE,
                   C.INFRASTRUCTURE_MOVED):  # fmt: skip
        out[column] = sum(rows[column][mine], 0)
    return {k: int(out[k]) for k in C.HOUSEHOLD_FIGURES if k in out}


def _complaints(rows: dict[str, np.ndarray]) -> dict[tuple, tuple[int, bool]]:
    """Each complaint (household, received day): its first row's unit, and whether resolved.

    A complaint is resolved when any of its rows says so.
    """
    out: dict[tuple, tuple[int, bool]] = {}
    for complaint, unit, resolved in zip(rows["complaint"], rows["unit"], rows["resolved"],
                                         strict=True):  # fmt: skip
        if complaint is not None:
            first, done = out.get(complaint, (int(unit), False))
            out[complaint] = (first, done or bool(resolved))
    return out


def _complaint_counts(
    complaints: dict[tuple, tuple[int, bool]], unit: int | None
) -> dict[str, int]:
    """Complaints received, resolved and open: the project's (``unit`` None) or a unit's."""
    mine = [done for first, done in complaints.values() if unit is None or first == unit]
    return {"complaints_received": len(mine), "complaints_resolved": sum(mine),
            "complaints_open": len(mine) - sum(mine)}  # fmt: skip
