"""The colours of every map, chart and table: one colour-blind-safe palette (Okabe–Ito based).

Stages colour parcels and bars; milestone statuses colour markers (strong) and table rows
(their tints). Nothing else picks a colour of its own for a stage or a status.
"""

from __future__ import annotations

from gpmb_gis import columns as C
from gpmb_gis.milestones import AT_RISK, MET, MISSED, ON_TRACK

__all__ = ["BLOCKED_COLOUR", "STAGE_COLOURS", "STATUS_COLOURS", "STATUS_TINTS"]

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
