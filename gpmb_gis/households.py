"""Households: whose each record is, and what a book says of them that cannot all be true.

A household is the books' household id (``Mã hộ``), whatever the communes of its parcels; or
its number in its commune's section of the book (``STT hộ``). Without either it is the
owner's name, folded, within the commune (two owners of one name in a commune would be one
household: an approximation the QA table states once), and without a name it is the book's
row. The checks name a household as the office knows it: its commune and id, or its first
row; never by the owner's name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import map_unique, present
from gpmb_gis._findings import INFO, WARNING, Finding
from gpmb_gis._text import fold, number_key, without_names
from gpmb_gis.stages import day_numbers

__all__ = ["book_checks", "has_households", "household_keys"]


def has_households(records: pd.DataFrame) -> bool:
    """Whether the book says anything of households, which makes the tables count them.

    It does when a column of :data:`gpmb_gis.columns.HOUSEHOLD_RECORD_COLUMNS` is filled.
    """
    for column in C.HOUSEHOLD_RECORD_COLUMNS:
        if column not in records:
            continue
        values = pd.unique(records[column].dropna())  # once per distinct value
        if column == C.RESETTLEMENT:  # a yes/no column: "no" says nothing
            filled = any(present(v) and bool(v) for v in values)
        else:
            filled = any(present(v) for v in values)
        if filled:
            return True
    return False


def household_keys(records: pd.DataFrame) -> tuple[list[str], list[Finding]]:
    """Each record's household key, and the notes on how the keys were made.

    The keys are :data:`gpmb_gis.columns.KEY_HOUSEHOLD`'s. An id (``Mã hộ``) names a
    household in every book, whatever the commune of its parcels (a record of its owner in
    its commune left without an id is its household's, when the owner has one id); a number
    in a commune's section (``STT hộ``), and an owner's name, name it in its commune; a
    record with neither is its own household. Empty keys when the book says nothing of
    households (:func:`has_households`).
    """
    if not len(records) or not has_households(records):
        return [""] * len(records), []
    commune = records[C.KEY_COMMUNE].astype(str).tolist()
    ids = map_unique(records[C.HOUSEHOLD], _written)
    numbers = map_unique(records[C.HOUSEHOLD_NUMBER], _written)
    owners = map_unique(records[C.OWNER], lambda v: " ".join(fold(v).split()) if present(v) else "")
    # an owner's rows left without the id their other rows give: that household's
    ids_of: dict[tuple[str, str], set[str]] = {}
    for c, i, o in zip(commune, ids, owners, strict=True):
        if i and o:
            ids_of.setdefault((c, o), set()).add(i)
    keys, by_owner, by_row = [], 0, 0
    for k, (c, i, n, o) in enumerate(zip(commune, ids, numbers, owners, strict=True)):
        known = ids_of.get((c, o), set()) if o else set()
        if i or (not n and len(known) == 1):
            keys.append(f"id|{i or next(iter(known))}")
        elif n:
            keys.append(f"{c}|number|{n}")
        elif o:
            keys.append(f"{c}|owner|{o}")
            by_owner += 1
        else:
            keys.append(f"row|{k}")
            by_row += 1
    found = []
    if by_owner:
        found.append(Finding(INFO, "household_by_owner", "handovers", params={"count": by_owner}))
    if by_row:
        found.append(Finding(INFO, "household_by_row", "handovers", params={"count": by_row}))
    return keys, found


def _written(value: object) -> str:
    """An id or number as matched: folded, no leading zeros (``007`` is ``7``)."""
    return number_key(value) if present(value) else ""


def _name(records: pd.DataFrame, rows: np.ndarray) -> str:
    """A household as the office finds it: commune and id, else its first row."""
    first = rows[0]
    commune = str(records[C.COMMUNE].iat[first] or "").strip()
    for column in (C.HOUSEHOLD, C.HOUSEHOLD_NUMBER):
        written = records[column].iat[first]
        if present(written):  # an id as written, a name in it left out ("Hộ ông …")
            named = without_names(str(written).strip())
            return f"{commune}: {named}" if commune else named
    return str(records[C.RECORD_LABEL].iat[first])


def book_checks(records: pd.DataFrame) -> list[Finding]:
    """What a book says of its households that cannot all be true, one finding each.

    Money paid beyond the money approved; a household handed over with a record unpaid; a
    step dated with an earlier one left undated (the counts would grow down the pipeline);
    resettlement lots given to a household that needs none; a complaint resolved before it
    was received.
    """
    keys = records.get(C.KEY_HOUSEHOLD)
    if keys is None or not len(records) or not (keys != "").any():
        return []
    days = {c: day_numbers(records[c]) for c in (*C.DATE_COLUMNS, *C.HOUSEHOLD_DATE_COLUMNS)}
    found = _complaints_in_order(records, days)
    groups = pd.Series(np.arange(len(records))).groupby(keys.to_numpy(), sort=False)
    for key, rows in groups:
        if not key:
            continue
        where = _name(records, rows.to_numpy())
        found += _money_and_steps(records, days, rows.to_numpy(), where)
    return found


def _complaints_in_order(records: pd.DataFrame, days: dict[str, np.ndarray]) -> list[Finding]:
    received, resolved = days[C.COMPLAINT_DATE], days[C.COMPLAINT_RESOLVED_DATE]
    early = np.flatnonzero(resolved < received)  # NaN compares False: both dated only
    labels = records[C.RECORD_LABEL].astype(str).to_numpy()
    return [
        Finding(WARNING, "complaint_resolved_before_received", "handovers", labels[k])
        for k in early
    ]


def _money_and_steps(
    records: pd.DataFrame, days: dict[str, np.ndarray], rows: np.ndarray, where: str
) -> list[Finding]:
    """The checks of one household's records (``rows``)."""
    found = []
    approved = _total(records[C.COMPENSATION_APPROVED_VND].iloc[rows])
    paid = _total(records[C.COMPENSATION_PAID_VND].iloc[rows])
    book_approves = records[C.COMPENSATION_APPROVED_VND].map(present).any()
    if paid is not None and book_approves and paid > (approved or 0):
        found.append(Finding(WARNING, "household_paid_over_approved", "handovers", where,
                             params={"paid": paid, "approved": approved or 0}))  # fmt: skip
    handed = ~np.isnan(days[C.HANDOVER_DATE][rows])
    unpaid = np.isnan(days[C.PAID_DATE][rows])
    if (handed & unpaid).any() and records[C.PAID_DATE].notna().any():
        found.append(Finding(WARNING, "household_handed_over_unpaid", "handovers", where))
    for later, earlier in ((C.PAID_DATE, C.PLAN_APPROVED_DATE),
                           (C.PLAN_APPROVED_DATE, C.INVENTORY_DATE)):  # fmt: skip
        dated = ~np.isnan(days[later][rows])
        if (dated & np.isnan(days[earlier][rows])).any() and records[earlier].notna().any():
            found.append(Finding(WARNING, "household_step_undated", "handovers", where,
                                 params={"step": later, "earlier": earlier}))  # fmt: skip
    lots = _total(records[C.RESETTLEMENT_LOTS].iloc[rows])
    if lots and not records[C.RESETTLEMENT].iloc[rows].astype(bool).any():
        found.append(Finding(WARNING, "resettlement_lots_without_need", "handovers", where,
                             params={"lots": lots}))  # fmt: skip
    return found


def _total(values: pd.Series) -> int | None:
    """The sum of the filled cells (whole numbers), None when none is filled."""
    filled = [int(v) for v in values if present(v)]
    return sum(filled) if filled else None
