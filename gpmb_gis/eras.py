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
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis._errors import GpmbError
from gpmb_gis._findings import INFO, Finding
from gpmb_gis._text import commune_parts
from gpmb_gis.join import AMBIGUOUS_AFTER_MERGER, KEY_PROBLEM
from gpmb_gis.units import crosswalk, read_crosswalk, units

__all__ = ["new_units", "own_crosswalk", "records_in_old_communes"]


@functools.cache
def _lookups(province: str) -> tuple[dict[str, tuple[str, str] | None], dict[str, list]]:
    """For a province: 2024 code → its 2025 unit (None when divided), and name key → units."""
    walk = crosswalk(province)
    by_code: dict[str, tuple[str, str] | None] = {}
    for code, group in walk.groupby("commune_2024_code"):
        targets = set(zip(group["commune_2025_code"], group["commune_2025"], strict=True))
        by_code[str(code)] = None if group["divided"].any() or len(targets) > 1 else targets.pop()
    by_name: dict[str, list] = {}
    for code, name in zip(*(units(2024, province)[c] for c in ("code", "commune")), strict=True):
        key, kind, _ = commune_parts(name)
        by_name.setdefault(key, []).append((kind, code))
    return by_code, by_name


_Unit = tuple[str, str]


def _own(own: pd.DataFrame | None) -> tuple[dict[str, _Unit], dict[tuple[str, str], _Unit]]:
    """A user's crosswalk by old code and by old name (key, kind) → the new unit."""
    if own is None:
        return {}, {}
    by_code, by_name = {}, {}
    for old_code, old_name, code, name in own.itertuples(index=False):
        if old_code:
            by_code[_code_2024(old_code)] = (code, name)
        if old_name:
            by_name[commune_parts(old_name)[:2]] = (code, name)
    return by_code, by_name


def _code_2024(value: object) -> str:
    """A code as the unit lists write it: five digits (``6226`` read as a number → ``06226``)."""
    if not present(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) <= 5 else text


def new_units(codes: Sequence[object], names: Sequence[object], province: str | None,
              own: pd.DataFrame | None = None) -> list[tuple[str, str]]:  # fmt: skip
    """The unit of 2025 (code, name) each commune of 2024 became part of; blank when not known.

    Parameters
    ----------
    codes, names
        The communes' codes and names as the run's layers write them, read in the 2024 era.
    province
        The config's province; without one no commune is known (but by ``own``).
    own
        The user's own crosswalk (:func:`gpmb_gis.units.read_crosswalk`): its rows win.

    Examples
    --------
    >>> new_units(["06226", "", "9"], ["", "Xã Tân Liên", "Xã Song Giáp"], "Lạng Sơn")
    [('06187', 'Phường Kỳ Lừa'), ('06187', 'Phường Kỳ Lừa'), ('', '')]
    """
    by_code: dict[str, tuple[str, str] | None] = {}
    by_name: dict[str, list] = {}
    if province:
        with contextlib.suppress(GpmbError):  # a province the lists do not know: no commune
            by_code, by_name = _lookups(province)
    mine_by_code, mine_by_name = _own(own)
    out = []
    for code, name in zip(codes, names, strict=True):
        key, kind, _ = commune_parts(name)
        named = {v for (k, kd), v in mine_by_name.items() if k == key and kind in ("", kd)}
        mine = mine_by_code.get(_code_2024(code)) or (named.pop() if len(named) == 1 else None)
        if mine is not None:
            out.append(mine)
            continue
        found = _code_2024(code)
        if found not in by_code:
            key, kind, _ = commune_parts(name)
            candidates = {c for k, c in by_name.get(key, []) if not kind or k == kind}
            found = candidates.pop() if len(candidates) == 1 else ""
        target = by_code.get(found)
        out.append(target if target is not None else ("", ""))
    return out


def _merged(parcels: pd.DataFrame, communes: pd.DataFrame | None, province: str | None,
            own: pd.DataFrame | None,
            ) -> tuple[dict[tuple[str, str], set[str]], dict[str, str]]:  # fmt: skip
    """Each unit of 2025 (name key, kind) → the run's old communes in it; and their kinds."""
    if communes is not None:
        old = communes[[C.KEY_COMMUNE, C.COMMUNE_CODE, C.COMMUNE]]
    else:  # a commune written on the parcels may be a code as well as a name
        old = parcels[[C.KEY_COMMUNE, C.COMMUNE]].drop_duplicates(C.KEY_COMMUNE)
        old = old.assign(**{C.COMMUNE_CODE: old[C.COMMUNE]})
    keys = old[C.KEY_COMMUNE].tolist()
    kinds = {k: commune_parts(n)[1] for k, n in zip(keys, old[C.COMMUNE], strict=True)}
    merged: dict[tuple[str, str], set[str]] = {}
    targets = new_units(old[C.COMMUNE_CODE].tolist(), old[C.COMMUNE].tolist(), province, own)
    for key, (_, name) in zip(keys, targets, strict=True):
        if name:
            merged.setdefault(commune_parts(name)[:2], set()).add(key)
    return merged, kinds


def _asked(run_key: str, written: object, merged: dict[tuple[str, str], set[str]],
           old_kind: dict[str, str] | None) -> tuple[set[str], str | None] | None:  # fmt: skip
    """Whether a record's commune names a unit of 2025 that the run's old communes joined.

    None when it does not (the record keeps its key); else the old communes of that unit, and
    the key to give the record when none of them holds its parcel (None: keep its own).
    ``old_kind`` is given when the record's key is an old commune's (the kinds of the run's
    communes, by key): the record names that commune unless it writes another kind ("Xã Cao
    Lộc" is not Thị trấn Cao Lộc), and then, holding no parcel, it names none.
    """
    if not run_key:
        return None
    key, kind, _ = commune_parts(written)
    olds = set().union(*(v for (k, kd), v in merged.items() if k == key and kind in ("", kd)))
    if not olds:
        return None  # no unit of 2025 that the run's communes joined has this name
    if old_kind is not None and (not kind or kind == old_kind.get(run_key)):
        return None  # an old commune's own name: read in the era of 2024
    return olds, (f"{key} ({kind})" if old_kind is not None else None)


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


def records_in_old_communes(records: pd.DataFrame, parcels: pd.DataFrame,
                            communes: pd.DataFrame | None, province: str | None,
                            own: pd.DataFrame | None = None,
                            ) -> tuple[pd.DataFrame, list[Finding]]:  # fmt: skip
    """Records that name a unit of 2025, keyed to the commune of 2024 that holds their parcel.

    Parcels keep the communes of 2024 (their sheets are numbered per old commune) while books
    written after 1 July 2025 name the new units. A record whose commune is no commune of the
    run but a unit of 2025 that some of them became part of takes the old commune whose parcel
    has its sheet and number; when two old communes have one, the record is not counted
    (``ambiguous_after_merger``, with the candidates), never guessed.

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

    Returns
    -------
    (DataFrame, list of Finding)
        The records (a copy when any changed) and a note of how many were matched so.
    """
    if (
        not (province or own is not None)
        or not len(records)
        or not parcels[C.KEY_COMMUNE].astype(bool).any()
    ):
        return records, []
    merged, old_kind = _merged(parcels, communes, province, own)
    known = set(old_kind) | set(parcels[C.KEY_COMMUNE].tolist())
    if not merged:
        return records, []
    memo: dict[tuple[str, object], tuple[set[str], str | None] | None] = {}
    asked = []  # (position, old communes, key when none holds the parcel): few records
    for pos, pair in enumerate(zip(records[C.KEY_COMMUNE].tolist(),
                                   records[C.COMMUNE].tolist(), strict=True)):  # fmt: skip
        if pair not in memo:
            memo[pair] = _asked(*pair, merged, old_kind if pair[0] in known else None)
        if memo[pair] is not None:
            asked.append((pos, *memo[pair]))
    if not asked:
        return records, []
    holders = _holders(parcels, set().union(*(olds for _, olds, _ in asked)))
    out = records.copy()
    if KEY_PROBLEM not in out:
        out[KEY_PROBLEM] = 0
    key_col, problem_col = out.columns.get_loc(C.KEY_COMMUNE), out.columns.get_loc(KEY_PROBLEM)
    sheets, numbers = records[C.KEY_SHEET].tolist(), records[C.KEY_PARCEL].tolist()
    matched = 0
    for pos, olds, otherwise in asked:
        found = holders.get((sheets[pos], numbers[pos]), set()) & olds
        if len(found) > 1:
            out.iat[pos, problem_col] = AMBIGUOUS_AFTER_MERGER
        elif found or otherwise is not None:
            out.iat[pos, key_col] = found.pop() if found else otherwise
        else:
            continue
        matched += 1
    if not matched:
        return records, []
    return out, [Finding(INFO, "book_communes_2025", "handovers", params={"count": matched})]
