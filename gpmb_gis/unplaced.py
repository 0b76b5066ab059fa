"""What a headline rests on: the book's records that could not be placed on any parcel.

A record that names no parcel (a typo, a key part missing, a commune the parcels do not
carry, no project) is listed in the QA table and counts for nothing. When such records carry
a date or a status, the figures may be too low, never too high; every headline says so, and
beyond ``[qa] max_unplaced_records_pct`` of the book a report stops unless told to go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import map_unique
from gpmb_gis._errors import InputError
from gpmb_gis._findings import ERROR, Finding
from gpmb_gis._text import number_key
from gpmb_gis.labels import word
from gpmb_gis.stages import NEVER, day_number

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["UNPLACED_CHECKS", "Unplaced", "check_unplaced", "unplaced_records"]


#: The checks of records that could not be placed on a parcel of the right project.
UNPLACED_CHECKS = ("record_no_parcel", "record_no_commune", "record_no_sheet",
                   "record_commune_unknown", "record_no_project",
                   "record_unknown_project", "record_sheet_ambiguous",
                   "record_parcel_no_shape", "ambiguous_after_merger")  # fmt: skip


@dataclass(frozen=True)
class Unplaced:
    """The records with a date or a status that could not be placed.

    Attributes
    ----------
    records
        How many: each listed in the QA table with the keys it may have meant.
    records_read
        Records read from the book.
    handed_over
        Of ``records``, those handed over by the report date.
    area_m2
        Up to this much of the rights of way is not counted as cleared because of them: the
        pieces not yet cleared of parcels with the numbers of the handed-over records, in
        their projects (any project for a record naming none), at most what each project
        has left to clear.
    """

    records: int
    records_read: int
    handed_over: int
    area_m2: float

    @property
    def pct(self) -> float:
        """``records`` as a percentage of the records read."""
        return 100.0 * self.records / self.records_read if self.records_read else 0.0

    def sentence(self, lang: str = "vi") -> str:
        """The line every headline carries, or "" when every dated record was placed.

        Examples
        --------
        >>> Unplaced(12, 3573, 5, 12_800.0).sentence("en")
        '12 of 3,573 records could not be placed or read: up to 1.28 ha not counted'
        >>> Unplaced(1, 40, 1, 0.0).sentence("en")
        '1 of 40 records could not be placed or read'
        """
        if not self.records:
            return ""
        count, total = f"{self.records:,}", f"{self.records_read:,}"
        ha = f"{self.area_m2 / 1e4:,.2f}"
        if lang == "vi":
            count, total, ha = (
                t.replace(",", "\u202f").replace(".", ",") for t in (count, total, ha)
            )
        key = "unplaced" if self.area_m2 >= 5.0 else "unplaced_unknown_area"
        return word(key, lang).format(count=count, total=total, ha=ha)


def unplaced_records(result: ProgressResult) -> Unplaced:
    """Count the records with a date or status that no parcel took, and what they may hide."""
    inputs = result.inputs
    if inputs is None or not len(inputs.records):
        return Unplaced(0, 0 if inputs is None else len(inputs.records), 0, 0.0)
    records = inputs.records
    labels = {f.feature for f in result.findings if f.check in UNPLACED_CHECKS}
    listed = records[C.RECORD_LABEL].isin(labels).to_numpy()
    day = day_number(result.as_of)
    reach = inputs.record_reach
    unplaced = listed & (reach < NEVER).any(axis=1)  # a date or a status: it says something
    # a status not understood on a record without a date: it may say "handed over"
    unread = {f.feature for f in result.findings if f.check == "unknown_status"}
    unplaced |= records[C.RECORD_LABEL].isin(unread).to_numpy() & (reach >= NEVER).all(axis=1)
    handed = unplaced & (reach[:, -1] <= day)
    area = _area_not_counted(result, records[handed])
    # rows without a parcel number were never records; those with a date or status count
    numberless = [f for f in result.findings if f.check == "record_no_parcel_number"]
    dated = sum(f.severity == ERROR for f in numberless)
    return Unplaced(
        int(unplaced.sum()) + dated, len(records) + len(numberless), int(handed.sum()), area
    )


def _area_not_counted(result: ProgressResult, records: pd.DataFrame) -> float:
    """What the records could add at most: per project, capped at what is not yet cleared.

    A record names one parcel with its parcel number: at most, each of its project's pieces
    not yet cleared with that number (every project's, for a record that names none).
    """
    pieces = result.parcels
    open_pieces = pieces[~pieces[C.STAGE].isin([C.HANDED_OVER, C.ALREADY_CLEAR])]
    if not len(records) or not len(open_pieces):
        return 0.0
    open_area = (
        open_pieces.assign(key=map_unique(open_pieces[C.PARCEL], number_key))
        .groupby(["key", C.PROJECT], as_index=False)[C.AFFECTED_M2]
        .sum()
    )
    named = [str(p).strip() if isinstance(p, str) else "" for p in records[C.PROJECT]]
    wanted = pd.DataFrame({"key": records[C.KEY_PARCEL].to_numpy(), "named": named})
    hits = wanted.drop_duplicates().merge(open_area, on="key")
    own = hits["named"].isin(set(open_area[C.PROJECT]))  # the record names a project it is in
    hits = hits[~own | (hits["named"] == hits[C.PROJECT])]
    added = hits.drop_duplicates(["key", C.PROJECT]).groupby(C.PROJECT)[C.AFFECTED_M2].sum()
    table = result.progress_by_project.set_index(C.PROJECT)
    room = (table[C.REQUIRED_M2] - table[C.CLEARED_M2]).reindex(added.index).fillna(0.0)
    return float(added.clip(upper=room).sum())


def _is_doubt(finding: Finding) -> bool:
    """Whether a finding tells of a record that could not be placed or read."""
    return finding.check in (*UNPLACED_CHECKS, "unknown_status") or (
        finding.check == "record_no_parcel_number" and finding.severity == ERROR
    )


def _reasons(result: ProgressResult) -> str:
    """The checks that left records unplaced, most frequent first: ``record_… 3 527``."""
    counts: dict[str, int] = {}
    for f in result.findings:
        if _is_doubt(f):
            counts[f.check] = counts.get(f.check, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{check} {n:,}" for check, n in ranked)


def check_unplaced(result: ProgressResult, *, allow: bool | None = None) -> Unplaced:
    """The unplaced records; an error when they pass the config's limit, unless allowed.

    ``allow`` defaults to the config's ``qa.allow_unplaced`` (``--allow-unplaced``).

    Raises
    ------
    InputError
        More than ``[qa] max_unplaced_records_pct`` of the book's records carry a date or a
        status and could not be placed.
    """
    found = result.unplaced()
    allow = result.config.qa.allow_unplaced if allow is None else allow
    limit = result.config.qa.max_unplaced_records_pct
    if found.records and found.pct > limit and not allow:
        books = result.config.book_sources()
        raise InputError(
            ", ".join(b.label() for b in books) or "handovers",
            f"{found.sentence('en')} ({found.pct:.1f} % of the book, over the limit of "
            f"{limit:g} %); qa_issues.csv lists each, with the keys it may have meant "
            f"({_reasons(result)})",
            "correct the book or the [fields] mapping, raise [qa] max_unplaced_records_pct, "
            "or give --allow-unplaced to report with the doubt shown beside every figure",
        )
    return found
