"""A run's communes in the era after the 2025 merger: the unit each commune of 2024 became part of.

A commune of the run (from the communes layer, or written on the parcels) is found among the
province's units of 2024 by its code read in the 2024 era, else by its name (with its kind:
Xã, Phường, Thị trấn, when written); the crosswalk (:mod:`gpmb_gis.units`) then gives its unit
of 2025. A commune not found, or found twice, or divided between two new units, has none: it
is never guessed.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis._errors import GpmbError
from gpmb_gis._findings import INFO, WARNING, Finding
from gpmb_gis._text import commune_parts
from gpmb_gis.faces import polygonal
from gpmb_gis.join import AMBIGUOUS_AFTER_MERGER, KEY_PROBLEM, MERGER_CANDIDATES
from gpmb_gis.units import crosswalk, read_crosswalk, units

__all__ = [
    "Eras",
    "boundaries_2025",
    "divided_units",
    "new_units",
    "own_crosswalk",
    "records_in_old_communes",
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
            by_code.setdefault(_code_2024(old_code), set()).add((code, name))
        if old_name:
            by_name.setdefault(commune_parts(old_name)[:2], set()).add((code, name))
    return by_code, by_name


def _code_2024(value: object) -> str:
    """A code as the unit lists write it: five digits (``6226`` read as a number → ``06226``)."""
    if not present(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) <= 5 else text


def _targets(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None,
    era: int = 2024,
) -> list[list[_Unit]]:
    """Each commune's units of 2025: one, several (divided) or none (not known)."""
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
        mine = mine_by_code.get(_code_2024(code)) or (named[0] if len(named) == 1 else None)
        if mine is not None:
            out.append(sorted(mine))
            continue
        found = _code_2024(code)
        if found not in by_code:
            candidates = {c for k, c in by_name.get(key, []) if not kind or k == kind}
            found = candidates.pop() if len(candidates) == 1 else ""
        out.append(by_code.get(found, []))
    return out


def _as_written(code: object, name: object) -> _Unit:
    text = _code_2024(code)
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
    listed = _codes_2025(province)
    by_name: dict[str, list[tuple[str, _Unit]]] = {}
    for c, n in listed.items():
        key, kind, _ = commune_parts(n)
        by_name.setdefault(key, []).append((kind, (c, n)))
    out: list[tuple[_Unit, str]] = []
    for written_code, name in zip(codes, names, strict=True):
        code = _code_2024(written_code)
        key, kind, _ = commune_parts(name) if not _is_code(name) else ("", "", "")
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
    geoms = polygonal(shapely.make_valid(layer.geometry.to_numpy()))
    for k in range(1, len(geoms)):
        before = float(shapely.area(geoms[k]))
        geoms[k] = shapely.difference(geoms[k], shapely.union_all(geoms[:k]))
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
        2025 (:func:`divided_units` names them).

    Examples
    --------
    >>> new_units(["06226", "", "9"], ["", "Xã Tân Liên", "Xã Song Giáp"], "Lạng Sơn")
    [('06187', 'Phường Kỳ Lừa'), ('06187', 'Phường Kỳ Lừa'), ('', '')]
    >>> new_units(["06211"], [""], "Lạng Sơn", era=2025)
    [('06211', 'Xã Cao Lộc')]
    """
    return [t[0] if len(t) == 1 else ("", "") for t in _targets(codes, names, province, own, era)]


def divided_units(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None = None,
) -> list[list[tuple[str, str]]]:
    """For each commune of 2024, the units of 2025 it was divided between (none if not).

    Examples
    --------
    >>> divided_units(["06622", "06226"], ["", ""], "Lạng Sơn")
    [[('06613', 'Xã Đình Lập'), ('06625', 'Xã Kiên Mộc')], []]
    """
    return [t if len(t) > 1 else [] for t in _targets(codes, names, province, own)]


class _Run(NamedTuple):
    """What reading a record's commune needs to know of the run's communes."""

    merged: dict[tuple[str, str], set[str]]  # unit of 2025 (name key, kind) → old communes
    old_kind: dict[str, str]  # an old commune's key → its kind
    old_names: dict[str, set[tuple[str, str]]]  # name key → (kind, key), official names too
    codes_2025: dict[str, str]
    names_2025: set[tuple[str, str]]
    codes_2024: dict[str, str]


def _merged(
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str | None,
    own: pd.DataFrame | None,
) -> _Run:
    """The run's communes: their units of 2025, kinds and names (as written and official)."""
    if communes is not None:
        old = communes[[C.KEY_COMMUNE, C.COMMUNE_CODE, C.COMMUNE]]
    else:  # a commune written on the parcels may be a code as well as a name
        old = parcels[[C.KEY_COMMUNE, C.COMMUNE]].drop_duplicates(C.KEY_COMMUNE)
        old = old.assign(**{C.COMMUNE_CODE: old[C.COMMUNE]})
    keys, codes = old[C.KEY_COMMUNE].tolist(), old[C.COMMUNE_CODE].tolist()
    codes_2024 = _names_2024(province)
    written = [str(n) if present(n) and not _is_code(n) else "" for n in old[C.COMMUNE]]
    official = [codes_2024.get(_code_2024(c), "") if _is_code(c) else "" for c in codes]
    kinds, names = {}, {}
    for key, mine, listed in zip(keys, written, official, strict=True):
        kinds[key] = commune_parts(mine or listed)[1]
        for name in {mine, listed} - {""}:
            name_key, kind, _ = commune_parts(name)
            names.setdefault(name_key, set()).add((kind, key))
    merged: dict[tuple[str, str], set[str]] = {}
    targets = _targets(codes, old[C.COMMUNE].tolist(), province, own)
    for key, units_2025 in zip(keys, targets, strict=True):
        for _, name in units_2025:  # a divided commune is in each of its units
            if name:
                merged.setdefault(commune_parts(name)[:2], set()).add(key)
    return _Run(merged, kinds, names, _codes_2025(province), _names_2025(province), codes_2024)


class _Reading(NamedTuple):
    """How a record's commune is read.

    The old communes whose parcel it may name (their parcels decide), the key it takes when
    none has it, and the era it was read in.
    """

    olds: frozenset[str]
    otherwise: str
    era: int


def _contradicts(kind: str, other: str) -> bool:
    """Whether two kinds written (xa, phuong, thi tran or "") name two different units."""
    return bool(kind and other and kind != other)


def _read(run_key: str, written: object, era: int | None, run: _Run) -> _Reading | None:
    """How a record's commune is read in its book's era; None: as keyed, in the era of 2024.

    A commune of the run written as the run writes it (and not as another kind: "Xã Cao
    Lộc" is not Thị trấn Cao Lộc) is that commune; the official name of a commune the run
    gives by its code is that commune too. In a book without an era, a name that is none of
    them may be a unit of 2025 the run's communes joined; in a book of 2025 every name is
    read so first (:func:`_read_2025`).
    """
    if not run_key:
        return None
    if era == 2025:
        return _read_2025(run_key, written, run)
    key, kind, _ = commune_parts(written)
    if run_key in run.old_kind and not _contradicts(kind, run.old_kind[run_key]):
        return None
    olds = {k for kd, k in run.old_names.get(key, set()) if not _contradicts(kind, kd)}
    units = {k for (nk, kd), v in run.merged.items() if nk == key and kind in ("", kd) for k in v}
    reading = None
    if len(olds) == 1 and not _is_code(written):
        reading = _Reading(frozenset(), olds.pop(), 2024)  # by the official name of its code
    elif len(olds) > 1:
        reading = _Reading(frozenset(), f"?{key}", 2024)  # a name two communes of the run have
    elif era is None and units:
        reading = _Reading(frozenset(units), f"?{key} ({kind})", 2025)
    elif run_key in run.old_kind:  # another kind than the commune of its name: names none
        reading = _Reading(frozenset(), f"?{key} ({kind})", 2024)
    return reading


def _read_2025(run_key: str, written: object, run: _Run) -> _Reading | None:
    """A commune in a book of 2025: a code of 2025, or a unit's name; else one of 2024."""
    code = _code_2024(written) if _is_code(written) else ""
    name = run.codes_2025.get(code, "") if code else written
    if code and not name:
        return _Reading(frozenset(), f"?{code}", 2025)  # no code of 2025: names no commune
    key, kind, _ = commune_parts(name)
    units = {k for (nk, kd), v in run.merged.items() if nk == key and kind in ("", kd) for k in v}
    if units or code or any(k == key and kind in ("", kd) for k, kd in run.names_2025):
        return _Reading(frozenset(units), f"?{key}", 2025)  # none joined: names no parcel
    return _read(run_key, written, 2024, run)  # no unit of 2025: an old commune kept


def _other_era(written: object, era: int | None, run: _Run) -> bool:
    """Whether a commune that names none of the run's is one of the book's other era."""
    if _is_code(written):
        code = _code_2024(written)
        return code in (run.codes_2024 if era == 2025 else run.codes_2025)
    if era == 2025:
        return False
    key, kind, _ = commune_parts(written)
    return any(k == key and kind in ("", kd) for k, kd in run.names_2025)


def _written_names(parcels: pd.DataFrame, communes: pd.DataFrame | None) -> dict[str, str]:
    """Each commune key of the run → its name as the communes layer (or the parcels) write it."""
    table = communes if communes is not None else parcels.drop_duplicates(C.KEY_COMMUNE)
    return {k: str(n) for k, n in zip(table[C.KEY_COMMUNE], table[C.COMMUNE], strict=True)}


def _holders(parcels: pd.DataFrame, communes: set[str]) -> dict[tuple[str, str], set[str]]:
    """(sheet, parcel) → the communes among ``communes`` whose parcels have that key."""
    near = parcels[parcels[C.KEY_COMMUNE].isin(communes)]
    holders: dict[tuple[str, str], set[str]] = {}
    parts = (near[c].tolist() for c in (C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL))
    for kc, ks, kp in zip(*parts, strict=True):
        holders.setdefault((ks, kp), set()).add(kc)
    return holders


def own_crosswalk(path: Path | None) -> pd.DataFrame | None:
    """The user's own crosswalk (``[communes] crosswalk``), read once per file; None without."""
    return None if path is None else _read_own(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_own(path: Path, _mtime: int) -> pd.DataFrame:
    return read_crosswalk(path)


class Eras(NamedTuple):
    """The eras a run reads communes in.

    Attributes
    ----------
    communes
        The era of the run's communes (its communes layer's, else its parcels'): 2024 or 2025.
    books
        Each handover book's era by its label (``Config.book_sources``): 2024, 2025, or None
        when not said (a record then names a commune of 2024 unless it names none of them but
        a unit of 2025).
    """

    communes: int = 2024
    books: Mapping[str, int | None] = MappingProxyType({})


@functools.cache
def _names_2024(province: str | None) -> dict[str, str]:
    """The province's communes of 2024: code → name (none without a province the lists know)."""
    if not province:
        return {}
    with contextlib.suppress(GpmbError):
        table = units(2024, province)
        return dict(zip(table["code"], table["commune"], strict=True))
    return {}


@functools.cache
def _codes_2025(province: str | None) -> dict[str, str]:
    """The province's units of 2025: code → name (none without a province the lists know)."""
    if not province:
        return {}
    with contextlib.suppress(GpmbError):
        table = units(2025, province)
        return dict(zip(table["code"], table["commune"], strict=True))
    return {}


def _names_2025(province: str | None) -> set[tuple[str, str]]:
    """The province's units of 2025 as (name key, kind)."""
    return {commune_parts(n)[:2] for n in _codes_2025(province).values()}


def _is_code(value: object) -> bool:
    return present(value) and _code_2024(value).isdigit()


def records_in_old_communes(
    records: pd.DataFrame,
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str | None,
    own: pd.DataFrame | None = None,
    eras: Eras | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Records that name a unit of 2025, keyed to the commune of 2024 that holds their parcel.

    Parcels keep the communes of 2024 (their sheets are numbered per old commune) while books
    written after 1 July 2025 name the new units. A record whose commune is a unit of 2025
    that some of the run's communes became part of takes the old commune whose parcel has
    its sheet and number; when two old communes have one, the record is not counted
    (``ambiguous_after_merger``, with the candidates), never guessed.

    Which records name a unit of 2025 depends on their book's era (``eras.books``):

    - 2025: every record; a code is a code of 2025 (06211 is Xã Cao Lộc), and a code or
      name of a unit none of the run's communes joined names no parcel;
    - 2024: none (a unit of 2025 named is listed as a commune of the other era);
    - not said: those naming no commune of the run but a unit of 2025 (a book naming both
      is noted).

    Parameters
    ----------
    records, parcels
        Keyed (:func:`gpmb_gis.join.add_keys`); the parcels' commune is part of their key.
    communes
        The communes layer (key, code, name), or None: then the parcels' written communes.
    province
        The config's province; without one only ``own`` is read.
    own
        The user's own crosswalk (:func:`own_crosswalk`).
    eras
        The run's eras (:class:`Eras`); by default communes of 2024 and books not said.

    Returns
    -------
    (DataFrame, list of Finding)
        The records (a copy when any changed) and notes: how many were matched so, books
        naming communes of both eras, and communes written in the other era.
    """
    eras = eras or Eras()
    if eras.communes == 2025 and len(records) and province:
        return _on_units_2025(records, parcels, communes, province, own, eras)
    if (
        eras.communes == 2025
        or not (province or own is not None)
        or not len(records)
        or not parcels[C.KEY_COMMUNE].astype(bool).any()
    ):
        return records, []
    run = _merged(parcels, communes, province, own)
    asked, notes = _asked_in_eras(records, eras, run)
    if not asked:
        return records, notes
    holders = _holders(parcels, set().union(*(r.olds for _, r in asked)))
    out = records.copy()
    if KEY_PROBLEM not in out:
        out[KEY_PROBLEM] = 0
    out[MERGER_CANDIDATES] = ""
    names: dict[str, str] = {}
    key_col, problem_col = out.columns.get_loc(C.KEY_COMMUNE), out.columns.get_loc(KEY_PROBLEM)
    sheets, numbers = records[C.KEY_SHEET].tolist(), records[C.KEY_PARCEL].tolist()
    matched = 0
    for pos, reading in asked:
        found = holders.get((sheets[pos], numbers[pos]), set()) & reading.olds
        if len(found) > 1:
            out.iat[pos, problem_col] = AMBIGUOUS_AFTER_MERGER
            names = names or _written_names(parcels, communes)
            out.iat[pos, out.columns.get_loc(MERGER_CANDIDATES)] = "; ".join(
                sorted(names.get(k, k) for k in found)
            )
        else:
            matched += bool(found)
            out.iat[pos, key_col] = found.pop() if found else reading.otherwise
    if not matched:
        return out, notes
    count = Finding(INFO, "book_communes_2025", "handovers", params={"count": matched})
    return out, [count, *notes]


def _on_units_2025(
    records: pd.DataFrame,
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str,
    own: pd.DataFrame | None,
    eras: Eras,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Records on layers of 2025: a commune of 2024 is read as the unit it became part of.

    In a book of 2024 every code is a code of 2024 (06211 is Lộc Yên, part of Xã Cao Lộc) and
    every name an old commune's; in a book without an era a code that names two communes in
    the two eras names none, and a name that is no unit of the run is read in 2024.
    """
    old = communes if communes is not None else parcels.drop_duplicates(C.KEY_COMMUNE)
    keys = old[C.KEY_COMMUNE].tolist()
    codes = old[C.COMMUNE_CODE].tolist() if C.COMMUNE_CODE in old else old[C.COMMUNE].tolist()
    mine = new_units(codes, old[C.COMMUNE].tolist(), province, own, era=2025)
    key_of = {unit: key for unit, key in zip(mine, keys, strict=True) if unit[1]}
    codes_2024, codes_2025 = _names_2024(province), _codes_2025(province)
    book_of = records[C.BOOK].tolist() if C.BOOK in records else [""] * len(records)
    memo: dict[tuple[object, int | None], str | None] = {}
    doubt: dict[str, set[str]] = {}
    out = records[C.KEY_COMMUNE].tolist()
    for pos, (run_key, written) in enumerate(zip(out, records[C.COMMUNE].tolist(), strict=True)):
        era = eras.books.get(book_of[pos])
        if not run_key or era == 2025:
            continue
        if (written, era) not in memo:
            code = _code_2024(written) if _is_code(written) else ""
            both = code in codes_2024 and code in codes_2025
            if era is None and (run_key in set(keys) and not (code and both)):
                memo[written, era] = None  # a unit of the run, as written
            elif era is None and code and both:
                memo[written, era] = f"?{code}"  # 06211: Lộc Yên or Xã Cao Lộc
                doubt.setdefault(book_of[pos], set()).add(code)
            else:
                unit = new_units([code], [written if not code else ""], province, own)[0]
                memo[written, era] = key_of.get(unit, f"?{commune_parts(written)[0]}")
        if memo[written, era] is not None:
            out[pos] = memo[written, era]
    notes = [
        Finding(
            WARNING,
            "commune_other_era",
            "handovers",
            book,
            params={"communes": ", ".join(sorted(found)[:5])},
        )
        for book, found in doubt.items()
    ]
    return records.assign(**{C.KEY_COMMUNE: out}), notes


def _asked_in_eras(
    records: pd.DataFrame, eras: Eras, run: _Run
) -> tuple[list[tuple[int, _Reading]], list[Finding]]:
    """The records whose commune is read otherwise than keyed (position, reading); notes."""
    book_of = records[C.BOOK].tolist() if C.BOOK in records else [""] * len(records)
    memo: dict[tuple[str, object, int | None], _Reading | None] = {}
    asked = []
    eras_seen: dict[str, list[int]] = {}  # book → records read in 2024, in 2025
    other_era: dict[str, set[str]] = {}  # book → communes written in the other era
    for pos, (run_key, written) in enumerate(
        zip(records[C.KEY_COMMUNE].tolist(), records[C.COMMUNE].tolist(), strict=True)
    ):
        book = book_of[pos]
        era = eras.books.get(book)
        pair = (run_key, written, era)
        if pair not in memo:
            memo[pair] = _read(run_key, written, era, run)
        reading = memo[pair]
        if run_key:
            eras_seen.setdefault(book, [0, 0])[reading is not None and reading.era == 2025] += 1
        names_none = reading.otherwise.startswith("?") if reading else run_key not in run.old_kind
        unread = run_key and names_none and not (reading and reading.olds)
        if unread and _other_era(written, era, run):
            other_era.setdefault(book, set()).add(str(written))
        if reading is not None:
            asked.append((pos, reading))
    return asked, _era_notes(eras_seen, other_era, eras)


def _era_notes(
    eras_seen: dict[str, list[int]], other_era: dict[str, set[str]], eras: Eras
) -> list[Finding]:
    """Books naming communes of both eras, and communes written in the other era."""
    notes = []
    for book, (in_2024, in_2025) in eras_seen.items():
        if in_2024 and in_2025 and eras.books.get(book) is None:
            notes.append(
                Finding(
                    WARNING,
                    "book_mixes_eras",
                    "handovers",
                    book or "",
                    params={"in_2024": in_2024, "in_2025": in_2025},
                )
            )
    for book, written in other_era.items():
        notes.append(
            Finding(
                WARNING,
                "commune_other_era",
                "handovers",
                book or "",
                params={"communes": ", ".join(sorted(written)[:5])},
            )
        )
    return notes
