"""A layer held in many files: per commune and per map sheet (tờ bản đồ), as land offices keep it.

``parcels = { paths = ["dia_chinh/**/*.dgn"], path_pattern = "{commune}/To {sheet}.dgn" }``
reads every file as one layer. Each file is read on its own (its encoding, CRS and checks), and
its features that lack a commune or a sheet take them from the file's path; a feature's own
commune wins, with a QA row when the two disagree. Findings name the file a feature came from
(``Hop Thanh/To 12.dgn: sheet 12 / parcel 45``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyogrio

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis._text import commune_key, number_key
from gpmb_gis.io.vector import read_parcel_keys
from gpmb_gis.nearby import Window
from gpmb_gis.sources import LayerSource

__all__ = ["feature_count", "file_sources", "from_path", "meets", "parcel_keys", "path_fields"]

_FIELDS = {"commune": C.COMMUNE, "sheet": C.SHEET}


@functools.lru_cache(maxsize=64)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{commune\}|\{sheet\})", pattern.replace("\\", "/"))
    body = "".join(
        f"(?P<{p[1:-1]}>[^/]+?)" if p in ("{commune}", "{sheet}") else re.escape(p) for p in parts
    )
    return re.compile(rf"(?:^|/){body}$", re.IGNORECASE)


def path_fields(pattern: str | None, relative: str) -> dict[str, str]:
    """The commune and sheet a file's path gives by ``pattern`` (none when it does not match).

    The pattern is matched against the end of the path relative to the config, so
    ``"{commune}/To {sheet}.dgn"`` reads ``dia_chinh/Hop Thanh/To 12.dgn``.

    Examples
    --------
    >>> path_fields("{commune}/To {sheet}.dgn", "dia_chinh/Hop Thanh/To 12.DGN")
    {'commune': 'Hop Thanh', 'sheet': '12'}
    >>> path_fields("{commune}_{sheet}.shp", "bo_sung/06226_12.shp")
    {'commune': '06226', 'sheet': '12'}
    >>> path_fields("{commune}_{sheet}.shp", "bo_sung/readme.txt")
    {}
    """
    if not pattern:
        return {}
    match = _pattern_regex(pattern).search(relative.replace("\\", "/"))
    return {k: v.strip() for k, v in match.groupdict().items()} if match else {}


def file_sources(source: LayerSource) -> list[tuple[LayerSource, str, dict[str, str]]]:
    """Each file of a many-file layer: a source of its own, its relative path, its path fields."""
    out = []
    for path in source.paths:
        relative = source.relative(path)
        one = dataclasses.replace(source, path=path, paths=(), path_pattern=None)
        out.append((one, relative, path_fields(source.path_pattern, relative)))
    return out


def from_path(
    layer: pd.DataFrame, fields: dict[str, str], relative: str, name: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """Fill a file's features' commune and sheet from its path where they lack them.

    A feature's own commune (or sheet) wins; where it disagrees with the path's, a QA row
    says so once per file. Also adds :data:`gpmb_gis.columns.SOURCE_FILE`.
    """
    out = layer.assign(**{C.SOURCE_FILE: relative})
    findings = []
    for part, column in _FIELDS.items():
        given = fields.get(part)
        if not given:
            continue
        if column not in out:
            out[column] = given
            continue
        own = out[column]
        has = own.map(lambda v: present(v) and str(v).strip() != "")
        same = commune_key if part == "commune" else number_key
        differ = has & (own.map(lambda v, f=same: f(v)) != same(given))
        if differ.any():
            findings.append(
                Finding(
                    WARNING,
                    f"{part}_not_the_paths",
                    name,
                    relative,
                    params={
                        "count": int(differ.sum()),
                        "path": given,
                        "own": str(own[differ].iloc[0]),
                    },
                )
            )
        out[column] = own.where(has, given)
    return out, findings


def _info(source: LayerSource) -> dict:
    try:
        return pyogrio.read_info(source.path, layer=source.layer)
    except Exception:  # the reader says why when the file is read
        return {}


def meets(source: LayerSource, window: Window | None) -> bool:
    """Whether a file's extent (from its header, no feature read) meets a right of way.

    True when it cannot be told without reading (no window, no extent in the header).
    """
    if window is None or not len(window.boxes):
        return True
    bounds = _info(source).get("total_bounds")
    if bounds is None or not np.all(np.isfinite(bounds)):
        return True
    x0, y0, x1, y1 = bounds
    boxes = window.boxes
    return bool(
        (
            (boxes[:, 0] <= x1) & (boxes[:, 2] >= x0) & (boxes[:, 1] <= y1) & (boxes[:, 3] >= y0)
        ).any()
    )


def feature_count(source: LayerSource) -> int:
    """The features of a file, from its header (0 when it does not say)."""
    count = _info(source).get("features")
    return int(count) if count is not None and count >= 0 else 0


def parcel_keys(
    source: LayerSource, fields: Mapping[str, str] | None, parcel_keys: Iterable[str]
) -> pd.DataFrame:
    """The whole layer's parcels (attributes only) with one of these numbers, in every file.

    :func:`gpmb_gis.io.vector.read_parcel_keys` for a layer of one file or many; a file's
    parcels take the commune and sheet of its path where they lack them.
    """
    if not source.paths:
        return read_parcel_keys(source, fields, parcel_keys)
    keys, parts = list(parcel_keys), []
    for one, relative, given in file_sources(source):
        try:
            found = read_parcel_keys(one, fields, keys)
        except Exception:  # an unreadable file was stopped at or listed when read
            continue
        parts.append(from_path(found, given, relative, "parcels")[0])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
