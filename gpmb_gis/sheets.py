"""A layer held in many files: per commune and per map sheet (tờ bản đồ), as land offices keep it.

``parcels = { paths = ["dia_chinh/**/*.dgn"], path_pattern = "{commune}/To {sheet}.dgn" }``
reads every file as one layer. Each file is read on its own (its encoding, CRS and checks), and
its features that lack a commune or a sheet take them from the file's path; a feature's own
commune wins, with a QA row when the two disagree. Findings name the file a feature came from
(``Hop Thanh/To 12.dgn: sheet 12 / parcel 45``).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd
from pyproj import CRS

from gpmb_gis import columns as C
from gpmb_gis._arrays import map_unique, present
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis._text import commune_key, number_key
from gpmb_gis.headers import layer_info
from gpmb_gis.io.vector import read_parcel_keys
from gpmb_gis.nearby import Window
from gpmb_gis.sources import LayerSource, path_fields

__all__ = [
    "file_sources",
    "from_path",
    "from_paths",
    "is_empty",
    "meets",
    "parcel_keys",
    "progress",
    "say",
    "touched",
]

#: Fewer files than this are read without a progress bar or a line about them.
MANY_FILES = 20

_FIELDS = {"commune": C.COMMUNE, "sheet": C.SHEET}
T = TypeVar("T")


def file_sources(source: LayerSource) -> list[tuple[LayerSource, str, dict[str, str] | None]]:
    """Each file of a many-file layer: a source of its own, its relative path, its path fields.

    The fields are None for a file whose path does not fit the layer's ``path_pattern``.
    """
    out = []
    for path in source.paths:
        relative = source.relative(path)
        one = dataclasses.replace(source, path=path, paths=(), path_pattern=None)
        fields = path_fields(source.path_pattern, relative)
        out.append((one, relative, fields if fields or not source.path_pattern else None))
    return out


def from_path(
    layer: pd.DataFrame, fields: dict[str, str] | None, relative: str, name: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """Fill a file's features' commune and sheet from its path where they lack them.

    A feature's own commune (or sheet) wins; where it disagrees with the path's, a QA row
    says so once per file. Also adds :data:`gpmb_gis.columns.SOURCE_FILE`.
    """
    out, found = from_paths(layer, [(relative, fields)], np.zeros(len(layer), np.int64), name)
    return out, found[0]


def from_paths(
    layer: pd.DataFrame,
    paths: Sequence[tuple[str, dict[str, str] | None]],
    file_of: np.ndarray,
    name: str,
) -> tuple[pd.DataFrame, list[list[Finding]]]:
    """:func:`from_path` for the features of several files at once, each a file of ``paths``.

    ``file_of`` gives each feature's file (its place in ``paths``); the findings are each
    file's. A file without a commune (or sheet) in its path leaves its features' own, and
    where none has a column for it, gives them none (blank beside the others).
    """
    out = layer.assign(**{C.SOURCE_FILE: np.array([r for r, _ in paths], dtype=object)[file_of]})
    found: list[list[Finding]] = [
        [Finding(WARNING, "path_pattern_unmatched", name, r)] if f is None else [] for r, f in paths
    ]
    for part, column in _FIELDS.items():
        given = np.array([(f or {}).get(part) or None for _, f in paths], dtype=object)
        if not any(given):
            continue
        if column not in out:
            out[column] = np.where(given == None, np.nan, given)[file_of]  # noqa: E711
            continue
        own = out[column]
        has = np.array(map_unique(own, lambda v: present(v) and str(v).strip() != ""), dtype=bool)
        same = commune_key if part == "commune" else number_key
        theirs = np.array([None if g is None else same(g) for g in given], dtype=object)
        ruled = np.array([g is not None for g in given])[file_of]
        differ = has & ruled & (np.array(map_unique(own, same), dtype=object) != theirs[file_of])
        for k in np.unique(file_of[differ]):
            mine = differ & (file_of == k)
            params = {"count": int(mine.sum()), "path": given[k], "own": str(own[mine].iloc[0])}
            found[k].append(
                Finding(WARNING, f"{part}_not_the_paths", name, paths[k][0], params=params)
            )
        out[column] = own.where(has | ~ruled, given[file_of])
    return out, found


def meets(window: Window | None) -> bool:
    """Whether a file's extent (from its header, no feature read) meets a right of way.

    True when it cannot be told without reading (no window, or no extent or CRS known).
    """
    if window is None:
        return True
    return bool(touched(window, {"": (0, len(window.boxes))}))


def touched(window: Window | None, spans: Mapping[str, tuple[int, int]]) -> tuple[str, ...]:
    """The rights of way a file's extent meets; ``spans``: each one's pieces in the window.

    Every one of them when it cannot be told without reading (no window, extent or CRS).
    """
    if window is None or window.extent is None or not len(window.boxes):
        return tuple(spans)
    near = window.near
    return tuple(name for name, (start, stop) in spans.items() if near[start:stop].any())


def is_empty(source: LayerSource, window: Window | None) -> bool:
    """Whether a file's header says it holds no feature (read once: its window's, if any)."""
    if window is not None:
        return window.features == 0
    info = layer_info(source.path, source.layer)
    return info is not None and info.get("features") == 0


def parcel_keys(
    source: LayerSource,
    fields: Mapping[str, str] | None,
    parcel_keys: Iterable[str],
    may_hold: Callable[[dict[str, str]], bool] | None = None,
    project_crs: CRS | None = None,
) -> pd.DataFrame:
    """The whole layer's parcels (attributes only) with one of these numbers, in every file.

    :func:`gpmb_gis.io.vector.read_parcel_keys` for a layer of one file or many; a file's
    parcels take the commune and sheet of its path where they lack them. ``may_hold`` says,
    from a file's path fields (commune, sheet), whether it may hold a parcel looked for: the
    other files are not opened (a file whose path fits no pattern always is).
    """
    if not source.paths:
        return read_parcel_keys(source, fields, parcel_keys, project_crs)
    keys = list(parcel_keys)
    files = [f for f in file_sources(source) if not f[2] or may_hold is None or may_hold(f[2])]

    def one_file(one: LayerSource, relative: str, given: dict[str, str] | None) -> pd.DataFrame:
        try:
            found = read_parcel_keys(one, fields, keys, project_crs)
        except Exception:  # an unreadable file was stopped at or listed when read
            return pd.DataFrame()
        if not len(found):  # none of the numbers: nothing to take from the path
            return pd.DataFrame()
        return from_path(found, given, relative, "parcels")[0]

    with ThreadPoolExecutor(max_workers=max(1, min(len(files), os.cpu_count() or 1))) as pool:
        parts = list(pool.map(lambda f: one_file(*f), files))
    parts = [p for p in parts if len(p.columns)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _terminal() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def progress(items: Iterable[T], total: int, what: str, unit: str = "file") -> Iterable[T]:
    """``items``, with a progress bar on a terminal when there are many (tqdm)."""
    if total < MANY_FILES or not _terminal():
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=what, unit=unit, leave=False)


def say(line: str, total: int = MANY_FILES) -> None:
    """One line about a long read on stderr (many files only), for a terminal or a log."""
    if total >= MANY_FILES:
        print(line, file=sys.stderr)
