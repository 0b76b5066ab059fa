"""Reading the files a run is given: GIS layers and handover books.

- :mod:`gpmb_gis.io.aliases`: column names and status words as offices write them;
- :mod:`gpmb_gis.io.vector`: GIS layers (any GDAL format), their text, CRS and columns;
- :mod:`gpmb_gis.io.grids`: workbooks and CSV files as grids of cells;
- :mod:`gpmb_gis.io.book`: handover books, one record per parcel row.

The functions an analyst may call on a file of their own are named here.
"""

from __future__ import annotations

from gpmb_gis.io.aliases import match_columns, parse_flag, parse_status, status_flags
from gpmb_gis.io.book import empty_handovers, read_handovers
from gpmb_gis.io.vector import read_layer, read_parcel_keys

__all__ = [
    "empty_handovers",
    "match_columns",
    "parse_flag",
    "parse_status",
    "read_handovers",
    "read_layer",
    "read_parcel_keys",
    "status_flags",
]
