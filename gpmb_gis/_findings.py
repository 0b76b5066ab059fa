"""A finding: one row of the QA table, made where the problem is seen.

Reading, checking and measuring all report what they notice as findings; :mod:`gpmb_gis.qa`
gathers them into ``qa_issues.csv``. A finding names a check (a code such as
``record_no_parcel``) and the values its message needs; :mod:`gpmb_gis.labels` words it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ERROR", "INFO", "WARNING", "Finding"]


ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing the QA table reports.

    Attributes
    ----------
    severity
        ``error`` (a record could not be used), ``warning`` (used, but check it) or ``info``
        (a repair or a skipped non-record row, such as a total row).
    check
        The check's code, e.g. ``record_no_parcel``.
    layer
        ``parcels``, ``communes``, ``handovers`` or ``row:<project>``.
    feature
        The record as the user knows it: ``sheet 12 / parcel 45``, ``row 17``.
    params
        Values the message is built from.
    area_m2
        Area concerned, where it matters.
    listed
        True when the record is not used (it counts as *listed* in the run summary).
    count
        How many records a listed finding stands for (drawing elements of a CAD file that
        are skipped together, say); 1 for a finding about one record.
    """

    severity: str
    check: str
    layer: str
    feature: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    area_m2: float | None = None
    listed: bool = False
    count: int = 1
    place: Any = field(default=None, compare=False, repr=False)
