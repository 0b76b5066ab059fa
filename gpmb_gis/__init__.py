"""gpmb_gis: right-of-way clearance (GPMB) progress from cadastral parcels and handover books.

The public API, used by notebooks and scripts::

    import gpmb_gis as gg
    cfg = gg.load_config("data/cao_loc/gpmb.toml")
    result = gg.compute_progress(cfg)
    result.progress_by_project

Plotting (matplotlib) and web maps (folium) are imported only when used.
"""

from __future__ import annotations

from gpmb_gis._errors import ConfigError, CRSError, GpmbError, InputError
from gpmb_gis.config import load_config
from gpmb_gis.maps.charts import plot_burnup
from gpmb_gis.maps.static import plot_project
from gpmb_gis.maps.strip import plot_strip
from gpmb_gis.maps.web import web_map
from gpmb_gis.report import write_report
from gpmb_gis.result import ProgressResult
from gpmb_gis.run import check_milestones, compute_progress, what_if

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "ConfigError",
    "GpmbError",
    "InputError",
    "ProgressResult",
    "__version__",
    "check_milestones",
    "compute_progress",
    "load_config",
    "plot_burnup",
    "plot_project",
    "plot_strip",
    "show_versions",
    "web_map",
    "what_if",
    "write_report",
]


def show_versions() -> None:
    """Print the versions of gpmb_gis and the libraries behind it (GEOS, GDAL, PROJ).

    Examples
    --------
    >>> gg.show_versions()  # doctest: +ELLIPSIS
    gpmb_gis   ...
    ...
    """
    import platform

    import geopandas
    import pandas
    import pyogrio
    import pyproj
    import shapely

    print(f"gpmb_gis   {__version__}")
    print(f"python     {platform.python_version()} ({platform.platform()})")
    print(f"geopandas  {geopandas.__version__}")
    print(f"shapely    {shapely.__version__} (GEOS {shapely.geos_version_string})")
    print(f"pyogrio    {pyogrio.__version__} (GDAL {pyogrio.__gdal_version_string__})")
    print(f"pyproj     {pyproj.__version__} (PROJ {pyproj.proj_version_str})")
    print(f"pandas     {pandas.__version__}")
