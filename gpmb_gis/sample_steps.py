"""The sample book's dates of the procedure's other steps (made up), some of them late.

Each record inventoried gets a recovery notice before its inventory. A record whose plan was
approved gets, counted back from the approval, the plan's posting, its dossier submitted for
appraisal and the appraisal; then a recovery decision within a few weeks of the approval.
A record not yet approved may have its plan posted and submitted, and wait on the appraisal.
A record under enforcement has an enforcement decision. Some appraisals and recovery decisions
take longer than the sample config's example limits, so the report has late steps to show.
The draws are the module's own: the book's other columns are as before.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from gpmb_gis.sample_land import AS_OF, date_cell, rng_for

__all__ = ["STEP_HEADINGS", "StepDates"]

#: The book's headings of these dates, after its other columns.
STEP_HEADINGS: tuple[str, ...] = (
    "Ngày thông báo thu hồi đất", "Ngày niêm yết", "Ngày trình thẩm định", "Ngày thẩm định",
    "Ngày quyết định thu hồi", "Ngày quyết định cưỡng chế",
)  # fmt: skip


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


class StepDates:
    """The cells of :data:`STEP_HEADINGS` for each record of the sample book."""

    def __init__(self) -> None:
        self.rng = rng_for(20_26)

    def _between(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def cells(self, inventoried: object, approved: object, handed_over: object,
              enforcement: bool) -> list[object]:  # fmt: skip
        """A record's six cells, from its stages' dates (None where not reached)."""
        if not isinstance(inventoried, dt.date):
            return [None] * len(STEP_HEADINGS)
        notice = inventoried - _days(self._between(20, 90))
        if isinstance(approved, dt.date):
            posted, submitted, appraised = self._back_from(inventoried, approved)
            decided = approved + _days(self._between(0, 16))
        else:
            posted = inventoried + _days(self._between(10, 40))
            submitted = posted + _days(self._between(20, 30))
            appraised = decided = None
            posted = posted if self.rng.random() < 0.7 else None
            submitted = submitted if posted is not None and self.rng.random() < 0.6 else None
        enforced = None
        if enforcement and decided is not None:  # after the recovery decision, before handover
            last = handed_over if isinstance(handed_over, dt.date) else AS_OF
            enforced = max(decided, last - _days(self._between(5, 30)))
        days = (notice, posted, submitted, appraised, decided, enforced)
        return [date_cell(d if d is not None and d <= AS_OF else None, self.rng) for d in days]

    def _back_from(self, inventoried: dt.date, approved: dt.date) -> list[dt.date]:
        """Posting, submission and appraisal between the inventory and the approval, in order.

        The appraisal takes 10 to 50 days (some beyond the sample's example limit of 30) and
        the approval follows it by 1 to 5, as far as the record's time from inventory to
        approval allows; the posting and the submission share what is left.
        """
        budget = max((approved - inventoried).days, 0)
        approval_gap = min(self._between(1, 5), budget)
        appraisal_gap = min(self._between(10, 50), max(budget - approval_gap - 2, 0))
        left = budget - approval_gap - appraisal_gap
        posting_gap = int(np.floor(left * self.rng.uniform(0.3, 0.7)))
        posted = inventoried + _days(posting_gap)
        submitted = inventoried + _days(left)
        return [posted, submitted, submitted + _days(appraisal_gap)]
