"""Defaults that tune the measurement and the checks, in one typed place.

Attributes
----------
MIN_PIECE_M2
    A parcel's intersection with the right of way counts as a piece only above this area
    (``docs/metrics.md``: 0.01 m²).
CHAINAGE_BIN_M
    Default chainage bin length in metres.
LEGAL_AREA_TOLERANCE
    Relative difference between legal and geometric area that the QA table reports.
FAR_FUTURE_YEARS
    Dates more than this many years after the report date are reported as implausible.
HEADER_SCAN_ROWS
    How many rows at the top of a handover book are searched for the heading row.
SLIVER_WIDTH_M
    A piece of a parcel in the right of way, or a gap between parcels, narrower than this is
    reported as a sliver.
MAX_UNPLACED_RECORDS_PCT
    A report stops when more than this share of the handover book's records carry a date or
    a status and could not be placed on a parcel (``--allow-unplaced`` goes on).
MIN_OVERLAP_M2
    Overlaps between parcels smaller than this are rounding, not drawing errors (1 cm²).
ATLAS_ROAD_MM
    The road each page of the map book holds, on paper (its map is 208 mm wide: the rest
    shows the ends of the pages before and after, the overlap).
ATLAS_SCALE
    The scale of the map book along a road (``maps/<project>_atlas.pdf``): 1:2 000, the
    scale of a right of way's plan (bình đồ) taken to the field.
MIN_GAP_M2
    Unmapped parts of the right of way smaller than this are not listed one by one (their
    area still counts as unmapped).
"""

from __future__ import annotations

__all__ = [
    "ATLAS_ROAD_MM",
    "ATLAS_SCALE",
    "CHAINAGE_BIN_M",
    "FAR_FUTURE_YEARS",
    "HEADER_SCAN_ROWS",
    "LEGAL_AREA_TOLERANCE",
    "MAX_UNPLACED_RECORDS_PCT",
    "MIN_GAP_M2",
    "MIN_OVERLAP_M2",
    "MIN_PIECE_M2",
    "SLIVER_WIDTH_M",
]


MIN_PIECE_M2: float = 0.01
CHAINAGE_BIN_M: float = 100.0
ATLAS_SCALE: int = 2000
ATLAS_ROAD_MM: float = 187.0
LEGAL_AREA_TOLERANCE: float = 0.05
FAR_FUTURE_YEARS: int = 2
HEADER_SCAN_ROWS: int = 30
SLIVER_WIDTH_M: float = 0.2
MIN_GAP_M2: float = 0.01
MIN_OVERLAP_M2: float = 1e-4
MAX_UNPLACED_RECORDS_PCT: float = 2.0
