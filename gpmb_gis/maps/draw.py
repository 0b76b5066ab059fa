"""What every drawing of the package uses.

Pyplot loaded lazily, text drawn literally, polygons as one collection, dates as Vietnamese
documents write them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import shapely

__all__ = ["offscreen", "plain", "pyplot", "shape_collection", "vn_date"]


def plain(text: object) -> str:
    r"""Text from data as matplotlib draws it literally: each ``$`` escaped, so no mathtext.

    Examples
    --------
    >>> plain("Dự án $\\frac{a}{b}$ 5$")
    'Dự án \\$\\frac{a}{b}\\$ 5\\$'
    """
    return str(text).replace("$", r"\$")


def pyplot() -> Any:
    """Matplotlib's pyplot, loaded on first use, drawing where the user or Jupyter chose.

    The backend is never changed here: in Jupyter the figures show inline; without a
    display matplotlib draws off screen by itself. The command draws off screen
    (:func:`offscreen`).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise ImportError("maps need matplotlib: pip install matplotlib") from exc
    return plt


def offscreen() -> None:
    """Draw into files only (matplotlib's Agg), whatever display there is: for the command."""
    import matplotlib

    matplotlib.use("Agg")


def _polys_to_paths(geoms: np.ndarray) -> list[Any]:
    """Matplotlib paths (with holes) of polygonal geometries."""
    from matplotlib.path import Path as MplPath

    paths = []
    for geom in geoms:
        for poly in shapely.get_parts(geom):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            rings = [np.asarray(poly.exterior.coords)] + [
                np.asarray(r.coords) for r in poly.interiors
            ]
            verts = np.concatenate(rings)
            codes = np.concatenate(
                [
                    [MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY]
                    for r in rings
                ]
            )
            paths.append(MplPath(verts, codes))
    return paths


def shape_collection(geoms: np.ndarray, **kwargs: Any) -> Any:
    """Polygons as one matplotlib collection (drawn at once), styled by ``kwargs``."""
    from matplotlib.collections import PathCollection

    return PathCollection(_polys_to_paths(geoms), **kwargs)


def vn_date(day: dt.date) -> str:
    """A date as Vietnamese documents write it: ``29/11/2024``."""
    return f"{day:%d/%m/%Y}"
