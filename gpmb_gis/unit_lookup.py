"""The units of 2025 of communes as the layers write them, and the crosswalk that gives them.

A commune of the run (from the communes layer, or written on the parcels) is found among the
province's units of 2024 by its code read in the 2024 era, else by its name (with its kind:
Xã, Phường, Thị trấn, when written); the crosswalk (:mod:`gpmb_gis.units`, or the user's own)
then gives its unit of 2025. A commune not found, or found twice, or divided between two new
units, has none: it is never guessed. Boundaries of the units of 2025 are checked here too.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis._errors import GpmbError
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis._text import commune_parts
from gpmb_gis.faces import overlapping_pairs, polygonal
from gpmb_gis.units import crosswalk, read_crosswalk, units

__all__ = [
    "boundaries_2025",
    "code_text",
    "codes_2025",
    "is_code",
    "names_2024",
    "names_2025",
    "new_units",
    "official_kinds",
    "own_crosswalk",
    "unit_targets",
    "units_2025",
]


_Unit = tuple[str, str]


@functools.cache
def _lookups(province: str) -> tuple[dict[str, list[_Unit]], dict[str, list]]:
    """For a province: 2024 code → its 2025 units (two or more: divided), name key → units."""
    walk = crosswalk(province)
    by_code: dict[str, list[_Unit]] = {}
    for code, group in walk.groupby("commune_2024_code"):
        targets = zip(group["commune_2025_code"], group["commune_2025"], strict=True)
        by_code[str(code)] = sorted(set(targets))
    by_name: dict[str, list] = {}
    for code, name in zip(*(units(2024, province)[c] for c in ("code", "commune")), strict=True):
        key, kind, _ = commune_parts(name)
        by_name.setdefault(key, []).append((kind, code))
    return by_code, by_name


def _own(
    own: pd.DataFrame | None,
) -> tuple[dict[str, set[_Unit]], dict[tuple[str, str], set[_Unit]]]:
    """A user's crosswalk by old code and by old name (key, kind) → the new units.

    An old commune given two rows is divided between their units.
    """
    if own is None:
        return {}, {}
    by_code: dict[str, set[_Unit]] = {}
    by_name: dict[tuple[str, str], set[_Unit]] = {}
    for old_code, old_name, code, name in own.itertuples(index=False):
        if old_code:
            by_code.setdefault(code_text(old_code), set()).add((code, name))
        if old_name:
            by_name.setdefault(commune_parts(old_name)[:2], set()).add((code, name))
    return by_code, by_name


def code_text(value: object) -> str:
    """A code as the unit lists write it: five digits (``6226`` read as a number → ``06226``)."""
    if not present(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) <= 5 else text


def unit_targets(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None,
    era: int = 2024,
) -> list[list[_Unit]]:
    """Each commune's units of 2025: one, several (divided) or none (not known).

    Examples
    --------
    >>> unit_targets(["06622", "06226", "9"], ["", "", ""], "Lạng Sơn", None)
    [[('06613', 'Xã Đình Lập'), ('06625', 'Xã Kiên Mộc')], [('06187', 'Phường Kỳ Lừa')], []]
    """
    if era == 2025:  # the communes are units of 2025 themselves: as written when not listed
        found = units_2025(codes, names, province)
        return [
            [unit] if unit[1] or doubt == "conflict" else [_as_written(code, name)]
            for (unit, doubt), code, name in zip(found, codes, names, strict=True)
        ]
    by_code: dict[str, list[_Unit]] = {}
    by_name: dict[str, list] = {}
    if province:
        with contextlib.suppress(GpmbError):  # a province the lists do not know: no commune
            by_code, by_name = _lookups(province)
    mine_by_code, mine_by_name = _own(own)
    out = []
    for code, name in zip(codes, names, strict=True):
        key, kind, _ = commune_parts(name)
        named = [v for (k, kd), v in mine_by_name.items() if k == key and kind in ("", kd)]
        mine = mine_by_code.get(code_text(code)) or (named[0] if len(named) == 1 else None)
        if mine is not None:
            out.append(sorted(mine))
            continue
        found = code_text(code)
        if found not in by_code:
            candidates = {c for k, c in by_name.get(key, []) if not kind or k == kind}
            found = candidates.pop() if len(candidates) == 1 else ""
        out.append(by_code.get(found, []))
    return out


def official_kinds(
    codes: Sequence[object], names: Sequence[object], province: str | None, era: int = 2024
) -> list[str]:
    """Each commune's kind (xa, phuong, thi tran): as written, else as the era's list says.

    The list is read by the commune's code, else by its name when one unit of the province has
    it, so that a layer writing "Cao Lộc" for 06187 is known to be Thị trấn Cao Lộc.

    Examples
    --------
    >>> official_kinds(["06187", "", ""], ["Cao Lộc", "Cao Lộc", "Xã Hợp Thành"], "Lạng Sơn")
    ['thi tran', 'thi tran', 'xa']
    """
    listed = names_2024(province) if era == 2024 else codes_2025(province)
    by_name: dict[str, set[str]] = {}
    for name in listed.values():
        key, kind, _ = commune_parts(name)
        by_name.setdefault(key, set()).add(kind)
    out = []
    for code, name in zip(codes, names, strict=True):
        key, kind, _ = commune_parts(name) if not is_code(name) else ("", "", "")
        if not kind and is_code(code) and code_text(code) in listed:
            kind = commune_parts(listed[code_text(code)])[1]
        elif not kind and len(by_name.get(key, ())) == 1:
            kind = next(iter(by_name[key]))
        out.append(kind)
    return out


def _as_written(code: object, name: object) -> _Unit:
    text = code_text(code)
    return (text if text.isdigit() else "", str(name) if present(name) else "")


def units_2025(
    codes: Sequence[object], names: Sequence[object], province: str | None
) -> list[tuple[_Unit, str]]:
    """Units of 2025 as a layer writes them, found in the province's list: (unit, doubt).

    A unit is found by its code of 2025, else by its name (its kind may be left out when only
    one unit has the name). The doubt is ``""`` when found, ``"unknown"`` when neither is in
    the list, ``"conflict"`` when the code names another unit than the name: the unit is then
    blank, never one of the two.

    Examples
    --------
    >>> units_2025(["06625", "", "06613"], ["", "Kien Moc", "Xã Kiên Mộc"], "Lạng Sơn")[:2]
    [(('06625', 'Xã Kiên Mộc'), ''), (('06625', 'Xã Kiên Mộc'), '')]
    >>> units_2025(["06613"], ["Xã Kiên Mộc"], "Lạng Sơn")[0][1]
    'conflict'
    """
    listed = codes_2025(province)
    by_name: dict[str, list[tuple[str, _Unit]]] = {}
    for c, n in listed.items():
        key, kind, _ = commune_parts(n)
        by_name.setdefault(key, []).append((kind, (c, n)))
    out: list[tuple[_Unit, str]] = []
    for written_code, name in zip(codes, names, strict=True):
        code = code_text(written_code)
        key, kind, _ = commune_parts(name) if not is_code(name) else ("", "", "")
        named = {u for kd, u in by_name.get(key, []) if kind in ("", kd)} if key else set()
        by_code = (code, listed[code]) if code in listed else None
        if by_code is not None and key and by_code not in named:
            out.append((("", ""), "conflict"))
        elif by_code is not None or len(named) == 1:
            out.append((by_code or named.pop(), ""))
        else:
            out.append((("", ""), "unknown"))
    return out


def boundaries_2025(
    layer: gpd.GeoDataFrame, province: str | None
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """The boundaries of the units of 2025 (``communes_2025``), one disjoint polygon a unit.

    Each feature's unit is found in the province's list (:func:`units_2025`): a feature not
    found, or whose code and name name two units, is the unknown unit, with a QA row. Where
    two units overlap, the land stays with the first by code (a QA row gives the area), so
    that no land counts in two units.
    """
    codes, names = layer[C.COMMUNE_CODE].tolist(), layer[C.COMMUNE].tolist()
    found = units_2025(codes, names, province)
    findings = []
    for (_, doubt), code, name in zip(found, codes, names, strict=True):
        if doubt:
            label = " ".join(str(v) for v in (code, name) if present(v) and str(v))
            findings.append(
                Finding(
                    WARNING,
                    f"communes_2025_{doubt}",
                    "communes_2025",
                    label,
                    params={"commune": label},
                )
            )
    layer = layer.assign(
        **{C.COMMUNE_2025_CODE: [u[0] for u, _ in found], C.COMMUNE_2025: [u[1] for u, _ in found]}
    )
    layer = layer.dissolve(by=[C.COMMUNE_2025_CODE, C.COMMUNE_2025], as_index=False)
    layer = layer.sort_values(C.COMMUNE_2025_CODE, key=lambda c: c.eq(""), kind="stable")
    drawn = polygonal(shapely.make_valid(layer.geometry.to_numpy()))
    geoms = drawn.copy()
    first, later, _ = overlapping_pairs(drawn)  # first < later: the first keeps the land
    for k in np.unique(later).tolist():
        before = float(shapely.area(geoms[k]))
        geoms[k] = shapely.difference(geoms[k], shapely.union_all(drawn[first[later == k]]))
        lost = before - float(shapely.area(geoms[k]))
        if lost > 0.01:
            unit = layer[C.COMMUNE_2025].iat[k] or "?"
            findings.append(
                Finding(
                    WARNING,
                    "communes_2025_overlap",
                    "communes_2025",
                    unit,
                    params={"commune": unit},
                    area_m2=lost,
                )
            )
    return layer.set_geometry(geoms).reset_index(drop=True), findings


def new_units(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None = None,
    era: int = 2024,
) -> list[tuple[str, str]]:
    """The unit of 2025 (code, name) each commune became part of; blank when not known.

    Parameters
    ----------
    codes, names
        The communes' codes and names as the run's layers write them.
    province
        The config's province; without one no commune is known (but by ``own``).
    own
        The user's own crosswalk (:func:`gpmb_gis.units.read_crosswalk`): its rows win.
    era
        The era the communes are written in: 2024 (read through the crosswalk), or 2025 (they
        are units of 2025: their official code and name, else as written).

    Returns
    -------
    list of (code, name)
        Blank for a commune not found once in the lists, or divided between two units of
        2025 (:func:`unit_targets` names them).

    Examples
    --------
    >>> new_units(["06226", "", "9"], ["", "Xã Tân Liên", "Xã Song Giáp"], "Lạng Sơn")
    [('06187', 'Phường Kỳ Lừa'), ('06187', 'Phường Kỳ Lừa'), ('', '')]
    >>> new_units(["06211"], [""], "Lạng Sơn", era=2025)
    [('06211', 'Xã Cao Lộc')]
    """
    found = unit_targets(codes, names, province, own, era)
    return [t[0] if len(t) == 1 else ("", "") for t in found]


def own_crosswalk(path: Path | None) -> pd.DataFrame | None:
    """The user's own crosswalk (``[communes] crosswalk``), read once per file; None without."""
    return None if path is None else _read_own(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_own(path: Path, _mtime: int) -> pd.DataFrame:
    return read_crosswalk(path)


@functools.cache
def _listed(era: int, province: str | None) -> dict[str, str]:
    """The province's units of an era: code → name (none without a province the lists know)."""
    if not province:
        return {}
    with contextlib.suppress(GpmbError):
        table = units(era, province)
        return dict(zip(table["code"], table["commune"], strict=True))
    return {}


def names_2024(province: str | None) -> dict[str, str]:
    """The province's communes of 2024: code → name."""
    return _listed(2024, province)


def codes_2025(province: str | None) -> dict[str, str]:
    """The province's units of 2025: code → name."""
    return _listed(2025, province)


def names_2025(province: str | None) -> set[tuple[str, str]]:
    """The province's units of 2025 as (name key, kind)."""
    return {commune_parts(n)[:2] for n in codes_2025(province).values()}


def is_code(value: object) -> bool:
    """Whether a commune is written as a code (digits: ``06211``, ``6211``, ``6211.0``)."""
    return present(value) and code_text(value).isdigit()
