"""gpmb_gis: right-of-way clearance (GPMB) progress from cadastral parcels and handover books.

The public API, used by notebooks and scripts::

    import gpmb_gis as gg
    cfg = gg.load_config("data/cao_loc/gpmb.toml")
    result = gg.compute_progress(cfg)
    result.progress_by_project

Plotting (matplotlib) and web maps (folium) are imported only when used.
"""

from __future__ import annotations

from typing import Any

from gpmb_gis._errors import ConfigError, CRSError, GpmbError, InputError
from gpmb_gis.config import load_config
from gpmb_gis.progress import ProgressResult, compute_progress

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "ConfigError",
    "GpmbError",
    "InputError",
    "ProgressResult",
    "__version__",
    "compute_progress",
    "load_config",
    "plot_project",
    "show_versions",
    "write_report",
]


def plot_project(result: ProgressResult, project: str, **kwargs: Any) -> Any:
    """Draw a project's parcels by stage; see :func:`gpmb_gis.maps.static.plot_project`."""
    from gpmb_gis.maps.static import plot_project as _plot

    return _plot(result, project, **kwargs)


def write_report(result: ProgressResult, out_dir: Any, **kwargs: Any) -> Any:
    """Write the briefing bundle; see :func:`gpmb_gis.report.write_report`."""
    from gpmb_gis.report import write_report as _write

    return _write(result, out_dir, **kwargs)


def show_versions() -> None:
    """Print the versions of gpmb_gis and the libraries behind it (GEOS, GDAL, PROJ)."""
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
