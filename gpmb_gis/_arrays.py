"""Array helpers shared by the vectorised joins (no Python loop per element).

And shapely's geometry type ids grouped by the kind of shape, for filtering arrays of shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import shapely

#: Shapely's geometry type ids, by the kind of shape.
POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
LINEAL = (
    shapely.GeometryType.LINESTRING,
    shapely.GeometryType.LINEARRING,
    shapely.GeometryType.MULTILINESTRING,
)
PUNCTUAL = (shapely.GeometryType.POINT, shapely.GeometryType.MULTIPOINT)


__all__ = ["expand_runs", "map_unique", "present"]


def expand_runs(
    count: np.ndarray,
    first: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """List runs of ``count[i]`` elements one after the other.

    Returns, for every element, the run it belongs to and its index: ``first[i] + k`` for the
    ``k``-th element of run ``i`` (just ``k`` without ``first``).

    Examples
    --------
    >>> run, at = expand_runs(np.array([2, 0, 3]), np.array([10, 20, 30]))
    >>> run.tolist(), at.tolist()
    ([0, 0, 2, 2, 2], [10, 11, 30, 31, 32])
    """
    count = np.asarray(count, dtype=np.int64)
    run = np.repeat(np.arange(len(count)), count)
    k = np.arange(len(run)) - np.repeat(np.cumsum(count) - count, count)
    return run, k if first is None else np.asarray(first, dtype=np.int64)[run] + k


def present(value: object) -> bool:
    """Whether a cell holds something: not None, not NaN, not blank text."""
    return (
        value is not None
        and not (isinstance(value, float) and np.isnan(value))
        and bool(str(value).strip())
    )


def map_unique(values: Iterable[object], fn: Callable[[object], Any]) -> list[Any]:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value.

    Examples
    --------
    >>> from gpmb_gis._text import number_key
    >>> map_unique(["07", 7, None, "07"], number_key)
    ['7', '7', '', '7']
    """
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        # factorised as stored (Arrow text, numbers); the distinct values as Python objects
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = uniques.tolist()
    else:
        codes, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    mapped = np.array([*(fn(u) for u in uniques), fn(None)], dtype=object)
    return mapped[codes].tolist()
