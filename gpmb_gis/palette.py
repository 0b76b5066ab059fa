"""The colours of every map, chart and table: one colour-blind-safe palette (Okabe–Ito based).

Stages colour parcels and bars; milestone statuses colour markers (strong) and table rows
(their tints). Nothing else picks a colour of its own for a stage or a status.
"""

from __future__ import annotations

from gpmb_gis import columns as C
from gpmb_gis.labels import pct_shown
from gpmb_gis.milestones import AT_RISK, MET, MISSED, ON_TRACK

__all__ = [
    "AGENCY_COLOURS",
    "BLOCKED_COLOUR",
    "NO_PCT_COLOUR",
    "PCT_CLASSES",
    "SEVERITY_COLOURS",
    "STAGE_COLOURS",
    "STATUS_COLOURS",
    "STATUS_TINTS",
    "pct_colour",
]

#: Each stage's colour, and white for land no parcel covers.
STAGE_COLOURS: dict[str, str] = {
    C.NOT_STARTED: "#D55E00", C.INVENTORIED: "#E69F00", C.PLAN_APPROVED: "#F0E442",
    C.PAID: "#56B4E9", C.HANDED_OVER: "#009E73", C.ALREADY_CLEAR: "#999999",
    "unmapped": "#FFFFFF",
}  # fmt: skip

#: Blocked stretches: a colour no stage uses.
BLOCKED_COLOUR = "#CC79A7"

#: Each milestone status's colour (markers, text).
STATUS_COLOURS: dict[str, str] = {MET: "#009E73", ON_TRACK: "#56B4E9", AT_RISK: "#E69F00",
                                  MISSED: "#D55E00"}  # fmt: skip
#: The same statuses as light tints, behind a table row's text.
STATUS_TINTS: dict[str, str] = {MET: "#d7f0e5", ON_TRACK: "#dcecf8", AT_RISK: "#fcebc9",
                                MISSED: "#f7d4c4"}  # fmt: skip

#: Classes of a cleared %, the same on every map: ``(lower, upper, colour, label)``, highest
#: first. A % is in the first class whose lower bound it reaches: 100 alone, then from 70 (the
#: first deadline's target) up to 100, 50–70, 25–50 and below 25.
PCT_CLASSES: tuple[tuple[float, float, str, str], ...] = (
    (100.0, 100.0, "#009E73", "100 %"), (70.0, 100.0, "#56B4E9", "70–100 %"),
    (50.0, 70.0, "#F0E442", "50–70 %"), (25.0, 50.0, "#E69F00", "25–50 %"),
    (0.0, 25.0, "#D55E00", "0–25 %"),
)  # fmt: skip

#: A % that cannot be worked out (no land to clear): light grey.
NO_PCT_COLOUR = "#DDDDDD"

#: Each QA severity's colour (the QA layer of ``gpmb.gpkg``, hatched over the stages): no
#: colour of a stage, so that a QA place is never read as one.
#: Agencies in the chart of steps late, in turn (Okabe–Ito, told apart in colour-blind sight).
AGENCY_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                                   "#D55E00", "#F0E442", "#000000")  # fmt: skip
SEVERITY_COLOURS: dict[str, str] = {"error": "#000000", "warning": "#7B3294", "info": "#777777"}


def pct_colour(pct: float) -> str:
    """The colour of a cleared % (:data:`PCT_CLASSES`) as people read it; grey for none.

    A % is classed as shown (:func:`~gpmb_gis.labels.pct_shown`): 99.96 is not 100, and
    99.99999999999 (all of it, but for the arithmetic's last digit) is.

    Examples
    --------
    >>> pct_colour(100.0), pct_colour(99.99999999999), pct_colour(99.96), pct_colour(69.99)
    ('#009E73', '#009E73', '#56B4E9', '#F0E442')
    """
    shown = pct_shown(pct)
    for lower, _, colour, _ in PCT_CLASSES:
        if shown >= lower:
            return colour
    return NO_PCT_COLOUR
