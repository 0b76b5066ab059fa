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
from gpmb_gis.result import ProgressResult
from gpmb_gis.run import compute_progress, what_if

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


def check_milestones(config: Any, as_of: Any = None) -> Any:
    """Every milestone's status as of a date (DataFrame).

    Examples
    --------
    >>> table = gg.check_milestones("data/cao_loc/gpmb.toml")
    >>> table.loc[0, ["project", "status"]].tolist()
    ['QL4B', 'missed']
    """
    from gpmb_gis.run import check_milestones as _check

    return _check(config, as_of)


def plot_strip(result: ProgressResult, project: str, **kwargs: Any) -> Any:
    """The straight-line diagram of a road project (a list of figures, one per page).

    Examples
    --------
    >>> figures = gg.plot_strip(result, "QL4B")
    >>> len(figures)
    1
    """
    from gpmb_gis.maps.static import plot_strip as _plot

    return _plot(result, project, **kwargs)


def plot_burnup(result: ProgressResult, project: str, *, lang: str | None = None) -> Any:
    """Cleared % of a project over time with its milestones and recent trend: (fig, ax).

    Examples
    --------
    >>> fig, ax = gg.plot_burnup(result, "CT_HNCL")
    """
    from gpmb_gis.maps.charts import plot_burnup as _plot
    from gpmb_gis.milestones import milestone_table
    from gpmb_gis.timeline import timeseries_table

    series = timeseries_table(result)
    series = series[(series["project"] == project) & (series["scope"] == "project")]
    milestones = milestone_table(result)
    name = result.overlays[project].project.name
    return _plot(series, milestones[milestones["project"] == project], title=name,
                 as_of=result.as_of, lang=lang or result.config.lang)  # fmt: skip


def web_map(result: ProgressResult, project: str, **kwargs: Any) -> Any:
    """The project's folium map (displays inline in Jupyter); see :mod:`gpmb_gis.maps.web`.

    Examples
    --------
    >>> fmap = gg.web_map(result, "QL4B")
    >>> type(fmap).__name__
    'Map'
    """
    from gpmb_gis.maps.web import web_map as _web_map

    return _web_map(result, project, **kwargs)


def plot_project(result: ProgressResult, project: str, **kwargs: Any) -> Any:
    """Draw a project's parcels by stage: (fig, ax); see :mod:`gpmb_gis.maps.static`.

    Examples
    --------
    >>> fig, ax = gg.plot_project(result, "QL4B", commune="Xã Gia Cát")
    """
    from gpmb_gis.maps.static import plot_project as _plot

    return _plot(result, project, **kwargs)


def write_report(result: ProgressResult, out_dir: Any, **kwargs: Any) -> Any:
    """Write the briefing bundle into a folder; returns the path of ``index.html``.

    Examples
    --------
    >>> index = gg.write_report(result, tmp_path / "briefing", maps=False)
    >>> index.name
    'index.html'
    """
    from gpmb_gis.report import write_report as _write

    return _write(result, out_dir, **kwargs)


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
